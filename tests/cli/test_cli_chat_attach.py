"""`lace-tui chat --attach FILE`: images go in each wire format's own form, text files are
inlined, both are kept with the prompt for later turns; refusals happen before anything is
stored or sent. Request bodies are checked at the loopback fake, per wire format."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.support.fake_provider import FakeBehaviour, FakeProvider

Cli = Callable[..., Result]
REPO = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(20)
PNG_B64 = base64.b64encode(PNG).decode()
PROMPT = "describe"
INLINED = "describe\n\n--- notes.txt ---\nhello notes\n"

# wire format -> (catalog provider, model with image support, endpoint suffix)
FORMATS = {
    "anthropic": ("anthropic", "claude-sonnet-4-6", ""),
    "openai": ("openai", "gpt-5.6-sol", "/v1"),
    "google": ("gemini", "gemini-3.7-flash", ""),
    "ollama": ("ollama", "llava", ""),
}


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="A small image.")) as srv:
        yield srv


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "png": tmp_path / "pic.png",
        "txt": tmp_path / "notes.txt",
        "bin": tmp_path / "blob.bin",
        "huge": tmp_path / "huge.png",
    }
    made["png"].write_bytes(PNG)
    made["txt"].write_text("hello notes\n")
    made["bin"].write_bytes(bytes(range(256)))
    made["huge"].write_bytes(PNG + bytes(5 * 1024 * 1024))
    return made


def _instance(cli: Cli, home: Path, server: FakeProvider, fmt: str) -> str:
    provider, model, suffix = FORMATS[fmt]
    if fmt == "ollama":  # our catalog lists no Ollama models: a user entry that takes images
        catalogs = home / "catalogs"
        catalogs.mkdir(parents=True, exist_ok=True)
        shipped = json.loads((REPO / "data" / "catalogs" / "ollama.json").read_text())
        shipped["models"] = [{"id": model, "name": "LLaVA", "supports_attachments": True}]
        (catalogs / "ollama.json").write_text(json.dumps(shipped))
    args = ["instance", "add", fmt, "--provider", provider, "--endpoint", server.url + suffix]
    key = [] if fmt == "ollama" else ["--api-key-stdin"]
    added = cli(*args, "--max-attempts", "1", *key, stdin="sk-test-key-123456")
    assert added.code == 0, added.err
    return model


def _user_turns(fmt: str, body: object) -> list[object]:
    assert isinstance(body, dict)
    if fmt == "google":
        return [c["parts"] for c in body["contents"] if c["role"] == "user"]
    if fmt == "ollama":
        return [m for m in body["messages"] if m["role"] == "user"]
    return [m["content"] for m in body["messages"] if m["role"] == "user"]


EXPECTED: dict[str, object] = {
    "anthropic": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
        {"type": "text", "text": INLINED},
    ],
    "openai": [
        {"type": "text", "text": INLINED},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
    ],
    "google": [{"text": INLINED}, {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}],
    "ollama": {"role": "user", "content": INLINED, "images": [PNG_B64]},
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_attachments_go_in_each_wire_formats_form_and_stay_in_the_history(
    cli: Cli, home: Path, server: FakeProvider, files: dict[str, Path], fmt: str
) -> None:
    model = _instance(cli, home, server, fmt)
    first = cli(
        "chat", "--instance", fmt, "--model", model, "--session", "s",
        "--attach", str(files["png"]), "--attach", str(files["txt"]), PROMPT,
    )  # fmt: skip
    assert first.code == 0, first.err
    assert _user_turns(fmt, server.requests[-1].body) == [EXPECTED[fmt]]
    again = cli("chat", "--instance", fmt, "--model", model, "--session", "s", "and now?")
    assert again.code == 0, again.err
    turns = _user_turns(fmt, server.requests[-1].body)
    assert turns[0] == EXPECTED[fmt]  # the earlier prompt still carries its files


@pytest.mark.parametrize(
    ("fmt", "file", "model", "reason"),
    [
        ("anthropic", "missing", None, "no such file"),
        ("anthropic", "bin", None, "binary file"),
        ("anthropic", "huge", None, "over the 5.0 MB anthropic takes per image"),
        ("openai", "png", "o3-mini", "does not list image support"),
    ],
)
def test_a_file_that_cannot_go_is_refused_before_anything_is_stored(
    cli: Cli,
    home: Path,
    server: FakeProvider,
    files: dict[str, Path],
    fmt: str,
    file: str,
    model: str | None,
    reason: str,
) -> None:
    default_model = _instance(cli, home, server, fmt)
    path = str(files[file]) if file in files else str(home / "nope.png")
    result = cli(
        "chat", "--instance", fmt, "--model", model or default_model, "--attach", path, "hi"
    )
    assert result.code == 2
    assert result.err.startswith("error: cannot attach") and reason in result.err
    assert result.err.count("\n") == 1
    assert server.chat_count == 0
    assert cli("session", "list", "--json").json() == []


def test_a_text_file_goes_to_a_model_without_image_support(
    cli: Cli, home: Path, server: FakeProvider, files: dict[str, Path]
) -> None:
    _instance(cli, home, server, "openai")
    result = cli(
        "chat", "--instance", "openai", "--model", "o3-mini", "--attach", str(files["txt"]), PROMPT
    )
    assert result.code == 0, result.err
    assert _user_turns("openai", server.requests[-1].body) == [INLINED]


def test_export_names_the_attached_files(
    cli: Cli, home: Path, server: FakeProvider, files: dict[str, Path]
) -> None:
    model = _instance(cli, home, server, "anthropic")
    sent = cli(
        "chat", "--instance", "anthropic", "--model", model, "--session", "s",
        "--attach", str(files["png"]), PROMPT,
    )  # fmt: skip
    assert sent.code == 0, sent.err
    markdown = cli("session", "export", "s", "--format", "md").out
    assert f"Attached: `pic.png` (image/png, {len(PNG):,} bytes)" in markdown
    exported = cli("session", "export", "s", "--format", "json").json()
    assert isinstance(exported, dict)
    [(message_id, [info])] = exported["attachments"].items()
    assert info["name"] == "pic.png" and info["kind"] == "image" and "data" not in info
    assert int(message_id) == exported["messages"][0]["id"]
