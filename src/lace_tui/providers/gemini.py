"""Google Gemini API: POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse."""

from __future__ import annotations

import re
from urllib.parse import quote

from lace_tui.providers.attachments import gemini_parts
from lace_tui.providers.base import ChatCall, ProviderClient, StreamParser
from lace_tui.providers.events import ChatRequest, DiscoveredModel, Finish, StreamEvent, Usage
from lace_tui.providers.failures import one_line
from lace_tui.providers.framerun import FrameRun, last_payload
from lace_tui.providers.jsonshape import (
    JSON_STRING_BODY,
    as_dict,
    get_dict,
    get_int,
    get_list,
    get_str,
    json_string,
    loads,
)
from lace_tui.providers.sse import SSEDecoder, SSEEvent

FILTER_REASONS = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "LANGUAGE",
    }
)
NO_REASONING = frozenset({"", "none", "off"})
MAX_MODEL_PAGES = 5


# Counters in every chunk's usageMetadata: the only bytes of a text chunk that change, besides
# the text.
USAGE_COUNTS = frozenset(
    {
        b"promptTokenCount",
        b"candidatesTokenCount",
        b"totalTokenCount",
        b"thoughtsTokenCount",
        b"cachedContentTokenCount",
        b"toolUsePromptTokenCount",
    }
)


def model_path(model: str) -> str:
    """`gemini-2.5-flash` or `models/gemini-2.5-flash` as the URL path segment."""
    return quote(model.removeprefix("models/"), safe="-._~")


def build_body(request: ChatRequest) -> dict[str, object]:
    """The generateContent request body."""
    body: dict[str, object] = {
        "contents": [
            {"role": "user" if m.role == "user" else "model", "parts": gemini_parts(m)}
            for m in request.messages
        ]
    }
    if request.system:
        body["systemInstruction"] = {"parts": [{"text": request.system}]}
    config: dict[str, object] = {}
    if request.max_tokens:
        config["maxOutputTokens"] = request.max_tokens
    if (request.reasoning_effort or "").lower() not in NO_REASONING:
        config["thinkingConfig"] = {"includeThoughts": True}
    if config:
        body["generationConfig"] = config
    return body


# The shape of nearly every chunk: one text part of candidate 0, then only usage and ids.
# Matching it exactly skips the full JSON decode; the usage is decoded once, at the end, from
# the last chunk that carried it. Anything else takes the general path.
_FAST_CHUNK = re.compile(
    rb'\{"candidates":\s*\[\{"content":\s*\{"parts":\s*\[\{"text":\s*"('
    + JSON_STRING_BODY
    + rb')"\}\],'
    rb'\s*"role":\s*"model"\}(?:,\s*"index":\s*0)?\}\](.*)\Z',
    re.DOTALL,
)


def fast_text(payload: bytes) -> tuple[str, bytes] | None:
    """(text, rest) for a chunk holding one plain text part and no finish, None otherwise.
    `rest` is what follows the candidates (usage, model version, ids)."""
    match = fast_match(payload)
    if match is None:
        return None
    try:
        return json_string(match.group(1)), match.group(2)
    except ValueError:
        return None  # let the general path report it


def fast_match(payload: bytes) -> re.Match[bytes] | None:
    """The match of a chunk holding one plain text part (group 1, raw) and no finish, with
    what follows the candidates (group 2); None otherwise."""
    match = _FAST_CHUNK.match(payload)
    if match is None:
        return None
    rest = match.group(2)
    # (find() rather than `in`: the same search, without the slower operator dispatch)
    if rest.find(b'"promptFeedback"') >= 0 or rest.find(b'"error"') >= 0:
        return None
    return match


class GeminiParser(StreamParser):
    """One GenerateContentResponse per `data:` event; the body's end is the stream's end.

    finishReason may repeat on every chunk, and usageMetadata is cumulative on every chunk:
    one Usage and one Finish are emitted when the body ends, from the last ones seen.
    """

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self._sse = SSEDecoder()
        self._finish_raw: str | None = None
        self._finish_detail: str | None = None
        self._tool_call = False
        # bytes: a chunk still to decode (the last of them, if a run of frames)
        self._usage: dict[str, object] | bytes | None = None
        self.run = FrameRun(volatile=USAGE_COUNTS)
        self._run_usage = False  # the run's frames carry usageMetadata

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        events = self.read_run(self._sse, chunk)
        if events is None:
            self._handle(self._sse.feed(chunk))
            return self.take()
        if self._run_usage and self.run_region:
            self._usage = self.run_region
        return events

    def finish(self) -> list[StreamEvent]:
        self._handle(self._sse.flush())
        if not self.done:
            self.complete = True
            self._emit_usage()
            if self._finish_raw is not None:
                self.add_event(self._finish_event(self._finish_raw))
        return self.take()

    def _handle(self, sse_events: list[SSEEvent]) -> None:
        self.events_seen += len(sse_events)
        run = self.run
        for name, data in sse_events:
            if self.done:
                return
            fast = fast_text(data)
            if fast is not None:
                text, rest = fast
                if text:
                    self.add_text(text)
                has_usage = rest.find(b'"usageMetadata"') >= 0
                if has_usage:
                    self._usage = data
                if run is not None and run.wanted and (match := fast_match(data)) is not None:
                    run.learn(name, data, *match.span(1), reasoning=False)
                    self._run_usage = has_usage
                continue
            try:
                obj = loads(data)
            except ValueError:
                self.fail_malformed("an event that is not JSON")
                return
            if isinstance(obj, list):
                obj = obj[0] if obj else None  # the non-SSE form wraps responses in an array
            if isinstance(obj, dict):
                self._response(obj)

    def _response(self, obj: dict[str, object]) -> None:
        error = obj.get("error")
        if isinstance(error, dict):
            self._emit_usage()
            message = one_line(get_str(error, "message") or "", None)
            self.emit_error(message, get_str(error, "status"))
            return
        candidates = obj.get("candidates")
        if isinstance(candidates, list) and candidates:
            candidate = candidates[0]
            if isinstance(candidate, dict):
                self._candidate(candidate)
        usage = obj.get("usageMetadata")
        if isinstance(usage, dict):
            self._usage = usage
        feedback = obj.get("promptFeedback")
        if isinstance(feedback, dict):
            reason = get_str(feedback, "blockReason")
            if reason:
                self._emit_usage()
                self.emit_error(f"prompt blocked by Gemini: {reason}", "prompt_blocked")

    def _candidate(self, candidate: dict[str, object]) -> None:
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        if isinstance(parts, list):
            for part in parts:
                if not isinstance(part, dict):
                    continue
                text = part.get("text")
                if text and isinstance(text, str):
                    if part.get("thought") is True:
                        self.add_reasoning(text)
                    else:
                        self.add_text(text)
                elif "functionCall" in part:
                    self._tool_call = True  # tools are not offered; report, do not crash
        reason = candidate.get("finishReason")
        if reason and isinstance(reason, str):
            self._finish_raw = reason
            if reason in FILTER_REASONS:
                self._finish_detail = _flagged_categories(candidate) or self._finish_detail

    def _emit_usage(self) -> None:
        """usageMetadata is cumulative; thoughts are output tokens too, billed as such."""
        usage = self._usage
        if isinstance(usage, bytes):
            try:
                usage = get_dict(as_dict(loads(last_payload(usage))) or {}, "usageMetadata")
            except ValueError:
                usage = None
        if not usage:
            return
        prompt = get_int(usage, "promptTokenCount")
        candidates = get_int(usage, "candidatesTokenCount")
        thoughts = get_int(usage, "thoughtsTokenCount")
        cached = get_int(usage, "cachedContentTokenCount")
        if prompt is None and candidates is None and thoughts is None:
            return
        output = None
        if candidates is not None or thoughts is not None:
            output = (candidates or 0) + (thoughts or 0)
        if prompt is not None and cached:
            prompt = max(0, prompt - cached)
        self.add_event(
            Usage(
                input_tokens=prompt,
                output_tokens=output,
                cache_read_tokens=cached,
                reasoning_tokens=thoughts,
            )
        )

    def _finish_event(self, raw: str) -> Finish:
        if raw == "STOP":
            return Finish(reason="tool_calls" if self._tool_call else "stop", raw_reason=raw)
        if raw == "MAX_TOKENS":
            return Finish(reason="length", raw_reason=raw)
        if raw in FILTER_REASONS:
            return Finish(reason="content_filter", raw_reason=raw, detail=self._finish_detail)
        return Finish(reason=raw, raw_reason=raw)


def _flagged_categories(candidate: dict[str, object]) -> str | None:
    """The safety categories that tripped, e.g. 'HARM_CATEGORY_HATE_SPEECH: HIGH'."""
    flagged: list[str] = []
    for item in get_list(candidate, "safetyRatings"):
        rating = as_dict(item)
        if rating is None:
            continue
        category = get_str(rating, "category") or "?"
        probability = get_str(rating, "probability") or ""
        if rating.get("blocked") is True or probability in ("MEDIUM", "HIGH"):
            flagged.append(f"{category}: {probability}" if probability else category)
    return ", ".join(flagged) or None


class GeminiClient(ProviderClient):
    """Gemini Developer API with an `x-goog-api-key` key."""

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.config.api_key} if self.config.api_key else {}

    def chat_call(self, request: ChatRequest) -> ChatCall:
        url = (
            f"{self.config.base_url}/v1beta/models/{model_path(request.model)}"
            ":streamGenerateContent?alt=sse"
        )
        return ChatCall(url, build_body(request))

    def new_parser(self) -> StreamParser:
        return GeminiParser(self.config.label)

    def test_url(self) -> tuple[str, dict[str, str]]:
        return f"{self.config.base_url}/v1beta/models", {"pageSize": "1"}

    async def list_models(self) -> list[DiscoveredModel]:
        """Models that can generateContent, without the `models/` prefix, following pages."""
        url = f"{self.config.base_url}/v1beta/models"
        params = {"pageSize": "1000"}
        found: dict[str, DiscoveredModel] = {}
        for _page in range(MAX_MODEL_PAGES):
            page = as_dict(await self.get_json(url, params)) or {}
            for item in get_list(page, "models"):
                entry = as_dict(item)
                if entry is None:
                    continue
                methods = get_list(entry, "supportedGenerationMethods")
                name = get_str(entry, "name")
                if "generateContent" not in methods or not name:
                    continue
                model_id = name.removeprefix("models/")
                if model_id in found:
                    continue
                found[model_id] = DiscoveredModel(
                    id=model_id,
                    name=get_str(entry, "displayName") or "",
                    context_window=get_int(entry, "inputTokenLimit"),
                )
            token = get_str(page, "nextPageToken")
            if not token:
                break
            params = {"pageSize": "1000", "pageToken": token}
        return list(found.values())
