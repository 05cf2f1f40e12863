"""The reply widget's Markdown streaming: what streaming draws equals a full render, deltas
are batched, and the stored text always wins at the end."""

from __future__ import annotations

import random

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from lace_tui.sessions.models import Message
from lace_tui.tui.widgets.chat_message import MAX_WRITE_CHARS, ReplyView, reply_summary
from tests.tui.conftest import wait_until

SAMPLES = [
    "# Title\n\nSome text\nmore text\n\nSetext\n------\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nafter",
    "1. one\n2. two\n   - nested a\n   - nested b\n3. three\n\n> quote\n> more\n\n```\ncode\n\n"
    "more code\n```\ntext after\n",
    "Para with `code`, **bold** and [a link](http://example.com).\n\n---\n\n* a\n* b\n\n"
    "```python\nprint(1)\n",  # ends inside an open fence, as a cut-off reply does
    "    indented code\n    more\n\nend *emphasis\n",
]


def blocks(markdown: Markdown) -> list[tuple[str, str]]:
    """What is drawn: each block's type and, for leaf blocks, its text."""
    return [
        (type(block).__name__, "" if block.children else str(block.render()))
        for block in markdown.query(MarkdownBlock)
    ]


class TwoDocuments(App[None]):
    def compose(self) -> ComposeResult:
        yield Markdown(id="streamed")
        yield Markdown(id="rendered")


async def test_streamed_markdown_equals_a_full_render() -> None:
    """ReplyView skips its final full render when the streamed text is already the stored
    text; that is only right while Textual's streaming ends where a full render would."""
    chunker = random.Random(7)
    app = TwoDocuments()
    async with app.run_test() as pilot:
        streamed = app.query_one("#streamed", Markdown)
        rendered = app.query_one("#rendered", Markdown)
        for text in SAMPLES:
            for _ in range(2):
                await streamed.update("")
                stream = Markdown.get_stream(streamed)
                at = 0
                while at < len(text):
                    size = chunker.randint(1, 30)
                    await stream.write(text[at : at + size])
                    at += size
                    if chunker.random() < 0.1:
                        await pilot.pause()
                await stream.stop()
                await rendered.update(text)
                await pilot.pause()
                assert streamed.source == text
                assert blocks(streamed) == blocks(rendered), text


def message(status: str = "streaming", content: str = "", **extra: object) -> Message:
    return Message.model_validate(
        {
            "id": 1,
            "agent_id": "a-1",
            "role": "assistant",
            "content": content,
            "status": status,
            "model_id": "m",
            "instance_id": "i",
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
            **extra,
        }
    )


class OneReply(App[None]):
    def __init__(self, reply: ReplyView) -> None:
        super().__init__()
        self.reply = reply

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.reply


async def test_deltas_are_batched_and_the_stored_text_wins() -> None:
    reply = ReplyView(message())
    app = OneReply(reply)
    async with app.run_test() as pilot:
        markdown = reply.query_one(Markdown)
        for word in ["Hello", " wide", " world"]:
            reply.add_text(word)
        # Not on screen yet: deltas wait for the next flush, then go together.
        assert markdown.source == ""
        assert reply.text == "Hello wide world"
        await wait_until(pilot, lambda: markdown.source == "Hello wide world")
        # The store appended a note the stream never carried: the stored text is drawn.
        stored = "Hello wide world\n\n[length: the reply hit max_tokens]"
        await reply.finish(message("complete", stored, output_tokens=3, input_tokens=2))
        assert markdown.source == stored
        assert not reply.streaming
        reply.add_text("late")  # a delta after the end is ignored, never drawn
        await pilot.pause(0.1)
        assert markdown.source == stored


async def test_a_reply_arriving_at_once_is_drawn_in_pieces_but_whole() -> None:
    text = "".join(f"Paragraph {n} " + "word " * 40 + "\n\n" for n in range(60))
    assert len(text) > 5 * MAX_WRITE_CHARS
    reply = ReplyView(message())
    app = OneReply(reply)
    async with app.run_test() as pilot:
        reply.add_text(text)
        await reply.finish(message("complete", text))
        await pilot.pause()
        markdown = reply.query_one(Markdown)
        assert markdown.source == text
        assert len(markdown.query(MarkdownBlock)) == 60


async def test_error_and_interrupted_replies_say_so() -> None:
    failed = ReplyView(message("error", error="instance 'x': the key was rejected (401)"))
    app = OneReply(failed)
    async with app.run_test():
        error = failed.query_one(".reply-error")
        assert error.display
        assert "401" in str(error.render())
    cut = message("interrupted", "partial", ttft_ms=120, duration_ms=1120, output_tokens=50)
    summary = reply_summary(cut)
    assert "interrupted" in summary
    assert "TTFT 120 ms" in summary and "50.0 tok/s" in summary
    assert "cost unknown" in summary  # an unknown price never reads as $0
