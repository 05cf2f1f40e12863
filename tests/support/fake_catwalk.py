"""A real loopback HTTP server that serves a provider list the way Catwalk does.

`GET /v2/providers` answers a JSON list of providers (by default a copy of the shipped Catwalk
data) with an ETag, and 304 to a matching `If-None-Match`. `mode` makes it misbehave:

- "truncated": announce the whole body's length, send half of it, close the connection;
- "not_list": a JSON object instead of a list;
- "no_valid": a list in which no provider validates;
- "some_invalid": the providers, plus two invalid ones (`broken-one` and `broken-two`);
- "error500": HTTP 500;
- "slow": wait (up to `slow_seconds`, or until the server stops) before answering.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from lace_tui.catalog.loader import LOCAL_PROVIDER_IDS
from lace_tui.paths import shipped_catalogs_dir

Mode = Literal["ok", "truncated", "not_list", "no_valid", "some_invalid", "error500", "slow"]

INVALID_PROVIDERS: list[dict[str, object]] = [
    {"id": "broken-one", "name": "Broken one", "models": []},  # no type
    {
        "id": "broken-two",
        "name": "Broken two",
        "type": "openai-compat",
        "models": [{"id": "m", "context_window": "lots"}],
    },
]


def shipped_catwalk_data() -> list[dict[str, object]]:
    """The shipped Catwalk provider objects (not our local ollama/lmstudio), by file name."""
    providers: list[dict[str, object]] = []
    for path in sorted(shipped_catalogs_dir().glob("*.json")):
        data = json.loads(path.read_bytes())
        if data["id"] not in LOCAL_PROVIDER_IDS:
            providers.append(data)
    return providers


class FakeCatwalk:
    """The server's state; the handler reads it on every request."""

    def __init__(self, providers: list[dict[str, object]]) -> None:
        self.mode: Mode = "ok"
        self.slow_seconds = 5.0
        self.requests: list[dict[str, str]] = []  # headers of each request, in order
        self.paths: list[str] = []
        self.url = ""  # the base URL, set once serving
        self._stop = threading.Event()
        self.set_providers(providers)

    def set_providers(self, providers: list[dict[str, object]]) -> None:
        """Serve `providers` from now on, with a new ETag."""
        self.providers = copy.deepcopy(providers)
        self.body = json.dumps(self.providers).encode()
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def reply(self) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for the current mode (the 304 check is the handler's)."""
        if self.mode == "error500":
            return 500, {"Content-Type": "text/plain"}, b"internal error"
        if self.mode == "not_list":
            return 200, _json_headers(), b'{"providers": []}'
        if self.mode == "no_valid":
            return 200, _json_headers(), json.dumps(INVALID_PROVIDERS).encode()
        if self.mode == "some_invalid":
            body = json.dumps([*self.providers, *INVALID_PROVIDERS]).encode()
            return 200, _json_headers(), body
        return 200, {**_json_headers(), "ETag": self.etag}, self.body

    def wait_slow(self) -> None:
        self._stop.wait(self.slow_seconds)

    def stop(self) -> None:
        self._stop.set()


def _json_headers() -> dict[str, str]:
    return {"Content-Type": "application/json"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        fake = self.server.fake
        fake.requests.append({key.lower(): value for key, value in self.headers.items()})
        fake.paths.append(self.path)
        if self.path != "/v2/providers":
            self._send(404, {"Content-Type": "text/plain"}, b"not found")
            return
        if fake.mode == "slow":
            fake.wait_slow()
        status, headers, body = fake.reply()
        if status == 200 and self.headers.get("If-None-Match") == fake.etag and "ETag" in headers:
            self._send(304, {"ETag": fake.etag}, b"")
            return
        if fake.mode == "truncated":
            self.send_response(200)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(status, headers, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet in tests
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeCatwalk) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (the timeout test) leaves a broken pipe here: expected.
        pass


@contextmanager
def serve_catwalk(providers: list[dict[str, object]] | None = None) -> Iterator[FakeCatwalk]:
    """Run a fake Catwalk on 127.0.0.1 (a free port) for the duration of the block."""
    fake = FakeCatwalk(shipped_catwalk_data() if providers is None else providers)
    server = _Server(fake)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    host, port = server.server_address[:2]
    fake.url = f"http://{host!s}:{port}"
    try:
        yield fake
    finally:
        fake.stop()  # releases a slow handler at once
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)
