"""Nothing below tui/ imports Textual or Rich, and headless commands stay light."""

import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lace_tui"
BELOW_TUI = sorted(
    ".".join(("lace_tui", *p.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
    for p in SRC.rglob("*.py")
    if "tui" not in p.relative_to(SRC).parts[:1] and p.name != "__main__.py"
)

# Imports each module in turn in one fresh interpreter and names the first one after which a
# forbidden package is loaded: none of them may load it, so one process tells as much as one
# per module did (61 interpreters, ~14 s of CPU).
_FIRST_CULPRIT = """
import importlib, json, sys
forbidden = set(sys.argv[2:])
found = {}
for module in json.loads(sys.argv[1]):
    importlib.import_module(module)
    for name in forbidden - set(found):
        if name in sys.modules:
            found[name] = module
print(json.dumps(found))
"""


def _first_importers(modules: list[str], forbidden: set[str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_CULPRIT, json.dumps(modules), *sorted(forbidden)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    found: dict[str, str] = json.loads(out.stdout)
    return found


def test_modules_below_tui_import_neither_textual_nor_rich() -> None:
    assert len(BELOW_TUI) > 40  # the walk found the package
    assert _first_importers(BELOW_TUI, {"textual", "rich"}) == {}


def test_the_check_names_the_module_that_imports_textual() -> None:
    found = _first_importers(["lace_tui.paths", "lace_tui.tui.app"], {"textual"})
    assert found == {"textual": "lace_tui.tui.app"}


def test_catalog_list_path_does_not_import_httpx_or_textual() -> None:
    found = _first_importers(["lace_tui.cli_commands.catalog_cmds"], {"textual", "rich", "httpx"})
    assert found == {}


def test_cloud_auth_libraries_load_only_when_used() -> None:
    # botocore and google-auth cost 0.5 s and 1 s to import here: only a Bedrock or Vertex use
    # may pay for them, never start-up or the instance and catalog commands.
    modules = [*BELOW_TUI, "lace_tui.tui.app"]
    assert _first_importers(modules, {"botocore", "google.auth", "requests"}) == {}
