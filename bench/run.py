"""cxkit benchmark: prints ratios measured in one run on this machine (``make bench``).

1. metrics per unit (NPS, CSAT, CES with intervals, 200 units, 10M responses):
   cxkit vs a plain numpy.bincount of the same counts (the floor) and vs a naive
   groupby(...).apply(lambda ...). Targets: <= 2x the floor, >= 3x faster than naive.
2. loading 10M responses from CSV and from Parquet: time and peak memory; load + validation against
   Arrow's plain read of the same file (``pyarrow.csv.read_csv``, ``pyarrow.parquet.read_table``),
   measured back to back. Target <= 1.5x each. Beside them, what building the same DataFrame from Arrow's
   typed read costs with no check at all (measured, not a target: the part of 1.5x left for the checks).
   With --baseline DIR the CSV load of an earlier checkout too.
3. the report batch end-to-end (execute + render HTML) for 50 units from a 10M-response dataset with
   warm kernels against the same batch with ``--fresh-kernels`` (a new kernel per unit), in the same run:
   target >= 2x faster, the same reports (timestamps aside); the time a unit costs beyond its own
   notebook work (kernel start or reset, papermill) <= 0.3 s. The units' phase (each batch after its
   prepare, which both share) is printed too.
4. peak resident memory of the batch parent at 10M responses. Target <= 2 GB. The largest other
   process (a pool worker, also the one that reads tables in prepare, or a kernel) and the peak of all of them
   together (sampled 4 times a second; shared pages counted once per process) are printed too.
5. sample-data generation at 10M responses. Target < 60 s.
6. every public analysis call at 2M responses / 1M customers / 6.4M invoices, call by call. Target <= 2 s each.
7. ``import cxkit`` in a fresh interpreter (best of 5), beside ``import pandas``. Target <= 0.7 s.
8. scale: the batch parent's peak memory with the rows (--scale-rows, default 10M, 30M and 100M responses;
   two units reported, so the figure is prepare's; past 10M the data are copies of the 10M dataset with
   their ids made unique per copy). Target: <= 4 GB at 100M; flat in rows.

The retired target of issue 7 (the batch <= 1.5x a pool running 50 trivial notebooks) is printed for
the record with --only floor. Data are generated with fixed seeds and cached in bench/data/ between
runs. Results are printed and written to bench/results.json (a run with --only replaces its own
sections, each dated, and keeps the others; runs at another --rows go to bench/results-ROWS.json);
docs/benchmarks.md quotes them.

    python bench/run.py [--rows 10000000] [--only metrics,load,batch,generate,calls,import,scale]
                        [--workers N] [--baseline DIR] [--scale-rows 10000000,30000000,100000000]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import re
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "data"
PY = sys.executable
GB = 1024 ** 3


def machine() -> dict:
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            mem = int(fh.readline().split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import cxkit

    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem / GB, 1) if mem else None,
            "python": platform.python_version(), "platform": platform.platform(), "cxkit": cxkit.__version__,
            "pandas": pd.__version__, "numpy": np.__version__}


#: the sample generator holds every table in memory (30M responses did not fit beside the benchmark): larger
#: datasets are copies of the one of this size (:func:`copied_dataset`)
GENERATED_UP_TO = 10_000_000


def dataset(rows: int, units: int, fmt: str, seed: int = 2026) -> Path:
    """Generated data, cached by (rows, units, seed, format)."""
    if rows > GENERATED_UP_TO and fmt == "parquet":
        return copied_dataset(rows, units, seed)

    path = CACHE / f"r{rows}-u{units}-s{seed}-{fmt}"
    if not (path / f"responses.{fmt}").exists():
        print(f"  generating {rows:,} responses, {units} units ({fmt}) into {path} ...", flush=True)
        tmp = path.with_name(path.name + ".part")
        shutil.rmtree(tmp, ignore_errors=True)
        # in a child process: the generator's memory is returned when it ends (this process stays small)
        subprocess.run([PY, "-c", "import sys, cxkit as cx; cx.write_sample(sys.argv[1], rows=int(sys.argv[2]), "
                        "seed=int(sys.argv[3]), fmt=sys.argv[4], units=int(sys.argv[5]))",
                        str(tmp), str(rows), str(seed), fmt, str(units)], check=True, cwd=ROOT)
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
    return path


#: the id columns of each table, made unique per copy
_IDS = {"responses": ("response_id", "customer_id"), "customers": ("customer_id",), "revenue": ("customer_id",),
        "tickets": ("ticket_id", "customer_id")}


def copied_dataset(rows: int, units: int, seed: int) -> Path:
    """``rows`` responses as copies of the generated dataset of :data:`GENERATED_UP_TO` responses: every table
    copied whole, each copy's response, ticket and customer ids suffixed with its number (``~1``, ``~2``, ...),
    so each copy is a company of its own customers in the same units; written a row group at a time."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    base_rows = GENERATED_UP_TO
    if rows % base_rows:
        raise SystemExit(f"bench: {rows:,} responses: past {base_rows:,} use a multiple of it (copies of that dataset)")
    path = CACHE / f"r{rows}-u{units}-s{seed}-parquet-copies"
    if (path / "responses.parquet").exists():
        return path
    base = dataset(base_rows, units, "parquet", seed)
    print(f"  copying {base.name} x{rows // base_rows} into {path} ...", flush=True)
    tmp = path.with_name(path.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in sorted(base.glob("*.parquet")):
        if f.stem not in _IDS:
            shutil.copy(f, tmp / f.name)
            continue
        src = pq.ParquetFile(f)
        with pq.ParquetWriter(tmp / f.name, src.schema_arrow, compression="snappy") as w:
            for copy in range(rows // base_rows):
                for g in range(src.num_row_groups):
                    t = src.read_row_group(g)
                    for c in _IDS[f.stem] if copy else ():
                        if c in t.column_names:
                            kind = t.schema.field(c).type
                            t = t.set_column(t.column_names.index(c), c, pc.binary_join_element_wise(
                                t[c], pa.scalar(f"~{copy}", type=kind), pa.scalar("", type=kind)))
                    w.write_table(t)
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    return path


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# --------------------------------------------------------------------------------------
# 1. metrics


def bench_metrics(rows: int) -> dict:
    import cxkit as cx

    data = dataset(rows, 200, "parquet")
    r = cx.read_table(data / "responses.parquet", "responses").data
    unit = r["unit"]
    print(f"  {len(r):,} responses, {unit.nunique()} units", flush=True)

    def cxkit_way():
        for m in ("nps", "csat", "ces"):
            cx.metric_table(r, metric=m, by="unit")

    codes = unit.cat.codes.to_numpy()
    g = len(unit.cat.categories)
    arrays = {m: (r[m].array._data, r[m].array._mask) for m in ("nps", "csat", "ces")}

    def floor():  # the same counts, nothing else
        data, mask = arrays["nps"]
        ok = ~mask
        np.bincount(codes[ok] * 11 + data[ok], minlength=g * 11)
        for m in ("csat", "ces"):
            data, mask = arrays[m]
            ok = ~mask
            np.bincount(codes[ok], minlength=g)
            np.bincount(codes[ok & (data >= 4)], minlength=g)

    def naive():
        r.groupby("unit", observed=True).apply(lambda d: pd.Series({
            "nps": cx.nps(d["nps"]).value, "csat": cx.csat(d["csat"]).value, "ces": cx.ces(d["ces"]).value}),
            include_groups=False)

    t_cx = best_of(cxkit_way)
    t_floor = best_of(floor)
    t_naive = best_of(naive, repeat=1)
    return {"rows": len(r), "units": int(unit.nunique()), "cxkit_s": t_cx, "floor_s": t_floor, "naive_s": t_naive,
            "cxkit_vs_floor": t_cx / t_floor, "naive_vs_cxkit": t_naive / t_cx}


# --------------------------------------------------------------------------------------
# 2. loading (each in a fresh process, so peak memory is the loader's own)


# Peak memory is the process's own high-water mark (VmHWM). Not ru_maxrss: on Linux a child's
# ru_maxrss starts at its parent's peak (it is inherited through fork and exec), so a measuring
# process that had loaded data would pass its own peak on to every process it starts.
_PEAK = textwrap.dedent("""
    def _vm_hwm_gb(pid="self"):
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024 ** 2
        return float("nan")
""")

_LOAD = _PEAK + textwrap.dedent("""
    import json, sys, time
    import cxkit as cx
    read_table = cx.read_table  # import cxkit is lazy: the loader's modules are imported here, not timed
    t0 = time.perf_counter()
    lr = read_table(sys.argv[1], "responses", errors="quarantine")
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "rows": lr.rows_loaded, "rejected": lr.rows_rejected,
                      "peak_rss_gb": _vm_hwm_gb(), "dtypes": {c: str(t) for c, t in lr.data.dtypes.items()}}))
""")


# The floors of a load: Arrow's own multi-threaded readers of the same file, as issue 24 states the target
# (``pyarrow.csv.read_csv`` with its type inference; ``pyarrow.parquet.read_table``), no pandas. A validated
# load does more (types, checks, line accounting, a DataFrame); its ratio to the floor, measured back to back
# in the same run, is what can be compared across machines and runs.
_ARROW_FLOOR = _PEAK + textwrap.dedent("""
    import json, sys, time
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    t0 = time.perf_counter()
    table = pacsv.read_csv(sys.argv[1]) if sys.argv[1].endswith(".csv") else pq.read_table(sys.argv[1])
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "rows": table.num_rows, "peak_rss_gb": _vm_hwm_gb()}))
""")


# What building the load's DataFrame costs with no check at all: Arrow reads the file already typed as the
# load's columns are (categories as dictionaries, scores as int8, dates as date32), then the cheapest conversion
# to the same pandas dtypes (strings kept in Arrow, dates by numpy, not pandas' astype). Not a target: it shows
# how much of the 1.5x target is left for the checks and the line accounting.
_DATAFRAME_FLOOR = _PEAK + textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    path, dtypes = sys.argv[1], json.loads(sys.argv[2])
    cats = [c for c, t in dtypes.items() if t == "category"]
    t0 = time.perf_counter()
    if path.endswith(".csv"):
        types = {c: pa.dictionary(pa.int32(), pa.string()) for c in cats}
        types.update({c: pa.int8() for c, t in dtypes.items() if t == "Int8"})
        types.update({c: pa.date32() for c, t in dtypes.items() if t.startswith("datetime64")})
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    else:
        table = pq.read_table(path, read_dictionary=cats)

    def mapper(ty):
        if pa.types.is_string(ty) or pa.types.is_large_string(ty):
            return pd.StringDtype("pyarrow")
        return {pa.int8(): pd.Int8Dtype()}.get(ty)

    out = {}
    for name in table.column_names:
        col = table[name]
        if pa.types.is_date32(col.type):
            days = np.asarray(col.combine_chunks().cast(pa.int32()).fill_null(np.iinfo(np.int32).min))
            out[name] = pd.Series(np.where(days == np.iinfo(np.int32).min, np.iinfo(np.int64).min,
                                           days.astype(np.int64) * 86_400_000_000_000).view("M8[ns]"))
        else:
            out[name] = col.to_pandas(types_mapper=mapper)
    del table
    frame = pd.DataFrame(out, copy=False)
    if "_row" in dtypes:
        frame["_row"] = np.arange(2, len(frame) + 2)
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "rows": len(frame), "peak_rss_gb": _vm_hwm_gb(),
                      "same_dtypes": {c: str(t) for c, t in frame.dtypes.items()} == dtypes}))
""")


def _run_json(code: str, *args, source: Path = ROOT) -> dict:
    """Run ``code`` in a fresh process importing cxkit from ``source`` (a checkout); its last line is JSON."""
    out = subprocess.run([PY, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=source)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_load(rows: int, baseline: Path | None = None) -> dict:
    """Load 10M responses from CSV and Parquet, each followed by Arrow's plain read of the same file (best of
    two each, alternating); with ``baseline`` (an earlier checkout, e.g. a git worktree) the CSV load is measured
    with its cxkit too, right after, so the two compare in one run."""
    res = {}
    for fmt in ("csv", "parquet"):
        data = dataset(rows, 200, fmt)
        path = data / f"responses.{fmt}"
        runs, floors, frames = [], [], []
        for _ in range(2):
            runs.append(_run_json(_LOAD, path))
            floors.append(_run_json(_ARROW_FLOOR, path))
            frames.append(_run_json(_DATAFRAME_FLOOR, path, json.dumps(runs[-1]["dtypes"])))
        r = min(runs, key=lambda x: x["seconds"])
        r["file_gb"] = path.stat().st_size / GB
        r["rows_per_s"] = r["rows"] / r["seconds"]
        r["arrow_floor_s"] = min(f["seconds"] for f in floors)
        r["vs_arrow_floor"] = r["seconds"] / r["arrow_floor_s"]
        frame = min(frames, key=lambda x: x["seconds"])
        r["dataframe_floor_s"], r["dataframe_floor_same_dtypes"] = frame["seconds"], frame["same_dtypes"]
        r["dataframe_floor_vs_arrow_floor"] = frame["seconds"] / r["arrow_floor_s"]
        if fmt == "csv" and baseline is not None:
            before = _run_json(_LOAD, path, source=baseline)
            r["baseline"] = {"source": str(baseline), "seconds": before["seconds"], "rows": before["rows"],
                             "peak_rss_gb": before["peak_rss_gb"], "commit": _commit(baseline)}
            r["vs_baseline"] = r["seconds"] / before["seconds"]
        res[fmt] = r
    return res


def _commit(source: Path) -> str | None:
    out = subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or None


# --------------------------------------------------------------------------------------
# 3 + 4. the batch, and the parent's peak memory


_BATCH = _PEAK + textwrap.dedent("""
    import json, os, sys, threading, time
    import pandas as pd
    from cxkit.report import run_batch

    PAGE = os.sysconf("SC_PAGE_SIZE")
    peaks = {"child": 0.0, "tree": 0.0}
    done = threading.Event()

    def watch():  # resident size of every descendant (pool workers, kernels), 4 times a second
        me = os.getpid()
        while not done.wait(0.25):
            procs = {}
            for d in os.listdir("/proc"):
                if d.isdigit():
                    try:
                        with open(f"/proc/{d}/stat") as fh:
                            f = fh.read().rsplit(")", 1)[1].split()
                        procs[int(d)] = (int(f[1]), int(f[21]) * PAGE / 1024 ** 3)
                    except (OSError, IndexError, ValueError):
                        pass
            desc, frontier = set(), {me}
            while frontier:
                frontier = {p for p, (pp, _) in procs.items() if pp in frontier and p not in desc}
                desc |= frontier
            peaks["child"] = max([peaks["child"]] + [procs[p][1] for p in desc])
            peaks["tree"] = max(peaks["tree"], sum(procs[p][1] for p in desc | {me} if p in procs))

    data, out, workers, kernels, first = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    units = None
    if first:  # only the first units of the units table: the batch's memory is then prepare's
        units = sorted(pd.read_parquet(os.path.join(data, "units.parquet"), columns=["unit"])["unit"])[:first]
    threading.Thread(target=watch, daemon=True).start()
    t0 = time.perf_counter()
    res = run_batch(data, out, workers=workers, progress=False, units=units, fresh_kernels=kernels == "fresh")
    dt = time.perf_counter() - t0
    done.set()
    u = res.units
    print(json.dumps({"seconds": dt, "done": int((u["status"] == "done").sum()), "units": len(u),
                      "prepare_s": res.manifest["prepare_s"], "unit_mean_s": float(u["duration_s"].mean()),
                      "overhead_mean_s": float(u["overhead_s"].mean()) if "overhead_s" in u else None,
                      "overhead_max_s": float(u["overhead_s"].max()) if "overhead_s" in u else None,
                      "peak_rss_gb": _vm_hwm_gb(), "child_peak_rss_gb": peaks["child"],
                      "tree_peak_rss_gb": peaks["tree"], "failed": res.failed["error"].tolist()}))
""")

_FLOOR = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from cxkit.report.executors import _run_local
    n, workers, nb, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    tasks = [{"group": f"u{i}", "slug": f"u{i}", "notebook": nb, "parameters": {"unit": f"u{i}"}, "timeout": 600,
              "output": str(out / "notebooks" / f"u{i}.ipynb"), "html": str(out / "units" / f"u{i}.html"), "pdf": None,
              "fingerprint": "", "banner": {}, "render": False, "fresh_kernel": True} for i in range(n)]
    t0 = time.perf_counter()
    results = list(_run_local(tasks, workers, False))
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "done": sum(r["status"] == "done" for r in results)}))
""")


def trivial_notebook(path: Path) -> Path:
    """Kernel start + the imports a report needs: the retired floor of issue 7."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('unit: str = ""  # unit')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import cxkit as cx\nimport cxkit.report, cxkit.stats, cxkit.plots"
                                                  "\n%matplotlib inline")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


_VOLATILE = [(re.compile(p), r) for p, r in (
    (r"<dc:date>[^<]*</dc:date>", ""),  # SVG metadata: when the figure was drawn
    (r'\b(id|clip-path|xlink:href|href)="[^"]*"', r'\1=""'),  # SVG ids (random per drawing)
    (r"url\(#[^)]*\)", "url(#)"),
    (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", "TIMESTAMP"))]


def _outputs(path: Path) -> list:
    """A notebook's cell outputs with what changes from run to run (times, SVG ids) blanked."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = json.dumps([(c.get("execution_count"), c.get("outputs")) for c in cells if c["cell_type"] == "code"],
                      sort_keys=True)
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return json.loads(text)


def differing_reports(a: Path, b: Path) -> list[str]:
    """Notebooks of two batches whose outputs differ (or that only one batch has), timestamps aside."""
    names = {p.name for p in (a / "notebooks").glob("*.ipynb")} | {p.name for p in (b / "notebooks").glob("*.ipynb")}
    return sorted(n for n in names if not ((a / "notebooks" / n).exists() and (b / "notebooks" / n).exists())
                  or _outputs(a / "notebooks" / n) != _outputs(b / "notebooks" / n))


def bench_batch(rows: int, units: int, workers: int) -> dict:
    """The batch with warm kernels against the same batch with --fresh-kernels, back to back."""
    data = dataset(rows, units, "parquet", seed=7)
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        tmp = Path(tmp)
        fresh = _run_json(_BATCH, data, tmp / "fresh", workers, "fresh", 0)
        warm = _run_json(_BATCH, data, tmp / "warm", workers, "warm", 0)
        differ = differing_reports(tmp / "fresh", tmp / "warm")
    return {"rows": rows, "units": units, "workers": workers, "batch_s": warm["seconds"],
            "fresh_batch_s": fresh["seconds"], "fresh_vs_warm": fresh["seconds"] / warm["seconds"],
            "prepare_s": warm["prepare_s"], "fresh_prepare_s": fresh["prepare_s"],
            "unit_mean_s": warm["unit_mean_s"], "fresh_unit_mean_s": fresh["unit_mean_s"],
            "overhead_mean_s": warm["overhead_mean_s"], "overhead_max_s": warm["overhead_max_s"],
            "fresh_overhead_mean_s": fresh["overhead_mean_s"], "reports_differing": differ,
            "done": warm["done"], "fresh_done": fresh["done"], "failed": warm["failed"] + fresh["failed"],
            "parent_peak_rss_gb": warm["peak_rss_gb"], "largest_child_peak_rss_gb": warm["child_peak_rss_gb"],
            "process_tree_peak_rss_gb": warm["tree_peak_rss_gb"]}


def bench_floor(rows: int, units: int, workers: int) -> dict:
    """Issue 7's retired target: the batch against 50 trivial notebooks, each in a fresh kernel."""
    data = dataset(rows, units, "parquet", seed=7)
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        tmp = Path(tmp)
        floor = _run_json(_FLOOR, units, workers, trivial_notebook(tmp / "trivial.ipynb"), tmp / "floor")
        batch = _run_json(_BATCH, data, tmp / "batch", workers, "warm", 0)
    return {"rows": rows, "units": units, "floor_s": floor["seconds"], "batch_s": batch["seconds"],
            "batch_vs_floor": batch["seconds"] / floor["seconds"]}


# --------------------------------------------------------------------------------------
# 6. every public analysis call at 2M responses, 7. import cxkit, 8. memory against rows


_CALLS = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[2])
    from calls import bench_calls
    print(json.dumps(bench_calls(int(sys.argv[1]))))
""")


def bench_calls_section(rows: int = 2_000_000) -> dict:
    return _run_json(_CALLS, rows, ROOT / "bench")


_IMPORT = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    exec(sys.argv[1])
    print(json.dumps({"seconds": time.perf_counter() - t0}))
""")

IMPORTS = {"import cxkit": "import cxkit", "import pandas": "import pandas",
           "import cxkit, then its first metric": "import cxkit as cx; cx.nps",
           "import cxkit, then a report's names": "import cxkit as cx; cx.open_report; cx.show_part; cx.plot_trend"}


def bench_import(repeat: int = 5) -> dict:
    """Each import in a fresh interpreter, ``repeat`` times: the best and the median (seconds)."""
    res = {}
    for name, code in IMPORTS.items():
        times = sorted(_run_json(_IMPORT, code)["seconds"] for _ in range(repeat))
        res[name] = {"best_s": times[0], "median_s": times[len(times) // 2]}
    return {"imports": res}


def bench_scale(rows_list: list[int], workers: int) -> dict:
    """The batch parent's peak memory at each size (two units reported: the rest is prepare's)."""
    res = {}
    for rows in rows_list:
        data = dataset(rows, 50, "parquet", seed=7)
        with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
            r = _run_json(_BATCH, data, Path(tmp) / "batch", workers, "warm", 2)
        res[str(rows)] = {"seconds": r["seconds"], "prepare_s": r["prepare_s"], "done": r["done"],
                          "parent_peak_rss_gb": r["peak_rss_gb"], "process_tree_peak_rss_gb": r["tree_peak_rss_gb"]}
    return {"sizes": res}


# --------------------------------------------------------------------------------------
# 5. generation


_GEN = textwrap.dedent("""
    import json, sys, time
    import cxkit as cx
    t0 = time.perf_counter()
    cx.write_sample(sys.argv[1], rows=int(sys.argv[2]), seed=11, fmt=sys.argv[3], units=200)
    print(json.dumps({"seconds": time.perf_counter() - t0}))
""")


def bench_generate(rows: int) -> dict:
    res = {}
    for fmt in ("parquet", "csv"):
        with tempfile.TemporaryDirectory(prefix="cxkit-gen-") as tmp:
            res[fmt] = _run_json(_GEN, tmp, rows, fmt)["seconds"]
    return res


# --------------------------------------------------------------------------------------


SECTIONS = ("generate", "metrics", "load", "batch", "calls", "import", "scale", "floor")
DEFAULT = "metrics,load,batch,generate,calls,import,scale"


def _checks(results: dict) -> list[tuple]:
    """(name, value, target, met) for every section present in the results."""
    checks = []
    for key in ("generate", "metrics", "load", "batch", "calls", "import", "scale", "floor"):
        if key in results:
            try:
                checks += globals()[f"_checks_{key}"](results[key])
            except KeyError:  # a section written by an older version of this benchmark
                checks.append((f"{key}: measured by an older benchmark", "-", f"run --only {key}", False))
    return checks


def _checks_generate(g: dict) -> list[tuple]:
    return [("generation of 10M responses (Parquet)", f"{g['parquet']:.1f} s", "< 60 s", g["parquet"] < 60),
            ("generation of 10M responses (CSV)", f"{g['csv']:.1f} s", "< 60 s", g["csv"] < 60)]


def _checks_metrics(m: dict) -> list[tuple]:
    return [("metrics: cxkit / bincount floor", f"{m['cxkit_vs_floor']:.2f}x", "<= 2x", m["cxkit_vs_floor"] <= 2),
            ("metrics: naive / cxkit", f"{m['naive_vs_cxkit']:.1f}x", ">= 3x", m["naive_vs_cxkit"] >= 3)]


def _checks_load(load: dict) -> list[tuple]:
    checks = []
    for fmt, floor in (("csv", "pyarrow.csv.read_csv"), ("parquet", "pyarrow.parquet.read_table")):
        ld = load[fmt]
        checks.append((f"load {fmt}: time / peak memory", f"{ld['seconds']:.1f} s / {ld['peak_rss_gb']:.2f} GB",
                       "(measured)", True))
        checks.append((f"load + validation {fmt} / {floor} (same run)",
                       f"{ld['vs_arrow_floor']:.2f}x ({ld['seconds']:.1f} s vs {ld['arrow_floor_s']:.1f} s)",
                       "<= 1.5x", ld["vs_arrow_floor"] <= 1.5))
        if "dataframe_floor_s" in ld:
            same = "" if ld["dataframe_floor_same_dtypes"] else ", not the same dtypes"
            checks.append((f"  the same DataFrame with no check at all / {floor}",
                           f"{ld['dataframe_floor_vs_arrow_floor']:.2f}x ({ld['dataframe_floor_s']:.1f} s{same})",
                           "(measured)", True))
    ld = load["csv"]
    if "vs_baseline" in ld:
        b = ld["baseline"]
        checks.append((f"load csv / the same load by {b['commit'] or b['source']} (same run)",
                       f"{ld['vs_baseline']:.2f}x ({ld['seconds']:.1f} s vs {b['seconds']:.1f} s)", "<= 1.05x",
                       ld["vs_baseline"] <= 1.05))
    return checks


def _checks_batch(b: dict) -> list[tuple]:
    over = b.get("overhead_mean_s")
    fresh_units, warm_units = b["fresh_batch_s"] - b["fresh_prepare_s"], b["batch_s"] - b["prepare_s"]
    return [
        (f"batch of {b['units']} units: --fresh-kernels / warm kernels (same run)",
         f"{b['fresh_vs_warm']:.2f}x ({b['fresh_batch_s']:.0f} s vs {b['batch_s']:.0f} s)", ">= 2x",
         b["fresh_vs_warm"] >= 2),
        ("  the same reports (timestamps aside)", f"{len(b['reports_differing'])} differ", "0",
         not b["reports_differing"] and b["done"] == b["fresh_done"] == b["units"]),
        ("  a unit beyond its own notebook work (mean, max)",
         "n/a" if over is None else f"{over:.2f} s, {b['overhead_max_s']:.2f} s", "<= 0.3 s",
         over is not None and over <= 0.3),
        ("  the units' phase (the batch after prepare): fresh / warm",
         f"{fresh_units / warm_units:.2f}x ({fresh_units:.0f} s vs {warm_units:.0f} s)", "(measured)", True),
        ("  prepare, then a unit on average (warm / fresh)",
         f"{b['prepare_s']:.0f} s, {b['unit_mean_s']:.1f} s / {b['fresh_unit_mean_s']:.1f} s", "(measured)", True),
        ("batch parent peak memory", f"{b['parent_peak_rss_gb']:.2f} GB", "<= 2 GB", b["parent_peak_rss_gb"] <= 2),
        ("largest other batch process, peak memory", f"{b['largest_child_peak_rss_gb']:.2f} GB", "(measured)", True),
        ("all batch processes together, peak memory", f"{b['process_tree_peak_rss_gb']:.2f} GB", "(measured)", True)]


def _checks_calls(c: dict) -> list[tuple]:
    size = f"{c.get('rows', 0) / 1e6:.0f}M responses"
    first = c.get("first_calls", {})
    # each call within 2 s, the first run in a session too (it is what an analyst waits for once)
    return [(f"{name} at {size}", f"{sec:.2f} s" + (f" (first run {first[name]:.2f} s)" if name in first else ""),
             "<= 2 s", sec <= 2 and first.get(name, 0) <= 2) for name, sec in c["calls"].items()]


def _checks_import(imp: dict) -> list[tuple]:
    return [(f"{name} (best of 5, median)", f"{v['best_s']:.2f} s, {v['median_s']:.2f} s",
             "<= 0.7 s" if name == "import cxkit" else "(measured)",
             v["best_s"] <= 0.7 if name == "import cxkit" else True) for name, v in imp["imports"].items()]


def _checks_scale(scale: dict) -> list[tuple]:
    sc = scale["sizes"]
    checks = [(f"batch parent peak memory at {int(rows) / 1e6:.0f}M responses", f"{v['parent_peak_rss_gb']:.2f} GB "
               f"(prepare {v['prepare_s']:.0f} s)", "<= 4 GB", v["parent_peak_rss_gb"] <= 4) for rows, v in sc.items()]
    if len(sc) >= 2:
        (r0, a), (r1, b) = sorted(sc.items(), key=lambda kv: int(kv[0]))[:: len(sc) - 1]
        growth = b["parent_peak_rss_gb"] / a["parent_peak_rss_gb"]
        # issue 24, target 6: flat memory is the proof asked for when 100M does not fit a bench run; with 100M
        # measured, the 4 GB there is the target and the growth is shown for what it says about the limit
        measured_100m = int(r1) >= 100_000_000
        checks.append((f"  memory growth {int(r0) / 1e6:.0f}M -> {int(r1) / 1e6:.0f}M rows "
                       f"({int(r1) / int(r0):.0f}x the rows)", f"{growth:.2f}x",
                       "shown (100M measured)" if measured_100m else "flat (<= 1.2x), without a 100M run",
                       measured_100m or growth <= 1.2))
    return checks


def _checks_floor(f: dict) -> list[tuple]:
    return [(f"retired (issue 7): batch / {f['units']} trivial notebooks", f"{f['batch_vs_floor']:.2f}x "
             f"({f['batch_s']:.0f} s vs {f['floor_s']:.0f} s)", "(retired)", True)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--batch-units", type=int, default=50)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", default=DEFAULT, help=f"sections, comma-separated, of {','.join(SECTIONS)}")
    ap.add_argument("--scale-rows", default="10000000,30000000,100000000")
    ap.add_argument("--calls-rows", type=int, default=2_000_000)
    ap.add_argument("--baseline", type=Path, default=None,
                    help="an earlier checkout (e.g. git worktree add ../base COMMIT) whose CSV load is measured "
                         "in the same run for comparison")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    CACHE.mkdir(parents=True, exist_ok=True)
    # the quoted figures are at 10M responses; quick runs at other sizes go to their own file
    out = ROOT / "bench" / ("results.json" if args.rows == 10_000_000 else f"results-{args.rows}.json")
    print(f"cxkit benchmark on {os.cpu_count()} CPUs, {args.rows:,} responses")
    date = time.strftime("%Y-%m-%d")
    # a partial run (--only) replaces its own sections and keeps the others, each dated
    results = json.loads(out.read_text()) if out.exists() and only != set(DEFAULT.split(",")) else {}
    if results.get("rows") != args.rows:  # sections measured at another size are not mixed in
        results = {}
    results.update({"machine": machine(), "rows": args.rows})
    sections = {
        "generate": ("5. sample-data generation", lambda: bench_generate(args.rows)),
        "metrics": ("1. metrics per unit", lambda: bench_metrics(args.rows)),
        "load": ("2. loading", lambda: bench_load(args.rows, args.baseline)),
        "batch": ("3./4. report batch, warm kernels and --fresh-kernels",
                  lambda: bench_batch(args.rows, args.batch_units, args.workers)),
        "calls": (f"6. every public analysis call at {args.calls_rows:,} responses",
                  lambda: bench_calls_section(args.calls_rows)),
        "import": ("7. import cxkit", bench_import),
        "scale": ("8. the batch parent's memory against rows",
                  lambda: bench_scale([int(r) for r in args.scale_rows.split(",")], args.workers)),
        "floor": ("(retired) the batch against trivial notebooks",
                  lambda: bench_floor(args.rows, args.batch_units, args.workers)),
    }
    for name in SECTIONS:
        if name in only:
            label, run = sections[name]
            print(f"{label} ...", flush=True)
            results[name] = {**run(), "measured": date}
            out.write_text(json.dumps(results, indent=2, default=str))  # a later section's failure loses nothing
    checks = _checks(results)
    print()
    width = max(len(c[0]) for c in checks) if checks else 10
    for name, value, target, ok in checks:
        print(f"{name:<{width}}  {value:>28}  target {target:<10} {'ok' if ok else 'MISSED'}")
    results["checks"] = [{"name": n, "value": v, "target": t, "ok": ok} for n, v, t, ok in checks]
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
