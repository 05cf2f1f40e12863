"""Usage reports over a real sessions database: sums that agree with the stored replies, unknown
costs counted apart (never $0), local-day periods, and old databases opening."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError
from lace_tui.services.usage_service import USAGE_GROUPINGS, UsageService, utc_bound
from lace_tui.sessions.store import MIGRATIONS, SessionStore, migrate
from lace_tui.sessions.usage import NANO

PROVIDERS = {"work": "openai", "home": "openai", "claude": "anthropic"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    with SessionStore(tmp_path / "sessions.db") as opened:
        yield opened


def _reply(
    store: SessionStore,
    agent_id: str,
    when: str,
    *,
    instance: str,
    model: str,
    tokens: tuple[int | None, int | None] = (100, 50),
    cost: float | None = 0.001,
    status: str = "complete",
) -> None:
    """A prompt and its reply, stored as the chat service stores them, then dated `when`."""
    store.add_message(agent_id, "user", "q", model_id=model, instance_id=instance)
    reply = store.add_message(
        agent_id, "assistant", "a", status="streaming", model_id=model, instance_id=instance
    )
    store.update_message(
        reply.id,
        status="error" if status == "error" else "complete",
        input_tokens=tokens[0],
        output_tokens=tokens[1],
        cache_read_tokens=10 if tokens[0] else None,
        cost_usd=cost,
    )
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE messages SET created_at = ? WHERE id >= ?", (when, reply.id - 1))


@pytest.fixture
def seeded(store: SessionStore) -> SessionStore:
    s1 = store.create_session("s1", title="First")
    s2 = store.create_session("s2", title="Second")
    a1 = store.add_agent(s1.id, "gpt", "work", "gpt-x")
    a2 = store.add_agent(s1.id, "claude", "claude", "claude-y")
    a3 = store.add_agent(s2.id, "gpt", "home", "gpt-x")
    _reply(store, a1.id, "2026-11-30T10:00:00.000000Z", instance="work", model="gpt-x", cost=0.1)
    _reply(store, a1.id, "2026-12-01T10:00:00.000000Z", instance="work", model="gpt-x", cost=0.2)
    # No price known: counted as unknown, not as $0.
    _reply(
        store, a2.id, "2026-12-01T11:00:00.000000Z", instance="claude", model="claude-y", cost=None
    )
    # Failed before any usage: it may still have been charged for the prompt; nobody said.
    _reply(
        store,
        a2.id,
        "2026-12-02T11:00:00.000000Z",
        instance="claude",
        model="claude-y",
        tokens=(None, None),
        cost=None,
        status="error",
    )
    _reply(store, a3.id, "2026-12-02T12:00:00.000000Z", instance="home", model="gpt-x", cost=0.3)
    # An instance that has since been removed still counts.
    _reply(store, a3.id, "2026-12-03T12:00:00.000000Z", instance="gone", model="old", cost=0.05)
    return store


def _stored_replies(store: SessionStore) -> list[sqlite3.Row]:
    with sqlite3.connect(store.path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM messages WHERE role = 'assistant'").fetchall()


@pytest.mark.parametrize("by", USAGE_GROUPINGS)
def test_every_grouping_adds_up_to_the_stored_replies(seeded: SessionStore, by: str) -> None:
    report = UsageService(seeded, lambda: PROVIDERS).report(by)  # type: ignore[arg-type]
    replies = _stored_replies(seeded)
    total = report.total
    assert total.replies == len(replies) == 6
    assert total.input_tokens == sum(r["input_tokens"] or 0 for r in replies)
    assert total.output_tokens == sum(r["output_tokens"] or 0 for r in replies)
    assert total.cache_read_tokens == sum(r["cache_read_tokens"] or 0 for r in replies)
    known = [r["cost_usd"] for r in replies if r["cost_usd"] is not None]
    assert total.cost_usd == pytest.approx(math.fsum(known), abs=1 / NANO)
    assert total.unknown_cost_replies == 2
    assert not total.cost_complete
    # Groups add up to the total exactly (costs are summed as whole nano-dollars).
    assert sum(g.replies for g in report.groups) == total.replies
    assert sum(g.input_tokens for g in report.groups) == total.input_tokens
    nanos = sum(round((g.cost_usd or 0) * NANO) for g in report.groups)
    assert nanos == round((total.cost_usd or 0) * NANO)


def test_groupings_name_what_the_user_knows(seeded: SessionStore) -> None:
    service = UsageService(seeded, lambda: PROVIDERS)
    by_provider = {g.key: g for g in service.report("provider").groups}
    assert set(by_provider) == {"openai", "anthropic", "?"}
    assert by_provider["openai"].replies == 3
    assert by_provider["openai"].cost_usd == pytest.approx(0.6)
    # Only unknown costs: unknown, never $0.
    assert by_provider["anthropic"].cost_usd is None
    assert by_provider["anthropic"].unknown_cost_replies == 2
    by_session = {g.key: g for g in service.report("session").groups}
    assert by_session["s1"].label == "First" and by_session["s1"].replies == 4
    assert by_session["s2"].cost_usd == pytest.approx(0.35)
    by_model = {g.key: g.replies for g in service.report("model").groups}
    assert by_model == {"gpt-x": 3, "claude-y": 2, "old": 1}


def test_a_period_is_inclusive_local_days(seeded: SessionStore) -> None:
    service = UsageService(seeded, lambda: PROVIDERS)
    report = service.report("day", since=date(2026, 12, 1), until=date(2026, 12, 2))
    assert [g.key for g in report.groups] == ["2026-12-01", "2026-12-02"]
    assert report.total.replies == 4
    assert report.total.cost_usd == pytest.approx(0.5)
    with pytest.raises(BadInputError, match="before"):
        service.report("day", since=date(2026, 12, 2), until=date(2026, 12, 1))


def test_spend_counts_one_instance_today_and_this_month(seeded: SessionStore) -> None:
    service = UsageService(seeded, lambda: PROVIDERS)
    spend = service.spend("work", today=date(2026, 12, 1))
    assert spend.today_usd == pytest.approx(0.2)
    assert spend.month_usd == pytest.approx(0.2)  # November's reply is another month
    assert service.spend("claude", today=date(2026, 12, 2)).unknown_replies == 2


def test_bounds_are_stored_timestamps() -> None:
    bound = utc_bound(date(2026, 12, 1))
    assert len(bound) == len("2026-12-01T00:00:00.000000Z") and bound.endswith("Z")


def test_a_database_from_before_the_usage_index_opens_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, MIGRATIONS[:1])
    conn.execute("INSERT INTO sessions VALUES ('s', 't', 'x', 'x', 0)")
    conn.execute("INSERT INTO agents VALUES ('a', 's', 'n', 'i', 'm', NULL, NULL, 0, 'x')")
    conn.execute(
        "INSERT INTO messages (agent_id, role, status, input_tokens, output_tokens, cost_usd,"
        " model_id, instance_id, created_at, updated_at)"
        " VALUES ('a', 'assistant', 'complete', 5, 6, 0.25, 'm', 'i',"
        " '2026-12-01T10:00:00.000000Z', 'x')"
    )
    conn.close()
    with SessionStore(path) as store:
        report = UsageService(store, dict).report("instance")
    assert [(g.key, g.replies, g.cost_usd) for g in report.groups] == [("i", 1, 0.25)]


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process in New York's time zone (UTC-5 in December) for one test."""
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_days_are_the_users_local_days(store: SessionStore) -> None:
    session = store.create_session("s")
    agent = store.add_agent(session.id, "a", "work", "m")
    # 03:00 UTC on the 2nd is 22:00 on the 1st in New York.
    _reply(store, agent.id, "2026-12-02T03:00:00.000000Z", instance="work", model="m", cost=0.5)
    service = UsageService(store, dict)
    assert [g.key for g in service.report("day").groups] == ["2026-12-01"]
    only_first = service.report("day", since=date(2026, 12, 1), until=date(2026, 12, 1))
    assert only_first.total.replies == 1
    assert service.report("day", since=date(2026, 12, 2)).total.replies == 0
    assert service.spend("work", today=date(2026, 12, 1)).today_usd == pytest.approx(0.5)


def test_estimated_costs_are_counted_once_replies_record_their_source(
    store: SessionStore,
) -> None:
    # The column #10 adds (`cost_source`: provider, catalog or estimate), added here by hand.
    with sqlite3.connect(store.path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(messages)")}
        if "cost_source" not in columns:
            conn.execute("ALTER TABLE messages ADD COLUMN cost_source TEXT")
    session = store.create_session("s")
    agent = store.add_agent(session.id, "a", "work", "m")
    for when in ("2026-12-01T10:00:00.000000Z", "2026-12-01T11:00:00.000000Z"):
        _reply(store, agent.id, when, instance="work", model="m", cost=0.125)
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE messages SET cost_source = 'estimate' WHERE id = 2")
    total = UsageService(store, dict).report("model").total
    assert total.cost_usd == pytest.approx(0.25)
    assert (total.estimated_cost_replies, total.estimated_cost_usd) == (1, 0.125)
