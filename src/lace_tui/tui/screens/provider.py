"""One provider of the catalog: what it is, and its models with prices and limits."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from lace_tui.catalog.models import Model, Provider
from lace_tui.errors import LaceError
from lace_tui.services.cost import format_price
from lace_tui.tui.format import format_tokens
from lace_tui.tui.literal import assemble, cells
from lace_tui.tui.screens.base import LaceScreen
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.section_bar import SectionBar


def cached_prices(model: Model) -> str:
    """Cache write / cache read price (Catwalk's `_in_cached` / `_out_cached`), or `—`."""
    write, read = model.cost_per_1m_in_cached, model.cost_per_1m_out_cached
    if write is None and read is None:
        return "—"
    return f"{format_price(write)}/{format_price(read).removeprefix('$')}"


def model_cells(model: Model) -> tuple[str | Text, ...]:
    """The columns of the provider's model table for `model`."""
    reasoning = ", ".join(model.reasoning_levels) if model.reasoning_levels else "yes"
    return (
        model.display_name,
        Text(model.id, "dim"),
        Text(format_price(model.cost_per_1m_in), justify="right"),
        Text(format_price(model.cost_per_1m_out), justify="right"),
        Text(cached_prices(model), justify="right"),
        Text(format_tokens(model.context_window), justify="right"),
        Text(format_tokens(model.default_max_tokens), justify="right"),
        reasoning if model.can_reason else Text("no", "dim"),
        "yes" if model.supports_attachments else Text("no", "dim"),
    )


class ProviderScreen(LaceScreen):
    """A provider's models; `a` adds an instance of it, Enter starts a chat with a model."""

    SECTION = "catalog"
    HOWTO = (
        "The models of one provider, with prices in USD per million tokens "
        "(cached: cache write / cache read), context window and output limit.\n"
        "`a` adds an instance of this provider; Enter (or `n`) starts a chat with the "
        "highlighted model. Esc goes back to the catalog."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("a", "add_instance", "Add instance"),
        Binding("n", "chat", "Chat with model"),
    ]

    def __init__(self, provider_id: str) -> None:
        super().__init__()
        self.provider_id = provider_id

    @property
    def provider(self) -> Provider:
        return self.services.catalog.provider(self.provider_id)

    def compose(self) -> ComposeResult:
        yield SectionBar("catalog")
        yield Static(id="provider-info", classes="info")
        table: DataTable[str | Text] = DataTable(
            id="provider-models", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        provider = self.provider
        self.query_one(SectionBar).set_detail(provider.display_name)
        self.query_one("#provider-info", Static).update(self._info(provider))
        table = self.query_one("#provider-models", DataTable)
        for title, key in (
            ("Model", "name"),
            ("ID", "id"),
            ("In $/M", "in"),
            ("Out $/M", "out"),
            ("Cached w/r", "cached"),
            ("Context", "context"),
            ("Max out", "max"),
            ("Reasoning", "reasoning"),
            ("Attach", "attach"),
        ):
            table.add_column(title, key=key)
        table.add_rows(cells(model_cells(model)) for model in provider.models)
        self.set_focus(table)

    def _info(self, provider: Provider) -> Content:
        parts: list[str | tuple[str, str]] = [
            (provider.display_name, "bold"),
            (f"  {provider.id}", "$text-muted"),
            f"  type {provider.type}  {len(provider.models)} models",
            f"\nendpoint {self.services.instances.default_endpoint(provider) or 'none by default'}",
        ]
        if provider.api_key_env:
            parts.append(f"  key from ${provider.api_key_env}")
        if not provider.can_chat:
            parts.append(
                (
                    f"\nBrowse only: lace-tui has no chat client for '{provider.type}' yet.",
                    "bold $text-warning",
                )
            )
        elif not provider.models:
            parts.append(
                ("\nNo models listed: add an instance, then refresh its models.", "italic")
            )
        return assemble(*parts)

    def action_back(self) -> None:
        self.dismiss()

    def action_add_instance(self) -> None:
        """Open the wizard with this provider chosen."""
        from lace_tui.tui.screens.wizard import WizardScreen

        self.app.push_screen(WizardScreen(self.services, provider_id=self.provider_id))

    def _highlighted_model(self) -> Model | None:
        table = self.query_one("#provider-models", DataTable)
        models = self.provider.models
        if table.row_count == 0 or not 0 <= table.cursor_row < len(models):
            return None
        return models[table.cursor_row]

    @on(DataTable.RowSelected, "#provider-models")
    def action_chat(self) -> None:
        """Start a chat with the highlighted model."""
        model = self._highlighted_model()
        if model is None:
            self.notify("This provider lists no models", severity="warning")
            return
        self.start_chat(model.id)

    @work(exclusive=True, group="start-chat", exit_on_error=False)
    async def start_chat(self, model_id: str) -> None:
        try:
            await self.lace.start_chat_with(self.provider_id, model_id)
        except LaceError as exc:
            self.lace.report(exc)
