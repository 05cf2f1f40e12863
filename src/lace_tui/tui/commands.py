"""The command palette's own provider: every action of the app and of the current screen.

Commands are collected from the bindings active where the palette was opened (so every key in
the footer is findable by name, including those of the focused widget), plus the sections and
whatever a screen adds through a `palette_commands()` method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from lace_tui.tui.screens.help import worth_listing


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: what the user reads, a line of help, and what it does."""

    name: str
    help: str
    run: Callable[[], object]


def _section_commands(app: App[object]) -> list[PaletteCommand]:
    titles = (
        ("catalog", "Catalog", "Browse providers and their models"),
        ("models", "Models", "All models of all providers: sort, filter, compare"),
        ("instances", "Instances", "Your connections to providers: add, edit, test"),
        ("chat", "Chat", "Talk to your models"),
        ("usage", "Usage", "Tokens and cost per day, instance, provider, model or session"),
    )
    return [
        PaletteCommand(
            f"Go to {title}", help_text, partial(app.run_action, f"section('{section}')")
        )
        for section, title, help_text in titles
    ]


def _catalog_commands(app: App[object]) -> list[PaletteCommand]:
    services = getattr(app, "services", None)
    if services is None:
        return []

    def editor() -> None:
        from lace_tui.tui.screens.catalog_editor import open_catalog_editor

        open_catalog_editor(app, services)

    def update() -> None:
        from lace_tui.tui.screens.catalog_editor_update import open_update_flow

        open_update_flow(app, services)

    def auto_update(enabled: bool) -> None:
        setter = getattr(app, "set_auto_update", None)
        if callable(setter):
            setter(enabled)

    return [
        PaletteCommand(
            "Automatic catalog updates: on",
            "Check Catwalk at start, at most once a day",
            partial(auto_update, True),
        ),
        PaletteCommand(
            "Automatic catalog updates: off",
            "Never fetch unless asked",
            partial(auto_update, False),
        ),
        PaletteCommand("Catalog editor", "Your own providers, overrides, import/export", editor),
        PaletteCommand("Update catalog", "Fetch Catwalk's latest data; see the diff first", update),
    ]


def collect_commands(screen: Screen[object]) -> list[PaletteCommand]:
    """Every command available from `screen`: sections, the screen's own, its bindings."""
    app = screen.app
    commands = _section_commands(app)
    commands.append(PaletteCommand("Change theme", "Pick a colour theme", app.action_change_theme))
    commands.extend(_catalog_commands(app))
    commands.append(
        PaletteCommand(
            "Help", "Keys and a short how-to for this screen", partial(app.run_action, "help")
        )
    )
    extra = getattr(screen, "palette_commands", None)
    if callable(extra):
        produced = extra()
        if isinstance(produced, Iterable):
            commands.extend(item for item in produced if isinstance(item, PaletteCommand))
    seen = {command.name for command in commands}
    active = getattr(screen, "active_bindings", {})
    for active_binding in active.values():
        binding = active_binding.binding
        if not active_binding.enabled or not worth_listing(active_binding.node, binding):
            continue
        if binding.action.startswith(("section(", "help", "change_theme", "command_palette")):
            continue
        name = binding.description
        if name in seen:
            continue
        seen.add(name)
        help_text = binding.tooltip or f"key: {binding.key_display or binding.key}"
        commands.append(
            PaletteCommand(name, help_text, partial(active_binding.node.run_action, binding.action))
        )
    return commands


class LaceCommands(Provider):
    """Sections, help, theme and the current screen's actions, by name."""

    async def discover(self) -> Hits:
        for command in collect_commands(self.screen):
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in collect_commands(self.screen):
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
