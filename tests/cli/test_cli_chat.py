"""`lace-tui chat` and `session ...` end to end: CLI → services → provider client → a real
loopback server, and back to stdout and the database."""

import contextlib
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import KEY_VARS
from tests.support.fake_provider import FakeBehaviour, FakeProvider

SECRET = "sk-ant-test-key-abcdef123456"
MODEL = "claude-sonnet-4-6"


@pytest.fixture
def server():
    with FakeProvider(
        FakeBehaviour(reply="Hello from the fake provider.", require_key=SECRET)
    ) as srv:
        yield srv


@pytest.fixture
def claude(cli, server):
    """An Anthropic instance pointed at the loopback server, key stored."""
    result = cli(
        "instance",
        "add",
        "claude",
        "--provider",
        "anthropic",
        "--endpoint",
        server.url,
        "--max-attempts",
        "1",
        "--api-key-stdin",
        stdin=SECRET,
    )
    assert result.code == 0, result.err
    return "claude"


def test_chat_streams_stores_and_costs_the_reply(cli, claude, server):
    result = cli("chat", "--instance", claude, "--model", MODEL, "Say hello")
    assert result.code == 0, result.err
    assert result.out == "Hello from the fake provider.\n"
    assert "session: " in result.err
    assert SECRET not in result.out + result.err
    session_id = result.err.split("session: ")[1].split()[0]
    sent = server.requests[-1]
    assert sent.path.endswith("/v1/messages")
    assert sent.headers["x-api-key"] == SECRET
    assert sent.body["messages"] == [{"role": "user", "content": "Say hello"}]
    detail = cli("session", "show", session_id, "--json").json()
    user, reply = detail["messages"]
    assert user["content"] == "Say hello" and user["role"] == "user"
    assert reply["content"] == "Hello from the fake provider." and reply["status"] == "complete"
    assert reply["input_tokens"] == 7 and reply["output_tokens"] > 0
    assert reply["cost_usd"] is not None and reply["cost_usd"] > 0
    assert detail["session"]["title"] == "Say hello"


def test_chat_continues_a_session_with_its_history(cli, claude, server):
    cli("chat", "--instance", claude, "--model", MODEL, "--session", "s1", "first question")
    result = cli("chat", "--instance", claude, "--model", MODEL, "--session", "s1", "second")
    assert result.code == 0, result.err
    assert [m["content"] for m in server.requests[-1].body["messages"]] == [
        "first question",
        "Hello from the fake provider.",
        "second",
    ]
    listed = cli("session", "list", "--json").json()
    assert [s["id"] for s in listed] == ["s1"] and listed[0]["messages"] == 4


def test_prompt_from_stdin(cli, claude, server):
    result = cli("chat", "--instance", claude, "--model", MODEL, "-", stdin="from stdin\n")
    assert result.code == 0
    assert server.requests[-1].body["messages"][0]["content"] == "from stdin\n"


def test_fan_out_streams_every_agent_and_labels_them(cli, claude, server, home):
    local = FakeProvider(FakeBehaviour(reply="Hello from the fake provider.")).start()
    assert (
        cli("instance", "add", "local", "--provider", "ollama", "--endpoint", local.url).code == 0
    )
    assert cli("instance", "models", "local", "--refresh").code == 0
    assert cli("session", "add-agent", "cmp", "--instance", claude, "--model", MODEL).code == 0
    added = cli(
        "session",
        "add-agent",
        "cmp",
        "--instance",
        "local",
        "--model",
        "fake-small",
        "--name",
        "Local",
    )
    assert added.code == 0, added.err
    result = cli("chat", "--session", "cmp", "--all", "Compare yourselves")
    assert result.code == 0, result.err
    assert f"== Claude Sonnet 4.6 (claude/{MODEL}) ==" in result.out
    assert "== Local (local/fake-small) ==" in result.out
    assert result.out.count("Hello from the fake provider.") == 2
    assert "cost unknown" in result.out  # the discovered model has no price: never $0
    detail = cli("session", "show", "cmp", "--json").json()
    replies = [m for m in detail["messages"] if m["role"] == "assistant"]
    assert len(replies) == 2 and len({m["turn_id"] for m in replies}) == 1
    local.stop()


def test_fan_out_one_failing_agent_does_not_stop_the_other(cli, claude, server):
    cli(
        "instance",
        "add",
        "bad",
        "--provider",
        "anthropic",
        "--endpoint",
        server.url,
        "--max-attempts",
        "1",
        "--api-key-stdin",
        stdin="sk-wrong-key-000000000",
    )
    cli("session", "add-agent", "s", "--instance", claude, "--model", MODEL, "--name", "good")
    cli("session", "add-agent", "s", "--instance", "bad", "--model", MODEL, "--name", "bad")
    result = cli("chat", "--session", "s", "--all", "hi")
    assert result.code == 1
    assert "== good" in result.out and "Hello from the fake provider." in result.out
    assert "authentication failed" in result.out
    assert "sk-wrong-key" not in result.out + result.err


def test_auth_failure_is_one_line_exit_1_and_the_prompt_is_kept(cli, server):
    cli(
        "instance",
        "add",
        "c2",
        "--provider",
        "anthropic",
        "--endpoint",
        server.url,
        "--max-attempts",
        "1",
        "--api-key-stdin",
        stdin="sk-wrong-key-000000000",
    )
    result = cli("chat", "--instance", "c2", "--model", MODEL, "--session", "x", "hello?")
    assert result.code == 1
    assert "error: " in result.err and "c2" in result.err and "authentication failed" in result.err
    assert "sk-wrong-key" not in result.err
    messages = cli("session", "show", "x", "--json").json()["messages"]
    assert messages[0]["content"] == "hello?"
    assert messages[1]["status"] == "error" and "authentication" in messages[1]["error"]


def test_unknown_model_is_bad_input_and_creates_nothing(cli, claude):
    result = cli("chat", "--instance", claude, "--model", "no-such-model", "--session", "n", "hi")
    assert result.code == 2
    assert "--refresh" in result.err
    assert cli("session", "list", "--json").json() == []


def test_unsupported_provider_type_is_a_clear_error(cli, home):
    (home / "catalogs").mkdir(parents=True)
    provider = {"id": "mystery", "name": "Mystery", "type": "made-up", "models": [{"id": "m1"}]}
    (home / "catalogs" / "mystery.json").write_text(json.dumps(provider))
    cli("instance", "add", "aws", "--provider", "mystery")
    result = cli("chat", "--instance", "aws", "--model", "m1", "hi")
    assert result.code == 2 and "not supported" in result.err


def test_missing_env_var_names_it(cli, server):
    cli(
        "instance",
        "add",
        "envy",
        "--provider",
        "anthropic",
        "--endpoint",
        server.url,
        "--api-key-env",
        "LACE_TEST_UNSET_VAR",
    )
    result = cli("chat", "--instance", "envy", "--model", MODEL, "hi")
    assert result.code == 1 and "LACE_TEST_UNSET_VAR" in result.err


def test_export_markdown_and_json_hold_no_secret(cli, claude):
    cli("chat", "--instance", claude, "--model", MODEL, "--session", "e", "Export me")
    md = cli("session", "export", "e", "--format", "md")
    assert md.code == 0 and "Export me" in md.out and "Hello from the fake provider." in md.out
    js = cli("session", "export", "e", "--format", "json")
    assert json.loads(js.out)["session"]["id"] == "e"
    assert SECRET not in md.out + js.out


def test_bad_chat_flags(cli, home):
    for args in (
        ["chat", "hi"],
        ["chat", "--all", "hi"],
        ["chat", "--session", "s", "--all", "--model", "m", "hi"],
        ["chat", "--instance", "x", "--model", "m", "   "],
    ):
        result = cli(*args)
        assert result.code == 2 and result.err.startswith("error: ")
    assert not home.exists()  # nothing written anywhere


# -- real processes: interruption keeps what arrived ----------------------------------------------


def _spawn_chat(home: Path, url: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not (k.endswith("_API_KEY") or k in KEY_VARS)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lace_tui",
            "--home",
            str(home),
            "chat",
            "--instance",
            "slow",
            "--model",
            "fake-small",
            "--session",
            "k",
            *extra,
            "tell me a long story",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def _wait_for_text(proc: subprocess.Popen[bytes], minimum: int) -> bytes:
    """What the process streamed to stdout, once at least `minimum` bytes arrived."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + 20
    while len(seen) < minimum and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            seen += chunk
    return seen


def _wait_for_stored_reply(db: Path, words: int) -> str:
    """The streaming reply's text once the chat process has stored at least `words` of it."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT content FROM messages WHERE role = 'assistant'").fetchone()
        if row and len(str(row[0]).split()) >= words:
            return str(row[0])
        time.sleep(0.01)
    raise AssertionError("the chat process stored no partial reply")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_chat_keeps_the_partial_reply_marked_interrupted(cli, home, sig):
    # 100 of 400 words, then the server holds the rest until the client leaves: more than one
    # flush's worth (64 deltas) is stored before the signal, whatever the machine's speed.
    with FakeProvider(FakeBehaviour(tokens=400, hold_after=100)) as slow:
        slow.behaviour.reply = " ".join(["word"] * 400)
        cli("instance", "add", "slow", "--provider", "ollama", "--endpoint", slow.url)
        cli("instance", "models", "slow", "--refresh")
        proc = _spawn_chat(home, slow.url)
        seen = _wait_for_text(proc, 60)
        assert len(seen) >= 60, "no streamed text arrived"
        assert _wait_for_stored_reply(home / "sessions.db", 60).startswith("word word")
        proc.send_signal(sig)
        proc.wait(timeout=10)
        if sig == signal.SIGINT:
            assert proc.returncode == 130
        messages = cli("session", "show", "k", "--json").json()["messages"]
    user, reply = messages
    assert user["content"] == "tell me a long story"
    assert reply["status"] == "interrupted"
    assert reply["content"].startswith("word word")
    assert len(reply["content"]) < len(" ".join(["word"] * 400))


def test_agent_reasoning_effort_is_checked_and_sent(cli, claude, server):
    bad = cli(
        "session",
        "add-agent",
        "r",
        "--instance",
        claude,
        "--model",
        MODEL,
        "--reasoning-effort",
        "extreme",
    )
    assert bad.code == 2 and "reasoning effort" in bad.err
    assert cli("session", "list", "--json").json() == []
    ok = cli(
        "session",
        "add-agent",
        "r",
        "--instance",
        claude,
        "--model",
        MODEL,
        "--reasoning-effort",
        "high",
    )
    assert ok.code == 0, ok.err
    assert cli("chat", "--session", "r", "--all", "think hard").code == 0
    assert "thinking" in server.requests[-1].body
