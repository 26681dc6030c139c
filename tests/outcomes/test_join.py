"""join_outcomes: the linking rule, counts, monthly revenue from invoices, errors."""
from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import ConfigError


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
    assert (k["responses_unknown_customer"], k["responses_without_customer_id"],
            k["responses_after_churn"]) == (1, 1, 2)
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
