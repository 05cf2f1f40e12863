"""`lace-tui catalog ...`: list, show, models, update, reset."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lace_tui.cli_commands.output import note, print_json, print_table, say_line, warn
from lace_tui.paths import Paths
from lace_tui.services.cost import format_price

if TYPE_CHECKING:  # `catalog list` on shipped data alone never needs pydantic: imported on use
    from lace_tui.catalog.briefs import ProviderBrief
    from lace_tui.catalog.loader import Catalog
    from lace_tui.catalog.models import Model


def _load(paths: Paths) -> Catalog:
    from lace_tui.catalog.loader import load_catalog

    catalog = load_catalog(paths)
    for issue in catalog.issues:
        warn(f"skipped {issue}")
    return catalog


def _list(briefs: Sequence[ProviderBrief], *, as_json: bool) -> None:
    if as_json:
        print_json([{**brief._asdict(), "prices": brief.prices._asdict()} for brief in briefs])
        return
    print_table(
        ["ID", "NAME", "TYPE", "MODELS", "INPUT $/1M", "OUTPUT $/1M", "SOURCE"],
        [
            [
                b.id,
                b.name,
                b.type if b.can_chat else f"{b.type} (browse only)",
                str(b.model_count),
                _price_span(b.prices.min_in, b.prices.max_in),
                _price_span(b.prices.min_out, b.prices.max_out),
                b.source,
            ]
            for b in briefs
        ],
    )


def _price_span(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "?"
    if low == high:
        return format_price(low)
    return f"{format_price(low)}-{format_price(high)}"


def run(args: argparse.Namespace, paths: Paths) -> int:
    if args.action == "update":
        return _update(args, paths)
    if args.action == "reset":
        return _reset(paths)
    if args.action == "list":
        from lace_tui.catalog.brief_cache import shipped_only_briefs
        from lace_tui.catalog.briefs import briefs_of

        # The shipped index has the same briefs a full load gives, when nothing else is read.
        briefs = shipped_only_briefs(paths) or briefs_of(_load(paths))
        _list(briefs, as_json=args.json)
        return 0
    catalog = _load(paths)
    if args.action == "show":
        provider = catalog.provider(args.provider_id)
        data = provider.model_dump(mode="json")
        # A user catalog may hold a literal key where Catwalk has `$VAR`: never print it.
        if data.get("api_key") and not str(data["api_key"]).startswith("$"):
            data["api_key"] = "***"
        if args.json:
            data["source"] = catalog.sources.get(provider.id, "shipped")
            print_json(data)
            return 0
        say_line(f"{provider.display_name} ({provider.id})")
        browse_only = "" if provider.can_chat else " (browse only: no chat client yet)"
        say_line(f"  type:      {provider.type}{browse_only}")
        say_line(f"  endpoint:  {provider.api_endpoint or '(vendor default)'}")
        if provider.api_key_env:
            say_line(f"  key from:  ${provider.api_key_env}")
        say_line(f"  source:    {catalog.sources.get(provider.id, 'shipped')}")
        say_line(f"  models:    {len(provider.models)}")
        print()
        _print_models([(provider.id, model) for model in provider.models], with_provider=False)
        return 0
    # models
    from lace_tui.catalog.query import ModelFilter, filter_models

    flt = ModelFilter(
        text=args.text,
        provider=args.provider,
        min_context=args.min_context,
        max_input_price=args.max_input_price,
        max_output_price=args.max_output_price,
        reasoning=args.reasoning,
        attachments=args.attachments,
    )
    rows = filter_models(catalog.rows(), flt, args.sort, args.desc)
    if args.json:
        print_json([{"provider": r.provider_id, **r.model.model_dump(mode="json")} for r in rows])
        return 0
    _print_models([(r.provider_id, r.model) for r in rows], with_provider=True)
    return 0


def _print_models(items: list[tuple[str, Model]], *, with_provider: bool) -> None:
    rows: list[list[str]] = []
    for provider_id, model in items:
        row = [
            model.id,
            format_price(model.cost_per_1m_in),
            format_price(model.cost_per_1m_out),
            f"{model.context_window:,}" if model.context_window else "?",
            f"{model.default_max_tokens:,}" if model.default_max_tokens else "?",
            ("reason " if model.can_reason else "")
            + ("attach" if model.supports_attachments else ""),
        ]
        rows.append([provider_id, *row] if with_provider else row)
    headers = ["MODEL", "IN $/1M", "OUT $/1M", "CONTEXT", "MAX OUT", "CAN"]
    print_table(["PROVIDER", *headers] if with_provider else headers, rows)


def _update(args: argparse.Namespace, paths: Paths) -> int:
    import asyncio

    from lace_tui.services.app_services import Services

    result = asyncio.run(Services(paths).catalog_service.update(args.source))
    for line in result.report_lines():
        say_line(line)
    for skipped in result.skipped:
        warn(f"skipped {skipped}")
    return 0


def _reset(paths: Paths) -> int:
    from lace_tui.services.app_services import Services

    if Services(paths).catalog_service.reset_update():
        note("catalog: back to the shipped data")
    else:
        note("catalog: already using the shipped data")
    return 0
