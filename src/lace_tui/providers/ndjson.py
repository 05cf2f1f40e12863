"""Incremental newline-delimited JSON splitter over raw body bytes (Ollama's stream)."""

from __future__ import annotations

from lace_tui.errors import ProviderRequestError
from lace_tui.providers.sse import PendingPieces


class NDJSONDecoder(PendingPieces):
    """Feed body chunks in, get complete non-blank lines out (LF or CRLF); `flush()` at the end.
    Pending: an incomplete line, joined only once a newline arrives."""

    __slots__ = ()

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
