"""User settings (TOML): theme, catalog update source, model preferences (default, pins,
aliases). Unknown keys are kept on write."""

from __future__ import annotations

import tomllib
from collections.abc import Callable

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lace_tui.errors import StoredFileError
from lace_tui.fileio import atomic_write_text, file_lock
from lace_tui.paths import Paths

DEFAULT_CATWALK_URL = "https://catwalk.charm.sh"


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow")

    theme: str = "textual-dark"
    catwalk_url: str = DEFAULT_CATWALK_URL
    # Off by default: many SSH machines are air-gapped, and start-up must not wait on a network.
    auto_update_catalog: bool = False
    # Model preferences (#15), each model as "INSTANCE/MODEL": what `chat PROMPT` uses, what
    # the picker lists first, and short names for `chat -m NAME`.
    default_model: str = ""
    pinned_models: list[str] = Field(default_factory=list)
    aliases: dict[str, str] = Field(default_factory=dict)


def _read(paths: Paths) -> Settings:
    path = paths.settings_file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise StoredFileError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        return Settings.model_validate(tomllib.loads(raw.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StoredFileError(f"{path}: {exc}: fix or remove the file") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StoredFileError(f"{path}: {where}: {first['msg']}: fix or remove the file") from exc


def load_settings(paths: Paths) -> Settings:
    """The settings, defaults when there is no file; StoredFileError when it does not parse."""
    return _read(paths)


def update_settings(paths: Paths, **changes: str | bool) -> Settings:
    """Change some settings atomically, re-reading under the lock; a broken file is kept."""
    return change_settings(paths, lambda current: {**current.model_dump(), **changes})


def change_settings(paths: Paths, change: Callable[[Settings], dict[str, object]]) -> Settings:
    """Re-read the settings under the lock, let `change` build the new ones from them (it may
    raise to refuse: nothing is written), validate, and write atomically."""
    with file_lock(paths.settings_file):
        current = _read(paths)
        updated = Settings.model_validate(change(current))
        atomic_write_text(paths.settings_file, tomli_w.dumps(updated.model_dump()))
    return updated
