"""OpenAI Responses API: the stream (from a real aimock server's bytes and hand-made events),
the per-model choice from the catalog, and the switch on OpenAI's "only supported in
v1/responses" refusal, remembered for that model."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest
import respx

from lace_tui import errors
from lace_tui.instances.models import RetryPolicy
from lace_tui.providers.base import ClientConfig
from lace_tui.providers.factory import create_client
from tests.providers.conftest import (
    SECRET,
    ChunkedStream,
    Collected,
    SleepRecorder,
    chat_request,
    collect_stream,
    config_for,
    random_pieces,
)

AIMOCK = Path(__file__).resolve().parents[1] / "fixtures" / "aimock"
BASE = "https://openai.test/v1"
ONLY_RESPONSES = {
    "error": {
        "message": "This model is only supported in v1/responses and not in v1/chat/completions.",
        "type": "invalid_request_error",
        "param": "model",
        "code": None,
    }
}


def responses_config(retry: RetryPolicy | None = None) -> ClientConfig:
    config = config_for("openai", BASE, retry=retry)
    return dataclasses.replace(config, responses_models=frozenset({"gpt-5.3-codex"}))


def sse(*events: Mapping[str, object]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def text(delta: str) -> dict[str, object]:
    return {"type": "response.output_text.delta", "delta": delta}


async def serve(
    body: bytes, *, pieces: list[bytes] | None = None
) -> tuple[Collected, dict[str, object]]:
    async with respx.mock(assert_all_called=True) as router:
        route = router.post(f"{BASE}/responses").mock(
            return_value=httpx.Response(
                200,
                headers={"content-type": "text/event-stream"},
                stream=ChunkedStream(pieces or [body]),
            )
        )
        async with create_client(responses_config()) as client:
            seen = await collect_stream(
                client,
                chat_request(
                    "gpt-5.3-codex", system="be brief", max_tokens=50, reasoning_effort="low"
                ),
            )
        sent: dict[str, object] = json.loads(route.calls.last.request.content)
        return seen, sent


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_aimock_stream_gives_reasoning_then_text_and_stop(seed: int) -> None:
    body = (AIMOCK / "responses_reasoning.sse").read_bytes()
    seen, sent = await serve(body, pieces=random_pieces(body, seed, largest=40))
    assert seen.raised is None
    assert seen.reasoning == "Let me think about it."
    assert seen.text == "The answer is 42."
    assert [f.reason for f in seen.finishes] == ["stop"]
    assert sent["model"] == "gpt-5.3-codex"
    assert sent["input"] == [{"role": "user", "content": "hi"}]
    assert sent["instructions"] == "be brief"
    assert sent["max_output_tokens"] == 50
    assert sent["reasoning"] == {"effort": "low", "summary": "auto"}
    assert sent["stream"] is True and sent["store"] is False


async def test_usage_counts_cached_apart_and_reasoning_inside_output() -> None:
    usage = {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 60},
        "output_tokens": 30,
        "output_tokens_details": {"reasoning_tokens": 20},
    }
    body = sse(
        text("ok"),
        {"type": "response.completed", "response": {"status": "completed", "usage": usage}},
    )
    seen, _ = await serve(body)
    assert seen.usage is not None
    assert (seen.usage.input_tokens, seen.usage.cache_read_tokens) == (40, 60)
    assert (seen.usage.output_tokens, seen.usage.reasoning_tokens) == (30, 20)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("max_output_tokens", "length"), ("content_filter", "content_filter")],
)
async def test_incomplete_maps_to_its_stop_reason(reason: str, expected: str) -> None:
    done = {"status": "incomplete", "incomplete_details": {"reason": reason}}
    seen, _ = await serve(sse(text("part"), {"type": "response.incomplete", "response": done}))
    assert seen.raised is None
    assert seen.text == "part"
    assert [(f.reason, f.raw_reason) for f in seen.finishes] == [(expected, reason)]


async def test_failed_response_is_a_stream_error_with_the_message() -> None:
    failed = {"status": "failed", "error": {"code": "server_error", "message": "boom\nthere"}}
    seen, _ = await serve(sse(text("a"), {"type": "response.failed", "response": failed}))
    assert [(e.message, e.error_type) for e in seen.errors] == [("boom there", "server_error")]
    assert seen.finishes == []


async def test_error_event_ends_the_stream() -> None:
    event = {"type": "error", "code": "rate_limit_exceeded", "message": "slow down"}
    seen, _ = await serve(sse(event, text("never shown")))
    assert [e.error_type for e in seen.errors] == ["rate_limit_exceeded"]
    assert seen.text == ""


async def test_refusal_is_the_finish_detail_not_the_reply() -> None:
    body = sse(
        {"type": "response.refusal.delta", "delta": "I can't help with that."},
        {"type": "response.completed", "response": {"status": "completed"}},
    )
    seen, _ = await serve(body)
    assert seen.text == ""
    assert [(f.reason, f.detail) for f in seen.finishes] == [("refusal", "I can't help with that.")]


async def test_cut_stream_is_an_error_naming_the_instance() -> None:
    seen, _ = await serve(sse(text("half")))
    assert isinstance(seen.raised, errors.StreamCutError)
    assert "instance 'work'" in str(seen.raised)


async def test_server_error_before_first_token_is_retried(sleeps: SleepRecorder) -> None:
    body = (AIMOCK / "responses_reasoning.sse").read_bytes()
    config = responses_config(retry=RetryPolicy(max_attempts=2, backoff_initial=0))
    async with respx.mock() as router:
        router.post(f"{BASE}/responses").mock(
            side_effect=[
                httpx.Response(500, json={"error": {"message": f"bad {SECRET}"}}),
                httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body),
            ]
        )
        async with create_client(config, sleep=sleeps) as client:
            seen = await collect_stream(client, chat_request("gpt-5.3-codex"))
    assert seen.raised is None
    assert seen.text == "The answer is 42."
    assert len(sleeps.delays) == 1


async def test_other_models_still_use_chat_completions() -> None:
    async with respx.mock(assert_all_called=True) as router:
        route = router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=b"data: [DONE]\n\n"
            )
        )
        async with create_client(responses_config()) as client:
            seen = await collect_stream(client, chat_request("gpt-5.4"))
    assert seen.raised is None
    assert route.called


async def test_only_responses_refusal_switches_and_is_remembered() -> None:
    remembered: list[str] = []
    config = dataclasses.replace(config_for("openai", BASE), remember_responses=remembered.append)
    body = (AIMOCK / "responses_reasoning.sse").read_bytes()
    async with respx.mock(assert_all_called=True) as router:
        chat = router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(404, json=ONLY_RESPONSES)
        )
        responses = router.post(f"{BASE}/responses").mock(
            return_value=httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=body
            )
        )
        async with create_client(config) as client:
            first = await collect_stream(client, chat_request("gpt-9-codex"))
            second = await collect_stream(client, chat_request("gpt-9-codex"))
    assert first.raised is None and second.raised is None
    assert first.text == second.text == "The answer is 42."
    assert chat.call_count == 1  # the second request went straight to /responses
    assert responses.call_count == 2
    assert remembered == ["gpt-9-codex"]


async def test_other_rejections_are_not_switched() -> None:
    remembered: list[str] = []
    config = dataclasses.replace(config_for("openai", BASE), remember_responses=remembered.append)
    async with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(404, json={"error": {"message": "no such model"}})
        )
        async with create_client(config) as client:
            seen = await collect_stream(client, chat_request("gpt-nope"))
    assert isinstance(seen.raised, errors.ModelNotFoundError)
    assert remembered == []


async def test_azure_never_switches() -> None:
    config = config_for("azure", "https://res.test", api_version="2024-10-21")
    config = dataclasses.replace(config, responses_models=frozenset({"gpt-5.3-codex"}))
    async with respx.mock() as router:
        route = router.post(url__regex=r".*/chat/completions.*").mock(
            return_value=httpx.Response(404, json=ONLY_RESPONSES)
        )
        async with create_client(config) as client:
            seen = await collect_stream(client, chat_request("gpt-5.3-codex"))
    assert route.call_count == 1
    assert isinstance(seen.raised, errors.ModelNotFoundError)
