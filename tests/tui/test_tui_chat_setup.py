"""Shared set-up of the chat tests (no tests here): a home in tmp_path with a small user
catalog, an instance pointed at the loopback fake provider, and helpers to drive the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import Paths, resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.sessions.models import Agent, Session
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.chat import ChatScreen
from tests.support.fake_provider import FakeBehaviour, FakeProvider
from tests.tui.conftest import AnyResult
from tests.tui.conftest import wait_until as wait_until  # re-exported for the chat tests

# A provider of our own, so the tests do not depend on the shipped Catwalk data.
FAKE_CATALOG = {
    "id": "fakeco",
    "name": "FakeCo",
    "type": "openai",
    "api_key": "$FAKECO_API_KEY",
    "api_endpoint": "http://127.0.0.1:9/v1",
    "default_large_model_id": "fake-large",
    "default_small_model_id": "fake-small",
    "models": [
        {
            "id": "fake-small",
            "name": "Fake Small",
            "cost_per_1m_in": 1.0,
            "cost_per_1m_out": 2.0,
            "context_window": 128000,
            "default_max_tokens": 4096,
        },
        {
            "id": "fake-large",
            "name": "Fake Large",
            "cost_per_1m_in": 3.0,
            "cost_per_1m_out": 15.0,
            "context_window": 200000,
            "default_max_tokens": 8192,
            "can_reason": True,
            "supports_attachments": True,
        },
        {
            "id": "tiny",
            "name": "Tiny Window",
            "cost_per_1m_in": 0.1,
            "cost_per_1m_out": 0.2,
            "context_window": 40,
            "default_max_tokens": 8,
        },
    ],
}


def write_catalog(paths: Paths) -> None:
    paths.user_catalogs_dir.mkdir(parents=True, exist_ok=True)
    (paths.user_catalogs_dir / "fakeco.json").write_text(json.dumps(FAKE_CATALOG))


def build_services(home: Path, server_url: str | None) -> Services:
    """A home with the fakeco catalog and (with a server) instance `fake` pointed at it."""
    paths = resolve_paths(home)
    write_catalog(paths)
    services = Services(paths, environ={})
    if server_url is not None:
        services.instances.add(
            Instance(
                id="fake",
                name="Fake",
                provider="fakeco",
                endpoint=f"{server_url}/v1",
                timeout=10,
                retry=RetryPolicy(max_attempts=1, backoff_initial=0, backoff_max=0),
            ),
            api_key="sk-test-key-0000",
        )
    # Load the catalog now, as the app's start-up worker would have by the time one chats.
    assert services.catalog.get("fakeco") is not None
    return services


DEFAULT_REPLY = "Hello **there**, friend."


@pytest.fixture(scope="module")
def shared_server() -> Iterator[FakeProvider]:
    # One server per module: stopping one waits out its half-second poll.
    with FakeProvider() as running:
        yield running


@pytest.fixture
def server(shared_server: FakeProvider) -> FakeProvider:
    """The loopback fake provider, reset: replies DEFAULT_REPLY, nothing recorded."""
    shared_server.behaviour = FakeBehaviour(reply=DEFAULT_REPLY)
    shared_server.requests.clear()
    shared_server.chat_count = 0
    shared_server.disconnected.clear()
    return shared_server


@pytest.fixture
def services(tmp_path: Path, server: FakeProvider) -> Iterator[Services]:
    built = build_services(tmp_path / "home", server.url)
    yield built
    built.close()


def session_with_agent(
    services: Services, session_id: str = "s-test", model_id: str = "fake-small"
) -> tuple[Session, Agent]:
    session = services.sessions.create_session(session_id, title="Test session")
    agent = services.chat.add_agent(session.id, "fake", model_id)
    return session, agent


def chat_screen(app: LaceApp) -> ChatScreen:
    screen = app.screen
    assert isinstance(screen, ChatScreen), f"expected the chat screen, got {screen!r}"
    return screen


def type_prompt(screen: ChatScreen, text: str) -> None:
    """Put text in the prompt at the cursor, as typing would (faster than a key per char)."""
    screen.prompt.insert(text)


async def wait_streams_done(pilot: Pilot[AnyResult], screen: ChatScreen) -> None:
    await wait_until(pilot, lambda: not screen.streaming_agents())
    await pilot.pause()
    await pilot.pause()
