"""What changes between two catalogs: providers and models added or removed, prices, context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from pydantic import BaseModel, Field

from lace_tui.catalog.models import Model, Provider

PriceField = Literal[
    "cost_per_1m_in", "cost_per_1m_out", "cost_per_1m_in_cached", "cost_per_1m_out_cached"
]
# Catwalk's `_in_cached` is the price of writing to the prompt cache, `_out_cached` of reading.
PRICE_LABELS: Final[dict[PriceField, str]] = {
    "cost_per_1m_in": "input",
    "cost_per_1m_out": "output",
    "cost_per_1m_in_cached": "cache write",
    "cost_per_1m_out_cached": "cache read",
}


class ProviderRef(BaseModel):
    id: str
    name: str
    model_count: int


class ModelRef(BaseModel):
    provider_id: str
    model_id: str


class PriceChange(BaseModel):
    """A price (USD per million tokens) that changed; None is unknown."""

    provider_id: str
    model_id: str
    field: PriceField
    old: float | None
    new: float | None


class ContextChange(BaseModel):
    """A context window that changed; 0 is not stated."""

    provider_id: str
    model_id: str
    old: int
    new: int


class CatalogDiff(BaseModel):
    """The differences from an old catalog to a new one. Models of an added or removed
    provider are counted in its entry, not listed one by one."""

    added_providers: list[ProviderRef] = Field(default_factory=list)
    removed_providers: list[ProviderRef] = Field(default_factory=list)
    added_models: list[ModelRef] = Field(default_factory=list)
    removed_models: list[ModelRef] = Field(default_factory=list)
    price_changes: list[PriceChange] = Field(default_factory=list)
    context_changes: list[ContextChange] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added_providers
            or self.removed_providers
            or self.added_models
            or self.removed_models
            or self.price_changes
            or self.context_changes
        )

    def summary(self) -> str:
        """One line of counts, e.g. `1 new provider, 3 new models, 2 price changes`."""
        parts = [
            _count(len(self.added_providers), "new provider"),
            _count(len(self.removed_providers), "removed provider"),
            _count(len(self.added_models), "new model"),
            _count(len(self.removed_models), "removed model"),
            _count(len(self.price_changes), "price change"),
            _count(len(self.context_changes), "context window change"),
        ]
        return ", ".join(part for part in parts if part) or "no changes"

    def lines(self) -> list[str]:
        """One line per change, grouped by provider id:
        `+ provider x (12 models)`, `- model openai/gpt-4`,
        `~ openai/gpt-5: input $1.25 → $1.50 per 1M`, `~ openai/gpt-5: context 400,000 → 1,000,000`.
        """
        keyed: list[tuple[str, int, str]] = []
        for ref in self.added_providers:
            keyed.append((ref.id, 0, f"+ provider {ref.id} ({_models(ref.model_count)})"))
        for ref in self.removed_providers:
            keyed.append((ref.id, 0, f"- provider {ref.id} ({_models(ref.model_count)})"))
        for model in self.added_models:
            keyed.append((model.provider_id, 1, f"+ model {model.provider_id}/{model.model_id}"))
        for model in self.removed_models:
            keyed.append((model.provider_id, 2, f"- model {model.provider_id}/{model.model_id}"))
        for price in self.price_changes:
            keyed.append(
                (
                    price.provider_id,
                    3,
                    f"~ {price.provider_id}/{price.model_id}: {PRICE_LABELS[price.field]} "
                    f"{_money(price.old)} → {_money(price.new)} per 1M",
                )
            )
        for context in self.context_changes:
            keyed.append(
                (
                    context.provider_id,
                    3,
                    f"~ {context.provider_id}/{context.model_id}: context "
                    f"{_tokens(context.old)} → {_tokens(context.new)}",
                )
            )
        # Stable sort: within a provider and kind, the models keep their catalog order.
        keyed.sort(key=lambda item: (item[0], item[1]))
        return [line for _, _, line in keyed]


def diff_catalogs(old: Sequence[Provider], new: Sequence[Provider]) -> CatalogDiff:
    """The changes from providers `old` to providers `new`, matched by provider and model id."""
    old_by_id = {provider.id: provider for provider in old}
    new_by_id = {provider.id: provider for provider in new}
    diff = CatalogDiff()
    for provider in new:
        if provider.id not in old_by_id:
            diff.added_providers.append(_ref(provider))
    for provider in old:
        if provider.id not in new_by_id:
            diff.removed_providers.append(_ref(provider))
    for provider in new:
        before = old_by_id.get(provider.id)
        if before is not None:
            _diff_models(before, provider, diff)
    return diff


def _diff_models(old: Provider, new: Provider, diff: CatalogDiff) -> None:
    old_models = {model.id: model for model in old.models}
    new_ids = {model.id for model in new.models}
    for model in new.models:
        before = old_models.get(model.id)
        if before is None:
            diff.added_models.append(ModelRef(provider_id=new.id, model_id=model.id))
        else:
            _diff_model(new.id, before, model, diff)
    for model in old.models:
        if model.id not in new_ids:
            diff.removed_models.append(ModelRef(provider_id=old.id, model_id=model.id))


def _diff_model(provider_id: str, old: Model, new: Model, diff: CatalogDiff) -> None:
    for field in PRICE_LABELS:
        before: float | None = getattr(old, field)
        after: float | None = getattr(new, field)
        if before != after:
            diff.price_changes.append(
                PriceChange(
                    provider_id=provider_id, model_id=new.id, field=field, old=before, new=after
                )
            )
    if old.context_window != new.context_window:
        diff.context_changes.append(
            ContextChange(
                provider_id=provider_id,
                model_id=new.id,
                old=old.context_window,
                new=new.context_window,
            )
        )


def _ref(provider: Provider) -> ProviderRef:
    return ProviderRef(id=provider.id, name=provider.display_name, model_count=len(provider.models))


def _money(value: float | None) -> str:
    """`$1.50`, `$0.075`, `$1,234.00`; `unknown` for no price."""
    if value is None:
        return "unknown"
    text = f"{value:,.6f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"${whole}.{fraction.ljust(2, '0')}"


def _tokens(value: int) -> str:
    return f"{value:,}" if value > 0 else "unknown"


def _models(count: int) -> str:
    return "1 model" if count == 1 else f"{count} models"


def _count(count: int, noun: str) -> str:
    if count == 0:
        return ""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
