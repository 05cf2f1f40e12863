"""Google Vertex AI: Gemini (a real aimock server's bytes), Claude on Vertex (Anthropic's own
SDK stream replayed at streamRawPredict, as Anthropic's "Claude on Vertex AI" guide shapes the
request), tokens from the user or from Application Default Credentials (google-auth, refreshed
against a loopback token endpoint), faults and discovery."""

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
from lace_tui.providers.base import ClientConfig
from lace_tui.providers.factory import create_client
from tests.providers.conftest import (
    FIXTURES,
    SECRET,
    ChunkedStream,
    chat_request,
    collect_stream,
    config_for,
    random_pieces,
)
from tests.support.fake_provider import FakeBehaviour, FakeProvider

AIMOCK = Path(__file__).resolve().parents[1] / "fixtures" / "aimock"
BASE = "https://us-east5-aiplatform.googleapis.com"
PUBLISHERS = f"{BASE}/v1/projects/my-proj/locations/us-east5/publishers"
SSE = {"content-type": "text/event-stream"}


@pytest.fixture(autouse=True)
def no_google_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No Google credentials of the machine running the tests may leak in."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    yield tmp_path


def vertex_config(
    api_key: str | None = SECRET, base_url: str = "", **settings: str
) -> ClientConfig:
    config = config_for("google-vertex", base_url, api_key=api_key)
    values = {"project": "my-proj", "location": "us-east5", **settings}
    return dataclasses.replace(config, settings=values)


@pytest.mark.parametrize("seed", [1, 2])
async def test_gemini_on_vertex_from_aimock(seed: int) -> None:
    body = (AIMOCK / "vertex_gemini_reasoning.sse").read_bytes()
    url = f"{PUBLISHERS}/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    async with respx.mock(assert_all_called=True) as router:
        route = router.post(url).mock(
            return_value=httpx.Response(
                200, headers=SSE, stream=ChunkedStream(random_pieces(body, seed, 30))
            )
        )
        async with create_client(vertex_config()) as client:
            seen = await collect_stream(client, chat_request("gemini-2.5-flash"))
    assert seen.raised is None
    assert (seen.reasoning, seen.text) == ("Let me think about it.", "The answer is 42.")
    assert [f.reason for f in seen.finishes] == ["stop"]
    assert route.calls.last.request.headers["authorization"] == f"Bearer {SECRET}"


async def test_claude_on_vertex_uses_stream_raw_predict() -> None:
    body = (FIXTURES / "anthropic" / "basic_response.txt").read_bytes()
    url = f"{PUBLISHERS}/anthropic/models/claude-sonnet-4-6:streamRawPredict"
    async with respx.mock(assert_all_called=True) as router:
        route = router.post(url).mock(return_value=httpx.Response(200, headers=SSE, content=body))
        async with create_client(vertex_config()) as client:
            seen = await collect_stream(client, chat_request("claude-sonnet-4-6", max_tokens=64))
    assert seen.raised is None
    assert seen.text
    assert seen.usage is not None and seen.usage.output_tokens
    sent = json.loads(route.calls.last.request.content)
    assert sent["anthropic_version"] == "vertex-2023-10-16"
    assert "model" not in sent
    assert sent["max_tokens"] == 64 and sent["stream"] is True


async def test_global_location_has_no_region_prefix() -> None:
    url = (
        "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/publishers/"
        "google/models/gemini-3-pro-preview:streamGenerateContent?alt=sse"
    )
    body = (AIMOCK / "vertex_gemini_reasoning.sse").read_bytes()
    async with respx.mock(assert_all_called=True) as router:
        router.post(url).mock(return_value=httpx.Response(200, headers=SSE, content=body))
        async with create_client(vertex_config(location="global")) as client:
            seen = await collect_stream(client, chat_request("gemini-3-pro-preview"))
    assert seen.raised is None


def test_a_project_is_required() -> None:
    config = dataclasses.replace(config_for("google-vertex", ""), settings={})
    with pytest.raises(errors.BadInputError, match="--project"):
        create_client(config)


async def test_expired_token_is_an_auth_error_without_it() -> None:
    url = f"{PUBLISHERS}/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    denied = {
        "error": {
            "code": 401,
            "message": "Request had invalid authentication credentials.",
            "status": "UNAUTHENTICATED",
        }
    }
    async with respx.mock() as router:
        router.post(url).mock(return_value=httpx.Response(401, json=denied))
        async with create_client(vertex_config()) as client:
            seen = await collect_stream(client, chat_request("gemini-2.5-flash"))
    assert isinstance(seen.raised, errors.AuthError)
    assert SECRET not in str(seen.raised)


async def test_no_application_default_credentials_is_one_clear_line() -> None:
    async with respx.mock(), create_client(vertex_config(api_key=None)) as client:
        seen = await collect_stream(client, chat_request("gemini-2.5-flash"))
    assert isinstance(seen.raised, errors.AuthError)
    message = str(seen.raised)
    assert "gcloud auth application-default login" in message and "\n" not in message


def write_service_account(path: Path, token_uri: str) -> None:
    """A service-account key file as Google issues it (a fresh RSA key), with a loopback
    token URI: google-auth signs a JWT with the key and trades it there for a token."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "my-proj",
        "private_key_id": "key-1",
        "private_key": pem,
        "client_email": "lace@my-proj.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info))


@pytest.mark.parametrize(("lifetime", "refreshes"), [(3600, 1), (60, 2)])
async def test_adc_token_is_fetched_and_refreshed_before_expiry(
    no_google_config: Path, monkeypatch: pytest.MonkeyPatch, lifetime: int, refreshes: int
) -> None:
    behaviour = FakeBehaviour(reply="From ADC.", token_lifetime=lifetime)
    with FakeProvider(behaviour) as server:
        adc = no_google_config / "adc.json"
        write_service_account(adc, f"{server.url}/token")
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
        config = vertex_config(api_key=None, base_url=server.url)
        async with create_client(config) as client:
            first = await collect_stream(client, chat_request("gemini-2.5-flash"))
            second = await collect_stream(client, chat_request("gemini-2.5-flash"))
    assert first.raised is None and second.raised is None
    assert first.text == second.text == "From ADC."
    token_calls = [r for r in server.requests if r.path.endswith("/token")]
    # A token within google-auth's refresh margin (a few minutes) is refreshed before use.
    assert len(token_calls) == refreshes
    chats = [r for r in server.requests if "streamGenerateContent" in r.path]
    assert {r.headers["authorization"] for r in chats} == {"Bearer ya29.fake-access-token"}


async def test_missing_google_auth_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "google" or m.startswith("google.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(errors.UnsupportedProviderError, match=r"lace-tui\[gcp\]"):
        create_client(vertex_config(api_key=None))


async def test_discovery_lists_gemini_and_claude_models() -> None:
    with FakeProvider(FakeBehaviour(models=["x"])) as server:
        async with create_client(vertex_config(base_url=server.url)) as client:
            found = await client.list_models()
            result = await client.test_connection()
    assert [m.id for m in found] == ["gemini-x", "claude-x"]
    assert result.state == "connected"
