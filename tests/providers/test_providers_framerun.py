"""Frame runs (framerun.py) read many frames at once; they must never change what a stream means.

Every stream here is read twice: by the parser as it runs in the app (runs on), and by the same
parser with runs turned off, whose general path (the per-event decoder and a full JSON decode
where needed) is the reference. The two must agree on the text, the reasoning, their order, and
every other event, whatever the chunking, for texts full of escapes, look-alike bytes and
multi-byte characters, and for streams whose frames only nearly repeat.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from lace_tui.providers.anthropic import AnthropicParser
from lace_tui.providers.base import StreamParser
from lace_tui.providers.events import ReasoningDelta, StreamEvent, TextDelta
from lace_tui.providers.gemini import GeminiParser
from lace_tui.providers.ollama import OllamaParser
from lace_tui.providers.openai_chat import OpenAIChatParser
from tests.support.fake_provider import FORMATS

PARSERS: dict[str, Callable[[str], StreamParser]] = {
    "anthropic": AnthropicParser,
    "openai": OpenAIChatParser,
    "gemini": GeminiParser,
    "ollama": OllamaParser,
}


@dataclass
class Outcome:
    """What a parser made of a whole body: deltas merged per kind, other events as they came."""

    events: list[object]
    chars: int
    complete: bool
    failure: str | None


def read(parser: StreamParser, chunks: list[bytes]) -> Outcome:
    events: list[StreamEvent] = []
    for chunk in chunks:
        events += parser.feed(chunk)
        if parser.done:
            break
    else:
        events += parser.finish()
    merged: list[object] = []
    for event in events:
        if isinstance(event, TextDelta | ReasoningDelta):
            if merged and isinstance(merged[-1], tuple) and merged[-1][0] == event.kind:
                merged[-1] = (event.kind, merged[-1][1] + event.text)
            else:
                merged.append((event.kind, event.text))
        else:
            merged.append(event)
    failure = str(parser.failure) if parser.failure else None
    return Outcome(merged, parser.chars, parser.complete, failure)


def both_ways(fmt: str, chunks: list[bytes]) -> tuple[Outcome, Outcome, StreamParser]:
    """(with runs, reference without, the parser that ran with runs)."""
    fast = PARSERS[fmt]("t")
    reference = PARSERS[fmt]("t")
    reference.run = None
    return read(fast, chunks), read(reference, chunks), fast


def chunkings(body: bytes, frames: list[bytes], seed: int) -> Iterator[tuple[str, list[bytes]]]:
    rng = random.Random(seed)
    yield "frame", frames
    yield "whole", [body]
    # The first frames one by one (a run is learned), then all the rest in one read.
    yield "then-bulk", [*frames[:8], b"".join(frames[8:])]
    yield "pairs", [b"".join(frames[i : i + 2]) for i in range(0, len(frames), 2)]
    for size in (7, 64, 1000):
        pieces, at = [], 0
        while at < len(body):
            step = rng.randint(1, size)
            pieces.append(body[at : at + step])
            at += step
        yield f"random-{size}", pieces


def tricky_tokens(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = 'ab "\\/\n\r\t\u00e9\u2014\u2028\u0085\x01}]{[,:秋😀\ufeff'
    fixed = [
        " plain",
        'He said "hi"',
        "back\\slash",
        "ends with backslash\\",
        "\\u0041 literally",
        '"}}\n\nevent: content_block_delta\ndata: {"type":"x"}\n\n',
        '"},"logprobs":null,"finish_reason":null}]}\n\ndata: {"id":"chatcmpl-fake"',
        '"},"done":false}\n{"model":"fake"',
        '"}],"role":"model"},"index":0}]}\r\n\r\ndata: ',
        "",
        "\u2028",
    ]
    out = []
    for i in range(count):
        if i % 3 == 0:
            out.append(fixed[(i // 3) % len(fixed)])
        elif i % 3 == 1:
            out.append(" word")
        else:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))
    return out


def assert_same(fmt: str, frames: list[bytes], seed: int = 1) -> StreamParser:
    body = b"".join(frames)
    last: StreamParser | None = None
    for name, chunks in chunkings(body, frames, seed):
        fast, reference, last = both_ways(fmt, chunks)
        assert fast == reference, f"{fmt}, {name} chunks"
    assert last is not None
    return last


def frames_of(fmt: str, text: list[str], reasoning: list[str] | None = None) -> list[bytes]:
    opening, content, closing = FORMATS[fmt](text, reasoning or [], 12, "stop")
    return opening + content + closing


# -- agreement with the general path -----------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_plain_replies_read_as_runs_say_the_same(fmt: str) -> None:
    text = [("" if i == 0 else " ") + f"w{i}" for i in range(300)]
    parser = assert_same(fmt, frames_of(fmt, text))
    assert parser.run is not None and parser.run.frames_read > 250  # the runs really ran


@pytest.mark.parametrize("fmt", sorted(PARSERS))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_texts_full_of_escapes_and_look_alikes_say_the_same(fmt: str, seed: int) -> None:
    assert_same(fmt, frames_of(fmt, tricky_tokens(seed, 240)), seed)


@pytest.mark.parametrize("fmt", ["anthropic", "gemini", "ollama"])
def test_reasoning_then_text_keeps_kinds_and_order(fmt: str) -> None:
    reasoning = [f" think{i}" for i in range(80)]
    text = [f" say{i}" for i in range(80)]
    parser = assert_same(fmt, frames_of(fmt, text, reasoning))
    outcome = read(PARSERS[fmt]("t"), [b"".join(frames_of(fmt, text, reasoning))])
    kinds = [e[0] for e in outcome.events if isinstance(e, tuple)]
    assert kinds == ["reasoning", "text"]
    assert parser.chars == sum(map(len, reasoning + text))


def ascii_escaped(frames: list[bytes]) -> list[bytes]:
    """The same frames with every JSON payload re-encoded with \\uXXXX escapes."""
    out = []
    for frame in frames:
        lines = []
        for line in frame.split(b"\n"):
            prefix = b"data: " if line.startswith(b"data: ") else b""
            body = line[len(prefix) :]
            if body.startswith(b"{"):
                obj = json.loads(body)
                line = prefix + json.dumps(obj, separators=(",", ":")).encode()
            lines.append(line)
        out.append(b"\n".join(lines))
    return out


@pytest.mark.parametrize("fmt", ["anthropic", "openai", "ollama"])
def test_unicode_escapes_say_the_same(fmt: str) -> None:
    text = [" 秋", "😀", " é", "\u2028", " plain", "—"] * 40
    assert_same(fmt, ascii_escaped(frames_of(fmt, text)))


# -- frames that only nearly repeat ------------------------------------------------------------


def openai_chunk(text: str, *, index: int = 0, ident: str = "c1", created: int = 1) -> bytes:
    choice = {"index": index, "delta": {"content": text}, "logprobs": None, "finish_reason": None}
    obj = {"id": ident, "object": "chat.completion.chunk", "created": created, "choices": [choice]}
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


OPENAI_DONE = [
    b'data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
    b"data: [DONE]\n\n",
]


def test_other_choices_are_never_read_as_the_reply() -> None:
    frames = [openai_chunk(f" a{i}") for i in range(50)]
    frames += [openai_chunk(f" b{i}", index=i % 2) for i in range(100)]
    assert_same("openai", frames + OPENAI_DONE)
    outcome = read(OpenAIChatParser("t"), [b"".join(frames + OPENAI_DONE)])
    first = outcome.events[0]
    assert isinstance(first, tuple)
    assert first[1].split() == [f"a{i}" for i in range(50)] + [f"b{i}" for i in range(0, 100, 2)]


def test_a_changing_timestamp_or_id_still_reads_right() -> None:
    frames = [openai_chunk(f" a{i}", created=1000 + i) for i in range(100)]
    frames += [openai_chunk(f" b{i}", ident=f"id{i}") for i in range(100)]
    parser = assert_same("openai", frames + OPENAI_DONE)
    assert parser.run is not None and parser.run.frames_read > 0


def test_ollama_lines_with_their_own_timestamps() -> None:
    def line(text: str, i: int) -> bytes:
        obj = {
            "model": "llama3.2",
            "created_at": f"2025-01-01T00:00:{i % 60:02d}.{i:09d}Z",
            "message": {"role": "assistant", "content": text},
            "done": False,
        }
        return json.dumps(obj, separators=(",", ":")).encode() + b"\n"

    end = (
        b'{"model":"llama3.2","created_at":"x","message":{"role":"assistant","content":""},'
        b'"done":true,"done_reason":"stop","eval_count":9}\n'
    )
    parser = assert_same("ollama", [line(f" t{i}", i) for i in range(200)] + [end])
    assert parser.run is not None and parser.run.frames_read > 150


def test_gemini_usage_is_the_last_chunks_after_a_run() -> None:
    frames = frames_of("gemini", [f" w{i}" for i in range(120)])
    fast, reference, _ = both_ways("gemini", [b"".join(frames)])
    assert fast == reference
    usage = [e for e in fast.events if getattr(e, "kind", "") == "usage"]
    assert len(usage) == 1 and usage[0].output_tokens == 120  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "interloper",
    [
        b": keep-alive\n\n",
        b'event: ping\ndata: {"type": "ping"}\n\n',
        b"\n",
        b"data: x\n",
        b"retry: 100\n",
    ],
)
def test_anything_between_frames_goes_the_general_way(interloper: bytes) -> None:
    opening, content, closing = FORMATS["anthropic"]([f" w{i}" for i in range(60)], [], 12, "stop")
    content = [*content[:30], interloper, *content[30:]]
    assert_same("anthropic", opening + content + closing)


def test_crlf_and_mixed_line_endings() -> None:
    frames = frames_of("anthropic", [f" w{i}" for i in range(60)])
    crlf = [f.replace(b"\n", b"\r\n") for f in frames]
    mixed = crlf[:20] + frames[20:40] + [f.replace(b"\n", b"\r") for f in frames[40:]]
    assert_same("anthropic", crlf)
    assert_same("anthropic", mixed)


def test_bad_utf8_or_bad_escape_in_a_run_is_reported_as_before() -> None:
    text = [f" w{i}" for i in range(40)]
    for bad in (b"\xff\xfe", b"\\q", b"\\ud800x"):
        frames = frames_of("openai", text)
        frames[20] = frames[20].replace(b"w19", b"w" + bad)
        assert bad in frames[20]
        fast, reference, _ = both_ways("openai", [b"".join(frames)])
        assert fast == reference
        fast, reference, _ = both_ways("openai", frames)
        assert fast == reference


def test_a_stream_that_never_repeats_stops_trying_to_learn() -> None:
    frames = [openai_chunk(f" b{i}", ident=f"id{i}") for i in range(200)]
    parser = OpenAIChatParser("t")
    read(parser, frames + OPENAI_DONE)
    assert parser.run is not None and not parser.run.wanted and parser.run.frames_read == 0


@pytest.mark.parametrize("fmt", ["anthropic", "openai", "ollama"])
@pytest.mark.parametrize("chunked", [True, False])
def test_a_frame_with_another_key_after_its_text_is_not_a_run_frame(
    fmt: str, chunked: bool
) -> None:
    """Same bytes around the text, but an unescaped quote in the middle: the text ends early
    and another key follows (a refusal beside the content, say). Only the text is reply."""
    frames = frames_of(fmt, [f" w{i}" for i in range(60)])
    marker = b" w30"
    (at,) = [i for i, f in enumerate(frames) if marker + b'"' in f]
    frames[at] = frames[at].replace(marker + b'"', marker + b'","refusal":"no"', 1)
    fast, reference, _ = both_ways(fmt, frames if chunked else [b"".join(frames)])
    assert fast == reference
    text = "".join(e[1] for e in fast.events if isinstance(e, tuple))
    assert "refusal" not in text and " w30 w31" in text


@pytest.mark.parametrize("fmt", ["anthropic", "openai", "ollama"])
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (b"\\", b"nfoo"),  # an odd backslash: the quote after it is escaped, the string runs on
        (b"\\\\\\", b"tail"),
        (b"x\\u00", b"e9"),  # an escape cut short, the next frame's text would complete it
        (b"x\\ud83d\\", b"ude00"),
        (b"raw\nnewline", b"next"),
        (b"raw\rreturn", b"next"),
    ],
)
def test_malformed_texts_at_a_frame_end_are_reported_as_before(
    fmt: str, first: bytes, second: bytes
) -> None:
    frames = frames_of(fmt, [f" w{i}" for i in range(60)])
    for i, raw in ((30, first), (31, second)):
        (at,) = [k for k, f in enumerate(frames) if b" w%d" % i + b'"' in f]
        frames[at] = frames[at].replace(b" w%d" % i + b'"', raw + b'"', 1)
    assert_same(fmt, frames)
