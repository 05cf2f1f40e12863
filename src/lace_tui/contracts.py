"""Shapes several layers share (bottom layer): the instance model, the providers and the
catalog all use these, so none of them has to import another for them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The outcome of a connection test, as providers report it and instances keep it.
ConnectionState = Literal["connected", "auth_failed", "unreachable", "timed_out", "error"]


class RetryPolicy(BaseModel):
    """Retries before the first token: attempts counts the first one."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_initial: float = Field(default=1.0, ge=0, le=60)
    backoff_max: float = Field(default=30.0, ge=0, le=600)


class DiscoveredModel(BaseModel):
    """A model a provider's model list names (what discovery found)."""

    id: str
    name: str = ""
    context_window: int | None = None
