"""Start-up: the Catalog's first frame already lists the catalog, and everything is as before once
the full catalog has loaded (user files applied, broken ones reported)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lace_tui.catalog.brief_cache import save_briefs, sources_stamp
from lace_tui.catalog.briefs import briefs_of
from lace_tui.catalog.loader import load_catalog
from lace_tui.errors import StoredFileError
from lace_tui.paths import Paths
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.catalog import CatalogScreen
from lace_tui.tui.startup import auto_update_may_be_on, count_instances
from lace_tui.tui.widgets.line_table import LineTable
from tests.catalog.test_catalog_loader import provider_dict, write_user
from tests.tui.conftest import settle


class FirstFrameApp(LaceApp):
    """Records what the Catalog shows when the first frame is up (`on_ready`), before the app
    starts loading the catalog."""

    first_rows: list[str] | None = None
    first_cells: dict[str, tuple[str, ...]] | None = None
    catalog_loaded_at_first_frame = True
    gc_on_at_first_frame = False

    def on_ready(self) -> None:
        table = self.screen.query_one("#providers", LineTable)
        self.first_rows = table.row_keys
        self.first_cells = {key: table.get_row(key) for key in table.row_keys}
        self.catalog_loaded_at_first_frame = "catalog" in self.services.__dict__
        super().on_ready()
        self.gc_on_at_first_frame = gc.isenabled()


def warm_cache(paths: Paths) -> None:
    """What the app saves after a start's full load."""
    stamp = sources_stamp(paths)
    assert stamp is not None
    save_briefs(paths, stamp, briefs_of(load_catalog(paths)))


async def test_first_frame_lists_the_whole_catalog_before_it_has_loaded(make_services, lace_paths):
    services = make_services()
    app = FirstFrameApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.catalog_loaded_at_first_frame is False
        expected = list(load_catalog(lace_paths).providers)
        assert app.first_rows == expected  # every provider, in the catalog's order
        assert app.first_cells is not None
        anthropic = app.first_cells["anthropic"]
        assert anthropic[2] == str(len(load_catalog(lace_paths).provider("anthropic").models))
        assert anthropic[5:] == ("…", "…")  # instances not read yet
        assert app.gc_on_at_first_frame  # the collector is back on once the frame is up

        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CatalogScreen) and screen.from_catalog
        table = screen.query_one("#providers", LineTable)
        assert table.row_keys == list(services.catalog.providers)
        assert table.get_row("anthropic")[5:] == ("—", "—")
    # The start-up worker kept the briefs for the next start.
    assert json.loads(lace_paths.catalog_briefs_file.read_bytes())["format"] == 1


async def test_user_override_is_in_the_first_frame_from_the_cache(make_services, lace_paths):
    write_user(lace_paths, "openai.json", provider_dict("openai", name="Team OpenAI", models=1))
    warm_cache(lace_paths)
    app = FirstFrameApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.first_cells is not None
        assert app.first_cells["openai"][:3] == ("Team OpenAI", "openai-compat", "1")
        await settle(pilot)
        assert app.screen.query_one("#providers", LineTable).get_row("openai")[0] == "Team OpenAI"


async def test_user_edit_since_the_last_start_is_never_hidden(make_services, lace_paths):
    write_user(lace_paths, "openai.json", provider_dict("openai", name="Old name"))
    warm_cache(lace_paths)
    write_user(lace_paths, "openai.json", provider_dict("openai", name="Newer name"))
    app = FirstFrameApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.first_rows == []  # the cache is stale: wait for the full load
        await settle(pilot)
        assert app.screen.query_one("#providers", LineTable).get_row("openai")[0] == "Newer name"


async def test_broken_user_file_is_still_reported_with_a_warm_cache(make_services, lace_paths):
    write_user(lace_paths, "broken.json", b"{not json")
    warm_cache(lace_paths)
    app = FirstFrameApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.first_rows == list(load_catalog(lace_paths).providers)
        await settle(pilot)
        assert "catalog: catalogs/broken.json: line 1: Expecting property name enclosed in " in (
            "\n".join(app.notices)
        )
        assert any("could not be loaded" in n.message for n in app._notifications)


async def test_without_a_first_frame_answer_the_table_fills_once_loaded(make_services, lace_paths):
    write_user(lace_paths, "mine.json", provider_dict("mine"))  # no cache saved for it
    services = make_services()
    app = FirstFrameApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.first_rows == []
        await settle(pilot)
        table = app.screen.query_one("#providers", LineTable)
        assert "mine" in table.row_keys
        assert table.row_keys == list(services.catalog.providers)


async def test_filter_keeps_the_cursor_on_its_provider(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#providers", LineTable)
        await pilot.press("down", "down")
        chosen = table.current_key
        assert chosen is not None and chosen == table.row_keys[2]
        await pilot.press("slash", *chosen[:4])
        await pilot.pause()
        assert table.current_key == chosen
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert table.current_key == chosen


async def test_table_keys_move_the_cursor_and_the_detail_follows(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#providers", LineTable)
        keys = table.row_keys
        await pilot.press("end")
        await pilot.pause()
        assert table.current_key == keys[-1]
        detail = str(app.screen.query_one("#catalog-detail").render())
        assert detail.startswith(keys[-1])
        await pilot.press("home", "pagedown")
        assert 0 < table.cursor < len(keys) - 1
        await pilot.press("up")
        assert table.current_key == keys[table.cursor]


async def test_clicking_a_row_opens_that_provider(make_services):
    from lace_tui.tui.screens.provider import ProviderScreen

    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#providers", LineTable)
        third = table.row_keys[2]
        await pilot.click("#providers", offset=(3, 3))  # the header, then rows 0, 1, 2
        await settle(pilot)
        assert isinstance(app.screen, ProviderScreen)
        assert app.screen.provider_id == third


# --- what the app reads before its first frame ---------------------------------------------


def test_instances_file_of_comments_only_counts_none_without_a_toml_parser(tmp_path: Path):
    path = tmp_path / "instances.toml"
    path.write_text("# lace-tui instances: one [instances.<id>] table each.\r\n\n  # more\n")
    assert count_instances(path) == 0
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from lace_tui.tui.startup import count_instances\n"
        f"print(count_instances(Path({str(path)!r})), 'tomllib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("# one\n[instances.a]\nprovider = 'openai'\n", 1),
        ("[instances.a]\n[instances.b]\n", 2),
        ("", 0),
    ],
)
def test_instances_are_counted(tmp_path: Path, text: str, count: int):
    path = tmp_path / "instances.toml"
    path.write_text(text)
    assert count_instances(path) == count


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"# a comment with a control character \x01\n", id="control-char"),
        pytest.param(b"# comment\n[instances.x\n", id="bad-toml"),
        pytest.param(b"# caf\xe9\n", id="not-utf8"),
    ],
)
def test_broken_instances_file_is_still_an_error(tmp_path: Path, data: bytes):
    path = tmp_path / "instances.toml"
    path.write_bytes(data)
    with pytest.raises(StoredFileError, match="fix or remove the file"):
        count_instances(path)


@pytest.mark.parametrize(
    ("text", "may_be_on"),
    [
        (None, False),
        ("theme = 'nord'\n", False),
        ("auto_update_catalog = false\n", False),
        ("auto_update_catalog = true\n", True),
        ("auto_update_catalog = 'yes'\n", True),  # the full settings reader decides
        ("auto_update_catalog = [\n", True),  # broken: reported by the full reader
    ],
)
def test_auto_update_is_only_skipped_when_surely_off(
    tmp_path: Path, text: str | None, may_be_on: bool
):
    path = tmp_path / "settings.toml"
    if text is not None:
        path.write_text(text)
    assert auto_update_may_be_on(path) is may_be_on


def test_start_without_auto_update_does_not_import_the_update_module(tmp_path: Path):
    code = (
        "import sys\n"
        "from lace_tui.paths import resolve_paths\n"
        "from lace_tui.services.app_services import Services\n"
        "from lace_tui.tui.app import LaceApp\n"
        "class App(LaceApp):\n"
        "    def on_ready(self):\n"
        "        super().on_ready()\n"
        "        self.exit()\n"
        f"App(Services(resolve_paths({str(tmp_path)!r}), environ={{}})).run(headless=True)\n"
        "print('lace_tui.catalog.update' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "False"
