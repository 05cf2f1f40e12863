"""Marked models side by side: prices, limits, capabilities, and a sample conversation's cost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.validation import Integer
from textual.widgets import DataTable, Input, Label, Static

from lace_tui.catalog.models import Model
from lace_tui.catalog.query import ModelRow
from lace_tui.services.cost import estimate_cost, format_cost, format_price
from lace_tui.tui.format import format_tokens
from lace_tui.tui.literal import cells
from lace_tui.tui.screens.base import LaceScreen
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.section_bar import SectionBar

DEFAULT_SAMPLE_IN = 10_000
DEFAULT_SAMPLE_OUT = 1_000
MAX_SAMPLE_TOKENS = 100_000_000


def _yes_no(flag: bool) -> str | Text:
    return "yes" if flag else Text("no", "dim")


ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("provider", "Provider"),
    ("id", "Model id"),
    ("in", "Input $/M"),
    ("out", "Output $/M"),
    ("cache_write", "Cache write $/M"),
    ("cache_read", "Cache read $/M"),
    ("context", "Context"),
    ("max", "Max output"),
    ("reasoning", "Reasoning"),
    ("attachments", "Attachments"),
    ("cost", "Sample cost"),
)


def attribute_cells(row: ModelRow) -> dict[str, str | Text]:
    """Every compared attribute of one model except the sample cost."""
    model = row.model
    levels = ", ".join(model.reasoning_levels)
    return {
        "provider": row.provider_name,
        "id": model.id,
        "in": format_price(model.cost_per_1m_in),
        "out": format_price(model.cost_per_1m_out),
        "cache_write": format_price(model.cost_per_1m_in_cached),
        "cache_read": format_price(model.cost_per_1m_out_cached),
        "context": format_tokens(model.context_window),
        "max": format_tokens(model.default_max_tokens),
        "reasoning": (levels or "yes") if model.can_reason else Text("no", "dim"),
        "attachments": _yes_no(model.supports_attachments),
    }


def compare_cost(cost: float | None) -> str:
    """A cost with enough digits to tell close ones apart: `$0.0391`, `$1.25`, `unknown`."""
    if cost is None or cost == 0 or cost >= 1:
        return format_cost(cost)
    return f"${cost:.4f}"


def sample_costs(models: Sequence[Model], tokens_in: int, tokens_out: int) -> list[float | None]:
    """The cost of one turn of `tokens_in` / `tokens_out` for each model (None: unknown price)."""
    return [estimate_cost(tokens_in, tokens_out, model) for model in models]


class CompareScreen(LaceScreen):
    """The marked models as columns; the sample conversation's size is editable."""

    SECTION = "models"
    HOWTO = (
        "The models you marked, side by side. Edit the sample conversation (tokens in and out) "
        "to see what one such turn would cost with each; the cheapest is highlighted, and "
        "'unknown' means the catalog has no price. Esc goes back."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "focus_sample", "Sample size", key_display="/"),
    ]

    def __init__(self, rows: Sequence[ModelRow]) -> None:
        super().__init__()
        self.rows = list(rows)
        self.tokens_in = DEFAULT_SAMPLE_IN
        self.tokens_out = DEFAULT_SAMPLE_OUT

    def compose(self) -> ComposeResult:
        yield SectionBar("models", f"comparing {len(self.rows)}")
        sample = [Integer(minimum=0, maximum=MAX_SAMPLE_TOKENS, failure_description="")]
        with Horizontal(id="compare-sample"):
            yield Label("Sample conversation:", classes="toggle-label")
            yield Input(
                str(DEFAULT_SAMPLE_IN),
                id="sample-in",
                compact=True,
                type="integer",
                validators=sample,
            )
            yield Label("tokens in,", classes="toggle-label")
            yield Input(
                str(DEFAULT_SAMPLE_OUT),
                id="sample-out",
                compact=True,
                type="integer",
                validators=sample,
            )
            yield Label("tokens out", classes="toggle-label")
        yield Static("", id="compare-error", classes="field-error")
        table: DataTable[str | Text] = DataTable(id="compare", cursor_type="row")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#compare", DataTable)
        table.add_column("", key="attribute")
        for index, row in enumerate(self.rows):
            table.add_column(*cells([Text(row.model.display_name, "bold")]), key=f"m{index}")
        columns = [attribute_cells(row) for row in self.rows]
        for key, title in ATTRIBUTES:
            if key == "cost":
                values: list[str | Text] = ["" for _ in self.rows]
            else:
                values = [cell[key] for cell in columns]
            table.add_row(Text(title, "bold"), *cells(values), key=key)
        self._update_costs()
        self.set_focus(table)

    @on(Input.Changed)
    def _sample_changed(self, event: Input.Changed) -> None:
        error = self.query_one("#compare-error", Static)
        result = event.validation_result
        if result is not None and not result.is_valid:
            error.update(
                f"Tokens must be a whole number from 0 to {MAX_SAMPLE_TOKENS:,}; "
                "the costs below use the last valid value."
            )
            return
        error.update("")
        value = int(event.value) if event.value.strip() else 0
        if event.input.id == "sample-in":
            self.tokens_in = value
        else:
            self.tokens_out = value
        self._update_costs()

    def _update_costs(self) -> None:
        table = self.query_one("#compare", DataTable)
        costs = sample_costs([row.model for row in self.rows], self.tokens_in, self.tokens_out)
        known = [cost for cost in costs if cost is not None]
        cheapest = min(known) if len(known) > 1 else None
        for index, cost in enumerate(costs):
            text = Text(compare_cost(cost))
            if cost is None:
                text.stylize("dim italic")
            elif cost == cheapest:
                text.stylize("bold green")
            table.update_cell("cost", f"m{index}", text, update_width=True)

    def action_back(self) -> None:
        self.dismiss()

    def action_focus_sample(self) -> None:
        self.set_focus(self.query_one("#sample-in", Input))

    @on(Input.Submitted)
    def _sample_done(self) -> None:
        self.set_focus(self.query_one("#compare", DataTable))
