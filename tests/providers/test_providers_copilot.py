"""GitHub Copilot: the device flow and the token exchange, replayed with respx in the shapes
of GitHub's docs ("Authorizing OAuth apps", device flow) and of the Copilot token endpoint."""

from __future__ import annotations

import time

import httpx
import pytest
import respx

from lace_tui import errors
from lace_tui.providers import copilot
from lace_tui.providers.factory import create_client
from tests.providers.conftest import SleepRecorder, chat_request, collect_stream, config_for

BASE = "https://api.githubcopilot.com"
GITHUB_TOKEN = "gho_githubTOKEN0123456789"
COPILOT_TOKEN = "tid=abc;exp=1;sku=free;proxy-ep=proxy.individual.githubcopilot.com;8kp=1:sig"
DEVICE = {
    "device_code": "3584d83530557fdd1f46af8289938c8ef79f9dc5",
    "user_code": "WDJB-MJHT",
    "verification_uri": "https://github.com/login/device",
    "expires_in": 900,
    "interval": 5,
}
CHAT_SSE = (
    b'data: {"choices":[{"index":0,"delta":{"content":"Hi from Copilot"},'
    b'"finish_reason":"stop"}]}\n\n'
    b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}\n\n'
    b"data: [DONE]\n\n"
)


def exchange_answer(expires_in: float = 1500) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "token": COPILOT_TOKEN,
            "expires_at": int(time.time() + expires_in),
            "refresh_in": 1500,
            "endpoints": {"api": "https://api.individual.githubcopilot.com"},
        },
    )


async def test_device_flow_waits_slows_down_and_returns_the_token() -> None:
    sleeps = SleepRecorder()
    async with respx.mock(assert_all_called=True) as router:
        device = router.post(copilot.DEVICE_CODE_URL).mock(
            return_value=httpx.Response(200, json=DEVICE)
        )
        router.post(copilot.ACCESS_TOKEN_URL).mock(
            side_effect=[
                httpx.Response(200, json={"error": "authorization_pending"}),
                httpx.Response(200, json={"error": "slow_down", "interval": 10}),
                httpx.Response(
                    200,
                    json={"access_token": GITHUB_TOKEN, "token_type": "bearer", "scope": ""},
                ),
            ]
        )
        async with httpx.AsyncClient() as http:
            code = await copilot.start_device_flow(http, "cp")
            token = await copilot.poll_for_token(http, code, "cp", sleeps)
    assert (code.user_code, code.verification_uri) == (
        "WDJB-MJHT",
        "https://github.com/login/device",
    )
    assert token == GITHUB_TOKEN
    assert sleeps.delays == [5, 5, 10]
    assert b"client_id=Iv1.b507a08c87ecfe98" in device.calls.last.request.content


@pytest.mark.parametrize(
    ("answer", "needle"), [("expired_token", "expired"), ("access_denied", "declined")]
)
async def test_device_flow_ends_clearly(answer: str, needle: str) -> None:
    code = copilot.DeviceCode("d", "U-1", "https://github.com/login/device", 900, 0)
    async with respx.mock() as router, httpx.AsyncClient() as http:
        router.post(copilot.ACCESS_TOKEN_URL).mock(
            return_value=httpx.Response(200, json={"error": answer})
        )
        with pytest.raises(errors.AuthError, match=needle):
            await copilot.poll_for_token(http, code, "cp", SleepRecorder())


async def test_chat_exchanges_the_token_once_and_sends_copilot_headers() -> None:
    config = config_for("copilot", BASE, api_key=GITHUB_TOKEN)
    async with respx.mock(assert_all_called=True) as router:
        exchange = router.get(copilot.TOKEN_EXCHANGE_URL).mock(return_value=exchange_answer())
        chat = router.post(f"{BASE}/chat/completions").mock(
            side_effect=lambda request: httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=CHAT_SSE
            )
        )
        async with create_client(config) as client:
            first = await collect_stream(client, chat_request("gpt-4.1"))
            second = await collect_stream(client, chat_request("gpt-4.1"))
    assert first.text == second.text == "Hi from Copilot"
    assert first.usage is not None and first.usage.output_tokens == 4
    assert exchange.call_count == 1
    assert exchange.calls.last.request.headers["authorization"] == f"token {GITHUB_TOKEN}"
    sent = chat.calls.last.request.headers
    assert sent["authorization"] == f"Bearer {COPILOT_TOKEN}"
    assert sent["copilot-integration-id"] == "vscode-chat"
    assert sent["editor-version"].startswith("vscode/")


async def test_a_token_about_to_expire_is_exchanged_again() -> None:
    config = config_for("copilot", BASE, api_key=GITHUB_TOKEN)
    async with respx.mock() as router:
        exchange = router.get(copilot.TOKEN_EXCHANGE_URL).mock(
            return_value=exchange_answer(expires_in=30)
        )
        router.post(f"{BASE}/chat/completions").mock(
            side_effect=lambda request: httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=CHAT_SSE
            )
        )
        async with create_client(config) as client:
            await collect_stream(client, chat_request("gpt-4.1"))
            await collect_stream(client, chat_request("gpt-4.1"))
    assert exchange.call_count == 2


@pytest.mark.parametrize(("status", "needle"), [(401, "sign in again"), (404, "no Copilot")])
async def test_refused_exchange_says_what_to_do_without_the_token(status: int, needle: str) -> None:
    config = config_for("copilot", BASE, api_key=GITHUB_TOKEN)
    async with respx.mock() as router:
        router.get(copilot.TOKEN_EXCHANGE_URL).mock(
            return_value=httpx.Response(status, json={"message": f"Bad {GITHUB_TOKEN}"})
        )
        async with create_client(config) as client:
            seen = await collect_stream(client, chat_request("gpt-4.1"))
            tested = await client.test_connection()
    assert isinstance(seen.raised, errors.AuthError)
    assert needle in str(seen.raised) and "instance login work" in str(seen.raised)
    assert GITHUB_TOKEN not in str(seen.raised)
    assert tested.state == "auth_failed"


async def test_not_signed_in_says_to_log_in() -> None:
    config = config_for("copilot", BASE, api_key=None)
    async with respx.mock(), create_client(config) as client:
        seen = await collect_stream(client, chat_request("gpt-4.1"))
    assert isinstance(seen.raised, errors.AuthError)
    assert "lace-tui instance login work" in str(seen.raised)
