"""Request bodies for every reasoning model the shipped catalog lists, per vendor rule:

- Anthropic ("Adaptive thinking" docs): Claude 4.6 and later take `thinking: {type: adaptive}`
  with `output_config.effort`; 4.7 and later reject `type: enabled` with `budget_tokens`
  (400); 4.5 and older take only the budget.
- Gemini ("Thinking" docs): Gemini 3 takes `thinkingLevel`, 2.5 `thinkingBudget`; never both.
- Azure ("reasoning models" guide): reasoning models take `max_completion_tokens`, never
  `max_tokens`.

The expected family of each model is written down here by hand, from the vendors' docs, so a
new catalog model the rule gets wrong fails instead of agreeing with itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import lace_tui.providers.anthropic as anthropic
import lace_tui.providers.gemini as gemini
from lace_tui.catalog.loader import parse_provider_file
from lace_tui.catalog.models import Model
from lace_tui.providers.events import ChatMessage, ChatRequest
from lace_tui.providers.openai_chat import build_body as openai_body

CATALOGS = Path(__file__).resolve().parents[2] / "data" / "catalogs"
HI = [ChatMessage(role="user", content="hi")]

# Anthropic models that must think adaptively: the 4.6 models (budget deprecated) and every
# later one (budget refused).
ADAPTIVE = {
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-5",
    "claude-mythos-5",
    "claude-fable-5",
}


def reasoning_models(catalog_file: str) -> list[Model]:
    provider = parse_provider_file(CATALOGS / catalog_file)
    return [model for model in provider.models if model.can_reason]


def efforts(model: Model) -> list[str]:
    return list(model.reasoning_levels or ["high"])


def request(model: Model, effort: str) -> ChatRequest:
    return ChatRequest(
        model=model.id,
        messages=HI,
        max_tokens=model.default_max_tokens or None,
        reasoning_effort=effort,
        can_reason=True,
    )


def test_the_catalog_still_lists_the_families_the_rules_cover() -> None:
    anthropic_ids = {model.id for model in reasoning_models("anthropic.json")}
    assert anthropic_ids >= ADAPTIVE
    assert any(
        model.id.startswith("claude-sonnet-4-5") for model in reasoning_models("anthropic.json")
    )
    gemini_ids = {model.id for model in reasoning_models("gemini.json")}
    assert any(i.startswith("gemini-3") for i in gemini_ids)
    assert any(i.startswith("gemini-2.5") for i in gemini_ids)
    assert reasoning_models("azure.json")


@pytest.mark.parametrize("model", reasoning_models("anthropic.json"), ids=lambda m: m.id)
def test_anthropic_thinking_shape_per_model(model: Model) -> None:
    for effort in efforts(model):
        body = anthropic.build_body(request(model, effort))
        if model.id in ADAPTIVE:
            assert body["thinking"] == {"type": "adaptive"}
            assert body["output_config"] == {"effort": effort}
        else:
            thinking = body["thinking"]
            assert isinstance(thinking, dict) and thinking["type"] == "enabled"
            assert isinstance(thinking["budget_tokens"], int)
            assert isinstance(body["max_tokens"], int)
            assert body["max_tokens"] > thinking["budget_tokens"]
            assert "output_config" not in body


@pytest.mark.parametrize(
    ("model_id", "adaptive"),
    [
        ("claude-opus-4-7", True),
        ("anthropic.claude-opus-4-7", True),
        ("anthropic/claude-sonnet-4.6", True),
        ("claude-mythos-5", True),
        ("claude-opus-4-5-20251101", False),
        ("claude-sonnet-4-20250514", False),
        ("claude-3-7-sonnet-20250219", False),
        ("kimi-for-coding", False),
    ],
)
def test_anthropic_rule_reads_the_version_from_the_name(model_id: str, adaptive: bool) -> None:
    assert anthropic.takes_adaptive_thinking(model_id) is adaptive


def test_anthropic_effort_outside_adaptive_levels_is_sent_as_the_nearest() -> None:
    body = anthropic.build_body(
        ChatRequest(model="claude-opus-5", messages=HI, reasoning_effort="minimal")
    )
    assert body["output_config"] == {"effort": "low"}


@pytest.mark.parametrize("model", reasoning_models("gemini.json"), ids=lambda m: m.id)
def test_gemini_effort_reaches_the_request_as_level_or_budget(model: Model) -> None:
    for effort in efforts(model):
        body = gemini.build_body(request(model, effort))
        config = body["generationConfig"]
        assert isinstance(config, dict)
        thinking = config["thinkingConfig"]
        assert isinstance(thinking, dict)
        assert thinking["includeThoughts"] is True
        if model.id.startswith("gemini-3"):
            assert thinking["thinkingLevel"] == effort
            assert "thinkingBudget" not in thinking
        else:
            assert model.id.startswith("gemini-2.5")
            assert isinstance(thinking["thinkingBudget"], int)
            assert "thinkingLevel" not in thinking


def test_gemini_budgets_grow_with_effort() -> None:
    budgets = []
    for effort in ("low", "medium", "high"):
        budget = gemini.thinking_config("gemini-2.5-pro", effort)["thinkingBudget"]
        assert isinstance(budget, int)
        budgets.append(budget)
    assert budgets == sorted(budgets) and len(set(budgets)) == 3


@pytest.mark.parametrize("model", reasoning_models("azure.json"), ids=lambda m: m.id)
def test_azure_reasoning_models_get_max_completion_tokens(model: Model) -> None:
    for effort in efforts(model):
        body = openai_body(request(model, effort), "azure")
        assert body["max_completion_tokens"] == model.default_max_tokens
        assert "max_tokens" not in body
        assert body["reasoning_effort"] == effort


def test_azure_non_reasoning_models_keep_max_tokens() -> None:
    body = openai_body(ChatRequest(model="gpt-4o", messages=HI, max_tokens=100), "azure")
    assert body["max_tokens"] == 100 and "max_completion_tokens" not in body
