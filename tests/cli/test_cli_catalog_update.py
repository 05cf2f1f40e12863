import json
from pathlib import Path

from tests.support.fake_catwalk import serve_catwalk, shipped_catwalk_data


def test_update_from_catwalk_prints_the_diff_and_is_used_until_reset(cli, home: Path):
    data = shipped_catwalk_data()
    openai = next(p for p in data if p["id"] == "openai")
    models = openai["models"]
    assert isinstance(models, list)
    models[0]["context_window"] = 12_345_678
    with serve_catwalk(data) as catwalk:
        result = cli("catalog", "update", "--from", catwalk.url)
        assert result.code == 0, result.err
        assert "12,345,678" in result.out
        again = cli("catalog", "update", "--from", catwalk.url)
        assert again.code == 0 and "up to date" in again.out
        assert catwalk.requests[-1].get("if-none-match")
    listed = {p["id"]: p for p in cli("catalog", "list", "--json").json()}
    assert listed["openai"]["source"] == "update"
    assert listed["ollama"]["source"] == "shipped"
    assert cli("catalog", "reset").code == 0
    assert {p["id"]: p for p in cli("catalog", "list", "--json").json()}["openai"][
        "source"
    ] == "shipped"


def test_failed_update_keeps_what_was_there(cli, home: Path, tmp_path: Path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(shipped_catwalk_data()))
    assert cli("catalog", "update", "--from", str(good)).code == 0
    stored = home / "cache" / "catalog-update" / "providers.json"
    before = stored.read_bytes()
    with serve_catwalk() as catwalk:
        catwalk.mode = "error500"
        failed = cli("catalog", "update", "--from", catwalk.url)
    assert failed.code == 1 and failed.err.startswith("error: ")
    assert failed.err.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    refused = cli("catalog", "update", "--from", str(bad))
    assert refused.code == 2
    assert stored.read_bytes() == before
