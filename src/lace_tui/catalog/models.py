"""Catwalk's provider schema as pydantic models (lenient: unknown keys kept, missing flags false).

Catwalk's cached prices are named confusingly: `cost_per_1m_in_cached` is the price of writing
to the prompt cache and `cost_per_1m_out_cached` the price of reading from it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from lace_tui.catalog.constants import CHAT_TYPES as CHAT_TYPES

# Validation context key for upstream (Catwalk) data: `{UPSTREAM_DATA: True}` makes a default
# model id that names none of the provider's models be dropped instead of rejected, since one
# stale default (Catwalk's own pioneer.json has two) should not hide a whole provider. User files
# are validated without it, so the same mistake there is reported.
UPSTREAM_DATA = "lace_upstream_data"

# CHAT_TYPES (catalog types with a streaming client; others stay browsable but cannot chat) is
# defined in constants.py, which the app's first frame reads without importing pydantic.


class Model(BaseModel):
    """One model of a provider, with prices in USD per million tokens."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    name: str = ""
    # None is an unknown price (not $0). NaN, infinite or negative values are rejected: they
    # would poison sorting, price filters and cost sums.
    cost_per_1m_in: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    cost_per_1m_out: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    cost_per_1m_in_cached: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    cost_per_1m_out_cached: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    context_window: int = Field(default=0, ge=0)  # 0: not stated
    default_max_tokens: int = Field(default=0, ge=0)  # 0: not stated
    can_reason: bool = False
    reasoning_levels: list[str] = Field(default_factory=list)
    default_reasoning_effort: str = ""
    supports_attachments: bool = False
    options: dict[str, object] = Field(default_factory=dict)
    # Which OpenAI API serves the model: "responses" for the models OpenAI serves only by its
    # Responses API; empty (or "chat") for Chat Completions. Our catalog overrides set it for
    # the shipped models (data/catalogs/lace-overrides.toml); user catalog files may set it.
    wire_api: str = ""

    @field_validator("can_reason", "supports_attachments", mode="before")
    @classmethod
    def _null_is_false(cls, value: object) -> object:
        return False if value is None else value

    @field_validator("reasoning_levels", mode="before")
    @classmethod
    def _null_is_empty_list(cls, value: object) -> object:
        return [] if value is None else value

    @field_validator("options", mode="before")
    @classmethod
    def _null_is_empty_dict(cls, value: object) -> object:
        return {} if value is None else value

    @field_validator("context_window", "default_max_tokens", mode="before")
    @classmethod
    def _null_is_zero(cls, value: object) -> object:
        return 0 if value is None else value

    @field_validator("name", "default_reasoning_effort", "wire_api", mode="before")
    @classmethod
    def _null_is_empty_str(cls, value: object) -> object:
        return "" if value is None else value

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def has_price(self) -> bool:
        return self.cost_per_1m_in is not None and self.cost_per_1m_out is not None


class Provider(BaseModel):
    """One provider and its models, as in a Catwalk JSON file."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    name: str = ""
    type: str = Field(min_length=1)
    api_key: str = ""
    api_endpoint: str = ""
    default_large_model_id: str = ""
    default_small_model_id: str = ""
    default_headers: dict[str, str] = Field(default_factory=dict)
    models: list[Model] = Field(default_factory=list)

    @field_validator(
        "name",
        "api_key",
        "api_endpoint",
        "default_large_model_id",
        "default_small_model_id",
        mode="before",
    )
    @classmethod
    def _null_is_empty_str(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("default_headers", mode="before")
    @classmethod
    def _null_is_empty_dict(cls, value: object) -> object:
        return {} if value is None else value

    @field_validator("models", mode="before")
    @classmethod
    def _null_is_empty_list(cls, value: object) -> object:
        return [] if value is None else value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Provider:
        seen: set[str] = set()
        for model in self.models:
            if model.id in seen:
                raise ValueError(f"duplicate model id {model.id!r}")
            seen.add(model.id)
        context = info.context
        upstream = isinstance(context, dict) and context.get(UPSTREAM_DATA) is True
        for field in ("default_large_model_id", "default_small_model_id"):
            model_id = getattr(self, field)
            if model_id and self.models and model_id not in seen:
                if not upstream:
                    raise ValueError(f"{field} {model_id!r} is not one of the provider's models")
                setattr(self, field, "")
        return self

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def can_chat(self) -> bool:
        return self.type in CHAT_TYPES

    @property
    def api_key_env(self) -> str | None:
        """The environment variable the catalog names for the key (`$VAR`), if any."""
        if self.api_key.startswith("$") and len(self.api_key) > 1:
            return self.api_key[1:]
        return None

    def model(self, model_id: str) -> Model | None:
        for model in self.models:
            if model.id == model_id:
                return model
        return None
