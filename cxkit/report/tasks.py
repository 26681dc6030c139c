"""One unit's task: execute its notebook with papermill, read back its records, render HTML (and PDF).
Runs in a worker of the local pool or on a Dask worker; never raises for a notebook's failure.

Notebooks run on this process's warm kernel (:mod:`cxkit.report.kernels`, reset between units) unless
the task asks for a ``fresh_kernel`` (papermill then starts and stops a kernel of its own; one that dies
before it answers is started again, see :func:`cxkit.report.kernels.died_starting`). An executed
notebook reaches its final name only complete: written to a temporary file in the same folder (once,
when its run ends: :func:`_save_at_end_engine`), read back with nbformat, then renamed; a full disk
leaves no temporary behind and fails the unit with ``error_kind == "disk_full"``.
"""
from __future__ import annotations

import functools
import glob
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from ..errors import is_disk_full
from . import kernels, lineage
from .records import read_records
from .render import print_pdf, render_html

__all__ = []



def notebook_temporary_pattern(output: str | Path | None = None) -> str:
    """Glob pattern of the temporary notebook papermill writes for ``output`` (``.STEM.*.ipynb`` in its
    folder, renamed to ``output`` once it reads back complete; :func:`_run_task`); without ``output``,
    of any notebook."""
    return f".{glob.escape(Path(output).stem)}.*.ipynb" if output is not None else ".*.*.ipynb"

def _failure(kind: str, exc: BaseException, timeout: int | None) -> str:
    first = str(exc).splitlines()[0][:200] if str(exc) else ""
    if kind == "timeout":
        return f"timeout: a cell ran longer than {timeout} s ({first})"
    if kind == "died":
        return f"kernel died: {first}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"


def _disk_full(path: str | Path, exc: OSError, tmp: str | Path | None = None) -> dict:
    removed = f"; the temporary {Path(tmp).name} was removed" if tmp else ""
    return {"status": "failed", "error_kind": "disk_full", "path": str(path),
            "error": f"disk full while writing {path}: {exc.strerror or exc}{removed}. Free space on that disk "
                     "(or write the batch elsewhere) and run it again with --resume"}


def _overhead(nb, duration: float) -> float | None:
    """Execute wall time minus the cells' own durations (papermill's ``metadata.papermill.duration``)."""
    if nb is None:
        return None
    cells = [(c.get("metadata", {}).get("papermill", {}) or {}).get("duration") for c in nb.cells]
    return round(duration - sum(d for d in cells if isinstance(d, (int, float))), 3)


def _read_back(tmp: str | Path, nb) -> tuple:
    """(the notebook read back from ``tmp``, None) when it is complete (every executed cell there), else
    (None, why not)."""
    import nbformat

    if Path(tmp).stat().st_size == 0:
        return None, "nothing was written"
    try:
        back = nbformat.read(str(tmp), as_version=nbformat.NO_CONVERT)
    except Exception as exc:  # noqa: BLE001 - a truncated file
        return None, f"the notebook written is not readable ({type(exc).__name__}: {str(exc)[:200]})"
    if nb is not None and len(back.cells) != len(nb.cells):
        return None, f"the notebook written has {len(back.cells)} cells, {len(nb.cells)} expected"
    return back, None


@functools.cache
def _save_at_end_engine():
    """papermill's nbclient engine, saving the notebook once, when its run ends (after the last cell, or
    at the cell that failed, timed out or lost its kernel), instead of at every cell's start and end:
    a unit's 15 cells made 30 writes of a growing notebook, about 0.1 s of a warm unit's 0.2 s of
    overhead. Registered with papermill as ``cxkit`` once per process; returns that name."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class _SaveAtEnd(NotebookExecutionManager):
        ending = False

        def save(self, **kwargs):
            if self.ending:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self.ending = True
            super().notebook_complete(**kwargs)

    class _Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = _SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register("cxkit", _Engine)
    return "cxkit"


def _papermill(notebook, tmp, parameters: dict, *, held, timeout, start_timeout) -> tuple:
    """Run papermill: (the executed notebook or None, failure kind or None, the exception or None)."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        nb = pm.execute_notebook(str(notebook), str(tmp), parameters=parameters, kernel_name="python3",
                                 progress_bar=False, execution_timeout=timeout, start_timeout=start_timeout,
                                 report_mode=False, engine_name=_save_at_end_engine(),
                                 **({"km": held.km} if held is not None else {}))
        return nb, None, None
    except pm.PapermillExecutionError as exc:
        return None, "error", exc
    except CellTimeoutError as exc:
        return None, "timeout", exc
    except DeadKernelError as exc:
        return None, "died", exc
    except Exception as exc:  # noqa: BLE001 - one unit's failure must not stop the batch
        return None, "other", exc


def execute_notebook(notebook: str | Path, output: str | Path, parameters: dict, *, timeout: int | None = 600,
                     start_timeout: int = 120, fresh_kernel: bool = False) -> dict:
    """Run one notebook with papermill; never raises for notebook failures.

    Parameters
    ----------
    notebook, output : str or pathlib.Path
        The notebook to run and where the executed notebook goes (atomically, also when it failed).
    parameters : dict
        The notebook's parameters.
    timeout, start_timeout : int
        Seconds a cell may run, and a kernel may take to start.
    fresh_kernel : bool
        True: papermill starts and stops a kernel for this notebook; False (default): this process's
        warm kernel, reset before the notebook (:mod:`cxkit.report.kernels`).

    Returns
    -------
    dict
        ``status`` ("done" / "failed"), ``error`` (one line), ``duration_s``, ``overhead_s`` (the
        duration minus the cells' own durations), ``kernel`` (which kernel ran it and why it was new);
        on a full disk ``error_kind`` ("disk_full") and ``path``.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    # named as notebook_temporary_pattern finds it
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb", dir=output.parent)
    os.close(fd)
    t0 = time.perf_counter()
    try:
        return _execute(notebook, output, tmp, parameters, t0, timeout=timeout, start_timeout=start_timeout,
                        fresh_kernel=fresh_kernel)
    finally:
        Path(tmp).unlink(missing_ok=True)  # renamed when complete; never left behind


def _execute(notebook, output: Path, tmp: str, parameters: dict, t0: float, *, timeout, start_timeout,
             fresh_kernel: bool) -> dict:
    kernel_info = {"mode": "fresh"}
    try:
        held = None if fresh_kernel else kernels.lease(start_timeout=start_timeout)
    except kernels.KernelError as exc:
        return {"status": "failed", "error": f"kernel could not start: {exc}"[:400], "kernel": {"mode": "warm"},
                "duration_s": round(time.perf_counter() - t0, 3)}
    if held is not None:
        kernel_info = held.info
    kind = "interrupted"  # until papermill returns: a KeyboardInterrupt may leave the kernel busy
    try:
        nb, kind, exc = _papermill(notebook, tmp, parameters, held=held, timeout=timeout,
                                   start_timeout=start_timeout)
        attempt, attempts = 1, kernels.start_attempts()
        while held is None and kernels.died_starting(exc) and attempt < attempts:
            # papermill's own kernel ended before it answered, so no cell ran: start another (new ports)
            attempt += 1
            print(f"cxkit: {output.name}: {exc}; starting another kernel (attempt {attempt} of {attempts})",
                  file=sys.stderr)
            kernel_info["start_attempts"] = attempt
            nb, kind, exc = _papermill(notebook, tmp, parameters, held=None, timeout=timeout,
                                       start_timeout=start_timeout)
        if attempt > 1 and kernels.died_starting(exc):
            exc = RuntimeError(kernels.gave_up_starting(exc, attempt))
    finally:
        replaced = kernels.release(held, outcome=kind if kind in ("died", "timeout", "interrupted") else None)
    if replaced:
        kernel_info = dict(kernel_info, replaced_after=replaced)
    if is_disk_full(exc):
        return dict(_disk_full(output, exc, tmp), kernel=kernel_info, duration_s=round(time.perf_counter() - t0, 3))
    result = {"status": "done" if kind is None else "failed", "kernel": kernel_info,
              "error": None if kind is None else _failure(kind, exc, timeout)}
    if kind == "error":
        result["error"] = f"{exc.ename}: {exc.evalue}".strip()
    back, incomplete = _read_back(tmp, nb)
    duration = time.perf_counter() - t0
    result.update(duration_s=round(duration, 3), overhead_s=_overhead(nb if nb is not None else back, duration))
    if incomplete is None and lineage.orphaned():
        result.update(status="failed", error="the batch that started this worker has ended: notebook not written")
    elif incomplete is None:
        os.replace(tmp, output)
    elif kind is None:
        result.update(status="failed", error=f"{output}: {incomplete}")
    return result


def _run_task(task: dict) -> dict:
    """Worker: execute one unit notebook, then render its HTML (and PDF). Runs in a child process.

    A task with ``collect`` (a Dask worker that shares no file system with the parent, ``--stage``)
    works in a temporary folder of its own and returns the executed notebook, the HTML and the PDF
    as bytes in ``result["files"]`` (keys ``output``, ``html``, ``pdf``); the parent writes them.
    """
    if task.get("collect"):
        with tempfile.TemporaryDirectory(prefix="cxkit-task-") as tmp:
            here = dict(task, collect=False, output=os.path.join(tmp, "notebook.ipynb"),
                        html=os.path.join(tmp, "report.html"),
                        pdf=os.path.join(tmp, "report.pdf") if task.get("pdf") else None)
            if task.get("notebook_text") is not None:
                here["notebook"] = os.path.join(tmp, "input.ipynb")
                Path(here["notebook"]).write_text(task["notebook_text"], encoding="utf-8")
            result = _run_task(here)
            result["files"] = {k: Path(here[k]).read_bytes() for k in ("output", "html", "pdf")
                               if here[k] and Path(here[k]).exists()}
        return result
    t0 = time.perf_counter()
    result = {"group": task["group"], "slug": task["slug"], "fingerprint": task["fingerprint"]}
    writing = task["output"]
    try:
        res = execute_notebook(task["notebook"], task["output"], task["parameters"], timeout=task["timeout"],
                               fresh_kernel=bool(task.get("fresh_kernel", False)))
        result.update(res)
        nb_path = Path(task["output"])
        if nb_path.exists() and task.get("render", True) and res.get("error_kind") is None:
            records = read_records(nb_path)
            result["headline"] = records.get("headline", {})
            result["records"] = records
            t1 = time.perf_counter()
            banner = dict(task["banner"], status=res["status"], error=res["error"])
            writing = task["html"]
            render_html(nb_path, task["html"], banner=banner, template=task.get("template"))
            result["render_s"] = round(time.perf_counter() - t1, 3)
            if task.get("pdf"):
                writing = task["pdf"]
                print_pdf(task["html"], task["pdf"])
    except Exception as exc:  # noqa: BLE001
        if is_disk_full(exc):
            result.update(_disk_full(writing, exc))  # render_html and print_pdf write atomically: no temporary left
        else:
            result.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:400])
            result["traceback"] = traceback.format_exc()[-2000:]
    result["total_s"] = round(time.perf_counter() - t0, 3)
    return result
