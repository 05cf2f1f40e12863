"""Copies of a user catalog file taken before each change, the last ten kept per provider.

Backups live in `catalog_backups_dir/<provider id>/<UTC timestamp>.json`. Names are fixed-width
timestamps, so name order is time order; a new backup always sorts after the ones before it,
even when the clock has stepped back, so pruning never removes the newest.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from pydantic import BaseModel

from lace_tui.errors import NotFoundError, StoredFileError
from lace_tui.fileio import atomic_write_bytes
from lace_tui.paths import Paths

KEEP_BACKUPS: Final = 10
_STAMP_FORMAT: Final = "%Y%m%dT%H%M%S.%fZ"
_NAME_RE: Final = re.compile(r"^\d{8}T\d{6}\.\d{6}Z$")


class BackupInfo(BaseModel):
    """One backup of one provider's user catalog file."""

    provider_id: str
    name: str  # the timestamp, e.g. 20260821T153046.123456Z; pass it to restore
    created: datetime
    path: Path
    size: int


def backup_dir(paths: Paths, provider_id: str) -> Path:
    """Where the backups of `provider_id` are kept."""
    return paths.catalog_backups_dir / provider_id


def list_backups(paths: Paths, provider_id: str) -> list[BackupInfo]:
    """The backups of `provider_id`, newest first (none when there are none)."""
    directory = backup_dir(paths, provider_id)
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoredFileError(
            f"cannot list catalog backups in {directory}: {exc.strerror}"
        ) from exc
    found: list[BackupInfo] = []
    for entry in entries:
        stem = entry.name.removesuffix(".json")
        if entry.name == stem or not _NAME_RE.match(stem):
            continue  # temp files of an interrupted write, or strangers
        try:
            size = entry.stat().st_size
            created = _parse_stamp(stem)
        except (OSError, ValueError):
            continue
        found.append(
            BackupInfo(
                provider_id=provider_id,
                name=stem,
                created=created,
                path=Path(entry.path),
                size=size,
            )
        )
    found.sort(key=lambda info: info.name, reverse=True)
    return found


def save_backup(
    paths: Paths, provider_id: str, data: bytes, *, now: datetime | None = None
) -> BackupInfo:
    """Store `data` as the newest backup of `provider_id`, then drop all but the last ten.

    The caller holds the catalog lock, so no other writer picks the same name meanwhile.
    """
    existing = list_backups(paths, provider_id)
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    if existing and stamp <= existing[0].created:
        stamp = existing[0].created + timedelta(microseconds=1)
    name = stamp.strftime(_STAMP_FORMAT)
    path = backup_dir(paths, provider_id) / f"{name}.json"
    try:
        atomic_write_bytes(path, data, 0o600)
    except OSError as exc:
        raise StoredFileError(f"cannot write catalog backup {path}: {exc.strerror}") from exc
    for old in existing[KEEP_BACKUPS - 1 :]:
        try:
            old.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoredFileError(f"cannot remove old backup {old.path}: {exc.strerror}") from exc
    return BackupInfo(provider_id=provider_id, name=name, created=stamp, path=path, size=len(data))


def read_backup(paths: Paths, provider_id: str, name: str) -> bytes:
    """The bytes of backup `name` (with or without `.json`); NotFoundError if there is none."""
    stem = name.removesuffix(".json")
    if not _NAME_RE.match(stem):
        raise NotFoundError(
            f"no backup {name!r} of provider '{provider_id}': "
            "backup names are timestamps like 20260821T153046.123456Z (list them first)"
        )
    path = backup_dir(paths, provider_id) / f"{stem}.json"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            f"no backup {stem} of provider '{provider_id}' in {path.parent}: list the backups "
            "to see which exist"
        ) from None
    except OSError as exc:
        raise StoredFileError(f"cannot read catalog backup {path}: {exc.strerror}") from exc


def _parse_stamp(stem: str) -> datetime:
    return datetime.strptime(stem, _STAMP_FORMAT).replace(tzinfo=UTC)
