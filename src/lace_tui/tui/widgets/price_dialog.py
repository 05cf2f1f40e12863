"""Set your own price for a model of an instance (#14): it wins over every other source and
survives model refreshes. Empty input and output prices remove it."""

from __future__ import annotations

import math
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from lace_tui.instances.prices import ModelPrice
from lace_tui.textsafe import printable

PriceAnswer = ModelPrice | Literal["clear"]

_FIELDS = (("input", "Input $/1M"), ("output", "Output $/1M"), ("cached", "Cached in $/1M"))


def _amount(text: str) -> float | None:
    """A price typed by the user; None when empty; ValueError when not a price."""
    if not text.strip():
        return None
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


class PriceDialog(ModalScreen[PriceAnswer | None]):
    """Three prices in USD per million tokens. Enter saves, Esc cancels."""

    DEFAULT_CSS = """
    PriceDialog { align: center middle; }
    PriceDialog > Vertical {
        width: 64; max-width: 90%; height: auto;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    PriceDialog .dialog-title { text-style: bold; margin-bottom: 1; }
    PriceDialog .dialog-body { color: $text-muted; }
    PriceDialog Horizontal { height: 1; }
    PriceDialog Horizontal Label { width: 16; }
    PriceDialog Input { width: 1fr; }
    PriceDialog #price-error { color: $text-error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, current: ModelPrice | None) -> None:
        super().__init__()
        self._title = title
        self._current = current

    def compose(self) -> ComposeResult:
        current = self._current
        values = {
            "input": current.input if current else None,
            "output": current.output if current else None,
            "cached": current.cached_input if current else None,
        }
        with Vertical():
            # A model id comes from a server: no markup, no control characters.
            yield Label(Content(printable(self._title, one_line=True)), classes="dialog-title")
            for key, label in _FIELDS:
                with Horizontal():
                    yield Label(label)
                    value = values[key]
                    yield Input(
                        "" if value is None else f"{value:g}",
                        placeholder="optional" if key == "cached" else "",
                        id=f"price-{key}",
                        compact=True,
                    )
            yield Static("", id="price-error")
            yield Static(
                "enter saves · empty input and output remove your price · esc cancels",
                classes="dialog-body",
            )

    @on(Input.Submitted)
    def _on_submit(self) -> None:
        texts = {key: self.query_one(f"#price-{key}", Input).value for key, _ in _FIELDS}
        try:
            amounts = {key: _amount(text) for key, text in texts.items()}
        except ValueError:
            self.query_one("#price-error", Static).update("Prices are amounts in USD, like 3")
            return
        if amounts["input"] is None and amounts["output"] is None:
            self.dismiss("clear")
            return
        if amounts["input"] is None or amounts["output"] is None:
            self.query_one("#price-error", Static).update("Give both the input and output price")
            return
        self.dismiss(
            ModelPrice(
                input=amounts["input"], output=amounts["output"], cached_input=amounts["cached"]
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
