"""`lace-tui session ...`: list, show, add-agent, export."""

from __future__ import annotations

import argparse
import sys

from lace_tui.cli_commands.output import note, print_json, print_table
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.services.cost import format_cost
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
                    format_cost(d.totals.cost_usd),
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
        sys.stdout.write(export_markdown(detail))
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
        print(f"added agent '{agent.name}' ({agent.instance_id}/{agent.model_id}) as {agent.id}")
        return 0
    if args.action == "search":
        return _search(args, services)
    detail = store.session_detail(args.session_id)
    files = store.session_attachments(args.session_id)
    text = export_markdown(detail, files) if args.format == "md" else export_json(detail, files)
    sys.stdout.write(text)
    return 0


def _search(args: argparse.Namespace, services: Services) -> int:
    from lace_tui.services.search_service import search_sessions
    from lace_tui.textsafe import printable

    hits = search_sessions(services.sessions, args.text, args.limit)
    if args.json:
        print_json(hits)
        return 0
    if not hits:
        note(f"no prompt or reply contains {' '.join(args.text.split())!r}")
        return 0
    print_table(
        ["SESSION", "AGENT", "MESSAGE", "SNIPPET"],
        [
            [
                printable(hit.session_id),
                printable(hit.agent_name, one_line=True),
                str(hit.message_id),
                printable(hit.snippet, one_line=True),
            ]
            for hit in hits
        ],
    )
    return 0
