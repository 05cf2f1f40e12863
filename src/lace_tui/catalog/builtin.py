"""The built-in part of the catalog: shipped data, or the downloaded update in its place.

User catalog files override built-in providers; the editor needs to know what an override
covers, and `catalog update` diffs against the Catwalk data in use, so both ask for the catalog
as it would load with no user files at all.
"""

from __future__ import annotations

import dataclasses

from lace_tui.catalog.loader import LOCAL_PROVIDER_IDS, Catalog, load_catalog
from lace_tui.catalog.models import Provider
from lace_tui.paths import Paths

# A config dir that never exists, so the loader finds no user catalog files under it.
_NO_USER_FILES = ".lace-no-user-catalogs"


def builtin_catalog(paths: Paths) -> Catalog:
    """The catalog as it loads without user files: shipped providers or the update's."""
    return load_catalog(dataclasses.replace(paths, config_dir=paths.cache_dir / _NO_USER_FILES))


def catwalk_providers_in_use(paths: Paths) -> list[Provider]:
    """The Catwalk providers in use: the downloaded update if it loads, else the shipped ones.

    Our own local providers (ollama, lmstudio) are not Catwalk's, so they are left out unless an
    update brought them.
    """
    catalog = builtin_catalog(paths)
    updated = [p for p in catalog.providers.values() if catalog.sources[p.id] == "update"]
    if updated:
        return updated
    return [p for p in catalog.providers.values() if p.id not in LOCAL_PROVIDER_IDS]
