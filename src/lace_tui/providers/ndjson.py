"""Incremental newline-delimited JSON splitter over raw body bytes (Ollama's stream)."""

from __future__ import annotations


class NDJSONDecoder:
    """Feed body chunks in, get complete non-blank lines out (LF or CRLF); `flush()` at the end."""

    __slots__ = ("pending",)

    def __init__(self) -> None:
        self.pending = b""  # an incomplete line

    def feed(self, chunk: bytes) -> list[bytes]:
        """Split one chunk of body bytes; return the lines it completed, without line endings."""
        data = self.pending + chunk if self.pending else chunk
        lines = data.split(b"\n")
        self.pending = lines.pop()
        return [stripped for line in lines if (stripped := line.strip())]

    def flush(self) -> list[bytes]:
        """End of body: the last line, even without its newline."""
        tail, self.pending = self.pending.strip(), b""
        return [tail] if tail else []
