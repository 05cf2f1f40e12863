"""Counts and ranges over a provider's models, and over the whole catalog."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.query import PriceRange, price_range


class ModelSetStats(BaseModel):
    """Figures over a set of models. Unknown prices and context windows are left out of the
    ranges and the mean, never counted as 0."""

    model_count: int = 0
    priced_count: int = 0  # models with both an input and an output price
    prices: PriceRange = Field(default_factory=PriceRange)
    reasoning_count: int = 0
    attachment_count: int = 0
    context_known_count: int = 0
    mean_context_window: float | None = None
    max_context_window: int | None = None


class ProviderStats(ModelSetStats):
    provider_id: str
    name: str


class CatalogStats(ModelSetStats):
    provider_count: int = 0
    providers: list[ProviderStats] = Field(default_factory=list)


def provider_stats(provider: Provider) -> ProviderStats:
    """Model count, price ranges, reasoning and attachment counts, context windows."""
    figures = _figures(provider.models)
    return ProviderStats(provider_id=provider.id, name=provider.display_name, **figures)


def catalog_stats(providers: Iterable[Provider]) -> CatalogStats:
    """The figures of each provider, and the same figures over all their models."""
    chosen = list(providers)
    per_provider = [provider_stats(provider) for provider in chosen]
    figures = _figures([model for provider in chosen for model in provider.models])
    return CatalogStats(provider_count=len(chosen), providers=per_provider, **figures)


def _figures(models: Sequence[Model]) -> dict[str, object]:
    contexts = [model.context_window for model in models if model.context_window > 0]
    return {
        "model_count": len(models),
        "priced_count": sum(1 for model in models if model.has_price),
        "prices": price_range(models),
        "reasoning_count": sum(1 for model in models if model.can_reason),
        "attachment_count": sum(1 for model in models if model.supports_attachments),
        "context_known_count": len(contexts),
        "mean_context_window": sum(contexts) / len(contexts) if contexts else None,
        "max_context_window": max(contexts, default=None),
    }


def context_text(tokens: float | None) -> str:
    """A context window as people say it: `200k`, `1M`, `1.5M`; `?` when unknown."""
    if tokens is None:
        return "?"
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.1f}M".replace(".0M", "M")
    return f"{tokens / 1000:.0f}k"
