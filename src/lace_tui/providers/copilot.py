"""GitHub Copilot: a GitHub sign-in (OAuth device flow), exchanged for a short-lived Copilot
token, then Chat Completions (and the Responses API) at https://api.githubcopilot.com.

The device flow is GitHub's ("Authorizing OAuth apps", device flow): POST
github.com/login/device/code, show the user code and URL, poll github.com/login/oauth/
access_token. The GitHub token is stored like any key (credentials/<id>.key, 0600). Before a
request, GET api.github.com/copilot_internal/v2/token trades it for a Copilot token (`token`,
`expires_at`), kept in memory and traded again shortly before it expires. The client id and
the editor headers are those of GitHub's Copilot editor plugins, which every third-party
Copilot client (copilot.vim, Zed, LiteLLM) sends: Copilot refuses other OAuth apps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass

import httpx

from lace_tui import __version__, errors
from lace_tui.providers.base import Sleep
from lace_tui.providers.jsonshape import as_dict, get_int, get_str, loads
from lace_tui.providers.openai_chat import OpenAIChatClient

CLIENT_ID = "Iv1.b507a08c87ecfe98"
DEVICE_CODE_URL = "https://github.com/login/device/code"
ACCESS_TOKEN_URL = "https://github.com/login/oauth/access_token"
TOKEN_EXCHANGE_URL = "https://api.github.com/copilot_internal/v2/token"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# Catwalk's id for GitHub Copilot (type openai-compat there); a user catalog may also say
# `"type": "copilot"` for a provider of its own.
PROVIDER_IDS = frozenset({"copilot"})
EDITOR_HEADERS = {
    "editor-version": "vscode/1.99.0",
    "editor-plugin-version": f"lace-tui/{__version__}",
    "copilot-integration-id": "vscode-chat",
}
# Trade the Copilot token again this long before it expires.
REFRESH_MARGIN = 120.0


@dataclass(frozen=True)
class DeviceCode:
    """What the user needs to sign in: open `verification_uri`, enter `user_code`."""

    device_code: str
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int


async def start_device_flow(http: httpx.AsyncClient, label: str) -> DeviceCode:
    """Ask GitHub for a device code (scope read:user, as the editor plugins do)."""
    data = await _post_form(http, DEVICE_CODE_URL, {"client_id": CLIENT_ID, "scope": "read:user"})
    device_code = get_str(data, "device_code")
    user_code = get_str(data, "user_code")
    uri = get_str(data, "verification_uri")
    if not device_code or not user_code or not uri:
        raise errors.ProviderRequestError(
            f"instance '{label}': GitHub did not give a device code; try again later"
        )
    return DeviceCode(
        device_code=device_code,
        user_code=user_code,
        verification_uri=uri,
        expires_in=get_int(data, "expires_in") or 900,
        interval=get_int(data, "interval") or 5,
    )


async def poll_for_token(
    http: httpx.AsyncClient, code: DeviceCode, label: str, sleep: Sleep = asyncio.sleep
) -> str:
    """Poll until the user has signed in; the GitHub token. AuthError when the code expires or
    the user declines."""
    interval = float(code.interval)
    waited = 0.0
    form = {"client_id": CLIENT_ID, "device_code": code.device_code, "grant_type": DEVICE_GRANT}
    while waited <= code.expires_in:
        await sleep(interval)
        waited += interval
        data = await _post_form(http, ACCESS_TOKEN_URL, form)
        token = get_str(data, "access_token")
        if token:
            return token
        error = get_str(data, "error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval = float(get_int(data, "interval") or interval + 5)
            continue
        if error == "access_denied":
            raise errors.AuthError(f"instance '{label}': the GitHub sign-in was declined")
        if error != "expired_token":
            raise errors.AuthError(
                f"instance '{label}': GitHub refused the sign-in ({error or 'no token'}); "
                f"try `lace-tui instance login {label}` again"
            )
        break
    raise errors.AuthError(
        f"instance '{label}': the sign-in code expired before it was used; "
        f"run `lace-tui instance login {label}` again"
    )


async def _post_form(http: httpx.AsyncClient, url: str, form: dict[str, str]) -> dict[str, object]:
    try:
        response = await http.post(url, data=form, headers={"accept": "application/json"})
    except httpx.HTTPError as exc:
        raise errors.UnreachableError(
            f"cannot reach GitHub ({type(exc).__name__}): check the network and try again"
        ) from None
    try:
        data = as_dict(loads(response.content))
    except ValueError:
        data = None
    if data is None or response.status_code >= 400:
        raise errors.ProviderRequestError(
            f"GitHub answered {response.status_code} to the sign-in request; try again later"
        )
    return data


class CopilotAuth(httpx.Auth):
    """Trades the GitHub token for a Copilot token (one extra request, by this same flow) when
    there is none or it is about to expire, and sends it as the bearer token."""

    def __init__(self, label: str, github_token: str | None) -> None:
        self._label = label
        self._github_token = github_token
        self._token: str | None = None
        self._expires_at = 0.0

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise NotImplementedError("Copilot requests are made with httpx.AsyncClient")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._github_token is None:
            raise errors.AuthError(
                f"instance '{self._label}': not signed in to GitHub: run "
                f"`lace-tui instance login {self._label}`"
            )
        if self._token is None or time.time() > self._expires_at - REFRESH_MARGIN:
            exchange = httpx.Request(
                "GET",
                TOKEN_EXCHANGE_URL,
                headers={
                    "authorization": f"token {self._github_token}",
                    "accept": "application/json",
                    "user-agent": request.headers.get("user-agent", "lace-tui"),
                    **EDITOR_HEADERS,
                },
            )
            response = yield exchange
            await response.aread()
            self._take(response)
        request.headers["authorization"] = f"Bearer {self._token}"
        yield request

    def _take(self, response: httpx.Response) -> None:
        login = f"`lace-tui instance login {self._label}`"
        if response.status_code in (401, 403):
            raise errors.AuthError(
                f"instance '{self._label}': GitHub did not accept the sign-in for Copilot "
                f"({response.status_code}): sign in again with {login}"
            )
        if response.status_code == 404:
            raise errors.AuthError(
                f"instance '{self._label}': this GitHub account has no Copilot access (404): "
                f"check the subscription, or sign in with another account with {login}"
            )
        try:
            data = as_dict(loads(response.content)) or {}
        except ValueError:
            data = {}
        token = get_str(data, "token") if response.status_code == 200 else None
        if not token:
            raise errors.ProviderRequestError(
                f"instance '{self._label}': the Copilot token exchange failed "
                f"({response.status_code}); try again later"
            )
        self._token = token
        self._expires_at = float(get_int(data, "expires_at") or time.time() + 600)


class CopilotClient(OpenAIChatClient):
    """Chat Completions at Copilot's endpoint, with the Copilot token and editor headers."""

    def auth_headers(self) -> dict[str, str]:
        return dict(EDITOR_HEADERS)

    def http_auth(self) -> httpx.Auth | None:
        return CopilotAuth(self.config.label, self.config.api_key)
