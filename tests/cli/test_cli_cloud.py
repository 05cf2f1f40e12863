"""Bedrock, Vertex AI and Copilot instances end to end through the CLI: add and edit with
their settings, chat (a loopback server speaking their formats, or respx for GitHub), test,
and `instance login`."""

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import respx

from lace_tui.providers import copilot
from tests.cli.conftest import Result
from tests.support.fake_provider import FakeBehaviour, FakeProvider

Cli = Callable[..., Result]
TOKEN = "bedrock-api-key-0123456789abcdef"
HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


@pytest.fixture(autouse=True)
def no_cloud_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_BEARER_TOKEN_BEDROCK",
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_LOCATION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="Cloud hello.", models=["m1"])) as srv:
        yield srv


def last_reply(cli: Cli, result: Result) -> dict[str, object]:
    session_id = result.err.split("session: ")[1].split()[0]
    shown = cli("session", "show", session_id, "--json").json()
    assert isinstance(shown, dict)
    reply: dict[str, object] = shown["messages"][-1]
    return reply


def test_bedrock_with_an_api_key_from_the_environment(
    cli: Cli, server: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", TOKEN)
    added = cli(
        "instance",
        "add",
        "br",
        "--provider",
        "bedrock",
        "--region",
        "us-west-2",
        "--endpoint",
        server.url,
    )
    assert added.code == 0, added.err
    result = cli("chat", "--instance", "br", "--model", HAIKU, "hello")
    assert result.code == 0, result.err
    assert result.out == "Cloud hello.\n"
    sent = server.requests[-1]
    assert sent.path == "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    cost = last_reply(cli, result)["cost_usd"]
    assert isinstance(cost, float) and cost > 0
    tested = cli("instance", "test", "br")
    assert tested.code == 0, tested.err
    listed = cli("instance", "list", "--json")
    assert TOKEN not in listed.out
    entry = listed.json()[0]  # type: ignore[index]
    assert entry["settings"] == {"region": "us-west-2"}


def test_bedrock_signs_with_static_keys(
    cli: Cli, server: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example")
    cli("instance", "add", "eu", "--provider", "bedrock-europe", "--endpoint", server.url)
    result = cli("chat", "--instance", "eu", "--model", "eu.anthropic.claude-sonnet-4-6", "hi")
    assert result.code == 0, result.err
    auth = server.requests[-1].headers["authorization"]
    # No region anywhere: the Europe provider's own default.
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-central-1/bedrock/aws4_request" in auth


def test_bedrock_without_credentials_is_one_line(cli: Cli, server: FakeProvider) -> None:
    cli("instance", "add", "br", "--provider", "bedrock", "--endpoint", server.url)
    result = cli("chat", "--instance", "br", "--model", HAIKU, "hello")
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1
    assert lines[0].startswith("error: instance 'br': no AWS credentials found")


def test_cloud_settings_are_edited_cleared_and_validated(cli: Cli, home: Path) -> None:
    added = cli(
        "instance",
        "add",
        "br",
        "--provider",
        "bedrock",
        "--region",
        "us-east-2",
        "--aws-profile",
        "work",
    )
    assert added.code == 0, added.err
    assert cli("instance", "edit", "br", "--region", "").code == 0
    settings = cli("instance", "list", "--json").json()[0]["settings"]  # type: ignore[index]
    assert settings == {"aws_profile": "work"}
    before = (home / "instances.toml").read_bytes()
    bad = cli("instance", "edit", "br", "--region", "US East")
    assert bad.code == 2
    assert bad.err.startswith("error: invalid region")
    assert (home / "instances.toml").read_bytes() == before


def test_vertex_gemini_and_claude_with_a_token_variable(
    cli: Cli, server: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERTEX_TOKEN", "ya29.user-token")
    added = cli(
        "instance",
        "add",
        "vx",
        "--provider",
        "vertexai",
        "--project",
        "my-proj",
        "--location",
        "us-east5",
        "--api-key-env",
        "VERTEX_TOKEN",
        "--endpoint",
        server.url,
    )
    assert added.code == 0, added.err
    gemini = cli("chat", "--instance", "vx", "--model", "gemini-2.5-flash", "hello")
    assert gemini.code == 0, gemini.err
    assert gemini.out == "Cloud hello.\n"
    path = server.requests[-1].path
    assert path.startswith("/v1/projects/my-proj/locations/us-east5/publishers/google/models/")
    claude = cli("chat", "--instance", "vx", "--model", "claude-haiku-4-5-20251001", "hello")
    assert claude.code == 0, claude.err
    sent = server.requests[-1]
    assert sent.path.endswith(
        "/publishers/anthropic/models/claude-haiku-4-5-20251001:streamRawPredict"
    )
    assert isinstance(sent.body, dict) and sent.body["anthropic_version"] == "vertex-2023-10-16"
    assert sent.headers["authorization"] == "Bearer ya29.user-token"
    cost = last_reply(cli, claude)["cost_usd"]
    assert isinstance(cost, float) and cost > 0


def test_vertex_without_a_project_says_how_to_set_one(
    cli: Cli, server: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERTEX_TOKEN", "ya29.user-token")
    cli(
        "instance",
        "add",
        "vx",
        "--provider",
        "vertexai",
        "--endpoint",
        server.url,
        "--api-key-env",
        "VERTEX_TOKEN",
    )
    result = cli("chat", "--instance", "vx", "--model", "gemini-2.5-flash", "hello")
    assert result.code == 2
    assert "instance edit vx --project" in result.err


def test_copilot_login_then_chat(cli: Cli, home: Path) -> None:
    github_token = "gho_signedIn0123456789"
    assert cli("instance", "add", "cp", "--provider", "copilot").code == 0
    before = cli("chat", "--instance", "cp", "--model", "gpt-4.1", "hello")
    assert before.code == 1
    assert "not signed in to GitHub: run `lace-tui instance login cp`" in before.err
    with respx.mock(assert_all_called=True) as router:
        router.post(copilot.DEVICE_CODE_URL).mock(
            return_value=httpx.Response(
                200,
                json={
                    "device_code": "dc",
                    "user_code": "ABCD-1234",
                    "verification_uri": "https://github.com/login/device",
                    "expires_in": 900,
                    "interval": 0,
                },
            )
        )
        router.post(copilot.ACCESS_TOKEN_URL).mock(
            side_effect=[
                httpx.Response(200, json={"error": "authorization_pending"}),
                httpx.Response(200, json={"access_token": github_token}),
            ]
        )
        login = cli("instance", "login", "cp")
    assert login.code == 0, login.err
    assert "https://github.com/login/device" in login.out and "ABCD-1234" in login.out
    key_file = home / "credentials" / "cp.key"
    assert key_file.read_text() == github_token
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with respx.mock(assert_all_called=True) as router:
        router.get(copilot.TOKEN_EXCHANGE_URL).mock(
            return_value=httpx.Response(200, json={"token": "cop-token", "expires_at": 4102444800})
        )
        router.post("https://api.githubcopilot.com/chat/completions").mock(
            return_value=httpx.Response(
                200,
                headers={"content-type": "text/event-stream"},
                content=b'data: {"choices":[{"index":0,"delta":{"content":"Hi!"},'
                b'"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
            )
        )
        result = cli("chat", "--instance", "cp", "--model", "gpt-4.1", "hello")
    assert result.code == 0, result.err
    assert result.out == "Hi!\n"
    listed = cli("instance", "list", "--json")
    assert github_token not in listed.out and "cop-token" not in listed.out


def test_login_refuses_other_providers(cli: Cli) -> None:
    cli("instance", "add", "oa", "--provider", "openai")
    result = cli("instance", "login", "oa")
    assert result.code == 2
    assert "does not sign in with GitHub" in result.err


def test_shipped_cloud_providers_are_no_longer_browse_only(cli: Cli) -> None:
    listed = cli("catalog", "list", "--json").json()
    assert isinstance(listed, list)
    by_id = {p["id"]: p for p in listed}
    for provider_id in ("bedrock", "bedrock-europe", "vertexai", "copilot"):
        assert by_id[provider_id]["can_chat"] is True, provider_id
    assert "browse only" not in cli("catalog", "list").out
    assert json.dumps(listed)  # stays JSON
