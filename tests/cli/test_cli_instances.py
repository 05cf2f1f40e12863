import stat
from pathlib import Path

import pytest

SECRET = "sk-test-0123456789abcdef"


def test_add_with_stored_key_keeps_it_apart_and_private(cli, home: Path):
    result = cli(
        "instance",
        "add",
        "work",
        "--provider",
        "openai",
        "--name",
        "OpenAI work",
        "--api-key-stdin",
        stdin=SECRET + "\n",
    )
    assert result.code == 0, result.err
    assert SECRET not in (home / "instances.toml").read_text()
    key_file = next((home / "credentials").iterdir())
    assert key_file.read_text().strip() == SECRET
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "credentials").stat().st_mode) == 0o700
    listed = cli("instance", "list")
    assert "work" in listed.out and SECRET not in listed.out and "…" in listed.out
    as_json = cli("instance", "list", "--json")
    assert SECRET not in as_json.out
    assert as_json.json()[0]["key"]["source"] == "stored"


def test_add_with_env_var_that_is_unset_warns(cli, home: Path):
    result = cli(
        "instance", "add", "personal", "--provider", "anthropic", "--api-key-env", "MY_KEY"
    )
    assert result.code == 0
    assert "MY_KEY" in result.err and "warning:" in result.err
    data = cli("instance", "list", "--json").json()
    assert data[0]["key"] == {
        "source": "env",
        "env_var": "MY_KEY",
        "available": False,
        "masked": None,
    }


def test_secret_headers_are_redacted_in_json(cli):
    cli(
        "instance",
        "add",
        "proxy",
        "--provider",
        "openai",
        "--header",
        "X-Api-Token=supersecret",
        "--header",
        "X-Team=blue",
    )
    out = cli("instance", "list", "--json")
    assert "supersecret" not in out.out
    assert out.json()[0]["headers"] == {"X-Api-Token": "***", "X-Team": "blue"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["../x", "--provider", "openai"], "instance id"),
        (["A B", "--provider", "openai"], "instance id"),
        (["", "--provider", "openai"], "instance id"),
        (["a" * 64, "--provider", "openai"], "instance id"),
        (["ok", "--provider", "no-such-provider"], "no-such-provider"),
        (["ok", "--provider", "openai", "--endpoint", "ftp://x"], "endpoint"),
        (["ok", "--provider", "openai", "--endpoint", "not a url"], "endpoint"),
        (["ok", "--provider", "openai", "--timeout", "0"], "timeout"),
        (["ok", "--provider", "openai", "--timeout", "-5"], "timeout"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(cli, home: Path, args, needle):
    result = cli("instance", "add", *args)
    assert result.code == 2, result.err
    assert result.err.startswith("error: ") and needle in result.err
    assert (
        not (home / "instances.toml").exists() or "ok" not in (home / "instances.toml").read_text()
    )
    assert not (home / "credentials").exists() or not list((home / "credentials").iterdir())


def test_empty_key_on_stdin_is_refused(cli, home: Path):
    result = cli("instance", "add", "work", "--provider", "openai", "--api-key-stdin", stdin="  \n")
    assert result.code == 2
    assert "key" in result.err
    assert cli("instance", "list", "--json").json() == []


def test_duplicate_id_is_refused_and_keeps_the_first(cli, home: Path):
    assert (
        cli("instance", "add", "work", "--provider", "openai", "--api-key-stdin", stdin=SECRET).code
        == 0
    )
    before = (home / "instances.toml").read_bytes()
    again = cli(
        "instance",
        "add",
        "work",
        "--provider",
        "anthropic",
        "--api-key-stdin",
        stdin="sk-other-999999999",
    )
    assert again.code == 2 and "already exists" in again.err
    assert (home / "instances.toml").read_bytes() == before
    assert next((home / "credentials").iterdir()).read_text().strip() == SECRET


def test_corrupt_instances_file_is_reported_and_kept(cli, home: Path):
    home.mkdir(parents=True)
    (home / "instances.toml").write_text("[instances.work\nprovider = 'openai'\n")
    before = (home / "instances.toml").read_bytes()
    listed = cli("instance", "list")
    assert listed.code == 1 and "instances.toml" in listed.err and "line" in listed.err
    added = cli("instance", "add", "x", "--provider", "openai")
    assert added.code == 1
    assert (home / "instances.toml").read_bytes() == before


def test_loose_credentials_dir_is_tightened_and_said(cli, home: Path):
    cli("instance", "add", "work", "--provider", "openai", "--api-key-stdin", stdin=SECRET)
    (home / "credentials").chmod(0o755)
    result = cli("instance", "list")
    assert result.code == 0
    assert "0755" in result.err or "0o755" in result.err
    assert stat.S_IMODE((home / "credentials").stat().st_mode) == 0o700


def test_edit_changes_one_instance_and_remove_deletes_its_key(cli, home: Path):
    cli("instance", "add", "work", "--provider", "openai", "--api-key-stdin", stdin=SECRET)
    cli("instance", "add", "home", "--provider", "openai")
    assert cli("instance", "edit", "work", "--name", "Renamed", "--timeout", "12").code == 0
    data = {row["id"]: row for row in cli("instance", "list", "--json").json()}
    assert data["work"]["name"] == "Renamed" and data["work"]["timeout"] == 12
    assert data["home"]["timeout"] == 60
    assert cli("instance", "remove", "work").code == 0
    assert not list((home / "credentials").iterdir())
    assert [row["id"] for row in cli("instance", "list", "--json").json()] == ["home"]
    missing = cli("instance", "remove", "work")
    assert missing.code == 2 and "work" in missing.err


def test_first_run_imports_from_environment_once(cli, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-value-1")
    first = cli("instance", "list")
    assert "imported instance 'anthropic'" in first.err
    assert "sk-ant-secret-value-1" not in first.out + first.err
    assert cli("instance", "remove", "anthropic").code == 0
    again = cli("instance", "list", "--json")
    assert again.json() == [] and "imported" not in again.err
