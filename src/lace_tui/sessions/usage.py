"""Usage sums over stored replies, aggregated in SQL over two covering indexes.

Two indexes, because SQLite sorts every row for a GROUP BY its index does not already order
(that sort cost more than the sums themselves over 100,000 replies, see bench/bench_usage.py):

- `messages_usage_by_time` (created_at first) answers "from this time to that one": a budget
  check, and a report by day, run as one range query per local day, so nothing is sorted.
- `messages_usage_by_agent` (agent, instance, model first) gives every other grouping in index
  order; sessions, instances, providers and models are folded from its groups in Python.

Both are partial (assistant replies only: prompts carry no usage) and hold every column the
sums read, so a report never touches the table's text.

Costs are summed as whole nano-dollars: integer sums are exact and associative, so groups add
up to the total to the last digit whatever the order. A reply's cost is known (stored) or
unknown: no price, no usage reported, or a failed or stopped reply whose prompt may have been
charged though nobody said. Unknown is counted apart, never as $0.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields

NANO = 1_000_000_000

_COVERED = (
    "status, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,"
    " reasoning_tokens, cost_usd"
)
# #14: the migration's statements (sessions/store.py appends them as one entry).
USAGE_INDEXES = (
    "CREATE INDEX messages_usage_by_time ON messages"
    f" (created_at, instance_id, model_id, agent_id, {_COVERED}) WHERE role = 'assistant'",
    "CREATE INDEX messages_usage_by_agent ON messages"
    f" (agent_id, instance_id, model_id, created_at, {_COVERED}) WHERE role = 'assistant'",
)


@dataclass(frozen=True, slots=True)
class UsageSums:
    """Token and cost sums over replies.

    `cost_nanos` sums the known costs (in 1e-9 USD); `unknown_cost_replies` counts the replies
    whose cost is not known: the cost is then a lower bound. `estimated_*` is the part of the
    known cost that is an estimate (once replies record their cost's source).
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
        return UsageSums(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))

    @property
    def cost_usd(self) -> float | None:
        """The known cost in USD; None when no reply's cost is known (never $0 for unknown)."""
        return self.cost_nanos / NANO if self.known_cost_replies else None


_FIELDS = tuple(field.name for field in fields(UsageSums))


def _values(sums: UsageSums) -> tuple[int, ...]:
    return tuple(getattr(sums, name) for name in _FIELDS)


def _sums_select(conn: sqlite3.Connection) -> str:
    nanos = f"CAST(ROUND(m.cost_usd * {NANO}) AS INTEGER)"
    estimated = _estimated_condition(conn)
    # FILTER clauses: far cheaper per row than SUM over a boolean expression.
    return f"""
        COUNT(*),
        COALESCE(SUM(m.input_tokens), 0),
        COALESCE(SUM(m.output_tokens), 0),
        COALESCE(SUM(m.cache_read_tokens), 0),
        COALESCE(SUM(m.cache_write_tokens), 0),
        COALESCE(SUM(m.reasoning_tokens), 0),
        COUNT(m.cost_usd),
        COALESCE(SUM({nanos}), 0),
        COUNT(*) - COUNT(m.cost_usd),
        {f"COUNT(*) FILTER (WHERE {estimated})" if estimated else "0"},
        {f"COALESCE(SUM({nanos}) FILTER (WHERE {estimated}), 0)" if estimated else "0"}
    """


def _estimated_condition(conn: sqlite3.Connection) -> str:
    """Whether a reply's stored cost is an estimate, once replies record their cost's source."""
    columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(messages)").fetchall()}
    return "m.cost_source = 'estimate'" if "cost_source" in columns else ""


def _replies_between(since: str | None, until: str | None) -> tuple[str, list[str]]:
    """The WHERE clause (and its parameters) of replies created in [since, until)."""
    where = ["m.role = 'assistant'"]
    params: list[str] = []
    if since is not None:
        where.append("m.created_at >= ?")
        params.append(since)
    if until is not None:
        where.append("m.created_at < ?")
        params.append(until)
    return " AND ".join(where), params


def sums_by_range(
    conn: sqlite3.Connection,
    ranges: Sequence[tuple[str, str, str]],
    instance_id: str | None = None,
) -> dict[str, UsageSums]:
    """Sums over replies created in each named [start, end) range (ISO UTC); empty ranges are
    left out. One indexed range query each: no sorting, whatever the number of replies."""
    where = "m.role = 'assistant' AND m.created_at >= ? AND m.created_at < ?"
    if instance_id is not None:
        where += " AND m.instance_id = ?"
    statement = (
        f"SELECT {_sums_select(conn)} FROM messages m INDEXED BY messages_usage_by_time"
        f" WHERE {where}"
    )
    result: dict[str, UsageSums] = {}
    for name, start, end in ranges:
        params = (start, end) if instance_id is None else (start, end, instance_id)
        row = conn.execute(statement, params).fetchone()
        if row[0]:
            result[name] = UsageSums(*row)
    return result


def reply_time_span(
    conn: sqlite3.Connection, since: str | None = None, until: str | None = None
) -> tuple[str, str] | None:
    """The first and last reply times within [since, until), or None when there is none."""
    clause, params = _replies_between(since, until)
    index = "FROM messages m INDEXED BY messages_usage_by_time"
    # Two separate lookups: each is one step down the index (MIN and MAX together scan it).
    first = conn.execute(f"SELECT MIN(m.created_at) {index} WHERE {clause}", params).fetchone()
    last = conn.execute(f"SELECT MAX(m.created_at) {index} WHERE {clause}", params).fetchone()
    if first[0] is None or last[0] is None:
        return None
    return str(first[0]), str(last[0])


def sums_by_agent(
    conn: sqlite3.Connection, since: str | None = None, until: str | None = None
) -> dict[tuple[str, str, str], UsageSums]:
    """Sums per (agent, instance, model) over replies created in [since, until) (ISO UTC)."""
    clause, params = _replies_between(since, until)
    rows = conn.execute(
        f"SELECT m.agent_id, m.instance_id, m.model_id, {_sums_select(conn)}"
        " FROM messages m INDEXED BY messages_usage_by_agent"
        f" WHERE {clause} GROUP BY m.agent_id, m.instance_id, m.model_id",
        params,
    ).fetchall()
    return {(str(row[0]), str(row[1]), str(row[2])): UsageSums(*tuple(row)[3:]) for row in rows}
