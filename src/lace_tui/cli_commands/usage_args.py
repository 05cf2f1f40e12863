"""The arguments of the spend commands (`usage`, `instance price`, budgets), declared on the
CLI's parsers. Only argparse here: every command builds the parser, so this must import fast."""

from __future__ import annotations

import argparse
import math
from typing import TypeVar

# The same as services.usage_service.USAGE_GROUPINGS (a test checks), without importing it.
USAGE_GROUPINGS = ("day", "instance", "provider", "model", "session")

P = TypeVar("P", bound=argparse.ArgumentParser)


def add_parsers(
    commands: argparse._SubParsersAction[P],
    instance_commands: argparse._SubParsersAction[P],
    common: P,
) -> None:
    """Declare `usage`, `instance price`, `instance edit --daily-budget/--monthly-budget` and
    `chat --over-budget` on the CLI's parsers."""
    p = instance_commands.add_parser(
        "price", help="set your own price for a model of an instance", parents=[common]
    )
    p.add_argument("instance_id", metavar="ID")
    p.add_argument("model_id", metavar="MODEL")
    p.add_argument("--input", type=_usd, metavar="USD_PER_M", help="per million input tokens")
    p.add_argument("--output", type=_usd, metavar="USD_PER_M", help="per million output tokens")
    p.add_argument("--cached-input", type=_usd, metavar="USD_PER_M", help="cache reads")
    p.add_argument("--clear", action="store_true", help="forget your price for the model")
    edit = instance_commands.choices["edit"]
    for period in ("daily", "monthly"):
        edit.add_argument(
            f"--{period}-budget",
            type=_budget,
            default=argparse.SUPPRESS,
            metavar="USD",
            help=f"{period} spending cap for chats through this instance ('none' removes it)",
        )
    commands.choices["chat"].add_argument(
        "--over-budget", action="store_true", help="send even when it goes over a budget"
    )

    p = commands.add_parser("usage", help="tokens and cost of stored replies", parents=[common])
    p.add_argument("--by", choices=USAGE_GROUPINGS, default="day", help="one row per ...")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="from that local day on")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="up to and including that local day")
    p.add_argument("--json", action="store_true")


def _usd(value: str) -> float:
    try:
        amount = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {value!r}") from None
    if not math.isfinite(amount) or amount < 0:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {value!r}")
    return amount


def _budget(value: str) -> float | None:
    return None if value.strip().lower() in ("none", "off") else _usd(value)


def budget_changes(args: argparse.Namespace) -> dict[str, float | None]:
    """The budget fields `instance edit` was asked to change (None clears a cap)."""
    changes: dict[str, float | None] = {}
    for field in ("daily_budget", "monthly_budget"):
        if hasattr(args, field):  # absent unless given (SUPPRESS), None when cleared
            changes[field] = getattr(args, field)
    return changes
