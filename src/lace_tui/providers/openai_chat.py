"""OpenAI Chat Completions streaming (OpenAI, compatible servers, OpenRouter, Vercel, Azure)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from urllib.parse import quote

import httpx

from lace_tui import errors
from lace_tui.providers import openai_responses
from lace_tui.providers.base import ChatCall, ClientConfig, ProviderClient, Sleep, StreamParser
from lace_tui.providers.events import ChatRequest, DiscoveredModel, Finish, StreamEvent, Usage
from lace_tui.providers.failures import one_line
from lace_tui.providers.framerun import FrameRun
from lace_tui.providers.jsonshape import (
    as_dict,
    get_dict,
    get_int,
    get_list,
    get_str,
    loads,
    string_between,
)
from lace_tui.providers.sse import SSEDecoder, SSEEvent

AZURE_DEFAULT_API_VERSION = "2024-10-21"
FINISH_REASONS = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}
# Gateways that take OpenRouter's `reasoning: {effort}` object instead of `reasoning_effort`.
REASONING_OBJECT_TYPES = frozenset({"openrouter", "vercel"})


def build_body(request: ChatRequest, provider_type: str) -> dict[str, object]:
    """The Chat Completions request body for a streaming chat."""
    messages: list[dict[str, str]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    messages.extend({"role": m.role, "content": m.content} for m in request.messages)
    body: dict[str, object] = {
        "model": request.model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.max_tokens:
        # OpenAI's reasoning models refuse `max_tokens`; most other servers only know it.
        key = "max_completion_tokens" if provider_type == "openai" else "max_tokens"
        body[key] = request.max_tokens
    if request.reasoning_effort:
        if provider_type in REASONING_OBJECT_TYPES:
            body["reasoning"] = {"effort": request.reasoning_effort}
        else:
            body["reasoning_effort"] = request.reasoning_effort
    return body


# The shape of nearly every chunk from OpenAI itself: one content delta for choice 0 and
# nothing else. Recognising it by its exact surroundings (plain byte searches, no regex)
# skips the full JSON decode; anything else, or anything doubtful, takes the general path.
_FAST_ANCHOR = b'"choices":[{'  # short needles: bytes.find sets up slowly for long ones
_FAST_PREFIX = b'"choices":[{"index":0,"delta":{"content":"'
_FAST_SUFFIX = b'"},"logprobs":null,"finish_reason":null}]}'


def content_span(payload: bytes) -> tuple[int, int] | None:
    """Where the raw text of a plain content-delta chunk for choice 0 lies, None for anything
    else. The bytes between are not checked yet: `fast_content` decodes them."""
    if not payload.endswith(_FAST_SUFFIX):
        return None
    start = payload.find(_FAST_ANCHOR)
    if start < 1 or not payload.startswith(_FAST_PREFIX, start):
        return None
    # Before `choices` only scalar ids may come: no usage, no error.
    if payload.find(b'"usage"', 0, start) >= 0 or payload.find(b'"error"', 0, start) >= 0:
        return None
    return start + len(_FAST_PREFIX), len(payload) - len(_FAST_SUFFIX)


def fast_content(payload: bytes) -> str | None:
    """The text of a plain content-delta chunk for choice 0, None for anything else."""
    span = content_span(payload)
    return None if span is None else string_between(payload, *span)


class OpenAIChatParser(StreamParser):
    """`data: {chat.completion.chunk}` events ending with `data: [DONE]`.

    Only choice index 0 is read (an n>1 request streams its choices interleaved). Refusal
    text is not shown as the reply: it becomes the Finish detail, with reason "refusal".
    """

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self._sse = SSEDecoder()
        # `created` is fixed per stream at OpenAI; some compatible servers stamp every chunk.
        self.run = FrameRun(volatile=frozenset({b"created"}))
        self._finish_reason: str | None = None
        self._refusal: list[str] = []
        self._json_body: list[bytes] | None = None
        self._first = True

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self._json_body is not None:
            self._json_body.append(chunk)
            return []
        if self._first and chunk:
            self._first = False
            if self.content_type.startswith("application/json") and chunk.lstrip()[:1] == b"{":
                # A server that ignored `stream: true` and answered with one JSON document.
                self._json_body = [chunk]
                return []
        events = self.read_run(self._sse, chunk)
        if events is None:
            self._handle(self._sse.feed(chunk))
            events = self.take()
        return events

    def finish(self) -> list[StreamEvent]:
        if self._json_body is not None:
            self._whole_answer(b"".join(self._json_body))
            return self.take()
        self._handle(self._sse.flush())
        if not self.done and self._finish_reason is not None:
            # No [DONE], but the model said it was finished: some servers stop there.
            self.complete = True
            self.add_event(self._finish_event())
        return self.take()

    def _handle(self, sse_events: list[SSEEvent]) -> None:
        self.events_seen += len(sse_events)
        run = self.run
        for name, data in sse_events:
            if self.done:
                return
            text = fast_content(data)
            if text is not None:
                if run is not None and run.wanted:
                    span = content_span(data)
                    if span is not None:
                        run.learn(name, data, *span, reasoning=False)
                if text:
                    self.add_text(text)
                continue
            if data[:1] != b"{" and data.strip() == b"[DONE]":
                self.complete = True
                self.done = True
                if self._finish_reason is not None:
                    self.add_event(self._finish_event())
                return
            try:
                obj = loads(data)
            except ValueError:
                self.fail_malformed("an event that is not JSON")
                return
            if isinstance(obj, dict):
                self._chunk(obj)

    def _chunk(self, obj: dict[str, object]) -> None:
        error = obj.get("error")
        if error:
            if isinstance(error, dict):
                message = get_str(error, "message") or ""
                code = error.get("code")
                kind = get_str(error, "type") or (str(code) if code is not None else None)
            else:
                message, kind = str(error), None
            self.emit_error(one_line(message, None), kind)
            return
        choices = obj.get("choices")
        if choices and isinstance(choices, list):
            for choice in choices:
                if isinstance(choice, dict) and choice.get("index", 0) == 0:
                    self._choice(choice)
                    break
        usage = obj.get("usage")
        if usage and isinstance(usage, dict):
            self.add_event(_usage_event(usage))

    def _choice(self, choice: dict[str, object]) -> None:
        delta = choice.get("delta")
        if isinstance(delta, dict):
            # DeepSeek and vLLM say reasoning_content, OpenRouter and Ollama say reasoning.
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if reasoning and isinstance(reasoning, str):
                self.add_reasoning(reasoning)
            text = delta.get("content")
            if text and isinstance(text, str):
                self.add_text(text)
            refusal = delta.get("refusal")
            if refusal and isinstance(refusal, str):
                self._refusal.append(refusal)
        reason = choice.get("finish_reason")
        if reason and isinstance(reason, str):
            self._finish_reason = reason

    def _finish_event(self) -> Finish:
        raw = self._finish_reason or "stop"
        if self._refusal:
            return Finish(reason="refusal", raw_reason=raw, detail="".join(self._refusal))
        return Finish(reason=FINISH_REASONS.get(raw, raw), raw_reason=raw)

    def _whole_answer(self, body: bytes) -> None:
        """A non-streamed chat.completion (or an error object) sent with a 200."""
        self.events_seen += 1
        try:
            obj = as_dict(loads(body))
        except ValueError:
            obj = None
        if obj is None:
            self.fail_malformed("a JSON answer that is not an object")
            return
        if obj.get("error"):
            self._chunk(obj)
            return
        choices = get_list(obj, "choices")
        if not choices:
            self.fail_malformed("a JSON answer without choices")
            return
        for choice in choices:
            entry = as_dict(choice)
            if entry is None or entry.get("index", 0) != 0:
                continue
            message = get_dict(entry, "message")
            if message is not None:
                self._choice({"delta": message, "finish_reason": entry.get("finish_reason")})
            break
        usage = get_dict(obj, "usage")
        if usage:
            self.add_event(_usage_event(usage))
        self.complete = True
        self.add_event(self._finish_event())


def _usage_event(usage: dict[str, object]) -> Usage:
    return openai_responses.usage_event(usage, "prompt", "completion")


class OpenAIChatClient(ProviderClient):
    """POST {base}/chat/completions with a Bearer key; {base}/responses for the models that
    OpenAI serves only by its Responses API (catalog `wire_api`, or learnt from its refusal)."""

    # Whether this server may speak the Responses API at {base}/responses.
    speaks_responses = True

    def __init__(
        self,
        config: ClientConfig,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(config, http=http, sleep=sleep)
        self._responses_models = set(config.responses_models)

    def auth_headers(self) -> dict[str, str]:
        if self.config.api_key:
            return {"authorization": f"Bearer {self.config.api_key}"}
        return {}

    def chat_url(self, model: str) -> str:
        return f"{self.config.base_url}/chat/completions"

    def uses_responses(self, model: str) -> bool:
        return self.speaks_responses and model in self._responses_models

    def chat_call(self, request: ChatRequest) -> ChatCall:
        if self.uses_responses(request.model):
            label = self.config.label
            return ChatCall(
                f"{self.config.base_url}/responses",
                openai_responses.build_body(request),
                parser=lambda: openai_responses.ResponsesParser(label),
            )
        body = build_body(request, self.config.provider_type)
        return ChatCall(self.chat_url(request.model), body)

    async def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Chat Completions, or the Responses API for the models that need it. A server that
        rejects a model with "only supported in v1/responses" gets the same request again in
        the Responses format (nothing was shown yet), and the choice is remembered."""
        switch = self.speaks_responses and not self.uses_responses(request.model)
        try:
            async for event in super().stream_chat(request):
                yield event
            return
        except errors.ProviderError as exc:  # OpenAI says it with a 404, others a 400
            if not switch or not openai_responses.is_responses_only(str(exc)):
                raise
        self._responses_models.add(request.model)
        if self.config.remember_responses is not None:
            self.config.remember_responses(request.model)
        async for event in super().stream_chat(request):
            yield event

    def new_parser(self) -> StreamParser:
        return OpenAIChatParser(self.config.label)

    def models_url(self) -> tuple[str, dict[str, str]]:
        return f"{self.config.base_url}/models", {}

    def test_url(self) -> tuple[str, dict[str, str]]:
        return self.models_url()

    def test_extra(self, value: object) -> dict[str, str]:
        obj = as_dict(value)
        if obj is None or "data" not in obj:
            return {}
        return {"models": str(len(get_list(obj, "data")))}

    async def list_models(self) -> list[DiscoveredModel]:
        """GET {base}/models: `data[].id`, with OpenRouter's name and context_length if given."""
        url, params = self.models_url()
        answer = await self.get_json(url, params)
        page = as_dict(answer) or {}
        # OpenAI's shape is {"data": [...]}; a few compatible servers send {"models": [...]}
        # or the bare list.
        items = get_list(page, "data") or get_list(page, "models")
        if isinstance(answer, list):
            items = answer
        found: dict[str, DiscoveredModel] = {}
        for item in items:
            entry = as_dict(item)
            model_id = get_str(entry, "id") if entry else None
            if entry is None or not model_id or model_id in found:
                continue
            context = get_int(entry, "context_length") or get_int(entry, "context_window")
            found[model_id] = DiscoveredModel(
                id=model_id, name=get_str(entry, "name") or "", context_window=context
            )
        return list(found.values())


class OpenRouterClient(OpenAIChatClient):
    """OpenRouter: the connection test asks GET {base}/key, which also reports credit."""

    def test_url(self) -> tuple[str, dict[str, str]]:
        return f"{self.config.base_url}/key", {}

    def test_extra(self, value: object) -> dict[str, str]:
        obj = as_dict(value)
        data = get_dict(obj, "data") if obj else None
        if data is None:
            return {}
        extra: dict[str, str] = {}
        label = get_str(data, "label")
        if label:
            extra["key_label"] = label
        usage = data.get("usage")
        if isinstance(usage, int | float) and not isinstance(usage, bool):
            extra["credit_used"] = f"${usage:.2f}"
        limit = data.get("limit")
        if isinstance(limit, int | float) and not isinstance(limit, bool):
            extra["credit_limit"] = f"${limit:.2f}"
        else:
            extra["credit_limit"] = "none"
        remaining = data.get("limit_remaining")
        if isinstance(remaining, int | float) and not isinstance(remaining, bool):
            extra["credit_remaining"] = f"${remaining:.2f}"
        if data.get("is_free_tier") is True:
            extra["free_tier"] = "yes"
        return extra


class AzureChatClient(OpenAIChatClient):
    """Azure OpenAI: the model is the deployment name in the URL; the key goes in `api-key`."""

    speaks_responses = False  # Azure serves it under another path and API version

    @property
    def api_version(self) -> str:
        return self.config.api_version or AZURE_DEFAULT_API_VERSION

    def auth_headers(self) -> dict[str, str]:
        return {"api-key": self.config.api_key} if self.config.api_key else {}

    def chat_url(self, model: str) -> str:
        return (
            f"{self.config.base_url}/openai/deployments/{quote(model, safe='')}/chat/completions"
            f"?api-version={self.api_version}"
        )

    def models_url(self) -> tuple[str, dict[str, str]]:
        return f"{self.config.base_url}/openai/models", {"api-version": self.api_version}
