"""Which process is still writing a streaming reply.

Every process that stores a `streaming` reply holds an exclusive advisory lock (flock) on a file
of its own, `<dir>/<token>.lock`, for as long as its store is open, and the reply records the
token. The lock goes when the process does, however it ends (even SIGKILL), so another process
can tell a reply whose writer is gone (interrupted) from one still being written, without
trusting pids, which are reused.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from pathlib import Path


class WriterLock:
    """This process's claim on the replies it streams; `token` goes into each of them."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.token = f"{os.getpid()}-{secrets.token_hex(6)}"
        self._path = directory / f"{self.token}.lock"
        self._fd: int | None = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self) -> None:
        """Give the claim up (the store is closing: its replies are no longer written)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                self._path.unlink()
            os.close(self._fd)
            self._fd = None


def writer_alive(directory: Path, token: str) -> bool:
    """Whether the process that took `token` still holds its lock. A gone writer's file is
    removed on the way."""
    if not token or "/" in token or token.startswith("."):
        return False
    path = directory / f"{token}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False  # never created, or removed when its store closed
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    else:
        with contextlib.suppress(OSError):
            path.unlink()
        return False
    finally:
        os.close(fd)
