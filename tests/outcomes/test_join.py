"""join_outcomes: the linking rule, counts, monthly revenue from invoices, errors."""
from __future__ import annotations

import numpy as np
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


def test_join_ids_and_revenue_equal_a_pandas_merge_seeded():
    # seeded tables: ids as numbers in the customers table and as text elsewhere, missing and unknown ids,
    # invoices partly grouped by customer and partly shuffled, missing amounts. The answer used, the counts and
    # the monthly revenue must equal an independent pandas computation (merge on the ids as text, groupby sums).
    rng = np.random.default_rng(8)
    n_c, n_r, n_v = 300, 2000, 5000
    day0 = pd.Timestamp("2024-01-01")
    c = pd.DataFrame({"customer_id": np.arange(n_c), "acquired_at": day0,
                      "churned_at": pd.Series(day0 + pd.to_timedelta(rng.integers(100, 700, n_c), unit="D")).where(
                          rng.random(n_c) < 0.3)})
    ids = pd.Series([str(i) for i in rng.integers(0, n_c + 20, n_r)], dtype=object)
    ids[rng.random(n_r) < 0.03] = None
    r = pd.DataFrame({"customer_id": ids, "nps": rng.integers(0, 11, n_r).astype(float),
                      "date": day0 + pd.to_timedelta(rng.integers(0, 700, n_r), unit="D")})
    v_ids = np.sort(rng.integers(0, n_c + 10, n_v))
    v_ids[: n_v // 3] = rng.permutation(v_ids[: n_v // 3])
    v = pd.DataFrame({"customer_id": pd.array([str(i) for i in v_ids], dtype="string[pyarrow]"),
                      "date": day0 + pd.to_timedelta(rng.integers(0, 730, n_v), unit="D"),
                      "amount": np.where(rng.random(n_v) < 0.02, np.nan, rng.gamma(2, 30, n_v))})
    j = cx.join_outcomes(r, c, v, end="2026-01-01")
    d = j.data.set_index("customer_id")
    assert d.index.equals(pd.Index([str(i) for i in range(n_c)], dtype=object))
    # the latest usable answer (before leaving), by hand
    a = r.dropna(subset=["customer_id"]).merge(c.assign(customer_id=c["customer_id"].astype(str)), on="customer_id")
    a = a[a["churned_at"].isna() | (a["date"] < a["churned_at"])]
    latest = a.sort_values("date", kind="stable").groupby("customer_id").last()
    assert d.loc[latest.index, "nps"].to_numpy() == pytest.approx(latest["nps"].to_numpy())
    unknown = r["customer_id"].notna() & ~r["customer_id"].isin(c["customer_id"].astype(str))
    assert j.counts["responses_unknown_customer"] == int(unknown.sum())
    assert j.counts["responses_without_customer_id"] == int(r["customer_id"].isna().sum())
    assert j.counts["invoices_unknown_customer"] == int((v_ids >= n_c).sum())
    # monthly revenue: invoices in the 12 months to the last invoice, over the months active in that window
    last = v["date"].max()
    start = last - pd.DateOffset(months=12)
    total = v[(v["date"] > start) & (v["date"] <= last)].groupby("customer_id")["amount"].sum()
    total = total.reindex(d.index).fillna(0.0)
    a0 = c["acquired_at"].where(c["acquired_at"] > start, start)
    a1 = c["churned_at"].where(c["churned_at"].notna() & (c["churned_at"] < last), last)
    months = ((a1 - a0).dt.total_seconds() / 86400 / (365.25 / 12)).clip(lower=0).to_numpy()
    expected = np.where(months >= 1, total.to_numpy() / np.where(months > 0, months, 1), np.nan)
    assert d["monthly_revenue"].to_numpy() == pytest.approx(expected, rel=1e-12, nan_ok=True)


def test_join_repeated_customer_id_is_an_error_naming_it():
    c = pd.DataFrame({"customer_id": ["a", "b", "a"], "churned": [False, True, False], "tenure_months": [1, 2, 3]})
    with pytest.raises(ConfigError, match="'a' appears more than once"):
        cx.join_outcomes(pd.DataFrame({"customer_id": ["a"], "nps": [3]}), c)


def test_join_ids_found_by_hash_are_confirmed_by_their_text(monkeypatch):
    # the customers' positions are looked up by 64-bit hashes and confirmed by comparing the ids. With a hash
    # that collides on purpose (the id's length), an unknown id of a customer's hash must stay unknown, and the
    # positions must equal those of the dictionary pass (independent of any hash).
    import pyarrow as pa

    from cxkit.data import hashing
    from cxkit.outcomes import join

    def by_length(arr):
        return np.asarray(hashing._large_strings(arr).cast(pa.large_string()).to_pandas().fillna("").str.len(),
                          dtype=np.uint64)

    monkeypatch.setattr(hashing, "fast_hash", by_length)
    cust = pa.array(["a", "bb", "ccc"], type=pa.large_string())
    answers = pa.chunked_array([pa.array(["x", "bb", None], pa.large_string()),
                                pa.array(["ccc", "yy", "", "a"], pa.large_string())])
    found = hashing.lookup(cust, [answers])
    assert found[0].tolist() == [-1, 1, -1, 2, -1, -1, 0]
    assert found[0].tolist() == join._positions_by_codes(pd.Series(["a", "bb", "ccc"]), [answers])[0].tolist()
    # two customers of one hash: the dictionary pass decides
    assert hashing.lookup(pa.array(["ab", "cd"], pa.large_string()), [answers]) is None
    c = pd.DataFrame({"customer_id": ["ab", "cd", "e"], "churned": [False, True, False], "tenure_months": [5, 6, 7]})
    r = pd.DataFrame({"customer_id": ["cd", "zz", "e"], "nps": [3, 9, 10]})
    j = cx.join_outcomes(r, c)
    assert j.data["nps"].tolist()[1:] == [3.0, 10.0] and j.counts["responses_unknown_customer"] == 1


def test_join_a_customer_without_id_is_kept_unmatched():
    # one customer row without an id (the hash lookup leaves it to the dictionary pass): no answer reaches it
    c = pd.DataFrame({"customer_id": ["a", None, "b"], "churned": [False, True, False], "tenure_months": [1, 2, 3]})
    r = pd.DataFrame({"customer_id": ["a", None, "b", "q"], "nps": [3, 5, 9, 10]})
    j = cx.join_outcomes(r, c)
    assert j.data["matched"].tolist() == [True, False, True]
    assert j.counts["responses_without_customer_id"] == 1 and j.counts["responses_unknown_customer"] == 1
