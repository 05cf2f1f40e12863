"""Every way a reply ends, in every wire format: hand-made streams (the loopback fake's
encoders, one per ending) replayed whole, in random pieces and byte by byte through each
format's parser, plus usage details only some servers send."""

from __future__ import annotations

import json

import pytest

from lace_tui.providers.anthropic import AnthropicParser
from lace_tui.providers.base import StreamParser
from lace_tui.providers.events import Finish, StreamEvent, TextDelta, ToolCall, Usage
from lace_tui.providers.gemini import GeminiParser
from lace_tui.providers.ollama import OllamaParser
from lace_tui.providers.openai_chat import OpenAIChatParser
from lace_tui.stop_reason import StopReason
from tests.providers.conftest import random_pieces
from tests.support.fake_provider import FORMATS, REFUSAL, TOOL_ARGUMENTS, TOOL_NAME, Extras

PARSERS: dict[str, type[StreamParser]] = {
    "anthropic": AnthropicParser,
    "openai": OpenAIChatParser,
    "gemini": GeminiParser,
    "ollama": OllamaParser,
}
SPLITS = ["whole", "random-1", "random-2", "bytes"]

# (format, ending) -> the stop reason a consumer must see. Ollama knows only stop and length;
# Anthropic has no content filter (a refusal), only it has pause_turn; `blocked` is Gemini's
# blocked prompt.
EXPECTED: dict[tuple[str, str], StopReason] = {
    **{(fmt, "stop"): "stop" for fmt in FORMATS},
    **{(fmt, "length"): "length" for fmt in FORMATS},
    **{(fmt, "tool_calls"): "tool_calls" for fmt in FORMATS},
    ("anthropic", "content_filter"): "refusal",
    ("openai", "content_filter"): "content_filter",
    ("gemini", "content_filter"): "content_filter",
    ("anthropic", "refusal"): "refusal",
    ("openai", "refusal"): "refusal",
    ("gemini", "refusal"): "content_filter",
    ("anthropic", "pause"): "pause",
    ("openai", "pause"): "stop",
    ("gemini", "pause"): "stop",
    ("ollama", "pause"): "stop",
    ("gemini", "blocked"): "content_filter",
    ("openai", "blocked"): "content_filter",
}


def parse(fmt: str, body: bytes, split: str) -> list[StreamEvent]:
    parser = PARSERS[fmt]("test")
    if split == "whole":
        pieces = [body]
    elif split == "bytes":
        pieces = [body[i : i + 1] for i in range(len(body))]
    else:
        pieces = random_pieces(body, seed=int(split.split("-")[1]))
    events: list[StreamEvent] = []
    for piece in pieces:
        events += parser.feed(piece)
        if parser.done:
            break
    else:
        events += parser.finish()
    assert parser.complete and parser.failure is None and parser.error is None
    return events


def stream(fmt: str, ending: str, text: list[str], extras: Extras | None = None) -> bytes:
    opening, content, closing = FORMATS[fmt](text, [], 9, ending, extras)
    return b"".join([*opening, *content, *closing])


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize(("fmt", "ending"), sorted(EXPECTED))
def test_each_ending_gives_its_stop_reason(fmt: str, ending: str, split: str) -> None:
    text = [] if ending in ("refusal", "tool_calls", "blocked") else ["Hel", "lo ", "you"]
    events = parse(fmt, stream(fmt, ending, text), split)
    finishes = [e for e in events if isinstance(e, Finish)]
    assert len(finishes) == 1 and events[-1] is finishes[0]
    finish = finishes[0]
    assert finish.reason == EXPECTED[(fmt, ending)]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "".join(text)
    if ending == "tool_calls":
        [call] = finish.tool_calls
        assert call.name == TOOL_NAME and json.loads(call.arguments) == json.loads(TOOL_ARGUMENTS)
    else:
        assert finish.tool_calls == ()
    if (fmt, ending) == ("openai", "refusal"):
        assert finish.detail == REFUSAL  # the refusal is the detail, never the reply text


def finish_of(events: list[StreamEvent]) -> Finish:
    [finish] = [e for e in events if isinstance(e, Finish)]
    return finish


def usage_of(events: list[StreamEvent]) -> Usage:
    return [e for e in events if isinstance(e, Usage)][-1]


def openai_stream(*chunks: dict[str, object]) -> bytes:
    return b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"


def test_openrouter_cost_and_cache_writes_are_read() -> None:
    events = parse(
        "openai", stream("openai", "stop", ["hi"], Extras(0.0123, 30_000, 1_200)), "whole"
    )
    assert usage_of(events) == Usage(
        input_tokens=9,
        output_tokens=1,
        cache_read_tokens=30_000,
        cache_write_tokens=1_200,
        cost_usd=0.0123,
    )


def test_deepseek_cache_hits_are_cache_reads() -> None:
    body = openai_stream(
        {"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]},
        {
            "choices": [],
            "usage": {
                "prompt_tokens": 30_012,
                "completion_tokens": 3,
                "prompt_cache_hit_tokens": 30_000,
                "prompt_cache_miss_tokens": 12,
            },
        },
    )
    usage = usage_of(parse("openai", body, "random-1"))
    assert (usage.input_tokens, usage.cache_read_tokens, usage.output_tokens) == (12, 30_000, 3)


@pytest.mark.parametrize("cost", ["NaN", "-1", '"0.5"', "true"])
def test_a_cost_that_is_not_a_charge_is_ignored(cost: str) -> None:
    usage = '{"prompt_tokens": 1, "completion_tokens": 1, "cost": ' + cost + "}"
    body = (
        b'data: {"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}\n\n'
        b'data: {"choices":[],"usage":' + usage.encode() + b"}\n\ndata: [DONE]\n\n"
    )
    assert usage_of(parse("openai", body, "whole")).cost_usd is None


def test_an_unknown_finish_reason_is_no_stop_reason_but_kept_raw() -> None:
    body = openai_stream(
        {"choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": "eos_token"}]}
    )
    finish = finish_of(parse("openai", body, "whole"))
    assert finish == Finish(None, "eos_token")


def test_anthropic_server_tools_are_not_tool_calls_for_us() -> None:
    events: list[dict[str, object]] = [
        {"type": "message_start", "message": {"usage": {"input_tokens": 1}}},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "server_tool_use", "name": "web_search", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '{"q": "x"}'},
        },
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
        {"type": "message_stop"},
    ]
    body = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    assert finish_of(parse("anthropic", body, "bytes")) == Finish("stop", "end_turn")


def test_a_gateway_that_says_stop_after_tool_calls_means_tool_calls() -> None:
    call = {"index": 0, "function": {"name": "f", "arguments": "{}"}}
    body = openai_stream(
        {"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": "stop"}]}
    )
    assert finish_of(parse("openai", body, "whole")) == Finish(
        "tool_calls", "stop", tool_calls=(ToolCall("f", "{}"),)
    )
