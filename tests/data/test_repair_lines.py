"""Every repair names its rows: the repairs table's ``lines`` column holds the first five rows as numbered in
the file (a text editor's line, Excel's row, a Parquet file's position) and how many more there are."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

import cxkit as cx
from cxkit.data.problems import _REPAIR_COLUMNS, _repairs_table

from helpers import write

TODAY = dt.date(2026, 1, 15)


def _lines(lr, column, fragment):
    rep = lr.repairs[(lr.repairs["column"] == column) & lr.repairs["repair"].str.contains(fragment, regex=False)]
    assert len(rep) == 1, lr.repairs.to_string()
    return rep.iloc[0]["rows"], rep.iloc[0]["lines"]


def test_the_lines_column_follows_rows():
    assert _REPAIR_COLUMNS == ["file", "column", "repair", "rows", "lines", "example"]


def test_first_five_rows_then_how_many_more(tmp_path):
    # a Lithuanian Excel export: placeholders in every 7th row's CSAT, 501 of them
    rows = [f"r{i};Vilnius Ozas;2025-03-01;9;{'N/A' if i % 7 == 0 else 4}" for i in range(1, 3508)]
    lr = cx.read_table(write(tmp_path / "responses.csv", "response_id;unit;date;nps;csat\n" + "\n".join(rows) + "\n"),
                       "responses", errors="quarantine", today=TODAY)
    n = sum(1 for i in range(1, 3508) if i % 7 == 0)
    assert n == 501
    # record i sits on line i + 1 (the header is line 1)
    assert _lines(lr, "csat", "placeholders") == (501, "8, 15, 22, 29, 36 and 496 more")


def test_lines_are_the_file_lines_after_multiline_values_and_title_rows(tmp_path):
    text = ("Customer survey export\n"                                   # line 1: a title
            "\n"                                                         # line 2
            "response_id,unit,date,nps,comment\n"                        # line 3: the header
            'r1,Vilnius Ozas,2025-03-01,9,"two\nlines"\n'                # lines 4-5
            "r2,Vilnius Ozas ,2025-03-01,8,ok\n"                         # line 6: trailing space
            'r3,Vilnius Ozas,2025-03-01,7,"a\n\nb"\n'                    # lines 7-9
            "r4,  Vilnius Ozas,2025-03-01,6,ok\n")                       # line 10: leading spaces
    lr = cx.read_table(write(tmp_path / "responses.csv", text), "responses", errors="quarantine", today=TODAY)
    assert _lines(lr, "unit", "trimmed") == (2, "6, 10")
    title = lr.repairs[lr.repairs["repair"].str.startswith("header found on row 3")]
    assert title["lines"].tolist() == [""]  # a file-level repair names no rows


def test_rows_across_chunks_are_offset_by_the_chunk(tmp_path):
    """Parquet row groups are read as chunks; a repair in the third chunk names rows of the file."""
    ids = [f"c{i}" for i in range(30)]
    for at in (3, 22, 25):  # positions 4, 23 and 26 (1 = first row)
        ids[at] = ids[at] + " "
    table = pa.table({"customer_id": ids, "unit": ["Vilnius Ozas"] * 30,
                      "monthly_revenue": [f"{i},50" for i in range(30)]})
    pq.write_table(table, tmp_path / "customers.parquet", row_group_size=10)
    lr = cx.read_table(tmp_path / "customers.parquet", "customers", errors="quarantine", today=TODAY)
    assert _lines(lr, "customer_id", "trimmed") == (3, "4, 23, 26")
    assert _lines(lr, "monthly_revenue", "decimal commas") == (30, "1, 2, 3, 4, 5 and 25 more")


def test_distinct_values_are_mapped_back_to_their_rows(tmp_path):
    """Over 1,000 rows the unit column is converted once per distinct name; its repairs still name rows."""
    units = ["Kaunas Mega"] * 1200
    for at in (99, 640, 641, 1100):
        units[at] = "KAUNAS  MEGA"  # another spelling (and a doubled space)
    rows = [f"r{i},{u},2025-03-01,9" for i, u in enumerate(units)]
    lr = cx.read_table(write(tmp_path / "responses.csv", "response_id,unit,date,nps\n" + "\n".join(rows) + "\n"),
                       "responses", errors="quarantine", today=TODAY)
    # record k is on line k + 2
    assert _lines(lr, "unit", "trimmed") == (4, "101, 642, 643, 1102")
    assert _lines(lr, "unit", "spelling variant") == (4, "101, 642, 643, 1102")


def test_number_and_date_repairs_name_their_rows(tmp_path):
    text = ("customer_id;unit;acquired_at;monthly_revenue\n"
            "c1;Vilnius Ozas;2024-01-10;12,50\n"          # line 2
            "c2;Vilnius Ozas;45300;1 234,00 EUR\n"        # line 3: an Excel day number, currency, thousands
            "c3;Vilnius Ozas;2024-01-12;10\n"             # line 4
            "c4;Vilnius Ozas;12.01.2024;€ 7\n")           # line 5
    lr = cx.read_table(write(tmp_path / "customers.csv", text), "customers", errors="quarantine", today=TODAY)
    assert _lines(lr, "monthly_revenue", "decimal commas") == (2, "2, 3")
    assert _lines(lr, "monthly_revenue", "currency signs") == (2, "3, 5")
    assert _lines(lr, "monthly_revenue", "thousands separators") == (1, "3")
    assert _lines(lr, "acquired_at", "Excel date serial numbers") == (1, "3")
    # three formats among the four loaded rows: the rows not in the most common one are named
    assert _lines(lr, "acquired_at", "mixed date formats read: YYYY-MM-DD (2), DD.MM.YYYY (1), "
                                     "Excel serial number (1)") == (2, "3, 5")


def test_mixed_date_formats_count_only_rows_loaded(tmp_path):
    """A row rejected for another reason does not count its date format (it once did)."""
    text = ("response_id,unit,date,nps\n"
            "r1,Vilnius Ozas,2025-03-01,9\n"
            "r2,,03.03.2025,9\n"                # rejected: no unit
            "r3,Vilnius Ozas,2025-03-04,9\n")
    lr = cx.read_table(write(tmp_path / "responses.csv", text), "responses", errors="quarantine", today=TODAY)
    assert lr.rows_rejected == 1 and not lr.repairs["repair"].str.startswith("mixed date formats").any()
    text += "r4,Vilnius Ozas,05.03.2025,9\n"     # loaded: now two formats
    lr = cx.read_table(write(tmp_path / "responses.csv", text), "responses", errors="quarantine", today=TODAY)
    assert _lines(lr, "date", "mixed date formats read: YYYY-MM-DD (2), DD.MM.YYYY (1)") == (1, "5")


def test_reader_repairs_with_and_without_lines():
    table = _repairs_table("f.csv", [("(file)", "skipped a title row", 1, "Report"),
                                     ("(file)", "rows of separators only skipped", 9, ";;;", [3, 17, 40, 41, 52, 60]),
                                     ("(file)", "decoded two lines as cp1257", 2, "", [8, 4])],
                           {("nps", "recoded"): [7, "x", [2, 3, 4]], ("(header)", "renamed"): [0, "", []]})
    assert table["lines"].tolist() == ["", "3, 17, 40, 41, 52 and 4 more", "4, 8", "2, 3, 4 and 4 more", ""]
    assert list(table.columns) == _REPAIR_COLUMNS
