"""Where lace-tui keeps its files.

`LACE_DIR` (or `--home DIR`) puts everything under one directory; otherwise platformdirs decides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "lace-tui"
_PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Paths:
    """Resolved locations of every file lace-tui reads or writes."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def instances_file(self) -> Path:
        return self.config_dir / "instances.toml"

    @property
    def credentials_dir(self) -> Path:
        return self.config_dir / "credentials"

    @property
    def user_catalogs_dir(self) -> Path:
        return self.config_dir / "catalogs"

    @property
    def catalog_backups_dir(self) -> Path:
        return self.config_dir / "catalog-backups"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def state_file(self) -> Path:
        """Small runtime state: connection-test results, env imports already done."""
        return self.data_dir / "state.json"

    @property
    def sessions_db(self) -> Path:
        return self.data_dir / "sessions.db"

    @property
    def models_cache_dir(self) -> Path:
        """Discovered model lists, one JSON file per instance."""
        return self.cache_dir / "models"

    @property
    def catalog_briefs_file(self) -> Path:
        """What the Catalog screen shows of each provider, saved for the next start's first
        frame (a cache: see catalog/brief_cache.py)."""
        return self.cache_dir / "catalog-briefs.json"

    @property
    def catalog_update_dir(self) -> Path:
        """Catalog data fetched by `catalog update`, used in place of the shipped data."""
        return self.cache_dir / "catalog-update"


def resolve_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """Paths under `home`, else under `$LACE_DIR`, else the platform's user directories."""
    chosen = home if home is not None else os.environ.get("LACE_DIR") or None
    if chosen is not None:
        root = Path(chosen).expanduser().resolve()
        return Paths(config_dir=root, data_dir=root, cache_dir=root / "cache")
    import platformdirs

    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)),
    )


def shipped_catalogs_dir() -> Path:
    """The catalog JSON files shipped with the package (wheel) or the source checkout."""
    installed = _PACKAGE_DIR / "data" / "catalogs"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent.parent / "data" / "catalogs"


def shipped_index_file() -> Path:
    """The shipped catalog as the Catalog table shows it (catalog/shipped_index_build.py)."""
    installed = _PACKAGE_DIR / "data" / "catalog_index.tsv"
    if installed.is_file():
        return installed
    return _PACKAGE_DIR.parent.parent / "data" / "catalog_index.tsv"


def stylesheet_path() -> Path:
    """The app's Textual stylesheet, from the package (wheel) or the source checkout."""
    installed = _PACKAGE_DIR / "screens.tcss"
    if installed.is_file():
        return installed
    return _PACKAGE_DIR.parent.parent / "screens.tcss"
