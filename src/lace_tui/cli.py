"""The headless command line: the DESIGN.md contract. Commands import only what they use,
so `catalog list` starts fast and nothing here imports Textual (the app is loaded on demand).

Every failure is one line on stderr starting with `error:`; exit 0 ok, 1 provider/network/file
at fault, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from lace_tui.errors import EXIT_BAD_INPUT, EXIT_FAILURE, LaceError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _common() -> _Parser:
    # Lets `--home` stand after the sub-command too; SUPPRESS keeps the top-level value.
    common = _Parser(add_help=False)
    common.add_argument(
        "--home", metavar="DIR", default=argparse.SUPPRESS, help="keep every file under DIR"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog="lace-tui",
        description="A terminal app for people who work with many LLM providers.",
    )
    parser.add_argument(
        "--home", metavar="DIR", default=None, help="keep every file under DIR (or set LACE_DIR)"
    )
    parser.add_argument(
        "--session", metavar="SESSION_ID", help="open the app in that session's chat"
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    catalog = commands.add_parser(
        "catalog", help="browse and update the provider catalog", parents=[common]
    )
    catalog_cmds = catalog.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = catalog_cmds.add_parser("list", help="list providers", parents=[common])
    p.add_argument("--json", action="store_true")
    p = catalog_cmds.add_parser("show", help="show one provider and its models", parents=[common])
    p.add_argument("provider_id", metavar="PROVIDER_ID")
    p.add_argument("--json", action="store_true")
    p = catalog_cmds.add_parser(
        "models", help="filter models across all providers", parents=[common]
    )
    p.add_argument("text", nargs="?", default="", metavar="TEXT")
    p.add_argument("--provider")
    p.add_argument("--min-context", type=int, default=0)
    p.add_argument("--max-input-price", type=float)
    p.add_argument("--max-output-price", type=float)
    p.add_argument("--reasoning", action="store_true")
    p.add_argument("--attachments", action="store_true")
    p.add_argument(
        "--sort",
        default="name",
        choices=["name", "provider", "input_price", "output_price", "context", "max_output"],
    )
    p.add_argument("--desc", action="store_true")
    p.add_argument("--json", action="store_true")
    p = catalog_cmds.add_parser(
        "update", help="fetch Catwalk's provider data and use it", parents=[common]
    )
    p.add_argument("--from", dest="source", metavar="URL|FILE")
    catalog_cmds.add_parser("reset", help="go back to the shipped catalog data", parents=[common])

    instance = commands.add_parser(
        "instance", help="configure connections to providers", parents=[common]
    )
    inst_cmds = instance.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    for name in ("add", "edit"):
        p = inst_cmds.add_parser(name, help=f"{name} an instance", parents=[common])
        p.add_argument("instance_id", metavar="ID")
        if name == "add":
            p.add_argument("--provider", required=True, metavar="PROVIDER_ID")
        p.add_argument("--name")
        p.add_argument("--endpoint", metavar="URL")
        p.add_argument("--timeout", type=float, metavar="SECONDS")
        p.add_argument(
            "--header", action="append", metavar="NAME=VALUE", help="extra HTTP header (repeatable)"
        )
        p.add_argument("--api-version", metavar="VERSION", help="Azure API version")
        p.add_argument(
            "--max-attempts", type=int, metavar="N", help="attempts before giving up (retry policy)"
        )
        # Cloud settings ('' clears one with `edit`).
        p.add_argument("--region", metavar="R", help="AWS region (bedrock)")
        p.add_argument("--aws-profile", metavar="NAME", help="AWS profile (bedrock)")
        p.add_argument("--project", metavar="P", help="Google Cloud project (vertexai)")
        p.add_argument("--location", metavar="L", help="Google Cloud location (vertexai)")
        keys = p.add_mutually_exclusive_group()
        keys.add_argument(
            "--api-key-stdin", action="store_true", help="read the API key from stdin"
        )
        keys.add_argument("--api-key-env", metavar="VAR", help="read the API key from $VAR at use")
        if name == "edit":
            keys.add_argument(
                "--no-key", action="store_true", help="remove the key (local servers)"
            )
    p = inst_cmds.add_parser(
        "login", help="sign in with GitHub's device flow (Copilot)", parents=[common]
    )
    p.add_argument("instance_id", metavar="ID")
    p = inst_cmds.add_parser("list", help="list instances", parents=[common])
    p.add_argument("--json", action="store_true")
    p = inst_cmds.add_parser("remove", help="delete an instance and its key", parents=[common])
    p.add_argument("instance_id", metavar="ID")
    p = inst_cmds.add_parser(
        "test", help="check that the provider answers and accepts the key", parents=[common]
    )
    p.add_argument("instance_id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p = inst_cmds.add_parser("models", help="models this instance offers", parents=[common])
    p.add_argument("instance_id", metavar="ID")
    p.add_argument("--refresh", action="store_true", help="ask the server for its model list")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("chat", help="send a prompt and stream the reply", parents=[common])
    p.add_argument("prompt", metavar="PROMPT|-", help="the prompt, or - to read it from stdin")
    p.add_argument("--instance", metavar="ID")
    p.add_argument("--model", metavar="MODEL_ID")
    p.add_argument("--session", metavar="SESSION_ID", dest="chat_session")
    p.add_argument("--all", action="store_true", help="send to every agent of the session at once")
    p.add_argument("--system", metavar="TEXT", help="system prompt for a new agent")
    p.add_argument(
        "--drop-oldest",
        action="store_true",
        help="drop the oldest turns if the history no longer fits",
    )

    session = commands.add_parser("session", help="conversations", parents=[common])
    sess_cmds = session.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = sess_cmds.add_parser("list", help="list sessions", parents=[common])
    p.add_argument("--json", action="store_true")
    p.add_argument("--archived", action="store_true", help="include archived sessions")
    p = sess_cmds.add_parser("show", help="show a session with its messages", parents=[common])
    p.add_argument("session_id", metavar="SESSION_ID")
    p.add_argument("--json", action="store_true")
    p = sess_cmds.add_parser(
        "add-agent", help="add an agent on (instance, model)", parents=[common]
    )
    p.add_argument("session_id", metavar="SESSION_ID")
    p.add_argument("--instance", required=True, metavar="ID")
    p.add_argument("--model", required=True, metavar="MODEL_ID")
    p.add_argument("--name")
    p.add_argument("--system", metavar="TEXT")
    p.add_argument("--reasoning-effort", metavar="LEVEL", help="e.g. low, medium, high")
    p = sess_cmds.add_parser("export", help="write a session as Markdown or JSON", parents=[common])
    p.add_argument("session_id", metavar="SESSION_ID")
    p.add_argument("--format", required=True, choices=["md", "json"])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.version:
        from lace_tui import __version__

        print(f"lace-tui {__version__}")
        return 0
    try:
        from lace_tui.paths import resolve_paths

        paths = resolve_paths(args.home)
        if args.command is None:
            from lace_tui.tui.app import run_app

            return run_app(paths, args.session)
        from lace_tui.cli_commands import dispatch

        return dispatch(args, paths)
    except LaceError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_FAILURE
    except OSError as exc:
        sys.stderr.write(f"error: {exc.strerror or exc}: {exc.filename or ''}\n")
        return EXIT_FAILURE
