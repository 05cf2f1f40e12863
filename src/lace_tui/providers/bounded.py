"""A stream body read within bounds: decompressed size, idle time between events, a deadline.

httpx's per-read timeout does not stop a server that sends one byte a second (each read
succeeds), and its gzip decoder inflates a whole network chunk at once (a 64 KiB chunk of a
gzip bomb becomes tens of megabytes). Here gzip and deflate are inflated with zlib's
`max_length`, so no step produces more than `STEP` bytes, the total is capped, and the time
since the parser last completed an event is checked after every chunk.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import httpx

from lace_tui import errors

MIB = 1024 * 1024
# Far above any real reply (a 100k-token reply is ~15 MiB of SSE), far below harm.
MAX_DECOMPRESSED = 256 * MIB
STEP = 1 * MIB  # most bytes one inflate step may produce


class Progress(Protocol):
    """What the body reader watches: events the parser completed, characters it produced
    (a frame run reads text without counting events)."""

    events_seen: int
    chars: int


@dataclass(frozen=True)
class StreamLimits:
    """How long and how much one reply may take. `idle`: seconds without a completed event;
    `deadline`: seconds for the whole body (None: no deadline)."""

    idle: float
    deadline: float | None = None
    max_decompressed: int = MAX_DECOMPRESSED


async def bounded_body(
    response: httpx.Response,
    limits: StreamLimits,
    progress: Progress,
    label: str,
) -> AsyncIterator[bytes]:
    """The body's (decoded) bytes. httpx.ReadTimeout when the parser's progress has not moved
    for `limits.idle` seconds, ProviderTimeoutError when the deadline passed,
    ProviderRequestError when the decompressed body passes its cap."""
    started = last_move = time.monotonic()
    seen = progress.events_seen + progress.chars
    chunks = _decoded(response, limits.max_decompressed, label).__aiter__()
    while True:
        now = time.monotonic()
        wait = limits.idle - (now - last_move)
        if limits.deadline is not None:
            wait = min(wait, limits.deadline - (now - started))
        if wait <= 0:
            raise _timed_out(label, limits, now - started)
        try:
            async with asyncio.timeout(wait):
                chunk = await chunks.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise _timed_out(label, limits, time.monotonic() - started) from None
        yield chunk
        count = progress.events_seen + progress.chars
        if count != seen:
            seen, last_move = count, time.monotonic()


def _timed_out(
    label: str, limits: StreamLimits, elapsed: float
) -> errors.ProviderTimeoutError | httpx.ReadTimeout:
    if limits.deadline is not None and elapsed >= limits.deadline:
        return errors.ProviderTimeoutError(
            f"instance '{label}': the reply took longer than its {limits.deadline:g} s deadline: "
            f"raise it with `lace-tui instance edit {label} --deadline SECONDS`"
        )
    # Idle: the same as a read that timed out, so the stream loop retries it or reports a
    # cut exactly as it does for httpx's own read timeout.
    return httpx.ReadTimeout(f"no event for {limits.idle:g} s")


async def _decoded(response: httpx.Response, cap: int, label: str) -> AsyncIterator[bytes]:
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        # Without a content-encoding read raw: httpx's decoding layer would have nothing to
        # do but still cost an async generator step per network chunk.
        async for chunk in response.aiter_raw():
            yield chunk
        return
    if encoding not in ("gzip", "deflate", "x-gzip"):
        total = 0
        async for chunk in response.aiter_bytes():  # br/zstd: httpx inflates, we still cap
            total += len(chunk)
            if total > cap:
                raise _too_big(label, cap)
            yield chunk
        return
    # wbits 47 (32 + 15) reads a gzip or zlib header; raw deflate is tried on failure.
    inflater = zlib.decompressobj(47)
    total = 0
    async for raw in response.aiter_raw():
        data = raw
        while data:
            try:
                out = inflater.decompress(data, STEP)
            except zlib.error:
                raise errors.ProviderRequestError(
                    f"instance '{label}': the provider sent a body that is not valid {encoding}"
                ) from None
            data = inflater.unconsumed_tail
            total += len(out)
            if total > cap:
                raise _too_big(label, cap)
            if out:
                yield out


def _too_big(label: str, cap: int) -> errors.ProviderRequestError:
    return errors.ProviderRequestError(
        f"instance '{label}': the reply passed {cap // MIB} MiB once decompressed and was "
        "stopped: check the endpoint"
    )
