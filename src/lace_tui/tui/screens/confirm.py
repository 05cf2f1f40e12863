"""A yes/no question in a modal: Enter or `y` confirms, Esc or `n` declines."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from lace_tui.tui.literal import literal


class ConfirmScreen(ModalScreen[bool]):
    """Returns True when the user confirms."""

    HOWTO = "Confirm with y (or the highlighted button and Enter); n or Esc cancels."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
        Binding("left,right", "app.focus_previous", show=False),
    ]

    def __init__(
        self,
        question: str,
        detail: str = "",
        *,
        confirm: str = "Yes",
        cancel: str = "Cancel",
        danger: bool = True,
    ) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.confirm_label = confirm
        self.cancel_label = cancel
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm"):
            yield Static(literal(self.question), id="confirm-question")
            if self.detail:
                yield Static(literal(self.detail), id="confirm-detail")
            with Horizontal(classes="buttons"):
                # Cancel has the focus, so a stray Enter never confirms a destructive action.
                yield Button(self.cancel_label, id="confirm-no", compact=True)
                yield Button(
                    f"{self.confirm_label} (y)",
                    id="confirm-yes",
                    variant="error" if self.danger else "primary",
                    compact=True,
                )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#confirm-no", Button))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
