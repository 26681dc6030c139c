"""Loading and validation: formats, encodings, mapping, every problem reported, nothing lost."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import DataValidationError, FileReadError, ConfigError

from helpers import write

TODAY = dt.date(2026, 1, 15)
HEAD = "response_id,customer_id,unit,date,touchpoint,nps,csat,ces,comment\n"


def _check_invariant(lr):
    assert lr.rows_in == lr.rows_loaded + lr.rows_rejected


def test_sample_loads_clean(sample):
    assert int(sample.log["rows_rejected"].sum()) == 0
    r = sample.responses
    assert len(r) == 20_000
    assert str(r["nps"].dtype) == "Int8" and isinstance(r["unit"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_datetime64_any_dtype(r["date"])
    for _name, lr in sample.tables.items():
        _check_invariant(lr)
    assert set(sample.tables) == {"responses", "tickets", "customers", "revenue", "units"}


def test_strict_mode_lists_every_problem_with_file_row_column_value(tmp_path):
    p = write(tmp_path / "responses.csv", HEAD +
              "r1,c1,Vilnius,2025-01-03,store,11,4,5,\n"       # row 2: nps out of range (optional: blanked)
              "r2,c2,Vilnius,2025-01-04,store,9.5,4,5,\n"      # row 3: not whole (blanked)
              "r3,c3,,2025-01-05,store,9,4,5,\n"               # row 4: empty unit
              "r4,c4,Vilnius,2025-02-30,store,9,4,5,\n"        # row 5: impossible date
              "r5,c5,Vilnius,2025-01-06,store,ten,4,5,\n"      # row 6: text score (blanked)
              "r6,c6,Vilnius,2025-01-06,store,8,4,5,fine\n"    # row 7: ok
              "r7,c7,Vilnius,2025-01-07,store,12,,,\n")        # row 8: its only score blanked: no score
    with pytest.raises(DataValidationError) as err:
        cx.read_table(p, "responses", today=TODAY)
    probs = err.value.problems
    assert list(probs.columns) == ["file", "row", "column", "value", "expected"]
    got = {(r.row, r.column, r.value) for r in probs.itertuples()}
    assert got == {(4, "unit", ""), (5, "date", "2025-02-30"), (8, "nps", "")}
    msg = str(err.value)
    assert "responses.csv, row 5, column 'date': value '2025-02-30' - expected a real calendar date" in msg
    assert ("at least one score (nps, csat, ces); blanked as not valid: nps '12' (expected a whole number from 0 "
            "to 10)") in msg
    assert "3 problems" in msg
    # the same file in quarantine: the bad optional values are blanked, each repair names its rows
    lr = cx.read_table(p, "responses", errors="quarantine", today=TODAY)
    _check_invariant(lr)
    assert lr.data["_row"].tolist() == [2, 3, 6, 7] and lr.data["nps"].tolist() == [pd.NA, pd.NA, pd.NA, 8]
    blanked = lr.repairs[lr.repairs["column"] == "nps"].set_index("lines")
    assert blanked["rows"].to_dict() == {"2": 1, "3": 1, "6": 1}  # row 8 was rejected: not a repair
    assert blanked.loc["2", "repair"] == "blanked values (optional column) - expected a whole number from 0 to 10"
    assert blanked.loc["3", "repair"].endswith("(no fractions)") and blanked.loc["6", "example"] == "'ten'"


def test_quarantine_returns_clean_rows_and_reasons(tmp_path):
    p = write(tmp_path / "r.csv", HEAD + "r1,c1,A,2025-02-30,store,11,4,5,\n" + "r2,c2,A,2025-01-04,store,9,4,5,\n")
    lr = cx.read_table(p, "responses", errors="quarantine", today=TODAY)
    _check_invariant(lr)
    assert lr.rows_loaded == 1 and lr.rows_rejected == 1
    rej = lr.rejected.iloc[0]
    assert rej["row"] == 2 and "date" in rej["reason"] and rej["date"] == "2025-02-30"
    assert rej["nps"] == "11"  # the raw values of a rejected row, also those that would have been blanked


def test_row_numbers_count_physical_lines_with_multiline_comments(tmp_path):
    text = (HEAD + 'r1,c1,A,2025-01-03,store,9,4,5,"line one\nline two"\n'
            "\n"  # a blank line
            "r2,c2,A,2025-01-04,store,12,4,5,x\n"
            "r3,c3,A,2025-01-04,store,8,4,5,x\n"
            "r4,c4,A,2025-13-04,store,8,4,5,x\n")
    lr = cx.read_table(write(tmp_path / "r.csv", text), "responses", errors="quarantine", today=TODAY)
    assert lr.problems["row"].tolist() == [7]
    assert lr.repairs.set_index("column").loc["nps", "lines"] == "5"  # the blanked '12'
    assert lr.data["comment"].iloc[0] == "line one\nline two"


def test_semicolon_decimal_comma_cp1257(tmp_path):
    text = ("customer_id;unit;segment;acquired_at;churned_at;acquisition_cost;cost_to_serve\n"
            "c1;Klaipėda;Verslas;2024-01-02;;1 234,50;12,5\n"
            "c2;Šiauliai;Privatūs;2024-02-03;2025-01-01;99,90;7\n")
    lr = cx.read_table(write(tmp_path / "customers.csv", text, "cp1257"), "customers", today=TODAY)
    assert lr.source["encoding"] == "cp1257" and lr.source["delimiter"] == ";"
    assert lr.data["unit"].tolist() == ["Klaipėda", "Šiauliai"]
    assert lr.data["acquisition_cost"].tolist() == [1234.5, 99.9]
    assert lr.data["cost_to_serve"].tolist() == [12.5, 7.0]
    assert any("decimal comma" in r for r in lr.repairs["repair"])
    assert any("thousands" in r for r in lr.repairs["repair"])


def test_cp1250_polish_and_utf8_bom(tmp_path):
    text = "unit;region\nGdańsk Oliwa;Pomorze\nKraków Galeria;Małopolska\n"
    lr = cx.read_table(write(tmp_path / "units.csv", text, "cp1250"), "units", today=TODAY)
    assert lr.source["encoding"] == "cp1250"
    assert lr.data["region"].tolist() == ["Pomorze", "Małopolska"]
    bom = tmp_path / "units_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + "unit,region\nRīga Centrs,Latvija\n".encode())
    lr = cx.read_table(bom, "units")
    assert lr.data["unit"].tolist() == ["Rīga Centrs"] and lr.source["encoding"] == "utf-8-sig"


def test_utf16_excel_unicode_text_export(tmp_path):
    p = tmp_path / "units.txt"
    p.write_bytes("unit\tregion\nLiepāja\tKurzeme\n".encode("utf-16"))
    lr = cx.read_table(p, "units")
    assert lr.data["unit"].tolist() == ["Liepāja"] and lr.source["delimiter"] == "\t"


def test_xlsx_with_mapping_and_csat_1_to_7(tmp_path):
    frame = pd.DataFrame({
        "ID": ["a", "b", "c"],
        "Shop": ["Vilnius", "Vilnius", "Kaunas"],
        "Survey date": [dt.datetime(2025, 5, 1), dt.datetime(2025, 5, 2), dt.datetime(2025, 5, 3)],
        "How likely are you to recommend us to a friend?": [10, 6, 8],
        "Overall satisfaction (1-7)": [7, 5, 6],
    })
    path = tmp_path / "export.xlsx"
    frame.to_excel(path, index=False, sheet_name="Answers")
    mapping = {"scales": {"csat": [1, 7]},
               "responses": {"sheet": "Answers", "columns": {
                   "ID": "response_id", "Shop": "unit", "Survey date": "date",
                   "How likely are you to recommend us to a friend?": "nps",
                   "Overall satisfaction (1-7)": "csat"}}}
    lr = cx.read_table(path, "responses", mapping=mapping, today=TODAY)
    assert lr.data["csat"].tolist() == [7, 5, 6] and lr.data["_row"].tolist() == [2, 3, 4]
    assert cx.csat(lr.data["csat"], scale=lr.scales["csat"]).value == pytest.approx(200 / 3)
    with pytest.raises(FileReadError, match="sheet 'Nope' not found; the workbook has: 'Answers'"):
        cx.read_table(path, "responses", mapping=mapping, sheet="Nope")


def test_mapping_file_values_and_constants(tmp_path):
    (tmp_path / "crm.csv").write_text("ID,Left,Months,Monthly\nx1,Yes,5,20.5\nx2,No,30,10\n", encoding="utf-8")
    (tmp_path / "mapping.yml").write_text(
        "customers:\n  file: crm.csv\n  columns: {ID: customer_id, Left: churned, Months: tenure_months, "
        "Monthly: monthly_revenue}\n  values:\n    churned: {'Yes': 'true', 'No': 'false'}\n"
        "  constants: {unit: Telco}\n", encoding="utf-8")
    lr = cx.read_table(tmp_path / "crm.csv", "customers", mapping=tmp_path / "mapping.yml")
    assert lr.data["churned"].tolist() == [True, False]
    assert lr.data["unit"].astype(str).tolist() == ["Telco", "Telco"]


def test_missing_required_column_suggests_a_fix(tmp_path):
    p = write(tmp_path / "r.csv", "response_id,Unit name,date,nps\nr1,A,2025-01-01,9\n")
    with pytest.raises(DataValidationError, match="a column named 'unit'") as err:
        cx.read_table(p, "responses", errors="quarantine")
    assert "mapping" in str(err.value)


def test_duplicated_contract_header_is_an_error(tmp_path):
    p = write(tmp_path / "r.csv", "response_id,unit,date,nps,NPS\nr1,A,2025-01-01,9,8\n")
    with pytest.raises(DataValidationError, match="one column for 'nps'"):
        cx.read_table(p, "responses")


def test_duplicate_ids_keep_the_first(tmp_path):
    p = write(tmp_path / "r.csv",
              "response_id,unit,date,nps\nr1,A,2025-01-01,9\nr2,A,2025-01-01,8\nr1,A,2025-01-02,7\n")
    lr = cx.read_table(p, "responses", errors="quarantine", today=TODAY)
    assert lr.data["response_id"].tolist() == ["r1", "r2"]
    assert lr.problems.iloc[0]["expected"] == "a unique response_id (first seen at row 2)"
    assert lr.problems.iloc[0]["row"] == 4


def test_ticket_and_customer_date_logic(tmp_path):
    t = write(tmp_path / "t.csv", "ticket_id,unit,created_at,first_response_at\n"
              "t1,A,2025-01-01 10:00,2025-01-01 09:00\nt2,A,2025-01-01 10:00,2025-01-01 11:30\n")
    lr = cx.read_table(t, "tickets", errors="quarantine", today=TODAY)
    assert lr.problems.iloc[0]["column"] == "first_response_at" \
        and "not before created_at" in lr.problems.iloc[0]["expected"]
    c = write(tmp_path / "c.csv", "customer_id,acquired_at,churned_at\nc1,2025-03-01,2025-01-01\nc2,2025-01-01,\n")
    lr = cx.read_table(c, "customers", errors="quarantine", today=TODAY)
    assert lr.rejected["row"].tolist() == [2] and "acquired_at" in lr.rejected["reason"].iloc[0]


def test_future_dates_and_mixed_formats(tmp_path):
    p = write(tmp_path / "r.csv", "response_id,unit,date,nps\nr1,A,2025-01-05,9\nr2,A,06.01.2025,9\n"
              "r3,A,2031-01-01,9\nr4,A,2025/01/07,8\n")
    lr = cx.read_table(p, "responses", errors="quarantine", today=TODAY)
    assert lr.data["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-05", "2025-01-06", "2025-01-07"]
    assert "not in the future" in lr.problems.iloc[0]["expected"]
    assert any("mixed date formats" in r for r in lr.repairs["repair"])


def test_slash_dates_use_evidence_or_european_default(tmp_path):
    p = write(tmp_path / "r.csv", "response_id,unit,date,nps\nr1,A,25/03/2025,9\nr2,A,04/03/2025,9\n")
    lr = cx.read_table(p, "responses", today=TODAY)
    assert lr.data["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-25", "2025-03-04"]
    assert any("DD/MM/YYYY" in r for r in lr.repairs["repair"])


def test_unit_spelling_variants_are_unified_and_reported(tmp_path):
    p = write(tmp_path / "r.csv", "response_id,unit,date,nps\nr1,Vilnius Ozas,2025-01-01,9\n"
              "r2, vilnius  ozas ,2025-01-01,9\nr3,VILNIUS OZAS,2025-01-01,9\n")
    lr = cx.read_table(p, "responses", today=TODAY)
    assert lr.data["unit"].astype(str).unique().tolist() == ["Vilnius Ozas"]
    repairs = " | ".join(lr.repairs["repair"])
    assert "whitespace" in repairs and "unified to 'Vilnius Ozas'" in repairs


def test_code_points_below_u0300_are_nfc_in_any_order():
    """The premise of normalising only values with a byte from 0xCC on (code points from U+0300): text made
    of code points below U+0300 is NFC already. No such code point composes with another or decomposes, so
    checking every single one and every pair (unicodedata, Python's own Unicode tables) covers any text."""
    import unicodedata

    low = [chr(c) for c in range(0x300)]
    assert all(unicodedata.is_normalized("NFC", a) for a in low)
    assert all(unicodedata.is_normalized("NFC", a + b) for a in low for b in low)
    assert "\u0300".encode()[0] == 0xCC and "\u02ff".encode()[0] == 0xCB  # where the byte test draws the line


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_text_is_nfc_normalised_and_ids_report_it(tmp_path, fmt):
    """Decomposed accents (a letter + U+030C / U+0301) are joined (NFC) in ids, units and comments; text that
    is NFC already, also with bytes from 0xCC on (emoji, curly quotes, CJK), is left as it was."""
    import unicodedata

    import pyarrow as pa
    import pyarrow.parquet as pq

    comments = ["S\u030cauni aptarnavo\u0301", "Ačiū 😀 “labai” gerai", "plain", "", "Dzie\u0328kuje\u0328 ｶﾀｶﾅ 漢字",
                "Zaķis ļoti labs"]
    customers = ["c-S\u030c1", "c-2", "c-3", "c-Š1", "c-5", "c-6"]
    units = ["S\u030ciauliai", "Šiauliai", "Riga", "Riga", "Riga", "Riga"]
    frame = pd.DataFrame({"response_id": [f"r{i}" for i in range(6)], "customer_id": customers, "unit": units,
                          "date": ["2025-01-0%d" % (i + 1) for i in range(6)], "nps": [9] * 6, "comment": comments})
    p = tmp_path / f"r.{fmt}"
    if fmt == "csv":
        frame.to_csv(p, index=False)
    else:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), p)
    lr = cx.read_table(p, "responses", errors="quarantine", today=TODAY)
    _check_invariant(lr)
    nfc = [unicodedata.normalize("NFC", c) for c in comments]
    assert lr.data["comment"].fillna("").tolist() == nfc
    assert lr.data["customer_id"].tolist() == ["c-Š1", "c-2", "c-3", "c-Š1", "c-5", "c-6"]
    assert lr.data["unit"].astype(str).tolist() == ["Šiauliai", "Šiauliai", "Riga", "Riga", "Riga", "Riga"]
    nfc_repairs = lr.repairs[lr.repairs["repair"].str.contains("NFC")]
    assert dict(zip(nfc_repairs["column"], nfc_repairs["rows"])) == {"customer_id": 1, "unit": 1}


def test_rows_with_wrong_field_count_are_rejected_not_dropped(tmp_path):
    p = write(tmp_path / "r.csv",
              "response_id,unit,date,nps\nr1,A,2025-01-01,9\nr2,A,2025-01-01,9,extra\nr3,A,2025-01-02\n")
    lr = cx.read_table(p, "responses", errors="quarantine", today=TODAY)
    _check_invariant(lr)
    assert lr.rows_in == 3 and lr.rows_loaded == 1
    assert sorted(lr.rejected["row"].tolist()) == [3, 4]
    assert "fields like the header" in lr.rejected["reason"].iloc[0]


def test_nul_bytes_are_removed_and_reported(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes(b"response_id,unit,date,nps\nr1,A,2025-01-01,9\x00\nr2,A,2025-01-02,8\n")
    lr = cx.read_table(p, "responses", today=TODAY)
    assert lr.data["nps"].tolist() == [9, 8]
    assert "NUL" in lr.repairs["repair"].iloc[0]


def test_empty_and_broken_files_give_clear_errors(tmp_path):
    (tmp_path / "zero.csv").write_bytes(b"")
    with pytest.raises(FileReadError, match="empty"):
        cx.read_table(tmp_path / "zero.csv", "responses")
    (tmp_path / "head.csv").write_text("response_id,unit,date,nps\n")
    lr = cx.read_table(tmp_path / "head.csv", "responses")
    assert lr.rows_in == 0 and lr.rows_loaded == 0
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(FileReadError, match="not a readable .xlsx"):
        cx.read_table(tmp_path / "bad.xlsx", "responses")
    with pytest.raises(FileReadError, match="not found"):
        cx.read_table(tmp_path / "missing.csv", "responses")
    with pytest.raises(ConfigError, match="unknown table"):
        cx.read_table(tmp_path / "head.csv", "surveys")


def test_parquet_round_trip(tmp_path, sample):
    path = tmp_path / "responses.parquet"
    sample.responses.drop(columns=["_row"]).to_parquet(path)
    lr = cx.read_table(path, "responses")
    assert lr.rows_loaded == len(sample.responses)
    pd.testing.assert_series_equal(lr.data["nps"], sample.responses["nps"], check_names=False)
    assert lr.data["_row"].iloc[0] == 1


def test_parquet_dictionary_columns_read_like_plain_text(tmp_path):
    """Dictionary-encoded (categorical) Parquet columns are converted through their categories; the
    values must equal the element-by-element conversion, with empty cells and repairs as before."""
    from cxkit.data.convert.context import _as_text
    from cxkit.data.readers.base import _STR

    for s in [pd.Series(pd.Categorical(["a", None, "b", "a"]), name="unit"),
              pd.Series(pd.Categorical([None, None], categories=pd.Index([], dtype=object))),
              pd.Series(pd.Categorical([1.0, 2.5, None])), pd.Series(pd.Categorical(["ą", "Ž"]), index=[5, 9])]:
        pd.testing.assert_series_equal(_as_text(s), s.astype("string").fillna("").astype(_STR))
    frame = pd.DataFrame({"response_id": ["r1", "r2", "r3", "r4"],
                          "unit": pd.Categorical([" Vilnius  Ozas", "Kaunas", None, "Kaunas"]),
                          "date": ["2025-01-01"] * 4, "nps": [9, 3, 7, 10],
                          "channel": pd.Categorical(["web", None, "shop", "web"])})
    frame.to_parquet(tmp_path / "responses.parquet")
    frame.astype({"unit": object, "channel": object}).to_parquet(tmp_path / "plain.parquet")
    a = cx.read_table(tmp_path / "responses.parquet", "responses", errors="quarantine", today=TODAY)
    b = cx.read_table(tmp_path / "plain.parquet", "responses", errors="quarantine", today=TODAY)
    assert a.rows_loaded == b.rows_loaded == 3 and a.rows_rejected == b.rows_rejected == 1  # r3: no unit
    known = ["response_id", "unit", "date", "nps"]  # checked columns; "channel" is kept as it comes
    pd.testing.assert_frame_equal(a.data[known], b.data[known])
    assert a.data["unit"].astype(str).tolist() == ["Vilnius Ozas", "Kaunas", "Kaunas"]
    pd.testing.assert_frame_equal(a.repairs.drop(columns="file"), b.repairs.drop(columns="file"))


def test_load_folder_checks_units_against_units_table(tmp_path):
    write(tmp_path / "units.csv", "unit,region\nVilnius Ozas,LT\n")
    write(tmp_path / "responses.csv",
          "response_id,unit,date,nps\nr1,vilnius ozas,2025-01-01,9\nr2,Kaunas,2025-01-01,9\n")
    with pytest.raises(DataValidationError, match="a unit listed in units.csv"):
        cx.load(tmp_path, today=TODAY)
    ds = cx.load(tmp_path, errors="quarantine", today=TODAY)
    assert ds.responses["unit"].astype(str).tolist() == ["Vilnius Ozas"]  # spelling from units.csv
    assert ds.rejected["row"].tolist() == [3]
    lr = ds.tables["responses"]
    _check_invariant(lr)


def test_extra_columns_are_kept_as_text(tmp_path):
    p = write(tmp_path / "r.csv", "response_id,unit,date,nps,Store manager\nr1,A,2025-01-01,9,Ona\n")
    lr = cx.read_table(p, "responses", today=TODAY)
    assert lr.data["Store manager"].tolist() == ["Ona"]


def _reference_hash(value: str | None) -> int:
    """fast_hash written out for one string in plain Python (independent of the vectorised version)."""
    b = (value or "").encode("utf-8")
    m = 2**64 - 1
    h = ((len(b) * 0x9E3779B97F4A7C15) & m) ^ 0xD6E8FEB86659FD93
    for k in range(max(1, (len(b) + 7) // 8)):
        h ^= int.from_bytes(b[8 * k:8 * k + 8].ljust(8, b"\0"), "little")
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & m
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & m
        h ^= h >> 31
    return h


def test_fast_hash_matches_a_plain_python_version():
    import pyarrow as pa

    from cxkit.data.hashing import fast_hash

    values = ["", None, "a", "R1", "R10000000", "x" * 8, "y" * 9, "z" * 16, "w" * 17, "Łódź-ąčęėįšųūž", "ünï",
              "C\u200b1", "b" * 255, "c" * 256, "d" * 3000]
    arr = pa.array(values, type=pa.string())
    for part, expect in ((arr, values), (arr.slice(3, 8), values[3:11]),
                         (pa.chunked_array([arr.slice(0, 5), arr.slice(5)]), values)):
        assert fast_hash(part).tolist() == [_reference_hash(v) for v in expect]


@pytest.mark.parametrize("spill", [False, True])
@pytest.mark.parametrize("chunk", [900, 130])
@pytest.mark.parametrize("weak", [False, True])
def test_duplicate_ids_across_chunks_match_pandas(monkeypatch, tmp_path, weak, chunk, spill):
    """The duplicate check (hash candidates confirmed by the strings) gives exactly pandas' first-wins
    answer, also when many different ids share a hash (``weak``: 3000 hash values for 2000 ids), and
    with 31 chunks and a prefix filter that starts at 64 bits and grows as ids come; ``spill``: the ids
    of every chunk after the first 500 ids are kept in temporary files, mapped back (and the files are
    gone from the temporary folder at once)."""
    import tempfile

    import numpy as np

    import cxkit.data.hashing as cio

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    if spill:
        monkeypatch.setattr(cio._SeenIds, "keep_in_memory", 500)
    if weak:  # patched where _SeenIds looks it up at call time
        real = cio.fast_hash
        monkeypatch.setattr(cio, "fast_hash", lambda a: real(a) % np.uint64(3000))
    rng = np.random.default_rng(5)
    ids = pd.Series([f"id{v}" for v in rng.integers(0, 2000, 4000)], dtype="string[pyarrow]")
    ids[rng.random(4000) < 0.05] = pd.NA
    seen, dup, first = cio._SeenIds(first_bits=6 if chunk < 900 else 20), [], []
    for lo in range(0, 4000, chunk):  # the last chunk short
        d, f = seen.check(ids.iloc[lo:lo + chunk], np.arange(lo, min(lo + chunk, 4000), dtype=np.int64))
        dup.append(d)
        first.append(f)
    dup, first = np.concatenate(dup), np.concatenate(first)
    present = ids.notna().to_numpy()
    expect = present & ids.duplicated(keep="first").to_numpy()
    assert dup.tolist() == expect.tolist() and expect.sum() > 1000
    assert len(seen.bits) * 8 >= 8 * seen.n_seen  # the filter kept at least 8 bits per id
    firsts = {v: i for i, v in reversed(list(enumerate(ids.tolist()))) if v is not pd.NA}
    assert first.tolist() == [firsts[v] for v in ids[expect].tolist()]
    mapped = [not pos.flags.writeable for _, _, pos, _ in seen.chunks]  # views of a mapped file: read-only
    before = np.cumsum([0] + [len(hs) for hs, *_ in seen.chunks])[:-1]  # ids kept before each chunk
    assert mapped == [bool(spill) and b >= 500 for b in before] and (any(mapped) or not spill)
    assert list(tmp_path.iterdir()) == []


def test_duplicates_found_across_row_groups_whatever_the_id_lengths(tmp_path):
    """A later chunk holding a longer id must not hide copies of earlier ids (the hash of a value once
    depended on the longest value of its chunk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = ["r1", "r2", "r3", "r1", "r-with-a-much-longer-id-than-the-others", "r2", "x" * 190, "r3", "r4"]
    t = pa.table({"response_id": ids, "unit": ["A"] * 9, "date": ["2025-01-0%d" % (i + 1) for i in range(9)],
                  "nps": [9] * 9})
    pq.write_table(t, tmp_path / "responses.parquet", row_group_size=3)  # three chunks
    lr = cx.read_table(tmp_path / "responses.parquet", "responses", errors="quarantine", today=TODAY)
    _check_invariant(lr)
    assert lr.data["response_id"].tolist() == ["r1", "r2", "r3", ids[4], ids[6], "r4"]
    assert lr.problems["expected"].tolist() == [f"a unique response_id (first seen at row {r})" for r in (1, 2, 3)]


def test_parquet_placeholder_dates_outside_pandas_range_are_rejected_rows(tmp_path):
    """Parquet dates and timestamps like 9999-12-31 or 0001-01-01 (outside the 1677-2262 range pandas can hold)
    are rejected with the placeholder explanation, as in CSV files; they once stopped the load with an
    OutOfBoundsDatetime error."""
    import datetime as dt_

    import pyarrow as pa
    import pyarrow.parquet as pq

    day = pa.array([dt_.date(2024, 1, 1), dt_.date(2024, 2, 1), dt_.date(2024, 3, 1), dt_.date(1, 1, 1)])
    pq.write_table(pa.table({"customer_id": ["c1", "c2", "c3", "c4"], "acquired_at": day,
                             "churned_at": pa.array([dt_.date(9999, 12, 31), None, dt_.date(2025, 1, 1), None])}),
                   tmp_path / "customers.parquet")
    lr = cx.read_table(tmp_path / "customers.parquet", "customers", errors="quarantine", today=TODAY)
    _check_invariant(lr)
    # both date columns are optional in customers: the placeholders are blanked, the rows kept
    assert lr.data["customer_id"].tolist() == ["c1", "c2", "c3", "c4"] and not len(lr.problems)
    assert lr.data["churned_at"].isna().tolist() == [True, True, False, True]
    assert lr.data["acquired_at"].isna().tolist() == [False, False, False, True]
    assert lr.data["churned_at"].iloc[2] == pd.Timestamp("2025-01-01") \
        and str(lr.data["acquired_at"].dtype) == "datetime64[ns]"
    r = lr.repairs.set_index("column")
    assert "9999-12-31 is a placeholder for 'no end date'" in r.loc["churned_at", "repair"]
    assert "0001-01-01 is a placeholder for 'unknown'" in r.loc["acquired_at", "repair"]
    assert (r.loc["churned_at", "lines"], r.loc["acquired_at", "lines"]) == ("1", "4")  # Parquet: row = position
    stamps = pa.array([dt_.datetime(2025, 1, 1, 9, 30), dt_.datetime(9999, 12, 31, 23, 59)], type=pa.timestamp("ms"))
    pq.write_table(pa.table({"ticket_id": ["t1", "t2"], "unit": ["A", "A"], "created_at": stamps,
                             "first_response_at": pa.array([dt_.datetime(2025, 1, 1, 10)] * 2,
                                                           type=pa.timestamp("us"))}),
                   tmp_path / "tickets.parquet")
    lr = cx.read_table(tmp_path / "tickets.parquet", "tickets", errors="quarantine", today=TODAY)
    _check_invariant(lr)
    assert lr.data["created_at"].tolist() == [pd.Timestamp("2025-01-01 09:30")] and lr.rows_rejected == 1
