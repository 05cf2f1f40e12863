"""What lace-tui says about how a reply ended: one line per fact, stored apart from the
model's text (so it is never sent back as the model's words) and shown under the reply."""

from __future__ import annotations

from lace_tui.providers.events import Finish, ToolCall

# Tool arguments are shown up to this many characters (the call is a hint, not a transcript).
ARGUMENTS_SHOWN = 80


def reply_notes(finish: Finish | None, max_tokens: int | None) -> list[str]:
    """The notes for a reply that ended with `finish` (None: the provider said nothing), asked
    for with an output limit of `max_tokens`. A plain stop has none."""
    if finish is None:
        return []
    notes = [tool_call_note(call) for call in finish.tool_calls]
    detail = f": {finish.detail}" if finish.detail else ""
    reason = finish.reason
    if reason == "length":
        limit = f" ({max_tokens:,} tokens)" if max_tokens else ""
        notes.insert(0, f"the reply was cut short at the model's output limit{limit}")
    elif reason == "content_filter":
        notes.insert(0, f"the provider's content filter stopped the reply{detail}")
    elif reason == "refusal":
        notes.insert(0, f"the model refused to answer{detail}")
    elif reason == "pause":
        notes.insert(0, "the model paused its turn: send another prompt to let it continue")
    elif reason == "tool_calls" and not finish.tool_calls:
        notes.insert(0, "the model asked to call a tool; lace-tui does not run tools")
    elif reason is None and finish.raw_reason:
        notes.insert(0, f"the reply ended for a reason lace-tui does not know: {finish.raw_reason}")
    return notes


def tool_call_note(call: ToolCall) -> str:
    """`the model asked to call get_weather({"city": "Paris"}); lace-tui does not run tools`."""
    arguments = " ".join(call.arguments.split())
    if len(arguments) > ARGUMENTS_SHOWN:
        arguments = arguments[: ARGUMENTS_SHOWN - 1] + "…"
    return f"the model asked to call {call.name}({arguments}); lace-tui does not run tools"
