"""The catalog editor's smaller dialogs: a new provider (from a template, or a duplicate), pick
any provider of the catalog, and a file path for import or export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from lace_tui.catalog.custom import SaveResult
from lace_tui.catalog.templates import TEMPLATES
from lace_tui.catalog.validation import PROVIDER_ID_RE, PROVIDER_ID_RULE
from lace_tui.tui.literal import assemble, literal, styled
from lace_tui.tui.screens.catalog_editor.common import (
    ActionModal,
    issue_line,
    provider_slug,
    unique_provider_id,
)
from lace_tui.tui.screens.confirm import ConfirmScreen

# A file action's answer meaning "the file exists: ask before overwriting it".
_FILE_EXISTS: Final = "\0exists"


class NewProviderScreen(ActionModal[SaveResult]):
    """A new custom provider: from a template (`templates=True`), or a copy under a new id.

    `create(template_key or None, provider_id, name)` writes it (in a thread).
    """

    HOWTO = (
        "Pick a template (↑/↓), then give the provider a name and an id. The id is the file "
        "name in your catalogs directory and what instances refer to: "
        f"{PROVIDER_ID_RULE}. Ctrl+S (or Enter in the id) creates it; Esc cancels."
    )
    SECTION = "new provider"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "create", "Create")]

    DEFAULT_CSS = """
    NewProviderScreen #new-provider {
        width: 72;
    }
    NewProviderScreen #np-templates {
        height: auto;
        max-height: 10;
        border: none;
        padding: 0;
        margin-bottom: 1;
    }
    NewProviderScreen #np-note {
        margin-bottom: 1;
        color: $text-muted;
    }
    """

    def __init__(
        self,
        taken: set[str],
        create: Callable[[str | None, str, str], SaveResult],
        *,
        templates: bool = True,
        title: str = "New provider from a template",
        name: str = "",
        note: str = "",
    ) -> None:
        super().__init__()
        self.taken = taken
        self.create = create
        self.with_templates = templates
        self.title_text = title
        self.initial_name = name
        self.note = note
        self._suggested_id = ""
        self._suggested_name = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="new-provider"):
            yield Static(styled(self.title_text, "bold"), classes="dialog-title")
            if self.with_templates:
                options = [
                    Option(
                        assemble(
                            (template.label, "bold"),
                            (f"  {template.type} · {template.api_endpoint}", "$text-muted"),
                            f"\n  {template.description}",
                        ),
                        id=key,
                    )
                    for key, template in TEMPLATES.items()
                ]
                yield OptionList(*options, id="np-templates")
            if self.note:
                yield Static(literal(self.note), id="np-note")
            with Horizontal(classes="ce-row"):
                yield Label("Name", classes="ce-label")
                yield Input(id="np-name", compact=True, placeholder="display name")
            yield Static("", id="np-issue-name", classes="ce-issue")
            with Horizontal(classes="ce-row"):
                yield Label("ID", classes="ce-label")
                yield Input(id="np-id", compact=True, placeholder="e.g. my-vllm")
            yield Static("", id="np-issue-id", classes="ce-issue")
            yield self.error_line()
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="np-cancel", compact=True)
                yield Button(
                    "Create (ctrl+s)",
                    id="np-create",
                    variant="primary",
                    compact=True,
                    classes="-action",
                )
            hint = "↑/↓ template · Tab to the fields · " if self.with_templates else ""
            yield Static(hint + "Ctrl+S creates · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        if self.with_templates:
            templates = self.query_one("#np-templates", OptionList)
            templates.highlighted = 0
            templates.focus()
        else:
            self._suggest_name(self.initial_name)
            self.query_one("#np-name", Input).focus()

    @property
    def template_key(self) -> str | None:
        if not self.with_templates:
            return None
        templates = self.query_one("#np-templates", OptionList)
        if templates.highlighted is None:
            return None
        return templates.get_option_at_index(templates.highlighted).id

    @on(OptionList.OptionHighlighted, "#np-templates")
    def _template_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        template = TEMPLATES.get(event.option.id or "")
        if template is not None:
            self._suggest_name(template.label)

    @on(OptionList.OptionSelected, "#np-templates")
    def _template_chosen(self) -> None:
        self.query_one("#np-name", Input).focus()

    def _suggest_name(self, name: str) -> None:
        """Put `name` in the name field unless the user typed one."""
        field = self.query_one("#np-name", Input)
        if field.value in ("", self._suggested_name):
            field.value = name
        self._suggested_name = name

    @on(Input.Changed, "#np-name")
    def _name_changed(self, event: Input.Changed) -> None:
        id_field = self.query_one("#np-id", Input)
        if id_field.value in ("", self._suggested_id):
            self._suggested_id = unique_provider_id(provider_slug(event.value), self.taken)
            id_field.value = self._suggested_id
        issue_line(self.query_one("#np-issue-name", Static), "")

    @on(Input.Changed, "#np-id")
    def _id_changed(self, event: Input.Changed) -> None:
        issue_line(self.query_one("#np-issue-id", Static), self._id_problem(event.value))

    def _id_problem(self, provider_id: str) -> str:
        if not provider_id:
            return "required"
        if not PROVIDER_ID_RE.match(provider_id):
            return f"use {PROVIDER_ID_RULE}"
        if provider_id in self.taken:
            return f"'{provider_id}' exists already: pick another id"
        return ""

    @on(Input.Submitted, "#np-name")
    def _name_submitted(self) -> None:
        self.query_one("#np-id", Input).focus()

    @on(Input.Submitted, "#np-id")
    def _id_submitted(self) -> None:
        self.action_create()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "np-create":
            self.action_create()
        else:
            self.action_cancel()

    def action_create(self) -> None:
        """Check the id and name, then write the provider."""
        name = self.query_one("#np-name", Input).value.strip()
        provider_id = self.query_one("#np-id", Input).value.strip()
        problem = self._id_problem(provider_id)
        issue_line(self.query_one("#np-issue-id", Static), problem)
        issue_line(self.query_one("#np-issue-name", Static), "" if name else "required")
        if problem or not name:
            self.query_one("#np-id" if problem else "#np-name", Input).focus()
            return
        template = self.template_key
        if self.with_templates and template is None:
            self.show_error("Pick a template first")
            return
        self.start(lambda: self.create(template, provider_id, name))


@dataclass(frozen=True)
class ProviderChoice:
    """One provider of the catalog, as the picker lists it."""

    id: str
    name: str
    type: str
    model_count: int
    origin: str  # "shipped", "catalog update", "your file", "your override"


class ProviderPickerScreen(ModalScreen[str | None]):
    """Pick any provider of the catalog to edit; returns its id."""

    HOWTO = (
        "Type to filter, ↓ to the list, Enter opens the provider in the editor. A built-in "
        "provider (shipped or from a catalog update) is not changed: your first save makes "
        "your own copy of it (an override), which Reset removes again."
    )
    SECTION = "edit any provider"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("f1", "app.help", "Help", show=False),
    ]

    DEFAULT_CSS = """
    ProviderPickerScreen #provider-picker {
        width: 72;
        height: 20;
    }
    ProviderPickerScreen #pp-list {
        height: 1fr;
        border: none;
        padding: 0;
    }
    """

    def __init__(self, choices: Sequence[ProviderChoice], current: str | None = None) -> None:
        super().__init__()
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="provider-picker"):
            yield Static(styled("Edit a provider", "bold"), classes="dialog-title")
            yield Input(placeholder="Filter by name, id or type", id="pp-filter", compact=True)
            yield OptionList(id="pp-list")
            yield Static(
                "Built-in providers get your own copy (an override) when you first save",
                classes="dialog-hint",
            )
            yield Static(
                "Type to filter · ↓ list · Enter opens · Esc cancels", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#pp-filter", Input).focus()

    @on(Input.Changed, "#pp-filter")
    def _fill(self) -> None:
        terms = self.query_one("#pp-filter", Input).value.lower().split()
        options = self.query_one("#pp-list", OptionList)
        options.clear_options()
        highlight = 0
        for choice in self.choices:
            text = f"{choice.id} {choice.name} {choice.type}".lower()
            if not all(term in text for term in terms):
                continue
            if choice.id == self.current and not terms:
                highlight = options.option_count
            note = f"  {choice.id} · {choice.type} · {choice.model_count} models · {choice.origin}"
            options.add_option(
                Option(assemble((choice.name, "bold"), (note, "$text-muted")), id=choice.id)
            )
        if options.option_count:
            options.highlighted = highlight

    def on_key(self, event: Key) -> None:
        if event.key == "down" and self.focused is self.query_one("#pp-filter", Input):
            event.stop()
            self.query_one("#pp-list", OptionList).focus()

    @on(Input.Submitted, "#pp-filter")
    def _submitted(self) -> None:
        options = self.query_one("#pp-list", OptionList)
        if options.highlighted is None:
            self.notify("No provider matches the filter", severity="warning")
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#pp-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FileScreen(ActionModal[str]):
    """A file path for import or export; `action(path, overwrite)` does the work in a thread
    and returns a line to show. With `ask_overwrite`, an existing file is only replaced after
    the user confirms; with `overwrite_label`, a checkbox sets `overwrite`."""

    HOWTO = (
        "Type a file path (~ is your home; a relative path starts in the directory lace-tui "
        "was started from). Enter runs it; Esc cancels. Nothing is written when there is an "
        "error."
    )
    SECTION = "file"

    DEFAULT_CSS = """
    FileScreen #file-dialog {
        width: 72;
    }
    FileScreen #fd-overwrite {
        margin-top: 1;
    }
    FileScreen #fd-note {
        color: $text-muted;
        margin-bottom: 1;
    }
    FileScreen #fd-where {
        padding-left: 14;
    }
    """

    def __init__(
        self,
        title: str,
        action: Callable[[Path, bool], str],
        *,
        path: str = "",
        placeholder: str = "",
        note: str = "",
        verb: str = "OK",
        overwrite_label: str | None = None,
        ask_overwrite: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.file_action = action
        self.initial_path = path
        self.placeholder = placeholder
        self.note = note
        self.verb = verb
        self.overwrite_label = overwrite_label
        self.ask_overwrite = ask_overwrite

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="file-dialog"):
            yield Static(styled(self.title_text, "bold"), classes="dialog-title")
            if self.note:
                yield Static(literal(self.note), id="fd-note")
            with Horizontal(classes="ce-row"):
                yield Label("File", classes="ce-label")
                yield Input(
                    self.initial_path, id="fd-path", compact=True, placeholder=self.placeholder
                )
            yield Static(
                styled(f"~ is your home; a relative path starts in {Path.cwd()}", "dim"),
                id="fd-where",
            )
            if self.overwrite_label is not None:
                yield Checkbox(self.overwrite_label, id="fd-overwrite", compact=True)
            yield self.error_line()
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="fd-cancel", compact=True)
                yield Button(
                    f"{self.verb} (enter)",
                    id="fd-run",
                    variant="primary",
                    compact=True,
                    classes="-action",
                )
            yield Static(f"Enter: {self.verb.lower()} · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#fd-path", Input).focus()

    def chosen_path(self) -> Path | None:
        text = self.query_one("#fd-path", Input).value.strip()
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() else Path.cwd() / path

    @on(Input.Submitted, "#fd-path")
    def _submitted(self) -> None:
        self.action_run()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "fd-run":
            self.action_run()
        else:
            self.action_cancel()

    def action_run(self, overwrite: bool | None = None) -> None:
        """Run the action on the typed path."""
        path = self.chosen_path()
        if path is None:
            self.show_error("Type the path of a file")
            return
        if overwrite is None:
            overwrite = bool(
                self.overwrite_label is not None and self.query_one("#fd-overwrite", Checkbox).value
            )
        ask = self.ask_overwrite and not overwrite

        def attempt() -> str:
            if ask and path.is_file():
                return _FILE_EXISTS
            return self.file_action(path, overwrite)

        self.start(attempt, working="Working…")

    def succeeded(self, result: str) -> None:
        if result != _FILE_EXISTS:
            super().succeeded(result)
            return
        self.busy = False
        self._set_buttons_disabled(False)
        self.show_error("")
        path = self.chosen_path()
        self.app.push_screen(
            ConfirmScreen(f"{path} exists. Overwrite it?", confirm="Overwrite"),
            self._overwrite_answer,
        )

    def _overwrite_answer(self, yes: bool | None) -> None:
        if yes:
            self.action_run(overwrite=True)
        else:
            self.show_error("Not overwritten: type another file name, or confirm overwriting")
            self.query_one("#fd-path", Input).focus()
