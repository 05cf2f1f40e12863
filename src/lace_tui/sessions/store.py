"""Sessions, agents and messages in SQLite (stdlib sqlite3, WAL journal).

Every write is its own short, committed transaction, so a killed process loses at most the
write in flight, and the CLI and the app can have the database open at once. The store is
synchronous; one connection, guarded by a lock, may be used from any thread, one at a time.
"""

from __future__ import annotations

import math
import os
import secrets
import sqlite3
import string
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from lace_tui.errors import BadInputError, NotFoundError, StoredFileError
from lace_tui.sessions.models import (
    MESSAGE_STATUSES,
    ROLES,
    SESSION_ID_PATTERN,
    Agent,
    Message,
    MessageStatus,
    Role,
    Session,
    SessionDetail,
    UsageTotals,
    is_valid_session_id,
)

BUSY_TIMEOUT_S = 5.0
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ID_ALPHABET = string.ascii_lowercase + string.digits
_MAX_AGENT_NAME = 100

Migration = tuple[str, ...]

# Append-only. Entry N (1-based) takes a database from schema N-1 to N, and runs in the same
# transaction that sets `PRAGMA user_version = N`. Never edit an entry once released.
# (Foreign-key enforcement cannot be switched off inside that transaction; a future table
# rebuild must keep the references valid.)
MIGRATIONS: tuple[Migration, ...] = (
    (  # 1: the initial schema
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))
        )
        """,
        "CREATE INDEX sessions_by_update ON sessions (archived, updated_at)",
        """
        CREATE TABLE agents (
            id TEXT PRIMARY KEY NOT NULL,
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            instance_id TEXT NOT NULL,
            model_id TEXT NOT NULL,
            system_prompt TEXT,
            reasoning_effort TEXT,
            position INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (session_id, name)
        )
        """,
        "CREATE INDEX agents_by_session ON agents (session_id, position)",
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
            content TEXT NOT NULL DEFAULT '',
            reasoning TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL
                CHECK (status IN ('streaming', 'complete', 'interrupted', 'error')),
            error TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            cache_read_tokens INTEGER,
            cache_write_tokens INTEGER,
            reasoning_tokens INTEGER,
            cost_usd REAL,
            model_id TEXT NOT NULL,
            instance_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            ttft_ms INTEGER,
            duration_ms INTEGER,
            turn_id TEXT
        )
        """,
        "CREATE INDEX messages_by_agent ON messages (agent_id, id)",
        "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
    ),
    # #15: the instances a reply failed on before its fallback instance answered.
    ("ALTER TABLE messages ADD COLUMN failed_over TEXT",),
)
SCHEMA_VERSION = len(MIGRATIONS)

# Column lists follow the models, so a row maps onto its model by name.
_SESSION_COLUMNS = ", ".join(Session.model_fields)
_AGENT_COLUMNS = ", ".join(Agent.model_fields)
_MESSAGE_COLUMNS = ", ".join(f"m.{name}" for name in Message.model_fields)

# One definition of the totals rule, used for an agent, a session and per agent.
_TOTALS_SELECT = """
    COUNT(m.id) AS messages,
    COALESCE(SUM(m.input_tokens), 0) AS input_tokens,
    COALESCE(SUM(m.output_tokens), 0) AS output_tokens,
    COALESCE(SUM(m.cache_read_tokens), 0) AS cache_read_tokens,
    COALESCE(SUM(m.cache_write_tokens), 0) AS cache_write_tokens,
    SUM(m.cost_usd) AS cost_usd,
    COALESCE(MAX(
        m.role = 'assistant' AND m.cost_usd IS NULL
        AND COALESCE(m.input_tokens, 0) + COALESCE(m.output_tokens, 0)
            + COALESCE(m.cache_read_tokens, 0) + COALESCE(m.cache_write_tokens, 0)
            + COALESCE(m.reasoning_tokens, 0) > 0
    ), 0) AS unknown_cost
"""


class SessionStore:
    """The sessions database. Open one per process; close it when done."""

    def __init__(self, db_path: Path) -> None:
        """Open (creating if needed) and migrate the database at `db_path`.

        Raises StoredFileError when the file is not a lace-tui sessions database, was written
        by a newer lace-tui, or cannot be opened; such a file is left as it was.
        """
        self._path = Path(db_path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = _open(self._path)

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        """Close the database; further calls fail. Closing twice is harmless."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- sessions --------------------------------------------------------------------------

    def create_session(self, session_id: str | None = None, title: str = "") -> Session:
        """A new session, with the given id or a generated one like `s-8f3k2a`."""
        if session_id is not None and not is_valid_session_id(session_id):
            raise BadInputError(
                f"invalid session id {session_id!r}: use 1-64 letters, digits, '.', '_' or '-',"
                f" starting with a letter or digit ({SESSION_ID_PATTERN})"
            )
        now = _now()
        with self._write() as conn:
            if session_id is None:
                session_id = _unused_id(conn, "sessions", "s-")
            elif _exists(conn, "sessions", session_id):
                raise BadInputError(
                    f"session '{session_id}' already exists: choose another id,"
                    f" or continue it with --session {session_id}"
                )
            session = Session(
                id=session_id, title=_clean_title(title), created_at=now, updated_at=now
            )
            conn.execute(
                "INSERT INTO sessions (id, title, created_at, updated_at, archived)"
                " VALUES (?, ?, ?, ?, 0)",
                (session.id, session.title, now, now),
            )
        return session

    def get_session(self, session_id: str) -> Session:
        """The session with that id; NotFoundError when there is none."""
        found = self.find_session(session_id)
        if found is None:
            raise _no_session(session_id)
        return found

    def find_session(self, session_id: str) -> Session | None:
        """The session with that id, or None."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        return None if row is None else Session.model_validate(dict(row))

    def list_sessions(self, include_archived: bool = False) -> list[Session]:
        """Sessions, most recently updated first; archived ones only when asked."""
        where = "" if include_archived else "WHERE archived = 0"
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions {where}"
                " ORDER BY updated_at DESC, rowid DESC"
            ).fetchall()
        return [Session.model_validate(dict(row)) for row in rows]

    def rename_session(self, session_id: str, title: str) -> Session:
        """Set the title (one line; surrounding blanks dropped). Counts as an update."""
        with self._write() as conn:
            _require_session(conn, session_id)
            conn.execute(
                "UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?",
                (_clean_title(title), _now(), session_id),
            )
            return _fetch_session(conn, session_id)

    def archive_session(self, session_id: str, archived: bool = True) -> Session:
        """Hide the session from default lists (or bring it back). Keeps its update time."""
        with self._write() as conn:
            _require_session(conn, session_id)
            conn.execute(
                "UPDATE sessions SET archived = ? WHERE id = ?", (int(archived), session_id)
            )
            return _fetch_session(conn, session_id)

    def delete_session(self, session_id: str) -> None:
        """Delete the session with its agents and their messages."""
        with self._write() as conn:
            _require_session(conn, session_id)
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def touch_session(self, session_id: str) -> None:
        """Mark the session as just updated (it moves to the top of the list)."""
        with self._write() as conn:
            _require_session(conn, session_id)
            _bump_session(conn, session_id, _now())

    def last_session_id(self) -> str | None:
        """The most recently updated session that is not archived, if any."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT id FROM sessions WHERE archived = 0"
                " ORDER BY updated_at DESC, rowid DESC LIMIT 1"
            ).fetchone()
        return None if row is None else str(row["id"])

    # -- agents ----------------------------------------------------------------------------

    def add_agent(
        self,
        session_id: str,
        name: str,
        instance_id: str,
        model_id: str,
        system_prompt: str | None = None,
        reasoning_effort: str | None = None,
    ) -> Agent:
        """A new agent at the end of the session's agents. Its name must be new there."""
        name = _clean_agent_name(name)
        _require_text("instance id", instance_id)
        _require_text("model id", model_id)
        now = _now()
        with self._write() as conn:
            _require_session(conn, session_id)
            _require_free_name(conn, session_id, name)
            position_row = conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) AS next FROM agents WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            agent = Agent(
                id=_unused_id(conn, "agents", "a-"),
                session_id=session_id,
                name=name,
                instance_id=instance_id,
                model_id=model_id,
                system_prompt=system_prompt or None,
                reasoning_effort=reasoning_effort or None,
                position=int(position_row["next"]),
                created_at=now,
            )
            conn.execute(
                f"INSERT INTO agents ({_AGENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    agent.id,
                    agent.session_id,
                    agent.name,
                    agent.instance_id,
                    agent.model_id,
                    agent.system_prompt,
                    agent.reasoning_effort,
                    agent.position,
                    agent.created_at,
                ),
            )
            _bump_session(conn, session_id, now)
        return agent

    def list_agents(self, session_id: str) -> list[Agent]:
        """The session's agents in order; NotFoundError for an unknown session."""
        with self._read() as conn:
            _require_session(conn, session_id)
            return _fetch_agents(conn, session_id)

    def get_agent(self, agent_id: str) -> Agent:
        """The agent with that id; NotFoundError when there is none."""
        with self._read() as conn:
            return _fetch_agent(conn, agent_id)

    def update_agent(
        self,
        agent_id: str,
        *,
        instance_id: str | None = None,
        model_id: str | None = None,
        name: str | None = None,
        system_prompt: str | None = None,
        reasoning_effort: str | None = None,
    ) -> Agent:
        """Change an agent; None leaves a field as it is, "" clears a system prompt or effort.

        Switching the instance or model keeps the agent's history: earlier messages still
        name the model that wrote them, later ones the new model.
        """
        changes: dict[str, str | None] = {}
        if name is not None:
            changes["name"] = _clean_agent_name(name)
        if instance_id is not None:
            changes["instance_id"] = _require_text("instance id", instance_id)
        if model_id is not None:
            changes["model_id"] = _require_text("model id", model_id)
        if system_prompt is not None:
            changes["system_prompt"] = system_prompt or None
        if reasoning_effort is not None:
            changes["reasoning_effort"] = reasoning_effort or None
        with self._write() as conn:
            agent = _fetch_agent(conn, agent_id)
            new_name = changes.get("name")
            if new_name is not None and new_name != agent.name:
                _require_free_name(conn, agent.session_id, new_name)
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                conn.execute(
                    f"UPDATE agents SET {assignments} WHERE id = ?", (*changes.values(), agent_id)
                )
                _bump_session(conn, agent.session_id, _now())
            return _fetch_agent(conn, agent_id)

    def remove_agent(self, agent_id: str) -> None:
        """Delete the agent and its messages."""
        with self._write() as conn:
            agent = _fetch_agent(conn, agent_id)
            conn.execute("DELETE FROM agents WHERE id = ?", (agent_id,))
            _bump_session(conn, agent.session_id, _now())

    # -- messages --------------------------------------------------------------------------

    def add_message(
        self,
        agent_id: str,
        role: Role,
        content: str,
        *,
        status: MessageStatus = "complete",
        model_id: str,
        instance_id: str,
        turn_id: str | None = None,
    ) -> Message:
        """Store a message, committed before this returns (so before any request is sent)."""
        if role not in ROLES:
            raise BadInputError(f"invalid message role {role!r}: use user or assistant")
        _check_status(status)
        _require_text("model id", model_id)
        _require_text("instance id", instance_id)
        now = _now()
        with self._write() as conn:
            agent = _fetch_agent(conn, agent_id)
            cursor = conn.execute(
                "INSERT INTO messages (agent_id, role, content, reasoning, status, model_id,"
                " instance_id, created_at, updated_at, turn_id)"
                " VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
                (agent_id, role, content, status, model_id, instance_id, now, now, turn_id),
            )
            _bump_session(conn, agent.session_id, now)
            message_id = cursor.lastrowid
        if message_id is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise StoredFileError(f"{self._path}: the new message got no id")
        return Message(
            id=message_id,
            agent_id=agent_id,
            role=role,
            content=content,
            status=status,
            model_id=model_id,
            instance_id=instance_id,
            created_at=now,
            updated_at=now,
            turn_id=turn_id,
        )

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        reasoning: str | None = None,
        status: MessageStatus | None = None,
        error: str | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cache_read_tokens: int | None = None,
        cache_write_tokens: int | None = None,
        reasoning_tokens: int | None = None,
        cost_usd: float | None = None,
        ttft_ms: float | None = None,
        duration_ms: float | None = None,
        instance_id: str | None = None,
        failed_over: str | None = None,
    ) -> None:
        """Change a message in its own committed transaction; None leaves a field unchanged.

        `content` and `reasoning` replace the whole text (pass everything received so far).
        Times in milliseconds are stored rounded to whole milliseconds. Bumps the update
        time of the message and of its session.
        """
        changes: dict[str, str | int | float] = {}
        if content is not None:
            changes["content"] = content
        if reasoning is not None:
            changes["reasoning"] = reasoning
        if status is not None:
            changes["status"] = _check_status(status)
        if error is not None:
            changes["error"] = error
        if instance_id is not None:
            changes["instance_id"] = _require_text("instance id", instance_id)
        if failed_over is not None:
            changes["failed_over"] = failed_over
        tokens = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_read_tokens": cache_read_tokens,
            "cache_write_tokens": cache_write_tokens,
            "reasoning_tokens": reasoning_tokens,
        }
        for column, count in tokens.items():
            if count is not None:
                changes[column] = int(count)
        if cost_usd is not None:
            if not math.isfinite(cost_usd):
                raise BadInputError(f"invalid cost {cost_usd!r} for message {message_id}")
            changes["cost_usd"] = float(cost_usd)
        for column, millis in (("ttft_ms", ttft_ms), ("duration_ms", duration_ms)):
            if millis is not None:
                if not math.isfinite(millis):
                    raise BadInputError(f"invalid {column} {millis!r} for message {message_id}")
                changes[column] = round(millis)
        now = _now()
        changes["updated_at"] = now
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with self._write() as conn:
            row = conn.execute(
                "SELECT a.session_id FROM messages m JOIN agents a ON a.id = m.agent_id"
                " WHERE m.id = ?",
                (message_id,),
            ).fetchone()
            if row is None:
                raise _no_message(message_id)
            conn.execute(
                f"UPDATE messages SET {assignments} WHERE id = ?", (*changes.values(), message_id)
            )
            _bump_session(conn, str(row["session_id"]), now)

    def get_message(self, message_id: int) -> Message:
        """The message with that id; NotFoundError when there is none."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?", (message_id,)
            ).fetchone()
        if row is None:
            raise _no_message(message_id)
        return Message.model_validate(dict(row))

    def list_messages(self, agent_id: str) -> list[Message]:
        """The agent's messages, oldest first."""
        with self._read() as conn:
            _fetch_agent(conn, agent_id)
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.agent_id = ? ORDER BY m.id",
                (agent_id,),
            ).fetchall()
        return [Message.model_validate(dict(row)) for row in rows]

    def session_messages(self, session_id: str) -> list[Message]:
        """Every message of the session's agents, in the order they were stored."""
        with self._read() as conn:
            _require_session(conn, session_id)
            return _fetch_session_messages(conn, session_id)

    def recent_models(self, limit: int = 8) -> list[tuple[str, str]]:
        """The (instance, model) pairs of the latest replies, newest first, without repeats."""
        found: list[tuple[str, str]] = []
        with self._read() as conn:
            # Newest first by the primary key, and only the latest replies: one model used for
            # 100,000 messages must not make the picker read them all.
            rows = conn.execute(
                "SELECT instance_id, model_id FROM messages WHERE role = 'assistant'"
                " ORDER BY id DESC LIMIT 500"
            )
            for row in rows:
                pair = (str(row["instance_id"]), str(row["model_id"]))
                if pair not in found:
                    found.append(pair)
                    if len(found) >= limit:
                        break
        return found

    def recover_interrupted(self) -> int:
        """Mark every message still `streaming` as `interrupted`; return how many there were.

        Call once at start: a reply left streaming was cut short by a crash or a kill.
        """
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE messages SET status = 'interrupted', updated_at = ?"
                " WHERE status = 'streaming'",
                (_now(),),
            )
            return cursor.rowcount

    # -- totals and whole sessions ---------------------------------------------------------

    def totals_for_agent(self, agent_id: str) -> UsageTotals:
        """Token and cost sums over the agent's messages."""
        with self._read() as conn:
            _fetch_agent(conn, agent_id)
            row = conn.execute(
                f"SELECT {_TOTALS_SELECT} FROM messages m WHERE m.agent_id = ?", (agent_id,)
            ).fetchone()
        return _totals(row)

    def session_detail(self, session_id: str) -> SessionDetail:
        """The session, its agents, its messages and totals, read as one consistent snapshot."""
        with self._read() as conn:
            session = _fetch_session(conn, session_id)
            agents = _fetch_agents(conn, session_id)
            messages = _fetch_session_messages(conn, session_id)
            in_session = "m.agent_id IN (SELECT id FROM agents WHERE session_id = ?)"
            total_row = conn.execute(
                f"SELECT {_TOTALS_SELECT} FROM messages m WHERE {in_session}", (session_id,)
            ).fetchone()
            per_agent_rows = conn.execute(
                f"SELECT m.agent_id AS agent_id, {_TOTALS_SELECT} FROM messages m"
                f" WHERE {in_session} GROUP BY m.agent_id",
                (session_id,),
            ).fetchall()
        per_agent = {str(row["agent_id"]): _totals(row) for row in per_agent_rows}
        return SessionDetail(
            session=session,
            agents=agents,
            messages=messages,
            totals=_totals(total_row),
            agent_totals={agent.id: per_agent.get(agent.id, UsageTotals()) for agent in agents},
        )

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taking the write lock at once (no upgrade deadlock)."""
        with self._lock, _sqlite_errors(self._path):
            conn = self._open_connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.rollback()
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query in it sees the same snapshot."""
        with self._lock, _sqlite_errors(self._path):
            conn = self._open_connection()
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()

    def _open_connection(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the sessions store is closed")
        return self._connection


# -- opening and migrating ---------------------------------------------------------------


def _open(path: Path) -> sqlite3.Connection:
    _refuse_foreign_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Chats are private: the database (and SQLite's -wal/-shm beside it) is owner-only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoredFileError(f"cannot create {path}: {exc.strerror or exc}") from exc
    with _sqlite_errors(path):
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    try:
        with _sqlite_errors(path):
            conn.row_factory = sqlite3.Row
            # Checked before anything that writes, so a refused file stays byte for byte.
            _check_version(path, _user_version(conn), SCHEMA_VERSION)
            if _user_version(conn) == 0 and _has_tables(conn):
                raise StoredFileError(
                    f"{path} is a SQLite database but not lace-tui's sessions database:"
                    " move it aside or choose another home"
                )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL survives a killed process; a power cut may lose the last write.
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(
    conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS
) -> None:
    """Bring the database to the last schema in `migrations`, in one transaction.

    The connection must be in autocommit mode (isolation_level=None). Raises StoredFileError
    when the database is newer than `migrations` knows.
    """
    target = len(migrations)
    if _user_version(conn) == target:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have migrated meanwhile.
        current = _user_version(conn)
        _check_version(path, current, target)
        for number in range(current + 1, target + 1):
            for statement in migrations[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()
        raise


def _refuse_foreign_file(path: Path) -> None:
    if path.is_dir():
        raise StoredFileError(f"{path} is a directory, not a sessions database: move it aside")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoredFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    # An empty file is a new database to SQLite; anything else must be one already.
    if head and head != _SQLITE_MAGIC:
        raise StoredFileError(
            f"{path} is not a SQLite database (left unchanged): move it aside and start again"
        )


def _check_version(path: Path, found: int, known: int) -> None:
    if found > known:
        raise StoredFileError(
            f"{path.name} was written by a newer lace-tui (schema {found} > {known}):"
            " upgrade lace-tui"
        )


def _user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return int(row[0]) > 0


@contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's failures of the file into one-line StoredFileErrors.

    Integrity and programming errors are bugs of ours and pass through unchanged.
    """
    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise
    except sqlite3.OperationalError as exc:
        reason = str(exc)
        if "locked" in reason or "busy" in reason:
            raise StoredFileError(
                f"{path} is busy: another lace-tui held it for over {BUSY_TIMEOUT_S:g} s; try again"
            ) from exc
        raise StoredFileError(f"cannot use {path}: {reason}") from exc
    except sqlite3.DatabaseError as exc:
        raise StoredFileError(
            f"{path} is damaged or not a sessions database ({exc}): move it aside"
        ) from exc


# -- queries used inside transactions -----------------------------------------------------


def _exists(conn: sqlite3.Connection, table: str, row_id: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone() is not None


def _unused_id(conn: sqlite3.Connection, table: str, prefix: str) -> str:
    while True:
        candidate = prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
        if not _exists(conn, table, candidate):
            return candidate


def _require_session(conn: sqlite3.Connection, session_id: str) -> None:
    if not _exists(conn, "sessions", session_id):
        raise _no_session(session_id)


def _fetch_session(conn: sqlite3.Connection, session_id: str) -> Session:
    row = conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    if row is None:
        raise _no_session(session_id)
    return Session.model_validate(dict(row))


def _fetch_agent(conn: sqlite3.Connection, agent_id: str) -> Agent:
    row = conn.execute(f"SELECT {_AGENT_COLUMNS} FROM agents WHERE id = ?", (agent_id,)).fetchone()
    if row is None:
        raise NotFoundError(
            f"no agent '{agent_id}': see the agents in `lace-tui session show SESSION_ID`"
        )
    return Agent.model_validate(dict(row))


def _fetch_agents(conn: sqlite3.Connection, session_id: str) -> list[Agent]:
    rows = conn.execute(
        f"SELECT {_AGENT_COLUMNS} FROM agents WHERE session_id = ? ORDER BY position, rowid",
        (session_id,),
    ).fetchall()
    return [Agent.model_validate(dict(row)) for row in rows]


def _fetch_session_messages(conn: sqlite3.Connection, session_id: str) -> list[Message]:
    rows = conn.execute(
        f"SELECT {_MESSAGE_COLUMNS} FROM messages m JOIN agents a ON a.id = m.agent_id"
        " WHERE a.session_id = ? ORDER BY m.id",
        (session_id,),
    ).fetchall()
    return [Message.model_validate(dict(row)) for row in rows]


def _require_free_name(conn: sqlite3.Connection, session_id: str, name: str) -> None:
    taken = conn.execute(
        "SELECT 1 FROM agents WHERE session_id = ? AND name = ?", (session_id, name)
    ).fetchone()
    if taken is not None:
        raise BadInputError(
            f"session '{session_id}' already has an agent named '{name}': choose another name"
        )


def _bump_session(conn: sqlite3.Connection, session_id: str, now: str) -> None:
    conn.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id))


def _totals(row: sqlite3.Row) -> UsageTotals:
    cost = row["cost_usd"]
    return UsageTotals(
        input_tokens=int(row["input_tokens"]),
        output_tokens=int(row["output_tokens"]),
        cache_read_tokens=int(row["cache_read_tokens"]),
        cache_write_tokens=int(row["cache_write_tokens"]),
        cost_usd=None if cost is None else float(cost),
        cost_complete=not row["unknown_cost"],
        messages=int(row["messages"]),
    )


# -- small checks ---------------------------------------------------------------------------


def _now() -> str:
    """Now as ISO 8601 UTC with microseconds: fixed width, so text order is time order."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _no_session(session_id: str) -> NotFoundError:
    return NotFoundError(f"no session '{session_id}': see `lace-tui session list`")


def _no_message(message_id: int) -> NotFoundError:
    return NotFoundError(f"no message {message_id} in the sessions database")


def _check_status(status: str) -> MessageStatus:
    for known in MESSAGE_STATUSES:
        if status == known:
            return known
    raise BadInputError(
        f"invalid message status {status!r}: use one of {', '.join(MESSAGE_STATUSES)}"
    )


def _require_text(what: str, value: str) -> str:
    if not value.strip():
        raise BadInputError(f"the {what} is empty")
    return value


def _clean_title(title: str) -> str:
    return " ".join(title.split())


def _clean_agent_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BadInputError("the agent name is empty")
    if len(cleaned) > _MAX_AGENT_NAME:
        raise BadInputError(f"the agent name is longer than {_MAX_AGENT_NAME} characters")
    return cleaned
