"""The footer: the keys of the screen, the palette key at the right, usable with the mouse."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Input

from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.catalog_editor.screen import CatalogEditorScreen
from lace_tui.tui.widgets.key_footer import KeyFooter
from tests.tui.conftest import settle


def footer_text(app: LaceApp) -> str:
    footer = app.screen.query_one(KeyFooter)
    return footer.render_line(0).text


async def test_footer_shows_the_screen_keys_and_the_palette_at_the_right(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = footer_text(app)
        assert text.startswith(" / Filter  a Add instance  e Edit catalog  F1 Help ")
        assert text.endswith("▏^p palette ")
        assert len(text) == 80


async def test_footer_follows_the_focus(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # Models: its own keys
        await settle(pilot)
        assert "Compare" in footer_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert "Compare" not in footer_text(app)
        assert "Add instance" in footer_text(app)


async def test_clicking_a_key_presses_it(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click(KeyFooter, offset=(2, 0))  # " / Filter"
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "catalog-filter"
        await pilot.click(KeyFooter, offset=(77, 0))  # "^p palette", at the right
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_hovering_a_key_shows_its_tooltip(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CatalogEditorScreen)
        footer = app.screen.query_one(KeyFooter)
        text = footer_text(app)
        x = text.index("Save provider")
        await pilot.hover(KeyFooter, offset=(x, 0))
        await pilot.pause()
        assert footer.tooltip == "Save the provider's fields"
        await pilot.hover(KeyFooter, offset=(text.index("▏") - 2, 0))
        await pilot.pause()
        assert footer.tooltip is None
