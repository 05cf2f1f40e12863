"""The one event stream every provider client yields; nothing above providers/ sees wire formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

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


# The stream events are plain slotted dataclasses, not pydantic models: one is made per token,
# and pydantic's construction cost alone was a third of our parsing time (bench_stream.py).
# They are built only by our parsers, from already-validated values, so nothing is lost.


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str
    kind: ClassVar[str] = "text"


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str
    kind: ClassVar[str] = "reasoning"


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts; a later Usage event replaces earlier ones (providers report cumulatively).

    `input_tokens` excludes cached prompt tokens (cache reads and writes are counted apart, so
    each is charged once); `output_tokens` includes reasoning tokens."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    kind: ClassVar[str] = "usage"


@dataclass(frozen=True, slots=True)
class Finish:
    """The provider said the reply is complete. `reason` is normalised where known
    (stop, length, tool_calls, content_filter, refusal) and kept raw otherwise."""

    reason: str
    raw_reason: str | None = None
    detail: str | None = None
    kind: ClassVar[str] = "finish"


@dataclass(frozen=True, slots=True)
class StreamError:
    """An error the provider reported inside an otherwise successful (200) stream."""

    message: str
    error_type: str | None = None
    kind: ClassVar[str] = "error"


StreamEvent = TextDelta | ReasoningDelta | Usage | Finish | StreamError


class DiscoveredModel(BaseModel):
    id: str
    name: str = ""
    context_window: int | None = None
    # #14: prices the server listed (USD per million tokens, catalog field names), if any.
    prices: dict[str, float] = Field(default_factory=dict)


class TestResult(BaseModel):
    __test__ = False  # not a pytest class

    state: Literal["connected", "auth_failed", "unreachable", "timed_out", "error"]
    message: str = ""
    latency_ms: float | None = None
    extra: dict[str, str] = Field(default_factory=dict)
