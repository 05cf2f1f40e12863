"""Statistics per provider and over the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from lace_tui.catalog.briefs import PriceSpan
from lace_tui.catalog.loader import load_catalog
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.stats import catalog_stats, provider_stats
from lace_tui.paths import resolve_paths

ALPHA = Provider(
    id="alpha",
    name="Alpha",
    type="openai",
    models=[
        Model(
            id="a1",
            cost_per_1m_in=1.0,
            cost_per_1m_out=4.0,
            context_window=100_000,
            can_reason=True,
            supports_attachments=True,
        ),
        Model(id="a2", cost_per_1m_in=0.25, cost_per_1m_out=2.0, context_window=200_000),
        Model(id="a3"),  # nothing known: no price, no context window
    ],
)
BETA = Provider(
    id="beta",
    name="",
    type="anthropic",
    models=[Model(id="b1", cost_per_1m_in=3.0, context_window=1_000_000, can_reason=True)],
)


def test_provider_stats() -> None:
    stats = provider_stats(ALPHA)
    assert (stats.provider_id, stats.name) == ("alpha", "Alpha")
    assert stats.model_count == 3
    assert stats.priced_count == 2
    assert stats.prices == PriceSpan(min_in=0.25, max_in=1.0, min_out=2.0, max_out=4.0)
    assert stats.reasoning_count == 1 and stats.attachment_count == 1
    # The unknown context window is left out of the mean, not counted as 0.
    assert stats.context_known_count == 2
    assert stats.mean_context_window == pytest.approx(150_000)
    assert stats.max_context_window == 200_000


def test_an_empty_provider_has_no_ranges() -> None:
    stats = provider_stats(Provider(id="e", type="ollama"))
    assert stats.name == "e"
    assert stats.model_count == 0 and stats.prices == PriceSpan()
    assert stats.mean_context_window is None and stats.max_context_window is None


def test_catalog_stats_cover_all_models_and_list_each_provider() -> None:
    stats = catalog_stats([ALPHA, BETA])
    assert stats.provider_count == 2 and stats.model_count == 4
    assert stats.priced_count == 2  # b1 has no output price
    assert stats.prices == PriceSpan(min_in=0.25, max_in=3.0, min_out=2.0, max_out=4.0)
    assert stats.reasoning_count == 2 and stats.attachment_count == 1
    assert stats.mean_context_window == pytest.approx(1_300_000 / 3)
    assert [p.provider_id for p in stats.providers] == ["alpha", "beta"]
    assert stats.providers[1].name == "beta"
    assert stats.model_dump()["providers"][0]["model_count"] == 3  # JSON-ready


def test_stats_of_the_shipped_catalog_add_up(tmp_path: Path) -> None:
    catalog = load_catalog(resolve_paths(tmp_path))
    stats = catalog_stats(catalog.providers.values())
    assert stats.model_count == sum(p.model_count for p in stats.providers)
    assert stats.model_count == sum(len(p.models) for p in catalog.providers.values())
    assert stats.reasoning_count == sum(p.reasoning_count for p in stats.providers)
