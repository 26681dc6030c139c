"""response_time_effect: the linking rule, seeded coverage and the planted effect of the sample."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx


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


def test_hc3_fit_equals_statsmodels():
    # the vectorised least squares with HC3 errors against statsmodels OLS(...).fit(cov_type="HC3")
    import statsmodels.api as sm

    from cxkit.outcomes.response_time import _ols_hc3

    rng = np.random.default_rng(12)
    n = 500
    X = pd.DataFrame({"log2_hours": rng.normal(1, 1.5, n), "channel: email": (rng.random(n) < 0.4).astype(float)})
    y = 4 - 0.3 * X["log2_hours"] + 0.2 * X["channel: email"] + rng.normal(0, 0.3 + 0.2 * (X["log2_hours"] > 1), n)
    ref = sm.OLS(y, sm.add_constant(X)).fit(cov_type="HC3")
    fit = _ols_hc3(X, y.to_numpy())
    assert fit.params.to_numpy() == pytest.approx(ref.params.to_numpy(), rel=1e-10)
    assert fit.bse.to_numpy() == pytest.approx(ref.bse.to_numpy(), rel=1e-8)
    assert fit.pvalues.to_numpy() == pytest.approx(ref.pvalues.to_numpy(), rel=1e-6, abs=1e-300)
    assert fit.conf_int(0.05).to_numpy() == pytest.approx(ref.conf_int(0.05).to_numpy(), rel=1e-8)


def _reference_link(r, t, score, controls, window_days):
    """The linking rule as pandas states it: merge_asof by customer, backward, strict, with a tolerance."""
    r = r[r[score].notna() & r["customer_id"].notna()].assign(_until=r["date"].dt.normalize() + pd.Timedelta(days=1))
    t = t.rename(columns={"unit": "ticket_unit"})
    linked = pd.merge_asof(r.sort_values("_until", kind="stable"), t.sort_values("created_at", kind="stable"),
                           left_on="_until", right_on="created_at", by="customer_id", direction="backward",
                           tolerance=pd.Timedelta(days=window_days), allow_exact_matches=False)
    d = linked[linked["first_response_at"].notna()].copy()
    d["hours"] = ((d["first_response_at"] - d["created_at"]).dt.total_seconds() / 3600).clip(lower=1 / 60)
    d["log2_hours"] = np.log2(d["hours"])
    keep = ["response_id", "customer_id", "date", score, "ticket_id", "created_at", "hours", "log2_hours", *controls]
    return d[keep].reset_index(drop=True)


def test_response_time_effect_equals_merge_asof_and_statsmodels_hc3():
    # seeded tables with several tickets per customer, equal opening times, tickets exactly window_days before
    # the end of the survey day and unanswered tickets: the linked rows must be those of pandas' merge_asof
    # and the fit that of statsmodels OLS(...).fit(cov_type="HC3") on the dummy design
    import statsmodels.api as sm

    rng = np.random.default_rng(21)
    n_t, n_r, n_c = 4000, 3000, 600
    day0 = pd.Timestamp("2025-01-01")
    created = day0 + pd.to_timedelta(rng.integers(0, 60 * 24, n_t) * 60, unit="min")
    created = created.where(rng.random(n_t) > 0.1, day0 + pd.to_timedelta(rng.integers(0, 60, n_t), unit="D"))
    hours = np.exp(rng.normal(1, 1.2, n_t))
    first = pd.Series(created + pd.to_timedelta(hours, unit="h")).where(rng.random(n_t) > 0.1)
    t = pd.DataFrame({"ticket_id": [f"t{i}" for i in range(n_t)],
                      "customer_id": [f"c{i}" for i in rng.integers(0, n_c, n_t)], "created_at": created,
                      "first_response_at": first,
                      "channel": pd.Categorical(rng.choice(["chat", "email", "phone"], n_t)),
                      "unit": "u0"})
    date = day0 + pd.to_timedelta(rng.integers(0, 60, n_r), unit="D")
    r = pd.DataFrame({"response_id": [f"r{i}" for i in range(n_r)],
                      "customer_id": [f"c{i}" for i in rng.integers(0, n_c + 50, n_r)], "date": date,
                      "unit": pd.Categorical(rng.choice(["a", "b", "c", "d"], n_r)),
                      "csat": pd.array(rng.integers(1, 6, n_r), dtype="Int8")})
    r.loc[rng.random(n_r) < 0.05, "csat"] = pd.NA
    fit = cx.response_time_effect(r, t)
    ref = _reference_link(r, t, "csat", ["unit", "channel"], 7)
    assert len(ref) > 500
    pd.testing.assert_frame_equal(fit.data, ref, check_exact=True)
    X = pd.get_dummies(ref[["unit", "channel"]], prefix_sep=": ", drop_first=True, dtype=float)
    X.insert(0, "log2_hours", ref["log2_hours"])
    sm_fit = sm.OLS(ref["csat"].astype(float), sm.add_constant(X)).fit(cov_type="HC3")
    assert list(fit.model.params.index) == list(sm_fit.params.index)
    assert fit.model.params.to_numpy() == pytest.approx(sm_fit.params.to_numpy(), rel=1e-9, abs=1e-12)
    assert fit.model.bse.to_numpy() == pytest.approx(sm_fit.bse.to_numpy(), rel=1e-9)
    row = fit.summary.iloc[0]
    assert row["p_value"] == pytest.approx(sm_fit.pvalues["log2_hours"], rel=1e-9)
    assert row["n"] == len(ref)
    n_linked = int(_reference_link(r, t.assign(first_response_at=t["created_at"]), "csat", [], 7).shape[0])
    assert f"{n_linked} of {int(r['csat'].notna().sum())} answers" in fit.notes[0]
