"""Spreadsheet-safe exports: hostile cells are written as text, read back as written, never as formulas."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.export import neutralise_formulas, write_csv, write_excel

TODAY = dt.date(2026, 1, 15)

# (value written, the text the export must hold): a leading apostrophe exactly where a spreadsheet would compute
PAYLOADS = [
    ("=1+1", "'=1+1"),
    (" =1+1", "' =1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\r\n=1+1", "'\r\n=1+1"),
    ('\n=HYPERLINK("http://evil.example","click")', '\'\n=HYPERLINK("http://evil.example","click")'),
    ("\t@SUM(A1)", "'\t@SUM(A1)"),
    ("\t", "'\t"),
    ("\u00a0+1", "'\u00a0+1"),
    ("\u3000=1+1", "'\u3000=1+1"),           # ideographic space
    ("\u200b=1+1", "'\u200b=1+1"),           # zero-width space
    ("\ufeff@x", "'\ufeff@x"),               # byte-order mark
    ("\x00=cmd", "'\x00=cmd"),
    ("\x85-1", "'\x85-1"),                   # C1 control (next line)
    ("-2+3", "'-2+3"),
    ("@x", "'@x"),
    ("+370 600 00000", "'+370 600 00000"),
    ("-5 stars", "'-5 stars"),               # ordinary text starting with "-" is prefixed as before
    ("Great staff.\n=1+1 on the second line", "Great staff.\n=1+1 on the second line"),
    ("fine", "fine"),
    ("Ačiū, viskas gerai", "Ačiū, viskas gerai"),
    ("a=b+c", "a=b+c"),
    ("'=already text", "'=already text"),
    ("  spaced", "  spaced"),
    ('say "hi", then leave', 'say "hi", then leave'),
    ("", ""),
]
_LEADING_INVISIBLE = re.compile(r"^[\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]*")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _frame() -> pd.DataFrame:
    n = len(PAYLOADS)
    return pd.DataFrame({
        "comment": [v for v, _ in PAYLOADS],
        " =total": list(range(-3, n - 3)),                  # header with a formula after a space; negative numbers
        "score": [(-1.5 if i % 2 else 2.25) for i in range(n)],
    })


def _expected_rows() -> list[list[str]]:
    frame = _frame()
    head = [["comment", "' =total", "score"]]
    return head + [[want, str(t), str(s)] for (_, want), t, s in zip(PAYLOADS, frame[" =total"], frame["score"])]


def _would_compute(text) -> bool:
    """True if a spreadsheet could take ``text`` (a cell as read back) for a formula."""
    if not isinstance(text, str) or text.startswith("'") or _NUMBER.match(text):
        return False
    if text.startswith(("\t", "\r", "\n")):
        return True
    rest = _LEADING_INVISIBLE.sub("", text)
    return rest[:1] in ("=", "+", "-", "@")


def _read_csv_records(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM kept for Excel
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _check_csv(path, expected: list[list[str]]):
    records = _read_csv_records(path)
    assert len(records) == len(expected)  # no value started a record of its own
    assert records == expected
    assert not [f for rec in records for f in rec if _would_compute(f)]
    for engine in ("c", "python"):  # pandas reads it too (its C parser ends a value at a NUL: compare the rest)
        back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, engine=engine)
        assert list(back.columns) == expected[0] and len(back) == len(expected) - 1
        rows = [[f.split("\x00")[0] for f in rec] for rec in expected[1:]] if engine == "c" else expected[1:]
        assert back.values.tolist() == rows


def _in_workbook(text: str) -> str:
    """What a text cell holds after a round trip through XML: CR LF / CR read as LF, controls XML lacks as U+FFFD."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def _workbook_cells(path) -> list[list]:
    ws = openpyxl.load_workbook(path).active
    cells = [list(row) for row in ws.iter_rows()]
    assert not [c.coordinate for row in cells for c in row if c.data_type == "f"]
    values = [[c.value for c in row] for row in cells]
    for row in values:
        for v in row:
            assert not (isinstance(v, str) and _LEADING_INVISIBLE.sub("", v).startswith("="))
            assert not _would_compute(v)
    return values


@pytest.mark.parametrize("value, want", PAYLOADS)
def test_neutralise_formulas_one_cell(value, want):
    out = neutralise_formulas(pd.DataFrame({"c": [value], "n": [-1]}))
    assert out["c"].tolist() == [want] and out["n"].tolist() == [-1]


def test_neutralise_formulas_leaves_numbers_missing_values_and_the_input_alone():
    frame = pd.DataFrame({"t": pd.Series(["=1", None, "-x"], dtype="string"), "c": pd.Categorical(["@a", "b", "@a"]),
                          "n": [-1, 0, 1], "f": [-0.5, float("nan"), 2.0], "-h": ["x", "y", "z"]})
    before = frame.copy()
    out = neutralise_formulas(frame)
    assert out["t"].tolist()[0] == "'=1" and pd.isna(out["t"].tolist()[1]) and out["t"].tolist()[2] == "'-x"
    assert out["c"].tolist() == ["'@a", "b", "'@a"]
    assert out["n"].tolist() == [-1, 0, 1] and str(out["n"].dtype) == "int64"
    assert out["f"].tolist()[0] == -0.5 and pd.isna(out["f"].tolist()[1])
    assert list(out.columns) == ["t", "c", "n", "f", "'-h"]
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_export_reads_back_as_written_and_never_as_a_formula(tmp_path, sep):
    path = write_csv(_frame(), tmp_path / "hostile.csv", sep=sep)
    expected = _expected_rows()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh, delimiter=sep))
    assert records == expected
    if sep == ",":
        _check_csv(path, expected)


def test_csv_export_quotes_every_value_with_a_carriage_return_or_line_feed(tmp_path):
    frame = pd.DataFrame({"comment": ["a\rb", "a\nb", "a\r\nb", "plain", "x,y"], "n": [1, 2, 3, 4, 5]})
    text = write_csv(frame, tmp_path / "lines.csv").read_bytes().decode("utf-8-sig")
    assert text == 'comment,n\r\n"a\rb",1\r\n"a\nb",2\r\n"a\r\nb",3\r\nplain,4\r\n"x,y",5\r\n'
    assert len(list(csv.reader(io.StringIO(text, newline="")))) == 6


def test_csv_export_without_bom(tmp_path):
    raw = write_csv(pd.DataFrame({"c": ["=1"]}), tmp_path / "x.csv", excel_bom=False).read_bytes()
    assert raw == b"c\r\n'=1\r\n"


@pytest.mark.parametrize("writer", [write_excel, write_csv])
def test_xlsx_export_holds_no_formula(tmp_path, writer):
    path = writer(_frame(), tmp_path / "hostile.xlsx")
    values = _workbook_cells(path)
    expected = _expected_rows()
    assert len(values) == len(expected)
    assert values[0] == expected[0]
    assert [row[0] if row[0] is not None else "" for row in values[1:]] == [_in_workbook(r[0]) for r in expected[1:]]
    assert [row[1] for row in values[1:]] == _frame()[" =total"].tolist()  # numbers stay numbers
    assert [row[2] for row in values[1:]] == _frame()["score"].tolist()


def _hostile_data_folder(folder):
    head = ["response_id", "customer_id", "unit", "date", "touchpoint", "nps", "csat", "ces", "comment"]
    rows = [head, ["r0", "c0", "Vilnius Ozas", "2025-01-03", "store", "9", "4", "5", "fine"]]
    for i, (value, _) in enumerate(PAYLOADS, start=1):
        nps = value if i % 3 == 0 else "11"  # the payload in the rejected column itself, or beside it
        # the only score, blanked as not valid: the row has no score left and is rejected
        rows.append([f"r{i}", f"c{i}", "Vilnius Ozas", "2025-01-03", "store", nps, "", "", value])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    (folder / "responses.csv").write_bytes(buf.getvalue().encode("utf-8"))
    return len(rows) - 2


def _as_written(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


@pytest.mark.parametrize("name", ["rejected.csv", "rejected.xlsx"])
def test_rejected_rows_of_a_real_load_export_safely(tmp_path, name):
    data = tmp_path / "data"
    data.mkdir()
    n_bad = _hostile_data_folder(data)
    ds = cx.load(data, errors="quarantine", today=TODAY)
    rejected = ds.rejected
    assert len(rejected) == n_bad and ds.tables["responses"].rows_loaded == 1
    raw_comments = set(rejected["comment"].fillna(""))
    assert {"\r=1+1", " =1+1", "\t@SUM(A1)", "\u00a0+1", "=cmd"} <= raw_comments  # payloads reach the export
    path = write_csv(rejected, tmp_path / "data-notes" / name)  # as the report's data-notes/rejected.csv
    safe = neutralise_formulas(rejected)
    expected = [list(safe.columns)] + [[_as_written(v) for v in row] for row in safe.itertuples(index=False)]
    if name.endswith(".csv"):
        _check_csv(path, expected)
        assert "'\r=1+1" in {rec[-1] for rec in _read_csv_records(path)}
    else:
        values = _workbook_cells(path)
        assert len(values) == len(expected)
        got = [[_as_written(v) for v in row] for row in values]
        assert got == [[_in_workbook(v) for v in row] for row in expected]
