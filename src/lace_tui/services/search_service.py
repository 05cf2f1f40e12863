"""Finding anything said in any session: the front ends' way to the sessions' search index."""

from __future__ import annotations

from lace_tui.sessions.search import DEFAULT_LIMIT, SearchHit
from lace_tui.sessions.store import SessionStore

__all__ = ["DEFAULT_LIMIT", "SearchHit", "search_sessions"]


def search_sessions(store: SessionStore, text: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """Prompts and replies of every session (archived ones too) containing every word of
    `text` (each as a word prefix, case and accents ignored), newest first.

    BadInputError when `text` has no word to search for or `limit` is out of range.
    """
    return store.search(text, limit)
