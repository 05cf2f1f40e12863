"""Plain-text tables, JSON and warnings for the CLI."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    table = [list(headers), *[list(row) for row in rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    out = sys.stdout
    for row in table:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")


def print_json(data: object) -> None:
    """Stable JSON: 2-space indent, keys in model order, UTF-8 kept."""
    if "pydantic" in sys.modules:  # else no model can be in `data`: plain data stays fast
        data = _dumped(data)
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


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
    sys.stderr.write(f"warning: {message}\n")


def note(message: str) -> None:
    sys.stderr.write(f"{message}\n")


SENSITIVE_HEADER_WORDS = ("auth", "key", "token", "secret", "cookie", "password")


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Header values that may be credentials are replaced by `***`."""
    return {
        name: "***" if any(word in name.lower() for word in SENSITIVE_HEADER_WORDS) else value
        for name, value in headers.items()
    }
