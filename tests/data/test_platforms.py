"""Survey platforms' exports load with no mapping (issue 21): Qualtrics (current and legacy layout, numeric
values and choice text), SurveyMonkey (CSV and .xlsx), Google Forms and Typeform.

The fixtures in ``tests/data/platforms/`` were written by hand from each platform's documented export
format (see the README there). Every expected score below is the number written in the fixture, typed
here again by hand, and each NPS is computed here from those numbers, not by cxkit.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import cxkit as cx
from cxkit.cli import main
from cxkit.data.platforms import detect_platform

HERE = Path(__file__).resolve().parent / "platforms"
TODAY = dt.date(2026, 1, 15)

#: folder -> (platform, rows, nps as written, csat as written (labels already as numbers), ces as written)
CASES = {
    "qualtrics_numeric": ("Qualtrics", 12, [10, 9, 9, 8, 7, 6, 3, 10, 9, 0, 8, 10],
                          [5, 5, 4, 4, 3, 2, 1, 5, 4, 1, 4, 5], None),
    # choice text: "10 - Extremely likely", "Extremely satisfied" (5) ... "Extremely dissatisfied" (1), "Very easy"
    "qualtrics_choice_text": ("Qualtrics", 10, [10, 9, 8, 6, 0, 10, 7, 4, 9, 10],
                              [5, 4, 4, 3, 1, 5, 4, 2, 5, 4], [5, 4, 3, 2, 1, 5, 4, 2, 5, 4]),
    "qualtrics_legacy": ("Qualtrics", 10, [9, 10, 7, 5, 8, 2, 9, 10, 6, 9], [5, 5, 4, 2, 4, 1, 4, 5, 3, 5], None),
    # "Very satisfied" 5, "Satisfied" 4, "Neither satisfied nor dissatisfied" 3, "Dissatisfied" 2, "Very dissatisfied" 1
    "surveymonkey_csv": ("SurveyMonkey", 12, [9, 10, 7, 8, 3, 9, 6, 10, 0, 9, 8, 5],
                         [5, 5, 4, 4, 2, 4, 3, 5, 1, 5, 4, 2], None),
    "google_forms": ("Google Forms", 12, [10, 9, 8, 2, 9, 7, 10, 6, 9, 4, 10, 8], [5, 4, 4, 1, 5, 3, 5, 3, 4, 2, 5, 4],
                     None),
    "typeform": ("Typeform", 10, [9, 10, 6, 8, 3, 9, 10, 7, 9, 5], None, [5, 5, 2, 4, 1, 4, 5, 3, 5, 2]),
}

#: NPS of each fixture, counted by hand: (promoters - detractors) / answers * 100
HAND_NPS = {"qualtrics_numeric": (6 - 3) / 12 * 100, "qualtrics_choice_text": (5 - 3) / 10 * 100,
            "qualtrics_legacy": (5 - 3) / 10 * 100, "surveymonkey_csv": (5 - 4) / 12 * 100,
            "google_forms": (6 - 3) / 12 * 100, "typeform": (5 - 3) / 10 * 100}


def _nps(scores: list[int]) -> float:
    return (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores) * 100


def _load(folder: Path):
    return cx.load(folder, errors="quarantine", today=TODAY)


@pytest.mark.parametrize("name", sorted(CASES))
def test_platform_export_loads_with_no_mapping(name):
    platform, rows, nps, csat, ces = CASES[name]
    ds = _load(HERE / name)
    lr = ds.tables["responses"]
    assert lr.rows_in == lr.rows_loaded + lr.rows_rejected
    assert (lr.rows_in, lr.rows_loaded, lr.rows_rejected) == (rows, rows, 0), lr.problems.to_string()
    assert lr.data["nps"].tolist() == nps
    assert _nps(nps) == pytest.approx(HAND_NPS[name])
    assert _nps(lr.data["nps"].tolist()) == pytest.approx(HAND_NPS[name])
    if csat is not None:
        assert lr.data["csat"].tolist() == csat
    if ces is not None:
        assert lr.data["ces"].tolist() == ces
    assert lr.source["platform"] == platform
    assert any(r.startswith(f"platform: {platform}") for r in lr.repairs["repair"]), lr.repairs
    assert any("only table file" in r for r in lr.repairs["repair"])
    assert lr.data["date"].notna().all() and lr.data["response_id"].is_unique
    assert lr.data["comment"].notna().any()
    assert ds.log.loc[0, "note"].startswith(f"platform: {platform}")


def test_qualtrics_three_header_rows_reported():
    lr = _load(HERE / "qualtrics_numeric").tables["responses"]
    note = next(r for r in lr.repairs["repair"] if r.startswith("platform:"))
    assert "3 header rows" in note and "skipped 2 extra header row(s)" in note
    assert lr.data["_row"].tolist()[:2] == [4, 5]  # the file's rows 1-3 are the header rows
    assert set(lr.data["unit"].astype(str)) == {"Vilnius Ozas", "Kaunas Mega"}  # "Which store did you visit?"
    assert lr.data["Q1_NPS_GROUP"].tolist()[0] == "3"  # Qualtrics' own columns are kept as text
    assert lr.data["comment"].tolist()[5] == "The product I wanted\nwas out of stock"


def test_qualtrics_legacy_layout_uses_the_labels_row():
    lr = _load(HERE / "qualtrics_legacy").tables["responses"]
    assert "IPAddress" in lr.data.columns and "V6" not in lr.data.columns
    assert "legacy layout" in next(r for r in lr.repairs["repair"] if r.startswith("platform:"))
    assert lr.data["response_id"].tolist()[0] == "R_0pLqXk2Wz9aBc1D"


def test_answer_labels_reported_as_repairs():
    lr = _load(HERE / "qualtrics_choice_text").tables["responses"]
    repairs = dict(zip(lr.repairs["column"] + "|" + lr.repairs["repair"], lr.repairs["rows"]))
    assert any(k.startswith("csat|standard answer labels of Qualtrics") and v == 10 for k, v in repairs.items())
    assert any(k.startswith("nps|answer labels read as their number") and v == 4 for k, v in repairs.items())


def test_google_forms_month_first_dates_ids_and_unit():
    lr = _load(HERE / "google_forms").tables["responses"]
    file = "Klientu_aptauja_Form_Responses_1.csv"
    assert lr.data["date"].dt.strftime("%Y-%m-%d").tolist()[:5] == ["2025-03-25", "2025-03-25", "2025-03-26",
                                                                     "2025-03-27", "2025-04-01"]
    # the 10th answer (lines 11-12) holds a comment over two lines: the last two answers are on lines 13 and 14
    assert lr.data["response_id"].tolist()[:2] == [f"{file}:2", f"{file}:3"]
    assert lr.data["response_id"].tolist()[-3:] == [f"{file}:11", f"{file}:13", f"{file}:14"]
    assert set(lr.data["unit"].astype(str)) == {"Klientu_aptauja_Form_Responses_1"}
    repairs = lr.repairs.set_index("column")
    assert repairs.loc["response_id", "rows"] == 12 and "row number" in repairs.loc["response_id", "repair"]
    assert repairs.loc["unit", "rows"] == 12 and "named after the file" in repairs.loc["unit", "repair"]


def test_surveymonkey_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    with open(HERE / "surveymonkey_csv" / "Customer_Satisfaction_Survey.csv", newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))
    wb = openpyxl.Workbook()
    ws = wb.active
    for rec in records:
        ws.append([int(v) if v.isdigit() else (v or None) for v in rec])
    (tmp_path / "sm").mkdir()
    wb.save(tmp_path / "sm" / "Customer_Satisfaction_Survey.xlsx")
    lr = _load(tmp_path / "sm").tables["responses"]
    assert (lr.rows_in, lr.rows_loaded) == (12, 12)
    assert lr.data["nps"].tolist() == CASES["surveymonkey_csv"][2]
    assert lr.data["csat"].tolist() == CASES["surveymonkey_csv"][3]
    assert lr.source["platform"] == "SurveyMonkey"
    assert "Which channels did you use to contact us? - E-mail" in lr.data.columns


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_validate_exits_0(name, tmp_path, capsys):
    folder = tmp_path / name
    shutil.copytree(HERE / name, folder)
    assert main(["validate", str(folder)]) == 0
    assert CASES[name][0] in capsys.readouterr().out


def test_detect_platform_in_other_languages_and_not_for_contract_files():
    assert detect_platform([["Laiko žymė", "Kaip tikėtina, kad rekomenduotumėte mus draugui?"]]).platform == \
        "Google Forms"
    assert detect_platform([["Sygnatura czasowa", "Czy poleciłbyś nas znajomemu?"]]).platform == "Google Forms"
    assert detect_platform([["response_id", "unit", "date", "nps"], ["R-1", "Vilnius", "2025-01-01", "9"]]) is None


@pytest.mark.parametrize("name", sorted(n for n in CASES))
def test_read_table_reads_one_platform_file_with_no_mapping(name, capsys):
    """One export read as a table (read_table, ``cxkit validate FILE --table responses``): no mapping either."""
    platform, rows, nps, _, _ = CASES[name]
    path = next(p for p in (HERE / name).iterdir() if p.suffix == ".csv")
    lr = cx.read_table(path, "responses", today=TODAY)
    assert (lr.rows_loaded, lr.rows_rejected, lr.source["platform"]) == (rows, 0, platform)
    assert lr.data["nps"].tolist() == nps
    assert not any("only table file" in r for r in lr.repairs["repair"])  # not a folder's lone file here
    assert main(["validate", str(path), "--table", "responses"]) == 0
    assert f"platform: {platform}" in capsys.readouterr().out
