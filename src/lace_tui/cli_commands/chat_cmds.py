"""`lace-tui chat`: stream a reply to stdout as it arrives; fan out with `--all`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator

from lace_tui.cli_commands.instance_cmds import announce_imports
from lace_tui.cli_commands.output import note, warn
from lace_tui.errors import EXIT_FAILURE, BadInputError
from lace_tui.paths import Paths
from lace_tui.providers.events import ReasoningDelta, TextDelta
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ChatEvent, ReplyDone
from lace_tui.services.usage_text import cost_text, token_text
from lace_tui.sessions.models import Agent, Message
from lace_tui.textsafe import printable


def _prompt(value: str | None) -> str:
    if value is None:
        raise BadInputError("chat needs a PROMPT (or - to read it from stdin)")
    text = sys.stdin.read() if value == "-" else value
    if not text.strip():
        raise BadInputError("the prompt is empty")
    return text


def run(args: argparse.Namespace, paths: Paths) -> int:
    if args.retry:
        return _run_retry(args, paths)
    if args.all and (args.instance or args.model):
        raise BadInputError("--all sends to the session's agents: leave out --instance/--model")
    if args.all and not args.chat_session:
        raise BadInputError("--all needs --session SESSION_ID")
    if not args.all and not (args.instance and args.model):
        raise BadInputError("chat needs --instance ID --model MODEL_ID (or --session ID --all)")
    prompt = _prompt(args.prompt)
    services = Services(paths)
    for issue in services.catalog.issues:
        warn(f"skipped {issue}")
    announce_imports(services)
    try:
        if args.all:
            session = services.sessions.get_session(args.chat_session)
            note(f"session: {session.id}")
            return asyncio.run(_fan_out(services, session.id, prompt, args.drop_oldest))
        agent = services.chat.agent_for(args.chat_session, args.instance, args.model)
        note(f"session: {agent.session_id}")
        if args.system and not agent.system_prompt:
            agent = services.sessions.set_system_prompt(agent.id, args.system)
        return asyncio.run(
            _single(services.chat.send(agent.id, prompt, drop_oldest=args.drop_oldest))
        )
    finally:
        services.close()


def _run_retry(args: argparse.Namespace, paths: Paths) -> int:
    """`chat --session ID --retry`: send that agent's last failed prompt again."""
    if args.all or args.prompt is not None:
        raise BadInputError("--retry sends one agent's failed prompt again: leave out --all/PROMPT")
    if not args.chat_session:
        raise BadInputError("--retry needs --session SESSION_ID")
    services = Services(paths)
    try:
        agent = _agent_to_retry(services, args)
        note(f"session: {agent.session_id}")
        return asyncio.run(_single(services.chat.retry(agent.id)))
    finally:
        services.close()


def _agent_to_retry(services: Services, args: argparse.Namespace) -> Agent:
    """The agent on --instance/--model, else the session's one agent with a failed prompt."""
    session = services.sessions.get_session(args.chat_session)
    agents = services.sessions.list_agents(session.id)
    if args.instance or args.model:
        for agent in agents:
            if agent.instance_id == args.instance and agent.model_id == args.model:
                return agent
        raise BadInputError(
            f"session '{session.id}' has no agent on {args.instance}/{args.model}: "
            f"see `lace-tui session show {session.id}`"
        )
    failed = [agent for agent in agents if services.chat.failed_prompt(agent.id) is not None]
    if not failed:
        raise BadInputError(f"session '{session.id}' has no failed prompt to retry")
    if len(failed) > 1:
        names = ", ".join(f"{a.instance_id}/{a.model_id}" for a in failed)
        raise BadInputError(
            f"several agents have a failed prompt ({names}): choose one with --instance/--model"
        )
    return failed[0]


async def _single(events: AsyncIterator[ChatEvent]) -> int:
    out = sys.stdout
    in_reasoning = False
    final: ReplyDone | None = None
    async for event in events:
        if isinstance(event, ReasoningDelta):
            # Reasoning goes to stderr, so stdout holds exactly the reply.
            sys.stderr.write(printable(event.text))
            sys.stderr.flush()
            in_reasoning = True
        elif isinstance(event, TextDelta):
            if in_reasoning:
                sys.stderr.write("\n")
                in_reasoning = False
            out.write(printable(event.text))
            out.flush()
        elif isinstance(event, ReplyDone):
            final = event
    if final is None:
        return EXIT_FAILURE
    message = final.message
    if message.content and not message.content.endswith("\n"):
        out.write("\n")
        out.flush()
    for line in message.notes:
        note(f"note: {line}")
    note(_usage_line(message, final.tokens_per_second))
    if message.status == "error":
        sys.stderr.write(f"error: {printable(message.error or '', one_line=True)}\n")
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
        head = f"{agent.name} ({message.instance_id}/{message.model_id})"
        out.write(f"== {printable(head, one_line=True)} ==\n")
        if message.content:
            out.write(printable(message.content.rstrip("\n")) + "\n")
        for line in message.notes:
            out.write(printable(f"[note: {line}]") + "\n")
        if message.status == "error":
            failed = True
            out.write(f"[error: {printable(message.error or '', one_line=True)}]\n")
        usage = _usage_line(message, item.event.tokens_per_second)
        out.write(f"[{printable(usage, one_line=True)}]\n\n")
        out.flush()
    return EXIT_FAILURE if failed else 0


def _usage_line(message: Message, tokens_per_second: float | None) -> str:
    cost = cost_text(message)
    parts = [
        f"{message.instance_id}/{message.model_id}",
        token_text(message),
        cost if message.cost_usd is None else f"cost {cost}",
    ]
    if message.ttft_ms is not None:
        parts.append(f"first token {message.ttft_ms / 1000:.2f}s")
    if tokens_per_second is not None:
        parts.append(f"{tokens_per_second:.0f} tok/s")
    if message.status != "complete":
        parts.append(message.status)
    return " · ".join(parts)
