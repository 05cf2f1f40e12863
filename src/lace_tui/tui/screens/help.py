"""Help for the current screen: a short how-to and every key that works there (F1 or ?)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GENERAL = (
    "1-5 (or F2-F6) switch sections: Catalog, Models, Instances, Chat, Usage. "
    "Ctrl+P opens the command palette, where every action can be found by name; "
    "Ctrl+T changes the theme; Tab moves between fields; Ctrl+Q quits."
)


# Textual's own screen keys (Tab moves focus, Ctrl+C copies): said once in GENERAL instead.
_GENERIC_ACTIONS = frozenset({"app.focus_next", "app.focus_previous", "screen.copy_text"})


def worth_listing(node: object, binding: Binding) -> bool:
    """A binding a person needs to know: described, and shown in the footer or belonging to a
    screen or the app (a text field's cursor keys are not listed)."""
    if not binding.description or binding.system or binding.action in _GENERIC_ACTIONS:
        return False
    return binding.show or isinstance(node, Screen | App)


def screen_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, what it does) for the bindings active on `screen`: the screen's own first, then the
    focused widget's, then the app's."""
    app = screen.app
    found: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        if not worth_listing(node, binding):
            continue
        key = app.get_key_display(binding)
        entry = f"{key}\0{binding.description}"
        if entry in seen:
            continue
        seen.add(entry)
        rank = 2 if isinstance(node, App) else 0 if isinstance(node, Screen) else 1
        found.append((rank, key, binding.description))
    found.sort(key=lambda item: item[0])
    return [(key, description) for _, key, description in found]


class HelpScreen(ModalScreen[None]):
    """The how-to of the screen it was opened over, then its keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Close"),
    ]

    def __init__(self, title: str, howto: str, keys: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.howto = howto
        self.keys = list(keys)

    @classmethod
    def for_screen(cls, screen: Screen[object]) -> HelpScreen:
        """Help for `screen`, from its `HOWTO` text and its active bindings."""
        howto = getattr(screen, "HOWTO", "")
        title = getattr(screen, "SECTION", "") or type(screen).__name__.removesuffix("Screen")
        return cls(
            f"Help: {str(title).capitalize()}",
            howto if isinstance(howto, str) else "",
            screen_keys(screen),
        )

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.keys), default=4)
        lines: list[Content | str | tuple[str, str]] = []
        for key, description in self.keys:
            lines.append((f"{key:>{width}}", "bold $accent"))
            lines.append(f"  {description}\n")
        with Vertical(classes="dialog", id="help"):
            yield Static(Content(self.title_text), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                if self.howto:
                    yield Static(Content(self.howto), id="help-howto")
                yield Static(Content.assemble(*lines), id="help-keys")
                yield Static(Content(GENERAL), id="help-general")
            yield Static(Content("Esc closes"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss()
