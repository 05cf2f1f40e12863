"""The Catalog table's first frame: provider briefs without importing pydantic (start-up budget).

`first_frame_briefs` answers from:
1. on a start with neither a downloaded update nor user catalog files (a first start, and most
   later ones), the shipped index (`data/catalog_index.tsv`, generated from the shipped data
   through the full loader) when every shipped file still has the name, size and CRC-32 it
   records;
2. otherwise the briefs saved after the last full load (`Paths.catalog_briefs_file`), when every
   file that load read is unchanged: the shipped data, the downloaded update, each user catalog
   file (by name, modification time and size), and lace-tui's version and catalog code;
3. else nothing (None): the screen then waits for the full load, as it did before any of this.

It only ever speeds up the first frame. The full load still runs in the background, reports
every broken file, and the table is rebuilt from it; `save_briefs` then refreshes the file. A
saved file that is stale, unreadable or malformed is ignored and silently rewritten.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple

from lace_tui import __version__
from lace_tui.catalog.briefs import PriceSpan, ProviderBrief
from lace_tui.catalog.constants import CHAT_TYPES, UPDATE_FILE_NAME, is_catalog_file_name
from lace_tui.paths import Paths, shipped_catalogs_dir, shipped_index_file

if TYPE_CHECKING:
    from lace_tui.catalog.core import CatalogSource

# Bump when the file's layout or the meaning of a brief changes.
FORMAT: Final = 1

# The catalog code whose edits change what a load gives (a source checkout keeps its version).
_CODE_FILES: Final = ("constants.py", "models.py", "loader.py", "briefs.py", "brief_cache.py")

# (file name, size, CRC-32) of a shipped catalog file.
FilePrint = tuple[str, int, int]
# A provider in the shipped index: id, display name, type, model count, endpoint, key variable,
# then the lowest and highest input and output prices.
IndexRow = tuple[
    str, str, str, int, str, str | None, float | None, float | None, float | None, float | None
]
_SOURCES: Final[tuple[CatalogSource, ...]] = ("shipped", "update", "user")

Stamp = list[list[str | int]]


class _Scan(NamedTuple):
    """What the catalog would be loaded from now."""

    stamp: Stamp
    shipped_files: list[Path]
    only_shipped: bool  # no downloaded update and no user catalog file


def first_frame_briefs(paths: Paths) -> list[ProviderBrief] | None:
    """Briefs for the Catalog table before the full catalog has loaded, or None (see above)."""
    scan = _scan(paths)
    if scan is None:
        return None
    if scan.only_shipped:
        index = read_shipped_index()
        indexed = None if index is None else index_briefs(scan.shipped_files, *index)
        if indexed is not None:
            return indexed
    return read_briefs(paths, scan.stamp)


def read_shipped_index(
    path: Path | None = None,
) -> tuple[list[FilePrint], list[IndexRow]] | None:
    """The shipped index's file prints and rows; None when it is missing or malformed (the
    first frame then waits for the full load).

    Tab-separated text rather than JSON: the first frame does without the json module (~1 ms).
    A `format` line, then a `file` line per shipped file (name, size, CRC-32) and a `provider`
    line per provider (the fields of `IndexRow`; an empty key variable or price is None)."""
    try:
        text = (path or shipped_index_file()).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    prints: list[FilePrint] = []
    rows: list[IndexRow] = []
    version = None
    try:
        for line in text.splitlines():
            kind, _, rest = line.partition("\t")
            fields = rest.split("\t")
            if kind == "provider" and len(fields) == 10:
                ident, name, kind, count, endpoint, key_env, in_lo, in_hi, out_lo, out_hi = fields
                rows.append(
                    (ident, name, kind, int(count), endpoint, key_env or None,
                     float(in_lo) if in_lo else None, float(in_hi) if in_hi else None,
                     float(out_lo) if out_lo else None, float(out_hi) if out_hi else None)
                )  # fmt: skip
            elif kind == "file" and len(fields) == 3:
                prints.append((fields[0], int(fields[1]), int(fields[2])))
            elif kind == "format" and len(fields) == 1:
                version = int(fields[0])
            elif line and not line.startswith("#"):
                return None
    except ValueError:
        return None
    return (prints, rows) if version == FORMAT else None


def shipped_only_briefs(paths: Paths) -> list[ProviderBrief] | None:
    """The briefs of a home that reads only the shipped data (no downloaded update, no user
    catalog file) from the shipped index, or None. Nothing such a home reads can be broken, so
    these answer `catalog list` exactly as a full load would, without pydantic."""
    scan = _scan(paths)
    if scan is None or not scan.only_shipped:
        return None
    index = read_shipped_index()
    return None if index is None else index_briefs(scan.shipped_files, *index)


def index_briefs(
    files: Sequence[Path], prints: Sequence[FilePrint], rows: Sequence[IndexRow]
) -> list[ProviderBrief] | None:
    """The briefs of an index (`rows`) made from files with these `prints`, when `files` are
    still those; None when a file was added, removed or changed (or cannot be read)."""
    if [path.name for path in files] != [name for name, _, _ in prints]:
        return None
    try:
        if file_prints(files) != list(prints):
            return None
    except OSError:
        return None
    return [
        ProviderBrief(
            id=provider_id,
            name=name,
            type=kind,
            model_count=count,
            source="shipped",
            can_chat=kind in CHAT_TYPES,
            api_endpoint=endpoint,
            api_key_env=key_env,
            prices=PriceSpan(*prices),
        )
        for provider_id, name, kind, count, endpoint, key_env, *prices in rows
    ]


def file_prints(files: Sequence[Path]) -> list[FilePrint]:
    """(name, size, CRC-32) of each file; OSError when one cannot be read."""
    prints: list[FilePrint] = []
    for path in files:
        data = path.read_bytes()
        prints.append((path.name, len(data), zlib.crc32(data)))
    return prints


def sources_stamp(paths: Paths) -> Stamp | None:
    """What identifies the catalog's source files as they are now; None when a directory
    cannot be listed (the full load reports that)."""
    scan = _scan(paths)
    return scan.stamp if scan is not None else None


def read_briefs(paths: Paths, stamp: Stamp) -> list[ProviderBrief] | None:
    """The saved briefs if they were saved for `stamp`; None when missing, stale or unreadable."""
    import json  # not before it is needed: a first start does without (~1 ms)

    try:
        data = paths.catalog_briefs_file.read_bytes()
        saved: object = json.loads(data)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        return None
    if saved.get("stamp") != stamp:
        return None
    entries = saved.get("providers")
    if not isinstance(entries, list):
        return None
    try:
        return [_brief_of_json(entry) for entry in entries]
    except _Malformed:
        return None


def save_briefs(paths: Paths, stamp: Stamp, briefs: list[ProviderBrief]) -> None:
    """Keep `briefs` for the next start's first frame, keyed on `stamp` (taken before the load
    they come from). A cache: a failure to write is ignored, and an unchanged file not
    rewritten."""
    import json

    from lace_tui.fileio import atomic_write_bytes

    providers = [{**b._asdict(), "prices": b.prices._asdict()} for b in briefs]
    document = {"format": FORMAT, "stamp": stamp, "providers": providers}
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    target = paths.catalog_briefs_file
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    try:
        atomic_write_bytes(target, data, 0o600)
    except OSError:
        return


def _scan(paths: Paths) -> _Scan | None:
    shipped_dir = shipped_catalogs_dir()
    shipped = _json_entries(shipped_dir)
    user = _json_entries(paths.user_catalogs_dir)
    if shipped is None or user is None:
        return None
    update_file = paths.catalog_update_dir / UPDATE_FILE_NAME
    code_dir = Path(__file__).parent
    stamp: Stamp = [["lace-tui", __version__, FORMAT]]
    stamp.extend(_file_stamp("code", code_dir / name) for name in _CODE_FILES)
    stamp.append(["shipped-dir", str(shipped_dir)])
    stamp.extend(["shipped", *entry] for entry in shipped)
    update = _file_stamp("update", update_file)
    stamp.append(update)
    stamp.append(["user-dir", str(paths.user_catalogs_dir)])
    stamp.extend(["user", *entry] for entry in user)
    return _Scan(
        stamp=stamp,
        shipped_files=[shipped_dir / str(entry[0]) for entry in shipped],
        only_shipped=not user and len(update) == 2,
    )


def _json_entries(directory: Path) -> list[list[str | int]] | None:
    """[name, mtime_ns, size] of the catalog files of `directory`, by name ([] when it does not
    exist); None when it cannot be listed or a file cannot be looked at."""
    try:
        with os.scandir(directory) as entries:
            found = sorted(
                (entry.name, entry.stat()) for entry in entries if is_catalog_file_name(entry.name)
            )
    except FileNotFoundError:
        return []
    except OSError:
        return None
    return [[name, stat.st_mtime_ns, stat.st_size] for name, stat in found]


def _file_stamp(label: str, path: Path) -> list[str | int]:
    """[label, path, mtime_ns, size], or [label, path] when there is no such file."""
    try:
        stat = path.stat()
    except OSError:
        return [label, str(path)]
    return [label, str(path), stat.st_mtime_ns, stat.st_size]


def _brief_of_json(entry: object) -> ProviderBrief:
    """A brief as `save_briefs` wrote it; _Malformed for anything else."""
    if not isinstance(entry, dict):
        raise _Malformed
    prices = entry.get("prices")
    if not isinstance(prices, dict):
        raise _Malformed
    count = entry.get("model_count")
    can_chat = entry.get("can_chat")
    if not isinstance(count, int) or isinstance(count, bool) or not isinstance(can_chat, bool):
        raise _Malformed
    return ProviderBrief(
        id=_text(entry, "id"),
        name=_text(entry, "name"),
        type=_text(entry, "type"),
        model_count=count,
        source=_source(entry.get("source")),
        can_chat=can_chat,
        api_endpoint=_text(entry, "api_endpoint"),
        api_key_env=_optional_text(entry, "api_key_env"),
        prices=PriceSpan(*(_price(prices, f) for f in ("min_in", "max_in", "min_out", "max_out"))),
        user_file=_optional_text(entry, "user_file"),
    )


class _Malformed(Exception):
    """A saved file that is not what `save_briefs` writes."""


def _source(value: object) -> CatalogSource:
    for source in _SOURCES:
        if value == source:
            return source
    raise _Malformed


def _text(entry: dict[object, object], field: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str):
        raise _Malformed
    return value


def _optional_text(entry: dict[object, object], field: str) -> str | None:
    value = entry.get(field)
    if value is not None and not isinstance(value, str):
        raise _Malformed
    return value


def _price(prices: dict[object, object], field: str) -> float | None:
    value = prices.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Malformed
    return float(value)
