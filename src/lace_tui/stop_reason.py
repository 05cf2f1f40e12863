"""How a reply ended, in words every layer shares (providers map their wire signals onto it,
sessions store it, the front ends show it)."""

from __future__ import annotations

from typing import Literal

# Each wire format maps its own signal in one table (openai_chat.FINISH_REASONS,
# anthropic.STOP_REASONS, gemini.FINISH_REASONS, ollama.DONE_REASONS); a signal none of them
# knows is no stop reason (None), its raw value kept by the provider event.
StopReason = Literal["stop", "length", "content_filter", "refusal", "tool_calls", "pause"]
STOP_REASONS: tuple[StopReason, ...] = (
    "stop",
    "length",
    "content_filter",
    "refusal",
    "tool_calls",
    "pause",
)
