"""The one event stream every provider client yields; nothing above providers/ sees wire formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from lace_tui.contracts import ConnectionState
from lace_tui.contracts import DiscoveredModel as DiscoveredModel  # re-exported: what clients list
from lace_tui.redact import redact
from lace_tui.stop_reason import StopReason


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
    # The catalog says the model reasons (some vendors take other parameters for those).
    can_reason: bool = False


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
    # What the provider itself says the reply cost, in USD (OpenRouter, LiteLLM: `usage.cost`).
    cost_usd: float | None = None
    kind: ClassVar[str] = "usage"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool the model asked to call. lace-tui offers no tools, but gateways inject them."""

    name: str
    arguments: str = ""  # as the model wrote them (JSON text, possibly incomplete)


@dataclass(frozen=True, slots=True)
class Finish:
    """The provider said how the reply ended: `reason` normalised (None when the signal is
    unknown), `raw_reason` as sent, `detail` the provider's explanation (refusal text,
    tripped safety categories), `tool_calls` what the model asked to run."""

    reason: StopReason | None
    raw_reason: str | None = None
    detail: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    kind: ClassVar[str] = "finish"


@dataclass(frozen=True, slots=True)
class StreamError:
    """An error the provider reported inside an otherwise successful (200) stream."""

    message: str
    error_type: str | None = None
    kind: ClassVar[str] = "error"

    def __post_init__(self) -> None:
        # Vendors echo the key in error events: it is hidden before anyone shows or stores it.
        object.__setattr__(self, "message", redact(self.message))


StreamEvent = TextDelta | ReasoningDelta | Usage | Finish | StreamError


class TestResult(BaseModel):
    __test__ = False  # not a pytest class

    state: ConnectionState
    message: str = ""
    latency_ms: float | None = None
    extra: dict[str, str] = Field(default_factory=dict)
