"""Outcomes: published reference fits, hand-computed values, seeded coverage simulations,
recovery of the planted effects in the sample data, and a real public customer table."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.errors import ConfigError, InsufficientDataError
from cxkit.outcomes.core import _km_weighted, _ratio_interval

REAL = Path(__file__).resolve().parent / "data" / "real"
Z = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def joined(sample):
    return cx.join_outcomes(sample)


@pytest.fixture(scope="module")
def telco():
    return cx.read_table(REAL / "ibm_telco_customer_churn.csv", "customers", mapping=REAL / "telco_mapping.yml").data


def _simulated_groups(rng, n_per_group=400, hazards=(0.05, 0.03, 0.02), revenue=(10.0, 11.0, 12.0), follow_up=24.0):
    """Customers in three NPS groups with exponential churn (monthly hazards) and lognormal revenue."""
    g = np.repeat(["detractor", "passive", "promoter"], n_per_group)
    h = np.repeat(hazards, n_per_group)
    t = rng.exponential(1 / h)
    admin = rng.uniform(6, follow_up, size=g.size)  # staggered entry: censoring before the horizon too
    months = np.minimum(t, admin)
    churned = t <= admin
    mu = np.repeat(np.log(revenue), n_per_group) - 0.125  # lognormal with sigma 0.5 and mean = revenue
    rev = np.exp(mu + 0.5 * rng.normal(size=g.size))
    return pd.DataFrame({"nps_group": pd.Categorical(g, categories=["detractor", "passive", "promoter"]),
                         "months": months, "churned": churned, "active": ~churned, "monthly_revenue": rev})


# ---------------------------------------------------------------------------------------
# joining


def test_join_rule_latest_answer_before_leaving_and_counts():
    r = pd.DataFrame({"response_id": ["r1", "r2", "r3", "r4", "r5", "r6", "r7"],
                      "customer_id": ["a", "a", "b", "b", "zz", None, "c"],
                      "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01", "2025-09-01", "2025-02-01",
                                              "2025-02-01", "2025-06-01"]),
                      "nps": pd.array([2, 9, 5, 10, 7, 8, 0], dtype="Int8")})
    c = pd.DataFrame({"customer_id": ["a", "b", "c"], "acquired_at": pd.to_datetime(["2024-01-01"] * 3),
                      "churned_at": pd.to_datetime([None, "2025-07-01", "2025-06-01"])})
    j = cx.join_outcomes(r, c, end="2025-12-31")
    d = j.data.set_index("customer_id")
    assert d.loc["a", "nps"] == 9  # latest answer
    assert d.loc["b", "nps"] == 5  # the answer after leaving (2025-09-01) is ignored
    assert d.loc["b", "churned"] and not d.loc["a", "churned"]
    # follow-up: b from 2025-02-01 to 2025-07-01 = 150 days; a from 2025-03-01 to the end = 305 days
    assert d.loc["b", "months"] == pytest.approx(150 / (365.25 / 12))
    assert d.loc["a", "months"] == pytest.approx(305 / (365.25 / 12))
    # c answered on the day of leaving only (ignored): follow-up from acquisition, not in any NPS group
    assert not d.loc["c", "matched"] and pd.isna(d.loc["c", "nps_group"])
    assert d.loc["c", "months"] == pytest.approx((pd.Timestamp("2025-06-01") - pd.Timestamp("2024-01-01")).days
                                                 / (365.25 / 12))
    k = j.counts
    assert (k["customers_matched"], k["customers_without_response"]) == (2, 1)
    assert (k["responses_unknown_customer"], k["responses_without_customer_id"], k["responses_after_churn"]) == (1, 1, 2)
    assert k["responses_used"] == 2 and k["responses_not_latest"] == 1
    assert "latest answer" in j.notes[0]
    assert "customers matched to a survey answer" in j._repr_html_()


def test_join_rule_mean_and_landmark():
    r = pd.DataFrame({"customer_id": ["a", "a", "a"], "nps": [10, 6, 8],
                      "date": pd.to_datetime(["2024-05-01", "2024-11-01", "2025-02-01"])})
    c = pd.DataFrame({"customer_id": ["a", "b"], "acquired_at": pd.to_datetime(["2023-01-01", "2025-03-01"]),
                      "churned_at": pd.to_datetime([None, None])})
    m = cx.join_outcomes(r, c, rule="mean", end="2025-12-31").data.set_index("customer_id")
    assert m.loc["a", "nps"] == pytest.approx(8.0) and m.loc["a", "responses"] == 3
    assert m.loc["a", "nps_group"] == "passive"
    assert m.loc["a", "survey_date"] == pd.Timestamp("2025-02-01")  # follow-up from the last answer
    lm = cx.join_outcomes(r, c, before="2025-01-01", end="2025-12-31")
    d = lm.data.set_index("customer_id")
    assert d.loc["a", "nps"] == 6  # latest answer before the landmark
    assert d.loc["a", "origin"] == pd.Timestamp("2025-01-01")
    assert "b" not in d.index and lm.counts["customers_not_active_at_window_start"] == 1
    assert lm.counts["responses_in_outcome_window"] == 1


def test_join_monthly_revenue_from_invoices():
    c = pd.DataFrame({"customer_id": ["a", "b"], "acquired_at": pd.to_datetime(["2023-01-01", "2025-07-01"]),
                      "churned_at": pd.to_datetime([None, None])})
    rev = pd.DataFrame({"customer_id": ["a"] * 5 + ["b"] * 2 + ["ghost"],
                        "date": pd.to_datetime(["2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31",
                                                "2025-09-30", "2025-12-31", "2025-12-31"]),
                        "amount": [999.0, 30.0, 30.0, 30.0, 30.0, 60.0, 60.0, 5.0]})
    j = cx.join_outcomes(None, c, rev, end="2025-12-31")
    d = j.data.set_index("customer_id")
    # the 2024 invoice is outside the window; a was active all 365 days of it (months of 365.25 / 12 days)
    assert d.loc["a", "monthly_revenue"] == pytest.approx(120 / (365 / (365.25 / 12)))
    # b joined on 1 July: 120 over 183 days
    assert d.loc["b", "monthly_revenue"] == pytest.approx(120 / (183 / (365.25 / 12)))
    assert j.counts["invoices_unknown_customer"] == 1


def test_join_on_the_sample_counts_match_pandas(sample, joined):
    r = sample.responses
    with_nps = r[r["nps"].notna()]
    assert joined.counts["customers_matched"] == with_nps["customer_id"].nunique()
    assert joined.counts["customers_without_response"] == len(sample.customers) - with_nps["customer_id"].nunique()
    latest = with_nps.sort_values(["customer_id", "date"]).groupby("customer_id").tail(1).set_index("customer_id")
    d = joined.data.set_index("customer_id")
    ids = latest.index[:200]
    assert (d.loc[ids, "survey_date"].to_numpy() == latest.loc[ids, "date"].to_numpy()).all()


def test_join_errors():
    c = pd.DataFrame({"customer_id": ["a"]})
    with pytest.raises(ConfigError, match="churned_at"):
        cx.join_outcomes(None, c)
    c = pd.DataFrame({"customer_id": ["a", "a"], "churned": [True, False], "tenure_months": [1.0, 2.0]})
    with pytest.raises(ConfigError, match="more than once"):
        cx.join_outcomes(None, c)
    with pytest.raises(ConfigError, match="rule"):
        cx.join_outcomes(None, c.iloc[:1], rule="first")
    # a score column with text (data not loaded with cx.load): a cxkit error naming the column and value
    r = pd.DataFrame({"customer_id": ["a", "a"], "nps": [9, 7], "csat": ["4", "very good"]})
    with pytest.raises(ConfigError, match="column 'csat': expected numbers, found 'very good'"):
        cx.join_outcomes(r, c.iloc[:1])


# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# survival: Kaplan-Meier and Cox


def test_kaplan_meier_by_hand():
    c = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5], "churned": [True, False, True, True, False, False],
                      "g": "x"})
    km = cx.kaplan_meier(c, by=None, at=(1, 2, 3, 9))
    # S(1) = 5/6; S(2) = 5/6 x 4/5; S(3) = 5/6 x 4/5 x 2/3 (3 at risk at t = 3); not beyond 5 months
    assert km.summary["retained"].tolist()[:3] == pytest.approx([500 / 6, 400 / 6, 800 / 18])
    assert np.isnan(km.summary["retained"].iloc[3])
    assert km.summary["median_months"].iloc[0] == 3.0


def test_kaplan_meier_of_tied_rows_equals_lifelines_on_every_row():
    # kaplan_meier hands lifelines each distinct (months, churned[, group]) once, weighted by its count;
    # the reference is lifelines fitted on the rows themselves
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    rng = np.random.default_rng(11)
    n = 3000
    d = pd.DataFrame({"months": np.round(rng.exponential(15, n) * 30.4) / 30.4,  # whole days: ties
                      "churned": rng.random(n) < 0.4,
                      "nps_group": rng.choice(["detractor", "passive", "promoter"], n, p=[0.2, 0.3, 0.5])})
    d.loc[d.index[:40], "months"] = np.nan  # left out, as before
    km = cx.kaplan_meier(d, at=(3, 12))
    ok = d["months"].notna()
    for g, rows in d[ok].groupby("nps_group"):
        ref = KaplanMeierFitter().fit(rows["months"], rows["churned"])
        curve = km.curves[km.curves["group"] == g]
        assert curve["months"].to_numpy() == pytest.approx(ref.survival_function_.index.to_numpy())
        assert curve["retained"].to_numpy() == pytest.approx(ref.survival_function_.iloc[:, 0].to_numpy() * 100)
        ci = ref.confidence_interval_survival_function_
        assert curve["ci_low"].to_numpy() == pytest.approx(ci.iloc[:, 0].to_numpy() * 100)
        assert curve["ci_high"].to_numpy() == pytest.approx(ci.iloc[:, 1].to_numpy() * 100)
        assert curve["at_risk"].tolist() == ref.event_table["at_risk"].reindex(ref.survival_function_.index).tolist()
        summ = km.summary[km.summary["group"] == g]
        assert summ["n"].tolist() == [len(rows)] * 2 and summ["churned"].tolist() == [int(rows["churned"].sum())] * 2
        assert summ["median_months"].iloc[0] == pytest.approx(ref.median_survival_time_)
    p = multivariate_logrank_test(d.loc[ok, "months"], d.loc[ok, "nps_group"], d.loc[ok, "churned"]).p_value
    assert km.logrank_p == pytest.approx(p, rel=1e-9)


def test_weighted_km_matches_lifelines():
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    rng = np.random.default_rng(5)
    t = np.round(rng.exponential(10, 500))  # many ties
    e = rng.random(500) < 0.7
    S, rmst = _km_weighted(t, e, np.ones((1, 500)), 12)
    kmf = KaplanMeierFitter().fit(t, e)
    assert S[0] == pytest.approx(kmf.survival_function_at_times(12).iloc[0])
    assert rmst[0] == pytest.approx(restricted_mean_survival_time(kmf, t=12))
    # integer weights = duplicated rows
    w = rng.integers(0, 3, 500)
    S_w, _ = _km_weighted(t, e, w[None, :].astype(float), 12)
    kmf_dup = KaplanMeierFitter().fit(np.repeat(t, w), np.repeat(e, w))
    assert S_w[0] == pytest.approx(kmf_dup.survival_function_at_times(12).iloc[0])


def test_kaplan_meier_coverage_seeded():
    # exponential churn 3% per month, uniform censoring; the 95% band at 12 months must cover exp(-0.36)
    rng = np.random.default_rng(3)
    reps, n, hits = 300, 200, 0
    truth = 100 * np.exp(-0.03 * 12)
    for _ in range(reps):
        t = rng.exponential(1 / 0.03, n)
        cens = rng.uniform(6, 36, n)
        d = pd.DataFrame({"months": np.minimum(t, cens), "churned": t <= cens})
        row = cx.kaplan_meier(d, by=None, at=(12,)).summary.iloc[0]
        hits += row["ci_low"] <= truth <= row["ci_high"]
    assert 0.92 <= hits / reps <= 0.98


def test_cox_reproduces_rossi_published_fit():
    from lifelines.datasets import load_rossi

    # Fox, J. (2002) "Cox Proportional-Hazards Regression for Survival Data", appendix to An R and
    # S-PLUS Companion to Applied Regression: R coxph(Surv(week, arrest) ~ fin + age + race + wexp
    # + mar + paro + prio, data = Rossi) -> coef -0.3794 -0.0574 0.3139 -0.1498 -0.4337 -0.0849
    # 0.0915, se 0.1914 0.0220 0.3080 0.2122 0.3819 0.1958 0.0286; likelihood-ratio test 33.3 on 7 df.
    # The lifelines docs ("Survival regression") print the same fit rounded: partial log-likelihood
    # -658.75, log-likelihood ratio test 33.27 on 7 df, concordance 0.64.
    terms = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    fit = cx.cox_model(load_rossi(), by=None, controls=terms, duration="week", event="arrest")
    t = fit.summary.set_index("term")
    assert t.loc[terms, "coef"].to_numpy() == pytest.approx(
        [-0.3794, -0.0574, 0.3139, -0.1498, -0.4337, -0.0849, 0.0915], abs=5e-5)
    assert t.loc[terms, "se"].to_numpy() == pytest.approx([0.1914, 0.0220, 0.3080, 0.2122, 0.3819, 0.1958, 0.0286],
                                                          abs=5e-5)
    assert t.loc["prio", "hazard_ratio"] == pytest.approx(np.exp(0.0915), abs=1e-4)
    assert fit.model.log_likelihood_ == pytest.approx(-658.75, abs=0.005)
    assert fit.model.log_likelihood_ratio_test().test_statistic == pytest.approx(33.27, abs=0.005)
    # Proportional-hazards check: the lifelines tutorial "Testing the proportional hazard assumptions"
    # finds age and wexp violating it on this fit, and no other covariate.
    flagged = set(t.index[t["ph_p_value"] < 0.05])
    assert flagged == {"age", "wexp"}
    assert any("age" in n and "questionable" in n for n in fit.notes)
    # the documented fix for wexp: stratify on it
    strat = cx.cox_model(load_rossi(), by=None, controls=terms, strata=["wexp"], duration="week", event="arrest")
    assert "wexp" not in set(strat.summary["term"])


def test_cox_coverage_seeded():
    # 150 seeded cohorts of 300: hazard ratio 2 for one group; the 95% interval must cover it
    rng = np.random.default_rng(21)
    reps, hits = 150, 0
    for _ in range(reps):
        x = rng.random(300) < 0.5
        t = rng.exponential(1 / np.where(x, 0.04, 0.02))
        cens = rng.uniform(3, 30, 300)
        d = pd.DataFrame({"group": np.where(x, "b", "a"), "months": np.minimum(t, cens), "churned": t <= cens})
        row = cx.cox_model(d, by="group", reference="a").summary.iloc[0]
        hits += row["ci_low"] <= 2.0 <= row["ci_high"]
    assert 0.9 <= hits / reps <= 0.99


def test_planted_hazard_ratios_recovered_by_cox(joined):
    fit = cx.cox_model(joined, controls=["segment", "unit"])
    t = fit.summary.set_index("term")
    det, pas = t.loc["nps_group: detractor"], t.loc["nps_group: passive"]
    assert det["ci_low"] <= cx.PLANTED["hazard_ratio_detractor_vs_promoter"] <= det["ci_high"]
    assert pas["ci_low"] <= cx.PLANTED["hazard_ratio_passive_vs_promoter"] <= pas["ci_high"]
    # the sample's hazards are constant by construction: the check must pass for the NPS terms
    assert det["ph_p_value"] > 0.05 and pas["ph_p_value"] > 0.05
    km = cx.kaplan_meier(joined)
    s12 = km.summary[km.summary["at_months"] == 12].set_index("group")["retained"]
    assert s12["detractor"] < s12["passive"] < s12["promoter"]
    assert km.logrank_p < 1e-10


def test_cox_errors():
    d = pd.DataFrame({"g": ["a", "b"] * 20, "k": 1.0, "months": np.arange(40.0) + 1, "churned": [True] * 40})
    with pytest.raises(ConfigError, match="same value"):
        cx.cox_model(d, by="g", controls=["k"])
    d["churned"] = [True] * 5 + [False] * 35
    with pytest.raises(InsufficientDataError, match="at least 10"):
        cx.cox_model(d, by="g")


# ---------------------------------------------------------------------------------------
# revenue


def test_revenue_by_group_by_hand():
    c = pd.DataFrame({"customer_id": list("abcde"), "segment": list("AABBB"), "churned": False,
                      "tenure_months": 6.0, "monthly_revenue": [10.0, 20.0, 30.0, 50.0, 40.0]})
    t = cx.revenue_by_group(c, by="segment").set_index("segment")
    half = stats.t.ppf(0.975, 2) * 10 / np.sqrt(3)  # B: mean 40, sd 10, n 3
    assert (t.loc["B", "monthly_revenue"], t.loc["B", "ci_low"], t.loc["B", "ci_high"]) == pytest.approx(
        (40.0, 40 - half, 40 + half))
    assert t.loc["A", "annual_revenue"] == 180.0 and t.loc["B", "revenue_share"] == pytest.approx(80.0)


def test_planted_revenue_uplift_of_promoters(joined):
    t = cx.revenue_by_group(joined).set_index("nps_group")
    assert t.loc["promoter", "ci_low"] > t.loc["detractor", "ci_high"]


def test_revenue_at_risk_heuristic_by_hand():
    rng = np.random.default_rng(0)
    d = _simulated_groups(rng, n_per_group=100)
    r = cx.revenue_at_risk(d, method="heuristic").summary.set_index("group")
    cur = d[d["active"]]
    arpu = 12 * cur["monthly_revenue"].mean()
    n_det, n_pas = (cur["nps_group"] == "detractor").sum(), (cur["nps_group"] == "passive").sum()
    assert r.loc["detractor", "revenue_at_risk"] == pytest.approx(n_det * 0.5 * arpu)
    assert r.loc["passive", "revenue_at_risk"] == pytest.approx(n_pas * 0.3 * arpu)
    assert r.loc["detractor", "label"] == "short-term" and r.loc["passive", "label"] == "long-term"
    assert r.loc["total", "revenue_at_risk"] == pytest.approx((0.5 * n_det + 0.3 * n_pas) * arpu)
    assert np.isnan(r.loc["detractor", "ci_low"])  # a rule of thumb has no interval
    fixed = cx.revenue_at_risk(d, method="heuristic", arpu=100.0).summary.set_index("group")
    assert fixed.loc["detractor", "revenue_at_risk"] == n_det * 50.0


def test_revenue_at_risk_model_point_estimate_by_hand():
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(1)
    d = _simulated_groups(rng, n_per_group=150)
    r = cx.revenue_at_risk(d, method="model", n_boot=0).summary.set_index("group")

    def churn12(g):
        sub = d[d["nps_group"] == g]
        return 1 - KaplanMeierFitter().fit(sub["months"], sub["churned"]).survival_function_at_times(12).iloc[0]

    cur = d[d["active"] & (d["nps_group"] == "detractor")]
    expected = len(cur) * (churn12("detractor") - churn12("promoter")) * 12 * cur["monthly_revenue"].mean()
    assert r.loc["detractor", "revenue_at_risk"] == pytest.approx(expected)
    assert r.loc["detractor", "churn_share"] == pytest.approx(100 * (churn12("detractor") - churn12("promoter")))


def test_revenue_bootstrap_coverage_seeded():
    # 120 seeded portfolios: true revenue at risk of detractors = N_current x (F_d - F_p) x 12 x mean revenue,
    # and true value of one NPS point from the exponential model; bootstrap intervals must cover.
    rng = np.random.default_rng(2024)
    hazards, revenue, H = (0.05, 0.03, 0.02), (10.0, 11.0, 12.0), 12
    F = 1 - np.exp(-np.array(hazards) * H)
    rmst = (1 - np.exp(-np.array(hazards) * H)) / np.array(hazards)
    V = np.array(revenue) * rmst
    reps, hit_rar, hit_point = 120, 0, 0
    for i in range(reps):
        d = _simulated_groups(rng, n_per_group=300, hazards=hazards, revenue=revenue)
        r = cx.revenue_at_risk(d, method="model", n_boot=300, seed=i).summary.set_index("group")
        n_det = int((d["active"] & (d["nps_group"] == "detractor")).sum())
        truth = n_det * (F[0] - F[2]) * 12 * revenue[0]
        hit_rar += r.loc["detractor", "ci_low"] <= truth <= r.loc["detractor", "ci_high"]
        p = cx.nps_point_value(d, n_boot=300, seed=i).summary.set_index("step")
        N = int(d["active"].sum())
        truth_step = 0.01 * N * (V[2] - V[1])
        hit_point += p.loc["passive -> promoter", "ci_low"] <= truth_step <= p.loc["passive -> promoter", "ci_high"]
    assert 0.88 <= hit_rar / reps <= 0.99
    assert 0.88 <= hit_point / reps <= 0.99


def _revenue_linked_groups(rng, n, hazards=(0.05, 0.03, 0.02), revenue=(10.0, 11.0, 12.0), beta=1.0):
    """As _simulated_groups, but richer customers churn less: hazard x (revenue / group mean)^-beta."""
    g = np.repeat(["detractor", "passive", "promoter"], n)
    rev = np.exp(np.repeat(np.log(revenue), n) - 0.125 + 0.5 * rng.normal(size=g.size))
    t = rng.exponential(1 / (np.repeat(hazards, n) * (rev / np.repeat(revenue, n)) ** (-beta)))
    admin = rng.uniform(6, 24, size=g.size)
    return pd.DataFrame({"nps_group": pd.Categorical(g, categories=["detractor", "passive", "promoter"]),
                         "months": np.minimum(t, admin), "churned": t <= admin, "active": t > admin,
                         "monthly_revenue": rev})


def _revenue_linked_truth(hazards=(0.05, 0.03, 0.02), revenue=(10.0, 11.0, 12.0), beta=1.0, horizon=12):
    """Population F_g(H) and mean revenue of current customers, integrated over the revenue distribution
    (4M seeded draws per group): P(current | r) = E over entry of exp(-h(r) x follow-up), follow-up U(6, 24)."""
    rng = np.random.default_rng(99)
    F, R = [], []
    for hz, rv in zip(hazards, revenue):
        r = np.exp(np.log(rv) - 0.125 + 0.5 * rng.normal(size=4_000_000))
        h = hz * (r / rv) ** (-beta)
        F.append(np.mean(1 - np.exp(-h * horizon)))
        current = (np.exp(-6 * h) - np.exp(-24 * h)) / (18 * h)
        R.append(np.sum(r * current) / np.sum(current))
    return np.array(F), np.array(R)


def test_revenue_at_risk_delta_interval_coverage_seeded():
    """interval="delta" (influence functions): 1,000 seeded portfolios of 900 customers per design, revenue
    independent of churn and revenue linked to churn; intervals of the detractors' and the total revenue at
    risk and of the excess churn share must cover at 95% (10,000 portfolios per design: docs/statistics.md)."""
    hz = np.array((0.05, 0.03, 0.02))
    designs = {"independent": (lambda rng: _simulated_groups(rng, n_per_group=300), 1 - np.exp(-hz * 12),
                               np.array((10.0, 11.0, 12.0))),
               "linked": (lambda rng: _revenue_linked_groups(rng, 300), *_revenue_linked_truth())}
    for name, (make, F, R) in designs.items():
        rng = np.random.default_rng(11)
        hits = np.zeros(3)
        for _ in range(1000):
            d = make(rng)
            r = cx.revenue_at_risk(d, method="model", interval="delta").summary.set_index("group")
            cur = {g: int((d["active"] & (d["nps_group"] == g)).sum()) for g in ("detractor", "passive")}
            det = cur["detractor"] * (F[0] - F[2]) * 12 * R[0]
            total = det + cur["passive"] * (F[1] - F[2]) * 12 * R[1]
            hits += [r.loc["detractor", "ci_low"] <= det <= r.loc["detractor", "ci_high"],
                     r.loc["total", "ci_low"] <= total <= r.loc["total", "ci_high"],
                     r.loc["detractor", "churn_ci_low"] <= 100 * (F[0] - F[2]) <= r.loc["detractor", "churn_ci_high"]]
        assert ((0.93 <= hits / 1000) & (hits / 1000 <= 0.97)).all(), (name, hits / 1000)


def test_revenue_at_risk_delta_agrees_with_the_bootstrap_and_greenwood():
    """Independent checks of interval="delta": the summed influence variance of S(12) is Greenwood's
    (lifelines' event table) within 2%, and the interval matches a 2,000-resample bootstrap closely."""
    from lifelines import KaplanMeierFitter

    from cxkit.outcomes.core import _km_influence

    rng = np.random.default_rng(5)
    t = np.sort(np.round(rng.exponential(30, 400), 1))
    e = rng.random(400) < 0.7
    s_h, psi = _km_influence(t, e, 12)
    km = KaplanMeierFitter().fit(t, e)
    tab = km.event_table[(km.event_table.index <= 12) & (km.event_table["observed"] > 0)]
    s_ref = km.survival_function_at_times(12).iloc[0]
    greenwood = s_ref ** 2 * np.sum(tab["observed"] / (tab["at_risk"] * (tab["at_risk"] - tab["observed"])))
    assert s_h == pytest.approx(s_ref, rel=1e-12)
    assert np.sum(psi ** 2) == pytest.approx(greenwood, rel=0.02)
    d = _simulated_groups(np.random.default_rng(7), n_per_group=3000)
    boot = cx.revenue_at_risk(d, method="model", n_boot=2000, seed=1).summary.set_index("group")
    delta = cx.revenue_at_risk(d, method="model", interval="delta").summary.set_index("group")
    pd.testing.assert_series_equal(delta["revenue_at_risk"], boot["revenue_at_risk"])
    width = (boot["ci_high"] - boot["ci_low"]) / (delta["ci_high"] - delta["ci_low"])
    assert width.between(0.9, 1.1).all(), width
    assert any("delta method" in n for n in cx.revenue_at_risk(d, method="model", interval="delta").notes)
    with pytest.raises(ConfigError, match="interval="):
        cx.revenue_at_risk(d, method="model", interval="wald")


def test_revenue_at_risk_on_the_sample_is_labelled_and_positive(joined):
    r = cx.revenue_at_risk(joined, n_boot=200)
    s = r.summary
    assert set(s["method"]) == {"heuristic", "model"}
    model = s[(s["method"] == "model")].set_index("group")
    assert model.loc["detractor", "ci_low"] > 0 and model.loc["total", "ci_low"] > 0
    assert (model["horizon_months"] == 12).all()
    assert any(n.startswith("Heuristic") for n in r.notes) and any(n.startswith("Model-based") for n in r.notes)


def test_revenue_at_risk_errors():
    d = _simulated_groups(np.random.default_rng(0), n_per_group=50, follow_up=8.0)
    with pytest.raises(InsufficientDataError, match="horizon"):
        cx.revenue_at_risk(d, method="model", horizon=24, n_boot=0)
    with pytest.raises(ConfigError, match="method"):
        cx.revenue_at_risk(d, method="guess")
    c = pd.DataFrame({"customer_id": list("ab"), "churned": [True, False], "tenure_months": 3.0,
                      "monthly_revenue": 1.0})
    with pytest.raises(InsufficientDataError, match="NPS groups"):
        cx.revenue_at_risk(c, method="heuristic")


def test_nps_point_value_by_hand():
    g = np.repeat(["detractor", "passive", "promoter"], [100, 200, 100])
    d = pd.DataFrame({"nps_group": pd.Categorical(g), "months": 24.0, "churned": False, "active": True,
                      "monthly_revenue": np.select([g == "promoter", g == "passive"], [14.0, 11.0], 10.0)})
    p = cx.nps_point_value(d, n_boot=0).summary.set_index("step")
    # nobody leaves: V = 12 x monthly revenue -> 120, 132, 168; N = 400
    assert p.loc["detractor -> passive", "value_per_point"] == pytest.approx(0.01 * 400 * 12)
    assert p.loc["passive -> promoter", "value_per_point"] == pytest.approx(0.01 * 400 * 36)
    # weighted least-squares slope of V on -1/0/+1 (weights 100/200/100): (168 - 120) / 2 = 24 per unit
    assert p.loc["per NPS point", "value_per_customer"] == pytest.approx(24.0)
    assert p.loc["per NPS point", "value_per_point"] == pytest.approx(0.01 * 400 * 24)


def test_clv_by_group_reuses_cx_clv(joined):
    t = cx.clv_by_group(joined, n_boot=100)
    assert set(t["method"]) == {"simple", "retention"}
    simple = t[t["method"] == "simple"].set_index("nps_group")
    assert simple.loc["detractor", "clv"] < simple.loc["passive", "clv"] < simple.loc["promoter", "clv"]
    # same number as cx.clv on the group in flag + tenure form
    sub = joined.data[(joined.data["nps_group"] == "promoter") & joined.data["monthly_revenue"].notna()]
    c = pd.DataFrame({"churned": sub["churned"], "tenure_months": sub["months"],
                      "monthly_revenue": sub["monthly_revenue"], "acquisition_cost": sub["acquisition_cost"],
                      "cost_to_serve": sub["cost_to_serve"]})
    assert simple.loc["promoter", "clv"] == pytest.approx(cx.clv(c, n_boot=0).value)


# ---------------------------------------------------------------------------------------
# across units


def test_unit_outcomes_exact_line_and_caveat():
    units = [f"U{i}" for i in range(6)]
    nps_target = np.array([-20, -10, 0, 10, 20, 30])
    rows, custs = [], []
    for u, target in zip(units, nps_target):
        # 100 answers: (50 + target/2) promoters, (50 - target/2) detractors -> NPS = target
        p = 50 + target // 2
        scores = [10] * p + [0] * (100 - p)
        rows += [{"unit": u, "date": pd.Timestamp("2025-06-01"), "nps": s} for s in scores]
        # churn rate = 30 - 0.5 x NPS (percent): exact line
        k = int(30 - 0.5 * target)
        custs += [{"customer_id": f"{u}-{j}", "unit": u, "acquired_at": pd.Timestamp("2023-01-01"),
                   "churned_at": pd.Timestamp("2025-05-01") if j < k else pd.NaT} for j in range(100)]
    res = cx.unit_outcomes(pd.DataFrame(rows), pd.DataFrame(custs))
    line = res.summary.set_index("outcome").loc["churn_rate"]
    assert line["slope"] == pytest.approx(-0.5) and line["r_squared"] == pytest.approx(1.0)
    assert res.data["nps"].tolist() == pytest.approx(list(nps_target))
    assert any(n.startswith("Ecological inference") for n in res.notes)
    assert "Ecological inference" in res._repr_html_()


def test_unit_outcomes_on_the_sample(sample):
    res = cx.unit_outcomes(sample)
    assert len(res.data) == 10 and set(res.summary["outcome"]) == {"churn_rate", "revenue_growth"}
    worst = res.data.sort_values("nps").iloc[0]
    assert worst["unit"] == cx.PLANTED["worse_unit"]
    assert res.lines is not None and {"fit", "ci_low", "ci_high"} <= set(res.lines.columns)


# ---------------------------------------------------------------------------------------
# response time and CSAT


def test_response_time_linking_rule():
    t = pd.DataFrame({"ticket_id": ["t1", "t2", "t3", "t4", "t5"], "customer_id": ["a", "a", "b", "c", "d"],
                      "created_at": pd.to_datetime(["2025-01-01 10:00", "2025-01-05 09:00", "2025-01-01 09:00",
                                                    "2025-01-06 09:00", "2025-01-04 09:00"]),
                      "first_response_at": pd.to_datetime(["2025-01-01 11:00", "2025-01-05 13:00",
                                                           "2025-01-01 10:00", "2025-01-06 10:00", None])})
    r = pd.DataFrame({"response_id": ["r1", "r2", "r3", "r4"], "customer_id": ["a", "b", "c", "d"],
                      "date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-01-05", "2025-01-05"]),
                      "csat": [4, 5, 3, 2]})
    # ten more customers, each with a ticket answered after 2^i minutes the day before answering
    filler = [f"f{i}" for i in range(10)]
    created = pd.Timestamp("2025-02-01 09:00")
    t = pd.concat([t, pd.DataFrame({"ticket_id": filler, "customer_id": filler, "created_at": created,
                                    "first_response_at": [created + pd.Timedelta(minutes=2 ** i) for i in range(10)]})])
    r = pd.concat([r, pd.DataFrame({"response_id": filler, "customer_id": filler,
                                    "date": pd.Timestamp("2025-02-02"), "csat": [5, 5, 4, 4, 4, 3, 3, 2, 2, 1]})])
    fit = cx.response_time_effect(r, t, controls=None)
    linked = fit.data.set_index("response_id")
    # a: the latest ticket opened by the end of the survey day (t2, 4 hours); b: t3 is 19 days
    # earlier (outside 7 days); c: t4 was opened the day after the survey; d: t5 never answered
    assert sorted(linked.index) == sorted(["r1"] + filler)
    assert linked.loc["r1", "ticket_id"] == "t2" and linked.loc["r1", "hours"] == pytest.approx(4.0)
    assert "1 of them to a ticket without a first response" in fit.notes[0]
    assert fit.summary["n"].iloc[0] == 11


def test_response_time_effect_coverage_seeded():
    # 200 seeded data sets: CSAT (continuous) = 4 - 0.3 log2(hours) + channel shift + noise
    rng = np.random.default_rng(99)
    reps, hits, n = 200, 0, 300
    base = pd.Timestamp("2025-03-01 09:00")
    for _ in range(reps):
        channel = rng.choice(["email", "chat"], n)
        hours = np.exp(rng.normal(np.where(channel == "email", 2.0, -1.0), 1.0))
        created = base + pd.to_timedelta(np.arange(n), unit="D")
        t = pd.DataFrame({"ticket_id": np.arange(n), "customer_id": np.arange(n), "created_at": created,
                          "first_response_at": created + pd.to_timedelta(hours, unit="h"), "channel": channel})
        csat = 4 - 0.3 * np.log2(hours) + np.where(channel == "email", 0.5, 0.0) + rng.normal(0, 0.7, n)
        r = pd.DataFrame({"response_id": np.arange(n), "customer_id": np.arange(n),
                          "date": created.normalize() + pd.Timedelta(days=1), "csat": csat})
        row = cx.response_time_effect(r, t, controls=["channel"]).summary.iloc[0]
        hits += row["ci_low"] <= -0.3 <= row["ci_high"]
    assert 0.92 <= hits / reps <= 0.98


def test_planted_slow_response_lowers_csat(sample):
    fit = cx.response_time_effect(sample.responses, sample.tickets)
    row = fit.summary.iloc[0]
    assert row["ci_high"] < 0 and row["p_value"] < 1e-6
    # the latent effect is -0.30 per doubling; on the rounded, clipped 1-5 scale it is attenuated
    assert -0.35 < row["effect"] < -0.15
    assert row["n"] > 3000


# ---------------------------------------------------------------------------------------
# a real public customer table (IBM Telco Customer Churn), through the column mapping


def _telco_csv():
    with open(REAL / "ibm_telco_customer_churn.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_real_data_file_is_the_recorded_snapshot():
    import hashlib

    digest = hashlib.sha256((REAL / "ibm_telco_customer_churn.csv").read_bytes()).hexdigest()
    assert digest in (REAL / "README.md").read_text(encoding="utf-8")


def test_real_telco_churn_survival_and_revenue(telco):
    rows = _telco_csv()
    # reference counts straight from the CSV (csv module, no cxkit)
    by_contract = {}
    for r in rows:
        k = by_contract.setdefault(r["Contract"], {"n": 0, "churned": 0, "revenue": 0.0})
        k["n"] += 1
        k["churned"] += r["Churn"] == "Yes"
        k["revenue"] += float(r["MonthlyCharges"])
    assert sum(k["churned"] for k in by_contract.values()) == 1869 and len(rows) == 7043

    j = cx.join_outcomes(None, telco)
    assert j.counts["customers"] == 7043 and j.counts["customers_churned"] == 1869
    churn = cx.churn_by_group(telco, by="segment").set_index("segment")
    for contract, k in by_contract.items():
        assert churn.loc[contract, "n"] == k["n"] and churn.loc[contract, "churned"] == k["churned"]
    assert churn["churn_rate"].idxmax() == "Month-to-month"  # 1655 / 3875 = 42.7%
    assert churn.loc["Month-to-month", "churn_rate"] == pytest.approx(100 * 1655 / 3875)

    km = cx.kaplan_meier(telco, by="segment", at=(12,))
    s12 = km.summary.set_index("group")["retained"]
    assert s12["Month-to-month"] < s12["One year"] <= s12["Two year"] and km.logrank_p < 1e-10

    cox = cx.cox_model(telco, by="segment", reference="Two year").summary.set_index("term")
    assert cox.loc["segment: Month-to-month", "ci_low"] > cox.loc["segment: One year", "ci_high"] > 1

    rr = cx.churn_relative_risk(telco, by="segment", reference="Two year").set_index("group")
    assert rr.loc["Month-to-month", "ratio"] == pytest.approx((1655 / 3875) / (48 / 1695))

    rev = cx.revenue_by_group(telco, by="segment").set_index("segment")
    for contract, k in by_contract.items():
        assert rev.loc[contract, "monthly_revenue"] == pytest.approx(k["revenue"] / k["n"])

    clv_t = cx.clv_by_group(telco, by="segment", method="simple", n_boot=0).set_index("segment")
    assert clv_t["clv"].idxmin() == "Month-to-month"

    rar = cx.revenue_at_risk(telco, method="model", by="segment", reference="Two year", n_boot=100)
    m = rar.summary.set_index("group")
    assert m.loc["Month-to-month", "revenue_at_risk"] > m.loc["One year", "revenue_at_risk"] > 0


# ---------------------------------------------------------------------------------------
# presentation and plots


def test_results_escape_untrusted_text():
    c = pd.DataFrame({"months": [1.0, 2, 3, 4, 5, 6], "churned": [True, False] * 3,
                      "unit": ["<script>alert(1)</script>"] * 3 + ["B"] * 3})
    html = cx.kaplan_meier(c, by="unit", at=(2,))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_outcome_plots(joined, sample):
    ax = cx.plot_churn_by_group(cx.churn_by_group(joined))
    assert ax.get_ylabel() == "Customers who left (%)" and len(ax.patches) == 3
    ax = cx.plot_survival(cx.kaplan_meier(joined))
    assert len(ax.get_lines()) == 3 and "Kaplan-Meier" in ax.get_title()
    ax = cx.plot_unit_outcomes(cx.unit_outcomes(sample))
    assert {t.get_text() for t in ax.texts} >= {cx.PLANTED["worse_unit"]}
    ax = cx.plot_revenue_at_risk(cx.revenue_at_risk(joined, n_boot=50))
    assert len(ax.patches) == 4 and "currency" in ax.get_xlabel()
    import matplotlib.pyplot as plt

    _, given = plt.subplots()
    assert cx.plot_churn_by_group(cx.churn_by_group(joined), ax=given) is given
    with pytest.raises(ConfigError):
        cx.plot_survival(pd.DataFrame())
