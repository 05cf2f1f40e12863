"""Nothing below tui/ imports Textual or Rich, and headless commands stay light."""

import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "lace_tui"
BELOW_TUI = sorted(
    ".".join(("lace_tui", *p.relative_to(SRC).with_suffix("").parts))
    for p in SRC.rglob("*.py")
    if "tui" not in p.relative_to(SRC).parts[:1] and p.name != "__main__.py"
)


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", BELOW_TUI)
def test_module_below_tui_does_not_import_textual(module: str) -> None:
    loaded = _loaded_after_import(module.removesuffix(".__init__"))
    assert "textual" not in loaded
    assert "rich" not in loaded


def test_catalog_list_path_does_not_import_httpx_or_textual() -> None:
    loaded = _loaded_after_import("lace_tui.cli_commands.catalog_cmds")
    assert not {"textual", "rich", "httpx"} & loaded
