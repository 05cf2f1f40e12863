"""Shared fixtures for the app's tests: a temp LACE home, Services on it, a few instances.

Services always get an explicit environment (empty unless a test passes one), so no key
variable of the machine running the tests can leak into what the app shows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.worker import WorkerCancelled

from lace_tui.instances.models import Instance
from lace_tui.paths import Paths, resolve_paths
from lace_tui.services.app_services import Services

# Pilot is generic in the app's return type; the helpers take a pilot of any app.
AnyResult = TypeVar("AnyResult")

STORED_KEY = "sk-ant-test-0000abcd"

# The instances `populated_home` creates: (instance, key to store or None).
SAMPLE_INSTANCES: tuple[tuple[Instance, str | None], ...] = (
    (Instance(id="anthropic-work", name="Anthropic work", provider="anthropic"), STORED_KEY),
    (
        Instance(
            id="openai-env", name="OpenAI (env)", provider="openai", api_key_env="OPENAI_API_KEY"
        ),
        None,
    ),
    (
        Instance(
            id="local-ollama",
            name="Local Ollama",
            provider="ollama",
            endpoint="http://127.0.0.1:9",
        ),
        None,
    ),
)


@pytest.fixture
def lace_home(tmp_path: Path) -> Path:
    """An empty LACE home (nothing is created until the app or a fixture writes)."""
    return tmp_path / "lace"


@pytest.fixture
def lace_paths(lace_home: Path) -> Paths:
    return resolve_paths(lace_home)


@pytest.fixture
def make_services(lace_paths: Paths) -> Iterator[Callable[..., Services]]:
    """`make_services(environ=None)`: Services on the temp home; closed after the test."""
    made: list[Services] = []

    def make(environ: Mapping[str, str] | None = None) -> Services:
        services = Services(lace_paths, environ=dict(environ or {}))
        made.append(services)
        return services

    yield make
    for services in made:
        services.close()


@pytest.fixture
def browse_only_provider(lace_paths: Paths) -> str:
    """A user catalog provider of a type lace-tui has no chat client for; its id."""
    lace_paths.user_catalogs_dir.mkdir(parents=True, exist_ok=True)
    provider = {
        "id": "mystery",
        "name": "Mystery Cloud",
        "type": "made-up",
        "models": [{"id": "m1"}],
    }
    (lace_paths.user_catalogs_dir / "mystery.json").write_text(json.dumps(provider))
    return "mystery"


@pytest.fixture
def populated_home(lace_paths: Paths) -> Paths:
    """The temp home with SAMPLE_INSTANCES (one stored key, one env variable, one local)."""
    services = Services(lace_paths, environ={})
    try:
        for instance, key in SAMPLE_INSTANCES:
            services.instances.add(instance, key)
    finally:
        services.close()
    return lace_paths


async def steady_cursors(pilot: Pilot[AnyResult]) -> None:
    """Stop every cursor blinking (shown steady): a snapshot must not depend on where the blink
    cycle happens to be when it is taken."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


async def settle(pilot: Pilot[AnyResult], *, rounds: int = 3) -> None:
    """Let workers finish and the screen catch up with the messages they posted."""
    app = pilot.app
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            continue
        await pilot.pause()


async def wait_until(
    pilot: Pilot[AnyResult], condition: Callable[[], object], limit: float = 10.0
) -> None:
    """Let the app run until `condition()` holds; the limit only turns a hang into a failure."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.01)
