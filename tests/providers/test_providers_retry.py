"""Retries before the first token: which failures, how many, how long between, and never once
text has been shown."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
import respx

from lace_tui import errors
from lace_tui.instances.models import RetryPolicy
from lace_tui.providers.events import StreamError, TextDelta
from lace_tui.providers.factory import create_client
from tests.providers.conftest import (
    ChunkedStream,
    SleepRecorder,
    chat_request,
    collect_stream,
    config_for,
)

BASE = "https://openai.test/v1"
ANTHROPIC = "https://anthropic.test"
OK_BODY = (
    b'data: {"choices":[{"index":0,"delta":{"content":"fine"},"finish_reason":null}]}\n\n'
    b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)


class BrokenStream(httpx.AsyncByteStream):
    """Sends some bytes, then the connection breaks."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece
        raise httpx.ReadError("connection reset by peer")


def answers(
    *responses: Callable[[], httpx.Response] | Exception,
) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect giving each request the next answer in turn (fresh streams)."""
    queue = list(responses)

    def next_answer(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer()

    return next_answer


def status(
    code: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> Callable[[], httpx.Response]:
    return lambda: httpx.Response(code, content=body, headers=headers or {})


def stream(body: bytes) -> Callable[[], httpx.Response]:
    return lambda: httpx.Response(200, stream=ChunkedStream([body]))


def broken(*pieces: bytes) -> Callable[[], httpx.Response]:
    return lambda: httpx.Response(200, stream=BrokenStream(list(pieces)))


async def run(
    sleeps: SleepRecorder,
    *answers_in_order: Callable[[], httpx.Response] | Exception,
    policy: RetryPolicy | None = None,
    provider_type: str = "openai",
    base: str = BASE,
) -> tuple[list[object], errors.LaceError | None, int]:
    policy = policy or RetryPolicy(max_attempts=3, backoff_initial=1.0, backoff_max=30.0)
    async with respx.mock() as router:
        route = router.route(method="POST").mock(side_effect=answers(*answers_in_order))
        config = config_for(provider_type, base, retry=policy)
        async with create_client(config, sleep=sleeps) as client:
            seen = await collect_stream(client, chat_request())
        return list(seen.events), seen.raised, route.call_count


async def test_rate_limits_are_retried_with_exponential_backoff(sleeps: SleepRecorder) -> None:
    events, raised, calls = await run(sleeps, status(429), status(429), stream(OK_BODY))
    assert raised is None
    assert calls == 3
    assert sleeps.delays == [1.0, 2.0]
    assert events[0] == TextDelta(text="fine")


async def test_the_last_error_says_how_many_attempts(sleeps: SleepRecorder) -> None:
    _, raised, calls = await run(sleeps, status(429), status(429), status(429))
    assert isinstance(raised, errors.RateLimitError)
    assert calls == 3
    assert str(raised) == (
        "instance 'work': rate limited by provider after 3 attempts (429): wait and try again"
    )


async def test_backoff_is_capped(sleeps: SleepRecorder) -> None:
    policy = RetryPolicy(max_attempts=5, backoff_initial=4.0, backoff_max=10.0)
    _, raised, calls = await run(sleeps, *[status(503)] * 5, policy=policy)
    assert isinstance(raised, errors.ServerError)
    assert calls == 5
    assert sleeps.delays == [4.0, 8.0, 10.0, 10.0]
    assert "provider server error after 5 attempts (503)" in str(raised)


async def test_retry_after_seconds_is_honoured_and_capped(sleeps: SleepRecorder) -> None:
    policy = RetryPolicy(max_attempts=3, backoff_initial=1.0, backoff_max=20.0)
    await run(
        sleeps,
        status(429, headers={"retry-after": "7"}),
        status(503, headers={"retry-after": "120"}),
        stream(OK_BODY),
        policy=policy,
    )
    assert sleeps.delays == [7.0, 20.0]


async def test_retry_after_as_an_http_date(sleeps: SleepRecorder) -> None:
    when = format_datetime(datetime.fromtimestamp(time.time() + 5, tz=UTC), usegmt=True)
    await run(sleeps, status(529, headers={"retry-after": when}), stream(OK_BODY))
    assert len(sleeps.delays) == 1
    assert 3.0 < sleeps.delays[0] <= 5.0


@pytest.mark.parametrize("code", [400, 401, 403, 404])
async def test_client_errors_are_never_retried(sleeps: SleepRecorder, code: int) -> None:
    _, raised, calls = await run(sleeps, status(code), stream(OK_BODY))
    assert raised is not None
    assert calls == 1
    assert sleeps.delays == []
    assert "attempts" not in str(raised)


async def test_quota_errors_are_never_retried(sleeps: SleepRecorder) -> None:
    body = b'{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}'
    _, raised, calls = await run(sleeps, status(429, body), stream(OK_BODY))
    assert isinstance(raised, errors.QuotaExceededError)
    assert calls == 1
    assert sleeps.delays == []


async def test_connection_errors_are_retried(sleeps: SleepRecorder) -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    events, raised, calls = await run(sleeps, refused, refused, stream(OK_BODY))
    assert raised is None
    assert calls == 3
    assert events[0] == TextDelta(text="fine")


async def test_unreachable_after_every_attempt(sleeps: SleepRecorder) -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    _, raised, _ = await run(sleeps, refused, refused, refused)
    assert isinstance(raised, errors.UnreachableError)
    assert "cannot reach https://openai.test/v1/chat/completions after 3 attempts" in str(raised)


async def test_timeouts_say_attempts_without_a_double_after(sleeps: SleepRecorder) -> None:
    late = httpx.ReadTimeout("timed out")
    _, raised, _ = await run(sleeps, late, late, late)
    assert isinstance(raised, errors.ProviderTimeoutError)
    assert str(raised).startswith("instance 'work': timed out after 5 s (3 attempts): no answer")


async def test_no_retry_once_text_was_shown(sleeps: SleepRecorder) -> None:
    first = (
        b'data: {"choices":[{"index":0,"delta":{"content":"partial "},"finish_reason":null}]}\n\n'
    )
    events, raised, calls = await run(sleeps, broken(first), stream(OK_BODY))
    assert calls == 1
    assert sleeps.delays == []
    assert events == [TextDelta(text="partial ")]
    assert isinstance(raised, errors.StreamCutError)
    assert str(raised) == (
        "stream from instance 'work' was cut off after 8 characters (the connection broke)"
    )


async def test_a_break_before_any_text_is_retried(sleeps: SleepRecorder) -> None:
    start = (
        b'event: message_start\ndata: {"type":"message_start","message":'
        b'{"usage":{"input_tokens":5,"output_tokens":1}}}\n\n'
    )
    ok = (
        start + b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"hello"}}\n\n'
        b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    )
    events, raised, calls = await run(
        sleeps, broken(start), stream(ok), provider_type="anthropic", base=ANTHROPIC
    )
    assert raised is None
    assert calls == 2
    assert TextDelta(text="hello") in events


async def test_a_break_before_any_text_on_the_last_attempt_is_a_cut(sleeps: SleepRecorder) -> None:
    start = b'event: message_start\ndata: {"type":"message_start","message":{}}\n\n'
    _, raised, calls = await run(
        sleeps,
        broken(start),
        broken(start),
        provider_type="anthropic",
        base=ANTHROPIC,
        policy=RetryPolicy(max_attempts=2, backoff_initial=1.0, backoff_max=30.0),
    )
    assert calls == 2
    assert isinstance(raised, errors.StreamCutError)
    assert str(raised) == (
        "stream from instance 'work' was cut off after 0 characters "
        "(the connection broke; 2 attempts)"
    )


OVERLOADED_EVENT = (
    b"event: error\n"
    b'data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
)


async def test_an_in_stream_overload_before_text_is_retried(sleeps: SleepRecorder) -> None:
    ok = (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"hi"}}\n\n'
        b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    )
    events, raised, calls = await run(
        sleeps, stream(OVERLOADED_EVENT), stream(ok), provider_type="anthropic", base=ANTHROPIC
    )
    assert raised is None
    assert calls == 2
    assert sleeps.delays == [1.0]
    assert events == [TextDelta(text="hi")]


async def test_an_in_stream_overload_that_persists_ends_with_the_error_event(
    sleeps: SleepRecorder,
) -> None:
    events, raised, calls = await run(
        sleeps, *[stream(OVERLOADED_EVENT)] * 3, provider_type="anthropic", base=ANTHROPIC
    )
    assert raised is None
    assert calls == 3
    assert events == [
        StreamError(message="Overloaded (after 3 attempts)", error_type="overloaded_error")
    ]


async def test_an_in_stream_error_after_text_is_not_retried(sleeps: SleepRecorder) -> None:
    body = (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"half"}}\n\n' + OVERLOADED_EVENT
    )
    events, raised, calls = await run(
        sleeps, stream(body), stream(body), provider_type="anthropic", base=ANTHROPIC
    )
    assert raised is None
    assert calls == 1
    assert events == [
        TextDelta(text="half"),
        StreamError(message="Overloaded", error_type="overloaded_error"),
    ]


async def test_discovery_retries_but_the_connection_test_does_not(sleeps: SleepRecorder) -> None:
    policy = RetryPolicy(max_attempts=3, backoff_initial=0.5, backoff_max=30.0)
    models = b'{"object":"list","data":[{"id":"gpt-x","object":"model"}]}'
    async with respx.mock() as router:
        route = router.get(f"{BASE}/models").mock(
            side_effect=answers(status(503), lambda: httpx.Response(200, content=models))
        )
        async with create_client(config_for("openai", BASE, retry=policy), sleep=sleeps) as client:
            found = await client.list_models()
            assert [m.id for m in found] == ["gpt-x"]
            assert route.call_count == 2
            assert sleeps.delays == [0.5]
            route.side_effect = answers(status(503), lambda: httpx.Response(200, content=models))
            result = await client.test_connection()
    assert result.state == "error"
    assert route.call_count == 3
    assert sleeps.delays == [0.5]
