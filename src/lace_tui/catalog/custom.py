"""Create, edit, back up, import and export the user's own catalog files.

Built-in providers (shipped data or a downloaded update) are never edited in place: changing
one writes a user override, a file with the same id in the user catalog dir, and `reset` removes
it again. Every write is validated first (nothing is written on an error), takes a backup of the
file it replaces, and happens atomically under one lock for the whole catalog dir, re-reading
the files under that lock. The caller reloads the catalog afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from lace_tui.catalog.backups import BackupInfo, list_backups, read_backup, save_backup
from lace_tui.catalog.builtin import builtin_catalog
from lace_tui.catalog.discovered import provider_from_discovered
from lace_tui.catalog.loader import (
    Catalog,
    CatalogFileError,
    CatalogSource,
    load_catalog,
    parse_provider_json,
)
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.serialize import model_to_dict, provider_json, provider_to_dict
from lace_tui.catalog.templates import new_provider_from_template
from lace_tui.catalog.validation import (
    PROVIDER_ID_RE,
    FieldIssue,
    check_provider_id,
    summarize_issues,
    validate_provider,
)
from lace_tui.contracts import DiscoveredModel
from lace_tui.errors import BadInputError, NotFoundError, StoredFileError
from lace_tui.fileio import atomic_write_bytes, file_lock
from lace_tui.paths import Paths

_BOM = b"\xef\xbb\xbf"


class SaveResult(BaseModel):
    """What a change wrote: the provider, its file, warnings worth showing, the backup taken."""

    provider: Provider
    path: Path
    warnings: list[FieldIssue] = Field(default_factory=list)
    backup: BackupInfo | None = None  # the previous version, when there was one
    written: bool = True  # False when nothing needed writing (edit_copy of a user provider)


class UserProvider(BaseModel):
    """A provider defined by a user catalog file, and the built-in one it overrides, if any."""

    provider: Provider
    path: Path
    overrides: Literal["shipped", "update"] | None = None


class CatalogEditor:
    """Everything that changes the user's catalog files; see the module docstring."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    @property
    def directory(self) -> Path:
        return self.paths.user_catalogs_dir

    # Reading -------------------------------------------------------------------------------

    def list_custom(self) -> list[UserProvider]:
        """The providers defined by user catalog files, in display-name order."""
        catalog = load_catalog(self.paths)
        builtin = builtin_catalog(self.paths)
        found: list[UserProvider] = []
        for provider_id, path in catalog.user_files.items():
            base = builtin.sources.get(provider_id) if provider_id in builtin.providers else None
            overrides: Literal["shipped", "update"] | None = None
            if base == "shipped" or base == "update":
                overrides = base
            found.append(
                UserProvider(provider=catalog.provider(provider_id), path=path, overrides=overrides)
            )
        found.sort(key=lambda item: (item.provider.display_name.casefold(), item.provider.id))
        return found

    def get(self, provider_id: str) -> Provider:
        """The provider as the catalog uses it (user file, else update, else shipped)."""
        return load_catalog(self.paths).provider(provider_id)

    def source(self, provider_id: str) -> CatalogSource:
        """Where the provider in use comes from; NotFoundError for an unknown id."""
        catalog = load_catalog(self.paths)
        catalog.provider(provider_id)
        return catalog.sources[provider_id]

    # Whole providers -----------------------------------------------------------------------

    def create_from_template(self, template: str, provider_id: str, name: str) -> SaveResult:
        """A new custom provider from a template (see templates.TEMPLATES), saved."""
        return self.save_provider(
            new_provider_from_template(template, provider_id, name), create=True
        )

    def save_provider(
        self, provider: Provider | Mapping[str, object], *, create: bool
    ) -> SaveResult:
        """Validate and write a provider (a Provider, or its JSON data) to its user file.

        `create=True`: a new provider; its id must not exist anywhere in the catalog (edit a
        built-in one instead, which makes an override). `create=False`: replace an existing
        provider; a built-in one gets a user override. BadInputError on any validation error,
        with nothing written.
        """
        with self._lock():
            catalog = load_catalog(self.paths)
            provider_id = _provider_id(provider)
            if provider_id is not None:
                if create:
                    self._check_new_id(catalog, provider_id)
                elif provider_id not in catalog.providers:
                    raise _unknown(provider_id)
            return self._write(catalog, provider)

    def edit_copy(self, provider_id: str) -> SaveResult:
        """A user copy of `provider_id` to edit: the user file if there is one (nothing written),
        else a new override of the built-in provider, with the same id."""
        with self._lock():
            catalog = load_catalog(self.paths)
            provider = catalog.provider(provider_id)
            path = catalog.user_files.get(provider_id)
            if path is not None:
                return SaveResult(provider=provider, path=path, written=False)
            return self._write(catalog, provider)

    def duplicate(self, provider: Provider | str, new_id: str, new_name: str) -> SaveResult:
        """A copy of a provider (from any source) under a new id and name, saved as custom."""
        with self._lock():
            catalog = load_catalog(self.paths)
            original = catalog.provider(provider) if isinstance(provider, str) else provider
            check_provider_id(new_id)
            self._check_new_id(catalog, new_id)
            copy = original.model_copy(
                deep=True, update={"id": new_id, "name": new_name.strip() or new_id}
            )
            return self._write(catalog, copy)

    def delete(self, provider_id: str) -> BackupInfo:
        """Remove the user catalog file of `provider_id`, after backing it up.

        A built-in provider has no file to delete (BadInputError); deleting an override brings
        the built-in provider back, like `reset`.
        """
        with self._lock():
            catalog = load_catalog(self.paths)
            path = self._user_path(catalog, provider_id)
            if path is None or not path.exists():
                if provider_id in catalog.providers:
                    raise BadInputError(
                        f"provider '{provider_id}' is built in, not a user catalog file: it "
                        "cannot be deleted (edit it to make your own copy)"
                    )
                raise _unknown(provider_id)
            return self._remove(provider_id, path)

    def reset(self, provider_id: str) -> BackupInfo:
        """Remove the user override of a built-in provider (backed up first), restoring it."""
        with self._lock():
            catalog = load_catalog(self.paths)
            builtin = builtin_catalog(self.paths)
            path = self._user_path(catalog, provider_id)
            if provider_id not in builtin.providers:
                if path is not None:
                    raise BadInputError(
                        f"provider '{provider_id}' is your own, not an override of a built-in "
                        "one: delete it instead"
                    )
                raise _unknown(provider_id)
            if path is None or not path.exists():
                raise BadInputError(
                    f"provider '{provider_id}' has no user override to reset: it is already "
                    "the built-in version"
                )
            return self._remove(provider_id, path)

    # Models of a provider ------------------------------------------------------------------
    # A model may be given as a Model or as its JSON data (a form's fields), so that mistakes
    # come back per field, e.g. `models[3].cost_per_1m_in: must not be negative`.

    def add_model(self, provider_id: str, model: Model | Mapping[str, object]) -> SaveResult:
        """Add a model to a provider (a built-in one gets a user override first)."""
        entry = _model_data(model)

        def change(data: dict[str, object]) -> None:
            models = _models_of(data)
            new_id = entry.get("id")
            if isinstance(new_id, str) and new_id in _model_ids(models):
                raise BadInputError(
                    f"provider '{provider_id}' already has a model '{new_id}': edit that "
                    "one or pick another id"
                )
            data["models"] = [*models, entry]

        return self._change(provider_id, change)

    def update_model(
        self, provider_id: str, model_id: str, model: Model | Mapping[str, object]
    ) -> SaveResult:
        """Replace model `model_id`; a changed id carries the default model ids along."""
        entry = _model_data(model)

        def change(data: dict[str, object]) -> None:
            models = _models_of(data)
            ids = _model_ids(models)
            if model_id not in ids:
                raise NotFoundError(f"provider '{provider_id}' has no model '{model_id}'")
            new_id = entry.get("id")
            if isinstance(new_id, str) and new_id != model_id and new_id in ids:
                raise BadInputError(
                    f"provider '{provider_id}' already has a model '{new_id}': pick another id"
                )
            data["models"] = [entry if _id_of(m) == model_id else m for m in models]
            if isinstance(new_id, str):
                _rename_defaults(data, model_id, new_id)

        return self._change(provider_id, change)

    def remove_model(self, provider_id: str, model_id: str) -> SaveResult:
        """Remove model `model_id`; a default model id that named it is cleared."""

        def change(data: dict[str, object]) -> None:
            models = _models_of(data)
            if model_id not in _model_ids(models):
                raise NotFoundError(f"provider '{provider_id}' has no model '{model_id}'")
            data["models"] = [m for m in models if _id_of(m) != model_id]
            _rename_defaults(data, model_id, "")

        return self._change(provider_id, change)

    # Backups -------------------------------------------------------------------------------

    def backups(self, provider_id: str) -> list[BackupInfo]:
        """The backups of a provider's user file, newest first."""
        return list_backups(self.paths, provider_id)

    def restore(self, provider_id: str, backup_name: str) -> SaveResult:
        """Put backup `backup_name` back as the provider's user file (the current one, if any,
        is backed up first). Works for a deleted provider too."""
        with self._lock():
            data = read_backup(self.paths, provider_id, backup_name)
            try:
                provider = parse_provider_json(data)
            except CatalogFileError as exc:
                raise BadInputError(
                    f"backup {backup_name} of provider '{provider_id}' is not a valid catalog "
                    f"file ({exc.message}); it stays in {self.paths.catalog_backups_dir}"
                ) from None
            if provider.id != provider_id:
                raise BadInputError(
                    f"backup {backup_name} holds provider '{provider.id}', not '{provider_id}'"
                )
            catalog = load_catalog(self.paths)
            path = self._target_path(catalog, provider_id)
            backup = self._backup_existing(provider_id, path)
            self._write_bytes(path, data)
            return SaveResult(provider=provider, path=path, backup=backup)

    # Import and export ---------------------------------------------------------------------

    def import_file(self, path: Path, overwrite: bool = False) -> list[str]:
        """Import a Catwalk JSON file (one provider object or a list); the ids imported.

        Everything is validated before anything is written: on any error nothing changes. An id
        that already has a user file needs `overwrite=True` (that file is backed up first); a
        built-in id becomes a user override.
        """
        return [result.provider.id for result in self.import_file_report(path, overwrite)]

    def import_file_report(self, path: Path, overwrite: bool = False) -> list[SaveResult]:
        """Like `import_file`, with each provider's file, warnings and backup."""
        entries = _read_import(path)
        providers: list[Provider] = []
        problems: list[str] = []
        seen: dict[str, str] = {}
        for label, entry in entries:
            report = validate_provider(entry)
            if report.errors:
                problems.append(f"{label}: {summarize_issues(report.errors)}")
                continue
            provider = Provider.model_validate(entry)
            if provider.id in seen:
                problems.append(
                    f"{label}: provider '{provider.id}' also occurs as {seen[provider.id]}"
                )
                continue
            seen[provider.id] = label
            providers.append(provider)
        if problems:
            raise BadInputError(
                f"cannot import {path}: {'; '.join(problems)}; nothing was imported"
            )
        if not providers:
            raise BadInputError(f"cannot import {path}: it holds no provider; nothing was imported")

        with self._lock():
            catalog = load_catalog(self.paths)
            if not overwrite:
                existing = [p.id for p in providers if self._user_path(catalog, p.id) is not None]
                if existing:
                    names = ", ".join(f"'{provider_id}'" for provider_id in existing)
                    raise BadInputError(
                        f"cannot import {path}: {names} already in your catalogs; import with "
                        "overwrite to replace (the current files are backed up); nothing was "
                        "imported"
                    )
            for provider in providers:
                self._check_target_free(catalog, provider.id)
            return [self._write(catalog, provider) for provider in providers]

    def export(self, provider: Provider | str, path: Path, *, overwrite: bool = False) -> Path:
        """Write a provider (any source) to `path` as a Catwalk JSON file.

        An existing file needs `overwrite=True`. A literal key in `api_key` is left out (a
        `$VARIABLE` reference is kept): keys are never exported.
        """
        chosen = self.get(provider) if isinstance(provider, str) else provider
        if chosen.api_key and chosen.api_key_env is None:
            chosen = chosen.model_copy(update={"api_key": ""})
        if path.is_dir():
            raise BadInputError(f"cannot export to {path}: it is a directory; give a file name")
        if path.exists() and not overwrite:
            raise BadInputError(
                f"cannot export to {path}: the file exists; choose another name or overwrite"
            )
        try:
            atomic_write_bytes(path, provider_json(chosen))
        except OSError as exc:
            raise BadInputError(f"cannot write {path}: {exc.strerror}") from exc
        return path

    # Discovered models ---------------------------------------------------------------------

    def save_discovered(
        self,
        provider_id: str,
        name: str,
        type: str,  # Catwalk's field name; shadows the builtin only in here
        endpoint: str,
        models: Sequence[DiscoveredModel],
        *,
        overwrite: bool = False,
    ) -> SaveResult:
        """Save the models a server reported as a custom provider (unknown prices left out).

        An id with a user file needs `overwrite=True` (backed up first); a built-in id (say
        `ollama`) becomes a user override listing the discovered models.
        """
        provider = provider_from_discovered(provider_id, name, type, endpoint, models)
        with self._lock():
            catalog = load_catalog(self.paths)
            if not overwrite and self._user_path(catalog, provider_id) is not None:
                raise BadInputError(
                    f"provider '{provider_id}' is already in your catalogs: save with "
                    "overwrite to replace it (the current file is backed up), or pick another id"
                )
            self._check_target_free(catalog, provider_id)
            return self._write(catalog, provider)

    # Internals -----------------------------------------------------------------------------

    def _lock(self) -> AbstractContextManager[None]:
        return file_lock(self.directory)

    def _change(self, provider_id: str, change: Callable[[dict[str, object]], None]) -> SaveResult:
        with self._lock():
            catalog = load_catalog(self.paths)
            data = provider_to_dict(catalog.provider(provider_id))
            change(data)
            return self._write(catalog, data)

    def _check_new_id(self, catalog: Catalog, provider_id: str) -> None:
        if provider_id in catalog.user_files:
            raise BadInputError(
                f"provider '{provider_id}' already exists in your catalogs: edit it or pick "
                "another id"
            )
        if provider_id in catalog.providers:
            raise BadInputError(
                f"provider '{provider_id}' is built in: edit it to make your own copy, or pick "
                "another id"
            )
        self._check_target_free(catalog, provider_id)
        if self._user_path(catalog, provider_id) is not None:
            raise BadInputError(
                f"{self.directory / (provider_id + '.json')} already exists (it does not load: "
                "see `lace-tui catalog list`): fix or remove it, or pick another id"
            )

    def _check_target_free(self, catalog: Catalog, provider_id: str) -> None:
        """BadInputError when `<id>.json` holds another provider (a hand-named file)."""
        path = self._target_path(catalog, provider_id)
        for other_id, other_path in catalog.user_files.items():
            if other_path == path and other_id != provider_id:
                raise BadInputError(
                    f"{path} holds provider '{other_id}': rename that file first, or pick "
                    "another id"
                )

    def _user_path(self, catalog: Catalog, provider_id: str) -> Path | None:
        """The user file of `provider_id`, including a `<id>.json` that fails to load."""
        path = catalog.user_files.get(provider_id)
        if path is not None:
            return path
        candidate = self.directory / f"{provider_id}.json"
        if candidate.exists() and candidate not in catalog.user_files.values():
            return candidate
        return None

    def _target_path(self, catalog: Catalog, provider_id: str) -> Path:
        """Where `provider_id` is written: its current user file, else `<id>.json`."""
        return catalog.user_files.get(provider_id, self.directory / f"{provider_id}.json")

    def _write(self, catalog: Catalog, provider: Provider | Mapping[str, object]) -> SaveResult:
        """Validate, back up the file it replaces, write. Nothing is written on an error."""
        report = validate_provider(provider)
        provider_id = _provider_id(provider)
        report.raise_for_errors(
            f"cannot save provider '{provider_id}'" if provider_id else "cannot save the provider"
        )
        if not isinstance(provider, Provider):
            provider = Provider.model_validate(provider)
        path = self._target_path(catalog, provider.id)
        backup = self._backup_existing(provider.id, path)
        self._write_bytes(path, provider_json(provider))
        return SaveResult(provider=provider, path=path, warnings=report.warnings, backup=backup)

    def _backup_existing(self, provider_id: str, path: Path) -> BackupInfo | None:
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoredFileError(f"cannot read {path}: {exc.strerror}") from exc
        return save_backup(self.paths, provider_id, current)

    def _write_bytes(self, path: Path, data: bytes) -> None:
        try:
            atomic_write_bytes(path, data)
        except OSError as exc:
            raise StoredFileError(f"cannot write {path}: {exc.strerror}") from exc

    def _remove(self, provider_id: str, path: Path) -> BackupInfo:
        backup = self._backup_existing(provider_id, path)
        if backup is None:
            raise NotFoundError(f"{path} is already gone")
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoredFileError(f"cannot remove {path}: {exc.strerror}") from exc
        return backup


def _provider_id(provider: Provider | Mapping[str, object]) -> str | None:
    """The id to check before validation; None leaves a missing or bad id to the validator."""
    raw = provider.id if isinstance(provider, Provider) else provider.get("id")
    return raw if isinstance(raw, str) and PROVIDER_ID_RE.match(raw) else None


def _model_data(model: Model | Mapping[str, object]) -> dict[str, object]:
    return model_to_dict(model) if isinstance(model, Model) else dict(model)


def _models_of(data: Mapping[str, object]) -> list[object]:
    models = data.get("models")
    return list(models) if isinstance(models, list) else []


def _id_of(model: object) -> object:
    return model.get("id") if isinstance(model, Mapping) else None


def _model_ids(models: list[object]) -> set[str]:
    return {model_id for model_id in map(_id_of, models) if isinstance(model_id, str)}


def _rename_defaults(data: dict[str, object], old_id: str, new_id: str) -> None:
    """Point default model ids that named `old_id` at `new_id` ('' clears them)."""
    for field in ("default_large_model_id", "default_small_model_id"):
        if data.get(field) == old_id:
            data[field] = new_id


def _read_import(path: Path) -> list[tuple[str, Mapping[str, object]]]:
    """The provider objects of an import file, each with a label for messages."""
    try:
        data = path.read_bytes().removeprefix(_BOM)
    except FileNotFoundError:
        raise BadInputError(f"cannot import {path}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"cannot import {path}: it is a directory; give a JSON file") from None
    except OSError as exc:
        raise BadInputError(f"cannot import {path}: {exc.strerror}") from exc
    try:
        raw: object = json.loads(data)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"cannot import {path}: not valid JSON (line {exc.lineno}: {exc.msg}); nothing "
            "was imported"
        ) from None
    except UnicodeDecodeError:
        raise BadInputError(f"cannot import {path}: not UTF-8 text; nothing was imported") from None
    if isinstance(raw, dict):
        return [("the provider", _str_keys(raw))]
    if isinstance(raw, list):
        entries: list[tuple[str, Mapping[str, object]]] = []
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict):
                raise BadInputError(
                    f"cannot import {path}: entry {index} is not a provider object; nothing "
                    "was imported"
                )
            label = f"entry {index}"
            entry_id = entry.get("id")
            if isinstance(entry_id, str) and entry_id:
                label += f" ('{entry_id}')"
            entries.append((label, _str_keys(entry)))
        return entries
    raise BadInputError(
        f"cannot import {path}: expected a provider object or a list of them; nothing was imported"
    )


def _str_keys(raw: dict[object, object]) -> dict[str, object]:
    return {str(key): value for key, value in raw.items()}


def _unknown(provider_id: str) -> NotFoundError:
    return NotFoundError(f"unknown provider '{provider_id}': see `lace-tui catalog list` for ids")
