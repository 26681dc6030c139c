"""What a report computes once and shares between its parts: the period's rows, the comment themes (themes
section and summary in words) and the touchpoint comparison (journey table, chart and alt text). Each kept
result must equal a fresh computation, be reused within one report and never reach another report."""
from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.report import sections, unit_summary
from cxkit.report.context import _in

SETTINGS = {"confidence": 0.95, "alpha": 0.05, "min_n_show": 5, "min_n_test": 30, "currency": "EUR"}


@pytest.fixture()
def rep(sample_dir):
    return cx.open_report(str(sample_dir), unit="Kaunas Mega")


def _counting(monkeypatch, module, name):
    """Wrap ``module.name`` so that its calls are counted (the wrapped function still does the work)."""
    calls = []
    real = getattr(module, name)

    def wrapper(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_the_period_rows_are_selected_once_and_equal_a_fresh_selection(rep):
    first = rep.current()
    assert rep.current() is first
    pd.testing.assert_frame_equal(first, _in(rep.tables["responses"], "date", *rep.period))
    d = rep.tables["responses"]["date"]  # independently: the rows dated inside the period, both days included
    assert len(first) == int(((d >= rep.period[0]) & (d <= rep.period[1] + pd.Timedelta("23:59:59.999999"))).sum())


def test_the_period_rows_follow_a_replaced_table_and_period(rep):
    before = rep.current()
    rep.tables["responses"] = rep.tables["responses"].iloc[::2]
    halved = rep.current()
    assert halved is not before
    pd.testing.assert_frame_equal(halved, _in(rep.tables["responses"], "date", *rep.period))
    rep.period = (rep.period[0], rep.period[0] + pd.Timedelta(days=30))
    pd.testing.assert_frame_equal(rep.current(), _in(rep.tables["responses"], "date", *rep.period))
    assert len(rep.current()) < len(halved)


def test_the_themes_are_computed_once_for_the_summary_and_the_section(rep, monkeypatch):
    calls = _counting(monkeypatch, sections, "theme_summary")
    unit_summary(rep, lang="en", settings=SETTINGS)
    cx.themes_section(rep, lang="en", settings=SETTINGS)
    cx.themes_section(rep, lang="lt", settings=SETTINGS)
    assert len(calls) == 1


def test_the_kept_themes_equal_a_fresh_computation(rep):
    kept = sections.theme_result(rep, settings=SETTINGS)
    assert sections.theme_result(rep, settings=SETTINGS) is kept
    fresh = cx.theme_summary(rep.current(), min_n=30, alpha=0.05, confidence=0.95)  # no flags given: matched anew
    pd.testing.assert_frame_equal(kept.summary.summary, fresh.summary)
    pd.testing.assert_frame_equal(kept.flags, cx.themes(rep.current()))
    assert kept.responses is rep.current()


def test_other_settings_are_other_themes(rep):
    default = sections.theme_result(rep, settings=SETTINGS)
    strict = sections.theme_result(rep, settings={**SETTINGS, "min_n_test": 10_000})
    assert strict is not default
    assert strict.summary.summary["p_value"].isna().all()  # no theme has 10 000 comments on each side
    assert default.summary.summary["p_value"].notna().any()


def test_kept_results_do_not_reach_another_report(sample_dir, rep):
    kaunas = sections.theme_result(rep, settings=SETTINGS)
    again = cx.open_report(str(sample_dir), unit="Kaunas Mega")  # the next unit of a warm kernel: a new object
    assert sections.theme_result(again, settings=SETTINGS) is not kaunas
    other = cx.open_report(str(sample_dir), unit="Vilnius Akropolis")
    vilnius = sections.theme_result(other, settings=SETTINGS)
    assert len(vilnius.responses) != len(kaunas.responses)
    pd.testing.assert_frame_equal(vilnius.summary.summary,
                                  cx.theme_summary(other.current(), min_n=30, alpha=0.05, confidence=0.95).summary)
    tab, _ = sections._journey_rows(other, SETTINGS)
    assert tab["n"].sum() != sections._journey_rows(rep, SETTINGS)[0]["n"].sum()


def test_the_touchpoints_are_compared_once_for_table_chart_and_alt_text(rep, monkeypatch):
    calls = _counting(monkeypatch, sections, "compare")
    sec = cx.journey_section(rep, lang="en", settings=SETTINGS)
    cx.journey_table(rep, lang="lt", settings=SETTINGS)
    assert [k for k, _ in sec.items][:2] == ["html", "figure"]
    assert len(calls) == 1


def test_the_kept_touchpoints_equal_a_fresh_comparison_and_are_handed_out_as_copies(rep):
    tab, hide = sections._journey_rows(rep, SETTINGS)
    cur = rep.current()
    cur = cur[cur["touchpoint"].notna()]
    fresh = cx.compare(cur, metric="nps", by="touchpoint", against="rest", alpha=0.05, min_n_show=5, min_n_test=30,
                       confidence=0.95, cluster="customer_id")
    fresh = fresh[fresh["n"] > 0]
    pd.testing.assert_frame_equal(tab.reset_index(drop=True), fresh.reset_index(drop=True))
    assert hide.tolist() == cx.report.suppress_complementary(fresh["n"], 5).tolist()
    tab["value"] = 0.0  # a caller that changes its copy changes nothing for the next one
    hide[:] = True
    again, hide_again = sections._journey_rows(rep, SETTINGS)
    pd.testing.assert_series_equal(again["value"].reset_index(drop=True), fresh["value"].reset_index(drop=True))
    assert hide_again.tolist() == cx.report.suppress_complementary(fresh["n"], 5).tolist()
