"""The time ``cxkit.load`` takes to read and validate the responses, as a ratio to Arrow's plain read.

``bench_load_ratio(path_csv, path_parquet)`` measures in one run, on the same files:

- ``pyarrow.csv.read_csv`` of the responses CSV, against ``cx.load(folder, tables=("units", "responses"))``
  of the folder holding it (the units table is read too, so that every response's unit is checked against
  it, as in a full load; it is a file of a few hundred rows);
- ``pyarrow.parquet.read_table`` of the responses Parquet file, against the same load of its folder.

Each timing is the best of ``repeat`` runs (default 1: a 10M-row load is long), Arrow's read first, so that
both read a file the page cache holds. Run as a script: ``python bench/load_ratio.py CSV_FOLDER PARQUET_FOLDER``.
"""
from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["bench_load_ratio"]


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        del out
    return best


def _responses_file(path: Path, suffix: str) -> Path:
    path = Path(path)
    return path if path.is_file() else path / f"responses{suffix}"


def _measure(path: Path, suffix: str, arrow_read, repeat: int) -> dict:
    import cxkit as cx

    file = _responses_file(path, suffix)
    arrow = _best(lambda: arrow_read(file), repeat)
    load = _best(lambda: cx.load(file.parent, tables=("units", "responses"), errors="quarantine"), repeat)
    return {"file": str(file), "arrow_s": round(arrow, 3), "load_s": round(load, 3), "ratio": round(load / arrow, 2)}


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
        ``csv_ratio`` and ``parquet_ratio`` (load time / Arrow's read time), and ``csv`` / ``parquet``
        with the file and both times in seconds.
    """
    csv = _measure(Path(path_csv), ".csv", pacsv.read_csv, repeat)
    parquet = _measure(Path(path_parquet), ".parquet", pq.read_table, repeat)
    return {"csv_ratio": csv["ratio"], "parquet_ratio": parquet["ratio"], "csv": csv, "parquet": parquet}


if __name__ == "__main__":
    print(json.dumps(bench_load_ratio(sys.argv[1], sys.argv[2]), indent=2))
