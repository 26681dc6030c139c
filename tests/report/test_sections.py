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
    import io

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    from PIL import Image

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
    sec.figure(fitted)
    with pytest.warns(UserWarning, match="[Tt]ight"):
        sec.figure(loose)
    assert draws == []  # tight_layout measures, it does not draw
    sec.show()
    # one draw for the fitted figure; the one cropped is measured by a draw first, as savefig does
    assert [d is fitted for d in draws] == [True, False, False]
    sizes = [Image.open(io.BytesIO(img.data)).size for img in shown]
    assert [img.format for img in shown] == ["png", "png"]
    assert sizes[0] == (400, 300)  # the whole canvas: tight_layout put everything inside it
    assert sizes[1] != (200, 150)  # cropped to what was drawn, as the inline backend does
