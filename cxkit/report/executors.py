"""Where the tasks run: a local pool of processes (started early, warmed, stopped at once after an
error) or a Dask cluster; progress bars and worker logs.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import sys
from pathlib import Path

from ..errors import ConfigError
from .render import _exporter
from .tasks import _run_task

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


def _local_pool(workers: int, log_dir: str | Path) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` processes (papermill changes process state; never threads)."""
    threads = max(1, (os.cpu_count() or 1) // workers)  # the pool gives the parallelism
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_quiet_worker,
                                  initargs=(str(log_dir), threads))


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
    """Load what executing and rendering a notebook needs, before the first unit arrives."""
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    _exporter()


class _EarlyPool:
    """The batch's local pool. :meth:`open` creates it (``prepare`` gives one of its workers the
    tables it reads beside the responses); :meth:`start` makes every worker load papermill and
    nbconvert while ``prepare`` finishes the company context, on a core that would idle otherwise.
    Shut down on leaving the ``with`` block; after an error its workers are stopped at once."""

    def __init__(self, enabled: bool, workers: int | None, log_dir: Path):
        self.enabled, self.log_dir, self.pool, self.warming = enabled, log_dir, None, []
        self.workers = max(1, workers or (os.cpu_count() or 1))

    def open(self) -> cf.ProcessPoolExecutor | None:
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


def stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool now: its processes are killed (after an error nobody waits for their results) and
    queued tasks cancelled; the pool's own thread then reaps the processes."""
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
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. a worker process killed
                    res = {"group": task["group"], "slug": task["slug"], "status": "failed",
                           "error": f"worker crashed: {type(exc).__name__}: {exc}"[:400],
                           "fingerprint": task["fingerprint"]}
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
