"""cxkit benchmark: prints ratios measured in one run on this machine (``make bench``).

1. metrics per unit (NPS, CSAT, CES with intervals, 200 units, 10M responses):
   cxkit vs a plain numpy.bincount of the same counts (the floor) and vs a naive
   groupby(...).apply(lambda ...). Targets: <= 2x the floor, >= 3x faster than naive.
2. loading 10M responses from CSV and from Parquet: time and peak memory; the CSV load's ratio to
   Arrow's plain read of the same file, and with --baseline DIR to the same load by an earlier checkout
   (measured right after it, in the same run). Target: not slower than the baseline (<= 1.05x).
3. the report batch end-to-end (execute + render HTML) for 50 units from a 10M-response dataset
   vs the same pool executing 50 trivial notebooks (kernel start + imports). Target <= 1.5x.
4. peak resident memory of the batch parent at 10M responses. Target <= 2 GB. The largest other
   process (a pool worker, also the one that reads tables in prepare, or a kernel) and the peak of all of them
   together (sampled 4 times a second; shared pages counted once per process) are printed too.
5. sample-data generation at 10M responses. Target < 60 s.

Data are generated with fixed seeds and cached in bench/data/ between runs. Results are printed
and written to bench/results.json (a run with --only replaces its own sections, each dated, and
keeps the others; runs at another --rows go to bench/results-ROWS.json); docs/benchmarks.md quotes
them.

    python bench/run.py [--rows 10000000] [--only metrics,load,batch,generate] [--workers N] [--baseline DIR]
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


def dataset(rows: int, units: int, fmt: str, seed: int = 2026) -> Path:
    """Generated data, cached by (rows, units, seed, format)."""
    import cxkit as cx

    path = CACHE / f"r{rows}-u{units}-s{seed}-{fmt}"
    if not (path / f"responses.{fmt}").exists():
        print(f"  generating {rows:,} responses, {units} units ({fmt}) into {path} ...", flush=True)
        tmp = path.with_name(path.name + ".part")
        shutil.rmtree(tmp, ignore_errors=True)
        cx.write_sample(tmp, rows=rows, seed=seed, fmt=fmt, units=units)
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
    t0 = time.perf_counter()
    lr = cx.read_table(sys.argv[1], "responses", errors="quarantine")
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "rows": lr.rows_loaded, "rejected": lr.rows_rejected,
                      "peak_rss_gb": _vm_hwm_gb()}))
""")


# The floor of a CSV load: Arrow's own multi-threaded reader, every column as text, into pandas. A
# validated load does more (types, checks, line accounting); its ratio to this floor, measured in the
# same run, is what can be compared across machines and runs.
_ARROW_FLOOR = _PEAK + textwrap.dedent("""
    import json, sys, time
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv
    t0 = time.perf_counter()
    names = pacsv.open_csv(sys.argv[1]).schema.names
    table = pacsv.read_csv(sys.argv[1], convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}))
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow") if pa.types.is_string(t) else None)
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "rows": len(frame), "peak_rss_gb": _vm_hwm_gb()}))
""")


def _run_json(code: str, *args, source: Path = ROOT) -> dict:
    """Run ``code`` in a fresh process importing cxkit from ``source`` (a checkout); its last line is JSON."""
    out = subprocess.run([PY, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=source)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_load(rows: int, baseline: Path | None = None) -> dict:
    """Load 10M responses from CSV and Parquet; with ``baseline`` (an earlier checkout, e.g. a git worktree)
    the CSV load is measured with its cxkit too, right after, so the two compare in one run."""
    res = {}
    for fmt in ("csv", "parquet"):
        data = dataset(rows, 200, fmt)
        size = (data / f"responses.{fmt}").stat().st_size
        r = _run_json(_LOAD, data / f"responses.{fmt}")
        r["file_gb"] = size / GB
        r["rows_per_s"] = r["rows"] / r["seconds"]
        if fmt == "csv":
            floor = _run_json(_ARROW_FLOOR, data / "responses.csv")
            r["arrow_floor_s"] = floor["seconds"]
            r["vs_arrow_floor"] = r["seconds"] / floor["seconds"]
            if baseline is not None:
                before = _run_json(_LOAD, data / "responses.csv", source=baseline)
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

    threading.Thread(target=watch, daemon=True).start()
    t0 = time.perf_counter()
    res = run_batch(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]), progress=False)
    dt = time.perf_counter() - t0
    done.set()
    print(json.dumps({"seconds": dt, "done": int((res.units["status"] == "done").sum()), "units": len(res.units),
                      "prepare_s": res.manifest["prepare_s"], "unit_mean_s": float(res.units["duration_s"].mean()),
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
              "fingerprint": "", "banner": {}, "render": False} for i in range(n)]
    t0 = time.perf_counter()
    results = list(_run_local(tasks, workers, False))
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "done": sum(r["status"] == "done" for r in results)}))
""")


def trivial_notebook(path: Path) -> Path:
    """Kernel start + the imports a report needs: the floor of any notebook batch."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('unit: str = ""  # unit')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import cxkit as cx\n%matplotlib inline")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def bench_batch(rows: int, units: int, workers: int) -> dict:
    data = dataset(rows, units, "parquet", seed=7)
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        tmp = Path(tmp)
        nb = trivial_notebook(tmp / "trivial.ipynb")
        # the floor is measured before and after the batch: on a shared or virtual machine the speed drifts
        # between runs (the same floor measured 56-89 s here in one day), and the mean of both brackets the batch
        before = _run_json(_FLOOR, units, workers, nb, tmp / "floor1")
        batch = _run_json(_BATCH, data, tmp / "batch", workers)
        after = _run_json(_FLOOR, units, workers, nb, tmp / "floor2")
    floor = (before["seconds"] + after["seconds"]) / 2
    return {"rows": rows, "units": units, "workers": workers, "batch_s": batch["seconds"], "floor_s": floor,
            "floor_before_s": before["seconds"], "floor_after_s": after["seconds"],
            "prepare_s": batch["prepare_s"], "unit_mean_s": batch["unit_mean_s"],
            "floor_unit_s": floor * workers / units,
            "batch_vs_floor": batch["seconds"] / floor, "done": batch["done"], "failed": batch["failed"],
            "parent_peak_rss_gb": batch["peak_rss_gb"], "largest_child_peak_rss_gb": batch["child_peak_rss_gb"],
            "process_tree_peak_rss_gb": batch["tree_peak_rss_gb"]}


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


SECTIONS = ("generate", "metrics", "load", "batch")



def _checks(results: dict) -> list[tuple]:
    """(name, value, target, met) for every section present in the results."""
    checks = []
    if "generate" in results:
        g = results["generate"]
        checks.append(("generation of 10M responses (Parquet)", f"{g['parquet']:.1f} s", "< 60 s", g["parquet"] < 60))
        checks.append(("generation of 10M responses (CSV)", f"{g['csv']:.1f} s", "< 60 s", g["csv"] < 60))
    if "metrics" in results:
        m = results["metrics"]
        checks.append(("metrics: cxkit / bincount floor", f"{m['cxkit_vs_floor']:.2f}x", "<= 2x",
                       m["cxkit_vs_floor"] <= 2))
        checks.append(("metrics: naive / cxkit", f"{m['naive_vs_cxkit']:.1f}x", ">= 3x", m["naive_vs_cxkit"] >= 3))
    if "load" in results:
        for fmt in ("csv", "parquet"):
            ld = results["load"][fmt]
            checks.append((f"load {fmt}: time / peak memory", f"{ld['seconds']:.1f} s / {ld['peak_rss_gb']:.2f} GB",
                           "(measured)", True))
        ld = results["load"]["csv"]
        if "vs_arrow_floor" in ld:
            checks.append(("load csv / Arrow's plain text read (same run)",
                           f"{ld['vs_arrow_floor']:.2f}x ({ld['seconds']:.1f} s vs {ld['arrow_floor_s']:.1f} s)",
                           "(measured)", True))
        if "vs_baseline" in ld:
            b = ld["baseline"]
            checks.append((f"load csv / the same load by {b['commit'] or b['source']} (same run)",
                           f"{ld['vs_baseline']:.2f}x ({ld['seconds']:.1f} s vs {b['seconds']:.1f} s)", "<= 1.05x",
                           ld["vs_baseline"] <= 1.05))
    if "batch" in results:
        b = results["batch"]
        checks.append((f"batch of {b['units']} units / trivial-notebook floor", f"{b['batch_vs_floor']:.2f}x "
                       f"({b['batch_s']:.0f} s vs {b['floor_s']:.0f} s)", "<= 1.5x", b["batch_vs_floor"] <= 1.5))
        if "floor_before_s" in b:
            checks.append(("  floor before / after the batch",
                           f"{b['floor_before_s']:.0f} s / {b['floor_after_s']:.0f} s", "(measured)", True))
            checks.append(("  batch: prepare, then a unit on average",
                           f"{b['prepare_s']:.0f} s, {b['unit_mean_s']:.1f} s (trivial {b['floor_unit_s']:.1f} s)",
                           "(measured)", True))
        checks.append(("batch parent peak memory", f"{b['parent_peak_rss_gb']:.2f} GB", "<= 2 GB",
                       b["parent_peak_rss_gb"] <= 2))
        if "process_tree_peak_rss_gb" in b:  # pool workers (one reads tables in prepare) and kernels (sampled)
            checks.append(("largest other batch process, peak memory", f"{b['largest_child_peak_rss_gb']:.2f} GB",
                           "(measured)", True))
            checks.append(("all batch processes together, peak memory", f"{b['process_tree_peak_rss_gb']:.2f} GB",
                           "(measured)", True))
    return checks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--batch-units", type=int, default=50)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", default="metrics,load,batch,generate")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="an earlier checkout (e.g. git worktree add ../base COMMIT) whose CSV load is measured "
                         "in the same run for comparison")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    CACHE.mkdir(parents=True, exist_ok=True)
    # the quoted figures are at 10M responses; quick runs at other sizes go to their own file
    out = ROOT / "bench" / ("results.json" if args.rows == 10_000_000 else f"results-{args.rows}.json")
    print(f"cxkit benchmark on {os.cpu_count()} CPUs, {args.rows:,} responses")
    measured = {"machine": machine(), "rows": args.rows, "date": time.strftime("%Y-%m-%d")}
    if "generate" in only:
        print("5. sample-data generation ...", flush=True)
        measured["generate"] = bench_generate(args.rows)
    if "metrics" in only:
        print("1. metrics per unit ...", flush=True)
        measured["metrics"] = bench_metrics(args.rows)
    if "load" in only:
        print("2. loading ...", flush=True)
        measured["load"] = bench_load(args.rows, args.baseline)
    if "batch" in only:
        print("3./4. report batch ...", flush=True)
        measured["batch"] = bench_batch(args.rows, args.batch_units, args.workers)
    # a partial run (--only) replaces its own sections and keeps the others, each dated
    results = json.loads(out.read_text()) if out.exists() and only != set(SECTIONS) else {}
    if results.get("rows") != args.rows:  # sections measured at another size are not mixed in
        results = {}
    for name in SECTIONS:
        if name in measured:
            results[name] = {**measured[name], "measured": measured["date"]}
    results.update({k: measured[k] for k in ("machine", "rows")})
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
