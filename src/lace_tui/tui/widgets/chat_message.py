"""One message of a transcript: the user's prompt, or a reply that renders as Markdown while it
streams, with its reasoning dimmed and collapsible and a summary line underneath."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Collapsible, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from lace_tui.services.cost import format_cost
from lace_tui.sessions.models import Message

# Deltas arriving faster than this are written to the screen together: Markdown's append
# re-parses the open block, so one write per token would fall behind at 1,000 tokens/s.
FLUSH_INTERVAL = 1 / 30
# At most this much text goes to the screen per flush (cut at a line end): a reply that
# arrives all at once is drawn over a few frames instead of in one long, input-blocking one.
MAX_WRITE_CHARS = 1000


def tokens_per_second(message: Message) -> float | None:
    """Output tokens per second after the first token, from what the store kept."""
    if message.output_tokens is None or message.duration_ms is None:
        return None
    elapsed_ms = message.duration_ms - (message.ttft_ms or 0)
    if elapsed_ms <= 0:
        return None
    return message.output_tokens / (elapsed_ms / 1000)


def reply_summary(message: Message, rate: float | None = None) -> str:
    """The line under a reply: model, tokens, cost, time to first token, throughput, status."""
    parts = [f"{message.model_id} @ {message.instance_id}"]
    if message.failed_over:  # #15: the instances that failed before this one answered
        failed = [line.split(":", 1)[0] for line in message.failed_over.splitlines()]
        parts.append(f"fallback after {', '.join(failed)} failed")
    if message.status == "streaming":
        return " · ".join([*parts, "streaming…"])
    if message.input_tokens is not None or message.output_tokens is not None:
        tokens_in = "?" if message.input_tokens is None else f"{message.input_tokens:,}"
        tokens_out = "?" if message.output_tokens is None else f"{message.output_tokens:,}"
        parts.append(f"{tokens_in} in / {tokens_out} out tokens")
    else:
        parts.append("tokens unknown")
    cost = format_cost(message.cost_usd)
    parts.append(cost if message.cost_usd is not None else f"cost {cost}")
    if message.ttft_ms is not None:
        parts.append(f"TTFT {message.ttft_ms:,} ms")
    rate = rate if rate is not None else tokens_per_second(message)
    if rate is not None:
        parts.append(f"{rate:,.1f} tok/s")
    if message.status == "interrupted":
        parts.append("interrupted")
    return " · ".join(parts)


def error_line(message: Message) -> str:
    """The error under a failed reply, in one line (it already says what to do)."""
    return f"✗ {message.error or 'the reply failed'}"


class UserMessage(Static):
    """The user's prompt, shown as typed (plain text: cheap, and exactly what was sent)."""

    DEFAULT_CSS = """
    UserMessage {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $accent;
        background: $boost;
        color: $text;
    }
    """

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(Content(text), id=id)
        self.text = text


class ReplyView(Vertical):
    """An assistant reply. Built finished from a stored message, or empty and then fed
    deltas with `add_text`/`add_reasoning` and settled with `finish`."""

    DEFAULT_CSS = """
    ReplyView {
        height: auto;
        margin: 1 0 0 0;
    }
    ReplyView > Collapsible {
        display: none;
        border: none;
        padding: 0;
        margin: 0;
        background: transparent;
    }
    ReplyView > Collapsible.-has-reasoning {
        display: block;
    }
    ReplyView > Collapsible > Contents {
        padding: 0 0 0 2;
    }
    ReplyView .reply-reasoning {
        color: $text-muted;
        text-style: italic;
    }
    ReplyView > Markdown {
        margin: 0;
        padding: 0 1;
    }
    ReplyView > .reply-summary {
        color: $text-muted;
        padding: 0 1;
    }
    ReplyView > .reply-error {
        color: $error;
        padding: 0 1;
    }
    ReplyView > .reply-summary.-interrupted {
        color: $warning;
    }
    """

    def __init__(self, message: Message, *, rate: float | None = None) -> None:
        super().__init__()
        self.message = message
        self.message_id = message.id
        self._rate = rate
        self._text = message.content
        self._reasoning = message.reasoning
        self._pending_text: list[str] = []
        self._pending_reasoning: list[str] = []
        self._stream: MarkdownStream | None = None
        self._flush_timer: Timer | None = None
        self._lock = asyncio.Lock()
        self._finished = message.status != "streaming"
        self._seen_text = bool(message.content)

    @property
    def text(self) -> str:
        """Everything received so far, whether or not it is on screen yet."""
        return self._text + "".join(self._pending_text)

    @property
    def reasoning(self) -> str:
        return self._reasoning + "".join(self._pending_reasoning)

    @property
    def streaming(self) -> bool:
        return not self._finished

    def compose(self) -> ComposeResult:
        streaming = self.message.status == "streaming"
        with Collapsible(
            title="Thinking…" if streaming else "Reasoning",
            collapsed=not streaming,
            classes="-has-reasoning" if self._reasoning else "",
        ):
            yield Static(Content(self._reasoning), classes="reply-reasoning")
        yield Markdown(self._text or None)
        error = Static(error_line(self.message), classes="reply-error")
        error.display = self.message.status == "error"
        yield error
        yield Static(
            reply_summary(self.message, self._rate),
            classes=f"reply-summary -{self.message.status}",
        )

    # -- streaming -------------------------------------------------------------------------

    def add_text(self, delta: str) -> None:
        """Queue a piece of the reply; it reaches the screen within one flush interval."""
        if delta:
            self._pending_text.append(delta)
            self._schedule_flush()

    def add_reasoning(self, delta: str) -> None:
        if delta:
            self._pending_reasoning.append(delta)
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self._flush_timer is None and not self._finished:
            self._flush_timer = self.set_timer(FLUSH_INTERVAL, self._flush, name="reply-flush")

    async def _flush(self) -> None:
        # The timer stays set while writing, so deltas arriving meanwhile wait for the next
        # flush a full interval after this one ends: a slow frame slows the cadence instead
        # of queueing writes back to back.
        async with self._lock:
            if not self._finished:
                await self._write_pending()
        self._flush_timer = None
        if self._pending_text or self._pending_reasoning:
            self._schedule_flush()

    async def _write_pending(self) -> None:
        """Move queued deltas to the screen (call with the lock held)."""
        if self._pending_reasoning:
            self._reasoning += "".join(self._pending_reasoning)
            self._pending_reasoning.clear()
            collapsible = self.query_one(Collapsible)
            collapsible.add_class("-has-reasoning")
            self.query_one(".reply-reasoning", Static).update(Content(self._reasoning))
        if self._pending_text:
            chunk = "".join(self._pending_text)
            self._pending_text.clear()
            if len(chunk) > MAX_WRITE_CHARS:
                cut = chunk.rfind("\n", 0, MAX_WRITE_CHARS) + 1 or MAX_WRITE_CHARS
                chunk, rest = chunk[:cut], chunk[cut:]
                self._pending_text.append(rest)
            self._text += chunk
            if not self._seen_text:
                self._seen_text = True
                # The answer has begun: fold the thinking away so the answer is in view.
                self.query_one(Collapsible).collapsed = True
            if self._stream is None:
                self._stream = Markdown.get_stream(self.query_one(Markdown))
            await self._stream.write(chunk)

    async def _next_frame(self) -> None:
        """Wait until the screen has drawn what was written so far."""
        drawn = asyncio.Event()
        self.call_after_refresh(drawn.set)
        await drawn.wait()

    async def finish(self, message: Message, rate: float | None = None) -> None:
        """Settle the reply as the store kept it: its text, reasoning, summary and status."""
        async with self._lock:
            if self._flush_timer is not None:
                self._flush_timer.stop()
                self._flush_timer = None
            await self._write_pending()
            while self._pending_text:
                await self._next_frame()  # let a frame (and keystrokes) through
                await self._write_pending()
            self._finished = True
            if self._stream is not None:
                await self._stream.stop()
                self._stream = None
            self.message = message
            self._rate = rate
            collapsible = self.query_one(Collapsible)
            collapsible.title = "Reasoning"
            if message.reasoning and message.reasoning != self._reasoning:
                self._reasoning = message.reasoning
                self.query_one(".reply-reasoning", Static).update(Content(self._reasoning))
            collapsible.set_class(bool(self._reasoning), "-has-reasoning")
            # The stored text is the truth. When it is exactly what was streamed, the document
            # already equals a full render (Markdown.append re-parses the open block with all
            # its context; test_tui_chat_markdown checks this holds), and rendering 2,000
            # tokens again would freeze typing for a moment. Otherwise (nothing streamed yet,
            # deltas we never saw, a note appended by the store) one full render settles it.
            self._text = message.content
            markdown = self.query_one(Markdown)
            if markdown.source != self._text:
                await markdown.update(self._text)
            # Status shows on the small widgets: a class on the reply itself would restyle
            # every block of its Markdown.
            error = self.query_one(".reply-error", Static)
            error.update(Content(error_line(message)))
            error.display = message.status == "error"
            summary = self.query_one(".reply-summary", Static)
            summary.update(Content(reply_summary(message, rate)))
            for status in ("streaming", "complete", "interrupted", "error"):
                summary.set_class(status == message.status, f"-{status}")
