"""API keys, kept apart from instances: one file `<id>.key` (0600) per instance in a 0700 directory.

An instance may instead name an environment variable (`Instance.api_key_env`), or have no key at
all (local servers). No key ever reaches an error message, a repr or a log line: messages name the
instance, the file or the variable, never the value.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from lace_tui.errors import AuthError, BadInputError, StoredFileError
from lace_tui.fileio import atomic_write_text
from lace_tui.instances.models import Instance, KeyStatus, is_valid_instance_id
from lace_tui.paths import Paths
from lace_tui.redact import remember_secret

DIR_MODE = 0o700
FILE_MODE = 0o600
KEY_SUFFIX = ".key"
_MASK = "…"


class CredentialStore:
    """Stored keys of instances, one private file each."""

    def __init__(self, paths: Paths) -> None:
        self.directory = paths.credentials_dir

    def __repr__(self) -> str:
        return f"CredentialStore({str(self.directory)!r})"

    def ensure_private(self) -> list[str]:
        """Tighten the directory to 0700 and key files to 0600 if found looser; say what changed."""
        notes: list[str] = []
        try:
            info = self.directory.lstat()
        except FileNotFoundError:
            return notes
        except OSError as exc:
            raise StoredFileError(
                f"credentials: cannot read {self.directory}: {exc.strerror}"
            ) from None
        if not stat.S_ISDIR(info.st_mode):
            raise StoredFileError(
                f"credentials: {self.directory} is not a directory: move it away so keys can be "
                "stored there"
            )
        note = _tighten(self.directory, info.st_mode, DIR_MODE)
        if note:
            notes.append(note)
        try:
            entries = sorted(self.directory.iterdir())
        except OSError as exc:
            raise StoredFileError(
                f"credentials: cannot list {self.directory}: {exc.strerror}"
            ) from None
        for path in entries:
            if path.suffix != KEY_SUFFIX:
                continue
            try:
                file_info = path.lstat()
            except OSError:
                continue  # vanished meanwhile
            if stat.S_ISREG(file_info.st_mode):
                note = _tighten(path, file_info.st_mode, FILE_MODE)
                if note:
                    notes.append(note)
        return notes

    def path(self, instance_id: str) -> Path:
        """The key file of an instance (BadInputError for an id that is not a valid slug)."""
        if not is_valid_instance_id(instance_id):
            raise BadInputError(
                f"invalid instance id {instance_id!r}: use 1 to 63 lowercase letters, digits and "
                "'-', starting with a letter or digit"
            )
        return self.directory / f"{instance_id}{KEY_SUFFIX}"

    def save(self, instance_id: str, key: str) -> None:
        """Store `key` for the instance (replacing any), in a 0600 file in a 0700 directory.

        A trailing newline (a key piped on stdin) and surrounding spaces are dropped; an empty key,
        or one with inner newlines or other control characters, is BadInputError.
        """
        path = self.path(instance_id)
        cleaned = clean_key(key, what=f"the key for instance '{instance_id}'")
        try:
            self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            # mkdir's mode is cut by the umask and ignored for an existing directory.
            self.ensure_private()
            atomic_write_text(path, cleaned, FILE_MODE)
        except OSError as exc:
            raise StoredFileError(
                f"credentials: cannot write {path}: {exc.strerror or exc.__class__.__name__}"
            ) from None

    def load(self, instance_id: str) -> str | None:
        """The stored key of the instance, or None if it has none."""
        path = self.path(instance_id)
        try:
            data = _read_no_follow(path)
        except FileNotFoundError:
            return None
        except _SymlinkError:
            raise StoredFileError(
                f"credentials: {path} is a symbolic link, which is never followed for a key: "
                f"remove it and store the key with "
                f"`lace-tui instance edit {instance_id} --api-key-stdin`"
            ) from None
        except OSError as exc:
            raise StoredFileError(
                f"credentials: cannot read {path}: {exc.strerror or exc.__class__.__name__}"
            ) from None
        try:
            return clean_key(data.decode("utf-8"), what="the key")
        except (UnicodeDecodeError, BadInputError):
            raise StoredFileError(
                f"credentials: {path} does not hold a usable key: store it again with "
                f"`lace-tui instance edit {instance_id} --api-key-stdin`"
            ) from None

    def has(self, instance_id: str) -> bool:
        """Whether a key file exists for the instance."""
        return self.path(instance_id).is_file()

    def delete(self, instance_id: str) -> None:
        """Remove the stored key of the instance, if any."""
        path = self.path(instance_id)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoredFileError(
                f"credentials: cannot delete {path}: {exc.strerror or exc.__class__.__name__}"
            ) from None


class _SymlinkError(Exception):
    pass


def _read_no_follow(path: Path) -> bytes:
    """The file's bytes; _SymlinkError if `path` itself is a symbolic link (O_NOFOLLOW: a link
    planted in the credentials directory must not make us send another file as the key)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if path.is_symlink():
            raise _SymlinkError from None
        raise exc
    with os.fdopen(fd, "rb") as file:
        return file.read()


def clean_key(key: str, *, what: str = "the key") -> str:
    """The key without a trailing newline or surrounding spaces; BadInputError if unusable.

    Messages say what is wrong and where, never the key or any part of it.
    """
    cleaned = key.rstrip("\r\n").strip(" ")
    if not cleaned.strip():
        raise BadInputError(f"{what} is empty: give the key itself (for example on stdin)")
    if "\n" in cleaned or "\r" in cleaned:
        raise BadInputError(f"{what} spans several lines: give a single line holding only the key")
    for position, char in enumerate(cleaned, start=1):
        if not (" " <= char <= "~"):
            kind = (
                "a control character" if char < " " or char == "\x7f" else "a non-ASCII character"
            )
            raise BadInputError(
                f"{what} contains {kind} at position {position}: give the key exactly as issued"
            )
    return cleaned


def mask_key(key: str) -> str:
    """A key as it may be shown: a short vendor prefix (`sk-`) and the last 4 characters.

    Keys of 8 characters or fewer show as `…` only; at most half of any key is ever revealed.
    """
    if len(key) <= 8:
        return _MASK
    tail = key[-4:]
    head, dash, _ = key.partition("-")
    prefix = f"{head}{dash}" if dash and len(head) <= 4 else ""
    if len(prefix) + len(tail) > len(key) // 2:
        prefix = ""
    return f"{prefix}{_MASK}{tail}"


def resolve_api_key(
    instance: Instance, credentials: CredentialStore, environ: Mapping[str, str]
) -> str | None:
    """The key to send for the instance: from its environment variable, its stored file, or None.

    An instance that names a variable which is unset or empty is an AuthError saying how to fix it.
    """
    if instance.api_key_env:
        value = environ.get(instance.api_key_env, "").strip()
        if not value:
            raise AuthError(
                f"instance '{instance.id}': environment variable {instance.api_key_env} is not "
                f"set: export it, or store a key with "
                f"`lace-tui instance edit {instance.id} --api-key-stdin`"
            )
        # The same checks as a stored key: a newline or non-ASCII character would otherwise
        # surface as an httpx "Illegal header value" message quoting the key, or a traceback.
        key: str | None = clean_key(
            value, what=f"instance '{instance.id}': environment variable {instance.api_key_env}"
        )
    else:
        key = credentials.load(instance.id)
    remember_secret(key)
    return key


def key_status(
    instance: Instance, credentials: CredentialStore, environ: Mapping[str, str]
) -> KeyStatus:
    """Where the instance's key comes from and whether it is there; masked for stored keys only."""
    if instance.api_key_env:
        available = bool(environ.get(instance.api_key_env, "").strip())
        return KeyStatus(source="env", env_var=instance.api_key_env, available=available)
    if not credentials.has(instance.id):
        return KeyStatus(source="none", available=False)
    try:
        key = credentials.load(instance.id)
    except StoredFileError:
        return KeyStatus(source="stored", available=False)
    if key is None:  # removed between the two looks
        return KeyStatus(source="none", available=False)
    return KeyStatus(source="stored", available=True, masked=mask_key(key))


def _tighten(path: Path, st_mode: int, wanted: int) -> str | None:
    """chmod `path` to `wanted` if group or others have any access; a note if it did."""
    current = stat.S_IMODE(st_mode)
    if current & 0o077 == 0:
        return None
    try:
        os.chmod(path, wanted)
    except OSError as exc:
        raise StoredFileError(
            f"credentials: {path} has mode {current:04o} and cannot be made {wanted:04o}: "
            f"{exc.strerror}; fix it with `chmod {wanted:o} {path}`"
        ) from None
    return f"credentials: tightened {path} from {current:04o} to {wanted:04o}"
