"""Customer metrics: churn rate and hazard, CAC, cost to serve, the CLV formulas and CLV from data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx


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


@pytest.mark.parametrize("ids", [list("abcd"), ["a", "b", "a", "d"], [1, 2, 3, 4]])
def test_clv_revenue_per_customer_from_invoices_in_the_window(ids):
    # invoices of the window only, missing amounts adding nothing, ids compared as text (numbers in the customers
    # table, text in the invoices); a repeated customer id (summed by pandas instead of by hash) gets its id's
    # total in each row. Hand computation: revenue per customer-year at risk x years - CAC (seed 004).
    c = pd.DataFrame({"customer_id": ids, "churned": [True, False, False, True],
                      "tenure_months": [6.0, 12.0, 12.0, 6.0]})
    first, second = str(ids[0]), str(ids[1])
    v = pd.DataFrame({"customer_id": [first, first, second, "zz", first, second],
                      "date": pd.to_datetime(["2025-01-10", "2025-02-10", "2025-02-10", "2025-03-01", "2023-01-01",
                                              "2025-03-01"]),
                      "amount": [10.0, 20.0, 30.0, 1000.0, 5000.0, np.nan]})
    est = cx.clv(c, v, start="2025-01-01", n_boot=0)
    total = 10.0 + 20.0 + 30.0 + (30.0 if ids[2] == ids[0] else 0.0)
    assert est.value == pytest.approx(total / 36 * 12 / (12 * 2 / 36))
