"""OpenAI's Responses-only models end to end: CLI → services → client → a loopback server."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.support.fake_provider import FakeBehaviour, FakeProvider

Cli = Callable[..., Result]

SECRET = "sk-test-responses-0123456789"


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="Done.", require_key=SECRET)) as srv:
        yield srv


@pytest.fixture
def openai(cli: Cli, server: FakeProvider) -> str:
    args = ("instance", "add", "oa", "--provider", "openai", "--endpoint", server.url)
    result = cli(*args, "--max-attempts", "1", "--api-key-stdin", stdin=SECRET)
    assert result.code == 0, result.err
    return "oa"


def reply_of(cli: Cli, session_id: str) -> dict[str, object]:
    shown = cli("session", "show", session_id, "--json").json()
    assert isinstance(shown, dict)
    reply: dict[str, object] = shown["messages"][-1]
    return reply


def test_catalog_marked_model_goes_to_responses_and_is_costed(
    cli: Cli, openai: str, server: FakeProvider
) -> None:
    result = cli("chat", "--instance", openai, "--model", "gpt-5.3-codex", "hello")
    assert result.code == 0, result.err
    assert result.out == "Done.\n"
    sent = server.requests[-1]
    assert sent.path.endswith("/responses")
    assert isinstance(sent.body, dict)
    assert sent.body["input"] == [{"role": "user", "content": "hello"}]
    session_id = result.err.split("session: ")[1].split()[0]
    reply = reply_of(cli, session_id)
    cost = reply["cost_usd"]
    assert isinstance(cost, float) and cost > 0


def test_plain_model_stays_on_chat_completions(cli: Cli, openai: str, server: FakeProvider) -> None:
    result = cli("chat", "--instance", openai, "--model", "gpt-5.4", "hello")
    assert result.code == 0, result.err
    assert server.requests[-1].path.endswith("/chat/completions")


def test_server_refusal_switches_and_the_choice_is_remembered(
    cli: Cli, openai: str, server: FakeProvider, home: Path
) -> None:
    server.behaviour.responses_only = ["gpt-5.4"]
    first = cli("chat", "--instance", openai, "--model", "gpt-5.4", "hello")
    assert first.code == 0, first.err
    assert first.out == "Done.\n"
    paths = [r.path for r in server.requests if r.method == "POST"]
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["completions", "responses"]
    state = json.loads((home / "state.json").read_text())
    assert state["responses_models"] == {"oa": ["gpt-5.4"]}
    second = cli("chat", "--instance", openai, "--model", "gpt-5.4", "again")
    assert second.code == 0, second.err
    assert server.requests[-1].path.endswith("/responses")
    assert len([r for r in server.requests if r.method == "POST"]) == 3


def test_user_catalog_can_choose_the_responses_api(
    cli: Cli, server: FakeProvider, home: Path
) -> None:
    catalogs = home / "catalogs"
    catalogs.mkdir(parents=True)
    provider = {
        "id": "myproxy",
        "name": "My proxy",
        "type": "openai-compat",
        "api_endpoint": server.url,
        "models": [{"id": "agent-1", "wire_api": "responses"}, {"id": "plain-1"}],
    }
    (catalogs / "myproxy.json").write_text(json.dumps(provider))
    added = cli("instance", "add", "px", "--provider", "myproxy", "--api-key-stdin", stdin=SECRET)
    assert added.code == 0, added.err
    result = cli("chat", "--instance", "px", "--model", "agent-1", "hello")
    assert result.code == 0, result.err
    assert server.requests[-1].path.endswith("/responses")
