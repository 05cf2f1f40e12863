"""Anthropic Messages API: POST {base}/v1/messages, server-sent events."""

from __future__ import annotations

import re

from lace_tui.providers.base import (
    ChatCall,
    FramedParser,
    ProviderClient,
    StreamParser,
    ToolCallParts,
    with_tool_calls,
)
from lace_tui.providers.events import ChatRequest, DiscoveredModel, Finish, Usage
from lace_tui.providers.failures import one_line
from lace_tui.providers.jsonshape import (
    JSON_STRING_BODY,
    as_dict,
    get_dict,
    get_int,
    get_list,
    get_str,
    string_between,
)
from lace_tui.providers.sse import SSEDecoder, SSEEvent
from lace_tui.stop_reason import StopReason

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
# Thinking budget per reasoning effort, for models that take `budget_tokens`; unknown
# efforts get the medium budget.
THINKING_BUDGETS = {
    "minimal": 1024,
    "low": 1024,
    "medium": 4096,
    "high": 16384,
    "xhigh": 32768,
    "max": 32768,
}
# Effort levels adaptive thinking takes in `output_config.effort`; others are sent as the
# nearest one ("minimal" is "low").
ADAPTIVE_EFFORTS = frozenset({"low", "medium", "high", "xhigh", "max"})
NO_REASONING = frozenset({"", "none", "off"})
# `stop_reason` (Anthropic's Messages API reference, "Handling stop reasons").
STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "refusal",
    "pause_turn": "pause",
}
# claude-<family>-<major>[-<minor>][-<date>], e.g. claude-opus-4-7, claude-sonnet-4-5-20250929,
# claude-mythos-5; a gateway prefix (`anthropic.`, `anthropic/`) before it is allowed.
_CLAUDE_VERSION = re.compile(r"claude-[a-z]+-(\d+)(?:[-.](\d{1,2}))?(?![0-9])")
MAX_MODEL_PAGES = 5


def takes_adaptive_thinking(model: str) -> bool:
    """Whether the model thinks adaptively (`thinking: {type: "adaptive"}` with an effort)
    rather than with a token budget. Anthropic's "Adaptive thinking" docs: Claude Opus and
    Sonnet 4.6 deprecate `type: "enabled"` with `budget_tokens`, Opus 4.7 and every later
    model reject it with a 400; Opus 4.5, Sonnet 4.5 and older take only the budget."""
    match = _CLAUDE_VERSION.search(model)
    if match is None:
        return False  # compatible servers (Kimi, MiniMax) and unknown names take the budget
    major, minor = int(match.group(1)), int(match.group(2) or 0)
    return (major, minor) >= (4, 6)


def thinking_fields(model: str, effort: str, max_tokens: int) -> tuple[dict[str, object], int]:
    """The body fields that ask `model` to think at `effort`, and the output limit to send.

    The one place the thinking rule lives: adaptive models get `thinking: {type: adaptive}`
    and `output_config: {effort}` (Anthropic's "Effort" docs); the others a `budget_tokens`
    from THINKING_BUDGETS, with room for the answer kept above the budget."""
    if takes_adaptive_thinking(model):
        level = effort if effort in ADAPTIVE_EFFORTS else "low" if effort == "minimal" else "high"
        return {"thinking": {"type": "adaptive"}, "output_config": {"effort": level}}, max_tokens
    budget = THINKING_BUDGETS.get(effort, THINKING_BUDGETS["medium"])
    if max_tokens <= budget:
        max_tokens += budget  # the answer keeps the room it asked for, after thinking
    return {"thinking": {"type": "enabled", "budget_tokens": budget}}, max_tokens


def build_body(request: ChatRequest) -> dict[str, object]:
    """The Messages API request body for a streaming chat."""
    max_tokens = request.max_tokens or DEFAULT_MAX_TOKENS
    body: dict[str, object] = {
        "model": request.model,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "stream": True,
    }
    if request.system:
        body["system"] = request.system
    effort = (request.reasoning_effort or "").lower()
    if effort not in NO_REASONING:
        fields, max_tokens = thinking_fields(request.model, effort, max_tokens)
        body.update(fields)
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


class AnthropicParser(FramedParser[SSEEvent]):
    """message_start, content_block_*, message_delta, message_stop; ping and unknowns ignored."""

    def __init__(self, label: str) -> None:
        super().__init__(label, SSEDecoder())
        self._usage: dict[str, int] = {}
        self._stop_reason: str | None = None
        self._stop_detail: str | None = None
        self._tools = ToolCallParts()

    def on_frame(self, frame: SSEEvent) -> None:
        data = frame[1]
        fast = fast_delta(data)
        if fast is not None:
            reasoning, text = fast
            if text:
                if reasoning:
                    self.add_reasoning(text)
                else:
                    self.add_text(text)
            return
        obj = self.json_payload(data)
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
            elif delta_type == "input_json_delta":
                self._tools.add(get_int(obj, "index") or 0, None, get_str(delta, "partial_json"))
            # signature_delta, compaction_delta...: not chat text
        elif kind == "content_block_start":
            block = get_dict(obj, "content_block") or {}
            if block.get("type") == "tool_use":
                self._tools.add(get_int(obj, "index") or 0, get_str(block, "name") or "?")
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
                calls = self._tools.calls()
                self.add_event(
                    Finish(
                        with_tool_calls(STOP_REASONS.get(reason), calls),
                        raw_reason=reason,
                        detail=self._stop_detail,
                        tool_calls=calls,
                    )
                )
        elif kind == "error":
            error = get_dict(obj, "error") or {}
            text = one_line(get_str(error, "message") or "", None)
            self.emit_error(text, get_str(error, "type"))
        # ping, content_block_stop and unknown event types carry no chat text

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
