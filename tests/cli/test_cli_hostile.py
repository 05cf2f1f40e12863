"""No control sequence from outside reaches the user's terminal, and no key leaks, whatever a
hostile server or file sends (#11). Output is written to real pseudo-terminals and the bytes
that arrive there are checked."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lace_tui.cli import main
from lace_tui.paths import resolve_paths
from tests.cli.conftest import Result
from tests.support.hostile_server import (
    ESCAPES,
    HostileServer,
    Script,
    error_status,
    models,
    reply,
    sse_error,
    sse_text,
)

SECRET = "sk-hostile-SECRET-0123456789abcdef"
MODEL = "gpt-5.5"
# What must never arrive at a terminal: ESC, BEL, C1 CSI/OSC/ST (UTF-8), bidi overrides.
FORBIDDEN = [b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9c", b"\xc2\x9d", "\u202e".encode()]


@dataclass
class TtyResult:
    code: int
    out: bytes
    err: bytes

    def assert_inert(self) -> None:
        for stream in (self.out, self.err):
            for bad in FORBIDDEN:
                assert bad not in stream, (bad, stream)
            assert b"\r" not in stream.replace(b"\r\n", b"")  # the tty turns \n into \r\n


class _Drain(threading.Thread):
    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.data = fd, bytearray()

    def run(self) -> None:
        with contextlib.suppress(OSError):
            while chunk := os.read(self.fd, 65536):
                self.data += chunk


@contextlib.contextmanager
def _ttys() -> Iterator[tuple[int, int, int, int]]:
    out_master, out_slave = pty.openpty()
    err_master, err_slave = pty.openpty()
    try:
        yield out_master, out_slave, err_master, err_slave
    finally:
        for fd in (out_master, err_master):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def tty_cli(home: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., TtyResult]:
    """Run `lace-tui --home HOME ARGS...` in-process with stdout and stderr on two ptys."""

    def run(*args: str) -> TtyResult:
        with _ttys() as (out_master, out_slave, err_master, err_slave):
            drains = [_Drain(out_master), _Drain(err_master)]
            for drain in drains:
                drain.start()
            out = open(out_slave, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
            err = open(err_slave, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
            monkeypatch.setattr(sys, "stdout", out)
            monkeypatch.setattr(sys, "stderr", err)
            try:
                code = main(["--home", str(home), *args])
            except SystemExit as exit_:
                code = int(exit_.code or 0)
            finally:
                monkeypatch.undo()
                out.close()
                err.close()
            for drain in drains:
                drain.join(5)
            return TtyResult(code, bytes(drains[0].data), bytes(drains[1].data))

    return run


@pytest.fixture
def hostile(cli: Callable[..., Result]) -> Iterator[HostileServer]:
    with HostileServer({}) as server:
        result = cli(
            "instance",
            "add",
            "h",
            "--provider",
            "openai",
            "--endpoint",
            server.url + "/v1",
            "--max-attempts",
            "1",
            "--api-key-stdin",
            stdin=SECRET,
        )
        assert result.code == 0, result.err
        yield server


def test_escapes_in_a_reply_are_shown_inert_in_chat_show_and_export(
    tty_cli: Callable[..., TtyResult], cli: Callable[..., Result], hostile: HostileServer
) -> None:
    hostile.routes["/chat/completions"] = reply(f"before {ESCAPES} after")
    chat = tty_cli("chat", "--instance", "h", "--model", MODEL, "--session", "s", "hi")
    assert chat.code == 0, chat.err
    chat.assert_inert()
    assert "before ␛[2J".encode() in chat.out and b"after" in chat.out
    for args in (("session", "show", "s"), ("session", "export", "s", "--format", "md")):
        shown = tty_cli(*args)
        assert shown.code == 0
        shown.assert_inert()
        assert "␛]52;c;".encode() in shown.out
    # JSON keeps the exact text; it escapes what a terminal would act on.
    exact = cli("session", "show", "s", "--json")
    assert "\x9b" not in exact.out and "\u202e" not in exact.out
    assert exact.json()["messages"][1]["content"] == f"before {ESCAPES} after"  # type: ignore[index]


def test_escapes_in_a_provider_error_make_one_inert_error_line(
    tty_cli: Callable[..., TtyResult], hostile: HostileServer
) -> None:
    hostile.routes["/chat/completions"] = error_status(f"bad\n{ESCAPES}\nrequest")
    chat = tty_cli("chat", "--instance", "h", "--model", MODEL, "hi")
    assert chat.code == 1
    chat.assert_inert()
    errors = [line for line in chat.err.split(b"\r\n") if line.startswith(b"error:")]
    assert len(errors) == 1 and "␛[2J".encode() in errors[0]


def test_escapes_in_model_ids_from_a_server_are_inert(
    tty_cli: Callable[..., TtyResult], cli: Callable[..., Result], hostile: HostileServer
) -> None:
    hostile.routes["/models"] = models([f"model{ESCAPES}\nsecond-line", "plain-model"])
    listed = tty_cli("instance", "models", "h", "--refresh")
    assert listed.code == 0, listed.err
    listed.assert_inert()
    assert b"plain-model" in listed.out and "model␛[2J".encode() in listed.out
    listed_json = cli("instance", "models", "h", "--json").json()
    assert isinstance(listed_json, list)
    ids = [m["id"] for m in listed_json]
    assert f"model{ESCAPES}\nsecond-line" in ids


def test_escapes_in_catalog_names_are_inert(tty_cli: Callable[..., TtyResult], home: Path) -> None:
    user = resolve_paths(str(home)).user_catalogs_dir
    evil = {
        "id": "evil",
        "name": f"Evil{ESCAPES}",
        "type": "openai",
        "models": [{"id": f"m{ESCAPES}", "name": "x"}],
    }
    tty_cli("catalog", "list")  # creates the home
    user.mkdir(parents=True, exist_ok=True)
    (user / "evil.json").write_text(json.dumps(evil))
    for args in (("catalog", "list"), ("catalog", "show", "evil"), ("catalog", "models", "m")):
        shown = tty_cli(*args)
        assert shown.code == 0, shown.err
        shown.assert_inert()
        assert "␛[2J".encode() in shown.out


def test_an_in_stream_error_echoing_the_key_is_redacted_everywhere(
    tty_cli: Callable[..., TtyResult],
    cli: Callable[..., Result],
    hostile: HostileServer,
    home: Path,
) -> None:
    hostile.routes["/chat/completions"] = Script(
        chunks=[sse_text("partial "), sse_error(f"invalid header Authorization: Bearer {SECRET}")]
    )
    chat = tty_cli("chat", "--instance", "h", "--model", MODEL, "--session", "k", "hi")
    assert chat.code == 1
    assert SECRET.encode() not in chat.out + chat.err
    assert b"Authorization: ***" in chat.err
    stored = cli("session", "show", "k", "--json")
    assert SECRET not in stored.out and "partial" in stored.out
    for path in resolve_paths(str(home)).data_dir.rglob("sessions.db*"):
        assert SECRET.encode() not in path.read_bytes()


ENV_SECRET = "sk-env-ONLY-9876543210fedcba"


@pytest.mark.parametrize("value", [ENV_SECRET[:10] + "\n" + ENV_SECRET[10:], ENV_SECRET + "\u00e9"])
def test_a_bad_key_in_the_environment_is_one_error_line_exit_2(
    cli: Callable[..., Result],
    hostile: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
    value: str,
) -> None:
    cli(
        "instance",
        "add",
        "e",
        "--provider",
        "openai",
        "--endpoint",
        hostile.url + "/v1",
        "--api-key-env",
        "LACE_HOSTILE_KEY",
    )
    monkeypatch.setenv("LACE_HOSTILE_KEY", value)
    for args in (
        ("chat", "--instance", "e", "--model", MODEL, "hi"),
        ("instance", "test", "e"),
        ("instance", "test", "e", "--json"),
    ):
        result = cli(*args)
        assert result.code == 2, result
        assert result.err.startswith("error: instance 'e': environment variable LACE_HOSTILE_KEY")
        assert result.err.count("\n") == 1
        assert ENV_SECRET[:10] not in result.out + result.err
    for path in home.rglob("*"):
        if path.is_file():
            assert ENV_SECRET[:10].encode() not in path.read_bytes()


def test_the_app_without_a_terminal_is_a_clear_error_exit_2(home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lace_tui", "--home", str(home)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.startswith(b"error: the app needs a terminal")
    assert result.stderr.count(b"\n") == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only directory anyway")
def test_read_only_commands_work_on_a_read_only_home(
    cli: Callable[..., Result], home: Path
) -> None:
    assert cli("instance", "add", "x", "--provider", "openai").code == 0
    assert cli("session", "add-agent", "s1", "--instance", "x", "--model", MODEL).code == 0
    made = sorted(home.rglob("*"))
    try:
        for path in [home, *made]:
            path.chmod(path.stat().st_mode & ~0o222)
        for args in (("session", "list"), ("session", "show", "s1"), ("catalog", "list")):
            result = cli(*args)
            assert result.code == 0, (args, result.err)
        assert "s1" in cli("session", "list").out
    finally:
        for path in [home, *made]:
            path.chmod(path.stat().st_mode | 0o200)
