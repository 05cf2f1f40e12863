"""Questions asked of a loaded catalog: price ranges, model search and sort.

Filtering runs on every keystroke in the model table, over tens of thousands of rows, so each
row carries its search text and sort key precomputed and the filter loop does plain comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Literal

from pydantic import BaseModel

from lace_tui.catalog.briefs import PriceSpan, price_span
from lace_tui.catalog.models import Model, Provider

SortKey = Literal["name", "provider", "input_price", "output_price", "context", "max_output"]


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One model of the catalog with what searching and sorting it needs, computed once."""

    provider_id: str
    provider_name: str
    model: Model
    haystack: str  # lowercase id, name, provider id and provider name, newline-separated
    name_key: tuple[str, str, str, str]  # (model name, provider name, provider id, model id)
    provider_key: tuple[str, str]  # (provider name, provider id)
    # Sort values; None is unknown (no price, or a context / output limit of 0 = not stated).
    input_price: float | None
    output_price: float | None
    context: int | None
    max_output: int | None

    @classmethod
    def of(cls, provider: Provider, model: Model) -> ModelRow:
        """The row for `model` of `provider`."""
        name = provider.display_name
        return _row(provider.id, name, (name.lower(), provider.id), model)


def _row(
    provider_id: str, provider_name: str, provider_key: tuple[str, str], model: Model
) -> ModelRow:
    name = model.name
    # Positional arguments: a frozen dataclass's keyword __init__ is measurably slower.
    return ModelRow(
        provider_id,
        provider_name,
        model,
        "\n".join((model.id, name, provider_id, provider_name)).lower(),
        ((name or model.id).lower(), provider_key[0], provider_id, model.id),
        provider_key,
        model.cost_per_1m_in,
        model.cost_per_1m_out,
        model.context_window or None,
        model.default_max_tokens or None,
    )


_name_key = attrgetter("name_key")
_provider_key = attrgetter("provider_key")


class ModelFilter(BaseModel):
    """What the model table shows. Defaults let every model through."""

    text: str = ""  # every whitespace-separated term must occur in id, name or provider
    provider: str | None = None  # a provider id
    min_context: int = 0
    max_input_price: float | None = None  # models with an unknown price never pass
    max_output_price: float | None = None
    reasoning: bool = False  # True: only models that can reason
    attachments: bool = False  # True: only models that take attachments


def build_rows(providers: Iterable[Provider]) -> list[ModelRow]:
    """One row per model of each provider, in name order (as `sort_rows` sorts by "name").

    Sorting is then nearly free for rows filtered from this list, which keep its order.
    """
    rows: list[ModelRow] = []
    for provider in providers:
        provider_id = provider.id
        provider_name = provider.display_name
        provider_key = (provider_name.lower(), provider_id)
        rows.extend(_row(provider_id, provider_name, provider_key, m) for m in provider.models)
    rows.sort(key=_name_key)
    return rows


def filter_models(
    rows: Sequence[ModelRow],
    flt: ModelFilter,
    sort: SortKey = "name",
    descending: bool = False,
) -> list[ModelRow]:
    """The rows that pass `flt`, sorted by `sort`; rows whose sort value is unknown come last.

    Unknown means no price for the price keys and 0 (not stated) for context and max output.
    Ties keep name order in both directions.
    """
    terms = flt.text.lower().split()
    provider = flt.provider
    min_context = flt.min_context
    max_in = flt.max_input_price
    max_out = flt.max_output_price
    reasoning = flt.reasoning
    attachments = flt.attachments

    kept: list[ModelRow] = []
    append = kept.append
    for row in rows:
        if provider is not None and row.provider_id != provider:
            continue
        model = row.model
        if min_context and model.context_window < min_context:
            continue
        if max_in is not None:
            price = model.cost_per_1m_in
            if price is None or price > max_in:
                continue
        if max_out is not None:
            price = model.cost_per_1m_out
            if price is None or price > max_out:
                continue
        if reasoning and not model.can_reason:
            continue
        if attachments and not model.supports_attachments:
            continue
        if terms:
            haystack = row.haystack
            for term in terms:
                if term not in haystack:
                    break
            else:
                append(row)
            continue
        append(row)
    return sort_rows(kept, sort, descending)


def sort_rows(rows: Iterable[ModelRow], sort: SortKey, descending: bool = False) -> list[ModelRow]:
    """`rows` sorted by `sort` (see `filter_models`); a new list, `rows` is left as it was."""
    by_name = sorted(rows, key=_name_key, reverse=descending and sort == "name")
    if sort == "name":
        return by_name
    if sort == "provider":
        # Sorting an already name-sorted list is stable, so models stay in name order.
        by_name.sort(key=_provider_key, reverse=descending)
        return by_name
    # Keys are plain numbers read by a C-level getter, and the lists hold the rows themselves:
    # allocating a tuple per row here made the garbage collector walk the whole catalog every
    # few keystrokes (+30 ms).
    value = attrgetter(sort)  # the numeric sort keys are named as ModelRow's fields
    known = [row for row in by_name if value(row) is not None]
    unknown = [row for row in by_name if value(row) is None]
    # reverse=True keeps equal elements in their original (name) order.
    known.sort(key=value, reverse=descending)
    known.extend(unknown)
    return known


def price_range(models: Iterable[Model]) -> PriceSpan:
    """Lowest and highest input and output prices among `models`, ignoring unknown prices."""
    models = list(models)
    return price_span([m.cost_per_1m_in for m in models], [m.cost_per_1m_out for m in models])
