"""Markdown and JSON exports of a whole session, built from a real database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from lace_tui.sessions.export import export_json, export_markdown
from lace_tui.sessions.models import SessionDetail
from lace_tui.sessions.store import SessionStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    with SessionStore(tmp_path / "sessions.db") as opened:
        yield opened


def _compare_session(store: SessionStore) -> SessionDetail:
    """Two agents answer one fan-out prompt, then the first answers a follow-up alone."""
    store.create_session("cmp", title="Capital cities")
    claude = store.add_agent(
        "cmp", "claude", "anthropic-work", "claude-sonnet-4", system_prompt="Answer briefly."
    )
    llama = store.add_agent("cmp", "llama", "ollama-home", "llama3.2", reasoning_effort="high")
    for agent in (claude, llama):
        store.add_message(
            agent.id,
            "user",
            "What is the capital of France?",
            model_id=agent.model_id,
            instance_id=agent.instance_id,
            turn_id="t-1",
        )
    first = store.add_message(
        claude.id,
        "assistant",
        "",
        status="streaming",
        model_id="claude-sonnet-4",
        instance_id="anthropic-work",
        turn_id="t-1",
    )
    store.update_message(
        first.id,
        content="Paris.",
        reasoning="The user asks about France.",
        status="complete",
        input_tokens=1200,
        output_tokens=34,
        cost_usd=0.00411,
        ttft_ms=420,
        duration_ms=1850,
    )
    second = store.add_message(
        llama.id,
        "assistant",
        "",
        status="streaming",
        model_id="llama3.2",
        instance_id="ollama-home",
        turn_id="t-1",
    )
    store.update_message(
        second.id, content="The capital is Par", status="interrupted", input_tokens=900
    )
    store.add_message(
        claude.id,
        "user",
        "And of Italy?",
        model_id="claude-sonnet-4",
        instance_id="anthropic-work",
    )
    third = store.add_message(
        claude.id,
        "assistant",
        "",
        status="streaming",
        model_id="claude-sonnet-4",
        instance_id="anthropic-work",
    )
    store.update_message(third.id, status="error", error="provider overloaded: try again later")
    return store.session_detail("cmp")


def test_markdown_has_title_turns_and_agent_headings(store: SessionStore):
    markdown = export_markdown(_compare_session(store))
    assert markdown.startswith("# Capital cities\n")
    assert "`cmp`" in markdown
    assert "- **claude**: anthropic-work/claude-sonnet-4" in markdown
    assert "- **llama**: ollama-home/llama3.2, reasoning effort high" in markdown
    assert "Answer briefly." in markdown

    # The fan-out prompt appears once, followed by each agent's reply in order.
    assert markdown.count("What is the capital of France?") == 1
    positions = [
        markdown.index("## Turn 1"),
        markdown.index("What is the capital of France?"),
        markdown.index("### claude (anthropic-work/claude-sonnet-4)"),
        markdown.index("Paris."),
        markdown.index("### llama (ollama-home/llama3.2)"),
        markdown.index("The capital is Par"),
        markdown.index("## Turn 2"),
        markdown.index("And of Italy?"),
        markdown.index("## Totals"),
    ]
    assert positions == sorted(positions)


def test_markdown_folds_reasoning_and_shows_status_usage_and_cost(store: SessionStore):
    markdown = export_markdown(_compare_session(store))
    assert (
        "<details>\n<summary>Reasoning</summary>\n\nThe user asks about France.\n\n</details>"
        in markdown
    )
    assert "<details open" not in markdown
    assert "*complete · 1,200 in · 34 out · $0.00411 · first token 420 ms · took 1.9 s*" in (
        markdown
    )
    assert "*interrupted · 900 in · cost unknown*" in markdown
    assert "**Error:** provider overloaded: try again later" in markdown
    assert "*(no text)*" in markdown


def test_markdown_totals_mark_unknown_costs(store: SessionStore):
    markdown = export_markdown(_compare_session(store))
    # its failed reply may have been charged: nobody said
    assert "| claude | 4 | 1,200 | 34 | 0 | 0 | ≥ $0.00411 |" in markdown
    assert "| llama | 2 | 900 | 0 | 0 | 0 | unknown |" in markdown
    assert "| **Session** | 6 | 2,100 | 34 | 0 | 0 | ≥ $0.00411 |" in markdown
    assert "$0.00 " not in markdown  # unknown is never shown as zero


def test_markdown_heading_names_the_model_that_wrote_each_reply(store: SessionStore):
    store.create_session("sw")
    agent = store.add_agent("sw", "helper", "work", "old-model")
    store.add_message(agent.id, "user", "q1", model_id="old-model", instance_id="work")
    store.add_message(agent.id, "assistant", "a1", model_id="old-model", instance_id="work")
    store.update_agent(agent.id, instance_id="home", model_id="new-model")
    store.add_message(agent.id, "user", "q2", model_id="new-model", instance_id="home")
    store.add_message(agent.id, "assistant", "a2", model_id="new-model", instance_id="home")
    markdown = export_markdown(store.session_detail("sw"))
    assert "# Session sw" in markdown  # no title yet
    assert markdown.index("### helper (work/old-model)") < markdown.index("a1")
    assert markdown.index("a1") < markdown.index("### helper (home/new-model)")
    assert markdown.index("### helper (home/new-model)") < markdown.index("a2")
    assert "| **Session** | 4 | 0 | 0 | 0 | 0 | unknown |" in markdown


def test_json_export_is_complete_stable_and_round_trips(store: SessionStore):
    detail = _compare_session(store)
    text = export_json(detail)
    assert text == export_json(store.session_detail("cmp"))
    assert text.startswith('{\n  "format": "lace-tui-session",\n  "version": 1,')
    data = json.loads(text)
    assert data["session"]["title"] == "Capital cities"
    assert [(a["name"], a["instance_id"], a["model_id"]) for a in data["agents"]] == [
        ("claude", "anthropic-work", "claude-sonnet-4"),
        ("llama", "ollama-home", "llama3.2"),
    ]
    assert [m["status"] for m in data["messages"]] == [
        "complete",
        "complete",
        "complete",
        "interrupted",
        "complete",
        "error",
    ]
    reply = data["messages"][2]
    assert reply["content"] == "Paris."
    assert reply["reasoning"] == "The user asks about France."
    assert (reply["input_tokens"], reply["output_tokens"], reply["cost_usd"]) == (1200, 34, 0.00411)
    assert data["messages"][3]["cost_usd"] is None
    assert data["totals"]["cost_usd"] == 0.00411
    assert data["totals"]["cost_complete"] is False
    llama_id = data["agents"][1]["id"]
    assert data["agent_totals"][llama_id]["cost_usd"] is None
    assert (
        SessionDetail.model_validate(
            {k: v for k, v in data.items() if k not in {"format", "version"}}
        )
        == detail
    )


def test_exports_never_contain_secrets(store: SessionStore, tmp_path: Path):
    # The store has no place for keys or headers: the exports hold only the session's own text.
    detail = _compare_session(store)
    exported = export_markdown(detail) + export_json(detail)
    for word in ("api_key", "api-key", "authorization", "x-api-key", "bearer", "headers"):
        assert word not in exported.lower()
    with sqlite3.connect(tmp_path / "sessions.db") as conn:
        columns = [
            str(column[1]).lower()
            for table in ("sessions", "agents", "messages")
            for column in conn.execute(f"PRAGMA table_info({table})")
        ]
    assert "content" in columns
    assert not [c for c in columns if any(w in c for w in ("key", "header", "secret", "auth"))]
