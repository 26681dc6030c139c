"""Warm Jupyter kernels for the report batch: one kernel per pool worker process, reset between units.

Design
------
Each worker process (of the batch's local pool, or a Dask worker process) keeps ONE kernel
(:class:`jupyter_client.KernelManager`, kernel ``python3``), started by :func:`warm_up` ahead of the
first unit or lazily by the first unit. After start, a silent preamble imports what the report
notebooks import (cxkit, pandas, numpy, scipy.stats and statsmodels, which cxkit imports at first use,
matplotlib with the backend a new kernel would use) and takes a snapshot of the state that is restored
before every unit. The kernel is handed to
papermill (``pm.execute_notebook(..., km=km)``): nbclient's ``NotebookClient`` does not shut down a
kernel manager it did not create (``owns_km`` is False, ``cleanup_kc`` then too), so the kernel
survives the unit; the kernel client papermill made for the unit is closed here after the unit.

Isolation
---------
Between units the kernel runs (silently, ``store_history=False``) :meth:`_KernelState.reset`; the worker
asks for it after a unit (the kernel works on it while the worker renders the unit's pages) and the
next unit starts only when it is done:
open figures closed (``plt.close("all")``), ``%reset -f`` (user namespace, ``In``/``Out``/``_``
history), the attributes of every ``cxkit*`` module and of the classes they define restored from the
snapshot (also module-level dicts, lists and sets, refilled in place), ``cxkit`` modules imported
after the snapshot forgotten, functools caches of cxkit cleared, ``matplotlib.pyplot``'s attributes,
the matplotlib backend, rcParams, IPython's event callbacks and display formatters (``%matplotlib
inline`` changes these) restored, pandas options, numpy's error and print options, the warnings
filters (and the "shown once" registries), numpy's and :mod:`random`'s global random state reseeded
from fresh entropy (as in a new kernel), the working directory (the worker's own, as a new kernel
would get), ``os.environ``, ``sys.path`` and the recursion limit restored, the execution counter set
to 1 in a new history session (execution counts in the output notebook match a fresh kernel), then
``gc.unfreeze()`` and ``gc.collect()`` and glibc's
``malloc_trim(0)`` so freed memory goes back to the system.

Limits: what lives outside these (state of C extensions, e.g. a BLAS library's thread count or
``locale.setlocale``; threads or child processes a unit started; third-party modules a unit imported
stay imported, and attributes it changed on them stay changed; objects inside cxkit module-level
containers mutated in place, other than the containers themselves; IPython extensions or magics a
unit loaded) is not reset. A kernel is therefore recycled (replaced by a new one) after
``CXKIT_KERNEL_MAX_UNITS`` units (default :data:`MAX_UNITS`) or when its resident memory after the
reset exceeds ``CXKIT_KERNEL_MAX_RSS_MB`` MB (default :data:`MAX_RSS_MB`). A unit that must not share
a kernel at all runs with ``fresh_kernel=True`` (papermill starts and stops its own kernel).

Replacement
-----------
A kernel that died (its process is gone, or nbclient raised ``DeadKernelError``), that timed out (a
cell ran longer than the timeout: the kernel is still busy) or whose reset failed is shut down and a
new one started for the next unit; the unit's result names what happened (``kernel``). A kernel whose
process ends before it answers (a TCP port taken by another process meanwhile: :func:`died_starting`) is
started again, :func:`start_attempts` times in all, warm or fresh. Kernels get
``JPY_PARENT_PID`` (jupyter_client sets it to the worker's pid), so ipykernel's parent poller ends a
kernel within about a second when its worker dies; :func:`shutdown_all` (registered with
:mod:`atexit` and multiprocessing's finalizers) stops them when a worker exits normally.

See docs/warm-kernels.md.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

from ..errors import CxkitError

__all__ = []

#: a kernel is replaced after this many units (``CXKIT_KERNEL_MAX_UNITS`` overrides it)
MAX_UNITS = 50
#: ... or when its resident memory after the reset exceeds this many MB (``CXKIT_KERNEL_MAX_RSS_MB``)
MAX_RSS_MB = 1500
#: seconds the preamble (imports) and a reset may take
PREAMBLE_TIMEOUT = 180
RESET_TIMEOUT = 60
#: a kernel whose process ends before it answers is started again, this many times in all (see
#: :func:`start_attempts`)
START_ATTEMPTS = 3

_MISSING = object()


class KernelError(CxkitError):
    """A warm kernel could not be started, prepared or reset (the message says which kernel and why)."""


class KernelDiedStarting(KernelError):
    """The kernel's process ended before it answered its first request (nothing of a unit ran on it)."""


def died_starting(exc: BaseException | None) -> bool:
    """Whether ``exc`` says a kernel's process ended before it answered, so no notebook code ran on it.

    jupyter_client chooses a new kernel's TCP ports by binding port 0 and closing the socket, writes them
    to the connection file, and the kernel binds them when it starts: another process (another pool
    worker's kernel or client, anything on the machine) may take one of them in between, and the kernel
    then exits with ``ZMQError: Address already in use`` (jupyter/jupyter_client#154). Such a start is
    safe to repeat: the next one gets new ports.

    Parameters
    ----------
    exc : BaseException or None
        What starting the kernel (this module's, or nbclient's for a fresh kernel) raised.

    Returns
    -------
    bool
    """
    if isinstance(exc, KernelDiedStarting):
        return True
    # nbclient's start of a fresh kernel: jupyter_client's wait_for_ready (and this module's client)
    return isinstance(exc, RuntimeError) and str(exc).startswith("Kernel died before replying to kernel_info")


def gave_up_starting(exc: BaseException, starts: int) -> str:
    """The message of a kernel that died at every one of its ``starts`` (warm or fresh alike)."""
    return f"{exc} ({starts} starts; the kernel's own error is in the worker's log)"


def start_attempts() -> int:
    """How many times a kernel that died while starting is started in all (``CXKIT_KERNEL_START_ATTEMPTS``)."""
    return max(1, _limit("CXKIT_KERNEL_START_ATTEMPTS", START_ATTEMPTS))


# ---------------------------------------------------------------------------------------------------
# inside the kernel


def _module_names() -> list[str]:
    return [n for n in list(sys.modules) if n == "cxkit" or n.startswith("cxkit.") or n == "matplotlib.pyplot"]


def _snapshot_module(mod) -> tuple:
    saved = dict(mod.__dict__)
    containers = {k: v.copy() for k, v in saved.items() if type(v) in (dict, list, set)}
    classes = {v: dict(v.__dict__) for v in saved.values()
               if isinstance(v, type) and getattr(v, "__module__", None) == mod.__name__}
    return mod, saved, containers, classes


def _restore_namespace(space: dict, saved: dict) -> None:
    for key in [k for k in space if k not in saved]:
        del space[key]
    for key, value in saved.items():
        if space.get(key, _MISSING) is not value:
            space[key] = value


def _restore_class(cls: type, saved: dict) -> None:
    current = dict(cls.__dict__)
    for key in [k for k in current if k not in saved]:
        with contextlib.suppress(AttributeError, TypeError):
            delattr(cls, key)
    for key, value in saved.items():
        if current.get(key, _MISSING) is not value:
            with contextlib.suppress(AttributeError, TypeError):
                setattr(cls, key, value)


def _refill(obj, content) -> None:
    if isinstance(obj, list):
        obj[:] = content
    else:
        obj.clear()
        obj.update(content)


def _clear_caches(space: dict) -> None:
    for value in list(space.values()):
        if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
            value.cache_clear()


def _pandas_options() -> list[str]:
    from pandas._config import config

    return list(config._registered_options)


def trim_heap() -> None:
    """Give glibc's free heap pages back to the system (``malloc_trim``: glibc returns only the top of its heap
    by itself); nothing without glibc. Used by a kernel's reset and by the batch's preparation."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)


class _KernelState:
    """What a report kernel looks like after the preamble; :meth:`reset` puts it back (runs in the kernel)."""

    def __init__(self):
        import gc
        import warnings

        import matplotlib
        import numpy as np
        import pandas as pd
        from matplotlib_inline import backend_inline

        shell = get_ipython()  # noqa: F821 - the kernel's shell
        self.modules = {name: _snapshot_module(sys.modules[name]) for name in _module_names()}
        self.backend = matplotlib.get_backend()
        self.rc = dict(matplotlib.rcParams.items())
        self.inline = (getattr(backend_inline.configure_inline_support, "current_backend", _MISSING),
                       getattr(shell, "_saved_rcParams", _MISSING))
        self.events = {k: list(v) for k, v in shell.events.callbacks.items()}
        self.formatters = {f: (dict(f.type_printers), dict(f.deferred_printers), f.enabled)
                           for f in shell.display_formatter.formatters.values()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.pandas = {k: pd.get_option(k) for k in _pandas_options()}
        self.numpy = (np.geterr(), np.get_printoptions())
        self.warnings = (list(warnings.filters), warnings.showwarning)
        self.environ, self.path = dict(os.environ), list(sys.path)
        self.recursion = sys.getrecursionlimit()
        gc.collect()
        gc.freeze()  # the imports stay out of the collector's full scans (as cxkit.report.access._settle does)

    @classmethod
    def install(cls) -> None:
        """Take the snapshot and keep it on the shell (``%reset`` does not clear it)."""
        get_ipython()._cxkit_warm = cls()  # noqa: F821

    def reset(self, cwd: str) -> None:
        """Put the kernel back as it was after the preamble, with the worker's ``cwd``."""
        import matplotlib.pyplot as plt

        plt.close("all")
        shell = get_ipython()  # noqa: F821
        shell.run_line_magic("reset", "-f")
        self._restore_modules()
        self._restore_matplotlib(shell)
        self._restore_libraries()
        self._restore_process(cwd)
        if shell.history_manager is not None:
            shell.history_manager.reset(new_session=True)  # execution counts start again at 1 in a new session
        shell.execution_count = 1
        self._return_memory()

    def _restore_modules(self) -> None:
        for name in [n for n in _module_names() if n not in self.modules]:
            del sys.modules[name]  # imported by a unit: a new kernel would import it anew
        for mod, saved, containers, classes in self.modules.values():
            _restore_namespace(mod.__dict__, saved)
            for key, content in containers.items():
                _refill(saved[key], content)
            for cls, space in classes.items():
                _restore_class(cls, space)
            _clear_caches(saved)
            for space in classes.values():
                _clear_caches(space)

    def _restore_matplotlib(self, shell) -> None:
        import matplotlib
        import matplotlib.pyplot as plt
        from matplotlib_inline import backend_inline

        if matplotlib.get_backend() != self.backend:
            plt.switch_backend(self.backend)
        rc = matplotlib.rcParams
        for key, value in self.rc.items():
            if rc._get(key) is not value:
                rc._set(key, value)
        for obj, attr, value in ((backend_inline.configure_inline_support, "current_backend", self.inline[0]),
                                 (shell, "_saved_rcParams", self.inline[1])):
            if value is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(obj, attr)
            else:
                setattr(obj, attr, value)
        for event, callbacks in self.events.items():
            shell.events.callbacks[event][:] = callbacks
        for fmt, (types, deferred, enabled) in self.formatters.items():
            _refill(fmt.type_printers, types)
            _refill(fmt.deferred_printers, deferred)
            fmt.enabled = enabled

    def _restore_libraries(self) -> None:
        import random
        import warnings

        import numpy as np
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in self.pandas.items():
                if pd.get_option(key) is not value:
                    pd.set_option(key, value)
        np.seterr(**self.numpy[0])
        np.set_printoptions(**self.numpy[1])
        warnings.filters[:] = self.warnings[0]
        warnings.showwarning = self.warnings[1]
        warnings._filters_mutated()  # forgets which warnings were shown "once"/"default" already
        np.random.seed()  # fresh entropy, as a new kernel
        random.seed()

    def _restore_process(self, cwd: str) -> None:
        os.chdir(cwd)
        for key in [k for k in os.environ if k not in self.environ]:
            del os.environ[key]
        for key, value in self.environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
        sys.path[:] = self.path
        sys.setrecursionlimit(self.recursion)

    @staticmethod
    def _return_memory() -> None:
        import gc

        gc.unfreeze()  # open_report froze the last unit's data (access._settle)
        gc.collect()
        trim_heap()
        gc.freeze()


PREAMBLE = """\
def __cxkit_preamble():
    import gc, os, random, sys, warnings
    import matplotlib, numpy, pandas, scipy.stats, statsmodels.stats.proportion  # cxkit imports these lazily
    import matplotlib.pyplot as plt
    import cxkit, cxkit.report
    for name in cxkit.__all__:  # import cxkit is lazy: every public name is imported now, once
        getattr(cxkit, name)
    plt.switch_backend(matplotlib.get_backend())  # what the first figure of a new kernel would do
    from cxkit.report.kernels import _KernelState
    _KernelState.install()
__cxkit_preamble()
get_ipython().run_line_magic("reset", "-f")
"""


# ---------------------------------------------------------------------------------------------------
# in the worker process


def _limit(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _manager_class():
    from jupyter_client import AsyncKernelClient, KernelManager

    class _Client(AsyncKernelClient):
        """The client papermill gets: asynchronous (nbclient polls IOPub and the shell channel at once; a blocking
        client would hold its event loop and no cell timeout would fire), and without jupyter_client's fixed
        0.2 s wait for more IOPub messages once the kernel answered on both channels (nbclient skips foreign
        messages)."""

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
            while not await self._answers():
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
            with contextlib.suppress(queue.Empty):
                while True:
                    await self.iopub_channel.get_msg(timeout=0.01)

        async def _answers(self) -> bool:
            """A kernel_info reply on the shell channel and a message on IOPub (its subscription works)."""
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] != "kernel_info_reply":
                    return False
                await self.iopub_channel.get_msg(timeout=0.5)
            except queue.Empty:
                return False
            self._handle_kernel_info_reply(reply)
            return True

    class _TrackingManager(KernelManager):
        """Remembers the kernel clients papermill makes (it does not close them for a kernel it does not own)."""

        def client(self, **kwargs):
            session = self.session.clone()  # a session id of its own: the kernel routes replies by it
            session.session = str(uuid.uuid4())
            kc = super().client(**dict({"session": session}, **kwargs))
            self.cxkit_clients.append(kc)
            return kc

    return _TrackingManager, _Client


class WarmKernel:
    """One kernel of this process: started, prepared by the preamble, reset between units."""

    def __init__(self, *, start_timeout: float = 120):
        from jupyter_client import BlockingKernelClient

        manager, client = _manager_class()
        self.km = manager(kernel_name="python3")
        self.km.client_factory = client
        self.km.cxkit_clients = []
        self.km.shutdown_wait_time = 2.0
        self.units, self.kc, self._pending = 0, None, None
        self.km.start_kernel(cwd=os.getcwd())
        self._pid = getattr(getattr(self.km.provisioner, "process", None), "pid", None)
        try:
            self.kc = BlockingKernelClient(**self.km.get_connection_info(session=True), parent=self.km)
            self.kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            self._wait_ready(start_timeout)
            self.run(PREAMBLE, timeout=PREAMBLE_TIMEOUT)
        except BaseException:
            self.shutdown(now=True)
            raise

    @property
    def pid(self) -> int | None:
        """The kernel's process id."""
        return self._pid

    def alive(self) -> bool:
        """Whether the kernel process still runs."""
        try:
            return bool(self.km.is_alive())
        except Exception:  # noqa: BLE001 - a broken manager is a dead kernel
            return False

    def rss_mb(self) -> float | None:
        """The kernel's resident memory in MB (Linux ``/proc``), None when unknown."""
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            return None
        return None

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self.kc.kernel_info()
            with contextlib.suppress(KernelError):
                self._reply(msg_id, min(1.0, max(0.1, deadline - time.monotonic())))
                return
            if not self.alive():
                raise KernelDiedStarting(f"kernel {self.pid}: the kernel process ended while starting")
        raise KernelError(f"kernel {self.pid}: no answer within {timeout} s of starting (start_timeout)")

    def _reply(self, msg_id: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelError(f"kernel {self.pid}: no reply within {timeout:.0f} s")
            try:
                msg = self.kc.get_shell_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not self.alive():
                    raise KernelError(f"kernel {self.pid}: the kernel process is gone") from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def _send(self, code: str) -> str:
        return self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)

    def _wait(self, msg_id: str, timeout: float) -> None:
        content = self._reply(msg_id, timeout)["content"]
        if content.get("status") != "ok":
            raise KernelError(f"kernel {self.pid}: {content.get('ename')}: {content.get('evalue')}")

    def run(self, code: str, *, timeout: float = RESET_TIMEOUT) -> None:
        """Execute ``code`` silently (no outputs, not in the history); a failure raises :class:`KernelError`."""
        self._wait(self._send(code), timeout)

    def begin_reset(self, cwd: str) -> None:
        """Start the reset now (the kernel works on it while this process renders the last unit's pages);
        :meth:`reset` waits for it."""
        self._pending = (cwd, self._send(f"get_ipython()._cxkit_warm.reset({cwd!r})"))

    def reset(self, cwd: str) -> None:
        """Restore the snapshot before a unit (see :class:`_KernelState`), or wait for the reset begun."""
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] != cwd:
            self._wait(pending[1], RESET_TIMEOUT)
            pending = None
        if pending is None:
            pending = (cwd, self._send(f"get_ipython()._cxkit_warm.reset({cwd!r})"))
        self._wait(pending[1], RESET_TIMEOUT)

    def close_clients(self) -> None:
        """Close the kernel clients papermill opened for the last unit."""
        while self.km.cxkit_clients:
            with contextlib.suppress(Exception):
                self.km.cxkit_clients.pop().stop_channels()

    def shutdown(self, *, now: bool = False) -> None:
        """Stop the kernel and close every client (``now``: kill it, no shutdown request)."""
        self.close_clients()
        if self._pending is not None and not now:  # let a reset begun finish (a shutdown request waits for it)
            with contextlib.suppress(KernelError):
                self._wait(self._pending[1], 10)
        self._pending = None
        with contextlib.suppress(Exception):
            if self.kc is not None:
                self.kc.stop_channels()
        try:
            self.km.shutdown_kernel(now=now or not self.alive())
        except Exception:  # noqa: BLE001 - a kernel that will not stop is killed
            with contextlib.suppress(Exception):
                self.km.shutdown_kernel(now=True)


@dataclass
class Lease:
    """A kernel handed to one unit (``km`` for papermill) and what the unit's result says about it."""

    kernel: WarmKernel
    info: dict = field(default_factory=dict)

    @property
    def km(self):
        return self.kernel.km


_LOCK = threading.Lock()  # one unit at a time on this process's kernel (Dask runs tasks in threads)
_STATE = {"kernel": None, "owner": None, "why_new": "first unit of this process", "hooked": False}


def _current() -> WarmKernel | None:
    if _STATE["owner"] != os.getpid():  # a forked child does not own its parent's kernel
        _STATE.update(kernel=None, owner=os.getpid())
    return _STATE["kernel"]


def _start(start_timeout: float) -> WarmKernel:
    attempts = start_attempts()
    for attempt in range(1, attempts + 1):
        try:
            kernel = WarmKernel(start_timeout=start_timeout)
            break
        except KernelDiedStarting as exc:
            if attempt == attempts:
                raise KernelDiedStarting(gave_up_starting(exc, attempts)) from exc
            print(f"cxkit: {exc}; starting another (attempt {attempt + 1} of {attempts})", file=sys.stderr)
    _STATE.update(kernel=kernel, owner=os.getpid())
    if not _STATE["hooked"]:
        import multiprocessing.util

        atexit.register(shutdown_all)
        multiprocessing.util.Finalize(None, shutdown_all, exitpriority=10)  # pool workers started by fork
        _STATE["hooked"] = True
    return kernel


def _discard(why: str, *, now: bool = True) -> None:
    kernel = _current()
    _STATE.update(kernel=None, why_new=why)
    if kernel is not None:
        kernel.shutdown(now=now)


def warm_up(*, start_timeout: float = 120) -> None:
    """Start this process's kernel ahead of its first unit (the pool calls it in each worker).

    Never raises: a kernel that cannot start now is started (or its error reported) by the first unit.

    Parameters
    ----------
    start_timeout : float
        Seconds the kernel may take to start.
    """
    with _LOCK:
        kernel = _current()
        if kernel is None or not kernel.alive():
            try:
                _start(start_timeout).begin_reset(os.getcwd())
            except Exception as exc:  # noqa: BLE001 - the first unit tries again
                print(f"cxkit: warm kernel not started: {exc}", file=sys.stderr)


def _why_replace(kernel: WarmKernel, max_units: int) -> str | None:
    if not kernel.alive():
        return "the previous kernel died"
    if kernel.units >= max_units:
        return f"recycled after {kernel.units} units"
    return None


def _ready_kernel(cwd: str, start_timeout: float) -> tuple[WarmKernel, str | None]:
    """This process's kernel, reset for a unit: (kernel, why it is new or None)."""
    kernel = _current()
    why = None if kernel is None else _why_replace(kernel, _limit("CXKIT_KERNEL_MAX_UNITS", MAX_UNITS))
    if why:
        _discard(why, now=why.endswith("died"))
    if _current() is None:
        why = _STATE["why_new"]
        kernel = _start(start_timeout)
    try:
        kernel.reset(cwd)
    except KernelError as exc:
        why = "the previous kernel died" if not kernel.alive() else f"the reset failed ({exc})"
        _discard(why)
        kernel = _start(start_timeout)
        kernel.reset(cwd)
    rss, limit = kernel.rss_mb(), _limit("CXKIT_KERNEL_MAX_RSS_MB", MAX_RSS_MB)
    if rss is not None and rss > limit and kernel.units:
        why = f"recycled at {rss:.0f} MB resident memory (limit {limit} MB)"
        _discard(why, now=False)
        kernel = _start(start_timeout)
        kernel.reset(cwd)
    return kernel, why


def lease(*, start_timeout: float = 120, cwd: str | None = None) -> Lease | None:
    """This process's warm kernel, reset, for one unit; None when another thread of this process uses it.

    Parameters
    ----------
    start_timeout : float
        Seconds a new kernel may take to start.
    cwd : str, optional
        The unit's working directory (default this process's).

    Returns
    -------
    Lease or None
        Give it back with :func:`release` after the unit.

    Raises
    ------
    KernelError
        No kernel could be started or reset.
    """
    if not _LOCK.acquire(blocking=False):
        return None
    try:
        kernel, why = _ready_kernel(cwd or os.getcwd(), start_timeout)
    except BaseException:
        _LOCK.release()
        raise
    info = {"mode": "warm", "pid": kernel.pid, "unit_on_kernel": kernel.units + 1, "new": why is not None}
    if why:
        info["why_new"] = why
    return Lease(kernel, info)


def release(held: Lease | None, *, outcome: str | None = None) -> str | None:
    """Give a kernel back after its unit; one that died or timed out is shut down (replaced for the next unit).

    Parameters
    ----------
    held : Lease or None
        What :func:`lease` returned (None: nothing to do).
    outcome : str, optional
        ``"died"`` (DeadKernelError), ``"timeout"`` (CellTimeoutError: the kernel is still busy) or
        ``"interrupted"`` (the unit ended by an exception papermill did not handle).

    Returns
    -------
    str or None
        Why the kernel was replaced, None when it stays for the next unit.
    """
    if held is None:
        return None
    try:
        kernel = held.kernel
        kernel.close_clients()
        kernel.units += 1
        why = {"died": "the kernel died during the unit", "timeout": "a cell timed out (the kernel was still busy)",
               "interrupted": "the unit was interrupted (the kernel may still be busy)"}.get(outcome)
        if why is None and not kernel.alive():
            why = "the kernel died during the unit"
        if why and _current() is kernel:
            _discard(f"the previous unit's kernel was replaced: {why}")
        elif not why:
            kernel.begin_reset(os.getcwd())  # runs in the kernel while this process renders the pages
        return why
    finally:
        _LOCK.release()


def forget_connection_files() -> None:
    """Remove the connection file of this process's warm kernel, touching nothing else (a worker whose
    batch died calls it just before it kills the kernel and exits: no client is closed, so the unit's
    thread is not woken)."""
    kernel = _STATE["kernel"] if _STATE["owner"] == os.getpid() else None
    if kernel is not None:
        with contextlib.suppress(OSError, AttributeError, TypeError):
            if kernel.km.connection_file:
                os.unlink(kernel.km.connection_file)


def shutdown_all(*, now: bool = False) -> None:
    """Shut down every kernel this process started (registered with :mod:`atexit` when one starts).

    Parameters
    ----------
    now : bool
        Kill the kernels at once (a worker whose batch died: nothing the kernel would still say may be
        written) instead of asking them to shut down.
    """
    if _STATE["owner"] == os.getpid() and _STATE["kernel"] is not None:
        _discard("first unit after a shutdown", now=now)
