"""Incremental Server-Sent Events decoder over raw body bytes.

Works on bytes, not text, so a UTF-8 character split across reads is never an issue (a newline
byte is never part of a multi-byte sequence) and only CR, LF and CRLF end lines, as the SSE
spec says. `httpx`'s `aiter_lines()` also splits on U+2028, U+0085 and friends, which JSON may
carry unescaped inside a string, so it would tear such an event in two.

The common one-line event (`data: {...}` then a blank line) is handled without looking at its
lines one by one; anything else (event names, comments, multi-line data) takes the general path.
"""

from __future__ import annotations

from typing import TypeAlias

_BOM = b"\xef\xbb\xbf"
# Integer membership (`13 in data`) is a plain memchr; `b"\r" in data` costs ten times more.
_CR = 13
_LF = 10

# One dispatched event: its `event:` name ("" when absent) and its data lines joined by LF.
# A plain tuple, not a NamedTuple: one is built per streamed token and NamedTuple's
# constructor runs Python code.
SSEEvent: TypeAlias = tuple[str, bytes]


class SSEDecoder:
    """Feed body chunks in, get complete events out; `flush()` at end of body.

    Unlike a strict WHATWG parser, `flush()` dispatches a final event that lacks its blank-line
    terminator: several vendors (and the Anthropic SDK's own fixtures) end the body right after
    the last `data:` line.
    """

    __slots__ = ("_started", "pending")

    def __init__(self) -> None:
        # Bytes of an incomplete event, from an event boundary on.
        self.pending = b""
        self._started = False

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode one chunk of body bytes; return the events it completed."""
        # Fastest path: the chunk is exactly one `data:` event, as when a provider flushes
        # each token and we keep up with it.
        if not self.pending and self._started and chunk.startswith(b"data: "):
            first_lf = chunk.find(b"\n")
            if first_lf == len(chunk) - 2 and chunk.endswith(b"\n\n") and _CR not in chunk:
                return [("", chunk[6:-2])]
            if (
                first_lf == len(chunk) - 3
                and chunk.endswith(b"\r\n\r\n")
                and chunk.find(b"\r") == len(chunk) - 4
            ):
                return [("", chunk[6:-4])]
        # The same for Anthropic's shape: `event:` then one `data:` line, in one read.
        elif (
            not self.pending
            and self._started
            and chunk.startswith(b"event: ")
            and chunk.endswith(b"\n\n")
            and _CR not in chunk
        ):
            cut = chunk.find(b"\ndata: ")
            if cut > 0 and chunk.find(b"\n", cut + 1) == len(chunk) - 2:
                return [(chunk[7:cut].decode("utf-8", "replace"), chunk[cut + 7 : -2])]
        if self.pending:
            data = self.pending + chunk
        elif self._started:
            data = chunk
        else:
            if not chunk:
                return []
            self._started = True
            data = chunk[len(_BOM) :] if chunk.startswith(_BOM) else chunk
        if _CR in data:
            data = _normalise_newlines(data)
            # A CR at the very end may be the first half of a CRLF split across reads.
            keep = b""
            if data.endswith(b"\r"):
                data, keep = data[:-1], b"\r"
            blocks = data.split(b"\n\n")
            self.pending = blocks.pop() + keep
        else:
            blocks = data.split(b"\n\n")
            self.pending = blocks.pop()
        if not blocks:
            return []
        # Inlined rather than shared with flush(): this runs once per network read.
        events: list[SSEEvent] = []
        for block in blocks:
            # Fast paths: one `data:` line (OpenAI, Gemini), or `event:` then one `data:` line
            # (Anthropic): the shapes of nearly every event on the wire.
            if block.startswith(b"data: ") and _LF not in block:
                events.append(("", block[6:]))
            elif (
                block.startswith(b"event: ")
                and (cut := block.find(b"\ndata: ")) > 0
                and (block.find(b"\n", cut + 1) < 0)
            ):
                events.append((block[7:cut].decode("utf-8", "replace"), block[cut + 7 :]))
            elif block:
                event = _parse_block(block)
                if event is not None:
                    events.append(event)
        return events

    def flush(self) -> list[SSEEvent]:
        """End of body: dispatch whatever is pending, terminated or not."""
        tail, self.pending = self.pending, b""
        if not tail:
            return []
        if b"\r" in tail:
            tail = _normalise_newlines(tail).replace(b"\r", b"\n")
        return _events_from_blocks(tail.split(b"\n\n"))


def _normalise_newlines(data: bytes) -> bytes:
    """CRLF and lone CR become LF, except a CR at the very end (its LF may still be coming)."""
    data = data.replace(b"\r\n", b"\n")
    if data.endswith(b"\r"):
        return data[:-1].replace(b"\r", b"\n") + b"\r"
    return data.replace(b"\r", b"\n")


def _events_from_blocks(blocks: list[bytes]) -> list[SSEEvent]:
    events: list[SSEEvent] = []
    for block in blocks:
        if block:
            event = _parse_block(block)
            if event is not None:
                events.append(event)
    return events


def _parse_block(block: bytes) -> SSEEvent | None:
    """General path: the lines of one event (no blank line inside)."""
    name = ""
    data_lines: list[bytes] = []
    for line in block.split(b"\n"):
        if not line or line[:1] == b":":
            continue  # empty (from a run of blank lines) or a comment
        field, sep, value = line.partition(b":")
        if sep and value[:1] == b" ":
            value = value[1:]
        if field == b"data":
            data_lines.append(value)
        elif field == b"event":
            name = value.decode("utf-8", "replace")
        # `id`, `retry` and unknown fields do not matter to a chat stream.
    if not data_lines:
        return None  # the spec dispatches nothing for an event without data
    return (name, data_lines[0] if len(data_lines) == 1 else b"\n".join(data_lines))
