"""Report views: headline figures, confidentiality (also through subtraction), localisation."""
from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.report.sections import suppress_complementary


@pytest.fixture(scope="module")
def rep(sample_dir):
    return cx.open_report(str(sample_dir), unit="Kaunas Mega")


def test_complementary_suppression_rules():
    # one small group: it and the next smallest are hidden, so total - shown cannot recover it
    assert suppress_complementary(pd.Series([3, 40, 50]), 5).tolist() == [True, True, False]
    # two small groups adding up to less than the threshold: a third is hidden too
    assert suppress_complementary(pd.Series([1, 2, 40, 50]), 5).tolist() == [True, True, True, False]
    # no total published: only the small group itself
    assert suppress_complementary(pd.Series([3, 40]), 5, total_shown=False).tolist() == [True, False]
    assert not suppress_complementary(pd.Series([0, 40, 50]), 5).any()  # empty groups reveal nothing


def test_headline_values_match_independent_computation(rep):
    h = cx.headline(rep).set_index("metric")
    r = rep.current("responses")
    assert h.loc["nps", "value"] == pytest.approx(cx.nps(r["nps"]).value)
    assert h.loc["nps", "n"] == cx.nps(r["nps"]).n
    company = rep.context["comparisons"]
    rest = company[(company["metric"] == "nps") & (company["against"] == "rest") & (company["group"] == "Kaunas Mega")]
    assert rest["significant"].iloc[0] and rest["direction"].iloc[0] == "lower"  # the planted worse unit
    assert h.loc["nps", "rest_direction"] == "lower"


def test_a_tiny_touchpoint_is_hidden_with_a_complement(rep):
    r = rep.tables["responses"]
    cur = rep.current("responses")
    keep_tp = cur["touchpoint"].astype(str) == "social_media"
    # leave only 3 social-media answers in the period
    drop = cur.index[keep_tp][3:]
    small = cx.ReportData(group=rep.group, level=rep.level, period=rep.period,
                          tables={**rep.tables, "responses": r.drop(index=drop)}, context=rep.context, meta=rep.meta)
    table = cx.journey_table(small, settings={"min_n_show": 5})
    hidden = table[table["NPS"] == cx.t("not_shown", "en")]
    assert "Social media" in set(hidden["Touchpoint"]) and len(hidden) >= 2
    assert (hidden["n"] == "–").all()


def test_league_table_hides_a_small_unit_and_its_complement(tmp_path):
    cx.write_sample(tmp_path, rows=3000, seed=5)
    r = pd.read_csv(tmp_path / "responses.csv", dtype=str, keep_default_na=False)
    liep = r.index[r["unit"] == "Liepāja"]
    r.drop(index=liep[3:]).to_csv(tmp_path / "responses.csv", index=False)  # Liepāja: 3 answers in all
    rep = cx.open_report(str(tmp_path), unit="", period_start="2024-01-01", period_end="2025-12-31")
    league = cx.league_table(rep, settings={"min_n_show": 5}).set_index("Unit")
    assert league.loc["Liepāja", "NPS"] == "–"
    assert (league["NPS"] == "–").sum() >= 2  # a second unit hidden so Liepāja = company - others fails


def test_sections_are_localised_and_escape_data(rep):
    head = cx.headline_table(rep, lang="lv")
    assert list(head.columns)[:2] == ["Rādītājs", "Vērtība"]
    assert head.iloc[0, 1].startswith("−")  # a real minus sign, decimal comma
    html = cx.table_html(pd.DataFrame({"unit": ["<b>x</b>"], "v": [1234.5]}), lang="pl")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "1\u00a0234,5" in html
    notes = cx.methods_notes(rep, lang="lt")
    assert any("Benjamini-Hochberg" in n for n in notes)


def test_thin_data_become_a_note_not_an_error(tmp_path):
    cx.write_sample(tmp_path, rows=400, seed=9)
    small = cx.open_report(str(tmp_path), unit="Liepāja")
    sec = cx.drivers_section(small, settings={"min_n_test": 30})
    kinds = [k for k, _ in sec.items]
    assert kinds  # a table or a note, never an exception
    out = cx.outcomes_section(small)
    assert [k for k, _ in out.items]


def test_figures_are_drawn_once_and_cropped_only_when_tight_layout_could_not_fit_them(monkeypatch):
    import base64
    import re

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from cxkit.report.display import Section

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fitted, _ = plt.subplots(figsize=(4, 3), dpi=100)
    fitted.axes[0].plot([1, 2, 3])
    fitted.axes[0].set_ylabel("NPS")
    loose, _ = plt.subplots(figsize=(2, 1.5), dpi=100)
    loose.axes[0].set_ylabel("a label far longer than the figure is wide\n" * 6)  # cannot be fitted
    draws = []
    real_draw = matplotlib.figure.Figure.draw
    monkeypatch.setattr(matplotlib.figure.Figure, "draw", lambda fig, r: (draws.append(fig), real_draw(fig, r))[1])
    sec = Section()
    sec.figure(fitted, alt="a line from 1 to 3")
    with pytest.warns(UserWarning, match="[Tt]ight"):
        sec.figure(loose, alt="an empty chart, 0 points")
    assert draws == []  # tight_layout measures, it does not draw
    sec.show()
    # one draw for the fitted figure; the one cropped is measured by a draw first, as savefig does
    assert [d is fitted for d in draws] == [True, False, False]
    svgs = [base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', h.data).group(1)).decode()
            for h in shown]
    sizes = [re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups() for svg in svgs]
    assert sizes[0] == ("288", "216")  # the whole canvas (4 x 3 inches): tight_layout put everything inside it
    assert sizes[1] != ("144", "108")  # cropped to what was drawn, as the inline backend does


def _independent(metric: str, tables: dict, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """A headline metric over [start, end] (both days inclusive), from the raw rows, written out here."""
    stop = end + pd.Timedelta(days=1)
    if metric in ("nps", "csat", "ces"):
        r = tables["responses"]
        v = r.loc[(r["date"] >= start) & (r["date"] < stop), metric].dropna().astype(float)
        if metric == "nps":
            return 100 * ((v >= 9).mean() - (v <= 6).mean())
        return 100 * (v >= 4).mean()  # top two boxes of 1-5
    if metric == "first_response_time":
        tk = tables["tickets"]
        tk = tk[(tk["created_at"] >= start) & (tk["created_at"] < stop) & tk["first_response_at"].notna()]
        return float(((tk["first_response_at"] - tk["created_at"]).dt.total_seconds() / 3600).median())
    c = tables["customers"]  # churn: left in (start, end], among customers active at the start (statistics.md)
    active = (c["acquired_at"] <= start) & (c["churned_at"].isna() | (c["churned_at"] > start))
    left = active & (c["churned_at"] > start) & (c["churned_at"] < stop)
    return 100 * left.sum() / active.sum()


def test_previous_and_year_ago_are_computed_over_the_windows_the_methods_note_states(rep):
    """For every headline metric: "previous period" and "a year earlier" recomputed from the raw rows over
    the windows written in the methods note (for the 12-month churn rate, the 12 months to the end of the
    previous quarter - not the calendar year before, which is "a year earlier")."""
    from cxkit.periods import metric_window, reference_window

    h = cx.headline(rep).set_index("metric")
    start, end = rep.period
    notes = " ".join(cx.methods_notes(rep))
    assert "1 Oct 2024 – 30 Sep 2025 (previous period)" in notes
    assert "1 Jan 2024 – 31 Dec 2024 (a year earlier)" in notes
    for metric in h.index:
        now = _independent(metric, rep.tables, *metric_window(metric, start, end))
        assert h.loc[metric, "value"] == pytest.approx(now, rel=1e-9), metric
        for vs in ("previous", "year_ago"):
            expected = _independent(metric, rep.tables, *reference_window(metric, start, end, vs))
            assert h.loc[metric, f"{vs}_reference"] == pytest.approx(expected, rel=1e-9), (metric, vs)
    churn = h.loc["churn_rate"]
    assert churn["previous_reference"] != pytest.approx(churn["year_ago_reference"])  # the two windows differ


def test_significant_differences_say_better_or_worse_and_are_coloured_by_it(rep):
    """▲/▼ follow the number; the word follows the metric's direction (a lower first-response time or churn
    rate is better), and the HTML colours the pair, so colour is not the only cue."""
    from cxkit.report.display import table_html

    h = cx.headline(rep).set_index("metric")
    table = cx.headline_table(rep).set_index("Metric")
    checked = 0
    for metric, row in h.iterrows():
        for vs, column in (("rest", "vs rest of company"), ("target", "Target"), ("previous", "Previous period"),
                           ("year_ago", "A year earlier")):
            cell = table.loc[cx.t(metric, "en"), column]
            if not _significant(row[f"{vs}_significant"]):
                assert "▲" not in cell and "▼" not in cell and "better" not in cell and "worse" not in cell
                continue
            higher = row[f"{vs}_diff"] > 0
            good = higher == bool(row["higher_is_better"])
            assert ("▲" if higher else "▼") + (" better" if good else " worse") in cell, (metric, vs, cell)
            checked += 1
    assert checked >= 3
    # the sample: Kaunas Mega's first response is below (better than) its target of 4 hours
    assert "▼ better" in table.loc["First response (median hours)", "Target"]
    page = table_html(cx.headline_table(rep, lang="pl"), lang="pl")
    assert '<span class="cx-worse">▼ gorzej</span>' in page and '<span class="cx-better">▼ lepiej</span>' in page


def _significant(value) -> bool:
    return value is True or (hasattr(value, "dtype") and bool(value))


def _texts(ax) -> list[str]:
    """Every text drawn on a chart: tick labels, bar labels, title, legend."""
    ax.figure.canvas.draw()
    out = [x.get_text() for x in ax.texts] + [x.get_text() for x in ax.get_yticklabels()] + [ax.get_title()]
    legend = ax.get_legend()
    return out + ([x.get_text() for x in legend.get_texts()] if legend else [])


def test_nps_distribution_of_the_unit_against_the_company(rep):
    """Detractors / passives / promoters counted here from the period's answers; the chart shows them."""
    start, end = rep.period
    r = rep.current("responses")["nps"].dropna().astype(int)
    counts = [int((r <= 6).sum()), int(r.between(7, 8).sum()), int((r >= 9).sum())]
    dist = rep.context["nps_distribution"].set_index("group")
    row = dist.loc["Kaunas Mega"]
    assert [row["detractors"], row["passives"], row["promoters"]] == counts and row["n"] == len(r) == 386
    assert row[["detractors_pct", "passives_pct", "promoters_pct"]].sum() == pytest.approx(100)
    assert row["nps"] == pytest.approx(cx.nps(r).value)
    assert dist.loc["All", "n"] == dist.drop(index="All")["n"].sum()
    sec = cx.distribution_section(rep, lang="lt")
    (kind, fig), = sec.items
    texts = _texts(fig.axes[0])
    assert "Kaunas Mega  n = 386  NPS −30" in texts
    assert any(s.replace("\u00a0", " ").startswith("Įmonė  n = 3 723") for s in texts)  # lt: space thousands
    assert f"{100 * counts[0] / len(r):.0f}\u00a0%" in texts  # 50 % detractors drawn on the bar (lt: "50 %")
    assert "kritikai (0-6)" in texts and "Kritikai, neutralūs ir rekomenduotojai" in texts


def test_nps_distribution_of_all_units_in_the_summary(sample_dir):
    rep = cx.open_report(str(sample_dir), unit="")
    ax = cx.distribution_figure(rep).ax
    labels = [x.get_text() for x in ax.get_yticklabels()]  # top to bottom
    assert labels[0].startswith("Company  n = 3,723")
    nps_values = [float(s.rsplit("NPS ", 1)[1].replace("−", "-")) for s in labels[1:]]
    assert nps_values == sorted(nps_values, reverse=True) and len(labels) == 11


def test_a_figure_with_its_notes_shows_each_note_not_a_python_list(sample_dir, monkeypatch):
    """unit_outcomes_figure returns (chart, notes): the notes are shown as sentences, never as "['...']"."""
    import cxkit.report.display as display

    shown = []
    monkeypatch.setattr(display, "_display_html", lambda text: shown.append(text))
    rep = cx.open_report(str(sample_dir), unit="")
    _, notes = cx.unit_outcomes_figure(rep, outcome="revenue_growth")
    assert notes and all(isinstance(n, str) for n in notes)
    cx.show_part(lambda: cx.unit_outcomes_figure(rep, outcome="revenue_growth"))
    page = "".join(shown)
    assert "['" not in page and "[&#x27;" not in page
    for note in notes:
        assert html_escape(note) in page


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def test_money_carries_the_currency_and_the_estimate_comes_before_the_rule_of_thumb(rep):
    sec = cx.outcomes_section(rep, n_boot=50, settings={"currency": "PLN"})
    tables = [v for k, v in sec.items if k == "html" and "Revenue at risk" in v]
    assert len(tables) == 1
    page = tables[0]
    assert "Revenue at risk per year (PLN)" in page
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    assert "estimated from your data" in rows[0]  # the data-based estimate, with its interval, first
    assert "secondary: rule of thumb" in rows[1] and rows[1].count("–") >= 1  # no interval
    monthly = [v for k, v in sec.items if k == "html" and "Revenue per customer per month" in v]
    assert "Revenue per customer per month (PLN)" in monthly[0]


def test_fair_ranking_in_the_summary_and_the_units_place_in_its_report(sample_dir):
    """The summary's ranking equals cx.rank_units on the period's raw answers; each unit report quotes its own
    row of it; the funnel names exactly the units outside its limits."""
    company = cx.open_report(str(sample_dir), unit="")
    start, end = company.period
    r = company.tables["responses"]
    answers = r[(r["date"] >= start) & (r["date"] <= end)].dropna(subset=["nps"])
    expected = cx.rank_units(answers.assign(unit=answers["unit"].astype(str)), by="unit").summary
    table = cx.ranking_table(company)
    assert table["Unit"].tolist() == expected["unit"].tolist()
    ranks = zip(expected["rank"], expected["rank_low"], expected["rank_high"])
    assert table["Rank (plausible range)"].tolist() == [f"{a} ({b}–{c})" for a, b, c in ranks]
    row = expected.set_index("unit").loc["Rīga Centrs"]
    note = cx.rank_note(cx.open_report(str(sample_dir), unit="Rīga Centrs"))

    def ordinal(k):
        return {1: "1st", 2: "2nd", 3: "3rd"}.get(k, f"{k}th")

    assert note == (f"Rank by NPS among 10 units (partial pooling): {ordinal(row['rank'])}, "
                    f"plausibly {ordinal(row['rank_low'])} to {ordinal(row['rank_high'])} (95%).")
    assert "no other place is plausible" in cx.rank_note(cx.open_report(str(sample_dir), unit="Kaunas Mega"))
    ax = cx.funnel_figure(company).ax
    named = {x.get_text() for x in ax.texts}
    assert named == set(expected.loc[expected["funnel"] != "inside", "unit"])
    assert "Kaunas Mega" in named


def test_touchpoints_and_movers_say_whether_each_difference_is_significant(rep, sample_dir):
    """Each row's word follows its comparison: significant after correction, tested and not (interval across
    0, or only before correction), or below the test minimum on either side (n named)."""
    from cxkit.report.sections import significance_words

    rows = pd.DataFrame({"n": [16, 80, 80, 80], "reference_n": [400, 400, 20, 400], "significant": [False, True,
                         False, False], "p_adjusted": [float("nan"), 0.01, float("nan"), 0.2],
                         "diff_ci_low": [-9.0, 2.0, -3.0, 0.5], "diff_ci_high": [4.0, 9.0, 3.0, 7.0]})
    assert significance_words(rows, "en", 30) == ["not tested: n = 16 < 30", "yes", "not tested: n = 20 < 30",
                                                  "no: not after correction for multiple comparisons"]
    table = cx.journey_table(rep)
    small = table[table["n"].astype(int) < 30]
    assert len(small) == 3 and all(w == f"not tested: n = {n} < 30" for w, n in zip(small["Significant"], small["n"]))
    assert "Company" in table.columns
    company_view = cx.journey_table(cx.open_report(str(sample_dir), unit=""))
    assert "Company" not in company_view.columns  # it would repeat the NPS column
    movers = cx.movers_table(cx.open_report(str(sample_dir), unit=""))
    for change, ci, word in zip(movers["Change"], movers["95% CI"], movers["Significant"]):
        low, high = (float(x.replace("−", "-")) for x in ci.split(" – "))
        if word.startswith("no: the interval includes 0"):
            assert low < 0 < high and "▲" not in change and "▼" not in change


def test_trends_shade_the_period_draw_the_target_and_list_only_marks_that_appear(rep):
    ax = cx.trend_figure(rep, metric="ces", lang="en")
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "reporting period" in legend and "Target 65" in legend  # the sample's CES target of Kaunas Mega
    shaded = [p for p in ax.patches if p.get_label() == "reporting period"]
    assert len(shaded) == 1
    x0, x1 = shaded[0].get_x(), shaded[0].get_x() + shaded[0].get_width()
    import matplotlib.dates as mdates

    assert mdates.num2date(x1).date() == rep.period[1].date()
    assert mdates.num2date(x0).date() < rep.period[0].date()
    flagged = rep.context["trend"].query("metric == 'ces' and group == 'Kaunas Mega'")["direction"]
    assert ("real change: better" in legend) == flagged.isin(["higher"]).any()
    assert ("real change: worse" in legend) == flagged.isin(["lower"]).any()
    targets = [line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert targets == [65]
