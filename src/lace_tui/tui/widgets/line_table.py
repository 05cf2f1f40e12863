"""A light table of keyed text rows: a row cursor, zebra stripes, columns sized to their text.

The Catalog is usually the first screen, and Textual's DataTable renders each visible cell
through Rich and measures every cell of every row: with the catalog's ~45 providers that is
about 25 ms of start-up, more than all of lace-tui's own start-up work. This widget renders a
line straight to segments from plain strings, so a full table costs about what an empty one
does. (The Models section's ModelTable is the same idea, for tens of thousands of rows.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lace_tui.textsafe import printable

_DIM = Style(dim=True)


class _Styles(NamedTuple):
    base: Style
    header: Style
    even_row: Style
    cursor: Style


class LineColumn(NamedTuple):
    """A column: its title, and whether its text is right-aligned (numbers)."""

    title: str
    right: bool = False


class LineRow(NamedTuple):
    """A row: its key (unique in the table), the text of each cell, and which cells are
    shown muted (a dash for "none", an ellipsis for "not known yet", a remark)."""

    key: str
    cells: tuple[str, ...]
    muted: frozenset[int] = frozenset()


class LineTable(ScrollView, can_focus=True):
    """Rows of text under a header, with a cursor; Enter or a click selects the row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("left", "scroll_left", show=False),  # when the columns are wider than the view
        Binding("right", "scroll_right", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home,ctrl+home", "edge(0)", show=False),
        Binding("end,ctrl+end", "edge(1)", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header",
        "line-table--even-row",
        "line-table--cursor",
    }

    DEFAULT_CSS = """
    LineTable {
        height: 1fr;
        overflow-x: auto;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;
        & > .line-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .line-table--even-row { background: $surface-lighten-1 50%; }
        &:dark > .line-table--even-row { background: $surface-darken-1 40%; }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--header { background-tint: $foreground 5%; }
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor is on the row `key` (None: the table is empty)."""

        def __init__(self, table: LineTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> LineTable:
            return self.table

    class Selected(Message):
        """Enter (or a click) on the row `key`."""

        def __init__(self, table: LineTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> LineTable:
            return self.table

    def __init__(self, columns: Sequence[LineColumn], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self.rows: list[LineRow] = []
        self._widths = [cell_len(column.title) for column in self.columns]
        self._styles: _Styles | None = None

    # -- data --------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[LineRow]) -> None:
        """Show `rows`, keeping the cursor on the same key when it is still there (else on the
        first row)."""
        current = self.current_key
        # Cells hold names from catalog files: drawn printable, on one line (#11).
        self.rows = [
            row._replace(cells=tuple(printable(cell, one_line=True) for cell in row.cells))
            for row in rows
        ]
        widths = [cell_len(column.title) for column in self.columns]
        for row in self.rows:
            for index, text in enumerate(row.cells):
                widths[index] = max(widths[index], cell_len(text))
        self._widths = widths
        self.virtual_size = Size(self._line_width(), len(self.rows) + 1)
        kept = self.row_index(current) if current is not None else None
        self.cursor = kept if kept is not None else 0
        self._scroll_cursor_visible()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def row_keys(self) -> list[str]:
        """The keys of the rows, top to bottom."""
        return [row.key for row in self.rows]

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].key
        return None

    def row_index(self, key: str) -> int | None:
        """Where the row `key` is, or None."""
        for index, row in enumerate(self.rows):
            if row.key == key:
                return index
        return None

    def get_row(self, key: str) -> tuple[str, ...]:
        """The cells of the row `key`; KeyError when there is none."""
        index = self.row_index(key)
        if index is None:
            raise KeyError(key)
        return self.rows[index].cells

    # -- cursor ------------------------------------------------------------------------

    def watch_cursor(self) -> None:
        self.refresh()
        self.post_message(self.Highlighted(self, self.current_key))

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def _scroll_cursor_visible(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta
        self._scroll_cursor_visible()

    def action_page(self, direction: int) -> None:
        self.cursor += direction * self._page
        self._scroll_cursor_visible()

    def action_edge(self, end: int) -> None:
        self.cursor = len(self.rows) - 1 if end else 0
        self._scroll_cursor_visible()

    def action_select(self) -> None:
        key = self.current_key
        if key is not None:
            self.post_message(self.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        if event.y <= 0:
            return
        index = round(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor = index
            self.action_select()

    def on_resize(self) -> None:
        self.virtual_size = Size(self._line_width(), len(self.rows) + 1)

    # -- rendering -----------------------------------------------------------------------

    def _line_width(self) -> int:
        return sum(width + 2 for width in self._widths)  # a space either side of each cell

    def _cell(self, text: str, index: int) -> str:
        width = self._widths[index]
        if self.columns[index].right:
            return " " * (width - cell_len(text)) + text
        return set_cell_size(text, width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _row_styles(self) -> _Styles:
        """The styles of this paint (worked out once, not for every line)."""
        if self._styles is None:
            base = self.rich_style
            self._styles = _Styles(
                base,
                base + self.get_component_rich_style("line-table--header"),
                self.get_component_rich_style("line-table--even-row"),
                self.get_component_rich_style("line-table--cursor"),
            )
        return self._styles

    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles = None  # styles may have changed since the last paint (focus, theme)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        left = round(self.scroll_x)
        styles = self._row_styles()
        base = styles.base
        if y == 0:
            style = styles.header
            # Titles are left-aligned, numbers or not (as DataTable has them).
            text = "".join(
                f" {set_cell_size(c.title, w)} "
                for c, w in zip(self.columns, self._widths, strict=True)
            )
            return self._fit([Segment(text, style)], style, left, width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        if index % 2 == 0:  # as DataTable's zebra stripes: the first row is an "even" one
            style += styles.even_row
        if index == self.cursor:
            style += styles.cursor
        muted = style + _DIM
        segments = [
            Segment(f" {self._cell(text, position)} ", muted if position in row.muted else style)
            for position, text in enumerate(row.cells)
        ]
        return self._fit(segments, style, left, width)

    def _fit(self, segments: list[Segment], fill: Style, left: int, width: int) -> Strip:
        """The visible `width` cells of a line from `left`, padded with `fill`."""
        used = self._line_width()
        if used < left + width:
            segments.append(Segment(" " * (left + width - used), fill))
        return Strip(segments).crop(left, left + width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows) + 1
