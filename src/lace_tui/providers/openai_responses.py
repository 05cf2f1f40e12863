"""OpenAI Responses API streaming: POST {base}/responses, server-sent events.

OpenAI serves some models only here ("This model is only supported in v1/responses and not in
v1/chat/completions": the codex and pro models). Which API a model uses is catalog data (the
model's `wire_api`); `OpenAIChatClient` picks this format per request. Event names and payloads
follow OpenAI's API reference, "Streaming events" of the Responses API.
"""

from __future__ import annotations

from lace_tui.providers.base import StreamParser
from lace_tui.providers.events import ChatRequest, Finish, StreamEvent, Usage
from lace_tui.providers.failures import one_line
from lace_tui.providers.jsonshape import as_dict, get_dict, get_int, get_str, loads
from lace_tui.providers.sse import SSEDecoder, SSEEvent

# The words OpenAI puts in the 400 it answers Chat Completions with for a Responses-only model.
RESPONSES_ONLY_MARKER = "v1/responses"
NO_REASONING = frozenset({"", "none", "off"})
# `incomplete_details.reason` of a `response.incomplete` event.
INCOMPLETE_REASONS = {"max_output_tokens": "length", "content_filter": "content_filter"}


def build_body(request: ChatRequest) -> dict[str, object]:
    """The Responses API request body for a streaming reply. Nothing is stored server-side
    (`store: false`): the history is ours and is sent whole, as with Chat Completions."""
    body: dict[str, object] = {
        "model": request.model,
        "input": [{"role": m.role, "content": m.content} for m in request.messages],
        "stream": True,
        "store": False,
    }
    if request.system:
        body["instructions"] = request.system
    if request.max_tokens:
        body["max_output_tokens"] = request.max_tokens
    effort = (request.reasoning_effort or "").lower()
    if effort not in NO_REASONING:
        # "auto" asks for the reasoning summary stream, the only reasoning text OpenAI shows.
        body["reasoning"] = {"effort": effort, "summary": "auto"}
    return body


def is_responses_only(message: str) -> bool:
    """Whether a rejected Chat Completions request says the model needs the Responses API."""
    return RESPONSES_ONLY_MARKER in message and "chat/completions" in message


class ResponsesParser(StreamParser):
    """`event: response.*` SSE events; the stream ends at `response.completed`,
    `response.incomplete` or `response.failed` (or an `error` event)."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self._sse = SSEDecoder()
        self._refusal: list[str] = []

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        self._handle(self._sse.feed(chunk))
        return self.take()

    def finish(self) -> list[StreamEvent]:
        self._handle(self._sse.flush())
        return self.take()

    def _handle(self, sse_events: list[SSEEvent]) -> None:
        self.events_seen += len(sse_events)
        for name, data in sse_events:
            if self.done:
                return
            try:
                obj = as_dict(loads(data))
            except ValueError:
                self.fail_malformed("an event that is not JSON")
                return
            if obj is not None:
                self._event(get_str(obj, "type") or name, obj)

    def _event(self, kind: str, obj: dict[str, object]) -> None:
        if kind == "response.output_text.delta":
            text = get_str(obj, "delta")
            if text:
                self.add_text(text)
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            text = get_str(obj, "delta")
            if text:
                self.add_reasoning(text)
        elif kind == "response.reasoning_summary_part.added" and get_int(obj, "summary_index"):
            self.add_reasoning("\n\n")  # summary parts after the first are paragraphs apart
        elif kind == "response.refusal.delta":
            text = get_str(obj, "delta")
            if text:
                self._refusal.append(text)
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self._end(kind, get_dict(obj, "response") or {})
        elif kind == "error":
            # A top-level error event: {type: "error", code, message, param}.
            error = get_dict(obj, "error") or obj
            message = one_line(get_str(error, "message") or "", None)
            self.emit_error(message, get_str(error, "code") or get_str(error, "type"))
        # created, in_progress, output_item.*, content_part.*, *.done: no new text

    def _end(self, kind: str, response: dict[str, object]) -> None:
        usage = get_dict(response, "usage")
        if usage is not None:
            self.add_event(usage_event(usage))
        if kind == "response.failed":
            error = get_dict(response, "error") or {}
            message = one_line(get_str(error, "message") or "the response failed", None)
            self.emit_error(message, get_str(error, "code"))
            return
        self.complete = True
        self.done = True
        if self._refusal:
            self.add_event(Finish(reason="refusal", raw_reason=kind, detail="".join(self._refusal)))
        elif kind == "response.incomplete":
            details = get_dict(response, "incomplete_details") or {}
            raw = get_str(details, "reason") or "incomplete"
            self.add_event(Finish(reason=INCOMPLETE_REASONS.get(raw, raw), raw_reason=raw))
        else:
            self.add_event(Finish(reason="stop", raw_reason=get_str(response, "status")))


def usage_event(usage: dict[str, object], prompt: str = "input", output: str = "output") -> Usage:
    """OpenAI counts cached prompt tokens inside the prompt count; we report them apart. The
    Responses API says input/output, Chat Completions prompt/completion."""
    count = get_int(usage, f"{prompt}_tokens")
    details = get_dict(usage, f"{prompt}_tokens_details")
    cached = get_int(details, "cached_tokens") if details else None
    out_details = get_dict(usage, f"{output}_tokens_details")
    reasoning = get_int(out_details, "reasoning_tokens") if out_details else None
    if count is not None and cached:
        count = max(0, count - cached)
    return Usage(
        input_tokens=count,
        output_tokens=get_int(usage, f"{output}_tokens"),
        cache_read_tokens=cached,
        reasoning_tokens=reasoning,
    )
