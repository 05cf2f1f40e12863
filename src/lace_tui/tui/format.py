"""Small formatting helpers shared by the screens (prices, token counts, times, keys)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

# Type-only imports: this module is on the start-up path, before pydantic is imported.
if TYPE_CHECKING:
    from lace_tui.catalog.briefs import PriceSpan
    from lace_tui.instances.models import ConnectionStatus, KeyStatus


def format_tokens(count: int) -> str:
    """`200k`, `1M`, `1.05M`; `—` when the catalog does not say."""
    if count <= 0:
        return "—"
    if count >= 1_000_000:
        text = f"{count / 1_000_000:.2f}".rstrip("0").rstrip(".")
        return f"{text}M"
    if count >= 1000:
        text = f"{count / 1000:.1f}".rstrip("0").rstrip(".")
        return f"{text}k"
    return str(count)


def short_price(price: float) -> str:
    """A price without the dollar sign, as short as it stays exact enough: `0.14`, `3`, `15`."""
    if price == 0:
        return "free"
    if price >= 10:
        return f"{price:.0f}"
    text = f"{price:.2f}".rstrip("0").rstrip(".")
    return text if text != "0" else f"{price:.3f}".rstrip("0")


def price_span(low: float | None, high: float | None) -> str:
    """A range of per-million prices for narrow columns: `0.1-15`, `3`, `free-2.5`; `?`."""
    if low is None or high is None:
        return "?"
    if low == high:
        return short_price(low)
    return f"{short_price(low)}-{short_price(high)}"


def price_ranges(prices: PriceSpan) -> tuple[str, str]:
    """The input and output price spans of a provider."""
    return price_span(prices.min_in, prices.max_in), price_span(prices.min_out, prices.max_out)


def relative_time(iso: str, now: datetime | None = None) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 d ago`, or the date for older times."""
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d ago"
    return then.astimezone().strftime("%Y-%m-%d")


def key_label(key: KeyStatus) -> str:
    """Where the key comes from (never the key): `stored sk-…abcd`, `$VAR`, `$VAR (unset)`."""
    if key.source == "stored":
        return f"stored {key.masked}" if key.masked else "stored"
    if key.source == "env":
        suffix = "" if key.available else " unset"
        return f"${key.env_var}{suffix}"
    return "none"


_STATE_WORDS = {
    "connected": "connected",
    "auth_failed": "key rejected",
    "unreachable": "unreachable",
    "timed_out": "timed out",
    "error": "error",
}


def status_detail(status: ConnectionStatus) -> str:
    """What the test said beyond its label: nothing for a connection (the label has the
    latency already), the one-line reason otherwise."""
    return "" if status.state == "connected" else status.message


def status_label(status: ConnectionStatus | None) -> str:
    """`connected (120 ms)`, `key rejected`, `untested`."""
    if status is None:
        return "untested"
    word = _STATE_WORDS.get(status.state, status.state)
    if status.state == "connected" and status.latency_ms is not None:
        return f"{word} ({status.latency_ms:.0f} ms)"
    return word
