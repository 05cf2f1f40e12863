"""#15 from the command line, against loopback fake providers: the default model, aliases,
continuing a session's agent, curated lists and pins, and fallback across instances."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lace_tui.paths import resolve_paths
from tests.cli.conftest import Result
from tests.support.fake_provider import FakeBehaviour, FakeProvider

Cli = Callable[..., Result]
MODEL = "claude-sonnet-4-6"
OTHER = "claude-opus-4-6"
KEY = "sk-ant-test-key-models-0001"


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="Hello from A.")) as srv:
        yield srv


@pytest.fixture
def spare_server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="Hello from B.")) as srv:
        yield srv


def add_instance(cli: Cli, instance_id: str, url: str) -> None:
    result = cli(
        "instance", "add", instance_id, "--provider", "anthropic", "--endpoint", url,
        "--max-attempts", "1", "--api-key-stdin", stdin=KEY,
    )  # fmt: skip
    assert result.code == 0, result.err


@pytest.fixture
def claude(cli: Cli, server: FakeProvider) -> str:
    add_instance(cli, "claude", server.url)
    return "claude"


def settings_text(home: Path) -> str:
    path = resolve_paths(home).settings_file
    return path.read_text() if path.exists() else ""


def rows(data: object) -> list[dict[str, object]]:
    """`--json` output that is a list of objects."""
    assert isinstance(data, list) and all(isinstance(item, dict) for item in data)
    return data


def last_body(server: FakeProvider) -> dict[str, object]:
    body = server.requests[-1].body
    assert isinstance(body, dict)
    return body


def posted_models(server: FakeProvider) -> list[object]:
    """The model of every chat request the server received, in order."""
    return [r.body.get("model") for r in server.requests if isinstance(r.body, dict)]


def test_chat_uses_the_default_model(cli: Cli, claude: str, server: FakeProvider) -> None:
    missing = cli("chat", "hi")
    assert missing.code == 2 and "models default" in missing.err
    assert cli("models", "default").err.startswith("no default model")
    assert cli("models", "default", f"{claude}/{MODEL}").code == 0
    shown = cli("models", "default")
    assert shown.code == 0 and shown.out == f"{claude}/{MODEL}\n"
    result = cli("chat", "hi")
    assert result.code == 0, result.err
    assert result.out == "Hello from A.\n"
    assert last_body(server)["model"] == MODEL


def test_setting_an_unknown_default_is_bad_input_and_writes_nothing(
    cli: Cli, claude: str, home: Path
) -> None:
    before = settings_text(home)
    for ref in (f"{claude}/no-such-model", "nobody/x", "no-slash-no-alias"):
        result = cli("models", "default", ref)
        assert result.code == 2, ref
        assert result.err.startswith("error:") and result.err.count("\n") == 1
    assert settings_text(home) == before


def test_aliases_set_list_use_and_remove(cli: Cli, claude: str, server: FakeProvider) -> None:
    assert cli("aliases", "set", "fast", f"{claude}/{MODEL}").code == 0
    listed = cli("aliases", "list", "--json")
    assert listed.json() == [
        {"name": "fast", "instance_id": claude, "model_id": MODEL, "ok": True, "problem": None}
    ]
    result = cli("chat", "-m", "fast", "hello")
    assert result.code == 0, result.err
    assert last_body(server)["model"] == MODEL
    assert cli("chat", "--model", f"{claude}/{OTHER}", "again").code == 0
    assert last_body(server)["model"] == OTHER
    assert cli("aliases", "remove", "fast").code == 0
    assert cli("aliases", "list", "--json").json() == []
    gone = cli("chat", "-m", "fast", "hello")
    assert gone.code == 2 and "no alias 'fast'" in gone.err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("set", "bad/name", f"claude/{MODEL}"), "invalid alias name"),
        (("set", "ok", "claude"), "not INSTANCE/MODEL"),
        (("set", "-x", f"claude/{MODEL}"), "error:"),
        (("set", "ok", "claude/no-such-model"), "not offered"),
        (("remove", "never-set"), "no alias 'never-set'"),
    ],
)
def test_bad_alias_commands_are_one_line_and_change_nothing(
    cli: Cli, claude: str, home: Path, args: tuple[str, ...], needle: str
) -> None:
    before = settings_text(home)
    result = cli("aliases", *args)
    assert result.code == 2 and needle in result.err and result.err.count("\n") == 1
    assert settings_text(home) == before


def test_an_alias_whose_instance_is_gone_is_reported(cli: Cli, claude: str) -> None:
    assert cli("aliases", "set", "fast", f"{claude}/{MODEL}").code == 0
    assert cli("instance", "remove", claude).code == 0
    listed = cli("aliases", "list")
    assert listed.code == 0 and "fast" in listed.out and "gone" in listed.out
    assert "warning: alias 'fast'" in listed.err and "no instance 'claude'" in listed.err
    assert rows(cli("aliases", "list", "--json").json())[0]["ok"] is False
    used = cli("chat", "-m", "fast", "hi")
    assert used.code == 2 and "alias 'fast' points at claude/" in used.err
    assert "aliases remove fast" in used.err


def test_chat_session_continues_its_single_agent(
    cli: Cli, claude: str, server: FakeProvider
) -> None:
    first = cli("chat", "-m", f"{claude}/{OTHER}", "--session", "s1", "first")
    assert first.code == 0, first.err
    again = cli("chat", "--session", "s1", "second")
    assert again.code == 0, again.err
    body = last_body(server)
    assert body["model"] == OTHER
    turns = rows(body["messages"])
    assert [m["content"] for m in turns] == ["first", "Hello from A.", "second"]
    assert cli("chat", "-m", f"{claude}/{MODEL}", "--session", "s1", "to the other").code == 0
    several = cli("chat", "--session", "s1", "which one?")
    assert several.code == 2 and "--all" in several.err and "-m" in several.err
    assert several.err.count("\n") == 1
    detail = cli("session", "show", "s1", "--json").json()
    assert isinstance(detail, dict)
    assert "which one?" not in [m["content"] for m in rows(detail["messages"])]


def test_hide_show_and_pin(cli: Cli, claude: str, server: FakeProvider, home: Path) -> None:
    everything = {m["id"] for m in rows(cli("instance", "models", claude, "--json").json())}
    assert MODEL in everything and OTHER in everything
    hidden = cli("instance", "models", claude, "--hide", "claude-opus*")
    assert hidden.code == 0
    assert OTHER not in hidden.out and MODEL in hidden.out
    assert "hidden by --hide/--show" in hidden.err
    listed = rows(cli("instance", "models", claude, "--all", "--json").json())
    flags = {m["id"]: m["hidden"] for m in listed}
    assert flags[OTHER] is True and flags[MODEL] is False
    # Hidden is not gone: named explicitly, the model still answers.
    assert cli("chat", "-m", f"{claude}/{OTHER}", "hi").code == 0
    assert last_body(server)["model"] == OTHER
    only = rows(cli("instance", "models", claude, "--show", "claude-sonnet-4*", "--json").json())
    wanted = {m for m in everything if isinstance(m, str) and m.startswith("claude-sonnet-4")}
    assert {m["id"] for m in only} == wanted
    reset = rows(cli("instance", "models", claude, "--reset", "--json").json())
    assert {m["id"] for m in reset} == everything
    assert cli("models", "pin", f"{claude}/{MODEL}").code == 0
    assert tomllib.loads(settings_text(home))["pinned_models"] == [f"{claude}/{MODEL}"]
    assert cli("models", "unpin", f"{claude}/{MODEL}").code == 0
    assert tomllib.loads(settings_text(home))["pinned_models"] == []
    not_pinned = cli("models", "unpin", f"{claude}/{MODEL}")
    assert not_pinned.code == 2 and "not pinned" in not_pinned.err


@pytest.mark.parametrize("status", [429, 500])
def test_a_failing_instance_falls_back_to_a_healthy_one(
    cli: Cli, claude: str, server: FakeProvider, spare_server: FakeProvider, status: int
) -> None:
    add_instance(cli, "spare", spare_server.url)
    assert cli("instance", "edit", claude, "--fallback", "spare").code == 0
    server.behaviour.status = status
    result = cli("chat", "-m", f"{claude}/{MODEL}", "--session", "fb", "hi")
    assert result.code == 0, result.err
    assert result.out == "Hello from B.\n"
    assert "warning: instance 'claude'" in result.err and "(answered by spare)" in result.err
    # The request log of each server: the busy one was asked once, then the spare.
    assert posted_models(server) == [MODEL]
    assert posted_models(spare_server) == [MODEL]
    detail = cli("session", "show", "fb", "--json").json()
    assert isinstance(detail, dict)
    reply = rows(detail["messages"])[-1]
    assert reply["instance_id"] == "spare" and reply["status"] == "complete"
    assert str(reply["failed_over"]).startswith("claude: ")
    assert reply["cost_usd"] is not None
    assert "**Failed first:** claude: " in cli("session", "show", "fb").out
    # The next turn goes to the agent's own instance again.
    server.behaviour.status = None
    assert cli("chat", "--session", "fb", "and now?").out == "Hello from A.\n"


def test_auth_failures_never_fall_back(
    cli: Cli, claude: str, server: FakeProvider, spare_server: FakeProvider
) -> None:
    add_instance(cli, "spare", spare_server.url)
    assert cli("instance", "edit", claude, "--fallback", "spare").code == 0
    server.behaviour.require_key = "another-key"
    result = cli("chat", "-m", f"{claude}/{MODEL}", "hi")
    assert result.code == 1 and "error:" in result.err
    assert posted_models(spare_server) == []


def test_fallback_flags_are_checked(cli: Cli, claude: str, home: Path) -> None:
    instances = resolve_paths(home).instances_file
    before = instances.read_text()
    itself = cli("instance", "edit", claude, "--fallback", claude)
    assert itself.code == 2 and "its own fallback" in itself.err
    unknown = cli("instance", "edit", claude, "--fallback", "nobody")
    assert unknown.code == 2 and "no instance 'nobody'" in unknown.err
    assert instances.read_text() == before
    add_instance(cli, "b", "http://127.0.0.1:9")
    add_instance(cli, "c", "http://127.0.0.1:9")
    assert cli("instance", "edit", claude, "--fallback", "c", "--fallback", "b").code == 0
    assert 'fallbacks = [\n    "c",\n    "b",\n]' in instances.read_text()
    listed = rows(cli("instance", "list", "--json").json())
    assert [i["fallbacks"] for i in listed if i["id"] == claude] == [["c", "b"]]
    assert cli("instance", "edit", claude, "--no-fallback").code == 0
    assert "fallbacks" not in instances.read_text()


def test_a_broken_default_in_settings_is_a_stored_file_error(
    cli: Cli, claude: str, home: Path
) -> None:
    path = resolve_paths(home).settings_file
    path.write_text('default_model = "no-slash"\n')
    for args in (("models", "default"), ("chat", "hi")):
        result = cli(*args)
        assert result.code == 1 and "settings.toml" in result.err and "no-slash" in result.err
    assert cli("models", "default", f"{claude}/{MODEL}").code == 0  # and it can be fixed
    assert cli("models", "default").out == f"{claude}/{MODEL}\n"
