"""The one event stream every provider client yields; nothing above providers/ sees wire formats."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ChatMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    """A provider-neutral chat request."""

    model: str
    messages: list[ChatMessage]
    system: str | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None


class TextDelta(BaseModel):
    kind: Literal["text"] = "text"
    text: str


class ReasoningDelta(BaseModel):
    kind: Literal["reasoning"] = "reasoning"
    text: str


class Usage(BaseModel):
    """Token counts; a later Usage event replaces earlier ones (providers report cumulatively).

    The same meaning for every vendor, so cost is input + cache + output at their prices:
    `input_tokens` excludes prompt tokens read from or written to the cache (OpenAI and Gemini
    count cached tokens inside their prompt total; the clients subtract them), and
    `output_tokens` includes reasoning tokens (`reasoning_tokens` says how many of them).
    """

    kind: Literal["usage"] = "usage"
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None


class Finish(BaseModel):
    """The provider said the reply is complete. `reason` is normalised where known
    (stop, length, tool_calls, content_filter, refusal) and kept raw otherwise."""

    kind: Literal["finish"] = "finish"
    reason: str
    raw_reason: str | None = None
    detail: str | None = None


class StreamError(BaseModel):
    """An error the provider reported inside an otherwise successful (200) stream."""

    kind: Literal["error"] = "error"
    message: str
    error_type: str | None = None


StreamEvent = TextDelta | ReasoningDelta | Usage | Finish | StreamError


class DiscoveredModel(BaseModel):
    id: str
    name: str = ""
    context_window: int | None = None


class TestResult(BaseModel):
    __test__ = False  # not a pytest class

    state: Literal["connected", "auth_failed", "unreachable", "timed_out", "error"]
    message: str = ""
    latency_ms: float | None = None
    extra: dict[str, str] = Field(default_factory=dict)
