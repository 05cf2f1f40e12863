"""A custom provider made from the models a server reported (model discovery)."""

from __future__ import annotations

from collections.abc import Sequence

from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.validation import check_provider_id
from lace_tui.contracts import DiscoveredModel


def provider_from_discovered(
    provider_id: str,
    name: str,
    type: str,  # Catwalk's field name; shadows the builtin only in here
    endpoint: str,
    models: Sequence[DiscoveredModel],
) -> Provider:
    """An unsaved provider listing `models`, for the user to annotate afterwards.

    Only what discovery knows is stated: ids, names and context windows when the server gave
    them. Prices are left out (unknown, never $0). A model id listed twice is kept once.
    BadInputError for an invalid provider id.
    """
    check_provider_id(provider_id)
    kept: dict[str, Model] = {}
    for found in models:
        if not found.id or found.id in kept:
            continue
        fields: dict[str, object] = {"id": found.id}
        if found.name and found.name != found.id:
            fields["name"] = found.name
        if found.context_window is not None and found.context_window > 0:
            fields["context_window"] = found.context_window
        kept[found.id] = Model.model_validate(fields)
    return Provider.model_validate(
        {
            "id": provider_id,
            "name": name.strip() or provider_id,
            "type": type,
            "api_endpoint": endpoint,
            "models": list(kept.values()),
        }
    )
