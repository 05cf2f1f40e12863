"""How a reply's usage and cost, and a session's totals, read in the CLI and the app: one
wording for both, honest about what is unknown or estimated."""

from __future__ import annotations

from lace_tui.services.cost import format_cost
from lace_tui.sessions.models import Message, UsageTotals


def token_text(message: Message) -> str:
    """`12 in + 30,000 cache read + 1,200 cache write / 5 out tokens`; `~` marks an estimated
    count, `?` one nobody reported; `tokens unknown` when there is nothing."""
    counts = (
        message.input_tokens,
        message.output_tokens,
        message.cache_read_tokens,
        message.cache_write_tokens,
    )
    if all(count is None for count in counts):
        return "tokens unknown"
    approx = "~" if message.output_estimated else ""
    text = _count(message.input_tokens, "") + " in"
    if message.cache_read_tokens:
        text += f" + {message.cache_read_tokens:,} cache read"
    if message.cache_write_tokens:
        text += f" + {message.cache_write_tokens:,} cache write"
    return text + f" / {_count(message.output_tokens, approx)} out tokens"


def cost_text(message: Message) -> str:
    """`$0.0123 (provider)`, `~$0.0040 (estimate)`, `cost unknown` (never $0 for a cost
    nobody knows). A cost stored before its source was kept shows bare."""
    if message.cost_usd is None:
        return "cost unknown"
    approx = "~" if message.cost_source == "estimate" else ""
    source = f" ({message.cost_source})" if message.cost_source else ""
    return f"{approx}{format_cost(message.cost_usd)}{source}"


def total_cost_text(totals: UsageTotals) -> str:
    """A total cost: `$0.12`, `≥ $0.12` when some reply's cost is unknown, `unknown`."""
    if totals.cost_usd is None:
        return "unknown" if totals.messages else "$0"
    text = format_cost(totals.cost_usd)
    return text if totals.cost_complete else f"≥ {text}"


def _count(count: int | None, approx: str) -> str:
    return "?" if count is None else f"{approx}{count:,}"
