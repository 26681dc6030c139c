"""One report per business unit: prepare the data once, run the unit notebook per
unit with papermill in a process pool, render HTML without code, write an index
page and a manifest.

    cxkit report --data data/sample --out build/report [--units ...] [--period 2025Q4]
                 [--lang lt] [--workers N] [--pdf] [--level unit|region] [--timeout S] [--resume]

Layout of the output folder::

    index.html               one row per unit: headline figures, links, status
    summary.html             leadership summary (all units side by side)
    units/<slug>.html        unit reports (self-contained, no code); .pdf with --pdf
    notebooks/<slug>.ipynb   executed notebooks (kept for failed units too, with the error)
    data-notes/rejected.csv  rows rejected while loading, with the reason
    manifest.json            parameters, input hashes, versions, per-unit status and figures
    _data/                   partitions per unit and the company-wide context (Parquet)
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import gc
import hashlib
import html
import json
import multiprocessing as mp
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..errors import ConfigError, CxkitError
from ..data.export import atomic_write_bytes, atomic_write_text, write_csv
from ..i18n import format_date_local, t
from ..periods import parse_period

__all__ = [
    "slugify", "unique_slugs", "prepare", "run_batch", "BatchResult", "render_html",
    "record", "read_records", "print_pdf",
]

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"  # package data: the report notebooks
TEMPLATES = Path(__file__).resolve().parent / "templates"  # package data: nbconvert and index templates
RECORD_MIME = "application/vnd.cxkit.record+json"
PARTITIONED = ("responses", "tickets", "customers", "revenue")
LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "lifelines", "matplotlib", "pyarrow", "papermill",
             "nbconvert", "nbformat", "nbclient", "ipykernel", "jinja2")


# --------------------------------------------------------------------------------------
# names and periods


def slugify(name: str) -> str:
    """A readable, safe file name for a unit name.

    Letters of any language are kept (``Klaipėda`` stays readable), everything
    else becomes ``-``; no path separators, no leading dots, at most 80 characters.

    Examples
    --------
    >>> slugify("Klaipėda Centras"), slugify("../../etc/passwd"), slugify("Vilnius/Centras")
    ('klaipėda-centras', 'etc-passwd', 'vilnius-centras')
    """
    text = unicodedata.normalize("NFC", str(name)).casefold()
    text = "".join(ch if (ch.isalnum() and ch.isprintable()) else "-" for ch in text)
    text = re.sub(r"-+", "-", text).strip("-.")
    text = text[:80].strip("-") or "unit"
    if text in ("con", "prn", "aux", "nul") or re.fullmatch(r"(com|lpt)\d", text):  # reserved on Windows
        text = f"{text}-unit"
    return text


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """Slugs for many names, with collisions resolved by a short hash of the original name.

    Examples
    --------
    >>> s = unique_slugs(["Vilnius/Centras", "Vilnius Centras", "Kaunas"])
    >>> s["Kaunas"], s["Vilnius/Centras"] != s["Vilnius Centras"]
    ('kaunas', True)
    """
    names = [str(n) for n in names]
    base = {n: slugify(n) for n in names}
    counts: dict[str, int] = {}
    for s in base.values():
        counts[s.casefold()] = counts.get(s.casefold(), 0) + 1
    out = {}
    for n, s in base.items():
        if counts[s.casefold()] > 1:
            s = f"{s[:70]}-{hashlib.sha256(n.encode('utf-8')).hexdigest()[:6]}"
        out[n] = s
    return out


# --------------------------------------------------------------------------------------
# records: values a notebook reports back to the batch (scrapbook replacement)


def record(name: str, value: Any) -> None:
    """Record a JSON value in a notebook's output, to be read back with :func:`read_records`.

    Emits a display output with the MIME type ``application/vnd.cxkit.record+json`` and a
    plain-text fallback; the report template never shows it.
    """
    from IPython.display import display

    payload = {"name": str(name), "value": _jsonable(value)}
    display({RECORD_MIME: payload, "text/plain": f"recorded {name}"}, raw=True)


def read_records(nb: str | Path | Any) -> dict[str, Any]:
    """Values recorded with :func:`record` in an executed notebook (later records win)."""
    import nbformat

    if not hasattr(nb, "cells"):
        nb = nbformat.read(str(nb), as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RECORD_MIME in data:
                payload = data[RECORD_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                out[payload["name"]] = payload["value"]
    return out


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else round(float(value), 6)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    if value is pd.NA or value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    return value


# --------------------------------------------------------------------------------------
# preparing the data once per batch


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Prepared:
    """What :func:`prepare` wrote: partitions per group and the company-wide context."""

    out: Path
    level: str
    groups: list[str]
    slugs: dict[str, str]
    period: tuple[pd.Timestamp, pd.Timestamp]
    inputs: dict[str, str]
    log: pd.DataFrame
    n_rejected: int

    @property
    def data_dir(self) -> Path:
        return self.out / "_data"


#: columns of each table the company-wide context needs (the rest stays in the unit partitions)
CONTEXT_COLUMNS = {
    "responses": ("unit", "date", "nps", "csat", "ces", "touchpoint", "customer_id"),
    "tickets": ("unit", "created_at", "first_response_at"),
    "customers": ("unit", "acquired_at", "churned_at", "churned", "tenure_months"),
}


class _Partitions:
    """Writes each table's rows per group to its own Parquet file, chunk by chunk (a row group each)."""

    def __init__(self, root: Path):
        self.root = root
        self.writers: dict = {}

    def write(self, table: str, frame: pd.DataFrame, groups: pd.Series) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        codes, labels = pd.factorize(groups, use_na_sentinel=True)
        if not len(labels):
            return
        if len(labels) < 2**15:  # small integers: numpy's stable sort is then a radix sort
            codes = codes.astype(np.int16)
        # the loader's row numbers stay behind: reports do not use them (writing tickets, customers and
        # invoices: 8.0 s -> 6.6 s)
        frame = frame.drop(columns=[c for c in ("_group", "_record") if c in frame.columns])
        tbl = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)  # once per chunk
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
        tbl = tbl.take(pa.array(order[bounds[0]:]))  # rows by group (missing groups, code -1, first: left out)
        # categorical columns (unit, touchpoint, ...) are written as text, made after the take: reordering
        # their small codes costs a tenth of reordering their text
        tbl = tbl.cast(pa.schema([f.with_type(pa.large_string()) if pa.types.is_dictionary(f.type) else f
                                  for f in tbl.schema]))
        bounds -= bounds[0]
        for k, g in enumerate(labels):
            if bounds[k + 1] == bounds[k]:
                continue
            part = tbl.slice(bounds[k], bounds[k + 1] - bounds[k])  # no copy
            key = (table, str(g))
            w = self.writers.get(key)
            if w is None:
                (self.root / table).mkdir(parents=True, exist_ok=True)
                # no dictionary pages: a quarter faster to write and twice as fast for the report to read; no
                # min/max statistics: a unit report reads its whole file, and they cost a sixth of the writing;
                # LZ4: a tenth faster than Snappy and 3% smaller
                w = self.writers[key] = pq.ParquetWriter(self.root / table / f"{_stem(str(g))}.parquet", part.schema,
                                                         use_dictionary=False, write_statistics=False,
                                                         compression="lz4")
            if part.schema != w.schema:  # a chunk typed differently (e.g. an all-empty column)
                part = part.cast(w.schema)
            w.write_table(part)

    def finish_table(self, table: str) -> None:
        """Close a table's files once it has been read (each open file holds write buffers)."""
        for key in [k for k in self.writers if k[0] == table]:
            self.writers.pop(key).close()

    def drop(self, table: str) -> None:
        self.finish_table(table)
        shutil.rmtree(self.root / table, ignore_errors=True)


def _name_partitions(root: Path, slugs: dict) -> None:
    """Give each reported group's partition files (written by this process or the helper, every writer
    closed) its slug; files of groups without a report are removed."""
    for tdir in [d for d in root.iterdir() if d.is_dir()] if root.exists() else []:
        staged = tdir.with_name(f".{tdir.name}.staged")
        os.replace(tdir, staged)
        tdir.mkdir()
        for g, slug in slugs.items():
            f = staged / f"{_stem(g)}.parquet"
            if f.exists():
                os.replace(f, tdir / f"{slug}.parquet")
        shutil.rmtree(staged)


def _stem(group: str) -> str:
    """A group's temporary partition file name: the same in every process, safe on every file system."""
    return "g" + hashlib.sha1(group.encode("utf-8")).hexdigest()[:20]


def _hash_ids(ids: pd.Series) -> np.ndarray:
    """64-bit hashes of ids (:func:`cxkit.io.fast_hash`: a value's hash never depends on the other values, so
    hashes of different chunks and tables can be compared)."""
    from ..data.loading import _arrow_strings, fast_hash

    return fast_hash(_arrow_strings(ids.astype(_STR_DTYPE())))


def _groups_of(unit: pd.Series, group_of) -> pd.Series:
    """Each row's report group. A categorical unit column is mapped through its categories and stays
    categorical: no string per row (converting 10M categorical units to text took over a second)."""
    if not isinstance(unit.dtype, pd.CategoricalDtype):
        return group_of(unit)
    mapped = group_of(pd.Series(unit.cat.categories.astype(str))).astype(object).to_numpy()
    inverse, labels = pd.factorize(mapped)  # several units can share a region
    codes = unit.cat.codes.to_numpy()
    new = np.where(codes >= 0, inverse[codes], -1)
    return pd.Series(pd.Categorical.from_codes(new, categories=pd.Index(labels, dtype=object)), index=unit.index)


def _STR_DTYPE():
    return pd.StringDtype("pyarrow")


def prepare(data: str | Path, out: str | Path, *, mapping=None, level: str = "unit", period=None,
            units: Iterable[str] | None = None, settings: dict | None = None,
            parallel: bool | None = None, _idle=None) -> Prepared:
    """Validate the data once and write one partition per unit plus the company context.

    The files are read chunk by chunk (:class:`cxkit.io.TableStream`): each chunk's clean rows go
    straight to the unit partitions, and only the few columns the company-wide figures need stay in
    memory (revenue only as sums per unit and date), so the memory used does not grow with the
    width of the files. Rows that fail validation are set aside (``data-notes/rejected.csv``) and
    counted in the data notes of every report; they never stop the batch. An unreadable optional
    file is left out and named in the data notes.

    ``parallel`` (default: when there is a units table and more than one CPU): tickets, customers
    and revenue are read in a helper process while this one reads the responses. Without a units
    table the first spelling seen of a unit name becomes the canonical one for all tables, so the
    tables are then read one after the other.

    ``_idle`` (no arguments) is called once, as soon as a core is left idle: when this process has
    computed the survey part of the context and waits for the helper, or, reading alone, once the
    files are read. :func:`run_batch` starts its pool's workers then.
    """
    from . import views
    from ..data.loading import Dataset, _fold, discover, read_table

    data, out = Path(data), Path(out)
    if level not in ("unit", "region"):
        raise ConfigError(f"level={level!r} - expected 'unit' or 'region'")
    _return_freed_memory()
    root, m, found = discover(data, mapping=mapping)
    tmp = out / "_data.part"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "partitions").mkdir(parents=True)
    results, unreadable, canonical = {}, {}, {}
    units_df = None
    if "units" in found:
        try:
            results["units"] = read_table(found["units"], "units", mapping=m, errors="quarantine",
                                          _canonical_units=canonical)
            units_df = results["units"].data
            for u in units_df["unit"].astype(str):
                canonical.setdefault(_fold(u), u)
        except CxkitError as exc:
            unreadable["units"] = (found["units"].name, str(exc).splitlines()[0][:300])
    known = (set(units_df["unit"].astype(str)), found["units"].name) if units_df is not None and len(units_df) else None
    others = [n for n in PARTITIONED[1:] if n in found]
    args = (found, m, known, units_df, level, tmp / "partitions")
    settings = {**(settings or {}), "scales": {k: list(v) for k, v in m.scales.items()}}

    def survey_part(read: dict, tell=None):
        """Period, groups and the survey part of the company context: needs the responses only.
        ``tell(period)`` passes the period on to the helper as soon as it is known."""
        responses = read["narrow"].get("responses")
        if responses is None or responses.empty:
            raise CxkitError(f"{data}: no valid survey responses to report on")
        start, end = parse_period(period, responses["date"])
        if tell is not None:
            tell((start, end))
        present = responses["_group"].cat.remove_unused_categories()  # categories only: no 10M-string copy
        groups = sorted(str(g) for g in present.cat.categories)
        if units:
            wanted = [str(u) for u in units]
            unknown = [u for u in wanted if u not in groups]
            if unknown:
                raise ConfigError(f"unknown {level}(s): {', '.join(unknown)}; the data has: {', '.join(groups)}")
            groups = wanted
        if "customer_id" in responses.columns:  # cluster-robust tests: customers as categories, factorized once
            codes, uniq = pd.factorize(responses["customer_id"], use_na_sentinel=True)
            # a RangeIndex as categories: no hash table over millions of customers
            responses["customer_id"] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.RangeIndex(len(uniq))))
            del codes, uniq
        gc.collect()
        part = views.build_context({"responses": responses, "units": units_df}, level=level, period=(start, end),
                                   settings=settings, log=None, rejected=None, part="responses")
        return (start, end), groups, part

    inputs = {}

    def idle() -> None:
        """A core is free from here on: the inputs' fingerprints are taken now, then the caller's work."""
        inputs.update({str(p): sha256_file(p) for p in found.values() if p.exists()})
        if _idle is not None:
            _idle()

    if parallel is None:  # with a units table every table agrees on unit spellings, so they can be read apart
        parallel = known is not None and bool(others) and (os.cpu_count() or 1) > 1
    other_ctx = None  # the comparisons of the ticket and customer metrics
    if parallel:  # the survey part of the context is computed while the helper still reads
        read, (span, groups, survey_ctx), other_ctx = _read_in_parallel(["responses"], others, canonical, args,
                                                                         survey_part, {"level": level,
                                                                                       "settings": settings},
                                                                         idle=idle)
    else:
        read = _read_partitioned(list(PARTITIONED), canonical, *args)
        idle()
        span, groups, survey_ctx = survey_part(read)
    for name in PARTITIONED:  # in the order of the data notes
        if name in read["results"]:
            results[name] = read["results"][name]
    unreadable.update(read["unreadable"])
    narrow = read["narrow"]
    start, end = span
    ds = Dataset(tables=results, scales=dict(m.scales), root=str(root), mapping=m, unreadable=unreadable)
    slugs = unique_slugs(groups)
    _name_partitions(tmp / "partitions", slugs)  # every table's files, written here or by the helper
    tables = {"responses": narrow["responses"], "tickets": narrow.get("tickets"), "customers": narrow.get("customers"),
              "revenue": narrow.get("revenue"), "units": units_df}
    if other_ctx is None:  # read here, or the helper could not compute it
        other_ctx = views.build_context(tables, level=level, period=(start, end), settings=settings, log=None,
                                        rejected=None, part="other_metrics")
    context = views.merge_context(survey_ctx, other_ctx, views.build_context(
        tables, level=level, period=(start, end), settings=settings, log=ds.log, rejected=ds.rejected,
        part="outcomes"))
    cdir = tmp / "context"
    cdir.mkdir()
    for name, frame in context.items():
        if isinstance(frame, pd.DataFrame):
            _write_parquet(frame, cdir / f"{name}.parquet")
    meta = {"level": level, "period": [str(start.date()), str(end.date())], "groups": groups, "slugs": slugs,
            "scales": settings["scales"], "source": str(data)}
    atomic_write_text(cdir / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2))
    ddir = out / "_data"
    shutil.rmtree(ddir, ignore_errors=True)
    os.replace(tmp, ddir)
    notes = out / "data-notes"
    notes.mkdir(parents=True, exist_ok=True)
    write_csv(ds.rejected, notes / "rejected.csv")
    return Prepared(out=out, level=level, groups=groups, slugs=slugs, period=(start, end), inputs=inputs,
                    log=ds.log, n_rejected=int(ds.log["rows_rejected"].sum()) if len(ds.log) else 0)


def _read_partitioned(names: list[str], canonical: dict, found: dict, m, known, units_df, level: str,
                      root: Path) -> dict:
    """Read and validate ``names`` (in this order) chunk by chunk, writing each chunk's rows to the
    group partitions under ``root``; returns the load results, the narrow context tables and the
    unreadable optional files. Runs in the batch parent, or in a helper process for some tables."""
    from . import views
    from ..data.loading import TableStream, _concat_keep_categories

    group_of = views.group_mapper(units_df, level)
    parts = _Partitions(root)
    results: dict = {}
    unreadable: dict = {}
    narrow: dict[str, pd.DataFrame] = {}
    customer_keys = None  # sorted id hashes and their group codes, to place invoices
    group_names: dict[str, int] = {}  # group label -> small integer code (customers' groups)
    for name in names:
        if name not in found:
            continue
        pieces, hashes, labels = [], [], []
        try:
            stream = TableStream(found[name], name, mapping=m, canonical=canonical,
                                 known_units=known if name != "revenue" else None)
            for chunk in stream:
                if name == "revenue":
                    g = _revenue_groups(chunk, customer_keys)
                    parts.write(name, chunk, g)
                    sums = chunk.assign(_group=g).groupby(["_group", "date"], observed=True)["amount"].sum()
                    pieces.append(sums.reset_index())
                    continue
                g = _groups_of(chunk["unit"], group_of) if "unit" in chunk.columns else pd.Series(
                    pd.NA, index=chunk.index, dtype=_STR_DTYPE())
                parts.write(name, chunk, g)
                keep = [c for c in CONTEXT_COLUMNS[name] if c in chunk.columns]
                piece = chunk[keep].assign(_group=g.astype("category"))
                if name == "responses" and "customer_id" in piece.columns:  # only equality matters (clusters)
                    ids = piece["customer_id"]
                    piece["customer_id"] = pd.Series(_hash_ids(ids), index=piece.index).where(ids.notna().to_numpy())
                pieces.append(piece)
                if name == "customers" and "customer_id" in chunk.columns:
                    hashes.append(_hash_ids(chunk["customer_id"]))
                    codes, uniq = pd.factorize(g, use_na_sentinel=True)  # codes, not a string per customer
                    lookup = np.array([group_names.setdefault(str(u), len(group_names)) for u in uniq] + [-1],
                                      dtype=np.int32)
                    labels.append(lookup[codes])
            results[name] = stream.result()
            del stream  # its record of seen ids can go before the next table
            parts.finish_table(name)
        except CxkitError as exc:
            if name == "responses":
                raise
            parts.drop(name)
            unreadable[name] = (found[name].name, str(exc).splitlines()[0][:300])
            continue
        if name == "revenue":
            narrow[name] = (pd.concat(pieces, ignore_index=True).groupby(["_group", "date"], observed=True)["amount"]
                            .sum().reset_index().assign(customer_id="(all)", _group=lambda d: d["_group"].astype(_STR_DTYPE()))
                            if pieces else None)
        else:
            narrow[name] = _concat_keep_categories(pieces) if pieces else None
        if name == "customers" and hashes:
            h = np.concatenate(hashes)
            order = np.argsort(h, kind="stable")
            customer_keys = (h[order], np.concatenate(labels)[order], list(group_names))
            del h, order
        del pieces, hashes, labels
        gc.collect()  # the chunks' reference cycles, before the next table is read
    return {"results": results, "narrow": narrow, "unreadable": unreadable}


def _read_in_parallel(mine: list[str], theirs: list[str], canonical: dict, args: tuple,
                      while_waiting=None, context: dict | None = None, idle=None) -> tuple[dict, Any, dict | None]:
    """Read ``theirs`` in a helper process while this process reads ``mine``; merge the results.
    ``while_waiting(result of mine, tell)`` runs here before waiting for the helper; its value is
    returned with the merged results. With ``context`` (``level``, ``settings``), the helper then
    waits for the period, which ``while_waiting`` passes on with ``tell((start, end))``, and
    computes the comparisons of its tables' metrics (``build_context(part="other_metrics")``),
    returned third (None if the helper could not). ``idle()`` runs here just before waiting for the
    helper (this process's core is free from then on).

    The helper is a fresh ``python`` that imports only cxkit (never the caller's main script, which
    multiprocessing would run again), and hands its results back through a pickle file. If it
    fails, its tables are read here, from the start.
    """
    import pickle

    root = Path(args[-1])
    job = Path(tempfile.mkdtemp(prefix=".helper-", dir=root.parent))

    def tell(period) -> None:
        with open(job / "period.part", "wb") as fh:
            pickle.dump(period, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(job / "period.part", job / "period.pkl")

    try:
        (job / "path.json").write_text(json.dumps([p for p in sys.path if p]), encoding="utf-8")
        with open(job / "in.pkl", "wb") as fh:
            pickle.dump(((theirs, dict(canonical), *args), context), fh, protocol=pickle.HIGHEST_PROTOCOL)
        code = ("import json, sys; sys.path[:0] = json.load(open(sys.argv[1] + '/path.json')); "
                "from cxkit.report.batch import _helper_main; _helper_main(sys.argv[1])")
        proc = subprocess.Popen([sys.executable, "-c", code, str(job)], stdin=subprocess.DEVNULL)
        try:
            here = _read_partitioned(mine, canonical, *args)
            early = while_waiting(here, tell) if while_waiting is not None else None
            if not (job / "period.pkl").exists():  # never told: the helper must not wait for a period
                tell(None)
            if idle is not None:
                idle()
            rc = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        there = None
        if rc == 0 and (job / "out.pkl").exists():
            with open(job / "out.pkl", "rb") as fh:
                there = pickle.load(fh)
        if there is None:
            warnings.warn(f"cxkit: the helper process reading {', '.join(theirs)} stopped (exit code {rc}); "
                          "reading them in this process instead", RuntimeWarning, stacklevel=3)
            for table in theirs:
                shutil.rmtree(root / table, ignore_errors=True)
            there = _read_partitioned(theirs, canonical, *args)
    finally:
        shutil.rmtree(job, ignore_errors=True)
    merged = {key: {**here[key], **there[key]} for key in ("results", "narrow", "unreadable")}
    return merged, early, there.get("context")


def _helper_main(job: str) -> None:
    """Entry point of the helper process started by :func:`_read_in_parallel`."""
    import pickle

    job_dir = Path(job)
    _return_freed_memory()
    with open(job_dir / "in.pkl", "rb") as fh:
        call, context = pickle.load(fh)
    result = _read_partitioned(*call)
    if context is not None:
        units_df = call[5]  # (names, canonical, found, mapping, known, units_df, level, root)
        result["context"] = _helper_context(job_dir, result, units_df, **context)
    with open(job_dir / "out.part", "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(job_dir / "out.part", job_dir / "out.pkl")


def _helper_context(job_dir: Path, read: dict, units_df, *, level: str, settings: dict) -> dict | None:
    """In the helper: wait for the period (the batch parent knows it once it has read the responses),
    then compare the ticket and customer metrics. None if the parent went away or this failed (the
    parent then computes them itself)."""
    import pickle

    from . import views

    parent = os.getppid()
    while not (job_dir / "period.pkl").exists():
        if os.getppid() != parent:  # the batch parent is gone: nobody will read the answer
            return None
        time.sleep(0.05)
    try:
        with open(job_dir / "period.pkl", "rb") as fh:
            period = pickle.load(fh)
        if period is None:  # the parent did not ask for them
            return None
        tables = {"tickets": read["narrow"].get("tickets"), "customers": read["narrow"].get("customers"),
                  "revenue": read["narrow"].get("revenue"), "units": units_df}
        return views.build_context(tables, level=level, period=period, settings=settings, log=None, rejected=None,
                                   part="other_metrics")
    except Exception as exc:  # noqa: BLE001 - the parent computes them instead
        warnings.warn(f"cxkit: the helper could not compare the ticket and customer metrics ({exc}); the batch "
                      "parent does it", RuntimeWarning, stacklevel=2)
        return None


def _return_freed_memory() -> None:
    """Large batches: give freed memory back to the system (glibc keeps it otherwise) and let Arrow
    use the same allocator, so the parent's memory follows what it really holds."""
    try:
        import ctypes

        import pyarrow as pa

        libc = ctypes.CDLL("libc.so.6")
        # M_MMAP_THRESHOLD: blocks from 8 MB are mapped and unmapped, never cached; smaller ones (a column of
        # a chunk is 4.2 MB) are reused from the heap. At 10M responses (prepare alone, docs/benchmarks.md):
        # 4 MB: 42 s, 2.7M page faults, parent 1.50 GB; 6 MB: 41 s, 1.54 GB; 8 MB: 35 s, 1.0M faults,
        # 1.73-1.81 GB; 12 MB: 35 s, 2.04 GB (over the 2 GB target).
        libc.mallopt(-3, 8 * 1024 * 1024)
        libc.mallopt(-1, 8 * 1024 * 1024)  # M_TRIM_THRESHOLD
        pa.set_memory_pool(pa.system_memory_pool())
    except (OSError, AttributeError):  # not glibc (macOS, musl): the defaults stay
        pass


def _revenue_groups(chunk: pd.DataFrame, customer_keys) -> pd.Series:
    """Each invoice's group: the group of its customer (found through a hash of the id; no customers table:
    no group)."""
    if customer_keys is None:
        return pd.Series(pd.NA, index=chunk.index, dtype=_STR_DTYPE())
    from ..data.loading import search_in_order

    hs, codes, names = customer_keys
    h = _hash_ids(chunk["customer_id"])
    # a customer's invoices usually come one after another: look each run of them up once
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]]) if len(h) else np.zeros(0, np.intp)
    hr = h[starts]
    pos = search_in_order(hs, hr)
    pos_ok = np.minimum(pos, len(hs) - 1)
    found = (pos < len(hs)) & (hs[pos_ok] == hr)
    out = np.repeat(np.where(found, codes[pos_ok], -1), np.diff(np.r_[starts, len(h)]))
    return pd.Series(pd.Categorical.from_codes(out, categories=pd.Index(names, dtype=_STR_DTYPE())),
                     index=chunk.index)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame = frame.reset_index(drop=True)
    tmp = path.with_name(f".{path.name}.part")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------
# executing and rendering


_EXPORTER = None


def _exporter():
    """One HTML exporter per process (building it costs more than rendering a report)."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        c = Config()
        c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
        c.HTMLExporter.template_name = "cxkit_report"
        c.HTMLExporter.exclude_input = True
        c.HTMLExporter.exclude_input_prompt = True
        c.HTMLExporter.exclude_output_prompt = True
        c.HTMLExporter.embed_images = True
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
        c.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
        c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove_output"}
        _EXPORTER = HTMLExporter(config=c)
    return _EXPORTER


def _strip_for_leadership(nb):
    """Drop what leadership should not see: stderr streams, records, raw tracebacks."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        keep = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                continue
            if RECORD_MIME in o.get("data", {}):
                continue
            if o.get("output_type") == "error":
                text = html.escape(f"{o.get('ename', 'Error')}: {o.get('evalue', '')}")
                o = {"output_type": "display_data", "metadata": {},
                     "data": {"text/html": f'<div class="cxkit-section-error">This section could not be computed: '
                                           f'{text}</div>'}}
            keep.append(o)
        cell.outputs = keep
    return nb


def render_html(nb: str | Path | Any, html_path: str | Path, *, banner: dict | None = None) -> Path:
    """Render an executed notebook to a self-contained HTML report without code.

    ``banner`` (title, unit, period, generated, lang) appears at the top of the page.
    """
    import nbformat

    if not hasattr(nb, "cells"):
        nb = nbformat.read(str(nb), as_version=4)
    nb = _strip_for_leadership(nbformat.from_dict(nb))
    nb.metadata["cxkit"] = _jsonable(banner or {})
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": (banner or {}).get("title", "report")}})
    return atomic_write_text(html_path, body)


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
            render_html(nb_path, task["html"], banner=banner)
            result["render_s"] = round(time.perf_counter() - t1, 3)
            if task.get("pdf"):
                print_pdf(task["html"], task["pdf"])
    except Exception as exc:  # noqa: BLE001
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:400])
        result["traceback"] = traceback.format_exc()[-2000:]
    result["total_s"] = round(time.perf_counter() - t0, 3)
    return result


# --------------------------------------------------------------------------------------
# PDF


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: int = 120) -> Path:
    """Print an HTML report to PDF with headless Chromium (Debian package ``chromium``)."""
    exe = find_chromium()
    if exe is None:
        raise CxkitError("PDF needs Chromium: install it (Debian: apt install chromium) or run without --pdf")
    pdf_path = Path(pdf_path)
    tmp = pdf_path.with_name(f".{pdf_path.stem}.part.pdf")
    with tempfile.TemporaryDirectory(prefix="cxkit-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={tmp}", Path(html_path).resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not tmp.exists():
        raise CxkitError(f"Chromium could not print {html_path} to PDF: {proc.stderr.strip()[-300:]}")
    os.replace(tmp, pdf_path)
    return pdf_path


# --------------------------------------------------------------------------------------
# the batch


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
        done = int((self.units["status"] == "done").sum())
        lines = [f"{done} of {len(self.units)} reports done, {len(self.failed)} failed, in {self.duration_s:.1f} s.",
                 f"Open {self.out / 'index.html'}"]
        for r in self.failed.itertuples():
            lines.append(f"  FAILED {r.group}: {r.error}  (notebook: {r.notebook})")
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
              lang: str = "en", workers: int | None = None, pdf: bool = False, level: str = "unit",
              timeout: int = 600, resume: bool = False, mapping=None, notebook: str | Path | None = None,
              summary_notebook: str | Path | None = None, settings: dict | None = None, progress: bool = True,
              executor: str = "local", scheduler: str | None = None, stage: str | None = None) -> BatchResult:
    """Render one report per unit (or region), a leadership summary and an index page.

    Parameters
    ----------
    data, out : input data folder and output folder
    units : only these units (default all); period : see :func:`parse_period`
    lang : ``en``, ``lt``, ``pl`` or ``lv``
    workers : parallel notebook processes (default: CPU count, at most the number of units)
    pdf : also print every HTML report to PDF with headless Chromium
    level : ``"unit"`` or ``"region"`` (one report per region, units rolled up)
    timeout : seconds a single notebook cell may run before the unit is failed
    resume : skip units whose inputs, parameters and outputs are unchanged since the last run
    notebook, summary_notebook : other notebooks to run (default ``notebooks/unit_report.ipynb``,
        ``notebooks/leadership_summary.ipynb``)
    settings : report settings (confidence, alpha, min_n_show, min_n_test, currency)
    executor, scheduler : ``"local"`` (a process pool) or ``"dask"`` with the scheduler's address
    stage : with Dask, a URL (``s3://bucket/prefix``, ``gs://...``, ``file:///shared/path``) the
        prepared data are copied to for the workers, which then need no file system shared with this
        process: each reads its unit from the URL and sends its notebook, HTML and PDF back. The copy
        is deleted when the batch ends. Credentials come from the environment, never the URL.
    """
    from ..i18n import LANGUAGES as _L

    if lang not in _L:
        raise ConfigError(f"--lang {lang!r} - expected one of {', '.join(_L)}")
    if executor not in ("local", "dask"):
        raise ConfigError(f"executor={executor!r} - expected 'local' or 'dask'")
    if executor == "dask" and not scheduler:
        raise ConfigError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    if stage is not None:
        if executor != "dask":
            raise ConfigError("--stage is for --executor dask (the local pool reads OUT/_data directly)")
        _stage_filesystem(stage)  # a bad URL fails here, before the data are read
    t_start = time.perf_counter()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    settings = {**default_settings(), **(settings or {})}
    notebook = Path(notebook or NOTEBOOKS / "unit_report.ipynb").resolve()
    summary_notebook = Path(summary_notebook or NOTEBOOKS / "leadership_summary.ipynb").resolve()
    if not notebook.exists():
        raise ConfigError(f"{notebook}: notebook not found")
    old = _read_manifest(out) if resume else {}
    # the local pool starts while prepare still works: its workers load papermill and nbconvert on a core
    # that would otherwise idle (prepare's `_idle`)
    with contextlib.ExitStack() as exits:
        # a wrong scheduler address fails now, not after the data are read
        client = exits.enter_context(_dask_client(scheduler)) if executor == "dask" else None
        early = exits.enter_context(_EarlyPool(executor == "local", workers, out / "_logs"))
        t_prep = time.perf_counter()
        prep = prepare(data, out, mapping=mapping, level=level, period=period, units=units, settings=settings,
                       _idle=early.start)
        prepare_s = time.perf_counter() - t_prep
        period_text = f"{prep.period[0].date()}:{prep.period[1].date()}"
        generated = dt.datetime.now().replace(microsecond=0)
        nb_hash = sha256_file(notebook)
        from .._version import __version__

        base_params = {"data_dir": str(Path(data).resolve()), "prepared_dir": str(prep.data_dir), "level": level,
                       "period_start": str(prep.period[0].date()), "period_end": str(prep.period[1].date()),
                       "lang": lang, **settings}
        if stage is not None:  # the workers read the copy at the stage URL; tasks are fingerprinted by the stage
            fp_base = dict(base_params, prepared_dir=stage)
            staged = stage_prepared(prep.data_dir, stage)
            exits.callback(_unstage, staged)
            base_params["prepared_dir"] = staged
            notebook_text = notebook.read_text(encoding="utf-8")
        else:
            fp_base = base_params
        tasks = []
        period_shown = f"{format_date_local(prep.period[0], lang)} – {format_date_local(prep.period[1], lang)}"
        for g in prep.groups:
            slug = prep.slugs[g]
            params = dict(base_params, unit=g)
            fp = _fingerprint(prep.inputs, dict(fp_base, unit=g), nb_hash, __version__)
            task = {
                "group": g, "slug": slug, "notebook": str(notebook), "parameters": params, "timeout": timeout,
                "output": str(out / "notebooks" / f"{slug}.ipynb"), "html": str(out / "units" / f"{slug}.html"),
                "pdf": str(out / "units" / f"{slug}.pdf") if pdf else None, "fingerprint": fp,
                "banner": {"title": f"{t('report_title', lang)}: {g}", "unit": g, "level": level,
                           "period": period_shown,
                           "generated": format_date_local(generated, lang), "lang": lang},
            }
            if stage is not None:
                task.update(collect=True, notebook_text=notebook_text)
            tasks.append(task)
        (out / "units").mkdir(exist_ok=True)
        results, todo = {}, []
        previous = {u["group"]: u for u in old.get("units", [])}
        for task in tasks:
            prev = previous.get(task["group"])
            if (resume and prev and prev.get("status") == "done" and prev.get("fingerprint") == task["fingerprint"]
                    and Path(task["html"]).exists() and Path(task["output"]).exists()
                    and (not task["pdf"] or Path(task["pdf"]).exists())):
                results[task["group"]] = {**prev, "resumed": True}
            else:
                todo.append(task)
        # the leadership summary reads only the company context, so it runs alongside the units
        summary_task = None
        if summary_notebook.exists():
            sparams = dict(base_params, unit="")
            summary_task = {"group": "__summary__", "slug": "summary", "notebook": str(summary_notebook),
                            "parameters": sparams, "timeout": timeout,
                            "output": str(out / "notebooks" / "summary.ipynb"),
                            "html": str(out / "summary.html"), "pdf": str(out / "summary.pdf") if pdf else None,
                            "fingerprint": _fingerprint(prep.inputs, dict(fp_base, unit=""),
                                                        sha256_file(summary_notebook), __version__),
                            "banner": {"title": t("summary_title", lang), "unit": t("leadership_summary", lang),
                                       "level": level, "period": tasks[0]["banner"]["period"] if tasks else period_text,
                                       "generated": format_date_local(generated, lang), "lang": lang}}
            if stage is not None:
                summary_task.update(collect=True, notebook_text=summary_notebook.read_text(encoding="utf-8"))
            todo.insert(0, summary_task)  # first: the pool's other workers start on units meanwhile
        by_group = {task["group"]: task for task in todo}
        n_workers = max(1, min(workers or (os.cpu_count() or 1), len(todo) or 1))
        for res in (_run_local(todo, n_workers, progress, pool=early.pool) if executor == "local"
                    else _run_dask(todo, n_workers, progress, client)):
            for key, content in (res.pop("files", None) or {}).items():  # sent back by a --stage worker
                atomic_write_bytes(by_group[res["group"]][key], content)
            results[res["group"]] = res
            # progress is saved as it happens, so an interrupted batch can --resume where it stopped
            done_so_far = [{**r, "group": g} for g, r in results.items() if g != "__summary__"]
            atomic_write_text(out / "manifest.json", json.dumps(_jsonable(
                {"complete": False, "cxkit_version": __version__, "inputs": prep.inputs, "units": done_so_far}),
                ensure_ascii=False, indent=2))
    summary_res = results.pop("__summary__", None)
    rows = []
    for task in tasks:
        r = results.get(task["group"], {"status": "failed", "error": "not run"})
        rows.append({"group": task["group"], "slug": task["slug"], "status": r.get("status"), "error": r.get("error"),
                     "duration_s": r.get("duration_s"), "render_s": r.get("render_s"),
                     "resumed": bool(r.get("resumed", False)),
                     "notebook": str(Path(task["output"]).relative_to(out)),
                     "html": str(Path(task["html"]).relative_to(out)),
                     "pdf": str(Path(task["pdf"]).relative_to(out)) if task["pdf"] else None,
                     "headline": r.get("headline", {}), "fingerprint": task["fingerprint"]})
    table = pd.DataFrame(rows)
    duration = time.perf_counter() - t_start
    manifest = {
        "complete": True,
        "cxkit_version": __version__,
        "created": generated.isoformat(),
        "command": " ".join(sys.argv) if sys.argv else "",
        "parameters": {**base_params, "period": period_text, "units": list(units) if units else None,
                       "workers": n_workers, "pdf": pdf,
                       "timeout": timeout, "notebook": str(notebook), "summary_notebook": str(summary_notebook),
                       "executor": executor, "stage": stage},
        "inputs": prep.inputs,
        "notebooks": {str(notebook): nb_hash},
        "libraries": _library_versions(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "data": {"log": prep.log.to_dict(orient="records"), "rows_rejected": prep.n_rejected},
        "summary": {"status": summary_res["status"], "error": summary_res.get("error"), "html": "summary.html",
                    "duration_s": summary_res.get("duration_s")} if summary_res else None,
        "units": rows,
        "prepare_s": round(prepare_s, 3),  # validating the files, partitions and the company context
        "duration_s": round(duration, 3),
    }
    atomic_write_text(out / "manifest.json", json.dumps(_jsonable(manifest), ensure_ascii=False, indent=2))
    write_index(out, manifest, lang=lang)
    return BatchResult(out=out, units=table, manifest=manifest, duration_s=duration)


def _stage_filesystem(url: str):
    """Arrow's file system and path for a ``--stage`` URL, or a clear error."""
    from urllib.parse import urlsplit

    from .views import is_url, open_url

    if not is_url(url):
        raise ConfigError(f"--stage {url!r}: expected a URL such as s3://bucket/prefix, gs://bucket/prefix or "
                          "file:///shared/path")
    parts = urlsplit(url)
    if parts.password:  # s3://KEY:SECRET@bucket (abfs://container@account... names no secret)
        raise ConfigError("--stage: give credentials in the environment of this process and of the workers (for "
                          "S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), not in the URL: the URL is written into "
                          "every notebook and the manifest")
    return open_url(url, "--stage")


def stage_prepared(data_dir: str | Path, stage: str) -> str:
    """Copy a batch's prepared data (``OUT/_data``) under the URL ``stage``, in a new folder of its own
    (two batches staging to the same place do not meet); returns that folder's URL, query kept
    (e.g. ``s3://bucket/prefix/cxkit-3f2a...?endpoint_override=...``)."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    from pyarrow import fs as pafs

    parts = urlsplit(stage)
    url = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/cxkit-{uuid.uuid4().hex}"))
    fs, path = _stage_filesystem(url)
    try:
        fs.create_dir(path, recursive=True)
        pafs.copy_files(str(Path(data_dir).resolve()), path, source_filesystem=pafs.LocalFileSystem(),
                        destination_filesystem=fs)
    except BaseException as exc:
        _unstage(url)  # no half copy left behind
        if isinstance(exc, OSError):
            raise CxkitError(f"--stage {stage!r}: could not copy the prepared data there ({exc})") from None
        raise
    return url


def _unstage(url: str) -> None:
    """Delete a staged copy when the batch ends (it holds customers' data)."""
    from pyarrow import fs as pafs

    fs, path = _stage_filesystem(url)
    try:
        if fs.get_file_info(path).type != pafs.FileType.NotFound:  # a copy that failed early left nothing
            fs.delete_dir(path)
    except OSError as exc:
        warnings.warn(f"could not delete the staged data at {url}: {exc}", stacklevel=2)


def default_settings() -> dict:
    return {"confidence": 0.95, "alpha": 0.05, "min_n_show": 5, "min_n_test": 30, "currency": "EUR"}


def _read_manifest(out: Path) -> dict:
    path = out / "manifest.json"
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return {}


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


def _warm_worker() -> None:
    """Load what executing and rendering a notebook needs, before the first unit arrives."""
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    _exporter()


class _EarlyPool:
    """The batch's local pool, started by :meth:`start` while ``prepare`` finishes the company context
    (on a core that would idle otherwise), so that its workers have loaded papermill and nbconvert
    when the first unit is ready. Shut down on leaving the ``with`` block, also after an error."""

    def __init__(self, enabled: bool, workers: int | None, log_dir: Path):
        self.enabled, self.log_dir, self.pool, self.warming = enabled, log_dir, None, []
        self.workers = max(1, workers or (os.cpu_count() or 1))

    def start(self) -> None:
        if self.enabled and self.pool is None:
            self.pool = _local_pool(self.workers, self.log_dir)
            # each submission starts a process while none is idle
            self.warming = [self.pool.submit(_warm_worker) for _ in range(self.workers)]

    def __enter__(self) -> "_EarlyPool":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _run_local(tasks: list[dict], workers: int, progress: bool, pool=None):
    """Execute tasks in a pool of processes: ``pool`` (left open) or a new one of ``workers``."""
    if not tasks:
        return
    bar = _progress(len(tasks), progress)
    own = pool is None
    if own:
        pool = _local_pool(workers, Path(tasks[0]["output"]).parent.parent / "_logs")
    try:
        futures = {pool.submit(_run_task, task): task for task in tasks}
        try:
            for fut in cf.as_completed(futures):
                task = futures[fut]
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. a worker process killed
                    res = {"group": task["group"], "slug": task["slug"], "status": "failed",
                           "error": f"worker crashed: {type(exc).__name__}: {exc}"[:400], "fingerprint": task["fingerprint"]}
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


# --------------------------------------------------------------------------------------
# index page


def write_index(out: Path, manifest: dict, *, lang: str = "en") -> Path:
    """Write ``index.html``: one row per unit with headline figures, status and links."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    from ..i18n import format_number_local

    def num(v, digits=1):
        return format_number_local(v, lang, digits)

    template = env.get_template("index.html.j2")
    rows = []
    for u in manifest["units"]:
        h = u.get("headline") or {}
        rows.append({**u, "h": h})
    metrics = ["nps", "csat", "ces", "first_response_time", "churn_rate"]
    p_start, p_end = manifest["parameters"]["period_start"], manifest["parameters"]["period_end"]
    created = dt.datetime.fromisoformat(manifest["created"])
    html_text = template.render(
        title=t("index_title", lang), lang=lang, t=lambda k: t(k, lang), num=num, rows=rows, metrics=metrics,
        period=f"{format_date_local(p_start, lang)} – {format_date_local(p_end, lang)}",
        created=f"{format_date_local(created, lang)} {created:%H:%M}", summary=manifest.get("summary"),
        n_failed=sum(1 for u in manifest["units"] if u["status"] != "done"),
        rows_rejected=manifest["data"]["rows_rejected"], level=manifest["parameters"]["level"],
    )
    return atomic_write_text(out / "index.html", html_text)


def _label(task: dict) -> str:
    return "leadership summary" if task["group"] == "__summary__" else task["group"]
