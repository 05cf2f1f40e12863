"""Text for usage and spend, shared by the CLI and the app (no printing here)."""

from __future__ import annotations

from lace_tui.services.cost import format_cost
from lace_tui.services.usage_service import Spend, UsageGroup


def cost_cell(group: UsageGroup) -> str:
    """`$1.23`, `$1.23 + 4 unknown`, `unknown (4)`, `-` (nothing charged); estimates noted."""
    if group.cost_usd is None:
        return f"unknown ({group.unknown_cost_replies:,})" if group.unknown_cost_replies else "-"
    text = format_cost(group.cost_usd)
    if group.estimated_cost_replies:
        text += f" (~{format_cost(group.estimated_cost_usd)} estimated)"
    if group.unknown_cost_replies:
        text += f" + {group.unknown_cost_replies:,} unknown"
    return text


def spend_against(spent: float, cap: float | None) -> str:
    """`$0.42/$5.00` against a cap, or `$0.42` without one."""
    text = format_cost(spent) if spent else "$0"
    return f"{text}/{format_cost(cap)}" if cap is not None else text


def cap_status(spend: Spend, daily: float | None, monthly: float | None) -> tuple[str, str]:
    """The header's spend against the caps that are set, and how close it is: `ok`, `near`
    (over 80% of a cap) or `over`."""
    parts: list[str] = []
    ratio = 0.0
    periods = (("today", spend.today_usd, daily), ("month", spend.month_usd, monthly))
    for label, spent, cap in periods:
        if cap is None:
            continue
        parts.append(f"{label} {spend_against(spent, cap)}")
        ratio = max(ratio, spent / cap if cap else (1.0 if spent else 0.0))
    text = " · ".join(parts) + (" + unknown" if spend.unknown_replies and parts else "")
    level = "over" if ratio >= 1 else "near" if ratio >= 0.8 else "ok"
    return text, level
