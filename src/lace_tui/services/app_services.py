"""The one object both front ends hold: every service, built lazily from the paths."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from lace_tui.paths import Paths

# Imported where first used: the app draws its first screen before any of these is needed
# (pydantic, httpx and sqlite together cost more than a bare Textual start).
if TYPE_CHECKING:
    from lace_tui.catalog.loader import Catalog
    from lace_tui.services.chat_service import ChatService
    from lace_tui.services.instance_service import InstanceService
    from lace_tui.services.model_prefs import ModelPrefs
    from lace_tui.sessions.store import SessionStore


class Services:
    """Catalog, instances, sessions and chat for one lace-tui home.

    Nothing is read until first used, so a command touches only the files it needs.
    """

    def __init__(self, paths: Paths, environ: Mapping[str, str] | None = None) -> None:
        self.paths = paths
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.recovered_replies = 0

    @cached_property
    def catalog(self) -> Catalog:
        from lace_tui.catalog.loader import load_catalog

        return load_catalog(self.paths)

    def reload_catalog(self) -> Catalog:
        """Read the catalog files again (after an edit or an update)."""
        self.__dict__.pop("catalog", None)
        self.__dict__.pop("instances", None)
        self.__dict__.pop("chat", None)
        self.__dict__.pop("prefs", None)
        return self.catalog

    @cached_property
    def instances(self) -> InstanceService:
        from lace_tui.services.instance_service import InstanceService

        return InstanceService(self.paths, self.catalog, self.environ)

    @cached_property
    def sessions(self) -> SessionStore:
        from lace_tui.sessions.store import SessionStore

        store = SessionStore(self.paths.sessions_db)
        # Replies left `streaming` by a killed process are marked interrupted, text kept.
        self.recovered_replies = store.recover_interrupted()
        return store

    @cached_property
    def chat(self) -> ChatService:
        from lace_tui.services.chat_service import ChatService

        return ChatService(self.sessions, self.instances)

    @cached_property
    def prefs(self) -> ModelPrefs:
        """The default model, pins and aliases (#15)."""
        from lace_tui.services.model_prefs import ModelPrefs

        return ModelPrefs(self.paths, self.instances)

    def close(self) -> None:
        if "sessions" in self.__dict__:
            self.sessions.close()
