"""Endpoint resolution and client creation."""

from __future__ import annotations

import httpx
import pytest

from lace_tui import errors
from lace_tui.catalog.models import CHAT_TYPES
from lace_tui.providers.anthropic import AnthropicClient
from lace_tui.providers.factory import (
    SUPPORTED_TYPES,
    VENDOR_DEFAULTS,
    create_client,
    resolve_endpoint,
)
from lace_tui.providers.gemini import GeminiClient
from lace_tui.providers.ollama import OllamaClient
from lace_tui.providers.openai_chat import AzureChatClient, OpenAIChatClient, OpenRouterClient
from tests.providers.conftest import config_for


def test_instance_endpoint_wins_and_loses_its_trailing_slash() -> None:
    assert (
        resolve_endpoint("openai", "https://proxy.corp/v1/", "$OPENAI_API_ENDPOINT", {})
        == "https://proxy.corp/v1"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.anthropic.com/v1", "https://api.anthropic.com"),
        ("https://api.anthropic.com/v1/", "https://api.anthropic.com"),
        ("https://api.anthropic.com/", "https://api.anthropic.com"),
        ("https://api.kimi.com/coding", "https://api.kimi.com/coding"),
        ("https://api.minimax.io/anthropic/v1", "https://api.minimax.io/anthropic"),
    ],
)
def test_anthropic_endpoint_drops_a_redundant_v1(given: str, expected: str) -> None:
    assert resolve_endpoint("anthropic", given, "", {}) == expected


def test_other_redundant_suffixes_and_openai_keeps_its_v1() -> None:
    assert resolve_endpoint("google", "https://g.test/v1beta/", "", {}) == "https://g.test"
    assert resolve_endpoint("ollama", "http://box:11434/api", "", {}) == "http://box:11434"
    assert resolve_endpoint("openai", "https://o.test/v1", "", {}) == "https://o.test/v1"


def test_catalog_variable_is_read_from_the_environment() -> None:
    environ = {"ANTHROPIC_API_ENDPOINT": "https://gateway.corp/anthropic/v1/"}
    assert (
        resolve_endpoint("anthropic", None, "$ANTHROPIC_API_ENDPOINT", environ)
        == "https://gateway.corp/anthropic"
    )
    assert resolve_endpoint(
        "openai", "", "${OPENAI_API_ENDPOINT}", {"OPENAI_API_ENDPOINT": "https://x.test/v1"}
    ) == ("https://x.test/v1")


@pytest.mark.parametrize(
    "environ", [{}, {"GEMINI_API_ENDPOINT": ""}, {"GEMINI_API_ENDPOINT": "  "}]
)
def test_unset_or_empty_variable_means_the_vendor_default(environ: dict[str, str]) -> None:
    assert (
        resolve_endpoint("google", None, "$GEMINI_API_ENDPOINT", environ)
        == "https://generativelanguage.googleapis.com"
    )


def test_plain_catalog_endpoint_is_used() -> None:
    assert (
        resolve_endpoint("openai-compat", None, "https://api.groq.com/openai/v1", {})
        == "https://api.groq.com/openai/v1"
    )
    assert resolve_endpoint("openrouter", None, "", {}) == VENDOR_DEFAULTS["openrouter"]


def test_no_endpoint_at_all_is_bad_input_naming_the_variable() -> None:
    with pytest.raises(errors.BadInputError) as caught:
        resolve_endpoint("azure", None, "$AZURE_OPENAI_API_ENDPOINT", {})
    assert str(caught.value) == (
        "provider type 'azure' has no default endpoint: set one with "
        "`lace-tui instance edit ID --endpoint URL` or set $AZURE_OPENAI_API_ENDPOINT"
    )


def test_a_variable_that_is_not_a_url_is_bad_input() -> None:
    with pytest.raises(errors.BadInputError, match=r"endpoint from \$OPENAI_API_ENDPOINT is not"):
        resolve_endpoint(
            "openai", None, "$OPENAI_API_ENDPOINT", {"OPENAI_API_ENDPOINT": "localhost"}
        )


@pytest.mark.parametrize(
    ("provider_type", "cls"),
    [
        ("anthropic", AnthropicClient),
        ("openai", OpenAIChatClient),
        ("openai-compat", OpenAIChatClient),
        ("vercel", OpenAIChatClient),
        ("openrouter", OpenRouterClient),
        ("azure", AzureChatClient),
        ("google", GeminiClient),
        ("ollama", OllamaClient),
    ],
)
async def test_each_supported_type_gets_its_client(provider_type: str, cls: type) -> None:
    async with create_client(config_for(provider_type, "https://x.test")) as client:
        assert type(client) is cls


def test_supported_types_match_the_catalogs_chat_types() -> None:
    assert SUPPORTED_TYPES == CHAT_TYPES


@pytest.mark.parametrize("provider_type", ["cohere", "made-up"])
def test_unsupported_types_are_refused_clearly(provider_type: str) -> None:
    with pytest.raises(errors.UnsupportedProviderError) as caught:
        create_client(config_for(provider_type, "https://x.test"))
    assert str(caught.value) == (
        f"provider type '{provider_type}' is not supported for chat yet; "
        "the catalog stays browsable"
    )
    assert caught.value.exit_code == errors.EXIT_BAD_INPUT


async def test_a_shared_http_client_is_left_open() -> None:
    async with httpx.AsyncClient() as http:
        client = create_client(config_for("openai", "https://x.test/v1"), http=http)
        await client.aclose()
        assert not http.is_closed


async def test_an_owned_http_client_is_closed() -> None:
    client = create_client(config_for("openai", "https://x.test/v1"))
    async with client:
        pass
    assert client._http.is_closed  # the private client: no public handle exists by design
