"""`lace-tui models default|pin|unpin` and `lace-tui aliases set|list|remove` (#15)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TypeVar

from lace_tui.paths import Paths

if TYPE_CHECKING:
    from lace_tui.services.app_services import Services

REF = "INSTANCE/MODEL"
P = TypeVar("P", bound=argparse.ArgumentParser)


def add_parsers(commands: argparse._SubParsersAction[P], common: P, parser_class: type[P]) -> None:
    """The `models` and `aliases` sub-commands, added to the CLI's parser."""
    models = commands.add_parser(
        "models", help="the default model and pinned models", parents=[common]
    )
    actions = models.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=parser_class
    )
    p = actions.add_parser("default", help="print the default model, or set it", parents=[common])
    p.add_argument("ref", nargs="?", metavar=f"ALIAS|{REF}")
    for name, text in (("pin", "list a model first in the picker"), ("unpin", "stop pinning")):
        p = actions.add_parser(name, help=text, parents=[common])
        p.add_argument("ref", metavar=REF)

    aliases = commands.add_parser("aliases", help="short names for models", parents=[common])
    actions = aliases.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=parser_class
    )
    p = actions.add_parser("set", help="name a model (chat -m NAME)", parents=[common])
    p.add_argument("name", metavar="NAME")
    p.add_argument("ref", metavar=REF)
    p = actions.add_parser("list", help="list aliases and what they point at", parents=[common])
    p.add_argument("--json", action="store_true")
    p = actions.add_parser("remove", help="delete an alias", parents=[common])
    p.add_argument("name", metavar="NAME")


def run(args: argparse.Namespace, paths: Paths) -> int:
    from lace_tui.services.app_services import Services

    services = Services(paths)
    try:
        if args.command == "models":
            return _models(args, services)
        return _aliases(args, services)
    finally:
        services.close()


def _models(args: argparse.Namespace, services: Services) -> int:
    from lace_tui.cli_commands.output import note, warn
    from lace_tui.textsafe import printable

    prefs = services.prefs
    if args.action == "default":
        if args.ref is None:
            ref = prefs.default()
            if ref is None:
                note("no default model: `lace-tui models default INSTANCE/MODEL` sets one")
                return 0
            print(printable(str(ref)))
            problem = prefs.problem(ref)
            if problem is not None:
                warn(printable(f"the default model cannot be used: {problem}"))
            return 0
        note(printable(f"default model: {prefs.set_default(args.ref)}"))
    elif args.action == "pin":
        note(printable(f"pinned {prefs.pin(args.ref)}"))
    else:
        note(printable(f"unpinned {prefs.unpin(args.ref)}"))
    return 0


def _aliases(args: argparse.Namespace, services: Services) -> int:
    from lace_tui.cli_commands.output import note, print_json, print_table, warn
    from lace_tui.textsafe import printable

    prefs = services.prefs
    if args.action == "set":
        note(printable(f"alias '{args.name}' → {prefs.set_alias(args.name, args.ref)}"))
        return 0
    if args.action == "remove":
        prefs.remove_alias(args.name)
        note(f"removed alias '{args.name}'")
        return 0
    views = prefs.aliases()
    if args.json:
        print_json(
            [
                {
                    "name": v.name,
                    "instance_id": v.ref.instance_id,
                    "model_id": v.ref.model_id,
                    "ok": v.problem is None,
                    "problem": v.problem,
                }
                for v in views
            ]
        )
    elif not views:
        note("no aliases yet: `lace-tui aliases set NAME INSTANCE/MODEL` adds one")
    else:
        print_table(
            ["ALIAS", "MODEL", "STATUS"],
            [[v.name, printable(str(v.ref)), "ok" if v.problem is None else "gone"] for v in views],
        )
    for view in views:
        if view.problem is not None:
            warn(printable(f"alias '{view.name}' ({view.ref}) cannot be used: {view.problem}"))
    return 0
