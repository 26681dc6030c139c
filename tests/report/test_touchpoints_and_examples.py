"""The touchpoint chart (cx.plot_touchpoints, cx.journey_section) and the comment examples of the themes section:
what the reader sees - names, n, verdicts, the overall NPS line, untested points; examples never repeated across
themes, chosen by the theme's polarity, with their score, date and touchpoint, also when those columns are absent."""
from __future__ import annotations

import matplotlib.colors as mcolors
from matplotlib.collections import PathCollection
import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.plots import COLOURS
from cxkit.report.sections import theme_examples


@pytest.fixture(scope="module")
def rep(sample_dir):
    return cx.open_report(str(sample_dir), unit="Kaunas Mega")


def _with_responses(rep, responses: pd.DataFrame) -> cx.ReportData:
    """The report of ``rep`` on other responses (same period, context and settings)."""
    return cx.ReportData(group=rep.group, level=rep.level, period=rep.period,
                         tables={**rep.tables, "responses": responses}, context=rep.context, meta=rep.meta)


def _nps(scores) -> float:
    """NPS from 0-10 scores, computed here: % promoters (9-10) minus % detractors (0-6)."""
    s = pd.Series(scores).dropna().astype(float)
    return 100 * ((s >= 9).mean() - (s <= 6).mean())


def _texts(ax) -> list[str]:
    return [x.get_text() for x in ax.texts]


def _overall_line(ax) -> float:
    lines = [ln for ln in ax.lines if ln.get_label().startswith(("NPS of all touchpoints", "Visų sąlyčio"))]
    assert len(lines) == 1
    x = np.asarray(lines[0].get_xdata(), dtype=float)
    assert x[0] == x[1]  # vertical
    return float(x[0])


# --------------------------------------------------------------------------------------
# the chart on its own


def _touch_data() -> pd.DataFrame:
    return pd.DataFrame({"touchpoint": ["web"] * 100 + ["store"] * 100 + ["phone"] * 16 + ["shop"] * 60,
                         "nps": [10] * 80 + [3] * 20 + [10] * 20 + [3] * 80 + [10] * 16 + [10, 8, 2] * 20})


def test_plot_touchpoints_sorts_names_n_verdicts_and_the_overall_line():
    df = _touch_data()
    ax = cx.plot_touchpoints(cx.compare(df, metric="nps", by="touchpoint", min_n_test=30))
    # NPS of each touchpoint, computed here: web 80-20 = 60, store 20-80 = -60, phone 100, shop 33.3-33.3 = 0
    expected = sorted(["web", "store", "phone", "shop"], key=lambda tp: _nps(df.loc[df["touchpoint"] == tp, "nps"]))
    assert expected == ["store", "shop", "web", "phone"]
    counts = df["touchpoint"].value_counts()
    assert [x.get_text() for x in ax.get_yticklabels()] == [f"{tp}  n = {counts[tp]}" for tp in expected]
    # the words beside each row, bottom to top; colour is not the only cue
    assert _texts(ax)[:4] == ["worse", "no significant difference", "better", "n = 16 (too few to test)"]
    assert _overall_line(ax) == pytest.approx(100 * (136 - 120) / 276)  # 136 promoters, 120 detractors
    assert _overall_line(ax) == pytest.approx(_nps(df["nps"]))
    assert _texts(ax)[4] == "NPS of all touchpoints: +5.8"
    # points: better green up-triangle, worse red down-triangle, the untested one hollow and grey
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    by_y = {int(c.get_offsets()[0][1]): c for c in points}
    assert mcolors.to_hex(by_y[0].get_facecolor()[0]) == COLOURS["worse"]
    assert mcolors.to_hex(by_y[2].get_facecolor()[0]) == COLOURS["better"]
    assert mcolors.to_hex(by_y[3].get_facecolor()[0]) == "#ffffff"
    assert mcolors.to_hex(by_y[3].get_edgecolor()[0]) == COLOURS["untested"]
    assert by_y[3].get_offsets()[0][0] == pytest.approx(100.0)


def test_plot_touchpoints_takes_labels_and_refuses_other_tables():
    df = _touch_data()
    labels = {"better": "geriau", "worse": "blogiau", "same": "skirtumo nėra", "too_few": "n = {n} (per mažai)",
              "overall": "Visų sąlyčio taškų NPS: {value}", "number": lambda v, d: f"{v:.{d}f}".replace(".", ",")}
    ax = cx.plot_touchpoints(cx.compare(df, metric="nps", by="touchpoint"), labels=labels)
    assert _texts(ax)[:4] == ["blogiau", "skirtumo nėra", "geriau", "n = 16 (per mažai)"]
    assert _texts(ax)[4] == "Visų sąlyčio taškų NPS: +5,8"
    with pytest.raises(cx.ConfigError, match="plot_touchpoints"):
        cx.plot_touchpoints(pd.DataFrame({"touchpoint": ["web"], "value": [1.0]}))
    tiny = pd.DataFrame({"touchpoint": ["web"] * 3 + ["store"] * 2, "nps": [10, 9, 1, 2, 3]})
    with pytest.raises(cx.InsufficientDataError):  # every touchpoint hidden: nothing to draw
        cx.plot_touchpoints(cx.compare(tiny, metric="nps", by="touchpoint"))


# --------------------------------------------------------------------------------------
# the chart in the report


def test_the_journey_chart_of_a_unit_shows_its_touchpoints_n_and_nps(rep):
    cur = rep.current("responses")
    cur = cur[cur["touchpoint"].notna() & cur["nps"].notna()]
    counts = cur["touchpoint"].astype(str).value_counts()
    nps = {tp: _nps(cur.loc[cur["touchpoint"].astype(str) == tp, "nps"]) for tp in counts.index}
    order = sorted(counts.index, key=lambda tp: nps[tp])
    for lang in ("en", "lt"):
        ax = cx.journey_figure(rep, lang=lang)
        ticks = [x.get_text() for x in ax.get_yticklabels()]
        assert ticks == [f"{cx.name_of('touchpoint', tp, lang)}  n = {counts[tp]}" for tp in order]
        assert _overall_line(ax) == pytest.approx(_nps(cur["nps"]))
        assert ax.get_xlabel() == {"en": "NPS (points)", "lt": "NPS (balai)"}[lang]
    ax = cx.journey_figure(rep, lang="en")
    words = _texts(ax)[: len(order)]
    for tp, word in zip(order, words):
        if counts[tp] < 30:  # below the test minimum: hollow, grey and "too few"
            assert word == f"n = {counts[tp]} (too few to test)"
        else:
            assert word in ("better", "worse", "no significant difference")
    assert sum(counts < 30) == 3 and "better" not in words  # the sample's planted unit: nothing better
    hollow = [c for c in ax.collections if isinstance(c, PathCollection)
              and mcolors.to_hex(c.get_facecolor()[0]) == "#ffffff"]
    assert len(hollow) == 3


def test_the_journey_section_has_the_table_the_chart_and_no_chart_when_nothing_is_tested(rep):
    sec = cx.journey_section(rep, lang="en")
    kinds = [k for k, _ in sec.items]
    assert kinds == ["html", "figure", "note"]
    assert "vs other touchpoints" in sec.items[0][1] and "Ordering &amp; delivery" in sec.items[0][1]
    # only small touchpoints: the table, and a sentence instead of an empty chart
    r = rep.tables["responses"]
    cur = rep.current("responses")
    keep = cur.groupby("touchpoint", observed=True).head(12).index  # 12 answers per touchpoint
    small = _with_responses(rep, r.drop(index=cur.index.difference(keep)))
    sec = cx.journey_section(small, lang="en", settings={"min_n_test": 30})
    assert [k for k, _ in sec.items] == ["html", "note", "note"]
    assert sec.items[1][1] == ("No touchpoint has enough answers to be tested (at least 30 are needed), "
                               "so there is no chart.")
    assert "n = 12 &lt; 30" in sec.items[0][1]
    with pytest.raises(cx.InsufficientDataError, match="at least 30"):
        cx.journey_figure(small)
    # no touchpoint column at all: one sentence, in the report's language
    bare = _with_responses(rep, r.drop(columns="touchpoint"))
    assert cx.journey_section(bare, lang="pl").items == [("note", cx.t("journey_none", "pl"))]
    assert cx.t("journey_none", "pl").startswith("Odpowiedzi z tego okresu nie wskazują")


def test_a_hidden_touchpoint_and_its_complement_are_not_drawn(rep):
    r = rep.tables["responses"]
    cur = rep.current("responses")
    social = cur.index[cur["touchpoint"].astype(str) == "social_media"]
    small = _with_responses(rep, r.drop(index=social[3:]))  # 3 social-media answers left
    table = cx.journey_table(small, settings={"min_n_show": 5})
    hidden = set(table.loc[table["NPS"] == cx.t("not_shown", "en"), "Touchpoint"])
    assert "Social media" in hidden and len(hidden) >= 2
    ticks = " ".join(x.get_text() for x in cx.journey_figure(small, settings={"min_n_show": 5}).get_yticklabels())
    assert not any(name in ticks for name in hidden)


def test_answers_without_a_touchpoint_do_not_break_the_journey(rep):
    r = rep.tables["responses"].copy()
    cur = rep.current("responses")
    r["touchpoint"] = r["touchpoint"].astype(object)
    r.loc[cur.index[:20], "touchpoint"] = None
    ax = cx.journey_figure(_with_responses(rep, r))
    rest = r.loc[cur.index[20:]]
    rest = rest[rest["nps"].notna()]
    assert _overall_line(ax) == pytest.approx(_nps(rest["nps"]))


# --------------------------------------------------------------------------------------
# comment examples


def _comments() -> pd.DataFrame:
    """Delivery comments from detractors, passives and promoters; some also mention the price."""
    rows = [("Delivery late, price too high", 1, "2025-10-03", "ordering_delivery"),
            ("Delivery late again and expensive price", 2, "2025-10-05", "website"),
            ("Courier was late with the delivery", 3, "2025-11-07", "ordering_delivery"),
            ("Delivery slow", 7, "2025-11-09", "store"),
            ("Delivery ok but slow", 8, "2025-11-11", "store"),
            ("Fast delivery, thanks", 10, "2025-12-01", "ordering_delivery"),
            ("Delivery was quick", 9, "2025-12-02", "website"),
            ("Good price", 9, "2025-12-03", "store"),
            ("Fair price, nice", 10, "2025-12-04", "store"),
            ("Price went up", 4, "2025-12-05", None)]
    return pd.DataFrame({"response_id": [f"R{i}" for i in range(len(rows))],
                         "comment": [r[0] for r in rows], "nps": [r[1] for r in rows],
                         "date": pd.to_datetime([r[2] for r in rows]), "touchpoint": [r[3] for r in rows],
                         "language": "en"})


def _themes_table(**diffs) -> pd.DataFrame:
    return pd.DataFrame({"theme": list(diffs), "diff": list(diffs.values())})


def test_a_comment_is_never_shown_under_two_themes():
    df = _comments()
    assert cx.themes(df).loc[[0, 1], ["delivery", "price"]].all().all()  # the first two mention both themes
    ex = theme_examples(df, _themes_table(delivery=-30.0, price=-20.0), n=10)
    comments = ex["Example comments (personal data removed)"].tolist()
    assert len(comments) == len(set(comments))
    price = ex.loc[ex["Theme"] == "Price", "Example comments (personal data removed)"].tolist()
    assert price == ["Price went up"]  # the price comments of detractors not already shown under delivery
    # the same through example_comments(exclude=): those rows and any comment with the same text
    twice = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    picked = cx.example_comments(twice, theme="price", n=10, exclude=[0])["comment"].tolist()
    assert "Delivery late, price too high" not in picked


def test_the_examples_of_a_theme_follow_its_polarity():
    df = _comments()
    score = "Score (0-10)"
    # a theme with a lower NPS: detractors' comments first, then passives'; never promoters'
    neg = theme_examples(df, _themes_table(delivery=-30.0), n=4)
    assert neg[score].tolist()[:3] == ["1", "2", "3"] and neg[score].iloc[3] in ("7", "8")
    neg = theme_examples(df, _themes_table(delivery=-30.0), n=10)
    assert sorted(int(s) for s in neg[score]) == [1, 2, 3, 7, 8]
    # a higher NPS: promoters' first
    pos = theme_examples(df, _themes_table(delivery=25.0), n=2)
    assert sorted(int(s) for s in pos[score]) == [9, 10]
    pos = theme_examples(df, _themes_table(delivery=25.0), n=4)
    assert sorted(int(s) for s in pos[score]) == [7, 8, 9, 10]
    # not tested: anyone's
    anyone = theme_examples(df, _themes_table(delivery=np.nan), n=10)
    assert sorted(int(s) for s in anyone[score]) == [1, 2, 3, 7, 8, 9, 10]
    # example_comments takes the groups in order of preference
    got = cx.example_comments(df, theme="delivery", n=4, group=("promoter", "detractor"))
    assert got["nps"].tolist()[:2] == [10, 9] and set(got["nps"].iloc[2:]) <= {1, 2, 3}  # both promoters first
    with pytest.raises(cx.ConfigError, match="group="):
        cx.example_comments(df, theme="delivery", group=("promoter", "fans"))


def test_each_example_shows_its_score_date_and_touchpoint():
    df = _comments()
    ex = theme_examples(df, _themes_table(delivery=-30.0, price=10.0), n=3)
    assert list(ex.columns) == ["Theme", "Score (0-10)", "Date", "Touchpoint",
                                "Example comments (personal data removed)"]
    expected = {  # written out by hand from _comments()
        "Delivery late, price too high": ("Delivery", "1", "3 Oct 2025", "Ordering & delivery"),
        "Delivery late again and expensive price": ("Delivery", "2", "5 Oct 2025", "Website"),
        "Courier was late with the delivery": ("Delivery", "3", "7 Nov 2025", "Ordering & delivery"),
        "Good price": ("Price", "9", "3 Dec 2025", "Store"),
        "Fair price, nice": ("Price", "10", "4 Dec 2025", "Store"),
    }  # "Price went up" (a detractor's) is not among them: the price theme goes with a higher NPS
    assert {r[-1]: tuple(r[:-1]) for r in ex.itertuples(index=False)} == expected
    lt = theme_examples(df, _themes_table(delivery=-30.0), n=3, lang="lt")
    assert ["Pristatymas", "1", "2025-10-03", "Užsakymas ir pristatymas",
            "Delivery late, price too high"] in lt.values.tolist()


def test_examples_without_date_and_touchpoint_columns():
    df = _comments().drop(columns=["date", "touchpoint"])
    ex = theme_examples(df, _themes_table(delivery=-30.0), n=3)
    assert list(ex.columns) == ["Theme", "Score (0-10)", "Example comments (personal data removed)"]
    assert sorted(ex.values.tolist()) == [["Delivery", "1", "Delivery late, price too high"],
                                          ["Delivery", "2", "Delivery late again and expensive price"],
                                          ["Delivery", "3", "Courier was late with the delivery"]]
    # no touchpoint for any chosen example: no column of dashes
    blank = _comments().assign(touchpoint=None)
    assert "Touchpoint" not in theme_examples(blank, _themes_table(delivery=-30.0), n=2).columns


def test_the_themes_section_without_touchpoints_and_its_examples_are_distinct(rep):
    r = rep.tables["responses"]
    bare = _with_responses(rep, r.drop(columns="touchpoint"))
    html = [v for k, v in cx.themes_section(bare).items if k == "html"]
    examples = html[-1]
    assert "Example comments" in examples and "Touchpoint" not in examples and "Score (0-10)" in examples
    full = [v for k, v in cx.themes_section(rep).items if k == "html"][-1]
    assert "<th>Touchpoint</th>" in full and "<th>Date</th>" in full
    cells = full.split("<tr>")[2:]
    comments = [c.rsplit("<td>", 1)[1].split("</td>")[0] for c in cells]
    assert len(comments) == len(set(comments)) >= 6


def _section_of(rep, comments: list[str]):
    n = len(comments)
    start = rep.period[0]
    responses = pd.DataFrame({
        "response_id": [f"X{i}" for i in range(n)], "unit": rep.group,
        "date": [start + pd.Timedelta(days=i % 80) for i in range(n)],
        "nps": [(3, 8, 10)[i % 3] for i in range(n)], "comment": comments, "language": "en"})
    return cx.themes_section(_with_responses(rep, responses), settings={"min_n_test": 30})


NOTE_100 = "A comment can mention several themes, so the shares add up to more than 100%."


def test_the_over_100_percent_note_appears_exactly_when_the_shares_add_up_above_100(rep):
    one_each = ["Late delivery"] * 20 + ["Great staff"] * 20  # 50% + 50% = 100%
    sec = _section_of(rep, one_each)
    notes = [v for k, v in sec.items if k == "note"]
    assert NOTE_100 not in notes and notes  # the section is there, without the note
    both = one_each + ["Late delivery and rude staff"] * 10  # 30/50 + 30/50 = 120%
    notes = [v for k, v in _section_of(rep, both).items if k == "note"]
    assert notes.count(NOTE_100) == 1
    lt = [v for k, v in cx.themes_section(_with_responses(rep, rep.tables["responses"]), lang="lt").items
          if k == "note"]
    shares = cx.theme_summary(rep.current(), min_n=30).summary
    assert shares.loc[shares["mentions"] >= 5, "share"].sum() > 100  # the sample's comments: above 100%
    assert cx.t("themes_over_100", "lt") in lt


def test_redaction_placeholders_are_in_the_report_language():
    from cxkit.report.sections import _example_rows

    ex = pd.DataFrame({"comment": [cx.redact("Zvaniet +371 2912 3456 vai rakstiet anna@example.lv")]})
    assert ex["comment"][0] == "Zvaniet [phone] vai rakstiet [email]"
    shown = _example_rows(ex, "staff", "lv")[cx.t("examples", "lv")].tolist()
    assert shown == ["Zvaniet [tālrunis] vai rakstiet [e-pasts]"]
    assert _example_rows(ex, "staff", "en")[cx.t("examples", "en")].tolist() == [ex["comment"][0]]
