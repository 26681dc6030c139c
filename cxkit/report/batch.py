"""The report batch: prepare the data once, run one notebook per unit and the leadership summary,
write the manifest (inputs, versions, per-unit status) and the index page; ``--resume`` skips
units whose inputs are unchanged.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .._version import __version__
from ..data.export import atomic_write_bytes, atomic_write_text, temporary_patterns
from ..errors import ConfigError, DiskFullError, is_disk_full
from ..i18n import format_date_local, t
from .context import default_settings
from .executors import _dask_client, _EarlyPool, _run_dask, _run_local
from .lock import BatchLock
from .preparation import prepare, sha256_file
from .records import _jsonable
from .render import PAPERS, write_index
from .resources import notebook_path, require_report_extra, template_dirs
from .share import check_share, describe_output, write_reader_folder
from .storage import _stage_filesystem, _unstage, stage_prepared
from .tasks import notebook_temporary_pattern

__all__ = ['BatchResult', 'run_batch']


LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "lifelines", "matplotlib", "pyarrow", "papermill",
             "nbconvert", "nbformat", "nbclient", "ipykernel", "jinja2")


@dataclass
class BatchResult:
    """Outcome of :func:`run_batch`: per-unit status table, paths and the exit code."""

    out: Path
    units: pd.DataFrame
    manifest: dict
    duration_s: float

    @property
    def failed(self) -> pd.DataFrame:
        return self.units[self.units["status"] != "done"]

    @property
    def exit_code(self) -> int:
        return 0 if self.failed.empty else 1

    def summary_text(self) -> str:
        """What the batch did: counts, the index page, and each failed unit with its error and the
        executed notebook, named only when it exists."""
        done = int((self.units["status"] == "done").sum())
        lines = [f"{done} of {len(self.units)} reports done, {len(self.failed)} failed, in {self.duration_s:.1f} s."]
        if (self.out / "index.html").exists():
            lines.append(f"Open {self.out / 'index.html'}")
        for r in self.failed.itertuples():
            notebook = f"  (notebook: {r.notebook})" if r.notebook and (self.out / r.notebook).exists() else ""
            lines.append(f"  FAILED {r.group}: {r.error}{notebook}")
        return "\n".join(lines)


def _library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = None
    return out


def _fingerprint(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def run_batch(data: str | Path, out: str | Path, *, units: Iterable[str] | None = None, period=None,
              lang: str = "en", workers: int | None = None, pdf: bool = False, paper: str = "a4", level: str = "unit",
              timeout: int = 600, resume: bool = False, mapping=None, notebook: str | Path | None = None,
              summary_notebook: str | Path | None = None, template: str | Path | None = None,
              share: str | Path | None = None, settings: dict | None = None, progress: bool = True,
              executor: str = "local", scheduler: str | None = None, stage: str | None = None,
              fresh_kernels: bool = False) -> BatchResult:
    """Render one report per unit (or region), a leadership summary and an index page.

    Parameters
    ----------
    data, out : str or pathlib.Path
        Input data folder and output folder.
    units : list of str, optional
        Only these units (default all).
    period : str or tuple, optional
        The reporting period (see :func:`cxkit.periods.parse_period`); default the latest full quarter.
    lang : str
        ``en``, ``lt``, ``pl`` or ``lv``.
    workers : int, optional
        Parallel notebook processes (default: CPU count, at most the number of units).
    pdf : bool
        Also print every HTML report to PDF with headless Chromium.
    paper : str
        The PDFs' paper size: ``"a4"`` (default) or ``"letter"``; the HTML pages print at it too.
    level : str
        ``"unit"`` or ``"region"`` (one report per region, units rolled up).
    timeout : int
        Seconds a single notebook cell may run before the unit is failed.
    resume : bool
        Skip units whose inputs, parameters and outputs are unchanged since the last run.
    mapping : str, pathlib.Path or Mapping, optional
        Column mapping for the data folder.
    notebook, summary_notebook : str or pathlib.Path, optional
        Your own notebooks to run instead of cxkit's ``unit_report`` and ``leadership_summary``.
    template : str or pathlib.Path, optional
        A folder with your own report template (``cxkit_report/``) and/or index page template
        (``index.html.j2``); see :func:`cxkit.report.resources.template_dirs`.
    share : str or pathlib.Path, optional
        Also write a folder for readers: the pages (index, summary, unit reports) and nothing of the
        working data (see :mod:`cxkit.report.share`; ``OUT/README.txt`` says what each part holds).
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency).
    progress : bool
        Show a progress bar.
    executor, scheduler : str
        ``"local"`` (a process pool) or ``"dask"`` with the scheduler's address.
    stage : str, optional
        With Dask, a URL (``s3://bucket/prefix``, ``gs://...``, ``file:///shared/path``) the prepared
        data are copied to for the workers, which then need no file system shared with this process:
        each reads its unit from the URL and sends its notebook, HTML and PDF back. The copy is deleted
        when the batch ends. Credentials come from the environment, never the URL.
    fresh_kernels : bool
        Start a new Jupyter kernel for every unit instead of reusing each worker's warm kernel (slower;
        for notebooks that leave state behind). Recorded in the manifest's parameters.

    Returns
    -------
    BatchResult
        Per-unit status, the manifest and the exit code.

    Raises
    ------
    DiskFullError
        When a file cannot be written for lack of space (here or in a unit's task): the batch stops,
        queued units are cancelled, no half-written file keeps a final name, and the error's
        ``summary`` says what was finished (``--resume`` continues from there).

    Notes
    -----
    Partial temporaries a killed or failed batch left in ``out`` (``notebooks/.NAME.*.ipynb`` and the
    ``.NAME.*.part`` files of atomic writes) are removed before anything runs. A pool worker that dies
    (out of memory, say) fails only the unit it was running; see docs/reports.md.
    """
    _check_options(lang=lang, executor=executor, scheduler=scheduler, stage=stage, paper=paper)
    require_report_extra()
    template_dirs(template)  # a wrong template folder fails now, before the data are read
    t_start = time.perf_counter()
    out = Path(out).resolve()
    if share is not None:
        check_share(out, share)
    out.mkdir(parents=True, exist_ok=True)
    seen: dict = {"tasks": [], "results": {}}  # for the summary of a batch a full disk stopped
    with BatchLock(out), _disk_full_stops(out, seen):  # one batch per output folder at a time (--resume too)
        _remove_temporaries(out)
        settings = {**default_settings(), **(settings or {})}
        notebooks = {"unit": _notebook(notebook, "unit_report"),
                     "summary": _notebook(summary_notebook, "leadership_summary")}
        old = _read_manifest(out) if resume else {}
        with contextlib.ExitStack() as exits:
            # a wrong scheduler address fails now, not after the data are read
            client = exits.enter_context(_dask_client(scheduler)) if executor == "dask" else None
            # the local pool: one worker reads tickets, customers and revenue in prepare; all of them then
            # load papermill and nbconvert on a core that would otherwise idle (prepare's `_idle`)
            early = exits.enter_context(_EarlyPool(executor == "local", workers, out / "_logs"))
            t_prep = time.perf_counter()
            prep = prepare(data, out, mapping=mapping, level=level, period=period, units=units, settings=settings,
                           pool=early.open(), _idle=early.start)
            plan = _plan(data, out, prep, notebooks, lang=lang, level=level, settings=settings, pdf=pdf,
                         paper=paper.lower(), timeout=timeout, template=template,
                         prepare_s=time.perf_counter() - t_prep)
            if stage is not None:
                _stage(plan, stage, exits)
            plan.fresh_kernels = bool(fresh_kernels)
            tasks = [_unit_task(plan, g) for g in prep.groups]
            (out / "units").mkdir(exist_ok=True)
            results, todo = _resumable(tasks, old, resume)
            seen.update(tasks=tasks, results=results)
            # the leadership summary reads only the company context, so it runs alongside the units
            todo.insert(0, _summary_task(plan))  # first: the pool's other workers start on units meanwhile
            n_workers = max(1, min(workers or (os.cpu_count() or 1), len(todo)))
            runner = (_run_local(todo, n_workers, progress, pool=early.open()) if executor == "local"
                      else _run_dask(todo, n_workers, progress, client))
            _collect(runner, todo, results, plan)
        summary = results.pop("__summary__", None)
        rows = [_unit_row(task, results.get(task["group"], {"status": "failed", "error": "not run"}), plan)
                for task in tasks]
        duration = time.perf_counter() - t_start
        manifest = _manifest(plan, rows, summary, units=units, workers=n_workers, pdf=pdf, timeout=timeout,
                             executor=executor, stage=stage, duration=duration, fresh_kernels=fresh_kernels)
        atomic_write_text(out / "manifest.json", json.dumps(_jsonable(manifest), ensure_ascii=False, indent=2))
        write_index(out, manifest, lang=lang, template=template)
        describe_output(out)
        if share is not None:
            write_reader_folder(out, share, manifest, lang=lang, template=template)
        return BatchResult(out=out, units=pd.DataFrame(rows), manifest=manifest, duration_s=duration)


def _check_options(*, lang: str, executor: str, scheduler: str | None, stage: str | None, paper: str = "a4") -> None:
    """Options that can be refused before anything is read."""
    from ..i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise ConfigError(f"--lang {lang!r} - expected one of {', '.join(LANGUAGES)}")
    if str(paper).lower() not in PAPERS:
        raise ConfigError(f"--paper {paper!r} - expected one of {', '.join(PAPERS)}")
    if executor not in ("local", "dask"):
        raise ConfigError(f"executor={executor!r} - expected 'local' or 'dask'")
    if executor == "dask" and not scheduler:
        raise ConfigError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    if stage is not None:
        if executor != "dask":
            raise ConfigError("--stage is for --executor dask (the local pool reads OUT/_data directly)")
        _stage_filesystem(stage)  # a bad URL fails here, before the data are read


def _notebook(given: str | Path | None, name: str) -> Path:
    """The user's notebook (which must exist) or cxkit's own."""
    if given is None or str(given) == "":
        return notebook_path(name)
    path = Path(given).expanduser().resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: notebook not found")
    return path


@dataclass
class _Plan:
    """What every task of a batch shares: parameters, fingerprint parts, banner texts, options."""

    out: Path
    prep: Any
    notebooks: dict
    params: dict  # the notebooks' parameters (without the unit)
    fp_params: dict  # the parameters a task is fingerprinted with (the stage URL, not the per-run copy)
    hashes: dict  # notebook -> SHA-256
    generated: dt.datetime
    period_text: str
    period_shown: str
    lang: str
    level: str
    pdf: bool
    timeout: int
    template: str | None
    prepare_s: float
    paper: str = "a4"  # or "letter": the printed pages' size
    notebook_texts: dict | None = None  # with --stage: the notebooks travel inside the tasks
    fresh_kernels: bool = False  # a new kernel per unit instead of the worker's warm one


def _plan(data, out: Path, prep, notebooks: dict, *, lang: str, level: str, settings: dict, pdf: bool,
          paper: str, timeout: int, template, prepare_s: float) -> _Plan:
    start, end = prep.period
    params = {"data_dir": str(Path(data).resolve()), "prepared_dir": str(prep.data_dir), "level": level,
              "period_start": str(start.date()), "period_end": str(end.date()), "lang": lang, **settings}
    return _Plan(out=out, prep=prep, notebooks=notebooks, params=params, fp_params=params,
                 hashes={k: sha256_file(v) for k, v in notebooks.items()},
                 generated=dt.datetime.now().replace(microsecond=0), period_text=f"{start.date()}:{end.date()}",
                 period_shown=f"{format_date_local(start, lang)} – {format_date_local(end, lang)}", lang=lang,
                 level=level, pdf=pdf, timeout=timeout, template=None if template is None else str(template),
                 paper=paper, prepare_s=prepare_s)


def _stage(plan: _Plan, stage: str, exits: contextlib.ExitStack) -> None:
    """Copy the prepared data to the stage URL (deleted when the batch ends); the workers read the copy
    and get the notebooks inside their tasks. Tasks are fingerprinted with the stage URL."""
    plan.fp_params = dict(plan.params, prepared_dir=stage)
    staged = stage_prepared(plan.prep.data_dir, stage)
    exits.callback(_unstage, staged)
    plan.params = dict(plan.params, prepared_dir=staged)
    plan.notebook_texts = {k: v.read_text(encoding="utf-8") for k, v in plan.notebooks.items()}


def _task(plan: _Plan, *, kind: str, group: str, slug: str, unit: str, output: Path, html: Path,
          pdf: Path | None, banner: dict) -> dict:
    task = {"group": group, "slug": slug, "notebook": str(plan.notebooks[kind]),
            "parameters": dict(plan.params, unit=unit), "timeout": plan.timeout, "template": plan.template,
            "output": str(output), "html": str(html), "pdf": str(pdf) if pdf else None,
            "fingerprint": _fingerprint(plan.prep.inputs, dict(plan.fp_params, unit=unit), plan.hashes[kind],
                                        __version__, plan.paper),
            "banner": {**banner, "level": plan.level, "period": plan.period_shown,
                       "generated": format_date_local(plan.generated, plan.lang), "lang": plan.lang,
                       "paper": plan.paper}}
    if plan.notebook_texts is not None:
        task.update(collect=True, notebook_text=plan.notebook_texts[kind])
    if plan.fresh_kernels:
        task["fresh_kernel"] = True
    return task


def _unit_task(plan: _Plan, group: str) -> dict:
    slug, out = plan.prep.slugs[group], plan.out
    return _task(plan, kind="unit", group=group, slug=slug, unit=group, output=out / "notebooks" / f"{slug}.ipynb",
                 html=out / "units" / f"{slug}.html", pdf=out / "units" / f"{slug}.pdf" if plan.pdf else None,
                 banner={"title": f"{t('report_title', plan.lang)}: {group}", "unit": group,
                         "nav": {"index": "../index.html", "summary": "../summary.html"}})


def _summary_task(plan: _Plan) -> dict:
    out = plan.out
    return _task(plan, kind="summary", group="__summary__", slug="summary", unit="",
                 output=out / "notebooks" / "summary.ipynb", html=out / "summary.html",
                 pdf=out / "summary.pdf" if plan.pdf else None,
                 banner={"title": t("summary_title", plan.lang), "unit": t("leadership_summary", plan.lang),
                         "nav": {"index": "index.html"}})


def _resumable(tasks: list[dict], old: dict, resume: bool) -> tuple[dict, list[dict]]:
    """Split the tasks into those a ``--resume`` may skip (done before with the same fingerprint, outputs
    present) and those to run."""
    results, todo = {}, []
    previous = {u["group"]: u for u in old.get("units", [])}
    for task in tasks:
        prev = previous.get(task["group"])
        outputs = [task["html"], task["output"]] + ([task["pdf"]] if task["pdf"] else [])
        if (resume and prev and prev.get("status") == "done" and prev.get("fingerprint") == task["fingerprint"]
                and all(Path(p).exists() for p in outputs)):
            results[task["group"]] = {**prev, "resumed": True}
        else:
            todo.append(task)
    return results, todo


def _collect(runner, todo: list[dict], results: dict, plan: _Plan) -> None:
    """Take each task's result as it comes; files a ``--stage`` worker sent back are written here. Progress
    is saved as it happens, so an interrupted batch can ``--resume`` where it stopped."""
    by_group = {task["group"]: task for task in todo}
    for res in runner:
        _stop_if_disk_full(res, by_group.get(res["group"]))
        for key, content in (res.pop("files", None) or {}).items():
            atomic_write_bytes(by_group[res["group"]][key], content)
        results[res["group"]] = res
        done_so_far = [{**r, "group": g} for g, r in results.items() if g != "__summary__"]
        atomic_write_text(plan.out / "manifest.json", json.dumps(_jsonable(
            {"complete": False, "cxkit_version": __version__, "inputs": plan.prep.inputs, "units": done_so_far}),
            ensure_ascii=False, indent=2))


def _stop_if_disk_full(res: dict, task: dict | None) -> None:
    """A task that could not write for lack of space stops the batch (the other units would fail alike):
    its result says ``error_kind: disk_full`` and the ``path``, or its error is the system's ENOSPC."""
    error = str(res.get("error") or "")
    if res.get("error_kind") == "disk_full" or "no space left on device" in error.lower() or "[Errno 28]" in error:
        named = re.match(r"DiskFullError: (.+?): the disk is full", error)  # raised by an atomic write in the task
        folder = Path(task["output"]).parent if task else "the output folder"
        raise DiskFullError(res.get("path") or (named.group(1) if named else folder))


@contextlib.contextmanager
def _disk_full_stops(out: Path, seen: dict):
    """A full disk anywhere in the batch (prepare's Arrow writes, the manifest, a task) ends it with a
    :class:`DiskFullError` carrying the summary of what was finished."""
    try:
        yield
    except DiskFullError as exc:
        exc.summary = _stopped_summary(out, seen)
        raise
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        err = DiskFullError.from_oserror(exc, out)
        err.summary = _stopped_summary(out, seen)
        raise err from exc


def _stopped_summary(out: Path, seen: dict) -> str:
    """The end summary of a batch that stopped early: which reports are done (and exist), which are not."""
    tasks, results = seen["tasks"], seen["results"]
    done = [t for t in tasks if results.get(t["group"], {}).get("status") == "done" and Path(t["html"]).exists()]
    failed = [t for t in tasks if results.get(t["group"], {}).get("status") == "failed"]
    lines = [f"The batch stopped: {len(done)} of {len(tasks)} reports done, {len(failed)} failed, "
             f"{len(tasks) - len(done) - len(failed)} not run. Run again with --resume to finish; the reports done "
             f"are in {out / 'units'}."]
    lines += [f"  FAILED {t['group']}: {results[t['group']].get('error')}" for t in failed]
    return "\n".join(lines)


def _remove_temporaries(out: Path) -> None:
    """Partial files an earlier batch left when it was killed or failed (the lock is held: nobody writes
    them now): papermill's ``notebooks/.NAME.*.ipynb`` and the atomic writes' temporaries."""
    stale = list((out / "notebooks").glob(notebook_temporary_pattern()))
    for pattern in temporary_patterns():
        stale += out.rglob(pattern)
    for path in stale:
        if path.is_file():
            path.unlink(missing_ok=True)


def _unit_row(task: dict, r: dict, plan: _Plan) -> dict:
    out = plan.out
    return {"group": task["group"], "slug": task["slug"], "status": r.get("status"), "error": r.get("error"),
            "duration_s": r.get("duration_s"), "render_s": r.get("render_s"),
            # the time the unit cost beyond its own cells (kernel start or reset, papermill); which kernel ran it
            "overhead_s": r.get("overhead_s"), "kernel": r.get("kernel"), "error_kind": r.get("error_kind"),
            "resumed": bool(r.get("resumed", False)),
            "notebook": str(Path(task["output"]).relative_to(out)),
            "html": str(Path(task["html"]).relative_to(out)),
            "pdf": str(Path(task["pdf"]).relative_to(out)) if task["pdf"] else None,
            "headline": r.get("headline", {}), "fingerprint": task["fingerprint"],
            "responses_in_period": plan.prep.responses_in_period.get(task["group"])}


def _manifest(plan: _Plan, rows: list[dict], summary: dict | None, *, units, workers: int, pdf: bool, timeout: int,
              executor: str, stage: str | None, duration: float, fresh_kernels: bool = False) -> dict:
    prep = plan.prep
    return {
        "complete": True,
        "cxkit_version": __version__,
        "created": plan.generated.isoformat(),
        "command": " ".join(sys.argv) if sys.argv else "",
        "parameters": {**plan.params, "period": plan.period_text, "units": list(units) if units else None,
                       "workers": workers, "pdf": pdf, "paper": plan.paper, "timeout": timeout,
                       "notebook": str(plan.notebooks["unit"]), "summary_notebook": str(plan.notebooks["summary"]),
                       "template": plan.template, "executor": executor, "stage": stage,
                       "fresh_kernels": bool(fresh_kernels)},
        "inputs": prep.inputs,
        "notebooks": {str(plan.notebooks["unit"]): plan.hashes["unit"]},
        "libraries": _library_versions(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "data": {"log": prep.log.to_dict(orient="records"), "rows_rejected": prep.n_rejected},
        "summary": {"status": summary["status"], "error": summary.get("error"), "html": "summary.html",
                    "duration_s": summary.get("duration_s"),
                    # the company's headline figures (the summary's record), the index page's first row
                    "headline": (summary.get("records") or {}).get("league") or {}} if summary else None,
        "units": rows,
        # units of the units table without any response in the data: no report, but the index lists them
        "units_without_responses": list(prep.not_reported),
        "empty_period": prep.empty_period,
        "prepare_s": round(plan.prepare_s, 3),  # validating the files, partitions and the company context
        "duration_s": round(duration, 3),
    }


def _read_manifest(out: Path) -> dict:
    path = out / "manifest.json"
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return {}
