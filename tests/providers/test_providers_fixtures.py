"""Replay every recorded vendor stream in tests/fixtures/wire through the real clients.

Each file is served by respx as the exact bytes, at once and cut into small random pieces and
single bytes, and the text, reasoning, usage and finish (or error) are checked per file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import respx

from lace_tui import errors
from lace_tui.providers.events import Finish, StreamError, ToolCall, Usage
from lace_tui.providers.factory import create_client
from tests.providers.conftest import (
    ChunkedStream,
    Collected,
    chat_request,
    collect_stream,
    config_for,
    random_pieces,
)

SPLITS = ["whole", "random-1", "random-2", "random-3", "bytes"]
TAXES_ARGUMENTS = (
    '{"filename": "taxes.txt", "lines_of_text": [\n"# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS '
    'WITH MULTIPLE W-2s",\n"",\n"## INTRODUCTION",\n"",\n"Filing taxes'
)


@dataclass(frozen=True)
class Expect:
    """What a consumer must see for one recorded stream."""

    text: str | None = None  # exact text, when short enough to write down
    text_len: int | None = None  # for long replies: length, start and end
    text_head: str = ""
    text_tail: str = ""
    reasoning: str = ""
    usage: Usage | None = None
    finish: Finish | None = None
    error: StreamError | None = None

    def check(self, seen: Collected, name: str) -> None:
        assert seen.raised is None, f"{name}: raised {seen.raised!r}"
        if self.text is not None:
            assert seen.text == self.text, name
        else:
            assert len(seen.text) == self.text_len, name
            assert seen.text.startswith(self.text_head), name
            assert seen.text.endswith(self.text_tail), name
        assert seen.reasoning == self.reasoning, name
        assert seen.usage == self.usage, name
        assert seen.finishes == ([self.finish] if self.finish else []), name
        assert seen.errors == ([self.error] if self.error else []), name
        if self.finish is not None:
            assert seen.events[-1] == self.finish, f"{name}: Finish must be the last event"


ANTHROPIC: dict[str, Expect] = {
    "basic_response.txt": Expect(
        "Hello there!",
        usage=Usage(input_tokens=11, output_tokens=6),
        finish=Finish(reason="stop", raw_reason="end_turn"),
    ),
    "compaction_response.txt": Expect(
        "Hello there!",
        usage=Usage(input_tokens=30, output_tokens=8),
        finish=Finish(reason="stop", raw_reason="end_turn"),
    ),
    "fallback_response.txt": Expect(
        "Hello there!",
        usage=Usage(input_tokens=25, output_tokens=8),
        finish=Finish(reason="stop", raw_reason="end_turn"),
    ),
    "fallback_credit_response.txt": Expect(
        "Hello there!",
        usage=Usage(input_tokens=25, output_tokens=8),
        finish=Finish(reason="stop", raw_reason="end_turn"),
    ),
    "incomplete_partial_json_response.txt": Expect(
        "I'll create a comprehensive tax guide for someone with multiple W2s and save it in a "
        "file called taxes.txt. Let me do that for you now.",
        usage=Usage(input_tokens=450, output_tokens=124, cache_read_tokens=0, cache_write_tokens=0),
        # The tool call's arguments were cut off at the output limit, mid-string.
        finish=Finish(
            reason="length",
            raw_reason="max_tokens",
            tool_calls=(ToolCall("make_file", TAXES_ARGUMENTS),),
        ),
    ),
    "refusal_response.txt": Expect(
        "",
        usage=Usage(input_tokens=20, output_tokens=0),
        finish=Finish(
            reason="refusal",
            raw_reason="refusal",
            detail="This request was refused due to policy.",
        ),
    ),
    "tool_use_response.txt": Expect(
        "I'll check the current weather in Paris for you.",
        usage=Usage(input_tokens=377, output_tokens=65, cache_read_tokens=0, cache_write_tokens=0),
        finish=Finish(
            reason="tool_calls",
            raw_reason="tool_use",
            tool_calls=(ToolCall("get_weather", '{"location": "Paris"}'),),
        ),
    ),
    "fable-fallback/stream-a-refusal.sse": Expect(
        "Hi",
        reasoning=(
            "Simple educational question about what a solar eclipse is. This is benign general "
            'knowledge \u2014 definitions are fine. Also the user called me "claudius" \u2014 '
            "I'm Claude. Minor correction or just roll with it politely."
        ),
        usage=Usage(
            input_tokens=28,
            output_tokens=106,
            cache_read_tokens=0,
            cache_write_tokens=0,
            reasoning_tokens=67,
        ),
        finish=Finish(reason="refusal", raw_reason="refusal"),
    ),
    "fable-fallback/stream-a-toolrefusal.sse": Expect(
        "Here's a summary of this year's solar eclipses and how",
        usage=Usage(
            input_tokens=28,
            output_tokens=106,
            cache_read_tokens=0,
            cache_write_tokens=0,
            reasoning_tokens=67,
        ),
        finish=Finish(reason="refusal", raw_reason="refusal"),
    ),
    "fable-fallback/stream-b-fallback.sse": Expect(
        text_len=1312,
        text_head=" there! Happy to explain.\n\n**Solar eclipses** happen when the Moon passes",
        text_tail="Just let me know what's sparking your interest!",
        usage=Usage(
            input_tokens=31,
            output_tokens=547,
            cache_read_tokens=0,
            cache_write_tokens=0,
            reasoning_tokens=0,
        ),
        finish=Finish(reason="stop", raw_reason="end_turn"),
    ),
}

OPENAI: dict[str, Expect] = {
    "chat_basic_usage.sse": Expect(
        "I'm unable to provide real-time weather updates. To get the current weather in San "
        "Francisco, I recommend checking a reliable weather website or a weather app.",
        usage=Usage(input_tokens=14, output_tokens=30, reasoning_tokens=0),
        finish=Finish(reason="stop", raw_reason="stop"),
    ),
    "chat_content_logprobs.sse": Expect(
        "Foo!",
        usage=Usage(input_tokens=9, output_tokens=2, reasoning_tokens=0),
        finish=Finish(reason="stop", raw_reason="stop"),
    ),
    "chat_max_tokens_length.sse": Expect(
        '{"',
        usage=Usage(input_tokens=79, output_tokens=1, reasoning_tokens=0),
        finish=Finish(reason="length", raw_reason="length"),
    ),
    "chat_n3_multiple_choices.sse": Expect(
        '{"city":"San Francisco","temperature":65,"units":"f"}',
        usage=Usage(input_tokens=79, output_tokens=42, reasoning_tokens=0),
        finish=Finish(reason="stop", raw_reason="stop"),
    ),
    "chat_parallel_tool_calls.sse": Expect(
        "",
        usage=Usage(input_tokens=149, output_tokens=60, reasoning_tokens=0),
        finish=Finish(
            reason="tool_calls",
            raw_reason="tool_calls",
            tool_calls=(
                ToolCall("GetWeatherArgs", '{"city": "Edinburgh", "country": "GB", "units": "c"}'),
                ToolCall("get_stock_price", '{"ticker": "AAPL", "exchange": "NASDAQ"}'),
            ),
        ),
    ),
    "chat_refusal.sse": Expect(
        "",
        usage=Usage(input_tokens=79, output_tokens=11, reasoning_tokens=0),
        finish=Finish(
            reason="refusal",
            raw_reason="stop",
            detail="I'm sorry, I can't assist with that request.",
        ),
    ),
    "chat_refusal_logprobs.sse": Expect(
        "",
        usage=Usage(input_tokens=79, output_tokens=12, reasoning_tokens=0),
        finish=Finish(
            reason="refusal",
            raw_reason="stop",
            detail="I'm very sorry, but I can't assist with that.",
        ),
    ),
    "chat_tool_call.sse": Expect(
        "",
        usage=Usage(input_tokens=44, output_tokens=16, reasoning_tokens=0),
        finish=Finish(
            reason="tool_calls",
            raw_reason="tool_calls",
            tool_calls=(ToolCall("get_weather", '{"city":"New York City"}'),),
        ),
    ),
}

GEMINI: dict[str, Expect] = {
    "streaming-failure-empty-content.txt": Expect(""),
    "streaming-failure-finish-reason-safety.txt": Expect(
        "No",
        finish=Finish(
            reason="content_filter",
            raw_reason="SAFETY",
            detail="HARM_CATEGORY_HATE_SPEECH: HIGH",
        ),
    ),
    "streaming-failure-prompt-blocked-safety.txt": Expect(
        "",
        finish=Finish(
            reason="content_filter",
            raw_reason="SAFETY",
            detail="the prompt was blocked (SAFETY)",
        ),
    ),
    "streaming-failure-recitation-no-content.txt": Expect(
        "Copyrighted text goes hereMore copyrighted text",
        finish=Finish(reason="content_filter", raw_reason="RECITATION"),
    ),
    "streaming-success-basic-reply-long.txt": Expect(
        text_len=3285,
        text_head="**Cats:**\n\n- **Physical Characteristics:**\n  - Size: Cats come in a wide",
        text_tail="detecting any potential health issues early on.",
        finish=Finish(reason="stop", raw_reason="STOP"),
    ),
    "streaming-success-basic-reply-short.txt": Expect(
        "Cheyenne", finish=Finish(reason="stop", raw_reason="STOP")
    ),
    "streaming-success-function-call-short.txt": Expect(
        "",
        finish=Finish(
            reason="tool_calls",
            raw_reason="STOP",
            tool_calls=(ToolCall("getTemperature", '{"city": "San Jose"}'),),
        ),
    ),
    "streaming-success-search-grounding.txt": Expect(
        "The current stock price for Alphabet Inc. (Google) Class C (GOOG) is \\$166.79 USD. This "
        "price reflects a decrease of -0.97% over the last 24 hours. \n\nPlease note that stock "
        "prices can change rapidly.  This information is current as of October 2, 2024, at 5:58 "
        "PM UTC.  You can find the most up-to-date information on financial websites like Google "
        "Finance or TradingView.\n",
        usage=Usage(input_tokens=8, output_tokens=106),
        finish=Finish(reason="stop", raw_reason="STOP"),
    ),
    "streaming-success-utf8.txt": Expect(
        text_len=225,
        text_head="秋风瑟瑟，叶落纷纷，\n西风残照，寒霜渐浓。\n",  # noqa: RUF001
        text_tail="让我们一起欣赏秋天的美景，\n感受秋天的气息，领悟秋天的哲理。",  # noqa: RUF001
        finish=Finish(reason="stop", raw_reason="STOP"),
    ),
}

# The js-genai recordings hold parsed SSE payloads; each is re-serialized as one CRLF event.
GENAI: dict[tuple[str, int], Expect] = {
    ("gemini_api_stream_thinking_max_tokens.json", 0): Expect(
        text_len=653,
        text_head="The sky is blue primarily due to a phenomenon called **Rayleigh Scattering**.",
        text_tail="e gas molecules and particles.",
        usage=Usage(input_tokens=7, output_tokens=153 + 45, reasoning_tokens=45),
        finish=Finish(reason="length", raw_reason="MAX_TOKENS"),
    ),
    ("vertex_stream_thinking_max_tokens.json", 0): Expect(
        text_len=669,
        text_head="The sky is blue because of a phenomenon called **Rayleigh Scattering**.",
        text_tail="When sunlight enters the atmosphere,",
        usage=Usage(input_tokens=6, output_tokens=156 + 41, reasoning_tokens=41),
        finish=Finish(reason="length", raw_reason="MAX_TOKENS"),
    ),
    ("gemini_api_stream_function_call.json", 0): Expect(
        "",
        usage=Usage(input_tokens=21, output_tokens=6),
        finish=Finish(
            reason="tool_calls",
            raw_reason="STOP",
            tool_calls=(ToolCall("customDivide", '{"denominator": 2, "numerator": 100}'),),
        ),
    ),
    ("gemini_api_stream_function_call.json", 1): Expect(
        "",
        usage=Usage(input_tokens=38, output_tokens=6),
        finish=Finish(
            reason="tool_calls",
            raw_reason="STOP",
            tool_calls=(ToolCall("customDivide", '{"denominator": 2, "numerator": 50}'),),
        ),
    ),
}


def pieces_of(data: bytes, split: str) -> list[bytes]:
    if split == "whole":
        return [data]
    if split == "bytes":
        return [data[i : i + 1] for i in range(len(data))]
    return random_pieces(data, seed=int(split.split("-")[1]))


async def replay(
    provider_type: str, base: str, body: bytes, split: str, model: str = "m", status: int = 200
) -> Collected:
    """Serve `body` (in pieces) for any POST and stream it through a real client."""
    async with respx.mock(assert_all_called=True) as router:
        router.route(method="POST").mock(
            side_effect=lambda request: httpx.Response(
                status,
                headers={"content-type": "text/event-stream"},
                stream=ChunkedStream(pieces_of(body, split)),
            )
        )
        async with create_client(config_for(provider_type, base)) as client:
            return await collect_stream(client, chat_request(model))


def test_every_fixture_file_is_covered(fixtures_dir: Path) -> None:
    on_disk = {
        str(p.relative_to(fixtures_dir))
        for p in fixtures_dir.rglob("*")
        if p.is_file() and p.name not in ("LICENSE", "README.md", "PROVENANCE.md")
    }
    covered = (
        {f"anthropic/{name}" for name in ANTHROPIC}
        | {f"openai/{name}" for name in OPENAI}
        | {f"gemini/{name}" for name in GEMINI}
        | {f"gemini/js-genai-recordings/{name}" for name, _ in GENAI}
        | {"gemini/js-genai-recordings/gemini_api_stream_404_error.json"}
    )
    assert on_disk == covered


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(ANTHROPIC))
async def test_anthropic_fixture(fixtures_dir: Path, name: str, split: str) -> None:
    body = (fixtures_dir / "anthropic" / name).read_bytes()
    seen = await replay("anthropic", "https://anthropic.test", body, split)
    ANTHROPIC[name].check(seen, name)


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(OPENAI))
async def test_openai_fixture(fixtures_dir: Path, name: str, split: str) -> None:
    body = (fixtures_dir / "openai" / name).read_bytes()
    seen = await replay("openai", "https://openai.test/v1", body, split)
    OPENAI[name].check(seen, name)


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(GEMINI))
async def test_gemini_fixture(fixtures_dir: Path, name: str, split: str) -> None:
    body = (fixtures_dir / "gemini" / name).read_bytes()
    seen = await replay("google", "https://gemini.test", body, split, model="gemini-pro")
    GEMINI[name].check(seen, name)


def genai_body(path: Path, interaction: int) -> tuple[int, bytes]:
    record = json.loads(path.read_text())
    response = record["interactions"][interaction]["response"]
    events = [
        b"data: " + json.dumps(segment, separators=(",", ":")).encode() + b"\r\n\r\n"
        for segment in response["bodySegments"]
    ]
    return response["statusCode"], b"".join(events)


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize(("name", "interaction"), sorted(GENAI))
async def test_genai_recording(fixtures_dir: Path, name: str, interaction: int, split: str) -> None:
    status, body = genai_body(fixtures_dir / "gemini" / "js-genai-recordings" / name, interaction)
    assert status == 200
    seen = await replay("google", "https://gemini.test", body, split, model="gemini-2.5-flash")
    GENAI[(name, interaction)].check(seen, name)


async def test_genai_404_recording_is_a_model_not_found_error(fixtures_dir: Path) -> None:
    path = fixtures_dir / "gemini" / "js-genai-recordings" / "gemini_api_stream_404_error.json"
    record = json.loads(path.read_text())["interactions"][0]["response"]
    body = json.dumps(record["bodySegments"][0]).encode()
    seen = await replay(
        "google", "https://gemini.test", body, "whole", model="custom-gemini-2.0-flash", status=404
    )
    assert seen.events == []
    assert isinstance(seen.raised, errors.ModelNotFoundError)
    message = str(seen.raised)
    assert message.startswith("instance 'work': model 'custom-gemini-2.0-flash' not found (404): ")
    assert "is not found for API version v1beta" in message
    assert "\n" not in message
