"""Opening sessions.db marks only replies whose writer is gone as interrupted (#11)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lace_tui.sessions.store import MIGRATIONS, SessionStore, migrate


def _streaming_reply(store: SessionStore) -> int:
    store.create_session("s")
    agent = store.add_agent("s", "a", "i", "m")
    reply = store.add_message(
        agent.id, "assistant", "", status="streaming", model_id="m", instance_id="i"
    )
    store.update_message(reply.id, content="half")
    return reply.id


def test_a_reply_another_live_store_is_writing_is_left_streaming(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    writer = SessionStore(path)
    reply_id = _streaming_reply(writer)
    with SessionStore(path) as other:  # another process starting meanwhile
        assert other.recover_interrupted() == 0
        assert other.get_message(reply_id).status == "streaming"
        writer.update_message(reply_id, content="half and the rest", status="complete")
        assert other.get_message(reply_id).content == "half and the rest"
    writer.close()


def test_a_reply_whose_writer_is_gone_is_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    writer = SessionStore(path)
    reply_id = _streaming_reply(writer)
    writer.close()
    with SessionStore(path) as other:
        assert other.recover_interrupted() == 1
        assert other.get_message(reply_id).status == "interrupted"
        assert other.get_message(reply_id).content == "half"


def test_an_old_database_opens_and_its_streaming_replies_count_as_gone(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, MIGRATIONS[:1])  # the schema before writers were recorded
    conn.execute("INSERT INTO sessions VALUES ('s', '', 't', 't', 0)")
    conn.execute("INSERT INTO agents VALUES ('a-1', 's', 'a', 'i', 'm', NULL, NULL, 0, 't')")
    conn.execute(
        "INSERT INTO messages (agent_id, role, content, status, model_id, instance_id,"
        " created_at, updated_at) VALUES ('a-1', 'assistant', 'old', 'streaming', 'm', 'i',"
        " 't', 't')"
    )
    conn.close()
    with SessionStore(path) as store:
        assert store.recover_interrupted() == 1
        (message,) = store.list_messages("a-1")
        assert message.status == "interrupted" and message.content == "old"
