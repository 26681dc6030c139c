"""Every physical line of a CSV file is accounted for: header, blank, or part of a record that is loaded or
rejected. Quotes that never close are rejected line by line (reading resumes on the next line), quotes inside
quoted values are kept literally with a repair naming the line, and the problem summary counts by reason.

The physical line counts are computed here independently (a regular expression over the bytes, as a text
editor numbers lines); the expected fates of lines are written by hand for each small file.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.readers import csv_files
from cxkit.data.readers.csv_lines import _quote_trouble

CORPUS = Path(__file__).parent / "corpus" / "files"
HEADER = "response_id,unit,date,nps,comment"


def _physical(data: bytes) -> int:
    """Lines as a text editor counts them: every CRLF, LF or lone CR ends one; a last line without one counts."""
    return len(re.findall(rb"\r\n|\r|\n", data)) + (0 if not data or data.endswith((b"\n", b"\r")) else 1)


def _read(tmp_path: Path, text: str | bytes, name: str = "r.csv") -> cx.LoadResult:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return cx.read_table(p, "responses", errors="quarantine")


def _balanced(lines: dict) -> bool:
    return lines["physical"] == lines["header"] + lines["blank"] + lines["loaded"] + lines["rejected"]


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.glob("*.csv")), ids=lambda p: p.name)
def test_every_corpus_csv_accounts_for_every_line(path):
    try:
        lr = cx.read_table(path, "responses", errors="quarantine")
    except cx.CxkitError:
        return  # files the corpus test expects to be refused as a whole (wrong columns, not a CSV, ...)
    if lr.source["format"] != "csv":  # a workbook behind a .csv name: no lines to count
        assert lr.lines is None
        return
    assert lr.lines["physical"] == _physical(path.read_bytes())
    assert _balanced(lr.lines), lr.lines
    assert lr.lines["records"] == lr.rows_in == lr.rows_loaded + lr.rows_rejected


def test_unclosed_quote_rejects_its_line_alone_and_reading_resumes(tmp_path):
    long_comment = "Labai ilga eilė prie kasos, niekas nepadėjo ir teko laukti beveik pusvalandį " * 3
    text = (f"{HEADER}\n1,Vilnius,2025-01-01,9,ok\n2,Vilnius,2025-01-02,3,\"{long_comment}\n"
            "3,Vilnius,2025-01-03,8,fine\n4,Kaunas,2025-01-04,7,\"quoted, with a comma\"\n5,Kaunas,2025-01-05,10,x\n")
    lr = _read(tmp_path, text)
    assert list(lr.data["response_id"]) == ["1", "3", "4", "5"]
    assert list(lr.data["_row"]) == [2, 4, 5, 6]
    assert lr.data["comment"].iloc[2] == "quoted, with a comma"
    assert list(lr.rejected["row"]) == [3]
    assert lr.rejected["raw"].iloc[0] == f'2,Vilnius,2025-01-02,3,"{long_comment}'  # whole, not a prefix
    assert "does not close" in lr.problems["expected"].iloc[0]
    assert lr.lines == {"physical": 6, "header": 1, "blank": 0, "loaded": 4, "rejected": 1, "records": 5,
                        "multiline_records": 0}


def test_multiline_comments_stay_one_record(tmp_path):
    # a review site's export: comments over several lines (CRLF inside the value), one with a doubled quote
    text = (f"{HEADER}\r\n1,Porto,2025-02-01,9,\"Entrega rápida.\r\nProduto \"\"ótimo\"\".\r\nRecomendo\"\r\n"
            "2,Porto,2025-02-02,4,sem comentário\r\n\r\n3,Lisboa,2025-02-03,6,\"Demorou,\nmas chegou\"\r\n")
    lr = _read(tmp_path, text)
    assert list(lr.data["response_id"]) == ["1", "2", "3"]
    assert list(lr.data["_row"]) == [2, 5, 7]
    assert lr.data["comment"].iloc[0] == 'Entrega rápida.\r\nProduto "ótimo".\r\nRecomendo'
    assert lr.data["comment"].iloc[2] == "Demorou,\nmas chegou"
    assert lr.rows_rejected == 0
    assert lr.lines == {"physical": 8, "header": 1, "blank": 1, "loaded": 6, "rejected": 0, "records": 3,
                        "multiline_records": 2}
    assert "2 rows span several lines" in lr.summary["note"].iloc[0]


def test_multiline_record_rejected_on_values_counts_all_its_lines(tmp_path):
    text = f'{HEADER}\n1,Riga,2025-13-45,9,"two\nlines"\n2,Riga,2025-03-01,5,ok\n'
    lr = _read(tmp_path, text)
    assert list(lr.rejected["row"]) == [2]
    assert lr.lines["rejected"] == 2 and lr.lines["loaded"] == 1 and _balanced(lr.lines)


def test_stray_quote_is_kept_literally_and_the_repair_names_the_line(tmp_path):
    rows = [f'{i},Vilnius,2025-01-{i:02d},9,"He said ""fine"" - ok"' for i in range(1, 4)]
    rows.insert(1, '9,Vilnius,2025-01-09,8,"He said "great" shop"')
    lr = _read(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")
    by_id = lr.data.set_index("response_id")["comment"]
    assert by_id["9"] == 'He said "great" shop'
    assert by_id["1"] == 'He said "fine" - ok'
    assert lr.rows_rejected == 0
    rep = lr.repairs[lr.repairs["repair"].str.contains("not doubled")]
    assert len(rep) == 1 and rep["column"].iloc[0] == "comment" and rep["rows"].iloc[0] == 1
    assert rep["example"].iloc[0] == '9,Vilnius,2025-01-09,8,"He said "great" shop"'
    assert "3" in str(rep["lines"].iloc[0])  # the file line of that row


def test_stray_quote_that_cannot_be_read_is_rejected_not_rewritten(tmp_path):
    # the inner quote is followed by the delimiter: no reading gives five fields, so the line is rejected
    lr = _read(tmp_path, f'{HEADER}\n1,Vilnius,2025-01-01,9,"He said "great", shop" x\n2,Vilnius,2025-01-02,7,ok\n')
    assert list(lr.data["response_id"]) == ["2"]
    assert list(lr.rejected["row"]) == [2]
    assert lr.rejected["raw"].iloc[0] == '1,Vilnius,2025-01-01,9,"He said "great", shop" x'


def test_truncated_last_line_and_blank_and_separator_lines(tmp_path):
    text = f'\n{HEADER}\n1,Riga,2025-01-01,9,ok\n,,,,\n\n2,Riga,2025-01-02,8,"cut off in the mid'
    lr = _read(tmp_path, text)
    assert list(lr.data["response_id"]) == ["1"]
    assert list(lr.rejected["row"]) == [6]
    assert "file ends inside a quoted value" in lr.problems["expected"].iloc[0]
    assert lr.lines == {"physical": 6, "header": 2, "blank": 2, "loaded": 1, "rejected": 1, "records": 2,
                        "multiline_records": 0}


def test_lone_cr_and_crlf_line_ends_are_counted(tmp_path):
    data = (HEADER + "\r1,Riga,2025-01-01,9,\"a, b\"\r2,Riga,2025-01-02,8,\"x\r\ny\"\r\n3,Riga,2025-01-03,7,z").encode()
    lr = _read(tmp_path, data)
    assert lr.lines["physical"] == _physical(data) == 5
    assert list(lr.data["_row"]) == [2, 3, 5] and _balanced(lr.lines)


def test_careful_and_fast_reading_agree_on_clean_files(tmp_path, monkeypatch):
    """A clean file read by Arrow and the same file forced through the line-by-line reader: same rows."""
    rng = np.random.default_rng(3)
    words = ["gera", "bloga, lėta", 'sakė ""puiku""', "", "ilgai; laukiau", "ąčęėįšųūž"]
    lines = [HEADER]
    for i in range(2000):
        w = words[rng.integers(len(words))]
        comment = f'"{w}"' if any(ch in w for ch in ',"') or rng.random() < 0.3 else w
        lines.append(f"{i},U{rng.integers(5)},2025-01-{1 + i % 28:02d},{rng.integers(11)},{comment}")
    p = tmp_path / "clean.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast = cx.read_table(p, "responses")
    assert "careful" not in fast.source
    monkeypatch.setattr(csv_files, "_careful_reason", lambda reader: "forced")
    careful = cx.read_table(p, "responses")
    assert careful.source["careful"] == "forced"
    pd.testing.assert_frame_equal(fast.data, careful.data)
    assert fast.lines == careful.lines


@pytest.mark.parametrize("text, why", [
    ('a,b\n1,"x, y"\n2,"say ""hi"""\n', None),
    ('a,b\n1,"x\ny"\n', "a line with an odd number of quotes"),
    ('a,b\r1,"x\ry"\r', "a line with an odd number of quotes"),
    ('a,b\r\n1,"x, y"\r\n2,"z"', None),
    ('a,b\n1,"He said "hi" there"\n', "a quote inside a value"),
    ('a,b\n1,5" screen\n', "a quote inside a value"),
    ('a,b\n1,"cut', "a line with an odd number of quotes"),
    ('a,b\n1,plain\n', None),
])
def test_quote_trouble_in_any_block_split(text, why):
    data = text.encode()
    assert _quote_trouble([data], ",") == why
    for cut in range(1, len(data)):  # the same answer wherever the file is cut into blocks
        assert _quote_trouble([data[:cut], data[cut:]], ",") == why, cut


def test_quote_trouble_agrees_with_pythons_csv_on_random_files():
    """A file without trouble splits into one record per line, as Python's csv module reads it."""
    rng = np.random.default_rng(11)
    pieces = ["a", "b c", ",", '"', '""', "\n", " ", "ž"]
    for _ in range(3000):
        body = "".join(pieces[k] for k in rng.integers(len(pieces), size=rng.integers(1, 14)))
        data = f"x,y\n{body}\n".encode()
        if _quote_trouble([data], ",") is None:
            lines = [ln for ln in data.decode().split("\n") if ln]
            with_csv = list(csv.reader(io.StringIO(data.decode(), newline="")))
            assert len([r for r in with_csv if r]) == len(lines), data


def test_problem_summary_groups_by_column_and_reason(tmp_path):
    rows = [f"{i},Riga,2025-13-{i:02d},9,ok" for i in range(1, 8)] + [f"{i},Riga,2025-01-01,9,ok" for i in (1, 2)]
    rows += ["20,Riga,2025-01-01,9,ok,extra"]
    lr = _read(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")
    summary = lr.problem_summary
    assert summary["rows"].sum() == len(lr.problems) == 10
    top = summary.iloc[0]
    assert (top["column"], top["rows"]) == ("date", 7)
    assert top["first_rows"] == "2, 3, 4, 5, 6 and 2 more"
    dup = summary[summary["column"] == "response_id"]
    assert len(dup) == 1 and dup["rows"].iloc[0] == 2  # "first seen at row N" differs per row, grouped once
    assert list(summary["rows"]) == sorted(summary["rows"], reverse=True)


def test_nul_bytes_and_mixed_encodings_repairs_name_their_lines(tmp_path):
    good = "1,Vilnius,2025-01-01,9,gera\n2,Vilnius,2025-01-02,8,puiku\n"
    data = (HEADER + "\n" + good).encode() + "3,Kaunas,2025-01-03,7,ačiū\n".encode("cp1257") + \
        b"4,Kaunas,2025-01-04,6,o\x00k\n5,Kaunas,2025-01-05,5,\x00\x00\n" + "6,Riga,2025-01-06,4,žalias\n".encode()
    lr = _read(tmp_path, data)
    assert lr.rows_loaded == 6
    assert lr.data.set_index("response_id").loc["3", "comment"] == "ačiū"
    nul = lr.repairs[lr.repairs["repair"].str.contains("NUL")].iloc[0]
    assert nul["rows"] == 2 and "3 NUL" in nul["repair"] and str(nul["lines"]).startswith("5, 6")
    mixed = lr.repairs[lr.repairs["repair"].str.contains("mixes encodings")].iloc[0]
    assert mixed["rows"] == 1 and str(mixed["lines"]).startswith("4")
