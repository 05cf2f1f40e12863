"""Outside text for widgets: made printable and never parsed as markup.

Replies, errors, model and provider names come from servers and files. A `str` handed to
`Static`, `Label`, `notify` and friends is parsed as Textual markup (a stored error holding
`[/]` raised MarkupError on every start) and its control characters reach the terminal (OSC 52
writes the clipboard). `literal` returns a `Content` of the printable text: drawn as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.content import Content

from lace_tui.textsafe import printable


def literal(text: str, *, one_line: bool = False) -> Content:
    """`text` as literal, printable Content (see textsafe.printable for `one_line`)."""
    return Content(printable(text, one_line=one_line))


def assemble(*parts: str | Content | tuple[str, str]) -> Content:
    """`Content.assemble` with every text part made printable: the parts are literal text
    (never markup) and often quote outside text (names, ids, messages)."""
    cleaned: list[str | Content | tuple[str, str]] = []
    for part in parts:
        if isinstance(part, str):
            cleaned.append(printable(part))
        elif isinstance(part, tuple):
            cleaned.append((printable(part[0]), part[1]))
        else:
            cleaned.append(part)
    return Content.assemble(*cleaned)


def cells(values: Iterable[str | Text]) -> list[Text]:
    """A DataTable row as literal, printable cells: DataTable parses a `str` cell as Rich
    markup, so each becomes a `Text` (which is not parsed); `Text` cells are made printable."""
    out: list[Text] = []
    for value in values:
        if isinstance(value, str):
            out.append(Text(printable(value, one_line=True), no_wrap=True, end=""))
        else:
            clean = printable(value.plain, one_line=True)
            out.append(value if clean is value.plain else _retext(value, clean))
    return out


def _retext(value: Text, clean: str) -> Text:
    return Text(clean, style=value.style, justify=value.justify, no_wrap=True, end="")


def styled(text: str, style: str) -> Content:
    """`Content.styled` of the printable `text` (literal, never markup)."""
    return Content.styled(printable(text), style)
