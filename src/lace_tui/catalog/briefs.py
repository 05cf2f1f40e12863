"""What the Catalog screen shows of each provider, as plain data (no pydantic: start-up path).

Importing pydantic and building the catalog's models takes longer than a bare Textual app needs
to start, so the app's first frame fills the Catalog table from `ProviderBrief`s that need
neither (see `brief_cache.py`), while the full catalog loads and validates in the background.
Once it has, the table is rebuilt from `briefs_of(catalog)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from lace_tui.catalog.core import Catalog, CatalogSource


# NamedTuples rather than dataclasses here: the module is imported before the first frame, and
# a dataclass costs several times as much to define.


class PriceSpan(NamedTuple):
    """Lowest and highest known prices (USD per million tokens); None when none is known."""

    min_in: float | None = None
    max_in: float | None = None
    min_out: float | None = None
    max_out: float | None = None


class ProviderBrief(NamedTuple):
    """One row of the Catalog table: a provider, where it came from, what its models cost."""

    id: str
    name: str  # the display name
    type: str
    model_count: int
    source: CatalogSource
    can_chat: bool
    api_endpoint: str
    api_key_env: str | None
    prices: PriceSpan
    user_file: str | None = None  # the user catalog file, when source is "user"


def briefs_of(catalog: Catalog) -> list[ProviderBrief]:
    """One brief per provider of a loaded catalog, in the catalog's (display name) order."""
    briefs: list[ProviderBrief] = []
    for provider_id, provider in catalog.providers.items():
        models = provider.models
        user_file = catalog.user_files.get(provider_id)
        briefs.append(
            ProviderBrief(
                id=provider_id,
                name=provider.display_name,
                type=provider.type,
                model_count=len(models),
                source=catalog.sources[provider_id],
                can_chat=provider.can_chat,
                api_endpoint=provider.api_endpoint,
                api_key_env=provider.api_key_env,
                prices=price_span(
                    [m.cost_per_1m_in for m in models], [m.cost_per_1m_out for m in models]
                ),
                user_file=str(user_file) if user_file is not None else None,
            )
        )
    return briefs


def price_span(prices_in: Iterable[float | None], prices_out: Iterable[float | None]) -> PriceSpan:
    """The span of the known input and output prices (unknown ones, None, are left out)."""
    known_in = [p for p in prices_in if p is not None]
    known_out = [p for p in prices_out if p is not None]
    return PriceSpan(
        min_in=min(known_in, default=None),
        max_in=max(known_in, default=None),
        min_out=min(known_out, default=None),
        max_out=max(known_out, default=None),
    )


def brief_dict(brief: ProviderBrief) -> dict[str, object]:
    """A brief as `catalog list --json` prints it (its prices an object, not a list)."""
    return {**brief._asdict(), "prices": brief.prices._asdict()}
