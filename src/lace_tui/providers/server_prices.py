"""Per-token prices some servers list with their models, as USD per million tokens.

OpenRouter's `GET /api/v1/models` (openrouter.ai/docs/api-reference/list-available-models) gives
`pricing.prompt`, `pricing.completion`, `pricing.input_cache_read` and
`pricing.input_cache_write` as decimal strings in USD per token; Vercel's AI Gateway
`GET /v1/models` names the first two `pricing.input` and `pricing.output`. A negative price
(OpenRouter's `-1` for its router models) means the price varies: unknown.
"""

from __future__ import annotations

import math

from lace_tui.providers.jsonshape import get_dict

_PER_MILLION = 1_000_000


def _per_million(pricing: dict[str, object], *names: str) -> float | None:
    for name in names:
        value = pricing.get(name)
        if isinstance(value, bool) or value is None:
            continue
        try:
            per_token = float(value) if isinstance(value, int | float | str) else math.nan
        except ValueError:
            continue
        if math.isfinite(per_token) and per_token >= 0:
            # Rounded away from float noise: "0.000003" per token is $3, not $2.9999999999999996.
            return round(per_token * _PER_MILLION, 9)
        return None
    return None


def server_prices(entry: dict[str, object]) -> dict[str, float]:
    """The prices of one `/models` entry, by catalog field name; {} when it lists none."""
    pricing = get_dict(entry, "pricing")
    if pricing is None:
        return {}
    found = {
        "cost_per_1m_in": _per_million(pricing, "prompt", "input"),
        "cost_per_1m_out": _per_million(pricing, "completion", "output"),
        # Catwalk's names: `out_cached` is the cache-read price, `in_cached` the cache write.
        "cost_per_1m_out_cached": _per_million(pricing, "input_cache_read"),
        "cost_per_1m_in_cached": _per_million(pricing, "input_cache_write"),
    }
    if found["cost_per_1m_in"] is None or found["cost_per_1m_out"] is None:
        return {}
    return {name: value for name, value in found.items() if value is not None}
