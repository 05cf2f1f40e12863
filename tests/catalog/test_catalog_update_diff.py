"""diff_catalogs: new and removed providers and models, price and context window changes."""

from __future__ import annotations

from lace_tui.catalog.diff import CatalogDiff, ContextChange, PriceChange, diff_catalogs
from lace_tui.catalog.models import Model, Provider


def openai(*models: Model) -> Provider:
    return Provider(id="openai", name="OpenAI", type="openai", models=list(models))


GPT5 = Model(
    id="gpt-5",
    cost_per_1m_in=1.25,
    cost_per_1m_out=10.0,
    cost_per_1m_out_cached=0.125,
    context_window=400_000,
)
GPT4 = Model(id="gpt-4", cost_per_1m_in=30.0, cost_per_1m_out=60.0, context_window=8192)


def test_identical_catalogs_have_no_diff() -> None:
    diff = diff_catalogs([openai(GPT5, GPT4)], [openai(GPT5, GPT4)])
    assert diff.is_empty
    assert diff.lines() == []
    assert diff.summary() == "no changes"


def test_changes_are_listed_and_rendered() -> None:
    gpt5_new = GPT5.model_copy(
        update={"cost_per_1m_in": 1.5, "cost_per_1m_out_cached": None, "context_window": 1_000_000}
    )
    new_model = Model(id="gpt-6")
    xai = Provider(
        id="xai", name="xAI", type="openai-compat", models=[Model(id=f"g{i}") for i in range(12)]
    )
    old_only = Provider(id="gone", type="openai", models=[Model(id="x")])

    diff = diff_catalogs([openai(GPT5, GPT4), old_only], [openai(gpt5_new, new_model), xai])

    assert [p.id for p in diff.added_providers] == ["xai"]
    assert [p.id for p in diff.removed_providers] == ["gone"]
    assert [(m.provider_id, m.model_id) for m in diff.added_models] == [("openai", "gpt-6")]
    assert [(m.provider_id, m.model_id) for m in diff.removed_models] == [("openai", "gpt-4")]
    assert diff.price_changes == [
        PriceChange(
            provider_id="openai", model_id="gpt-5", field="cost_per_1m_in", old=1.25, new=1.5
        ),
        PriceChange(
            provider_id="openai",
            model_id="gpt-5",
            field="cost_per_1m_out_cached",
            old=0.125,
            new=None,
        ),
    ]
    assert diff.context_changes == [
        ContextChange(provider_id="openai", model_id="gpt-5", old=400_000, new=1_000_000)
    ]
    assert diff.lines() == [
        "- provider gone (1 model)",
        "+ model openai/gpt-6",
        "- model openai/gpt-4",
        "~ openai/gpt-5: input $1.25 → $1.50 per 1M",
        "~ openai/gpt-5: cache read $0.125 → unknown per 1M",
        "~ openai/gpt-5: context 400,000 → 1,000,000",
        "+ provider xai (12 models)",
    ]
    assert diff.summary() == (
        "1 new provider, 1 removed provider, 1 new model, 1 removed model, 2 price changes, "
        "1 context window change"
    )


def test_prices_appearing_and_context_becoming_known() -> None:
    before = Model(id="m")
    after = Model(id="m", cost_per_1m_out=1234.5, cost_per_1m_in_cached=3, context_window=32768)
    diff = diff_catalogs([openai(before)], [openai(after)])
    assert diff.lines() == [
        "~ openai/m: output unknown → $1,234.50 per 1M",
        "~ openai/m: cache write unknown → $3.00 per 1M",
        "~ openai/m: context unknown → 32,768",
    ]


def test_a_diff_round_trips_as_json() -> None:
    diff = diff_catalogs([openai(GPT5)], [openai(GPT4)])
    assert CatalogDiff.model_validate_json(diff.model_dump_json()) == diff
