"""`lace-tui catalog stats [--json]`, and the update diff leaving our own local providers alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Result
from tests.support.fake_catwalk import shipped_catwalk_data

Cli = Callable[..., Result]


def test_stats_count_models_and_capabilities_per_provider(cli: Cli, home: Path) -> None:
    stats = cli("catalog", "stats", "--json").json()
    assert isinstance(stats, dict)
    listed = cli("catalog", "list", "--json").json()
    assert isinstance(listed, list)
    assert stats["provider_count"] == len(listed)
    assert stats["model_count"] == sum(p["model_count"] for p in stats["providers"])
    assert 0 < stats["reasoning_count"] <= stats["model_count"]
    anthropic = next(p for p in stats["providers"] if p["provider_id"] == "anthropic")
    assert anthropic["attachment_count"] == anthropic["model_count"]  # all Claude models see
    shown = cli("catalog", "stats")
    assert shown.code == 0
    assert shown.out.startswith(f"{len(listed)} providers, {stats['model_count']:,} models")
    assert any(line.startswith("anthropic ") for line in shown.out.splitlines())


def test_update_diff_does_not_list_shipped_local_providers_as_removed(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    data = tmp_path / "catwalk.json"
    data.write_text(json.dumps(shipped_catwalk_data()))  # Catwalk has no ollama or lmstudio
    for _ in range(2):  # from the shipped data, then from a stored update
        result = cli("catalog", "update", "--from", str(data))
        assert result.code == 0, result.err
        assert "ollama" not in result.out and "lmstudio" not in result.out
    listed = cli("catalog", "list", "--json").json()
    assert isinstance(listed, list)
    assert {"ollama", "lmstudio"} <= {provider["id"] for provider in listed}
