"""The model dialog of the catalog editor: add or edit one model of a provider.

Each field is checked as it is typed, by `validate_provider` on the provider as it would be
saved, with the message under the field: errors (a negative price, a context window that is not
a whole number) block saving, warnings (a price over $1,000 per million tokens) do not. Saving
writes at once (a built-in provider gets a user override first); fields the form does not show
(reasoning levels, options, unknown keys) are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static

from lace_tui.catalog.custom import SaveResult
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.serialize import model_to_dict, provider_to_dict
from lace_tui.catalog.validation import FieldIssue, validate_provider
from lace_tui.textsafe import printable
from lace_tui.tui.literal import styled
from lace_tui.tui.screens.catalog_editor.common import ActionModal, issue_line, price_text

# (field, label, kind), in form order; kind decides how the text becomes a JSON value.
MODEL_FIELDS: Final = (
    ("id", "ID", "text"),
    ("name", "Name", "text"),
    ("cost_per_1m_in", "Input $/1M", "price"),
    ("cost_per_1m_out", "Output $/1M", "price"),
    ("cost_per_1m_in_cached", "Cache write", "price"),
    ("cost_per_1m_out_cached", "Cache read", "price"),
    ("context_window", "Context", "tokens"),
    ("default_max_tokens", "Max output", "tokens"),
)
FLAGS: Final = (("can_reason", "Can reason"), ("supports_attachments", "Takes attachments"))
_LABELS: Final = {field: label for field, label, _ in MODEL_FIELDS}
_TOKENS_RE: Final = re.compile(r"^(\d+(?:\.\d+)?)\s*([kKmM]?)$")


def parse_number(text: str, kind: str) -> object | None:
    """The JSON value of a number field: None when empty; the text itself when it is not a
    number, so the validator names the problem (`must be a number …, got text`)."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if kind == "price":
        cleaned = cleaned.removeprefix("$")
    if not cleaned:
        return None
    if kind == "tokens":
        match = _TOKENS_RE.match(cleaned)
        if match is not None:
            scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
            amount = float(match.group(1)) * scale
            return int(amount) if amount.is_integer() else amount
    try:
        number = float(cleaned)
    except ValueError:
        return text.strip()
    if kind == "tokens" and number.is_integer():
        return int(number)
    return number


def model_field_text(model: Model, field: str) -> str:
    """What a field of the dialog shows for `model`."""
    if field == "id":
        return model.id
    if field == "name":
        return model.name
    if field in ("context_window", "default_max_tokens"):
        count: int = getattr(model, field)
        return str(count) if count > 0 else ""
    price: float | None = getattr(model, field)
    return price_text(price)


class ModelFormScreen(ActionModal[SaveResult]):
    """Add (`model` None) or edit a model; `save(entry)` writes it and returns what it wrote."""

    HOWTO = (
        "Prices are USD per million tokens; leave a price empty when it is unknown (not $0). "
        "Context and max output are token counts (200000, 200k or 1M); empty is unknown. "
        "Errors are shown under their field and block saving; warnings (like a price over "
        "$1,000 per million) do not. Ctrl+S saves at once; Esc cancels."
    )
    SECTION = "model"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save model"),
    ]

    DEFAULT_CSS = """
    ModelFormScreen #model-form {
        width: 76;
    }
    ModelFormScreen .ce-label {
        width: 12;
    }
    ModelFormScreen .ce-pair .ce-label.-second {
        margin-left: 2;
    }
    ModelFormScreen .ce-issue {
        padding-left: 0;
    }
    ModelFormScreen #mf-flags {
        height: 1;
        margin-top: 1;
    }
    ModelFormScreen #mf-flags Checkbox {
        width: auto;
        margin-right: 2;
    }
    """

    def __init__(
        self,
        provider: Provider,
        model: Model | None,
        save: Callable[[dict[str, object]], SaveResult],
    ) -> None:
        super().__init__()
        self.provider = provider
        self.model = model
        self.save_entry = save
        self.index = len(provider.models)
        if model is not None:
            self.index = next(
                (i for i, known in enumerate(provider.models) if known.id == model.id), self.index
            )
        self.touched: set[str] = set()
        self.tried = False
        self.errors: dict[str, str] = {}
        self.warnings: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        title = (
            f"Edit model {self.model.id}" if self.model is not None else "Add a model"
        ) + f" · {self.provider.display_name}"
        with Vertical(classes="dialog", id="model-form"):
            yield Static(styled(title, "bold"), classes="dialog-title")
            for field, label, _ in MODEL_FIELDS[:2]:
                with Horizontal(classes="ce-row"):
                    yield Label(label, classes="ce-label")
                    yield Input(id=f"mf-{field}", compact=True, placeholder=self._hint(field))
                yield Static("", id=f"mf-issue-{field}", classes="ce-issue")
            pairs = [MODEL_FIELDS[i : i + 2] for i in range(2, len(MODEL_FIELDS), 2)]
            for pair in pairs:
                with Horizontal(classes="ce-row ce-pair"):
                    for position, (field, label, _) in enumerate(pair):
                        yield Label(label, classes="ce-label" + (" -second" if position else ""))
                        yield Input(id=f"mf-{field}", compact=True, placeholder=self._hint(field))
                for field, _, _ in pair:
                    yield Static("", id=f"mf-issue-{field}", classes="ce-issue")
            with Horizontal(id="mf-flags"):
                for field, label in FLAGS:
                    yield Checkbox(label, id=f"mf-{field}", compact=True)
            yield Static("", id="mf-issue-general", classes="ce-issue")
            yield self.error_line()
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="mf-cancel", compact=True)
                yield Button(
                    "Save (ctrl+s)",
                    id="mf-save",
                    variant="primary",
                    compact=True,
                    classes="-action",
                )
            yield Static(
                "Enter: next field · Ctrl+S saves · Esc cancels · F1 help", classes="dialog-hint"
            )

    @staticmethod
    def _hint(field: str) -> str:
        if field == "id":
            return "the id the API takes, e.g. llama-3.1-8b"
        if field == "name":
            return "display name (optional)"
        if field.startswith("cost"):
            return "unknown"
        return "unknown (e.g. 128k)"

    def on_mount(self) -> None:
        if self.model is not None:
            for field, _, _ in MODEL_FIELDS:
                text = printable(model_field_text(self.model, field), one_line=True)  # #11
                self.query_one(f"#mf-{field}", Input).value = text
            for field, _ in FLAGS:
                self.query_one(f"#mf-{field}", Checkbox).value = bool(getattr(self.model, field))
            # What is stored already gets its messages at once (a warning saved earlier).
            self.touched = {
                field for field, _, _ in MODEL_FIELDS if model_field_text(self.model, field)
            }
        self.query_one("#mf-id", Input).focus()
        self.revalidate()

    # -- the entry and its checks ----------------------------------------------------------

    def entry(self) -> dict[str, object]:
        """The model as it would be saved: the original's data with the fields applied."""
        data = model_to_dict(self.model) if self.model is not None else {}
        for field, _, kind in MODEL_FIELDS:
            text = self.query_one(f"#mf-{field}", Input).value
            value = (text.strip() or None) if kind == "text" else parse_number(text, kind)
            if value is None:
                data.pop(field, None)
            else:
                data[field] = value
        for field, _ in FLAGS:
            checked = self.query_one(f"#mf-{field}", Checkbox).value
            if checked or field in data:  # false is the default: new models leave it out
                data[field] = checked
        return data

    def candidate(self, entry: dict[str, object]) -> dict[str, object]:
        """The provider with this model in place (a renamed model carries the defaults)."""
        data = provider_to_dict(self.provider)
        raw_models = data.get("models")
        models = list(raw_models) if isinstance(raw_models, list) else []
        if self.index < len(models):
            models[self.index] = entry
        else:
            models.append(entry)
        data["models"] = models
        new_id = entry.get("id")
        if self.model is not None and isinstance(new_id, str):
            for key in ("default_large_model_id", "default_small_model_id"):
                if data.get(key) == self.model.id:
                    data[key] = new_id
        return data

    def revalidate(self) -> None:
        """Check the model as typed; show messages under the fields touched (all after Save)."""
        entry = self.entry()
        report = validate_provider(self.candidate(entry))
        prefix = f"models[{self.index}]."
        errors: dict[str, str] = {}
        warnings: dict[str, str] = {}
        general: list[FieldIssue] = []
        new_id = entry.get("id")
        others = {m.id for i, m in enumerate(self.provider.models) if i != self.index}
        if isinstance(new_id, str) and new_id in others:
            errors["id"] = f"the provider has a model '{new_id}' already: pick another id"
        for issues, found in ((report.errors, errors), (report.warnings, warnings)):
            for issue in issues:
                if issue.field.startswith(prefix):
                    field = issue.field.removeprefix(prefix)
                    found.setdefault(field, issue.message)
                elif issues is report.errors and "duplicate model id" not in issue.message:
                    general.append(issue)
        self.errors, self.warnings = errors, warnings
        for field, label, _ in MODEL_FIELDS:
            shown = self.tried or field in self.touched
            message = errors.get(field) or warnings.get(field) or ""
            issue_line(
                self.query_one(f"#mf-issue-{field}", Static),
                f"{label}: {message}" if shown and message else "",
                warning=field not in errors,
            )
        general_line = "; ".join(str(issue) for issue in general[:2]) if self.tried else ""
        issue_line(self.query_one("#mf-issue-general", Static), general_line)
        if general:
            self.errors.setdefault("general", str(general[0]))

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        field = (event.input.id or "").removeprefix("mf-")
        if self.is_mounted and event.input.has_focus:
            self.touched.add(field)
        self.revalidate()

    @on(Input.Blurred)
    def _field_left(self, event: Input.Blurred) -> None:
        field = (event.input.id or "").removeprefix("mf-")
        if event.input.value.strip() and field not in self.touched:
            self.touched.add(field)
            self.revalidate()

    @on(Checkbox.Changed)
    def _flag_changed(self) -> None:
        self.revalidate()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    # -- saving ----------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "mf-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Save when there is no error; otherwise show every error and focus the first."""
        self.tried = True
        self.revalidate()
        if self.errors:
            for field, _, _ in MODEL_FIELDS:
                if field in self.errors:
                    self.query_one(f"#mf-{field}", Input).focus()
                    break
            count = len(self.errors)
            self.show_error(
                f"{count} field{'s' if count != 1 else ''} to fix before saving; nothing was saved"
            )
            return
        entry = self.entry()
        self.start(lambda: self.save_entry(entry))
