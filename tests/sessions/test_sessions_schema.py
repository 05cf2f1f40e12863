"""Opening sessions.db: new files, migrations, newer schemas, and files that are not ours."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from lace_tui.errors import StoredFileError
from lace_tui.sessions.store import MIGRATIONS, SCHEMA_VERSION, SessionStore, migrate


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(name) for (name,) in rows} - {"sqlite_sequence"}


def test_new_database_is_created_with_parents_migrated_wal_and_private(tmp_path: Path):
    path = tmp_path / "deep" / "data" / "sessions.db"
    with SessionStore(path) as store:
        store.create_session("s")
    assert len(MIGRATIONS) == SCHEMA_VERSION
    assert _user_version(path) == SCHEMA_VERSION
    assert _tables(path) == {"sessions", "agents", "messages"}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_empty_file_and_empty_version_0_database_are_migrated(tmp_path: Path):
    empty_file = tmp_path / "empty.db"
    empty_file.touch()
    blank_db = tmp_path / "blank.db"
    sqlite3.connect(blank_db).close()
    for path in (empty_file, blank_db):
        assert _user_version(path) == 0
        with SessionStore(path) as store:
            assert store.list_sessions() == []
        assert _user_version(path) == SCHEMA_VERSION
        assert _tables(path) == {"sessions", "agents", "messages"}


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path):
    path = tmp_path / "sessions.db"
    with SessionStore(path) as store:
        store.create_session("kept", title="still here")
    with SessionStore(path) as store:
        assert store.get_session("kept").title == "still here"
    assert _user_version(path) == SCHEMA_VERSION


def test_foreign_keys_are_enforced_on_the_store_connection(tmp_path: Path):
    with SessionStore(tmp_path / "sessions.db") as store:
        store.create_session("s")
        agent = store.add_agent("s", "a", "i", "m")
        store.add_message(agent.id, "user", "hi", model_id="m", instance_id="i")
        store.delete_session("s")
    with sqlite3.connect(tmp_path / "sessions.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


def test_adding_a_migration_is_one_entry_and_upgrades_in_place(tmp_path: Path):
    path = tmp_path / "sessions.db"
    with SessionStore(path) as store:
        store.create_session("s", title="before v2")
    version_2 = ("ALTER TABLE sessions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0",)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, path, (*MIGRATIONS, version_2))
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        row = conn.execute("SELECT title, pinned FROM sessions WHERE id = 's'").fetchone()
        assert row == ("before v2", 0)
    finally:
        conn.close()
    # This release knows its own schema only, so it now refuses the file.
    newer = rf"\(schema {SCHEMA_VERSION + 1} > {SCHEMA_VERSION}\)"
    with pytest.raises(StoredFileError, match=newer):
        SessionStore(path)


def test_failed_migration_rolls_back_entirely(tmp_path: Path):
    path = tmp_path / "sessions.db"
    with SessionStore(path) as store:
        store.create_session("s")
    broken = ("ALTER TABLE sessions ADD COLUMN pinned INTEGER", "THIS IS NOT SQL")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            migrate(conn, path, (*MIGRATIONS, broken))
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
        assert "pinned" not in columns
    finally:
        conn.close()


def test_newer_schema_is_refused_and_file_left_unchanged(tmp_path: Path):
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sessions (id TEXT)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoredFileError) as caught:
        SessionStore(path)
    assert str(caught.value) == (
        f"sessions.db was written by a newer lace-tui (schema 99 > {SCHEMA_VERSION}): "
        "upgrade lace-tui"
    )
    assert caught.value.exit_code == 1
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        b"[instance]\nid = 'not a database'\n",
        b"x",
        bytes(range(256)) * 8,
        b"SQLite format 3\x00" + b"\x07" * 500,  # right magic, garbage header
    ],
    ids=["toml", "one-byte", "binary", "bad-header"],
)
def test_file_that_is_not_a_database_is_named_and_never_overwritten(tmp_path: Path, content: bytes):
    path = tmp_path / "sessions.db"
    path.write_bytes(content)
    with pytest.raises(StoredFileError) as caught:
        SessionStore(path)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.db"]


def test_someone_elses_sqlite_database_is_refused_unchanged(tmp_path: Path):
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoredFileError, match="not lace-tui's sessions database") as caught:
        SessionStore(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before


def test_directory_in_place_of_the_database_is_a_stored_file_error(tmp_path: Path):
    path = tmp_path / "sessions.db"
    path.mkdir()
    with pytest.raises(StoredFileError, match="is a directory"):
        SessionStore(path)


def test_unwritable_parent_is_a_stored_file_error(tmp_path: Path):
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions")
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o500)
    try:
        with pytest.raises(StoredFileError, match="cannot create"):
            SessionStore(parent / "sessions.db")
    finally:
        parent.chmod(0o700)


def test_closed_store_refuses_work_and_closing_twice_is_fine(tmp_path: Path):
    store = SessionStore(tmp_path / "sessions.db")
    store.close()
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.list_sessions()


def test_a_database_from_before_fallback_opens_and_gains_failed_over(tmp_path: Path) -> None:
    # #15: found by content, so the test holds whatever number the migration ends up with.
    mine = next(i for i, entry in enumerate(MIGRATIONS) if "failed_over" in entry[0])
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, path, MIGRATIONS[:mine])
    finally:
        conn.close()
    with SessionStore(path) as store:
        store.create_session("s")
        agent = store.add_agent("s", "a", "i", "m")
        reply = store.add_message(agent.id, "assistant", "", model_id="m", instance_id="i")
        assert store.get_message(reply.id).failed_over is None
        store.update_message(reply.id, instance_id="j", failed_over="i: rate limited")
        stored = store.get_message(reply.id)
        assert (stored.instance_id, stored.failed_over) == ("j", "i: rate limited")
    assert _user_version(path) == SCHEMA_VERSION
