"""Providers as Catwalk JSON, the format of user catalog files, exports and the update cache."""

from __future__ import annotations

import json
from typing import Final

from lace_tui.catalog.models import Model, Provider

PRICE_FIELDS: Final = (
    "cost_per_1m_in",
    "cost_per_1m_out",
    "cost_per_1m_in_cached",
    "cost_per_1m_out_cached",
)


def provider_to_dict(provider: Provider) -> dict[str, object]:
    """The provider as Catwalk JSON data: only the fields it states, unknown prices left out.

    Fields that were never set stay out, so an unknown context window is not written as 0
    (which would read as a stated, invalid value) and a file stays close to what was loaded.
    Unknown keys are kept.
    """
    data: dict[str, object] = provider.model_dump(mode="json", exclude_unset=True)
    models = data.get("models")
    if isinstance(models, list):
        for model in models:
            if isinstance(model, dict):
                _drop_unknown_prices(model)
    return data


def model_to_dict(model: Model) -> dict[str, object]:
    """One model as Catwalk JSON data, like `provider_to_dict`."""
    data: dict[str, object] = model.model_dump(mode="json", exclude_unset=True)
    _drop_unknown_prices(data)
    return data


def _drop_unknown_prices(model: dict[str, object]) -> None:
    for key in PRICE_FIELDS:
        if key in model and model[key] is None:
            del model[key]


def provider_json(provider: Provider) -> bytes:
    """One provider as a pretty-printed Catwalk JSON file (UTF-8, trailing newline)."""
    text = json.dumps(provider_to_dict(provider), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def providers_json(providers: list[Provider]) -> bytes:
    """A compact JSON list of providers, as Catwalk's `/v2/providers` serves them."""
    data = [provider_to_dict(provider) for provider in providers]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
