"""`lace-tui catalog ...`: list, show, models, update, reset."""

from __future__ import annotations

import argparse

from lace_tui.catalog.loader import Catalog, load_catalog
from lace_tui.catalog.models import Model
from lace_tui.cli_commands.output import note, print_json, print_table, warn
from lace_tui.paths import Paths
from lace_tui.services.cost import format_price


def _load(paths: Paths) -> Catalog:
    catalog = load_catalog(paths)
    for issue in catalog.issues:
        warn(f"skipped {issue}")
    return catalog


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
    catalog = _load(paths)
    if args.action == "stats":
        return _stats(catalog, args.json)
    if args.action == "list":
        from lace_tui.catalog.query import summarize_providers

        summaries = summarize_providers(catalog)
        if args.json:
            print_json(summaries)
            return 0
        print_table(
            ["ID", "NAME", "TYPE", "MODELS", "INPUT $/1M", "OUTPUT $/1M", "SOURCE"],
            [
                [
                    s.id,
                    s.name,
                    s.type if s.can_chat else f"{s.type} (browse only)",
                    str(s.model_count),
                    _price_span(s.prices.min_in, s.prices.max_in),
                    _price_span(s.prices.min_out, s.prices.max_out),
                    s.source,
                ]
                for s in summaries
            ],
        )
        return 0
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
        print(f"{provider.display_name} ({provider.id})")
        browse_only = "" if provider.can_chat else " (browse only: no chat client yet)"
        print(f"  type:      {provider.type}{browse_only}")
        print(f"  endpoint:  {provider.api_endpoint or '(vendor default)'}")
        if provider.api_key_env:
            print(f"  key from:  ${provider.api_key_env}")
        print(f"  source:    {catalog.sources.get(provider.id, 'shipped')}")
        print(f"  models:    {len(provider.models)}")
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

    from lace_tui.catalog.update import fetch_update

    result = asyncio.run(fetch_update(paths, args.source))
    for line in result.report_lines():
        print(line)
    for skipped in result.skipped:
        warn(f"skipped {skipped}")
    return 0


def _reset(paths: Paths) -> int:
    from lace_tui.catalog.update import reset_update

    if reset_update(paths):
        note("catalog: back to the shipped data")
    else:
        note("catalog: already using the shipped data")
    return 0


def _stats(catalog: Catalog, as_json: bool) -> int:
    """Figures over the whole catalog, then one line per provider."""
    from lace_tui.catalog.stats import catalog_stats, context_text

    stats = catalog_stats(catalog.providers.values())
    if as_json:
        print_json(stats)
        return 0
    print(
        f"{stats.provider_count} providers, {stats.model_count:,} models"
        f" ({stats.priced_count:,} priced), {stats.reasoning_count:,} reason,"
        f" {stats.attachment_count:,} take attachments"
    )
    print(
        f"input $/1M {_price_span(stats.prices.min_in, stats.prices.max_in)},"
        f" output $/1M {_price_span(stats.prices.min_out, stats.prices.max_out)},"
        f" mean context {context_text(stats.mean_context_window)},"
        f" largest {context_text(stats.max_context_window)}"
    )
    print()
    print_table(
        ["ID", "MODELS", "REASON", "ATTACH", "MEAN CTX", "INPUT $/1M", "OUTPUT $/1M"],
        [
            [
                p.provider_id,
                str(p.model_count),
                str(p.reasoning_count),
                str(p.attachment_count),
                context_text(p.mean_context_window),
                _price_span(p.prices.min_in, p.prices.max_in),
                _price_span(p.prices.min_out, p.prices.max_out),
            ]
            for p in stats.providers
        ],
    )
    return 0
