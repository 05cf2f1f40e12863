"""Pick an instance and one of its models: price, context, capabilities, and what the next turn
of the current conversation would cost on each. Favourites (aliases, the default, pinned and
recently used models) come first; models an instance's filters hide show only when searched."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from lace_tui.errors import LaceError
from lace_tui.services.app_services import Services
from lace_tui.services.cost import estimate_cost, format_cost, format_price
from lace_tui.services.instance_service import InstanceModel, InstanceView
from lace_tui.services.model_prefs import Favourite, ModelRef
from lace_tui.textsafe import printable
from lace_tui.tui.widgets.chat_header import compact_count

# The reply length assumed when estimating what the next turn costs.
ESTIMATE_OUTPUT_TOKENS = 1000
# The option id of the favourites entry (never an instance id: those have no '*').
FAVOURITES = "*favourites"


@dataclass(frozen=True)
class ModelPick:
    """The user chose this model of this instance."""

    instance_id: str
    model_id: str


@dataclass(frozen=True)
class GoToInstances:
    """The user wants to configure an instance first."""


PickerResult = ModelPick | GoToInstances


@dataclass(frozen=True)
class PickerRow:
    """One row of the models table: a model of an instance, how it is tagged (alias name,
    default, pinned, recent), and why it cannot be picked, if it cannot."""

    instance_id: str
    model_id: str
    model: InstanceModel | None
    tag: str = ""
    problem: str | None = None
    hidden: bool = False


def favourite_rows(favourites: list[Favourite], query: str) -> list[PickerRow]:
    """The favourites as table rows, those matching every word of `query`."""
    rows: list[PickerRow] = []
    words = query.casefold().split()
    for item in favourites:
        name = item.model.name if item.model else ""
        haystack = f"{item.label} {item.ref} {name}".casefold()
        if all(word in haystack for word in words):
            tag = "★" if item.kind == "pinned" else item.label
            ref = item.ref
            rows.append(PickerRow(ref.instance_id, ref.model_id, item.model, tag, item.problem))
    return rows


def capabilities(model: InstanceModel) -> str:
    info = model.info
    if info is None:
        return ""
    caps = []
    if info.can_reason:
        caps.append("reason")
    if info.supports_attachments:
        caps.append("images")
    return " ".join(caps)


def matches(model: InstanceModel, query: str) -> bool:
    """Every word of the query appears in the model's id or name (case-insensitive)."""
    haystack = f"{model.id} {model.name}".casefold()
    return all(word in haystack for word in query.casefold().split())


def next_turn_cost(model: InstanceModel, history_tokens: int) -> str:
    """The estimated cost of one more turn (history in, ~1,000 tokens out), or why not."""
    window = model.context_window
    if window is not None and history_tokens > window:
        return "won't fit"
    return format_cost(estimate_cost(history_tokens, ESTIMATE_OUTPUT_TOKENS, model.info))


class ModelPicker(ModalScreen[PickerResult | None]):
    """Instances on the left, the chosen instance's models on the right.

    Type to filter, ↑/↓ to move, Enter to pick, Tab to reach the instances, Esc to cancel.
    """

    DEFAULT_CSS = """
    ModelPicker {
        align: center middle;
    }
    ModelPicker > #picker {
        width: 96%;
        max-width: 140;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ModelPicker #picker-title {
        text-style: bold;
        width: 100%;
    }
    ModelPicker .picker-label {
        color: $text-muted;
        margin-top: 1;
    }
    ModelPicker #picker-instances {
        height: auto;
        max-height: 5;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ModelPicker #picker-filter {
        margin: 0;
    }
    ModelPicker #picker-models {
        height: 1fr;
    }
    ModelPicker #picker-detail {
        height: 2;
        color: $text-muted;
    }
    ModelPicker #picker-hint {
        height: 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ModelPicker #picker-empty {
        height: 1fr;
        padding: 1 2;
    }
    ModelPicker #picker-empty Button {
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "refresh_models", "Ask server for models"),
        Binding("ctrl+f", "toggle_pin", "Pin or unpin model"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
    ]

    def __init__(
        self,
        services: Services,
        *,
        title: str = "Pick a model",
        history_tokens: int = 0,
        current: ModelPick | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self._title = title
        self._history_tokens = history_tokens
        self._current = current
        self._views: list[InstanceView] = []
        self._models: list[InstanceModel] = []
        self._shown: list[PickerRow] = []
        self._favourites: list[Favourite] = []
        self._hidden: set[str] = set()
        self._pinned: set[str] = set()
        self._instance_id: str | None = None
        self._problem = ""

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        try:
            self._views = self.services.instances.views()
        except LaceError as exc:
            self._views = []
            self._problem = exc.message
        self._favourites = self._load_favourites()
        with Vertical(id="picker"):
            yield Label(self._title, id="picker-title")
            if not self._views:
                with Vertical(id="picker-empty"):
                    yield Static(self._empty_text())
                    yield Button("Go to Instances (i)", id="go-instances", variant="primary")
                yield Static("i opens Instances · esc cancels", id="picker-hint")
                return
            yield Label("Instance (tab to reach, ↑↓ to change)", classes="picker-label")
            yield OptionList(*self._instance_options(), id="picker-instances")
            yield Label("Model", classes="picker-label")
            yield Input(
                placeholder="filter models: type part of a name or id",
                id="picker-filter",
                compact=True,
            )
            yield DataTable(id="picker-models", cursor_type="row", zebra_stripes=True)
            yield Static("", id="picker-detail")
            yield Static(
                "enter pick · ctrl+f pin · tab instances · ctrl+r ask server · esc cancel",
                id="picker-hint",
            )

    def _empty_text(self) -> str:
        if self._problem:
            return f"The instances cannot be read: {self._problem}"
        return (
            "No instances configured yet.\n\n"
            "An instance is a connection to a provider: its endpoint and key. "
            "Add one in Instances (or from the Catalog), then come back to pick a model."
        )

    def _load_favourites(self) -> list[Favourite]:
        try:
            self._pinned = set(self.services.prefs.settings().pinned_models)
            return self.services.prefs.favourites(self.services.sessions.recent_models())
        except LaceError as exc:
            self.notify(exc.message, title="Favourites unavailable", severity="warning")
            return []

    def _instance_options(self) -> list[Option]:
        options: list[Option] = []
        if self._favourites:
            label = Content.assemble(
                ("★ Favourites", "bold"), (" · aliases, pinned, recent", "dim")
            )
            options.append(Option(label, id=FAVOURITES))
        for view in self._views:
            label = Content.assemble(
                (view.instance.display_name, "bold"), (f" · {view.provider_name}", "dim")
            )
            if not view.can_chat:
                label = Content.assemble(label, (" · cannot chat", "$error"))
            elif not view.key.available and view.key.source != "none":
                label = Content.assemble(label, (" · key missing", "$warning"))
            options.append(Option(label, id=view.instance.id, disabled=not view.can_chat))
        return options

    def on_mount(self) -> None:
        if not self._views:
            self.query_one("#go-instances", Button).focus()
            return
        table = self.query_one("#picker-models", DataTable)
        table.add_columns("", "Model", "In $/M", "Out $/M", "Context", "Can", "Next turn")
        ids = [view.instance.id for view in self._views]
        chattable = [view.instance.id for view in self._views if view.can_chat]
        wanted = self._current.instance_id if self._current else None
        start = wanted if wanted in chattable else (chattable[0] if chattable else ids[0])
        if self._favourites and self._current is None:
            start = FAVOURITES
        instances = self.query_one("#picker-instances", OptionList)
        instances.highlighted = instances.get_option_index(start)
        self._load_instance(start)
        self.query_one("#picker-filter", Input).focus()

    # -- data ------------------------------------------------------------------------------

    def _load_instance(self, instance_id: str) -> None:
        self._instance_id = instance_id
        self._models, self._hidden, self._problem = [], set(), ""
        if instance_id != FAVOURITES:
            try:
                self._models, self._hidden = self.services.instances.curated_models(instance_id)
            except LaceError as exc:
                self._problem = exc.message
        self._fill_table()

    def _rows(self, query: str) -> list[PickerRow]:
        """Favourites; or the instance's models, pinned first, hidden ones only when searched."""
        if self._instance_id == FAVOURITES:
            return favourite_rows(self._favourites, query)
        instance_id = self._instance_id or ""
        rows = [
            PickerRow(
                instance_id,
                model.id,
                model,
                "★" if f"{instance_id}/{model.id}" in self._pinned else "",
                hidden=model.id in self._hidden,
            )
            for model in self._models
            if matches(model, query) and (query.strip() or model.id not in self._hidden)
        ]
        return sorted(rows, key=lambda row: not row.tag)

    def _fill_table(self) -> None:
        table = self.query_one("#picker-models", DataTable)
        query = self.query_one("#picker-filter", Input).value
        self._shown = self._rows(query)
        table.clear()
        current = self._current
        cursor: int | None = None
        favourites = self._instance_id == FAVOURITES
        for index, row in enumerate(self._shown):
            model = row.model
            is_current = current == ModelPick(row.instance_id, row.model_id)
            if is_current and cursor is None:
                cursor = index
            name = Text(printable(model.name or model.id if model else row.model_id))
            if favourites:
                name.append(f" @ {row.instance_id}", style="dim")
            if row.hidden:
                name.append(" (hidden)", style="dim")
            if row.problem:
                name.append(" · cannot be used", style="red")
            info = model.info if model else None
            window = model.context_window if model else None
            table.add_row(
                "●" if is_current else row.tag,
                name,
                Text(format_price(info.cost_per_1m_in if info else None), justify="right"),
                Text(format_price(info.cost_per_1m_out if info else None), justify="right"),
                Text(compact_count(window) if window else "?", justify="right"),
                capabilities(model) if model else "",
                Text(next_turn_cost(model, self._history_tokens) if model else "", justify="right"),
                key=str(index),
            )
        if cursor is not None:
            table.move_cursor(row=cursor)
        self._show_detail()

    def _highlighted_row(self) -> PickerRow | None:
        table = self.query_one("#picker-models", DataTable)
        if not self._shown or table.cursor_row < 0 or table.cursor_row >= len(self._shown):
            return None
        return self._shown[table.cursor_row]

    def _show_detail(self) -> None:
        detail = self.query_one("#picker-detail", Static)
        row = self._highlighted_row()
        model = row.model if row else None
        if self._problem:
            detail.update(Content.styled(self._problem, "$error"))
        elif row is not None and row.problem:
            detail.update(
                Content.styled(
                    printable(f"{row.instance_id}/{row.model_id}: {row.problem}"), "$error"
                )
            )
        elif model is None:
            if self._models or self._instance_id == FAVOURITES:
                detail.update("No model matches the filter.")
            else:
                detail.update(
                    "This instance lists no models yet: ctrl+r asks the server for its models."
                )
        else:
            source = {
                "catalog": "from the catalog",
                "discovered": "reported by the server",
                "custom": "added by hand",
            }[model.source]
            context = (
                f"{model.context_window:,}-token context"
                if model.context_window
                else "context unknown"
            )
            where = f" @ {row.instance_id}" if row and self._instance_id == FAVOURITES else ""
            hidden = " · hidden here" if row and row.hidden else ""
            detail.update(
                f"{model.id}{where} · {source} · {context}\n"
                f"next turn ≈ {self._history_tokens:,} tokens in + {ESTIMATE_OUTPUT_TOKENS:,} out"
                f" → {next_turn_cost(model, self._history_tokens)}{hidden}"
            )

    # -- events ----------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#picker-instances")
    def _on_instance(self, event: OptionList.OptionHighlighted) -> None:
        instance_id = event.option.id
        if instance_id is not None and instance_id != self._instance_id:
            self._load_instance(instance_id)

    @on(OptionList.OptionSelected, "#picker-instances")
    def _on_instance_chosen(self) -> None:
        self.query_one("#picker-filter", Input).focus()

    @on(Input.Changed, "#picker-filter")
    def _on_filter(self) -> None:
        self._fill_table()

    @on(DataTable.RowHighlighted, "#picker-models")
    def _on_row(self) -> None:
        self._show_detail()

    @on(Input.Submitted, "#picker-filter")
    @on(DataTable.RowSelected, "#picker-models")
    def _on_pick(self) -> None:
        row = self._highlighted_row()
        if row is None:
            self.notify("No model to pick: change the filter or the instance.", severity="warning")
            return
        if row.problem:
            self.notify(row.problem, title="Cannot use this model", severity="error")
            return
        self.dismiss(ModelPick(row.instance_id, row.model_id))

    @on(Button.Pressed, "#go-instances")
    def _on_go_instances(self) -> None:
        self.dismiss(GoToInstances())

    def key_i(self) -> None:
        if not self._views:
            self.dismiss(GoToInstances())

    def action_move(self, rows: int) -> None:
        """Move through the models while typing in the filter."""
        if self.focused is not None and self.focused.id == "picker-instances":
            return
        if not self._views:
            return
        table = self.query_one("#picker-models", DataTable)
        if self._shown:
            row = max(0, min(len(self._shown) - 1, table.cursor_row + rows))
            table.move_cursor(row=row)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_toggle_pin(self) -> None:
        """Pin the highlighted model (listed first, and among the favourites), or unpin it."""
        row = self._highlighted_row()
        if row is not None and row.model is not None:
            self._toggle_pin(ModelRef(row.instance_id, row.model_id))

    @work(exclusive=True, group="picker-pin", exit_on_error=False)
    async def _toggle_pin(self, ref: ModelRef) -> None:
        try:
            pinned = await asyncio.to_thread(self.services.prefs.toggle_pin, ref)
        except LaceError as exc:
            self.notify(exc.message, title="Cannot pin", severity="error")
            return
        self.notify(f"{'Pinned' if pinned else 'Unpinned'} {ref}")
        if self.is_attached:
            self._favourites = self._load_favourites()
            self._fill_table()

    def action_refresh_models(self) -> None:
        if self._instance_id is not None and self._instance_id != FAVOURITES:
            self.notify(f"Asking '{self._instance_id}' for its models…")
            self._refresh(self._instance_id)

    @work(exclusive=True, group="picker-refresh", exit_on_error=False)
    async def _refresh(self, instance_id: str) -> None:
        try:
            found = await self.services.instances.refresh_models(instance_id)
        except LaceError as exc:
            self.notify(exc.message, title="Model discovery failed", severity="error")
            return
        self.notify(f"'{instance_id}' reports {len(found.models)} models.")
        if self._instance_id == instance_id and self.is_attached:
            self._load_instance(instance_id)
