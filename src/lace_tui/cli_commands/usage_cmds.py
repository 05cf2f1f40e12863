"""`lace-tui usage`: tokens and cost per day, instance, provider, model or session."""

from __future__ import annotations

import argparse

from lace_tui.cli_commands.output import note, print_json, print_table
from lace_tui.errors import BadInputError
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.services.usage_format import cost_cell
from lace_tui.services.usage_service import UsageGroup, UsageGrouping, parse_day
from lace_tui.textsafe import printable


def run(args: argparse.Namespace, paths: Paths) -> int:
    if args.command == "instance":
        return _price(args, paths)
    since = parse_day(args.since, "--since") if args.since else None
    until = parse_day(args.until, "--until") if args.until else None
    by: UsageGrouping = args.by
    services = Services(paths)
    try:
        report = services.usage.report(by, since, until)
    finally:
        services.close()
    if args.json:
        print_json(report)
        return 0
    headers = [by.upper(), "REPLIES", "IN", "OUT", "CACHED", "COST"]
    if by == "session":
        headers.insert(1, "TITLE")
    rows = [_row(group, by, group.key) for group in report.groups]
    rows.append(_row(report.total, by, "TOTAL"))
    print_table(headers, rows)
    return 0


def _row(group: UsageGroup, by: UsageGrouping, name: str) -> list[str]:
    row = [
        printable(name, one_line=True),
        f"{group.replies:,}",
        f"{group.input_tokens:,}",
        f"{group.output_tokens:,}",
        f"{group.cache_read_tokens + group.cache_write_tokens:,}",
        cost_cell(group),
    ]
    if by == "session":
        row.insert(1, printable(group.label, one_line=True)[:40])
    return row


def _price(args: argparse.Namespace, paths: Paths) -> int:
    from lace_tui.instances.prices import ModelPrice

    if args.clear:
        if args.input is not None or args.output is not None or args.cached_input is not None:
            raise BadInputError("--clear takes no prices")
        price = None
    elif args.input is None or args.output is None:
        raise BadInputError("instance price needs --input USD_PER_M and --output USD_PER_M")
    else:
        price = ModelPrice(input=args.input, output=args.output, cached_input=args.cached_input)
    services = Services(paths)
    services.instances.set_price(args.instance_id, args.model_id, price)
    if price is None:
        note(f"removed your price for '{args.model_id}' on instance '{args.instance_id}'")
    else:
        note(
            f"'{args.model_id}' on instance '{args.instance_id}' now costs"
            f" ${price.input:g} in / ${price.output:g} out per million tokens"
        )
    return 0
