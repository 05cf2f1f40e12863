"""Incremental newline-delimited JSON splitter over raw body bytes (Ollama's stream)."""

from __future__ import annotations


class NDJSONDecoder:
    """Feed body chunks in, get complete non-blank lines out (LF or CRLF); `flush()` at the end."""

    __slots__ = ("_tail",)

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        """Split one chunk of body bytes; return the lines it completed, without line endings."""
        data = self._tail + chunk if self._tail else chunk
        lines = data.split(b"\n")
        self._tail = lines.pop()
        return [stripped for line in lines if (stripped := line.strip())]

    def flush(self) -> list[bytes]:
        """End of body: the last line, even without its newline."""
        tail, self._tail = self._tail.strip(), b""
        return [tail] if tail else []
