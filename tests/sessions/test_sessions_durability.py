"""A killed writer loses nothing committed; several writers share one database."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from lace_tui.sessions.store import SessionStore

_STREAMING_WRITER = """
import sys
from pathlib import Path
from lace_tui.sessions.store import SessionStore

store = SessionStore(Path(sys.argv[1]))
store.create_session("killed")
agent = store.add_agent("killed", "claude", "work", "claude-sonnet-4")
store.add_message(agent.id, "user", "Tell me a story", model_id="claude-sonnet-4",
                  instance_id="work")
reply = store.add_message(agent.id, "assistant", "", status="streaming",
                          model_id="claude-sonnet-4", instance_id="work")
text = ""
count = 0
while True:
    text += f"tok{count} "
    store.update_message(reply.id, content=text, reasoning="thinking")
    count += 1
    if count == 25:
        print(reply.id, flush=True)
"""


def test_reply_of_a_killed_process_is_kept_and_recovered_as_interrupted(tmp_path: Path):
    path = tmp_path / "sessions.db"
    child = subprocess.Popen(
        [sys.executable, "-c", _STREAMING_WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip(), child.stderr.read() if child.stderr else "writer died"
        message_id = int(line)
        os.kill(child.pid, signal.SIGKILL)  # mid-stream, possibly mid-transaction
    finally:
        child.kill()
        child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL

    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    with SessionStore(path) as store:
        before = store.get_message(message_id)
        assert before.status == "streaming"
        assert store.recover_interrupted() == 1
        reply = store.get_message(message_id)
        prompt = store.list_messages(reply.agent_id)[0]

    assert reply.status == "interrupted"
    assert reply.reasoning == "thinking"
    assert prompt.content == "Tell me a story" and prompt.status == "complete"
    # The partial text is a whole committed write: tok0 .. tokN in order, N >= 24.
    tokens = reply.content.split()
    assert len(tokens) >= 25
    assert tokens == [f"tok{i}" for i in range(len(tokens))]
    assert re.fullmatch(r"(tok\d+ )+", reply.content)


def test_two_stores_on_one_file_interleave_writes(tmp_path: Path):
    path = tmp_path / "sessions.db"
    with SessionStore(path) as app, SessionStore(path) as cli:
        app.create_session("shared")
        assert cli.get_session("shared").id == "shared"
        app_agent = app.add_agent("shared", "app-agent", "work", "m1")
        cli_agent = cli.add_agent("shared", "cli-agent", "work", "m2")
        assert [a.name for a in app.list_agents("shared")] == ["app-agent", "cli-agent"]

        app_reply = app.add_message(
            app_agent.id, "assistant", "", status="streaming", model_id="m1", instance_id="work"
        )
        cli_reply = cli.add_message(
            cli_agent.id, "assistant", "", status="streaming", model_id="m2", instance_id="work"
        )
        for i in range(50):
            app.update_message(app_reply.id, content="a" * (i + 1))
            cli.update_message(cli_reply.id, content="c" * (i + 1))
            # Each sees the other's latest committed write at once.
            assert cli.get_message(app_reply.id).content == "a" * (i + 1)
            assert app.get_message(cli_reply.id).content == "c" * (i + 1)
        cli.update_message(cli_reply.id, status="complete", cost_usd=0.01, output_tokens=5)

        detail = app.session_detail("shared")
        assert [m.content for m in detail.messages] == ["a" * 50, "c" * 50]
        assert detail.agent_totals[cli_agent.id].cost_usd == 0.01
        # A rename by one is not undone by the other's later writes.
        cli.rename_session("shared", "Renamed by the CLI")
        app.update_message(app_reply.id, status="complete")
        assert app.get_session("shared").title == "Renamed by the CLI"


def test_threads_writing_through_two_stores_lose_nothing(tmp_path: Path):
    path = tmp_path / "sessions.db"
    stores = [SessionStore(path), SessionStore(path)]
    try:
        stores[0].create_session("s")
        agents = [stores[0].add_agent("s", f"agent-{n}", "i", "m") for n in range(4)]
        errors: list[BaseException] = []

        def write(store: SessionStore, agent_id: str) -> None:
            try:
                reply = store.add_message(
                    agent_id, "assistant", "", status="streaming", model_id="m", instance_id="i"
                )
                for i in range(40):
                    store.update_message(reply.id, content=f"{agent_id}:{i}")
                store.update_message(reply.id, status="complete")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        # Two threads per store object: the store's lock serialises them, the busy
        # timeout lets the two connections take turns.
        threads = [
            threading.Thread(target=write, args=(stores[n % 2], agent.id))
            for n, agent in enumerate(agents)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        messages = stores[1].session_messages("s")
        assert sorted(m.content for m in messages) == sorted(f"{a.id}:39" for a in agents)
        assert {m.status for m in messages} == {"complete"}
    finally:
        for store in stores:
            store.close()


async def test_agents_streaming_concurrently_in_one_event_loop(tmp_path: Path):
    with SessionStore(tmp_path / "sessions.db") as store:
        store.create_session("fan-out")
        agents = [store.add_agent("fan-out", name, "i", "m") for name in ("a", "b", "c")]

        async def stream(agent_id: str, pieces: int) -> int:
            reply = await asyncio.to_thread(
                store.add_message,
                agent_id,
                "assistant",
                "",
                status="streaming",
                model_id="m",
                instance_id="i",
                turn_id="t-1",
            )
            text = ""
            for i in range(pieces):
                text += f"{i},"
                await asyncio.to_thread(store.update_message, reply.id, content=text)
                await asyncio.sleep(0)
            store.update_message(reply.id, status="complete")  # and from the loop's thread
            return reply.id

        ids = await asyncio.gather(*(stream(agent.id, 30) for agent in agents))
        expected = "".join(f"{i}," for i in range(30))
        for message_id in ids:
            message = store.get_message(message_id)
            assert (message.content, message.status, message.turn_id) == (
                expected,
                "complete",
                "t-1",
            )


def test_write_waits_for_another_connection_holding_the_lock(tmp_path: Path):
    path = tmp_path / "sessions.db"
    with SessionStore(path) as store:
        store.create_session("s")
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE sessions SET title = 'held' WHERE id = 's'")
        released = threading.Event()

        def release_soon() -> None:
            time.sleep(0.15)
            holder.execute("COMMIT")
            released.set()

        thread = threading.Thread(target=release_soon)
        thread.start()
        try:
            # Readers are not blocked by a writer in WAL mode.
            assert store.get_session("s").title == ""
            store.rename_session("s", "mine")  # waits for the lock instead of failing
            # It cannot have written before the other connection let go of the lock.
            assert released.is_set()
        finally:
            thread.join()
            holder.close()
        assert store.get_session("s").title == "mine"
