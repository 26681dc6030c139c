"""One unit's task: execute its notebook with papermill, read back its records, render HTML (and PDF).
Runs in a worker of the local pool or on a Dask worker; never raises for a notebook's failure.
"""
from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path

from .records import read_records
from .render import print_pdf, render_html

__all__ = []


def execute_notebook(notebook: str | Path, output: str | Path, parameters: dict, *, timeout: int | None = 600,
                     start_timeout: int = 120) -> dict:
    """Run one notebook with papermill; never raises for notebook failures.

    Returns a dict with ``status`` ("done" / "failed"), ``error`` (one line), ``duration_s``.
    The executed notebook is written to ``output`` atomically, also when it failed.
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb", dir=output.parent)
    os.close(fd)
    t0 = time.perf_counter()
    status, error = "done", None
    try:
        pm.execute_notebook(str(notebook), tmp, parameters=parameters, kernel_name="python3", progress_bar=False,
                            execution_timeout=timeout, start_timeout=start_timeout, report_mode=False)
    except pm.PapermillExecutionError as exc:
        status, error = "failed", f"{exc.ename}: {exc.evalue}".strip()
    except CellTimeoutError as exc:
        status, error = "failed", f"timeout: a cell ran longer than {timeout} s ({str(exc).splitlines()[0][:200]})"
    except DeadKernelError as exc:
        status, error = "failed", f"kernel died: {str(exc).splitlines()[0][:200]}"
    except Exception as exc:  # noqa: BLE001 - one unit's failure must not stop the batch
        status, error = "failed", f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    duration = time.perf_counter() - t0
    if Path(tmp).exists() and Path(tmp).stat().st_size > 0:
        os.replace(tmp, output)
    else:
        Path(tmp).unlink(missing_ok=True)
    return {"status": status, "error": error, "duration_s": round(duration, 3)}


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
    try:
        res = execute_notebook(task["notebook"], task["output"], task["parameters"], timeout=task["timeout"])
        result.update(res)
        nb_path = Path(task["output"])
        if nb_path.exists() and task.get("render", True):
            records = read_records(nb_path)
            result["headline"] = records.get("headline", {})
            result["records"] = records
            t1 = time.perf_counter()
            banner = dict(task["banner"], status=res["status"], error=res["error"])
            render_html(nb_path, task["html"], banner=banner, template=task.get("template"))
            result["render_s"] = round(time.perf_counter() - t1, 3)
            if task.get("pdf"):
                print_pdf(task["html"], task["pdf"])
    except Exception as exc:  # noqa: BLE001
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:400])
        result["traceback"] = traceback.format_exc()[-2000:]
    result["total_s"] = round(time.perf_counter() - t0, 3)
    return result
