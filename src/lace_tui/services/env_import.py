"""First run: turn API-key environment variables that are already set into instances.

Each created instance references its variable (`api_key_env`); no key is copied to disk. The import
runs once: only when there is no instances file and the state file does not record an earlier run,
so instances the user deleted never come back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from lace_tui.catalog.models import Provider
from lace_tui.instances.models import Instance, is_valid_instance_id
from lace_tui.instances.state import StateStore
from lace_tui.instances.store import InstanceStore

# The variables people most often have set, and the catalog provider each belongs to. Any other
# `$VAR` a catalog provider names as its `api_key` is imported too.
WELL_KNOWN_KEY_VARS: dict[str, str] = {
    "ANTHROPIC_API_KEY": "anthropic",
    "OPENAI_API_KEY": "openai",
    "GEMINI_API_KEY": "gemini",
    "OPENROUTER_API_KEY": "openrouter",
    "GROQ_API_KEY": "groq",
    "XAI_API_KEY": "xai",
    "DEEPSEEK_API_KEY": "deepseek",
}


def import_from_environment(
    store: InstanceStore,
    state: StateStore,
    providers: Iterable[Provider],
    environ: Mapping[str, str],
) -> list[Instance]:
    """Create one instance per catalog provider whose key variable is set; return them.

    Runs only on a first start (no instances file, no recorded import). It always writes the
    instances file (empty if nothing was set) and records the run, so it never runs again.
    A broken state file raises StoredFileError and nothing is imported.
    """
    if state.env_import_done() or store.file_exists():
        return []
    candidates = planned_imports(providers, environ)
    if not store.create_if_missing(candidates):
        return []  # another copy of lace-tui got there first
    state.record_env_import([instance.id for instance in candidates])
    return candidates


def planned_imports(providers: Iterable[Provider], environ: Mapping[str, str]) -> list[Instance]:
    """The instances an import would create now, sorted by id (nothing is written)."""
    by_id = {provider.id: provider for provider in providers}
    pairs: list[tuple[Provider, str]] = []
    for var, provider_id in WELL_KNOWN_KEY_VARS.items():
        provider = by_id.get(provider_id)
        if provider is not None:
            pairs.append((provider, var))
    for provider in by_id.values():
        named = provider.api_key_env
        if named is not None:
            pairs.append((provider, named))
    created: dict[str, Instance] = {}
    for provider, var in pairs:
        if not environ.get(var, "").strip():
            continue
        instance_id = _slug(provider.id)
        # One instance per provider: the first variable found wins (well-known names first).
        if instance_id is None or instance_id in created:
            continue
        created[instance_id] = Instance(
            id=instance_id,
            name=f"{provider.display_name} (env)",
            provider=provider.id,
            api_key_env=var,
        )
    return [created[instance_id] for instance_id in sorted(created)]


def _slug(provider_id: str) -> str | None:
    """The provider id as an instance id (catalog ids already are slugs; user ones may not be)."""
    if is_valid_instance_id(provider_id):
        return provider_id
    slug = re.sub(r"[^a-z0-9-]+", "-", provider_id.lower()).strip("-")[:63].rstrip("-")
    return slug if slug and is_valid_instance_id(slug) else None
