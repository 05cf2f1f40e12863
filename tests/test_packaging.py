"""The wheel carries the catalog data and the stylesheet, and finds them when installed."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("lace_tui-*.whl"))


def test_wheel_contains_catalogs_and_stylesheet(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "lace_tui/data/catalogs/anthropic.json" in names
    assert "lace_tui/data/catalogs/ollama.json" in names
    assert "lace_tui/data/catalogs/LICENSE-catwalk" in names
    assert "lace_tui/data/catalog_index.tsv" in names  # the first frame's shipped index
    assert "lace_tui/screens.tcss" in names


def test_installed_package_loads_the_shipped_catalog(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import lace_tui.paths as p, sys;"
        "from lace_tui.catalog.loader import load_catalog;"
        f"assert p.__file__.startswith({str(site)!r}), p.__file__;"
        f"c = load_catalog(p.resolve_paths({str(tmp_path / 'home')!r}));"
        "print(len(c.providers), sum(len(x.models) for x in c.providers.values()), len(c.issues))"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    # -I would drop PYTHONPATH; -s keeps user site-packages (and so the editable install) away.
    out = subprocess.run(
        [sys.executable, "-s", "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["43", "1534", "0"]
