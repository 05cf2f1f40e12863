"""`lace-tui chat`: stream a reply to stdout as it arrives; fan out with `--all`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from lace_tui.cli_commands.instance_cmds import announce_imports
from lace_tui.cli_commands.output import note, warn
from lace_tui.errors import EXIT_FAILURE, BadInputError
from lace_tui.paths import Paths
from lace_tui.providers.events import ReasoningDelta, TextDelta
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ReplyDone
from lace_tui.services.chat_target import chat_agent
from lace_tui.services.cost import format_cost
from lace_tui.sessions.models import Agent, Message
from lace_tui.textsafe import printable


def _prompt(value: str) -> str:
    text = sys.stdin.read() if value == "-" else value
    if not text.strip():
        raise BadInputError("the prompt is empty")
    return text


def run(args: argparse.Namespace, paths: Paths) -> int:
    if args.all and (args.instance or args.model):
        raise BadInputError("--all sends to the session's agents: leave out --instance/--model")
    if args.all and not args.chat_session:
        raise BadInputError("--all needs --session SESSION_ID")
    if args.instance and not args.model:
        raise BadInputError("--instance needs --model MODEL_ID (or give -m INSTANCE/MODEL)")
    prompt = _prompt(args.prompt)
    services = Services(paths)
    if not (args.all or args.instance or args.model or args.chat_session):
        services.prefs.resolve_default()  # refused before anything is written
    for issue in services.catalog.issues:
        warn(f"skipped {issue}")
    announce_imports(services)
    try:
        if args.all:
            session = services.sessions.get_session(args.chat_session)
            note(f"session: {session.id}")
            return asyncio.run(_fan_out(services, session.id, prompt, args.drop_oldest))
        if args.instance:
            agent = services.chat.agent_for(args.chat_session, args.instance, args.model)
        else:  # #15: an alias, INSTANCE/MODEL, the session's agent or the default model
            agent = chat_agent(services.chat, services.prefs, args.chat_session, args.model)
        note(f"session: {agent.session_id}")
        if args.system and not agent.system_prompt:
            agent = services.sessions.update_agent(agent.id, system_prompt=args.system)
        return asyncio.run(_single(services, agent, prompt, args.drop_oldest))
    finally:
        services.close()


async def _single(services: Services, agent: Agent, prompt: str, drop_oldest: bool) -> int:
    out = sys.stdout
    in_reasoning = False
    final: ReplyDone | None = None
    async for event in services.chat.send(agent.id, prompt, drop_oldest=drop_oldest):
        if isinstance(event, ReasoningDelta):
            # Reasoning goes to stderr, so stdout holds exactly the reply.
            sys.stderr.write(event.text)
            sys.stderr.flush()
            in_reasoning = True
        elif isinstance(event, TextDelta):
            if in_reasoning:
                sys.stderr.write("\n")
                in_reasoning = False
            out.write(event.text)
            out.flush()
        elif isinstance(event, ReplyDone):
            final = event
    if final is None:
        return EXIT_FAILURE
    message = final.message
    if message.content and not message.content.endswith("\n"):
        out.write("\n")
        out.flush()
    note(_usage_line(message, final.tokens_per_second))
    for failure in (message.failed_over or "").splitlines():
        failed = printable(failure.partition(": ")[2] or failure)
        warn(f"{failed} (answered by {message.instance_id})")
    if message.status == "error":
        sys.stderr.write(f"error: {message.error}\n")
        return EXIT_FAILURE
    return 0


async def _fan_out(services: Services, session_id: str, prompt: str, drop_oldest: bool) -> int:
    agents = {agent.id: agent for agent in services.sessions.list_agents(session_id)}
    failed = False
    async for item in services.chat.fan_out(session_id, prompt, drop_oldest=drop_oldest):
        if not isinstance(item.event, ReplyDone):
            continue
        agent = agents[item.agent_id]
        message = item.event.message
        out = sys.stdout
        out.write(f"== {agent.name} ({message.instance_id}/{message.model_id}) ==\n")
        if message.content:
            out.write(message.content.rstrip("\n") + "\n")
        for failure in (message.failed_over or "").splitlines():
            out.write(f"[failed: {printable(failure)}]\n")
        if message.status == "error":
            failed = True
            out.write(f"[error: {message.error}]\n")
        out.write(f"[{_usage_line(message, item.event.tokens_per_second)}]\n\n")
        out.flush()
    return EXIT_FAILURE if failed else 0


def _usage_line(message: Message, tokens_per_second: float | None) -> str:
    parts = [f"{message.instance_id}/{message.model_id}"]
    if message.input_tokens is not None or message.output_tokens is not None:
        parts.append(f"{message.input_tokens or 0} in / {message.output_tokens or 0} out tokens")
    parts.append(f"cost {format_cost(message.cost_usd)}")
    if message.ttft_ms is not None:
        parts.append(f"first token {message.ttft_ms / 1000:.2f}s")
    if tokens_per_second is not None:
        parts.append(f"{tokens_per_second:.0f} tok/s")
    if message.status != "complete":
        parts.append(message.status)
    return " · ".join(parts)
