"""Reading whole runs of a stream's commonest frame without per-frame parsing.

Nearly every frame of a reply is the same bytes around a different piece of text: the same
`event:`/`data:` framing, ids, indexes and keys; only the text, and a few counters the format
names (Gemini's running token counts, Ollama's timestamp), change. Once a format's exact-shape
fast path has recognised such a frame, `FrameRun.learn` turns it into a pattern with the text
and those counters left open. From then on a read that is one such frame is confirmed by byte
comparisons against the frame before it, and a read of many is split in one pass (a literal
split when the bytes around the texts repeat exactly, the pattern otherwise) and its texts
decoded together: a reply that lands all at once costs about what splitting it into lines
does. A read holding anything else (another event, a comment, a stray blank line, another
choice index, a malformed escape) is not touched and goes through the decoder and the general
path, which stay the reference for what a stream means (tests/providers/test_providers_framerun.py
reads every stream both ways).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Protocol, TypeAlias

# The body of a JSON string, strictly: valid escapes only (so each piece decodes on its own and
# joined pieces decode to the joined texts) and no raw CR or LF (which would be SSE framing).
_TEXT = rb'([^"\\\r\n]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\r\n]*)*)'
# A key's value the format says may change from frame to frame: a number or a plain string.
_FIELD = re.compile(rb'"([A-Za-z_]+)":\s*(-?\d+|"[^"\\\r\n]*")')
_NUMBER = rb"-?\d+"
_STRING = rb'"[^"\\\r\n]*"'
# Integer membership is a plain memchr; `b"\\" in raw` costs ten times more.
_QUOTE, _BACKSLASH, _LF, _CR = b'"\\\n\r'
# Relearning after a miss is free when the last pattern earned its keep; a stream whose frames
# never repeat (an id that changes every frame) gets only this many tries.
_MAX_IDLE_LEARNS = 3

_scanstring: Callable[[str, int, bool], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009


# What one run read: the joined text, the complete frames read (their bytes), and the
# incomplete rest for the decoder's buffer. A plain tuple: one is made per network read.
RunRead: TypeAlias = tuple[str, bytes, bytes]


def last_payload(region: bytes) -> bytes:
    """The JSON of the last frame of a run's bytes (texts hold no raw newline: it is the last
    line)."""
    body = region.rstrip(b"\r\n")
    line = body[body.rfind(b"\n") + 1 :]
    return line[6:] if line.startswith(b"data: ") else line


class RunDecoder(Protocol):
    """A framing decoder (SSE, NDJSON) whose buffer a run can take over: it holds the bytes
    of an incomplete frame, starting at a frame boundary (a BOM already gone: runs are only
    learned from frames the decoder has read)."""

    pending: bytes


class FrameRun:
    """The learned shape of one stream's text frames, and the reader for runs of them."""

    __slots__ = (
        "_framing",
        "_head",
        "_idle_learns",
        "_key",
        "_pattern",
        "_read_at_learn",
        "_separator",
        "_tail",
        "_tail_fixed",
        "_tail_rest",
        "_volatile",
        "frames_read",
        "reasoning",
        "wanted",
    )

    def __init__(self, *, ndjson: bool = False, volatile: frozenset[bytes] = frozenset()) -> None:
        self._framing = "ndjson" if ndjson else "sse"
        self._volatile = volatile
        self._pattern: re.Pattern[bytes] | None = None
        self._tail_fixed = b""
        self._tail_rest: Callable[[bytes, int], re.Match[bytes] | None] | None = None
        self._separator: re.Pattern[bytes] | None = None  # tail + head, for literal splits
        # The exact bytes around the text of the last single frame read: the next frame is
        # most often the same bytes again, which two comparisons confirm faster than a regex.
        self._head = self._tail = b""
        self._key: tuple[str, bytes, bytes, bool] | None = None
        self._idle_learns = 0
        self._read_at_learn = 0
        self.frames_read = 0  # in all, by every pattern learned
        self.reasoning = False  # the learned frames carry reasoning, not reply text
        self.wanted = True  # the parser should learn from the next frame its fast path knows

    def learn(self, name: str, payload: bytes, start: int, end: int, *, reasoning: bool) -> None:
        """Take the frame whose JSON is `payload`, text at `payload[start:end]`, as the shape
        of the frames to come (`name`: its SSE event name, "" for none or NDJSON)."""
        self.wanted = False
        key = (name, payload[:start], payload[end:], reasoning)
        if key == self._key:
            return
        if self.frames_read == self._read_at_learn:
            self._idle_learns += 1
        self._key = key
        self._read_at_learn = self.frames_read
        self.reasoning = reasoning
        head = _open_volatile(payload[:start], self._volatile)
        # Past the text: the bytes up to the first counter never change, so they are compared
        # as bytes and only the rest goes through a (short) pattern.
        fixed = _fixed_prefix(payload[end:], self._volatile)
        rest = _open_volatile(payload[end + len(fixed) :], self._volatile)
        ending = rb"\r?\n" if self._framing == "ndjson" else rb"\r?\n\r?\n"
        if self._framing == "sse":
            event = b"event: " + re.escape(name.encode()) + rb"\r?\n" if name else b""
            head = event + b"data: " + head
        self._pattern = re.compile(head + _TEXT + re.escape(fixed) + rest + ending)
        self._tail_fixed = fixed
        self._tail_rest = re.compile(rest + ending).fullmatch if rest else None
        self._head = self._tail = b""

    def missed(self) -> None:
        """A chunk was not a run: learn again from the next known frame, within reason."""
        earned = self.frames_read > self._read_at_learn
        self.wanted = earned or self._idle_learns < _MAX_IDLE_LEARNS

    def read(self, data: bytes) -> RunRead | None:
        """Read `data`'s complete frames if every one of them has the learned shape (the
        incomplete rest is handed back); None, having consumed nothing, otherwise."""
        pattern = self._pattern
        if pattern is None:
            return None
        end = len(data)
        frames = 1
        joined = None
        # The usual case while streaming: a read is exactly one frame, as the provider sent it,
        # most often the same bytes around the text as the one before, or differing only in
        # a counter after it. (Inlined: this runs once per token.)
        head = self._head
        if head and data.startswith(head):
            close = data.find(b'"', len(head))
            if close >= 0:
                raw = data[len(head) : close]
                # (An escaped quote found as the close leaves an odd backslash at the end of
                # `raw`: decoding it below fails, and the general path reads the frame.)
                if _LF not in raw and _CR not in raw:
                    rest = self._tail_rest
                    if rest is None:
                        tail = self._tail
                        if close == end - len(tail) and data.endswith(tail):
                            joined = raw
                    elif data.startswith(self._tail_fixed, close) and rest(
                        data, close + len(self._tail_fixed)
                    ):
                        joined = raw
        if joined is None:
            match = pattern.fullmatch(data)
            if match is not None:
                joined = match.group(1)
                self._head, self._tail = data[: match.start(1)], data[match.end(1) :]
            else:
                end = self._frames_end(data)
                if end <= 0:
                    return "", b"", data  # not one whole frame yet: wait for more
                read = self._split_literal(data[:end]) or self._split_pattern(data[:end])
                if read is None:
                    return None
                joined, frames = read
        try:
            if _BACKSLASH in joined:
                text = _scanstring(joined.decode() + '"', 0, False)[0]
            else:
                text = joined.decode()
        except ValueError:  # bad UTF-8 or a lone surrogate escape: the general path reports it
            return None
        self.frames_read += frames
        return text, data[:end], data[end:]

    def _frames_end(self, data: bytes) -> int:
        """Where the last complete frame in `data` ends, 0 when there is none."""
        if self._framing == "ndjson":
            return data.rfind(b"\n") + 1
        end = data.rfind(b"\n")
        # An LF ends an event when it follows another (LF, or LF CR: CRLF line endings).
        while end > 0:
            before = data[end - 1]
            if before == _LF or (before == _CR and end >= 2 and data[end - 2] == _LF):
                return end + 1
            end = data.rfind(b"\n", 0, end)
        return 0

    def _split_literal(self, region: bytes) -> tuple[bytes, int] | None:
        """(raw text, frames) when `region` is frames with exactly the last frame's bytes
        around plain texts: a literal split, no per-frame matching."""
        head, tail = self._head, self._tail
        if (
            not head
            or len(region) < len(head) + len(tail)
            or not region.startswith(head)
            or not region.endswith(tail)
        ):
            return None
        inner = region[len(head) : len(region) - len(tail)]
        separator = self._separator
        if separator is None or separator.pattern != tail + head:
            # A compiled literal: `bytes.split` sets up its search again for every piece.
            separator = self._separator = re.compile(re.escape(tail + head))
        pieces = separator.split(inner)
        joined = b"".join(pieces)
        if _QUOTE in joined or _LF in joined or _CR in joined:
            return None
        # Escapes must be whole inside each piece, or joining pieces could complete one: no
        # piece may end in a backslash (the last one would fail to decode), and \u escapes,
        # which could borrow hex digits from the next piece, go to the pattern.
        if _BACKSLASH in joined and (b"\\" + tail + head in inner or b"\\u" in joined):
            return None
        return joined, len(pieces)

    def _split_pattern(self, region: bytes) -> tuple[bytes, int] | None:
        """(raw text, frames) when every frame of `region` matches the learned pattern."""
        assert self._pattern is not None
        parts = self._pattern.split(region)
        # [gap, text, gap, text, ..., gap]: the frames tile the bytes when no gap has any.
        if len(parts) < 3 or any(parts[::2]):
            return None
        if not self._head:  # remember the exact bytes of one frame for the literal paths
            match = self._pattern.match(region)
            if match is not None:
                self._head = region[: match.start(1)]
                self._tail = region[match.end(1) : match.end()]
        pieces = parts[1::2]
        return b"".join(pieces), len(pieces)


def _fixed_prefix(raw: bytes, volatile: frozenset[bytes]) -> bytes:
    """`raw` up to its first `volatile` key (all of it when there is none)."""
    for match in _FIELD.finditer(raw):
        if match.group(1) in volatile:
            return raw[: match.start()]
    return raw


def _open_volatile(raw: bytes, volatile: frozenset[bytes]) -> bytes:
    """`raw` as a regex matching itself, with the values of `volatile` keys left open."""
    out: list[bytes] = []
    pos = 0
    if volatile:
        for match in _FIELD.finditer(raw):
            if match.group(1) in volatile:
                out.append(re.escape(raw[pos : match.start(2)]))
                out.append(_STRING if match.group(2)[:1] == b'"' else _NUMBER)
                pos = match.end(2)
    out.append(re.escape(raw[pos:]))
    return b"".join(out)
