"""`lace-tui instance ...`: add, edit, list, remove, test, models."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from lace_tui.cli_commands.output import note, print_json, print_table, redact_headers, warn
from lace_tui.errors import EXIT_FAILURE, BadInputError
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.services.cost import format_price
from lace_tui.services.instance_service import validate_instance


def _services(paths: Paths) -> Services:
    services = Services(paths)
    for issue in services.catalog.issues:
        warn(f"skipped {issue}")
    for fixed in services.instances.credentials.ensure_private():
        warn(fixed)
    return services


def announce_imports(services: Services) -> None:
    """First run: instances made from key variables already set; say which."""
    for instance in services.instances.import_from_environment():
        note(f"imported instance '{instance.id}' (key from ${instance.api_key_env})")


def _read_key() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("API key: ")
    return sys.stdin.read()


def _headers(values: list[str] | None) -> dict[str, str] | None:
    if values is None:
        return None
    headers: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BadInputError(f"--header wants NAME=VALUE, got {item.split('=')[0]!r}")
        headers[name.strip()] = value.strip()
    return headers


def run(args: argparse.Namespace, paths: Paths) -> int:
    services = _services(paths)
    action = args.action
    if action in ("add", "edit"):
        return _add_or_edit(args, services)
    if action == "list":
        announce_imports(services)
        return _list(args, services)
    if action == "remove":
        services.instances.remove(args.instance_id)
        note(f"removed instance '{args.instance_id}'")
        return 0
    if action == "test":
        return _test(args, services)
    if action == "login":
        from lace_tui.cli_commands.login_cmd import login

        return login(args.instance_id, services)
    return _models(args, services)


def _add_or_edit(args: argparse.Namespace, services: Services) -> int:
    api_key = _read_key() if args.api_key_stdin else None
    headers = _headers(args.header)
    if args.action == "add":
        data: dict[str, object] = {
            "id": args.instance_id,
            "provider": args.provider,
            "name": args.name or "",
            "endpoint": args.endpoint,
            "headers": headers or {},
            "api_key_env": args.api_key_env,
            "api_version": args.api_version,
            **{k: v or None for k, v in _cloud(args).items()},
        }
        if args.timeout is not None:
            data["timeout"] = args.timeout
        if args.max_attempts is not None:
            data["retry"] = {"max_attempts": args.max_attempts}
        instance = validate_instance(data)
        warnings = services.instances.add(instance, api_key)
        note(f"added instance '{instance.id}' ({instance.provider})")
    else:
        warnings = services.instances.edit(
            args.instance_id,
            name=args.name,
            endpoint=args.endpoint,
            timeout=args.timeout,
            api_key=api_key,
            api_key_env=args.api_key_env,
            headers=headers,
            api_version=args.api_version,
            clear_key=args.no_key,
            max_attempts=args.max_attempts,
            cloud=_cloud(args),
        )
        note(f"updated instance '{args.instance_id}'")
    for warning in warnings:
        warn(warning)
    return 0


def _cloud(args: argparse.Namespace) -> dict[str, str]:
    """The cloud settings given on the command line (bedrock, vertexai)."""
    given = {
        "region": args.region,
        "aws_profile": args.aws_profile,
        "project": args.project,
        "location": args.location,
    }
    return {key: value.strip() for key, value in given.items() if value is not None}


def _list(args: argparse.Namespace, services: Services) -> int:
    views = services.instances.views()
    if args.json:
        print_json(
            [
                {
                    "id": v.instance.id,
                    "name": v.instance.display_name,
                    "provider": v.instance.provider,
                    "provider_type": v.provider_type,
                    "endpoint": v.endpoint,
                    "endpoint_is_default": v.endpoint_is_default,
                    "timeout": v.instance.timeout,
                    "retry": v.instance.retry.model_dump(),
                    "headers": redact_headers(v.instance.headers),
                    "key": v.key.model_dump(),
                    "status": v.status.model_dump() if v.status else None,
                    "model_count": v.model_count,
                    "can_chat": v.can_chat,
                    "settings": v.instance.cloud_settings,
                }
                for v in views
            ]
        )
        return 0
    if not views:
        note("no instances yet: add one with `lace-tui instance add ID --provider PROVIDER_ID`")
        return 0
    rows = []
    for v in views:
        if v.key.source == "stored":
            key = v.key.masked or "stored"
        elif v.key.source == "env":
            key = f"${v.key.env_var}" + ("" if v.key.available else " (unset)")
        else:
            key = "none"
        status = "untested"
        if v.status is not None:
            status = v.status.state
            if v.status.latency_ms is not None and v.status.state == "connected":
                status += f" {v.status.latency_ms:.0f}ms"
        rows.append(
            [
                v.instance.id,
                v.instance.display_name,
                v.instance.provider,
                v.endpoint + (" (default)" if v.endpoint_is_default and v.endpoint else ""),
                key,
                str(v.model_count),
                status,
            ]
        )
    print_table(["ID", "NAME", "PROVIDER", "ENDPOINT", "KEY", "MODELS", "STATUS"], rows)
    return 0


def _test(args: argparse.Namespace, services: Services) -> int:
    status = asyncio.run(services.instances.test(args.instance_id))
    if args.json:
        print_json(status)
    elif status.state == "connected":
        latency = f" in {status.latency_ms:.0f} ms" if status.latency_ms is not None else ""
        print(f"connected{latency}" + (f": {status.message}" if status.message else ""))
    if status.state != "connected":
        sys.stderr.write(f"error: {status.message or status.state}\n")
        return EXIT_FAILURE
    return 0


def _models(args: argparse.Namespace, services: Services) -> int:
    if args.refresh:
        found = asyncio.run(services.instances.refresh_models(args.instance_id))
        note(f"{len(found.models)} models reported by the server")
    models = services.instances.models(args.instance_id)
    if args.json:
        print_json(
            [
                {
                    "id": m.id,
                    "name": m.name,
                    "source": m.source,
                    "context_window": m.context_window,
                    "cost_per_1m_in": m.info.cost_per_1m_in if m.info else None,
                    "cost_per_1m_out": m.info.cost_per_1m_out if m.info else None,
                }
                for m in models
            ]
        )
        return 0
    print_table(
        ["MODEL", "SOURCE", "CONTEXT", "IN $/1M", "OUT $/1M"],
        [
            [
                m.id,
                m.source,
                f"{m.context_window:,}" if m.context_window else "?",
                format_price(m.info.cost_per_1m_in if m.info else None),
                format_price(m.info.cost_per_1m_out if m.info else None),
            ]
            for m in models
        ],
    )
    return 0
