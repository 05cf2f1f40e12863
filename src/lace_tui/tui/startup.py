"""What the app does before its first screen, without importing pydantic (start-up budget).

The full readers (instances/store.py, settings.py) validate with pydantic; here only the facts the
first paint needs are taken from the TOML, and anything wrong is left for them to report later.
"""

from __future__ import annotations

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
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StoredFileError(f"{path}: {exc}: fix or remove the file") from exc
    if _only_comments(text):  # e.g. the instances file with none left: no parser needed
        return {}
    import tomllib  # only for a file with content: its import costs more than the read (~5 ms)

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StoredFileError(f"{path}: {exc}: fix or remove the file") from exc


def _only_comments(text: str) -> bool:
    """Whether `text` is plainly an empty TOML document: blank lines and `#` comments only,
    without the control characters TOML forbids in comments (left to the parser to report)."""
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if any((ord(char) < 0x20 and char != "\t") or char == "\x7f" for char in line):
            return False
        stripped = line.strip(" \t")
        if stripped and not stripped.startswith("#"):
            return False
    return True


def count_instances(instances_file: Path) -> int:
    """How many `[instances.<id>]` tables the file has (0 without a file); StoredFileError when
    it is not TOML."""
    data = _read_toml(instances_file)
    if data is None:
        return 0
    tables = data.get("instances")
    return len(tables) if isinstance(tables, dict) else 0


def auto_update_may_be_on(settings_file: Path) -> bool:
    """False when the settings surely leave automatic catalog updates off (the default: no file,
    or no true `auto_update_catalog`); True when the full settings reader has to decide."""
    try:
        data = _read_toml(settings_file)
    except StoredFileError:
        return True  # the full reader reports it
    value = data.get("auto_update_catalog", False) if data is not None else False
    return value is not False


def saved_theme(settings_file: Path) -> str | None:
    """The theme named in the settings file, if any; StoredFileError when it is not TOML."""
    data = _read_toml(settings_file)
    theme = data.get("theme") if data is not None else None
    return theme if isinstance(theme, str) else None
