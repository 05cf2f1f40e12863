"""A virtual table of catalog models: only the lines on screen are ever rendered.

The Models section shows every model of every provider (tens of thousands with big user
catalogs) and refilters on each keystroke. A DataTable measures and stores every cell of every
row it is given, which is far too slow at that size; this widget keeps a plain list of rows and
formats a row only when it scrolls into view, so a new filter result costs one list swap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lace_tui.catalog.query import ModelRow, SortKey
from lace_tui.services.cost import format_price
from lace_tui.textsafe import printable
from lace_tui.tui.format import format_tokens

ModelKey = tuple[str, str]  # (provider id, model id)


@dataclass(frozen=True)
class Column:
    """A column: its sort key (None: not sortable), header, width, alignment."""

    key: SortKey | None
    title: str
    width: int  # 0: takes the width left over
    right: bool = False


COLUMNS: Final[tuple[Column, ...]] = (
    Column("name", "Model", 0),
    Column("provider", "Provider", 13),
    Column("input_price", "In $/M", 7, right=True),
    Column("output_price", "Out $/M", 7, right=True),
    Column("context", "Context", 7, right=True),
    Column("max_output", "Max out", 7, right=True),
    Column(None, "Rsn", 3),
    Column(None, "Att", 3),
)
SORT_KEYS: Final[tuple[SortKey, ...]] = tuple(c.key for c in COLUMNS if c.key is not None)
_MARK_WIDTH = 2
_MIN_NAME = 14


def model_key(row: ModelRow) -> ModelKey:
    """The identity of a row across filters and reloads."""
    return (row.provider_id, row.model.id)


def row_cells(row: ModelRow) -> tuple[str, ...]:
    """The text of each column for `row`."""
    model = row.model
    return (
        printable(model.display_name, one_line=True),  # names from catalog files (#11)
        printable(row.provider_name, one_line=True),
        format_price(model.cost_per_1m_in),
        format_price(model.cost_per_1m_out),
        format_tokens(model.context_window),
        format_tokens(model.default_max_tokens),
        "yes" if model.can_reason else "",
        "yes" if model.supports_attachments else "",
    )


def _fit(text: str, width: int, right: bool) -> str:
    if len(text) > width:
        return text[: max(0, width - 1)] + "…" if width > 0 else ""
    return text.rjust(width) if right else text.ljust(width)


class ModelTable(ScrollView, can_focus=True):
    """Rows of models with a cursor, marks (space) and a sort indicator in the header."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", show=False),
        Binding("j", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("space", "toggle_mark", "Mark", key_display="space"),
        Binding("enter", "select", "Chat", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "model-table--header",
        "model-table--cursor",
        "model-table--marked",
        "model-table--unknown",
    }

    DEFAULT_CSS = """
    ModelTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        & > .model-table--header { text-style: bold; color: $text-accent; background: $panel; }
        & > .model-table--cursor { background: $block-cursor-blurred-background; }
        & > .model-table--marked { color: $text-warning; text-style: bold; }
        & > .model-table--unknown { color: $text-muted; }
        &:focus > .model-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor moved to `row` (None: the table is empty)."""

        def __init__(self, row: ModelRow | None) -> None:
            super().__init__()
            self.row = row

    class Selected(Message):
        """Enter on `row`."""

        def __init__(self, row: ModelRow) -> None:
            super().__init__()
            self.row = row

    class MarksChanged(Message):
        """The set of marked models changed."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[ModelRow] = []
        self.marked: dict[ModelKey, ModelRow] = {}
        self.sort_key: SortKey = "name"
        self.descending = False
        self._cells: dict[int, tuple[ModelRow, tuple[str, ...]]] = {}

    # -- data --------------------------------------------------------------------------

    def set_rows(self, rows: list[ModelRow]) -> None:
        """Show `rows` (already filtered and sorted), keeping the cursor on the same model."""
        current = self.current_row
        self.rows = rows
        index = 0
        if current is not None:
            for position, row in enumerate(rows):
                if row is current:
                    index = position
                    break
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.cursor = index
        self._scroll_cursor_visible()
        self.refresh()

    def set_sort(self, key: SortKey, descending: bool) -> None:
        """Record the sort shown in the header (the caller sorts the rows)."""
        self.sort_key = key
        self.descending = descending
        self.refresh()

    @property
    def current_row(self) -> ModelRow | None:
        """The row under the cursor."""
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def marked_rows(self) -> list[ModelRow]:
        """Marked models in the order they were marked."""
        return list(self.marked.values())

    def clear_marks(self) -> None:
        """Unmark every model."""
        self.marked.clear()
        self.post_message(self.MarksChanged(0))
        self.refresh()

    # -- cursor ------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.post_message(self.Highlighted(self.current_row))

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

    def action_toggle_mark(self) -> None:
        """Mark or unmark the model under the cursor, then move down."""
        row = self.current_row
        if row is None:
            return
        key = model_key(row)
        if key in self.marked:
            del self.marked[key]
        else:
            self.marked[key] = row
        self.post_message(self.MarksChanged(len(self.marked)))
        self.action_cursor(1)
        self.refresh()

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(row))

    def on_click(self, event: events.Click) -> None:
        if event.y <= 0:
            return
        index = round(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    # -- rendering -----------------------------------------------------------------------

    def _widths(self, width: int) -> list[int]:
        """Column widths for `width` cells: the provider column grows a little on wide
        terminals (up to 24), the model name takes the rest."""
        widths = [column.width for column in COLUMNS]
        widths[1] = max(COLUMNS[1].width, min(24, (width - 59) // 3))
        fixed = _MARK_WIDTH + sum(w + 1 for w in widths if w)
        widths[0] = max(_MIN_NAME, width - fixed - 1)
        return widths

    def _line(self, cells: tuple[str, ...], widths: list[int]) -> list[str]:
        return [_fit(text, w, c.right) for text, w, c in zip(cells, widths, COLUMNS, strict=True)]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._widths(width)
        base = self.rich_style
        if y == 0:
            titles = []
            for column in COLUMNS:
                title = column.title
                if column.key is not None and column.key == self.sort_key:
                    title += "▼" if self.descending else "▲"
                titles.append(title)
            header = self.get_component_rich_style("model-table--header")
            text = "  " + " ".join(self._line(tuple(titles), widths))
            return Strip([Segment(text.ljust(width), base + header)]).crop(0, width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        cached = self._cells.get(id(row))
        # The entry holds the row itself, so its id cannot be reused by another object.
        if cached is not None and cached[0] is row:
            cells = cached[1]
        else:
            cells = row_cells(row)
            self._cells[id(row)] = (row, cells)
        style = base
        marked = model_key(row) in self.marked
        if marked:
            style += self.get_component_rich_style("model-table--marked")
        if index == self.cursor:
            style += self.get_component_rich_style("model-table--cursor")
        unknown = style + self.get_component_rich_style("model-table--unknown")
        segments = [Segment("● " if marked else "  ", style)]
        for position, text in enumerate(self._line(cells, widths)):
            if position:
                segments.append(Segment(" ", style))
            raw = cells[position]
            segments.append(Segment(text, unknown if raw in ("?", "—") else style))
        used = sum(len(s.text) for s in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments).crop(0, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows) + 1
