"""Check a provider before it is saved: every problem named by field, errors apart from warnings.

The loader is lenient so that one odd file never hides the rest; this is the strict check for
what the user writes (editor, import, discovered models), run on plain JSON-like data so a form
or an imported file gets one message per field, e.g. `models[3].cost_per_1m_in: must not be
negative (got -1)`. A provider with no errors here always loads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Final

from pydantic import BaseModel, Field, ValidationError

from lace_tui.catalog.constants import PROVIDER_ID_RE as PROVIDER_ID_RE
from lace_tui.catalog.constants import PROVIDER_ID_RULE as PROVIDER_ID_RULE
from lace_tui.catalog.models import CHAT_TYPES, Provider
from lace_tui.catalog.serialize import PRICE_FIELDS, provider_to_dict
from lace_tui.errors import BadInputError

# Above this a price (USD per million tokens) is probably a unit mistake, though a few are real.
HIGH_PRICE: Final = 1000.0
TOKEN_FIELDS: Final = ("context_window", "default_max_tokens")
DEFAULT_MODEL_FIELDS: Final = ("default_large_model_id", "default_small_model_id")

_ENV_REF_RE: Final = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
_URL_RE: Final = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_MAX_SHOWN: Final = 3


class FieldIssue(BaseModel):
    """One problem with one field; `field` is a path like `models[3].cost_per_1m_in`."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationReport(BaseModel):
    """Errors block saving; warnings are worth a look but do not."""

    errors: list[FieldIssue] = Field(default_factory=list)
    warnings: list[FieldIssue] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_summary(self) -> str:
        """The first few errors in one line, with how many more there are."""
        return summarize_issues(self.errors)

    def raise_for_errors(self, action: str) -> None:
        """BadInputError(`<action>: <first errors>`) when there are errors; nothing otherwise."""
        if self.errors:
            raise BadInputError(f"{action}: {self.error_summary()}")


def summarize_issues(issues: Sequence[FieldIssue]) -> str:
    """Up to three issues joined with '; ', then `(and N more)`."""
    text = "; ".join(str(issue) for issue in issues[:_MAX_SHOWN])
    if len(issues) > _MAX_SHOWN:
        text += f" (and {len(issues) - _MAX_SHOWN} more)"
    return text


def check_provider_id(provider_id: str) -> None:
    """BadInputError unless `provider_id` is a valid provider id (it is also the file name)."""
    if not PROVIDER_ID_RE.match(provider_id):
        raise BadInputError(f"invalid provider id {provider_id!r}: use {PROVIDER_ID_RULE}")


def validate_provider(data: Mapping[str, object] | Provider) -> ValidationReport:
    """Every problem with a provider (a Provider, or its JSON data as a mapping), per field.

    Errors: missing id, name, type or model id; a malformed provider id or endpoint; duplicate
    model ids; a default model id that is not in the list; a context window or max tokens that
    is not a positive whole number; a negative price; a value of the wrong type. Warnings: a
    price over $1,000 per million tokens, max tokens above the context window, a type with no
    chat client, a literal key in `api_key` (the value is never repeated).
    """
    raw: Mapping[str, object] = provider_to_dict(data) if isinstance(data, Provider) else data
    checker = _Checker()
    checker.provider(raw)
    if not checker.errors:
        # Anything the rules above missed still surfaces, so "no errors" means "it loads".
        try:
            Provider.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                message = error["msg"].removeprefix("Value error, ")
                checker.error(_loc_path(error["loc"]), message)
    return ValidationReport(errors=checker.errors, warnings=checker.warnings)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[FieldIssue] = []
        self.warnings: list[FieldIssue] = []

    def error(self, field: str, message: str) -> None:
        self.errors.append(FieldIssue(field=field, message=message))

    def warn(self, field: str, message: str) -> None:
        self.warnings.append(FieldIssue(field=field, message=message))

    def provider(self, raw: Mapping[str, object]) -> None:
        provider_id = self.required_str(raw, "id")
        if provider_id is not None and not PROVIDER_ID_RE.match(provider_id):
            self.error("id", f"{provider_id!r} is not a valid id: use {PROVIDER_ID_RULE}")
        self.required_str(raw, "name")
        provider_type = self.required_str(raw, "type")
        if provider_type is not None and provider_type not in CHAT_TYPES:
            kinds = ", ".join(sorted(CHAT_TYPES))
            self.warn(
                "type",
                f"no chat client for type {provider_type!r}: the provider can be browsed but "
                f"not chatted with (chat works with {kinds})",
            )
        endpoint = self.optional_str(raw, "api_endpoint")
        if endpoint and not (_URL_RE.match(endpoint) or _ENV_REF_RE.match(endpoint)):
            self.error(
                "api_endpoint",
                f"{endpoint!r} is neither an http:// or https:// URL nor a $VARIABLE",
            )
        api_key = self.optional_str(raw, "api_key")
        if api_key and not _ENV_REF_RE.match(api_key):
            self.warn(
                "api_key",
                "holds a literal value: keep keys with the instance (they are stored apart, "
                "mode 0600) and put a $VARIABLE here, or leave it empty",
            )
        self.headers(raw)
        model_ids = self.models(raw)
        for field in DEFAULT_MODEL_FIELDS:
            model_id = self.optional_str(raw, field)
            if model_id and model_ids is not None and model_id not in model_ids:
                self.error(field, f"{model_id!r} is not one of the provider's models")

    def required_str(self, raw: Mapping[str, object], field: str, prefix: str = "") -> str | None:
        value = raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(prefix + field, "required")
            return None
        if not isinstance(value, str):
            self.error(prefix + field, f"must be text, got {_kind(value)}")
            return None
        return value

    def optional_str(self, raw: Mapping[str, object], field: str, prefix: str = "") -> str:
        value = raw.get(field)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(prefix + field, f"must be text, got {_kind(value)}")
            return ""
        return value

    def headers(self, raw: Mapping[str, object]) -> None:
        headers = raw.get("default_headers")
        if headers is None:
            return
        if not isinstance(headers, Mapping):
            self.error(
                "default_headers", f"must be an object of names to values, got {_kind(headers)}"
            )
            return
        for name, value in headers.items():
            if not isinstance(value, str):
                self.error(f"default_headers.{name}", f"must be text, got {_kind(value)}")

    def models(self, raw: Mapping[str, object]) -> set[str] | None:
        """The model ids seen, or None when `models` is unusable (defaults are then unchecked)."""
        models = raw.get("models")
        if models is None:
            return set()
        if not isinstance(models, list):
            self.error("models", f"must be a list of models, got {_kind(models)}")
            return None
        first_index: dict[str, int] = {}
        for index, model in enumerate(models):
            prefix = f"models[{index}]."
            if not isinstance(model, Mapping):
                self.error(f"models[{index}]", f"must be a model object, got {_kind(model)}")
                continue
            model_id = self.required_str(model, "id", prefix)
            if model_id is not None:
                if model_id in first_index:
                    self.error(
                        f"{prefix}id",
                        f"duplicate model id {model_id!r} (also models[{first_index[model_id]}])",
                    )
                else:
                    first_index[model_id] = index
            self.model(model, prefix)
        return set(first_index)

    def model(self, model: Mapping[str, object], prefix: str) -> None:
        for field in ("name", "default_reasoning_effort"):
            self.optional_str(model, field, prefix)
        for field in PRICE_FIELDS:
            self.price(model.get(field), prefix + field)
        tokens: dict[str, int] = {}
        for field in TOKEN_FIELDS:
            count = self.token_count(model.get(field), prefix + field)
            if count is not None:
                tokens[field] = count
        context = tokens.get("context_window")
        max_tokens = tokens.get("default_max_tokens")
        if context is not None and max_tokens is not None and max_tokens > context:
            self.warn(
                prefix + "default_max_tokens",
                f"{max_tokens:,} is more than the context window ({context:,})",
            )
        for field in ("can_reason", "supports_attachments"):
            value = model.get(field)
            if value is not None and not isinstance(value, bool):
                self.error(prefix + field, f"must be true or false, got {_kind(value)}")
        levels = model.get("reasoning_levels")
        if levels is not None and not (
            isinstance(levels, list) and all(isinstance(level, str) for level in levels)
        ):
            self.error(prefix + "reasoning_levels", "must be a list of texts")
        options = model.get("options")
        if options is not None and not isinstance(options, Mapping):
            self.error(prefix + "options", f"must be an object, got {_kind(options)}")

    def price(self, value: object, field: str) -> None:
        if value is None:
            return  # unknown, which is not the same as free
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(field, f"must be a number (USD per million tokens), got {_kind(value)}")
        elif not math.isfinite(value):
            self.error(field, "must be a finite number (USD per million tokens)")
        elif value < 0:
            self.error(field, f"must not be negative (got {value:g})")
        elif value > HIGH_PRICE:
            self.warn(
                field,
                f"${value:,.2f} per million tokens is unusually high: check it is USD per "
                "million tokens, not per thousand",
            )

    def token_count(self, value: object, field: str) -> int | None:
        if value is None:
            return None  # not stated
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(field, f"must be a whole number of tokens, got {_kind(value)}")
            return None
        if value <= 0:
            self.error(
                field, f"must be a positive number of tokens (got {value}); leave it out if unknown"
            )
            return None
        return value


def _loc_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _kind(value: object) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value:g}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "null" if value is None else type(value).__name__
