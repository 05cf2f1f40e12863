"""Daily and monthly spending caps per instance, checked before a prompt is sent.

The check adds this turn's estimate (history tokens at the input price, plus the model's
default output tokens at the output price) to what the instance's replies cost so far today
and this month (local days). Spend with an unknown cost cannot be counted: the known part is
what is compared, and the message says so.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from lace_tui.catalog.models import Model
from lace_tui.errors import BadInputError
from lace_tui.instances.models import Instance
from lace_tui.providers.events import ChatRequest
from lace_tui.services.cost import estimate_cost, estimate_tokens, format_cost
from lace_tui.services.usage_service import Spend, UsageService

# Output tokens assumed for a model whose catalog entry states no default (as the request).
FALLBACK_OUTPUT_TOKENS = 4096


class OverBudgetError(BadInputError):
    """Sending would go over a cap; `--over-budget` (or confirming in the app) sends anyway.

    `summary` says which caps and by how much, without the CLI's advice."""

    def __init__(self, message: str, summary: str) -> None:
        super().__init__(message)
        self.summary = summary


class BudgetCheck(BaseModel):
    """The outcome of a check: spend so far, the turn's estimate, and each cap it breaks."""

    instance_id: str
    spend: Spend
    estimate_usd: float | None = None
    daily_budget: float | None = None
    monthly_budget: float | None = None
    over: list[str] = []

    def refuse_if_over(self) -> None:
        """OverBudgetError (bad input: exit 2 in the CLI) when a cap would be passed."""
        if self.over:
            summary = f"instance '{self.instance_id}' would go over its {' and '.join(self.over)}"
            raise OverBudgetError(
                f"{summary}: send anyway with --over-budget, or raise the cap with"
                f" `lace-tui instance edit {self.instance_id} --daily-budget/--monthly-budget`",
                summary,
            )


def turn_estimate(request: ChatRequest, model: Model | None) -> float | None:
    """What the turn may cost: None when the model's price is unknown."""
    history = estimate_tokens(request.system or "") + sum(
        estimate_tokens(message.content) for message in request.messages
    )
    output = (model.default_max_tokens if model else 0) or request.max_tokens
    return estimate_cost(history, output or FALLBACK_OUTPUT_TOKENS, model)


def check_budget(
    usage: UsageService,
    instance: Instance,
    request: ChatRequest,
    model: Model | None,
    today: date | None = None,
) -> BudgetCheck:
    """Compare spend so far plus this turn's estimate with the instance's caps (no caps: no
    query at all)."""
    if instance.daily_budget is None and instance.monthly_budget is None:
        return BudgetCheck(instance_id=instance.id, spend=Spend())
    spend = usage.spend(instance.id, today)
    estimate = turn_estimate(request, model)
    turn = estimate or 0.0
    over: list[str] = []
    for period, spent, cap in (
        ("daily", spend.today_usd, instance.daily_budget),
        ("monthly", spend.month_usd, instance.monthly_budget),
    ):
        if cap is not None and spent + turn > cap:
            so_far = "today" if period == "daily" else "this month"
            this_turn = f" + ~{format_cost(estimate)} this turn" if estimate else ""
            over.append(
                f"{period} budget of {format_cost(cap)}"
                f" ({format_cost(spent) if spent else '$0'} spent {so_far}{this_turn})"
            )
    return BudgetCheck(
        instance_id=instance.id,
        spend=spend,
        estimate_usd=estimate,
        daily_budget=instance.daily_budget,
        monthly_budget=instance.monthly_budget,
        over=over,
    )
