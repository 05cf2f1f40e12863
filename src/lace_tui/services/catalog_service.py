"""The catalog as both front ends change it: your own catalog files (with their backups),
updates from Catwalk, and the automatic-update setting. Reading the catalog is
`Services.catalog`; this is everything that writes."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from lace_tui.paths import Paths

# pydantic and httpx come with these: imported when first used, not with the app's services.
if TYPE_CHECKING:
    from lace_tui.catalog.custom import CatalogEditor
    from lace_tui.catalog.loader import Catalog
    from lace_tui.catalog.update import PendingUpdate, UpdateResult


class CatalogService:
    """Writes to the catalog files of one lace-tui home. `reload` reads the catalog again
    (the app's services drop what they built on the old one)."""

    def __init__(self, paths: Paths, reload: Callable[[], Catalog]) -> None:
        self.paths = paths
        self._reload = reload

    # -- your own providers ----------------------------------------------------------------

    @cached_property
    def editor(self) -> CatalogEditor:
        """Your own providers and overrides: create, edit, import, export, back up, restore."""
        from lace_tui.catalog.custom import CatalogEditor

        return CatalogEditor(self.paths)

    def reload(self) -> Catalog:
        """Read the catalog files again (after an edit)."""
        return self._reload()

    # -- updates from Catwalk --------------------------------------------------------------

    def update_source(self) -> str:
        """Where updates come from unless told otherwise (the `catwalk_url` setting)."""
        from lace_tui.settings import load_settings

        return load_settings(self.paths).catwalk_url

    async def prepare_update(self, source: str | None = None) -> PendingUpdate:
        """Fetch and validate an update and diff it against the data in use; store nothing.
        `source` None is the `catwalk_url` setting (see catalog.update.prepare_update)."""
        from lace_tui.catalog.update import prepare_update

        return await prepare_update(self.paths, source)

    def apply_update(self, pending: PendingUpdate) -> UpdateResult:
        """Store a prepared update and read the catalog again when it changed."""
        from lace_tui.catalog.update import apply_update

        result = apply_update(self.paths, pending)
        if result.status != "unchanged":
            self._reload()
        return result

    async def update(self, source: str | None = None) -> UpdateResult:
        """Fetch, validate and store an update (the catalog is read again when it changed)."""
        import asyncio

        pending = await self.prepare_update(source)
        return await asyncio.to_thread(self.apply_update, pending)

    def reset_update(self) -> bool:
        """Go back to the shipped data; False when no update was stored."""
        from lace_tui.catalog.update import reset_update

        removed = reset_update(self.paths)
        if removed:
            self._reload()
        return removed

    def auto_update_due(self) -> bool:
        """Whether the automatic update is on and the last fetch a day old."""
        from lace_tui.catalog.update import should_auto_update, update_status
        from lace_tui.settings import load_settings

        meta = update_status(self.paths)
        return should_auto_update(load_settings(self.paths), meta.fetched_at if meta else None)

    async def auto_update(self) -> UpdateResult | None:
        """The background update: fetch and store one when it is due, else None."""
        import asyncio

        if not await asyncio.to_thread(self.auto_update_due):
            return None
        return await self.update()

    def set_auto_update(self, enabled: bool) -> None:
        """Turn automatic catalog updates on or off (remembered in settings.toml)."""
        from lace_tui.settings import update_settings

        update_settings(self.paths, auto_update_catalog=enabled)
