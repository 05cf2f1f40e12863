"""The Catalog section and a provider's model list."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.catalog import CatalogScreen
from lace_tui.tui.screens.provider import ProviderScreen
from lace_tui.tui.screens.wizard import WizardScreen
from lace_tui.tui.widgets.line_table import LineTable
from tests.tui.conftest import settle


def row_ids(table: LineTable) -> list[str]:
    return table.row_keys


async def test_catalog_lists_every_provider_with_counts(
    make_services, populated_home, browse_only_provider
):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")  # the chat prompt has focus: digits would be typed
        await settle(pilot)
        table = app.screen.query_one("#providers", LineTable)
        assert row_ids(table) == list(services.catalog.providers)
        anthropic = table.get_row("anthropic")
        assert str(anthropic[2]) == str(len(services.catalog.provider("anthropic").models))
        assert str(anthropic[5]) == "1"  # one instance
        assert str(anthropic[6]) == "stored"  # its key is stored
        assert str(table.get_row("openai")[6]) == "—"  # the variable is not set
        assert str(table.get_row("ollama")[6]) == "local"
        # Types without a chat client stay browsable, and are marked.
        assert "⊘" in str(table.get_row(browse_only_provider)[1])
        assert "⊘" not in str(table.get_row("bedrock")[1])
        assert "⊘" not in str(table.get_row("anthropic")[1])


async def test_env_variable_counts_as_an_available_key(make_services):
    app = LaceApp(make_services({"GROQ_API_KEY": "gsk-123"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#providers", LineTable)
        assert str(table.get_row("groq")[6]) == "env"


async def test_filter_narrows_the_providers(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#providers", LineTable)
        everything = table.row_count
        await pilot.press("slash", *"bedrock")
        await pilot.pause()
        assert row_ids(table) == ["bedrock-europe", "bedrock"]
        await pilot.press("ctrl+u", *"no such provider")
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert table.row_count == everything


async def test_enter_opens_the_provider_with_its_models(make_services):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"anthropic", "enter", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProviderScreen)
        assert screen.provider_id == "anthropic"
        table = screen.query_one("#provider-models", DataTable)
        models = services.catalog.provider("anthropic").models
        assert table.row_count == len(models)
        first = table.get_row_at(0)
        assert str(first[1]) == models[0].id
        await pilot.press("escape")
        assert isinstance(app.screen, CatalogScreen)


async def test_add_instance_opens_the_wizard_on_that_provider(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"deepseek", "enter", "a")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, WizardScreen)
        assert wizard.provider_id == "deepseek"
        assert wizard.step == "form"
        assert wizard.query_one("#wiz-name", Input).value == "DeepSeek"
        assert wizard.query_one("#wiz-id", Input).value == "deepseek"
        await pilot.press("escape")
        assert isinstance(app.screen, CatalogScreen)


async def test_browse_only_provider_says_so(make_services, browse_only_provider):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"mystery", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProviderScreen)
        info = str(app.screen.query_one("#provider-info").render())
        assert "Browse only" in info


async def test_e_opens_the_catalog_editor_on_the_provider(make_services):
    from lace_tui.tui.screens.catalog_editor import CatalogEditorScreen

    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CatalogEditorScreen)
