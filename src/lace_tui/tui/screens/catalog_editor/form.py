"""The provider form of the catalog editor: name, type, endpoint, key variable, default models.

Every change is checked at once with `validate_provider` on the provider as it would be saved,
and each message is shown under its field: errors block saving, warnings do not. The key field
takes a `$VARIABLE` only; anything else is masked as it is typed and blocks saving, since catalog
files are plain text and keys belong with an instance (stored apart, mode 0600).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from lace_tui.catalog.models import CHAT_TYPES, Provider
from lace_tui.catalog.serialize import provider_to_dict
from lace_tui.catalog.validation import FieldIssue, ValidationReport, validate_provider
from lace_tui.textsafe import printable
from lace_tui.tui.screens.catalog_editor.common import issue_line

# Form field → the provider's JSON key.
FIELDS: Final[dict[str, str]] = {
    "name": "name",
    "type": "type",
    "endpoint": "api_endpoint",
    "key": "api_key",
    "large": "default_large_model_id",
    "small": "default_small_model_id",
}
_ENV_REF_RE: Final = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
LITERAL_KEY_MESSAGE: Final = (
    "looks like a key: catalog files are plain text; keep keys in an instance and name "
    "a $VARIABLE here (or leave it empty)"
)


def is_literal_key(value: str) -> bool:
    """A key field value that is not empty and not a `$VARIABLE` reference."""
    return bool(value.strip()) and not _ENV_REF_RE.match(value.strip())


def type_options(types: Iterable[str]) -> list[tuple[str, str]]:
    """The choices of the type field: every chat type plus the catalog's other types."""
    options: list[tuple[str, str]] = []
    for kind in sorted(set(types) | CHAT_TYPES):
        label = kind if kind in CHAT_TYPES else f"{kind} (browse only)"
        options.append((label, kind))
    return options


class ProviderForm(Vertical):
    """Edits the provider-level fields of `base`; `candidate()` is what Save writes."""

    DEFAULT_CSS = """
    ProviderForm {
        height: auto;
    }
    ProviderForm .ce-row {
        height: 1;
    }
    ProviderForm .ce-label {
        width: 13;
        color: $text-muted;
    }
    ProviderForm .ce-row Input, ProviderForm .ce-row Select {
        width: 1fr;
    }
    ProviderForm Select.-textual-compact > SelectCurrent {
        padding: 0 1;
        background: $boost;
    }
    ProviderForm Select.-textual-compact:focus > SelectCurrent {
        background: $primary 30%;
    }
    ProviderForm .ce-issue {
        height: auto;
        padding-left: 13;
        display: none;
    }
    ProviderForm .ce-issue.-error {
        color: $text-error;
    }
    ProviderForm .ce-issue.-warning {
        color: $text-warning;
    }
    ProviderForm #pf-general {
        padding-left: 0;
    }
    """

    class Changed(Message):
        """A field changed (the screen updates its unsaved-changes mark)."""

    LABELS: ClassVar[dict[str, str]] = {
        "name": "Name",
        "type": "Type",
        "endpoint": "Endpoint",
        "key": "Key variable",
        "large": "Large model",
        "small": "Small model",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.base: Provider | None = None
        self.report = ValidationReport()
        self._baseline: dict[str, str] = {}
        self._loading = False

    def compose(self) -> ComposeResult:
        for field, label in self.LABELS.items():
            with Horizontal(classes="ce-row"):
                yield Label(label, classes="ce-label")
                if field == "type":
                    yield Select[str](
                        type_options([]), id="pf-type", allow_blank=False, compact=True
                    )
                elif field in ("large", "small"):
                    yield Select[str](
                        [], id=f"pf-{field}", prompt="(none)", allow_blank=True, compact=True
                    )
                else:
                    yield Input(id=f"pf-{field}", compact=True, placeholder=self._hint(field))
            yield Static("", id=f"pf-issue-{field}", classes="ce-issue")
        yield Static("", id="pf-general", classes="ce-issue")

    @staticmethod
    def _hint(field: str) -> str:
        return {
            "name": "display name",
            "endpoint": "http(s)://… or $VARIABLE; empty: none",
            "key": "$VARIABLE holding the key (optional)",
        }.get(field, "")

    # -- loading -------------------------------------------------------------------------

    def load(self, provider: Provider, types: Iterable[str], *, keep_edits: bool = False) -> None:
        """Show `provider`; with `keep_edits`, unsaved field values stay (the models changed)."""
        edits = self.values() if keep_edits and self.dirty else None
        self.base = provider
        self._loading = True
        try:
            kinds = [kind for _, kind in type_options([*types, provider.type])]
            type_select = self.query_one("#pf-type", Select)
            type_select.set_options(type_options(kinds))
            model_ids = [model.id for model in provider.models]
            for field in ("large", "small"):
                self.query_one(f"#pf-{field}", Select).set_options(
                    (model_id, model_id) for model_id in model_ids
                )
            self._baseline = self._values_of(provider)
            self._set_values(edits if edits is not None else self._baseline, model_ids)
        finally:
            self._loading = False
        self.revalidate()

    @staticmethod
    def _values_of(provider: Provider) -> dict[str, str]:
        # An Input draws its value raw: a control character in a catalog file is shown (and,
        # if saved, kept) as its visible stand-in (#11).
        values = {
            "name": provider.name,
            "type": provider.type,
            "endpoint": provider.api_endpoint,
            "key": provider.api_key,
            "large": provider.default_large_model_id,
            "small": provider.default_small_model_id,
        }
        return {field: printable(value, one_line=True) for field, value in values.items()}

    def _set_values(self, values: dict[str, str], model_ids: list[str]) -> None:
        for field in ("name", "endpoint", "key"):
            field_input = self.query_one(f"#pf-{field}", Input)
            field_input.value = values[field]
            if field == "key":
                field_input.password = is_literal_key(values[field])
        self.query_one("#pf-type", Select).value = values["type"]
        for field in ("large", "small"):
            select = self.query_one(f"#pf-{field}", Select)
            if values[field] in model_ids:
                select.value = values[field]
            else:
                select.clear()

    # -- reading -------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """The fields as typed (selects blank as "")."""
        found: dict[str, str] = {}
        for field in ("name", "endpoint", "key"):
            found[field] = self.query_one(f"#pf-{field}", Input).value
        for field in ("type", "large", "small"):
            value = self.query_one(f"#pf-{field}", Select).value
            found[field] = value if isinstance(value, str) else ""
        return found

    @property
    def dirty(self) -> bool:
        """Whether a field differs from the provider as loaded."""
        if self.base is None:
            return False
        return self.values() != self._baseline

    def candidate(self) -> dict[str, object]:
        """The provider as Save would write it: the loaded data with the fields applied."""
        data = provider_to_dict(self.base) if self.base is not None else {}
        for field, value in self.values().items():
            key = FIELDS[field]
            cleaned = value.strip()
            if cleaned:
                data[key] = cleaned
            else:
                data.pop(key, None)
        return data

    # -- validation ------------------------------------------------------------------------

    def revalidate(self) -> ValidationReport:
        """Check the candidate and show each message under its field."""
        if self.base is None:
            return self.report
        report = validate_provider(self.candidate())
        key = self.values()["key"]
        if is_literal_key(key):
            # Stricter than the validator's warning: the form never writes a literal key.
            report.warnings = [w for w in report.warnings if w.field != "api_key"]
            report.errors.append(FieldIssue(field="api_key", message=LITERAL_KEY_MESSAGE))
        self.report = report
        by_field = {json_key: field for field, json_key in FIELDS.items()}
        shown: dict[str, tuple[str, bool]] = {}
        general: list[str] = []
        for issues, warning in ((report.errors, False), (report.warnings, True)):
            for issue in issues:
                field = by_field.get(issue.field)
                if field is None:
                    # A model's warning is shown in its own dialog, not here.
                    if not (warning and issue.field.startswith("models[")):
                        general.append(str(issue))
                elif field not in shown:
                    shown[field] = (issue.message, warning)
        for field in FIELDS:
            message, warning = shown.get(field, ("", False))
            issue_line(self.query_one(f"#pf-issue-{field}", Static), message, warning=warning)
        general_line = ""
        if general:
            general_line = general[0] + (f" (and {len(general) - 1} more)" if general[1:] else "")
        has_general_error = any(by_field.get(i.field) is None for i in report.errors)
        issue_line(
            self.query_one("#pf-general", Static),
            general_line,
            warning=not has_general_error,
        )
        return report

    def first_invalid(self) -> str | None:
        """The widget id of the first field with an error, for focusing it."""
        by_field = {json_key: field for field, json_key in FIELDS.items()}
        for issue in self.report.errors:
            field = by_field.get(issue.field)
            if field is not None:
                return f"pf-{field}"
        return None

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        if isinstance(event, Input.Changed) and event.input.id == "pf-key":
            # Never show a literal key: mask it as it is typed (a $VARIABLE stays readable).
            event.input.password = is_literal_key(event.value)
        if self._loading or self.base is None:
            return
        self.revalidate()
        self.post_message(self.Changed())

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()
