"""The prompt: a multi-line input where Enter sends and Ctrl+J starts a new line.

Most terminals send Shift+Enter and Alt+Enter exactly as Enter (Textual then sees Enter), so
Ctrl+J, which every terminal sends as a line feed, is the newline key. Where the terminal
does tell them apart (the kitty keyboard protocol: kitty, WezTerm, foot, Ghostty), Shift+Enter
and Alt+Enter add a line too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

NEWLINE_KEYS = ("ctrl+j", "newline", "shift+enter", "alt+enter")


class ChatPrompt(TextArea):
    """Multi-line prompt input. Posts `ChatPrompt.Submitted`; the screen decides what to do
    with the text (and clears it only once the prompt is safely stored)."""

    DEFAULT_CSS = """
    ChatPrompt {
        height: auto;
        min-height: 3;
        max-height: 10;
        border: tall $border-blurred;
        padding: 0 1;
    }
    ChatPrompt:focus {
        border: tall $border;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Send", key_display="enter"),
        Binding("ctrl+j,shift+enter,alt+enter", "newline", "New line", key_display="ctrl+j"),
    ]

    @dataclass
    class Submitted(Message):
        """Enter was pressed: send `text`."""

        prompt: ChatPrompt
        text: str

        @property
        def control(self) -> ChatPrompt:
            return self.prompt

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="Type a prompt · enter sends · ctrl+j adds a line",
            highlight_cursor_line=False,
        )

    async def _on_key(self, event: events.Key) -> None:
        # TextArea inserts a newline on Enter itself; take Enter before it does.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()
        elif event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.action_newline()

    def action_submit(self) -> None:
        """Ask the screen to send the text."""
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        """Insert a line break at the cursor (replacing any selection)."""
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)

    def restore(self, text: str) -> None:
        """Put back a prompt that could not be sent, keeping anything typed since."""
        current = self.text
        if current.strip() and current != text:
            self.load_text(text.rstrip("\n") + "\n" + current)
        else:
            self.load_text(text)
        self.move_cursor(self.document.end)
