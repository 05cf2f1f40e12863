"""Update the catalog from Catwalk in the app: fetch, show the diff, then apply or cancel.

Nothing runs until the user asks (never at start-up). The fetch runs in a worker; the dialog
shows every change (and every provider skipped as invalid) before anything is written. Apply
stores the update and reloads the catalog; Cancel, Esc or a failure writes nothing.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, Final, Literal

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from lace_tui.errors import LaceError
from lace_tui.tui.literal import assemble, literal, styled
from lace_tui.tui.screens.catalog_editor.common import announce_catalog_change

if TYPE_CHECKING:
    from lace_tui.catalog.update import PendingUpdate, UpdateResult
    from lace_tui.services.app_services import Services
    from lace_tui.tui.app import LaceApp

State = Literal["fetching", "ready", "failed", "applying"]
_LINE_STYLES: Final = {"+": "$text-success", "-": "$text-error", "~": "$text-warning"}


def diff_content(pending: PendingUpdate) -> Content:
    """The skipped providers, then one line per change, coloured by kind."""
    parts: list[Content | tuple[str, str] | str] = []
    for issue in pending.skipped:
        parts.append((f"! skipped {issue.reason}\n", "$text-warning"))
    lines = pending.diff.lines()
    for line in lines:
        parts.append((line + "\n", _LINE_STYLES.get(line[:1], "")))
    if not lines:
        parts.append(("No provider, model, price or context window changes.", "italic"))
    return assemble(*parts).rstrip()


def summary_content(pending: PendingUpdate) -> Content:
    """What the update holds and what it changes, in two lines."""
    models = sum(len(provider.models) for provider in pending.providers)
    skipped = len(pending.skipped)
    held = f"{len(pending.providers)} providers, {models} models"
    if skipped:
        held += f"; {skipped} invalid provider{'s' if skipped != 1 else ''} skipped"
    return assemble(("Changes: ", "bold"), pending.diff.summary(), "\n", (held, "$text-muted"))


class UpdateScreen(ModalScreen["UpdateResult | None"]):
    """Fetches an update, shows its diff; returns the result when applied, else None."""

    HOWTO = (
        "The catalog update fetched from Catwalk (the catwalk_url setting), compared with the "
        "catalog in use: + added, - removed, ~ changed (prices per million tokens, context "
        "windows). Invalid providers in the reply are skipped and listed. Apply stores it "
        "(your own catalog files still override it); Esc or Cancel writes nothing."
    )
    SECTION = "catalog update"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("a", "apply", "Apply"),
        Binding("r", "retry", "Retry"),
        Binding("f1", "app.help", "Help", show=False),
    ]

    DEFAULT_CSS = """
    UpdateScreen #update {
        width: 76;
        height: auto;
        max-height: 100%;
    }
    UpdateScreen #up-source, UpdateScreen #up-summary {
        height: auto;
    }
    UpdateScreen #up-diff {
        height: auto;
        max-height: 50vh;
        margin-top: 1;
        background: $boost;
    }
    UpdateScreen #up-error {
        height: auto;
        color: $text-error;
    }
    """

    def __init__(self, services: Services, source: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.source = source
        self.state: State = "fetching"
        self.pending: PendingUpdate | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="update"):
            yield Static(styled("Update the catalog", "bold"), classes="dialog-title")
            yield Static("", id="up-source")
            yield Static("", id="up-summary")
            with VerticalScroll(id="up-diff"):
                yield Static("", id="up-lines")
            yield Static("", id="up-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="up-cancel", compact=True)
                yield Button("Retry (r)", id="up-retry", compact=True)
                yield Button("Apply (a)", id="up-apply", variant="primary", compact=True)
            yield Static("", id="up-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        self.action_retry()

    # -- states ----------------------------------------------------------------------------

    def _set_state(self, state: State) -> None:
        self.state = state
        self.query_one("#up-apply", Button).display = state in ("ready", "applying")
        self.query_one("#up-apply", Button).disabled = state == "applying"
        self.query_one("#up-retry", Button).display = state == "failed"
        self.query_one("#up-diff").display = state in ("ready", "applying")
        hints = {
            "fetching": "Fetching… Esc cancels (nothing is written)",
            "ready": "↑/↓ PgUp/PgDn scroll · a applies · Esc cancels (nothing is written)",
            "failed": "r retries · Esc closes (nothing was written)",
            "applying": "Applying…",
        }
        self.query_one("#up-hint", Static).update(hints[state])
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.state == "ready" and self.pending is not None and not self.pending.unchanged
        if action == "retry":
            return self.state == "failed"
        return True

    # -- fetching --------------------------------------------------------------------------

    def action_retry(self) -> None:
        """Fetch the update (again)."""
        self._show_source(self.source or "the catwalk_url setting")
        summary = self.query_one("#up-summary", Static)
        summary.update(styled("Fetching the provider list…", "$text-warning"))
        summary.display = True
        self._show_error("")
        self._set_state("fetching")
        self.fetch(self.source)

    def _show_source(self, source: str) -> None:
        self.query_one("#up-source", Static).update(assemble(("From ", "$text-muted"), source))

    @work(exclusive=True, group="catalog-update-fetch", exit_on_error=False)
    async def fetch(self, source: str | None) -> None:
        catalogs = self.services.catalog_service
        try:
            if source is None:
                source = await asyncio.to_thread(catalogs.update_source)
                self._show_source(source)
            pending = await catalogs.prepare_update(source)
        except LaceError as exc:
            self._failed(exc.message)
            return
        self._ready(pending)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A bug in a worker must not leave the dialog waiting for ever.
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self._failed(f"catalog update failed: {type(error).__name__}: {error}")

    def _show_error(self, message: str) -> None:
        line = self.query_one("#up-error", Static)
        line.update(literal(message))
        line.display = bool(message)

    def _failed(self, message: str) -> None:
        self.query_one("#up-summary", Static).display = False
        self._show_error(message)
        self._set_state("failed")
        self.query_one("#up-cancel", Button).focus()

    def _ready(self, pending: PendingUpdate) -> None:
        self.pending = pending
        self._show_source(pending.source)
        if pending.unchanged:
            self.query_one("#up-summary", Static).update(
                styled(
                    "The catalog is up to date: the server reports no change since the last "
                    "update.",
                    "$text-success",
                )
            )
            self.query_one("#up-lines", Static).update("")
            self._set_state("ready")
            self.query_one("#up-apply", Button).display = False
            self.query_one("#up-diff").display = False
            self.query_one("#up-cancel", Button).label = "Close (esc)"
            self.query_one("#up-hint", Static).update("Esc closes")
            self.query_one("#up-cancel", Button).focus()
            return
        self.query_one("#up-summary", Static).update(summary_content(pending))
        self.query_one("#up-lines", Static).update(diff_content(pending))
        self._set_state("ready")
        self.query_one("#up-diff", VerticalScroll).focus()

    # -- applying --------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {"up-apply": self.action_apply, "up-retry": self.action_retry}
        actions.get(event.button.id or "", self.action_cancel)()

    def action_apply(self) -> None:
        """Store the update shown and reload the catalog."""
        pending = self.pending
        if self.state != "ready" or pending is None or pending.unchanged:
            return
        self._set_state("applying")
        self.apply(pending)

    @work(thread=True, exclusive=True, group="catalog-update-apply", exit_on_error=False)
    def apply(self, pending: PendingUpdate) -> None:
        try:
            result = self.services.catalog_service.apply_update(pending)
        except LaceError as exc:
            self.app.call_from_thread(self._apply_failed, exc.message)
            return
        self.app.call_from_thread(self._applied, result)

    def _apply_failed(self, message: str) -> None:
        self._show_error(message)
        self._set_state("ready")

    def _applied(self, result: UpdateResult) -> None:
        announce_catalog_change(self.app)
        self.app.notify(result.headline(), title="Catalog updated", timeout=8)
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without writing anything (a fetch under way is cancelled)."""
        if self.state == "applying":
            self.notify("Applying the update; it takes a moment", severity="warning")
            return
        self.dismiss(None)


def open_update_flow(app: App[object], services: Services, source: str | None = None) -> None:
    """Show the update dialog: fetch (from `source`, else the catwalk_url setting), diff,
    then apply or cancel. Reloads the catalog and tells every screen when applied."""
    app.push_screen(UpdateScreen(services, source))


async def auto_update(app: LaceApp) -> None:
    """The app's background update, when the user turned it on (off by default: many SSH
    machines are air-gapped) and not within a day of the last fetch: the same fetch and
    apply as the dialog, without the diff; a failure is one warning."""
    try:
        result = await app.services.catalog_service.auto_update()
    except LaceError as exc:
        app.notify(f"automatic catalog update: {exc.message}", severity="warning")
        return
    if result is not None and result.status != "unchanged":
        app.load_catalog()  # tells every screen, and keeps the new briefs for the next start
        app.notify(result.headline(), title="Catalog")
