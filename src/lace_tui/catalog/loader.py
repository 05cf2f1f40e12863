"""Load the catalog: shipped Catwalk data (or a downloaded update of it), then user catalog files.

Order of precedence, lowest first:
1. the shipped files in `data/catalogs/` (Catwalk's providers plus our local `ollama`/`lmstudio`);
2. `catalog_update_dir/providers.json`, written by `catalog update`, which replaces every shipped
   Catwalk provider (the local ones stay unless the update has their id);
3. each `*.json` in `user_catalogs_dir`, one provider per file, overriding by `id`.

A file or entry that does not load is skipped and reported as a `CatalogIssue`; it never stops
the rest. Loading is on the path of every CLI command, so it validates straight from bytes with
pydantic's JSON parser and only reaches for `json` to explain a syntax error.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ValidationError

from lace_tui.catalog.constants import UPDATE_FILE_NAME, is_catalog_file_name
from lace_tui.catalog.models import UPSTREAM_DATA, Model, Provider
from lace_tui.catalog.overrides import OVERRIDES_FILE_NAME, apply_overrides, read_overrides
from lace_tui.catalog.query import CatalogSource, ModelRow, build_rows
from lace_tui.errors import BadInputError, NotFoundError
from lace_tui.paths import Paths, shipped_catalogs_dir

__all__ = [
    "LOCAL_PROVIDER_IDS",
    "UPDATE_FILE_NAME",
    "Catalog",
    "CatalogFileError",
    "CatalogIssue",
    "CatalogSource",
    "load_catalog",
    "load_provider_list",
    "parse_provider_file",
    "parse_provider_json",
]

# Our own catalogs for local servers: not Catwalk's, so a Catwalk update does not replace them.
LOCAL_PROVIDER_IDS: Final = frozenset({"ollama", "lmstudio"})

_BOM = b"\xef\xbb\xbf"


class CatalogIssue(BaseModel):
    """A catalog file (or an entry of one) that was skipped, and why, in one line."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


class CatalogFileError(BadInputError):
    """A catalog file cannot be used; the message is the one-line reason, without the file name."""


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
            with _gc_paused():
                self._rows = build_rows(self.providers.values())
        return self._rows


def parse_provider_json(data: bytes) -> Provider:
    """One provider from the bytes of a user catalog file; CatalogFileError says what is wrong."""
    return _parse_provider(data, upstream=False)


def parse_provider_file(path: Path) -> Provider:
    """One provider from a user catalog file; CatalogFileError says what is wrong, in one line."""
    return _parse_provider(_read(path), upstream=False)


def load_provider_list(data: bytes, origin: str) -> tuple[list[Provider], list[CatalogIssue]]:
    """The valid providers of a JSON list of Catwalk providers (as `/v2/providers` serves).

    Entries that do not validate are skipped and reported against `origin`; when an id occurs
    twice the later entry wins. A default model id naming no model is dropped (upstream data,
    see `models.UPSTREAM_DATA`). Data that is not a JSON list gives no providers and one issue.
    """
    data = data.removeprefix(_BOM)
    try:
        raw = _json_loads(data)
    except ValueError as exc:
        return [], [CatalogIssue(file=origin, reason=_syntax_reason(data, exc))]
    if not isinstance(raw, list):
        reason = f"expected a JSON list of providers, got {_kind(raw)}"
        return [], [CatalogIssue(file=origin, reason=reason)]

    found: dict[str, tuple[int, Provider]] = {}
    issues: list[CatalogIssue] = []
    for index, entry in enumerate(raw):
        label = _entry_label(index, entry)
        if not isinstance(entry, dict):
            reason = f"{label}: expected a provider object, got {_kind(entry)}"
            issues.append(CatalogIssue(file=origin, reason=reason))
            continue
        try:
            provider = Provider.model_validate(entry, context={UPSTREAM_DATA: True})
        except ValidationError as exc:
            issues.append(CatalogIssue(file=origin, reason=f"{label}: {_describe(exc)}"))
            continue
        earlier = found.get(provider.id)
        if earlier is not None:
            reason = f"entry {earlier[0]}: provider '{provider.id}' occurs again as entry {index}"
            issues.append(CatalogIssue(file=origin, reason=f"{reason}, which is used"))
        found[provider.id] = (index, provider)
    return [provider for _, provider in found.values()], issues


def load_catalog(paths: Paths) -> Catalog:
    """The catalog: shipped data, or the downloaded update in its place, then user files."""
    with _gc_paused():
        return _load_catalog(paths)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading.

    Validation allocates dozens of objects per model, none of them in reference cycles, and
    the collector's repeated passes over them cost about 40% of the load time and made it grow
    faster than linearly (measured with bench/bench_catalog.py). The same holds for the rows.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_catalog(paths: Paths) -> Catalog:
    issues: list[CatalogIssue] = []
    providers: dict[str, Provider] = {}
    sources: dict[str, CatalogSource] = {}

    updated = _load_update(paths.catalog_update_dir / UPDATE_FILE_NAME, issues)
    # With an update only our local catalogs are needed from the shipped files.
    shipped = _load_shipped(shipped_catalogs_dir(), issues, LOCAL_PROVIDER_IDS if updated else None)
    providers.update(shipped)
    sources.update(dict.fromkeys(shipped, "shipped"))
    if updated is not None:
        for provider in updated:
            providers[provider.id] = provider
            sources[provider.id] = "update"
    apply_overrides(providers, read_overrides(shipped_catalogs_dir() / OVERRIDES_FILE_NAME))

    user_files: dict[str, Path] = {}
    for path, provider in _load_user_files(paths.user_catalogs_dir, issues):
        providers[provider.id] = provider
        sources[provider.id] = "user"
        user_files[provider.id] = path
    return Catalog(providers.values(), sources, user_files, issues)


def _load_shipped(
    directory: Path, issues: list[CatalogIssue], only: frozenset[str] | None = None
) -> dict[str, Provider]:
    """The shipped providers; with `only`, just those files (named `<id>.json`)."""
    providers: dict[str, Provider] = {}
    for path in _json_files(directory, str(directory), issues):
        if only is not None and path.stem not in only:
            continue
        try:
            provider = _parse_provider(_read(path), upstream=True)
        except CatalogFileError as exc:
            issues.append(CatalogIssue(file=str(path), reason=exc.message))
            continue
        providers[provider.id] = provider
    return providers


def _load_update(path: Path, issues: list[CatalogIssue]) -> list[Provider] | None:
    """The providers of a downloaded update, or None to use the shipped data."""
    origin = f"{path.parent.name}/{path.name}"
    fallback = "using the shipped catalog instead; `lace-tui catalog update` fetches it again"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        issues.append(
            CatalogIssue(file=origin, reason=f"cannot read ({_os_reason(exc)}); {fallback}")
        )
        return None
    providers, list_issues = load_provider_list(data, origin)
    issues.extend(list_issues)
    if not providers:
        issues.append(CatalogIssue(file=origin, reason=f"no valid provider in it; {fallback}"))
        return None
    return providers


def _load_user_files(directory: Path, issues: list[CatalogIssue]) -> list[tuple[Path, Provider]]:
    """The valid user catalog files, by file name; a later file wins over an earlier one."""
    chosen: dict[str, tuple[Path, Provider]] = {}
    for path in _json_files(directory, directory.name, issues):
        label = f"{directory.name}/{path.name}"
        try:
            provider = parse_provider_file(path)
        except CatalogFileError as exc:
            issues.append(CatalogIssue(file=label, reason=exc.message))
            continue
        earlier = chosen.get(provider.id)
        if earlier is not None:
            reason = (
                f"ignored: provider '{provider.id}' is also defined in "
                f"{directory.name}/{path.name}, which wins (files are read in name order)"
            )
            issues.append(CatalogIssue(file=f"{directory.name}/{earlier[0].name}", reason=reason))
        chosen[provider.id] = (path, provider)
    return list(chosen.values())


def _json_files(directory: Path, label: str, issues: list[CatalogIssue]) -> list[Path]:
    """The `*.json` entries of `directory` by name, skipping hidden ones (editor and temp files)."""
    try:
        with os.scandir(directory) as entries:
            names = [entry.name for entry in entries if is_catalog_file_name(entry.name)]
    except FileNotFoundError:
        return []
    except OSError as exc:
        issues.append(CatalogIssue(file=label, reason=f"cannot list ({_os_reason(exc)})"))
        return []
    return [directory / name for name in sorted(names)]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogFileError(f"cannot read ({_os_reason(exc)})") from None


def _parse_provider(data: bytes, *, upstream: bool) -> Provider:
    data = data.removeprefix(_BOM)
    context = {UPSTREAM_DATA: True} if upstream else None
    try:
        return Provider.model_validate_json(data, context=context)
    except ValidationError as exc:
        raise CatalogFileError(_file_reason(data, exc)) from None


def _file_reason(data: bytes, exc: ValidationError) -> str:
    """Why a single-provider file failed, in one line."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        if not data.strip():
            return "empty file: expected a JSON object (one provider)"
        try:
            _json_loads(data)
        except ValueError as syntax:
            return _syntax_reason(data, syntax)
    elif first["type"] == "model_type" and not first["loc"]:
        try:
            return f"expected a JSON object (one provider), got {_kind(_json_loads(data))}"
        except ValueError:
            pass
    return _describe(exc)


def _json_loads(data: bytes) -> object:
    """`json.loads`, raising ValueError (JSONDecodeError, UnicodeDecodeError) for any bad input."""
    try:
        value: object = json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return value


def _syntax_reason(data: bytes, exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        if not data.strip():
            return "empty file"
        return f"line {exc.lineno}: {exc.msg}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (bad byte at offset {exc.start})"
    return _one_line(str(exc))


def _describe(exc: ValidationError) -> str:
    """The first validation error as `models[2].context_window: Input should be ...`."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    where = ""
    for part in first["loc"]:
        if isinstance(part, int):
            where += f"[{part}]"
        else:
            where += f".{part}" if where else part
    message = first["msg"].removeprefix("Value error, ")
    text = f"{where}: {message}" if where else message
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more)"
    return _one_line(text)


def _entry_label(index: int, entry: object) -> str:
    if isinstance(entry, dict):
        provider_id = entry.get("id")
        if isinstance(provider_id, str) and provider_id:
            return f"entry {index} ('{_one_line(provider_id)[:80]}')"
    return f"entry {index}"


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())
