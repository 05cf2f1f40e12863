"""Cost of a reply from catalog prices (USD per million tokens)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the formatters serve tables and the first frame: no pydantic models for them
    from lace_tui.catalog.models import Model
    from lace_tui.providers.events import Usage

_PER_TOKEN = 1_000_000


def reply_cost(usage: Usage, model: Model | None) -> float | None:
    """Cost in USD of one reply, or None when the price or the token counts are unknown.

    Cached-read tokens are charged at Catwalk's cache-read price (`cost_per_1m_out_cached`)
    and cache writes at `cost_per_1m_in_cached`, falling back to the input price.
    """
    if model is None or not model.has_price:
        return None
    if usage.input_tokens is None and usage.output_tokens is None:
        return None
    price_in = model.cost_per_1m_in or 0.0
    price_out = model.cost_per_1m_out or 0.0
    read_price = model.cost_per_1m_out_cached
    write_price = model.cost_per_1m_in_cached
    total = (usage.input_tokens or 0) * price_in + (usage.output_tokens or 0) * price_out
    total += (usage.cache_read_tokens or 0) * (read_price if read_price is not None else price_in)
    total += (usage.cache_write_tokens or 0) * (
        write_price if write_price is not None else price_in
    )
    return total / _PER_TOKEN


def estimate_cost(input_tokens: int, output_tokens: int, model: Model | None) -> float | None:
    """Cost of a hypothetical turn, for comparisons and the model picker."""
    from lace_tui.providers.events import Usage

    return reply_cost(Usage(input_tokens=input_tokens, output_tokens=output_tokens), model)


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters a token) for context-window checks."""
    return (len(text) + 3) // 4


def format_cost(cost: float | None) -> str:
    """`$0.0123`, or `unknown`: an unknown price is never shown as $0."""
    if cost is None:
        return "unknown"
    if cost == 0:
        return "$0"
    if cost < 0.0001:
        return "<$0.0001"  # a real but tiny cost must not read as zero
    if cost < 0.01:
        return f"${cost:.4f}"
    return f"${cost:.2f}"


def format_price(price: float | None) -> str:
    """A per-million price for tables: `$3.00`, `free`, or `?`."""
    if price is None:
        return "?"
    if price == 0:
        return "free"
    if price < 0.01:
        return f"${price:.4f}"
    return f"${price:.2f}"
