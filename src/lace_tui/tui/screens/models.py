"""The Models section: every model of every provider, filtered as you type, sorted, compared."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Key
from textual.validation import ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, Static

from lace_tui.catalog.query import ModelFilter, ModelRow, SortKey, filter_models
from lace_tui.errors import LaceError
from lace_tui.services.cost import format_price
from lace_tui.tui.literal import assemble, literal
from lace_tui.tui.messages import CatalogReady
from lace_tui.tui.screens.base import LaceScreen
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.model_table import SORT_KEYS, ModelTable
from lace_tui.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from lace_tui.catalog.models import Model

_TOKENS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$", re.IGNORECASE)

SORT_TITLES: dict[SortKey, str] = {
    "name": "name",
    "provider": "provider",
    "input_price": "input price",
    "output_price": "output price",
    "context": "context window",
    "max_output": "max output",
}


def parse_tokens(text: str) -> int | None:
    """`128k` → 128000, `1m` → 1000000, `200000`; blank → 0; None when it is not a count."""
    if not text.strip():
        return 0
    match = _TOKENS_RE.match(text)
    if match is None:
        return None
    scale = {"": 1, "k": 1000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def parse_price(text: str) -> float | None:
    """A non-negative price; None for blank or invalid (validation reports invalid)."""
    try:
        value = float(text.strip().removeprefix("$"))
    except ValueError:
        return None
    return value if value >= 0 else None


class TokensValidator(Validator):
    """A token count like `128k`, `1m` or `200000`."""

    def validate(self, value: str) -> ValidationResult:
        if parse_tokens(value) is None:
            return self.failure("a token count, like 128k or 1m")
        return self.success()


class PriceValidator(Validator):
    """A price in USD per million tokens, 0 or more."""

    def validate(self, value: str) -> ValidationResult:
        if value.strip() and parse_price(value) is None:
            return self.failure("a price in $ per million tokens, like 3 or 0.5")
        return self.success()


class ModelsScreen(LaceScreen):
    """All models in one virtual table: filter line and toggles, sort, marks, compare, chat."""

    SECTION = "models"
    HOWTO = (
        "Every model of every provider. Type in the filter line to narrow by name, id or "
        "provider (every word must match); the toggles keep only models that can reason or "
        "take attachments, with a minimum context window (e.g. 128k) and maximum prices "
        "($ per million tokens).\n"
        "`s` changes the sort column, `S` reverses it. Space marks models, `c` compares the "
        "marked ones side by side. Enter or `n` starts a chat with the highlighted model."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("s", "sort_next", "Sort"),
        Binding("S", "sort_reverse", "Reverse", key_display="S"),
        Binding("c", "compare", "Compare"),
        Binding("n", "chat", "Chat"),
        Binding("r", "toggle_filter('reasoning')", "Reasoning", show=False),
        Binding("i", "toggle_filter('attachments')", "Attachments", show=False),
        Binding("u", "clear_marks", "Unmark all", show=False),
        Binding("x", "reset_filters", "Reset filters", show=False),
        Binding("escape", "focus_table", "Table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[ModelRow] = []
        self.sort_key: SortKey = "name"
        self.descending = False

    def compose(self) -> ComposeResult:
        yield SectionBar("models")
        yield Input(
            placeholder="Filter models by name, id or provider  (/)",
            id="models-filter",
            compact=True,
        )
        with Horizontal(id="models-toggles"):
            yield Checkbox("Reasoning", id="only-reasoning", compact=True)
            yield Checkbox("Attachments", id="only-attachments", compact=True)
            yield Label("Min ctx", classes="toggle-label")
            yield Input(
                placeholder="128k",
                id="min-context",
                compact=True,
                validators=[TokensValidator()],
            )
            yield Label("Max $/M in", classes="toggle-label")
            yield Input(placeholder="any", id="max-in", compact=True, validators=[PriceValidator()])
            yield Label("out", classes="toggle-label")
            yield Input(
                placeholder="any", id="max-out", compact=True, validators=[PriceValidator()]
            )
        yield ModelTable(id="models-table")
        yield Static("Loading the catalog…", id="models-detail", classes="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(ModelTable))
        catalog = self.lace.catalog_if_loaded()
        if catalog is not None:
            self.all_rows = catalog.rows()
            self.apply_filter()

    def on_catalog_ready(self, _: CatalogReady) -> None:
        self.all_rows = self.services.catalog.rows()
        self.apply_filter()

    # -- filtering and sorting -----------------------------------------------------------

    def current_filter(self) -> ModelFilter:
        """The filter the inputs and toggles describe (invalid numbers are ignored)."""
        text = self.query_one("#models-filter", Input).value
        min_context = parse_tokens(self.query_one("#min-context", Input).value) or 0
        max_in = parse_price(self.query_one("#max-in", Input).value)
        max_out = parse_price(self.query_one("#max-out", Input).value)
        return ModelFilter(
            text=text,
            min_context=min_context,
            max_input_price=max_in,
            max_output_price=max_out,
            reasoning=self.query_one("#only-reasoning", Checkbox).value,
            attachments=self.query_one("#only-attachments", Checkbox).value,
        )

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def apply_filter(self) -> None:
        """Refilter and resort; cheap enough to run on every keystroke (see bench)."""
        rows = filter_models(self.all_rows, self.current_filter(), self.sort_key, self.descending)
        table = self.query_one(ModelTable)
        table.set_sort(self.sort_key, self.descending)
        table.set_rows(rows)
        total = len(self.all_rows)
        shown = len(rows)
        order = SORT_TITLES[self.sort_key] + (" ↓" if self.descending else " ↑")
        count = f"{shown:,}/{total:,}" if shown != total else f"{total:,} models"
        self.query_one(SectionBar).set_detail(f"{count} · {order}")

    def action_sort_next(self) -> None:
        """Sort by the next column (name → provider → prices → context → max output)."""
        position = SORT_KEYS.index(self.sort_key)
        self.sort_key = SORT_KEYS[(position + 1) % len(SORT_KEYS)]
        self.descending = False
        self.apply_filter()

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.descending = not self.descending
        self.apply_filter()

    def action_toggle_filter(self, which: str) -> None:
        """Flip the reasoning or attachments toggle."""
        box = self.query_one(f"#only-{which}", Checkbox)
        box.value = not box.value

    def action_reset_filters(self) -> None:
        """Clear the filter line and every toggle."""
        for selector in ("#models-filter", "#min-context", "#max-in", "#max-out"):
            self.query_one(selector, Input).value = ""
        self.query_one("#only-reasoning", Checkbox).value = False
        self.query_one("#only-attachments", Checkbox).value = False

    def action_focus_filter(self) -> None:
        self.set_focus(self.query_one("#models-filter", Input))

    def action_focus_table(self) -> None:
        self.set_focus(self.query_one(ModelTable))

    @on(Input.Submitted)
    def _input_done(self) -> None:
        self.action_focus_table()

    def on_key(self, event: Key) -> None:
        if event.key == "down" and isinstance(self.focused, Input):
            event.stop()
            self.action_focus_table()

    # -- detail, marks, compare, chat ----------------------------------------------------

    @on(ModelTable.Highlighted)
    @on(ModelTable.MarksChanged)
    def _show_detail(self) -> None:
        table = self.query_one(ModelTable)
        row = table.current_row
        detail = self.query_one("#models-detail", Static)
        marked = len(table.marked)
        marks = f"  {marked} marked: c compares" if marked else ""
        if row is None:
            empty = "No model matches the filter (x resets it)." if self.all_rows else "Loading…"
            detail.update(literal(empty + marks))
            return
        detail.update(
            assemble(
                (f"{row.provider_id}/{row.model.id}", "bold"),
                (_model_extras(row.model), "$text-muted"),
                (marks, "$text-warning"),
            )
        )

    def action_clear_marks(self) -> None:
        self.query_one(ModelTable).clear_marks()

    def action_compare(self) -> None:
        """Compare the marked models (or the highlighted one) side by side."""
        from lace_tui.tui.screens.compare import CompareScreen

        table = self.query_one(ModelTable)
        rows = table.marked_rows()
        if not rows:
            row = table.current_row
            if row is None:
                return
            self.notify("Mark models with space to compare several", timeout=4)
            rows = [row]
        self.app.push_screen(CompareScreen(rows))

    @on(ModelTable.Selected)
    def action_chat(self) -> None:
        """Start a chat with the highlighted model."""
        row = self.query_one(ModelTable).current_row
        if row is not None:
            self.start_chat(row.provider_id, row.model.id)

    @work(exclusive=True, group="start-chat", exit_on_error=False)
    async def start_chat(self, provider_id: str, model_id: str) -> None:
        try:
            await self.lace.start_chat_with(provider_id, model_id)
        except LaceError as exc:
            self.lace.report(exc)


def _model_extras(model: Model) -> str:
    parts = []
    write, read = model.cost_per_1m_in_cached, model.cost_per_1m_out_cached
    if write is not None or read is not None:
        parts.append(f"cache {format_price(write)} write / {format_price(read)} read")
    if model.reasoning_levels:
        parts.append("effort " + ", ".join(model.reasoning_levels))
    return ("  " + " · ".join(parts)) if parts else ""
