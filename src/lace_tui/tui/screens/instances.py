"""The Instances section: your connections to providers, their keys, tests and models."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import DataTable, Static

from lace_tui.errors import LaceError
from lace_tui.tui.format import key_label, relative_time, status_detail, status_label
from lace_tui.tui.literal import assemble, cells, literal
from lace_tui.tui.messages import CatalogReady, InstancesChanged
from lace_tui.tui.screens.base import LaceScreen
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from lace_tui.instances.models import ConnectionStatus
    from lace_tui.services.instance_service import InstanceView

SPINNER: Final = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
DOT_STYLES: Final[dict[str, str]] = {
    "connected": "bold green",
    "auth_failed": "bold red",
    "unreachable": "bold red",
    "timed_out": "bold red",
    "error": "bold red",
}


def status_dot(status: ConnectionStatus | None) -> Text:
    """● green connected, ● red failed, ○ untested."""
    if status is None:
        return Text("○", "dim")
    return Text("●", DOT_STYLES.get(status.state, "bold red"))


class InstancesScreen(LaceScreen):
    """The instances table, a detail line for the highlighted one, and start-up notices."""

    SECTION = "instances"
    HOWTO = (
        "Your instances: connections to catalog providers, each with its own endpoint, timeout "
        "and key (stored in a private file, or read from an environment variable).\n"
        "`a` adds one, `e` edits the highlighted one, `d` deletes it (after asking), `t` tests "
        "the connection (a real, cheap request) and `r` asks the server for its models.\n"
        "The dot: green connected, red failed, hollow untested."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("d", "delete", "Delete"),
        Binding("t", "test", "Test"),
        Binding("r", "refresh_models", "Refresh models"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[InstanceView] = []
        self.testing: set[str] = set()
        self._frame = 0
        self._spinner: Timer | None = None

    def compose(self) -> ComposeResult:
        yield SectionBar("instances")
        table: DataTable[str | Text] = DataTable(
            id="instances", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Static("", id="instance-detail", classes="detail")
        yield Static("", id="notices")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#instances", DataTable)
        table.add_column(" ", key="dot")
        table.add_column("ID", key="id")
        table.add_column("Provider", key="provider")
        table.add_column("Key", key="key")
        table.add_column("Models", key="models")
        table.add_column("Tested", key="tested")
        table.add_column("Endpoint", key="endpoint")
        self.set_focus(table)
        self._show_notices()
        if self.lace.catalog_if_loaded() is not None:
            self.reload()

    def on_catalog_ready(self, _: CatalogReady) -> None:
        self.reload()
        self._show_notices()

    def on_instances_changed(self, _: InstancesChanged) -> None:
        self.reload()
        self._show_notices()

    def on_screen_resume(self) -> None:
        self._show_notices()
        if self.lace.catalog_if_loaded() is not None:
            self.reload()

    def _show_notices(self) -> None:
        notices = self.lace.notices
        panel = self.query_one("#notices", Static)
        panel.display = bool(notices)
        if notices:
            panel.update(literal("\n".join(f"• {line}" for line in notices)))

    # -- the table -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="instance-rows", exit_on_error=False)
    def reload(self) -> None:
        """Read the instances, their keys and test results off the UI loop."""
        try:
            views = self.services.instances.views()
        except LaceError as exc:
            self.app.call_from_thread(self._show_error, exc.message)
            return
        self.app.call_from_thread(self._show, views)

    def _show_error(self, message: str) -> None:
        self.query_one("#instance-detail", Static).update(
            assemble(("Cannot read the instances: ", "bold $text-error"), message)
        )
        self.notify(message, severity="error")

    def _show(self, views: list[InstanceView]) -> None:
        self.views = views
        table = self.query_one("#instances", DataTable)
        current = self.highlighted_id()
        table.clear()
        for view in views:
            table.add_row(*cells(self._cells(view)), key=view.instance.id)
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current), animate=False)
        count = len(views)
        self.query_one(SectionBar).set_detail(f"{count} instance{'s' if count != 1 else ''}")
        self._show_detail()

    def _cells(self, view: InstanceView) -> tuple[str | Text, ...]:
        instance = view.instance
        if instance.id in self.testing:
            dot = Text(SPINNER[self._frame % len(SPINNER)], "bold yellow")
            tested = Text("testing…", "yellow")
        else:
            dot = status_dot(view.status)
            tested = (
                Text(relative_time(view.status.tested_at)) if view.status else Text("never", "dim")
            )
        provider = view.provider_name if view.provider_known else Text(view.provider_name, "red")
        endpoint = Text(view.endpoint or "—", "dim" if view.endpoint_is_default else "")
        key = key_label(view.key)
        return (
            dot,
            instance.id,
            provider,
            key if view.key.available or view.key.source == "none" else Text(key, "yellow"),
            Text(str(view.model_count), justify="right"),
            tested,
            endpoint,
        )

    def highlighted_id(self) -> str | None:
        """The id of the instance under the cursor."""
        table = self.query_one("#instances", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def _view(self, instance_id: str | None) -> InstanceView | None:
        for view in self.views:
            if view.instance.id == instance_id:
                return view
        return None

    @on(DataTable.RowHighlighted, "#instances")
    def _show_detail(self) -> None:
        detail = self.query_one("#instance-detail", Static)
        view = self._view(self.highlighted_id())
        if view is None:
            detail.update(
                assemble(
                    "No instances yet. Press ",
                    ("a", "bold $accent"),
                    " to add one, or pick a provider in the Catalog (",
                    ("1", "bold $accent"),
                    ").",
                )
            )
            return
        instance = view.instance
        status = view.status
        parts: list[str | tuple[str, str]] = [
            (instance.display_name, "bold"),
            f"  {view.provider_type}  timeout {instance.timeout:g}s",
            f"\n{view.endpoint or 'no endpoint'}",
            (" (default)" if view.endpoint_is_default else " (custom)", "$text-muted"),
        ]
        if instance.id in self.testing:
            parts.append(("\ntesting the connection…", "$text-warning"))
        elif status is not None:
            style = "$text-success" if status.state == "connected" else "$text-error"
            parts.append((f"\n{status_label(status)}", style))
            if status_detail(status):
                parts.append(f": {status_detail(status)}")
        else:
            parts.append(("\nnot tested yet: t tests the connection", "dim"))
        if not view.can_chat:
            parts.append(("  no chat client for this type yet", "$text-warning"))
        detail.update(assemble(*parts))

    @on(DataTable.RowSelected, "#instances")
    def _selected(self) -> None:
        self.action_edit()

    # -- actions ---------------------------------------------------------------------------

    def action_add(self) -> None:
        """Open the add-instance wizard."""
        from lace_tui.tui.screens.wizard import WizardScreen

        self.app.push_screen(WizardScreen(self.services), self._wizard_done)

    def action_edit(self) -> None:
        """Edit the highlighted instance."""
        instance_id = self.highlighted_id()
        if instance_id is None:
            return
        from lace_tui.tui.screens.wizard import WizardScreen

        self.app.push_screen(
            WizardScreen(self.services, instance_id=instance_id), self._wizard_done
        )

    def _wizard_done(self, instance_id: str | None) -> None:
        self.reload()

    def action_delete(self) -> None:
        """Ask, then delete the highlighted instance with its stored key."""
        view = self._view(self.highlighted_id())
        if view is None:
            return
        from lace_tui.tui.screens.confirm import ConfirmScreen

        instance_id = view.instance.id
        question = f"Delete instance '{instance_id}' ({view.instance.display_name})?"
        if view.key.source == "stored":
            question += "\nIts stored key is deleted too."

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(instance_id)

        self.app.push_screen(ConfirmScreen(question, confirm="Delete"), answered)

    @work(thread=True, group="instance-delete", exit_on_error=False)
    def delete(self, instance_id: str) -> None:
        try:
            self.services.instances.remove(instance_id)
        except LaceError as exc:
            self.app.call_from_thread(self.lace.report, exc)
            return
        self.app.call_from_thread(self.notify, f"Deleted instance '{instance_id}'")
        self.app.call_from_thread(self.reload)

    def action_test(self) -> None:
        """Test the highlighted instance's connection."""
        instance_id = self.highlighted_id()
        if instance_id is None or instance_id in self.testing:
            return
        self.testing.add(instance_id)
        if self._spinner is None:
            self._spinner = self.set_interval(0.1, self._spin)
        self._refresh_row(instance_id)
        self._show_detail()
        self.run_test(instance_id)

    def _spin(self) -> None:
        self._frame += 1
        table = self.query_one("#instances", DataTable)
        for instance_id in self.testing:
            if instance_id in table.rows:
                frame = Text(SPINNER[self._frame % len(SPINNER)], "bold yellow")
                table.update_cell(instance_id, "dot", frame)

    def _refresh_row(self, instance_id: str) -> None:
        view = self._view(instance_id)
        table = self.query_one("#instances", DataTable)
        if view is None or instance_id not in table.rows:
            return
        for column, value in zip(table.columns, cells(self._cells(view)), strict=True):
            table.update_cell(instance_id, column, value)

    @work(group="instance-test", exit_on_error=False)
    async def run_test(self, instance_id: str) -> None:
        """The real test, in an async worker; the service stores the result."""
        try:
            status = await self.services.instances.test(instance_id)
        except LaceError as exc:
            self.lace.report(exc, title="Test")
        else:
            detail = status_detail(status)
            message = status_label(status) + (f": {detail}" if detail else "")
            title = f"Test of {instance_id}"
            if status.state == "connected":
                self.notify(message, title=title)
            else:
                self.notify(message, title=title, severity="error")
        finally:
            self.testing.discard(instance_id)
            if not self.testing and self._spinner is not None:
                self._spinner.stop()
                self._spinner = None
        self.reload()

    def action_refresh_models(self) -> None:
        """Ask the highlighted instance's server for its models."""
        instance_id = self.highlighted_id()
        if instance_id is not None:
            self.notify(f"Asking {instance_id} for its models…", timeout=3)
            self.refresh_models(instance_id)

    @work(group="instance-models", exit_on_error=False)
    async def refresh_models(self, instance_id: str) -> None:
        try:
            found = await self.services.instances.refresh_models(instance_id)
        except LaceError as exc:
            self.lace.report(exc, title="Refresh models")
            return
        count = len(found.models)
        self.notify(f"{instance_id}: the server lists {count} model{'s' if count != 1 else ''}")
        self.reload()
