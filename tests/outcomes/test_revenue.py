"""Revenue: by group, revenue at risk (heuristic, model, bootstrap and delta intervals), the value of an
NPS point and CLV per group: hand-computed values and seeded coverage simulations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.errors import ConfigError, InsufficientDataError


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

    from cxkit.outcomes.survival import _km_influence

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
