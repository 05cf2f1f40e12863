"""Instances in `instances.toml`, one `[instances.<id>]` table each, readable and hand-editable.

The file never holds a secret (keys live in credentials.py). Every change re-reads the file under
a lock and replaces it atomically, so two running copies do not undo each other. A file that does
not parse, or holds a table that is not a valid instance, is reported with its line and never
overwritten: every change refuses until the user fixes it.
"""

from __future__ import annotations

import contextlib
import re
import stat
import tomllib
from collections.abc import Callable, Sequence

import tomli_w
from pydantic import ValidationError

from lace_tui.errors import BadInputError, NotFoundError, StoredFileError
from lace_tui.fileio import atomic_write_text, file_lock
from lace_tui.instances.credentials import CredentialStore
from lace_tui.instances.models import ID_RULE, Instance, RetryPolicy, describe_invalid
from lace_tui.instances.state import StateStore
from lace_tui.paths import Paths

DEFAULT_FILE_MODE = 0o644
_HEADER_COMMENT = (
    "# lace-tui instances: one [instances.<id>] table each.\n"
    "# No keys here: they live in the credentials directory or in environment variables.\n"
)
_KEEP = "fix it by hand (lace-tui will not overwrite it)"


class InstanceStore:
    """Load and change the instances file."""

    def __init__(self, paths: Paths) -> None:
        self.path = paths.instances_file
        self.credentials = CredentialStore(paths)
        self.state = StateStore(paths)

    def __repr__(self) -> str:
        return f"InstanceStore({str(self.path)!r})"

    def file_exists(self) -> bool:
        """Whether the instances file exists (even if empty or broken)."""
        return self.path.exists()

    def load(self) -> list[Instance]:
        """Every instance, sorted by id; [] without a file; StoredFileError if it is broken."""
        return sorted(self._read().values(), key=lambda instance: instance.id)

    def get(self, instance_id: str) -> Instance:
        """The instance with this id (NotFoundError if there is none)."""
        instance = self._read().get(instance_id)
        if instance is None:
            raise _not_found(instance_id)
        return instance

    def add(self, instance: Instance) -> None:
        """Add a new instance; an existing id is BadInputError (it is never overwritten)."""
        checked = _revalidate(instance)

        def change(instances: dict[str, Instance]) -> None:
            if checked.id in instances:
                raise BadInputError(
                    f"instance '{checked.id}' already exists: "
                    f"use `lace-tui instance edit {checked.id}`"
                )
            instances[checked.id] = checked

        self._update(change)

    def replace(self, instance: Instance) -> None:
        """Replace the stored instance with the same id (NotFoundError if there is none)."""
        checked = _revalidate(instance)

        def change(instances: dict[str, Instance]) -> None:
            if checked.id not in instances:
                raise _not_found(checked.id)
            instances[checked.id] = checked

        self._update(change)

    def modify(self, instance_id: str, edit: Callable[[Instance], Instance]) -> Instance:
        """Apply `edit` to the instance as stored now, under the lock (read-modify-write), so
        two concurrent edits of different fields both land. Returns the stored result."""
        result: list[Instance] = []

        def change(instances: dict[str, Instance]) -> None:
            current = instances.get(instance_id)
            if current is None:
                raise _not_found(instance_id)
            updated = _revalidate(edit(current))
            instances[instance_id] = updated
            result.append(updated)

        self._update(change)
        return result[0]

    def remove(self, instance_id: str) -> None:
        """Delete the instance, its stored key and its connection-test status."""

        def change(instances: dict[str, Instance]) -> None:
            if instances.pop(instance_id, None) is None:
                raise _not_found(instance_id)

        self._update(change)
        self.credentials.delete(instance_id)
        # A broken state file is reported wherever it is read; it must not block a removal the
        # user asked for, and it is kept as it is.
        with contextlib.suppress(StoredFileError):
            self.state.clear(instance_id)

    def create_if_missing(self, instances: Sequence[Instance]) -> bool:
        """Write a new instances file holding `instances`, unless a file already exists.

        Checked under the lock, so of two first starts only one writes. Returns whether it wrote.
        """
        checked = [_revalidate(instance) for instance in instances]
        try:
            with file_lock(self.path):
                if self.path.exists():
                    return False
                self._write({instance.id: instance for instance in checked})
                return True
        except OSError as exc:
            raise StoredFileError(
                f"{self.path}: cannot write: {exc.strerror or exc.__class__.__name__}"
            ) from None

    # -- internals ------------------------------------------------------------------------

    def _update(self, change: Callable[[dict[str, Instance]], None]) -> None:
        """Re-read under the lock, apply `change` (which may refuse), write atomically."""
        try:
            with file_lock(self.path):
                instances = self._read()
                change(instances)
                self._write(instances)
        except OSError as exc:
            raise StoredFileError(
                f"{self.path}: cannot write: {exc.strerror or exc.__class__.__name__}"
            ) from None

    def _read(self) -> dict[str, Instance]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoredFileError(
                f"{self.path}: cannot read: {exc.strerror or exc.__class__.__name__}"
            ) from None
        return parse_instances(raw, str(self.path))

    def _write(self, instances: dict[str, Instance]) -> None:
        tables = {
            instance_id: _to_table(instances[instance_id]) for instance_id in sorted(instances)
        }
        text = _HEADER_COMMENT
        if tables:
            text += "\n" + tomli_w.dumps({"instances": tables})
        atomic_write_text(self.path, text, self._file_mode())

    def _file_mode(self) -> int:
        """Keep the mode a user gave the file; new files get 0644 (it holds no secret)."""
        try:
            return stat.S_IMODE(self.path.stat().st_mode)
        except OSError:
            return DEFAULT_FILE_MODE


def parse_instances(raw: bytes, where: str) -> dict[str, Instance]:
    """Instances from the bytes of an instances file, by id; StoredFileError naming `where`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StoredFileError(f"{where}: not UTF-8 text (byte {exc.start}); {_KEEP}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StoredFileError(f"{where}: not valid TOML: {exc}; {_KEEP}") from None
    unknown = sorted(key for key in document if key != "instances")
    if unknown:
        line = _at(_line_number(text, rf"\[?\s*{_key_pattern(unknown[0])}\s*[=.\]]"))
        raise StoredFileError(
            f"{where}{line}: unknown top-level key {unknown[0]!r}: the file holds only "
            f"[instances.<id>] tables; {_KEEP}"
        )
    tables = document.get("instances", {})
    if not isinstance(tables, dict):
        line = _at(_line_number(text, r"instances\s*="))
        raise StoredFileError(
            f"{where}{line}: 'instances' must be a table of [instances.<id>] tables; {_KEEP}"
        )
    result: dict[str, Instance] = {}
    for instance_id, table in tables.items():
        header = _header_line(text, instance_id) or _inline_line(text, instance_id)
        if not isinstance(table, dict):
            line = _at(header)
            raise StoredFileError(
                f"{where}{line}: instance {instance_id!r} must be a table "
                f"([instances.{instance_id}]); {_KEEP}"
            )
        inner_id = table.get("id", instance_id)
        if inner_id != instance_id:
            line = _at(header)
            raise StoredFileError(
                f"{where}{line}: instance {instance_id!r} has id = {inner_id!r}: the table name is "
                f"the id, remove the 'id' key; {_KEEP}"
            )
        try:
            instance = Instance.model_validate({**table, "id": instance_id})
        except ValidationError as exc:
            raise StoredFileError(
                _invalid_table(exc, where=where, text=text, instance_id=instance_id, header=header)
            ) from None
        result[instance_id] = instance
    return result


def _invalid_table(
    exc: ValidationError, *, where: str, text: str, instance_id: str, header: int | None
) -> str:
    """One line for a table that is not a valid instance: file, line, instance, field, problem."""
    errors = exc.errors()
    first = errors[0]
    loc = [str(part) for part in first["loc"]]
    line = _at(_field_line(text, instance_id, loc) or header)
    field = ".".join(loc) or "table"
    message = str(first["msg"]).removeprefix("Value error, ")
    if field == "id":
        message = ID_RULE
    elif first["type"] == "extra_forbidden":
        model = RetryPolicy if len(loc) > 1 and loc[0] == "retry" else Instance
        known = ", ".join(name for name in model.model_fields if name != "id")
        message = f"unknown key (known keys: {known})"
    more = len(errors) - 1
    extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{where}{line}: instance {instance_id!r}: {field}: {message}{extra}; {_KEEP}"


def _to_table(instance: Instance) -> dict[str, object]:
    """The TOML table of an instance: the id is the table name; defaults and None are left out."""
    table = instance.model_dump(
        mode="json", exclude={"id"}, exclude_defaults=True, exclude_none=True
    )
    return {key: _tidy(value) for key, value in table.items()}


def _tidy(value: object) -> object:
    """Whole-number floats as integers (`timeout = 30`, not `30.0`), in nested tables too."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _tidy(item) for key, item in value.items()}
    return value


def _revalidate(instance: Instance) -> Instance:
    """Check an instance again before it is written: models may be changed after validation."""
    try:
        return Instance.model_validate(instance.model_dump())
    except ValidationError as exc:
        raise BadInputError(describe_invalid(exc)) from None


def _not_found(instance_id: str) -> NotFoundError:
    return NotFoundError(f"no instance '{instance_id}': see `lace-tui instance list`")


# -- finding lines for error messages (best effort: tomllib gives no positions) ----------------


def _key_pattern(key: str) -> str:
    """A TOML key as bare or quoted."""
    escaped = re.escape(key)
    return rf"(?:{escaped}|\"{escaped}\"|'{escaped}')"


def _header_line(text: str, instance_id: str, sub: str | None = None) -> int | None:
    parts = [r"instances", _key_pattern(instance_id)]
    if sub is not None:
        parts.append(_key_pattern(sub))
    return _line_number(text, r"\[\s*" + r"\s*\.\s*".join(parts) + r"\s*\]")


def _field_line(text: str, instance_id: str, loc: list[str]) -> int | None:
    """The line of `loc` (e.g. ["timeout"] or ["retry", "max_attempts"]) in the instance's table."""
    if not loc or loc[0] == "id":
        return None
    lines = text.splitlines()
    sub_header = _header_line(text, instance_id, loc[0])
    if sub_header is not None:
        # A nested table ([instances.<id>.retry] or .headers): the key in it, else its header.
        found = _key_in_table(lines, sub_header, loc[1]) if len(loc) > 1 else None
        return found or sub_header
    header = _header_line(text, instance_id)
    if header is None:
        return None
    return _key_in_table(lines, header, loc[0])


def _inline_line(text: str, instance_id: str) -> int | None:
    """The line of `<id> = ...` under a bare `[instances]` header."""
    header = _line_number(text, r"\[\s*instances\s*\]")
    if header is None:
        return None
    return _key_in_table(text.splitlines(), header, instance_id)


def _key_in_table(lines: list[str], header: int, key: str) -> int | None:
    pattern = re.compile(rf"\s*{_key_pattern(key)}\s*[=.]")
    for number in range(header + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.lstrip().startswith("["):
            return None
        if pattern.match(line):
            return number
    return None


def _line_number(text: str, pattern: str) -> int | None:
    """The number of the first line that starts (after indentation) with `pattern`."""
    compiled = re.compile(rf"\s*{pattern}")
    for number, line in enumerate(text.splitlines(), start=1):
        if compiled.match(line):
            return number
    return None


def _at(line: int | None) -> str:
    """` line N` to follow a file name, or nothing when the line is unknown."""
    return f" line {line}" if line else ""
