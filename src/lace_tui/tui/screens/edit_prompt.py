"""Edit an earlier prompt before it is sent again: the prompt's own editor in a modal."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from lace_tui.tui.widgets.chat_prompt import ChatPrompt


class EditPromptDialog(ModalScreen[str | None]):
    """Enter resends the edited text (ctrl+j adds a line); Esc keeps the conversation as is."""

    DEFAULT_CSS = """
    EditPromptDialog {
        align: center middle;
    }
    EditPromptDialog > Vertical {
        width: 90%;
        max-width: 100;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    EditPromptDialog .dialog-title {
        text-style: bold;
    }
    EditPromptDialog .dialog-body {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Edit the prompt and send it again", classes="dialog-title")
            yield ChatPrompt(id="edit-prompt")
            yield Static(
                "enter resends · ctrl+j new line · esc cancels. The turns after it leave the "
                "conversation (kept in the store).",
                classes="dialog-body",
            )

    def on_mount(self) -> None:
        editor = self.query_one("#edit-prompt", ChatPrompt)
        editor.load_text(self._text)
        editor.move_cursor(editor.document.end)
        editor.focus()

    @on(ChatPrompt.Submitted)
    def _on_submit(self, event: ChatPrompt.Submitted) -> None:
        event.stop()
        if event.text.strip():
            self.dismiss(event.text)

    def action_cancel(self) -> None:
        self.dismiss(None)
