"""Scale sanity: a score column whose values often lie outside its scale is a warning of the load, with the
share, the count and the usual survey scale the values fit; two scales mixed in one column get their own
warning. The numbers below are counted by hand from the files each test writes."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cxkit as cx
from cxkit.cli import main

from helpers import write

TODAY = dt.date(2026, 1, 15)
HEAD = "Response ID;Shop;Date;NPS;CSAT\n"
MAPPING = {"responses": {"columns": {"Response ID": "response_id", "Shop": "unit", "Date": "date", "NPS": "nps",
                                     "CSAT": "csat"}}}


def _export(path, csat_values, nps=8):
    """A ';'-separated survey export (Lithuanian Excel style), one row per CSAT value."""
    lines = [f"R-{i};Vilnius Ozas;{(i % 28) + 1:02d}.03.2025;{nps};{v}" for i, v in enumerate(csat_values, start=1)]
    return write(path, HEAD + "\n".join(lines) + "\n")


def _read(path, mapping=None, **kw):
    return cx.read_table(path, "responses", mapping=mapping or MAPPING, errors="quarantine", today=TODAY, **kw)


def test_a_site_that_moved_from_a_10_to_a_5_point_scale(tmp_path):
    # 10,000 answers: 6,300 on 1-5 and 3,700 on 6-10 (the 10-point answers of before the change)
    values = [1 + i % 5 for i in range(6300)] + [6 + i % 5 for i in range(3700)]
    lr = _read(_export(tmp_path / "export.csv", values))
    assert lr.warnings[0] == ("csat: 37.0% of values (3,700 of 10,000) lie outside the scale 1-5; they fit 1-10 - "
                              "set the scale in the mapping (scales: csat: [1, 10]) if that is the question's scale")
    assert lr.warnings[1].startswith("csat: looks like two scales mixed: 63.0% of values (6,300) lie within 1-5 "
                                     "and 37.0% (3,700) above it, values between 6 and 10; a survey that changed "
                                     "scale? split the file or recode")
    assert len(lr.warnings) == 2
    # the out-of-scale values themselves: CSAT is optional, so they are blanked and the rows (with NPS) load
    assert lr.rows_loaded == 10_000 and lr.rows_rejected == 0
    assert int(lr.data["csat"].isna().sum()) == 3700
    rep = lr.repairs.set_index("column").loc["csat"]
    assert rep["rows"] == 3700 and rep["lines"] == "6302, 6303, 6304, 6305, 6306 and 3,695 more"
    # shown wherever the notes of a load are
    assert lr.warnings[0] in lr.summary["note"].iloc[0] and lr.warnings[1] in lr.notes


def test_one_scale_declared_too_narrow_is_no_mix(tmp_path):
    # a 1-10 question read as 1-5: most answers are above 5 (a satisfied clientele), 200 of 1,000 within 1-5
    values = [1 + i % 5 for i in range(200)] + [6 + i % 5 for i in range(800)]
    lr = _read(_export(tmp_path / "export.csv", values))
    assert lr.warnings == ["csat: 80.0% of values (800 of 1,000) lie outside the scale 1-5; they fit 1-10 - set "
                           "the scale in the mapping (scales: csat: [1, 10]) if that is the question's scale"]
    mapping = {**MAPPING, "scales": {"csat": [1, 10]}}  # the advice taken: no warning, nothing blanked
    lr = _read(tmp_path / "export.csv", mapping)
    assert lr.warnings == [] and int(lr.data["csat"].isna().sum()) == 0


@pytest.mark.parametrize("outside, warned", [(50, False), (51, True)])
def test_more_than_five_percent_outside_is_the_threshold(tmp_path, outside, warned):
    values = [4] * (1000 - outside) + [7] * outside
    lr = _read(_export(tmp_path / "export.csv", values))
    assert bool(lr.warnings) is warned
    if warned:  # 51 sevens among 1,000 values: 1-7 is the narrowest usual scale holding them all
        assert lr.warnings == ["csat: 5.1% of values (51 of 1,000) lie outside the scale 1-5; they fit 1-7 - set "
                               "the scale in the mapping (scales: csat: [1, 7]) if that is the question's scale"]


def test_nearly_all_values_fit_is_said_with_the_rest(tmp_path):
    # 1,000 NPS answers on 0-100 (a slider) with 6 typing slips above 100
    lines = [f"R-{i};Kaunas Mega;2025-03-01;{(i * 7) % 101};4" for i in range(994)]
    lines += [f"R-{994 + i};Kaunas Mega;2025-03-01;{v};4" for i, v in enumerate([150, 150, 200, 250, 300, 999])]
    lr = _read(write(tmp_path / "export.csv", HEAD + "\n".join(lines) + "\n"))
    inside = sum(1 for i in range(994) if (i * 7) % 101 <= 10)
    outside = 1000 - inside
    assert lr.warnings[0] == (f"nps: {100 * outside / 1000:.1f}% of values ({outside} of 1,000) lie outside the "
                              "scale 0-10; they fit 0-100 (all but 6) - set the scale in the mapping (scales: nps: "
                              "[0, 100]) if that is the question's scale")


def test_values_no_usual_scale_fits(tmp_path):
    # a column of years mapped as NPS by mistake
    lines = [f"R-{i};Kaunas Mega;2025-03-01;{2015 + i % 10};4" for i in range(40)]
    lr = _read(write(tmp_path / "export.csv", HEAD + "\n".join(lines) + "\n"))
    assert lr.warnings == ["nps: 100.0% of values (40 of 40) lie outside the scale 0-10; they fit none of the usual "
                           "survey scales (0-10, 1-10, 1-5, 1-7, 0-5, 1-3, 0-100) - check which question the column "
                           "holds"]


def test_not_rated_zeros_in_a_1_to_5_attribute_rating(tmp_path):
    """0 ("not rated") in a 1-5 sub-rating: the scale key of attr_* columns is 'attr'."""
    head = "response_id,unit,date,nps,attr_staff\n"
    rows = [f"r{i},Vilnius Ozas,2025-03-01,9,{0 if i % 10 == 0 else 1 + i % 5}" for i in range(1, 101)]
    lr = cx.read_table(write(tmp_path / "responses.csv", head + "\n".join(rows) + "\n"), "responses",
                       mapping={"scales": {"attr": [1, 5]}}, errors="quarantine", today=TODAY)
    assert lr.warnings == ["attr_staff: 10.0% of values (10 of 100) lie outside the scale 1-5; they fit 0-5 - set "
                           "the scale in the mapping (scales: attr: [0, 5]) if that is the question's scale"]
    assert lr.rows_loaded == 100 and int(lr.data["attr_staff"].isna().sum()) == 10


def test_counted_over_the_whole_file_not_per_chunk(tmp_path):
    """Three row groups (three chunks): two on 1-5, the last on 6-10. Each chunk alone would say 0% or 100%."""
    csat = [1 + i % 5 for i in range(800)] + [6 + i % 5 for i in range(400)]
    table = pa.table({"response_id": [f"r{i}" for i in range(1200)], "unit": ["Vilnius Ozas"] * 1200,
                      "date": [dt.date(2025, 3, 1)] * 1200, "nps": pa.array([8] * 1200, pa.int64()),
                      "csat": pa.array(csat, pa.int64())})
    pq.write_table(table, tmp_path / "responses.parquet", row_group_size=400)
    lr = cx.read_table(tmp_path / "responses.parquet", "responses", errors="quarantine", today=TODAY)
    assert lr.warnings[0].startswith("csat: 33.3% of values (400 of 1,200) lie outside the scale 1-5; they fit 1-10")
    assert "66.7% of values (800) lie within 1-5 and 33.3% (400) above it, values between 6 and 10" in lr.warnings[1]
    # the rows named are the first of the third chunk (Parquet rows are numbered by position, 1 = first)
    assert lr.repairs.set_index("column").loc["csat", "lines"] == "801, 802, 803, 804, 805 and 395 more"


def test_a_clean_column_and_a_few_typos_give_no_warning(tmp_path):
    values = [1 + i % 5 for i in range(990)] + [55] * 10  # 1.0% typos
    lr = _read(_export(tmp_path / "export.csv", values))
    assert lr.warnings == []
    assert lr.repairs.set_index("column").loc["csat", "rows"] == 10  # blanked, each named


def test_dataset_and_validate_command_show_the_warnings(tmp_path, capsys):
    values = [1 + i % 5 for i in range(60)] + [6 + i % 5 for i in range(40)]
    _export(tmp_path / "export.csv", values)
    (tmp_path / "mapping.yml").write_text(
        "responses:\n  file: export.csv\n  columns: {Response ID: response_id, Shop: unit, Date: date, NPS: nps, "
        "CSAT: csat}\n", encoding="utf-8")
    ds = cx.load(tmp_path, errors="quarantine", today=TODAY)
    warning = ("csat: 40.0% of values (40 of 100) lie outside the scale 1-5; they fit 1-10 - set the scale in the "
               "mapping (scales: csat: [1, 10]) if that is the question's scale")
    assert ds.tables["responses"].warnings[0] == warning
    assert warning in ds.log.set_index("table").loc["responses", "note"]
    assert f"responses: {warning}" in ds.notes
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"Warnings:\n  responses (export.csv): {warning}\n" in out
    assert out.index("Warnings:") < out.index("Repairs made")
