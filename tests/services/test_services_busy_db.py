"""A database another process holds busy mid-stream loses nothing of the reply (#11)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import resolve_paths
from lace_tui.providers.events import TextDelta
from lace_tui.services import chat_service
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ChatService, ReplyDone
from lace_tui.sessions.store import SessionStore
from tests.support.fake_provider import FakeBehaviour, FakeProvider

REPLY = " ".join(f"word{i}" for i in range(60))


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply=REPLY, delay=0.001)) as srv:
        yield srv


async def test_a_busy_database_mid_stream_is_retried_and_nothing_is_lost(
    tmp_path: Path, server: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat_service, "FLUSH_DELTAS", 1)  # write after every delta
    monkeypatch.setattr(chat_service, "BUSY_BACKOFF", 0.0, raising=False)  # and retry at once
    paths = resolve_paths(tmp_path)
    services = Services(paths, environ={})
    services.instances.add(
        Instance(
            id="gpt",
            provider="openai",
            endpoint=server.url + "/v1",
            retry=RetryPolicy(max_attempts=1),
        ),
        api_key="sk-test-987654321",
    )
    store = SessionStore(paths.sessions_db, busy_timeout=0.01)  # "busy for longer" in 10 ms
    chat = ChatService(store, services.instances)
    agent = chat.add_agent("s", "gpt", "gpt-5.5", create_session=True)
    blocker = sqlite3.connect(paths.sessions_db, isolation_level=None)
    seen_text = 0
    done: ReplyDone | None = None
    try:
        async for event in chat.send(agent.id, "hi"):
            if isinstance(event, TextDelta):
                seen_text += 1
                if seen_text == 2:
                    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
                elif seen_text == 10:
                    blocker.execute("ROLLBACK")
            elif isinstance(event, ReplyDone):
                done = event
        assert seen_text >= 10
        assert done is not None
        assert done.message.status == "complete"
        assert done.message.content == REPLY
        assert store.get_message(done.message.id).content == REPLY
    finally:
        blocker.close()
        store.close()
        services.close()
