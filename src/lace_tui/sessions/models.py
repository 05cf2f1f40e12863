"""Sessions, their agents and messages, and usage totals: the shapes stored in sessions.db."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MessageStatus = Literal["streaming", "complete", "interrupted", "error"]
Role = Literal["user", "assistant"]

MESSAGE_STATUSES: tuple[MessageStatus, ...] = ("streaming", "complete", "interrupted", "error")
ROLES: tuple[Role, ...] = ("user", "assistant")

SESSION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_SESSION_ID_RE = re.compile(SESSION_ID_PATTERN)


def is_valid_session_id(value: str) -> bool:
    """Whether a user-given session id is acceptable (letters, digits, `.`, `_`, `-`; 1-64)."""
    return _SESSION_ID_RE.fullmatch(value) is not None


class Session(BaseModel):
    """A conversation holding one or more agents. Timestamps are ISO 8601 UTC strings."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = ""
    created_at: str
    updated_at: str
    archived: bool = False


class Agent(BaseModel):
    """One participant of a session, bound to an (instance, model) pair that can be switched."""

    model_config = ConfigDict(extra="forbid")

    id: str
    session_id: str
    name: str
    instance_id: str
    model_id: str
    system_prompt: str | None = None
    reasoning_effort: str | None = None
    position: int = 0
    created_at: str


class Message(BaseModel):
    """One user prompt or assistant reply of an agent, as stored (possibly still streaming).

    `cost_usd` is None when the price is unknown, never 0 for unknown. `model_id` and
    `instance_id` are those that produced the message, which outlive a model switch (after a
    fallback, `instance_id` is the instance that answered).
    Messages sent in one fan-out share a `turn_id`.
    """

    model_config = ConfigDict(extra="forbid")

    id: int
    agent_id: str
    role: Role
    content: str = ""
    reasoning: str = ""
    status: MessageStatus = "complete"
    error: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost_usd: float | None = None
    model_id: str
    instance_id: str
    created_at: str
    updated_at: str
    ttft_ms: int | None = None
    duration_ms: int | None = None
    turn_id: str | None = None
    # Instances that failed this reply before `instance_id` answered (fallback, #15): one
    # "INSTANCE: error" per line.
    failed_over: str | None = None


class UsageTotals(BaseModel):
    """Sums over messages. `cost_usd` is None only when no message has a known cost;
    `cost_complete` is False when some assistant message with tokens has an unknown cost,
    so the sum is a lower bound. `messages` counts every message, user and assistant."""

    model_config = ConfigDict(extra="forbid")

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float | None = None
    cost_complete: bool = True
    messages: int = 0


class SessionDetail(BaseModel):
    """A whole session: its agents in order, every message in order, and totals.

    `agent_totals` is keyed by agent id and has an entry for every agent.
    """

    model_config = ConfigDict(extra="forbid")

    session: Session
    agents: list[Agent] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    totals: UsageTotals = Field(default_factory=UsageTotals)
    agent_totals: dict[str, UsageTotals] = Field(default_factory=dict)
