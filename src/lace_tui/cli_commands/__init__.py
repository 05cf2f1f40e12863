"""The CLI's sub-commands, one module per noun; each imports only what it needs."""

from __future__ import annotations

import argparse

from lace_tui.paths import Paths


def dispatch(args: argparse.Namespace, paths: Paths) -> int:
    """Run the parsed sub-command; LaceErrors propagate to `cli.main`."""
    if args.command == "catalog":
        from lace_tui.cli_commands.catalog_cmds import run

        return run(args, paths)
    if args.command == "instance":
        from lace_tui.cli_commands.instance_cmds import run

        return run(args, paths)
    if args.command == "chat":
        from lace_tui.cli_commands.chat_cmds import run

        return run(args, paths)
    if args.command in ("models", "aliases"):
        from lace_tui.cli_commands.models_cmds import run

        return run(args, paths)
    from lace_tui.cli_commands.session_cmds import run

    return run(args, paths)
