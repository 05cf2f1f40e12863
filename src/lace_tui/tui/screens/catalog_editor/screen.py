"""The catalog editor: your own providers and overrides, their fields and models, backups,
import and export, and catalog updates.

Left: the providers of your catalog files (custom ones, and overrides of built-in ones). Right:
the open provider's form and its model table. Any provider of the catalog can be opened (`o`);
a built-in one is never changed in place: the first save (or model change) writes your own copy,
an override, which Reset removes again. The form's fields are saved with Ctrl+S; a model is
saved as soon as its dialog is. Every file and network operation runs in a worker, and every
change reloads the catalog and tells the other screens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from lace_tui.catalog.custom import CatalogEditor, SaveResult, UserProvider
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.validation import validate_provider
from lace_tui.errors import LaceError
from lace_tui.services.cost import format_price
from lace_tui.tui.format import format_tokens
from lace_tui.tui.literal import assemble, cells, styled
from lace_tui.tui.messages import CatalogReady
from lace_tui.tui.screens.catalog_editor.common import announce_catalog_change, short_path
from lace_tui.tui.screens.catalog_editor.dialogs import ProviderChoice
from lace_tui.tui.screens.catalog_editor.form import ProviderForm
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from lace_tui.catalog.core import CatalogSource
    from lace_tui.services.app_services import Services
    from lace_tui.tui.palette import PaletteCommand

_ORIGINS: dict[str, str] = {"shipped": "shipped", "update": "catalog update", "user": "your file"}
_BUILT_IN: dict[str, str] = {
    "shipped": "shipped provider",
    "update": "provider from the catalog update",
}


@dataclass(frozen=True)
class EditorView:
    """What the editor shows, read off the UI loop."""

    entries: list[UserProvider]
    provider: Provider | None
    source: CatalogSource | None
    overrides: Literal["shipped", "update"] | None
    path: Path | None
    types: list[str]
    choices: list[ProviderChoice]
    taken: set[str]
    missing: str = ""  # the message when the asked-for provider does not exist


@dataclass(frozen=True)
class ChangeOutcome:
    """What a change did: a line to show, the provider to open afterwards, and warnings."""

    message: str
    open_id: str | None
    warnings: list[str] = field(default_factory=list)
    keep_edits: bool = False
    focus_models: bool = False  # move the focus to the model table (a provider was opened)


def read_view(services: Services, editor: CatalogEditor, provider_id: str | None) -> EditorView:
    """Everything the editor shows for `provider_id` (reads files: call it in a worker)."""
    entries = editor.list_custom()
    catalog = services.catalog
    overrides = {entry.provider.id: entry.overrides for entry in entries}
    choices: list[ProviderChoice] = []
    for known in catalog.providers.values():
        origin = _ORIGINS.get(catalog.sources[known.id], catalog.sources[known.id])
        if overrides.get(known.id) is not None:
            origin = "your override"
        choices.append(
            ProviderChoice(known.id, known.display_name, known.type, len(known.models), origin)
        )
    taken = set(catalog.providers) | {path.stem for path in catalog.user_files.values()}
    if editor.directory.is_dir():
        taken |= {path.stem for path in editor.directory.glob("*.json")}
    missing = ""
    provider = catalog.get(provider_id) if provider_id is not None else None
    if provider_id is not None and provider is None:
        missing = f"unknown provider '{provider_id}': it is not in the catalog"
    return EditorView(
        entries=entries,
        provider=provider,
        source=catalog.sources.get(provider.id) if provider is not None else None,
        overrides=overrides.get(provider.id) if provider is not None else None,
        path=catalog.user_files.get(provider.id) if provider is not None else None,
        types=sorted({p.type for p in catalog.providers.values()}),
        choices=choices,
        taken=taken,
        missing=missing,
    )


def model_row(model: Model) -> tuple[str | Text, ...]:
    """The model table's cells for `model`."""
    write, read = model.cost_per_1m_in_cached, model.cost_per_1m_out_cached
    cached = (
        "—" if write is None and read is None else f"{format_price(write)}/{format_price(read)}"
    )
    no = Text("no", "dim")
    return (
        model.id,
        Text(format_price(model.cost_per_1m_in), justify="right"),
        Text(format_price(model.cost_per_1m_out), justify="right"),
        Text(cached, justify="right"),
        Text(format_tokens(model.context_window), justify="right"),
        Text(format_tokens(model.default_max_tokens), justify="right"),
        "yes" if model.can_reason else no,
        "yes" if model.supports_attachments else no,
        Text(model.name, "dim"),
    )


class ModelTable(DataTable[str | Text]):
    """The open provider's models; a / e (Enter) / d add, edit and remove one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "screen.add_model", "Add model"),
        Binding("e", "screen.edit_model", "Edit model"),
        Binding("d,delete", "screen.remove_model", "Remove model", key_display="d"),
    ]


class CatalogEditorScreen(Screen[None]):
    """Edit your catalog files; `provider_id` opens that provider (any in the catalog)."""

    SECTION = "catalog editor"
    HOWTO = (
        "Left: your catalog files (custom providers, and overrides of built-in ones); Enter "
        "opens one. `o` opens any provider of the catalog: a built-in one is not changed in "
        "place, your first save makes your own copy (an override) and Reset (r) removes it.\n"
        "Right: the provider's fields (Tab moves, Ctrl+S saves; messages under a field are "
        "errors in red, which block saving, or warnings) and its models: a adds, e or Enter "
        "edits, d removes (each saved at once). The key field takes a $VARIABLE only: keys "
        "belong with an instance.\n"
        "n new provider from a template · c duplicate to a custom provider · Del deletes one "
        "of yours · i imports a Catwalk JSON file · x exports · b backups (restore) · U "
        "fetches a catalog update and shows what changes before applying it. Every change "
        "backs up the file it replaces."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save provider", tooltip="Save the provider's fields"),
        Binding("n", "new", "New provider", tooltip="New provider from a template"),
        Binding("o", "open", "Open provider", tooltip="Edit any provider of the catalog"),
        Binding("c", "duplicate", "Duplicate to custom", show=False),
        Binding("r", "reset", "Reset override", show=False),
        Binding("delete", "delete", "Delete provider", key_display="Del", show=False),
        Binding("i", "import_file", "Import file", show=False),
        Binding("x", "export", "Export provider", show=False),
        Binding("b", "backups", "Backups", tooltip="Restore a backup of a catalog file"),
        Binding("U", "update_catalog", "Update catalog", tooltip="Fetch, diff, then apply"),
        Binding("escape", "back", "Back"),
    ]

    DEFAULT_CSS = """
    CatalogEditorScreen #ce-body {
        height: 1fr;
    }
    CatalogEditorScreen #ce-left {
        width: 26;
        height: 1fr;
        background: $panel;
    }
    CatalogEditorScreen .ce-pane-title {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-style: bold;
    }
    CatalogEditorScreen #ce-list {
        height: 1fr;
        border: none;
        padding: 0;
        background: $panel;
    }
    CatalogEditorScreen #ce-keys {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    CatalogEditorScreen #ce-right {
        width: 1fr;
        height: 1fr;
        padding: 0 0 0 1;
    }
    CatalogEditorScreen #ce-heading {
        height: auto;
        margin-bottom: 1;
    }
    CatalogEditorScreen #ce-models-title {
        height: 1;
        margin-top: 1;
        color: $text-muted;
    }
    CatalogEditorScreen #ce-models {
        height: 1fr;
    }
    CatalogEditorScreen #ce-empty {
        height: 1fr;
        padding: 1 1;
    }
    """

    def __init__(self, services: Services, provider_id: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.editor = services.catalog_service.editor
        self.provider_id = provider_id
        self.view: EditorView | None = None
        self._first_view = True
        self._pick_first = provider_id is None
        self._own_announcements = 0  # CatalogReady messages this screen caused itself

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SectionBar("catalog", "Catalog editor")
        with Horizontal(id="ce-body"):
            with Vertical(id="ce-left"):
                yield Static("Your catalog files", classes="ce-pane-title")
                yield OptionList(id="ce-list")
                yield Static(
                    assemble(
                        ("o", "bold"),
                        " edit any provider\n",
                        ("n", "bold"),
                        " new · ",
                        ("c", "bold"),
                        " duplicate\n",
                        ("i", "bold"),
                        " import · ",
                        ("x", "bold"),
                        " export\n",
                        ("r", "bold"),
                        " reset · ",
                        ("Del", "bold"),
                        " delete\n",
                        ("F1", "bold"),
                        " every key",
                    ),
                    id="ce-keys",
                )
            with Vertical(id="ce-right"):
                yield Static("", id="ce-heading")
                yield ProviderForm(id="ce-form")
                yield Static("", id="ce-models-title")
                yield ModelTable(id="ce-models", cursor_type="row", zebra_stripes=True)
                yield Static("Reading your catalog files…", id="ce-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#ce-models", ModelTable)
        for title, key in (
            ("Model ID", "id"),
            ("In $/M", "in"),
            ("Out $/M", "out"),
            ("Cache w/r", "cached"),
            ("Context", "context"),
            ("Max out", "max"),
            ("Reason", "reason"),
            ("Attach", "attach"),
            ("Name", "name"),
        ):
            table.add_column(title, key=key)
        self._show_provider_parts(False)
        self.refresh_view(self.provider_id)

    # -- reading and showing ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="catalog-editor-view", exit_on_error=False)
    def refresh_view(
        self,
        provider_id: str | None,
        *,
        reload: bool = False,
        outcome: ChangeOutcome | None = None,
    ) -> None:
        """Read the files (after reloading the catalog when `reload`) and show them."""
        worker = get_current_worker()
        try:
            if reload:
                self.services.reload_catalog()
                # Even when a newer refresh replaces this one, the change is told about.
                self.app.call_from_thread(self._changed, outcome)
            view = read_view(self.services, self.editor, provider_id)
        except LaceError as exc:
            self.app.call_from_thread(self._report, exc.message)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_view, view, outcome)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A LaceError is reported where it happens; anything else (a bug, an OSError) gets a
        # line here instead of passing silently.
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self._report(f"catalog editor: {type(error).__name__}: {error}")

    def _report(self, message: str) -> None:
        self.notify(message, severity="error", timeout=8)

    def _changed(self, outcome: ChangeOutcome | None) -> None:
        """The files changed and the catalog was reloaded: tell every screen, and the user."""
        self._own_announcements += 1
        announce_catalog_change(self.app)
        if outcome is not None and outcome.message:
            self.notify(outcome.message, title="Catalog editor")
            for warning in outcome.warnings:
                self.notify(warning, title="Warning", severity="warning", timeout=8)

    def _show_view(self, view: EditorView, outcome: ChangeOutcome | None = None) -> None:
        keep_edits = outcome.keep_edits if outcome is not None else True
        if view.missing:
            self.notify(view.missing, severity="error")
        provider = view.provider
        if provider is None and self._pick_first and view.entries:
            # Opened without a provider: show the first of your files.
            self._pick_first = False
            self.refresh_view(view.entries[0].provider.id)
            return
        self._pick_first = False
        same = (
            self.view is not None
            and self.view.provider is not None
            and provider is not None
            and self.view.provider.id == provider.id
        )
        self.view = view
        self.provider_id = provider.id if provider is not None else None
        self._fill_list(view)
        if provider is None:
            self._show_provider_parts(False)
            self._show_empty(view)
        else:
            self._show_provider_parts(True)
            self.query_one(ProviderForm).load(provider, view.types, keep_edits=same and keep_edits)
            self._fill_models(provider)
            self._update_heading()
        if self._first_view:
            self._first_view = False
            self._initial_focus(view)
        elif outcome is not None and outcome.focus_models and provider is not None:
            self.query_one("#ce-models", ModelTable).focus()

    def _initial_focus(self, view: EditorView) -> None:
        if view.provider is not None:
            self.query_one("#ce-models", ModelTable).focus()
        else:
            self.query_one("#ce-list", OptionList).focus()

    def _show_provider_parts(self, shown: bool) -> None:
        for selector in ("#ce-heading", "#ce-form", "#ce-models-title", "#ce-models"):
            self.query_one(selector).display = shown
        self.query_one("#ce-empty").display = not shown

    def _show_empty(self, view: EditorView) -> None:
        self.query_one(SectionBar).set_detail("Catalog editor")
        lead = (
            "No provider open."
            if view.entries
            else "You have no catalog files yet. Yours add providers or override built-in ones."
        )
        self.query_one("#ce-empty", Static).update(
            assemble(
                (lead, "bold"),
                "\n\n",
                ("n", "bold $accent"),
                "  a new provider from a template (OpenAI- or Anthropic-compatible server, "
                "Ollama, LM Studio)\n",
                ("o", "bold $accent"),
                "  edit any provider of the catalog (your copy overrides it)\n",
                ("i", "bold $accent"),
                "  import a Catwalk JSON file\n",
                ("b", "bold $accent"),
                "  restore a backup\n",
                ("U", "bold $accent"),
                "  update the catalog from Catwalk",
            )
        )

    def _fill_list(self, view: EditorView) -> None:
        options = self.query_one("#ce-list", OptionList)
        options.clear_options()
        highlight: int | None = None
        for index, entry in enumerate(view.entries):
            provider = entry.provider
            kind = "override" if entry.overrides else "custom"
            if provider.id == self.provider_id:
                highlight = index
            options.add_option(
                Option(
                    assemble(
                        (provider.display_name, "bold"),
                        (f"\n {provider.id} · {kind}", "$text-muted"),
                    ),
                    id=provider.id,
                )
            )
        if not view.entries:
            options.add_option(Option(styled("(none yet)", "$text-muted"), disabled=True))
        if highlight is not None:
            options.highlighted = highlight

    def _fill_models(self, provider: Provider) -> None:
        table = self.query_one("#ce-models", ModelTable)
        row = table.cursor_row
        table.clear()
        for model in provider.models:
            table.add_row(*cells(model_row(model)), key=model.id)
        if provider.models:
            table.move_cursor(row=min(row, len(provider.models) - 1), animate=False)
        count = len(provider.models)
        warnings = [
            warning
            for warning in validate_provider(provider).warnings
            if warning.field.startswith("models[")
        ]
        note: tuple[str, str] | str = "  a add · e edit · d remove"
        if warnings:
            plural = "s" if len(warnings) != 1 else ""
            note = (f"  {len(warnings)} model warning{plural}: e shows it", "$text-warning")
        self.query_one("#ce-models-title", Static).update(
            assemble((f"Models ({count})", "bold"), note)
        )

    def _update_heading(self) -> None:
        view = self.view
        if view is None or view.provider is None:
            return
        provider = view.provider
        dirty = self.query_one(ProviderForm).dirty
        self.query_one(SectionBar).set_detail(f"Editing {provider.id}")
        target = view.path or self.editor.directory / f"{provider.id}.json"
        where = short_path(target, self.services.paths)
        if view.overrides is not None:
            origin: tuple[str, str] = (
                f"Your override of a {_BUILT_IN[view.overrides]} · {where} · r resets it",
                "$text-muted",
            )
        elif view.source == "user":
            origin = (f"Your own provider · {where}", "$text-muted")
        else:
            label = _ORIGINS.get(view.source or "shipped", "built-in")
            origin = (
                f"Built in ({label}): your first save makes your own copy, an override, in {where}",
                "$text-warning",
            )
        self.query_one("#ce-heading", Static).update(
            assemble(
                (provider.display_name, "bold"),
                (f"  {provider.id}", "$text-muted"),
                ("  ● unsaved (ctrl+s)", "bold $text-warning") if dirty else "",
                "\n",
                origin,
            )
        )

    @on(ProviderForm.Changed)
    def _form_changed(self) -> None:
        self._update_heading()

    def on_catalog_ready(self, _: CatalogReady) -> None:
        # The catalog was reloaded elsewhere (an update, another screen): keep unsaved fields.
        if self._own_announcements > 0:
            self._own_announcements -= 1
            return
        if self.view is not None:
            self.refresh_view(self.provider_id)

    # -- helpers ---------------------------------------------------------------------------

    @property
    def form(self) -> ProviderForm:
        return self.query_one(ProviderForm)

    def _current(self) -> Provider | None:
        """The open provider, or None (with a hint shown)."""
        provider = self.view.provider if self.view is not None else None
        if provider is None:
            self.notify("No provider open: o opens one, n makes a new one", severity="warning")
        return provider

    def _guard(self, then: Callable[[], object]) -> None:
        """Run `then`, after asking when the form holds unsaved changes."""
        from lace_tui.tui.screens.confirm import ConfirmScreen

        provider = self.view.provider if self.view is not None else None
        if provider is None or not self.form.dirty:
            then()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(
            ConfirmScreen(
                f"Discard your unsaved changes to {provider.display_name}?", confirm="Discard"
            ),
            answered,
        )

    def _confirm(self, question: str, confirm: str, then: Callable[[], object]) -> None:
        from lace_tui.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmScreen(question, confirm=confirm), answered)

    @work(thread=True, exclusive=True, group="catalog-editor-change", exit_on_error=False)
    def run_change(self, change: Callable[[CatalogEditor], ChangeOutcome]) -> None:
        """Make a change to the files, reload the catalog, show the result."""
        try:
            outcome = change(self.editor)
            self.services.reload_catalog()
            self.app.call_from_thread(self._changed, outcome)
            view = read_view(self.services, self.editor, outcome.open_id)
        except LaceError as exc:
            self.app.call_from_thread(self._report, exc.message)
            return
        self.app.call_from_thread(self._show_view, view, outcome)

    def _saved(
        self, message: str, *, keep_edits: bool, focus_models: bool = True
    ) -> Callable[[SaveResult | None], None]:
        """A dialog callback: reload and show the provider a dialog saved."""

        def done(result: SaveResult | None) -> None:
            if result is None:
                return
            outcome = ChangeOutcome(
                message.replace("{id}", result.provider.id),
                result.provider.id,
                warnings=[str(warning) for warning in result.warnings],
                keep_edits=keep_edits,
                focus_models=focus_models,
            )
            self.refresh_view(result.provider.id, reload=True, outcome=outcome)

        return done

    # -- the list --------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#ce-list")
    def _list_selected(self, event: OptionList.OptionSelected) -> None:
        provider_id = event.option.id
        if provider_id is None or provider_id == self.provider_id:
            self.query_one("#ce-models", ModelTable).focus()
            return
        self._guard(lambda: self._open(provider_id))

    def _open(self, provider_id: str) -> None:
        self.provider_id = provider_id
        self.refresh_view(provider_id, outcome=ChangeOutcome("", provider_id, focus_models=True))

    # -- provider actions ------------------------------------------------------------------

    def action_save(self) -> None:
        """Ctrl+S: validate the fields and save the provider (a built-in one: as an override)."""
        provider = self._current()
        if provider is None:
            return
        form = self.form
        if not form.dirty:
            self.notify("No changes to save")
            return
        report = form.revalidate()
        if report.errors:
            invalid = form.first_invalid()
            if invalid is not None:
                self.query_one(f"#{invalid}").focus()
            count = len(report.errors)
            self.notify(
                f"{count} field{'s' if count != 1 else ''} to fix (marked in red); nothing was "
                "saved",
                severity="error",
            )
            return
        data = form.candidate()
        provider_id = provider.id

        def change(editor: CatalogEditor) -> ChangeOutcome:
            result = editor.save_provider(data, create=False)
            return ChangeOutcome(
                f"Saved {provider_id} to {short_path(result.path, self.services.paths)}",
                provider_id,
                warnings=[str(warning) for warning in result.warnings],
            )

        self.run_change(change)

    def action_new(self) -> None:
        """n: a new custom provider from a template."""
        from lace_tui.tui.screens.catalog_editor.dialogs import NewProviderScreen

        def show() -> None:
            taken = self.view.taken if self.view is not None else set()
            self.app.push_screen(
                NewProviderScreen(
                    taken,
                    lambda template, provider_id, name: self.editor.create_from_template(
                        template or "", provider_id, name
                    ),
                ),
                self._saved("Created provider {id}", keep_edits=False),
            )

        self._guard(show)

    def action_open(self) -> None:
        """o: pick any provider of the catalog to edit."""
        from lace_tui.tui.screens.catalog_editor.dialogs import ProviderPickerScreen

        if self.view is None:
            return
        choices = self.view.choices

        def chosen(provider_id: str | None) -> None:
            if provider_id is not None and provider_id != self.provider_id:
                self._open(provider_id)

        self._guard(
            lambda: self.app.push_screen(ProviderPickerScreen(choices, self.provider_id), chosen)
        )

    def action_duplicate(self) -> None:
        """c: copy the open provider (as saved) under a new id, as your own provider."""
        from lace_tui.tui.screens.catalog_editor.dialogs import NewProviderScreen

        provider = self._current()
        if provider is None or self.view is None:
            return
        note = f"A copy of {provider.display_name} and its {len(provider.models)} models"
        if self.form.dirty:
            note += " as last saved (your unsaved changes are not copied)"
        self.app.push_screen(
            NewProviderScreen(
                self.view.taken,
                lambda _template, new_id, name: self.editor.duplicate(provider.id, new_id, name),
                templates=False,
                title=f"Duplicate {provider.display_name} to a custom provider",
                name=f"{provider.display_name} (copy)",
                note=note + ".",
            ),
            self._saved("Created provider {id}, a copy of " + provider.id, keep_edits=False),
        )

    def action_reset(self) -> None:
        """r: remove your override of a built-in provider (after asking)."""
        provider = self._current()
        if provider is None or self.view is None:
            return
        overrides = self.view.overrides
        if overrides is None:
            what = (
                "your own provider: Del deletes it"
                if self.view.source == "user"
                else ("the built-in version already")
            )
            self.notify(f"{provider.id} is {what}; nothing to reset", severity="warning")
            return
        provider_id = provider.id

        def change(editor: CatalogEditor) -> ChangeOutcome:
            editor.reset(provider_id)
            return ChangeOutcome(
                f"Reset {provider_id} to the {_ORIGINS[overrides]} version (your file is in "
                "the backups)",
                provider_id,
            )

        lost = " Your unsaved changes are lost." if self.form.dirty else ""
        self._confirm(
            f"Reset {provider.display_name} to the {_ORIGINS[overrides]} version? Your override "
            f"file is removed (a backup is kept).{lost}",
            "Reset",
            lambda: self.run_change(change),
        )

    def action_delete(self) -> None:
        """Del: delete one of your own providers (after asking)."""
        provider = self._current()
        if provider is None or self.view is None:
            return
        if self.view.overrides is not None:
            self.notify(
                f"{provider.id} overrides a built-in provider: r resets it instead",
                severity="warning",
            )
            return
        if self.view.source != "user":
            self.notify(
                f"{provider.id} is built in: there is no file of yours to delete",
                severity="warning",
            )
            return
        provider_id = provider.id
        remaining = [e.provider.id for e in self.view.entries if e.provider.id != provider_id]

        def change(editor: CatalogEditor) -> ChangeOutcome:
            editor.delete(provider_id)
            return ChangeOutcome(
                f"Deleted {provider_id} (b restores it from the backups)",
                remaining[0] if remaining else None,
            )

        self._confirm(
            f"Delete your provider {provider.display_name} ({provider_id})? Its file is removed; "
            "a backup is kept (b restores it).",
            "Delete",
            lambda: self.run_change(change),
        )

    def action_import_file(self) -> None:
        """i: import a Catwalk JSON file (validated first; nothing written on an error)."""
        from lace_tui.tui.screens.catalog_editor.dialogs import FileScreen

        imported: list[str] = []

        def run(path: Path, overwrite: bool) -> str:
            imported[:] = self.editor.import_file(path, overwrite)
            return "Imported " + ", ".join(imported)

        def done(message: str | None) -> None:
            if message is not None and imported:
                self.refresh_view(
                    imported[0],
                    reload=True,
                    outcome=ChangeOutcome(message, imported[0], focus_models=True),
                )

        def show() -> None:
            self.app.push_screen(
                FileScreen(
                    "Import a catalog file",
                    run,
                    placeholder="path to a Catwalk JSON file (one provider or a list)",
                    note="Everything is checked first: on any error nothing is imported.",
                    verb="Import",
                    overwrite_label="Replace providers already in my catalogs (backed up)",
                ),
                done,
            )

        self._guard(show)

    def action_export(self) -> None:
        """x: write the open provider (as saved) to a Catwalk JSON file."""
        from lace_tui.tui.screens.catalog_editor.dialogs import FileScreen

        provider = self._current()
        if provider is None:
            return
        provider_id = provider.id
        note = "Keys are never exported (a $VARIABLE reference is kept)."
        if self.form.dirty:
            note = "The saved version is exported, not your unsaved changes. " + note

        def run(path: Path, overwrite: bool) -> str:
            written = self.editor.export(provider_id, path, overwrite=overwrite)
            return f"Exported {provider_id} to {written}"

        def done(message: str | None) -> None:
            if message is not None:
                self.notify(message, title="Catalog editor")

        self.app.push_screen(
            FileScreen(
                f"Export {provider.display_name}",
                run,
                path=f"{provider_id}.json",
                note=note,
                verb="Export",
                ask_overwrite=True,
            ),
            done,
        )

    def action_backups(self) -> None:
        """b: list the backups of your catalog files; restore one."""
        from lace_tui.tui.screens.catalog_editor.backups import BackupsScreen

        def show() -> None:
            self.app.push_screen(
                BackupsScreen(self.editor, self.provider_id),
                self._saved("Restored {id} from its backup", keep_edits=False),
            )

        self._guard(show)

    def action_update_catalog(self) -> None:
        """U: fetch a catalog update, show the diff, apply or cancel."""
        from lace_tui.tui.screens.catalog_editor.update import open_update_flow

        open_update_flow(self.app, self.services)

    def action_back(self) -> None:
        """Esc: from a field back to the list; from the list or table, close the editor."""
        focused = self.focused
        if isinstance(focused, Input | Select):
            self.query_one("#ce-list", OptionList).focus()
            return
        self._guard(self.dismiss)

    # -- models ----------------------------------------------------------------------------

    def _highlighted_model(self) -> Model | None:
        provider = self._current()
        if provider is None:
            return None
        table = self.query_one("#ce-models", ModelTable)
        if not provider.models or not 0 <= table.cursor_row < len(provider.models):
            self.notify("No model highlighted: a adds one", severity="warning")
            return None
        return provider.models[table.cursor_row]

    def action_add_model(self) -> None:
        """a: add a model to the open provider (saved at once)."""
        from lace_tui.tui.screens.catalog_editor.model import ModelFormScreen

        provider = self._current()
        if provider is None:
            return
        provider_id = provider.id
        self.app.push_screen(
            ModelFormScreen(
                provider, None, lambda entry: self.editor.add_model(provider_id, entry)
            ),
            self._saved("Added the model to {id}", keep_edits=True),
        )

    @on(DataTable.RowSelected, "#ce-models")
    def action_edit_model(self) -> None:
        """e / Enter: edit the highlighted model (saved at once)."""
        from lace_tui.tui.screens.catalog_editor.model import ModelFormScreen

        provider = self.view.provider if self.view is not None else None
        model = self._highlighted_model()
        if provider is None or model is None:
            return
        provider_id, model_id = provider.id, model.id
        self.app.push_screen(
            ModelFormScreen(
                provider,
                model,
                lambda entry: self.editor.update_model(provider_id, model_id, entry),
            ),
            self._saved(f"Saved model {model_id} of " + "{id}", keep_edits=True),
        )

    def action_remove_model(self) -> None:
        """d: remove the highlighted model (after asking)."""
        model = self._highlighted_model()
        provider = self.view.provider if self.view is not None else None
        if provider is None or model is None:
            return
        provider_id, model_id = provider.id, model.id

        def change(editor: CatalogEditor) -> ChangeOutcome:
            editor.remove_model(provider_id, model_id)
            return ChangeOutcome(
                f"Removed model {model_id} from {provider_id}", provider_id, keep_edits=True
            )

        self._confirm(
            f"Remove model {model_id} from {provider.display_name}? (The file is backed up first.)",
            "Remove",
            lambda: self.run_change(change),
        )

    def palette_commands(self) -> list[PaletteCommand]:
        """Model actions for the command palette wherever the focus is."""
        from lace_tui.tui.palette import PaletteCommand

        return [
            PaletteCommand("Add model", "Add a model to the open provider", self.action_add_model),
            PaletteCommand("Edit model", "Edit the highlighted model", self.action_edit_model),
            PaletteCommand(
                "Remove model", "Remove the highlighted model", self.action_remove_model
            ),
            PaletteCommand(
                "Delete provider", "Delete your provider (a backup is kept)", self.action_delete
            ),
        ]


def open_catalog_editor(
    app: App[object], services: Services, provider_id: str | None = None
) -> None:
    """Show the catalog editor, opened on `provider_id` (any provider of the catalog) if given."""
    app.push_screen(CatalogEditorScreen(services, provider_id))
