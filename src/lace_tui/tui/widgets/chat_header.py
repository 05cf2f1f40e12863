"""The session header: title, what a prompt goes to, total cost and tokens, and how full the
selected agent's context window is."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from textual.content import Content
from textual.widgets import Static

from lace_tui.services.cost import format_cost
from lace_tui.sessions.models import UsageTotals

BAR_WIDTH = 10


class HeaderInfo(BaseModel):
    """What the header shows; built by the chat screen from the store and the chat service."""

    title: str
    target: str  # the agent a prompt goes to, or "all N agents"
    totals: UsageTotals
    context_used: int | None = None
    context_window: int | None = None


def sum_totals(parts: Iterable[UsageTotals]) -> UsageTotals:
    """Totals of several agents: a cost is known if any part's is; complete if all parts are."""
    total = UsageTotals()
    for part in parts:
        cost = total.cost_usd
        if part.cost_usd is not None:
            cost = (cost or 0.0) + part.cost_usd
        total = UsageTotals(
            input_tokens=total.input_tokens + part.input_tokens,
            output_tokens=total.output_tokens + part.output_tokens,
            cache_read_tokens=total.cache_read_tokens + part.cache_read_tokens,
            cache_write_tokens=total.cache_write_tokens + part.cache_write_tokens,
            cost_usd=cost,
            cost_complete=total.cost_complete and part.cost_complete,
            messages=total.messages + part.messages,
        )
    return total


def total_cost_text(totals: UsageTotals) -> str:
    """`$0.0123`, `≥ $0.0123` when some replies have no known price, or `unknown`."""
    if totals.cost_usd is None:
        return "unknown" if totals.messages else "$0"
    text = format_cost(totals.cost_usd)
    return text if totals.cost_complete else f"≥ {text}"


def compact_count(tokens: int) -> str:
    """1234 -> 1.2k, 128000 -> 128k, 1000000 -> 1M."""
    if tokens < 1000:
        return str(tokens)
    if tokens < 1_000_000:
        value, suffix = tokens / 1000, "k"
    else:
        value, suffix = tokens / 1_000_000, "M"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}{suffix}"


def context_bar(used: int, window: int | None, width: int = BAR_WIDTH) -> Content:
    """`ctx ███░░░░░░░ 31% 40k/128k`, coloured by how full it is."""
    if window is None or window <= 0:
        return Content.assemble(("ctx ", "dim"), f"~{compact_count(used)} (window unknown)")
    ratio = used / window
    filled = min(width, round(ratio * width))
    style = "$success" if ratio < 0.6 else "$warning" if ratio < 0.85 else "$error"
    return Content.assemble(
        ("ctx ", "dim"),
        ("█" * filled, style),
        ("░" * (width - filled), "dim"),
        f" {ratio:.0%} {compact_count(used)}/{compact_count(window)}",
    )


SPEND_STYLES = {"ok": "", "near": "$warning", "over": "bold $error"}


def header_content(info: HeaderInfo, spend: tuple[str, str] | None = None) -> Content:
    totals = info.totals
    tokens = totals.input_tokens + totals.output_tokens
    first = Content.assemble((info.title, "bold"), ("  → ", "dim"), (info.target, "$accent"))
    stats = [
        Content.assemble(("cost ", "dim"), total_cost_text(totals)),
        Content.assemble(("tokens ", "dim"), f"{tokens:,}"),
    ]
    if info.context_used is not None:
        stats.append(context_bar(info.context_used, info.context_window))
    if spend is not None:  # #14: the agent's instance against its caps (from a worker)
        stats.insert(0, Content.assemble(("spend ", "dim"), (spend[0], SPEND_STYLES[spend[1]])))
    return Content("\n").join([first, Content("  ").join(stats)])


class SessionHeader(Static):
    """Two lines above the transcript."""

    DEFAULT_CSS = """
    SessionHeader {
        height: 2;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    _info: HeaderInfo | None = None
    _spend: tuple[str, str] | None = None

    def set_spend(self, spend: tuple[str, str] | None) -> None:
        """Show the selected agent's instance spend against its caps (None: no cap)."""
        self._spend = spend
        if self._info is not None:
            self.update(header_content(self._info, spend))

    def show(self, info: HeaderInfo | None) -> None:
        self._info = info
        if info is None:
            self.update(
                Content.assemble(
                    ("No session open", "bold"),
                    "\n",
                    ("type a prompt to start one, or ctrl+n", "dim"),
                )
            )
        else:
            self.update(header_content(info, self._spend))
