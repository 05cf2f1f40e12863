"""The transcript's window of mounted messages: what it opens with, what "load earlier"
adds, and what chatting on unmounts at the top."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Button

from lace_tui.sessions.models import Message
from lace_tui.tui.widgets.chat_message import ReplyView, UserMessage
from lace_tui.tui.widgets.chat_transcript import (
    MAX_MESSAGES,
    MAX_MOUNTED_LINES,
    MIN_MESSAGES,
    WINDOW_LINES,
    Transcript,
    window_start,
)


def message(n: int, content: str, role: str = "assistant", status: str = "complete") -> Message:
    return Message.model_validate(
        {
            "id": n,
            "agent_id": "a-1",
            "role": role,
            "content": content,
            "status": status,
            "model_id": "m",
            "instance_id": "i",
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
        }
    )


def test_window_takes_the_newest_messages_within_the_line_budget() -> None:
    short = [message(n, f"m{n}") for n in range(100)]
    assert window_start(short, 100) == 100 - MAX_MESSAGES  # many short ones: the count caps
    tall = "\n" * (WINDOW_LINES // 4)  # a quarter of the budget (plus a line) each
    tall_ones = [message(n, tall) for n in range(10)]
    assert window_start(tall_ones, 10) == 7  # three fit; a fourth would overflow
    huge = [message(n, "\n" * (3 * WINDOW_LINES)) for n in range(5)]
    assert window_start(huge, 5) == 5 - MIN_MESSAGES  # always at least a prompt and a reply
    assert window_start(short, 0) == 0


class OneTranscript(App[None]):
    def __init__(self, stored: list[Message]) -> None:
        super().__init__()
        self.stored = stored

    def compose(self) -> ComposeResult:
        yield Transcript(lambda: list(self.stored))


async def test_chatting_on_unmounts_the_oldest_but_never_a_streaming_reply() -> None:
    stored: list[Message] = []
    app = OneTranscript(stored)
    async with app.run_test() as pilot:
        transcript = app.query_one(Transcript)
        assert transcript.message_widgets() == []
        reply_text = "\n" * 60
        streaming = None
        for n in range(12):
            stored.append(message(2 * n, f"q{n}", role="user"))
            await transcript.add_user(f"q{n}")
            status = "streaming" if n == 0 else "complete"
            stored.append(message(2 * n + 1, reply_text, status=status))
            reply = await transcript.add_reply(stored[-1])
            if n == 0:
                streaming = reply
        await pilot.pause()
        widgets = transcript.message_widgets()
        # The first reply still streams, so nothing from it on is unmounted.
        assert streaming is not None and streaming in widgets
        await streaming.finish(message(1, reply_text))
        stored.append(message(99, "q-last", role="user"))
        await transcript.add_user("q-last")
        widgets = transcript.message_widgets()
        lines = sum(w.text.count("\n") + len(w.text) // 100 + 1 for w in widgets)
        assert lines <= MAX_MOUNTED_LINES
        assert isinstance(widgets[-1], UserMessage) and widgets[-1].text == "q-last"
        assert transcript.hidden_count == len(stored) - len(widgets)
        label = str(transcript.query_one("#load-earlier", Button).label)
        assert f"{transcript.hidden_count:,} not shown" in label
        # Loading earlier brings back exactly the unmounted ones, in order.
        while transcript.hidden_count:
            await transcript.load_earlier()
        texts = [w.text for w in transcript.message_widgets()]
        assert texts == [m.content for m in stored]
        assert isinstance(transcript.message_widgets()[1], ReplyView)
