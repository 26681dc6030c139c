"""Rank tests: Mann-Whitney U, Hodges-Lehmann shift and the Moses interval."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

import cxkit as cx
from cxkit.stats.rank_tests import _hodges_lehmann, _kth_pair_differences, _multiset_minus, _wilcoxon_null_cdf


PERM_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
PERM_Y = [1.15, 0.88, 0.90, 0.74, 1.21]


def test_mann_whitney_matches_r_wilcox_test_example():
    # R ?wilcox.test, Hollander & Wolfe (1973) permeability data: wilcox.test(x, y, alternative = "g")
    # -> W = 35, p-value = 0.1272 (exact); two-sided p = 2 x 0.1272.
    r = cx.compare_times(PERM_X, PERM_Y)
    assert r.statistic == 35
    assert r.p_value == pytest.approx(2 * 0.1272, abs=2e-4)
    assert r.effect_size == pytest.approx(2 * 35 / 50 - 1)  # rank-biserial r


def test_hodges_lehmann_and_exact_moses_interval_by_enumeration():
    # Independent computation: the exact null distribution of U by enumerating all C(15, 10) rank sets,
    # k = smallest u with P(U <= u) >= 0.025 (R qwilcox), interval = k-th smallest and k-th largest
    # of the 50 differences x_i - y_j (R wilcox.test(conf.int = TRUE), exact case).
    m, n = len(PERM_X), len(PERM_Y)
    u = np.array([sum(c) - m * (m + 1) // 2 for c in itertools.combinations(range(1, m + n + 1), m)])
    cdf = np.array([(u <= q).mean() for q in range(m * n + 1)])
    k = int(np.argmax(cdf >= 0.025))
    d = np.sort(np.subtract.outer(PERM_X, PERM_Y).ravel())
    r = cx.compare_times(PERM_X, PERM_Y)
    assert r.diff == pytest.approx(np.median(d)) and r.diff == pytest.approx(0.305)
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((d[k - 1], d[m * n - k]))
    assert (r.value_a, r.value_b) == (np.median(PERM_X), np.median(PERM_Y))


def test_exact_null_distribution_matches_enumeration():
    for m, n in ((3, 4), (5, 5), (6, 2)):
        u = np.array([sum(c) - m * (m + 1) // 2 for c in itertools.combinations(range(1, m + n + 1), m)])
        expected = np.array([(u <= q).mean() for q in range(m * n + 1)])
        assert _wilcoxon_null_cdf(m, n) == pytest.approx(expected)


def test_pair_difference_search_matches_brute_force(rng):
    x = np.sort(rng.lognormal(0, 1, 300))
    y = np.sort(rng.lognormal(0.2, 1, 700))
    d = np.sort(np.subtract.outer(x, y).ravel())
    ks = np.array([1, 17, 105_000, 210_000])
    assert _kth_pair_differences(x, y, None, ks) == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
    # against "all minus the group" without building the rest
    allv = np.sort(np.concatenate([x, y]))
    assert _kth_pair_differences(x, allv, x, ks) == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
    est, lo, hi = _hodges_lehmann(x, allv, 0.95, y_excl=x, exact=False)
    est2, lo2, hi2 = _hodges_lehmann(x, y, 0.95, exact=False)
    assert (est, lo, hi) == pytest.approx((est2, lo2, hi2), rel=1e-9)


@pytest.mark.parametrize("list_below", [0, 50, 5_000, 10**9])
def test_pair_difference_listing_is_exact_with_ties_and_exclusions(rng, list_below):
    """The listing shortcut must pick exactly the k-th difference (brute force), also with heavy ties
    (rounded times) and with the group removed from "everybody"; list_below=0 is plain bisection."""
    for x, y in [(np.sort(rng.lognormal(0, 1, 400)), np.sort(rng.lognormal(0.3, 1, 900))),
                 (np.sort(np.round(rng.exponential(5, 500))), np.sort(np.round(rng.exponential(6, 800))))]:
        d = np.sort(np.subtract.outer(x, y).ravel())
        ks = np.array([1, 2, 999, d.size // 2, d.size // 2 + 1, d.size - 7, d.size])
        got = _kth_pair_differences(x, y, None, ks, list_below=list_below)
        assert got == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
        allv = np.sort(np.concatenate([x, y]))
        got = _kth_pair_differences(x, allv, x, ks, list_below=list_below)
        assert got == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)


def test_multiset_minus_removes_each_copy_once(rng):
    from collections import Counter

    for _ in range(200):
        allv = np.sort(rng.integers(0, rng.integers(1, 40), rng.integers(0, 150)).astype(float))  # many ties
        x = np.sort(rng.choice(allv, rng.integers(0, allv.size + 1), replace=False)) if allv.size else allv
        expected = sorted((Counter(allv.tolist()) - Counter(x.tolist())).elements())
        assert _multiset_minus(allv, x).tolist() == expected


@pytest.mark.parametrize("sample", [0, 200, 40_000])
def test_pair_difference_start_from_sampled_bounds_is_exact(rng, sample):
    """Bounds read off a sample of pairs are only a start: with none (0), a tiny sample whose bounds often
    miss (200) and the default, the k-th differences equal brute force. The last case removes most of
    y_all (y_excl is 90% of it), so the sample, drawn from y_all, is far off and its bounds must be refused."""
    x = np.sort(np.round(rng.exponential(5, 600)))
    y = np.sort(np.round(rng.exponential(6, 900)))
    d = np.sort(np.subtract.outer(x, y).ravel())
    ks = np.array([1, 2, 999, d.size // 40, d.size // 2, d.size // 2 + 1, d.size - d.size // 40, d.size])
    assert _kth_pair_differences(x, y, None, ks, sample=sample) == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
    far = np.sort(rng.exponential(60, 8100))  # y_all = y + far, y_excl = far: the rest is y
    allv = np.sort(np.concatenate([y, far]))
    got = _kth_pair_differences(x, allv, far, ks, sample=sample, list_below=50)
    assert got == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)


# =======================================================================================
# seeded simulations: type-I error and coverage


def test_mann_whitney_type_one_error_and_moses_coverage():
    rng = np.random.default_rng(23)
    reps = 3000
    # same log-normal response times: MWU rejects about 5%
    x, y = rng.lognormal(1, 1, (reps, 40)), rng.lognormal(1, 1, (reps, 60))
    p = stats.mannwhitneyu(x, y, axis=1, method="asymptotic").pvalue
    assert 0.04 <= np.mean(p < 0.05) <= 0.06  # measured 0.048
    # location shift of 0.5 hours: the Moses interval covers it (exact path m, n < 50; normal path above)
    for m, n, reps_ in ((20, 25, 2000), (80, 120, 1000)):
        cover = 0
        for _ in range(reps_):
            a = rng.lognormal(0, 0.8, m) + 0.5
            b = rng.lognormal(0, 0.8, n)
            _, lo, hi = _hodges_lehmann(np.sort(a), np.sort(b), 0.95)
            cover += lo <= 0.5 <= hi
        assert 0.94 <= cover / reps_ <= 0.975, (m, n, cover / reps_)  # measured 0.958 and 0.958
