"""AWS Bedrock's Converse stream: the event-stream from a real aimock server and hand-made
messages, bearer keys and SigV4 through botocore's credential chain, faults and discovery."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
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
from tests.support.fake_provider import bedrock_event, bedrock_frames, event_stream_message

AIMOCK = Path(__file__).resolve().parents[1] / "fixtures" / "aimock"
MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
RUNTIME = "https://bedrock-runtime.us-west-2.amazonaws.com"
STREAM_URL = f"{RUNTIME}/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream"
EVENTSTREAM = {"content-type": "application/vnd.amazon.eventstream"}


@pytest.fixture(autouse=True)
def no_aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No AWS setting of the machine running the tests may leak in."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_BEARER_TOKEN_BEDROCK",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    yield tmp_path


def bedrock_config(
    api_key: str | None = SECRET, retry: RetryPolicy | None = None, **settings: str
) -> ClientConfig:
    config = config_for("bedrock", "", api_key=api_key, retry=retry)
    return dataclasses.replace(config, settings={"region": "us-west-2", **settings})


def stream_body(*frames: bytes) -> httpx.Response:
    return httpx.Response(200, headers=EVENTSTREAM, stream=ChunkedStream(list(frames)))


async def serve(
    config: ClientConfig, *responses: httpx.Response, model: str = MODEL
) -> tuple[Collected, list[httpx.Request]]:
    async with respx.mock(assert_all_called=True) as router:
        route = router.post(STREAM_URL if model == MODEL else None).mock(
            side_effect=list(responses)
        )
        async with create_client(config, sleep=SleepRecorder()) as client:
            seen = await collect_stream(client, chat_request(model, reasoning_effort="low"))
        return seen, [call.request for call in route.calls]


def basic_frames(finish: str = "stop") -> list[bytes]:
    opening, content, closing = bedrock_frames(["Hello", " there"], ["hm"], 12, finish)
    return opening + content + closing


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_aimock_stream_with_a_bearer_key(seed: int) -> None:
    body = (AIMOCK / "bedrock_converse_reasoning.bin").read_bytes()
    seen, sent = await serve(bedrock_config(), stream_body(*random_pieces(body, seed, largest=64)))
    assert seen.raised is None
    assert seen.reasoning == "Let me think about it."
    assert seen.text == "The answer is 42."
    assert [f.reason for f in seen.finishes] == ["stop"]
    request = sent[0]
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    body_sent = json.loads(request.content)
    assert body_sent["messages"] == [{"role": "user", "content": [{"text": "hi"}]}]
    thinking = body_sent["additionalModelRequestFields"]["thinking"]
    assert thinking["type"] == "enabled"
    assert body_sent["inferenceConfig"]["maxTokens"] > thinking["budget_tokens"]


async def test_usage_and_stop_reason_from_metadata() -> None:
    seen, _ = await serve(bedrock_config(), stream_body(*basic_frames("length")))
    assert seen.text == "Hello there"
    assert seen.usage is not None
    assert (seen.usage.input_tokens, seen.usage.output_tokens) == (12, 3)
    assert [(f.reason, f.raw_reason) for f in seen.finishes] == [("length", "max_tokens")]


async def test_guardrail_is_a_content_filter_stop() -> None:
    frames = [
        bedrock_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "I"}}),
        bedrock_event("messageStop", {"stopReason": "guardrail_intervened"}),
    ]
    seen, _ = await serve(bedrock_config(), stream_body(*frames))
    assert seen.raised is None  # metadata is optional: messageStop completes the reply
    assert [f.reason for f in seen.finishes] == ["content_filter"]


async def test_static_keys_are_signed_with_sigv4(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-example")
    seen, sent = await serve(bedrock_config(api_key=None), stream_body(*basic_frames()))
    assert seen.raised is None
    headers = sent[0].headers
    auth = headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-west-2/bedrock/aws4_request" in auth
    assert "Signature=" in auth
    assert headers["x-amz-security-token"] == "session-token-example"
    assert "x-amz-date" in headers


async def test_a_named_profile_gives_keys_and_region(no_aws_config: Path) -> None:
    (no_aws_config / "aws-config").write_text("[profile work]\nregion = eu-west-3\n")
    (no_aws_config / "aws-credentials").write_text(
        "[work]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n"
    )
    config = dataclasses.replace(
        config_for("bedrock", "", api_key=None), settings={"aws_profile": "work"}
    )
    url = "https://bedrock-runtime.eu-west-3.amazonaws.com/model/m/converse-stream"
    async with respx.mock(assert_all_called=True) as router:
        route = router.post(url).mock(return_value=stream_body(*basic_frames()))
        async with create_client(config) as client:
            seen = await collect_stream(client, chat_request("m"))
    assert seen.raised is None
    assert "Credential=AKIDPROFILE/" in route.calls.last.request.headers["authorization"]


async def test_no_credentials_is_one_clear_line() -> None:
    config = bedrock_config(api_key=None)
    async with respx.mock(assert_all_mocked=True), create_client(config) as client:
        seen = await collect_stream(client, chat_request(MODEL))
    assert isinstance(seen.raised, errors.AuthError)
    message = str(seen.raised)
    assert "\n" not in message
    assert "AWS_BEARER_TOKEN_BEDROCK" in message and "--aws-profile" in message


async def test_unknown_profile_is_bad_input() -> None:
    config = dataclasses.replace(
        config_for("bedrock", "", api_key=None), settings={"aws_profile": "nosuch"}
    )
    with pytest.raises(errors.BadInputError, match="AWS profile 'nosuch'"):
        create_client(config)


async def test_throttling_before_text_is_retried() -> None:
    throttled = event_stream_message(
        {":exception-type": "throttlingException", ":message-type": "exception"},
        b'{"message":"Too many requests"}',
    )
    config = bedrock_config(retry=RetryPolicy(max_attempts=2, backoff_initial=0))
    seen, sent = await serve(config, stream_body(throttled), stream_body(*basic_frames()))
    assert seen.raised is None
    assert seen.text == "Hello there"
    assert len(sent) == 2


async def test_exception_after_text_is_a_stream_error() -> None:
    failure = event_stream_message(
        {":exception-type": "modelStreamErrorException", ":message-type": "exception"},
        b'{"message":"the model\\nfailed"}',
    )
    first = bedrock_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "a"}})
    seen, _ = await serve(bedrock_config(), stream_body(first, failure))
    assert seen.text == "a"
    assert [e.message for e in seen.errors] == ["the model failed"]


async def test_corrupt_message_is_a_malformed_stream() -> None:
    frames = basic_frames()
    broken = bytearray(frames[2])
    broken[-1] ^= 0xFF  # break the message CRC
    seen, _ = await serve(bedrock_config(), stream_body(*frames[:2], bytes(broken)))
    assert isinstance(seen.raised, errors.ProviderRequestError)
    assert "malformed stream" in str(seen.raised)


async def test_rejected_key_is_an_auth_error_without_the_key() -> None:
    denied = httpx.Response(
        403,
        headers={"x-amzn-errortype": "AccessDeniedException"},
        json={"message": f"Invalid API key {SECRET}"},
    )
    seen, _ = await serve(bedrock_config(), denied)
    assert isinstance(seen.raised, errors.AuthError)
    assert SECRET not in str(seen.raised)


async def test_missing_botocore_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "botocore" or m.startswith("botocore.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(errors.UnsupportedProviderError, match=r"lace-tui\[aws\]"):
        create_client(bedrock_config())


async def test_discovery_lists_profiles_then_foundation_models() -> None:
    control = "https://bedrock.us-west-2.amazonaws.com"
    async with respx.mock(assert_all_called=True) as router:
        router.get(f"{control}/inference-profiles").mock(
            return_value=httpx.Response(
                200,
                json={
                    "inferenceProfileSummaries": [
                        {"inferenceProfileId": MODEL, "inferenceProfileName": "Haiku"}
                    ]
                },
            )
        )
        models = router.get(f"{control}/foundation-models").mock(
            return_value=httpx.Response(
                200, json={"modelSummaries": [{"modelId": "amazon.nova-lite-v1:0"}]}
            )
        )
        async with create_client(bedrock_config()) as client:
            found = await client.list_models()
            result = await client.test_connection()
    assert [m.id for m in found] == [MODEL, "amazon.nova-lite-v1:0"]
    assert models.calls.last.request.url.params["byOutputModality"] == "TEXT"
    assert result.state == "connected"
