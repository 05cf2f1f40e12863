"""Which client speaks which catalog `type`, and where its endpoint is."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from lace_tui import errors
from lace_tui.providers.anthropic import AnthropicClient
from lace_tui.providers.base import ClientConfig, ProviderClient, Sleep
from lace_tui.providers.bedrock import BedrockClient
from lace_tui.providers.copilot import CopilotClient
from lace_tui.providers.gemini import GeminiClient
from lace_tui.providers.ollama import OllamaClient
from lace_tui.providers.openai_chat import AzureChatClient, OpenAIChatClient, OpenRouterClient
from lace_tui.providers.vertex import VertexClient

# The base URL each vendor's own SDK uses when none is given.
VENDOR_DEFAULTS: Mapping[str, str] = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
    "openrouter": "https://openrouter.ai/api/v1",
    "vercel": "https://ai-gateway.vercel.sh/v1",
    "google": "https://generativelanguage.googleapis.com",
    "ollama": "http://localhost:11434",
}

_CLIENTS: Mapping[str, type[ProviderClient]] = {
    "anthropic": AnthropicClient,
    "openai": OpenAIChatClient,
    "openai-compat": OpenAIChatClient,
    "openrouter": OpenRouterClient,
    "vercel": OpenAIChatClient,
    "azure": AzureChatClient,
    "google": GeminiClient,
    "ollama": OllamaClient,
    "bedrock": BedrockClient,
    "google-vertex": VertexClient,
    "copilot": CopilotClient,
}
# Types whose endpoint follows from the instance's region or location (the client builds it).
REGIONAL_TYPES: frozenset[str] = frozenset({"bedrock", "google-vertex"})

SUPPORTED_TYPES: frozenset[str] = frozenset(_CLIENTS)

# Path suffixes a user may paste that the client adds itself (the SDKs' base URLs differ).
_REDUNDANT_SUFFIXES: Mapping[str, tuple[str, ...]] = {
    "anthropic": ("/v1",),
    "google": ("/v1beta", "/v1"),
    "ollama": ("/api",),
}
_ENV_REF = re.compile(r"^\$(?:\{(\w+)\}|(\w+))$")


def create_client(
    config: ClientConfig,
    *,
    http: httpx.AsyncClient | None = None,
    sleep: Sleep = asyncio.sleep,
) -> ProviderClient:
    """The client for `config.provider_type`. Without `http`, the client owns its own
    AsyncClient (close it with `aclose()` or `async with`)."""
    cls = _CLIENTS.get(config.provider_type)
    if cls is None:
        raise errors.UnsupportedProviderError(
            f"provider type '{config.provider_type}' is not supported for chat yet; "
            "the catalog stays browsable"
        )
    return cls(config, http=http, sleep=sleep)


def resolve_endpoint(
    provider_type: str,
    instance_endpoint: str | None,
    catalog_endpoint: str,
    environ: Mapping[str, str],
) -> str:
    """The base URL to use: the instance's endpoint, else the catalog's `api_endpoint` (a
    `$VAR` there is read from `environ`; unset or empty means the vendor default), else the
    vendor default. Trailing slashes go, and so does a path suffix the client adds itself
    (`/v1` on Anthropic, `/v1beta` on Gemini, `/api` on Ollama). Empty for Bedrock and Vertex
    AI with nothing set: their clients build it from the region or location."""
    chosen = (instance_endpoint or "").strip()
    source = "the instance endpoint"
    if not chosen:
        catalog_value = catalog_endpoint.strip()
        match = _ENV_REF.match(catalog_value)
        if match:
            variable = match.group(1) or match.group(2)
            chosen = environ.get(variable, "").strip()
            source = f"${variable}"
        else:
            chosen = catalog_value
            source = "the catalog's api_endpoint"
    if not chosen and provider_type in REGIONAL_TYPES:
        return ""
    if not chosen:
        chosen = VENDOR_DEFAULTS.get(provider_type, "")
        source = "the vendor default"
        if not chosen:
            variable_hint = ""
            match = _ENV_REF.match(catalog_endpoint.strip())
            if match:
                variable_hint = f" or set ${match.group(1) or match.group(2)}"
            raise errors.BadInputError(
                f"provider type '{provider_type}' has no default endpoint: set one with "
                f"`lace-tui instance edit ID --endpoint URL`{variable_hint}"
            )
    parts = urlsplit(chosen)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.BadInputError(
            f"endpoint from {source} is not an http(s) URL: fix it with "
            "`lace-tui instance edit ID --endpoint URL`"
        )
    url = chosen.rstrip("/")
    for suffix in _REDUNDANT_SUFFIXES.get(provider_type, ()):
        if url.endswith(suffix):
            url = url[: -len(suffix)].rstrip("/")
            break
    return url
