"""Catalog updates against a real loopback server serving a copy of the shipped Catwalk data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lace_tui.catalog.loader import LOCAL_PROVIDER_IDS, load_catalog
from lace_tui.catalog.update import (
    CatalogUpdateError,
    apply_update,
    fetch_update,
    prepare_update,
    reset_update,
    should_auto_update,
    update_file,
    update_status,
)
from lace_tui.errors import BadInputError
from lace_tui.paths import Paths, resolve_paths, shipped_catalogs_dir
from lace_tui.settings import Settings, update_settings
from tests.support.fake_catwalk import FakeCatwalk, Mode, serve_catwalk, shipped_catwalk_data


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def catwalk() -> Iterator[FakeCatwalk]:
    with serve_catwalk() as fake:
        yield fake


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes (lock files, which only serialise, left out)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def changed_data() -> list[dict[str, object]]:
    """The shipped data with one price and one context window changed, one model and one
    provider removed, and one provider added."""
    data = [p for p in shipped_catwalk_data() if p["id"] != "cerebras"]
    deepseek = next(p for p in data if p["id"] == "deepseek")
    models = deepseek["models"]
    assert isinstance(models, list)
    models[0]["cost_per_1m_in"] = 9.5
    models[0]["context_window"] = 2_000_000
    removed = models.pop()
    data.append({"id": "newco", "name": "NewCo", "type": "openai-compat", "models": [{"id": "n1"}]})
    deepseek["x_removed"] = removed["id"]
    return data


async def test_first_update_stores_the_list_and_its_etag(
    paths: Paths, catwalk: FakeCatwalk
) -> None:
    result = await fetch_update(paths, catwalk.url, timeout=5)

    assert result.status == "updated"
    assert result.source == f"{catwalk.url}/v2/providers"
    assert catwalk.paths == ["/v2/providers"]
    assert "if-none-match" not in catwalk.requests[0]
    assert result.provider_count == len(catwalk.providers)
    assert result.skipped == []
    # The server serves what is shipped, so nothing differs from the data in use.
    assert result.diff.is_empty, result.diff.lines()

    status = update_status(paths)
    assert status is not None and status.etag == catwalk.etag
    catalog = load_catalog(paths)
    assert catalog.issues == []
    assert {catalog.sources[i] for i in catalog.providers if i not in LOCAL_PROVIDER_IDS} == {
        "update"
    }
    assert all(catalog.sources[i] == "shipped" for i in LOCAL_PROVIDER_IDS)
    # What was stored loads back equal to what is shipped.
    shipped_only = load_catalog(resolve_paths(paths.config_dir / "elsewhere"))
    assert catalog.provider("openai") == shipped_only.provider("openai")


async def test_a_second_update_sends_the_etag_and_304_changes_nothing(
    paths: Paths, catwalk: FakeCatwalk
) -> None:
    first = await fetch_update(paths, catwalk.url, timeout=5)
    stored = update_file(paths).read_bytes()

    second = await fetch_update(paths, catwalk.url + "/", timeout=5)
    assert catwalk.requests[1]["if-none-match"] == catwalk.etag
    assert second.status == "unchanged"
    assert second.provider_count == first.provider_count
    assert second.lines()[0].startswith("catalog is up to date")
    assert update_file(paths).read_bytes() == stored
    status = update_status(paths)
    assert status is not None and status.fetched_at >= first.fetched_at


async def test_the_diff_against_the_data_in_use_is_shown_before_applying(
    paths: Paths, catwalk: FakeCatwalk
) -> None:
    catwalk.set_providers(changed_data())
    deepseek = load_catalog(paths).provider("deepseek")
    first, last = deepseek.models[0], deepseek.models[-1]

    pending = await prepare_update(paths, catwalk.url, timeout=5)
    assert not update_file(paths).exists()  # nothing stored yet

    lines = pending.diff.lines()
    assert "- provider cerebras (2 models)" in lines
    assert "+ provider newco (1 model)" in lines
    assert f"- model deepseek/{last.id}" in lines
    assert f"~ deepseek/{first.id}: input ${first.cost_per_1m_in:.2f} → $9.50 per 1M" in lines
    assert f"~ deepseek/{first.id}: context {first.context_window:,} → 2,000,000" in lines

    result = apply_update(paths, pending)
    assert result.status == "updated" and result.diff == pending.diff
    catalog = load_catalog(paths)
    assert "cerebras" not in catalog.providers and "newco" in catalog.providers
    assert catalog.provider("deepseek").models[0].cost_per_1m_in == 9.5

    # The next diff is against the stored update, not the shipped data.
    catwalk.set_providers(shipped_catwalk_data())
    again = await prepare_update(paths, catwalk.url, timeout=5)
    assert "+ provider cerebras (2 models)" in again.diff.lines()
    assert "- provider newco (1 model)" in again.diff.lines()


@pytest.mark.parametrize("base", ["{url}", "{url}/", "{url}/v2/providers", "{url}/v2/providers/"])
async def test_base_url_forms(paths: Paths, catwalk: FakeCatwalk, base: str) -> None:
    await fetch_update(paths, base.format(url=catwalk.url), timeout=5)
    assert catwalk.paths == ["/v2/providers"]


async def test_some_invalid_providers_are_skipped_and_named(
    paths: Paths, catwalk: FakeCatwalk
) -> None:
    catwalk.mode = "some_invalid"
    result = await fetch_update(paths, catwalk.url, timeout=5)
    assert result.provider_count == len(catwalk.providers)
    reasons = [issue.reason for issue in result.skipped]
    assert len(reasons) == 2
    assert "('broken-one'): type: Field required" in reasons[0]
    assert (
        "('broken-two'): models[0].context_window: Input should be a valid integer" in (reasons[1])
    )
    assert any(line.startswith("skipped entry") and "broken-one" in line for line in result.lines())
    # report_lines leaves the skipped ones to the caller (the CLI warns on stderr).
    assert not any("broken" in line for line in result.report_lines())
    catalog = load_catalog(paths)
    assert "broken-one" not in catalog.providers
    assert catalog.issues == []  # the skipped ones are not stored, so not reported again


FAILURES: list[tuple[Mode, str]] = [
    ("truncated", "was cut short"),
    ("not_list", "is not a JSON list of providers (expected a JSON list of providers, got an"),
    (
        "no_valid",
        "has no valid provider (entry 0 ('broken-one'): type: Field required, and 1 more)",
    ),
    ("error500", "answered HTTP 500 Internal Server Error; the server is failing"),
    ("slow", "did not answer within 0.2 s"),
]


@pytest.mark.parametrize(("mode", "message"), FAILURES)
async def test_a_failed_update_keeps_the_previous_update(
    paths: Paths, catwalk: FakeCatwalk, mode: Mode, message: str
) -> None:
    await fetch_update(paths, catwalk.url, timeout=5)
    before = snapshot(paths.cache_dir)
    catwalk.set_providers(changed_data())
    catwalk.mode = mode

    with pytest.raises(CatalogUpdateError) as caught:
        await fetch_update(paths, catwalk.url, timeout=0.2)

    error = caught.value
    assert error.exit_code == 1
    assert message in str(error)
    assert f"{catwalk.url}/v2/providers" in str(error)
    assert str(error).startswith("catalog update failed: ")
    assert str(error).endswith("the current catalog is kept)")
    assert "\n" not in str(error)
    assert snapshot(paths.cache_dir) == before
    assert "cerebras" in load_catalog(paths).providers


@pytest.mark.parametrize(("mode", "message"), FAILURES)
async def test_a_failed_first_update_keeps_the_shipped_data(
    paths: Paths, catwalk: FakeCatwalk, mode: Mode, message: str
) -> None:
    shipped = snapshot(shipped_catalogs_dir())
    catwalk.mode = mode
    with pytest.raises(CatalogUpdateError, match="the current catalog is kept"):
        await fetch_update(paths, catwalk.url, timeout=0.2)
    assert snapshot(paths.cache_dir) == {}
    assert snapshot(shipped_catalogs_dir()) == shipped
    catalog = load_catalog(paths)
    assert set(catalog.sources.values()) == {"shipped"}


async def test_reset_goes_back_to_the_shipped_data(paths: Paths, catwalk: FakeCatwalk) -> None:
    catwalk.set_providers(changed_data())
    await fetch_update(paths, catwalk.url, timeout=5)
    assert "newco" in load_catalog(paths).providers

    assert reset_update(paths) is True
    assert update_status(paths) is None
    catalog = load_catalog(paths)
    assert "newco" not in catalog.providers and "cerebras" in catalog.providers
    assert reset_update(paths) is False

    # Without stored data the ETag is not sent again, so a full copy comes back.
    await fetch_update(paths, catwalk.url, timeout=5)
    assert "if-none-match" not in catwalk.requests[-1]


async def test_the_etag_is_only_sent_to_the_url_it_came_from(
    paths: Paths, catwalk: FakeCatwalk
) -> None:
    await fetch_update(paths, catwalk.url, timeout=5)
    with serve_catwalk() as other:
        result = await fetch_update(paths, other.url, timeout=5)
        assert "if-none-match" not in other.requests[0]
        assert result.status == "updated"


async def test_no_source_means_the_catwalk_url_setting(paths: Paths, catwalk: FakeCatwalk) -> None:
    update_settings(paths, catwalk_url=catwalk.url)
    result = await fetch_update(paths, None, timeout=5)
    assert result.source == f"{catwalk.url}/v2/providers"
    assert catwalk.paths == ["/v2/providers"]


async def test_update_from_a_file(paths: Paths, tmp_path: Path) -> None:
    source = tmp_path / "providers.json"
    source.write_text(json.dumps(changed_data()))
    result = await fetch_update(paths, str(source))
    assert result.source == str(source.resolve())
    assert "+ provider newco (1 model)" in result.diff.lines()
    assert "newco" in load_catalog(paths).providers


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "x"}', "is not a JSON list of providers (expected a JSON list of providers"),
        ('[{"id": "x"}]', "has no valid provider (entry 0 ('x'): type: Field required)"),
        ("[", "is not a JSON list of providers (line 1:"),
        ("[]", "lists no providers"),
    ],
)
async def test_an_unusable_file_is_bad_input_and_changes_nothing(
    paths: Paths, tmp_path: Path, content: str, message: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(changed_data()))
    await fetch_update(paths, str(good))
    before = snapshot(paths.cache_dir)

    source = tmp_path / "bad.json"
    source.write_text(content)
    with pytest.raises(BadInputError) as caught:
        await fetch_update(paths, str(source))
    assert caught.value.exit_code == 2
    assert message in str(caught.value)
    assert str(source) in str(caught.value)
    assert snapshot(paths.cache_dir) == before


async def test_a_missing_file_is_bad_input(paths: Paths, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file; give Catwalk's URL or a JSON file"):
        await fetch_update(paths, str(tmp_path / "absent.json"))
    assert snapshot(paths.cache_dir) == {}


def test_auto_update_is_off_by_default_and_at_most_daily() -> None:
    assert should_auto_update(Settings()) is False
    on = Settings(auto_update_catalog=True)
    now = datetime(2026, 8, 21, tzinfo=UTC)
    assert should_auto_update(on) is True
    assert should_auto_update(on, now - timedelta(hours=2), now=now) is False
    assert should_auto_update(on, now - timedelta(days=1, minutes=1), now=now) is True


def test_importing_the_update_module_fetches_nothing_and_skips_httpx() -> None:
    import subprocess
    import sys

    code = (
        "import sys, lace_tui.catalog.update, lace_tui.catalog.custom;print('httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
