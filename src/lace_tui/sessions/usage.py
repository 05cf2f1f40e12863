"""Usage sums over stored replies, aggregated in SQL (the `messages_usage` index covers them).

Costs are summed as whole nano-dollars: integer sums are exact and associative, so groups add
up to the total to the last digit whatever their order, and folding groups (agents into
sessions, instances into providers) in Python loses nothing.

A reply's cost is one of: known (stored), or unknown (no price, or no usage reported while the
reply may have been charged). Unknown is counted apart, never as $0.
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from pydantic import BaseModel

NANO = 1_000_000_000

# What one SQL group is keyed by; sessions and providers are folded from agents and instances.
SqlGrouping = Literal["day", "instance", "model", "agent", "none"]

_GROUP_COLUMN: dict[SqlGrouping, str] = {
    # A day is the user's local calendar day (SQLite and Python share the C library's zone).
    "day": "date(m.created_at, 'localtime')",
    "instance": "m.instance_id",
    "model": "m.model_id",
    "agent": "m.agent_id",
    "none": "''",
}

_TOKENS = "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens"
_ANY_TOKENS = " + ".join(f"COALESCE(m.{name}, 0)" for name in _TOKENS.split(", "))

# #14: an index holding every column the sums read, so a report never touches the table's
# text; partial (assistant replies only), since prompts carry no usage.
USAGE_INDEX = (
    "CREATE INDEX messages_usage ON messages"
    f" (created_at, instance_id, model_id, agent_id, status, {_TOKENS}, cost_usd)"
    " WHERE role = 'assistant'"
)


class UsageSums(BaseModel):
    """Token and cost sums over replies.

    `cost_nanos` sums the known costs (in 1e-9 USD); `unknown_cost_replies` counts the replies
    whose cost is not known (no price, or no usage reported): the cost is a lower bound when
    it is above zero. `estimated_*` is the part of the known cost that is an estimate.
    """

    replies: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    known_cost_replies: int = 0
    cost_nanos: int = 0
    unknown_cost_replies: int = 0
    estimated_cost_replies: int = 0
    estimated_cost_nanos: int = 0

    def plus(self, other: UsageSums) -> UsageSums:
        """Both sums added field by field (exact: every field is an integer)."""
        return UsageSums.model_validate(
            {name: getattr(self, name) + getattr(other, name) for name in UsageSums.model_fields}
        )

    @property
    def cost_usd(self) -> float | None:
        """The known cost in USD; None when no reply's cost is known (never $0 for unknown)."""
        return self.cost_nanos / NANO if self.known_cost_replies else None


def query_usage(
    conn: sqlite3.Connection,
    grouping: SqlGrouping,
    *,
    since: str | None = None,
    until: str | None = None,
    instance_id: str | None = None,
) -> dict[str, UsageSums]:
    """Sums per group over assistant replies created in [since, until) (ISO UTC strings)."""
    column = _GROUP_COLUMN[grouping]
    where = ["m.role = 'assistant'"]
    params: list[str] = []
    if since is not None:
        where.append("m.created_at >= ?")
        params.append(since)
    if until is not None:
        where.append("m.created_at < ?")
        params.append(until)
    if instance_id is not None:
        where.append("m.instance_id = ?")
        params.append(instance_id)
    estimated = _estimated_expression(conn)
    rows = conn.execute(
        f"""
        SELECT {column} AS grp,
            COUNT(*) AS replies,
            COALESCE(SUM(m.input_tokens), 0) AS input_tokens,
            COALESCE(SUM(m.output_tokens), 0) AS output_tokens,
            COALESCE(SUM(m.cache_read_tokens), 0) AS cache_read_tokens,
            COALESCE(SUM(m.cache_write_tokens), 0) AS cache_write_tokens,
            COALESCE(SUM(m.reasoning_tokens), 0) AS reasoning_tokens,
            COUNT(m.cost_usd) AS known_cost_replies,
            COALESCE(SUM(CAST(ROUND(m.cost_usd * {NANO}) AS INTEGER)), 0) AS cost_nanos,
            COALESCE(SUM(m.cost_usd IS NULL AND (m.status <> 'error' OR {_ANY_TOKENS} > 0)), 0)
                AS unknown_cost_replies,
            COALESCE(SUM({estimated}), 0) AS estimated_cost_replies,
            COALESCE(SUM(CASE WHEN {estimated}
                THEN CAST(ROUND(m.cost_usd * {NANO}) AS INTEGER) ELSE 0 END), 0)
                AS estimated_cost_nanos
        FROM messages m INDEXED BY messages_usage
        WHERE {" AND ".join(where)}
        GROUP BY grp
        """,
        params,
    ).fetchall()
    result: dict[str, UsageSums] = {}
    for row in rows:
        data = dict(row)
        result[str(data.pop("grp"))] = UsageSums.model_validate(data)
    return result


def _estimated_expression(conn: sqlite3.Connection) -> str:
    """Whether a reply's stored cost is an estimate, once replies record their cost's source."""
    columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(messages)").fetchall()}
    if "cost_source" in columns:
        return "(m.cost_usd IS NOT NULL AND m.cost_source = 'estimate')"
    return "0"
