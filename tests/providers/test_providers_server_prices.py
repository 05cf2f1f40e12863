"""Prices listed by a server's `/models` (OpenRouter's and Vercel's shapes), per million tokens."""

from __future__ import annotations

import pytest

from lace_tui.cli_commands.usage_args import USAGE_GROUPINGS as CLI_GROUPINGS
from lace_tui.providers.server_prices import server_prices
from lace_tui.services.usage_service import USAGE_GROUPINGS


def test_openrouter_prices_are_per_token_strings() -> None:
    entry: dict[str, object] = {
        "id": "x/y",
        "pricing": {
            "prompt": "0.000003",
            "completion": "0.000015",
            "input_cache_read": "0.0000003",
            "input_cache_write": "0.00000375",
            "request": "0",
        },
    }
    assert server_prices(entry) == {
        "cost_per_1m_in": 3.0,
        "cost_per_1m_out": 15.0,
        "cost_per_1m_out_cached": 0.3,
        "cost_per_1m_in_cached": 3.75,
    }


def test_vercel_names_them_input_and_output() -> None:
    entry: dict[str, object] = {"pricing": {"input": "0.0000001", "output": 4e-7}}
    assert server_prices(entry) == {"cost_per_1m_in": 0.1, "cost_per_1m_out": 0.4}


@pytest.mark.parametrize(
    "pricing",
    [
        {"prompt": "-1", "completion": "-1"},  # OpenRouter's router models: it varies
        {"prompt": "0.000001"},  # half a price is no price
        {"prompt": "free", "completion": "0"},
        {"prompt": True, "completion": "0"},
        {"prompt": "nan", "completion": "0"},
        "not a table",
    ],
)
def test_anything_else_is_unknown_not_zero(pricing: object) -> None:
    assert server_prices({"pricing": pricing}) == {}


def test_free_is_a_known_price() -> None:
    assert server_prices({"pricing": {"prompt": "0", "completion": "0"}}) == {
        "cost_per_1m_in": 0.0,
        "cost_per_1m_out": 0.0,
    }


def test_the_cli_offers_the_service_groupings() -> None:
    assert CLI_GROUPINGS == USAGE_GROUPINGS
