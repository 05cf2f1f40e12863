"""AWS Bedrock: the Converse stream, POST {base}/model/{modelId}/converse-stream.

The base is `https://bedrock-runtime.{region}.amazonaws.com` (the control plane, for discovery
and the connection test, is `https://bedrock.{region}.amazonaws.com`). Catalog ids like
`us.anthropic.…` are cross-region inference profiles, used like model ids.

Credentials, as AWS users have them: a Bedrock API key (the instance's key, or
`AWS_BEARER_TOKEN_BEDROCK`) sent as a bearer token; otherwise the standard AWS credential chain
(environment, `~/.aws/credentials` and `~/.aws/config` profiles, SSO caches, container and
instance roles) through botocore, with botocore's SigV4 signer. The answer is AWS's binary
event-stream, decoded by botocore's parser. Shapes and stop reasons follow the Bedrock API
reference, "ConverseStream".
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Generator, Mapping
from typing import Protocol
from urllib.parse import quote

import httpx

from lace_tui import errors
from lace_tui.providers.anthropic import DEFAULT_MAX_TOKENS, NO_REASONING, THINKING_BUDGETS
from lace_tui.providers.base import ChatCall, ClientConfig, ProviderClient, Sleep, StreamParser
from lace_tui.providers.events import ChatRequest, DiscoveredModel, Finish, StreamEvent, Usage
from lace_tui.providers.extras import require
from lace_tui.providers.failures import one_line
from lace_tui.providers.jsonshape import as_dict, get_dict, get_int, get_list, get_str, loads

BEARER_TOKEN_VARIABLE = "AWS_BEARER_TOKEN_BEDROCK"
# Where an instance of each shipped Bedrock provider goes when neither the instance nor the
# AWS configuration names a region: where its inference profiles (`us.`, `eu.`) are served.
DEFAULT_REGIONS = {"bedrock": "us-east-1", "bedrock-europe": "eu-central-1"}
FALLBACK_REGION = "us-east-1"
SIGNING_NAME = "bedrock"
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}
# In-stream exceptions, as the retry loop's error types (retried before any text is shown).
STREAM_EXCEPTIONS = {
    "throttlingException": "rate_limit_error",
    "internalServerException": "server_error",
    "serviceUnavailableException": "server_error",
    "modelStreamErrorException": "server_error",
}


def runtime_url(region: str) -> str:
    return f"https://bedrock-runtime.{region}.amazonaws.com"


def control_url(region: str) -> str:
    return f"https://bedrock.{region}.amazonaws.com"


def build_body(request: ChatRequest) -> dict[str, object]:
    """The Converse request body. Claude's extended thinking goes in the model's own fields."""
    body: dict[str, object] = {
        "messages": [{"role": m.role, "content": [{"text": m.content}]} for m in request.messages],
    }
    if request.system:
        body["system"] = [{"text": request.system}]
    max_tokens = request.max_tokens
    effort = (request.reasoning_effort or "").lower()
    if effort not in NO_REASONING and "anthropic." in request.model:
        budget = THINKING_BUDGETS.get(effort, THINKING_BUDGETS["medium"])
        body["additionalModelRequestFields"] = {
            "thinking": {"type": "enabled", "budget_tokens": budget}
        }
        max_tokens = max_tokens or DEFAULT_MAX_TOKENS
        if max_tokens <= budget:
            max_tokens += budget
    if max_tokens:
        body["inferenceConfig"] = {"maxTokens": max_tokens}
    return body


class _Message(Protocol):
    headers: Mapping[str, object]
    payload: bytes


class _Credentials(Protocol):
    def get_frozen_credentials(self) -> object: ...


class _Session(Protocol):
    """The part of botocore's Session used here."""

    def get_credentials(self) -> _Credentials | None: ...

    def get_config_variable(self, name: str) -> str | None: ...


class ConverseParser(StreamParser):
    """messageStart, contentBlockDelta (text, reasoningContent), contentBlockStop, messageStop
    (stopReason), metadata (usage): binary event-stream messages, decoded by botocore."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        eventstream = require("botocore.eventstream", label)
        self._buffer = eventstream.EventStreamBuffer()
        self._parse_error: type[Exception] = eventstream.ParserError
        self._stop: str | None = None
        self._finished = False

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        self._buffer.add_data(chunk)
        try:
            for message in self._buffer:
                self.events_seen += 1
                self._message(message)
                if self.done:
                    break
        except self._parse_error:
            self.fail_malformed("an event-stream message that does not decode")
        return self.take()

    def finish(self) -> list[StreamEvent]:
        if not self.done and self._stop is not None:
            self._emit_finish()  # no metadata event: the reply itself was complete
        return self.take()

    def _message(self, message: _Message) -> None:
        headers = message.headers
        kind = headers.get(":message-type")
        try:
            obj = as_dict(loads(message.payload)) or {}
        except ValueError:
            self.fail_malformed("an event that is not JSON")
            return
        if kind == "exception" or kind == "error":
            raw = str(headers.get(":exception-type") or headers.get(":error-code") or "error")
            said = get_str(obj, "message") or get_str(obj, "Message") or raw
            self.emit_error(one_line(said, None), STREAM_EXCEPTIONS.get(raw, raw))
            return
        event = headers.get(":event-type")
        if event == "contentBlockDelta":
            delta = get_dict(obj, "delta") or {}
            text = get_str(delta, "text")
            if text:
                self.add_text(text)
            reasoning = get_dict(delta, "reasoningContent")
            thought = get_str(reasoning, "text") if reasoning else None
            if thought:
                self.add_reasoning(thought)
        elif event == "messageStop":
            self._stop = get_str(obj, "stopReason") or "end_turn"
            self.complete = True
        elif event == "metadata":
            usage = get_dict(obj, "usage")
            if usage is not None:
                self.add_event(_usage(usage))
            if self._stop is not None:
                self._emit_finish()
        # messageStart, contentBlockStart/Stop: no text

    def _emit_finish(self) -> None:
        raw = self._stop or "end_turn"
        self.add_event(Finish(reason=STOP_REASONS.get(raw, raw), raw_reason=raw))
        self.complete = True
        self.done = True


def _usage(usage: dict[str, object]) -> Usage:
    """Bedrock counts cache reads and writes apart from inputTokens already."""
    return Usage(
        input_tokens=get_int(usage, "inputTokens"),
        output_tokens=get_int(usage, "outputTokens"),
        cache_read_tokens=get_int(usage, "cacheReadInputTokens"),
        cache_write_tokens=get_int(usage, "cacheWriteInputTokens"),
    )


class SigV4Auth(httpx.Auth):
    """Signs each request with botocore's SigV4 signer and the AWS credential chain (for a
    profile, if named). Resolving credentials may read files or call AWS (SSO, roles): it runs
    in a thread, and botocore refreshes expiring credentials itself."""

    requires_request_body = True

    def __init__(self, label: str, session: _Session, region: str) -> None:
        self._label = label
        self._session = session
        self._region = region
        self._credentials: _Credentials | None = None
        self._lock = threading.Lock()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        self.sign(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await asyncio.to_thread(self.sign, request)
        yield request

    def sign(self, request: httpx.Request) -> None:
        """Add SigV4 headers (authorization, x-amz-date, the session token) to the request."""
        botocore_auth = require("botocore.auth", self._label)
        awsrequest = require("botocore.awsrequest", self._label)
        exceptions = require("botocore.exceptions", self._label)
        try:
            with self._lock:
                if self._credentials is None:
                    self._credentials = self._session.get_credentials()
                credentials = self._credentials
            if credentials is None:
                raise errors.AuthError(
                    f"instance '{self._label}': no AWS credentials found: set "
                    f"{BEARER_TOKEN_VARIABLE} or store a Bedrock API key with `lace-tui instance "
                    f"edit {self._label} --api-key-stdin`, or configure a profile (`aws "
                    f"configure`, `aws sso login`) and name it with `--aws-profile NAME`"
                )
            frozen = credentials.get_frozen_credentials()
        except exceptions.BotoCoreError as exc:
            reason = " ".join(str(exc).split())[:200]
            raise errors.AuthError(
                f"instance '{self._label}': AWS credentials could not be loaded ({reason}): "
                "check the profile, or run `aws sso login`"
            ) from None
        unsigned = awsrequest.AWSRequest(
            method=request.method,
            url=str(request.url),
            data=request.content,
            headers={"content-type": request.headers.get("content-type", "application/json")},
        )
        botocore_auth.SigV4Auth(frozen, SIGNING_NAME, self._region).add_auth(unsigned)
        for name, value in unsigned.headers.items():
            request.headers[name] = value


class BedrockClient(ProviderClient):
    """Converse stream with a Bedrock API key or botocore's credential chain and signer."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._session: _Session | None = None
        profile_region: str | None = None
        if not config.api_key:
            botocore_session = require("botocore.session", config.label)
            exceptions = require("botocore.exceptions", config.label)
            try:
                session: _Session = botocore_session.Session(
                    profile=config.settings.get("aws_profile") or None
                )
                profile_region = session.get_config_variable("region")
            except exceptions.ProfileNotFound:
                profile = config.settings.get("aws_profile")
                raise errors.BadInputError(
                    f"instance '{config.label}': AWS profile '{profile}' is not in ~/.aws/config "
                    f"or ~/.aws/credentials: fix it with `lace-tui instance edit {config.label} "
                    "--aws-profile NAME`"
                ) from None
            self._session = session
        require("botocore.eventstream", config.label)  # the stream needs it in any case
        self.region = (
            config.settings.get("region")
            or config.settings.get("env_region")
            or profile_region
            or config.settings.get("default_region")
            or FALLBACK_REGION
        )
        super().__init__(config, http=http, sleep=sleep)
        self.runtime = config.base_url or runtime_url(self.region)
        self.control = config.base_url or control_url(self.region)

    def auth_headers(self) -> dict[str, str]:
        key = self.config.api_key
        return {"authorization": f"Bearer {key}"} if key else {}

    def http_auth(self) -> httpx.Auth | None:
        if self._session is None:
            return None
        return SigV4Auth(self.config.label, self._session, self.region)

    def chat_call(self, request: ChatRequest) -> ChatCall:
        model = quote(request.model, safe="")
        return ChatCall(f"{self.runtime}/model/{model}/converse-stream", build_body(request))

    def new_parser(self) -> StreamParser:
        return ConverseParser(self.config.label)

    def test_url(self) -> tuple[str, dict[str, str]]:
        return f"{self.control}/inference-profiles", {"maxResults": "1"}

    async def list_models(self) -> list[DiscoveredModel]:
        """Inference profiles, then on-demand text foundation models, the account can use."""
        found: dict[str, DiscoveredModel] = {}
        profiles = as_dict(await self.get_json(f"{self.control}/inference-profiles")) or {}
        for item in get_list(profiles, "inferenceProfileSummaries"):
            entry = as_dict(item)
            profile_id = get_str(entry, "inferenceProfileId") if entry else None
            if entry is not None and profile_id and get_str(entry, "status") != "INACTIVE":
                name = get_str(entry, "inferenceProfileName") or ""
                found.setdefault(profile_id, DiscoveredModel(id=profile_id, name=name))
        params = {"byOutputModality": "TEXT", "byInferenceType": "ON_DEMAND"}
        models = as_dict(await self.get_json(f"{self.control}/foundation-models", params)) or {}
        for item in get_list(models, "modelSummaries"):
            entry = as_dict(item)
            model_id = get_str(entry, "modelId") if entry else None
            if entry is not None and model_id:
                name = get_str(entry, "modelName") or ""
                found.setdefault(model_id, DiscoveredModel(id=model_id, name=name))
        return list(found.values())
