"""Chat streaming benchmark: does the chat pane keep up with a fast reply, and does typing stay
responsive meanwhile?

The real app (LaceApp on the Chat section, headless, 120x40) talks to a loopback server in a
separate process that streams an OpenAI-style reply of about 2,000 tokens of realistic Markdown
(headings, paragraphs, lists, code) and reports when it wrote each part. Keystrokes are injected
from another thread, the way a terminal's input thread delivers them, every 20 ms while the reply
streams; a keystroke counts as handled when the prompt's TextArea.Changed is dispatched.

Cases:
  paced   2,000 tokens at 1,000 tokens/s: the last token must be on screen within 100 ms of the
          server writing it; keystrokes handled within 50 ms.
  burst   the same reply written all at once: fully on screen within 1 s of pressing Enter.
Same-run baselines (this machine, this run):
  idle keys    keystroke latency in the same app with nothing streaming
  one render   a bare Textual app rendering the finished reply with one Markdown.update()
  naive        (--naive) the counter-example: Markdown.update(full_text) on every token

    python bench/bench_chat_stream.py [--tokens 2000] [--rate 1000] [--runs 3] [--naive]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.fake_provider import openai_frames  # noqa: E402
from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.message import Message  # noqa: E402
from textual.widgets import Markdown, TextArea  # noqa: E402
from textual.widgets.markdown import MarkdownBlock  # noqa: E402

from lace_tui.instances.models import Instance, RetryPolicy  # noqa: E402
from lace_tui.paths import resolve_paths  # noqa: E402
from lace_tui.services.app_services import Services  # noqa: E402
from lace_tui.tui.app import LaceApp  # noqa: E402
from lace_tui.tui.screens.chat import ChatScreen  # noqa: E402
from lace_tui.tui.widgets.chat_message import ReplyView  # noqa: E402

LAST_TOKEN_BUDGET_MS = 100.0
KEY_BUDGET_MS = 50.0
BURST_BUDGET_MS = 1000.0
KEY_INTERVAL_S = 0.020
POLL_S = 0.002

SENTENCES = (
    "The request goes out once the prompt is stored, and the reply is written as it arrives.",
    "Each provider speaks its own wire format, but the chat pane only sees typed events.",
    "A stream that stops early is kept, marked interrupted, so nothing typed is ever lost.",
    "Costs come from catalog prices; an unknown price is shown as unknown, never as zero.",
    "Several agents can answer the same prompt side by side, each in its own column.",
)
CODE = (
    "```python\n"
    "async def stream(agent_id: str, prompt: str) -> None:\n"
    "    async for event in chat.send(agent_id, prompt):\n"
    "        view.add(event)\n"
    "```\n"
)


def markdown_reply(tokens: int) -> str:
    """About `tokens` words of Markdown: sections of paragraphs, a list and a code block,
    ending with a paragraph (so its last word is the last thing drawn)."""
    parts: list[str] = []
    words = 0
    section = 0
    while words < tokens:
        section += 1
        parts.append(f"## Part {section}\n\n")
        for n in range(3):
            sentence = " ".join(SENTENCES[(section + n + k) % len(SENTENCES)] for k in range(4))
            parts.append(sentence + "\n\n")
        parts.append("".join(f"- item {section}.{k}: {SENTENCES[k]}\n" for k in range(3)) + "\n")
        parts.append(CODE + "\n")
        words = len(re.findall(r"\S+", "".join(parts)))
    text = "".join(parts)
    pieces = re.findall(r"\s*\S+", text)[: tokens - 1]
    return "".join(pieces).rstrip() + "\n\nThe end of the reply."


def split_tokens(text: str) -> list[str]:
    """One piece per word, whitespace kept in front: how providers stream tokens."""
    return re.findall(r"\s*\S+\s*?", text) or [text]


# -- the server (a separate process: its CPU time and GIL are not the app's) --------------


def serve(tokens: int, rate: float) -> None:
    """Answer each POST with the reply, paced at `rate` tokens/s (0: all at once). After
    each reply, print `sent FIRST LAST` (time.monotonic() of the first and last content frame)."""
    pieces = split_tokens(markdown_reply(tokens))
    opening, content, closing = openai_frames(pieces, [], 50, "stop")
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(65536)
            head, _, body = request.partition(b"\r\n\r\n")
            length = int(re.search(rb"content-length: *(\d+)", head, re.I).group(1))  # type: ignore[union-attr]
            while len(body) < length:
                body += conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            )

            def chunk(data: bytes) -> bytes:
                return b"%x\r\n%s\r\n" % (len(data), data)

            conn.sendall(b"".join(chunk(frame) for frame in opening))
            first = time.monotonic()
            if rate <= 0:
                conn.sendall(b"".join(chunk(frame) for frame in content))
            else:
                for i, frame in enumerate(content):
                    delay = first + i / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    conn.sendall(chunk(frame))
            last = time.monotonic()
            conn.sendall(b"".join(chunk(frame) for frame in closing) + chunk(b""))
            print(f"sent {first} {last}", flush=True)


class Server:
    """The serving process, and the times it reports."""

    def __init__(self, tokens: int, rate: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--tokens", str(tokens), "--rate", str(rate)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def sent(self) -> tuple[float, float]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        return float(line[1]), float(line[2])

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


# -- the app side ---------------------------------------------------------------------------


def make_home(port: int) -> Services:
    """A throwaway home with one provider, one instance on the server, one session."""
    paths = resolve_paths(tempfile.mkdtemp(prefix="lace-bench-"))
    paths.user_catalogs_dir.mkdir(parents=True, exist_ok=True)
    catalog = {
        "id": "benchco",
        "name": "BenchCo",
        "type": "openai",
        "models": [
            {
                "id": "bench-model",
                "name": "Bench Model",
                "cost_per_1m_in": 1.0,
                "cost_per_1m_out": 2.0,
                "context_window": 200000,
                "default_max_tokens": 8000,
            }
        ],
    }
    (paths.user_catalogs_dir / "benchco.json").write_text(json.dumps(catalog))
    services = Services(paths, environ={})
    services.instances.add(
        Instance(
            id="bench",
            provider="benchco",
            endpoint=f"http://127.0.0.1:{port}/v1",
            retry=RetryPolicy(max_attempts=1),
        ),
        api_key="sk-bench-0000",
    )
    services.catalog  # noqa: B018  (loaded up front, as the app's start-up worker does)
    session = services.sessions.create_session("s-bench", title="Bench")
    services.chat.add_agent(session.id, "bench", "bench-model")
    return services


def last_block_text(markdown: Markdown) -> str:
    blocks = list(markdown.query_children(MarkdownBlock))
    return str(blocks[-1].render()).rstrip() if blocks else ""


@dataclass
class Keys:
    """Keystrokes injected from a thread, and when the prompt reported each one."""

    posted: list[float] = field(default_factory=list)
    changed: list[tuple[float, int]] = field(default_factory=list)  # (time, text length)
    base_length: int = 0

    def hook(self, message: Message) -> None:
        if isinstance(message, TextArea.Changed):
            self.changed.append((time.monotonic(), len(message.text_area.text)))

    def latencies_ms(self) -> list[float]:
        result = []
        for n, posted in enumerate(self.posted, start=1):
            wanted = self.base_length + n
            done = next((t for t, length in self.changed if length >= wanted and t >= posted), None)
            if done is not None:
                result.append((done - posted) * 1000)
        return result


def inject_keys(app: App[object], keys: Keys, stop: threading.Event) -> threading.Thread:
    """Type `x` every KEY_INTERVAL_S until stopped, as a terminal's input thread would."""
    driver = app._driver
    assert driver is not None

    def run() -> None:
        while not stop.wait(KEY_INTERVAL_S):
            event = events.Key("x", "x")
            event.set_sender(app)
            keys.posted.append(time.monotonic())
            driver.send_message(event)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@dataclass
class Result:
    shown_after_last_sent_ms: float
    shown_after_enter_ms: float
    keys_ms: list[float]
    keys_lost: int = 0  # typed while streaming but not in the prompt at the end
    # CPU seconds this process spent from Enter to the last word on screen: on a busy machine
    # the wall time mostly measures the other processes, this much less so.
    cpu_after_enter_s: float = 0.0


async def wait_for(condition: Callable[[], bool], limit: float = 60.0) -> float:
    """Poll until `condition()`; return the time it first held."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the reply never showed")
        await asyncio.sleep(POLL_S)
    return time.monotonic()


async def run_chat(tokens: int, rate: float, idle_keys: bool = False) -> Result:
    server = Server(tokens, rate)
    services = make_home(server.port)
    reply_text = markdown_reply(tokens)
    tail = reply_text.rstrip().splitlines()[-1]
    keys = Keys()
    app = LaceApp(services, session_id="s-bench")
    try:
        async with app.run_test(size=(120, 40), message_hook=keys.hook) as pilot:
            await wait_for(
                lambda: isinstance(app.screen, ChatScreen) and app.screen.pane is not None
            )
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            await pilot.pause()
            if idle_keys:
                stop = threading.Event()
                thread = inject_keys(app, keys, stop)
                await asyncio.sleep(KEY_INTERVAL_S * 50)
                stop.set()
                thread.join()
                await pilot.pause(0.1)
                return Result(0.0, 0.0, keys.latencies_ms())
            screen.prompt.load_text("Tell me everything.")
            await pilot.pause()
            enter = events.Key("enter", "\r")
            enter.set_sender(app)
            pressed = time.monotonic()
            pressed_cpu = time.process_time()
            assert app._driver is not None
            app._driver.send_message(enter)
            await wait_for(lambda: bool(screen.query("ReplyView Markdown")))
            stop = threading.Event()
            thread = inject_keys(app, keys, stop)
            try:
                reply = screen.query_one(ReplyView)
                markdown = reply.query_one(Markdown)
                shown = await wait_for(
                    lambda: last_block_text(markdown).endswith(tail),
                    limit=600,  # a long reply on a busy machine
                )
            finally:
                stop.set()
                thread.join()
            cpu = time.process_time() - pressed_cpu
            await wait_for(lambda: not screen.streaming_agents())
            await pilot.pause(0.1)
            _, last_sent = server.sent()
            stored = services.sessions.list_messages(services.sessions.list_agents("s-bench")[0].id)
            assert stored[-1].content == reply_text, "the stored reply differs from what was sent"
            assert markdown.source == reply_text, "the reply on screen differs from what was sent"
            lost = len(keys.posted) - len(screen.prompt.text)
            return Result(
                (shown - last_sent) * 1000,
                (shown - pressed) * 1000,
                keys.latencies_ms(),
                lost,
                cpu,
            )
    finally:
        services.close()
        server.close()


class MarkdownApp(App[None]):
    """The baselines: one Markdown widget in a scroll view, nothing else."""

    def compose(self) -> ComposeResult:
        yield Markdown()


async def run_one_render(tokens: int) -> float:
    """Time for a bare Markdown widget to render the whole reply with one update()."""
    text = markdown_reply(tokens)
    tail = text.rstrip().splitlines()[-1]
    app = MarkdownApp()
    async with app.run_test(size=(120, 40)) as pilot:
        markdown = app.query_one(Markdown)
        await pilot.pause()
        start = time.monotonic()
        markdown.update(text)
        shown = await wait_for(lambda: last_block_text(markdown).endswith(tail))
        return (shown - start) * 1000


async def run_naive(tokens: int, rate: float) -> float:
    """The counter-example: re-render everything on every token, paced at `rate` tokens/s.
    Returns how far behind the last token shows (ms after it 'arrived')."""
    pieces = split_tokens(markdown_reply(tokens))
    tail = "".join(pieces).rstrip().splitlines()[-1]
    app = MarkdownApp()
    async with app.run_test(size=(120, 40)) as pilot:
        markdown = app.query_one(Markdown)
        await pilot.pause()
        text = ""
        start = time.monotonic()
        for i, piece in enumerate(pieces):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            text += piece
            await markdown.update(text)
        arrived = start + (len(pieces) - 1) / rate
        shown = await wait_for(lambda: last_block_text(markdown).endswith(tail), limit=300)
        return (shown - arrived) * 1000


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def keys_line(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<28} no keystrokes measured"
    return (
        f"  {label:<28} n={len(values):>3}  median {statistics.median(values):6.1f} ms  "
        f"p95 {p(values, 0.95):6.1f} ms  max {max(values):6.1f} ms"
    )


async def main(args: argparse.Namespace) -> int:
    tokens, rate = args.tokens, args.rate
    print(f"chat streaming benchmark: {tokens} tokens, best/worst of {args.runs} runs\n")

    idle = await run_chat(tokens, rate, idle_keys=True)
    one_render = min([await run_one_render(tokens) for _ in range(args.runs)])
    print("baselines (same run)")
    print(keys_line("keystrokes, idle app", idle.keys_ms))
    print(f"  {'one Markdown.update()':<28} {one_render:6.1f} ms for the whole reply")
    if args.naive:
        naive = await run_naive(tokens, rate)
        print(f"  {'naive update per token':<28} last token shown {naive:8.1f} ms after arrival")

    paced = [await run_chat(tokens, rate) for _ in range(args.runs)]
    burst = [await run_chat(tokens, 0) for _ in range(args.runs)]
    paced_keys = [k for r in paced for k in r.keys_ms]
    burst_keys = [k for r in burst for k in r.keys_ms]
    worst_lag = max(r.shown_after_last_sent_ms for r in paced)
    worst_burst = max(r.shown_after_enter_ms for r in burst)

    print(f"\npaced: {rate:.0f} tokens/s")
    lags = ", ".join(f"{r.shown_after_last_sent_ms:.1f}" for r in paced)
    print(
        f"  last token on screen after it was sent: {lags} ms (budget {LAST_TOKEN_BUDGET_MS:.0f})"
    )
    print(keys_line("keystrokes while streaming", paced_keys))
    print("\nburst: the whole reply at once")
    totals = ", ".join(f"{r.shown_after_enter_ms:.1f}" for r in burst)
    print(f"  fully on screen after Enter: {totals} ms (budget {BURST_BUDGET_MS:.0f})")
    print(keys_line("keystrokes while rendering", burst_keys))

    all_keys = paced_keys + burst_keys
    checks = [
        ("last token within budget", worst_lag <= LAST_TOKEN_BUDGET_MS),
        ("burst within budget", worst_burst <= BURST_BUDGET_MS),
        ("keystrokes within budget", bool(all_keys) and max(all_keys) <= KEY_BUDGET_MS),
    ]
    print()
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=1000.0, help="tokens/s of the paced case")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive", action="store_true", help="also run the naive counter-example")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.serve:
        serve(parsed.tokens, parsed.rate)
        sys.exit(0)
    sys.exit(asyncio.run(main(parsed)))
