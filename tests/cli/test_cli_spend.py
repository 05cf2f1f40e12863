"""Spend end to end against loopback servers: prices for discovered models (the server's own,
borrowed from the catalog, the user's), `usage` agreeing with the stored replies, budgets that
refuse before anything is stored."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.support.fake_provider import FakeBehaviour, FakeProvider

SECRET = "sk-or-v1-test-key-abcdef123456"
PRICED = "acme/priced-model"  # listed with OpenRouter-shaped prices
BORROWER = "anthropic/claude-sonnet-4-6"  # no price listed; the Anthropic catalog has one
UNPRICED = "acme/mystery"

Cli = Callable[..., Result]


@pytest.fixture
def gateway() -> Iterator[FakeProvider]:
    """An OpenRouter-shaped server: `/models` with per-token prices and context lengths."""
    behaviour = FakeBehaviour(
        reply="Hi.",
        require_key=SECRET,
        models=[PRICED, BORROWER, UNPRICED],
        model_extras={
            PRICED: {
                "context_length": 32000,
                "pricing": {
                    "prompt": "0.000002",
                    "completion": "0.000008",
                    "input_cache_read": "0.0000005",
                },
            },
            # OpenRouter's router models have a variable price: "-1" is not a price.
            UNPRICED: {"pricing": {"prompt": "-1", "completion": "-1"}},
        },
    )
    with FakeProvider(behaviour) as server:
        yield server


@pytest.fixture
def router(cli: Cli, gateway: FakeProvider) -> str:
    """A local OpenAI-compatible gateway instance (LM Studio's catalog entry has no models)."""
    added = cli(
        "instance",
        "add",
        "gw",
        "--provider",
        "lmstudio",
        "--endpoint",
        gateway.url,
        "--max-attempts",
        "1",
        "--api-key-stdin",
        stdin=SECRET,
    )
    assert added.code == 0, added.err
    refreshed = cli("instance", "models", "gw", "--refresh")
    assert refreshed.code == 0, refreshed.err
    return "gw"


def _models(cli: Cli, instance: str) -> dict[str, dict[str, object]]:
    listed = cli("instance", "models", instance, "--json")
    assert listed.code == 0, listed.err
    data = listed.json()
    assert isinstance(data, list)
    return {str(m["id"]): m for m in data}


def test_discovered_models_are_priced_by_the_server_or_borrowed_marked(
    cli: Cli, router: str
) -> None:
    models = _models(cli, router)
    priced = models[PRICED]
    assert (priced["cost_per_1m_in"], priced["cost_per_1m_out"]) == (2.0, 8.0)
    assert priced["price_source"] == "server" and priced["context_window"] == 32000
    borrowed = models[BORROWER]
    assert (borrowed["cost_per_1m_in"], borrowed["cost_per_1m_out"]) == (3.0, 15.0)
    assert borrowed["price_source"] == "borrowed" and borrowed["price_from"] == "Anthropic"
    assert models[UNPRICED]["cost_per_1m_in"] is None  # unknown, never $0
    table = cli("instance", "models", router)
    line = next(row for row in table.out.splitlines() if row.startswith(BORROWER))
    assert "≈ from Anthropic" in line


def test_user_prices_win_and_survive_a_refresh(cli: Cli, router: str, home: Path) -> None:
    done = cli("instance", "price", router, PRICED, "--input", "1", "--output", "2.5")
    assert done.code == 0, done.err
    assert cli("instance", "models", router, "--refresh").code == 0
    priced = _models(cli, router)[PRICED]
    assert (priced["cost_per_1m_in"], priced["cost_per_1m_out"]) == (1.0, 2.5)
    assert priced["price_source"] == "user"
    assert SECRET not in (home / "instances.toml").read_text()
    cleared = cli("instance", "price", router, PRICED, "--clear")
    assert cleared.code == 0, cleared.err
    assert _models(cli, router)[PRICED]["price_source"] == "server"


def test_bad_prices_change_nothing(cli: Cli, router: str, home: Path) -> None:
    before = (home / "instances.toml").read_bytes()
    for args in (
        ("instance", "price", router, "no-such-model", "--input", "1", "--output", "1"),
        ("instance", "price", router, PRICED, "--input", "1"),
        ("instance", "price", router, PRICED, "--input", "-1", "--output", "1"),
        ("instance", "price", router, PRICED, "--input", "nan", "--output", "1"),
        ("instance", "price", router, PRICED, "--clear"),
    ):
        result = cli(*args)
        assert result.code == 2, args
        assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert (home / "instances.toml").read_bytes() == before


def test_usage_json_totals_equal_the_stored_replies(cli: Cli, router: str) -> None:
    sessions = []
    for model in (PRICED, BORROWER, UNPRICED, PRICED):
        sent = cli("chat", "--instance", router, "--model", model, f"hello {model}")
        assert sent.code == 0, sent.err
        sessions.append(sent.err.split("session: ")[1].split()[0])
    replies = []
    for session_id in set(sessions):
        shown = cli("session", "show", session_id, "--json").json()
        assert isinstance(shown, dict)
        replies += [m for m in shown["messages"] if m["role"] == "assistant"]
    assert len(replies) == 4
    for by in ("day", "instance", "provider", "model", "session"):
        report = cli("usage", "--by", by, "--json").json()
        assert isinstance(report, dict)
        total = report["total"]
        assert total["replies"] == 4
        assert total["input_tokens"] == sum(r["input_tokens"] for r in replies)
        assert total["output_tokens"] == sum(r["output_tokens"] for r in replies)
        known = [r["cost_usd"] for r in replies if r["cost_usd"] is not None]
        assert len(known) == 3  # the server's price, the borrowed one; not the mystery model
        assert total["cost_usd"] == pytest.approx(math.fsum(known), abs=1e-9)
        assert total["unknown_cost_replies"] == 1 and total["cost_complete"] is False
        assert sum(g["replies"] for g in report["groups"]) == 4
    by_model = cli("usage", "--by", "model").out
    assert "unknown (1)" in by_model and "TOTAL" in by_model


def test_usage_bad_periods_are_bad_input(cli: Cli) -> None:
    for args in (("--since", "yesterday"), ("--since", "2026-12-05", "--until", "2026-12-01")):
        result = cli("usage", *args)
        assert result.code == 2 and result.err.startswith("error: "), result.err


def test_a_budget_refusal_stores_nothing_and_over_budget_sends(
    cli: Cli, router: str, gateway: FakeProvider, home: Path
) -> None:
    edited = cli("instance", "edit", router, "--daily-budget", "0.001", "--monthly-budget", "5")
    assert edited.code == 0, edited.err
    listed = cli("instance", "list", "--json").json()
    assert isinstance(listed, list)
    assert (listed[0]["daily_budget"], listed[0]["monthly_budget"]) == (0.001, 5)
    chats_before = len([r for r in gateway.requests if r.method == "POST"])
    refused = cli("chat", "--instance", router, "--model", BORROWER, "hello")
    assert refused.code == 2
    assert refused.err.startswith("error: ") and refused.err.count("\n") == 1
    assert "daily budget of $0.0010" in refused.err and "--over-budget" in refused.err
    assert len([r for r in gateway.requests if r.method == "POST"]) == chats_before
    sessions = cli("session", "list", "--json").json()
    assert sessions == []
    sent = cli("chat", "--instance", router, "--model", BORROWER, "--over-budget", "hello")
    assert sent.code == 0, sent.err
    assert len(cli("session", "list", "--json").json()) == 1  # type: ignore[arg-type]
    # The same session again, several agents at once: refused whole, nothing added.
    session_id = sent.err.split("session: ")[1].split()[0]
    before = cli("session", "show", session_id, "--json").json()
    fan = cli("chat", "--session", session_id, "--all", "again")
    assert fan.code == 2 and "daily budget" in fan.err
    assert cli("session", "show", session_id, "--json").json() == before
    # An unpriced model's turn cannot be estimated, but today's spend already passed the cap.
    cleared = cli("instance", "edit", router, "--daily-budget", "none")
    assert cleared.code == 0, cleared.err
    assert "daily_budget" not in (home / "instances.toml").read_text()
    assert cli("chat", "--instance", router, "--model", PRICED, "fine now").code == 0


def test_usage_table_shows_outside_text_inert_and_json_exact(cli: Cli, router: str) -> None:
    hostile = "\x1b]0;pwned\x07 title"
    sent = cli("chat", "--instance", router, "--model", PRICED, hostile)
    assert sent.code == 0, sent.err
    table = cli("usage", "--by", "session")
    assert table.code == 0, table.err
    assert "\x1b" not in table.out and "\x07" not in table.out
    assert "␛]0;pwned␇ title" in table.out
    report = cli("usage", "--by", "session", "--json").json()
    assert isinstance(report, dict)
    assert report["groups"][0]["label"] == hostile
