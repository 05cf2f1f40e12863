"""What every provider client shares: config, the retrying stream loop, JSON GETs, the test.

A client is built per instance (see factory.create_client). `stream_chat` yields typed events
(text, reasoning, usage, finish, error) and ends in one of three ways: normally (a Finish was
the last event, or the stream simply ended where the format allows it), with a StreamError
event (the provider reported a failure inside a 200 stream; nothing follows it), or by raising
a LaceError (HTTP error, network, timeout, a stream cut short). Retries happen inside, and
only before the first text or reasoning was yielded.
"""

from __future__ import annotations

import abc
import asyncio
import dataclasses
import functools
import json
import re
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Protocol, TypeVar

import httpx

from lace_tui import __version__, errors
from lace_tui.contracts import ConnectionState, RetryPolicy
from lace_tui.providers.bounded import StreamLimits, bounded_body
from lace_tui.providers.events import (
    ChatRequest,
    DiscoveredModel,
    Finish,
    ReasoningDelta,
    StreamError,
    StreamEvent,
    TestResult,
    TextDelta,
    ToolCall,
)
from lace_tui.providers.failures import (
    AttemptFailed,
    Failure,
    RequestContext,
    failure_for_exception,
    failure_for_status,
    redact_url,
)
from lace_tui.providers.jsonshape import loads
from lace_tui.providers.retry import backoff_delay, parse_retry_after
from lace_tui.redact import is_sensitive_header, remember_secret
from lace_tui.stop_reason import StopReason

Sleep = Callable[[float], Awaitable[None]]
FrameT = TypeVar("FrameT")
_SURROGATE = re.compile("[\ud800-\udfff]")

USER_AGENT = f"lace-tui/{__version__}"
ERROR_BODY_LIMIT = 65536
# In-stream error types worth another attempt when nothing has been shown yet.
RETRYABLE_STREAM_ERRORS = frozenset(
    {"overloaded_error", "api_error", "rate_limit_error", "server_error", "overloaded"}
)


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client needs about one instance, already resolved (endpoint, key, headers)."""

    provider_type: str  # catalog `type`
    base_url: str  # already resolved (see factory.resolve_endpoint)
    api_key: str | None
    headers: Mapping[str, str]  # catalog default_headers merged with instance headers
    timeout: float  # seconds
    retry: RetryPolicy
    label: str  # instance id, used in error messages
    api_version: str | None = None  # azure
    deadline: float | None = None  # seconds for a whole reply's body; None: no deadline


@dataclass(frozen=True)
class ChatCall:
    """The HTTP request for one chat stream."""

    url: str
    body: Mapping[str, object]


class Framing(Protocol[FrameT]):
    """How a format cuts body bytes into frames: SSE events (sse.py) or NDJSON lines
    (ndjson.py)."""

    def feed(self, chunk: bytes) -> list[FrameT]:
        """The frames one chunk of body bytes completed."""
        ...

    def flush(self) -> list[FrameT]:
        """End of body: the last frame, even without its terminator."""
        ...


class StreamParser(abc.ABC):
    """A vendor stream as a synchronous state machine: body bytes in, typed events out.

    Being synchronous keeps the per-token cost down (no extra async generator layer) and
    makes parsers testable without any I/O. Adjacent text (or reasoning) pieces that arrive
    in one read are merged into one delta: a reply that lands all at once becomes a handful
    of events, not thousands. Attributes the stream loop reads: `started` (text or reasoning
    produced), `chars` (how many characters of it), `complete` (the format's end was
    reached), `done` (stop reading), `error` (a StreamError was emitted), `failure` (a
    malformed stream: raised after the events that came before it). Formats build on
    FramedParser, which implements `feed` and `finish`.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = False
        self.chars = 0
        self.complete = False
        self.done = False
        self.error: StreamError | None = None
        self.failure: errors.LaceError | None = None
        self.content_type = ""
        self.events_seen = 0  # SSE events or NDJSON lines decoded, whatever their content
        self._out: list[StreamEvent] = []
        self._pending: list[str] = []
        self._pending_reasoning = False
        self._carry = ""  # a UTF-16 high surrogate waiting for its other half

    @abc.abstractmethod
    def feed(self, chunk: bytes) -> list[StreamEvent]:
        """Consume one chunk of body bytes; return the events it completed."""

    @abc.abstractmethod
    def finish(self) -> list[StreamEvent]:
        """The body ended: return the last events and set `complete` if the end was legitimate."""

    def add_text(self, text: str) -> None:
        """A piece of the reply."""
        if self._pending_reasoning and self._pending:
            self._flush()
        self._pending_reasoning = False
        self._pending.append(text)
        self.chars += len(text)
        self.started = True

    def add_reasoning(self, text: str) -> None:
        """A piece of the model's reasoning."""
        if not self._pending_reasoning and self._pending:
            self._flush()
        self._pending_reasoning = True
        self._pending.append(text)
        self.chars += len(text)
        self.started = True

    def add_event(self, event: StreamEvent) -> None:
        """Any other event (usage, finish, error), in order after the text before it."""
        if self._pending:
            self._flush()
        if self._carry and isinstance(event, Finish | StreamError):
            self._pending.append("")  # the text is over: a half character left is lone
            self._flush(last=True)
        self._out.append(event)

    def take(self) -> list[StreamEvent]:
        """The events completed so far, handed over once."""
        if self._pending:
            self._flush()
        if self._carry and (self.done or self.complete):
            self._pending.append("")  # the stream is over: a half character left is lone
            self._flush(last=True)
        out = self._out
        self._out = []
        return out

    def _flush(self, *, last: bool = False) -> None:
        pending = self._pending
        text = pending[0] if len(pending) == 1 else "".join(pending)
        self._pending = []
        # str.isascii() is O(1) in CPython: the check costs nothing for most text.
        if self._carry or (not text.isascii() and _SURROGATE.search(text) is not None):
            text = self._mend(text, last=last)
            if not text:
                return
        self._out.append(ReasoningDelta(text) if self._pending_reasoning else TextDelta(text))

    def _mend(self, text: str, *, last: bool) -> str:
        """Pair UTF-16 surrogate halves that JSON `\\u` escapes sent apart (even in separate
        events) and replace lone ones: text that cannot be stored as UTF-8 must never reach
        the session store. A high half at the end waits for the next text."""
        text = self._carry + text
        self._carry = ""
        if not last and text and "\ud800" <= text[-1] <= "\udbff":
            text, self._carry = text[:-1], text[-1]
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    def fail_malformed(self, what: str) -> None:
        """Record a malformed stream; the loop raises it after yielding earlier events."""
        self.failure = errors.ProviderRequestError(
            f"instance '{self.label}': the provider sent a malformed stream ({what}); "
            "check the endpoint, or try again"
        )
        self.done = True

    def emit_error(self, message: str, error_type: str | None) -> None:
        """Record a provider-reported error; it ends the stream."""
        event = StreamError(
            message=message or "the provider reported an error", error_type=error_type
        )
        self.error = event
        self.complete = True
        self.done = True
        self.add_event(event)


class FramedParser(StreamParser, Generic[FrameT]):
    """The template every wire format fills in: `feed` and `finish` cut the body into frames
    with the format's `framing` and hand each to `on_frame` until the parser is `done`; at
    the body's end, `end_of_body` decides whether an end without the format's end marker is
    legitimate. A format writes `on_frame` (and `end_of_body` if its stream may simply end),
    and reports what it reads with `add_text`, `add_reasoning`, `add_event`, `emit_error`
    and `fail_malformed`; a Finish carries its stop reason, mapped in one table per format.
    """

    def __init__(self, label: str, framing: Framing[FrameT]) -> None:
        super().__init__(label)
        self.framing = framing

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if not self.done:
            self._read(self.framing.feed(chunk))
        return self.take()

    def finish(self) -> list[StreamEvent]:
        if not self.done:
            self._read(self.framing.flush())
        if not self.done:
            self.end_of_body()
        return self.take()

    def _read(self, frames: list[FrameT]) -> None:
        self.events_seen += len(frames)
        for frame in frames:
            if self.done:
                return
            self.on_frame(frame)

    @abc.abstractmethod
    def on_frame(self, frame: FrameT) -> None:
        """Read one frame (an SSE event, an NDJSON line)."""

    def end_of_body(self) -> None:
        """The body ended before the parser was done. Formats whose stream may simply end
        (Gemini; servers that skip OpenAI's `[DONE]`) set `complete` here; otherwise the
        stream loop reports a cut."""

    def json_payload(self, payload: bytes, what: str = "an event") -> object:
        """The payload decoded as JSON; None, with the stream marked malformed, if it is not."""
        try:
            return loads(payload)
        except ValueError:
            self.fail_malformed(f"{what} that is not JSON")
            return None


class ToolCallParts:
    """Tool calls as they stream in pieces (a name, then argument fragments), by position."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        self._arguments: dict[int, list[str]] = {}

    def add(self, index: int, name: str | None = None, arguments: str | None = None) -> None:
        """Record a piece of call `index`: its name (the first piece has it), more of its
        arguments. Arguments for a position no call was named at (a block of another kind,
        like Anthropic's server-run tools) are not a call."""
        if name:
            self._names[index] = name
            self._arguments.setdefault(index, [])
        if arguments and index in self._arguments:
            self._arguments[index].append(arguments)

    def __len__(self) -> int:
        return len(self._arguments)

    def calls(self) -> tuple[ToolCall, ...]:
        """The calls seen, in order."""
        return tuple(
            ToolCall(self._names[index], "".join(parts))
            for index, parts in sorted(self._arguments.items())
        )


def with_tool_calls(reason: StopReason | None, calls: tuple[ToolCall, ...]) -> StopReason | None:
    """A reply that asked for tools ended for that reason, whatever plain stop the server
    reported (gateways that inject tools often say `stop`)."""
    return "tool_calls" if calls and reason in ("stop", None) else reason


class ProviderClient(abc.ABC):
    """One instance's client. Use it as `async with`, or call `aclose()` when done."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0))
        # The timeout is per read: a server sending a byte a second never trips it, so the
        # body is also held to an idle limit between events and the instance's deadline.
        self._limits = StreamLimits(idle=config.timeout, deadline=config.deadline)
        self._owns_http = http is None
        if http is None:
            http = httpx.AsyncClient(timeout=self._timeout, verify=_shared_ssl_context())
        self._http = http
        headers = httpx.Headers({"user-agent": USER_AGENT})
        headers.update(self.auth_headers())
        headers.update(dict(config.headers))  # the instance may override anything, auth included
        remember_secret(config.api_key)
        for name, value in headers.items():
            if is_sensitive_header(name):
                remember_secret(value)
        self._headers = headers

    # -- per-format hooks --------------------------------------------------------------

    @abc.abstractmethod
    def auth_headers(self) -> dict[str, str]:
        """Headers that carry the key (and version pins) for this format."""

    @abc.abstractmethod
    def chat_call(self, request: ChatRequest) -> ChatCall:
        """URL and JSON body for a streaming chat request."""

    @abc.abstractmethod
    def new_parser(self) -> StreamParser:
        """A fresh parser for one attempt's body."""

    @abc.abstractmethod
    async def list_models(self) -> list[DiscoveredModel]:
        """The models the server offers right now."""

    @abc.abstractmethod
    def test_url(self) -> tuple[str, dict[str, str]]:
        """A cheap authenticated GET for the connection test: URL and query parameters."""

    def test_extra(self, value: object) -> dict[str, str]:
        """Facts worth showing from the test's answer (OpenRouter: credit)."""
        return {}

    # -- lifecycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> ProviderClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- chat --------------------------------------------------------------------------

    async def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Stream one reply as typed events (an async generator, so an AsyncIterator).
        Closing it (`aclose()`, `contextlib.aclosing`) or cancelling the task iterating it
        closes the HTTP response at once."""
        call = self.chat_call(request)
        content = json.dumps(call.body, ensure_ascii=False).encode("utf-8")
        headers = httpx.Headers(self._headers)
        headers["content-type"] = "application/json"
        ctx = self._context(call.url, model=request.model)
        policy = self.config.retry
        attempt = 0
        while True:
            attempt += 1
            parser = self.new_parser()
            in_body = False
            try:
                async with self._http.stream(
                    "POST", call.url, content=content, headers=headers, timeout=self._timeout
                ) as response:
                    if not 200 <= response.status_code < 300:
                        raise AttemptFailed(await self._status_failure(response, ctx))
                    in_body = True
                    parser.content_type = response.headers.get("content-type", "")
                    body = bounded_body(response, self._limits, parser, ctx.label)
                    async for chunk in body:
                        events = parser.feed(chunk)
                        if parser.done:
                            self._check_stream_retry(parser, attempt)
                            if parser.error is not None and attempt > 1:
                                events = [_with_attempts(e, attempt) for e in events]
                        for event in events:
                            yield event
                        if parser.done:
                            break
                    else:
                        for event in parser.finish():
                            yield event
            except AttemptFailed as exc:
                failure = exc.failure
            except httpx.HTTPError as exc:
                if parser.started:
                    raise _cut(ctx.label, parser.chars, exc) from None
                last = attempt >= policy.max_attempts
                if in_body and last and not isinstance(exc, httpx.TimeoutException):
                    # The answer had begun: a break now is a cut stream, even before any text.
                    # (A timeout keeps its own message: slow thinkers need a longer one.)
                    raise _cut(ctx.label, parser.chars, exc, attempt) from None
                failure = failure_for_exception(exc, ctx)
            else:
                _check_end(parser, ctx)
                return
            if not failure.retryable or attempt >= policy.max_attempts:
                raise failure.error(attempt) from None
            await self._sleep(backoff_delay(policy, attempt - 1, failure.retry_after))

    def _check_stream_retry(self, parser: StreamParser, attempt: int) -> None:
        """An in-stream error before any text (Anthropic's overloaded_error, typically) is
        retried like its HTTP twin while attempts remain."""
        error = parser.error
        if (
            error is None
            or parser.started
            or attempt >= self.config.retry.max_attempts
            or error.error_type not in RETRYABLE_STREAM_ERRORS
        ):
            return
        raise AttemptFailed(
            Failure(
                errors.OverloadedError,
                self.config.label,
                "provider reported an error",
                detail=error.message,
                retryable=True,
            )
        )

    # -- plain JSON requests (discovery, connection test) --------------------------------

    async def get_json(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        *,
        max_attempts: int | None = None,
    ) -> object:
        """GET a JSON document with this client's auth, mapping failures to typed errors."""
        ctx = self._context(url)
        policy = self.config.retry
        limit = policy.max_attempts if max_attempts is None else max_attempts
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.get(
                    url, params=params, headers=self._headers, timeout=self._timeout
                )
                if not 200 <= response.status_code < 300:
                    raise AttemptFailed(await self._status_failure(response, ctx))
                try:
                    return loads(response.content)
                except ValueError:
                    raise errors.ProviderRequestError(
                        f"instance '{ctx.label}': the answer from {ctx.url} is not JSON: check "
                        f"the endpoint with `lace-tui instance edit {ctx.label} --endpoint URL`"
                    ) from None
            except AttemptFailed as exc:
                failure = exc.failure
            except httpx.HTTPError as exc:
                failure = failure_for_exception(exc, ctx)
            if not failure.retryable or attempt >= limit:
                raise failure.error(attempt) from None
            await self._sleep(backoff_delay(policy, attempt - 1, failure.retry_after))

    async def test_connection(self) -> TestResult:
        """One cheap authenticated request, no retries: connected (with latency), auth_failed,
        unreachable, timed_out or error. Never raises for a provider or network problem."""
        url, params = self.test_url()
        started = time.perf_counter()
        state: ConnectionState
        try:
            value = await self.get_json(url, params, max_attempts=1)
        except errors.AuthError as exc:
            state, message = "auth_failed", str(exc)
        except errors.ProviderTimeoutError as exc:
            state, message = "timed_out", str(exc)
        except errors.UnreachableError as exc:
            state, message = "unreachable", str(exc)
        except errors.LaceError as exc:
            state, message = "error", str(exc)
        else:
            latency = round((time.perf_counter() - started) * 1000, 1)
            return TestResult(
                state="connected",
                message=f"connected in {latency:.0f} ms",
                latency_ms=latency,
                extra=self.test_extra(value),
            )
        # The server answered (with a refusal) in these two cases, so the latency means something.
        answered = state in ("auth_failed", "error")
        latency = round((time.perf_counter() - started) * 1000, 1)
        return TestResult(state=state, message=message, latency_ms=latency if answered else None)

    # -- helpers -------------------------------------------------------------------------

    def _context(self, url: str, model: str | None = None) -> RequestContext:
        return RequestContext(
            label=self.config.label,
            url=redact_url(url),
            api_key=self.config.api_key,
            model=model,
            timeout=self.config.timeout,
        )

    async def _status_failure(self, response: httpx.Response, ctx: RequestContext) -> Failure:
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= ERROR_BODY_LIMIT:
                    break
        except httpx.HTTPError:
            pass  # the status alone still says what went wrong
        retry_after = parse_retry_after(response.headers)
        return failure_for_status(
            response.status_code, response.headers, bytes(body), ctx, retry_after
        )


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once: building it (loading the CA bundle) takes
    ~20 ms, and every client that owns its AsyncClient would otherwise pay that."""
    return httpx.create_ssl_context()


def _check_end(parser: StreamParser, ctx: RequestContext) -> None:
    """After the body: raise if it was not a stream of this format, was malformed, or was cut."""
    nothing_shown = not parser.started
    if nothing_shown and (not parser.events_seen or "html" in parser.content_type.lower()):
        raise _not_a_stream(ctx, parser.content_type)
    if parser.failure is not None:
        raise parser.failure
    if not parser.complete:
        raise _cut(ctx.label, parser.chars, None)


def _not_a_stream(ctx: RequestContext, content_type: str) -> errors.ProviderRequestError:
    kind = content_type.split(";")[0].strip() or "no content type"
    return errors.ProviderRequestError(
        f"instance '{ctx.label}': the answer from {ctx.url} is not a stream of events ({kind}): "
        f"check the endpoint with `lace-tui instance edit {ctx.label} --endpoint URL`"
    )


def _cut(
    label: str, chars: int, exc: httpx.HTTPError | None, attempts: int = 1
) -> errors.StreamCutError:
    unit = "character" if chars == 1 else "characters"
    notes = []
    if isinstance(exc, httpx.TimeoutException):
        notes.append("no data before the timeout")
    elif exc is not None:
        notes.append("the connection broke")
    if attempts > 1:
        notes.append(f"{attempts} attempts")
    why = f" ({'; '.join(notes)})" if notes else ""
    return errors.StreamCutError(
        f"stream from instance '{label}' was cut off after {chars} {unit}{why}"
    )


def _with_attempts(event: StreamEvent, attempt: int) -> StreamEvent:
    if isinstance(event, StreamError):
        return dataclasses.replace(event, message=f"{event.message} (after {attempt} attempts)")
    return event
