"""The transcript of one agent: its messages, newest at the bottom, following a streaming reply
unless the user scrolled up. Only a window of the latest messages is mounted, so a session of
thousands of messages opens as fast as a short one; earlier ones load a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Static

from lace_tui.sessions.models import Message
from lace_tui.tui.widgets.chat_message import ReplyView, UserMessage

# What a transcript mounts when it opens, and what each "load earlier" adds: the newest
# messages up to about this many lines of text, but at least MIN_MESSAGES and at most
# MAX_MESSAGES. Every Markdown block is a widget and each costs a few milliseconds to mount
# and lay out: a hundred lines open in a few tenths of a second, thousands would take seconds.
WINDOW_LINES = 100
MIN_MESSAGES = 2
MAX_MESSAGES = 40
# Chatting on in one transcript unmounts the oldest messages beyond this many lines, so
# a long conversation does not slow down every frame of the next reply.
MAX_MOUNTED_LINES = 4 * WINDOW_LINES
# Opening a transcript mounts this many lines of its newest messages first (a screen or two),
# and the rest of the window just after the first frame: a reopened session shows sooner.
FIRST_PAINT_LINES = 12


def text_lines(text: str) -> int:
    """Roughly how many lines a text takes on screen (and so how many widgets)."""
    return text.count("\n") + len(text) // 100 + 1


def message_lines(message: Message) -> int:
    return text_lines(message.content)


def window_start(messages: Sequence[Message], end: int, budget: int = WINDOW_LINES) -> int:
    """Where the page of messages that ends (exclusive) at `end` starts."""
    start, lines = end, 0
    while start > 0 and end - start < MAX_MESSAGES:
        size = message_lines(messages[start - 1])
        if end - start >= MIN_MESSAGES and lines + size > budget:
            break
        start -= 1
        lines += size
    return start


MessageWidget = UserMessage | ReplyView


def message_widget(message: Message) -> MessageWidget:
    """The widget that shows a stored message."""
    if message.role == "user":
        return UserMessage(message.content)
    return ReplyView(message)


class Transcript(VerticalScroll):
    """Messages of one agent. `fetch` returns every stored message of the agent, oldest first."""

    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        padding: 0 1 1 1;
        scrollbar-size-vertical: 1;
    }
    Transcript > #load-earlier {
        width: 100%;
        min-width: 0;
        height: 1;
        border: none;
        margin: 0;
        background: $boost;
        color: $text-muted;
        display: none;
    }
    Transcript > #load-earlier:focus {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    Transcript.-has-earlier > #load-earlier {
        display: block;
    }
    Transcript > .transcript-empty {
        color: $text-muted;
        padding: 1 1;
    }
    """

    def __init__(
        self,
        fetch: Callable[[], list[Message]],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._fetch = fetch
        self._hidden = 0
        self._after_first_paint: list[Message] = []  # the window's rest, mounted next

    @property
    def hidden_count(self) -> int:
        """Stored messages above the window, not mounted."""
        return self._hidden

    def message_widgets(self) -> list[MessageWidget]:
        return [child for child in self.children if isinstance(child, UserMessage | ReplyView)]

    def compose(self) -> ComposeResult:
        messages = self._fetch()
        start = window_start(messages, len(messages))
        first = window_start(messages, len(messages), FIRST_PAINT_LINES)
        self._hidden = start
        self._after_first_paint = messages[start:first]
        yield Button(self._earlier_label(), id="load-earlier", compact=True)
        yield Static("No messages yet.", classes="transcript-empty")
        for message in messages[first:]:
            yield message_widget(message)

    def on_mount(self) -> None:
        self._sync_chrome()
        self.anchor()
        if self._after_first_paint:
            self.call_after_refresh(self._mount_rest_of_window)

    async def _mount_rest_of_window(self) -> None:
        page = [message_widget(message) for message in self._after_first_paint]
        self._after_first_paint = []
        if page and self.is_attached:
            await self.mount_all(page, after=self.query_one(".transcript-empty"))

    def _earlier_label(self) -> str:
        return f"▲ load earlier messages ({self._hidden:,} not shown)"

    def _sync_chrome(self) -> None:
        self.set_class(self._hidden > 0, "-has-earlier")
        self.query_one("#load-earlier", Button).label = self._earlier_label()
        for empty in self.query(".transcript-empty"):
            empty.display = not self.message_widgets()

    @on(Button.Pressed, "#load-earlier")
    async def _on_load_earlier(self, event: Button.Pressed) -> None:
        event.stop()
        await self.load_earlier()

    async def load_earlier(self) -> int:
        """Mount the page of messages just above the window; returns how many were added."""
        await self._mount_rest_of_window()
        if self._hidden <= 0:
            return 0
        messages = self._fetch()
        mounted = len(self.message_widgets())
        end = max(0, len(messages) - mounted)
        start = window_start(messages, end)
        page = [message_widget(message) for message in messages[start:end]]
        if page:
            await self.mount_all(page, after=self.query_one("#load-earlier"))
        self._hidden = start
        self._sync_chrome()
        return len(page)

    async def _append(self, widget: MessageWidget) -> None:
        await self.mount(widget)
        await self._trim()
        self._sync_chrome()

    async def _trim(self) -> None:
        widgets = self.message_widgets()
        lines = sum(text_lines(widget.text) for widget in widgets)
        dropped: list[MessageWidget] = []
        for widget in widgets[: -MIN_MESSAGES or None]:
            if lines <= MAX_MOUNTED_LINES:
                break
            if isinstance(widget, ReplyView) and widget.streaming:
                break  # its worker still writes to it; so may the ones after it
            dropped.append(widget)
            lines -= text_lines(widget.text)
        if dropped:
            await self.remove_children(dropped)
            self._hidden += len(dropped)

    async def add_user(self, text: str) -> UserMessage:
        """Show a prompt being sent, and follow the bottom from here on."""
        widget = UserMessage(text)
        await self._append(widget)
        self.anchor()
        return widget

    async def add_reply(self, message: Message) -> ReplyView:
        """Show a reply that has just started streaming (or ended at once, with an error)."""
        widget = ReplyView(message)
        await self._append(widget)
        return widget

    async def drop(self, widget: Widget) -> None:
        """Take back a message that was never stored (sending failed before it was)."""
        if widget.parent is self:
            await widget.remove()
        self._sync_chrome()
