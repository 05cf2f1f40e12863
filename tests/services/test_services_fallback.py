"""Fallback across instances (#15) in the chat service, against two loopback providers: the
same model id on the next fallback instance, recorded on the reply, priced as that instance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import Paths, resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ChatEvent, ReplyDone
from tests.support.fake_provider import FakeBehaviour, FakeProvider

MODEL = "shared-model"


def write_provider(paths: Paths, provider_id: str, price_in: float, price_out: float) -> None:
    """A user catalog provider (openai type) offering MODEL at the given prices."""
    paths.user_catalogs_dir.mkdir(parents=True, exist_ok=True)
    provider = {
        "id": provider_id,
        "name": provider_id,
        "type": "openai",
        "api_endpoint": "http://127.0.0.1:9/v1",
        "default_large_model_id": MODEL,
        "default_small_model_id": MODEL,
        "models": [
            {
                "id": MODEL,
                "name": "Shared",
                "cost_per_1m_in": price_in,
                "cost_per_1m_out": price_out,
                "context_window": 100000,
                "default_max_tokens": 1000,
            }
        ],
    }
    (paths.user_catalogs_dir / f"{provider_id}.json").write_text(json.dumps(provider))


@pytest.fixture
def busy() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(status=429, error_type="rate_limit_error")) as srv:
        yield srv


@pytest.fixture
def spare() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="from the spare")) as srv:
        yield srv


@pytest.fixture
def services(tmp_path: Path, busy: FakeProvider, spare: FakeProvider) -> Iterator[Services]:
    paths = resolve_paths(tmp_path)
    write_provider(paths, "cheapco", 1.0, 2.0)
    write_provider(paths, "dearco", 100.0, 200.0)
    svc = Services(paths, environ={})
    once = RetryPolicy(max_attempts=1, backoff_initial=0, backoff_max=0)
    for instance_id, provider, url in (
        ("main", "cheapco", busy.url),
        ("spare", "dearco", spare.url),
        ("third", "dearco", spare.url),
    ):
        svc.instances.add(
            Instance(id=instance_id, provider=provider, endpoint=url + "/v1", retry=once),
            api_key="sk-test-0000",
        )
    svc.instances.edit("main", fallbacks=["spare"])
    yield svc
    svc.close()


def posted_models(server: FakeProvider) -> list[object]:
    """The model of every chat request the server received, in order."""
    return [r.body.get("model") for r in server.requests if isinstance(r.body, dict)]


async def send(services: Services, prompt: str) -> list[ChatEvent]:
    agent = services.chat.agent_for(None, "main", MODEL)
    return [event async for event in services.chat.send(agent.id, prompt)]


async def test_a_rate_limited_instance_falls_back_and_the_reply_says_so(
    services: Services, busy: FakeProvider, spare: FakeProvider
) -> None:
    events = await send(services, "hello")
    done = events[-1]
    assert isinstance(done, ReplyDone)
    message = done.message
    assert message.status == "complete" and message.content == "from the spare"
    assert message.instance_id == "spare"
    assert message.failed_over is not None and message.failed_over.startswith("main: ")
    # Priced as the answering instance (dearco: $100/M in, $200/M out), not as main's.
    assert message.input_tokens is not None and message.output_tokens is not None
    expected = (message.input_tokens * 100.0 + message.output_tokens * 200.0) / 1_000_000
    assert message.cost_usd == pytest.approx(expected)
    # Both request logs show the same model asked for: first on main, then on the spare.
    assert posted_models(busy) == [MODEL]
    assert posted_models(spare) == [MODEL]
    # The agent stays on its own instance: the fallback was for this reply only.
    assert services.sessions.get_agent(message.agent_id).instance_id == "main"


async def test_when_every_fallback_fails_the_reply_keeps_each_failure(
    services: Services, spare: FakeProvider
) -> None:
    services.instances.edit("main", fallbacks=["spare", "third"])
    spare.behaviour.status = 500
    done = (await send(services, "hello"))[-1]
    assert isinstance(done, ReplyDone)
    message = done.message
    assert message.status == "error" and message.error
    assert message.instance_id == "third"
    assert message.failed_over is not None
    assert [line.split(":")[0] for line in message.failed_over.splitlines()] == ["main", "spare"]


async def test_a_bad_request_never_falls_back(
    services: Services, busy: FakeProvider, spare: FakeProvider
) -> None:
    busy.behaviour.status = 400
    done = (await send(services, "hello"))[-1]
    assert isinstance(done, ReplyDone)
    assert done.message.status == "error" and done.message.instance_id == "main"
    assert done.message.failed_over is None
    assert posted_models(spare) == []


async def test_a_fallback_removed_since_is_passed_over(services: Services) -> None:
    services.instances.remove("spare")
    done = (await send(services, "hello"))[-1]
    assert isinstance(done, ReplyDone)
    assert done.message.status == "error" and done.message.instance_id == "main"
    assert done.message.failed_over is None
    assert "rate" in (done.message.error or "").lower()
