"""CX metrics: published reference values, source formulas, edge cases and metric_table."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.errors import ConfigError, InsufficientDataError
from cxkit.stats.intervals import _median_ranks


# ---------------------------------------------------------------------------------------
# NPS reference values

def test_nps_point_estimate_and_counts():
    scores = [0, 3, 6, 7, 8, 9, 10, 10, 10, np.nan]
    assert cx.nps_counts(scores) == (3, 2, 4)
    assert cx.nps(scores).value == pytest.approx(100 * (4 - 3) / 9)
    assert cx.nps(scores).n == 9


def test_nps_wald_and_tango_match_contingencytables_cavo_2012():
    # Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 8;
    # R contingencytables::Wald_CI_diff_paired_2x2 / Tango_asymptotic_score_CI_paired_2x2 on
    # cavo_2012 = rbind(c(59, 6), c(16, 80)): estimate -0.0621,
    # Wald (95% CI -0.1184 to -0.0058), Tango score (95% CI -0.1240 to -0.0054).
    # A difference of two cells of one multinomial is exactly the NPS set-up:
    # promoters = n12 = 6, detractors = n21 = 16, passives = 59 + 80.
    wald = cx.nps_from_counts(16, 139, 6, method="wald")
    score = cx.nps_from_counts(16, 139, 6, method="score")
    assert wald.value == pytest.approx(-6.21, abs=0.005)
    assert (wald.ci_low, wald.ci_high) == pytest.approx((-11.84, -0.58), abs=0.005)
    assert (score.ci_low, score.ci_high) == pytest.approx((-12.40, -0.54), abs=0.005)


def test_nps_adjusted_wald_formula_rocks_2016():
    # Rocks (2016): add 0.75 detractors, 1.5 passives, 0.75 promoters; Wald around the adjusted NPS.
    d, pa, p = 20, 30, 50
    na = 103
    pp, dd = (p + 0.75) / na, (d + 0.75) / na
    se = np.sqrt((pp + dd - (pp - dd) ** 2) / na)
    z = stats.norm.ppf(0.975)
    est = cx.nps_from_counts(d, pa, p)
    assert est.value == 30.0  # reported value is the raw NPS
    assert est.ci_low == pytest.approx(100 * (pp - dd - z * se))
    assert est.ci_high == pytest.approx(100 * (pp - dd + z * se))


def test_tango_interval_solves_the_score_equation():
    # independent check: at each limit Tango's statistic equals -/+ z (grid search, not bisection)
    d, p, n = 12.0, 25.0, 60.0
    est = cx.nps_from_counts(int(d), int(n - d - p), int(p), method="score")
    z = stats.norm.ppf(0.975)

    def tango(delta):
        a, b = 2 * n, -d - p + (2 * n - p + d) * delta
        c = -d * delta * (1 - delta)
        q = (np.sqrt(b * b - 4 * a * c) - b) / (2 * a)
        return (p - d - n * delta) / np.sqrt(n * (2 * q + delta * (1 - delta)))

    grid = np.linspace(-0.99, 0.99, 400_001)
    inside = grid[np.abs(tango(grid)) <= z]
    assert est.ci_low / 100 == pytest.approx(inside.min(), abs=1e-5)
    assert est.ci_high / 100 == pytest.approx(inside.max(), abs=1e-5)


def test_nps_edge_cases():
    all_promoters = cx.nps([10] * 15, method="score")
    assert all_promoters.value == 100 and all_promoters.ci_high == 100 and all_promoters.ci_low < 100
    assert cx.nps([0] * 5).ci_low >= -100
    with pytest.raises(InsufficientDataError):
        cx.nps([])
    with pytest.raises(ConfigError, match="method"):
        cx.nps([1, 2], method="bogus")
    with pytest.raises(ConfigError):
        cx.nps([11])


def test_nps_custom_bands():
    # some programmes treat 8 as a promoter
    est = cx.nps([8, 8, 6], bands={"promoters": (8, 10), "passives": (7, 7)})
    assert est.value == pytest.approx(100 * (2 - 1) / 3)
    with pytest.raises(ConfigError):
        cx.nps([8], bands={"promoters": (8, 10)})  # overlaps passives 7-8


# ---------------------------------------------------------------------------------------
# shares: Newcombe (1998) Table I, "Two-sided confidence intervals for the single proportion"

NEWCOMBE = [  # (k, n, Wilson score (method 3), Clopper-Pearson exact (method 5))
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize("k,n,wilson,exact", NEWCOMBE)
def test_share_intervals_match_newcombe_1998(k, n, wilson, exact):
    w = cx.share(k, n)
    c = cx.share(k, n, method="clopper-pearson")
    assert (w.ci_low / 100, w.ci_high / 100) == pytest.approx(wilson, abs=6e-5)
    assert (c.ci_low / 100, c.ci_high / 100) == pytest.approx(exact, abs=6e-5)


def test_jeffreys_and_agresti_coull_against_their_formulas():
    k, n = 15, 148
    jl, jh = stats.beta.ppf([0.025, 0.975], k + 0.5, n - k + 0.5)  # Jeffreys: Beta(k+1/2, n-k+1/2) quantiles
    j = cx.share(k, n, method="jeffreys")
    assert (j.ci_low / 100, j.ci_high / 100) == pytest.approx((jl, jh), abs=1e-9)
    z = stats.norm.ppf(0.975)  # Agresti & Coull (1998): Wald around (k + z^2/2) / (n + z^2)
    nt = n + z * z
    pt = (k + z * z / 2) / nt
    h = z * np.sqrt(pt * (1 - pt) / nt)
    ac = cx.share(k, n, method="agresti-coull")
    assert (ac.ci_low / 100, ac.ci_high / 100) == pytest.approx((pt - h, pt + h), abs=1e-9)


def test_csat_and_ces_follow_source_formulas():
    # seed 004: CSAT = satisfied / answers x 100; CES = answers 4-5 / answers x 100
    assert cx.csat([5, 4, 3, 2, 1]).value == 40.0
    assert cx.csat([7, 6, 5, 1], scale=(1, 7)).value == 50.0
    assert cx.csat([3, 2, 1], scale=(1, 3), satisfied=(3, 3)).value == pytest.approx(100 / 3)
    assert cx.ces([5, 4, 4, 1]).value == 75.0
    with pytest.raises(ConfigError, match="scale"):
        cx.csat([7], scale=(1, 5))
    m = cx.ces_mean([1, 7, 4, 4])
    assert m.value == 4.0
    t = stats.t.ppf(0.975, 3) * np.std([1, 7, 4, 4], ddof=1) / 2
    assert (m.ci_low, m.ci_high) == pytest.approx((4 - t, 4 + t))


# ---------------------------------------------------------------------------------------
# response time, churn, CAC, CLV

def _tickets(hours):
    created = pd.Timestamp("2025-03-01 09:00")
    return pd.DataFrame({"created_at": [created] * len(hours),
                         "first_response_at": [created + pd.Timedelta(hours=h) if h is not None else pd.NaT
                                               for h in hours]})


def test_first_response_time_mean_and_median():
    t = _tickets([1, 2, 3, 4, 5, 6, 7, 8, 9, 100, None])
    mean = cx.first_response_time(t, statistic="mean")
    assert mean.value == pytest.approx(14.5) and mean.details["unanswered"] == 1
    med = cx.first_response_time(t)
    assert med.metric == "first_response_time_median" and med.value == 5.5
    # n = 10: ranks 2 and 9 (binom.ppf(0.025, 10, .5) = 2), achieved level 1 - 2 P(B <= 1) = 97.9%
    assert (med.ci_low, med.ci_high) == (2.0, 9.0)


def test_median_ranks_reach_the_confidence_level():
    for n in (6, 10, 25, 100, 1000):
        lo_rank, hi_rank, ok = _median_ranks(n, 0.95)
        assert ok and hi_rank == n - lo_rank + 1
        assert 1 - 2 * stats.binom.cdf(lo_rank - 1, n, 0.5) >= 0.95
        assert 1 - 2 * stats.binom.cdf(lo_rank, n, 0.5) < 0.95 or lo_rank == 1  # the narrowest such ranks
    assert not _median_ranks(5, 0.95)[2]  # too few tickets for a 95% distribution-free interval


def test_churn_rate_period_definition():
    c = pd.DataFrame({
        "acquired_at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01", "2025-06-01", "2024-01-01"]),
        "churned_at": pd.to_datetime([None, "2025-03-01", "2024-11-01", "2025-08-01", "2026-01-05"]),
    })
    est = cx.churn_rate(c, start="2025-01-01", end="2025-12-31")
    # active on 1 Jan 2025: rows 0, 1, 4 (row 2 left before, row 3 joined after); left in period: row 1
    assert (est.details["churned"], est.details["active_at_start"]) == (1, 3)


def test_churn_hazard_exposure_and_garwood_interval():
    c = pd.DataFrame({"churned": [True, False, True], "tenure_months": [10.0, 20.0, 10.0]})
    est = cx.churn_hazard(c)
    assert est.value == pytest.approx(5.0)  # 2 events / 40 customer-months
    # Garwood (1936) exact interval for k = 2: [0.2422, 7.2247] events (Ulm 1990 table)
    assert (est.ci_low / 100 * 40, est.ci_high / 100 * 40) == pytest.approx((0.2422, 7.2247), abs=1e-4)


def test_cac_cost_to_serve_and_clv_formulas():
    c = pd.DataFrame({"acquisition_cost": [100.0, 200.0, np.nan], "cost_to_serve": [10.0, 30.0, 20.0],
                      "acquired_at": pd.to_datetime(["2025-01-05", "2024-01-01", "2025-02-01"])})
    assert cx.cac(c).value == 150.0
    assert cx.cac(c, start="2025-01-01").value == 100.0
    assert cx.cost_to_serve(c).value == 20.0
    # seed 004: CLV = annual revenue per customer x relationship years - CAC
    assert cx.clv_formula(1000.0, 3.0, 500.0) == 2500.0
    # Gupta & Lehmann (2003): CLV = m r / (1 + i - r)
    assert float(cx.clv_retention_formula(120.0, 0.75, 0.10)) == pytest.approx(120 * 0.75 / 0.35)


def test_clv_from_data_matches_hand_computation():
    c = pd.DataFrame({"customer_id": list("abcd"), "churned": [True, False, False, True],
                      "tenure_months": [6.0, 12.0, 12.0, 6.0], "monthly_revenue": [20.0, 20.0, 20.0, 20.0],
                      "acquisition_cost": [50.0] * 4, "cost_to_serve": [60.0] * 4})
    # 2 events / 36 customer-months; annual revenue per customer-year = 240
    hazard = 2 / 36
    simple = cx.clv(c, n_boot=200)
    assert simple.value == pytest.approx(240 / (12 * hazard) - 50)
    assert simple.ci_low <= simple.value <= simple.ci_high
    r = np.exp(-12 * hazard)
    ret = cx.clv(c, method="retention", discount=0.1, n_boot=0)
    assert ret.value == pytest.approx((240 - 60) * r / (1.1 - r))


# ---------------------------------------------------------------------------------------
# metric_table

def test_metric_table_matches_single_estimates(sample):
    r = sample.responses
    table = cx.metric_table(r, metric="nps", by="unit", total=True)
    for row in table.itertuples():
        sub = r if row.unit == "All" else r[r["unit"] == row.unit]
        est = cx.nps(sub["nps"])
        assert (row.value, row.ci_low, row.ci_high, row.n) == pytest.approx((est.value, est.ci_low, est.ci_high, est.n))
    csat = cx.metric_table(r, metric="csat", by=["region"] if "region" in r else ["touchpoint"])
    one = csat.iloc[0]
    sub = r[r["touchpoint"] == one["touchpoint"]]
    assert one["value"] == pytest.approx(cx.csat(sub["csat"]).value)


def test_metric_table_two_keys_and_errors(sample):
    t = cx.metric_table(sample.responses, metric="ces", by=["unit", "touchpoint"])
    assert {"unit", "touchpoint", "value", "ci_low", "ci_high", "n", "method"} <= set(t.columns)
    assert t["n"].sum() == sample.responses["ces"].notna().sum()
    with pytest.raises(ConfigError, match="metric"):
        cx.metric_table(sample.responses, metric="loyalty")
    with pytest.raises(ConfigError, match="by="):
        cx.metric_table(sample.responses, metric="nps", by="shop")


def test_estimate_renders_as_html_and_text():
    est = cx.nps_from_counts(1, 1, 3)
    html = est._repr_html_()
    assert "<table" in html and "adjusted-wald" in html
    assert "nps: 40.0 points" in str(est)
    assert list(est.summary.columns[:5]) == ["metric", "value", "ci_low", "ci_high", "n"]
