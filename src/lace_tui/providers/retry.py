"""How long to wait before the next attempt: exponential backoff, or what the server asked."""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from lace_tui.contracts import RetryPolicy


def backoff_delay(policy: RetryPolicy, retry_index: int, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number `retry_index` (0 for the first retry).

    A server's Retry-After wins over the exponential schedule; both are capped at backoff_max.
    """
    if retry_after is not None:
        return max(0.0, min(retry_after, policy.backoff_max))
    return float(min(policy.backoff_initial * 2.0**retry_index, policy.backoff_max))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds from `retry-after-ms`, or `Retry-After` (delta seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
