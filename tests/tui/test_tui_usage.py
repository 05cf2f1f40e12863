"""The Usage section: reachable by key and palette, its table and chart drawn from a worker,
period and grouping switched by key."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Static

from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.commands import collect_commands
from lace_tui.tui.screens.usage import UsageScreen


def _seed(services: Services) -> None:
    """Two replies today: one priced, one of unknown cost."""
    store = services.sessions
    session = store.create_session("s", title="Budget talk")
    agent = store.add_agent(session.id, "gpt", "work", "gpt-x")
    for cost in (0.25, None):
        reply = store.add_message(
            agent.id, "assistant", "a", status="streaming", model_id="gpt-x", instance_id="work"
        )
        store.update_message(
            reply.id, status="complete", input_tokens=1000, output_tokens=200, cost_usd=cost
        )


async def test_usage_shows_the_table_and_chart_and_switches_by_key(
    make_services: Callable[..., Services],
) -> None:
    services = make_services()
    _seed(services)
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(c.name == "Go to Usage" for c in collect_commands(app.screen))
        await pilot.press("5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UsageScreen)
        summary = str(screen.query_one("#usage-summary", Static).render())
        assert "last 30 days" in summary and "$0.25 + 1 unknown" in summary
        chart = str(screen.query_one("#usage-chart", Static).render())
        assert "$0.25" in chart and "?" in chart
        table = screen.query_one("#usage-table", DataTable)
        assert table.row_count == 1
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert next(str(c.label) for c in table.columns.values()) == "Instance"
        assert table.get_row_at(0)[0] == "work"
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "this month" in str(screen.query_one("#usage-summary", Static).render())
