"""Google Vertex AI: Gemini and Anthropic's Claude models in a Google Cloud project.

Gemini: POST {base}/v1/projects/{project}/locations/{location}/publishers/google/models/
{model}:streamGenerateContent?alt=sse (the Gemini API's body and stream). Claude: POST .../
publishers/anthropic/models/{model}:streamRawPredict with the Messages API body, the model in
the URL and `anthropic_version: vertex-2023-10-16` in the body (Anthropic's "Claude on Vertex
AI" guide); the stream is the Messages API's. The base is `https://{location}-aiplatform.
googleapis.com`, or `https://aiplatform.googleapis.com` for the `global` location.

Credentials: an access token given as the instance's key (typically `--api-key-env VAR` with
`gcloud auth print-access-token`), or Application Default Credentials through google-auth
(a service-account file, `gcloud auth application-default login`), refreshed before expiry.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Generator
from typing import Protocol
from urllib.parse import quote

import httpx

from lace_tui import errors
from lace_tui.providers import anthropic, gemini
from lace_tui.providers.base import ChatCall, ClientConfig, ProviderClient, Sleep, StreamParser
from lace_tui.providers.events import ChatRequest, DiscoveredModel
from lace_tui.providers.extras import require
from lace_tui.providers.jsonshape import as_dict, get_list, get_str

ANTHROPIC_VERTEX_VERSION = "vertex-2023-10-16"
DEFAULT_LOCATION = "global"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
MAX_MODEL_PAGES = 3


def base_url(location: str) -> str:
    """Vertex AI's regional endpoint for a location (`global` has none of its own)."""
    if location == "global":
        return "https://aiplatform.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"


def is_anthropic(model: str) -> bool:
    """Claude models are Anthropic's publisher models on Vertex."""
    return model.startswith("claude")


class _Credentials(Protocol):
    token: str | None
    valid: bool

    def refresh(self, request: object) -> None: ...


class ADCAuth(httpx.Auth):
    """A bearer token from Application Default Credentials, refreshed (in a thread: it may
    read files and call Google's token endpoint) whenever google-auth says it is not valid,
    which it does a few minutes before expiry."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._credentials: _Credentials | None = None
        self._lock = threading.Lock()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["authorization"] = f"Bearer {self.token()}"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await asyncio.to_thread(self.token)
        request.headers["authorization"] = f"Bearer {token}"
        yield request

    def token(self) -> str:
        """A valid access token (AuthError in one line when there are no usable credentials)."""
        google_auth = require("google.auth", self._label)
        transport = require("google.auth.transport.requests", self._label)
        with self._lock:
            try:
                if self._credentials is None:
                    found, _project = google_auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
                    self._credentials = found
                credentials = self._credentials
                assert credentials is not None
                if not credentials.valid:
                    credentials.refresh(transport.Request())
            except google_auth.exceptions.DefaultCredentialsError:
                raise errors.AuthError(
                    f"instance '{self._label}': no Google credentials found: run `gcloud auth "
                    "application-default login`, set GOOGLE_APPLICATION_CREDENTIALS to a "
                    f"service-account file, or give a token with `lace-tui instance edit "
                    f"{self._label} --api-key-env VAR`"
                ) from None
            except google_auth.exceptions.GoogleAuthError as exc:
                reason = " ".join(str(exc).split())[:200]
                raise errors.AuthError(
                    f"instance '{self._label}': Google credentials could not be refreshed "
                    f"({reason}): run `gcloud auth application-default login` again"
                ) from None
            token = credentials.token
        if not token:
            raise errors.AuthError(f"instance '{self._label}': Google credentials gave no token")
        return token


class VertexClient(ProviderClient):
    """Gemini and Claude on Vertex AI, with a token or Application Default Credentials."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.project = config.settings.get("project", "")
        self.location = config.settings.get("location") or DEFAULT_LOCATION
        if not self.project:
            raise errors.BadInputError(
                f"instance '{config.label}' has no Google Cloud project: set one with "
                f"`lace-tui instance edit {config.label} --project PROJECT_ID`"
            )
        super().__init__(config, http=http, sleep=sleep)
        self.base = config.base_url or base_url(self.location)

    def auth_headers(self) -> dict[str, str]:
        key = self.config.api_key
        return {"authorization": f"Bearer {key}"} if key else {}

    def http_auth(self) -> httpx.Auth | None:
        if self.config.api_key:
            return None  # a token given by the user: sent as it is
        require("google.auth", self.config.label)  # say which extra is missing now, not later
        return ADCAuth(self.config.label)

    def _publisher(self, publisher: str) -> str:
        project = quote(self.project, safe="")
        location = quote(self.location, safe="")
        return f"{self.base}/v1/projects/{project}/locations/{location}/publishers/{publisher}"

    def chat_call(self, request: ChatRequest) -> ChatCall:
        model = quote(request.model, safe="-._~@")
        label = self.config.label
        if is_anthropic(request.model):
            body = anthropic.build_body(request)
            del body["model"]
            body["anthropic_version"] = ANTHROPIC_VERTEX_VERSION
            url = f"{self._publisher('anthropic')}/models/{model}:streamRawPredict"
            return ChatCall(url, body, parser=lambda: anthropic.AnthropicParser(label))
        url = f"{self._publisher('google')}/models/{model}:streamGenerateContent?alt=sse"
        return ChatCall(url, gemini.build_body(request))

    def new_parser(self) -> StreamParser:
        return gemini.GeminiParser(self.config.label)

    def test_url(self) -> tuple[str, dict[str, str]]:
        # Model Garden's list of Google's models: cheap, and it needs valid credentials.
        return f"{self.base}/v1beta1/publishers/google/models", {"pageSize": "1"}

    async def list_models(self) -> list[DiscoveredModel]:
        """Gemini and Claude publisher models from Model Garden (v1beta1)."""
        found: dict[str, DiscoveredModel] = {}
        for publisher, prefix in (("google", "gemini"), ("anthropic", "claude")):
            url = f"{self.base}/v1beta1/publishers/{publisher}/models"
            params = {"pageSize": "200"}
            for _page in range(MAX_MODEL_PAGES):
                page = as_dict(await self.get_json(url, params)) or {}
                for item in get_list(page, "publisherModels"):
                    entry = as_dict(item)
                    name = get_str(entry, "name") if entry else None
                    model_id = (name or "").rsplit("/", 1)[-1]
                    if model_id.startswith(prefix) and model_id not in found:
                        found[model_id] = DiscoveredModel(id=model_id)
                token = get_str(page, "nextPageToken")
                if not token:
                    break
                params = {"pageSize": "200", "pageToken": token}
        return list(found.values())
