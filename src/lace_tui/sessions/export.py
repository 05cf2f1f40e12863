"""A whole session as Markdown (to read) or JSON (to process). Nothing secret is ever stored,
so nothing secret can be exported: no keys, no headers, only what the session holds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lace_tui.sessions.models import Agent, Message, SessionDetail, UsageTotals

EXPORT_FORMAT = "lace-tui-session"
EXPORT_VERSION = 1


def export_json(detail: SessionDetail) -> str:
    """The session as indented JSON: `format`, `version`, then SessionDetail's fields.

    Key order follows the models, so the same session always exports to the same text.
    """
    payload: dict[str, object] = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION}
    payload.update(detail.model_dump(mode="json"))
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def export_markdown(detail: SessionDetail) -> str:
    """The session as Markdown: a header, the agents, each turn's prompt followed by every
    agent's reply under `### name (instance/model)`, reasoning folded away, then totals."""
    session = detail.session
    agents = {agent.id: agent for agent in detail.agents}
    lines: list[str] = [f"# {session.title or f'Session {session.id}'}", ""]
    lines.append(f"- Session: `{session.id}`")
    lines.append(f"- Created: {session.created_at}")
    lines.append(f"- Updated: {session.updated_at}")
    if session.archived:
        lines.append("- Archived: yes")
    lines.append("")

    if detail.agents:
        lines += ["## Agents", ""]
        for agent in detail.agents:
            lines += _agent_lines(agent)
        lines.append("")

    for number, turn in enumerate(_turns(detail.messages), start=1):
        lines += [f"## Turn {number}", ""]
        lines += _prompt_lines(turn.prompts, agents)
        for reply in turn.replies:
            lines += _reply_lines(reply, agents.get(reply.agent_id))

    lines += _totals_lines(detail)
    return "\n".join(lines).rstrip("\n") + "\n"


@dataclass
class _Turn:
    prompts: list[Message] = field(default_factory=list)
    replies: list[Message] = field(default_factory=list)


def _turns(messages: list[Message]) -> list[_Turn]:
    """Group messages into turns: one fan-out shares a turn id; otherwise a user message
    starts a turn and that agent's replies after it belong to it."""
    turns: dict[str, _Turn] = {}
    current_of_agent: dict[str, str] = {}
    for message in messages:
        if message.turn_id is not None:
            key = f"turn:{message.turn_id}"
        elif message.role == "user" or message.agent_id not in current_of_agent:
            key = f"message:{message.id}"
        else:
            key = current_of_agent[message.agent_id]
        current_of_agent[message.agent_id] = key
        turn = turns.setdefault(key, _Turn())
        (turn.prompts if message.role == "user" else turn.replies).append(message)
    return list(turns.values())


def _agent_lines(agent: Agent) -> list[str]:
    line = f"- **{agent.name}**: {agent.instance_id}/{agent.model_id}"
    if agent.reasoning_effort:
        line += f", reasoning effort {agent.reasoning_effort}"
    lines = [line]
    if agent.system_prompt:
        lines += [
            "",
            "  <details>",
            "  <summary>System prompt</summary>",
            "",
            *(f"  {text}" if text else "" for text in agent.system_prompt.splitlines()),
            "",
            "  </details>",
            "",
        ]
    return lines


def _prompt_lines(prompts: list[Message], agents: dict[str, Agent]) -> list[str]:
    """The prompt once when every agent got the same one, else each with its agent's name."""
    distinct = {prompt.content for prompt in prompts}
    if len(distinct) == 1:
        return ["**User**", "", prompts[0].content, ""]
    lines: list[str] = []
    for prompt in prompts:
        agent = agents.get(prompt.agent_id)
        to = agent.name if agent is not None else prompt.agent_id
        lines += [f"**User → {to}**", "", prompt.content, ""]
    return lines


def _reply_lines(reply: Message, agent: Agent | None) -> list[str]:
    name = agent.name if agent is not None else reply.agent_id
    # The pair that wrote this reply, which may differ from the agent's current one.
    lines = [f"### {name} ({reply.instance_id}/{reply.model_id})", ""]
    if reply.reasoning:
        lines += [
            "<details>",
            "<summary>Reasoning</summary>",
            "",
            reply.reasoning,
            "",
            "</details>",
            "",
        ]
    lines += [reply.content if reply.content else "*(no text)*", ""]
    if reply.status == "error":
        lines += [f"**Error:** {reply.error or 'unknown error'}", ""]
    for failure in (reply.failed_over or "").splitlines():  # #15: fallback
        lines += [f"**Failed first:** {failure}", ""]
    lines += [f"*{_reply_facts(reply)}*", ""]
    return lines


def _reply_facts(reply: Message) -> str:
    facts: list[str] = [reply.status]
    for label, count in (
        ("in", reply.input_tokens),
        ("out", reply.output_tokens),
        ("cache read", reply.cache_read_tokens),
        ("cache write", reply.cache_write_tokens),
        ("reasoning", reply.reasoning_tokens),
    ):
        if count is not None:
            facts.append(f"{count:,} {label}")
    facts.append("cost unknown" if reply.cost_usd is None else _money(reply.cost_usd))
    if reply.ttft_ms is not None:
        facts.append(f"first token {_duration(reply.ttft_ms)}")
    if reply.duration_ms is not None:
        facts.append(f"took {_duration(reply.duration_ms)}")
    return " · ".join(facts)


def _totals_lines(detail: SessionDetail) -> list[str]:
    lines = [
        "## Totals",
        "",
        "| Agent | Messages | Input | Output | Cache read | Cache write | Cost |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for agent in detail.agents:
        totals = detail.agent_totals.get(agent.id, UsageTotals())
        lines.append(_totals_row(_cell(agent.name), totals))
    lines.append(_totals_row("**Session**", detail.totals))
    if not detail.totals.cost_complete:
        lines += ["", "≥ marks a cost that leaves out replies whose price is unknown."]
    return lines


def _totals_row(label: str, totals: UsageTotals) -> str:
    if totals.cost_usd is None:
        cost = "unknown"
    else:
        cost = ("" if totals.cost_complete else "≥ ") + _money(totals.cost_usd)
    cells = [
        label,
        f"{totals.messages:,}",
        f"{totals.input_tokens:,}",
        f"{totals.output_tokens:,}",
        f"{totals.cache_read_tokens:,}",
        f"{totals.cache_write_tokens:,}",
        cost,
    ]
    return "| " + " | ".join(cells) + " |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _money(amount: float) -> str:
    """Dollars with at least 2 and at most 6 decimals: $1.50, $0.0123, $0.000012."""
    whole, _, decimals = f"{amount:.6f}".partition(".")
    return f"${whole}.{decimals.rstrip('0').ljust(2, '0')}"


def _duration(millis: int) -> str:
    return f"{millis} ms" if millis < 1000 else f"{millis / 1000:.1f} s"
