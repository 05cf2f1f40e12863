"""Usage reports (`lace-tui usage`, the app's Usage section) and spend per instance for budgets.

Periods are the user's local calendar days: `--since 2026-12-01` starts at local midnight and
`--until 2026-12-07` takes in the whole of that day. They are turned into UTC bounds, the form
replies are stored with, so the index on their time serves the range.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from lace_tui.errors import BadInputError
from lace_tui.instances.models import Instance
from lace_tui.sessions.store import SessionStore
from lace_tui.sessions.usage import (
    NANO,
    UsageSums,
    reply_time_span,
    sums_by_agent,
    sums_by_range,
)

UsageGrouping = Literal["day", "instance", "provider", "model", "session"]
USAGE_GROUPINGS: tuple[UsageGrouping, ...] = ("day", "instance", "provider", "model", "session")


class UsageGroup(BaseModel):
    """One row of a report: `key` is a day (YYYY-MM-DD), an instance, provider, model or
    session id; `label` a title or name where there is one."""

    key: str
    label: str = ""
    replies: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float | None = None
    cost_complete: bool = True
    unknown_cost_replies: int = 0
    estimated_cost_usd: float = 0.0
    estimated_cost_replies: int = 0


class UsageReport(BaseModel):
    """Groups in report order and the total over every reply in the period."""

    by: UsageGrouping
    since: str | None = None
    until: str | None = None
    groups: list[UsageGroup] = Field(default_factory=list)
    total: UsageGroup


class Spend(BaseModel):
    """What an instance's replies cost today and this month (local time), known part only;
    `unknown_replies` counts those whose cost is not known in that month."""

    today_usd: float = 0.0
    month_usd: float = 0.0
    unknown_replies: int = 0


def parse_day(value: str, option: str) -> date:
    """A YYYY-MM-DD date typed by the user; BadInputError naming the option otherwise."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(f"{option} wants a date as YYYY-MM-DD, got {value!r}") from None


def utc_bound(day: date) -> str:
    """Local midnight starting `day`, as a stored (UTC, fixed-width) timestamp."""
    local = datetime.combine(day, time()).astimezone()  # naive means local here
    return local.astimezone(UTC).strftime(_STORED)


_STORED = "%Y-%m-%dT%H:%M:%S.%fZ"  # as sessions/store.py writes created_at


def _as_group(key: str, sums: UsageSums, label: str = "") -> UsageGroup:
    return UsageGroup(
        key=key,
        label=label,
        replies=sums.replies,
        input_tokens=sums.input_tokens,
        output_tokens=sums.output_tokens,
        cache_read_tokens=sums.cache_read_tokens,
        cache_write_tokens=sums.cache_write_tokens,
        reasoning_tokens=sums.reasoning_tokens,
        cost_usd=sums.cost_usd,
        cost_complete=sums.unknown_cost_replies == 0,
        unknown_cost_replies=sums.unknown_cost_replies,
        estimated_cost_usd=sums.estimated_cost_nanos / NANO,
        estimated_cost_replies=sums.estimated_cost_replies,
    )


AgentKey = tuple[str, str, str]  # agent, instance, model


def _fold(
    sums: Mapping[AgentKey, UsageSums], key_of: Callable[[AgentKey], str]
) -> dict[str, UsageSums]:
    folded: dict[str, UsageSums] = {}
    for key, value in sums.items():
        target = key_of(key)
        folded[target] = folded[target].plus(value) if target in folded else value
    return folded


class UsageService:
    """Reports over the sessions database; `providers` maps instance ids to provider ids."""

    def __init__(self, store: SessionStore, providers: Callable[[], Mapping[str, str]]) -> None:
        self.store = store
        self.providers = providers

    def report(
        self, by: UsageGrouping = "day", since: date | None = None, until: date | None = None
    ) -> UsageReport:
        """Tokens and cost per group over replies from `since` to `until` (inclusive, local
        days). Groups add up exactly to the total (see sessions/usage.py)."""
        if since is not None and until is not None and until < since:
            raise BadInputError(f"--until {until} is before --since {since}")
        lower = utc_bound(since) if since is not None else None
        upper = utc_bound(until + timedelta(days=1)) if until is not None else None
        labels: dict[str, str] = {}
        if by == "day":
            sums = self._by_day(lower, upper)
        else:
            per_agent = self.store.read_usage(lambda conn: sums_by_agent(conn, lower, upper))
            if by == "session":
                sessions = self.store.agent_sessions()
                labels = {session_id: title for session_id, title in sessions.values()}
                sums = _fold(per_agent, lambda key: sessions.get(key[0], ("?", ""))[0])
            elif by == "provider":
                # A removed instance's replies still count, under an unknown provider.
                providers = self.providers()
                sums = _fold(per_agent, lambda key: providers.get(key[1], "?"))
            else:
                sums = _fold(per_agent, lambda key: key[1] if by == "instance" else key[2])
        total = UsageSums()
        for value in sums.values():
            total = total.plus(value)
        groups = [_as_group(key, value, labels.get(key, "")) for key, value in sums.items()]
        if by == "day":
            groups.sort(key=lambda group: group.key)
        else:
            groups.sort(key=lambda group: (-(group.cost_usd or 0.0), -group.replies, group.key))
        return UsageReport(
            by=by,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            groups=groups,
            total=_as_group("total", total),
        )

    def _by_day(self, lower: str | None, upper: str | None) -> dict[str, UsageSums]:
        """One range query per local day between the first and last reply: nothing sorted."""

        def query(conn: sqlite3.Connection) -> dict[str, UsageSums]:
            span = reply_time_span(conn, lower, upper)
            if span is None:
                return {}
            day, last = (_local_day(stamp) for stamp in span)
            ranges: list[tuple[str, str, str]] = []
            while day <= last:
                following = day + timedelta(days=1)
                ranges.append((day.isoformat(), utc_bound(day), utc_bound(following)))
                day = following
            return sums_by_range(conn, ranges)

        return self.store.read_usage(query)

    def cap_status(self, instance: Instance) -> tuple[str, str] | None:
        """Spend against the instance's caps for the chat header (services/usage_format.py's
        `cap_status`), or None when it has no cap."""
        if instance.daily_budget is None and instance.monthly_budget is None:
            return None
        from lace_tui.services.usage_format import cap_status

        spend = self.spend(instance.id)
        return cap_status(spend, instance.daily_budget, instance.monthly_budget)

    def spend(self, instance_id: str, today: date | None = None) -> Spend:
        """The instance's known spend today and this month (local days), for budgets."""
        today = today or date.today()
        tomorrow = utc_bound(today + timedelta(days=1))
        ranges = [
            ("today", utc_bound(today), tomorrow),
            ("month", utc_bound(today.replace(day=1)), tomorrow),
        ]
        sums = self.store.read_usage(lambda conn: sums_by_range(conn, ranges, instance_id))
        day = sums.get("today", UsageSums())
        month = sums.get("month", UsageSums())
        return Spend(
            today_usd=day.cost_nanos / NANO,
            month_usd=month.cost_nanos / NANO,
            unknown_replies=month.unknown_cost_replies,
        )


def _local_day(stamp: str) -> date:
    """The user's local calendar day of a stored UTC timestamp."""
    return datetime.fromisoformat(stamp).astimezone().date()
