"""The transcript as a list of messages to move through: a cursor on one message (up/down),
and the keys that act on it. The chat screen does what needs the store; copying is done here.

Mounted message widgets map onto the agent's visible stored messages in order: the widget at
index i shows stored message `hidden_count + i` (the window the transcript mounts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message as TextualMessage

from lace_tui.services.conversation import code_blocks
from lace_tui.sessions.models import Message
from lace_tui.tui.widgets.chat_message import ReplyView
from lace_tui.tui.widgets.chat_transcript import MessageWidget, Transcript

MessageAction = Literal["regenerate", "edit", "delete"]


class MessageTranscript(Transcript):
    """A transcript with a message cursor while it has focus."""

    DEFAULT_CSS = """
    MessageTranscript > .-cursor {
        outline-left: thick $warning;
    }
    MessageTranscript:focus > .-cursor {
        background: $warning 12%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Previous message", show=False),
        Binding("down,j", "move(1)", "Next message", show=False),
        Binding("r", "act('regenerate')", "Regenerate", tooltip="Ask for the last reply again"),
        Binding("e", "act('edit')", "Edit", tooltip="Edit this prompt and send it again"),
        Binding("y", "copy", "Copy", tooltip="Copy the message to the clipboard"),
        Binding("c", "copy_code", "Code", tooltip="Copy a code block (again: the next one)"),
        Binding("d", "act('delete')", "Delete", tooltip="Delete this turn, after asking"),
    ]

    @dataclass
    class Act(TextualMessage):
        """The user asked for `action` on the stored message under the cursor."""

        transcript: MessageTranscript
        action: MessageAction
        index: int  # of the message among the agent's visible stored messages

    def __init__(
        self,
        fetch: Callable[[], list[Message]],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(fetch, id=id, classes=classes)
        self._cursor: int | None = None  # index into message_widgets()
        self._pinned = False  # keep the cursor's message in view while sizes settle
        self._code_of: MessageWidget | None = None  # whose code blocks "c" walks through
        self._code_at = 0

    # -- the cursor ------------------------------------------------------------------------

    @property
    def cursor_widget(self) -> MessageWidget | None:
        widgets = self.message_widgets()
        if self._cursor is None or not 0 <= self._cursor < len(widgets):
            return None
        return widgets[self._cursor]

    @property
    def cursor_index(self) -> int | None:
        """The stored index (among the agent's visible messages) under the cursor."""
        if self.cursor_widget is None or self._cursor is None:
            return None
        return self.hidden_count + self._cursor

    def on_focus(self) -> None:
        if self.cursor_widget is None and self.message_widgets():
            self._set_cursor(len(self.message_widgets()) - 1)

    def _set_cursor(self, position: int) -> None:
        widgets = self.message_widgets()
        old = self.cursor_widget
        if old is not None:
            old.remove_class("-cursor")
        if not widgets:
            self._cursor = None
            return
        self._cursor = max(0, min(position, len(widgets) - 1))
        widget = widgets[self._cursor]
        widget.add_class("-cursor")
        # Reading back through the conversation: stop following the bottom (sending again
        # anchors it), and scroll once the messages just mounted have their sizes.
        self.anchor(False)
        self._pinned = True
        self.call_after_refresh(self._scroll_to_cursor)

    def watch_virtual_size(self) -> None:
        # Replies above the cursor lay out their Markdown over the next frames: keep the
        # message in view until the user scrolls by hand or leaves the transcript.
        if self._pinned:
            self.call_after_refresh(self._scroll_to_cursor)

    def on_blur(self) -> None:
        self._pinned = False

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._pinned = False

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._pinned = False

    def action_page_up(self) -> None:
        self._pinned = False
        super().action_page_up()

    def action_page_down(self) -> None:
        self._pinned = False
        super().action_page_down()

    # -- acting on the message under the cursor --------------------------------------------

    def action_act(self, action: MessageAction) -> None:
        index = self.cursor_index
        if index is not None:
            self.post_message(self.Act(self, action, index))

    def action_copy(self) -> None:
        """Copy the message as stored (Markdown for a reply), through OSC 52."""
        widget = self.cursor_widget
        if widget is None:
            return
        self.app.copy_to_clipboard(widget.text)
        what = "reply" if isinstance(widget, ReplyView) else "prompt"
        self.notify(f"Copied the {what} ({len(widget.text):,} characters).")

    def action_copy_code(self) -> None:
        """Copy a code block of the message; pressing again copies the next one."""
        widget = self.cursor_widget
        if widget is None:
            return
        blocks = code_blocks(widget.text)
        if not blocks:
            self.notify("No code block in this message: y copies all of it.", severity="warning")
            return
        same = self._code_of is widget
        self._code_at = (self._code_at + 1) % len(blocks) if same else 0
        self._code_of = widget
        self.app.copy_to_clipboard(blocks[self._code_at])
        self.notify(f"Copied code block {self._code_at + 1} of {len(blocks)}.")

    async def reload(self) -> None:
        """Show the conversation again as stored (after a turn was replaced or deleted)."""
        self._cursor = None
        self._pinned = False
        await self.recompose()
        self._sync_chrome()
        self.anchor()

    def _scroll_to_cursor(self) -> None:
        widget = self.cursor_widget
        if widget is not None:
            tall = widget.outer_size.height > self.scrollable_content_region.height
            self.scroll_to_widget(widget, animate=False, top=tall)

    async def action_move(self, step: int) -> None:
        """Move the cursor to the previous or next message (loading earlier ones at the top)."""
        if self._cursor is None:
            self._set_cursor(len(self.message_widgets()) - 1)
            return
        target = self._cursor + step
        if target < 0 and self.hidden_count:
            added = await self.load_earlier()
            target += added
        self._set_cursor(target)

    async def reveal(self, index: int) -> bool:
        """Put the cursor on the stored message at `index` (loading earlier pages as needed)."""
        while self.hidden_count > index:
            if not await self.load_earlier():
                break
        position = index - self.hidden_count
        if not 0 <= position < len(self.message_widgets()):
            return False
        self._set_cursor(position)
        return True


def stored_index(messages: list[Message], message_id: int) -> int | None:
    """Where a message is among an agent's visible messages, if it is there."""
    for index, message in enumerate(messages):
        if message.id == message_id:
            return index
    return None


def is_reply(widget: MessageWidget | None) -> bool:
    return isinstance(widget, ReplyView)
