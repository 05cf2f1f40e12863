"""The app shell: where it starts, section keys, the command palette, help, themes, notices."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from lace_tui.paths import Paths
from lace_tui.settings import load_settings
from lace_tui.tui.app import LaceApp, run_app
from lace_tui.tui.commands import collect_commands
from lace_tui.tui.screens.catalog import CatalogScreen
from lace_tui.tui.screens.help import HelpScreen
from lace_tui.tui.screens.instances import InstancesScreen
from lace_tui.tui.screens.models import ModelsScreen
from tests.tui.conftest import settle, wait_until


async def test_first_start_opens_the_catalog_and_imports_key_variables(make_services, lace_paths):
    services = make_services({"OPENAI_API_KEY": "sk-from-env-1234"})
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_mode == "catalog"
        assert isinstance(app.screen, CatalogScreen)
        # The import ran in a worker and said what it did, once, and keeps it in view.
        assert [i.id for i in services.instances.all()] == ["openai"]
        messages = [n.message for n in app._notifications]
        assert any("openai" in m and "environment" in m.lower() for m in messages)
        await pilot.press("3")
        await settle(pilot)
        notices = str(app.screen.query_one("#notices").render())
        assert "imported from environment variables: openai" in notices
    # The key was not copied anywhere: the instance refers to the variable.
    text = lace_paths.instances_file.read_text()
    assert "sk-from-env" not in text
    assert 'api_key_env = "OPENAI_API_KEY"' in text


async def test_later_start_opens_the_chat(make_services, populated_home: Paths):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_mode == "chat"


async def test_broken_instances_file_opens_instances_with_the_error(make_services, lace_paths):
    lace_paths.instances_file.parent.mkdir(parents=True, exist_ok=True)
    lace_paths.instances_file.write_text("[instances.x\n")
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_mode == "instances"
        assert any("instances.toml" in n.message for n in app._notifications)


async def test_section_keys_switch_sections(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert isinstance(app.screen, ModelsScreen)
        await pilot.press("3")
        assert isinstance(app.screen, InstancesScreen)
        await pilot.press("1")
        assert isinstance(app.screen, CatalogScreen)
        await pilot.press("f3")
        assert app.current_mode == "models"
        await pilot.press("f5")
        assert app.current_mode == "chat"
        await pilot.press("f2")
        assert app.current_mode == "catalog"


async def test_f_keys_work_while_typing_in_a_field(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "2")  # the digit goes into the filter, not to the shell
        assert app.current_mode == "catalog"
        assert app.screen.query_one("#catalog-filter", Input).value == "2"
        await pilot.press("f4")
        assert app.current_mode == "instances"


async def test_the_palette_lists_sections_and_screen_actions(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        names = {command.name for command in collect_commands(app.screen)}
        assert {"Go to Catalog", "Go to Models", "Go to Instances", "Go to Chat"} <= names
        assert {"Change theme", "Help", "Add instance", "Filter"} <= names
        await pilot.press("2")
        await settle(pilot)
        names = {command.name for command in collect_commands(app.screen)}
        assert {"Sort", "Reverse", "Compare", "Chat", "Reasoning", "Attachments"} <= names


async def test_a_palette_command_runs(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"go to instances")
        options = app.screen.query_one(OptionList)

        def offered() -> bool:
            count = options.option_count
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(count)]
            return any("Go to Instances" in prompt for prompt in prompts)

        await wait_until(pilot, offered)  # the palette searches in the background
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "instances"


async def test_help_shows_the_screen_keys(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["s"] == "Sort"
        assert keys["c"] == "Compare"
        assert "Every model of every provider" in app.screen.howto
        await pilot.press("escape")
        assert isinstance(app.screen, ModelsScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_theme_choice_is_remembered(make_services, lace_paths):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    assert load_settings(lace_paths).theme == "nord"
    assert tomllib.loads(lace_paths.settings_file.read_text())["theme"] == "nord"
    again = LaceApp(make_services())
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_ctrl_t_opens_the_theme_picker(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_catalog_issues_are_notified_and_kept_on_instances(make_services, lace_paths):
    lace_paths.user_catalogs_dir.mkdir(parents=True)
    (lace_paths.user_catalogs_dir / "broken.json").write_text("{not json")
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert any("could not be loaded" in n.message for n in app._notifications)
        await pilot.press("3")
        await settle(pilot)
        notices = str(app.screen.query_one("#notices").render())
        assert "broken.json" in notices


def test_run_app_reports_an_unknown_session(lace_home: Path, capsys: pytest.CaptureFixture[str]):
    from lace_tui.paths import resolve_paths

    code = run_app(resolve_paths(lace_home), session_id="no-such-session")
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: no session 'no-such-session'")
    assert "Traceback" not in err
