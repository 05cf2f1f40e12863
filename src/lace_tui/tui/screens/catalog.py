"""The Catalog section: every provider lace-tui knows, filterable, with what it costs.

Often the first screen of a start, so its first frame is filled from provider briefs that need
no pydantic (catalog/brief_cache.py) while the full catalog loads in the background; the rows
are rebuilt from the loaded catalog, then again once the instances have been read.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, Static

from lace_tui.errors import LaceError
from lace_tui.tui.format import price_ranges
from lace_tui.tui.messages import CatalogReady, InstancesChanged
from lace_tui.tui.screens.base import LaceScreen
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.line_table import LineColumn, LineRow, LineTable
from lace_tui.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from collections.abc import Iterable

    from lace_tui.catalog.briefs import ProviderBrief
    from lace_tui.catalog.loader import Catalog
    from lace_tui.services.app_services import Services
    from lace_tui.tui.commands import PaletteCommand


COLUMNS = (
    LineColumn("Provider"),
    LineColumn("Type"),
    LineColumn("Models", right=True),
    LineColumn("In $/M", right=True),
    LineColumn("Out $/M", right=True),
    LineColumn("Inst"),
    LineColumn("Key"),
)
_NAME_WIDTH = 18


class ProviderLine(NamedTuple):
    """One row of the providers table, with its lowercase search text."""

    summary: ProviderBrief
    instances: int
    key: str
    search: str
    known: bool = True  # False until the instances have been read (the counts are then blank)


def is_local(provider_id: str, provider_type: str) -> bool:
    """A local server (Ollama, LM Studio) that usually needs no key."""
    return provider_type == "ollama" or provider_id in ("ollama", "lmstudio")


def key_availability(
    summary: ProviderBrief, stored: bool, env_instance: bool, services: Services
) -> str:
    """`stored`, `env` (an instance's or the catalog's variable is set), `local` or `—`."""
    if stored:
        return "stored"
    var = summary.api_key_env
    if env_instance or (var and services.environ.get(var, "").strip()):
        return "env"
    if is_local(summary.id, summary.type):
        return "local"
    return "—"


def provider_lines(
    services: Services, catalog: Catalog, *, with_instances: bool = True
) -> tuple[list[ProviderLine], str]:
    """The table's rows; the second value is an error to show when instances cannot be read.

    Without `with_instances` only the catalog is used (fast: the instance service, its provider
    clients and their HTTP library are not even imported), and the counts are left blank.
    """
    from lace_tui.catalog.briefs import briefs_of

    return lines_of(services, briefs_of(catalog), with_instances=with_instances)


def lines_of(
    services: Services, briefs: Iterable[ProviderBrief], *, with_instances: bool
) -> tuple[list[ProviderLine], str]:
    """`provider_lines` of `briefs` (a loaded catalog's, or the first frame's)."""
    counts: dict[str, int] = {}
    stored: set[str] = set()
    env: set[str] = set()
    problem = ""
    try:
        for view in services.instances.views() if with_instances else ():
            provider = view.instance.provider
            counts[provider] = counts.get(provider, 0) + 1
            if view.key.available and view.key.source == "stored":
                stored.add(provider)
            elif view.key.available and view.key.source == "env":
                env.add(provider)
    except LaceError as exc:
        problem = exc.message
    lines = []
    for summary in briefs:
        search = " ".join((summary.id, summary.name, summary.type)).lower()
        key = key_availability(summary, summary.id in stored, summary.id in env, services)
        count = counts.get(summary.id, 0)
        lines.append(ProviderLine(summary, count, key, search, known=with_instances))
    return lines, problem


class CatalogScreen(LaceScreen):
    """Providers with type, model count, price range, instances configured and key availability."""

    SECTION = "catalog"
    HOWTO = (
        "Every provider in the catalog (shipped Catwalk data plus your own catalog files).\n"
        "Type in the filter to narrow the list; Enter opens a provider and its models; "
        "`a` adds an instance (a connection with your key) for the highlighted provider; "
        "`e` opens the catalog editor (your own providers and overrides).\n"
        "A type marked ⊘ is browse only: lace-tui has no chat client for it yet.\n"
        "Key: stored (an instance holds a key), env (a key variable is set), local (a local "
        "server, usually no key)."
    )

    # The table has the focus from the start (not the filter first, then the table: each
    # move of the focus restyles and redraws part of the screen).
    AUTO_FOCUS = "#providers"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("a", "add_instance", "Add instance"),
        Binding("e", "edit_catalog", "Edit catalog"),
        Binding("escape", "focus_table", "Table", show=False),
        Binding("s", "stats", "Statistics", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[ProviderLine] = []
        # False while the rows are the first frame's briefs, not yet the loaded catalog's.
        self.from_catalog = False

    def compose(self) -> ComposeResult:
        yield SectionBar("catalog")
        yield Input(
            placeholder="Filter providers by name, id or type  (/)",
            id="catalog-filter",
            compact=True,
        )
        yield LineTable(COLUMNS, id="providers")
        yield Static("Loading the catalog…", id="catalog-detail", classes="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.lace.catalog_if_loaded() is not None:
            self.reload()
        else:
            self._show_first_frame()

    def _show_first_frame(self) -> None:
        """Rows for the first frame, before the catalog has loaded (when they can be had
        cheaply: see catalog/brief_cache.py); the loaded catalog replaces them."""
        from lace_tui.catalog.brief_cache import first_frame_briefs

        briefs = first_frame_briefs(self.services.paths)
        if briefs is not None:
            self.lines, _ = lines_of(self.services, briefs, with_instances=False)
            self.refilter()

    def on_catalog_ready(self, _: CatalogReady) -> None:
        self.reload()

    def on_instances_changed(self, _: InstancesChanged) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        # Instances may have been added elsewhere; counts are cheap to recompute. (Not before
        # the catalog has loaded: the app's start-up worker asks for the rows then.)
        if self.from_catalog:
            self.reload()

    @work(thread=True, exclusive=True, group="catalog-rows", exit_on_error=False)
    def reload(self) -> None:
        """Recompute the rows off the UI loop (it reads the instances and their keys)."""
        services = self.services
        if not self.from_catalog:  # the first time: show the catalog before reading instances
            lines, _ = provider_lines(services, services.catalog, with_instances=False)
            self.app.call_from_thread(self._show, lines, "")
        lines, problem = provider_lines(services, services.catalog)
        self.app.call_from_thread(self._show, lines, problem)

    def _show(self, lines: list[ProviderLine], problem: str) -> None:
        self.from_catalog = True
        if problem:
            self.notify(problem, severity="error")
        if lines == self.lines:  # the first frame's rows were right: leave the table alone
            return
        self.lines = lines
        self.refilter()

    @on(Input.Changed, "#catalog-filter")
    def refilter(self) -> None:
        """Show the providers matching every word of the filter."""
        terms = self.query_one("#catalog-filter", Input).value.lower().split()
        rows = [
            self._row(line) for line in self.lines if all(term in line.search for term in terms)
        ]
        self.query_one("#providers", LineTable).set_rows(rows)  # the cursor stays on its row
        shown = len(rows)
        total = len(self.lines)
        detail = f"{shown} of {total} providers" if terms else f"{total} providers"
        self.query_one(SectionBar).set_detail(detail)
        self._show_detail()

    def _row(self, line: ProviderLine) -> LineRow:
        summary = line.summary
        price_in, price_out = price_ranges(summary.prices)
        name = summary.name
        if len(name) > _NAME_WIDTH:
            name = name[: _NAME_WIDTH - 1] + "…"
        kind = summary.type if summary.can_chat else f"{summary.type} ⊘"
        instances = str(line.instances) if line.instances else "—"
        key = line.key
        if not line.known:
            instances = key = "…"
        cells = (name, kind, str(summary.model_count), price_in, price_out, instances, key)
        # Muted: a browse-only type, and "none" (—) or "not known yet" (…) in the last two.
        muted = {i for i in (5, 6) if cells[i] in ("—", "…")}
        if not summary.can_chat:
            muted.add(1)
        return LineRow(summary.id, cells, frozenset(muted))

    def highlighted_id(self) -> str | None:
        """The id of the provider under the cursor."""
        return self.query_one("#providers", LineTable).current_key

    def _line(self, provider_id: str | None) -> ProviderLine | None:
        for line in self.lines:
            if line.summary.id == provider_id:
                return line
        return None

    @on(LineTable.Highlighted, "#providers")
    def _show_detail(self) -> None:
        line = self._line(self.highlighted_id())
        detail = self.query_one("#catalog-detail", Static)
        if line is None:
            detail.update("No provider matches the filter." if self.lines else "Loading…")
            return
        summary = line.summary
        source = {"shipped": "shipped catalog", "update": "catalog update", "user": "your file"}
        # The endpoint an instance would use depends on the instance service, which is only
        # loaded (off the UI thread) with the instance counts.
        endpoint = (self._endpoint(summary) or "no default endpoint") if line.known else "…"
        parts: list[str | tuple[str, str]] = [
            (summary.id, "bold"),
            f"  {endpoint}",
            (f"  ({source.get(summary.source, summary.source)})", "$text-muted"),
        ]
        if summary.api_key_env:
            parts.append(f"\nkey variable ${summary.api_key_env}")
        if not summary.can_chat:
            parts.append(
                (f"\nbrowse only: no chat client for '{summary.type}' yet", "$text-warning")
            )
        elif all(other.known and not other.instances for other in self.lines):
            parts.append(("\nNo instances yet: a connects to this provider", "$text-accent"))
        detail.update(Content.assemble(*parts))

    def _endpoint(self, summary: ProviderBrief) -> str:
        from lace_tui.tui.endpoints import default_endpoint

        provider = self.services.catalog.get(summary.id)
        return default_endpoint(self.services, provider) if provider else summary.api_endpoint

    @on(LineTable.Selected, "#providers")
    def open_provider(self, event: LineTable.Selected) -> None:
        """Enter: show the provider's models."""
        from lace_tui.tui.screens.provider import ProviderScreen

        self.app.push_screen(ProviderScreen(event.key))

    def action_focus_filter(self) -> None:
        self.set_focus(self.query_one("#catalog-filter", Input))

    def action_focus_table(self) -> None:
        self.set_focus(self.query_one("#providers", LineTable))

    @on(Input.Submitted, "#catalog-filter")
    def _filter_done(self) -> None:
        self.action_focus_table()

    def on_key(self, event: object) -> None:
        from textual.events import Key

        if (
            isinstance(event, Key)
            and event.key == "down"
            and self.focused is self.query_one("#catalog-filter", Input)
        ):
            event.stop()
            self.action_focus_table()

    def action_add_instance(self) -> None:
        """Open the add-instance wizard with the highlighted provider chosen."""
        provider_id = self.highlighted_id()
        if provider_id is None:
            self.notify("No provider selected", severity="warning")
            return
        from lace_tui.tui.screens.wizard import WizardScreen

        self.app.push_screen(
            WizardScreen(self.services, provider_id=provider_id), self._wizard_done
        )

    def palette_commands(self) -> list[PaletteCommand]:
        from lace_tui.tui.commands import PaletteCommand  # the palette's, loaded with it

        return [
            PaletteCommand(
                "Catalog statistics",
                "Models, prices, capabilities and context per provider (s)",
                partial(self.run_action, "stats"),
            )
        ]

    def action_stats(self) -> None:
        """Show the catalog's figures (once it has loaded)."""
        catalog = self.lace.catalog_if_loaded()
        if catalog is None:
            self.notify("The catalog is still loading.", severity="warning")
            return
        from lace_tui.catalog.stats import catalog_stats
        from lace_tui.tui.screens.catalog_stats import CatalogStatsScreen

        self.app.push_screen(CatalogStatsScreen(catalog_stats(catalog.providers.values())))

    def action_edit_catalog(self) -> None:
        """Open the catalog editor (your own providers and overrides) on this provider."""
        try:
            from lace_tui.tui.screens.catalog_editor import CatalogEditorScreen
        except ImportError:  # built separately; the catalog stays browsable without it
            self.notify("The catalog editor is not available in this build", severity="warning")
            return
        self.app.push_screen(CatalogEditorScreen(self.services, self.highlighted_id()))

    def _wizard_done(self, instance_id: str | None) -> None:
        if instance_id is not None:
            self.reload()
