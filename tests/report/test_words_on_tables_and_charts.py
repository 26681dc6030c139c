"""Words a reader needs beside the marks (issue 22): ▲/▼ with better / worse in every table that has them, the
themes' significance said as in the other tables, chart labels from the translated names, not raw keys."""
from __future__ import annotations

import re

import pytest

import cxkit as cx
from cxkit.i18n import name_of, t
from cxkit.report import prepare


@pytest.fixture(scope="module")
def prep(sample_dir, tmp_path_factory):
    return prepare(sample_dir, tmp_path_factory.mktemp("prep"), parallel=False)


def _cells(frame, column):
    return [str(c) for c in frame[column]]


def test_regions_and_touchpoints_say_better_or_worse_beside_each_arrow(prep):
    company = cx.open_report(prepared_dir=str(prep.data_dir), unit="")
    kaunas = cx.open_report(prepared_dir=str(prep.data_dir), unit="Kaunas Mega")
    for lang in ("en", "lt"):
        regions = cx.regions_table(company, lang=lang)
        journey = cx.journey_table(company, lang=lang)
        cells = _cells(regions, t("vs_rest", lang)) + _cells(journey, t("journey_vs_others", lang)) + \
            _cells(cx.journey_table(kaunas, lang=lang), t("journey_vs_others", lang))
        arrows = [c for c in cells if "▲" in c or "▼" in c]
        assert any("▲" in c for c in arrows) and any("▼" in c for c in arrows)  # the sample has both regions
        for c in arrows:  # NPS: higher is better
            word = t("better", lang) if "▲" in c else t("worse", lang)
            assert c.endswith(word), c


def test_themes_say_why_a_difference_is_not_significant(prep):
    rep = cx.open_report(prepared_dir=str(prep.data_dir), unit="Kaunas Mega")
    sec = cx.themes_section(rep, lang="en")
    table = sec.items[0][1]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    assert rows
    allowed = {t("yes", "en"), t("sig_no", "en"), t("sig_no_corrected", "en")}
    for row in rows:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        last = cells[-1]
        assert last in allowed or last.startswith("not tested: n = "), last
        ci = cells[-2]
        if last == t("sig_no", "en"):  # "the interval includes 0": it does
            lo, hi = (float(x.replace("−", "-")) for x in ci.split(" – "))
            assert lo <= 0 <= hi, (ci, last)


def test_theme_and_league_charts_use_names_not_keys(prep):
    rep = cx.open_report(prepared_dir=str(prep.data_dir), unit="Kaunas Mega")
    sec = cx.themes_section(rep, lang="lt")
    figures = [p for k, p in sec.items if k == "figure"]
    assert len(figures) == 1
    ticks = [x.get_text() for x in figures[0].axes[0].get_yticklabels()]
    assert ticks and all(re.fullmatch(r".+ \(n = \d+\)", x) for x in ticks)
    shown = {x.rsplit(" (n", 1)[0] for x in ticks}
    assert name_of("theme", "delivery", "lt") in shown and "delivery" not in shown
    company = cx.open_report(prepared_dir=str(prep.data_dir), unit="")
    ax = cx.league_figure(company, lang="en").ax
    assert ax.get_xlabel() == "NPS"
