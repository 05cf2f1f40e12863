"""The models of the latest replies (#15): what the model picker lists as recently used."""

from __future__ import annotations

from pathlib import Path

from lace_tui.sessions.store import SessionStore


def test_recent_models_are_newest_first_without_repeats(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "sessions.db") as store:
        store.create_session("s")
        agent = store.add_agent("s", "a", "i", "m")
        assert store.recent_models() == []
        for instance_id, model_id in [("i", "m"), ("j", "n"), ("i", "m"), ("k", "o")]:
            store.add_message(agent.id, "user", "q", model_id="ignored", instance_id="x")
            store.add_message(
                agent.id, "assistant", "r", model_id=model_id, instance_id=instance_id
            )
        assert store.recent_models() == [("k", "o"), ("i", "m"), ("j", "n")]
        assert store.recent_models(limit=1) == [("k", "o")]
