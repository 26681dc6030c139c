"""No line lost: a million-row responses CSV with nine kinds of corruption, read in quarantine mode.

The file and what must become of each of its lines come from :mod:`corrupted_csv` (computed there
from what it wrote, independently of cxkit). Every physical line is accounted for: the header, blank
lines, the lines of loaded records and the lines of rejected records add up to the lines a text editor
shows; rejected records are named by their first line, and a line that cannot be split into fields is
kept whole. The last test checks the generator itself on a small file with the standard library.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from corrupted_csv import HEADER, KINDS, RAW_KINDS, REJECTED_KINDS, UNITS, Expected, make_corrupted_csv

LINE_KEYS = {"physical", "header", "blank", "loaded", "rejected", "records", "multiline_records"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple:
    path = tmp_path_factory.mktemp("corrupted") / "responses.csv"
    return path, make_corrupted_csv(path)


@pytest.fixture(scope="module")
def exp(built) -> Expected:
    return built[1]


@pytest.fixture(scope="module")
def lr(built):
    return cx.read_table(built[0], "responses", errors="quarantine")


@pytest.fixture(scope="module")
def by_id(lr) -> pd.DataFrame:
    return lr.data.set_index("response_id")


def _named_lines(cell) -> set[int]:
    """The line numbers a repairs ``lines`` cell names (a list of numbers, or text such as "12, 40, ...")."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return set()
    if isinstance(cell, str):
        return {int(x) for x in re.findall(r"\d+", cell)}
    if isinstance(cell, (int, np.integer)):
        return {int(cell)}
    return {int(x) for x in cell}


def _loaded(by_id: pd.DataFrame, exp: Expected, line: int) -> pd.Series:
    """The loaded row of the record starting on ``line`` (found by its response_id)."""
    rid = exp.ids[line]
    assert rid in by_id.index, f"line {line} ({rid}) was not loaded"
    return by_id.loc[rid]


def _repair_naming(lr, words: tuple[str, ...], line: int) -> pd.DataFrame:
    """Rows of ``lr.repairs`` whose text holds one of ``words`` (any case) and whose lines name ``line``."""
    rep = lr.repairs
    assert "lines" in rep.columns, f"repairs has no 'lines' column: {list(rep.columns)}"
    text = rep["repair"].astype(str).str.lower()
    hit = text.apply(lambda t: any(w in t for w in words)) & rep["lines"].apply(lambda c: line in _named_lines(c))
    return rep[hit]


# --------------------------------------------------------------------------------------
# rows and lines


def test_rows_in_equal_rows_loaded_plus_rejected(lr, exp):
    assert lr.rows_loaded == exp.loaded_rows
    assert lr.rows_rejected == exp.rejected_rows
    assert lr.rows_in == lr.rows_loaded + lr.rows_rejected


def test_every_physical_line_is_accounted_for(lr, exp):
    lines = lr.lines
    assert LINE_KEYS <= set(lines), f"missing keys: {LINE_KEYS - set(lines)}"
    assert lines["physical"] == exp.physical_lines
    assert lines["physical"] == lines["header"] + lines["blank"] + lines["loaded"] + lines["rejected"]
    assert lines["records"] == exp.records
    assert lines["multiline_records"] == exp.multiline_records


def test_line_accounting_in_detail(lr, exp):
    """Each term of the accounting: the rejected records are single lines, multi-line records all load."""
    lines = lr.lines
    assert (lines["header"], lines["blank"]) == (exp.header_lines, exp.blank_lines)
    assert (lines["loaded"], lines["rejected"]) == (exp.loaded_line_count, exp.rejected_line_count)


def test_rejected_records_are_named_by_their_first_line(lr, exp):
    got = sorted(int(r) for r in lr.rejected["row"])
    kind = {line: k for k, found in exp.kinds.items() for line in found}
    extra = [(line, KINDS.get(kind.get(line), "clean")) for line in sorted(set(got) - set(exp.rejected_lines))]
    missing = [(line, KINDS[kind[line]]) for line in sorted(set(exp.rejected_lines) - set(got))]
    assert got == exp.rejected_lines, f"rejected but should not be: {extra[:5]}; not rejected: {missing[:5]}"


@pytest.mark.parametrize("kind", RAW_KINDS, ids=[KINDS[k] for k in RAW_KINDS])
def test_lines_without_fields_are_kept_whole(lr, exp, kind):
    assert "raw" in lr.rejected.columns, f"rejected has no 'raw' column: {list(lr.rejected.columns)}"
    raw = lr.rejected.set_index("row")["raw"]
    for line in exp.kinds[kind]:
        assert raw.loc[line] == exp.raw_of_rejected[line], f"line {line}"


# --------------------------------------------------------------------------------------
# repaired rows


def test_stray_quotes_are_kept_and_reported(lr, exp, by_id):
    for line, value in exp.stray_quote_values.items():
        got = _loaded(by_id, exp, line)["comment"]
        assert got == value, f"line {line}: {got!r}"
    first = exp.kinds[7][0]
    assert len(_repair_naming(lr, ("quote",), first)), lr.repairs.to_string()


@pytest.mark.parametrize("kind,words", [(8, ("nul",)), (9, ("encoding", "cp1257"))], ids=["NUL", "cp1257"])
def test_nul_and_encoding_repairs_name_lines(lr, exp, kind, words):
    assert len(_repair_naming(lr, words, exp.kinds[kind][0])), lr.repairs.to_string()


@pytest.mark.parametrize("kind", [8, 9], ids=["NUL", "cp1257"])
def test_nul_and_cp1257_rows_load_their_text(exp, by_id, kind):
    for line in exp.kinds[kind]:
        assert _loaded(by_id, exp, line)["comment"] == exp.comment_values[line], f"line {line}"


@pytest.mark.parametrize("kind", [2, 3], ids=[KINDS[2], KINDS[3]])
def test_bad_numbers_load_blank(exp, by_id, kind):
    for line in exp.kinds[kind]:
        row = _loaded(by_id, exp, line)
        column = exp.blanked[line]
        assert pd.isna(row[column]), f"line {line}: {column} = {row[column]!r}"
        other = "csat" if column == "nps" else "nps"
        assert not pd.isna(row[other]), f"line {line}: {other} lost"


def test_problem_summary(lr):
    ps = lr.problem_summary
    assert list(ps.columns) == ["file", "column", "reason", "rows", "first_rows"]
    assert not ps.duplicated(["column", "reason"]).any()
    assert int(ps["rows"].sum()) == len(lr.problems)


# --------------------------------------------------------------------------------------
# the generator itself (standard library only)


def _records(lines: list[bytes], unclosed: set[int]) -> tuple[list[tuple[int, int]], int]:
    """Split physical lines (after the header) into records by quote parity: (first line, lines), blanks.

    An unclosed-quote line (the generator says which) is a record of its own.
    """
    out, blank, i = [], 0, 1
    while i < len(lines):
        first = i + 1
        if not lines[i]:
            blank += 1
            i += 1
            continue
        j = i
        if first not in unclosed:
            quotes = lines[i].count(b'"')
            while quotes % 2 and j + 1 < len(lines):
                j += 1
                quotes += lines[j].count(b'"')
        out.append((first, j - i + 1))
        i = j + 1
    return out, blank


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def test_generator_expected_is_consistent(tmp_path):
    path = tmp_path / "responses.csv"
    exp = make_corrupted_csv(path, rows=2_000)
    data = path.read_bytes()
    make_corrupted_csv(tmp_path / "again.csv", rows=2_000)
    assert (tmp_path / "again.csv").read_bytes() == data  # seeded: the same bytes every time
    assert not data.endswith(b"\n")  # the truncated last line
    lines = data.split(b"\n")
    assert len(lines) == exp.physical_lines == data.count(b"\n") + 1
    assert lines[0].decode("utf-8") == HEADER and exp.header_lines == 1

    line_kind = {line: k for k, found in exp.kinds.items() for line in found}
    assert len(line_kind) == sum(len(v) for v in exp.kinds.values())  # corruptions never share a line
    assert all(len(exp.kinds[k]) > 0 for k in KINDS) and exp.kinds[5] == [exp.physical_lines]
    records, blank = _records(lines, set(exp.kinds[6]))
    assert (len(records), blank) == (exp.records, exp.blank_lines)
    assert exp.physical_lines == exp.header_lines + sum(n for _, n in records) + blank
    assert exp.physical_lines == exp.header_lines + blank + exp.loaded_line_count + exp.rejected_line_count
    multi = {first: n for first, n in records if n > 1}
    assert multi == exp.multiline and len(multi) == exp.multiline_records > 0
    assert set(multi).isdisjoint(line_kind) and all(n in (2, 3) for n in multi.values())

    rejected, seen_ids = [], set()
    for first, n in records:
        raw = b"\n".join(lines[first - 1:first - 1 + n])
        kind = line_kind.get(first)
        if kind == 9:
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            text = raw.decode("cp1257")
        else:
            text = raw.decode("utf-8")
        if kind == 8:
            assert "\x00" in text
            text = text.replace("\x00", "")
        else:
            assert "\x00" not in text
        if kind in REJECTED_KINDS:
            rejected.append(first)
        if kind in RAW_KINDS:
            assert exp.raw_of_rejected[first] == text and text.count('"') % 2 == (0 if kind == 4 else 1)
        if kind in (5, 6):  # a quote opened and never closed
            with pytest.raises(csv.Error):
                list(csv.reader(io.StringIO(text, newline=""), strict=True))
            continue
        if kind == 7:  # single quotes inside a quoted field: not strict CSV
            with pytest.raises(csv.Error):
                list(csv.reader(io.StringIO(text, newline=""), strict=True))
            assert text.endswith(',"' + exp.stray_quote_values[first] + '"')
            assert exp.comment_values[first] == exp.stray_quote_values[first]
            continue
        (fields,) = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        assert len(fields) == (7 if kind == 4 else 6), (first, fields)
        rid, unit, date, nps, csat = fields[:5]
        assert re.fullmatch(r"R\d{7}", rid) and rid not in seen_ids and unit in UNITS
        seen_ids.add(rid)
        if kind is not None:
            assert exp.ids[first] == rid
        if n > 1:
            assert "\n" in fields[5] and fields[5].count("\n") == n - 1
        assert _is_date(date) == (kind != 1), (first, date)
        if kind in (8, 9):
            assert fields[5] == exp.comment_values[first]
        if kind in (2, 3):
            bad, good = (nps, csat) if exp.blanked[first] == "nps" else (csat, nps)
            if kind == 2:
                assert int(bad) not in range(11)
            else:
                assert not bad.lstrip("-").isdigit()
            assert good.isdigit()
        else:
            assert nps == "" or int(nps) in range(11)
            assert csat == "" or int(csat) in range(1, 6)
            assert nps or csat, f"line {first}: no score at all"
    assert rejected == exp.rejected_lines
    assert set(exp.raw_of_rejected) == {line for k in RAW_KINDS for line in exp.kinds[k]}
    assert exp.rejected_rows == len(rejected) and exp.loaded_rows == exp.records - len(rejected)
    assert exp.rejected_line_count == len(rejected)  # every rejected record is a single line
