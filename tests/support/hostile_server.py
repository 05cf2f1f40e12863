"""A loopback HTTP server that answers with exactly the bytes a test scripts: hostile cases.

    with HostileServer({"/chat/completions": Script(chunks=[b"data: ..."])}) as server:
        config = config_for("openai", server.url + "/v1")

Each route (matched on the end of the request path, query string dropped) answers with its
`Script`: a status, headers, body chunks written as they are (the body ends when the connection
closes, so no length is announced), then optionally `trickle` bytes over and over every
`trickle_every` seconds (a slowloris), or a `hang` until the client goes away. A route of
"*" answers everything else. Cases the module builds: escape sequences in replies, errors and
model ids, an in-stream error that echoes the key, markup in errors, an endless line, a gzip
bomb, a slowloris.

Standalone, for trying a case by hand:

    python tests/support/hostile_server.py CASE   # prints the base URL, serves until killed
"""

from __future__ import annotations

import functools
import gzip
import json
import select
import socket
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ESCAPES = "\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07\u202eevil\u202c\x9b31m"
MARKUP = "[/] [bold]x[/bold] [link=file:///etc/passwd]y[/link] [/]broken["
SSE = {"content-type": "text/event-stream"}


@dataclass
class Script:
    """One route's answer."""

    chunks: list[bytes] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: dict(SSE))
    trickle: bytes = b""  # sent again and again after the chunks, until the client leaves
    trickle_every: float = 0.01
    hang: bool = False  # after the chunks, send nothing until the client leaves


def sse_text(text: str) -> bytes:
    """One OpenAI Chat Completions text frame."""
    data = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return f"data: {json.dumps(data)}\n\n".encode()


def sse_done() -> list[bytes]:
    """The end of an OpenAI stream: a finish reason, then `[DONE]`."""
    data = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    return [f"data: {json.dumps(data)}\n\n".encode(), b"data: [DONE]\n\n"]


def sse_error(message: str) -> bytes:
    """An OpenAI-style error event inside a 200 stream."""
    return (
        f"data: {json.dumps({'error': {'message': message, 'type': 'server_error'}})}\n\n".encode()
    )


def reply(text: str) -> Script:
    """A complete OpenAI stream replying `text`."""
    return Script(chunks=[sse_text(text), *sse_done()])


def error_status(message: str, status: int = 400) -> Script:
    """An HTTP error with an OpenAI error body saying `message`."""
    body = json.dumps({"error": {"message": message, "type": "invalid_request_error"}})
    return Script(
        chunks=[body.encode()], status=status, headers={"content-type": "application/json"}
    )


def models(ids: list[str]) -> Script:
    """An OpenAI `GET /models` answer listing `ids`."""
    body = json.dumps({"object": "list", "data": [{"id": i, "object": "model"} for i in ids]})
    return Script(chunks=[body.encode()], headers={"content-type": "application/json"})


def gzip_bomb(size: int) -> Script:
    """`size` bytes of one endless SSE line, gzip-compressed to a few hundredth of that."""
    return Script(chunks=[_compressed_zeros(size)], headers={**SSE, "content-encoding": "gzip"})


@functools.cache
def _compressed_zeros(size: int) -> bytes:
    return gzip.compress(b"data: " + b"0" * size, compresslevel=1)


def endless_line(size: int, piece: int = 65536) -> Script:
    """`size` bytes of one SSE line that never ends, in `piece`-byte writes."""
    first = b"data: " + b"x" * (piece - 6)
    return Script(chunks=[first] + [b"x" * piece] * (size // piece))


def slowloris() -> Script:
    """One text event, then a comment line byte by byte for ever: every read succeeds."""
    return Script(chunks=[sse_text("slow ")], trickle=b":")


class HostileServer:
    """A threaded loopback server answering each route with its script."""

    def __init__(self, routes: dict[str, Script]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script_for(self, path: str) -> Script | None:
        path = path.split("?")[0]
        for suffix, script in self.routes.items():
            if suffix != "*" and path.endswith(suffix):
                return script
        return self.routes.get("*")

    def __enter__(self) -> HostileServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


def _handler(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection closes

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append((self.command, self.path, headers, body))
            script = server.script_for(self.path)
            if script is None:
                self.send_error(404)
                return
            self.send_response(script.status)
            for name, value in script.headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                for chunk in script.chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                while (script.trickle or script.hang) and not self._client_left(
                    script.trickle_every
                ):
                    if script.trickle:
                        self.wfile.write(script.trickle)
                        self.wfile.flush()
            except OSError:
                pass  # the client went away: that is how hostile answers end

        def _client_left(self, wait: float) -> bool:
            if server._stop.is_set():
                return True
            readable, _, _ = select.select([self.connection], [], [], wait)
            if not readable:
                return False
            try:
                return not self.connection.recv(1, socket.MSG_PEEK)
            except OSError:
                return True

        do_GET = _answer
        do_POST = _answer

    return Handler


CASES = {
    "escapes": lambda: {
        "/chat/completions": reply(f"before {ESCAPES} after"),
        "/models": models([f"model{ESCAPES}", "plain-model"]),
    },
    "error-escapes": lambda: {"/chat/completions": error_status(f"bad {ESCAPES} request")},
    "markup": lambda: {"/chat/completions": error_status(MARKUP)},
    "slowloris": lambda: {"/chat/completions": slowloris()},
    "bomb": lambda: {"/chat/completions": gzip_bomb(64 * 1024 * 1024)},
}


if __name__ == "__main__":
    with HostileServer(CASES[sys.argv[1]]()) as running:
        print(running.url, flush=True)
        threading.Event().wait()
