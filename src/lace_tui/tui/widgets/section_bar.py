"""The one-line bar at the top of every section: where you are and the keys to go elsewhere."""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

_SECTIONS = (
    ("1", "F2", "catalog", "Catalog"),
    ("2", "F3", "models", "Models"),
    ("3", "F4", "instances", "Instances"),
    ("4", "F5", "chat", "Chat"),
)


_TEXT_FIELDS = frozenset({"Input", "TextArea"})


def _takes_text(widget: Widget) -> bool:
    """Whether `widget` is a Textual Input or TextArea (or a subclass of one).

    Compared by name so that TextArea, which no first screen uses and whose import costs a few
    milliseconds of start-up, is not imported just to be ruled out.
    """
    return any(
        cls.__name__ in _TEXT_FIELDS and cls.__module__.startswith("textual.widgets.")
        for cls in type(widget).__mro__
    )


class SectionBar(Widget):
    """`lace  1 Catalog  2 Models  3 Instances  4 Chat`, the current section highlighted.

    `detail` is shown at the right (a count, a provider name). While a text field has focus the
    digits would be typed into it, so the bar shows the F-keys that work there instead.
    """

    DEFAULT_CSS = """
    SectionBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground-muted;
    }
    """

    def __init__(self, current: str, detail: str = "") -> None:
        super().__init__()
        self.current = current
        self.detail = detail
        self.typing = False

    def on_mount(self) -> None:
        self.watch(self.screen, "focused", self._focus_moved)

    def _focus_moved(self, focused: Widget | None) -> None:
        typing = focused is not None and _takes_text(focused)
        if typing != self.typing:
            self.typing = typing
            self.refresh()

    def set_detail(self, detail: str) -> None:
        """Change the text at the right."""
        self.detail = detail
        self.refresh()

    def render(self) -> RenderResult:
        parts: list[Content | tuple[str, str] | str] = [("  lace ", "bold $accent")]
        for digit, fkey, section, title in _SECTIONS:
            key = fkey if self.typing else digit
            if section == self.current:
                parts.append((f" {key} {title} ", "bold reverse $primary"))
            else:
                parts.append(" ")
                parts.append((key, "bold $secondary"))
                parts.append(f" {title} ")
        if self.current == "usage":  # #14: reached by 5 / F6; shown here only while open
            key = "F6" if self.typing else "5"
            parts.append((f" {key} Usage ", "bold reverse $primary"))
        left = Content.assemble(*parts)
        if not self.detail:
            return left
        right = Content(self.detail)
        gap = max(1, self.size.width - left.cell_length - right.cell_length - 1)
        return Content.assemble(left, " " * gap, (self.detail, "italic"))
