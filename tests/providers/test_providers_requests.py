"""What each client sends: URL, auth header, merged headers, and the request body."""

from __future__ import annotations

import json

import httpx
import respx

from lace_tui import errors
from lace_tui.providers.events import ChatRequest
from lace_tui.providers.factory import create_client
from tests.providers.conftest import SECRET, chat_request, config_for, messages

CONVERSATION = messages(("user", "Hi"), ("assistant", "Hello!"), ("user", "Capital of France?"))


async def capture(
    provider_type: str, base: str, request: ChatRequest, **config: object
) -> tuple[httpx.Request, dict[str, object]]:
    """The request the client made, and its JSON body (the answer, a 400, does not matter)."""
    async with respx.mock() as router:
        route = router.route(method="POST").mock(return_value=httpx.Response(400))
        client = create_client(config_for(provider_type, base, **config))  # type: ignore[arg-type]
        async with client:
            try:
                async for _ in client.stream_chat(request):
                    pass
            except errors.ProviderRequestError as exc:
                assert "request rejected (400)" in str(exc)
        http_request = route.calls.last.request
    return http_request, json.loads(http_request.content)


async def test_anthropic_request() -> None:
    request = ChatRequest(model="claude-x", messages=CONVERSATION, system="Be brief.")
    http, body = await capture("anthropic", "https://anthropic.test", request)
    assert str(http.url) == "https://anthropic.test/v1/messages"
    assert http.headers["x-api-key"] == SECRET
    assert http.headers["anthropic-version"] == "2023-06-01"
    assert http.headers["content-type"] == "application/json"
    assert "authorization" not in http.headers
    assert body == {
        "model": "claude-x",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Capital of France?"},
        ],
        "stream": True,
        "system": "Be brief.",
        "max_tokens": 4096,
    }


async def test_anthropic_thinking_budget_follows_effort_and_max_tokens_stays_above_it() -> None:
    _, body = await capture(
        "anthropic", "https://a.test", chat_request("c", reasoning_effort="high")
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 16384}
    assert body["max_tokens"] == 4096 + 16384
    _, body = await capture(
        "anthropic", "https://a.test", chat_request("c", reasoning_effort="low", max_tokens=32000)
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert body["max_tokens"] == 32000
    _, body = await capture(
        "anthropic", "https://a.test", chat_request("c", reasoning_effort="none")
    )
    assert "thinking" not in body


async def test_openai_request() -> None:
    request = ChatRequest(
        model="gpt-x",
        messages=CONVERSATION,
        system="Be brief.",
        max_tokens=100,
        reasoning_effort="low",
    )
    http, body = await capture("openai", "https://openai.test/v1", request)
    assert str(http.url) == "https://openai.test/v1/chat/completions"
    assert http.headers["authorization"] == f"Bearer {SECRET}"
    assert body == {
        "model": "gpt-x",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Capital of France?"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_completion_tokens": 100,
        "reasoning_effort": "low",
    }


async def test_compatible_servers_get_max_tokens_and_no_key_header_without_a_key() -> None:
    http, body = await capture(
        "openai-compat",
        "http://localhost:1234/v1",
        chat_request("local", max_tokens=50),
        api_key=None,
    )
    assert body["max_tokens"] == 50
    assert "max_completion_tokens" not in body
    assert "authorization" not in http.headers


async def test_no_token_limit_unless_asked() -> None:
    _, body = await capture("openai", "https://openai.test/v1", chat_request("gpt-x"))
    assert "max_tokens" not in body and "max_completion_tokens" not in body
    assert "reasoning_effort" not in body


async def test_openrouter_and_vercel_take_reasoning_as_an_object() -> None:
    for provider_type in ("openrouter", "vercel"):
        _, body = await capture(
            provider_type, "https://gw.test/v1", chat_request("x", reasoning_effort="high")
        )
        assert body["reasoning"] == {"effort": "high"}
        assert "reasoning_effort" not in body


async def test_azure_request_uses_deployment_url_api_version_and_api_key_header() -> None:
    http, body = await capture("azure", "https://res.openai.azure.com", chat_request("my-gpt4o"))
    assert str(http.url) == (
        "https://res.openai.azure.com/openai/deployments/my-gpt4o/chat/completions"
        "?api-version=2024-10-21"
    )
    assert http.headers["api-key"] == SECRET
    assert "authorization" not in http.headers
    assert body["stream"] is True
    http, _ = await capture(
        "azure", "https://res.openai.azure.com", chat_request("d"), api_version="2025-01-01-preview"
    )
    assert http.url.params["api-version"] == "2025-01-01-preview"


async def test_gemini_request() -> None:
    request = ChatRequest(
        model="models/gemini-2.5-flash",
        messages=CONVERSATION,
        system="Be brief.",
        max_tokens=200,
        reasoning_effort="medium",
    )
    http, body = await capture("google", "https://gemini.test", request)
    assert str(http.url) == (
        "https://gemini.test/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    assert http.headers["x-goog-api-key"] == SECRET
    assert SECRET not in str(http.url)
    assert body == {
        "contents": [
            {"role": "user", "parts": [{"text": "Hi"}]},
            {"role": "model", "parts": [{"text": "Hello!"}]},
            {"role": "user", "parts": [{"text": "Capital of France?"}]},
        ],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {
            "maxOutputTokens": 200,
            "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 8192},
        },
    }


async def test_ollama_request() -> None:
    request = ChatRequest(
        model="llama3.2",
        messages=CONVERSATION,
        system="Be brief.",
        max_tokens=64,
        reasoning_effort="high",
    )
    http, body = await capture("ollama", "http://localhost:11434", request, api_key=None)
    assert str(http.url) == "http://localhost:11434/api/chat"
    assert "authorization" not in http.headers
    assert body == {
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Capital of France?"},
        ],
        "stream": True,
        "think": True,
        "options": {"num_predict": 64},
    }


async def test_configured_headers_are_added_and_may_override_ours() -> None:
    headers = {
        "HTTP-Referer": "https://example.test",
        "Anthropic-Version": "2099-01-01",
        "anthropic-beta": "x",
    }
    http, _ = await capture("anthropic", "https://a.test", chat_request(), headers=headers)
    assert http.headers["http-referer"] == "https://example.test"
    assert http.headers["anthropic-version"] == "2099-01-01"
    assert http.headers.get_list("anthropic-version") == ["2099-01-01"]
    assert http.headers["anthropic-beta"] == "x"
    assert http.headers["x-api-key"] == SECRET
    assert http.headers["user-agent"].startswith("lace-tui/")


async def test_discovery_and_test_send_the_same_auth() -> None:
    async with respx.mock() as router:
        route = router.get("https://gemini.test/v1beta/models").mock(
            return_value=httpx.Response(200, json={"models": []})
        )
        async with create_client(
            config_for("google", "https://gemini.test", headers={"x-extra": "1"})
        ) as client:
            await client.list_models()
            await client.test_connection()
    first, second = (call.request for call in route.calls)
    for request in (first, second):
        assert request.headers["x-goog-api-key"] == SECRET
        assert request.headers["x-extra"] == "1"
    assert second.url.params["pageSize"] == "1"
