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


def test_catalog_list_on_shipped_data_runs_without_pydantic(tmp_path: Path) -> None:
    """`catalog list` in a home that reads only the shipped data answers from the shipped
    index: no pydantic import, no validation (issue 17: within 2.5x of reading the JSON)."""
    code = (
        "import sys\n"
        "from lace_tui.cli import main\n"
        "try:\n"
        "    main(['--home', sys.argv[1], 'catalog', 'list', '--json'])\n"
        "finally:\n"
        "    print('pydantic' in sys.modules, file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stderr.strip() == "False", out.stderr
    assert '"id": "anthropic"' in out.stdout
