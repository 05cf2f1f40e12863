"""InstanceStore on real files: layout, atomic locked updates, broken files kept as they are."""

from __future__ import annotations

import os
import stat
import threading
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from lace_tui.errors import BadInputError, NotFoundError, StoredFileError
from lace_tui.instances.credentials import CredentialStore
from lace_tui.instances.models import ConnectionStatus, Instance, RetryPolicy
from lace_tui.instances.state import StateStore
from lace_tui.instances.store import InstanceStore
from lace_tui.paths import Paths, resolve_paths

SECRET = "sk-live-0123456789abcdefSECRET"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def store(paths: Paths) -> InstanceStore:
    return InstanceStore(paths)


def full_instance() -> Instance:
    return Instance(
        id="openai-work",
        name="OpenAI work",
        provider="openai",
        endpoint="https://proxy.example.com/v1",
        timeout=30,
        retry=RetryPolicy(max_attempts=5, backoff_initial=0.5),
        headers={"X-Team": "research", "OpenAI-Organization": "org-1"},
        api_key_env="OPENAI_WORK_KEY",
        api_version="2024-06-01",
        extra_models=["gpt-custom", "ft:gpt-4o:me"],
    )


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` (lock files aside) with its bytes."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


# -- reading and writing ------------------------------------------------------------------------


def test_no_file_means_no_instances(store: InstanceStore) -> None:
    assert store.load() == []
    assert not store.file_exists()


def test_round_trip_keeps_every_field(store: InstanceStore, paths: Paths) -> None:
    instance = full_instance()
    store.add(instance)
    assert store.file_exists()
    assert store.load() == [instance]
    assert InstanceStore(paths).get("openai-work") == instance


def test_file_is_readable_toml_with_one_table_per_instance(
    store: InstanceStore, paths: Paths
) -> None:
    store.add(full_instance())
    store.add(Instance(id="local", provider="ollama"))
    text = paths.instances_file.read_text()
    document = tomllib.loads(text)
    assert set(document) == {"instances"}
    assert document["instances"]["local"] == {"provider": "ollama"}  # defaults left out
    work = document["instances"]["openai-work"]
    assert "id" not in work  # the table name is the id
    assert work["timeout"] == 30 and isinstance(work["timeout"], int)
    assert work["retry"] == {"max_attempts": 5, "backoff_initial": 0.5}
    assert work["headers"] == {"X-Team": "research", "OpenAI-Organization": "org-1"}
    assert "[instances.openai-work]" in text
    assert "[instances.local]" in text
    assert "null" not in text and "None" not in text


def test_hand_written_file_is_read(store: InstanceStore, paths: Paths) -> None:
    paths.instances_file.parent.mkdir(parents=True)
    paths.instances_file.write_text(
        "# mine\n"
        "[instances.b-lab]\n"
        'provider = "openai-compat"\n'
        'endpoint = "http://10.0.0.5:8000/v1"\n'
        "timeout = 5\n"
        "\n"
        "[instances.a]\n"
        'provider = "anthropic"\n'
        'api_key_env = "$ANTHROPIC_API_KEY"\n'
    )
    loaded = store.load()
    assert [i.id for i in loaded] == ["a", "b-lab"]  # sorted by id
    assert loaded[0].api_key_env == "ANTHROPIC_API_KEY"
    assert loaded[1].timeout == 5.0
    assert loaded[1].endpoint == "http://10.0.0.5:8000/v1"


def test_new_file_holds_no_secret_and_keeps_users_mode(store: InstanceStore, paths: Paths) -> None:
    store.add(Instance(id="a", provider="openai"))
    CredentialStore(paths).save("a", SECRET)
    assert SECRET not in paths.instances_file.read_text()
    os.chmod(paths.instances_file, 0o600)
    store.add(Instance(id="b", provider="openai"))
    assert stat.S_IMODE(paths.instances_file.stat().st_mode) == 0o600


def test_get_unknown_is_not_found(store: InstanceStore) -> None:
    store.add(Instance(id="a", provider="openai"))
    with pytest.raises(NotFoundError) as caught:
        store.get("x")
    assert str(caught.value) == "no instance 'x': see `lace-tui instance list`"
    assert caught.value.exit_code == 2


def test_replace_changes_only_that_instance(store: InstanceStore) -> None:
    store.add(Instance(id="a", provider="openai"))
    store.add(Instance(id="b", provider="openai"))
    store.replace(Instance(id="a", name="Renamed", provider="openai", timeout=12))
    assert store.get("a").name == "Renamed"
    assert store.get("a").timeout == 12
    assert store.get("b") == Instance(id="b", provider="openai")


def test_replace_missing_is_not_found_and_changes_nothing(
    store: InstanceStore, paths: Paths
) -> None:
    store.add(Instance(id="a", provider="openai"))
    before = paths.instances_file.read_bytes()
    with pytest.raises(NotFoundError, match="no instance 'zz'"):
        store.replace(Instance(id="zz", provider="openai"))
    assert paths.instances_file.read_bytes() == before


def test_remove_deletes_instance_credential_and_status(store: InstanceStore, paths: Paths) -> None:
    credentials = CredentialStore(paths)
    state = StateStore(paths)
    store.add(Instance(id="a", provider="openai"))
    store.add(Instance(id="b", provider="openai"))
    credentials.save("a", SECRET)
    credentials.save("b", "sk-other-key-000000")
    status = ConnectionStatus(state="connected", latency_ms=12.5, tested_at="2025-01-01T00:00:00Z")
    state.set_status("a", status)
    state.set_status("b", status)

    store.remove("a")

    assert [i.id for i in store.load()] == ["b"]
    assert not credentials.has("a")
    assert not (paths.credentials_dir / "a.key").exists()
    assert state.status("a") is None
    assert credentials.load("b") == "sk-other-key-000000"
    assert state.status("b") == status


def test_remove_missing_is_not_found(store: InstanceStore, paths: Paths) -> None:
    store.add(Instance(id="a", provider="openai"))
    before = snapshot(paths.config_dir)
    with pytest.raises(NotFoundError):
        store.remove("nope")
    assert snapshot(paths.config_dir) == before


def test_remove_works_even_if_state_file_is_broken(store: InstanceStore, paths: Paths) -> None:
    store.add(Instance(id="a", provider="openai"))
    paths.state_file.write_text("{broken")
    store.remove("a")
    assert store.load() == []
    assert paths.state_file.read_text() == "{broken"  # kept for the user to look at


def test_empty_file_after_last_removal_still_exists(store: InstanceStore, paths: Paths) -> None:
    store.add(Instance(id="a", provider="openai"))
    store.remove("a")
    assert store.file_exists()
    assert store.load() == []


# -- two running copies ---------------------------------------------------------------------------


def test_two_stores_on_one_dir_both_adds_survive(paths: Paths) -> None:
    first = InstanceStore(paths)
    second = InstanceStore(paths)
    assert first.load() == [] and second.load() == []  # both started before either wrote
    first.add(Instance(id="one", provider="openai"))
    second.add(Instance(id="two", provider="anthropic"))
    assert [i.id for i in first.load()] == ["one", "two"]


def test_concurrent_writers_lose_nothing(paths: Paths) -> None:
    # Each thread has its own store and its own lock file descriptor, as two processes would.
    errors: list[BaseException] = []

    def add_many(worker: int) -> None:
        store = InstanceStore(paths)
        try:
            for n in range(5):
                store.add(Instance(id=f"w{worker}-{n}", provider="openai"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add_many, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(InstanceStore(paths).load()) == 30


# -- bad input: clear error, nothing on disk changed ---------------------------------------------


@pytest.mark.parametrize("bad_id", ["../x", "A B", "", "a" * 64, "-lead", "abc\n", "a_b"])
def test_bad_instance_ids_are_rejected(bad_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Instance(id=bad_id, provider="openai")
    assert caught.value.errors()[0]["loc"] == ("id",)


def test_longest_valid_id_is_accepted(store: InstanceStore) -> None:
    store.add(Instance(id="a" * 63, provider="openai"))
    assert store.get("a" * 63).id == "a" * 63


@pytest.mark.parametrize("endpoint", ["ftp://x", "not a url", "http://", "localhost:11434"])
def test_bad_endpoints_are_rejected(endpoint: str) -> None:
    with pytest.raises(ValidationError, match="endpoint"):
        Instance(id="a", provider="openai", endpoint=endpoint)


@pytest.mark.parametrize("timeout", [0, -1, -0.5])
def test_zero_or_negative_timeout_is_rejected(timeout: float) -> None:
    with pytest.raises(ValidationError, match="timeout"):
        Instance(id="a", provider="openai", timeout=timeout)


def test_duplicate_id_is_refused_and_file_unchanged(store: InstanceStore, paths: Paths) -> None:
    store.add(Instance(id="a", name="First", provider="openai"))
    before = paths.instances_file.read_bytes()
    with pytest.raises(BadInputError) as caught:
        store.add(Instance(id="a", name="Second", provider="anthropic"))
    assert str(caught.value) == "instance 'a' already exists: use `lace-tui instance edit a`"
    assert paths.instances_file.read_bytes() == before
    assert store.get("a").name == "First"


def test_instance_changed_after_validation_is_checked_again(
    store: InstanceStore, paths: Paths
) -> None:
    store.add(Instance(id="a", provider="openai"))
    before = paths.instances_file.read_bytes()
    sneaky = Instance(id="b", provider="openai")
    sneaky.id = "../../etc"  # pydantic does not validate assignments
    with pytest.raises(BadInputError, match="invalid id"):
        store.add(sneaky)
    sneaky = Instance(id="a", provider="openai")
    sneaky.timeout = -3
    with pytest.raises(BadInputError, match="timeout"):
        store.replace(sneaky)
    assert paths.instances_file.read_bytes() == before


CORRUPT_FILES = {
    "bad toml": ('[instances.a]\nprovider = "openai"\ntimeout = = 3\n', "line 3"),
    "unclosed table": ("[instances.a\n", "line 1"),
    "negative timeout": ('[instances.a]\nprovider = "openai"\ntimeout = -5\n', "line 3"),
    "bad endpoint": (
        '[instances.a]\nprovider = "openai"\n\n[instances.b]\nprovider = "x"\n'
        'endpoint = "ftp://host"\n',
        "line 6",
    ),
    "bad retry": ('[instances.a]\nprovider = "x"\n\n[instances.a.retry]\nmax_attempts = 0\n', "5"),
    "unknown key": ('[instances.a]\nprovider = "x"\ncolour = "red"\n', "line 3"),
    "missing provider": ('[instances.a]\nname = "A"\n', "line 1"),
    "bad id": ('[instances."Bad Id"]\nprovider = "x"\n', "line 1"),
    "unknown top level": ('title = "mine"\n[instances.a]\nprovider = "x"\n', "line 1"),
    "instances not a table": ("instances = [1, 2]\n", "line 1"),
    "instance not a table": ("[instances]\na = 3\n", "line 2"),
    "id disagrees": ('[instances.a]\nid = "b"\nprovider = "x"\n', "line 1"),
    "not utf-8": (b'[instances.a]\nname = "\xff"\n', "UTF-8"),
}


@pytest.mark.parametrize("content,where", CORRUPT_FILES.values(), ids=CORRUPT_FILES.keys())
def test_broken_file_is_reported_and_never_overwritten(
    store: InstanceStore, paths: Paths, content: str | bytes, where: str
) -> None:
    paths.config_dir.mkdir(parents=True)
    raw = content.encode() if isinstance(content, str) else content
    paths.instances_file.write_bytes(raw)

    with pytest.raises(StoredFileError) as caught:
        store.load()
    message = str(caught.value)
    assert str(paths.instances_file) in message
    assert where in message
    assert "\n" not in message
    assert caught.value.exit_code == 1

    for attempt in (
        lambda: store.add(Instance(id="new", provider="openai")),
        lambda: store.replace(Instance(id="a", provider="openai")),
        lambda: store.remove("a"),
        lambda: store.get("a"),
    ):
        with pytest.raises(StoredFileError) as again:
            attempt()
        assert str(again.value) == message
    assert paths.instances_file.read_bytes() == raw


def test_validation_error_names_instance_and_field(store: InstanceStore, paths: Paths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.instances_file.write_text(
        '[instances.good]\nprovider = "x"\n\n[instances.slow]\nprovider = "x"\ntimeout = 0\n'
    )
    with pytest.raises(StoredFileError) as caught:
        store.load()
    message = str(caught.value)
    assert "line 6" in message
    assert "instance 'slow'" in message
    assert "timeout" in message


def test_secret_in_a_hand_written_header_is_refused_without_echoing_it(
    store: InstanceStore, paths: Paths
) -> None:
    paths.config_dir.mkdir(parents=True)
    raw = (
        '[instances.a]\nprovider = "x"\n\n'
        f'[instances.a.headers]\nAuthorization = "Bearer {SECRET}"\n'
    )
    paths.instances_file.write_text(raw)
    with pytest.raises(StoredFileError) as caught:
        store.load()
    assert "line 4" in str(caught.value)  # the [instances.a.headers] table
    assert "credential" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert paths.instances_file.read_text() == raw
