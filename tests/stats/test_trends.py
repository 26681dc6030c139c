"""trend(): period-over-period changes, the one-pass reduction and empty periods."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import ConfigError
from cxkit.stats.trends import _period_index


def test_trend_values_changes_and_family(sample):
    r = sample.responses
    t = cx.trend(r, metric="nps", freq="Q", by="unit")
    assert len(t) == 8 * 10 and t["period"].astype(str).iloc[0] == "2024Q1"
    first = t[t["period"].astype(str) == "2024Q1"]
    assert (first["note"] == "first period").all() and first["p_value"].isna().all()
    row = t[(t["unit"] == "Kaunas Mega") & (t["period"].astype(str) == "2025Q2")].iloc[0]
    now = r[(r["unit"] == "Kaunas Mega") & (r["date"] >= "2025-04-01") & (r["date"] <= "2025-06-30")]
    before = r[(r["unit"] == "Kaunas Mega") & (r["date"] >= "2025-01-01") & (r["date"] <= "2025-03-31")]
    assert row["value"] == pytest.approx(cx.nps(now["nps"]).value)
    assert row["reference"] == pytest.approx(cx.nps(before["nps"]).value)
    ref = cx.nps_test(cx.nps_counts(now["nps"]), cx.nps_counts(before["nps"]))
    assert (row["diff"], row["p_value"]) == pytest.approx((ref.diff, ref.p_value))
    # one family: every period-over-period change of the table
    assert t["p_adjusted"].to_numpy() == pytest.approx(cx.adjust_pvalues(t["p_value"], method="fdr_bh"), nan_ok=True)
    assert t.attrs["family_size"] == 7 * 10
    monthly = cx.trend(r, metric="csat", freq="M", correction="holm")
    assert len(monthly) == 24 and monthly.attrs["correction"] == "holm"
    with pytest.raises(ConfigError, match="freq"):
        cx.trend(r, freq="fortnight")


@pytest.mark.parametrize("metric,freq,by", [("nps", "M", "unit"), ("csat", "W", None), ("ces_mean", "Q", "unit"),
                                             ("nps", "M", ["unit", "touchpoint"])])
def test_trend_in_one_pass_equals_one_pass_per_period(sample, monkeypatch, metric, freq, by):
    """The one-pass reduction over all periods gives exactly the table of one pass per period (forced here by
    hiding the additive kinds), with undated rows and rows outside start/end left out."""
    import sys

    cc = sys.modules["cxkit.stats.trends"]  # trend() looks _Additive up here

    r = sample.responses.copy()
    r.loc[r.index[::50], "date"] = pd.NaT
    kw = dict(metric=metric, freq=freq, by=by, start="2024-03-15", end="2025-10-20")
    fast = cx.trend(r, **kw)
    monkeypatch.setattr(cc, "_Additive", type("NotAdditive", (), {}))
    slow = cx.trend(r, **kw)
    assert len(fast) > 10 and fast["n"].sum() > 1000
    pd.testing.assert_frame_equal(fast, slow)


@pytest.mark.parametrize("freq", ["W-SUN", "M", "Q", "Y"])
def test_period_of_each_timestamp_from_a_day_table_equals_a_search(rng, freq):
    """Each timestamp's period (from its day number) equals a binary search over the period starts,
    for times of day, NaT and timestamps before and after the periods."""
    seconds = rng.integers(0, 6 * 365 * 86400, 200_000).astype("timedelta64[s]")
    when = (np.datetime64("2021-06-01T00:00:00") + seconds).astype("datetime64[ns]")
    when[::97] = np.datetime64("NaT")
    periods = pd.period_range("2023-03-05", "2025-06-30", freq=freq)
    edges = np.array([p.start_time for p in periods] + [(periods[-1] + 1).start_time], dtype="datetime64[ns]")
    searched = np.searchsorted(edges, when, side="right") - 1
    inside = ~np.isnat(when) & (searched >= 0) & (searched < len(periods))
    at = _period_index(when, periods)
    assert inside.sum() > 50_000 and (~inside).sum() > 50_000
    assert np.array_equal((at >= 0) & (at < len(periods)), inside)
    assert np.array_equal(at[inside], searched[inside])


def test_trend_keeps_empty_periods_as_gaps():
    df = pd.DataFrame({"date": pd.to_datetime(["2025-01-10"] * 40 + ["2025-03-10"] * 40),
                       "nps": [10, 9, 3, 8] * 20})
    t = cx.trend(df, metric="nps", freq="M")
    feb = t.iloc[1]
    assert feb["n"] == 0 and feb["suppressed"] and np.isnan(feb["value"])
    assert t.iloc[2]["direction"] == "not tested" and "n = 0 < 5" in t.iloc[2]["note"]
