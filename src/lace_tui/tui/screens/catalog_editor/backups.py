"""The catalog editor's backups dialog: every backup of every user catalog file, restorable.

Each change to a user catalog file backs up the version it replaces (the last ten are kept per
provider), including a delete, so a deleted provider can be restored from here too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from lace_tui.catalog.backups import BackupInfo
from lace_tui.catalog.custom import CatalogEditor, SaveResult
from lace_tui.errors import LaceError, StoredFileError
from lace_tui.tui.literal import cells, styled
from lace_tui.tui.screens.catalog_editor.common import ActionModal
from lace_tui.tui.screens.confirm import ConfirmScreen


@dataclass(frozen=True)
class BackupRow:
    backup: BackupInfo
    in_use: bool  # the provider has a user file now (False: deleted, or reset)


def read_backups(editor: CatalogEditor, first: str | None) -> list[BackupRow]:
    """Every backup, `first`'s provider first, then by provider id; newest first within each."""
    directory = editor.paths.catalog_backups_dir
    try:
        provider_ids = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    except FileNotFoundError:
        provider_ids = []
    except OSError as exc:
        raise StoredFileError(
            f"cannot list catalog backups in {directory}: {exc.strerror}"
        ) from exc
    if first in provider_ids:
        provider_ids.remove(first)
        provider_ids.insert(0, first)
    in_use = {user.provider.id for user in editor.list_custom()}
    rows: list[BackupRow] = []
    for provider_id in provider_ids:
        for backup in editor.backups(provider_id):
            rows.append(BackupRow(backup, provider_id in in_use))
    return rows


def _size(size: int) -> str:
    return f"{size / 1024:.1f} kB" if size >= 1024 else f"{size} B"


class BackupsScreen(ActionModal[SaveResult]):
    """Lists the backups; Enter restores the highlighted one (after a confirmation)."""

    HOWTO = (
        "Every change to one of your catalog files backs up the version it replaces (the last "
        "ten per provider are kept), deletes and resets too. Enter restores the highlighted "
        "backup after asking; the file it replaces is backed up first, so a restore can be "
        "undone the same way."
    )
    SECTION = "catalog backups"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "restore", "Restore")]

    DEFAULT_CSS = """
    BackupsScreen #backups {
        width: 72;
    }
    BackupsScreen #bk-table {
        height: auto;
        max-height: 14;
    }
    """

    def __init__(self, editor: CatalogEditor, provider_id: str | None) -> None:
        super().__init__()
        self.editor = editor
        self.provider_id = provider_id
        self.rows: list[BackupRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="backups"):
            yield Static(styled("Catalog backups", "bold"), classes="dialog-title")
            table: DataTable[str | Text] = DataTable(id="bk-table", cursor_type="row")
            yield table
            yield self.error_line()
            with Horizontal(classes="buttons"):
                yield Button("Close", id="bk-close", compact=True)
                yield Button(
                    "Restore (enter)",
                    id="bk-restore",
                    variant="primary",
                    compact=True,
                    classes="-action",
                )
            yield Static("↑/↓ choose · Enter restores · Esc closes", classes="dialog-hint")

    def on_mount(self) -> None:
        table = self.query_one("#bk-table", DataTable)
        table.add_column("Provider", key="provider")
        table.add_column("Saved at", key="time")
        table.add_column("Size", key="size")
        table.add_column("Now", key="now")
        table.focus()
        self.show_status(styled("Reading the backups…", "$text-muted"))
        self.load()

    @work(thread=True, exclusive=True, group="backups-list", exit_on_error=False)
    def load(self) -> None:
        try:
            rows = read_backups(self.editor, self.provider_id)
        except LaceError as exc:
            self.app.call_from_thread(self.show_error, exc.message)
            return
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[BackupRow]) -> None:
        self.rows = rows
        table = self.query_one("#bk-table", DataTable)
        table.clear()
        for index, row in enumerate(rows):
            backup = row.backup
            when = backup.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            now: str | Text = "in use" if row.in_use else Text("deleted/reset", "dim")
            table.add_row(
                *cells([backup.provider_id, when, Text(_size(backup.size), justify="right"), now]),
                key=str(index),
            )
        if rows:
            self.show_error("")
        else:
            self.show_status(
                styled(
                    "No backups yet: each change to a catalog file backs up the version it "
                    "replaces.",
                    "$text-muted",
                )
            )

    def _highlighted(self) -> BackupRow | None:
        table = self.query_one("#bk-table", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowSelected, "#bk-table")
    def _selected(self) -> None:
        self.action_restore()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "bk-restore":
            self.action_restore()
        else:
            self.action_cancel()

    def action_restore(self) -> None:
        """Ask, then put the highlighted backup back as the provider's file."""
        row = self._highlighted()
        if row is None or self.busy:
            return
        backup = row.backup
        when = backup.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        current = (
            "its current file is backed up first"
            if row.in_use
            else "it has no file now, so this brings it back"
        )
        self.app.push_screen(
            ConfirmScreen(
                f"Restore provider '{backup.provider_id}' as saved at {when}? ({current})",
                confirm="Restore",
            ),
            lambda yes: self._confirmed(backup, yes),
        )

    def _confirmed(self, backup: BackupInfo, yes: bool | None) -> None:
        if yes:
            self.start(
                lambda: self.editor.restore(backup.provider_id, backup.name), working="Restoring…"
            )
