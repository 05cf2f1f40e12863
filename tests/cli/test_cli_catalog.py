import json
from pathlib import Path

from tests.cli.conftest import run_subprocess


def test_catalog_list_shows_every_shipped_provider(cli):
    result = cli("catalog", "list")
    assert result.code == 0, result.err
    assert "anthropic" in result.out and "openrouter" in result.out
    assert "(browse only)" not in result.out  # every shipped type has a chat client
    assert result.err == ""


def test_catalog_list_json_is_stable_and_complete(cli):
    result = cli("catalog", "list", "--json")
    data = result.json()
    assert result.code == 0
    assert len(data) == 43
    anthropic = next(p for p in data if p["id"] == "anthropic")
    assert anthropic["model_count"] == 14
    assert anthropic["type"] == "anthropic"


def test_catalog_show_prints_models_and_never_a_literal_key(cli, home: Path):
    (home / "catalogs").mkdir(parents=True)
    (home / "catalogs" / "mine.json").write_text(
        json.dumps(
            {
                "id": "mine",
                "name": "Mine",
                "type": "openai-compat",
                "api_key": "sk-literal-secret-1234",
                "api_endpoint": "http://localhost:9/v1",
                "models": [{"id": "m1", "name": "M1"}],
            }
        )
    )
    shown = cli("catalog", "show", "mine", "--json")
    assert shown.code == 0
    assert "sk-literal-secret-1234" not in shown.out
    assert shown.json()["source"] == "user"
    text = cli("catalog", "show", "mine")
    assert "sk-literal-secret-1234" not in text.out and "m1" in text.out


def test_catalog_show_unknown_provider_is_bad_input(cli):
    result = cli("catalog", "show", "nope")
    assert result.code == 2
    assert result.err.startswith("error: ") and "nope" in result.err
    assert result.err.count("\n") == 1


def test_broken_user_catalog_is_reported_and_the_rest_load(cli, home: Path):
    (home / "catalogs").mkdir(parents=True)
    (home / "catalogs" / "broken.json").write_text('{"id": "x",,}')
    before = (home / "catalogs" / "broken.json").read_bytes()
    result = cli("catalog", "list", "--json")
    assert result.code == 0
    assert "broken.json" in result.err and result.err.startswith("warning: ")
    assert len(result.json()) == 43
    assert (home / "catalogs" / "broken.json").read_bytes() == before


def test_catalog_models_filters(cli):
    result = cli("catalog", "models", "claude", "--provider", "anthropic", "--json")
    rows = result.json()
    assert rows and all(r["provider"] == "anthropic" and "claude" in r["id"] for r in rows)


def test_bad_flag_is_one_error_line_exit_2(cli):
    result = cli("catalog", "list", "--nope")
    assert result.code == 2
    assert result.err.startswith("error: ")


def test_catalog_list_as_a_real_process(tmp_path: Path):
    proc = run_subprocess(tmp_path / "h", "catalog", "list")
    assert proc.returncode == 0, proc.stderr
    assert "openai" in proc.stdout
