"""`lace-tui session search`: prompts and replies streamed through the loopback fake are
found again from the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.cli.conftest import Result
from tests.support.fake_provider import FakeBehaviour, FakeProvider

MODEL = "claude-sonnet-4-6"
Cli = Callable[..., Result]


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="Rotate the password with ALTER ROLE.")) as srv:
        yield srv


@pytest.fixture
def chatted(cli: Cli, server: FakeProvider) -> str:
    """One session with a prompt and its streamed reply; returns the session id."""
    added = cli(
        "instance", "add", "claude", "--provider", "anthropic", "--endpoint", server.url,
        "--max-attempts", "1", "--api-key-stdin", stdin="sk-ant-test",
    )  # fmt: skip
    assert added.code == 0, added.err
    result = cli(
        "chat", "--instance", "claude", "--model", MODEL, "--session", "ops", "password help?"
    )
    assert result.code == 0, result.err
    return "ops"


def test_search_finds_the_prompt_and_the_streamed_reply_as_json(cli: Cli, chatted: str) -> None:
    result = cli("session", "search", "PASSWORD", "--json")
    assert result.code == 0, result.err
    hits = result.json()
    assert isinstance(hits, list)
    assert [(hit["session_id"], hit["role"]) for hit in hits] == [
        (chatted, "assistant"),
        (chatted, "user"),
    ]
    reply = hits[0]
    assert set(reply) >= {"session_id", "agent_id", "agent_name", "message_id", "snippet"}
    assert reply["snippet"] == "Rotate the password with ALTER ROLE."
    start, end = reply["highlights"][0]
    assert reply["snippet"][start:end] == "password"
    shown = cli("session", "show", chatted, "--json").json()
    assert isinstance(shown, dict)
    assert reply["message_id"] == shown["messages"][1]["id"]


def test_search_prints_a_table_and_says_when_nothing_matches(cli: Cli, chatted: str) -> None:
    result = cli("session", "search", "alter rol")
    assert result.code == 0, result.err
    header, row = result.out.splitlines()
    assert header.split() == ["SESSION", "AGENT", "MESSAGE", "SNIPPET"]
    assert row.startswith(chatted) and row.endswith("Rotate the password with ALTER ROLE.")
    nothing = cli("session", "search", "kubernetes")
    assert (nothing.code, nothing.out) == (0, "")
    assert nothing.err == "no prompt or reply contains 'kubernetes'\n"
    assert cli("session", "search", "kubernetes", "--json").json() == []


@pytest.mark.parametrize("args", [["?!"], ["x", "--limit", "0"]])
def test_search_without_words_or_with_a_bad_limit_is_bad_input(
    cli: Cli, home: object, args: list[str]
) -> None:
    result = cli("session", "search", *args)
    assert result.code == 2
    assert result.err.startswith("error: ") and result.err.count("\n") == 1
