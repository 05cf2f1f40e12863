"""Starting points for a custom provider: the local and self-hosted servers people run."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field

from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.validation import check_provider_id
from lace_tui.errors import BadInputError

# The placeholder model of the one-model templates; rename it to what the server serves.
STARTER_MODEL_ID: Final = "my-model"


class ProviderTemplate(BaseModel):
    """What a new custom provider starts as; the user then names its models and prices."""

    key: str
    label: str
    description: str
    type: str
    api_endpoint: str
    models: list[Model] = Field(default_factory=list)


def _starter_model(context_window: int, max_tokens: int) -> Model:
    return Model(
        id=STARTER_MODEL_ID,
        name="My model",
        context_window=context_window,
        default_max_tokens=max_tokens,
    )


TEMPLATES: Final[dict[str, ProviderTemplate]] = {
    template.key: template
    for template in (
        ProviderTemplate(
            key="openai-compat",
            label="OpenAI-compatible server",
            description="vLLM, llama.cpp, LiteLLM, TGI or any server with /v1/chat/completions",
            type="openai-compat",
            api_endpoint="http://localhost:8000/v1",
            models=[_starter_model(32_768, 4_096)],
        ),
        ProviderTemplate(
            key="anthropic-compat",
            label="Anthropic-compatible server",
            description="a proxy or gateway that speaks the Messages API (/v1/messages)",
            type="anthropic",
            api_endpoint="http://localhost:8080",
            models=[_starter_model(200_000, 8_192)],
        ),
        ProviderTemplate(
            key="ollama",
            label="Ollama",
            description="a local Ollama server; discover its models from an instance",
            type="ollama",
            api_endpoint="http://localhost:11434",
        ),
        ProviderTemplate(
            key="lmstudio",
            label="LM Studio",
            description="LM Studio's local server (OpenAI-compatible); discover its models",
            type="openai-compat",
            api_endpoint="http://localhost:1234/v1",
        ),
    )
}


def new_provider_from_template(template: str, provider_id: str, name: str) -> Provider:
    """A new, unsaved provider from the template `template` (a key of TEMPLATES).

    BadInputError for an unknown template or an invalid id. A blank name takes the template's.
    """
    chosen = TEMPLATES.get(template)
    if chosen is None:
        choices = ", ".join(TEMPLATES)
        raise BadInputError(f"unknown catalog template {template!r}: choose one of {choices}")
    check_provider_id(provider_id)
    fields: dict[str, object] = {
        "id": provider_id,
        "name": name.strip() or chosen.label,
        "type": chosen.type,
        "api_endpoint": chosen.api_endpoint,
        "models": [model.model_copy(deep=True) for model in chosen.models],
    }
    if chosen.models:
        fields["default_large_model_id"] = chosen.models[0].id
        fields["default_small_model_id"] = chosen.models[0].id
    return Provider.model_validate(fields)
