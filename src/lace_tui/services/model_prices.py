"""Where a model's price comes from, in order of precedence: the user's own price for it on
that instance, the instance's catalog provider, the server's `/models` list, or a matching
model of another catalog provider (borrowed, and always shown as such)."""

from __future__ import annotations

from typing import Literal

from lace_tui.catalog.loader import Catalog
from lace_tui.catalog.models import Model, Provider
from lace_tui.instances.prices import ModelPrice
from lace_tui.providers.events import DiscoveredModel

PriceSource = Literal["user", "catalog", "server", "borrowed"]

# When several providers list a model, its maker's own API is the best guess of its price.
_FIRST_PARTY_TYPES = ("anthropic", "openai", "google")


class BorrowIndex:
    """Priced catalog models by id, to price a discovered model the instance's catalog lacks."""

    def __init__(self, catalog: Catalog) -> None:
        self._by_id: dict[str, list[tuple[Provider, Model]]] = {}
        for provider in catalog.providers.values():
            for model in provider.models:
                if model.has_price:
                    self._by_id.setdefault(model.id, []).append((provider, model))

    def find(self, model_id: str, own_provider: str) -> tuple[Provider, Model] | None:
        """The same id elsewhere, else the part after a `vendor/` prefix; the vendor's own
        provider first, then first-party APIs, then by provider id (stable)."""
        vendor, slash, bare = model_id.partition("/")
        for candidate_id in (model_id, bare) if slash else (model_id,):
            found = [
                (provider, model)
                for provider, model in self._by_id.get(candidate_id, [])
                if provider.id != own_provider
            ]
            if found:
                found.sort(
                    key=lambda pair: (
                        pair[0].id != vendor,
                        pair[0].type not in _FIRST_PARTY_TYPES,
                        pair[0].id,
                    )
                )
                return found[0]
        return None


def discovered_info(
    found: DiscoveredModel, index: BorrowIndex, own_provider: str
) -> tuple[Model | None, PriceSource | None, str]:
    """A discovered model's metadata, where its price came from, and from whom if borrowed."""
    fields: dict[str, object] = {"id": found.id, "name": found.name}
    if found.context_window:
        fields["context_window"] = found.context_window
    if found.prices:
        return Model.model_validate({**fields, **found.prices}), "server", ""
    borrowed = index.find(found.id, own_provider)
    if borrowed is not None:
        provider, model = borrowed
        limits = {
            "context_window": found.context_window or model.context_window,
            "default_max_tokens": model.default_max_tokens,
            "cost_per_1m_in": model.cost_per_1m_in,
            "cost_per_1m_out": model.cost_per_1m_out,
            "cost_per_1m_in_cached": model.cost_per_1m_in_cached,
            "cost_per_1m_out_cached": model.cost_per_1m_out_cached,
        }
        return Model.model_validate({**fields, **limits}), "borrowed", provider.display_name
    if found.context_window:
        return Model.model_validate(fields), None, ""
    return None, None, ""


def with_user_price(info: Model | None, model_id: str, price: ModelPrice) -> Model:
    """`info` (or a bare model) priced as the user said; a cache write costs the input price."""
    base = info if info is not None else Model(id=model_id)
    return base.model_copy(
        update={
            "cost_per_1m_in": price.input,
            "cost_per_1m_out": price.output,
            "cost_per_1m_out_cached": price.cached_input,
            "cost_per_1m_in_cached": None,
        }
    )


def price_note(source: PriceSource | None, borrowed_from: str) -> str:
    """What a price column says about where the price came from: `≈ from Anthropic`."""
    if source == "borrowed":
        return f"≈ from {borrowed_from}"
    if source == "user":
        return "your price"
    if source == "server":
        return "from the server"
    return ""
