import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lace_tui.cli import main

KEY_VARS = [
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "OPENROUTER_API_KEY",
    "GROQ_API_KEY",
    "XAI_API_KEY",
    "DEEPSEEK_API_KEY",
    "LACE_DIR",
]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # No real key variable of the developer's machine may leak into a test.
    for name in list(os.environ):
        if name.endswith("_API_KEY") or name.endswith("_API_ENDPOINT") or name in KEY_VARS:
            monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


@pytest.fixture
def cli(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run `lace-tui --home HOME ARGS...` in-process; `stdin=` feeds standard input."""

    def run(*args: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(["--home", str(home), *args])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def run_subprocess(
    home: Path,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not (k.endswith("_API_KEY") or k in KEY_VARS)}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lace_tui", "--home", str(home), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        timeout=timeout,
        check=False,
    )
