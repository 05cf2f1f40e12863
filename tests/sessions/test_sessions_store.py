"""Sessions, agents, messages and totals in a real SQLite file."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError, NotFoundError
from lace_tui.sessions.models import Agent
from lace_tui.sessions.store import SessionStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "sessions.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SessionStore]:
    with SessionStore(db_path) as opened:
        yield opened


def _agent(store: SessionStore, session_id: str, name: str = "claude") -> Agent:
    return store.add_agent(session_id, name, "work", "claude-sonnet-4")


def _count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


# -- sessions ---------------------------------------------------------------------------------


def test_create_session_generates_short_id_and_utc_timestamps(store: SessionStore):
    session = store.create_session()
    assert re.fullmatch(r"s-[a-z0-9]{6}", session.id)
    assert session.title == ""
    assert not session.archived
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", session.created_at)
    assert session.updated_at == session.created_at
    assert store.get_session(session.id) == session


def test_create_session_accepts_user_id_and_title(store: SessionStore):
    session = store.create_session("Project.x_1-b", title="  Plan the\nrelease  ")
    assert session.id == "Project.x_1-b"
    assert session.title == "Plan the release"
    assert store.get_session("Project.x_1-b").title == "Plan the release"


@pytest.mark.parametrize("bad", ["", "-leading", ".dot", "has space", "a/b", "x" * 65, "é"])
def test_create_session_rejects_bad_id_and_stores_nothing(store: SessionStore, bad: str):
    with pytest.raises(BadInputError, match="invalid session id"):
        store.create_session(bad)
    assert store.list_sessions(include_archived=True) == []


def test_create_session_accepts_64_character_id(store: SessionStore):
    assert store.create_session("a" * 64).id == "a" * 64


def test_create_session_rejects_existing_id_and_keeps_the_first(store: SessionStore):
    store.create_session("work", title="first")
    with pytest.raises(BadInputError, match="session 'work' already exists"):
        store.create_session("work", title="second")
    assert store.get_session("work").title == "first"
    assert len(store.list_sessions()) == 1


def test_get_session_unknown_is_not_found_with_hint(store: SessionStore):
    with pytest.raises(NotFoundError) as caught:
        store.get_session("nope")
    assert str(caught.value) == "no session 'nope': see `lace-tui session list`"
    assert store.find_session("nope") is None


def test_list_sessions_most_recently_updated_first(store: SessionStore):
    first = store.create_session("first")
    second = store.create_session("second")
    third = store.create_session("third")
    assert [s.id for s in store.list_sessions()] == ["third", "second", "first"]
    agent = _agent(store, first.id)
    store.add_message(agent.id, "user", "hi", model_id="m", instance_id="i")
    assert [s.id for s in store.list_sessions()] == ["first", "third", "second"]
    store.touch_session(second.id)
    assert [s.id for s in store.list_sessions()] == ["second", "first", "third"]
    assert store.last_session_id() == "second"
    assert third.id in {s.id for s in store.list_sessions()}


def test_rename_session_updates_title_and_time(store: SessionStore):
    session = store.create_session("s1")
    renamed = store.rename_session("s1", "A new title")
    assert renamed.title == "A new title"
    assert renamed.updated_at > session.updated_at
    assert store.get_session("s1") == renamed
    with pytest.raises(NotFoundError):
        store.rename_session("nope", "x")


def test_archive_hides_session_from_default_list_and_last(store: SessionStore):
    store.create_session("old")
    store.create_session("new")
    archived = store.archive_session("new")
    assert archived.archived
    assert [s.id for s in store.list_sessions()] == ["old"]
    assert [s.id for s in store.list_sessions(include_archived=True)] == ["new", "old"]
    assert store.last_session_id() == "old"
    assert not store.archive_session("new", archived=False).archived
    assert store.last_session_id() == "new"


def test_last_session_id_none_when_empty_or_all_archived(store: SessionStore):
    assert store.last_session_id() is None
    store.create_session("only")
    store.archive_session("only")
    assert store.last_session_id() is None


def test_delete_session_cascades_to_agents_and_messages(store: SessionStore, db_path: Path):
    keep = store.create_session("keep")
    gone = store.create_session("gone")
    for session in (keep, gone):
        agent = _agent(store, session.id)
        store.add_message(agent.id, "user", "hi", model_id="m", instance_id="i")
        store.add_message(agent.id, "assistant", "hello", model_id="m", instance_id="i")
    store.delete_session("gone")
    assert store.find_session("gone") is None
    assert _count(db_path, "agents") == 1
    assert _count(db_path, "messages") == 2
    assert len(store.session_messages("keep")) == 2
    with pytest.raises(NotFoundError):
        store.delete_session("gone")


def test_operations_on_unknown_session_are_not_found(store: SessionStore):
    for call in (
        lambda: store.touch_session("nope"),
        lambda: store.archive_session("nope"),
        lambda: store.list_agents("nope"),
        lambda: store.session_messages("nope"),
        lambda: store.session_detail("nope"),
        lambda: store.add_agent("nope", "a", "i", "m"),
    ):
        with pytest.raises(NotFoundError, match="no session 'nope'"):
            call()


# -- agents -----------------------------------------------------------------------------------


def test_add_agents_in_order_with_options(store: SessionStore):
    session = store.create_session("s")
    first = store.add_agent("s", "claude", "work", "claude-sonnet-4", system_prompt="Be brief.")
    second = store.add_agent("s", "gpt", "openai", "gpt-4o", reasoning_effort="high")
    assert first.session_id == "s"
    assert (first.position, second.position) == (0, 1)
    assert first.system_prompt == "Be brief." and first.reasoning_effort is None
    assert second.system_prompt is None and second.reasoning_effort == "high"
    assert first.id != second.id
    assert store.list_agents("s") == [first, second]
    assert store.get_agent(second.id) == second
    assert store.get_session("s").updated_at > session.updated_at


def test_duplicate_agent_name_is_bad_input(store: SessionStore):
    store.create_session("s")
    store.create_session("other")
    _agent(store, "s", "claude")
    with pytest.raises(BadInputError, match="already has an agent named 'claude'"):
        store.add_agent("s", "claude", "other-instance", "other-model")
    assert len(store.list_agents("s")) == 1
    # The same name in another session is fine.
    assert _agent(store, "other", "claude").name == "claude"


def test_rename_agent_to_taken_name_is_bad_input_and_changes_nothing(store: SessionStore):
    store.create_session("s")
    _agent(store, "s", "claude")
    gpt = store.add_agent("s", "gpt", "openai", "gpt-4o")
    with pytest.raises(BadInputError, match="already has an agent named 'claude'"):
        store.update_agent(gpt.id, name="claude", model_id="gpt-5")
    assert store.get_agent(gpt.id) == gpt
    assert store.update_agent(gpt.id, name="gpt").name == "gpt"  # its own name is fine


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_agent_name_is_bad_input(store: SessionStore, name: str):
    store.create_session("s")
    with pytest.raises(BadInputError, match="agent name"):
        store.add_agent("s", name, "i", "m")
    assert store.list_agents("s") == []


def test_unknown_agent_is_not_found(store: SessionStore):
    with pytest.raises(NotFoundError, match="no agent 'a-nope'"):
        store.get_agent("a-nope")
    with pytest.raises(NotFoundError):
        store.add_message("a-nope", "user", "hi", model_id="m", instance_id="i")
    with pytest.raises(NotFoundError):
        store.list_messages("a-nope")
    with pytest.raises(NotFoundError):
        store.totals_for_agent("a-nope")
    with pytest.raises(NotFoundError):
        store.remove_agent("a-nope")


def test_switch_model_keeps_history_and_new_messages_record_new_model(store: SessionStore):
    store.create_session("s")
    agent = _agent(store, "s")
    store.add_message(agent.id, "user", "one", model_id=agent.model_id, instance_id="work")
    store.add_message(agent.id, "assistant", "1", model_id=agent.model_id, instance_id="work")

    switched = store.update_agent(agent.id, instance_id="personal", model_id="gpt-4o")
    assert (switched.instance_id, switched.model_id) == ("personal", "gpt-4o")
    assert (switched.name, switched.position, switched.id) == (agent.name, 0, agent.id)
    store.add_message(switched.id, "user", "two", model_id="gpt-4o", instance_id="personal")
    store.add_message(switched.id, "assistant", "2", model_id="gpt-4o", instance_id="personal")

    messages = store.list_messages(agent.id)
    assert [m.content for m in messages] == ["one", "1", "two", "2"]
    assert [(m.instance_id, m.model_id) for m in messages] == [
        ("work", "claude-sonnet-4"),
        ("work", "claude-sonnet-4"),
        ("personal", "gpt-4o"),
        ("personal", "gpt-4o"),
    ]


def test_update_agent_none_keeps_and_empty_clears_prompt(store: SessionStore):
    store.create_session("s")
    agent = store.add_agent("s", "a", "i", "m", system_prompt="sys", reasoning_effort="low")
    assert store.update_agent(agent.id) == agent
    kept = store.update_agent(agent.id, model_id="m2")
    assert (kept.system_prompt, kept.reasoning_effort) == ("sys", "low")
    cleared = store.update_agent(agent.id, system_prompt="", reasoning_effort="")
    assert (cleared.system_prompt, cleared.reasoning_effort) == (None, None)


def test_remove_agent_deletes_its_messages_only(store: SessionStore, db_path: Path):
    store.create_session("s")
    gone = _agent(store, "s", "gone")
    kept = _agent(store, "s", "kept")
    for agent in (gone, kept):
        store.add_message(agent.id, "user", agent.name, model_id="m", instance_id="i")
    store.remove_agent(gone.id)
    assert [a.name for a in store.list_agents("s")] == ["kept"]
    assert [m.content for m in store.session_messages("s")] == ["kept"]
    assert _count(db_path, "messages") == 1
    # Positions keep growing after a removal, so order stays stable.
    assert _agent(store, "s", "third").position == 2


# -- messages ---------------------------------------------------------------------------------


def test_add_message_is_committed_and_readable_by_another_connection(
    store: SessionStore, db_path: Path
):
    store.create_session("s")
    agent = _agent(store, "s")
    message = store.add_message(
        agent.id, "user", "Hello?", model_id="claude-sonnet-4", instance_id="work", turn_id="t-1"
    )
    assert message.status == "complete" and message.reasoning == "" and message.error is None
    with sqlite3.connect(db_path) as other:
        row = other.execute(
            "SELECT content, status, turn_id FROM messages WHERE id = ?", (message.id,)
        ).fetchone()
    assert row == ("Hello?", "complete", "t-1")
    assert store.get_message(message.id) == message


def test_streaming_message_updates_and_finishes(store: SessionStore):
    session = store.create_session("s")
    agent = _agent(store, "s")
    reply = store.add_message(
        agent.id, "assistant", "", status="streaming", model_id="m", instance_id="i"
    )
    store.update_message(reply.id, content="Hel", reasoning="Thinking")
    partial = store.get_message(reply.id)
    assert (partial.content, partial.reasoning, partial.status) == ("Hel", "Thinking", "streaming")
    assert partial.updated_at > reply.updated_at

    store.update_message(
        reply.id,
        content="Hello!",
        status="complete",
        input_tokens=12,
        output_tokens=3,
        cache_read_tokens=4,
        cache_write_tokens=5,
        reasoning_tokens=2,
        cost_usd=0.0015,
        ttft_ms=123.6,
        duration_ms=980.2,
    )
    done = store.get_message(reply.id)
    assert done.content == "Hello!"
    assert done.reasoning == "Thinking"  # None left it unchanged
    assert done.status == "complete"
    assert (done.input_tokens, done.output_tokens) == (12, 3)
    assert (done.cache_read_tokens, done.cache_write_tokens, done.reasoning_tokens) == (4, 5, 2)
    assert done.cost_usd == pytest.approx(0.0015)
    assert (done.ttft_ms, done.duration_ms) == (124, 980)
    assert done.created_at == reply.created_at
    assert store.get_session("s").updated_at == done.updated_at > session.updated_at


def test_update_message_error_status_keeps_partial_text(store: SessionStore):
    store.create_session("s")
    agent = _agent(store, "s")
    reply = store.add_message(
        agent.id, "assistant", "", status="streaming", model_id="m", instance_id="i"
    )
    store.update_message(reply.id, content="partial")
    store.update_message(reply.id, status="error", error="rate limited: try later")
    failed = store.get_message(reply.id)
    assert (failed.content, failed.status, failed.error) == (
        "partial",
        "error",
        "rate limited: try later",
    )
    assert failed.cost_usd is None


def test_update_unknown_message_is_not_found(store: SessionStore):
    with pytest.raises(NotFoundError, match="no message 999"):
        store.update_message(999, content="x")
    with pytest.raises(NotFoundError, match="no message 999"):
        store.get_message(999)


def test_bad_role_status_or_cost_is_bad_input_and_changes_nothing(store: SessionStore):
    store.create_session("s")
    agent = _agent(store, "s")
    with pytest.raises(BadInputError, match="invalid message role"):
        store.add_message(agent.id, "system", "x", model_id="m", instance_id="i")  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match="invalid message status"):
        store.add_message(agent.id, "user", "x", status="done", model_id="m", instance_id="i")  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match="model id is empty"):
        store.add_message(agent.id, "user", "x", model_id="", instance_id="i")
    assert store.list_messages(agent.id) == []
    message = store.add_message(agent.id, "assistant", "ok", model_id="m", instance_id="i")
    with pytest.raises(BadInputError, match="invalid message status"):
        store.update_message(message.id, content="changed", status="finished")  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match="invalid cost"):
        store.update_message(message.id, content="changed", cost_usd=float("nan"))
    assert store.get_message(message.id) == message


def test_session_messages_interleave_agents_in_stored_order(store: SessionStore):
    store.create_session("s")
    a = _agent(store, "s", "a")
    b = _agent(store, "s", "b")
    store.add_message(a.id, "user", "q", model_id="m", instance_id="i", turn_id="t1")
    store.add_message(b.id, "user", "q", model_id="m", instance_id="i", turn_id="t1")
    reply_b = store.add_message(
        b.id, "assistant", "", status="streaming", model_id="m", instance_id="i"
    )
    reply_a = store.add_message(
        a.id, "assistant", "", status="streaming", model_id="m", instance_id="i"
    )
    store.update_message(reply_a.id, content="from a")
    store.update_message(reply_b.id, content="from b")
    ordered = store.session_messages("s")
    assert [(m.agent_id, m.role, m.content) for m in ordered] == [
        (a.id, "user", "q"),
        (b.id, "user", "q"),
        (b.id, "assistant", "from b"),
        (a.id, "assistant", "from a"),
    ]
    assert [m.content for m in store.list_messages(a.id)] == ["q", "from a"]


def test_recover_interrupted_marks_only_streaming(store: SessionStore):
    store.create_session("s")
    agent = _agent(store, "s")
    done = store.add_message(agent.id, "assistant", "done", model_id="m", instance_id="i")
    cut = store.add_message(
        agent.id, "assistant", "", status="streaming", model_id="m", instance_id="i"
    )
    store.update_message(cut.id, content="half a repl")
    assert store.recover_interrupted() == 0  # its writer (this store) is still here
    store.close()  # the writer goes, as a killed process does
    with SessionStore(store.path) as reopened:
        assert reopened.recover_interrupted() == 1
        assert reopened.get_message(cut.id).status == "interrupted"
        assert reopened.get_message(cut.id).content == "half a repl"
        assert reopened.get_message(done.id) == done
        assert reopened.recover_interrupted() == 0


# -- totals -----------------------------------------------------------------------------------


def _reply(store: SessionStore, agent: Agent, cost: float | None, tokens: int | None = 100) -> None:
    message = store.add_message(
        agent.id, "assistant", "", status="streaming", model_id="m", instance_id="i"
    )
    store.update_message(
        message.id,
        status="complete",
        input_tokens=tokens,
        output_tokens=None if tokens is None else tokens // 2,
        cache_read_tokens=None if tokens is None else 10,
        cost_usd=cost,
    )


def test_totals_sum_tokens_and_known_costs(store: SessionStore):
    store.create_session("s")
    agent = _agent(store, "s")
    store.add_message(agent.id, "user", "q", model_id="m", instance_id="i")
    _reply(store, agent, 0.25)
    _reply(store, agent, 0.5, tokens=40)
    totals = store.totals_for_agent(agent.id)
    assert totals.messages == 3
    assert (totals.input_tokens, totals.output_tokens) == (140, 70)
    assert (totals.cache_read_tokens, totals.cache_write_tokens) == (20, 0)
    assert totals.cost_usd == pytest.approx(0.75)
    assert totals.cost_complete


def test_totals_unknown_cost_is_none_never_zero(store: SessionStore):
    store.create_session("s")
    agent = _agent(store, "s")
    store.add_message(agent.id, "user", "q", model_id="m", instance_id="i")
    _reply(store, agent, None)
    totals = store.totals_for_agent(agent.id)
    assert totals.cost_usd is None
    assert not totals.cost_complete
    assert totals.input_tokens == 100


def test_totals_partly_unknown_cost_is_a_lower_bound(store: SessionStore):
    store.create_session("s")
    agent = _agent(store, "s")
    _reply(store, agent, 0.1)
    _reply(store, agent, None)
    totals = store.totals_for_agent(agent.id)
    assert totals.cost_usd == pytest.approx(0.1)
    assert not totals.cost_complete


def test_totals_free_model_costs_zero_and_reply_without_tokens_is_not_incomplete(
    store: SessionStore,
):
    store.create_session("s")
    agent = _agent(store, "s")
    _reply(store, agent, 0.0)
    _reply(store, agent, None, tokens=None)  # e.g. interrupted before any usage arrived
    totals = store.totals_for_agent(agent.id)
    assert totals.cost_usd == 0.0
    assert totals.cost_complete


def test_totals_of_agent_without_messages(store: SessionStore):
    store.create_session("s")
    totals = store.totals_for_agent(_agent(store, "s").id)
    assert totals.messages == 0 and totals.input_tokens == 0
    assert totals.cost_usd is None and totals.cost_complete


def test_session_detail_has_totals_per_agent_and_for_session(store: SessionStore):
    store.create_session("s", title="Compare")
    priced = _agent(store, "s", "priced")
    unpriced = _agent(store, "s", "unpriced")
    idle = _agent(store, "s", "idle")
    _reply(store, priced, 0.2)
    _reply(store, unpriced, None)
    detail = store.session_detail("s")
    assert detail.session.title == "Compare"
    assert [a.name for a in detail.agents] == ["priced", "unpriced", "idle"]
    assert len(detail.messages) == 2
    assert set(detail.agent_totals) == {priced.id, unpriced.id, idle.id}
    assert detail.agent_totals[priced.id].cost_usd == pytest.approx(0.2)
    assert detail.agent_totals[priced.id].cost_complete
    assert detail.agent_totals[unpriced.id].cost_usd is None
    assert detail.agent_totals[idle.id].messages == 0
    assert detail.totals.cost_usd == pytest.approx(0.2)
    assert not detail.totals.cost_complete
    assert detail.totals.input_tokens == 200
    assert detail.totals.messages == 2
