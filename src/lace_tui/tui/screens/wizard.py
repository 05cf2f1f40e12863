"""Add or edit an instance: choose a provider → configure → save and offer a connection test.

Nothing is written until Save; Esc before that cancels and leaves every file as it was. Back
keeps what was typed. Editing uses the same form with the id fixed and an empty key field
meaning "keep the current key".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, Final, Literal
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import (
    Button,
    ContentSwitcher,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
)
from textual.widgets.option_list import Option

from lace_tui.errors import LaceError
from lace_tui.instances.models import INSTANCE_ID_PATTERN, Instance
from lace_tui.tui.screens import wizard_cloud
from lace_tui.tui.screens.base import lace_app

if TYPE_CHECKING:
    from lace_tui.catalog.models import Provider
    from lace_tui.instances.models import ConnectionStatus, KeyStatus
    from lace_tui.services.app_services import Services

KeySource = Literal["stored", "env", "none"]
Step = Literal["provider", "form", "done"]

_ID_RE: Final = re.compile(INSTANCE_ID_PATTERN)
_ENV_RE: Final = re.compile(r"^\$?[A-Za-z_][A-Za-z0-9_]*$")
MAX_TIMEOUT: Final = 3600.0
LOCAL_PROVIDERS: Final = frozenset({"ollama", "lmstudio"})
ID_RULE: Final = "use a-z, 0-9 and '-' (1 to 63, not starting with '-')"


def slugify(text: str) -> str:
    """A valid instance id made from a display name (`OpenAI work` → `openai-work`)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:63].rstrip("-")


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… whichever is free."""
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: 63 - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


class InstanceIdValidator(Validator):
    """An instance id: the slug pattern, and not one that exists already."""

    def __init__(self, taken: set[str]) -> None:
        super().__init__()
        self.taken = taken

    def validate(self, value: str) -> ValidationResult:
        if not _ID_RE.match(value):
            return self.failure(f"Invalid id: {ID_RULE}")
        if value in self.taken:
            return self.failure(f"An instance '{value}' exists already: choose another id")
        return self.success()


class EndpointValidator(Validator):
    """Empty (the provider's default) or an http(s) URL."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return self.failure("The endpoint must be an http(s) URL, or empty for the default")
        return self.success()


class TimeoutValidator(Validator):
    """Seconds: a number above 0, at most an hour."""

    def validate(self, value: str) -> ValidationResult:
        try:
            seconds = float(value)
        except ValueError:
            return self.failure("The timeout is a number of seconds, like 60")
        if not 0 < seconds <= MAX_TIMEOUT:
            return self.failure(f"The timeout must be above 0 and at most {MAX_TIMEOUT:g} seconds")
        return self.success()


class EnvVarValidator(Validator):
    """The name of an environment variable (a leading `$` is allowed)."""

    def validate(self, value: str) -> ValidationResult:
        if not _ENV_RE.match(value.strip()):
            return self.failure(
                "Give the variable's name (letters, digits and _), not the key itself"
            )
        return self.success()


def default_key_source(provider: Provider, environ_has: bool) -> KeySource:
    """Local servers need no key; a catalog `$VAR` that is set suggests using it."""
    if provider.id in LOCAL_PROVIDERS or provider.type == "ollama":
        return "none"
    if provider.api_key_env and environ_has:
        return "env"
    return "stored"


def match_rank(provider: Provider, terms: list[str]) -> int | None:
    """How well a provider matches the filter words (lower is better); None: no match.

    An exact id or name comes first, then a prefix, then a match anywhere in the id or name,
    then a match that needs the type: typing `xai` shows xAI before Google Vertex AI.
    """
    if not terms:
        return 0
    names = (provider.id.lower(), provider.display_name.lower())
    query = " ".join(terms)
    if query in names:
        return 0
    if any(name.startswith(query) for name in names):
        return 1
    joined = " ".join(names)
    if all(term in joined for term in terms):
        return 2
    if all(term in f"{joined} {provider.type}" for term in terms):
        return 3
    return None


class WizardScreen(ModalScreen[str | None]):
    """Returns the saved instance's id, or None when cancelled before saving."""

    HOWTO = (
        "Add an instance in three steps: pick the provider (type to filter, Enter to choose), "
        "fill in the form (Enter moves to the next field; Ctrl+S saves), then test the "
        "connection if you like. The id is suggested from the name. Leave the endpoint empty "
        "for the provider's default. A key you type is stored in a private file (mode 0600), "
        "never in instances.toml; or name an environment variable to read it from.\n"
        "Esc cancels without writing anything (after saving, Esc closes)."
    )
    SECTION = "instance wizard"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+b", "back", "Back"),
        Binding("f1", "app.help", "Help", show=False),
    ]

    def __init__(
        self,
        services: Services,
        *,
        provider_id: str | None = None,
        instance_id: str | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.editing: Instance | None = None
        self.current_key: KeyStatus | None = None
        self.saved_id: str | None = None
        self.warnings: list[str] = []
        existing = services.instances.all()
        self.taken = {instance.id for instance in existing}
        if instance_id is not None:
            self.editing = services.instances.get(instance_id)
            self.current_key = services.instances.key_status(self.editing)
            provider_id = self.editing.provider
            self.taken.discard(instance_id)
        self.provider_id = provider_id
        self.step: Step = "form" if provider_id is not None else "provider"
        # What the form was last prefilled with, so a provider change only replaces untouched
        # fields (Back keeps what was typed).
        self._prefilled: dict[str, str] = {}

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="wizard"):
            yield Static(id="wizard-title", classes="dialog-title")
            with ContentSwitcher(initial=f"step-{self.step}", id="wizard-steps"):
                with Vertical(id="step-provider"):
                    yield Input(
                        placeholder="Filter providers by name, id or type",
                        id="wiz-filter",
                        compact=True,
                    )
                    yield OptionList(id="wiz-providers")
                    yield Static(id="wiz-provider-info", classes="detail")
                with VerticalScroll(id="step-form"):
                    yield Static(id="wiz-form-provider")
                    yield from self._field("Name", Input(id="wiz-name", compact=True))
                    yield Static(id="err-name", classes="field-error")
                    yield from self._field(
                        "ID",
                        Input(
                            id="wiz-id",
                            compact=True,
                            validators=[InstanceIdValidator(self.taken)],
                            disabled=self.editing is not None,
                        ),
                    )
                    yield Static(id="err-id", classes="field-error")
                    yield from self._field(
                        "Endpoint",
                        Input(id="wiz-endpoint", compact=True, validators=[EndpointValidator()]),
                    )
                    yield Static(id="err-endpoint", classes="field-error")
                    yield from self._field(
                        "Timeout (s)",
                        Input(
                            "60",
                            id="wiz-timeout",
                            compact=True,
                            validators=[TimeoutValidator()],
                        ),
                    )
                    yield Static(id="err-timeout", classes="field-error")
                    yield from wizard_cloud.compose_fields()
                    with Horizontal(classes="field"):
                        yield Label("Key", classes="field-label")
                        with RadioSet(id="wiz-key-source", compact=True):
                            yield RadioButton("Store a key", id="src-stored", compact=True)
                            yield RadioButton("Env variable", id="src-env", compact=True)
                            yield RadioButton("No key", id="src-none", compact=True)
                    with Horizontal(classes="field", id="row-key"):
                        yield Label("API key", classes="field-label")
                        yield Input(id="wiz-key", password=True, compact=True)
                    with Horizontal(classes="field", id="row-env"):
                        yield Label("Variable", classes="field-label")
                        yield Input(id="wiz-env", compact=True, validators=[EnvVarValidator()])
                    yield Static(id="err-key", classes="field-error")
                    yield Static(id="wiz-form-error", classes="field-error")
                with Vertical(id="step-done"):
                    yield Static(id="wiz-saved")
                    yield Static(id="wiz-test-result")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="wiz-back", compact=True)
                yield Button("Next", id="wiz-next", variant="primary", compact=True)
                yield Button("Save (ctrl+s)", id="wiz-save", variant="primary", compact=True)
                yield Button("Test now (t)", id="wiz-test", variant="primary", compact=True)
                yield Button("Done", id="wiz-done", compact=True)
            yield Static(id="wizard-hint", classes="dialog-hint")

    @staticmethod
    def _field(label: str, widget: Input) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield widget

    def on_mount(self) -> None:
        self._fill_providers()
        wizard_cloud.show_fields(self, None)
        if self.editing is not None:
            self._load_instance(self.editing)
        elif self.provider_id is not None:
            self._apply_provider(self.provider_id)
        self._show_step(self.step)

    # -- steps ---------------------------------------------------------------------------

    def _show_step(self, step: Step) -> None:
        self.step = step
        self.query_one(ContentSwitcher).current = f"step-{step}"
        verb = "Edit instance" if self.editing is not None else "Add an instance"
        names = ["Provider", "Configure", "Test"]
        index = {"provider": 0, "form": 1, "done": 2}[step]
        crumbs: list[str | tuple[str, str]] = [(verb, "bold"), "  "]
        for position, name in enumerate(names):
            if self.editing is not None and position == 0:
                continue
            style = "bold reverse $primary" if position == index else "$text-muted"
            crumbs.append((f" {position + 1} {name} ", style))
            crumbs.append(" ")
        self.query_one("#wizard-title", Static).update(Content.assemble(*crumbs))
        buttons = {
            "wiz-back": step == "form" and self.editing is None,
            "wiz-next": step == "provider",
            "wiz-save": step == "form",
            "wiz-test": step == "done",
            "wiz-done": step == "done",
        }
        for button_id, shown in buttons.items():
            self.query_one(f"#{button_id}", Button).display = shown
        hints = {
            "provider": "Type to filter · ↓ to the list · Enter chooses · Esc cancels",
            "form": "Enter: next field · Tab moves · Ctrl+S saves · Ctrl+B back · Esc cancels",
            "done": "t tests the connection · Enter or Esc closes",
        }
        hint = hints[step]
        if self.editing is not None:
            hint = hint.replace(" · Ctrl+B back", "")
        self.query_one("#wizard-hint", Static).update(hint)
        if step == "provider":
            self.set_focus(self.query_one("#wiz-filter", Input))
        elif step == "form":
            first = "#wiz-name"
            self.set_focus(self.query_one(first, Input))
        else:
            self.set_focus(self.query_one("#wiz-test", Button))

    # -- step 1: provider ------------------------------------------------------------------

    def _fill_providers(self) -> None:
        terms = self.query_one("#wiz-filter", Input).value.lower().split()
        options = self.query_one("#wiz-providers", OptionList)
        options.clear_options()
        chosen_index = None
        ranked: list[tuple[int, int, Provider]] = []
        for order, provider in enumerate(self.services.catalog.providers.values()):
            rank = match_rank(provider, terms)
            if rank is not None:
                ranked.append((rank, order, provider))
        ranked.sort(key=lambda item: item[:2])
        for _, _, provider in ranked:
            note = f"  {provider.type} · {len(provider.models)} models"
            if not provider.can_chat:
                note += " · browse only"
            if provider.id == self.provider_id:
                chosen_index = options.option_count
            options.add_option(
                Option(
                    Content.assemble((provider.display_name, "bold"), (note, "$text-muted")),
                    id=provider.id,
                )
            )
        if options.option_count:
            options.highlighted = chosen_index if chosen_index is not None else 0

    @on(Input.Changed, "#wiz-filter")
    def _filter_changed(self) -> None:
        self._fill_providers()

    @on(OptionList.OptionHighlighted, "#wiz-providers")
    def _provider_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        provider = self.services.catalog.get(event.option.id or "")
        info = self.query_one("#wiz-provider-info", Static)
        if provider is None:
            info.update("")
            return
        parts: list[str | tuple[str, str]] = [
            (provider.display_name, "bold"),
            f"  type {provider.type} · {len(provider.models)} models",
            f"\nendpoint {self._default_endpoint(provider) or 'none by default'}",
        ]
        if provider.api_key_env:
            parts.append(f"\nkey variable ${provider.api_key_env}")
        if not provider.can_chat:
            parts.append(("\nno chat client for this type yet (browse only)", "$text-warning"))
        info.update(Content.assemble(*parts))

    @on(OptionList.OptionSelected, "#wiz-providers")
    def _provider_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._choose(event.option.id)

    @on(Input.Submitted, "#wiz-filter")
    def _filter_submitted(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        """Step 1 → 2 with the highlighted provider."""
        options = self.query_one("#wiz-providers", OptionList)
        if options.highlighted is None:
            self.notify("No provider matches the filter", severity="warning")
            return
        option_id = options.get_option_at_index(options.highlighted).id
        if option_id is not None:
            self._choose(option_id)

    def _choose(self, provider_id: str) -> None:
        if provider_id != self.provider_id:
            self._apply_provider(provider_id)
        self._show_step("form")

    def action_back(self) -> None:
        """Step 2 → 1; what was typed stays."""
        if self.step == "form" and self.editing is None:
            self._fill_providers()
            self._show_step("provider")

    # -- step 2: the form ------------------------------------------------------------------

    def _default_endpoint(self, provider: Provider) -> str:
        from lace_tui.tui.endpoints import default_endpoint

        return default_endpoint(self.services, provider)

    def _set_prefilled(self, selector: str, value: str) -> None:
        """Put a provider default in a field unless the user changed that field."""
        field = self.query_one(selector, Input)
        previous = self._prefilled.get(selector)
        if previous is None or field.value == previous:
            field.value = value
        self._prefilled[selector] = value

    def _apply_provider(self, provider_id: str) -> None:
        provider = self.services.catalog.provider(provider_id)
        self.provider_id = provider_id
        self._set_prefilled("#wiz-name", provider.display_name)
        self._set_prefilled("#wiz-id", unique_id(slugify(provider.display_name), self.taken))
        env = provider.api_key_env or ""
        self._set_prefilled("#wiz-env", env)
        self.query_one("#wiz-endpoint", Input).placeholder = (
            self._default_endpoint(provider) or "the provider's endpoint URL"
        )
        env_set = bool(env and self.services.environ.get(env, "").strip())
        source = default_key_source(provider, env_set)
        if wizard_cloud.wire_type(provider) in wizard_cloud.KEY_NOTES:
            source = "none"  # optional there (the cloud's own credentials), or from GitHub
        self._set_source(source)
        wizard_cloud.show_fields(self, provider)
        self._describe_provider(provider)

    def _describe_provider(self, provider: Provider) -> None:
        parts: list[str | tuple[str, str]] = [
            "Provider ",
            (provider.display_name, "bold"),
            (f" ({provider.id}, {provider.type})", "$text-muted"),
        ]
        if not provider.can_chat:
            parts.append(("\nbrowse only: no chat client for this type yet", "$text-warning"))
        key_note = wizard_cloud.KEY_NOTES.get(wizard_cloud.wire_type(provider))
        if key_note:
            parts.append((f"\n{key_note}", "$text-muted"))
        self.query_one("#wiz-form-provider", Static).update(Content.assemble(*parts))

    def _load_instance(self, instance: Instance) -> None:
        provider = self.services.catalog.get(instance.provider)
        self.query_one("#wiz-name", Input).value = instance.name
        self.query_one("#wiz-id", Input).value = instance.id
        self.query_one("#wiz-endpoint", Input).value = instance.endpoint or ""
        self.query_one("#wiz-timeout", Input).value = f"{instance.timeout:g}"
        self.query_one("#wiz-env", Input).value = instance.api_key_env or (
            provider.api_key_env if provider and provider.api_key_env else ""
        )
        key = self.current_key
        source: KeySource = key.source if key is not None else "none"
        self._set_source(source)
        if key is not None and key.source == "stored":
            self.query_one("#wiz-key", Input).placeholder = (
                f"empty keeps the stored key ({key.masked})" if key.masked else "empty keeps it"
            )
        wizard_cloud.load_fields(self, instance)
        wizard_cloud.show_fields(self, provider)
        if provider is not None:
            self.query_one("#wiz-endpoint", Input).placeholder = self._default_endpoint(provider)
            self._describe_provider(provider)
        else:
            self.query_one("#wiz-form-provider", Static).update(
                f"Provider {instance.provider} (not in the catalog)"
            )

    def _set_source(self, source: KeySource) -> None:
        self.query_one(f"#src-{source}", RadioButton).value = True
        self._show_key_row(source)

    @property
    def key_source(self) -> KeySource:
        pressed = self.query_one("#wiz-key-source", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return "none"
        source = pressed.id.removeprefix("src-")
        if source == "stored":
            return "stored"
        if source == "env":
            return "env"
        return "none"

    def _show_key_row(self, source: KeySource) -> None:
        self.query_one("#row-key").display = source == "stored"
        self.query_one("#row-env").display = source == "env"
        self._show_error("#err-key", "")

    @on(RadioSet.Changed, "#wiz-key-source")
    def _source_changed(self) -> None:
        self._show_key_row(self.key_source)

    @on(Input.Changed, "#wiz-name")
    def _name_changed(self, event: Input.Changed) -> None:
        if self.editing is not None:
            return
        id_input = self.query_one("#wiz-id", Input)
        suggested = self._prefilled.get("#wiz-id")
        if id_input.value in ("", suggested):
            base = slugify(event.value) or slugify(self.provider_id or "") or "instance"
            new = unique_id(base, self.taken)
            self._prefilled["#wiz-id"] = new
            id_input.value = new

    @on(Input.Changed, "#wiz-id,#wiz-endpoint,#wiz-timeout,#wiz-env")
    def _validated_field_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        message = "" if result is None or result.is_valid else result.failure_descriptions[0]
        selector = {
            "wiz-id": "#err-id",
            "wiz-endpoint": "#err-endpoint",
            "wiz-timeout": "#err-timeout",
            "wiz-env": "#err-key",
        }[event.input.id or ""]
        self._show_error(selector, message)

    def _show_error(self, selector: str, message: str) -> None:
        error = self.query_one(selector, Static)
        error.update(message)
        error.display = bool(message)

    @on(Input.Submitted, "#wiz-name,#wiz-id,#wiz-endpoint,#wiz-timeout")
    def _next_field(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#wiz-key,#wiz-env")
    def _last_field(self) -> None:
        self.action_save()

    def _check_form(self) -> tuple[dict[str, object], str | None] | None:
        """The instance fields and the key to store; None (messages shown) when invalid."""
        invalid: Input | None = None
        for selector, error in (
            ("#wiz-id", "#err-id"),
            ("#wiz-endpoint", "#err-endpoint"),
            ("#wiz-timeout", "#err-timeout"),
        ):
            field = self.query_one(selector, Input)
            if field.disabled:
                continue
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                self._show_error(error, result.failure_descriptions[0])
                invalid = invalid or field
        source = self.key_source
        key_input = self.query_one("#wiz-key", Input)
        env_input = self.query_one("#wiz-env", Input)
        api_key: str | None = None
        if source == "stored":
            api_key = key_input.value.strip() or None
            has_stored = self.current_key is not None and self.current_key.source == "stored"
            if api_key is None and not has_stored:
                self._show_error("#err-key", "Paste the API key, or choose Env variable or No key")
                invalid = invalid or key_input
        elif source == "env":
            result = env_input.validate(env_input.value)
            if result is not None and not result.is_valid:
                self._show_error("#err-key", result.failure_descriptions[0])
                invalid = invalid or env_input
        if invalid is not None:
            self.set_focus(invalid)
            return None
        data: dict[str, object] = {
            "id": self.query_one("#wiz-id", Input).value,
            "name": self.query_one("#wiz-name", Input).value.strip(),
            "provider": self.provider_id or "",
            "endpoint": self.query_one("#wiz-endpoint", Input).value.strip() or None,
            "timeout": float(self.query_one("#wiz-timeout", Input).value),
            "api_key_env": env_input.value.strip().removeprefix("$") if source == "env" else None,
        }
        provider = self.services.catalog.get(self.provider_id or "")
        data["cloud"] = wizard_cloud.field_values(self, provider)
        return data, api_key

    def action_save(self) -> None:
        """Validate the form and save (in a worker: it writes files)."""
        if self.step != "form":
            return
        self._show_error("#wiz-form-error", "")
        checked = self._check_form()
        if checked is None:
            return
        data, api_key = checked
        self.query_one("#wiz-save", Button).disabled = True
        self.save(data, api_key, self.key_source)

    @work(thread=True, exclusive=True, group="wizard-save", exit_on_error=False)
    def save(self, data: dict[str, object], api_key: str | None, source: KeySource) -> None:
        from lace_tui.services.instance_service import validate_instance

        instances = self.services.instances
        cloud = data.pop("cloud", {})
        assert isinstance(cloud, dict)
        try:
            if self.editing is None:
                fields = {key: value for key, value in data.items() if value is not None}
                instance = validate_instance({**fields, **{k: v for k, v in cloud.items() if v}})
                warnings = instances.add(instance, api_key)
            else:
                had = self.current_key.source if self.current_key is not None else "none"
                env = data["api_key_env"]
                endpoint = data["endpoint"]
                timeout = data["timeout"]
                warnings = instances.edit(
                    self.editing.id,
                    name=str(data["name"]),
                    endpoint=endpoint if isinstance(endpoint, str) else "",
                    timeout=timeout if isinstance(timeout, float) else None,
                    api_key=api_key,
                    api_key_env=env if isinstance(env, str) and source == "env" else None,
                    clear_key=source == "none" and had != "none",
                    cloud=cloud,
                )
        except LaceError as exc:
            self.app.call_from_thread(self._save_failed, exc.message)
            return
        self.app.call_from_thread(self._saved, str(data["id"]), warnings)

    def _save_failed(self, message: str) -> None:
        self.query_one("#wiz-save", Button).disabled = False
        self._show_error("#wiz-form-error", message)

    def _saved(self, instance_id: str, warnings: list[str]) -> None:
        from lace_tui.tui.messages import InstancesChanged

        self.saved_id = instance_id
        self.warnings = warnings
        verb = "Updated" if self.editing is not None else "Saved"
        parts: list[str | tuple[str, str]] = [
            (f"{verb} instance '{instance_id}'.", "bold $text-success"),
            "\nTest the connection now? It sends one cheap request (lists the models).",
        ]
        for warning in warnings:
            parts.append((f"\nNote: {warning}", "$text-warning"))
        if self._signs_in():
            parts.append(("\nCopilot needs a GitHub sign-in first: press s.", "bold"))
        self.query_one("#wiz-saved", Static).update(Content.assemble(*parts))
        self._show_step("done")
        lace_app(self).broadcast(InstancesChanged)

    # -- step 3: test ----------------------------------------------------------------------

    def on_key(self, event: Key) -> None:
        if self.step == "done" and event.key == "t":
            event.stop()
            self.action_test()
        elif self.step == "done" and event.key == "s" and self._signs_in():
            event.stop()
            self.sign_in(str(self.saved_id))
        elif (
            self.step == "provider"
            and event.key == "down"
            and self.focused is self.query_one("#wiz-filter", Input)
        ):
            event.stop()
            self.set_focus(self.query_one("#wiz-providers", OptionList))

    def _signs_in(self) -> bool:
        provider = self.services.catalog.get(self.provider_id or "")
        return provider is not None and wizard_cloud.wire_type(provider) == "copilot"

    @work(thread=True, exclusive=True, group="wizard-sign-in", exit_on_error=False)
    def sign_in(self, instance_id: str) -> None:
        """GitHub's device flow (in a thread: it polls and writes the key file)."""
        import asyncio

        from lace_tui.services.instance_service import DeviceCode

        result = self.query_one("#wiz-test-result", Static)

        def show(code: DeviceCode) -> None:
            text = Content.assemble(
                "Open ",
                (code.verification_uri, "bold"),
                " and enter the code ",
                (code.user_code, "bold $accent"),
                "\nWaiting for the sign-in…",
            )
            self.app.call_from_thread(result.update, text)

        try:
            asyncio.run(self.services.instances.login(instance_id, show))
        except LaceError as exc:
            message = Content.styled(f"Sign-in failed: {exc.message}", "$text-error")
        else:
            message = Content.styled("Signed in to GitHub. Press t to test.", "bold $text-success")
        self.app.call_from_thread(result.update, message)

    def action_test(self) -> None:
        """Run the real connection test of the saved instance."""
        if self.saved_id is None:
            return
        self.query_one("#wiz-test", Button).disabled = True
        self.query_one("#wiz-test-result", Static).update(
            Content.styled("Testing the connection…", "$text-warning")
        )
        self.run_test(self.saved_id)

    @work(exclusive=True, group="wizard-test", exit_on_error=False)
    async def run_test(self, instance_id: str) -> None:
        try:
            status = await self.services.instances.test(instance_id)
        except LaceError as exc:
            self._show_result(None, exc.message)
        else:
            self._show_result(status, "")
        finally:
            self.query_one("#wiz-test", Button).disabled = False
            self.set_focus(self.query_one("#wiz-done", Button))

    def _show_result(self, status: ConnectionStatus | None, error: str) -> None:
        from lace_tui.tui.format import status_label

        result = self.query_one("#wiz-test-result", Static)
        if status is None:
            result.update(Content.styled(f"Test failed: {error}", "$text-error"))
            return
        good = status.state == "connected"
        text = status_label(status).capitalize()
        if status.message:
            text += f": {status.message}"
        result.update(Content.styled(text, "bold $text-success" if good else "bold $text-error"))

    # -- buttons and leaving -----------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {
            "wiz-back": self.action_back,
            "wiz-next": self.action_next,
            "wiz-save": self.action_save,
            "wiz-test": self.action_test,
            "wiz-done": self.action_cancel,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.step == "form" and self.editing is None
        if action == "save":
            return self.step == "form"
        return True

    def action_cancel(self) -> None:
        """Esc: before saving nothing is written; after saving, close with the saved id."""
        self.dismiss(self.saved_id)
