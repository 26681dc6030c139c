"""The fast path of a load gives what the exact path gives.

The fast path: one threaded scan of a CSV's bytes for the encoding facts and the quote trouble together
(:mod:`cxkit.data.readers.scan`), category and score columns read dictionary-encoded by Arrow, and dates written
``YYYY-MM-DD`` parsed by Arrow's cast (:func:`cxkit.data.convert.dates._iso_dates`). The exact path: the two
separate scans (:func:`~cxkit.data.readers.encoding._scan`, :func:`~cxkit.data.readers.csv_lines._quote_trouble`),
every column read as text, and every date through the general path (a regular expression per format and
pandas' parser).

Files carry planted errors of each kind; the rows they sit on are known from how the files are written here
(independently of cxkit), and both paths must give the same DataFrame and the same rejections (line, column,
value, expected text), for CSV and Parquet. The last tests put bad lines in different Arrow blocks (blocks
made small) and check that every line is accounted for.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cxkit as cx
from cxkit.data.convert import dates
from cxkit.data.validate import _Validator
from cxkit.data.readers import csv_files, scan
from cxkit.data.readers.csv_lines import _quote_trouble
from cxkit.data.readers.encoding import BLOCK_SIZE, _scan

TODAY = dt.date(2026, 1, 15)
HEADER = ["response_id", "unit", "date", "nps", "csat", "comment"]

#: value errors planted in otherwise clean rows: (column, value written) - each must reject or repair its row
PLANTED = [
    ("date", "2025-02-30"),  # no such day
    ("date", "2025-13-01"),  # no such month
    ("date", "yesterday"),  # not a date
    ("date", "9999-12-31"),  # a placeholder for "no end date"
    ("date", "2030-06-01"),  # in the future (TODAY is fixed)
    ("date", "1850-01-01"),  # before 1900
    ("date", ""),  # missing in a required column
    ("date", "15.03.2025"),  # another format: read, and the column then mixes formats (a repair)
    ("nps", "11"),  # outside the scale
    ("nps", "abc"),  # text in a score
    ("nps", "#N/A"),  # Excel's error value
    ("csat", "N/A"),  # placeholder in an optional score: read as empty (a repair)
    ("response_id", ""),  # missing id
    ("response_id", "DUP"),  # a copy of an earlier id
    ("unit", ""),  # missing unit
    ("unit", " u1 "),  # a spelling variant of U1: unified (a repair)
    ("nps", " 7"),  # surrounding space
    ("csat", "4.0"),  # a whole number written with a decimal
]


def _rows(n: int, seed: int = 5) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    words = ["gera", "bloga, lėta", "ilgai laukiau", "", "ąčęėįšųūž", 'sakė "puiku"']
    rows = []
    for i in range(n):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(700)))
        rows.append([f"R{i}", f"U{rng.integers(4)}", day.isoformat(), str(rng.integers(11)),
                     str(rng.integers(1, 6)), words[rng.integers(len(words))]])
    return rows


def _plant(rows: list[list[str]], spacing: int) -> dict[int, tuple[str, str]]:
    """The planted errors, one every ``spacing`` rows (index in ``rows`` -> (column, value))."""
    planted = {}
    rows[0][0] = "DUP"  # the first copy of the duplicated id
    for k, (column, value) in enumerate(PLANTED):
        i = (k + 1) * spacing
        rows[i][HEADER.index(column)] = value
        planted[i] = (column, value)
    i = (len(PLANTED) + 1) * spacing
    rows[i] = list(HEADER)  # a copy of the header row (two exports joined)
    planted[i] = ("(whole row)", ",".join(HEADER))
    return planted


def _csv_text(rows: list[list[str]]) -> str:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v
    return "\n".join([",".join(HEADER)] + [",".join(cell(v) for v in r) for r in rows]) + "\n"


def _write(tmp_path: Path, rows, fmt: str) -> Path:
    if fmt == "csv":
        p = tmp_path / "responses.csv"
        p.write_text(_csv_text(rows), encoding="utf-8")
    else:
        p = tmp_path / "responses.parquet"
        table = pa.table({h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(HEADER)})
        pq.write_table(table, p)
    return p


def _separate_scans(path: Path, delimiter: str | None):
    """The exact path's two passes over the bytes, as :func:`.scan._scan_file` returns them."""
    def blocks():
        with open(path, "rb") as fh:
            while block := fh.read(BLOCK_SIZE):
                yield block
    return _scan(path) + (_quote_trouble(blocks(), delimiter) if delimiter else None,)


def _exact(monkeypatch) -> None:
    monkeypatch.setattr(dates, "_iso_dates", lambda t, empty: None)
    monkeypatch.setattr(csv_files, "_scan_file", _separate_scans)
    monkeypatch.setattr(_Validator, "distinct_positions", lambda self: set())  # every column read as text


def _named(cell) -> set[int]:
    """The rows a repairs ``lines`` cell names (a list of numbers, or text such as "12, 40 and 3 more")."""
    if isinstance(cell, str):
        return {int(x) for x in re.findall(r"\d+", cell)}
    return {int(x) for x in cell} if cell is not None else set()


def _load(path: Path) -> cx.LoadResult:
    return cx.read_table(path, "responses", errors="quarantine", today=TODAY)


def _same(fast: cx.LoadResult, exact: cx.LoadResult) -> None:
    pd.testing.assert_frame_equal(fast.data, exact.data)
    pd.testing.assert_frame_equal(fast.problems, exact.problems)
    pd.testing.assert_frame_equal(fast.rejected, exact.rejected)
    pd.testing.assert_frame_equal(fast.repairs, exact.repairs)
    assert fast.lines == exact.lines and fast.rows_in == exact.rows_in


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("n, spacing", [(3000, 150), (600, 30)])  # 600: chunks small enough to go value by value
def test_fast_and_exact_paths_agree_on_planted_errors(tmp_path, monkeypatch, fmt, n, spacing):
    rows = _rows(n)
    planted = _plant(rows, spacing)
    path = _write(tmp_path, rows, fmt)
    fast = _load(path)
    _exact(monkeypatch)
    exact = _load(path)
    _same(fast, exact)
    # the planted rows (line = index + 2 in the CSV: the header is line 1; row = index + 1 in Parquet) are the
    # ones rejected, except the repairs: another date format, and bad values of the optional scores (nps, csat:
    # blanked, or read as empty for a placeholder), each repair naming its row
    first = 2 if fmt == "csv" else 1
    repaired = {cv for cv in PLANTED if cv[0] in ("nps", "csat")} | {("date", "15.03.2025"), ("unit", " u1 ")}
    want = sorted(i + first for i, cv in planted.items() if cv not in repaired)
    assert sorted(fast.rejected["row"]) == want
    by_row = fast.problems.set_index("row")
    for i, (column, value) in planted.items():
        if (column, value) in {("nps", " 7"), ("csat", "4.0")}:  # read as 7 and 4, no repair named
            assert i + first not in by_row.index and i + first in set(fast.data["_row"])
        elif (column, value) in repaired and column == "unit":  # the variant is unified to the spelling seen first
            assert fast.data.loc[fast.data["_row"] == i + first, "unit"].astype(str).tolist() == ["U1"]
        elif (column, value) in repaired:
            named = set().union(*(_named(c) for c in fast.repairs.loc[fast.repairs["column"] == column, "lines"]))
            assert i + first in named and i + first not in by_row.index, (column, value)
        else:
            assert by_row.loc[[i + first], "column"].iloc[0] == column
    assert len(fast.data) + len(fast.rejected) == len(rows) == fast.rows_in


def test_fast_path_reads_the_usual_dates_without_the_general_path(monkeypatch, tmp_path):
    """A clean file's dates all go through Arrow's cast: the general path is never needed."""
    rows = _rows(2000)
    path = _write(tmp_path, rows, "csv")
    calls = []
    original = dates._fullmatch
    monkeypatch.setattr(dates, "_fullmatch", lambda *a: calls.append(a[1]) or original(*a))
    lr = _load(path)
    assert calls == [] and len(lr.rejected) == 0
    want = pd.to_datetime(pd.Series([r[2] for r in rows]), format="%Y-%m-%d")  # pandas' own parser
    assert (lr.data["date"].reset_index(drop=True) == want).all()


@pytest.mark.parametrize("value", ["2024-02-29", "2023-02-29", "2024-1-05", " 2024-01-05", "0001-01-01",
                                   "2024-01-05T10:00", "20240105", ""])
def test_iso_dates_takes_only_what_the_general_path_reads_the_same(value):
    """Arrow's cast takes a column only when each value is a real YYYY-MM-DD day pandas holds; its dates are
    those pandas' parser gives (the general path's parser for that format)."""
    t = pd.Series([value, "2024-03-10"], dtype=pd.StringDtype("pyarrow")).str.strip()
    empty = (t == "").to_numpy(dtype=bool)
    got = dates._iso_dates(t, empty)
    strict = re.fullmatch(r"\d{4}-\d{2}-\d{2}", t[0]) is not None or t[0] == ""
    parsed = pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")
    if not strict or parsed[~empty].isna().any():
        assert got is None
    else:
        pd.testing.assert_series_equal(got, parsed.astype("datetime64[ns]"), check_names=False)


@pytest.mark.parametrize("text", [
    'a,b\n1,"x, y"\n2,"say ""hi"""\n',
    'a,b\n1,"x\ny"\n',
    'a,b\r1,"x\ry"\r',
    'a,b\r\n1,"x, y"\r\n2,"z"',
    'a;b\r\n1;"x; y"\r\n2;"z"\r',
    'a,b\n1,"He said "hi" there"\n',
    'a,b\n1,"cut',
    "a,b\n1,plain\x00\n",
    "a,b\n1,\xe9t\xe9\n",
    "",
])
@pytest.mark.parametrize("block", [3, 7, 1 << 20])
def test_one_scan_equals_the_two_scans(tmp_path, monkeypatch, text, block):
    """The threaded scan finds what the two separate scans find, wherever the blocks are cut."""
    p = tmp_path / "f.csv"
    p.write_bytes(text.encode("latin-1") if "\xe9" in text else text.encode("utf-8"))
    monkeypatch.setattr(scan, "BLOCK_SIZE", block)
    d = ";" if text.startswith("a;") else ","
    assert scan._scan_file(p, d) == _separate_scans(p, d)


def _blocks_file(tmp_path: Path, n: int) -> tuple[Path, dict[int, str]]:
    """A CSV of ``n`` rows with a bad line every few thousand bytes, so that small blocks hold different ones:
    returns the path and the bad lines (line number -> what is wrong)."""
    rows = _rows(n, seed=9)
    bad: dict[int, str] = {}
    for k, i in enumerate(range(97, n - 1, 211)):
        kind = ("unit", "date", "fields")[k % 3]
        if kind == "unit":
            rows[i][1] = ""
        elif kind == "date":
            rows[i][2] = "2025-02-30"
        else:
            rows[i].append("extra")
        bad[i + 2] = kind
    text = "\n".join([",".join(HEADER)] + [",".join(('"' + v.replace('"', '""') + '"') if any(
        c in v for c in ',"') else v for v in r) for r in rows]) + "\n"
    p = tmp_path / "responses.csv"
    p.write_text(text, encoding="utf-8")
    return p, bad


def test_line_accounting_with_bad_lines_in_different_blocks(tmp_path, monkeypatch):
    path, bad = _blocks_file(tmp_path, 4000)
    whole = _load(path)
    monkeypatch.setattr(csv_files, "BLOCK_SIZE", 16 << 10)  # Arrow's blocks and the scan's: many of each
    monkeypatch.setattr(scan, "BLOCK_SIZE", 16 << 10)
    small = _load(path)
    _same(small, whole)
    assert sorted(small.rejected["row"]) == sorted(bad)
    data = path.read_bytes()
    physical = data.count(b"\n")
    lines = small.lines
    assert lines["physical"] == physical
    assert lines["physical"] == lines["header"] + lines["blank"] + lines["loaded"] + lines["rejected"]
    assert lines["rejected"] == len(bad) and lines["loaded"] == 4000 - len(bad)
    fields = {line for line, kind in bad.items() if kind == "fields"}
    assert set(small.problems.loc[small.problems["column"].isin(["unit", "date"]), "row"]) == set(bad) - fields
