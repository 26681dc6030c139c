"""Skewed samples (response times): Mann-Whitney U, Hodges-Lehmann shift, Moses interval, difference of medians.

Exact null distribution of U for small samples, the k-th smallest of all pair
differences without forming them (a group against the rest of a large
company), the difference of two medians with the Price-Bonett interval, and
multiset helpers for "everybody minus this group" (its median and order
statistics without building it). :func:`~cxkit.stats.twosample.compare_times`
gives the Hodges-Lehmann shift; :func:`compare` / :func:`trend` give the
difference of medians for ``first_response_time``, tested with Mann-Whitney U.
"""
from __future__ import annotations

import numpy as np

from .intervals import _z
from .._lazy import lazy_module

special = lazy_module("scipy.special")
stats = lazy_module("scipy.stats")

__all__: list[str] = []


def _wilcoxon_null_cdf(m: int, n: int) -> np.ndarray:
    """Exact null distribution P(U <= u), u = 0..mn, of the Mann-Whitney U (no ties).

    The counts are the coefficients of the Gaussian binomial [m+n choose m]_q,
    built by multiplying with (1 - q^(n+i)) / (1 - q^i), i = 1..m, in exact integers.
    """
    size = m * n + 1
    coef = [0] * size
    coef[0] = 1
    for i in range(1, m + 1):
        shift = n + i
        for u in range(size - 1, shift - 1, -1):  # multiply by (1 - q^(n+i))
            coef[u] -= coef[u - shift]
        for u in range(i, size):  # divide by (1 - q^i)
            coef[u] += coef[u - i]
    total = sum(coef)
    return np.cumsum(np.array(coef, dtype=object)).astype(float) / float(total)


def _moses_rank(m: int, n: int, confidence: float, exact: bool) -> int:
    """1-based rank k of the lower limit; the interval is (D_(k), D_(mn - k + 1)) of the sorted differences.

    Exact: k = smallest u with P(U <= u) >= alpha/2 (as R ``qwilcox``), at least 1.
    Approximate: the same with P(U <= u) = Phi((u + 0.5 - mn/2) / sd), sd^2 = mn(m + n + 1)/12.
    """
    alpha = 1 - confidence
    if exact:
        cdf = _wilcoxon_null_cdf(m, n)
        k = int(np.searchsorted(cdf, alpha / 2 - 1e-12, side="left"))
    else:
        sd = np.sqrt(m * n * (m + n + 1) / 12)
        k = int(np.ceil(m * n / 2 - 0.5 - _z(confidence) * sd))
    return max(k, 1)


def _kth_pair_differences(x, y_all, y_excl, ks, *, list_below: int = 100_000, sample: int = 40_000) -> np.ndarray:
    """k-th smallest (1-based, vector ks) of x_i - y_j over y in y_all minus the multiset y_excl.

    Bisection on the value with exact pair counting by binary search, so the
    m x n differences are never formed (groups against the rest of a large company).
    Bisection starts from bounds read off ``sample`` seeded random pairs (the k-th quantile
    +- 6 standard errors), kept only where exact counts confirm they enclose the k-th
    difference, so the answer never depends on the sample (0: start from the full range).
    Once fewer than ``list_below`` pairs lie between the bounds, those pairs are listed
    and the answer picked from them (a dozen steps instead of forty).
    All inputs sorted ascending.
    """
    ks = np.asarray(ks, dtype=float)
    n_all, n_ex = y_all.size, (0 if y_excl is None else y_excl.size)

    def count(t):  # pairs with x_i - y_j <= t for each t in the vector: (net of y_excl, over all of y_all)
        v = x[None, :] - t[:, None]
        c_all = (n_all - np.searchsorted(y_all, v, side="left")).sum(axis=1)
        c = c_all
        if n_ex:
            c = c - (n_ex - np.searchsorted(y_excl, v, side="left")).sum(axis=1)
        return c, c_all

    def listed(y, lo, hi):  # the differences x_i - y_j in (lo, hi], found with the same searches as count
        a = np.searchsorted(y, x - hi, side="left")
        lens = np.searchsorted(y, x - lo, side="left") - a
        total = int(lens.sum())
        i = np.repeat(np.arange(x.size), lens)
        j = np.repeat(a - (np.cumsum(lens) - lens), lens) + np.arange(total)
        return np.sort(x[i] - y[j])

    lo = np.full(ks.shape, x[0] - y_all[-1] - 1.0)
    hi = np.full(ks.shape, x[-1] - y_all[0] + 1.0)  # strictly outside: every pair is counted <= hi
    c_lo = np.zeros(ks.shape)  # net pairs <= lo
    c_lo_all, c_hi_all = np.zeros(ks.shape), np.full(ks.shape, float(x.size) * n_all)  # pairs of y_all <= lo, hi
    tol = 1e-12 * max(1.0, float(np.max(np.abs(np.concatenate([lo, hi])))))
    n_pairs = float(x.size) * (n_all - n_ex)
    if sample and n_pairs > max(list_below, 4 * sample):
        # pairs drawn from x and y_all (y_excl, a small part of y_all, is not taken out: the bias is far
        # inside the margin, and a bound that misses is simply not used)
        rng = np.random.default_rng(20261123)
        d = np.sort(x[rng.integers(0, x.size, sample)] - y_all[rng.integers(0, n_all, sample)])
        p = np.clip((ks - 0.5) / n_pairs, 0.0, 1.0)
        margin = 6 * np.sqrt(p * (1 - p) / sample) + 2 / sample
        i_lo, i_hi = np.floor((p - margin) * sample).astype(int), np.ceil((p + margin) * sample).astype(int)
        cand = np.where(i_lo >= 0, d[np.clip(i_lo, 0, sample - 1)], lo)
        c, c_all = count(cand)
        ok = c < ks
        lo, c_lo, c_lo_all = np.where(ok, cand, lo), np.where(ok, c, c_lo), np.where(ok, c_all, c_lo_all)
        cand = np.where(i_hi < sample, d[np.clip(i_hi, 0, sample - 1)], hi)
        c, c_all = count(cand)
        ok = c >= ks
        hi, c_hi_all = np.where(ok, cand, hi), np.where(ok, c_all, c_hi_all)
    for _ in range(200):
        active = (hi - lo > tol) & (c_hi_all - c_lo_all > list_below)
        if not active.any():
            break
        mid = (lo + hi) / 2
        c_mid, c_mid_all = count(mid)
        enough = active & (c_mid >= ks)
        up = active & ~enough
        c_hi_all = np.where(enough, c_mid_all, c_hi_all)
        c_lo_all = np.where(up, c_mid_all, c_lo_all)
        c_lo = np.where(up, c_mid, c_lo)
        hi = np.where(enough, mid, hi)
        lo = np.where(up, mid, lo)
    out = hi.copy()
    for q in np.flatnonzero(hi - lo > tol):  # few pairs left between the bounds: list them
        d = listed(y_all, lo[q], hi[q])
        if n_ex:
            d = _multiset_minus(d, listed(y_excl, lo[q], hi[q]))
        out[q] = d[int(ks[q] - c_lo[q]) - 1]
    return out


#: largest sample per side for the Hodges-Lehmann shift (see _hodges_lehmann)
HL_SUBSAMPLE = 20_000


def _hodges_lehmann(x, y, confidence, *, y_excl=None, exact=None):
    """HL shift (median of x_i - y_j) and its distribution-free (Moses) interval.

    x, y sorted; with ``y_excl`` the second sample is y minus y_excl (the rest of
    the company when y holds everybody). ``exact``: use the exact null
    distribution of U for the interval ranks (default as R: both samples < 50
    and no ties).
    """
    m = x.size
    n = y.size - (0 if y_excl is None else y_excl.size)
    mn = m * n
    if mn > HL_SUBSAMPLE ** 2:
        # millions of tickets on each side: the shift and its interval from seeded random subsamples of
        # HL_SUBSAMPLE tickets per side (the interval is then a little wider; the Mann-Whitney test
        # still uses every ticket)
        rng = np.random.default_rng(20261122)
        rest = y if y_excl is None else _multiset_minus(y, y_excl)
        xs = np.sort(rng.choice(x, HL_SUBSAMPLE, replace=False)) if m > HL_SUBSAMPLE else x
        ys = np.sort(rng.choice(rest, HL_SUBSAMPLE, replace=False)) if n > HL_SUBSAMPLE else rest
        return _hodges_lehmann(xs, ys, confidence, exact=False)
    if exact is None:
        exact = m < 50 and n < 50 and y_excl is None and np.unique(np.concatenate([x, y])).size == m + n
    k = _moses_rank(m, n, confidence, exact)
    centre = [(mn + 1) // 2, mn // 2 + 1]
    ks = np.array([k, mn - k + 1] + centre)
    if k > mn:  # too few pairs for this confidence level
        ks[:2] = [1, mn]
    if y_excl is None and mn <= 250_000:
        diffs = np.subtract.outer(x, y).ravel()
        picked = np.partition(diffs, np.unique(ks - 1))[ks - 1]
    else:
        picked = _kth_pair_differences(x, y, y_excl, ks)
    low, high = (picked[0], picked[1]) if k <= mn else (np.nan, np.nan)
    est = picked[2] if mn % 2 else (picked[2] + picked[3]) / 2
    return float(est), float(low), float(high)


def _mwu(x, y):
    """Mann-Whitney U of x against y: (U_x, two-sided p), as ``scipy.stats.mannwhitneyu(method="auto")``."""
    res = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto", use_continuity=True)
    return float(res.statistic), float(res.pvalue)


def _times_comparison(x, y, confidence):
    """Medians, HL shift with Moses CI, MWU and rank-biserial r for two samples."""
    x, y = np.sort(x), np.sort(y)
    u, p = _mwu(x, y)
    est, low, high = _hodges_lehmann(x, y, confidence)
    r = 2 * u / (x.size * y.size) - 1
    return est, low, high, u, p, r


def _multiset_minus(allv, x):
    """Sorted ``allv`` without the values of sorted ``x`` (a sub-multiset of it)."""
    keep = np.ones(allv.size, bool)
    vals, counts = np.unique(x, return_counts=True)
    first = np.searchsorted(allv, vals, side="left")
    # positions first, first + 1, ..., first + count - 1 of each value, without a range per value
    keep[np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(x.size)] = False
    return allv[keep]


def _kth_of_difference(allv, x, ks) -> np.ndarray:
    """k-th smallest (1-based, vector ks) of the multiset allv minus x (both sorted), without building it.

    Bisection over the positions of ``allv`` for all ks at once: the answer is allv[i] for the smallest i
    with #(rest <= allv[i]) >= k.
    """
    ks = np.atleast_1d(np.asarray(ks, dtype=np.int64))
    lo, hi = np.zeros(ks.shape, dtype=np.int64), np.full(ks.shape, allv.size - 1, dtype=np.int64)
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        v = allv[mid]
        enough = np.searchsorted(allv, v, side="right") - np.searchsorted(x, v, side="right") >= ks
        hi, lo = np.where(enough, mid, hi), np.where(enough, lo, mid + 1)
    return allv[lo]


def _median_of_difference(allv, x):
    """Median of the multiset allv minus x (both sorted), without building it."""
    n = allv.size - x.size
    if n % 2:
        return float(_kth_of_difference(allv, x, [(n + 1) // 2])[0])
    lo, hi = _kth_of_difference(allv, x, [n // 2, n // 2 + 1])
    return float((lo + hi) / 2)


def _median_se_ranks(n):
    """Price-Bonett: the rank c of the order statistics behind a median's standard error, and their z.

    c = round(n/2 - sqrt(n)), at least 1; (Y_(c), Y_(n-c+1)) covers the median with probability
    1 - 2 P(B <= c - 1), B ~ Binomial(n, 1/2), and z = Phi^-1(1 - P(B <= c - 1)) is the normal quantile of
    that coverage (as ``ci.median2`` of the R package statpsych by D. G. Bonett). Vectorised over n;
    scipy's special functions, not ``stats.binom``: a hundred times faster per call.
    """
    n = np.asarray(n, dtype=np.int64)
    c = np.maximum(np.round(n / 2 - np.sqrt(n)), 1).astype(np.int64)
    z = -special.ndtri(special.bdtr(c - 1, n, 0.5))
    return c, z


def _medians_se(values):
    """Median and Price-Bonett standard error (Y_(n-c+1) - Y_(c)) / (2 z) of each sorted array in ``values``.

    NaN median for an empty array, NaN standard error below two values.
    """
    n = np.array([v.size for v in values], dtype=np.int64)
    c, z = _median_se_ranks(n)
    med, se = np.full(n.size, np.nan), np.full(n.size, np.nan)
    for i, v in enumerate(values):
        k = v.size
        if k:
            med[i] = (v[(k - 1) // 2] + v[k // 2]) / 2  # as np.median: the mean of the two middle values
        if k >= 2:
            se[i] = (v[k - c[i]] - v[c[i] - 1]) / (2 * z[i])
    return med, se


def _rest_median_se(allv, x):
    """Median of allv minus x (both sorted) and its Price-Bonett standard error, without building the rest."""
    n = allv.size - x.size
    if n < 2:
        return (_median_of_difference(allv, x) if n else np.nan), np.nan
    c, z = _median_se_ranks(n)
    lo, hi, m1, m2 = _kth_of_difference(allv, x, [c, n - c + 1, (n + 1) // 2, n // 2 + 1])
    return float((m1 + m2) / 2), float((hi - lo) / (2 * z))


def _median_difference(med_x, se_x, med_y, se_y, confidence):
    """Difference of medians med_x - med_y with the Price & Bonett (2002) interval, vectorised.

    diff +- z sqrt(SE_x^2 + SE_y^2), the standard errors from :func:`_medians_se` or
    :func:`_rest_median_se`. Returns (diff, low, high); the limits are NaN where a side has fewer than
    two values.
    """
    diff = np.asarray(med_x, dtype=float) - med_y
    half = _z(confidence) * np.hypot(se_x, se_y)
    return diff, diff - half, diff + half
