"""Incremental newline-delimited JSON splitter over raw body bytes (Ollama's stream)."""

from __future__ import annotations

from lace_tui.errors import ProviderRequestError
from lace_tui.providers.sse import MAX_EVENT_BYTES


class NDJSONDecoder:
    """Feed body chunks in, get complete non-blank lines out (LF or CRLF); `flush()` at the end."""

    __slots__ = ("_parts", "_size", "limit")

    def __init__(self, limit: int = MAX_EVENT_BYTES) -> None:
        # An incomplete line in the pieces it came in: joined only once a newline arrives,
        # so a long line costs linear time; `limit` caps it.
        self._parts: list[bytes] = []
        self._size = 0
        self.limit = limit

    @property
    def pending(self) -> bytes:
        """The incomplete line (a frame run reads and replaces it)."""
        parts = self._parts
        if len(parts) > 1:
            self._parts = parts = [b"".join(parts)]
        return parts[0] if parts else b""

    @pending.setter
    def pending(self, value: bytes) -> None:
        self._parts = [value] if value else []
        self._size = len(value)

    def feed(self, chunk: bytes) -> list[bytes]:
        """Split one chunk of body bytes; return the lines it completed, without line endings."""
        parts = self._parts
        if parts:
            parts.append(chunk)
            self._size += len(chunk)
            if 10 not in chunk:  # no newline: the line goes on
                self._check()
                return []
            data = b"".join(parts)
        else:
            data = chunk
        lines = data.split(b"\n")
        rest = lines.pop()
        self._parts = [rest] if rest else []
        self._size = len(rest)
        self._check()
        return [stripped for line in lines if (stripped := line.strip())]

    def _check(self) -> None:
        if self._size > self.limit:
            raise ProviderRequestError(
                f"the provider sent a stream line longer than {self.limit:,} bytes without "
                "ending it: the stream was stopped; check the endpoint"
            )

    def flush(self) -> list[bytes]:
        """End of body: the last line, even without its newline."""
        tail, self.pending = self.pending.strip(), b""
        return [tail] if tail else []
