"""The time ``cxkit.load`` takes to read and validate the responses, as a ratio to Arrow's plain read.

``bench_load_ratio(path_csv, path_parquet)`` measures in one run, on the same files:

- ``pyarrow.csv.read_csv`` of the responses CSV, against ``cx.load(folder, tables=("units", "responses"))``
  of the folder holding it (the units table is read too, so that every response's unit is checked against
  it, as in a full load; it is a file of a few hundred rows);
- ``pyarrow.parquet.read_table`` of the responses Parquet file, against the same load of its folder.

Each timing is the best of ``repeat`` runs (default 1: a 10M-row load is long), Arrow's read first, so that
both read a file the page cache holds. The ratios are of wall-clock times; the CPU times of the process (user +
system, all threads) are given too, with their ratios, since wall times swing widely on a shared machine.
Run as a script: ``python bench/load_ratio.py CSV_FOLDER PARQUET_FOLDER``.
"""
from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["bench_load_ratio"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _best(fn, repeat: int) -> tuple[float, float]:
    """The shortest wall time of ``repeat`` calls, and the CPU time of that call."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), _cpu()
        out = fn()
        best = min(best, (time.perf_counter() - t0, _cpu() - c0))
        del out
    return best


def _responses_file(path: Path, suffix: str) -> Path:
    path = Path(path)
    return path if path.is_file() else path / f"responses{suffix}"


def _measure(path: Path, suffix: str, arrow_read, repeat: int) -> dict:
    import cxkit as cx

    file = _responses_file(path, suffix)
    arrow, arrow_cpu = _best(lambda: arrow_read(file), repeat)
    load, load_cpu = _best(lambda: cx.load(file.parent, tables=("units", "responses"), errors="quarantine"), repeat)
    return {"file": str(file), "arrow_s": round(arrow, 3), "load_s": round(load, 3), "ratio": round(load / arrow, 2),
            "arrow_cpu_s": round(arrow_cpu, 3), "load_cpu_s": round(load_cpu, 3),
            "cpu_ratio": round(load_cpu / arrow_cpu, 2)}


def bench_load_ratio(path_csv, path_parquet, *, repeat: int = 1) -> dict:
    """Ratios of cxkit's load + validation of the responses to Arrow's plain read of the same file.

    Parameters
    ----------
    path_csv : str or pathlib.Path
        A data folder with ``responses.csv`` (and optionally ``units.csv``), or the responses CSV itself.
    path_parquet : str or pathlib.Path
        A data folder with ``responses.parquet``, or the responses Parquet file itself.
    repeat : int, default 1
        Runs of each timing; the best is kept.

    Returns
    -------
    dict
        ``csv_ratio`` and ``parquet_ratio`` (load time / Arrow's read time, wall clock), and ``csv`` /
        ``parquet`` with the file, both wall times and both CPU times in seconds, and ``cpu_ratio``.
    """
    csv = _measure(Path(path_csv), ".csv", pacsv.read_csv, repeat)
    parquet = _measure(Path(path_parquet), ".parquet", pq.read_table, repeat)
    return {"csv_ratio": csv["ratio"], "parquet_ratio": parquet["ratio"], "csv": csv, "parquet": parquet}


if __name__ == "__main__":
    print(json.dumps(bench_load_ratio(sys.argv[1], sys.argv[2]), indent=2))
