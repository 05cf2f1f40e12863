"""The Textual app: four sections (Catalog, Models, Instances, Chat) as lazily built modes.

Only this module and the first screen are imported at start; every other screen module is
imported by its mode's factory the first time the section is shown (start-up is a feature).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Final, Literal

from lace_tui.errors import LaceError
from lace_tui.paths import Paths, stylesheet_path
from lace_tui.tui.startup import imports_without_gc

with imports_without_gc():  # most of start-up: see there
    import asyncio

    from textual import work
    from textual.app import App
    from textual.binding import Binding, BindingType
    from textual.message import Message
    from textual.screen import Screen

if TYPE_CHECKING:
    from textual.command import Provider

    from lace_tui.catalog.loader import Catalog
    from lace_tui.services.app_services import Services

Section = Literal["catalog", "models", "instances", "chat", "usage"]
SECTIONS: Final[tuple[Section, ...]] = ("catalog", "models", "instances", "chat", "usage")
SECTION_TITLES: Final[dict[Section, str]] = {
    "catalog": "Catalog",
    "models": "Models",
    "instances": "Instances",
    "chat": "Chat",
    "usage": "Usage",
}


def _lace_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (not at start)."""
    from lace_tui.tui.commands import LaceCommands

    return LaceCommands


class LaceApp(App[int]):
    """lace-tui's terminal app. `services` is the one facade every screen talks to."""

    TITLE = "lace"
    CSS_PATH = stylesheet_path()
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    COMMANDS: ClassVar = App.COMMANDS | {_lace_commands}

    BINDINGS: ClassVar[list[BindingType]] = [
        # The section bar at the top shows these keys, so the footer keeps its room for the
        # screen's own. Digits type into a focused text field; the F-keys work everywhere.
        Binding("1", "section('catalog')", "Catalog", show=False),
        Binding("2", "section('models')", "Models", show=False),
        Binding("3", "section('instances')", "Instances", show=False),
        Binding("4", "section('chat')", "Chat", show=False),
        Binding("5", "section('usage')", "Usage", show=False),
        Binding("f2", "section('catalog')", "Catalog", show=False, priority=True),
        Binding("f3", "section('models')", "Models", show=False, priority=True),
        Binding("f4", "section('instances')", "Instances", show=False, priority=True),
        Binding("f5", "section('chat')", "Chat", show=False, priority=True),
        Binding("f6", "section('usage')", "Usage", show=False, priority=True),
        Binding("f1", "help", "Help", key_display="F1"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
    ]

    def __init__(self, services: Services, *, session_id: str | None = None) -> None:
        self.services = services
        self.session_id = session_id
        # Lines worth keeping in view on the Instances screen (catalog issues, env imports).
        self.notices: list[str] = []
        self._catalog_issues_shown = False
        self._theme_ready = False
        self._first_run = False
        self._start_screen_built = False
        self._gc_paused = False
        self._start_section: Section = self._choose_start_section()
        # The app starts straight in the chosen section (Textual reads DEFAULT_MODE in __init__),
        # rather than on a blank screen and then switching: one stylesheet parse, not two.
        self.DEFAULT_MODE = self._start_section  # type: ignore[misc]  # per app, on purpose
        super().__init__()
        for section in SECTIONS:
            self.add_mode(section, self._factory(section))
        self._apply_saved_theme()

    # -- modes ---------------------------------------------------------------------------

    def _factory(self, section: Section) -> Callable[[], Screen[None]]:
        def build() -> Screen[None]:
            screen = self.build_section(section)
            if not self._start_screen_built:
                self._start_screen_built = True
                if section == "catalog":  # checked to draw the same (tests/tui snapshots)
                    _skip_first_css_refresh(self, screen)
            return screen

        return build

    def build_section(self, section: Section) -> Screen[None]:
        """A new screen for `section`, importing its module only now."""
        if section == "catalog":
            from lace_tui.tui.screens.catalog import CatalogScreen

            return CatalogScreen()
        if section == "models":
            from lace_tui.tui.screens.models import ModelsScreen

            return ModelsScreen()
        if section == "instances":
            from lace_tui.tui.screens.instances import InstancesScreen

            return InstancesScreen()
        if section == "usage":
            from lace_tui.tui.screens.usage import UsageScreen

            return UsageScreen()
        return self._build_chat()

    def _build_chat(self) -> Screen[None]:
        try:
            from lace_tui.tui.screens.chat import ChatScreen
        except ImportError:  # the chat section is written separately; keep the shell usable
            from lace_tui.tui.screens.placeholder import PlaceholderScreen

            return PlaceholderScreen("Chat", "The chat section is not available in this build.")
        session_id = self.session_id
        self.session_id = None  # later rebuilds open the last session, not a stale request
        return ChatScreen(self.services, session_id)

    def _choose_start_section(self) -> Section:
        """Catalog on a first start (no instances), else the chat (or the asked-for session)."""
        from lace_tui.tui.startup import count_instances

        instances_file = self.services.paths.instances_file
        self._first_run = not instances_file.exists()
        if self.session_id is not None:
            return "chat"
        try:
            count = count_instances(instances_file)
        except LaceError as exc:
            self.notices.append(exc.message)
            return "instances"
        return "chat" if count else "catalog"

    def on_load(self) -> None:
        # Building the first screen allocates tens of thousands of short-lived objects (styles,
        # strips, segments); the cyclic collector's passes over them cost ~2-3 ms of start-up,
        # so it waits until the first frame is up (as the catalog loader does while loading).
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True

    def _resume_gc(self) -> None:
        gc.unfreeze()  # what the imports set aside (startup.imports_without_gc)
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def on_mount(self) -> None:
        self._theme_ready = True
        for notice in self.notices:
            self.notify(notice, severity="error", timeout=10)

    def on_unmount(self) -> None:
        self._resume_gc()  # should the app end before its first frame

    def on_ready(self) -> None:
        self._resume_gc()
        # Only now: the worker imports pydantic and the services, and would hold the GIL (and
        # the import lock) while the first screen is being drawn.
        from lace_tui.tui.startup import auto_update_may_be_on

        self.load_catalog()
        if self._first_run:
            self.import_environment()
        # Checked here first, cheaply: the update module (pydantic, httpx) is not imported
        # for nothing on the UI loop when the setting is off, as it is by default.
        if auto_update_may_be_on(self.services.paths.settings_file):
            self.auto_update_catalog()

    @property
    def current_section(self) -> Section | None:
        """The section shown now (None while a modal of no section is up)."""
        mode = self.current_mode
        for section in SECTIONS:
            if section == mode:
                return section
        return None

    def action_section(self, section: str) -> None:
        """Show a section (1-5 / F2-F6 / the command palette)."""
        if section not in SECTION_TITLES:
            return
        # A screen pushed on a section (a provider, the wizard) stays there for the way back.
        self.switch_mode(section)

    def open_chat(self, session_id: str) -> None:
        """Show the chat section on `session_id` (used by Models "start a chat")."""
        stack = self._screen_stacks.get("chat")
        if stack:
            screen = stack[0]
            load = getattr(screen, "load_session", None)
            if callable(load):
                load(session_id)
        else:
            self.session_id = session_id
        self.action_section("chat")

    # -- background work -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="catalog", exit_on_error=False)
    def load_catalog(self) -> None:
        """Load (and cache) the catalog off the UI loop; screens ask for it when it is ready.

        Then keep what the Catalog table shows of it for the next start's first frame, when no
        source file changed while it loaded (catalog/brief_cache.py).
        """
        from lace_tui.catalog.brief_cache import save_briefs, sources_stamp
        from lace_tui.catalog.briefs import briefs_of

        paths = self.services.paths
        before = sources_stamp(paths)
        catalog = self.services.catalog
        self.call_from_thread(self._catalog_loaded, catalog)
        if before is not None and sources_stamp(paths) == before:
            save_briefs(paths, before, briefs_of(catalog))

    def _catalog_loaded(self, catalog: Catalog) -> None:
        from lace_tui.tui.messages import CatalogReady

        if catalog.issues and not self._catalog_issues_shown:
            self._catalog_issues_shown = True
            for issue in catalog.issues:
                self.notices.append(f"catalog: {issue}")
            count = len(catalog.issues)
            self.notify(
                f"{count} catalog file{'s' if count != 1 else ''} could not be loaded; "
                "see the Instances section (3)",
                title="Catalog",
                severity="warning",
                timeout=8,
            )
        self.broadcast(CatalogReady)

    @work(exclusive=True, group="catalog-update", exit_on_error=False)
    async def auto_update_catalog(self) -> None:
        """Fetch Catwalk's data in the background, only when the user turned this on (off by
        default: many SSH machines are air-gapped) and not within a day of the last fetch."""
        paths = self.services.paths
        try:
            if not await asyncio.to_thread(_auto_update_due, paths):
                return
            from lace_tui.catalog.update import fetch_update  # imported by the check above

            result = await fetch_update(paths)
        except LaceError as exc:
            self.notify(f"automatic catalog update: {exc.message}", severity="warning")
            return
        if result.status != "unchanged":
            await asyncio.to_thread(self.services.reload_catalog)
            self.load_catalog()
            self.notify(result.headline(), title="Catalog")

    def set_auto_update(self, enabled: bool) -> None:
        """Turn automatic catalog updates on or off (remembered in settings.toml)."""
        from lace_tui.settings import update_settings

        try:
            update_settings(self.services.paths, auto_update_catalog=enabled)
        except LaceError as exc:
            self.notify(exc.message, severity="error")
            return
        state = "on: checked at start, at most once a day" if enabled else "off"
        self.notify(f"Automatic catalog updates {state}", title="Catalog")
        if enabled:
            self.auto_update_catalog()

    @work(thread=True, exclusive=True, group="env-import", exit_on_error=False)
    def import_environment(self) -> None:
        """First start: make instances of the provider key variables that are set."""
        try:
            imported = self.services.instances.import_from_environment()
        except LaceError as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        if not imported:
            return
        names = ", ".join(instance.id for instance in imported)
        line = f"imported from environment variables: {names}"
        self.call_from_thread(self._imported, line)

    def _imported(self, line: str) -> None:
        from lace_tui.tui.messages import InstancesChanged

        self.notices.append(line)
        self.notify(line[:1].upper() + line[1:], title="First start", timeout=10)
        self.broadcast(InstancesChanged)

    def broadcast(self, message_type: Callable[[], Message]) -> None:
        """Post a new `message_type()` to every screen of every section."""
        for stack in self._screen_stacks.values():
            for screen in stack:
                screen.post_message(message_type())

    def catalog_if_loaded(self) -> Catalog | None:
        """The catalog when the start-up worker has loaded it, else None (never blocks)."""
        cached = self.services.__dict__.get("catalog")
        return cached if cached is not None else None

    def report(self, error: LaceError, *, title: str = "") -> None:
        """Show a LaceError as a notification (one line, never a traceback)."""
        self.notify(error.message, title=title, severity="error", timeout=8)

    # -- help and themes -----------------------------------------------------------------

    def action_help(self) -> None:
        """Show the keys and a short how-to of the current screen."""
        from lace_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def _apply_saved_theme(self) -> None:
        from lace_tui.tui.startup import saved_theme

        try:
            theme = saved_theme(self.services.paths.settings_file)
        except LaceError as exc:
            self.notices.append(exc.message)
            return
        if theme in self.available_themes:
            self.theme = theme

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready:
            self.save_theme(theme)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def save_theme(self, theme: str) -> None:
        """Remember the theme for the next start."""
        from lace_tui.settings import update_settings

        try:
            update_settings(self.services.paths, theme=theme)
        except LaceError as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")


def _auto_update_due(paths: Paths) -> bool:
    """Whether the setting is on and the last fetch a day old (imports off the UI loop)."""
    from lace_tui.catalog.update import should_auto_update, update_status
    from lace_tui.settings import load_settings

    meta = update_status(paths)
    return should_auto_update(load_settings(paths), meta.fetched_at if meta else None)


def _skip_first_css_refresh(app: App[int], screen: Screen[None]) -> None:
    """Spare the Catalog, as the start screen, Textual's whole-stylesheet refresh (~10 ms).

    Textual re-parses every stylesheet and restyles the app when a mode's screen first shows,
    in case the CSS changed since the screen was made. The start screen is made before any CSS
    has been applied, so for it that refresh is a second parse of the same CSS; marking it up
    to date skips it. A theme set in `__init__` still refreshes (queued apart). Only for the
    Catalog, whose widgets all draw from their styles when painted: the chat screen, as built,
    relies on the restyle to repaint its header (seen in its snapshot).
    """
    count = getattr(app, "_css_update_count", None)
    if isinstance(count, int) and isinstance(getattr(screen, "_css_update_count", None), int):
        screen._css_update_count = count


def run_app(paths: Paths, session_id: str | None = None) -> int:
    """Run the app on `paths` (in `session_id`'s chat); return the process exit code."""
    from lace_tui.services.app_services import Services

    services = Services(paths)
    try:
        if session_id is not None:
            session_id = _check_session(services, session_id)
        app = LaceApp(services, session_id=session_id)
        result = app.run()
    except LaceError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    finally:
        services.close()
    if app.return_code:
        return app.return_code
    return result or 0


def _check_session(services: Services, session_id: str) -> str:
    """The id of the session `--session` names; NotFoundError when there is none."""
    from lace_tui.errors import NotFoundError

    found = services.sessions.find_session(session_id)
    if found is None:
        raise NotFoundError(f"no session '{session_id}': see `lace-tui session list`")
    return found.id
