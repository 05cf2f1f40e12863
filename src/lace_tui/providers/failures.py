"""Turning HTTP statuses, vendor error bodies and transport exceptions into typed errors.

Every message is one line: what failed, for which instance, what to do. Provider messages are
trimmed, flattened and scrubbed of the key (some vendors echo part of a bad key back).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from lace_tui import errors
from lace_tui.providers.jsonshape import as_dict, get_list, get_str, loads

DETAIL_LIMIT = 300
_QUOTA_WORDS = ("insufficient_quota", "credit", "billing", "quota")
_CONTEXT_WORDS = (
    "context_length_exceeded",
    "maximum context length",
    "prompt is too long",
    "context window",
    "input token count",
)
_ERRNO_PREFIX = re.compile(r"^\[Errno [-\d]+\]\s*")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Failure:
    """One failed attempt, kept apart from its final message so the retry loop can say how many
    attempts it made. `error(attempts)` builds the exception to raise."""

    kind: type[errors.LaceError]
    label: str
    summary: str
    status: int | None = None
    detail: str = ""
    advice: str = ""
    retryable: bool = False
    retry_after: float | None = None

    def error(self, attempts: int = 1) -> errors.LaceError:
        head = self.summary
        if attempts > 1:
            head += (
                f" ({attempts} attempts)" if " after " in head else f" after {attempts} attempts"
            )
        text = f"instance '{self.label}': {head}"
        if self.status is not None:
            text += f" ({self.status})"
        tail = "; ".join(part for part in (self.detail, self.advice) if part)
        if tail:
            text += f": {tail}"
        return self.kind(text)


class AttemptFailed(Exception):
    """Raised inside a client to hand a Failure to the retry loop."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.summary)
        self.failure = failure


@dataclass(frozen=True)
class ErrorBody:
    """What a vendor's error body says, whatever its shape."""

    message: str | None = None
    type: str | None = None
    code: str | None = None
    retry_delay: float | None = None  # Google's RetryInfo
    reason: str | None = None  # Google's ErrorInfo reason, e.g. API_KEY_INVALID

    def text(self) -> str:
        """Everything searchable, lowercased, for classifying the error."""
        return " ".join(p for p in (self.message, self.type, self.code, self.reason) if p).lower()


def redact_url(url: str | httpx.URL) -> str:
    """The URL without query string, fragment or user info (any of them may carry a secret)."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def one_line(text: str, secret: str | None, limit: int = DETAIL_LIMIT) -> str:
    """Flatten to one line, drop the key wherever it appears, and trim to `limit` characters."""
    if secret:
        text = text.replace(secret, "***")
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def parse_error_body(body: bytes) -> ErrorBody:
    """Read OpenAI, Anthropic, Google, Ollama and plain-text error bodies alike."""
    try:
        value = loads(body)
    except ValueError:
        return _plain_text_error(body)
    if isinstance(value, list) and value:
        value = value[0]  # Google sometimes wraps the error in a one-element list
    obj = as_dict(value)
    if obj is None:
        return ErrorBody()
    error = obj.get("error")
    if isinstance(error, str):
        return ErrorBody(message=error)  # Ollama
    inner = as_dict(error) or obj
    message = get_str(inner, "message") or get_str(obj, "message") or get_str(obj, "detail")
    code_value = inner.get("code")
    code = str(code_value) if isinstance(code_value, str | int) else None
    err_type = get_str(inner, "type") or get_str(inner, "status")
    retry_delay: float | None = None
    reason: str | None = None
    for item in get_list(inner, "details"):
        detail = as_dict(item)
        if detail is None:
            continue
        delay = get_str(detail, "retryDelay")
        if delay and delay.endswith("s"):
            with contextlib.suppress(ValueError):
                retry_delay = float(delay[:-1])
        reason = reason or get_str(detail, "reason")
    return ErrorBody(message, err_type, code, retry_delay, reason)


def _plain_text_error(body: bytes) -> ErrorBody:
    text = body.decode("utf-8", "replace").strip()
    if not text or text.startswith("<"):
        return ErrorBody()  # empty, or an HTML page from a proxy: nothing worth quoting
    return ErrorBody(message=text)


@dataclass(frozen=True)
class RequestContext:
    """Who is asking for what; enough to write a useful message without the key in it."""

    label: str
    url: str  # already redacted
    api_key: str | None
    model: str | None = None
    timeout: float = 60.0


def failure_for_status(
    status: int,
    headers: httpx.Headers,
    body: bytes,
    ctx: RequestContext,
    retry_after: float | None,
) -> Failure:
    """Classify a non-2xx answer."""
    info = parse_error_body(body)
    detail = one_line(info.message, ctx.api_key) if info.message else ""
    words = info.text()
    label = ctx.label
    if retry_after is None:
        retry_after = info.retry_delay

    def make(kind: type[errors.LaceError], summary: str, advice: str, retryable: bool) -> Failure:
        return Failure(kind, label, summary, status, detail, advice, retryable, retry_after)

    edit = f"`lace-tui instance edit {label}`"
    if status in (401, 403) or info.reason == "API_KEY_INVALID" or "api key not valid" in words:
        if not ctx.api_key:
            advice = (
                f"no API key is set; add one with `lace-tui instance edit {label} --api-key-stdin`"
            )
        else:
            advice = f"check the key with {edit}"
        return make(errors.AuthError, "authentication failed", advice, False)
    if status == 529 or info.type == "overloaded_error":
        return make(errors.OverloadedError, "provider overloaded", "try again later", True)
    if status == 402 or (status == 429 and _is_quota(info)):
        advice = "check the plan and billing with the provider"
        return make(errors.QuotaExceededError, "out of credit or quota", advice, False)
    if status == 429:
        return make(errors.RateLimitError, "rate limited by provider", "wait and try again", True)
    if status == 404:
        if ctx.model:
            advice = f"see the models it offers with `lace-tui instance models {label} --refresh`"
            return make(errors.ModelNotFoundError, f"model '{ctx.model}' not found", advice, False)
        advice = f"check the endpoint with `lace-tui instance edit {label} --endpoint URL`"
        return make(errors.ModelNotFoundError, f"nothing found at {ctx.url}", advice, False)
    if status == 408:
        return make(errors.ProviderTimeoutError, "the provider timed out", "try again", True)
    if status >= 500:
        return make(errors.ServerError, "provider server error", "try again later", True)
    if 300 <= status < 400:
        location = redact_url(headers.get("location", "")) if headers.get("location") else "?"
        advice = f"check the endpoint with `lace-tui instance edit {label} --endpoint URL`"
        return Failure(
            errors.ProviderRequestError,
            label,
            f"unexpected redirect to {location}",
            status,
            "",
            advice,
        )
    if any(word in words for word in _CONTEXT_WORDS):
        what = f"model '{ctx.model}'" if ctx.model else "the model"
        advice = "start a new session or pick a model with a larger context window"
        return make(
            errors.ContextOverflowError, f"the conversation is too long for {what}", advice, False
        )
    return make(errors.ProviderRequestError, "request rejected", "", False)


def _is_quota(info: ErrorBody) -> bool:
    if info.retry_delay is not None:
        return False  # Google says "quota" for per-minute limits too, but then gives a delay
    words = info.text()
    return any(word in words for word in _QUOTA_WORDS)


def failure_for_exception(exc: httpx.HTTPError, ctx: RequestContext) -> Failure:
    """Classify a transport error (no HTTP answer at all, or a broken one)."""
    if isinstance(exc, httpx.TimeoutException):
        limit = min(ctx.timeout, 10.0) if isinstance(exc, httpx.ConnectTimeout) else ctx.timeout
        return Failure(
            errors.ProviderTimeoutError,
            ctx.label,
            f"timed out after {limit:g} s",
            detail=f"no answer from {ctx.url}",
            advice=f"raise the timeout with `lace-tui instance edit {ctx.label} --timeout SECONDS`",
            retryable=True,
        )
    reason = _ERRNO_PREFIX.sub("", str(exc)) or type(exc).__name__
    reason = one_line(reason, ctx.api_key, 120)
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError | httpx.UnsupportedProtocol):
        return Failure(
            errors.UnreachableError,
            ctx.label,
            f"cannot reach {ctx.url}",
            detail=reason.lower() if reason else "",
            advice="check the endpoint and the network",
            retryable=not isinstance(exc, httpx.UnsupportedProtocol),
        )
    # The connection broke after it was made (reset, protocol error, ...).
    return Failure(
        errors.UnreachableError,
        ctx.label,
        f"connection to {ctx.url} failed",
        detail=reason,
        advice="check the network and try again",
        retryable=True,
    )
