"""Small runtime state in `state.json`: the last connection test of each instance, and whether
the first-run import from environment variables already ran.

Writes are atomic and locked, and re-read the file under the lock. A file that fails to parse is
reported (StoredFileError) and never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lace_tui.errors import StoredFileError
from lace_tui.fileio import atomic_write_text, file_lock
from lace_tui.instances.models import ConnectionStatus
from lace_tui.paths import Paths

STATE_VERSION = 1
# Connection-test messages come from servers; keep the file to its owner.
STATE_FILE_MODE = 0o600


class EnvImportRecord(BaseModel):
    """The first-run import ran (at `ran_at`) and created these instance ids."""

    imported: list[str] = Field(default_factory=list)
    ran_at: str = ""


class StateData(BaseModel):
    """The whole state file. Unknown keys (from a newer lace-tui) are kept on rewrite."""

    model_config = ConfigDict(extra="allow", hide_input_in_errors=True)

    version: int = STATE_VERSION
    connections: dict[str, ConnectionStatus] = Field(default_factory=dict)
    env_import: EnvImportRecord | None = None
    # Models a server said need OpenAI's Responses API, by instance id (see responses_models).
    responses_models: dict[str, list[str]] = Field(default_factory=dict)


class StateStore:
    """Read and update `paths.state_file`."""

    def __init__(self, paths: Paths) -> None:
        self.path = paths.state_file

    def __repr__(self) -> str:
        return f"StateStore({str(self.path)!r})"

    def read(self) -> StateData:
        """The whole state (empty when there is no file yet)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return StateData()
        except OSError as exc:
            raise StoredFileError(
                f"{self.path}: cannot read: {exc.strerror or exc.__class__.__name__}"
            ) from None
        try:
            return StateData.model_validate_json(raw)
        except ValidationError as exc:
            raise StoredFileError(f"{self.path}: {_describe(exc)}; {_FIX}") from None

    def status(self, instance_id: str) -> ConnectionStatus | None:
        """The last connection test of the instance, if any."""
        return self.read().connections.get(instance_id)

    def statuses(self) -> dict[str, ConnectionStatus]:
        """Every stored connection test, by instance id."""
        return dict(self.read().connections)

    def set_status(self, instance_id: str, status: ConnectionStatus) -> None:
        """Record the outcome of a connection test."""

        def change(data: StateData) -> bool:
            data.connections[instance_id] = status
            return True

        self._update(change)

    def clear(self, instance_id: str) -> None:
        """Forget the instance's connection test (no write when there is nothing to forget)."""

        def change(data: StateData) -> bool:
            return data.connections.pop(instance_id, None) is not None

        self._update(change)

    def responses_models(self, instance_id: str) -> list[str]:
        """Models of the instance that its server said are served only by the Responses API."""
        return list(self.read().responses_models.get(instance_id, []))

    def remember_responses_model(self, instance_id: str, model_id: str) -> None:
        """Remember that the instance's server serves `model_id` only by the Responses API."""

        def change(data: StateData) -> bool:
            known = data.responses_models.setdefault(instance_id, [])
            if model_id in known:
                return False
            known.append(model_id)
            return True

        self._update(change)

    def env_import_done(self) -> bool:
        """Whether the first-run import from environment variables has already run."""
        return self.read().env_import is not None

    def env_import_record(self) -> EnvImportRecord | None:
        """What the first-run import created, if it ran."""
        return self.read().env_import

    def record_env_import(self, imported_ids: list[str]) -> None:
        """Remember that the import ran (even if it imported nothing), so it never runs again."""
        record = EnvImportRecord(
            imported=list(imported_ids), ran_at=datetime.now(UTC).isoformat(timespec="seconds")
        )

        def change(data: StateData) -> bool:
            data.env_import = record
            return True

        self._update(change)

    def _update(self, change: Callable[[StateData], bool]) -> None:
        """Re-read under the lock, apply `change`, write atomically if it changed anything."""
        try:
            with file_lock(self.path):
                data = self.read()
                if change(data):
                    text = json.dumps(data.model_dump(mode="json"), indent=2, sort_keys=True)
                    atomic_write_text(self.path, text + "\n", STATE_FILE_MODE)
        except OSError as exc:
            raise StoredFileError(
                f"{self.path}: cannot write: {exc.strerror or exc.__class__.__name__}"
            ) from None


_FIX = "fix or delete the file (lace-tui keeps it as it is)"


def _describe(exc: ValidationError) -> str:
    """One line for a state file that does not parse; values left out."""
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return f"not valid JSON ({first['msg']})"
    where = ".".join(str(part) for part in first["loc"]) or "top level"
    return f"unexpected content at {where}: {first['msg']}"
