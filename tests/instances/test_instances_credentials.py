"""Credentials: private files apart from instances, env references, masking, no key shown."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from lace_tui.errors import AuthError, BadInputError, StoredFileError
from lace_tui.instances.credentials import CredentialStore, key_status, mask_key, resolve_api_key
from lace_tui.instances.models import Instance, KeyStatus
from lace_tui.paths import Paths, resolve_paths

SECRET = "sk-proj-Zq81cVnM04aa7yLPsecret"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def credentials(paths: Paths) -> CredentialStore:
    return CredentialStore(paths)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- storing keys -----------------------------------------------------------------------------


def test_save_writes_only_the_key_in_private_files(
    credentials: CredentialStore, paths: Paths
) -> None:
    credentials.save("work", SECRET)
    key_file = paths.credentials_dir / "work.key"
    assert key_file.read_bytes() == SECRET.encode()
    assert mode_of(key_file) == 0o600
    assert mode_of(paths.credentials_dir) == 0o700
    assert credentials.has("work")
    assert credentials.load("work") == SECRET
    assert not credentials.has("other")
    assert credentials.load("other") is None


def test_directory_is_private_even_with_a_permissive_umask(
    credentials: CredentialStore, paths: Paths
) -> None:
    old = os.umask(0o000)
    try:
        credentials.save("work", SECRET)
    finally:
        os.umask(old)
    assert mode_of(paths.credentials_dir) == 0o700
    assert mode_of(paths.credentials_dir / "work.key") == 0o600


def test_save_replaces_an_existing_key(credentials: CredentialStore) -> None:
    credentials.save("work", SECRET)
    credentials.save("work", "sk-second-key-1234")
    assert credentials.load("work") == "sk-second-key-1234"


@pytest.mark.parametrize("piped", [SECRET + "\n", SECRET + "\r\n", SECRET + "\n\n", f"  {SECRET} "])
def test_trailing_newline_from_stdin_is_dropped(credentials: CredentialStore, piped: str) -> None:
    credentials.save("work", piped)
    assert credentials.load("work") == SECRET


def test_hand_written_key_file_with_newline_is_read(
    credentials: CredentialStore, paths: Paths
) -> None:
    paths.credentials_dir.mkdir(parents=True, mode=0o700)
    (paths.credentials_dir / "work.key").write_text(SECRET + "\n")
    assert credentials.load("work") == SECRET


def test_delete_removes_the_file_and_is_quiet_when_absent(
    credentials: CredentialStore, paths: Paths
) -> None:
    credentials.save("work", SECRET)
    credentials.delete("work")
    assert not (paths.credentials_dir / "work.key").exists()
    assert credentials.load("work") is None
    credentials.delete("work")


# -- bad keys and ids: clear error, nothing written, no key in the message --------------------


@pytest.mark.parametrize(
    "bad_key,reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\n", "empty"),
        (" \t \n", "empty"),
        ("sk-abc123\nsk-def456", "several lines"),
        ("sk-abc\r123456", "several lines"),
        ("sk-abc\x00123456", "control character"),
        ("sk-abc\t123456", "control character"),
        ("sk-abc\x1b[31m456", "control character"),
        ("sk-abc\u201c123456", "non-ASCII"),
    ],
)
def test_unusable_keys_are_refused(
    credentials: CredentialStore, paths: Paths, bad_key: str, reason: str
) -> None:
    credentials.save("work", SECRET)
    with pytest.raises(BadInputError) as caught:
        credentials.save("work", bad_key)
    message = str(caught.value)
    assert reason in message
    assert "instance 'work'" in message
    if bad_key.strip():
        for part in bad_key.split():
            assert part not in message
    assert "sk-abc" not in message
    assert credentials.load("work") == SECRET  # the stored key is untouched


@pytest.mark.parametrize("bad_id", ["../evil", "A B", "", "a" * 64, "x/y"])
def test_bad_ids_never_reach_the_filesystem(
    credentials: CredentialStore, paths: Paths, bad_id: str
) -> None:
    with pytest.raises(BadInputError, match="invalid instance id"):
        credentials.save(bad_id, SECRET)
    with pytest.raises(BadInputError) as caught:
        credentials.load(bad_id)
    assert SECRET not in str(caught.value)
    assert not paths.config_dir.exists() or not any(paths.config_dir.rglob("*"))
    assert not (paths.config_dir / "evil").exists()


def test_unreadable_key_file_is_a_stored_file_error_without_content(
    credentials: CredentialStore, paths: Paths
) -> None:
    paths.credentials_dir.mkdir(parents=True, mode=0o700)
    (paths.credentials_dir / "work.key").write_text(f"{SECRET}\nsecond-line-{SECRET}")
    with pytest.raises(StoredFileError) as caught:
        credentials.load("work")
    assert "work.key" in str(caught.value)
    assert "--api-key-stdin" in str(caught.value)
    assert SECRET not in str(caught.value)


# -- permissions --------------------------------------------------------------------------------


def test_loose_directory_is_tightened_and_reported(
    credentials: CredentialStore, paths: Paths
) -> None:
    paths.credentials_dir.mkdir(parents=True)
    os.chmod(paths.credentials_dir, 0o755)
    notes = credentials.ensure_private()
    assert notes == [f"credentials: tightened {paths.credentials_dir} from 0755 to 0700"]
    assert mode_of(paths.credentials_dir) == 0o700
    assert credentials.ensure_private() == []  # nothing left to fix


def test_loose_key_file_is_tightened_and_reported(
    credentials: CredentialStore, paths: Paths
) -> None:
    credentials.save("work", SECRET)
    credentials.save("home", "sk-home-key-99999")
    key_file = paths.credentials_dir / "work.key"
    os.chmod(key_file, 0o644)
    notes = credentials.ensure_private()
    assert notes == [f"credentials: tightened {key_file} from 0644 to 0600"]
    assert mode_of(key_file) == 0o600
    assert credentials.load("work") == SECRET
    assert all(SECRET not in note for note in notes)


def test_both_loose_are_both_reported(credentials: CredentialStore, paths: Paths) -> None:
    credentials.save("work", SECRET)
    os.chmod(paths.credentials_dir / "work.key", 0o640)
    os.chmod(paths.credentials_dir, 0o750)
    notes = credentials.ensure_private()
    assert len(notes) == 2
    assert "from 0750 to 0700" in notes[0]
    assert "work.key from 0640 to 0600" in notes[1]


def test_save_into_a_loose_directory_tightens_it(
    credentials: CredentialStore, paths: Paths
) -> None:
    paths.credentials_dir.mkdir(parents=True)
    os.chmod(paths.credentials_dir, 0o777)
    credentials.save("work", SECRET)
    assert mode_of(paths.credentials_dir) == 0o700


def test_no_directory_yet_needs_no_fixing(credentials: CredentialStore, paths: Paths) -> None:
    assert credentials.ensure_private() == []
    assert not paths.credentials_dir.exists()


def test_credentials_path_that_is_a_file_is_reported(
    credentials: CredentialStore, paths: Paths
) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.credentials_dir.write_text("oops")
    with pytest.raises(StoredFileError, match="not a directory"):
        credentials.ensure_private()
    with pytest.raises(StoredFileError):
        credentials.save("work", SECRET)
    assert paths.credentials_dir.read_text() == "oops"


# -- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key,masked",
    [
        ("sk-abcdef1234567890", "sk-…7890"),
        ("sk-ant-api03-AAAAAAAAAAAAAAAAAAAAwxyz", "sk-…wxyz"),
        ("gsk_abcdefghijklmnop1234", "…1234"),  # no '-' prefix
        ("AIzaSyAbCdEfGhIjKlMnOp", "…MnOp"),
        ("xai-0123456789abcdef", "xai-…cdef"),
        ("verylongprefix-abcdef1234", "…1234"),  # prefix longer than 4 is not shown
        ("12345678", "…"),
        ("short", "…"),
        ("", "…"),
        ("sk-abcdef", "…cdef"),  # 9 chars: prefix and tail would be most of it
    ],
)
def test_mask_key(key: str, masked: str) -> None:
    assert mask_key(key) == masked


@pytest.mark.parametrize("length", range(9, 40))
def test_mask_never_reveals_half_of_a_key(length: int) -> None:
    key = ("sk-" + "x" * 40)[:length]
    shown = mask_key(key).replace("…", "")
    assert len(shown) <= length // 2


# -- where the key comes from ----------------------------------------------------------------


def test_resolve_prefers_the_referenced_environment_variable(
    credentials: CredentialStore,
) -> None:
    instance = Instance(id="work", provider="openai", api_key_env="WORK_KEY")
    assert resolve_api_key(instance, credentials, {"WORK_KEY": SECRET + "\n"}) == SECRET


@pytest.mark.parametrize("environ", [{}, {"WORK_KEY": ""}, {"WORK_KEY": "  "}])
def test_resolve_unset_variable_is_auth_error_saying_what_to_do(
    credentials: CredentialStore, environ: dict[str, str]
) -> None:
    credentials.save("work", SECRET)  # a stored key does not silently replace the variable
    instance = Instance(id="work", provider="openai", api_key_env="WORK_KEY")
    with pytest.raises(AuthError) as caught:
        resolve_api_key(instance, credentials, environ)
    assert str(caught.value) == (
        "instance 'work': environment variable WORK_KEY is not set: export it, or store a key "
        "with `lace-tui instance edit work --api-key-stdin`"
    )
    assert SECRET not in str(caught.value)


def test_resolve_stored_key_and_keyless(credentials: CredentialStore) -> None:
    credentials.save("work", SECRET)
    stored = Instance(id="work", provider="openai")
    local = Instance(id="local", provider="ollama", endpoint="http://127.0.0.1:11434")
    assert resolve_api_key(stored, credentials, {}) == SECRET
    assert resolve_api_key(local, credentials, {}) is None


def test_key_status_never_holds_the_key(credentials: CredentialStore) -> None:
    credentials.save("work", SECRET)
    stored = key_status(Instance(id="work", provider="openai"), credentials, {})
    assert stored == KeyStatus(source="stored", available=True, masked="sk-…cret")
    env_instance = Instance(id="env", provider="openai", api_key_env="ENV_KEY")
    assert key_status(env_instance, credentials, {"ENV_KEY": SECRET}) == KeyStatus(
        source="env", env_var="ENV_KEY", available=True
    )
    assert key_status(env_instance, credentials, {}) == KeyStatus(
        source="env", env_var="ENV_KEY", available=False
    )
    none = key_status(Instance(id="local", provider="ollama"), credentials, {})
    assert none == KeyStatus(source="none", available=False)
    for status in (stored, none):
        assert SECRET not in status.model_dump_json()
        assert SECRET not in repr(status)


def test_key_status_of_a_broken_key_file_is_unavailable(
    credentials: CredentialStore, paths: Paths
) -> None:
    paths.credentials_dir.mkdir(parents=True, mode=0o700)
    (paths.credentials_dir / "work.key").write_bytes(b"\xff\xfe")
    status = key_status(Instance(id="work", provider="openai"), credentials, {})
    assert status == KeyStatus(source="stored", available=False)


def test_a_key_pasted_as_variable_name_is_refused_without_echo() -> None:
    with pytest.raises(ValidationError) as caught:
        Instance(id="work", provider="openai", api_key_env=SECRET)
    assert SECRET not in str(caught.value)
    assert "api_key_env" in str(caught.value)


def test_a_key_in_headers_or_endpoint_is_refused_without_echo() -> None:
    with pytest.raises(ValidationError) as caught:
        Instance(id="work", provider="openai", headers={"x-api-key": SECRET})
    assert SECRET not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        Instance(id="work", provider="openai", endpoint=f"https://me:{SECRET}@proxy.example/v1")
    assert SECRET not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        Instance(id="work", provider="openai", headers={"X-Note": f"a\nb{SECRET}"})
    assert SECRET not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        Instance(id="work", provider="gemini", endpoint=f"https://g.example/v1beta?key={SECRET}")
    assert SECRET not in str(caught.value)
    # An ordinary query parameter is fine.
    Instance(id="work", provider="azure", endpoint="https://x.example/openai?deployment=gpt")


def test_store_repr_holds_no_key(credentials: CredentialStore) -> None:
    credentials.save("work", SECRET)
    assert SECRET not in repr(credentials)


# -- hostile keys and key files (#11) ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [(SECRET[:8] + "\n" + SECRET[8:], "several lines"), (SECRET + "é", "non-ASCII character")],
)
def test_an_environment_key_gets_the_stored_key_checks_without_echo(
    credentials: CredentialStore, value: str, kind: str
) -> None:
    instance = Instance(id="work", provider="openai", api_key_env="WORK_KEY")
    with pytest.raises(BadInputError) as caught:
        resolve_api_key(instance, credentials, {"WORK_KEY": value})
    message = str(caught.value)
    assert message.startswith("instance 'work': environment variable WORK_KEY ")
    assert kind in message
    assert SECRET[:8] not in message and SECRET[8:] not in message


@pytest.mark.parametrize("dangling", [False, True])
def test_a_key_file_that_is_a_symlink_is_refused(
    credentials: CredentialStore, tmp_path: Path, dangling: bool
) -> None:
    credentials.save("other", SECRET)  # make the directory
    target = tmp_path / "elsewhere.txt"
    if not dangling:
        target.write_text("not-a-key-but-private-content")
    credentials.path("work").symlink_to(target)
    with pytest.raises(StoredFileError) as caught:
        credentials.load("work")
    assert "symbolic link" in str(caught.value)
    assert "private-content" not in str(caught.value)
    instance = Instance(id="work", provider="openai")
    with pytest.raises(StoredFileError):
        resolve_api_key(instance, credentials, {})
