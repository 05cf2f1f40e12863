"""lace-tui's own corrections to the built-in catalog data (`data/catalogs/lace-overrides.toml`).

Catwalk's data says nothing about which OpenAI API serves a model; the overrides add such
facts to the built-in providers (shipped or updated) after they load. User catalog files are
the user's word and are not touched.
"""

from __future__ import annotations

import tomllib
from collections.abc import MutableMapping
from pathlib import Path
from typing import Final

from pydantic import ValidationError

from lace_tui.catalog.models import Model, Provider

OVERRIDES_FILE_NAME: Final = "lace-overrides.toml"


def read_overrides(path: Path) -> dict[str, dict[str, dict[str, object]]]:
    """{provider id: {model id: fields}} from the overrides file; empty if it is missing."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    found: dict[str, dict[str, dict[str, object]]] = {}
    for provider_id, entry in data.items():
        models = entry.get("models") if isinstance(entry, dict) else None
        if isinstance(models, dict):
            found[provider_id] = {
                model_id: dict(fields)
                for model_id, fields in models.items()
                if isinstance(fields, dict)
            }
    return found


def apply_overrides(
    providers: MutableMapping[str, Provider], overrides: dict[str, dict[str, dict[str, object]]]
) -> None:
    """Set the overridden fields of the models these providers have (others are left alone)."""
    for provider_id, by_model in overrides.items():
        provider = providers.get(provider_id)
        if provider is None:
            continue
        changed = False
        models: list[Model] = []
        for model in provider.models:
            fields = by_model.get(model.id)
            if fields:
                try:
                    model = Model.model_validate({**model.model_dump(exclude_unset=True), **fields})
                except ValidationError:
                    pass  # our own file is tested; a bad entry must not hide the model
                else:
                    changed = True
            models.append(model)
        if changed:
            providers[provider_id] = provider.model_copy(update={"models": models})
