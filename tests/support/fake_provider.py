"""A real loopback HTTP server that speaks the four chat wire formats well enough for tests.

In tests:

    with FakeProvider(FakeBehaviour(reply="Hi there", delay=0.01)) as server:
        client = create_client(config_for(server.url))
        ...
        assert server.requests[-1].body["model"] == "m"

Standalone (CLI subprocess tests, manual trials):

    python tests/support/fake_provider.py --port 0 --print-port [--reply TEXT] [--delay S]
        [--tokens N] [--reasoning TEXT] [--status CODE] [--require-key KEY]

prints the port on stdout and serves until killed.

Routes (any prefix before them is accepted, so a base URL with a path works):
  POST .../v1/messages                        Anthropic Messages SSE
  POST .../chat/completions                   OpenAI Chat Completions SSE (Azure's path too)
  POST .../models/{model}:streamGenerateContent  Gemini SSE (CRLF framing, no terminator)
  POST .../api/chat                           Ollama NDJSON
  POST .../responses                          OpenAI Responses API SSE
  POST .../models/{model}:streamRawPredict    Anthropic Messages SSE (Vertex AI)
  POST .../model/{model}/converse-stream      AWS Bedrock Converse (event-stream)
  GET  .../v1beta/models, .../api/tags, .../key (OpenRouter), .../models (OpenAI and Anthropic)
  GET  .../inference-profiles, .../foundation-models (Bedrock's control plane)
  GET  .../v1beta1/publishers/{publisher}/models (Vertex AI Model Garden)
  POST .../token                              OAuth token endpoint (google-auth refreshes)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import select
import socket
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed")


@dataclass
class FakeBehaviour:
    """What the server does with the next requests; change it between requests as needed."""

    reply: str = "Hello from the fake provider."
    reasoning: str = ""  # streamed before the reply when set
    # How many chunks to cut the reply into (default: one per word); with an empty reply, a
    # generated reply of that many words.
    tokens: int | None = None
    delay: float = 0.0  # seconds between chunks
    status: int | None = None  # answer chat requests with this HTTP status and an error body
    fail_times: int | None = None  # with `status`: only the first N chat requests fail
    retry_after: str | None = None  # Retry-After header on failures
    error_message: str = "simulated failure"
    error_type: str | None = None  # vendor error type in the error body
    cut_after: int | None = None  # end the body cleanly after N chunks, without the end marker
    drop_after: int | None = None  # close the socket abruptly after N chunks
    stall_after: int | None = None  # send N chunks, then nothing until the client leaves
    # Send N chunks, then wait for `release` to be set before sending the rest: a stream that
    # stays live exactly as long as a test needs, whatever the machine's speed.
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    error_after: int | None = None  # send N chunks, then an in-stream error event, then end
    headers_delay: float = 0.0  # wait this long before answering at all
    require_key: str | None = None  # 401 unless the request carries this key
    models: list[str] = field(default_factory=lambda: ["fake-small", "fake-large"])
    input_tokens: int = 7
    finish: str = "stop"  # normalised finish: stop or length
    # Models whose Chat Completions requests get OpenAI's "only supported in v1/responses" 404.
    responses_only: list[str] = field(default_factory=list)
    access_token: str = "ya29.fake-access-token"  # what POST .../token hands out
    token_lifetime: int = 3600  # its expires_in, seconds


@dataclass
class RecordedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    body: object  # the decoded JSON body, or None


# -- wire encoders (also used by bench/bench_stream.py) ----------------------------------------


def split_reply(text: str, pieces: int | None) -> list[str]:
    """Cut `text` into chunks: one per word (space kept in front), or `pieces` even slices."""
    if not text:
        return []
    if pieces is None:
        words = text.split(" ")
        return [words[0]] + [" " + w for w in words[1:]]
    pieces = max(1, min(pieces, len(text)))
    size, extra = divmod(len(text), pieces)
    out, start = [], 0
    for i in range(pieces):
        end = start + size + (1 if i < extra else 0)
        out.append(text[start:end])
        start = end
    return out


def generated_reply(tokens: int) -> str:
    """A reply of `tokens` words, for load and benchmark runs."""
    return " ".join(WORDS[i % len(WORDS)] for i in range(tokens))


def _compact(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def anthropic_frames(
    text: list[str], reasoning: list[str], input_tokens: int, finish: str
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(opening, content, closing) SSE frames of an Anthropic Messages stream."""

    def ev(name: str, data: object) -> bytes:
        return f"event: {name}\ndata: {_compact(data)}\n\n".encode()

    opening = [
        ev(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "content": [],
                    "model": "fake",
                    "stop_reason": None,
                    "usage": {"input_tokens": input_tokens, "output_tokens": 1},
                },
            },
        )
    ]
    # One content frame per piece, so `cut_after=N` means N pieces; block starts and stops
    # ride along with the first piece of their block.
    content: list[bytes] = []
    index = 0
    if reasoning:
        start = {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking"}}
        for i, piece in enumerate(reasoning):
            delta = {"type": "thinking_delta", "thinking": piece}
            frame = ev(
                "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
            )
            content.append((ev("content_block_start", start) if i == 0 else b"") + frame)
        index = 1
    block = {"type": "content_block_start", "index": index, "content_block": {"type": "text"}}
    text_head = ev("content_block_start", block) + b'event: ping\ndata: {"type": "ping"}\n\n'
    if reasoning:
        text_head = ev("content_block_stop", {"type": "content_block_stop", "index": 0}) + text_head
    for i, piece in enumerate(text):
        delta = {"type": "text_delta", "text": piece}
        frame = ev(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        )
        content.append((text_head if i == 0 else b"") + frame)
    stop = "end_turn" if finish == "stop" else "max_tokens"
    closing = [
        ev("content_block_stop", {"type": "content_block_stop", "index": index}),
        ev(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": len(text) + len(reasoning)},
            },
        ),
        ev("message_stop", {"type": "message_stop"}),
    ]
    return opening, content, closing


def openai_frames(
    text: list[str], reasoning: list[str], input_tokens: int, finish: str
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(opening, content, closing) SSE frames of a Chat Completions stream."""
    head = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1727346168,
        "model": "fake",
        "system_fingerprint": "fp_fake",
    }

    def chunk(delta: dict[str, object], reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
        return f"data: {_compact({**head, 'choices': [choice]})}\n\n".encode()

    opening = [chunk({"role": "assistant", "content": "", "refusal": None})]
    content = [chunk({"reasoning_content": piece}) for piece in reasoning]
    content += [chunk({"content": piece}) for piece in text]
    usage = {
        "prompt_tokens": input_tokens,
        "completion_tokens": len(text) + len(reasoning),
        "total_tokens": input_tokens + len(text) + len(reasoning),
    }
    closing = [
        chunk({}, finish),
        f"data: {_compact({**head, 'choices': [], 'usage': usage})}\n\n".encode(),
        b"data: [DONE]\n\n",
    ]
    return opening, content, closing


def gemini_frames(
    text: list[str], reasoning: list[str], input_tokens: int, finish: str
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(opening, content, closing) SSE frames of a Gemini stream; CRLF, no terminator."""
    done = 0

    def frame(part: dict[str, object], reason: str | None) -> bytes:
        nonlocal done
        done += 1
        candidate: dict[str, object] = {"content": {"parts": [part], "role": "model"}, "index": 0}
        if reason:
            candidate["finishReason"] = reason
        usage = {"promptTokenCount": input_tokens, "candidatesTokenCount": done}
        body = {"candidates": [candidate], "usageMetadata": usage, "modelVersion": "fake"}
        return f"data: {_compact(body)}\r\n\r\n".encode()

    content = [frame({"text": piece, "thought": True}, None) for piece in reasoning]
    reason = "STOP" if finish == "stop" else "MAX_TOKENS"
    content += [
        frame({"text": piece}, reason if i == len(text) - 1 else None)
        for i, piece in enumerate(text)
    ]
    return [], content, []


def ollama_frames(
    text: list[str], reasoning: list[str], input_tokens: int, finish: str
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(opening, content, closing) NDJSON lines of an Ollama /api/chat stream."""

    def line(message: dict[str, str], **extra: object) -> bytes:
        body = {"model": "fake", "created_at": "2025-01-01T00:00:00Z", "message": message, **extra}
        return (_compact(body) + "\n").encode()

    content = [
        line({"role": "assistant", "content": "", "thinking": p}, done=False) for p in reasoning
    ]
    content += [line({"role": "assistant", "content": p}, done=False) for p in text]
    closing = [
        line(
            {"role": "assistant", "content": ""},
            done=True,
            done_reason=finish,
            prompt_eval_count=input_tokens,
            eval_count=len(text) + len(reasoning),
        )
    ]
    return [], content, closing


def responses_frames(
    text: list[str], reasoning: list[str], input_tokens: int, finish: str
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(opening, content, closing) SSE frames of an OpenAI Responses API stream."""

    def ev(data: dict[str, object]) -> bytes:
        return f"event: {data['type']}\ndata: {_compact(data)}\n\n".encode()

    opening = [ev({"type": "response.created", "response": {"status": "in_progress"}})]
    content = [
        ev({"type": "response.reasoning_summary_text.delta", "summary_index": 0, "delta": p})
        for p in reasoning
    ]
    content += [ev({"type": "response.output_text.delta", "delta": p}) for p in text]
    usage = {"input_tokens": input_tokens, "output_tokens": len(text) + len(reasoning)}
    end: dict[str, object]
    if finish == "stop":
        end = {"type": "response.completed", "response": {"status": "completed", "usage": usage}}
    else:
        details = {"reason": "max_output_tokens"}
        end = {
            "type": "response.incomplete",
            "response": {"status": "incomplete", "incomplete_details": details, "usage": usage},
        }
    return opening, content, [ev(end)]


def event_stream_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message (string headers only), with its two CRC-32s."""
    head = b"".join(
        bytes([len(k)]) + k.encode() + b"\x07" + len(v).to_bytes(2, "big") + v.encode()
        for k, v in headers.items()
    )
    total = 12 + len(head) + len(payload) + 4
    prelude = total.to_bytes(4, "big") + len(head).to_bytes(4, "big")
    prelude += zlib.crc32(prelude).to_bytes(4, "big")
    message = prelude + head + payload
    return message + zlib.crc32(message).to_bytes(4, "big")


def bedrock_event(kind: str, data: object) -> bytes:
    headers = {":event-type": kind, ":content-type": "application/json", ":message-type": "event"}
    return event_stream_message(headers, _compact(data).encode())


def bedrock_frames(
    text: list[str], reasoning: list[str], input_tokens: int, finish: str
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(opening, content, closing) event-stream messages of a Bedrock ConverseStream."""
    opening = [bedrock_event("messageStart", {"role": "assistant"})]
    content = [
        bedrock_event(
            "contentBlockDelta",
            {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": p}}},
        )
        for p in reasoning
    ]
    index = 1 if reasoning else 0
    content += [
        bedrock_event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": p}})
        for p in text
    ]
    usage = {
        "inputTokens": input_tokens,
        "outputTokens": len(text) + len(reasoning),
        "totalTokens": input_tokens + len(text) + len(reasoning),
    }
    closing = [
        bedrock_event("contentBlockStop", {"contentBlockIndex": index}),
        bedrock_event(
            "messageStop", {"stopReason": "end_turn" if finish == "stop" else "max_tokens"}
        ),
        bedrock_event("metadata", {"usage": usage, "metrics": {"latencyMs": 1}}),
    ]
    return opening, content, closing


FORMATS: dict[str, Callable[..., tuple[list[bytes], list[bytes], list[bytes]]]] = {
    "anthropic": anthropic_frames,
    "openai": openai_frames,
    "gemini": gemini_frames,
    "ollama": ollama_frames,
    "responses": responses_frames,
    "bedrock": bedrock_frames,
}


def stream_error_frame(fmt: str, message: str, error_type: str | None) -> bytes:
    """The event a vendor sends when it fails in the middle of a 200 stream."""
    if fmt == "anthropic":
        error: dict[str, object] = {"type": error_type or "api_error", "message": message}
        return f"event: error\ndata: {_compact({'type': 'error', 'error': error})}\n\n".encode()
    if fmt == "gemini":
        error = {"code": 500, "message": message, "status": error_type or "INTERNAL"}
        return f"data: {_compact({'error': error})}\r\n\r\n".encode()
    if fmt == "ollama":
        return (_compact({"error": message}) + "\n").encode()
    if fmt == "responses":
        failed = {
            "status": "failed",
            "error": {"code": error_type or "server_error", "message": message},
        }
        data = _compact({"type": "response.failed", "response": failed})
        return f"event: response.failed\ndata: {data}\n\n".encode()
    if fmt == "bedrock":
        headers = {
            ":exception-type": error_type or "internalServerException",
            ":content-type": "application/json",
            ":message-type": "exception",
        }
        return event_stream_message(headers, _compact({"message": message}).encode())
    error = {"message": message, "type": error_type or "server_error"}
    return f"data: {_compact({'error': error})}\n\n".encode()


def error_body(fmt: str, status: int, message: str, error_type: str | None) -> bytes:
    """A vendor-shaped error body."""
    if fmt == "anthropic":
        body: object = {
            "type": "error",
            "error": {"type": error_type or "api_error", "message": message},
        }
    elif fmt == "gemini":
        body = {"error": {"code": status, "message": message, "status": error_type or "UNKNOWN"}}
    elif fmt == "ollama":
        body = {"error": message}
    elif fmt == "bedrock":
        body = {"message": message}
    else:
        body = {
            "error": {"message": message, "type": error_type or "api_error", "code": error_type}
        }
    return _compact(body).encode()


# -- the server ----------------------------------------------------------------------------------


class FakeProvider:
    """A threaded loopback server; `url` is its base URL, `requests` what it received."""

    def __init__(self, behaviour: FakeBehaviour | None = None, port: int = 0) -> None:
        self.behaviour = behaviour or FakeBehaviour()
        self.requests: list[RecordedRequest] = []
        self.disconnected = threading.Event()  # a client left in the middle of a stream
        self.chat_count = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeProvider:
        # A short poll interval: stop() waits for it, and tests stop a server each.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever on a server never started
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            if request.method == "POST" and not urlsplit(request.path).path.endswith("/token"):
                self.chat_count += 1
            return self.chat_count


def _make_handler(server: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes; without this, Nagle and delayed ACKs
            # add 40 ms to every answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: object) -> None:
            pass

        # -- plumbing

        def _record(self, method: str) -> tuple[RecordedRequest, int]:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            request = RecordedRequest(
                method, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            return request, server.record(request)

        def _send_json(self, status: int, obj: object, extra: dict[str, str] | None = None) -> None:
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _key_ok(self, request: RecordedRequest) -> bool:
            wanted = server.behaviour.require_key
            if wanted is None:
                return True
            h = request.headers
            offered = {
                h.get("x-api-key"),
                h.get("x-goog-api-key"),
                h.get("api-key"),
                (h.get("authorization") or "").removeprefix("Bearer "),
            }
            return wanted in offered

        def _write_chunk(self, data: bytes) -> bool:
            try:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                return True
            except OSError:
                server.disconnected.set()
                return False

        def _wait_for_disconnect(
            self, limit: float, release: threading.Event | None = None
        ) -> bool:
            """Wait until the client leaves (True), `release` is set or `limit` passes."""
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and not (release and release.is_set()):
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                if readable:
                    try:
                        if self.connection.recv(1, socket.MSG_PEEK) == b"":
                            server.disconnected.set()
                            return True
                    except OSError:
                        server.disconnected.set()
                        return True
            return False

        # -- GET: discovery and key info

        def do_GET(self) -> None:
            request, _ = self._record("GET")
            b = server.behaviour
            path = urlsplit(self.path).path
            if not self._key_ok(request):
                self._send_json(
                    401, {"error": {"message": "invalid key", "type": "authentication_error"}}
                )
                return
            if path.endswith("/v1beta/models"):
                models = [
                    {
                        "name": f"models/{m}",
                        "displayName": m.title(),
                        "inputTokenLimit": 1048576,
                        "supportedGenerationMethods": ["generateContent", "countTokens"],
                    }
                    for m in b.models
                ]
                models.append(
                    {
                        "name": "models/embedding-fake",
                        "supportedGenerationMethods": ["embedContent"],
                    }
                )
                self._send_json(200, {"models": models})
            elif path.endswith("/inference-profiles"):
                profiles = [
                    {"inferenceProfileId": f"us.{m}", "inferenceProfileName": m, "status": "ACTIVE"}
                    for m in b.models
                ]
                self._send_json(200, {"inferenceProfileSummaries": profiles})
            elif path.endswith("/foundation-models"):
                summaries = [{"modelId": m, "modelName": m.title()} for m in b.models]
                self._send_json(200, {"modelSummaries": summaries})
            elif "/v1beta1/publishers/" in path:
                publisher = path.split("/publishers/")[1].split("/")[0]
                prefix = "claude" if publisher == "anthropic" else "gemini"
                found = [{"name": f"publishers/{publisher}/models/{prefix}-{m}"} for m in b.models]
                self._send_json(200, {"publisherModels": found})
            elif path.endswith("/api/tags"):
                self._send_json(200, {"models": [{"name": m, "model": m} for m in b.models]})
            elif path.endswith("/key"):
                key_info = {
                    "label": "sk-or-v1-fak...",
                    "usage": 1.5,
                    "limit": 10,
                    "limit_remaining": 8.5,
                }
                self._send_json(200, {"data": key_info})
            elif path.endswith("/models"):
                data = [
                    {
                        "id": m,
                        "object": "model",
                        "type": "model",
                        "display_name": m.title(),
                        "owned_by": "fake",
                    }
                    for m in b.models
                ]
                last = b.models[-1] if b.models else None
                self._send_json(
                    200,
                    {
                        "object": "list",
                        "data": data,
                        "has_more": False,
                        "first_id": None,
                        "last_id": last,
                    },
                )
            else:
                self._send_json(
                    404, {"error": {"message": f"no route {path}", "type": "not_found"}}
                )

        # -- POST: chat streams

        def do_POST(self) -> None:
            request, count = self._record("POST")
            b = server.behaviour
            path = urlsplit(self.path).path
            if path.endswith("/token"):
                token = {"access_token": b.access_token, "expires_in": b.token_lifetime}
                self._send_json(200, {**token, "token_type": "Bearer"})
                return
            if path.endswith("/v1/messages") or path.endswith(":streamRawPredict"):
                fmt = "anthropic"
            elif path.endswith("/responses"):
                fmt = "responses"
            elif path.endswith("/converse-stream"):
                fmt = "bedrock"
            elif ":streamGenerateContent" in path:
                fmt = "gemini"
            elif path.endswith("/chat/completions"):
                fmt = "openai"
            elif path.endswith("/api/chat"):
                fmt = "ollama"
            else:
                self._send_json(
                    404, {"error": {"message": f"no route {path}", "type": "not_found"}}
                )
                return
            if b.headers_delay:
                time.sleep(b.headers_delay)
            if not self._key_ok(request):
                body = error_body(fmt, 401, "invalid x-api-key", "authentication_error")
                self._send_raw(401, body, {})
                return
            model = request.body.get("model") if isinstance(request.body, dict) else None
            if fmt == "openai" and model in b.responses_only:
                message = (
                    "This model is only supported in v1/responses and not in v1/chat/completions."
                )
                self._send_raw(404, error_body(fmt, 404, message, "invalid_request_error"), {})
                return
            if b.status is not None and (b.fail_times is None or count <= b.fail_times):
                extra = {"retry-after": b.retry_after} if b.retry_after else {}
                self._send_raw(
                    b.status, error_body(fmt, b.status, b.error_message, b.error_type), extra
                )
                return
            self._stream(fmt)

        def _send_raw(self, status: int, data: bytes, extra: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, fmt: str) -> None:
            b = server.behaviour
            reply = b.reply
            if b.tokens is not None and not reply:
                reply = generated_reply(b.tokens)
            text = split_reply(reply, b.tokens)
            reasoning = split_reply(b.reasoning, None)
            opening, content, closing = FORMATS[fmt](text, reasoning, b.input_tokens, b.finish)
            self.send_response(200)
            ctype = {
                "ollama": "application/x-ndjson",
                "bedrock": "application/vnd.amazon.eventstream",
            }.get(fmt, "text/event-stream")
            self.send_header("content-type", ctype)
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for frame in opening:
                if not self._write_chunk(frame):
                    return
            for sent, frame in enumerate(content):
                if b.drop_after is not None and sent >= b.drop_after:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if b.cut_after is not None and sent >= b.cut_after:
                    self._write_chunk(b"")  # a clean end of body, minus the format's end marker
                    return
                if b.error_after is not None and sent >= b.error_after:
                    self._write_chunk(stream_error_frame(fmt, b.error_message, b.error_type))
                    self._write_chunk(b"")
                    return
                if b.stall_after is not None and sent >= b.stall_after:
                    self._wait_for_disconnect(30.0)
                    self.close_connection = True
                    return
                if (
                    b.hold_after is not None
                    and sent == b.hold_after
                    and self._wait_for_disconnect(30.0, b.release)
                ):
                    return
                if b.delay and sent:
                    time.sleep(b.delay)
                if not self._write_chunk(frame):
                    return
            for frame in closing:
                if not self._write_chunk(frame):
                    return
            self._write_chunk(b"")

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A fake LLM provider on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--print-port", action="store_true", help="print the bound port first")
    parser.add_argument("--reply", default=None)
    parser.add_argument("--reasoning", default="")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--tokens", type=int, default=None)
    parser.add_argument("--status", type=int, default=None)
    parser.add_argument("--require-key", default=None)
    args = parser.parse_args(argv)
    behaviour = FakeBehaviour(
        reasoning=args.reasoning,
        delay=args.delay,
        tokens=args.tokens,
        status=args.status,
        require_key=args.require_key,
    )
    if args.reply is not None:
        behaviour.reply = args.reply
    elif args.tokens is not None:
        behaviour.reply = generated_reply(args.tokens)
    server = FakeProvider(behaviour, port=args.port)
    if args.print_port:
        print(server.port, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
