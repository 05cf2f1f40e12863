"""The state file: connection-test results and the env-import record, kept when broken."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from lace_tui.errors import StoredFileError
from lace_tui.instances.models import ConnectionStatus
from lace_tui.instances.state import StateStore
from lace_tui.paths import Paths, resolve_paths


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def state(paths: Paths) -> StateStore:
    return StateStore(paths)


def connected(latency: float = 120.0) -> ConnectionStatus:
    return ConnectionStatus(
        state="connected", message="ok", latency_ms=latency, tested_at="2025-05-01T10:00:00+00:00"
    )


def test_empty_without_a_file(state: StateStore, paths: Paths) -> None:
    assert state.status("a") is None
    assert state.statuses() == {}
    assert not state.env_import_done()
    state.clear("a")  # nothing to forget: no file is created
    assert not paths.state_file.exists()


def test_status_round_trip_across_stores(state: StateStore, paths: Paths) -> None:
    failed = ConnectionStatus(
        state="auth_failed", message="401 invalid key", tested_at="2025-05-01T10:01:00+00:00"
    )
    state.set_status("a", connected())
    state.set_status("b", failed)
    again = StateStore(paths)
    assert again.status("a") == connected()
    assert again.status("b") == failed
    assert again.statuses() == {"a": connected(), "b": failed}
    assert stat.S_IMODE(paths.state_file.stat().st_mode) == 0o600
    assert json.loads(paths.state_file.read_text())["connections"]["b"]["state"] == "auth_failed"


def test_a_new_test_replaces_the_old_and_clear_forgets(state: StateStore) -> None:
    state.set_status("a", connected(100))
    state.set_status("a", connected(50))
    assert state.status("a") == connected(50)
    state.clear("a")
    assert state.status("a") is None


def test_two_stores_do_not_undo_each_other(paths: Paths) -> None:
    first, second = StateStore(paths), StateStore(paths)
    first.set_status("a", connected())
    second.record_env_import(["openai"])
    first.set_status("b", connected())
    assert second.status("a") == connected()
    assert first.env_import_done()


def test_env_import_record(state: StateStore) -> None:
    state.record_env_import([])
    assert state.env_import_done()
    record = state.env_import_record()
    assert record is not None and record.imported == [] and record.ran_at
    state.record_env_import(["anthropic", "openai"])
    record = state.env_import_record()
    assert record is not None and record.imported == ["anthropic", "openai"]


def test_unknown_keys_from_a_newer_version_are_kept(state: StateStore, paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_text(json.dumps({"version": 1, "last_session": "s-123"}))
    state.set_status("a", connected())
    assert json.loads(paths.state_file.read_text())["last_session"] == "s-123"


BROKEN = {
    "not json": "{not json",
    "truncated": '{"connections": {"a": ',
    "a list": "[1, 2]",
    "bad status": '{"connections": {"a": {"state": "great", "tested_at": "x"}}}',
    "bad record": '{"env_import": {"imported": "openai"}}',
}


@pytest.mark.parametrize("content", BROKEN.values(), ids=BROKEN.keys())
def test_broken_file_is_reported_and_kept(state: StateStore, paths: Paths, content: str) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_text(content)
    for attempt in (
        lambda: state.status("a"),
        state.env_import_done,
        lambda: state.set_status("a", connected()),
        lambda: state.clear("a"),
        lambda: state.record_env_import(["x"]),
    ):
        with pytest.raises(StoredFileError) as caught:
            attempt()
        assert str(paths.state_file) in str(caught.value)
        assert "\n" not in str(caught.value)
    assert paths.state_file.read_text() == content


def test_broken_json_message_says_where(state: StateStore, paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_text('{\n  "connections": {,}\n}')
    with pytest.raises(StoredFileError) as caught:
        state.status("a")
    assert "not valid JSON" in str(caught.value)
    assert "line 2" in str(caught.value)
