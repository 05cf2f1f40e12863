"""End to end against a real loopback server: each format, cancellation, cuts, timeouts."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from lace_tui import errors
from lace_tui.instances.models import RetryPolicy
from lace_tui.providers.events import Finish, StreamEvent, TextDelta, Usage
from lace_tui.providers.factory import create_client
from tests.providers.conftest import SECRET, SleepRecorder, chat_request, collect_stream, config_for
from tests.support.fake_provider import FakeBehaviour, FakeProvider

FAKE_SCRIPT = Path(__file__).resolve().parents[1] / "support" / "fake_provider.py"
FORMATS = [
    # (catalog type, base path on the fake, path it must receive, key header)
    ("anthropic", "", "/v1/messages", "x-api-key"),
    ("openai", "/v1", "/v1/chat/completions", "authorization"),
    ("azure", "", "/openai/deployments/m/chat/completions?api-version=2024-10-21", "api-key"),
    ("google", "", "/v1beta/models/m:streamGenerateContent?alt=sse", "x-goog-api-key"),
    ("ollama", "", "/api/chat", "authorization"),
]


@pytest.mark.parametrize(("provider_type", "base", "path", "key_header"), FORMATS)
async def test_each_format_end_to_end(
    fake_provider: FakeProvider, provider_type: str, base: str, path: str, key_header: str
) -> None:
    fake_provider.behaviour = FakeBehaviour(
        reply="Paris is the capital.", reasoning="Easy one.", input_tokens=12
    )
    config = config_for(provider_type, fake_provider.url + base, headers={"x-team": "blue"})
    async with create_client(config) as client:
        seen = await collect_stream(client, chat_request("m", reasoning_effort="low"))
    assert seen.raised is None
    assert seen.text == "Paris is the capital."
    assert seen.reasoning == "Easy one."
    usage = seen.usage
    assert usage is not None and usage.input_tokens == 12 and usage.output_tokens == 6
    assert seen.events[-1] == Finish(reason="stop", raw_reason=seen.finishes[0].raw_reason)
    received = fake_provider.requests[-1]
    assert received.path == path
    assert SECRET in received.headers[key_header]
    assert received.headers["x-team"] == "blue"
    assert isinstance(received.body, dict)


@pytest.mark.parametrize(("provider_type", "base", "path", "key_header"), FORMATS)
async def test_each_format_reports_an_error_inside_the_stream(
    fake_provider: FakeProvider, provider_type: str, base: str, path: str, key_header: str
) -> None:
    fake_provider.behaviour = FakeBehaviour(
        reply="one two three", error_after=2, error_message="backend fell over"
    )
    async with create_client(config_for(provider_type, fake_provider.url + base)) as client:
        seen = await collect_stream(client, chat_request("m"))
    assert seen.raised is None
    assert seen.text == "one two"
    assert [e.message for e in seen.errors] == ["backend fell over"]
    assert seen.events[-1] == seen.errors[0]


async def test_closing_the_stream_closes_the_connection_at_once(
    fake_provider: FakeProvider,
) -> None:
    # The server holds the rest back until the client leaves: closing must not wait for it
    # (if it did, this test would hang until its time limit).
    fake_provider.behaviour = FakeBehaviour(reply=" ".join(["w"] * 200), hold_after=2)
    async with create_client(config_for("openai", fake_provider.url + "/v1")) as client:
        stream = client.stream_chat(chat_request())
        first = [await anext(stream), await anext(stream)]
        assert all(isinstance(e, TextDelta) for e in first)
        await stream.aclose()
    assert fake_provider.disconnected.wait(5), "the server never saw the client leave"


async def test_cancelling_the_task_closes_the_connection(fake_provider: FakeProvider) -> None:
    fake_provider.behaviour = FakeBehaviour(reply="one two three four", stall_after=1)
    got: list[StreamEvent] = []
    text_arrived = asyncio.Event()

    async def consume() -> None:
        async with create_client(config_for("anthropic", fake_provider.url)) as client:
            async for event in client.stream_chat(chat_request()):
                got.append(event)
                if isinstance(event, TextDelta):
                    text_arrived.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(text_arrived.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task  # the server stalls until the client leaves: this returns only if it left
    assert fake_provider.disconnected.wait(5), "the server never saw the client leave"


async def test_connection_dropped_mid_stream_is_a_cut(fake_provider: FakeProvider) -> None:
    fake_provider.behaviour = FakeBehaviour(reply="abc def ghi jkl", drop_after=2)
    async with create_client(config_for("anthropic", fake_provider.url)) as client:
        seen = await collect_stream(client, chat_request())
    assert seen.text == "abc def"
    assert isinstance(seen.raised, errors.StreamCutError)
    assert str(seen.raised) == (
        "stream from instance 'work' was cut off after 7 characters (the connection broke)"
    )


async def test_body_ended_early_is_a_cut(fake_provider: FakeProvider) -> None:
    fake_provider.behaviour = FakeBehaviour(reply="abc def ghi jkl", cut_after=3)
    async with create_client(config_for("ollama", fake_provider.url)) as client:
        seen = await collect_stream(client, chat_request())
    assert seen.text == "abc def ghi"
    assert isinstance(seen.raised, errors.StreamCutError)
    assert str(seen.raised) == "stream from instance 'work' was cut off after 11 characters"


async def test_a_stall_after_text_times_out_as_a_cut(fake_provider: FakeProvider) -> None:
    fake_provider.behaviour = FakeBehaviour(reply="abc def ghi", stall_after=1)
    config = config_for("openai", fake_provider.url + "/v1", timeout=0.2)
    async with create_client(config) as client:
        seen = await collect_stream(client, chat_request())
    assert seen.text == "abc"
    assert isinstance(seen.raised, errors.StreamCutError)
    assert "(no data before the timeout)" in str(seen.raised)


async def test_a_server_slow_to_answer_times_out(fake_provider: FakeProvider) -> None:
    fake_provider.behaviour = FakeBehaviour(headers_delay=0.5)
    config = config_for("openai", fake_provider.url + "/v1", timeout=0.1)
    async with create_client(config) as client:
        seen = await collect_stream(client, chat_request())
    assert isinstance(seen.raised, errors.ProviderTimeoutError)
    assert str(seen.raised).startswith("instance 'work': timed out after 0.1 s")


async def test_failures_then_success_over_the_wire(
    fake_provider: FakeProvider, sleeps: SleepRecorder
) -> None:
    fake_provider.behaviour = FakeBehaviour(
        reply="made it", status=503, fail_times=2, retry_after="1"
    )
    policy = RetryPolicy(max_attempts=3, backoff_initial=0.5, backoff_max=5)
    config = config_for("google", fake_provider.url, retry=policy)
    async with create_client(config, sleep=sleeps) as client:
        seen = await collect_stream(client, chat_request())
    assert seen.raised is None
    assert seen.text == "made it"
    assert fake_provider.chat_count == 3
    assert sleeps.delays == [1.0, 1.0]


async def test_a_wrong_key_over_the_wire(fake_provider: FakeProvider) -> None:
    fake_provider.behaviour = FakeBehaviour(require_key="another-key")
    async with create_client(config_for("openai", fake_provider.url + "/v1")) as client:
        seen = await collect_stream(client, chat_request())
    assert isinstance(seen.raised, errors.AuthError)
    assert SECRET not in str(seen.raised)


def test_the_fake_provider_runs_standalone() -> None:
    process = subprocess.Popen(
        [sys.executable, str(FAKE_SCRIPT), "--port", "0", "--print-port", "--reply", "Hi there"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())

        async def chat() -> None:
            config = config_for("openai", f"http://127.0.0.1:{port}/v1")
            async with create_client(config) as client:
                seen = await collect_stream(client, chat_request())
            assert seen.raised is None
            assert seen.text == "Hi there"
            assert seen.usage == Usage(input_tokens=7, output_tokens=2)

        asyncio.run(chat())
    finally:
        process.terminate()
        process.wait(5)
