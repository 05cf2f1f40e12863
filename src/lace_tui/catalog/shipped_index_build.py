"""Write `data/catalog_index.tsv`: the shipped catalog as the Catalog table shows it, for the
first frame (read by brief_cache.read_shipped_index).

Run after any change to the shipped catalog files (data/catalogs):

    python -m lace_tui.catalog.shipped_index_build

The briefs come from the full loader (validated); the file also records the name, size and
CRC-32 of every shipped file, so a start whose files do not match it does not use it. The test
suite (tests/catalog) fails while the index does not match the shipped data.
"""

from __future__ import annotations

import sys
import tempfile

from lace_tui.catalog.brief_cache import FORMAT, file_prints
from lace_tui.catalog.briefs import ProviderBrief, briefs_of
from lace_tui.catalog.constants import is_catalog_file_name
from lace_tui.catalog.loader import load_catalog
from lace_tui.errors import LaceError
from lace_tui.paths import resolve_paths, shipped_catalogs_dir, shipped_index_file

INDEX_FILE = shipped_index_file()

_HEADER = """\
# The shipped catalog as the Catalog table shows it: GENERATED, do not edit.
# Written by `python -m lace_tui.catalog.shipped_index_build`; read by catalog/brief_cache.py.
# file: name, size, CRC-32. provider (in the catalog's order): id, display name, type, model
# count, endpoint, key variable, lowest and highest input price, lowest and highest output
# price; an empty key variable or price is none.
"""


def render_shipped_index() -> str:
    """The text of the index for the shipped files as they are; LaceError when one of them
    does not load (the index is only ever made from data that loads cleanly) or holds a text
    the tab-separated lines cannot carry."""
    directory = shipped_catalogs_dir()
    files = sorted(path for path in directory.iterdir() if is_catalog_file_name(path.name))
    with tempfile.TemporaryDirectory(prefix="lace-shipped-index-") as home:
        catalog = load_catalog(resolve_paths(home))  # an empty home: the shipped data alone
    if catalog.issues:
        problems = "; ".join(str(issue) for issue in catalog.issues)
        raise LaceError(f"the shipped catalog does not load cleanly: {problems}")
    lines = [_HEADER, f"format\t{FORMAT}\n"]
    lines.extend(_line("file", name, str(size), str(crc)) for name, size, crc in file_prints(files))
    lines.extend(_row(brief) for brief in briefs_of(catalog))
    return "".join(lines)


def _row(brief: ProviderBrief) -> str:
    if brief.api_key_env == "":
        raise LaceError(f"provider '{brief.id}': an empty key variable would read back as none")
    prices = ("" if price is None else repr(float(price)) for price in brief.prices)
    return _line(
        "provider",
        brief.id,
        brief.name,
        brief.type,
        str(brief.model_count),
        brief.api_endpoint,
        brief.api_key_env or "",
        *prices,
    )


def _line(*fields: str) -> str:
    for field in fields:
        if any(char in field for char in "\t\r\n"):
            raise LaceError(f"a tab or line break in {field!r} cannot go in the shipped index")
    return "\t".join(fields) + "\n"


def main() -> None:
    """Write the index beside the shipped catalogs."""
    try:
        text = render_shipped_index()
    except LaceError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from None
    INDEX_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX_FILE}")


if __name__ == "__main__":
    main()
