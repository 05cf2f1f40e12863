"""Anthropic Messages API: POST {base}/v1/messages, server-sent events."""

from __future__ import annotations

import re

from lace_tui.providers.attachments import anthropic_content
from lace_tui.providers.base import ChatCall, ProviderClient, StreamParser
from lace_tui.providers.events import ChatRequest, DiscoveredModel, Finish, StreamEvent, Usage
from lace_tui.providers.failures import one_line
from lace_tui.providers.framerun import FrameRun
from lace_tui.providers.jsonshape import (
    JSON_STRING_BODY,
    as_dict,
    get_dict,
    get_int,
    get_list,
    get_str,
    loads,
    string_between,
)
from lace_tui.providers.sse import SSEDecoder, SSEEvent

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
# Thinking budget per reasoning effort; unknown efforts get the medium budget.
THINKING_BUDGETS = {
    "minimal": 1024,
    "low": 1024,
    "medium": 4096,
    "high": 16384,
    "xhigh": 32768,
    "max": 32768,
}
NO_REASONING = frozenset({"", "none", "off"})
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "refusal",
}
MAX_MODEL_PAGES = 5


def build_body(request: ChatRequest) -> dict[str, object]:
    """The Messages API request body for a streaming chat."""
    max_tokens = request.max_tokens or DEFAULT_MAX_TOKENS
    body: dict[str, object] = {
        "model": request.model,
        "messages": [{"role": m.role, "content": anthropic_content(m)} for m in request.messages],
        "stream": True,
    }
    if request.system:
        body["system"] = request.system
    effort = (request.reasoning_effort or "").lower()
    if effort not in NO_REASONING:
        budget = THINKING_BUDGETS.get(effort, THINKING_BUDGETS["medium"])
        body["thinking"] = {"type": "enabled", "budget_tokens": budget}
        if max_tokens <= budget:
            max_tokens += budget  # the answer keeps the room it asked for, after thinking
    body["max_tokens"] = max_tokens
    return body


# The shape of nearly every event: one text or thinking delta. Recognising it by its exact
# surroundings skips the full JSON decode (the bulk of the per-token cost); anything else,
# or anything doubtful, takes the general path. Padding before the last brace, as in some
# recordings, goes through the regex.
_DELTA_START = b'{"type":"content_block_delta","index":'
_INDEX_AT = len(_DELTA_START)
_TEXT_PREFIX = b',"delta":{"type":"text_delta","text":"'
_THINKING_PREFIX = b',"delta":{"type":"thinking_delta","thinking":"'
_FAST_SUFFIX = b'"}}'
_PADDED_DELTA = re.compile(
    rb'\{"type":"content_block_delta","index":\d+,"delta":\{"type":"(text|thinking)_delta",'
    rb'"\1":"(' + JSON_STRING_BODY + rb')"\}\s*\}\s*\Z'
)


def delta_span(payload: bytes) -> tuple[bool, int, int] | None:
    """(is_reasoning, start, end) of the raw text of a plain text/thinking delta event, None
    for anything else. The bytes between are not checked yet: `fast_delta` decodes them."""
    if not payload.startswith(_DELTA_START):
        return None
    if payload.endswith(_FAST_SUFFIX):
        end = len(payload) - len(_FAST_SUFFIX)
        start = payload.find(b",", _INDEX_AT, _INDEX_AT + 20)  # after the block index
        if start > _INDEX_AT and payload[_INDEX_AT:start].isdigit():
            if payload.startswith(_TEXT_PREFIX, start):
                return False, start + len(_TEXT_PREFIX), end
            if payload.startswith(_THINKING_PREFIX, start):
                return True, start + len(_THINKING_PREFIX), end
    match = _PADDED_DELTA.match(payload)
    if match is None:
        return None
    return match.group(1) == b"thinking", match.start(2), match.end(2)


def fast_delta(payload: bytes) -> tuple[bool, str] | None:
    """(is_reasoning, text) for a plain text/thinking delta event, None for anything else."""
    span = delta_span(payload)
    if span is None:
        return None
    reasoning, start, end = span
    text = string_between(payload, start, end)
    return None if text is None else (reasoning, text)


class AnthropicParser(StreamParser):
    """message_start, content_block_*, message_delta, message_stop; ping and unknowns ignored."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self._sse = SSEDecoder()
        self.run = FrameRun()
        self._usage: dict[str, int] = {}
        self._stop_reason: str | None = None
        self._stop_detail: str | None = None

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        events = self.read_run(self._sse, chunk)
        if events is None:
            self._handle(self._sse.feed(chunk))
            events = self.take()
        return events

    def finish(self) -> list[StreamEvent]:
        self._handle(self._sse.flush())
        return self.take()

    def _handle(self, sse_events: list[SSEEvent]) -> None:
        self.events_seen += len(sse_events)
        run = self.run
        for name, data in sse_events:
            if self.done:
                return
            fast = fast_delta(data)
            if fast is not None:
                if run is not None and run.wanted:
                    span = delta_span(data)
                    if span is not None:
                        run.learn(name, data, span[1], span[2], reasoning=span[0])
                if fast[1]:
                    if fast[0]:
                        self.add_reasoning(fast[1])
                    else:
                        self.add_text(fast[1])
                continue
            try:
                obj = loads(data)
            except ValueError:
                self.fail_malformed("an event that is not JSON")
                return
            if isinstance(obj, dict):
                self._event(obj)

    def _event(self, obj: dict[str, object]) -> None:
        kind = obj.get("type")
        if kind == "content_block_delta":
            delta = get_dict(obj, "delta")
            if delta is None:
                return
            delta_type = delta.get("type")
            if delta_type == "text_delta":
                text = get_str(delta, "text")
                if text:
                    self.add_text(text)
            elif delta_type == "thinking_delta":
                text = get_str(delta, "thinking")
                if text:
                    self.add_reasoning(text)
            # input_json_delta, signature_delta, compaction_delta...: not chat text
        elif kind == "message_start":
            message = get_dict(obj, "message")
            usage = get_dict(message, "usage") if message else None
            if usage is not None and self._merge_usage(usage):
                self.add_event(self._usage_event())
        elif kind == "message_delta":
            delta = get_dict(obj, "delta")
            if delta is not None:
                reason = get_str(delta, "stop_reason")
                if reason:
                    self._stop_reason = reason
                details = get_dict(delta, "stop_details")
                if details is not None:
                    self._stop_detail = get_str(details, "explanation")
            usage = get_dict(obj, "usage")
            if usage is not None and self._merge_usage(usage):
                self.add_event(self._usage_event())
        elif kind == "message_stop":
            self.complete = True
            self.done = True
            if self._stop_reason is not None:
                reason = self._stop_reason
                self.add_event(
                    Finish(
                        reason=STOP_REASONS.get(reason, reason),
                        raw_reason=reason,
                        detail=self._stop_detail,
                    )
                )
        elif kind == "error":
            error = get_dict(obj, "error") or {}
            text = one_line(get_str(error, "message") or "", None)
            self.emit_error(text, get_str(error, "type"))
        # ping, content_block_start/stop and unknown event types carry no chat text

    def _merge_usage(self, usage: dict[str, object]) -> bool:
        """Fold a usage object into the running totals; True when anything was there."""
        found = False
        for source, target in (
            ("input_tokens", "input"),
            ("output_tokens", "output"),
            ("cache_read_input_tokens", "cache_read"),
            ("cache_creation_input_tokens", "cache_write"),
        ):
            value = get_int(usage, source)
            if value is not None:
                self._usage[target] = value
                found = True
        details = get_dict(usage, "output_tokens_details")
        thinking = get_int(details, "thinking_tokens") if details else None
        if thinking is not None:
            self._usage["reasoning"] = thinking
            found = True
        return found

    def _usage_event(self) -> Usage:
        u = self._usage
        return Usage(
            input_tokens=u.get("input"),
            output_tokens=u.get("output"),
            cache_read_tokens=u.get("cache_read"),
            cache_write_tokens=u.get("cache_write"),
            reasoning_tokens=u.get("reasoning"),
        )


class AnthropicClient(ProviderClient):
    """Claude and Anthropic-compatible endpoints (MiniMax, Kimi, proxies)."""

    def auth_headers(self) -> dict[str, str]:
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if self.config.api_key:
            headers["x-api-key"] = self.config.api_key
        return headers

    def chat_call(self, request: ChatRequest) -> ChatCall:
        return ChatCall(f"{self.config.base_url}/v1/messages", build_body(request))

    def new_parser(self) -> StreamParser:
        return AnthropicParser(self.config.label)

    def test_url(self) -> tuple[str, dict[str, str]]:
        return f"{self.config.base_url}/v1/models", {"limit": "1"}

    async def list_models(self) -> list[DiscoveredModel]:
        """GET /v1/models, following `has_more`/`last_id` for a few pages."""
        url = f"{self.config.base_url}/v1/models"
        params = {"limit": "1000"}
        found: dict[str, DiscoveredModel] = {}
        for _page in range(MAX_MODEL_PAGES):
            page = as_dict(await self.get_json(url, params)) or {}
            for item in get_list(page, "data"):
                entry = as_dict(item)
                model_id = get_str(entry, "id") if entry else None
                if entry is None or not model_id or model_id in found:
                    continue
                found[model_id] = DiscoveredModel(
                    id=model_id,
                    name=get_str(entry, "display_name") or "",
                    context_window=get_int(entry, "max_input_tokens"),
                )
            last_id = get_str(page, "last_id")
            if page.get("has_more") is not True or not last_id:
                break
            params = {"limit": "1000", "after_id": last_id}
        return list(found.values())
