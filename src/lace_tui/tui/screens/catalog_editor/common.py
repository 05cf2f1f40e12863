"""What the catalog editor's screen and dialogs share: a dialog that works off the UI loop, ids
suggested from names, short paths, and telling the other screens that the catalog changed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar, Final, TypeVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from lace_tui.catalog.validation import PROVIDER_ID_RE
from lace_tui.errors import LaceError
from lace_tui.paths import Paths
from lace_tui.tui.literal import literal, styled

ResultT = TypeVar("ResultT")

_NOT_ID_CHARS: Final = re.compile(r"[^a-z0-9._-]+")


def provider_slug(text: str) -> str:
    """A provider id made from a name (`My vLLM box` → `my-vllm-box`); may be empty."""
    slug = _NOT_ID_CHARS.sub("-", text.lower()).strip("-._")
    return slug[:63].rstrip("-._")


def unique_provider_id(base: str, taken: Iterable[str]) -> str:
    """`base` (or `custom` when empty), else `base-2`, `base-3`…, whichever is free."""
    used = set(taken)
    base = base or "custom"
    if base not in used and PROVIDER_ID_RE.match(base):
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: 63 - len(suffix)].rstrip("-._") + suffix
        if candidate not in used:
            return candidate
        number += 1


def short_path(path: Path, paths: Paths) -> str:
    """`catalogs/x.json` for files in the lace home (full path otherwise)."""
    try:
        return str(path.relative_to(paths.config_dir))
    except ValueError:
        return str(path)


def announce_catalog_change(app: App[object]) -> None:
    """Tell every screen that the catalog was reloaded, so lists showing it refresh."""
    from lace_tui.tui.messages import CatalogReady

    broadcast = getattr(app, "broadcast", None)
    if callable(broadcast):  # LaceApp: every screen of every section
        broadcast(CatalogReady)
        return
    for screen in app.screen_stack:
        screen.post_message(CatalogReady())


def price_text(value: float | None) -> str:
    """A price for a form field: `1.25`, `0.075`, `15`; empty for unknown."""
    if value is None:
        return ""
    return f"{value:.10f}".rstrip("0").rstrip(".")


class ActionModal(ModalScreen[ResultT | None]):
    """A dialog whose action (a file write) runs in a thread; a LaceError stays in the dialog as
    one line (`#dialog-error`), success dismisses it with the action's result."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("f1", "app.help", "Help", show=False),
    ]

    DEFAULT_CSS = """
    ActionModal #dialog-error {
        height: auto;
        color: $text-error;
    }
    ActionModal .ce-row {
        height: 1;
    }
    ActionModal .ce-label {
        width: 14;
        color: $text-muted;
    }
    ActionModal .ce-row Input {
        width: 1fr;
    }
    ActionModal .ce-issue {
        height: auto;
        padding-left: 14;
        display: none;
    }
    ActionModal .ce-issue.-error {
        color: $text-error;
    }
    ActionModal .ce-issue.-warning {
        color: $text-warning;
    }
    """

    busy = False

    def error_line(self) -> Static:
        """The dialog's one-line failure message; yield it in compose."""
        line = Static("", id="dialog-error")
        line.display = False
        return line

    def show_error(self, message: str) -> None:
        self.show_status(styled(message, "$text-error") if message else "")

    def show_status(self, content: Content | str) -> None:
        """Put a line in the dialog's message slot (hidden while empty)."""
        line = self.query_one("#dialog-error", Static)
        line.update(literal(content) if isinstance(content, str) else content)
        line.display = bool(content)

    def start(self, action: Callable[[], ResultT], *, working: str = "Saving…") -> None:
        """Run `action` off the UI loop, once at a time."""
        if self.busy:
            return
        self.busy = True
        self._set_buttons_disabled(True)
        self.show_status(styled(working, "$text-muted"))
        self._run(action)

    @work(thread=True, exclusive=True, group="dialog-action", exit_on_error=False)
    def _run(self, action: Callable[[], ResultT]) -> None:
        try:
            result = action()
        except LaceError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        self.app.call_from_thread(self.succeeded, result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # An unexpected error (a bug, an OSError) must not leave the dialog stuck on "Saving…".
        if event.worker.group == "dialog-action" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self._failed(f"failed: {type(error).__name__}: {error}")

    def _failed(self, message: str) -> None:
        self.busy = False
        self._set_buttons_disabled(False)
        self.show_error(message)

    def _set_buttons_disabled(self, disabled: bool) -> None:
        for button in self.query(Button):
            if button.has_class("-action"):
                button.disabled = disabled

    def succeeded(self, result: ResultT) -> None:
        """The action worked: close with its result."""
        self.busy = False
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Esc: close without a result (not while the action is writing)."""
        if self.busy:
            self.notify("Still saving; it takes a moment", severity="warning")
            return
        self.dismiss(None)


def issue_line(widget: Static, message: str, *, warning: bool = False) -> None:
    """Show a per-field message (an error, or a warning) under a field, or hide it."""
    widget.update(literal(message))
    widget.set_class(bool(message) and not warning, "-error")
    widget.set_class(bool(message) and warning, "-warning")
    widget.display = bool(message)
