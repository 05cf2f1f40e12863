"""Full-text search over stored prompts and replies, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError
from lace_tui.sessions.models import Agent
from lace_tui.sessions.search import fts_query
from lace_tui.sessions.store import MIGRATIONS, SessionStore, migrate


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    with SessionStore(tmp_path / "sessions.db") as opened:
        yield opened


def _agent(store: SessionStore, session_id: str = "s1", name: str = "claude") -> Agent:
    if store.find_session(session_id) is None:
        store.create_session(session_id, title=f"title of {session_id}")
    return store.add_agent(session_id, name, "work", "m")


def _say(store: SessionStore, agent: Agent, role: str, text: str) -> int:
    assert role in ("user", "assistant")
    message = store.add_message(
        agent.id, "user" if role == "user" else "assistant", text, model_id="m", instance_id="work"
    )
    return message.id


def test_prompts_and_replies_are_found_with_where_they_are(store: SessionStore) -> None:
    agent = _agent(store)
    prompt = _say(store, agent, "user", "How do I rotate a PostgreSQL password?")
    reply = _say(store, agent, "assistant", "Use ALTER ROLE to rotate the postgres password.")
    _say(store, agent, "user", "thanks, unrelated")
    hits = store.search("rotate password")
    assert [hit.message_id for hit in hits] == [reply, prompt]  # newest first
    first = hits[0]
    assert (first.session_id, first.session_title) == ("s1", "title of s1")
    assert (first.agent_id, first.agent_name, first.role) == (agent.id, "claude", "assistant")
    marked = [first.snippet[start:end] for start, end in first.highlights]
    assert marked == ["rotate", "password"]


def test_words_match_as_prefixes_ignoring_case_and_accents(store: SessionStore) -> None:
    agent = _agent(store)
    found = _say(store, agent, "assistant", "Le Café servait des Crêpes")
    assert [hit.message_id for hit in store.search("cafe crep")] == [found]
    assert store.search("cafeteria") == []
    assert store.search("ca") == []  # a word this short matches whole words only


def test_every_word_must_appear(store: SessionStore) -> None:
    agent = _agent(store)
    both = _say(store, agent, "user", "alpha beta")
    _say(store, agent, "user", "alpha only")
    assert [hit.message_id for hit in store.search("beta alpha")] == [both]


def test_a_streaming_reply_is_searchable_as_it_grows_and_old_text_leaves(
    store: SessionStore,
) -> None:
    agent = _agent(store)
    reply = store.add_message(
        agent.id, "assistant", "", status="streaming", model_id="m", instance_id="work"
    )
    store.update_message(reply.id, content="The first draft mentions zebras")
    assert [hit.message_id for hit in store.search("zebras")] == [reply.id]
    store.update_message(reply.id, content="Rewritten: giraffes instead", status="complete")
    assert store.search("zebras") == []
    assert [hit.message_id for hit in store.search("giraffes")] == [reply.id]


def test_deleting_a_session_or_agent_removes_its_messages_from_the_index(
    store: SessionStore, tmp_path: Path
) -> None:
    kept = _agent(store, "kept")
    _say(store, kept, "user", "needle kept")
    gone = _agent(store, "gone")
    _say(store, gone, "user", "needle gone")
    other = _agent(store, "kept", name="other")
    _say(store, other, "user", "needle other")
    store.delete_session("gone")
    store.remove_agent(other.id)
    assert [hit.session_id for hit in store.search("needle")] == ["kept"]
    with sqlite3.connect(tmp_path / "sessions.db") as conn:
        # The index itself agrees with the table (no stale entries left behind).
        conn.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")


def test_archived_sessions_are_searched_too(store: SessionStore) -> None:
    agent = _agent(store, "old")
    _say(store, agent, "user", "archived needle")
    store.archive_session("old")
    assert [hit.session_id for hit in store.search("needle")] == ["old"]


def test_messages_of_a_database_from_before_search_are_indexed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, path, MIGRATIONS[:1])  # the first released schema, without search
        conn.execute("INSERT INTO sessions VALUES ('s', 't', 'x', 'x', 0)")
        conn.execute("INSERT INTO agents VALUES ('a', 's', 'n', 'i', 'm', NULL, NULL, 0, 'x')")
        conn.execute(
            "INSERT INTO messages (agent_id, role, content, status, model_id, instance_id,"
            " created_at, updated_at) VALUES ('a', 'user', 'legacy needle', 'complete',"
            " 'm', 'i', 'x', 'x')"
        )
    finally:
        conn.close()
    with SessionStore(path) as store:
        hits = store.search("needle")
    assert [(hit.session_id, hit.snippet) for hit in hits] == [("s", "legacy needle")]


@pytest.mark.parametrize(
    "text", ["AND", "a OR b", "NEAR(x y)", "col:value", "x*", "-minus", "^start", "(a"]
)
def test_search_syntax_in_the_text_is_searched_for_not_parsed(
    store: SessionStore, text: str
) -> None:
    agent = _agent(store)
    _say(store, agent, "user", "col value start minus a b AND OR NEAR x y")
    _say(store, agent, "user", "nothing to see")
    assert len(store.search(text)) == 1


@pytest.mark.parametrize("text", ["", "   ", "?!", '""'])
def test_text_without_words_is_bad_input(store: SessionStore, text: str) -> None:
    with pytest.raises(BadInputError, match="no words"):
        store.search(text)


def test_limit_is_checked_and_applied(store: SessionStore) -> None:
    agent = _agent(store)
    ids = [_say(store, agent, "user", f"needle {n}") for n in range(5)]
    assert [hit.message_id for hit in store.search("needle", limit=2)] == ids[:-3:-1]
    with pytest.raises(BadInputError, match="limit"):
        store.search("needle", limit=0)


def test_snippet_is_one_line_without_control_characters(store: SessionStore) -> None:
    agent = _agent(store)
    _say(store, agent, "assistant", "line one\n\n\x1b[31mred\x1b[0m needle\there\r\nend")
    (hit,) = store.search("needle")
    assert "\n" not in hit.snippet and "\x1b" not in hit.snippet and "\t" not in hit.snippet
    assert hit.snippet == "line one [31mred [0m needle here end"
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["needle"]


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('say "hi" now') == '"say"* """hi""" "now"*'
