"""Model discovery for each format, and the connection test's outcomes."""

from __future__ import annotations

import socket

import httpx
import pytest
import respx

from lace_tui import errors
from lace_tui.providers.events import DiscoveredModel
from lace_tui.providers.factory import create_client
from tests.providers.conftest import SECRET, config_for
from tests.support.fake_provider import FakeProvider


async def test_anthropic_models_follow_pages() -> None:
    page1 = {
        "data": [
            {"id": "claude-opus-4", "display_name": "Claude Opus 4", "type": "model"},
            {"id": "claude-sonnet-4", "display_name": "Claude Sonnet 4", "type": "model"},
        ],
        "has_more": True,
        "last_id": "claude-sonnet-4",
    }
    page2 = {
        "data": [
            {"id": "claude-haiku-4", "display_name": "Claude Haiku 4", "max_input_tokens": 200000}
        ],
        "has_more": False,
        "last_id": "claude-haiku-4",
    }
    async with respx.mock() as router:
        route = router.get("https://a.test/v1/models").mock(
            side_effect=[httpx.Response(200, json=page1), httpx.Response(200, json=page2)]
        )
        async with create_client(config_for("anthropic", "https://a.test")) as client:
            models = await client.list_models()
    assert models == [
        DiscoveredModel(id="claude-opus-4", name="Claude Opus 4"),
        DiscoveredModel(id="claude-sonnet-4", name="Claude Sonnet 4"),
        DiscoveredModel(id="claude-haiku-4", name="Claude Haiku 4", context_window=200000),
    ]
    assert route.calls[1].request.url.params["after_id"] == "claude-sonnet-4"


async def test_openai_models_and_openrouter_metadata() -> None:
    listing = {
        "object": "list",
        "data": [
            {"id": "gpt-4o", "object": "model", "owned_by": "openai"},
            {"id": "anthropic/claude-x", "name": "Anthropic: Claude X", "context_length": 200000},
            {"id": "gpt-4o"},
            {"object": "model"},
            "junk",
        ],
    }
    async with respx.mock() as router:
        router.get("https://o.test/v1/models").mock(return_value=httpx.Response(200, json=listing))
        async with create_client(config_for("openrouter", "https://o.test/v1")) as client:
            models = await client.list_models()
    assert models == [
        DiscoveredModel(id="gpt-4o"),
        DiscoveredModel(id="anthropic/claude-x", name="Anthropic: Claude X", context_window=200000),
    ]


async def test_compatible_servers_listing_in_other_shapes() -> None:
    shapes = [[{"id": "local-a"}], {"models": [{"id": "local-a"}]}]
    for shape in shapes:
        async with respx.mock() as router:
            router.get("http://lm.test/v1/models").mock(
                return_value=httpx.Response(200, json=shape)
            )
            config = config_for("openai-compat", "http://lm.test/v1", api_key=None)
            async with create_client(config) as client:
                assert [m.id for m in await client.list_models()] == ["local-a"]


async def test_gemini_models_keep_generate_content_strip_prefix_and_follow_pages() -> None:
    page1 = {
        "models": [
            {
                "name": "models/gemini-2.5-flash",
                "displayName": "Gemini 2.5 Flash",
                "inputTokenLimit": 1048576,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
            },
            {"name": "models/text-embedding-004", "supportedGenerationMethods": ["embedContent"]},
        ],
        "nextPageToken": "tok2",
    }
    page2 = {
        "models": [
            {
                "name": "models/gemini-2.5-pro",
                "displayName": "Gemini 2.5 Pro",
                "inputTokenLimit": 1048576,
                "supportedGenerationMethods": ["generateContent"],
            },
            {"name": "models/aqa", "supportedGenerationMethods": ["generateAnswer"]},
        ]
    }
    async with respx.mock() as router:
        route = router.get("https://g.test/v1beta/models").mock(
            side_effect=[httpx.Response(200, json=page1), httpx.Response(200, json=page2)]
        )
        async with create_client(config_for("google", "https://g.test")) as client:
            models = await client.list_models()
    assert models == [
        DiscoveredModel(id="gemini-2.5-flash", name="Gemini 2.5 Flash", context_window=1048576),
        DiscoveredModel(id="gemini-2.5-pro", name="Gemini 2.5 Pro", context_window=1048576),
    ]
    assert route.calls[1].request.url.params["pageToken"] == "tok2"


async def test_ollama_models_from_tags() -> None:
    tags = {
        "models": [{"name": "llama3.2:latest", "model": "llama3.2:latest"}, {"name": "qwen3:8b"}]
    }
    async with respx.mock() as router:
        router.get("http://o.test:11434/api/tags").mock(return_value=httpx.Response(200, json=tags))
        async with create_client(
            config_for("ollama", "http://o.test:11434", api_key=None)
        ) as client:
            models = await client.list_models()
    assert [m.id for m in models] == ["llama3.2:latest", "qwen3:8b"]


async def test_azure_models_ask_with_the_api_version() -> None:
    async with respx.mock() as router:
        route = router.get("https://res.test/openai/models").mock(
            return_value=httpx.Response(200, json={"data": [{"id": "gpt-4o"}]})
        )
        async with create_client(config_for("azure", "https://res.test")) as client:
            assert [m.id for m in await client.list_models()] == ["gpt-4o"]
    assert route.calls.last.request.url.params["api-version"] == "2024-10-21"
    assert route.calls.last.request.headers["api-key"] == SECRET


async def test_an_answer_that_is_not_json_is_a_clear_error() -> None:
    async with respx.mock() as router:
        router.get("https://o.test/v1/models").mock(return_value=httpx.Response(200, text="<html>"))
        async with create_client(config_for("openai", "https://o.test/v1")) as client:
            with pytest.raises(errors.ProviderRequestError) as caught:
                await client.list_models()
    assert str(caught.value) == (
        "instance 'work': the answer from https://o.test/v1/models is not JSON: check the endpoint "
        "with `lace-tui instance edit work --endpoint URL`"
    )


# -- connection test ---------------------------------------------------------------------------


async def test_connected_with_latency(fake_provider: FakeProvider) -> None:
    async with create_client(config_for("openai", fake_provider.url + "/v1")) as client:
        result = await client.test_connection()
    assert result.state == "connected"
    assert result.latency_ms is not None and result.latency_ms > 0
    assert result.message == f"connected in {result.latency_ms:.0f} ms"
    assert result.extra == {"models": "2"}
    assert fake_provider.requests[-1].path == "/v1/models"


@pytest.mark.parametrize(
    ("provider_type", "base", "path"),
    [
        ("anthropic", "", "/v1/models?limit=1"),
        ("google", "", "/v1beta/models?pageSize=1"),
        ("ollama", "", "/api/tags"),
        ("azure", "", "/openai/models?api-version=2024-10-21"),
    ],
)
async def test_each_format_tests_with_a_cheap_listing(
    fake_provider: FakeProvider, provider_type: str, base: str, path: str
) -> None:
    async with create_client(config_for(provider_type, fake_provider.url + base)) as client:
        result = await client.test_connection()
    assert result.state == "connected"
    assert fake_provider.requests[-1].path == path


async def test_openrouter_test_reports_the_keys_credit(fake_provider: FakeProvider) -> None:
    async with create_client(config_for("openrouter", fake_provider.url + "/api/v1")) as client:
        result = await client.test_connection()
    assert result.state == "connected"
    assert fake_provider.requests[-1].path == "/api/v1/key"
    assert result.extra["credit_used"] == "$1.50"
    assert result.extra["credit_limit"] == "$10.00"
    assert result.extra["credit_remaining"] == "$8.50"


async def test_auth_failed(fake_provider: FakeProvider) -> None:
    fake_provider.behaviour.require_key = "the-right-key"
    async with create_client(config_for("anthropic", fake_provider.url)) as client:
        result = await client.test_connection()
    assert result.state == "auth_failed"
    assert result.message.startswith("instance 'work': authentication failed (401)")
    assert SECRET not in result.message
    assert result.latency_ms is not None


async def test_unreachable() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with create_client(
        config_for("ollama", f"http://127.0.0.1:{port}", api_key=None)
    ) as client:
        result = await client.test_connection()
    assert result.state == "unreachable"
    assert result.message.startswith(
        f"instance 'work': cannot reach http://127.0.0.1:{port}/api/tags"
    )
    assert result.latency_ms is None


async def test_timed_out() -> None:
    async with respx.mock() as router:
        router.get("https://slow.test/v1/models").mock(side_effect=httpx.ReadTimeout("timed out"))
        async with create_client(config_for("openai", "https://slow.test/v1", timeout=3)) as client:
            result = await client.test_connection()
    assert result.state == "timed_out"
    assert "timed out after 3 s" in result.message


async def test_other_failures_are_errors() -> None:
    async with respx.mock() as router:
        router.get("https://o.test/v1/models").mock(return_value=httpx.Response(500))
        async with create_client(config_for("openai", "https://o.test/v1")) as client:
            result = await client.test_connection()
    assert result.state == "error"
    assert result.message == "instance 'work': provider server error (500): try again later"
