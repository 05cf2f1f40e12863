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
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

import httpx

from lace_tui import __version__, errors
from lace_tui.instances.models import RetryPolicy
from lace_tui.providers.events import (
    ChatRequest,
    DiscoveredModel,
    Finish,
    ReasoningDelta,
    StreamError,
    StreamEvent,
    TestResult,
    TextDelta,
)
from lace_tui.providers.failures import (
    AttemptFailed,
    Failure,
    RequestContext,
    failure_for_exception,
    failure_for_status,
    redact_url,
)
from lace_tui.providers.framerun import FrameRun, RunDecoder
from lace_tui.providers.jsonshape import loads
from lace_tui.providers.retry import backoff_delay, parse_retry_after

Sleep = Callable[[float], Awaitable[None]]
_SURROGATE = re.compile("[\ud800-\udfff]")
TestState = Literal["connected", "auth_failed", "unreachable", "timed_out", "error"]

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
    # OpenAI: models served only by the Responses API (catalog `wire_api`, or remembered), and
    # what to call when a server says another one is (the services layer remembers it).
    responses_models: frozenset[str] = frozenset()
    remember_responses: Callable[[str], None] | None = None
    # Settings of cloud types (bedrock: region, aws_profile; google-vertex: project, location).
    settings: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class ChatCall:
    """The HTTP request for one chat stream."""

    url: str
    body: Mapping[str, object]
    parser: Callable[[], StreamParser] | None = None  # when not the client's `new_parser`


class StreamParser(abc.ABC):
    """A vendor stream as a synchronous state machine: body bytes in, typed events out.

    Being synchronous keeps the per-token cost down (no extra async generator layer) and
    makes parsers testable without any I/O. Adjacent text (or reasoning) pieces that arrive
    in one read are merged into one delta: a reply that lands all at once becomes a handful
    of events, not thousands. Attributes the stream loop reads: `started` (text or reasoning
    produced), `chars` (how many characters of it), `complete` (the format's end was
    reached), `done` (stop reading), `error` (a StreamError was emitted), `failure` (a
    malformed stream: raised after the events that came before it).
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
        self.run: FrameRun | None = None  # set by formats whose text frames repeat a shape
        self.run_region = b""  # the bytes of the frames the last run read

    def read_run(self, decoder: RunDecoder, chunk: bytes) -> list[StreamEvent] | None:
        """The events of `chunk` if it is a run of the learned text frames (framerun.py);
        None when the general path must read it. `run_region` keeps the frames' bytes."""
        run = self.run
        if run is None or run.wanted or self.done:
            return None
        pending = decoder.pending
        read = run.read(pending + chunk if pending else chunk)
        if read is None:
            run.missed()
            return None
        # (`events_seen` needs no update: a run is only learned from an event already seen.)
        text, self.run_region, decoder.pending = read
        if not text:
            return self.take()
        if self._pending or self._out or self._carry or not text.isascii():
            if run.reasoning:
                self.add_reasoning(text)
            else:
                self.add_text(text)
            return self.take()
        # Nothing waiting (each feed hands everything over): skip the merge buffer.
        self.chars += len(text)
        self.started = True
        return [ReasoningDelta(text) if run.reasoning else TextDelta(text)]

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
        self._owns_http = http is None
        if http is None:
            http = httpx.AsyncClient(timeout=self._timeout, verify=_shared_ssl_context())
        self._http = http
        headers = httpx.Headers({"user-agent": USER_AGENT})
        headers.update(self.auth_headers())
        headers.update(dict(config.headers))  # the instance may override anything, auth included
        self._headers = headers
        self._auth = self.http_auth()

    # -- per-format hooks --------------------------------------------------------------

    @abc.abstractmethod
    def auth_headers(self) -> dict[str, str]:
        """Headers that carry the key (and version pins) for this format."""

    def http_auth(self) -> httpx.Auth | None:
        """Per-request authentication (a signature, a refreshed token), if the format needs it."""
        return None

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
            parser = self.new_parser() if call.parser is None else call.parser()
            in_body = False
            try:
                async with self._http.stream(
                    "POST",
                    call.url,
                    content=content,
                    headers=headers,
                    timeout=self._timeout,
                    auth=self._auth or httpx.USE_CLIENT_DEFAULT,
                ) as response:
                    if not 200 <= response.status_code < 300:
                        raise AttemptFailed(await self._status_failure(response, ctx))
                    in_body = True
                    parser.content_type = response.headers.get("content-type", "")
                    async for chunk in _body_chunks(response):
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
                    url,
                    params=params,
                    headers=self._headers,
                    timeout=self._timeout,
                    auth=self._auth or httpx.USE_CLIENT_DEFAULT,
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
        state: TestState
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


def _body_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body's bytes. Without a content-encoding, read them raw: httpx's decoding layer
    then has nothing to do but still costs an async generator step per network chunk."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return response.aiter_raw()
    return response.aiter_bytes()


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
