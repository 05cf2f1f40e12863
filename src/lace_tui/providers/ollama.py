"""Ollama's native API: POST {base}/api/chat, newline-delimited JSON."""

from __future__ import annotations

from lace_tui.providers.attachments import ollama_message
from lace_tui.providers.base import ChatCall, ProviderClient, StreamParser
from lace_tui.providers.events import ChatRequest, DiscoveredModel, Finish, StreamEvent, Usage
from lace_tui.providers.failures import one_line
from lace_tui.providers.framerun import FrameRun
from lace_tui.providers.jsonshape import (
    as_dict,
    get_int,
    get_list,
    get_str,
    loads,
    string_between,
)
from lace_tui.providers.ndjson import NDJSONDecoder

NO_REASONING = frozenset({"", "none", "off"})
DONE_REASONS = {"stop": "stop", "length": "length"}


def build_body(request: ChatRequest) -> dict[str, object]:
    """The /api/chat request body for a streaming chat."""
    messages: list[dict[str, object]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    messages.extend(ollama_message(m) for m in request.messages)
    body: dict[str, object] = {"model": request.model, "messages": messages, "stream": True}
    if (request.reasoning_effort or "").lower() not in NO_REASONING:
        body["think"] = True
    if request.max_tokens:
        body["options"] = {"num_predict": request.max_tokens}
    return body


# The shape of nearly every line from Ollama (Go's encoding/json, compact): one content
# piece, not done. Recognising it by its exact surroundings skips the full JSON decode;
# anything else (thinking, the final line, errors) takes the general path.
_FAST_START = b'{"model":"'
_FAST_ANCHOR = b'"message":{'  # short needles: bytes.find sets up slowly for long ones
_FAST_PREFIX = b'"message":{"role":"assistant","content":"'
_FAST_SUFFIX = b'"},"done":false}'


def content_span(line: bytes) -> tuple[int, int] | None:
    """Where the raw text of a plain content line lies, None for anything else. The bytes
    between are not checked yet: `fast_content` decodes them."""
    if not line.startswith(_FAST_START) or not line.endswith(_FAST_SUFFIX):
        return None
    start = line.find(_FAST_ANCHOR)
    if start < 0 or not line.startswith(_FAST_PREFIX, start):
        return None
    if line.find(b'"error"', 0, start) >= 0:
        return None
    return start + len(_FAST_PREFIX), len(line) - len(_FAST_SUFFIX)


def fast_content(line: bytes) -> str | None:
    """The text of a plain content line, None for anything else."""
    span = content_span(line)
    return None if span is None else string_between(line, *span)


class OllamaParser(StreamParser):
    """One JSON object per line; the last has `done: true` with the token counts."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self._lines = NDJSONDecoder()
        # Every line carries its own timestamp.
        self.run = FrameRun(ndjson=True, volatile=frozenset({b"created_at"}))

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        events = self.read_run(self._lines, chunk)
        if events is None:
            self._handle(self._lines.feed(chunk))
            events = self.take()
        return events

    def finish(self) -> list[StreamEvent]:
        self._handle(self._lines.flush())
        return self.take()

    def _handle(self, lines: list[bytes]) -> None:
        self.events_seen += len(lines)
        run = self.run
        for line in lines:
            if self.done:
                return
            text = fast_content(line)
            if text is not None:
                if run is not None and run.wanted:
                    span = content_span(line)
                    if span is not None:
                        run.learn("", line, *span, reasoning=False)
                if text:
                    self.add_text(text)
                continue
            try:
                obj = loads(line)
            except ValueError:
                self.fail_malformed("a line that is not JSON")
                return
            if isinstance(obj, dict):
                self._line(obj)

    def _line(self, obj: dict[str, object]) -> None:
        error = obj.get("error")
        if error:
            self.emit_error(one_line(str(error), None), None)
            return
        message = obj.get("message")
        if isinstance(message, dict):
            thinking = message.get("thinking")
            if thinking and isinstance(thinking, str):
                self.add_reasoning(thinking)
            text = message.get("content")
            if text and isinstance(text, str):
                self.add_text(text)
        if obj.get("done") is True:
            self.complete = True
            self.done = True
            prompt = get_int(obj, "prompt_eval_count")
            output = get_int(obj, "eval_count")
            if prompt is not None or output is not None:
                self.add_event(Usage(input_tokens=prompt, output_tokens=output))
            raw = get_str(obj, "done_reason") or "stop"
            self.add_event(Finish(reason=DONE_REASONS.get(raw, raw), raw_reason=raw))


class OllamaClient(ProviderClient):
    """A local (or remote) Ollama server; a key is optional (sent as Bearer when set)."""

    def auth_headers(self) -> dict[str, str]:
        if self.config.api_key:
            return {"authorization": f"Bearer {self.config.api_key}"}
        return {}

    def chat_call(self, request: ChatRequest) -> ChatCall:
        return ChatCall(f"{self.config.base_url}/api/chat", build_body(request))

    def new_parser(self) -> StreamParser:
        return OllamaParser(self.config.label)

    def test_url(self) -> tuple[str, dict[str, str]]:
        return f"{self.config.base_url}/api/tags", {}

    def test_extra(self, value: object) -> dict[str, str]:
        obj = as_dict(value)
        return {"models": str(len(get_list(obj, "models")))} if obj else {}

    async def list_models(self) -> list[DiscoveredModel]:
        """GET /api/tags: the pulled models, by name."""
        page = as_dict(await self.get_json(f"{self.config.base_url}/api/tags")) or {}
        found: dict[str, DiscoveredModel] = {}
        for item in get_list(page, "models"):
            entry = as_dict(item)
            name = get_str(entry, "name") or get_str(entry, "model") if entry else None
            if name and name not in found:
                found[name] = DiscoveredModel(id=name)
        return list(found.values())
