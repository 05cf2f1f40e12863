"""How a reply ended, its notes, its cost source and retries, as sessions.db keeps them (#10)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError
from lace_tui.sessions.store import MIGRATIONS, SCHEMA_VERSION, SessionStore, migrate

# The schema before #10's migration (found by what it adds: others append migrations too).
OURS = next(i for i, m in enumerate(MIGRATIONS) if any("stop_reason" in s for s in m))
BEFORE = MIGRATIONS[:OURS]


def old_database(path: Path) -> None:
    """A database as the release before #10 wrote it, with a costed and an unpriced reply."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, path, BEFORE)
        now = "2026-01-01T00:00:00.000000Z"
        conn.execute("INSERT INTO sessions VALUES ('old', 'Old chat', ?, ?, 0)", (now, now))
        conn.execute(
            "INSERT INTO agents VALUES ('a-old', 'old', 'Claude', 'claude', 'm', NULL, NULL, 0, ?)",
            (now,),
        )
        rows = [
            ("user", "hi", "complete", None),
            ("assistant", "hello", "complete", 0.002),
            ("assistant", "", "error", None),
        ]
        for role, content, status, cost in rows:
            conn.execute(
                "INSERT INTO messages (agent_id, role, content, status, cost_usd, model_id,"
                " instance_id, created_at, updated_at, input_tokens)"
                " VALUES ('a-old', ?, ?, ?, ?, 'm', 'claude', ?, ?, 10)",
                (role, content, status, cost, now, now),
            )
    finally:
        conn.close()


def test_an_old_database_opens_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    old_database(path)
    with SessionStore(path) as store:
        messages = store.session_messages("old")
        assert store.get_session("old").title == "Old chat"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [(m.role, m.content, m.status) for m in messages] == [
        ("user", "hi", "complete"),
        ("assistant", "hello", "complete"),
        ("assistant", "", "error"),
    ]
    costed = messages[1]
    assert costed.cost_usd == 0.002 and costed.cost_source == "catalog"
    assert costed.stop_reason is None and costed.notes == [] and not costed.output_estimated
    assert messages[2].cost_source is None


def test_reply_facts_round_trip(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "sessions.db") as store:
        store.create_session("s")
        agent = store.add_agent("s", "a", "i", "m")
        prompt = store.add_message(agent.id, "user", "hi", model_id="m", instance_id="i")
        again = store.add_message(
            agent.id, "user", "hi", model_id="m", instance_id="i", retry_of=prompt.id
        )
        reply = store.add_message(agent.id, "assistant", "", model_id="m", instance_id="i")
        notes = ['the model asked to call f({"x": "é"}); lace-tui does not run tools']
        store.update_message(
            reply.id,
            stop_reason="tool_calls",
            notes=notes,
            cost_usd=0.5,
            cost_source="provider",
            output_estimated=True,
        )
        stored = store.get_message(reply.id)
        assert (stored.stop_reason, stored.notes, stored.cost_source) == (
            "tool_calls",
            notes,
            "provider",
        )
        assert stored.output_estimated
        assert store.get_message(again.id).retry_of == prompt.id


@pytest.mark.parametrize("change", [{"stop_reason": "exploded"}, {"cost_source": "guess"}])
def test_unknown_values_are_refused_and_change_nothing(
    tmp_path: Path, change: dict[str, str]
) -> None:
    with SessionStore(tmp_path / "sessions.db") as store:
        store.create_session("s")
        agent = store.add_agent("s", "a", "i", "m")
        reply = store.add_message(agent.id, "assistant", "x", model_id="m", instance_id="i")
        with pytest.raises(BadInputError, match="invalid"):
            store.update_message(reply.id, **change)  # type: ignore[arg-type]
        assert store.get_message(reply.id).stop_reason is None
