"""Preparing a batch: the data folder is validated once, chunk by chunk; each chunk's rows go to one
Parquet partition per unit, and the company context is computed once for all units. Tickets,
customers and revenue are read by a task of the batch's process pool while the responses are read.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..data.convert.context import _fold
from ..data.export import atomic_write_text, write_csv
from ..data.hashing import _arrow_strings, fast_hash, search_in_order
from ..data.loading import Dataset, TableStream, discover, read_table
from ..data.validate import _concat_keep_categories
from ..errors import ConfigError, CxkitError
from ..periods import parse_period
from . import context as _context
from .executors import stop_pool, submit
from .kernels import trim_heap
from .names import unique_slugs
from .narrow import NarrowResponses
from .share import redact_rejected

__all__ = ['prepare']


PARTITIONED = ("responses", "tickets", "customers", "revenue")


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
    #: responses dated in the period per group (every group of the responses and of the units table)
    responses_in_period: dict[str, int] = field(default_factory=dict)
    #: groups of the units table without a single response: no report, named in the index and the summary
    not_reported: list[str] = field(default_factory=list)
    #: no survey response at all in the period (a warning, and a sentence in every report)
    empty_period: bool = False

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
            parallel: bool | None = None, pool: cf.Executor | None = None, _idle=None) -> Prepared:
    """Validate the data once and write one partition per unit plus the company context.

    The files are read chunk by chunk (:class:`cxkit.io.TableStream`): each chunk's clean rows go
    straight to the unit partitions, and only the few columns the company-wide figures need stay in
    memory (revenue only as sums per unit and date), so the memory used does not grow with the
    width of the files. Rows that fail validation are set aside (``data-notes/rejected.csv``) and
    counted in the data notes of every report; they never stop the batch. An unreadable optional
    file is left out and named in the data notes.

    ``parallel`` (default: when there is a units table and more than one CPU): tickets, customers
    and revenue are read by a task of ``pool`` (the batch's process pool; without one, a pool of one
    process made for it) while this process reads the responses. Without a units
    table the first spelling seen of a unit name becomes the canonical one for all tables, so the
    tables are then read one after the other.

    ``_idle`` (no arguments) is called once, as soon as a core is left idle: when this process has
    computed the survey part of the context and waits for the helper, or, reading alone, once the
    files are read. :func:`run_batch` starts its pool's workers then.
    """

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
        start, end = parse_period(period, responses.dates())
        if tell is not None:
            tell((start, end))
        groups = [str(g) for g in responses.categories("_group")]
        coverage = _context.period_coverage(responses, units_df, level=level, period=(start, end))
        groups, coverage = _wanted(groups, coverage, units, level)
        # (customers stay 64-bit hashes: the context's comparisons number them a shard at a time)
        _release_memory()  # the read's freed pages, before the context's temporaries
        part = _context.build_context({"responses": responses, "units": units_df}, level=level, period=(start, end),
                                   settings=settings, log=None, rejected=None, part="responses")
        _release_memory()
        return (start, end), groups, part, coverage

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
        read, (span, groups, survey_ctx, coverage), other_ctx = _read_in_parallel(
            ["responses"], others, canonical, args, survey_part, {"level": level, "settings": settings},
            idle=idle, pool=pool)
    else:
        read = _read_partitioned(list(PARTITIONED), canonical, *args)
        idle()
        span, groups, survey_ctx, coverage = survey_part(read)
    _warn_if_empty(span, coverage)
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
              "revenue": narrow.get("revenue"), "units": units_df, "unit_churn": read.get("unit_churn")}
    if other_ctx is None:  # read here, or the helper could not compute it
        other_ctx = _context.build_context(tables, level=level, period=(start, end), settings=settings, log=None,
                                        rejected=None, part="other_metrics")
    context = _context.merge_context(survey_ctx, other_ctx, _context.build_context(
        tables, level=level, period=(start, end), settings=settings, log=ds.log, rejected=ds.rejected,
        part="outcomes"))
    narrow["responses"].remove()
    del tables, narrow, read
    _release_memory()  # the narrow tables and the context's temporaries: the batch's workers start next
    cdir = tmp / "context"
    cdir.mkdir()
    for name, frame in context.items():
        if isinstance(frame, pd.DataFrame):
            _write_parquet(frame, cdir / f"{name}.parquet")
    meta = {"level": level, "period": [str(start.date()), str(end.date())], "groups": groups, "slugs": slugs,
            "scales": settings["scales"], "source": str(data), **coverage}
    atomic_write_text(cdir / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2))
    ddir = out / "_data"
    shutil.rmtree(ddir, ignore_errors=True)
    os.replace(tmp, ddir)
    notes = out / "data-notes"
    notes.mkdir(parents=True, exist_ok=True)
    write_csv(redact_rejected(ds.rejected), notes / "rejected.csv")  # personal data out of the text values
    return Prepared(out=out, level=level, groups=groups, slugs=slugs, period=(start, end), inputs=inputs,
                    log=ds.log, n_rejected=int(ds.log["rows_rejected"].sum()) if len(ds.log) else 0,
                    responses_in_period=coverage["responses_in_period"], not_reported=coverage["not_reported"],
                    empty_period=coverage["empty_period"])


def _wanted(groups: list[str], coverage: dict, units, level: str) -> tuple[list[str], dict]:
    """The groups to report on (``units``: only these, in this order) and the period's coverage of the
    groups asked for. A unit of the units table without any response is not unknown: it gets no report,
    and the index and the summary say it had no responses."""
    if not units:
        return groups, coverage
    wanted = [str(u) for u in units]
    unknown = [u for u in wanted if u not in coverage["responses_in_period"]]
    if unknown:
        raise ConfigError(f"unknown {level}(s): {', '.join(unknown)}; the data has: {', '.join(groups)}")
    counts = coverage["responses_in_period"]
    return [u for u in wanted if u in groups], {
        **coverage, "responses_in_period": {u: counts[u] for u in wanted},
        "not_reported": [u for u in wanted if u in coverage["not_reported"]]}


def _warn_if_empty(span: tuple, coverage: dict) -> None:
    """An empty period is a warning on the command line (the reports say it too)."""
    if not coverage["empty_period"]:
        return
    first, last = coverage["data_span"]
    warnings.warn(f"cxkit: no survey responses in the period {span[0].date()} to {span[1].date()} (the responses "
                  f"run from {first} to {last}); every report says so and shows no figures of other windows "
                  "under this period", UserWarning, stacklevel=3)


def _read_partitioned(names: list[str], canonical: dict, found: dict, m, known, units_df, level: str,
                      root: Path) -> dict:
    """Read and validate ``names`` (in this order) chunk by chunk, writing each chunk's rows to the
    group partitions under ``root``; returns the load results, the narrow context tables (the responses'
    on disk, in ``root``'s sibling ``narrow``: :class:`~cxkit.report.narrow.NarrowResponses`) and the
    unreadable optional files. Runs in the batch parent, or in a helper process for some tables."""

    with _young_collections():
        return _read_tables(names, canonical, found, m, known, units_df, level, root)


@contextlib.contextmanager
def _young_collections():
    """Collect reference cycles after every chunk, cheaply: the objects that exist now are frozen (not
    scanned by the collector) until the tables are read. pandas makes cycles of a column and its accessors
    (``.str``, ``.dt``); only Python's rare full collection freed them, so every chunk's ids and dates stayed
    in memory until then (10M responses, the parent reading them alone: peak 0.98 GB instead of 1.13 GB).
    A full collection takes about 50 ms with pandas and pyarrow imported, 10 us with them frozen."""
    froze = gc.get_freeze_count() == 0
    if froze:
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        if froze:
            gc.unfreeze()


def _read_tables(names: list[str], canonical: dict, found: dict, m, known, units_df, level: str,
                 root: Path) -> dict:
    group_of = _context.group_mapper(units_df, level)
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
        # the responses' narrow rows go to buckets of whole customers on disk: their memory would grow with the rows
        spilled = NarrowResponses(root.parent / "narrow") if name == "responses" else None
        try:
            # no reading ahead (nor id check in a thread): prepare's two processes keep both cores busy already
            # (10M responses, three alternating runs: prepare 26.2-26.9 s without, 26.4-28.1 s with reading
            # ahead; the parent 0.07 GB larger)
            stream = TableStream(found[name], name, mapping=m, canonical=canonical,
                                 known_units=known if name != "revenue" else None, read_ahead=False)
            for chunk in stream:
                gc.collect()  # the previous chunk's reference cycles (:func:`_young_collections`)
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
                    ids = piece["customer_id"]  # 64-bit hashes, exact (as floats two could round to one)
                    piece["customer_id"] = pd.arrays.IntegerArray(_hash_ids(ids), ids.isna().to_numpy())
                if spilled is not None:
                    spilled.add(piece)
                else:
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
            if spilled is not None:
                spilled.remove()
            if name == "responses":
                raise
            parts.drop(name)
            unreadable[name] = (found[name].name, str(exc).splitlines()[0][:300])
            continue
        if name == "revenue":
            narrow[name] = (pd.concat(pieces, ignore_index=True).groupby(["_group", "date"], observed=True)["amount"]
                            .sum().reset_index()
                            .assign(customer_id="(all)", _group=lambda d: d["_group"].astype(_STR_DTYPE()))
                            if pieces else None)
        elif spilled is not None:
            narrow[name] = spilled
        else:
            narrow[name] = _concat_keep_categories(pieces, freed=trim_heap) if pieces else None
        if name == "customers" and hashes:
            h = np.concatenate(hashes)
            order = np.argsort(h, kind="stable")
            customer_keys = (h[order], np.concatenate(labels)[order], list(group_names))
            del h, order
        del pieces, hashes, labels
        _release_memory()  # the chunks' reference cycles and freed pages, before the next table is read
    return {"results": results, "narrow": narrow, "unreadable": unreadable}


def _read_in_parallel(mine: list[str], theirs: list[str], canonical: dict, args: tuple,
                      while_waiting=None, context: dict | None = None, idle=None,
                      pool: cf.Executor | None = None) -> tuple[dict, Any, dict | None]:
    """Read ``theirs`` in a task of a process pool while this process reads ``mine``; merge the results.

    ``while_waiting(result of mine, tell)`` runs here before waiting for the task; its value is
    returned with the merged results. With ``context`` (``level``, ``settings``), the task then waits
    for the period, which ``while_waiting`` passes on with ``tell((start, end))``, and computes the
    comparisons of its tables' metrics (``build_context(part="other_metrics")``), returned third (None
    if it could not). ``idle()`` runs here just before waiting for the task (this process's core is
    free from then on).

    The task runs in ``pool`` (the batch's pool: one of its workers reads while the others start) or,
    without one, in a one-process pool of its own. The period travels through a pipe, and the result
    comes back as the task's return value. If the task fails (or its worker dies), its tables are read
    here, from the start.
    """
    own = pool is None
    if own:
        pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
    root = Path(args[-1])
    receive, send = mp.get_context("spawn").Pipe(duplex=False)
    told = []

    def tell(period) -> None:
        told.append(period)
        send.send(period)

    ok = False
    try:
        future = submit(pool, _helper_task, (theirs, dict(canonical), *args), context, receive)
        here = _read_partitioned(mine, canonical, *args)
        early = while_waiting(here, tell) if while_waiting is not None else None
        if not told:  # never told: the task must not wait for a period
            tell(None)
        if idle is not None:
            idle()
        there = _wait_for_helper(future, theirs)
        ok = True
    finally:
        send.close()  # a task still waiting for the period stops waiting
        receive.close()
        if own and ok:
            pool.shutdown(wait=True)
        elif own:  # an error here: the task's tables will not be needed
            stop_pool(pool)
    if there is None:
        for table in theirs:
            shutil.rmtree(root / table, ignore_errors=True)
        there = _read_partitioned(theirs, canonical, *args)
    merged = {key: {**here[key], **there[key]} for key in ("results", "narrow", "unreadable")}
    merged["unit_churn"] = there.get("unit_churn")
    return merged, early, there.get("context")


def _wait_for_helper(future: cf.Future, theirs: list[str]) -> dict | None:
    """The helper task's result, its warnings shown here; None (with a warning) if it failed."""
    try:
        result, caught = future.result()
    except Exception as exc:  # noqa: BLE001 - a worker that died, or an error in the task: read here instead
        warnings.warn(f"cxkit: the helper reading {', '.join(theirs)} stopped ({type(exc).__name__}: {exc}); "
                      "reading them in this process instead", RuntimeWarning, stacklevel=4)
        return None
    for message, category in caught:
        warnings.warn(message, category, stacklevel=4)
    return result


def _helper_task(call: tuple, context: dict | None, period_pipe) -> tuple[dict, list]:
    """A pool task started by :func:`_read_in_parallel`: read and partition some tables, then (with
    ``context``) wait for the period on ``period_pipe`` and compare their metrics. Returns the result
    and the warnings raised meanwhile (a pool worker's own output goes to its log)."""
    _return_freed_memory()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _read_partitioned(*call)
        if context is not None:
            try:
                period = period_pipe.recv()
            except EOFError:  # the batch parent went away or stopped asking: nobody reads the answer
                period = None
            units_df = call[5]  # (names, canonical, found, mapping, known, units_df, level, root)
            result["context"] = None if period is None else _helper_context(period, result, units_df, **context)
            if result["context"] is not None:  # the parent needs the tickets only to compare them itself
                result["narrow"]["tickets"] = None
                # and the customers only for their churn per unit: counted here, the parent never holds them
                result["unit_churn"] = _context.unit_churn(result["narrow"].get("customers"), period=period)
                if result["unit_churn"] is not None:
                    result["narrow"]["customers"] = None
    return result, [(str(w.message), w.category) for w in caught]


def _helper_context(period: tuple, read: dict, units_df, *, level: str, settings: dict) -> dict | None:
    """In the helper task: compare the ticket and customer metrics over ``period``. None if this failed
    (the parent then computes them itself)."""
    try:
        tables = {"tickets": read["narrow"].get("tickets"), "customers": read["narrow"].get("customers"),
                  "revenue": read["narrow"].get("revenue"), "units": units_df}
        return _context.build_context(tables, level=level, period=period, settings=settings, log=None,
                                      rejected=None, part="other_metrics")
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


def _release_memory() -> None:
    """At the end of a phase (a table read, a part of the context): collect the reference cycles and give
    the heap's free pages back to the system. glibc returns only the top of its heap by itself, and the
    blocks freed between the narrow tables' pieces (each under the mapping threshold) stayed counted in
    the parent's memory (prepare alone, entering the survey context: 5M responses 0.68 -> 0.39 GB, 20M
    2.00 -> 0.84 GB). A few milliseconds."""
    gc.collect()
    trim_heap()


def _revenue_groups(chunk: pd.DataFrame, customer_keys) -> pd.Series:
    """Each invoice's group: the group of its customer (found through a hash of the id; no customers table:
    no group)."""
    if customer_keys is None:
        return pd.Series(pd.NA, index=chunk.index, dtype=_STR_DTYPE())
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
