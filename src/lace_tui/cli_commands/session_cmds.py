"""`lace-tui session ...`: list, show, add-agent, export."""

from __future__ import annotations

import argparse
import sys

from lace_tui.cli_commands.output import note, print_json, print_table, say, say_line
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.services.usage_text import total_cost_text
from lace_tui.sessions.export import export_json, export_markdown


def run(args: argparse.Namespace, paths: Paths) -> int:
    services = Services(paths)
    try:
        return _run(args, services)
    finally:
        services.close()


def _run(args: argparse.Namespace, services: Services) -> int:
    store = services.sessions
    if args.action == "list":
        sessions = store.list_sessions(include_archived=args.archived)
        rows = []
        for session in sessions:
            detail = store.session_detail(session.id)
            rows.append((session, detail))
        if args.json:
            print_json(
                [
                    {
                        **session.model_dump(mode="json"),
                        "agents": len(detail.agents),
                        "messages": len(detail.messages),
                        "totals": detail.totals.model_dump(mode="json"),
                    }
                    for session, detail in rows
                ]
            )
            return 0
        if not rows:
            note(
                "no sessions yet: start one with `lace-tui chat --instance ID --model MODEL PROMPT`"
            )
            return 0
        print_table(
            ["ID", "TITLE", "AGENTS", "MESSAGES", "COST", "UPDATED"],
            [
                [
                    s.id,
                    (s.title or "(untitled)") + (" [archived]" if s.archived else ""),
                    str(len(d.agents)),
                    str(len(d.messages)),
                    total_cost_text(d.totals),
                    s.updated_at,
                ]
                for s, d in rows
            ],
        )
        return 0
    if args.action == "show":
        detail = store.session_detail(args.session_id)
        if args.json:
            print_json(detail)
            return 0
        say(export_markdown(detail))
        return 0
    if args.action == "add-agent":
        agent = services.chat.add_agent(
            args.session_id,
            args.instance,
            args.model,
            name=args.name,
            system_prompt=args.system,
            reasoning_effort=args.reasoning_effort,
            create_session=True,
        )
        note(f"session: {agent.session_id}")
        say_line(f"added agent '{agent.name}' ({agent.instance_id}/{agent.model_id}) as {agent.id}")
        return 0
    detail = store.session_detail(args.session_id)
    if args.format == "md":
        say(export_markdown(detail))
    else:
        sys.stdout.write(export_json(detail))
    return 0
