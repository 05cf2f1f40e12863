"""Catalog queries: provider summaries, price ranges, model filters and sort orders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lace_tui.catalog.loader import Catalog, load_catalog
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.query import (
    ModelFilter,
    ModelRow,
    PriceRange,
    SortKey,
    build_rows,
    filter_models,
    price_range,
    summarize_providers,
)
from lace_tui.paths import resolve_paths


def model(
    model_id: str,
    name: str,
    price_in: float | None,
    price_out: float | None,
    context: int,
    max_out: int,
    reason: bool = False,
    attach: bool = False,
) -> dict[str, object]:
    return {
        "id": model_id,
        "name": name,
        "cost_per_1m_in": price_in,
        "cost_per_1m_out": price_out,
        "context_window": context,
        "default_max_tokens": max_out,
        "can_reason": reason,
        "supports_attachments": attach,
    }


ALPHA = Provider.model_validate(
    {
        "id": "alpha",
        "name": "Alpha Cloud",
        "type": "openai",
        "api_key": "$ALPHA_KEY",
        "api_endpoint": "https://alpha.example.com/v1",
        "models": [
            model("a-small", "Swift Mini", 0.1, 0.4, 128_000, 16_000, attach=True),
            model("a-big", "Titan Large", 3, 15, 200_000, 64_000, reason=True, attach=True),
            model("a-free", "Gratis", 0, 0, 32_000, 4_000),
        ],
    }
)
BETA = Provider.model_validate(
    {
        "id": "beta",
        "name": "beta labs",
        "type": "made-up",
        "models": [
            model("b-unknown", "Mystery", None, None, 0, 0, reason=True),
            model("b-mid", "Swift Pro", 1, 5, 128_000, 8_000),
            model("b-half", "Halfpriced", 2, None, 64_000, 0),
        ],
    }
)


@pytest.fixture
def catalog() -> Catalog:
    return Catalog([BETA, ALPHA], {"alpha": "shipped", "beta": "update"})


def ids(rows: list[ModelRow]) -> list[str]:
    return [row.model.id for row in rows]


# --- summaries and price ranges --------------------------------------------------------------


def test_summaries_in_catalog_order_with_counts_and_prices(catalog: Catalog) -> None:
    alpha, beta = summarize_providers(catalog)

    assert alpha.model_dump() == {
        "id": "alpha",
        "name": "Alpha Cloud",
        "type": "openai",
        "model_count": 3,
        "source": "shipped",
        "can_chat": True,
        "api_endpoint": "https://alpha.example.com/v1",
        "api_key_env": "ALPHA_KEY",
        "prices": {"min_in": 0.0, "max_in": 3.0, "min_out": 0.0, "max_out": 15.0},
        "user_file": None,
    }
    assert (beta.id, beta.name, beta.model_count, beta.source) == ("beta", "beta labs", 3, "update")
    assert beta.can_chat is False
    assert beta.api_key_env is None
    # Unknown prices are left out of the range, not counted as $0.
    assert beta.prices == PriceRange(min_in=1, max_in=2, min_out=5, max_out=5)


def test_summary_of_a_user_provider_names_its_file(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    paths.user_catalogs_dir.mkdir(parents=True)
    path = paths.user_catalogs_dir / "mine.json"
    path.write_text(json.dumps({"id": "mine", "type": "ollama", "models": []}))

    summaries = {s.id: s for s in summarize_providers(load_catalog(paths))}

    assert summaries["mine"].source == "user"
    assert summaries["mine"].user_file == str(path)
    assert summaries["mine"].prices == PriceRange()
    assert summaries["ollama"].model_count == 0
    assert summaries["anthropic"].source == "shipped"
    assert summaries["anthropic"].api_key_env == "ANTHROPIC_API_KEY"


def test_summaries_of_the_shipped_catalog(tmp_path: Path) -> None:
    summaries = summarize_providers(load_catalog(resolve_paths(tmp_path)))

    assert len(summaries) == 43
    assert sum(s.model_count for s in summaries) == 1534
    anthropic = next(s for s in summaries if s.id == "anthropic")
    assert anthropic.prices.min_in is not None and anthropic.prices.max_out is not None
    assert anthropic.prices.min_in <= anthropic.prices.max_out


def test_price_range_ignores_unknown_prices() -> None:
    models = [Model(id="a", cost_per_1m_in=2, cost_per_1m_out=8), Model(id="b"), Model(id="c")]

    assert price_range(models) == PriceRange(min_in=2, max_in=2, min_out=8, max_out=8)
    assert price_range(models[1:]) == PriceRange(min_in=None, max_in=None)
    assert price_range([]) == PriceRange()
    assert price_range(iter(models)) == price_range(models)


def test_price_range_counts_free_models_as_known() -> None:
    models = [Model(id="free", cost_per_1m_in=0, cost_per_1m_out=0), Model(id="x")]

    assert price_range(models) == PriceRange(min_in=0, max_in=0, min_out=0, max_out=0)


# --- filtering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (ModelFilter(), ["a-free", "b-half", "b-unknown", "a-small", "b-mid", "a-big"]),
        (ModelFilter(text="swift"), ["a-small", "b-mid"]),
        (ModelFilter(text="  Swift   PRO "), ["b-mid"]),
        (ModelFilter(text="swift beta"), ["b-mid"]),  # provider id as a term
        (ModelFilter(text="labs"), ["b-half", "b-unknown", "b-mid"]),  # provider name
        (ModelFilter(text="a-b"), ["a-big"]),  # model id
        (ModelFilter(text="swift titan"), []),  # every term must match the same model
        (ModelFilter(text="zzz"), []),
        (ModelFilter(provider="beta"), ["b-half", "b-unknown", "b-mid"]),
        (ModelFilter(provider="nope"), []),
        (ModelFilter(min_context=128_000), ["a-small", "b-mid", "a-big"]),
        (ModelFilter(min_context=200_001), []),
        (ModelFilter(max_input_price=1), ["a-free", "a-small", "b-mid"]),
        (ModelFilter(max_input_price=0), ["a-free"]),
        (ModelFilter(max_output_price=5), ["a-free", "a-small", "b-mid"]),
        (ModelFilter(max_output_price=1000), ["a-free", "a-small", "b-mid", "a-big"]),
        (ModelFilter(reasoning=True), ["b-unknown", "a-big"]),
        (ModelFilter(attachments=True), ["a-small", "a-big"]),
        (ModelFilter(text="swift", provider="alpha", attachments=True), ["a-small"]),
        (ModelFilter(reasoning=True, max_input_price=100), ["a-big"]),
    ],
)
def test_filter_by_each_criterion(catalog: Catalog, flt: ModelFilter, expected: list[str]) -> None:
    assert ids(filter_models(catalog.rows(), flt)) == expected


def test_unknown_prices_never_pass_a_price_filter(catalog: Catalog) -> None:
    for flt in (ModelFilter(max_input_price=1e9), ModelFilter(max_output_price=1e9)):
        kept = filter_models(catalog.rows(), flt)
        assert "b-unknown" not in ids(kept)
    assert "b-half" in ids(filter_models(catalog.rows(), ModelFilter(max_input_price=1e9)))
    assert "b-half" not in ids(filter_models(catalog.rows(), ModelFilter(max_output_price=1e9)))


def test_filter_leaves_its_input_alone(catalog: Catalog) -> None:
    rows = catalog.rows()
    before = list(rows)

    filter_models(rows, ModelFilter(text="swift"), "input_price", descending=True)

    assert rows == before


def test_filter_on_the_shipped_catalog(tmp_path: Path) -> None:
    rows = load_catalog(resolve_paths(tmp_path)).rows()

    found = filter_models(rows, ModelFilter(text="Claude OPUS", provider="anthropic"))

    assert found
    assert all(r.provider_id == "anthropic" for r in found)
    assert all("claude" in r.haystack and "opus" in r.haystack for r in found)
    assert "claude-opus-5" in ids(found)
    assert "claude-sonnet-4-6" not in ids(found)


# --- sorting ---------------------------------------------------------------------------------

SORTED: dict[SortKey, tuple[list[str], list[str]]] = {
    "name": (
        ["a-free", "b-half", "b-unknown", "a-small", "b-mid", "a-big"],
        ["a-big", "b-mid", "a-small", "b-unknown", "b-half", "a-free"],
    ),
    "provider": (
        ["a-free", "a-small", "a-big", "b-half", "b-unknown", "b-mid"],
        ["b-half", "b-unknown", "b-mid", "a-free", "a-small", "a-big"],
    ),
    "input_price": (
        ["a-free", "a-small", "b-mid", "b-half", "a-big", "b-unknown"],
        ["a-big", "b-half", "b-mid", "a-small", "a-free", "b-unknown"],
    ),
    "output_price": (
        ["a-free", "a-small", "b-mid", "a-big", "b-half", "b-unknown"],
        ["a-big", "b-mid", "a-small", "a-free", "b-half", "b-unknown"],
    ),
    "context": (
        ["a-free", "b-half", "a-small", "b-mid", "a-big", "b-unknown"],
        ["a-big", "a-small", "b-mid", "b-half", "a-free", "b-unknown"],
    ),
    "max_output": (
        ["a-free", "b-mid", "a-small", "a-big", "b-half", "b-unknown"],
        ["a-big", "a-small", "b-mid", "a-free", "b-half", "b-unknown"],
    ),
}


@pytest.mark.parametrize("sort", list(SORTED))
@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_each_key_in_both_directions(
    catalog: Catalog, sort: SortKey, descending: bool
) -> None:
    expected = SORTED[sort][1 if descending else 0]

    assert ids(filter_models(catalog.rows(), ModelFilter(), sort, descending)) == expected
    # The result does not depend on the order rows come in.
    shuffled = list(reversed(catalog.rows()))
    assert ids(filter_models(shuffled, ModelFilter(), sort, descending)) == expected


def test_unknown_values_sort_last_in_both_directions(catalog: Catalog) -> None:
    for sort in ("input_price", "output_price", "context", "max_output"):
        for descending in (False, True):
            rows = filter_models(catalog.rows(), ModelFilter(), sort, descending)
            assert rows[-1].model.id == "b-unknown", (sort, descending)


# --- rows ------------------------------------------------------------------------------------


def test_row_of_one_model_matches_the_built_rows(catalog: Catalog) -> None:
    built = {row.model.id: row for row in build_rows([ALPHA, BETA])}

    row = ModelRow.of(BETA, BETA.models[1])

    assert row == built["b-mid"]
    assert row.provider_name == "beta labs"
    assert row.haystack == "b-mid\nswift pro\nbeta\nbeta labs"
    assert (row.input_price, row.output_price, row.context, row.max_output) == (
        1,
        5,
        128_000,
        8_000,
    )
    assert ModelRow.of(BETA, BETA.models[0]).context is None  # 0 = not stated
    assert catalog.rows() == sorted(built.values(), key=lambda r: r.name_key)
