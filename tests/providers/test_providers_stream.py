"""Stream handling beyond the recordings: cuts, in-stream errors, malformed bodies, Ollama's
NDJSON, servers that ignore `stream: true`, and merging of deltas that arrive together."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from lace_tui import errors
from lace_tui.providers.events import Finish, ReasoningDelta, StreamError, TextDelta, Usage
from lace_tui.providers.factory import create_client
from tests.providers.conftest import (
    ChunkedStream,
    Collected,
    chat_request,
    collect_stream,
    config_for,
)

BASES = {
    "anthropic": "https://anthropic.test",
    "openai": "https://openai.test/v1",
    "google": "https://gemini.test",
    "ollama": "http://ollama.test",
}


async def serve(
    provider_type: str,
    pieces: list[bytes],
    content_type: str = "text/event-stream",
) -> Collected:
    async with respx.mock() as router:
        router.route(method="POST").mock(
            return_value=httpx.Response(
                200, headers={"content-type": content_type}, stream=ChunkedStream(pieces)
            )
        )
        async with create_client(config_for(provider_type, BASES[provider_type])) as client:
            return await collect_stream(client, chat_request())


def anthropic_text(text: str) -> bytes:
    data = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": text},
    }
    return f"event: content_block_delta\ndata: {json.dumps(data)}\n\n".encode()


def openai_text(text: str) -> bytes:
    chunk = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


def ollama_line(**fields: object) -> bytes:
    return (
        json.dumps({"model": "llama3.2", "created_at": "2025-01-01T00:00:00Z", **fields}).encode()
        + b"\n"
    )


# -- cut short -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider_type", "body"),
    [
        ("anthropic", anthropic_text("Hello") + anthropic_text(" wor")),
        ("openai", openai_text("Hello") + openai_text(" wor")),
        (
            "ollama",
            ollama_line(message={"role": "assistant", "content": "Hello"}, done=False)
            + ollama_line(message={"role": "assistant", "content": " wor"}, done=False),
        ),
    ],
)
async def test_a_body_ending_before_the_end_marker_is_a_cut(
    provider_type: str, body: bytes
) -> None:
    seen = await serve(provider_type, [body])
    assert seen.text == "Hello wor"
    assert isinstance(seen.raised, errors.StreamCutError)
    assert str(seen.raised) == "stream from instance 'work' was cut off after 9 characters"


async def test_gemini_body_end_is_a_normal_end() -> None:
    chunk = {"candidates": [{"content": {"parts": [{"text": "Hi"}], "role": "model"}, "index": 0}]}
    seen = await serve("google", [f"data: {json.dumps(chunk)}\r\n\r\n".encode()])
    assert seen.raised is None
    assert seen.events == [TextDelta(text="Hi")]


async def test_openai_finish_reason_without_done_is_complete() -> None:
    body = (
        openai_text("ok")
        + b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n'
    )
    seen = await serve("openai", [body])
    assert seen.raised is None
    assert seen.events == [TextDelta(text="ok"), Finish(reason="length", raw_reason="length")]


async def test_openai_done_without_finish_reason_is_complete_without_finish() -> None:
    seen = await serve("openai", [openai_text("ok") + b"data: [DONE]\n\n"])
    assert seen.raised is None
    assert seen.events == [TextDelta(text="ok")]


# -- errors inside a 200 stream ------------------------------------------------------------------


async def test_anthropic_error_event_mid_stream_ends_the_stream() -> None:
    error = (
        b"event: error\n"
        b'data: {"type":"error","error":{"type":"api_error","message":"Internal\\nerror"}}\n\n'
    )
    seen = await serve("anthropic", [anthropic_text("par"), error, anthropic_text("ignored")])
    assert seen.raised is None
    assert seen.events == [
        TextDelta(text="par"),
        StreamError(message="Internal error", error_type="api_error"),
    ]


async def test_openai_error_object_mid_stream_is_a_stream_error() -> None:
    error = b'data: {"error":{"message":"The server had an error","type":"server_error"}}\n\n'
    seen = await serve("openai", [openai_text("par"), error])
    assert seen.raised is None
    assert seen.events == [
        TextDelta(text="par"),
        StreamError(message="The server had an error", error_type="server_error"),
    ]


async def test_openrouter_comments_are_ignored() -> None:
    body = (
        b": OPENROUTER PROCESSING\n\n"
        + openai_text("hey")
        + b": OPENROUTER PROCESSING\n\ndata: [DONE]\n\n"
    )
    seen = await serve("openai", [body])
    assert seen.raised is None
    assert seen.events == [TextDelta(text="hey")]


async def test_openai_reasoning_fields_are_reasoning() -> None:
    body = (
        b'data: {"choices":[{"index":0,"delta":{"reasoning_content":"think "}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"reasoning":"more"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"answer"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
        b'data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":7,'
        b'"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":5}}}\n\n'
        b"data: [DONE]\n\n"
    )
    seen = await serve("openai", [body])
    assert seen.reasoning == "think more"
    assert seen.text == "answer"
    # cached prompt tokens are reported apart from (not inside) input_tokens
    assert seen.usage == Usage(
        input_tokens=6, output_tokens=7, cache_read_tokens=4, reasoning_tokens=5
    )


async def test_gemini_thoughts_are_reasoning_and_usage_counts_them_as_output() -> None:
    chunks = [
        {
            "candidates": [
                {"content": {"parts": [{"text": "hmm", "thought": True}], "role": "model"}}
            ]
        },
        {
            "candidates": [
                {"content": {"parts": [{"text": "yes"}], "role": "model"}, "finishReason": "STOP"}
            ],
            "usageMetadata": {
                "promptTokenCount": 10,
                "candidatesTokenCount": 3,
                "thoughtsTokenCount": 20,
                "cachedContentTokenCount": 4,
            },
        },
    ]
    body = b"".join(f"data: {json.dumps(c)}\r\n\r\n".encode() for c in chunks)
    seen = await serve("google", [body])
    assert seen.events == [
        ReasoningDelta(text="hmm"),
        TextDelta(text="yes"),
        Usage(input_tokens=6, output_tokens=23, cache_read_tokens=4, reasoning_tokens=20),
        Finish(reason="stop", raw_reason="STOP"),
    ]


# -- malformed answers ---------------------------------------------------------------------------


async def test_a_malformed_event_after_text_keeps_the_text_and_reports_clearly() -> None:
    seen = await serve(
        "openai", [openai_text("kept") + b"data: {not json\n\n" + openai_text("lost")]
    )
    assert seen.text == "kept"
    assert type(seen.raised) is errors.ProviderRequestError
    assert str(seen.raised) == (
        "instance 'work': the provider sent a malformed stream (an event that is not JSON); "
        "check the endpoint, or try again"
    )


@pytest.mark.parametrize("provider_type", sorted(BASES))
async def test_an_html_page_with_status_200_is_not_a_stream(provider_type: str) -> None:
    page = b"<!doctype html>\n<html><body>Welcome to the proxy</body></html>\n"
    seen = await serve(provider_type, [page], content_type="text/html; charset=utf-8")
    assert seen.events == []
    assert type(seen.raised) is errors.ProviderRequestError
    assert "is not a stream of events (text/html)" in str(seen.raised)


async def test_an_empty_200_body_is_not_a_stream() -> None:
    seen = await serve("anthropic", [])
    assert type(seen.raised) is errors.ProviderRequestError


async def test_openai_compatible_server_answering_with_one_json_document() -> None:
    answer = {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Whole answer"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2},
    }
    seen = await serve("openai", [json.dumps(answer).encode()], content_type="application/json")
    assert seen.raised is None
    assert seen.events == [
        TextDelta(text="Whole answer"),
        Usage(input_tokens=3, output_tokens=2),
        Finish(reason="stop", raw_reason="stop"),
    ]


# -- Ollama NDJSON -------------------------------------------------------------------------------


async def test_ollama_ndjson_with_thinking_usage_and_finish() -> None:
    body = (
        ollama_line(
            message={"role": "assistant", "content": "", "thinking": "Let me see."}, done=False
        )
        + ollama_line(message={"role": "assistant", "content": "Par"}, done=False)
        + ollama_line(message={"role": "assistant", "content": "is"}, done=False)
        + ollama_line(
            message={"role": "assistant", "content": ""},
            done=True,
            done_reason="length",
            total_duration=123,
            prompt_eval_count=26,
            eval_count=2,
        )
    )
    seen = await serve("ollama", [body], content_type="application/x-ndjson")
    assert seen.raised is None
    assert seen.events == [
        ReasoningDelta(text="Let me see."),
        TextDelta(text="Paris"),
        Usage(input_tokens=26, output_tokens=2),
        Finish(reason="length", raw_reason="length"),
    ]
    pieces = [body[i : i + 3] for i in range(0, len(body), 3)]
    seen = await serve("ollama", pieces, content_type="application/x-ndjson")
    assert seen.raised is None
    assert (seen.reasoning, seen.text) == ("Let me see.", "Paris")
    assert seen.events[-2:] == [
        Usage(input_tokens=26, output_tokens=2),
        Finish(reason="length", raw_reason="length"),
    ]


async def test_ollama_error_line_is_a_stream_error() -> None:
    body = (
        ollama_line(message={"role": "assistant", "content": "a"}, done=False)
        + b'{"error":"out of memory"}\n'
    )
    seen = await serve("ollama", [body])
    assert seen.raised is None
    assert seen.events == [TextDelta(text="a"), StreamError(message="out of memory")]


async def test_ollama_last_line_without_newline_is_read() -> None:
    body = ollama_line(message={"role": "assistant", "content": "x"}, done=False) + ollama_line(
        done=True, done_reason="stop", prompt_eval_count=1, eval_count=1
    ).rstrip(b"\n")
    seen = await serve("ollama", [body])
    assert seen.raised is None
    assert seen.finishes == [Finish(reason="stop", raw_reason="stop")]


# -- merging -------------------------------------------------------------------------------------


async def test_deltas_that_arrive_together_become_one_event() -> None:
    body = b"".join(openai_text(f"t{i} ") for i in range(200)) + b"data: [DONE]\n\n"
    seen = await serve("openai", [body])
    assert seen.events == [TextDelta(text="".join(f"t{i} " for i in range(200)))]


async def test_merging_keeps_reasoning_and_text_apart_and_in_order() -> None:
    body = (
        b'data: {"choices":[{"index":0,"delta":{"reasoning":"a"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"reasoning":"b"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"c"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"reasoning":"d"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"e"}}]}\n\n'
        b"data: [DONE]\n\n"
    )
    seen = await serve("openai", [body])
    assert seen.events == [
        ReasoningDelta(text="ab"),
        TextDelta(text="c"),
        ReasoningDelta(text="d"),
        TextDelta(text="e"),
    ]


# -- UTF-16 surrogate halves from \u escapes ------------------------------------------------------


def escaped_anthropic(raw_text: str) -> bytes:
    """A text delta whose JSON text is written as given (escapes and all)."""
    return (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"' + raw_text.encode() + b'"}}\n\n'
    )


ANTHROPIC_END = [
    b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"}}\n\n',
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n',
]


@pytest.mark.parametrize("whole", [False, True])
@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        # an emoji's two halves in two events (a server escaping per token does this)
        ([" a", "\\ud83d", "\\ude00", "b "], " a\U0001f600b "),
        ([" a\\ud83d", "\\ude00b"], " a\U0001f600b"),
        # halves with nothing to pair with become U+FFFD, never a string that cannot be stored
        ([" a", "\\ud83d", " b"], " a\ufffd b"),
        ([" a", "\\ude00", " b"], " a\ufffd b"),
        ([" a", "\\ud83d"], " a\ufffd"),
    ],
)
async def test_surrogate_halves_are_paired_or_replaced(
    pieces: list[str], expected: str, whole: bool
) -> None:
    frames = [escaped_anthropic(f"w{i}") for i in range(5)]
    frames += [escaped_anthropic(p) for p in pieces] + ANTHROPIC_END
    got = await serve("anthropic", [b"".join(frames)] if whole else frames)
    assert got.text == "w0w1w2w3w4" + expected
    got.text.encode("utf-8")  # storable
