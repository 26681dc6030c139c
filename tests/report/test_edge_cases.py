"""Edge cases say what they are (issue 20): a unit without responses in the period, a period without
any response, significance on no answers, and a score missing from the data. Each test checks what
the reader sees: the sentences, numbers and flags in the sections, the HTML pages, the index and the
manifest."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import cxkit as cx
from cxkit.cli import main
from cxkit.report import league_table, open_report, prepare, run_batch
from cxkit.report.render import write_index
from cxkit.report.sections import shown_metrics
from cxkit.stats.comparisons import compare
from cxkit.stats.trends import trend

EMPTY = "There are no survey responses in this period"
NO_RESPONSES = "No responses in this period."
NOT_SHOWN = "No survey responses in this period: this part is not shown."


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The sample data, edited: the units table lists "Tallinn Kristiine", which has no responses at all,
    and Liepāja has no responses in 2025Q4 (but has earlier ones)."""
    out = tmp_path_factory.mktemp("edges")
    cx.write_sample(out, rows=1500, seed=7)
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    extra = units.iloc[[0]].assign(unit="Tallinn Kristiine", region="Estonia", parent="Estonia")
    pd.concat([units, extra]).to_csv(out / "units.csv", index=False)
    r = pd.read_csv(out / "responses.csv", dtype=str, keep_default_na=False)
    late = (r["unit"] == "Liepāja") & (r["date"] >= "2025-10-01")
    assert late.any()
    r[~late].to_csv(out / "responses.csv", index=False)
    return out


@pytest.fixture(scope="module")
def q4(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("q4")
    prep = prepare(data, out, period="2025Q4", parallel=False)
    return prep


@pytest.fixture(scope="module")
def empty(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("empty")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prep = prepare(data, out, period="2026-06", parallel=False)
    return prep, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


# ---------------------------------------------------------------------------------------
# nothing with n = 0 (or below min_n_test) is ever significant


def test_compare_flags_nothing_without_answers_or_below_the_minimum():
    # unit A: 10 answers, all promoters; the rest: 600 detractors - a huge difference on too few answers
    df = pd.DataFrame({"unit": ["A"] * 10 + ["B"] * 300 + ["C"] * 300, "nps": [10] * 10 + [0] * 600,
                       "date": pd.Timestamp("2025-11-15")})
    tab = compare(df, metric="nps", by="unit", min_n_test=30).set_index("unit")
    assert tab.loc["A", "diff"] == pytest.approx(200.0)
    assert not tab.loc["A", "significant"] and tab.loc["A", "direction"] == "not tested"
    # a period without answers against a year earlier with answers: n = 0, never significant
    ago = compare(df, metric="nps", by="unit", against="year_ago", period="2026Q4", min_n_test=30)
    assert (ago["n"] == 0).all() and not ago["significant"].any()
    assert set(ago["direction"]) == {"not shown"}
    tr = trend(df.assign(date=[pd.Timestamp("2025-10-10")] * 5 + [pd.Timestamp("2025-11-10")] * 605),
               metric="nps", by="unit", freq="M", min_n_test=30)
    assert not tr[tr["n"] < 30]["significant"].any()


def test_the_manifest_record_flags_nothing_measured_on_no_answers(empty):
    """2026-06: no answers, but a year earlier has some - every unit's headline has rows with n = 0 (they
    were flagged significant in the manifest)."""
    prep, _ = empty
    for unit in prep.groups:
        rep = open_report(prepared_dir=str(prep.data_dir), unit=unit, level="unit")
        record = cx.headline_record(rep)
        assert record, unit
        for metric, h in record.items():
            if h["n"] == 0:
                assert h["significant"] is False and h["previous_significant"] is False, (unit, metric)
        # the table the reader sees: no ▲/▼ anywhere on rows without answers
        table = cx.headline_table(rep)
        assert not table.apply(lambda col: col.astype(str).str.contains("▲|▼")).any().any()
    summary = open_report(prepared_dir=str(prep.data_dir), level="unit")
    assert all(not h["significant"] for h in cx.headline_record(summary).values())


def test_a_comparison_missing_from_the_context_is_not_significant(q4):
    """The company ("All") has no comparison with the rest: its headline once read the missing flag (NaN)
    as True."""
    rep = open_report(prepared_dir=str(q4.data_dir), level="unit")
    h = cx.headline(rep)
    assert h["rest_significant"].dtype == bool and not h["rest_significant"].any()
    assert all(v["significant"] is False for v in cx.headline_record(rep).values())


# ---------------------------------------------------------------------------------------
# an empty period


def test_an_empty_period_is_a_warning_and_a_sentence_in_every_report(empty):
    prep, caught = empty
    assert prep.empty_period
    assert any("no survey responses in the period 2026-06-01 to 2026-06-30" in m and
               "the responses run from 2024-01-04 to 2025-12-31" in m for m in caught), caught
    for unit in ("Kaunas Mega", ""):  # a unit report and the leadership summary
        rep = open_report(prepared_dir=str(prep.data_dir), unit=unit, level="unit")
        first = cx.headline_notes(rep)[0]
        assert first.startswith(EMPTY) and "(1 Jun 2026 – 30 Jun 2026)" in first
        assert "the responses run from 4 Jan 2024 to 31 Dec 2025" in first
        lt = cx.headline_notes(rep, lang="lt")[0]
        assert lt.startswith("Šiuo laikotarpiu (2026-06-01 – 2026-06-30) apklausos atsakymų nėra")


def test_an_empty_period_shows_no_figures_of_other_windows(empty, q4):
    prep, _ = empty
    rep = open_report(prepared_dir=str(prep.data_dir), unit="Kaunas Mega", level="unit")
    # the 12-month churn of the prepared context exists, but is not shown under this period
    c = rep.context["comparisons"]
    assert len(c[(c["metric"] == "churn_rate") & (c["group"] == "Kaunas Mega")])
    assert "churn_rate" not in shown_metrics(rep)
    assert "churn_rate" not in set(cx.headline(rep)["metric"]) and "churn_rate" not in cx.headline_record(rep)
    assert "Churn rate (%, 12 months)" not in set(cx.headline_table(rep)["Metric"])
    for section in (cx.drivers_section, cx.outcomes_section, cx.themes_section):
        assert section(rep).items == [("note", NOT_SHOWN)], section.__name__
    summary = open_report(prepared_dir=str(prep.data_dir), level="unit")
    assert "Churn rate (%, 12 months)" not in league_table(summary).columns
    with pytest.raises(cx.InsufficientDataError, match=NOT_SHOWN):
        cx.unit_outcomes_figure(summary)
    # a period with responses keeps all of them
    full = open_report(prepared_dir=str(q4.data_dir), unit="Kaunas Mega", level="unit")
    assert "churn_rate" in set(cx.headline(full)["metric"])
    assert "figure" in [k for k, _ in cx.drivers_section(full, n_boot=20).items]


# ---------------------------------------------------------------------------------------
# units without responses


def test_units_without_responses_are_listed_with_a_sentence(q4):
    meta = json.loads((q4.data_dir / "context" / "meta.json").read_text(encoding="utf-8"))
    assert q4.not_reported == meta["not_reported"] == ["Tallinn Kristiine"]  # no report: nothing of its own
    assert "Tallinn Kristiine" not in q4.groups and "Liepāja" in q4.groups  # Liepāja has earlier responses
    assert meta["responses_in_period"]["Liepāja"] == 0 and meta["responses_in_period"]["Tallinn Kristiine"] == 0
    assert meta["responses_in_period"]["Kaunas Mega"] > 0 and not meta["empty_period"]
    # Liepāja's own report says so first
    liep = open_report(prepared_dir=str(q4.data_dir), unit="Liepāja", level="unit")
    assert cx.headline_notes(liep)[0] == NO_RESPONSES
    assert cx.headline_notes(liep, lang="pl")[0] == "Brak odpowiedzi w tym okresie."
    kaunas = open_report(prepared_dir=str(q4.data_dir), unit="Kaunas Mega", level="unit")
    assert NO_RESPONSES not in cx.headline_notes(kaunas)
    # the summary names both and keeps them in the league table
    summary = open_report(prepared_dir=str(q4.data_dir), level="unit")
    assert cx.headline_notes(summary)[0] == "No responses in this period: Liepāja, Tallinn Kristiine."
    league = league_table(summary).set_index("Unit")
    assert league.loc["Tallinn Kristiine", "Note"] == NO_RESPONSES == league.loc["Liepāja", "Note"]
    assert league.loc["Tallinn Kristiine", "NPS"] == "–" and league.loc["Liepāja", "NPS"] == "–"
    assert league.loc["Kaunas Mega", "Note"] == "" and "n = " in league.loc["Kaunas Mega", "NPS"]
    lv = league_table(summary, lang="lv").set_index("Vienība")
    assert lv.loc["Liepāja", "Piezīme"] == "Šajā periodā nav atbilžu."


def test_asking_for_a_unit_without_responses_is_not_an_error(data, tmp_path):
    prep = prepare(data, tmp_path, period="2025Q4", units=["Tallinn Kristiine", "Kaunas Mega"], parallel=False)
    assert prep.groups == ["Kaunas Mega"] and prep.not_reported == ["Tallinn Kristiine"]
    assert set(prep.responses_in_period) == {"Tallinn Kristiine", "Kaunas Mega"}
    with pytest.raises(cx.ConfigError, match="unknown unit"):
        prepare(data, tmp_path / "x", units=["Nowhere"], parallel=False)


def test_the_index_lists_units_without_a_report(tmp_path):
    """The index template: a unit with a report but no responses in the period, and a unit without a
    report (``units_without_responses``), each with the sentence and no link."""

    manifest = {"units": [{"group": "Liepāja", "status": "done", "error": None, "html": "units/liepaja.html",
                           "pdf": None, "headline": {}, "responses_in_period": 0},
                          {"group": "Kaunas Mega", "status": "done", "error": None, "html": "units/kaunas-mega.html",
                           "pdf": None, "headline": {}, "responses_in_period": 120}],
                "parameters": {"period_start": "2025-10-01", "period_end": "2025-12-31", "level": "unit"},
                "created": "2026-01-05T10:00:00", "summary": None, "data": {"rows_rejected": 0},
                "units_without_responses": ["Tallinn <Kristiine>"]}
    page = write_index(tmp_path, manifest).read_text(encoding="utf-8")
    assert page.count(NO_RESPONSES) >= 1
    row = page[page.index('>Liepāja</a>'):]
    assert row[:row.index("</tr>")].count(NO_RESPONSES) == 1
    row = page[page.index('>Kaunas Mega</a>'):]
    assert NO_RESPONSES not in row[:row.index("</tr>")]
    # the unit without a report: its name (escaped), the sentence, no link
    row = page[page.index("Tallinn &lt;Kristiine&gt;"):]
    row = row[:row.index("</tr>")]
    assert NO_RESPONSES in row and "<a " not in row


# ---------------------------------------------------------------------------------------
# a score missing from the data


@pytest.fixture(scope="module")
def no_nps(data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("no_nps")
    for f in data.iterdir():
        (out / f.name).write_bytes(f.read_bytes())
    r = pd.read_csv(out / "responses.csv", dtype=str, keep_default_na=False)
    r = r[(r["csat"] != "") | (r["ces"] != "")]  # rows with no score left would be rejected (a real problem)
    r.drop(columns=["nps"]).to_csv(out / "responses.csv", index=False)
    return out


def test_validate_notes_a_missing_score_without_failing(no_nps, capsys):
    assert main(["validate", str(no_nps)]) == 0  # a note, not an error
    out = capsys.readouterr().out
    assert "no nps column: NPS cannot be reported" in out and "No problems found." in out
    assert main(["validate", str(no_nps / "responses.csv"), "--table", "responses"]) == 0
    assert "no nps column: NPS cannot be reported" in capsys.readouterr().out
    ds = cx.load(no_nps)
    assert ds.tables["responses"].notes[0] == "no nps column: NPS cannot be reported"
    assert set(ds.log["note"]) == {"", "no nps column: NPS cannot be reported"}


def test_the_data_notes_of_a_report_name_a_missing_score(no_nps, tmp_path):
    prep = prepare(no_nps, tmp_path, period="2025Q4", parallel=False)
    for unit in ("Kaunas Mega", ""):
        rep = open_report(prepared_dir=str(prep.data_dir), unit=unit, level="unit")
        notes = cx.methods_notes(rep)
        assert notes[0] == "The responses have no 'nps' column (or no value in it): NPS cannot be reported."
        assert "nps" not in set(cx.headline(rep)["metric"])
        assert cx.methods_notes(rep, lang="lt")[0].endswith("NPS ataskaitoje pateikti negalima.")
        # the parts measured on NPS say why they are empty (they used to stop the report with a KeyError)
        for section in (cx.drivers_section, cx.outcomes_section, cx.themes_section):
            assert section(rep).items == [("note", notes[0])], section.__name__
        with pytest.raises(cx.InsufficientDataError, match="NPS cannot be reported"):
            cx.journey_table(rep)
    assert "CSAT (% satisfied)" in set(cx.headline_table(rep)["Metric"])  # the other scores are reported
    logged = rep.context["log"].set_index("table")
    assert logged.loc["responses", "note"] == "no nps column: NPS cannot be reported"
    # the analyst's way in (no batch) says the same
    direct = open_report(str(no_nps), unit="Kaunas Mega", period_start="2025-10-01", period_end="2025-12-31")
    assert cx.methods_notes(direct)[0].endswith("NPS cannot be reported.")


# ---------------------------------------------------------------------------------------
# the batch end to end: what the pages and the manifest say


def test_a_batch_over_an_empty_period_warns_and_every_page_says_so(data, tmp_path):
    out = tmp_path / "report"
    with pytest.warns(UserWarning, match="no survey responses in the period 2023-01-01 to 2023-03-31"):
        res = run_batch(data, out, units=["Kaunas Mega"], period="2023Q1", workers=2, progress=False)
    assert res.exit_code == 0, res.summary_text()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["empty_period"] is True
    [unit] = manifest["units"]
    assert unit["responses_in_period"] == 0 and "churn_rate" not in unit["headline"]
    assert not any(h["significant"] for h in unit["headline"].values())
    for page in (out / "units" / "kaunas-mega.html", out / "summary.html"):
        text = page.read_text(encoding="utf-8")
        assert EMPTY in text and "(1 Jan 2023 – 31 Mar 2023)" in text, page.name
        assert "Churn rate (%, 12 months)" not in text, page.name
    assert NOT_SHOWN in (out / "units" / "kaunas-mega.html").read_text(encoding="utf-8")


def test_a_batch_lists_units_without_responses_in_the_index_and_the_summary(data, tmp_path):
    out = tmp_path / "report"
    res = run_batch(data, out, units=["Liepāja", "Tallinn Kristiine"], period="2025Q4", workers=2, progress=False)
    assert res.exit_code == 0, res.summary_text()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["units_without_responses"] == ["Tallinn Kristiine"] and manifest["empty_period"] is False
    [liep] = manifest["units"]
    assert liep["group"] == "Liepāja" and liep["responses_in_period"] == 0
    assert not any(h["significant"] for h in liep["headline"].values())
    assert NO_RESPONSES in (out / "units" / "liepāja.html").read_text(encoding="utf-8")
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "No responses in this period: Liepāja, Tallinn Kristiine." in summary
    index = (out / "index.html").read_text(encoding="utf-8")
    row = index[index.index(">Liepāja</a>"):]
    assert NO_RESPONSES in row[:row.index("</tr>")]
    assert not (out / "units" / "tallinn-kristiine.html").exists()  # no report: nothing of its own to show


def test_the_command_line_says_the_period_is_empty_in_one_plain_line(tmp_path, capsys):
    from cxkit.cli import main

    data = tmp_path / "d"
    cx.write_sample(data, rows=1500, seed=7)
    assert main(["report", "--data", str(data), "--out", str(tmp_path / "out"), "--period", "2026-06",
                 "--units", "Kaunas Mega", "--quiet"]) == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "no survey responses" in x)
    assert line.startswith("cxkit: no survey responses in the period 2026-06-01 to 2026-06-30")
    assert "Warning" not in line and ".py:" not in line
