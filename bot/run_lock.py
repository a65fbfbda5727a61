"""One running bot per database: a second instance refuses to start.

An OS file lock next to the SQLite file: the kernel releases it when the process dies, even by
SIGKILL, so a crashed bot never blocks its own restart."""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from typing import IO


class AlreadyRunning(RuntimeError):
    pass


class RunLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(
                f"another kisanbot is already running on this database ({holder}; lock file {self.path}). "
                "Stop it first: two bots on one database would answer farmers twice."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def lock_path_for(database_url: str, data_dir: Path) -> Path:
    """The lock file beside the SQLite database (or in the data folder for other databases)."""
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        return Path(database_url.removeprefix("sqlite:///") + ".run-lock")
    return data_dir / "kisanbot.run-lock"
