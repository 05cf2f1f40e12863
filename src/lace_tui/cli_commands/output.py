"""Plain-text tables, JSON and warnings for the CLI."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence

from lace_tui.redact import MASK, is_sensitive_header
from lace_tui.textsafe import printable

# JSON escapes C0 controls itself; C1 controls and bidi controls would go out raw with
# ensure_ascii=False. As \u escapes the text stays exact for a reader and inert in a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last column is not padded. Cells are made
    printable on one line (they may hold names and ids from servers and catalog files)."""
    table = [list(headers), *[[printable(cell, one_line=True) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    out = sys.stdout
    for row in table:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")


def print_json(data: object) -> None:
    """Stable JSON: 2-space indent, keys in model order, UTF-8 kept."""
    if "pydantic" in sys.modules:  # else no model can be in `data`: plain data stays fast
        data = _dumped(data)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def _dumped(data: object) -> object:
    from pydantic import BaseModel

    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [
            item.model_dump(mode="json") if isinstance(item, BaseModel) else item for item in data
        ]
    return data


def warn(message: str) -> None:
    sys.stderr.write(f"warning: {printable(message, one_line=True)}\n")


def note(message: str) -> None:
    sys.stderr.write(f"{printable(message)}\n")


def say(text: str) -> None:
    """Text for stdout that may hold outside text (names, replies, messages): made printable."""
    sys.stdout.write(printable(text))


def say_line(text: str) -> None:
    """One line for stdout, made printable on one line (a newline in a name cannot split it)."""
    sys.stdout.write(printable(text, one_line=True) + "\n")


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Header values that may be credentials are replaced by `***`."""
    return {name: MASK if is_sensitive_header(name) else value for name, value in headers.items()}
