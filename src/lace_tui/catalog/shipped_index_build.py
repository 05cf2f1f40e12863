"""Write `shipped_index.py`: the shipped catalog as the Catalog table shows it, for the first frame.

Run after any change to the shipped catalog files (data/catalogs):

    python -m lace_tui.catalog.shipped_index_build

The briefs come from the full loader (validated); the file also records the name, size and
CRC-32 of every shipped file, so a start whose files do not match it does not use it. The test
suite (tests/catalog) fails while the index does not match the shipped data.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from lace_tui.catalog.brief_cache import file_prints
from lace_tui.catalog.briefs import ProviderBrief, briefs_of
from lace_tui.catalog.constants import is_catalog_file_name
from lace_tui.catalog.loader import load_catalog
from lace_tui.errors import LaceError
from lace_tui.paths import resolve_paths, shipped_catalogs_dir

INDEX_FILE = Path(__file__).with_name("shipped_index.py")

_HEADER = '''"""The shipped catalog as the Catalog table shows it: GENERATED, do not edit.

Written by `python -m lace_tui.catalog.shipped_index_build` from the shipped catalog files
through the full loader; read by brief_cache.py for the first frame of a start on the shipped
data alone. tests/catalog fails while it does not match the shipped files.
"""

from typing import Final

_Price = float | None
_Row = tuple[str, str, str, int, str, str | None, _Price, _Price, _Price, _Price]

'''


def render_shipped_index() -> str:
    """The text of `shipped_index.py` for the shipped files as they are; LaceError when one of
    them does not load (the index is only ever made from data that loads cleanly)."""
    directory = shipped_catalogs_dir()
    files = sorted(path for path in directory.iterdir() if is_catalog_file_name(path.name))
    with tempfile.TemporaryDirectory(prefix="lace-shipped-index-") as home:
        catalog = load_catalog(resolve_paths(home))  # an empty home: the shipped data alone
    if catalog.issues:
        problems = "; ".join(str(issue) for issue in catalog.issues)
        raise LaceError(f"the shipped catalog does not load cleanly: {problems}")
    lines = [_HEADER]
    lines.append("# (file name, size, CRC-32) of every shipped catalog file, by name.\n")
    lines.append("FILES: Final[tuple[tuple[str, int, int], ...]] = (\n")
    lines.extend(f"    ({_text(name)}, {size}, {crc}),\n" for name, size, crc in file_prints(files))
    lines.append(")\n\n")
    lines.append(
        "# Per provider, in the catalog's order: id, display name, type, model count, endpoint,\n"
        "# key variable, lowest and highest input price, lowest and highest output price.\n"
    )
    lines.append("BRIEFS: Final[tuple[_Row, ...]] = (\n")
    lines.extend(_row(brief) for brief in briefs_of(catalog))
    lines.append(")\n")
    return "".join(lines)


def _row(brief: ProviderBrief) -> str:
    prices = brief.prices
    fields = [
        _text(brief.id),
        _text(brief.name),
        _text(brief.type),
        str(brief.model_count),
        _text(brief.api_endpoint),
        _text(brief.api_key_env),
        *(_number(price) for price in prices),
    ]
    return "    (\n" + "".join(f"        {field},\n" for field in fields) + "    ),\n"


def _text(value: str | None) -> str:
    return "None" if value is None else json.dumps(value)


def _number(value: float | None) -> str:
    return "None" if value is None else repr(float(value))


def main() -> None:
    """Write the index next to this module."""
    try:
        text = render_shipped_index()
    except LaceError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from None
    INDEX_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX_FILE}")


if __name__ == "__main__":
    main()
