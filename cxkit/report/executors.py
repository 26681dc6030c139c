"""Where the tasks run: a local pool of processes (started early, warmed, stopped at once after an
error) or a Dask cluster; progress bars and worker logs.
"""
from __future__ import annotations

import collections
import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import contextlib
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

from ..data.export import temporary_patterns
from ..errors import ConfigError
from . import kernels
from . import lineage
from .render import _exporter
from .tasks import _run_task, notebook_temporary_pattern

__all__ = []


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="reports", unit="unit", disable=not enabled or total == 0, file=sys.stderr,
                dynamic_ncols=True)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _limit_threads(threads: int | None) -> None:
    """Math-library (BLAS, OpenMP, Arrow) threads for the kernels this process starts, so that the
    pool's processes do not oversubscribe the cores; a value the user set in the environment is kept."""
    for var in THREAD_VARIABLES if threads else ():
        os.environ.setdefault(var, str(int(threads)))  # inherited by the Jupyter kernels


def _quiet_worker(log_dir: str, threads: int | None = None) -> None:
    """Pool initializer: kernel and library chatter goes to a log file, not the user's terminal;
    ``threads`` as :func:`_limit_threads`."""
    _limit_threads(threads)
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(os.path.join(log_dir, f"worker-{os.getpid()}.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stderr = open(2, "w", closefd=False, buffering=1)


def _local_pool(workers: int, log_dir: str | Path) -> "IsolatingPool":
    """A pool of ``workers`` processes (papermill changes process state; never threads); a worker that
    dies costs only the task it was running, and a new one takes its place (warmed like the first)."""
    threads = max(1, (os.cpu_count() or 1) // workers)  # the pool gives the parallelism
    return IsolatingPool(workers, mp_context=mp.get_context("spawn"), initializer=_quiet_worker,
                         initargs=(str(log_dir), threads), rewarm=_warm_worker)


@contextlib.contextmanager
def _main_script_hidden():
    """Worker processes started inside do not run the caller's script again.

    multiprocessing's ``spawn`` imports the parent's ``__main__`` in every new process; a script that
    calls cxkit without an ``if __name__ == "__main__":`` guard would start its batch again in each
    worker. cxkit's tasks need only cxkit, so the main module's file and spec are hidden while a
    process starts.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            if "__spec__" in saved:
                main.__spec__ = None
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


def submit(pool: cf.Executor, fn, /, *args, **kwargs) -> cf.Future:
    """``pool.submit`` for cxkit's process pools: a worker started by this call does not run the caller's
    script (see :func:`_main_script_hidden`)."""
    with _main_script_hidden():
        return pool.submit(fn, *args, **kwargs)


def _warm_worker() -> None:
    """Load what executing and rendering a notebook needs, and start the worker's kernel
    (:func:`cxkit.report.kernels.warm_up`), before the first unit arrives."""
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    _exporter()
    kernels.warm_up()


class WorkerDied(BrokenProcessPool):
    """The worker process running a task died (a signal such as the out-of-memory killer's SIGKILL,
    or an exit in the middle of the task); only that task fails."""


def _death_text(exitcode: int | None) -> str:
    """Why a worker died, in words: its signal or exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            sig = signal.Signals(-exitcode)
        except ValueError:
            return f"the worker process running this unit died (signal {-exitcode})"
        hint = ", perhaps out of memory" if sig == signal.SIGKILL else ""
        return (f"the worker process running this unit died (signal {sig.name}: "
                f"{(signal.strsignal(sig) or '').lower()}{hint})")
    return f"the worker process running this unit died (exit code {exitcode})"


def _worker_main(conn, parent_pid: int, initializer, initargs: tuple, rewarm) -> None:
    """A pool process: watch the parent (:mod:`cxkit.report.lineage`), initialise, then run the tasks
    that arrive on ``conn`` one at a time, sending each result back; stop at ``None`` or when the parent
    has gone. The kernels this process started are shut down however it ends."""
    lineage.watch(parent_pid)
    signal.signal(signal.SIGTERM, lambda *_: lineage.leave(0))  # the pool stopped: kernels first, then exit
    try:
        try:
            if initializer is not None:
                initializer(*initargs)
            if rewarm is not None:
                rewarm()
        except BaseException:  # noqa: BLE001 - the parent sees the death and counts it
            traceback.print_exc()
            os._exit(70)
        conn.send(("ready", True, None))
        _serve(conn)
    finally:
        kernels.shutdown_all()


def _serve(conn) -> None:
    while True:
        try:
            msg = conn.recv_bytes()
        except (EOFError, OSError):  # the parent has gone
            return
        if not msg:
            return
        task_id, ok, value = None, False, None
        try:
            task_id, payload = ForkingPickler.loads(msg)
            fn, args, kwargs = ForkingPickler.loads(payload)
            ok, value = True, fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the task's error goes to its future
            value = exc
        if lineage.orphaned():
            return  # nobody reads the result
        try:
            conn.send((task_id, ok, value))
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result or exception
            conn.send((task_id, False, RuntimeError(f"the task's result could not be sent back: {exc}")))


@dataclass
class _Item:
    future: cf.Future
    message: bytes


@dataclass
class _Worker:
    proc: object
    conn: object
    ready: bool = False
    item: _Item | None = None
    conn_open: bool = True


@dataclass
class _State:
    queue: collections.deque = field(default_factory=collections.deque)
    workers: list = field(default_factory=list)
    shutdown: bool = False
    started: int = 0  # processes started, replacements included
    deaths: list = field(default_factory=list)  # (pid, what), one per worker that died
    start_failures: int = 0  # workers in a row that died before they were ready


class IsolatingPool(cf.Executor):
    """A process pool whose parent knows which task runs in which process (one pipe per worker) and
    sees a worker die through its process sentinel.

    A worker that dies (killed by the out-of-memory killer, say) costs only the task it was running:
    that task's future fails with :class:`WorkerDied` naming the signal; queued tasks and those running
    on the other workers go on, and a new process (initialised, then ``rewarm()``) takes the dead
    one's place. Workers start as tasks arrive (one per task while none is idle, at most
    ``max_workers``) and exit when the parent dies (:func:`cxkit.report.lineage.watch`). Arguments
    travel with multiprocessing's pickler, so pipe connections can be passed to a task.
    """

    #: workers in a row dying before they are ready after which the pool gives up
    MAX_START_FAILURES = 3

    def __init__(self, max_workers: int, *, mp_context=None, initializer=None, initargs: tuple = (), rewarm=None):
        self.max_workers = max(1, int(max_workers))
        self._ctx = mp_context or mp.get_context("spawn")
        self._init = (initializer, tuple(initargs), rewarm)
        self._state = _State()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._wake_lock = threading.Lock()  # not the state's lock: the manager drains the pipe under that
        self._thread: threading.Thread | None = None
        self._ids = iter(range(1 << 62))
        self._broken: str | None = None

    @property
    def replaced(self) -> int:
        """How many workers died and were replaced (or would have been, after a shutdown)."""
        return len(self._state.deaths)

    @property
    def deaths(self) -> list:
        """``(pid, what)`` of each worker that died."""
        return list(self._state.deaths)

    def processes(self) -> list:
        """The live worker processes."""
        with self._lock:
            return [w.proc for w in self._state.workers]

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        """Schedule ``fn(*args, **kwargs)``; a :class:`concurrent.futures.Future` of its result."""
        message = ForkingPickler.dumps((next(self._ids), bytes(ForkingPickler.dumps((fn, args, kwargs)))))
        with self._lock:
            if self._state.shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._broken:
                raise BrokenProcessPool(self._broken)
            future = cf.Future()
            self._state.queue.append(_Item(future, bytes(message)))
            busy = sum(w.item is not None for w in self._state.workers)
            if len(self._state.workers) < min(self.max_workers, busy + len(self._state.queue)):
                self._start_worker(replacement=False)
            if self._thread is None:
                self._thread = threading.Thread(target=self._manage, name="cxkit-pool", daemon=True)
                self._thread.start()
        self._wake()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No new tasks; with ``cancel_futures`` the queued ones are cancelled; the workers exit once the
        running tasks are done (``wait``: return then)."""
        with self._lock:
            self._state.shutdown = True
            if cancel_futures:
                while self._state.queue:
                    self._state.queue.popleft().future.cancel()
        self._wake()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def terminate(self, *, grace: float = 5.0) -> None:
        """Stop now: queued tasks cancelled; the processes are asked to stop (SIGTERM: each shuts its
        kernels down and exits) and killed if they have not within ``grace`` seconds; their tasks fail."""
        with self._lock:
            self._state.shutdown = True
            while self._state.queue:
                self._state.queue.popleft().future.cancel()
            procs = [w.proc for w in self._state.workers]
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.terminate()
        waiting, deadline = [p.sentinel for p in procs], time.monotonic() + grace
        while waiting and time.monotonic() < deadline:  # sentinels: the manager thread reaps the processes
            waiting = [s for s in waiting if s not in mpc.wait(waiting, timeout=deadline - time.monotonic())]
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.kill()
        self.shutdown(wait=True)

    # -- the manager thread ----------------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(OSError), self._wake_lock:
            self._wake_w.send_bytes(b"")

    def _start_worker(self, *, replacement: bool) -> None:
        """Start one process (the lock is held)."""
        initializer, initargs, rewarm = self._init
        parent_end, child_end = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, daemon=True, name="cxkit-worker",
                                 args=(child_end, os.getpid(), initializer, initargs, rewarm if replacement else None))
        with _main_script_hidden():
            proc.start()
        child_end.close()
        self._state.workers.append(_Worker(proc, parent_end))
        self._state.started += 1

    def _manage(self) -> None:
        while True:
            with self._lock:
                self._dispatch()
                if self._finished():
                    break
                waits = [self._wake_r] + [w.conn for w in self._state.workers if w.conn_open]
                waits += [w.proc.sentinel for w in self._state.workers]
            ready = mpc.wait(waits)
            with self._lock:
                self._handle(ready)
        self._stop_workers()

    def _handle(self, ready: list) -> None:
        if self._wake_r in ready:
            while self._wake_r.poll():
                self._wake_r.recv_bytes()
        for w in list(self._state.workers):
            if w.conn_open and w.conn in ready:
                self._receive(w)
        for w in list(self._state.workers):
            if w.proc.sentinel in ready:
                self._on_death(w)

    def _receive(self, w: _Worker) -> None:
        try:
            task_id, ok, value = w.conn.recv()
        except (EOFError, OSError):
            w.conn_open = False  # exiting: its sentinel follows
            return
        except Exception as exc:  # noqa: BLE001 - a result that cannot be unpickled here
            task_id, ok, value = None, False, exc
        if task_id == "ready":
            w.ready, self._state.start_failures = True, 0
            return
        item, w.item = w.item, None
        if item is not None and not item.future.done():
            item.future.set_result(value) if ok else item.future.set_exception(value)

    def _on_death(self, w: _Worker) -> None:
        w.proc.join()
        self._state.workers.remove(w)
        w.conn.close()
        if w.item is None and not w.ready and w.proc.exitcode != 0:
            self._state.start_failures += 1
        if w.item is not None or w.proc.exitcode != 0:
            self._state.deaths.append((w.proc.pid, _death_text(w.proc.exitcode)))
        if w.item is not None and not w.item.future.done():
            w.item.future.set_exception(WorkerDied(_death_text(w.proc.exitcode)))
        if self._state.shutdown and not self._state.queue:
            return
        if self._state.start_failures >= self.MAX_START_FAILURES:
            self._broken = (f"{self._state.start_failures} pool workers in a row died while starting "
                            f"({_death_text(w.proc.exitcode)}); see their logs")
            while self._state.queue:
                self._state.queue.popleft().future.set_exception(BrokenProcessPool(self._broken))
        elif len(self._state.workers) < self.max_workers:
            self._start_worker(replacement=True)

    def _dispatch(self) -> None:
        for w in self._state.workers:
            while w.ready and w.conn_open and w.item is None and self._state.queue:
                item = self._state.queue.popleft()
                if item.future.cancelled():
                    continue
                try:
                    w.conn.send_bytes(item.message)
                except OSError:  # the worker just died: the task waits for another
                    self._state.queue.appendleft(item)
                    w.conn_open = False
                    break
                w.item = item
                item.future.set_running_or_notify_cancel()

    def _finished(self) -> bool:
        state = self._state
        return state.shutdown and not state.queue and all(w.item is None for w in state.workers)

    def _stop_workers(self) -> None:
        with self._lock:
            workers, self._state.workers = list(self._state.workers), []
        for w in workers:
            with contextlib.suppress(OSError):
                w.conn.send_bytes(b"")
        for w in workers:
            w.proc.join(timeout=30)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()
            w.conn.close()



class _EarlyPool:
    """The batch's local pool. :meth:`open` creates it (``prepare`` gives one of its workers the
    tables it reads beside the responses); :meth:`start` makes every worker load papermill and
    nbconvert while ``prepare`` finishes the company context, on a core that would idle otherwise.
    Shut down on leaving the ``with`` block; after an error its workers are stopped at once."""

    def __init__(self, enabled: bool, workers: int | None, log_dir: Path):
        self.enabled, self.log_dir, self.pool, self.warming = enabled, log_dir, None, []
        self.workers = max(1, workers or (os.cpu_count() or 1))

    def open(self) -> IsolatingPool | None:
        """The pool (None for the Dask executor); a pool a dead worker broke is replaced."""
        if self.enabled and (self.pool is None or getattr(self.pool, "_broken", False)):
            if self.pool is not None:
                stop_pool(self.pool)
                self.warming = []
            self.pool = _local_pool(self.workers, self.log_dir)
        return self.pool

    def start(self) -> None:
        if self.open() is not None and not self.warming:
            # each submission starts a process while none is idle
            self.warming = [submit(self.pool, _warm_worker) for _ in range(self.workers)]

    def __enter__(self) -> "_EarlyPool":
        return self

    def __exit__(self, kind, *exc) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.shutdown(wait=True, cancel_futures=True)
            else:
                stop_pool(self.pool)


def stop_pool(pool: cf.Executor) -> None:
    """Stop a pool now: its processes are killed (after an error nobody waits for their results) and
    queued tasks cancelled; the pool's own thread then reaps the processes."""
    if isinstance(pool, IsolatingPool):
        pool.terminate()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_local(tasks: list[dict], workers: int, progress: bool, pool=None):
    """Execute tasks in a pool of processes: ``pool`` (left open) or a new one of ``workers``."""
    if not tasks:
        return
    bar = _progress(len(tasks), progress)
    own = pool is None
    if own:
        pool = _local_pool(workers, Path(tasks[0]["output"]).parent.parent / "_logs")
    try:
        futures = {submit(pool, _run_task, task): task for task in tasks}
        try:
            for fut in cf.as_completed(futures):
                task = futures[fut]
                res = _result(fut, task)
                bar.set_postfix_str(f"{_label(task)}: {res.get('status')}", refresh=False)
                bar.update(1)
                yield res
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            raise
        finally:
            bar.close()
    finally:
        if own:
            pool.shutdown(wait=True)


def _result(fut: cf.Future, task: dict) -> dict:
    """A task's result; a failed result naming the cause when its worker died or the task raised."""
    try:
        return fut.result()
    except WorkerDied as exc:  # killed (out of memory?) while running this unit: its half-written files go
        _remove_partial(task)
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - e.g. the task could not be sent to a worker
        error = f"worker failed: {type(exc).__name__}: {exc}"
    return {"group": task["group"], "slug": task["slug"], "status": "failed", "error": error[:400],
            "fingerprint": task["fingerprint"]}


def _remove_partial(task: dict) -> None:
    """The temporaries a task's dead worker left: papermill's notebook and the atomic writes' files."""
    for key in ("output", "html", "pdf"):
        if task.get(key):
            path = Path(task[key])
            patterns = temporary_patterns(path.name) + ((notebook_temporary_pattern(path),) if key == "output" else ())
            for pattern in patterns:
                for tmp in path.parent.glob(pattern):
                    tmp.unlink(missing_ok=True)


def _dask_client(scheduler: str):
    """A client of the Dask scheduler at ``scheduler``, or a clear error (before any data are read)."""
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--executor dask needs the 'dask' extra: pip install 'cxkit[dask]'") from None
    try:
        return Client(scheduler)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({exc}). Is the scheduler "
                          "running, and is the address the one it printed (tcp://HOST:8786)?") from None


def _run_dask(tasks: list[dict], workers: int, progress: bool, client):
    """Execute tasks on a Dask distributed cluster (workers need cxkit and the data paths)."""
    if not tasks:
        return
    from distributed import as_completed

    bar = _progress(len(tasks), progress)
    futures = {client.submit(_run_task, task, key=f"cxkit-{task['slug']}-{task['fingerprint'][:8]}", pure=False): task
               for task in tasks}
    for fut in as_completed(list(futures)):
        task = futures[fut]
        try:
            res = fut.result()
        except Exception as exc:  # noqa: BLE001
            res = {"group": task["group"], "slug": task["slug"], "status": "failed",
                   "error": f"dask task failed: {type(exc).__name__}: {exc}"[:400], "fingerprint": task["fingerprint"]}
        bar.set_postfix_str(f"{task['group']}: {res.get('status')}", refresh=False)
        bar.update(1)
        yield res
    bar.close()


def _label(task: dict) -> str:
    return "leadership summary" if task["group"] == "__summary__" else task["group"]
