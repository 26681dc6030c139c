"""Whether this pool worker's parent (the batch) is still alive, and what a worker does when it is not.

A batch killed with SIGKILL cannot stop its workers; each worker therefore watches its parent itself:
:func:`watch` (started first thing in every worker of the local pool) checks ``os.getppid()`` against
the batch's pid twice a second. Once it differs (the worker was re-parented: the batch died), the
worker kills every process it started (its kernels too) and exits at once, without writing anything
more into the output folder (``--resume`` may already be running there). :func:`orphaned` lets a task
check the same before it renames its outputs.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

from . import kernels

__all__ = []

#: exit status of a worker that found its batch gone
ORPHAN_EXIT = 75
#: seconds between two looks at the parent
INTERVAL = 0.5
#: seconds the kernels get to shut down before the worker's children are killed
SHUTDOWN_GRACE = 3.0

_parent: int | None = None


def orphaned() -> bool:
    """True when the batch process that started this worker has died.

    Always False outside a watched pool worker (the batch process itself, a Dask worker).

    Returns
    -------
    bool
        Whether this process's parent is no longer the batch that started it.
    """
    return _parent is not None and os.getppid() != _parent


def watch(parent_pid: int, *, interval: float = INTERVAL) -> threading.Thread:
    """Start watching the batch process ``parent_pid`` from a daemon thread of this worker.

    Parameters
    ----------
    parent_pid : int
        The batch's pid, as the batch gave it (not read here: the batch may already be gone).
    interval : float
        Seconds between two looks.

    Returns
    -------
    threading.Thread
        The watching thread (a daemon: it never keeps the worker alive).
    """
    global _parent
    _parent = int(parent_pid)
    thread = threading.Thread(target=_watch, args=(interval,), name="cxkit-lineage", daemon=True)
    thread.start()
    if orphaned():  # the batch died while this worker started
        leave(now=True)
    return thread


def _watch(interval: float) -> None:
    while not orphaned():
        time.sleep(interval)
    leave(now=True)  # the batch is gone: its kernels are killed, not asked (they would log into its folder)


def leave(code: int = ORPHAN_EXIT, *, now: bool = False) -> None:
    """Exit this worker now: stop its kernels, kill what else it started, and exit with ``code``
    without running any more of the task (the batch has gone, or stops its pool).

    Parameters
    ----------
    code : int
        The exit status.
    now : bool
        The batch has gone: kill every process this worker started, then exit at once. The kernels are
        not asked to shut down: closing their clients first would wake the task's thread, which would
        then clean up and log into the batch's folder before the exit. Otherwise the kernels get a few
        seconds (``SHUTDOWN_GRACE``) to shut down before the rest is killed.
    """
    if not now:
        stopper = threading.Thread(target=_shutdown_kernels, daemon=True)
        stopper.start()
        stopper.join(SHUTDOWN_GRACE)
    children = _children(os.getpid())  # read from /proc before any is killed: nothing wakes meanwhile
    with contextlib.suppress(Exception):
        if now:
            kernels.forget_connection_files()  # the kernels read them when they started
    for pid in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    os._exit(code)


def _shutdown_kernels() -> None:
    with contextlib.suppress(Exception):
        kernels.shutdown_all()


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc; none found elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found
