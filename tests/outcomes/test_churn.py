"""Churn by group, relative risk and the logistic regression: hand-computed values, statsmodels
reference fits, seeded coverage simulations and the planted effects of the sample data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.errors import ConfigError, InsufficientDataError
from cxkit.outcomes.churn import _ratio_interval

Z = stats.norm.ppf(0.975)


# churn by group, relative risk


def test_churn_by_group_wilson_and_hazard_by_hand():
    c = pd.DataFrame({"customer_id": list("abcdef"), "segment": list("AAABBB"),
                      "churned": [True, False, False, True, True, False], "tenure_months": [5, 20, 10, 5, 8, 12]})
    t = cx.churn_by_group(c, by="segment").set_index("segment")
    w = cx.share(2, 3)  # Wilson, tested against Newcombe (1998) in test_metrics
    assert (t.loc["B", "churn_rate"], t.loc["B", "ci_low"], t.loc["B", "ci_high"]) == pytest.approx(
        (w.value, w.ci_low, w.ci_high))
    assert t.loc["B", "hazard"] == pytest.approx(100 * 2 / 25)
    # Garwood exact interval for 1 event in 35 months: chi2(0.025; 2)/2 / 35, chi2(0.975; 4)/2 / 35
    assert t.loc["A", "hazard_ci_low"] == pytest.approx(100 * stats.chi2.ppf(0.025, 2) / 2 / 35)
    assert t.loc["A", "hazard_ci_high"] == pytest.approx(100 * stats.chi2.ppf(0.975, 4) / 2 / 35)


def test_churn_within_horizon_leaves_out_short_follow_up():
    c = pd.DataFrame({"customer_id": list("abcd"), "segment": "A",
                      "churned": [True, True, False, False], "tenure_months": [3.0, 20.0, 5.0, 15.0]})
    t = cx.churn_by_group(c, by="segment", horizon=12)
    # a left within 12 months; b left later (retained at 12); c followed 5 months only (unknown); d retained
    assert (t["n"].iloc[0], t["churned"].iloc[0]) == (3, 1)


def test_relative_risk_katz_by_hand_and_statsmodels():
    from statsmodels.stats.contingency_tables import Table2x2

    # 30/100 vs 15/100: RR = 2, SE(log RR) = sqrt(1/30 - 1/100 + 1/15 - 1/100) = sqrt(0.08)
    rr, lo, hi, p, _ = _ratio_interval(30, 100, 15, 100, "risk", 0.95)
    se = np.sqrt(0.08)
    assert float(rr) == pytest.approx(2.0)
    assert (float(lo), float(hi)) == pytest.approx((2 * np.exp(-Z * se), 2 * np.exp(Z * se)))
    assert (float(lo), float(hi)) == pytest.approx((1.1489, 3.4816), abs=1e-4)
    assert float(p) == pytest.approx(2 * stats.norm.sf(np.log(2) / se))
    # statsmodels' independent implementation of the same (Katz) interval
    sm_low, sm_high = Table2x2(np.array([[30, 70], [15, 85]])).riskratio_confint(alpha=0.05, method="normal")
    assert (float(lo), float(hi)) == pytest.approx((sm_low, sm_high))
    # rate ratio: 20 events in 400 months vs 10 in 500: RR = 2.5, SE = sqrt(1/20 + 1/10)
    rr, lo, hi, _, _ = _ratio_interval(20, 400, 10, 500, "rate", 0.95)
    assert float(rr) == pytest.approx(2.5)
    assert float(lo) == pytest.approx(2.5 * np.exp(-Z * np.sqrt(0.15)))
    # zero events: 0.5 added to each cell (Haldane)
    rr, *_ , zero = _ratio_interval(0, 50, 5, 50, "risk", 0.95)
    assert bool(zero) and float(rr) == pytest.approx((0.5 / 50.5) / (5.5 / 50.5))


def test_relative_risk_table_from_customers():
    c = pd.DataFrame({"customer_id": range(200), "segment": ["A"] * 100 + ["B"] * 100,
                      "churned": [True] * 30 + [False] * 70 + [True] * 15 + [False] * 85, "tenure_months": 12.0})
    t = cx.churn_relative_risk(c, by="segment", reference="B")
    assert t["group"].tolist() == ["A"] and t["ratio"].iloc[0] == pytest.approx(2.0)
    with pytest.raises(ConfigError, match="reference"):
        cx.churn_relative_risk(c, by="segment", reference="Z")
    with pytest.raises(ConfigError, match="measure"):
        cx.churn_relative_risk(c, by="segment", measure="odds")


@pytest.mark.parametrize("measure", ["risk", "rate"])
def test_ratio_interval_coverage(measure):
    # 20,000 seeded replicates per design; 95% intervals must cover 93.5-96.5%
    rng = np.random.default_rng(7)
    reps = 20_000
    if measure == "risk":
        n1, n2, p1, p2 = 300, 400, 0.15, 0.06
        a, c = rng.binomial(n1, p1, reps), rng.binomial(n2, p2, reps)
        truth = p1 / p2
        _, lo, hi, _, _ = _ratio_interval(a, n1, c, n2, "risk", 0.95)
    else:
        # constant hazards 2.5% vs 1% per month; exposure fixed (customer-months), Poisson counts
        t1, t2, h1, h2 = 2000.0, 4000.0, 0.025, 0.010
        a, c = rng.poisson(h1 * t1, reps), rng.poisson(h2 * t2, reps)
        truth = h1 / h2
        _, lo, hi, _, _ = _ratio_interval(a, t1, c, t2, "rate", 0.95)
    coverage = np.mean((lo <= truth) & (truth <= hi))
    assert 0.935 <= coverage <= 0.965, coverage


def test_planted_churn_ratio_recovered_by_rate_ratio(joined):
    rr = cx.churn_relative_risk(joined, measure="rate").set_index("group")
    for group, truth in (("detractor", cx.PLANTED["hazard_ratio_detractor_vs_promoter"]),
                         ("passive", cx.PLANTED["hazard_ratio_passive_vs_promoter"])):
        assert rr.loc[group, "ci_low"] <= truth <= rr.loc[group, "ci_high"], (group, rr.loc[group])
    # the promoter hazard itself (1% per month)
    t = cx.churn_by_group(joined).set_index("nps_group")
    assert t.loc["promoter", "hazard_ci_low"] <= 100 * cx.PLANTED["monthly_hazard_promoter"] <= t.loc[
        "promoter", "hazard_ci_high"]


# ---------------------------------------------------------------------------------------
# logistic regression


def test_logit_reproduces_statsmodels_spector_example():
    import statsmodels.api as sm

    # statsmodels documentation, "Regression with Discrete Dependent Variable" / discrete choice
    # overview: Logit on Spector & Mazzeo (1980) -> params GPA 2.82611259, TUCE 0.09515766,
    # PSI 2.37868766, const -13.02134686.
    data = sm.datasets.spector.load_pandas().data
    fit = cx.churn_logit(data, score="GPA", controls=["TUCE", "PSI"], event="GRADE")
    t = fit.summary.set_index("term")
    assert t.loc[["GPA", "TUCE", "PSI"], "coef"].to_numpy() == pytest.approx([2.82611259, 0.09515766, 2.37868766],
                                                                           abs=1e-6)
    assert t.loc["GPA", "odds_ratio"] == pytest.approx(np.exp(2.82611259), rel=1e-6)
    se = t.loc["PSI", "se"]
    assert t.loc["PSI", "ci_low"] == pytest.approx(np.exp(2.37868766 - Z * se), rel=1e-6)
    assert any("events per model term" in n for n in fit.notes)  # 11 events, 3 terms


def test_logit_errors_separation_and_few_events():
    x = np.arange(40.0)
    with pytest.raises(InsufficientDataError, match="separation"):
        cx.churn_logit(pd.DataFrame({"nps": x, "churned": x > 20}))
    with pytest.raises(InsufficientDataError, match="at least 10"):
        cx.churn_logit(pd.DataFrame({"nps": x, "churned": x > 35}))


def test_logit_coverage_seeded():
    # 300 seeded data sets of 400 customers; true log-odds per NPS point -0.25
    rng = np.random.default_rng(11)
    hits = 0
    reps = 300
    for _ in range(reps):
        nps = rng.integers(0, 11, 400).astype(float)
        churned = rng.random(400) < 1 / (1 + np.exp(-(0.5 - 0.25 * nps)))
        t = cx.churn_logit(pd.DataFrame({"nps": nps, "churned": churned})).summary
        hits += t["ci_low"].iloc[0] <= np.exp(-0.25) <= t["ci_high"].iloc[0]
    assert 0.92 <= hits / reps <= 0.98


def test_logit_on_the_sample_score_lowers_churn(joined):
    fit = cx.churn_logit(joined, controls=["segment", "tenure_at_start"])
    t = fit.summary.set_index("term")
    assert t.loc["nps", "ci_high"] < 1  # higher NPS, lower odds of churn
    assert "segment: compared with 'Consumer'." in fit.notes


def test_logit_on_cells_equals_row_level_statsmodels_logit():
    # The cell fit (covariate pattern x outcome, frequency weights) must give the row-level maximum-likelihood
    # fit: compared with statsmodels' Logit on the rows, with a numeric score, a category, a 0/1 control and
    # missing values (left out in both).
    from statsmodels.discrete.discrete_model import Logit

    rng = np.random.default_rng(5)
    n = 3000
    nps = rng.integers(0, 11, n).astype(float)
    seg = rng.choice(["A", "B", "C"], n)
    flag = rng.random(n) < 0.4
    lin = 0.3 - 0.2 * nps + np.where(seg == "B", 0.5, np.where(seg == "C", -0.4, 0)) + 0.3 * flag
    churned = rng.random(n) < 1 / (1 + np.exp(-lin))
    nps[rng.random(n) < 0.05] = np.nan
    d = pd.DataFrame({"nps": nps, "segment": seg, "flag": flag, "churned": churned})
    fit = cx.churn_logit(d, controls=["segment", "flag"])
    ok = d["nps"].notna()
    X = pd.DataFrame({"const": 1.0, "nps": nps[ok], "segment: B": (seg[ok] == "B") * 1.0,
                      "segment: C": (seg[ok] == "C") * 1.0, "flag": flag[ok] * 1.0})
    ref = Logit(churned[ok].astype(float), X).fit(disp=0, method="newton")
    t = fit.summary.set_index("term")
    terms = ["nps", "segment: B", "segment: C", "flag"]
    assert list(t.index) == terms
    assert t["coef"].to_numpy() == pytest.approx(ref.params[terms].to_numpy(), abs=1e-6)
    assert t["se"].to_numpy() == pytest.approx(ref.bse[terms].to_numpy(), abs=1e-6)
    assert t["p_value"].to_numpy() == pytest.approx(ref.pvalues[terms].to_numpy(), abs=1e-6)
    assert fit.model.llf == pytest.approx(ref.llf, abs=1e-6)
    assert fit.model.pseudo_rsquared(kind="mcf") == pytest.approx(ref.prsquared, abs=1e-9)
    assert f"pseudo R-squared {ref.prsquared:.3f}" in " ".join(fit.notes)
    assert len(fit.data) == int(ok.sum()) and fit.data.index.equals(d.index[ok])
    assert f"{int((~ok).sum())} customers with a missing" in fit.notes[0]


def test_logit_with_horizon_equals_row_level_statsmodels_logit(joined):
    from statsmodels.discrete.discrete_model import Logit

    fit = cx.churn_logit(joined, controls=["segment"], horizon=12)
    d = joined.data
    months, churned = d["months"].to_numpy(float), d["churned"].to_numpy(bool)
    event = churned & (months <= 12)
    known = ~np.isnan(months) & (event | (months >= 12)) & d["nps"].notna().to_numpy()
    seg = d["segment"].astype(str).to_numpy()[known]
    levels = sorted(set(seg))
    X = pd.DataFrame({"const": 1.0, "nps": d["nps"].to_numpy(float)[known],
                      **{f"segment: {lv}": (seg == lv) * 1.0 for lv in levels[1:]}})
    ref = Logit(event[known].astype(float), X).fit(disp=0, method="newton")
    t = fit.summary.set_index("term")
    assert t["coef"].to_numpy() == pytest.approx(ref.params.drop("const").to_numpy(), abs=1e-6)
    assert t["se"].to_numpy() == pytest.approx(ref.bse.drop("const").to_numpy(), abs=1e-6)
