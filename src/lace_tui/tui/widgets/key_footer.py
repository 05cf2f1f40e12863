"""The footer of every screen: the keys that work there, drawn as one line.

It looks and behaves like Textual's Footer (keys and descriptions, the command palette key at
the right over whatever does not fit, dim when disabled, highlighted under the mouse, a click
presses the key, the tooltip of a key on hover; every snapshot under tests/tui draws the same,
cell for cell), but draws one widget's line instead of composing a widget per key and rebuilding
them all whenever the focus moves: on the Catalog, the usual first screen, Textual's Footer
costs about 10 ms of start-up. Binding groups, which lace-tui does not use, are not combined.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


class _Key(NamedTuple):
    """One key as shown: what to press, its label, what it does, where it is on the line."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    palette: bool  # the command palette's key, shown at the right


class KeyFooter(Widget):
    """The active bindings of the screen that are marked to be shown, in one line."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--item",
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--separator",
    }

    # Textual's Footer and FooterKey styles, for the same look.
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--item { background: $footer-item-background; }
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .key-footer--separator { color: $foreground 20%; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[_Key] | None = None
        self._spans: list[tuple[int, int]] = []  # where each key is, from render_line
        self._hover: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _: Screen[object]) -> None:
        if not self.app.app_focus:  # as Textual's Footer: no flicker while the terminal is away
            return
        keys = self._collect()
        if keys != self._keys:  # the focus often moves without changing the keys shown
            self._keys = keys
            self.refresh()

    def _collect(self) -> list[_Key]:
        """The keys to show, as Textual's Footer chooses them: the first shown binding of each
        action, in the order the screen gives them, then the command palette's."""
        app = self.app
        active = self.screen.active_bindings
        keys: list[_Key] = []
        actions: set[str] = set()
        for _, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            display = app.get_key_display(binding)
            keys.append(_Key(binding.key, display, binding.description, enabled, tooltip, False))
        palette = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if palette is not None:
            _, binding, enabled, _ = palette
            tooltip = binding.tooltip or binding.description
            display = app.get_key_display(binding)
            keys.append(_Key(binding.key, display, binding.description, enabled, tooltip, True))
        return keys

    def _item(self, key: _Key, index: int, styles: dict[str, Style]) -> list[Segment]:
        """The segments of one key, styled as a FooterKey (the palette's in its compact form,
        as Textual's Footer shows it)."""
        item = styles["item"]
        if index == self._hover:
            item += styles["hover"]
        if not key.enabled:
            item += Style(dim=True)
        key_style = item + styles["key"]
        if not key.description:
            return [Segment(key.display, key_style)]
        description = item + styles["description"]
        if key.palette:
            return [Segment(key.display, key_style), Segment(f" {key.description}", description)]
        return [Segment(f" {key.display} ", key_style), Segment(f"{key.description} ", description)]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y != 0:
            return Strip.blank(width, base)
        if self._keys is None:
            self._keys = self._collect()
        styles = {
            name: self.get_component_rich_style(f"key-footer--{name}")
            for name in ("item", "key", "description", "hover", "separator")
        }
        keys = self._keys
        left: list[Segment] = []
        right: list[Segment] = []
        spans: list[tuple[int, int]] = []
        position = 0
        for index, key in enumerate(keys):
            if key.palette:
                item = styles["item"] + (styles["hover"] if index == self._hover else Style())
                right = [
                    Segment("▏", item + styles["separator"]),
                    *self._item(key, index, styles),
                    Segment(" ", item),
                ]
                spans.append((-1, -1))  # placed below, once the line's length is known
                continue
            segments = self._item(key, index, styles)
            size = sum(segment.cell_length for segment in segments)
            spans.append((position, position + size))
            position += size
            left.extend(segments)
        # As in Textual's Footer, the palette key is docked right, over whatever of the other
        # keys does not fit before it.
        room = max(0, width - sum(segment.cell_length for segment in right))
        self._spans = [(room, width) if s == (-1, -1) else (s[0], min(s[1], room)) for s in spans]
        fill = [Segment(" " * (room - position), base)] if position < room else []
        return Strip([*Strip([*left, *fill]).crop(0, room), *right]).crop(0, width)

    def _key_at(self, x: int) -> int | None:
        for index, (start, end) in enumerate(self._spans):
            if start <= x < end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._key_at(event.x)
        if index != self._hover:
            self._hover = index
            keys = self._keys or []
            tooltip = keys[index].tooltip if index is not None and index < len(keys) else ""
            self.tooltip = tooltip or None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self._key_at(event.x)
        keys = self._keys or []
        if index is None or index >= len(keys):
            return
        if keys[index].enabled:
            self.app.simulate_key(keys[index].key)
        else:
            self.app.bell()
