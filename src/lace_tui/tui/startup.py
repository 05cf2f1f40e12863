"""What the app reads before its first screen, without importing pydantic (start-up budget).

The full readers (instances/store.py, settings.py) validate with pydantic; here only the facts the
first paint needs are taken from the TOML, and anything wrong is left for them to report later.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from lace_tui.errors import StoredFileError


def _read_toml(path: Path) -> dict[str, object] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoredFileError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StoredFileError(f"{path}: {exc}: fix or remove the file") from exc


def count_instances(instances_file: Path) -> int:
    """How many `[instances.<id>]` tables the file has (0 without a file); StoredFileError when
    it is not TOML."""
    data = _read_toml(instances_file)
    if data is None:
        return 0
    tables = data.get("instances")
    return len(tables) if isinstance(tables, dict) else 0


def saved_theme(settings_file: Path) -> str | None:
    """The theme named in the settings file, if any; StoredFileError when it is not TOML."""
    data = _read_toml(settings_file)
    theme = data.get("theme") if data is not None else None
    return theme if isinstance(theme, str) else None
