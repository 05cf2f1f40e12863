"""The Usage section: what the stored replies cost, per day, instance, provider, model or
session, with a chart of cost per day. Reports are read in a worker (SQLite stays off the UI
loop); `p` and `g` switch the period and the grouping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from lace_tui.errors import LaceError
from lace_tui.textsafe import printable
from lace_tui.tui.screens.base import LaceScreen
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from lace_tui.services.usage_service import UsageGroup, UsageGrouping, UsageReport

BAR_BLOCKS: Final = " ▁▂▃▄▅▆▇█"
CHART_ROWS: Final = 5
AXIS_WIDTH: Final = 9


@dataclass(frozen=True)
class Period:
    """A span of local days ending today; `days` None is all time, 0 is this month."""

    label: str
    days: int | None

    def bounds(self, today: date) -> tuple[date | None, date]:
        if self.days is None:
            return None, today
        if self.days == 0:
            return today.replace(day=1), today
        return today - timedelta(days=self.days - 1), today


PERIODS: Final = (
    Period("last 7 days", 7),
    Period("last 30 days", 30),
    Period("this month", 0),
    Period("last 90 days", 90),
    Period("all time", None),
)
GROUPINGS: Final[tuple[UsageGrouping, ...]] = ("day", "instance", "provider", "model", "session")


def cost_chart(report: UsageReport, since: date, until: date, width: int) -> Content:
    """Cost per day as vertical bars, `CHART_ROWS` high, one to three columns per day (the
    latest days that fit `width`), a `?` under days with replies of unknown cost."""
    from lace_tui.services.cost import format_cost

    days = (until - since).days + 1
    columns = max(1, min(days, width - AXIS_WIDTH))
    bar = max(1, min(3, (width - AXIS_WIDTH) // columns))
    first = until - timedelta(days=columns - 1)
    by_day = {group.key: group for group in report.groups}
    costs: list[float] = []
    unknown: list[bool] = []
    for offset in range(columns):
        group = by_day.get((first + timedelta(days=offset)).isoformat())
        costs.append((group.cost_usd or 0.0) if group else 0.0)
        unknown.append(bool(group and group.unknown_cost_replies))
    top = max(costs) if costs else 0.0
    lines: list[Content] = []
    for row in range(CHART_ROWS, 0, -1):
        label = format_cost(top) if row == CHART_ROWS and top else ""
        cells: list[tuple[str, str]] = []
        for cost in costs:
            eighths = round(cost / top * CHART_ROWS * 8) if top else 0
            if cost > 0 and eighths == 0:
                eighths = 1  # a real cost never draws as nothing
            filled = min(8, max(0, eighths - (row - 1) * 8))
            cells.append((BAR_BLOCKS[filled] * bar, "$accent"))
        lines.append(Content.assemble((f"{label:>{AXIS_WIDTH - 1}} ", "dim"), *cells))
    marks = "".join(("?" if flag else " ").ljust(bar) for flag in unknown)
    lines.append(Content.assemble(("unknown ".rjust(AXIS_WIDTH), "dim"), (marks, "$warning")))
    span = f"{first.isoformat()} … {until.isoformat()}"
    lines.append(Content.assemble((" " * AXIS_WIDTH, ""), (span, "dim")))
    return Content("\n").join(lines)


class UsageScreen(LaceScreen):
    """A summary line, the cost-per-day chart, and the table for the chosen grouping."""

    SECTION = "usage"
    HOWTO = (
        "What your stored replies used and cost. `p` switches the period (7 or 30 days, this "
        "month, 90 days, all time), `g` the grouping (day, instance, provider, model, "
        "session), `r` reads again.\n"
        "A cost is a sum of known prices: replies whose price is unknown are counted apart "
        "(`+ N unknown`, `?` under a day in the chart), never as $0."
    )
    DEFAULT_CSS = """
    UsageScreen #usage-summary { height: 1; padding: 0 1; }
    UsageScreen #usage-chart { height: 8; padding: 0 1; }
    UsageScreen #usage-table { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "next_period", "Period"),
        Binding("g", "next_grouping", "Group by"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period_index = 1
        self.grouping_index = 0

    @property
    def period(self) -> Period:
        return PERIODS[self.period_index]

    @property
    def grouping(self) -> UsageGrouping:
        return GROUPINGS[self.grouping_index]

    def compose(self) -> ComposeResult:
        yield SectionBar("usage")
        yield Static("Reading usage…", id="usage-summary")
        yield Static("", id="usage-chart")
        table: DataTable[str | Text] = DataTable(
            id="usage-table", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#usage-table", DataTable))
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def action_next_period(self) -> None:
        self.period_index = (self.period_index + 1) % len(PERIODS)
        self.reload()

    def action_next_grouping(self) -> None:
        self.grouping_index = (self.grouping_index + 1) % len(GROUPINGS)
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="usage-report", exit_on_error=False)
    def reload(self) -> None:
        """Read the report and the per-day costs for the chart off the UI loop."""
        period, grouping = self.period, self.grouping
        today = date.today()
        since, until = period.bounds(today)
        try:
            usage = self.services.usage
            by_day = usage.report("day", since, until)
            report = by_day if grouping == "day" else usage.report(grouping, since, until)
        except LaceError as exc:
            self.app.call_from_thread(self._show_error, exc.message)
            return
        if since is None:
            first = by_day.groups[0].key if by_day.groups else today.isoformat()
            since = date.fromisoformat(first)
        self.app.call_from_thread(self._show, period, report, by_day, since, until)

    def _show_error(self, message: str) -> None:
        self.query_one("#usage-summary", Static).update(
            Content.assemble(("Cannot read usage: ", "bold $text-error"), message)
        )

    def _show(
        self, period: Period, report: UsageReport, by_day: UsageReport, since: date, until: date
    ) -> None:
        from lace_tui.services.usage_format import cost_cell

        total = report.total
        self.query_one("#usage-summary", Static).update(
            Content.assemble(
                ("p ", "bold $secondary"),
                period.label,
                ("   g ", "bold $secondary"),
                f"by {report.by}",
                ("   total ", "dim"),
                (cost_cell(total), "bold"),
                ("   replies ", "dim"),
                f"{total.replies:,}",
            )
        )
        chart = self.query_one("#usage-chart", Static)
        chart.update(cost_chart(by_day, since, until, max(20, self.size.width - 2)))
        self._fill_table(report)
        self.query_one(SectionBar).set_detail(f"{period.label}, by {report.by}")

    def _fill_table(self, report: UsageReport) -> None:
        table = self.query_one("#usage-table", DataTable)
        table.clear(columns=True)
        table.add_column(report.by.capitalize(), key="key")
        for title in ("Replies", "In", "Out", "Cached", "Cost"):
            table.add_column(title, key=title.lower())
        groups = list(reversed(report.groups)) if report.by == "day" else report.groups
        for group in groups:
            name = group.key
            if group.label:
                name = f"{group.label} ({group.key})"
            table.add_row(*self._cells(printable(name, one_line=True), group), key=group.key)
        if not groups:
            table.add_row(Text("no replies in this period", "dim"), "", "", "", "", "")

    @staticmethod
    def _cells(name: str, group: UsageGroup) -> tuple[str | Text, ...]:
        from lace_tui.services.usage_format import cost_cell

        def right(value: int) -> Text:
            return Text(f"{value:,}", justify="right")

        cost = cost_cell(group)
        return (
            name[:40],
            right(group.replies),
            right(group.input_tokens),
            right(group.output_tokens),
            right(group.cache_read_tokens + group.cache_write_tokens),
            Text(cost, "yellow" if group.unknown_cost_replies else ""),
        )
