"""Stream-parsing benchmark: our client against plain httpx `aiter_lines()` on the same bytes.

For each wire format a 100,000-token reply is generated (one token per frame, as providers
send them) and served from a loopback server in a separate process. Each run reads the whole
body once with `httpx` `aiter_lines()` (the baseline: no parsing at all) and once through our
client's `stream_chat()` (SSE/NDJSON framing, JSON decoding, typed events, usage, finish).
Best of several runs; the budget (DESIGN.md) is at most twice the time of raw line reading.

Two serving modes:
  paced  one frame per write, as a provider flushes each token (the realistic case)
  bulk   the whole body in 64 KiB writes: the client is the only bottleneck (worst case)

    python bench/bench_stream.py [--tokens 100000] [--runs 5] [--mode paced|bulk|both] [--check]

With --check the exit status is 1 when a ratio is over budget. Run it on an idle machine:
the server and the client each want a whole core, and other load shows up as noise.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.fake_provider import FORMATS, WORDS  # noqa: E402

from lace_tui.instances.models import RetryPolicy  # noqa: E402
from lace_tui.providers.base import ClientConfig  # noqa: E402
from lace_tui.providers.events import ChatMessage, ChatRequest  # noqa: E402
from lace_tui.providers.factory import create_client  # noqa: E402

BUDGET = 2.0
# format -> (catalog type, path the client posts to, base path)
TARGETS = {
    "anthropic": ("anthropic", "/v1/messages", ""),
    "openai": ("openai", "/v1/chat/completions", "/v1"),
    "gemini": ("google", "/v1beta/models/bench:streamGenerateContent?alt=sse", ""),
    "ollama": ("ollama", "/api/chat", ""),
}


def build_body(fmt: str, tokens: int) -> tuple[list[bytes], int]:
    """All frames of a `tokens`-token reply, and its text length."""
    text = [("" if i == 0 else " ") + WORDS[i % len(WORDS)] for i in range(tokens)]
    opening, content, closing = FORMATS[fmt](text, [], 12, "stop")
    return opening + content + closing, sum(map(len, text))


# -- server (separate process, so its CPU time is not ours) -------------------------------------


def serve(tokens: int, mode: str) -> None:
    """Answer every request on 127.0.0.1 with the body for the format its path names."""
    bodies = {fmt: build_body(fmt, tokens)[0] for fmt in FORMATS}
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            _answer(conn, bodies, mode)


def _answer(conn: socket.socket, bodies: dict[str, list[bytes]], mode: str) -> None:
    request = b""
    while b"\r\n\r\n" not in request:
        data = conn.recv(65536)
        if not data:
            return
        request += data
    head, _, rest = request.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += conn.recv(65536)
    path = head.split(b" ")[1].decode()
    fmt = next(f for f, (_, p, _) in TARGETS.items() if path.startswith(p.split("?")[0]))
    frames = bodies[fmt]
    if mode == "bulk":
        body = b"".join(frames)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
        )
        view = memoryview(body)
        for start in range(0, len(body), 65536):
            conn.sendall(view[start : start + 65536])
    else:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        )
        for frame in frames:
            conn.sendall(b"%x\r\n%s\r\n" % (len(frame), frame))
        conn.sendall(b"0\r\n\r\n")


# -- client ------------------------------------------------------------------------------------


async def baseline(http: httpx.AsyncClient, url: str) -> int:
    lines = 0
    async with http.stream("POST", url, json={"model": "bench"}) as response:
        async for _line in response.aiter_lines():
            lines += 1
    return lines


async def ours(http: httpx.AsyncClient, fmt: str, base: str) -> int:
    provider_type = TARGETS[fmt][0]
    config = ClientConfig(
        provider_type=provider_type,
        base_url=base,
        api_key="bench",
        headers={},
        timeout=60,
        retry=RetryPolicy(max_attempts=1),
        label="bench",
    )
    client = create_client(config, http=http)
    request = ChatRequest(model="bench", messages=[ChatMessage(role="user", content="go")])
    chars = 0
    async for event in client.stream_chat(request):
        if event.kind == "text":
            chars += len(event.text)
    return chars


async def measure(port: int, tokens: int, runs: int) -> list[tuple[str, float, float, int]]:
    rows = []
    async with httpx.AsyncClient(timeout=60) as http:
        for fmt, (_, path, base_path) in TARGETS.items():
            root = f"http://127.0.0.1:{port}"
            expected = build_body(fmt, tokens)[1]
            best_base = best_ours = float("inf")
            for _ in range(runs):
                started = time.perf_counter()
                await baseline(http, root + path)
                best_base = min(best_base, time.perf_counter() - started)
                started = time.perf_counter()
                chars = await ours(http, fmt, root + base_path)
                best_ours = min(best_ours, time.perf_counter() - started)
                if chars != expected:
                    raise SystemExit(f"{fmt}: got {chars} characters, expected {expected}")
            size = sum(map(len, build_body(fmt, tokens)[0]))
            rows.append((fmt, best_base, best_ours, size))
    return rows


def run_mode(mode: str, tokens: int, runs: int) -> bool:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", mode, "--tokens", str(tokens)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        rows = asyncio.run(measure(port, tokens, runs))
    finally:
        server.terminate()
        server.wait()
    print(f"\nmode: {mode}, {tokens:,} tokens, best of {runs}")
    print(f"{'format':<10} {'body MB':>8} {'aiter_lines s':>14} {'ours s':>8} {'ratio':>6}  budget")
    ok = True
    for fmt, base_s, ours_s, size in rows:
        ratio = ours_s / base_s
        verdict = "ok" if ratio < BUDGET else "OVER"
        ok = ok and ratio < BUDGET
        print(
            f"{fmt:<10} {size / 1e6:>8.1f} {base_s:>14.3f} {ours_s:>8.3f} {ratio:>6.2f}  {verdict}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mode", choices=("paced", "bulk", "both"), default="both")
    parser.add_argument("--check", action="store_true", help="exit 1 when over budget")
    parser.add_argument("--serve", choices=("paced", "bulk"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.tokens, args.serve)
        return 0
    modes = ("paced", "bulk") if args.mode == "both" else (args.mode,)
    results = [run_mode(mode, args.tokens, args.runs) for mode in modes]
    return 1 if args.check and not all(results) else 0


if __name__ == "__main__":
    sys.exit(main())
