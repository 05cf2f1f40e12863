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

import json
import os
from pathlib import Path
from typing import Final

from pydantic import ValidationError

from lace_tui import gctune
from lace_tui.catalog.constants import (
    MAX_USER_CATALOG_BYTES,
    PROVIDER_ID_RE,
    PROVIDER_ID_RULE,
    UPDATE_FILE_NAME,
    is_catalog_file_name,
)
from lace_tui.catalog.core import Catalog, CatalogIssue, CatalogSource
from lace_tui.catalog.models import UPSTREAM_DATA, Provider
from lace_tui.errors import BadInputError
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


class CatalogFileError(BadInputError):
    """A catalog file cannot be used; the message is the one-line reason, without the file name."""


def parse_provider_json(data: bytes) -> Provider:
    """One provider from the bytes of a user catalog file; CatalogFileError says what is wrong."""
    return _parse_provider(data, upstream=False)


def parse_provider_file(path: Path, *, limit: int | None = None) -> Provider:
    """One provider from a user catalog file; CatalogFileError says what is wrong, in one line
    (a file over `limit` bytes is not read)."""
    return _parse_provider(_read(path, limit), upstream=False)


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
        if (bad := _bad_id(provider)) is not None:
            issues.append(CatalogIssue(file=origin, reason=f"{label}: {bad}"))
            continue
        earlier = found.get(provider.id)
        if earlier is not None:
            reason = f"entry {earlier[0]}: provider '{provider.id}' occurs again as entry {index}"
            issues.append(CatalogIssue(file=origin, reason=f"{reason}, which is used"))
        found[provider.id] = (index, provider)
    return [provider for _, provider in found.values()], issues


def load_catalog(paths: Paths) -> Catalog:
    """The catalog: shipped data, or the downloaded update in its place, then user files."""
    with gctune.paused():
        return _load_catalog(paths)


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
        if (bad := _bad_id(provider)) is not None:
            issues.append(CatalogIssue(file=str(path), reason=bad))
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
            provider = parse_provider_file(path, limit=MAX_USER_CATALOG_BYTES)
        except CatalogFileError as exc:
            issues.append(CatalogIssue(file=label, reason=exc.message))
            continue
        if (bad := _bad_id(provider)) is not None:
            issues.append(CatalogIssue(file=label, reason=bad))
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


def _read(path: Path, limit: int | None = None) -> bytes:
    try:
        with path.open("rb") as file:
            if limit is None:
                return file.read()
            data = file.read(limit + 1)
    except OSError as exc:
        raise CatalogFileError(f"cannot read ({_os_reason(exc)})") from None
    if len(data) > limit:
        raise CatalogFileError(
            f"larger than {limit // (1024 * 1024)} MiB, far more than one provider needs; not read"
        )
    return data


def _bad_id(provider: Provider) -> str | None:
    """Why the provider's id cannot be used (it names files, so it must be a slug), or None."""
    if PROVIDER_ID_RE.match(provider.id):
        return None
    return f"provider id {provider.id!r} is not a valid id ({PROVIDER_ID_RULE}); skipped"


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
