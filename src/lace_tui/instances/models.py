"""An instance: how to reach one provider (endpoint, timeout, retries, headers)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

INSTANCE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
_INSTANCE_ID_RE = re.compile(INSTANCE_ID_PATTERN)
_ENV_VAR_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# RFC 9110 token characters: what a header name may contain.
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Headers that carry a key: they belong in the credential store, never in instances.toml.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key"}
)
# Query parameter names that carry a credential (`?key=...` for Gemini, `?access_token=...`).
_SECRET_PARAM_WORDS = ("key", "token", "secret", "password", "sig")


ID_RULE = (
    "not a valid instance id (1 to 63 lowercase letters, digits and '-', "
    "starting with a letter or digit)"
)


def is_valid_instance_id(value: str) -> bool:
    return _INSTANCE_ID_RE.fullmatch(value) is not None


def _is_control(char: str) -> bool:
    """A character that would break or split an HTTP header line (tab is allowed)."""
    return (ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F


class RetryPolicy(BaseModel):
    """Retries before the first token: attempts counts the first one."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_initial: float = Field(default=1.0, ge=0, le=60)
    backoff_max: float = Field(default=30.0, ge=0, le=600)


class Instance(BaseModel):
    """A configured connection to a catalog provider. Never holds the key itself."""

    # Input values stay out of error text: a key pasted into the wrong field must not be echoed.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    id: str = Field(pattern=INSTANCE_ID_PATTERN)
    name: str = ""
    provider: str = Field(min_length=1)
    endpoint: str | None = None
    timeout: float = Field(default=60.0, gt=0, le=3600)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    headers: dict[str, str] = Field(default_factory=dict)
    # Where the key comes from: a stored credential file, an environment variable, or none.
    api_key_env: str | None = None
    # Azure needs an API version beside the endpoint; other types ignore it.
    api_version: str | None = None
    # Model ids the user added by hand, beside catalog and discovered models.
    extra_models: list[str] = Field(default_factory=list)
    # Cloud settings: AWS Bedrock's region and named profile (~/.aws/config), Google Vertex
    # AI's project and location. None: the vendor's own chain (environment, config) decides.
    region: str | None = Field(default=None, pattern=r"^[a-z0-9-]{1,40}$")
    aws_profile: str | None = Field(default=None, pattern=r"^[\w+=,.@-]{1,64}$")
    project: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.:-]{0,62}$")
    location: str | None = Field(default=None, pattern=r"^[a-z0-9-]{1,40}$")

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint {value!r} is not an http(s) URL")
        from urllib.parse import parse_qsl

        secret_params = [
            name
            for name, _ in parse_qsl(parts.query, keep_blank_values=True)
            if any(word in name.lower() for word in _SECRET_PARAM_WORDS)
        ]
        if parts.password is not None or secret_params:
            # Said without the URL: it holds a secret.
            raise ValueError(
                "the endpoint holds a password or key, and instances.toml never stores secrets: "
                "store the key apart (--api-key-stdin or --api-key-env)"
            )
        return value

    @field_validator("headers")
    @classmethod
    def _headers_are_plain(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header_value in value.items():
            if not _HEADER_NAME_RE.fullmatch(name):
                raise ValueError(f"header name {name!r} is not a valid HTTP header name")
            if name.lower() in CREDENTIAL_HEADERS:
                raise ValueError(
                    f"header {name!r} carries a credential, and instances.toml never stores "
                    "secrets: store the key apart (--api-key-stdin or --api-key-env)"
                )
            if any(_is_control(char) for char in header_value):
                raise ValueError(f"the value of header {name!r} contains a control character")
        return value

    @field_validator("api_key_env", mode="before")
    @classmethod
    def _api_key_env_is_a_name(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().removeprefix("$")
            if value == "":
                return None
            if not _ENV_VAR_RE.fullmatch(value):
                # Never echo the value: it may be the key itself, pasted in the wrong place.
                raise ValueError(
                    "api_key_env must name an environment variable (letters, digits and '_'), "
                    "not hold the key"
                )
        return value

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def cloud_settings(self) -> dict[str, str]:
        """The cloud settings that are set, by field name."""
        values = {
            "region": self.region,
            "aws_profile": self.aws_profile,
            "project": self.project,
            "location": self.location,
        }
        return {key: value for key, value in values.items() if value}


KeySource = Literal["stored", "env", "none"]


class KeyStatus(BaseModel):
    """What the UI and `--json` may show about a key: never the key itself."""

    source: KeySource
    env_var: str | None = None
    available: bool
    masked: str | None = None


class ConnectionStatus(BaseModel):
    """The outcome of the last connection test of an instance."""

    state: Literal["connected", "auth_failed", "unreachable", "timed_out", "error"]
    message: str = ""
    latency_ms: float | None = None
    tested_at: str  # ISO 8601, UTC


def describe_invalid(exc: ValidationError) -> str:
    """The first problem of an Instance's validation error as one line (`invalid field:
    message`), never repeating the value that was typed."""
    first = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "instance"
    if first["type"] == "string_pattern_mismatch" and field == "id":
        return f"invalid id: {ID_RULE}"
    return f"invalid {field}: {str(first['msg']).removeprefix('Value error, ')}"
