"""A real public customer table (IBM Telco Customer Churn), through the column mapping: churn, survival
and revenue against counts taken straight from the CSV."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

import cxkit as cx

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


@pytest.fixture(scope="module")
def telco():
    return cx.read_table(REAL / "ibm_telco_customer_churn.csv", "customers", mapping=REAL / "telco_mapping.yml").data


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
