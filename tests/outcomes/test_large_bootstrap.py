"""The large-table bootstrap of revenue_at_risk and nps_point_value (resampled cell counts, cxkit.outcomes.
revenue._cell_replicates) against the customer-by-customer bootstrap it replaces above
EXACT_RESAMPLING_CELLS rows x resamples. Expected values: the exact bootstrap on the same data (its own
seed), and the delta-method interval (influence functions, validated in test_revenue.py)."""
import numpy as np
import pandas as pd
import cxkit as cx
from cxkit.outcomes import revenue


def _groups(seed=7, n=3000):
    rng = np.random.default_rng(seed)
    g = np.repeat(["detractor", "passive", "promoter"], n)
    t = rng.exponential(1 / np.repeat((0.05, 0.03, 0.02), n))
    admin = rng.uniform(6, 24, size=g.size)
    rev = np.exp(np.repeat(np.log((10.0, 11.0, 12.0)), n) - 0.125 + 0.5 * rng.normal(size=g.size))
    return pd.DataFrame({"nps_group": pd.Categorical(g, categories=["detractor", "passive", "promoter"]),
                         "months": np.round(np.minimum(t, admin) * 30.4) / 30.4, "churned": t <= admin,
                         "active": t > admin, "monthly_revenue": rev})


def _rar(d, **kw):
    return cx.revenue_at_risk(d, method="model", n_boot=2000, **kw).summary.set_index("group")


def test_revenue_at_risk_cell_bootstrap_matches_the_exact_one(monkeypatch):
    d = _groups()
    exact = _rar(d, seed=1)
    monkeypatch.setattr(revenue, "EXACT_RESAMPLING_CELLS", 0)
    cells = _rar(d, seed=2)
    pd.testing.assert_series_equal(cells["revenue_at_risk"], exact["revenue_at_risk"])
    width = exact["ci_high"] - exact["ci_low"]
    for col in ("ci_low", "ci_high"):  # Monte-Carlo error of 2000-resample percentiles: a few % of the width
        assert (cells[col] - exact[col]).abs().le(0.08 * width).all(), (col, cells[col], exact[col])
    cw = cells["churn_ci_high"] - cells["churn_ci_low"]
    ew = exact["churn_ci_high"] - exact["churn_ci_low"]
    assert (cw / ew).dropna().between(0.9, 1.1).all()


def test_nps_point_value_cell_bootstrap_matches_the_exact_one(monkeypatch):
    d = _groups()
    exact = cx.nps_point_value(d, n_boot=2000, seed=1).summary.set_index("step")
    monkeypatch.setattr(revenue, "EXACT_RESAMPLING_CELLS", 0)
    cells = cx.nps_point_value(d, n_boot=2000, seed=2).summary.set_index("step")
    pd.testing.assert_series_equal(cells["value_per_point"], exact["value_per_point"])
    width = exact["ci_high"] - exact["ci_low"]
    for col in ("ci_low", "ci_high"):
        assert (cells[col] - exact[col]).abs().le(0.08 * width).all(), (col, cells[col], exact[col])
