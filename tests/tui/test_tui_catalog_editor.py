"""The catalog editor in the app: providers, overrides, models, import/export, backups, updates.

Driven by keys inside the real LaceApp on a temporary LACE home; the files are real, catalog
updates come from the loopback fake Catwalk server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static

from lace_tui.catalog.custom import CatalogEditor
from lace_tui.catalog.update import update_file
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.settings import update_settings
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.catalog import CatalogScreen
from lace_tui.tui.screens.catalog_editor import CatalogEditorScreen
from lace_tui.tui.screens.catalog_editor_backups import BackupsScreen
from lace_tui.tui.screens.catalog_editor_dialogs import FileScreen, NewProviderScreen
from lace_tui.tui.screens.catalog_editor_model import ModelFormScreen
from lace_tui.tui.screens.catalog_editor_update import UpdateScreen
from lace_tui.tui.screens.confirm import ConfirmScreen
from lace_tui.tui.widgets.line_table import LineTable
from tests.support.fake_catwalk import serve_catwalk, shipped_catwalk_data
from tests.tui.conftest import settle


def listing(root: Path) -> dict[str, bytes]:
    """Every file under `root` (lock files aside) with its bytes."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


def catalog_files(paths: Paths) -> dict[str, bytes]:
    """The user catalog files, their backups and the stored update."""
    found: dict[str, bytes] = {}
    for root in (paths.user_catalogs_dir, paths.catalog_backups_dir, paths.catalog_update_dir):
        found.update({f"{root.name}/{name}": data for name, data in listing(root).items()})
    return found


def user_file(paths: Paths, provider_id: str) -> Path:
    return paths.user_catalogs_dir / f"{provider_id}.json"


def read(path: Path) -> dict[str, object]:
    data = json.loads(path.read_bytes())
    assert isinstance(data, dict)
    return data


async def open_editor(
    pilot: Pilot[int], services: Services, provider_id: str | None = None
) -> CatalogEditorScreen:
    await settle(pilot)
    screen = CatalogEditorScreen(services, provider_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen
    return screen


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    """Put `text` in a field of the current screen, as a paste would (typing long texts key
    by key only makes the tests slow)."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = text
    await pilot.pause()


def issue_text(screen: object, selector: str) -> str:
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    widget = screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


async def test_new_provider_from_template_writes_the_file_and_reloads(make_services, lace_paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewProviderScreen)
        await pilot.press("down", "down")  # the Ollama template
        await pilot.press("tab")
        await type_into(pilot, "#np-name", "Box Ollama")
        assert dialog.query_one("#np-id", Input).value == "box-ollama"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        data = read(user_file(lace_paths, "box-ollama"))
        assert (data["name"], data["type"]) == ("Box Ollama", "ollama")
        assert data["api_endpoint"] == "http://localhost:11434"
        # The catalog was reloaded, the editor shows the new provider, the Catalog screen too.
        assert services.catalog.provider("box-ollama").name == "Box Ollama"
        assert editor.provider_id == "box-ollama"
        assert editor.query_one("#pf-name", Input).value == "Box Ollama"
        options = editor.query_one("#ce-list", OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "box-ollama"
        ]
        catalog_screen = next(s for s in app.screen_stack if isinstance(s, CatalogScreen))
        assert "box-ollama" in catalog_screen.query_one("#providers", LineTable).row_keys


async def test_new_provider_refuses_an_id_in_use(make_services, lace_paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_editor(pilot, services)
        await pilot.press("n", "tab", "ctrl+u", "x", "tab", "ctrl+u", *"openai", "ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewProviderScreen)
        assert "exists already" in issue_text(dialog, "#np-issue-id")
        assert listing(lace_paths.user_catalogs_dir) == {}


async def test_editing_a_shipped_provider_makes_an_override_and_reset_removes_it(
    make_services, lace_paths
):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "anthropic")
        heading = str(editor.query_one("#ce-heading", Static).render())
        assert "Built in" in heading and "override" in heading
        assert not user_file(lace_paths, "anthropic").exists()  # opening writes nothing
        await type_into(pilot, "#pf-name", "Anthropic (mine)")
        assert "unsaved" in str(editor.query_one("#ce-heading", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        override = read(user_file(lace_paths, "anthropic"))
        assert override["name"] == "Anthropic (mine)"
        assert services.catalog.provider("anthropic").name == "Anthropic (mine)"
        assert "override" in str(editor.query_one("#ce-heading", Static).render())

        await pilot.press("escape")  # from the field to the list
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert not user_file(lace_paths, "anthropic").exists()
        assert services.catalog.provider("anthropic").name == "Anthropic"
        assert editor.query_one("#pf-name", Input).value == "Anthropic"
        assert CatalogEditor(lace_paths).backups("anthropic")  # the override was backed up


async def test_a_literal_key_is_masked_and_never_saved(make_services, lace_paths):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    before = catalog_files(lace_paths)
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        await type_into(pilot, "#pf-key", "sk-live-secret-1234")
        assert editor.query_one("#pf-key", Input).password
        assert "looks like a key" in issue_text(editor, "#pf-issue-key")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "sk-live-secret" not in app.export_screenshot()
        assert catalog_files(lace_paths) == before
        # A $VARIABLE is fine, readable, and saved.
        await type_into(pilot, "#pf-key", "$BOX_KEY")
        assert not editor.query_one("#pf-key", Input).password
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert read(user_file(lace_paths, "box"))["api_key"] == "$BOX_KEY"


async def test_a_bad_endpoint_blocks_saving(make_services, lace_paths):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    before = catalog_files(lace_paths)
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        await type_into(pilot, "#pf-endpoint", "localhost:8000")
        assert "neither an http" in issue_text(editor, "#pf-issue-endpoint")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert catalog_files(lace_paths) == before


async def add_model(pilot: Pilot[int], editor: CatalogEditorScreen, price_out: str) -> None:
    editor.query_one("#ce-models", DataTable).focus()
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ModelFormScreen)
    # ID, Name, Input $/1M, Output $/1M
    await pilot.press(*"qwen", "enter")
    await type_into(pilot, "#mf-name", "Qwen 7B")
    await pilot.press("enter", *"0.5", "enter", *price_out)
    await pilot.pause()


async def test_a_model_with_a_bad_price_shows_the_field_error_and_saves_nothing(
    make_services, lace_paths
):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    before = catalog_files(lace_paths)
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        await add_model(pilot, editor, "-3")
        dialog = app.screen
        assert isinstance(dialog, ModelFormScreen)
        assert "must not be negative" in issue_text(dialog, "#mf-issue-cost_per_1m_out")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # still open, with the error
        assert "nothing was saved" in str(dialog.query_one("#dialog-error", Static).render())
        assert catalog_files(lace_paths) == before
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor
        assert catalog_files(lace_paths) == before


async def test_a_model_with_a_high_price_warns_and_saves(make_services, lace_paths):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        await add_model(pilot, editor, "2500")
        dialog = app.screen
        assert isinstance(dialog, ModelFormScreen)
        assert "unusually high" in issue_text(dialog, "#mf-issue-cost_per_1m_out")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        models = read(user_file(lace_paths, "box"))["models"]
        assert isinstance(models, list)
        added = models[-1]
        assert added["id"] == "qwen"
        assert (added["cost_per_1m_in"], added["cost_per_1m_out"]) == (0.5, 2500)
        assert "qwen" in editor.query_one("#ce-models", DataTable).rows
        assert services.catalog.model("box", "qwen").name == "Qwen 7B"


async def test_edit_and_remove_a_model(make_services, lace_paths):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        editor.query_one("#ce-models", DataTable).focus()
        await pilot.press("enter")  # edit the starter model
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ModelFormScreen)
        assert dialog.query_one("#mf-context_window", Input).value == "32768"
        await type_into(pilot, "#mf-id", "served-model")
        await type_into(pilot, "#mf-context_window", "128k")
        await pilot.press("ctrl+s")
        await settle(pilot)
        data = read(user_file(lace_paths, "box"))
        models = data["models"]
        assert isinstance(models, list) and models[0]["id"] == "served-model"
        assert models[0]["context_window"] == 128_000
        assert data["default_large_model_id"] == "served-model"  # the default follows

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert read(user_file(lace_paths, "box"))["models"] == []
        assert editor.query_one("#ce-models", DataTable).row_count == 0


async def test_delete_asks_then_removes_the_file(make_services, lace_paths):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services)
        assert editor.provider_id == "box"  # the first of your files opens
        editor.query_one("#ce-list", OptionList).focus()
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert user_file(lace_paths, "box").exists()
        await pilot.press("delete", "y")
        await settle(pilot)
        assert not user_file(lace_paths, "box").exists()
        assert services.catalog.get("box") is None
        assert editor.provider_id is None
        assert "no catalog files" in str(editor.query_one("#ce-empty", Static).render())


async def test_delete_refuses_a_built_in_provider(make_services, lace_paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "openai")
        editor.query_one("#ce-list", OptionList).focus()
        await pilot.press("delete")
        await settle(pilot)
        assert app.screen is editor  # nothing to confirm: it says why instead
        assert services.catalog.get("openai") is not None


async def test_import_of_a_bad_file_shows_the_error_and_writes_nothing(
    make_services, lace_paths, tmp_path
):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {"id": "good-one", "name": "Good", "type": "openai-compat", "models": []},
                {
                    "id": "bad-one",
                    "name": "Bad",
                    "type": "openai-compat",
                    "models": [{"id": "m", "cost_per_1m_in": -1}],
                },
            ]
        )
    )
    before = catalog_files(lace_paths)
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FileScreen)
        await type_into(pilot, "#fd-path", str(bad))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        error = str(dialog.query_one("#dialog-error", Static).render())
        assert "cannot import" in error and "must not be negative" in error
        assert "nothing was imported" in error
        assert catalog_files(lace_paths) == before
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor
        assert services.catalog.get("good-one") is None


async def test_import_of_a_good_file_opens_the_provider(make_services, lace_paths, tmp_path):
    services = make_services()
    good = tmp_path / "acme.json"
    good.write_text(
        json.dumps({"id": "acme", "name": "Acme", "type": "openai-compat", "models": []})
    )
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services)
        await pilot.press("i")
        await type_into(pilot, "#fd-path", str(good))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is editor
        assert read(user_file(lace_paths, "acme"))["name"] == "Acme"
        assert editor.provider_id == "acme"


async def test_export_writes_the_file_and_asks_before_overwriting(
    make_services, lace_paths, tmp_path
):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    target = tmp_path / "out" / "box-export.json"
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, FileScreen)
        await type_into(pilot, "#fd-path", str(target))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is editor
        assert read(target)["id"] == "box"

        target.write_text("mine")
        await pilot.press("x")
        await type_into(pilot, "#fd-path", str(target))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FileScreen)
        assert target.read_text() == "mine"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is editor
        assert read(target)["id"] == "box"


async def test_restore_a_backup(make_services, lace_paths):
    services = make_services()
    catalog_editor = CatalogEditor(lace_paths)
    catalog_editor.create_from_template("openai-compat", "box", "Box")
    catalog_editor.save_provider(
        {"id": "box", "name": "Renamed box", "type": "openai-compat"}, create=False
    )
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        assert editor.query_one("#pf-name", Input).value == "Renamed box"
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BackupsScreen)
        assert dialog.query_one("#bk-table", DataTable).row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is editor
        assert read(user_file(lace_paths, "box"))["name"] == "Box"
        assert editor.query_one("#pf-name", Input).value == "Box"
        assert services.catalog.provider("box").name == "Box"


async def test_update_shows_the_diff_and_cancel_writes_nothing(make_services, lace_paths):
    services = make_services()
    providers = shipped_catwalk_data()
    providers.append({"id": "acme", "name": "Acme", "type": "openai-compat", "models": []})
    with serve_catwalk(providers) as fake:
        update_settings(lace_paths, catwalk_url=fake.url)
        app = LaceApp(services)
        async with app.run_test(size=(80, 24)) as pilot:
            editor = await open_editor(pilot, services)
            assert fake.paths == []  # nothing is fetched until asked
            await pilot.press("U")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, UpdateScreen)
            lines = str(dialog.query_one("#up-lines", Static).render())
            assert "+ provider acme (0 models)" in lines
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is editor
            assert not lace_paths.catalog_update_dir.exists()
            assert services.catalog.get("acme") is None

            await pilot.press("U")
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert app.screen is editor
            assert update_file(lace_paths).is_file()
            assert services.catalog.provider("acme").name == "Acme"
            catalog_screen = next(s for s in app.screen_stack if isinstance(s, CatalogScreen))
            assert "acme" in catalog_screen.query_one("#providers", LineTable).row_keys


async def test_update_failure_is_one_line_and_writes_nothing(make_services, lace_paths):
    services = make_services()
    with serve_catwalk() as fake:
        fake.mode = "error500"
        update_settings(lace_paths, catwalk_url=fake.url)
        app = LaceApp(services)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_editor(pilot, services)
            await pilot.press("U")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, UpdateScreen)
            error = str(dialog.query_one("#up-error", Static).render())
            assert "HTTP 500" in error and "\n" not in error.strip()
            await pilot.press("a")  # nothing to apply
            await settle(pilot)
            assert not lace_paths.catalog_update_dir.exists()
            fake.mode = "ok"
            await pilot.press("r")
            await settle(pilot)
            assert dialog.state == "ready"


async def test_open_any_provider_then_duplicate_it_to_a_custom_one(make_services, lace_paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services)
        await pilot.press("o")
        await settle(pilot)
        await type_into(pilot, "#pp-filter", "deepseek")
        await pilot.press("enter")
        await settle(pilot)
        assert editor.provider_id == "deepseek"
        assert not user_file(lace_paths, "deepseek").exists()  # opening writes nothing

        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewProviderScreen)
        assert dialog.query_one("#np-name", Input).value == "DeepSeek (copy)"
        assert dialog.query_one("#np-id", Input).value == "deepseek-copy"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        copy = read(user_file(lace_paths, "deepseek-copy"))
        shipped = services.catalog.provider("deepseek")
        assert copy["name"] == "DeepSeek (copy)"
        assert isinstance(copy["models"], list)
        assert [m["id"] for m in copy["models"]] == [m.id for m in shipped.models]
        assert editor.provider_id == "deepseek-copy"
        assert not user_file(lace_paths, "deepseek").exists()


async def test_every_action_is_in_the_command_palette(make_services):
    from lace_tui.tui.commands import collect_commands

    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "openai")
        # Screen is invariant in its result type; the palette reads any screen.
        names = {command.name for command in collect_commands(cast("Screen[object]", editor))}
        assert {
            "Save provider",
            "New provider",
            "Open provider",
            "Duplicate to custom",
            "Reset override",
            "Delete provider",
            "Import file",
            "Export provider",
            "Backups",
            "Update catalog",
            "Add model",
            "Edit model",
            "Remove model",
        } <= names


async def test_unsaved_changes_are_kept_unless_discarded(make_services, lace_paths):
    services = make_services()
    CatalogEditor(lace_paths).create_from_template("openai-compat", "box", "Box")
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, services, "box")
        await type_into(pilot, "#pf-name", "Box 2")
        await pilot.press("escape")  # field → list
        assert app.screen is editor
        await pilot.press("escape")  # leave: asks first
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is editor
        assert editor.query_one("#pf-name", Input).value == "Box 2"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, CatalogScreen)
        assert read(user_file(lace_paths, "box"))["name"] == "Box"
