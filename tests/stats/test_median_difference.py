"""Difference of two medians with the Price-Bonett interval: the ``diff`` of response-time comparisons.

compare() and trend() give, for ``first_response_time``, the group median minus the reference median
with the interval of Price & Bonett (2002), each median's standard error read off two order
statistics; the p-value stays Mann-Whitney's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.stats.rank_tests import (
    _kth_of_difference,
    _median_difference,
    _median_of_difference,
    _medians_se,
    _multiset_minus,
    _rest_median_se,
)

TEST = "Mann-Whitney U (difference of medians, Price-Bonett interval)"


def _price_bonett(x, y, confidence=0.95):
    d, lo, hi = _median_difference(*_medians_se([np.sort(x)]), *_medians_se([np.sort(y)]), confidence)
    return float(d[0]), float(lo[0]), float(hi[0])


# =======================================================================================
# reference values


@pytest.mark.parametrize("y1, y2, expected", [
    # R statpsych 1.6.0, ci.median2(.05, y1, y2), the examples of its manual (Bonett's own implementation):
    # Median1-Median2, SE, LL, UL = -8.5, 4.316291, -16.95977, -0.04022524
    ([32, 39, 26, 35, 43, 27, 40, 37, 34, 29], [36, 44, 47, 42, 49, 39, 46, 31, 33, 48],
     (-8.5, 4.316291, -16.95977, -0.04022524)),
    # statpsych 1.7.0 manual: -8.85, 4.494993, -17.66002, -0.0399751
    ([32.1, 39.8, 26.3, 35.0, 43.1, 27.0, 40.9, 37.4, 34.0, 29.2],
     [36.8, 44.0, 47.1, 42.7, 49.0, 39.6, 46.2, 31.6, 33.1, 48.4], (-8.85, 4.494993, -17.66002, -0.0399751)),
    # statpsych 2.0.0 manual (20 a side, a tie in y2): -85, 37.11502, -157.7441, -12.25589
    ([70, 394, 43, 95, 62, 128, 2, 203, 81, 436, 85, 35, 156, 1, 3, 27, 63, 181, 184, 18],
     [102, 120, 78, 78, 417, 124, 86, 171, 176, 129, 230, 194, 100, 157, 306, 411, 164, 103, 193, 312],
     (-85.0, 37.11502, -157.7441, -12.25589)),
])
def test_difference_of_medians_matches_r_statpsych(y1, y2, expected):
    d, lo, hi = _price_bonett(np.array(y1, float), np.array(y2, float))
    se = (hi - lo) / (2 * stats.norm.ppf(0.975))
    assert (d, se, lo, hi) == pytest.approx(expected, rel=1e-6)


def test_a_worked_example_written_out():
    # 11 and 14 response times (hours), the formula of Price & Bonett (2002) with numpy:
    x = np.array([0.4, 2.9, 1.1, 0.7, 5.2, 1.6, 0.9, 3.8, 1.3, 0.2, 2.2])
    y = np.array([1.9, 0.8, 4.4, 2.6, 7.5, 1.2, 3.1, 2.0, 0.6, 5.9, 2.4, 1.5, 3.6, 9.0])
    xs, ys = np.sort(x), np.sort(y)
    # x: n = 11, c = round(11/2 - sqrt(11)) = round(2.18) = 2; the 2nd and the 10th smallest (0.4 and 3.8);
    # P(B <= 1) = (1 + 11) / 2^11 for B ~ Binomial(11, 1/2), z = Phi^-1(1 - 12/2048)
    se_x = (xs[9] - xs[1]) / (2 * stats.norm.ppf(1 - 12 / 2048))
    # y: n = 14, c = round(7 - 3.74) = 3; the 3rd and the 12th smallest; P(B <= 2) = (1 + 14 + 91) / 2^14
    se_y = (ys[11] - ys[2]) / (2 * stats.norm.ppf(1 - 106 / 16384))
    diff = 1.3 - (2.4 + 2.6) / 2  # the medians: the 6th of x; the mean of the 7th and 8th of y
    for conf in (0.95, 0.90):
        half = stats.norm.ppf(0.5 + conf / 2) * np.sqrt(se_x**2 + se_y**2)
        assert _price_bonett(x, y, conf) == pytest.approx((diff, diff - half, diff + half), rel=1e-12)
    med, se = _medians_se([xs, ys, np.array([3.0]), np.array([])])
    assert med[:3].tolist() == [1.3, 2.5, 3.0] and np.isnan(med[3])
    assert se[:2] == pytest.approx([se_x, se_y], rel=1e-12) and np.isnan(se[2:]).all()  # below two values: none


def test_order_statistics_of_all_minus_a_group(rng):
    for _ in range(30):
        allv = np.sort(rng.integers(0, 15, rng.integers(3, 60)).astype(float))  # many ties
        x = np.sort(rng.choice(allv, rng.integers(1, allv.size - 1), replace=False))
        rest = _multiset_minus(allv, x)
        ks = np.arange(1, rest.size + 1)
        assert _kth_of_difference(allv, x, ks).tolist() == rest.tolist()
        assert _median_of_difference(allv, x) == np.median(rest)
        med, se = _medians_se([rest])
        got = _rest_median_se(allv, x)
        assert got[0] == med[0] and (got[1] == pytest.approx(se[0]) or (np.isnan(got[1]) and np.isnan(se[0])))


# =======================================================================================
# seeded simulation of coverage


def test_interval_covers_the_true_difference_of_medians_of_skewed_times():
    # log-normal response times of different spread (the slower unit also more skewed), 2000 replications a
    # setting; true medians exp(mu). Tolerance: 4 binomial SEs, sqrt(0.95 * 0.05 / 2000) = 0.49 points each,
    # i.e. 93% to 97%. Measured here: 95.4%, 93.5%, 93.7%, 94.25%, 95.85%; with 20,000 replications a setting
    # (SE 0.15 points): 95.2%, 94.1%, 94.8%, 94.7%, 95.2% - slightly below 95% when the groups differ a lot
    # in size, never below 94%.
    rng = np.random.default_rng(20261124)
    reps = 2000
    tol = 4 * np.sqrt(0.95 * 0.05 / reps)
    true = np.exp(0.3) - np.exp(0.0)
    for m, n in ((30, 30), (30, 300), (100, 200), (300, 300), (300, 40)):
        a = np.sort(rng.lognormal(0.3, 1.1, (reps, m)), axis=1)
        b = np.sort(rng.lognormal(0.0, 0.7, (reps, n)), axis=1)
        _, lo, hi = _median_difference(*_medians_se(list(a)), *_medians_se(list(b)), 0.95)
        cover = np.mean((lo <= true) & (true <= hi))
        assert abs(cover - 0.95) <= tol, (m, n, cover)


# =======================================================================================
# compare() and trend()


def _tickets(rng, sizes: dict[str, int], start="2025-07-01", days=90) -> pd.DataFrame:
    unit = np.repeat(list(sizes), list(sizes.values()))
    created = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days * 24, unit.size), unit="h")
    hours = np.round(rng.lognormal(0.2, 1.0, unit.size), 4)  # recorded to the second or so: a few ties
    return pd.DataFrame({"unit": unit, "created_at": created,
                         "first_response_at": created + pd.to_timedelta(hours, unit="h")})


def _hours(df: pd.DataFrame) -> pd.Series:
    return (df["first_response_at"] - df["created_at"]).dt.total_seconds() / 3600


def test_compare_vs_rest_gives_the_difference_of_medians(rng):
    df = _tickets(rng, {"a": 40, "b": 75, "c": 120, "d": 6})
    h = _hours(df)
    t = cx.compare(df, metric="first_response_time", by="unit", min_n_show=5)
    assert (t["test"] == TEST).all()
    for row in t.itertuples():
        x, rest = h[df["unit"] == row.unit].to_numpy(), h[df["unit"] != row.unit].to_numpy()
        assert row.value == np.median(x) and row.reference == np.median(rest)
        assert row.diff == np.median(x) - np.median(rest)  # exactly: group median - rest median
        assert (row.diff_ci_low, row.diff_ci_high) == pytest.approx(_price_bonett(x, rest)[1:], rel=1e-12)
        if row.n >= 30:  # tested: the p-value is Mann-Whitney's on the explicit rest
            assert row.p_value == pytest.approx(stats.mannwhitneyu(x, rest).pvalue, rel=1e-9)


def test_compare_pairs_and_earlier_periods_give_the_difference_of_medians(rng):
    cur = _tickets(rng, {"a": 50, "b": 80}, start="2025-07-01")
    prev = _tickets(rng, {"a": 60, "b": 45}, start="2025-04-01")
    df = pd.concat([cur, prev], ignore_index=True)
    h = _hours(df)
    in_cur = df["created_at"] >= "2025-07-01"
    pairs = cx.compare(df, metric="first_response_time", by="unit", against="pairs", period="2025Q3")
    a, b = h[in_cur & (df["unit"] == "a")], h[in_cur & (df["unit"] == "b")]
    row = pairs.iloc[0]
    assert row["diff"] == np.median(a) - np.median(b) and row["test"] == TEST
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx(_price_bonett(a, b)[1:], rel=1e-12)
    assert row["p_value"] == pytest.approx(stats.mannwhitneyu(a, b).pvalue, rel=1e-9)
    previous = cx.compare(df, metric="first_response_time", by="unit", against="previous", period="2025Q3")
    trend = cx.trend(df, metric="first_response_time", by="unit", freq="Q")
    for unit in ("a", "b"):
        now, before = h[in_cur & (df["unit"] == unit)], h[~in_cur & (df["unit"] == unit)]
        for got in (previous[previous["unit"] == unit].iloc[0], trend[trend["unit"] == unit].iloc[-1]):
            assert got["diff"] == np.median(now) - np.median(before)
            assert (got["diff_ci_low"], got["diff_ci_high"]) == pytest.approx(_price_bonett(now, before)[1:],
                                                                              rel=1e-12)
