"""One batch per output folder at a time.

A batch holds ``OUT/.cxkit-batch.lock`` while it runs: an operating-system lock on the file (released
by the system when the process ends, however it ends) and, inside it, who holds it (pid, host, start,
command) for the message a second batch gets. A lock file left by a batch that was killed is stale:
nobody holds the system lock any more, so the next batch takes it over and says so.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import warnings
from pathlib import Path

from ..errors import ConfigError

try:  # POSIX; elsewhere the lock falls back to the pid written in the file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["BatchLock", "LOCK_NAME"]

LOCK_NAME = ".cxkit-batch.lock"


def _holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def _describe(holder: dict) -> str:
    if not holder:
        return "another cxkit batch"
    return (f"the cxkit batch with pid {holder.get('pid')} on {holder.get('host')} (started {holder.get('started')}"
            f"{', ' + holder['command'] if holder.get('command') else ''})")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BatchLock:
    """Hold the output folder's lock for the duration of a ``with`` block.

    Parameters
    ----------
    out : str or pathlib.Path
        The batch's output folder (created if missing).

    Attributes
    ----------
    path : pathlib.Path
        The lock file, ``OUT/.cxkit-batch.lock``.
    stale : dict or None
        Who held a stale lock this batch took over (None if there was none).

    Raises
    ------
    ConfigError
        When another batch holds the folder: the message names its pid, host and start.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with BatchLock(d) as lock:
    ...         lock.path.exists()
    ...     lock.path.exists()
    True
    False
    """

    def __init__(self, out: str | Path):
        self.path = Path(out) / LOCK_NAME
        self.stale: dict | None = None
        self._fd: int | None = None

    def __enter__(self) -> "BatchLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            previous = _holder(self.path)
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise self._busy(previous) from None
            elif previous.get("pid") and previous.get("host") == socket.gethostname() and _alive(previous["pid"]):
                raise self._busy(previous)  # pragma: no cover - Windows
            if previous:  # the file was there and nobody held it: a batch that was killed
                self.stale = previous
                warnings.warn(f"cxkit: {self.path.parent} was left locked by {_describe(previous)}, which is no longer "
                              "running; taking the lock over", RuntimeWarning, stacklevel=2)
            me = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": dt.datetime.now().replace(microsecond=0).isoformat(),
                  "command": " ".join(sys.argv)[:300] if sys.argv else ""}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode("utf-8"), 0)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def _busy(self, holder: dict) -> ConfigError:
        return ConfigError(f"{self.path.parent} is in use by {_describe(holder)}. One batch per output folder at a "
                           f"time: wait for it to finish (--resume continues it if it stops), or choose another --out. "
                           f"If no batch is running there, delete {self.path}.")

    def __exit__(self, *exc) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still holding the lock: nobody takes over a half-removed file
        finally:
            os.close(self._fd)  # releases the system lock
            self._fd = None
