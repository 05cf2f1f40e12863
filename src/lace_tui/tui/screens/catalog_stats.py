"""The catalog's figures (catalog/stats.py): models, price ranges, capability counts and
context windows over the whole catalog and per provider, in a scrollable modal."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from lace_tui.catalog.stats import CatalogStats, ModelSetStats, context_text
from lace_tui.services.cost import format_price
from lace_tui.textsafe import printable


def _span(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "?"
    return format_price(low) if low == high else f"{format_price(low)}-{format_price(high)}"


def _figures(stats: ModelSetStats) -> str:
    return (
        f"{stats.model_count:,} models · {stats.reasoning_count:,} reason · "
        f"{stats.attachment_count:,} attachments · "
        f"mean ctx {context_text(stats.mean_context_window)}"
        f" · in {_span(stats.prices.min_in, stats.prices.max_in)}"
        f" · out {_span(stats.prices.min_out, stats.prices.max_out)} $/M"
    )


def stats_content(stats: CatalogStats) -> Content:
    """The whole catalog first, then each provider: name in bold, its figures dim."""
    parts: list[str | tuple[str, str]] = [
        (f"All {stats.provider_count} providers\n", "bold"),
        _figures(stats) + f" · largest ctx {context_text(stats.max_context_window)}\n\n",
    ]
    for provider in stats.providers:
        name = printable(f"{provider.name} ({provider.provider_id})", one_line=True)
        parts.append((name + "\n", "bold"))
        parts.append((_figures(provider) + "\n", "dim"))
    return Content.assemble(*parts)


class CatalogStatsScreen(ModalScreen[None]):
    """Esc closes."""

    DEFAULT_CSS = """
    CatalogStatsScreen {
        align: center middle;
    }
    CatalogStatsScreen > Vertical {
        width: 100%;
        max-width: 110;
        height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, stats: CatalogStats) -> None:
        super().__init__()
        self._stats = stats

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Catalog statistics · esc closes")
            with VerticalScroll():
                yield Static(stats_content(self._stats))

    def action_close(self) -> None:
        self.dismiss(None)
