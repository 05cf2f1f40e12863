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


@pytest.mark.parametrize("module", ["lace_tui.services.app_services", "lace_tui.tui.app"])
def test_cloud_auth_libraries_load_only_when_used(module: str) -> None:
    # botocore and google-auth cost 0.5 s and 1 s to import here: only a Bedrock or Vertex use
    # may pay for them, never start-up or the instance and catalog commands.
    loaded = _loaded_after_import(module)
    assert not {"botocore", "google.auth", "requests"} & loaded
