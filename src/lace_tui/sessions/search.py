"""Full-text search over every stored prompt and reply (SQLite FTS5, `messages_fts`).

The index is an external-content FTS5 table over `messages.content`, kept in step by triggers
(schema migration `#13`), so every write — including each flush of a streaming reply — is
searchable as soon as it is committed. Hits come newest first: FTS5 walks its rowids in
descending order without sorting, which keeps a search over 100,000 messages in milliseconds
even for a word that is in every message (ranking by relevance would score them all).
"""

from __future__ import annotations

import sqlite3

from pydantic import BaseModel, ConfigDict, Field

from lace_tui.errors import BadInputError
from lace_tui.sessions.models import Role

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
# Private-use marks around matched words in FTS5's snippet(): they never occur in SQL and are
# removed again below, so a reply's own brackets cannot be mistaken for a highlight.
_OPEN = "\ue000"
_CLOSE = "\ue001"
_SNIPPET_TOKENS = 12
_PREFIX_MIN = 3


class SearchHit(BaseModel):
    """One message that matches: where it is, and a one-line snippet around the match.

    `highlights` are [start, end) character offsets of matched words in `snippet`.
    """

    model_config = ConfigDict(extra="forbid")

    session_id: str
    session_title: str
    agent_id: str
    agent_name: str
    message_id: int
    role: Role
    created_at: str
    snippet: str
    highlights: list[tuple[int, int]] = Field(default_factory=list)


def fts_query(text: str) -> str:
    """The FTS5 query for what a person typed: every word must appear; words of three or more
    letters match as prefixes ("deplo" finds "deployment"), shorter ones as whole words.

    Words are quoted, so FTS5 operators (`AND`, `NEAR`, `*`, `"`, `:`) in the text are
    searched for as words, never parsed. BadInputError when nothing searchable is left.
    """
    words = [word for word in text.split() if any(char.isalnum() for char in word)]
    if not words:
        raise BadInputError("the search text has no words: type at least one letter or digit")
    return " ".join(_fts_word(word) for word in words)


def _fts_word(word: str) -> str:
    # A one- or two-letter prefix would expand to a large part of the vocabulary and merge
    # all of their postings (tens of ms at 100,000 messages); three letters use the index's
    # prefix table (`prefix = '3'`), and longer prefixes expand to few words.
    prefix = "*" if sum(char.isalnum() for char in word) >= _PREFIX_MIN else ""
    return '"' + word.replace('"', '""') + '"' + prefix


def search_messages(
    conn: sqlite3.Connection, text: str, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    """Messages of every session whose text matches `text`, newest first, at most `limit`.

    Runs inside the caller's read transaction on a connection with `sqlite3.Row` rows.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInputError(f"the search limit must be between 1 and {MAX_LIMIT}")
    rows = conn.execute(
        "SELECT m.id AS message_id, m.role AS role, m.created_at AS created_at,"
        " a.id AS agent_id, a.name AS agent_name, s.id AS session_id, s.title AS session_title,"
        f" snippet(messages_fts, 0, '{_OPEN}', '{_CLOSE}', '…', {_SNIPPET_TOKENS}) AS snippet"
        " FROM messages_fts"
        " JOIN messages m ON m.id = messages_fts.rowid"
        " JOIN agents a ON a.id = m.agent_id"
        " JOIN sessions s ON s.id = a.session_id"
        " WHERE messages_fts MATCH ? AND m.superseded_at IS NULL"
        " ORDER BY messages_fts.rowid DESC LIMIT ?",
        (fts_query(text), limit),
    ).fetchall()
    hits = []
    for row in rows:
        snippet, highlights = _one_line_with_highlights(str(row["snippet"]))
        hits.append(
            SearchHit(
                session_id=row["session_id"],
                session_title=row["session_title"],
                agent_id=row["agent_id"],
                agent_name=row["agent_name"],
                message_id=row["message_id"],
                role=row["role"],
                created_at=row["created_at"],
                snippet=snippet,
                highlights=highlights,
            )
        )
    return hits


def _one_line_with_highlights(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The snippet on one line (whitespace and control characters become single spaces), and
    where the marked words are in it."""
    out: list[str] = []
    highlights: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    pending_space = False
    for char in marked:
        if char == _OPEN:
            if pending_space and length:
                out.append(" ")
                length += 1
            pending_space = False
            start = length
            continue
        if char == _CLOSE:
            if start is not None and length > start:
                highlights.append((start, length))
            start = None
            continue
        if char.isspace() or ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            pending_space = True
            continue
        if pending_space and length:
            out.append(" ")
            length += 1
        pending_space = False
        out.append(char)
        length += 1
    return "".join(out), highlights
