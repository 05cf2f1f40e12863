"""`lace-tui chat` says how each reply ended, what it cost, and retries a failed prompt (#10),
in-process against the loopback fake provider."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.cli.conftest import Result
from tests.support.fake_provider import TOOL_NAME, FakeBehaviour, FakeProvider

SECRET = "sk-test-trust-0123456789"
MODEL = "claude-sonnet-4-6"
Cli = Callable[..., Result]


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="Hello there.")) as srv:
        yield srv


@pytest.fixture
def cli_with_instances(cli: Cli, server: FakeProvider) -> Cli:
    for instance, provider, endpoint in (
        ("claude", "anthropic", server.url),
        ("router", "openrouter", server.url + "/v1"),
    ):
        added = cli(
            "instance",
            "add",
            instance,
            "--provider",
            provider,
            "--endpoint",
            endpoint,
            "--max-attempts",
            "1",
            "--api-key-stdin",
            stdin=SECRET,
        )
        assert added.code == 0, added.err
    return cli


def chat(cli: Cli, prompt: str, *extra: str) -> Result:
    return cli("chat", "--instance", "claude", "--model", MODEL, "--session", "s", *extra, prompt)


@pytest.mark.parametrize(
    ("prompt", "note"),
    [
        ("#length hi", "note: the reply was cut short at the model's output limit ("),
        ("#refusal hi", "note: the model refused to answer"),
        ("#pause hi", "note: the model paused its turn"),
        ("#tools hi", f'note: the model asked to call {TOOL_NAME}({{"city": "Paris"}});'),
    ],
)
def test_each_ending_prints_one_note_on_stderr_and_exits_0(
    cli_with_instances: Cli, prompt: str, note: str
) -> None:
    result = chat(cli_with_instances, prompt)
    assert result.code == 0, result.err
    notes = [line for line in result.err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith(note)
    assert "note" not in result.out  # stdout holds exactly the model's text


def test_a_plain_reply_prints_no_note(cli_with_instances: Cli) -> None:
    result = chat(cli_with_instances, "hi")
    assert result.code == 0 and result.out == "Hello there.\n"
    assert "note:" not in result.err
    assert "cost " in result.err and "(catalog)" in result.err


def test_retry_sends_the_last_failed_prompt_again(
    cli_with_instances: Cli, server: FakeProvider
) -> None:
    server.behaviour.status, server.behaviour.fail_times = 500, 1
    failed = chat(cli_with_instances, "what is 2+2?")
    assert failed.code == 1 and failed.err.count("error:") == 1
    later = chat(cli_with_instances, "second prompt")
    assert later.code == 0
    assert server.requests[-1].body["messages"] == [  # type: ignore[index]
        {"role": "user", "content": "second prompt"}
    ]
    retried = cli_with_instances("chat", "--session", "s", "--retry")
    assert retried.code == 0, retried.err
    assert retried.out == "Hello there.\n"
    sent = server.requests[-1].body["messages"]  # type: ignore[index]
    assert [m["content"] for m in sent] == ["second prompt", "Hello there.", "what is 2+2?"]
    again = cli_with_instances("chat", "--session", "s", "--retry")
    assert again.code == 2 and again.err == "error: session 's' has no failed prompt to retry\n"


@pytest.mark.parametrize(
    "args",
    [
        ("chat", "--retry"),
        ("chat", "--session", "s", "--retry", "a prompt"),
        ("chat", "--session", "s", "--all", "--retry"),
    ],
)
def test_retry_bad_input_is_one_line_and_exit_2(
    cli_with_instances: Cli, args: tuple[str, ...]
) -> None:
    result = cli_with_instances(*args)
    assert result.code == 2
    assert result.err.startswith("error: ") and result.err.count("\n") == 1


def test_usage_line_shows_cache_and_provider_cost(cli_with_instances: Cli) -> None:
    result = cli_with_instances(
        "chat", "--instance", "router", "--model", "openai/gpt-5", "#cost #cache hi"
    )
    assert result.code == 0, result.err
    assert "7 in + 30,000 cache read + 1,200 cache write / " in result.err
    assert "cost $0.01 (provider)" in result.err


def test_session_list_marks_a_lower_bound_in_text_and_json(
    cli_with_instances: Cli,
) -> None:
    assert chat(cli_with_instances, "hi").code == 0
    assert chat(cli_with_instances, "#500 boom").code == 1
    listed = cli_with_instances("session", "list")
    assert "≥ " in listed.out
    as_json = cli_with_instances("session", "list", "--json").json()
    assert isinstance(as_json, list) and as_json[0]["totals"]["cost_complete"] is False


def test_instance_test_says_connected_once(cli_with_instances: Cli) -> None:
    result = cli_with_instances("instance", "test", "claude")
    assert result.code == 0
    assert result.out.count("connected") == 1


def test_unset_key_variable_is_not_a_rejected_key(cli: Cli, server: FakeProvider) -> None:
    added = cli(
        "instance",
        "add",
        "envy",
        "--provider",
        "anthropic",
        "--endpoint",
        server.url,
        "--api-key-env",
        "LACE_TEST_UNSET_KEY",
    )
    assert added.code == 0
    result = cli("instance", "test", "envy", "--json")
    assert result.code == 1
    status = result.json()
    assert isinstance(status, dict) and status["state"] == "error"
    assert "LACE_TEST_UNSET_KEY" in status["message"]
    assert not server.requests  # nothing was sent


def test_fan_out_prints_each_replys_notes_in_its_block(cli_with_instances: Cli) -> None:
    assert chat(cli_with_instances, "hi").code == 0
    result = cli_with_instances("chat", "--session", "s", "--all", "#length more")
    assert result.code == 0, result.err
    assert "[note: the reply was cut short at the model's output limit (" in result.out


def test_retry_names_the_agent_by_its_pair(cli_with_instances: Cli, server: FakeProvider) -> None:
    server.behaviour.status, server.behaviour.fail_times = 500, 1
    assert chat(cli_with_instances, "again please").code == 1
    other = cli_with_instances(
        "chat", "--session", "s", "--instance", "router", "--model", "openai/gpt-5", "--retry"
    )
    assert other.code == 2 and "no agent on router/openai/gpt-5" in other.err
    result = cli_with_instances(
        "chat", "--session", "s", "--instance", "claude", "--model", MODEL, "--retry"
    )
    assert result.code == 0 and result.out == "Hello there.\n"
