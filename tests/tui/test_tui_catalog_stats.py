"""The catalog's statistics on the Catalog screen: `s` (or the palette) shows them."""

from __future__ import annotations

from textual.widgets import Static

from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.commands import collect_commands
from lace_tui.tui.screens.catalog_stats import CatalogStatsScreen
from tests.tui.test_tui_chat_setup import wait_until


async def test_s_shows_the_catalog_statistics(lace_paths: Paths) -> None:
    services = Services(lace_paths, environ={})
    app = LaceApp(services)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.catalog_if_loaded() is not None, limit=20)
            assert "Catalog statistics" in [c.name for c in collect_commands(app.screen)]
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, CatalogStatsScreen))
            text = str(app.screen.query(Static).last().render())
            assert text.startswith("All ") and "Anthropic (anthropic)" in text
            await pilot.press("escape")
            assert not isinstance(app.screen, CatalogStatsScreen)
    finally:
        services.close()
