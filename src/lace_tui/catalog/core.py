"""The loaded catalog and the words for where its parts came from: `Catalog`, `CatalogSource`,
`CatalogIssue`. What the loader builds, and the briefs, queries and editor read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from lace_tui import gctune
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.query import ModelRow, build_rows
from lace_tui.errors import NotFoundError

CatalogSource = Literal["shipped", "update", "user"]


class CatalogIssue(BaseModel):
    """A catalog file (or an entry of one) that was skipped, and why, in one line."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


class Catalog:
    """Every provider lace-tui knows, where each came from, and what could not be loaded."""

    def __init__(
        self,
        providers: Iterable[Provider],
        sources: Mapping[str, CatalogSource],
        user_files: Mapping[str, Path] | None = None,
        issues: Sequence[CatalogIssue] = (),
    ) -> None:
        ordered = sorted(providers, key=lambda p: (p.display_name.casefold(), p.id))
        self.providers: dict[str, Provider] = {p.id: p for p in ordered}
        # A provider without a recorded source can only have come from shipped data.
        self.sources: dict[str, CatalogSource] = {
            provider_id: sources.get(provider_id, "shipped") for provider_id in self.providers
        }
        self.user_files: dict[str, Path] = dict(user_files or {})
        self.issues: list[CatalogIssue] = list(issues)
        self._rows: list[ModelRow] | None = None

    def get(self, provider_id: str) -> Provider | None:
        """The provider with this id, or None."""
        return self.providers.get(provider_id)

    def provider(self, provider_id: str) -> Provider:
        """The provider with this id; NotFoundError if there is none."""
        provider = self.providers.get(provider_id)
        if provider is None:
            raise NotFoundError(
                f"unknown provider '{provider_id}': see `lace-tui catalog list` for ids"
            )
        return provider

    def model(self, provider_id: str, model_id: str) -> Model:
        """The model `model_id` of provider `provider_id`; NotFoundError if either is unknown."""
        model = self.provider(provider_id).model(model_id)
        if model is None:
            raise NotFoundError(
                f"unknown model '{model_id}' for provider '{provider_id}': "
                f"see `lace-tui catalog show {provider_id}` for its models"
            )
        return model

    def rows(self) -> list[ModelRow]:
        """Every model of every provider as table rows (computed on first use, then cached)."""
        if self._rows is None:
            with gctune.paused():
                self._rows = build_rows(self.providers.values())
        return self._rows
