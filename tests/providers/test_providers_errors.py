"""HTTP statuses, vendor error bodies and network failures become typed, one-line errors that
say what to do and never contain the key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
import respx

from lace_tui import errors
from lace_tui.providers.factory import create_client
from lace_tui.providers.retry import parse_retry_after
from tests.providers.conftest import SECRET, chat_request, collect_stream, config_for

OPENAI_BASE = "https://openai.test/v1"


def openai_error(
    message: str, kind: str = "invalid_request_error", code: str | None = None
) -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "code": code}}).encode()


async def chat_error(
    status: int,
    body: bytes,
    *,
    provider_type: str = "openai",
    base: str = OPENAI_BASE,
    api_key: str | None = SECRET,
    model: str = "gpt-x",
    headers: dict[str, str] | None = None,
) -> errors.LaceError:
    async with respx.mock() as router:
        router.route(method="POST").mock(
            return_value=httpx.Response(status, content=body, headers=headers or {})
        )
        client = create_client(config_for(provider_type, base, api_key=api_key))
        async with client:
            seen = await collect_stream(client, chat_request(model))
    assert seen.events == []
    assert seen.raised is not None
    message = str(seen.raised)
    assert "\n" not in message
    if api_key:
        assert api_key not in message
    return seen.raised


async def test_401_is_an_auth_error_pointing_at_instance_edit() -> None:
    exc = await chat_error(401, openai_error("Incorrect API key provided"))
    assert isinstance(exc, errors.AuthError)
    assert str(exc) == (
        "instance 'work': authentication failed (401): Incorrect API key provided; "
        "check the key with `lace-tui instance edit work`"
    )


async def test_403_is_an_auth_error() -> None:
    exc = await chat_error(403, b"")
    assert isinstance(exc, errors.AuthError)
    assert str(exc) == (
        "instance 'work': authentication failed (403): "
        "check the key with `lace-tui instance edit work`"
    )


async def test_401_without_a_key_says_no_key_is_set() -> None:
    exc = await chat_error(401, b"", api_key=None)
    assert isinstance(exc, errors.AuthError)
    assert "no API key is set; add one with `lace-tui instance edit work --api-key-stdin`" in str(
        exc
    )


async def test_a_key_echoed_by_the_provider_is_scrubbed() -> None:
    exc = await chat_error(401, openai_error(f"Incorrect API key provided: {SECRET}."))
    assert SECRET not in str(exc)
    assert "Incorrect API key provided: ***." in str(exc)


async def test_gemini_invalid_key_comes_as_400_and_is_still_an_auth_error() -> None:
    body = json.dumps(
        {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                    }
                ],
            }
        }
    ).encode()
    exc = await chat_error(400, body, provider_type="google", base="https://gemini.test")
    assert isinstance(exc, errors.AuthError)


async def test_404_on_a_chat_names_the_model() -> None:
    exc = await chat_error(
        404, openai_error("The model `gpt-x` does not exist", code="model_not_found")
    )
    assert isinstance(exc, errors.ModelNotFoundError)
    assert str(exc) == (
        "instance 'work': model 'gpt-x' not found (404): The model `gpt-x` does not exist; "
        "see the models it offers with `lace-tui instance models work --refresh`"
    )


async def test_404_on_discovery_names_the_url() -> None:
    async with respx.mock() as router:
        router.get(f"{OPENAI_BASE}/models").mock(return_value=httpx.Response(404, text="Not Found"))
        async with create_client(config_for("openai", OPENAI_BASE)) as client:
            with pytest.raises(errors.ModelNotFoundError) as caught:
                await client.list_models()
    assert str(caught.value).startswith(
        "instance 'work': nothing found at https://openai.test/v1/models (404): Not Found; "
        "check the endpoint with `lace-tui instance edit work --endpoint URL`"
    )


async def test_429_is_a_rate_limit() -> None:
    exc = await chat_error(429, openai_error("Rate limit reached for gpt-x", "requests"))
    assert isinstance(exc, errors.RateLimitError)
    assert str(exc).startswith(
        "instance 'work': rate limited by provider (429): Rate limit reached"
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (
            429,
            openai_error(
                "You exceeded your current quota", "insufficient_quota", "insufficient_quota"
            ),
        ),
        (429, openai_error("Your credit balance is too low")),
        (429, b'{"error":{"message":"check your billing details"}}'),
        (402, b'{"error":{"message":"Insufficient credits","code":402}}'),
    ],
)
async def test_quota_exhaustion_is_not_a_rate_limit(status: int, body: bytes) -> None:
    exc = await chat_error(status, body)
    assert isinstance(exc, errors.QuotaExceededError)
    assert "out of credit or quota" in str(exc)


async def test_google_per_minute_quota_with_a_retry_delay_is_a_rate_limit() -> None:
    body = json.dumps(
        {
            "error": {
                "code": 429,
                "message": "You exceeded your current quota, please check your plan and billing.",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "38s"}
                ],
            }
        }
    ).encode()
    exc = await chat_error(429, body, provider_type="google", base="https://gemini.test")
    assert isinstance(exc, errors.RateLimitError)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (529, b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
        (500, b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    ],
)
async def test_anthropic_overload_is_an_overloaded_error(status: int, body: bytes) -> None:
    exc = await chat_error(status, body, provider_type="anthropic", base="https://anthropic.test")
    assert isinstance(exc, errors.OverloadedError)
    assert str(exc).startswith(f"instance 'work': provider overloaded ({status}): Overloaded")


async def test_408_is_a_timeout() -> None:
    assert isinstance(await chat_error(408, b""), errors.ProviderTimeoutError)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_a_server_error(status: int) -> None:
    exc = await chat_error(status, b"<html><body>Bad gateway</body></html>")
    assert isinstance(exc, errors.ServerError)
    assert str(exc) == f"instance 'work': provider server error ({status}): try again later"


async def test_400_carries_the_providers_message_on_one_trimmed_line() -> None:
    long = "max_tokens is too large:\n  " + "x" * 500
    exc = await chat_error(400, openai_error(long))
    assert type(exc) is errors.ProviderRequestError
    message = str(exc)
    assert message.startswith(
        "instance 'work': request rejected (400): max_tokens is too large: xxx"
    )
    detail = message.split("(400): ", 1)[1]
    assert len(detail) <= 300
    assert detail.endswith("…")


async def test_400_for_a_too_long_conversation_is_a_context_overflow() -> None:
    body = openai_error(
        "This model's maximum context length is 128000 tokens.", code="context_length_exceeded"
    )
    exc = await chat_error(400, body)
    assert isinstance(exc, errors.ContextOverflowError)
    assert "the conversation is too long for model 'gpt-x'" in str(exc)


async def test_ollama_error_body_is_a_plain_string() -> None:
    body = b'{"error":"model \\"llama9\\" not found, try pulling it first"}'
    exc = await chat_error(
        404, body, provider_type="ollama", base="http://ollama.test", model="llama9"
    )
    assert isinstance(exc, errors.ModelNotFoundError)
    assert 'model "llama9" not found, try pulling it first' in str(exc)


async def test_a_redirect_is_reported_with_its_target_without_query() -> None:
    exc = await chat_error(
        301, b"", headers={"location": "https://elsewhere.test/v1/chat/completions?token=abc"}
    )
    assert type(exc) is errors.ProviderRequestError
    assert "unexpected redirect to https://elsewhere.test/v1/chat/completions (301)" in str(exc)
    assert "token" not in str(exc)


async def network_error(exc: Exception, **config: object) -> errors.LaceError:
    async with respx.mock() as router:
        router.route().mock(side_effect=exc)
        base = str(config.pop("base", OPENAI_BASE))
        provider_type = str(config.pop("provider_type", "openai"))
        client = create_client(config_for(provider_type, base, **config))  # type: ignore[arg-type]
        async with client:
            seen = await collect_stream(client, chat_request("gpt-x"))
    assert seen.raised is not None
    return seen.raised


async def test_connection_refused_is_unreachable_naming_the_url() -> None:
    exc = await network_error(httpx.ConnectError("[Errno 111] Connection refused"))
    assert isinstance(exc, errors.UnreachableError)
    assert str(exc) == (
        "instance 'work': cannot reach https://openai.test/v1/chat/completions: "
        "connection refused; check the endpoint and the network"
    )


async def test_unreachable_url_loses_query_string_and_user_info() -> None:
    exc = await network_error(
        httpx.ConnectError("Name or service not known"),
        provider_type="azure",
        base="https://user:pw@azure.test",
    )
    message = str(exc)
    assert "https://azure.test/openai/deployments/gpt-x/chat/completions" in message
    assert "api-version" not in message and "pw" not in message


async def test_connect_timeout_says_how_long() -> None:
    exc = await network_error(httpx.ConnectTimeout("timed out"), timeout=30)
    assert isinstance(exc, errors.ProviderTimeoutError)
    assert str(exc).startswith(
        "instance 'work': timed out after 10 s: no answer from https://openai.test"
    )


async def test_read_timeout_before_any_text_says_how_long() -> None:
    exc = await network_error(httpx.ReadTimeout("timed out"), timeout=30)
    assert isinstance(exc, errors.ProviderTimeoutError)
    assert str(exc).startswith("instance 'work': timed out after 30 s")
    assert "--timeout SECONDS" in str(exc)


def test_retry_after_in_seconds_milliseconds_and_http_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    later = format_datetime(datetime(2025, 1, 1, 12, 0, 7, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(httpx.Headers({"retry-after": "3"})) == 3.0
    assert parse_retry_after(httpx.Headers({"retry-after": "1.5"})) == 1.5
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert parse_retry_after(httpx.Headers({"retry-after": later}), now=now) == 7.0
    assert parse_retry_after(httpx.Headers({"retry-after": "soon"})) is None
    assert parse_retry_after(httpx.Headers({})) is None
