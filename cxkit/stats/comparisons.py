"""Are differences real? Significance between units, segments, touchpoints and periods.

Two-group comparisons (:func:`nps_test`, :func:`compare_nps`, :func:`compare_shares`,
:func:`compare_means`, :func:`compare_times`) and one-group-vs-target tests
(:func:`nps_vs_target`, :func:`share_vs_target`, :func:`mean_vs_target`,
:func:`median_vs_target`) return a :class:`Comparison`: difference, its
interval, test statistic, p-value, test name and an effect size.

:func:`compare` runs the right test for a metric over every group of a
grouping column (unit, segment, touchpoint ...) against the rest of the
company, all pairs, targets, or earlier periods, and returns a tidy table with
raw and adjusted p-values, minimum-sample rules and a note on every row;
:func:`trend` does the same for period-over-period changes. Counts are computed
vectorised from group codes, so hundreds of groups cost little more than one.

Methods, the test-choice table and the families used for the multiple-comparison
corrections are explained in ``docs/statistics.md`` (part "Comparisons").
"""
from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats import proportion as _sm_proportion

from .._printer import Result, format_number
from ..errors import ConfigError, InsufficientDataError
from ..periods import Window, shift_window, window
from .metrics import (_as_ts, _check_bands, _codes, _mean_interval, _median_ranks, _nps_interval,
                      _scores, _share_interval, _top_box, _z, default_period, nps_counts)

__all__ = ["Comparison", "nps_test", "compare_nps", "compare_shares", "compare_means", "compare_times",
           "nps_vs_target", "share_vs_target", "mean_vs_target", "median_vs_target", "adjust_pvalues",
           "compare", "trend", "COMPARE_METRICS", "CORRECTIONS"]


@dataclass(frozen=True)
class Comparison(Result):
    """Result of comparing group A with group B (``diff`` = A - B).

    Attributes
    ----------
    metric : e.g. ``"nps"``
    value_a, value_b : the metric in each group
    n_a, n_b : sample sizes
    diff, diff_ci_low, diff_ci_high : difference A - B and its interval
    statistic : test statistic (z, t, U ...)
    p_value : two-sided p-value
    test : name of the test
    effect_size, effect_size_name : standardised effect (e.g. Cohen's h / d)
    """

    metric: str
    value_a: float
    value_b: float
    n_a: int
    n_b: int
    diff: float
    diff_ci_low: float
    diff_ci_high: float
    statistic: float
    p_value: float
    test: str
    effect_size: float = np.nan
    effect_size_name: str = ""
    confidence: float = 0.95
    details: dict = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:  # type: ignore[override]
        return (f"{self.metric}: difference {format_number(self.diff)} "
                f"({self.confidence:.0%} CI {format_number(self.diff_ci_low)} to {format_number(self.diff_ci_high)}), "
                f"p = {format_number(self.p_value, 4)} [{self.test}]")

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "metric": self.metric, "value_a": self.value_a, "value_b": self.value_b, "n_a": self.n_a, "n_b": self.n_b,
            "diff": self.diff, "diff_ci_low": self.diff_ci_low, "diff_ci_high": self.diff_ci_high,
            "statistic": self.statistic, "p_value": self.p_value, "test": self.test,
            "effect_size": self.effect_size, "effect_size_name": self.effect_size_name,
        }])

    def __str__(self) -> str:
        return self.title

    __repr__ = __str__


def _nps_test_name(method: str, target: bool = False) -> str:
    vs = " vs target" if target else ""
    return f"NPS t-test{vs} (adjusted-wald)" if method == "adjusted-wald" else f"NPS z-test{vs} ({method})"


def _nps_diff_arrays(a, b, method: str, confidence: float):
    """Vectorised NPS difference test from count arrays a = (d, pa, p), b = (d, pa, p).

    ``wald``: z = diff / sqrt(V_a/n_a + V_b/n_b) against the normal distribution
    (as R ``NPS::nps_test``). ``adjusted-wald``: the same statistic from the
    adjusted counts (n + 3), referred to a t distribution with Welch-Satterthwaite
    degrees of freedom, which keeps the far tails (and so family-wise error rates
    over many units) at their nominal level for groups of 50-200 answers.
    """
    (da, paa, pa_), (db, pab, pb) = (np.asarray(x, dtype=float) for x in a), (np.asarray(x, dtype=float) for x in b)
    na, nb = da + paa + pa_, db + pab + pb
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = (pa_ - da) / na - (pb - db) / nb
        if method == "adjusted-wald":
            ka, kb = na + 3.0, nb + 3.0
            p1, d1 = (pa_ + 0.75) / ka, (da + 0.75) / ka
            p2, d2 = (pb + 0.75) / kb, (db + 0.75) / kb
        elif method == "wald":
            ka, kb = na, nb
            p1, d1, p2, d2 = pa_ / na, da / na, pb / nb, db / nb
        else:
            raise ConfigError(f"method={method!r} - expected 'adjusted-wald' or 'wald'")
        v1 = p1 + d1 - (p1 - d1) ** 2
        v2 = p2 + d2 - (p2 - d2) ** 2
        centre = (p1 - d1) - (p2 - d2)
        se = np.sqrt(v1 / ka + v2 / kb)
        z = centre / se
        if method == "adjusted-wald":
            df = se ** 4 / ((v1 / ka) ** 2 / (ka - 1) + (v2 / kb) ** 2 / (kb - 1))
            p_value = 2 * stats.t.sf(np.abs(z), df)
            h = stats.t.ppf(0.5 + confidence / 2, df) * se
        else:
            p_value = 2 * stats.norm.sf(np.abs(z))
            h = _z(confidence) * se
        effect = centre / np.sqrt((v1 + v2) / 2)
    return raw, centre - h, centre + h, z, p_value, effect


def nps_test(counts_a, counts_b, *, method: str = "adjusted-wald", confidence: float = 0.95) -> Comparison:
    """Two-sample test for a difference in NPS, from counts.

    Parameters
    ----------
    counts_a, counts_b : (detractors, passives, promoters) of each group
    method : ``"adjusted-wald"`` (default; each side gets 0.75/1.5/0.75 pseudo-counts,
        Rocks 2016) or ``"wald"`` (as R ``NPS::nps_test``)

    Returns
    -------
    Comparison
        ``diff`` = NPS(A) - NPS(B) in points (raw); the interval and the statistic
        use the (adjusted) variances: z = diff / sqrt(V_A / n_A + V_B / n_B),
        V = p + d - (p - d)^2. Effect size: difference / pooled SD of the
        +1/0/-1 scores.

    Notes
    -----
    ``wald`` refers z to the normal distribution, exactly as R ``NPS::nps_test``.
    ``adjusted-wald`` computes z from the adjusted counts (n + 3 answers each)
    and refers it to a t distribution with Welch-Satterthwaite degrees of
    freedom, df = (V_A/k_A + V_B/k_B)^2 / ((V_A/k_A)^2/(k_A - 1) + (V_B/k_B)^2/(k_B - 1)),
    k = n + 3: with an estimated variance the statistic has slightly heavier
    tails than the normal, which matters at the small p-values a correction
    over many units demands (see docs/statistics.md, section 7). For large
    groups the two references agree.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The
    American Statistician 70(4), 365-372. Welch, B. L. (1947). Biometrika 34, 28-35.

    Examples
    --------
    >>> r = nps_test((20, 30, 50), (40, 30, 30))
    >>> round(r.diff, 1), r.p_value < 0.01
    (40.0, True)
    """
    a, b = (np.asarray(c, dtype=float) for c in (counts_a, counts_b))
    if a.shape != (3,) or b.shape != (3,):
        raise ConfigError("counts must be (detractors, passives, promoters) for each group")
    if a.sum() == 0 or b.sum() == 0:
        raise InsufficientDataError("both groups need at least one answer")
    raw, low, high, z, p, eff = _nps_diff_arrays(a, b, method, confidence)
    return Comparison("nps", float((a[2] - a[0]) / a.sum() * 100), float((b[2] - b[0]) / b.sum() * 100),
                      int(a.sum()), int(b.sum()), float(raw) * 100, float(low) * 100, float(high) * 100, float(z),
                      float(p), _nps_test_name(method), float(eff), "standardised NPS difference", confidence)


# --------------------------------------------------------------------------------------
# helpers


def _values(x, name: str) -> np.ndarray:
    """Numbers from a list/array/Series, missing values dropped; a plain error otherwise."""
    arr = _scores(x, name)
    if arr.size == 0:
        raise InsufficientDataError(f"{name}: no values (after dropping missing ones)")
    return arr


def _check_confidence(confidence: float) -> float:
    _z(confidence)
    return float(confidence)


def _welch_arrays(mean_a, var_a, n_a, mean_b, var_b, n_b, confidence):
    """Vectorised Welch t-test from summary statistics (var = sample variance, ddof 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        va, vb = var_a / n_a, var_b / n_b
        se = np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1))
        diff = mean_a - mean_b
        t = diff / se
        p = 2 * stats.t.sf(np.abs(t), df)
        half = stats.t.ppf(0.5 + confidence / 2, df) * se
        sp = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2))
        hedges = diff / sp * (1 - 3 / (4 * (n_a + n_b) - 9))
    return diff, diff - half, diff + half, t, p, hedges, df


def _newcombe_arrays(k_a, n_a, k_b, n_b, confidence):
    """Newcombe (1998) method 10: Wilson limits of each side combined (vectorised, fractions)."""
    pa, la, ua = _share_interval(k_a, n_a, "wilson", confidence)
    pb, lb, ub = _share_interval(k_b, n_b, "wilson", confidence)
    with np.errstate(invalid="ignore"):
        d = pa - pb
        low = d - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
        high = d + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    return d, low, high


def _cohen_h(pa, pb):
    with np.errstate(invalid="ignore"):
        return 2 * np.arcsin(np.sqrt(np.clip(pa, 0, 1))) - 2 * np.arcsin(np.sqrt(np.clip(pb, 0, 1)))


def _small_expected(k_a, n_a, k_b, n_b, limit: float = 5.0):
    """True where any expected cell of the 2x2 table is below ``limit``."""
    k_a, n_a, k_b, n_b = (np.asarray(x, dtype=float) for x in (k_a, n_a, k_b, n_b))
    n = n_a + n_b
    k = k_a + k_b
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.stack([n_a * k / n, n_a * (n - k) / n, n_b * k / n, n_b * (n - k) / n])
    return np.any(cells < limit, axis=0)


def _share_tests(k_a, n_a, k_b, n_b, method: str, confidence: float):
    """Vectorised share comparison; returns diff, low, high, statistic, p, effect, test names (fractions).

    ``method``: ``"auto"`` (score test, Fisher exact where an expected count < 5),
    ``"score"``, ``"agresti-caffo"`` or ``"fisher"``.
    """
    if method not in ("auto", "score", "agresti-caffo", "fisher"):
        raise ConfigError(f"method={method!r} - expected 'auto', 'score', 'agresti-caffo' or 'fisher'")
    k_a, n_a, k_b, n_b = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (k_a, n_a, k_b, n_b))
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "agresti-caffo":
            low, high = _sm_proportion.confint_proportions_2indep(k_a, n_a, k_b, n_b, method="agresti-caffo",
                                                                  compare="diff", alpha=alpha)
            d = k_a / n_a - k_b / n_b
            low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
            res = _sm_proportion.test_proportions_2indep(k_a, n_a, k_b, n_b, method="agresti-caffo",
                                                         compare="diff", alternative="two-sided",
                                                         return_results=True)
            names = np.full(k_a.shape, "Agresti-Caffo test", dtype=object)
        else:
            d, low, high = _newcombe_arrays(k_a, n_a, k_b, n_b, confidence)
            res = _sm_proportion.test_proportions_2indep(k_a, n_a, k_b, n_b, method="score", compare="diff",
                                                         correction=True, alternative="two-sided",
                                                         return_results=True)
            names = np.full(k_a.shape, "score test (Newcombe CI)", dtype=object)
        stat = np.asarray(res.statistic, dtype=float) * np.ones_like(k_a)
        p = np.asarray(res.pvalue, dtype=float) * np.ones_like(k_a)
    # a score statistic of 0/0 (both shares 0% or both 100%) is no evidence of a difference
    same_edge = (n_a > 0) & (n_b > 0) & (((k_a == 0) & (k_b == 0)) | ((k_a == n_a) & (k_b == n_b)))
    stat = np.where(same_edge, 0.0, stat)
    p = np.where(same_edge, 1.0, p)
    if method in ("auto", "fisher"):
        use = (n_a > 0) & (n_b > 0)
        if method == "auto":
            use &= _small_expected(k_a, n_a, k_b, n_b)
        for i in np.flatnonzero(use):
            table = [[k_a[i], n_a[i] - k_a[i]], [k_b[i], n_b[i] - k_b[i]]]
            res_f = stats.fisher_exact(np.asarray(table, dtype=np.int64), alternative="two-sided")
            stat[i], p[i] = res_f.statistic, res_f.pvalue
            names[i] = "Fisher exact test (Newcombe CI)"
    with np.errstate(divide="ignore", invalid="ignore"):
        effect = _cohen_h(k_a / n_a, k_b / n_b)
    return d, low, high, stat, np.minimum(p, 1.0), effect, names


# --------------------------------------------------------------------------------------
# Mann-Whitney U, Hodges-Lehmann shift and the Moses interval


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


# --------------------------------------------------------------------------------------
# public two-group functions


def compare_nps(a, b, *, method: str = "adjusted-wald", confidence: float = 0.95, n_boot: int = 2000,
                seed: int = 0, bands: dict | None = None) -> Comparison:
    """Compare the NPS of two groups of 0-10 answers (A - B, in points).

    Parameters
    ----------
    a, b : 0-10 answers of each group (missing values ignored)
    method : ``"adjusted-wald"`` (default): z-test with each side's variance from
        the adjusted counts (see :func:`nps_test`); ``"wald"``: the same on raw
        counts (as R ``NPS::nps_test``); ``"bootstrap"``: percentile bootstrap of
        the difference (each group resampled with replacement, ``n_boot`` times,
        seeded by ``seed``).
    confidence : confidence level of the interval
    bands : NPS bands, as in :func:`cxkit.nps`

    Returns
    -------
    Comparison
        ``diff`` = NPS(A) - NPS(B) in points with its interval, ``statistic`` (z;
        for the bootstrap diff / bootstrap SE), two-sided ``p_value``, effect size
        = difference / pooled SD of the +1/0/-1 scores.

    Notes
    -----
    Bootstrap p-value: 2 x min(share of replicates <= 0, share >= 0), each
    computed as (count + 1) / (B + 1) - the smallest level at which the
    percentile interval excludes 0.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The
    American Statistician 70(4), 365-372.

    Examples
    --------
    >>> r = compare_nps([10, 9, 9, 8, 3] * 20, [10, 7, 6, 5, 3] * 20)
    >>> round(r.diff, 1), r.p_value < 0.001, r.test
    (80.0, True, 'NPS t-test (adjusted-wald)')
    """
    ca, cb = nps_counts(a, bands=bands), nps_counts(b, bands=bands)
    if method != "bootstrap":
        return nps_test(ca, cb, method=method, confidence=confidence)
    _check_confidence(confidence)
    ca, cb = np.asarray(ca, dtype=float), np.asarray(cb, dtype=float)
    if ca.sum() == 0 or cb.sum() == 0:
        raise InsufficientDataError("both groups need at least one answer")
    if n_boot < 100:
        raise ConfigError(f"n_boot={n_boot} - use at least 100 (1,000 or more for a stable interval)")
    rng = np.random.default_rng(seed)
    na, nb = int(ca.sum()), int(cb.sum())
    ra = rng.multinomial(na, ca / na, size=n_boot)
    rb = rng.multinomial(nb, cb / nb, size=n_boot)
    reps = 100 * ((ra[:, 2] - ra[:, 0]) / na - (rb[:, 2] - rb[:, 0]) / nb)
    nps_a, nps_b = 100 * (ca[2] - ca[0]) / na, 100 * (cb[2] - cb[0]) / nb
    diff = nps_a - nps_b
    q = (1 - confidence) / 2
    low, high = np.quantile(reps, [q, 1 - q])
    p = min(1.0, 2 * min((np.sum(reps <= 0) + 1) / (n_boot + 1), (np.sum(reps >= 0) + 1) / (n_boot + 1)))
    sd = reps.std(ddof=1)
    va = (ca[2] + ca[0]) / na - ((ca[2] - ca[0]) / na) ** 2
    vb = (cb[2] + cb[0]) / nb - ((cb[2] - cb[0]) / nb) ** 2
    effect = (diff / 100) / np.sqrt((va + vb) / 2) if va + vb > 0 else np.nan
    return Comparison("nps", nps_a, nps_b, na, nb, float(diff), float(low), float(high),
                      float(diff / sd) if sd > 0 else np.nan, float(p), f"NPS bootstrap (percentile, B = {n_boot})",
                      float(effect), "standardised NPS difference", confidence, {"seed": seed})


def compare_shares(k_a: int, n_a: int, k_b: int, n_b: int, *, method: str = "auto", confidence: float = 0.95,
                   metric: str = "share") -> Comparison:
    """Compare two shares (CSAT, CES top-box, churn ...): difference in percentage points.

    Parameters
    ----------
    k_a, n_a, k_b, n_b : "yes" counts and totals of groups A and B
    method : ``"auto"`` (default): score test with the Newcombe interval, and
        Fisher's exact test instead when any expected count of the 2 x 2 table is
        below 5; ``"score"``; ``"agresti-caffo"`` (Agresti-Caffo test and
        interval: add one success and one failure to each group); ``"fisher"``
        (always Fisher's exact test, Newcombe interval).
    metric : name shown in the result

    Returns
    -------
    Comparison
        ``diff`` = share(A) - share(B) in percentage points, its interval, the
        test statistic (score z, Agresti-Caffo z, or Fisher's odds ratio),
        two-sided p-value and Cohen's h.

    Notes
    -----
    Newcombe's hybrid score interval (his method 10): with Wilson limits
    (l1, u1) and (l2, u2), L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2),
    U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2). The score test is the
    Miettinen-Nurminen test with its n / (n - 1) variance correction,
    computed by ``statsmodels.stats.proportion.test_proportions_2indep``
    (``method="score"``); the interval by ``confint_proportions_2indep``'s
    formula. Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions: comparison of eleven methods. Statistics in
    Medicine 17, 873-890. Agresti, A., Caffo, B. (2000). Simple and effective
    confidence intervals for proportions and differences of proportions result
    from adding two successes and two failures. The American Statistician 54,
    280-288. Miettinen, O., Nurminen, M. (1985). Comparative analysis of two
    rates. Statistics in Medicine 4, 213-226.

    Examples
    --------
    >>> r = compare_shares(56, 70, 48, 80)  # Newcombe (1998), Table II, example (a)
    >>> round(r.diff, 1), round(r.diff_ci_low, 2), round(r.diff_ci_high, 2)
    (20.0, 5.24, 33.39)
    """
    _check_confidence(confidence)
    counts = np.array([k_a, n_a, k_b, n_b], dtype=float)
    if np.any(counts < 0) or np.any(counts != np.round(counts)) or k_a > n_a or k_b > n_b:
        raise ConfigError(f"counts must be whole numbers with 0 <= k <= n; got {k_a}/{n_a} and {k_b}/{n_b}")
    if n_a == 0 or n_b == 0:
        raise InsufficientDataError("both groups need at least one answer")
    d, low, high, stat, p, eff, names = _share_tests(k_a, n_a, k_b, n_b, method, confidence)
    return Comparison(metric, 100 * k_a / n_a, 100 * k_b / n_b, int(n_a), int(n_b), float(d[0]) * 100,
                      float(low[0]) * 100, float(high[0]) * 100, float(stat[0]), float(p[0]), str(names[0]),
                      float(eff[0]), "Cohen's h", confidence)


def compare_means(a, b, *, confidence: float = 0.95, metric: str = "mean") -> Comparison:
    """Compare two means (CES 1-7, attribute ratings, costs) with Welch's t-test.

    Returns
    -------
    Comparison
        ``diff`` = mean(A) - mean(B) with the Welch interval, t, two-sided p-value
        and Hedges' g (difference / pooled SD x (1 - 3 / (4 (n_A + n_B) - 9))).

    Notes
    -----
    t = (m_A - m_B) / sqrt(s_A^2/n_A + s_B^2/n_B), Welch-Satterthwaite degrees of
    freedom; unequal variances allowed (the default in R ``t.test``).
    Computed with ``scipy.stats.ttest_ind(equal_var=False)``.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. Biometrika 34, 28-35.
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect
    size. Journal of Educational Statistics 6, 107-128.

    Examples
    --------
    >>> r = compare_means([6, 7, 5, 6, 7, 6], [4, 5, 3, 5, 4, 6])
    >>> round(r.diff, 2), round(r.p_value, 4)
    (1.67, 0.0114)
    """
    _check_confidence(confidence)
    x, y = _values(a, metric), _values(b, metric)
    if x.size < 2 or y.size < 2:
        raise InsufficientDataError(f"{metric}: Welch's test needs at least 2 values per group; "
                                    f"got {x.size} and {y.size}")
    res = stats.ttest_ind(x, y, equal_var=False)
    ci = res.confidence_interval(confidence_level=confidence)
    *_, hedges, df = _welch_arrays(x.mean(), x.var(ddof=1), x.size, y.mean(), y.var(ddof=1), y.size, confidence)
    return Comparison(metric, float(x.mean()), float(y.mean()), int(x.size), int(y.size), float(x.mean() - y.mean()),
                      float(ci.low), float(ci.high), float(res.statistic), float(res.pvalue), "Welch t-test",
                      float(hedges), "Hedges' g", confidence, {"df": float(df)})


def compare_times(a, b, *, confidence: float = 0.95, metric: str = "first_response_time") -> Comparison:
    """Compare two skewed samples (response times in hours): Mann-Whitney U with a shift estimate.

    Returns
    -------
    Comparison
        ``value_a``, ``value_b`` the medians; ``diff`` the Hodges-Lehmann shift
        (median of all differences a_i - b_j) with its distribution-free
        (Moses) interval; ``statistic`` U of A; two-sided ``p_value``; effect size
        the rank-biserial correlation r = 2 U / (n_A n_B) - 1 (+1: every A is
        larger, i.e. slower).

    Notes
    -----
    The p-value is ``scipy.stats.mannwhitneyu(method="auto")`` (exact for small
    samples without ties, otherwise normal with tie and continuity
    corrections). The interval takes the k-th smallest and k-th largest of the
    m n differences, k from the null distribution of U: exact (as R
    ``wilcox.test(conf.int = TRUE)``) when both samples are below 50 and there
    are no ties, otherwise k = ceil(mn/2 - 1/2 - z sqrt(mn (m + n + 1) / 12)).
    The HL shift estimates the typical difference between a ticket of A and one
    of B, not the difference of the medians.

    References
    ----------
    Hollander, M., Wolfe, D. A., Chicken, E. (2014). Nonparametric Statistical
    Methods, 3rd ed., Wiley, section 4.3 (Hodges-Lehmann estimator and the
    Moses interval). Mann, H. B., Whitney, D. R. (1947). Annals of Mathematical
    Statistics 18, 50-60.

    Examples
    --------
    >>> x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    >>> y = [1.15, 0.88, 0.90, 0.74, 1.21]
    >>> r = compare_times(x, y)  # R: wilcox.test(x, y) gives W = 35
    >>> r.statistic, round(r.p_value, 4), round(r.diff, 3)
    (35.0, 0.2544, 0.305)
    """
    _check_confidence(confidence)
    x, y = _values(a, metric), _values(b, metric)
    est, low, high, u, p, r = _times_comparison(x, y, confidence)
    return Comparison(metric, float(np.median(x)), float(np.median(y)), int(x.size), int(y.size), est, low, high,
                      u, p, "Mann-Whitney U (Hodges-Lehmann shift)", r, "rank-biserial r", confidence)


# --------------------------------------------------------------------------------------
# one group against a target


def _nps_target_arrays(d, pa, p, target, method, confidence):
    """Vectorised NPS vs a fixed target (fractions): diff, low, high, z, p, effect."""
    d, pa, p = (np.asarray(x, dtype=float) for x in (d, pa, p))
    n = d + pa + p
    value, low, high = _nps_interval(d, pa, p, method if method in ("wald", "adjusted-wald", "score") else
                                     "adjusted-wald", confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wald":
            k, pp, dd = n, p / n, d / n
        else:
            k = n + 3.0
            pp, dd = (p + 0.75) / k, (d + 0.75) / k
        v = pp + dd - (pp - dd) ** 2
        z = (pp - dd - target) / np.sqrt(v / k)
        pval = 2 * (stats.norm.sf(np.abs(z)) if method == "wald" else stats.t.sf(np.abs(z), k - 1))
        effect = (value - target) / np.sqrt(v)
    return value - target, low - target, high - target, z, pval, effect


def _share_target_arrays(k, n, target, confidence, exact: bool = True):
    """Share vs target: score (Wilson) test, exact binomial test when n p0 or n (1 - p0) < 5."""
    k, n = np.atleast_1d(np.asarray(k, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
    target = np.broadcast_to(np.asarray(target, dtype=float), k.shape)
    value, low, high = _share_interval(k, n, "wilson", confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (value - target) / np.sqrt(target * (1 - target) / n)
        p = 2 * stats.norm.sf(np.abs(z))
    names = np.full(k.shape, "score test vs target (Wilson CI)", dtype=object)
    exact = (n > 0) & ((n * target < 5) | (n * (1 - target) < 5)) & exact
    for i in np.flatnonzero(exact):
        p[i] = stats.binomtest(int(k[i]), int(n[i]), float(target[i]), alternative="two-sided").pvalue
        names[i] = "exact binomial test vs target (Wilson CI)"
    effect = _cohen_h(value, target)
    return value - target, low - target, high - target, z, p, effect, names


def _sign_test_arrays(above, below):
    """Two-sided exact sign test p-value, vectorised: 2 P(Bin(n, 1/2) <= min)."""
    above, below = np.asarray(above, dtype=float), np.asarray(below, dtype=float)
    n = above + below
    with np.errstate(invalid="ignore"):
        p = np.minimum(1.0, 2 * stats.binom.cdf(np.minimum(above, below), n, 0.5))
    return np.where(n > 0, p, np.nan)


def _target(target, name: str) -> float:
    try:
        return float(target)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected a number, got {target!r}") from None


def nps_vs_target(counts, target: float, *, method: str = "adjusted-wald", confidence: float = 0.95) -> Comparison:
    """Test an NPS against a target (in points) with the adjusted-Wald z-test.

    Parameters
    ----------
    counts : (detractors, passives, promoters)
    target : the target NPS in points, e.g. 35

    Returns
    -------
    Comparison
        ``diff`` = NPS - target with the NPS interval shifted by the target,
        z = (NPS_adj - target) / SE_adj, two-sided p-value, effect size =
        difference / SD of the +1/0/-1 scores. ``value_b`` is the target and
        ``n_b`` is 0.

    Examples
    --------
    >>> r = nps_vs_target((20, 30, 50), 10)
    >>> round(r.diff, 1), r.p_value < 0.05
    (20.0, True)
    """
    _check_confidence(confidence)
    c = np.asarray(counts, dtype=float)
    if c.shape != (3,) or np.any(c < 0):
        raise ConfigError("counts must be (detractors, passives, promoters)")
    if c.sum() == 0:
        raise InsufficientDataError("NPS needs at least one answer")
    if method not in ("adjusted-wald", "wald"):
        raise ConfigError(f"method={method!r} - expected 'adjusted-wald' or 'wald'")
    t = _target(target, "target")
    diff, low, high, z, p, eff = _nps_target_arrays(c[0], c[1], c[2], t / 100, method, confidence)
    return Comparison("nps", float(100 * (c[2] - c[0]) / c.sum()), t, int(c.sum()), 0, float(diff) * 100,
                      float(low) * 100, float(high) * 100, float(z), float(p), _nps_test_name(method, target=True),
                      float(eff), "standardised NPS difference", confidence)


def share_vs_target(successes: int, n: int, target: float, *, confidence: float = 0.95,
                    metric: str = "share") -> Comparison:
    """Test a share against a target (both in percent): score test, exact binomial for tiny counts.

    The score test z = (p - p0) / sqrt(p0 (1 - p0) / n) is the test that the
    Wilson interval inverts, so the verdict agrees with the interval shown.
    When n p0 or n (1 - p0) is below 5 the exact binomial test is used.

    Examples
    --------
    >>> r = share_vs_target(70, 100, 80)
    >>> round(r.diff, 1), round(r.p_value, 4)
    (-10.0, 0.0124)
    """
    _check_confidence(confidence)
    if n <= 0:
        raise InsufficientDataError(f"{metric} needs at least one answer")
    if not 0 <= successes <= n:
        raise ConfigError(f"successes={successes} must be between 0 and n={n}")
    t = _target(target, "target")
    if not 0 <= t <= 100:
        raise ConfigError(f"target={t} - a share target is a percentage between 0 and 100")
    d, low, high, z, p, eff, names = _share_target_arrays(successes, n, t / 100, confidence)
    return Comparison(metric, 100 * successes / n, t, int(n), 0, float(d[0]) * 100, float(low[0]) * 100,
                      float(high[0]) * 100, float(z[0]), float(p[0]), str(names[0]), float(eff[0]), "Cohen's h",
                      confidence)


def mean_vs_target(values, target: float, *, confidence: float = 0.95, metric: str = "mean") -> Comparison:
    """One-sample t-test of a mean against a target.

    Examples
    --------
    >>> r = mean_vs_target([5, 6, 7, 6, 5, 6], 5)
    >>> round(r.diff, 2), round(r.p_value, 4)
    (0.83, 0.0422)
    """
    _check_confidence(confidence)
    x = _values(values, metric)
    if x.size < 2:
        raise InsufficientDataError(f"{metric}: a t-test needs at least 2 values; got {x.size}")
    t0 = _target(target, "target")
    res = stats.ttest_1samp(x, t0)
    ci = res.confidence_interval(confidence_level=confidence)
    sd = x.std(ddof=1)
    return Comparison(metric, float(x.mean()), t0, int(x.size), 0, float(x.mean() - t0), float(ci.low - t0),
                      float(ci.high - t0), float(res.statistic), float(res.pvalue), "one-sample t-test",
                      float((x.mean() - t0) / sd) if sd > 0 else np.nan, "Cohen's d", confidence)


def median_vs_target(values, target: float, *, confidence: float = 0.95,
                     metric: str = "first_response_time") -> Comparison:
    """Sign test of a median (e.g. first-response hours) against a target.

    ``diff`` = median - target with the order-statistic interval of the median
    shifted by the target; ``statistic`` = number of values above the target;
    exact two-sided binomial p-value (values equal to the target are dropped);
    effect size = (above - below) / (above + below).

    Examples
    --------
    >>> r = median_vs_target([1, 2, 3, 5, 6, 7, 8, 9, 10, 12], 4)
    >>> r.statistic, round(r.p_value, 4)
    (7.0, 0.3438)
    """
    _check_confidence(confidence)
    x = np.sort(_values(values, metric))
    t0 = _target(target, "target")
    above, below = int((x > t0).sum()), int((x < t0).sum())
    p = float(_sign_test_arrays(above, below))
    l, u, ok = _median_ranks(x.size, confidence)
    low, high = (float(x[l - 1]), float(x[u - 1])) if ok else (np.nan, np.nan)
    med = float(np.median(x))
    eff = (above - below) / (above + below) if above + below else np.nan
    return Comparison(metric, med, t0, int(x.size), 0, med - t0, low - t0, high - t0, float(above), p,
                      "sign test vs target", eff, "(above - below) / n", confidence)


# --------------------------------------------------------------------------------------
# multiple comparisons

#: correction name -> the ``statsmodels.stats.multitest.multipletests`` method it equals
CORRECTIONS = {"fdr_bh": "fdr_bh", "bh": "fdr_bh", "holm": "holm", "bonferroni": "bonferroni", "none": None}


def adjust_pvalues(p_values, *, method: str = "fdr_bh") -> np.ndarray:
    """Adjust a family of p-values for multiple comparisons; missing p-values stay missing.

    Parameters
    ----------
    p_values : the raw p-values of one family (NaN = not tested, not counted); a
        2-D array is adjusted row by row (one family per row)
    method : ``"fdr_bh"`` (default, Benjamini-Hochberg false-discovery rate),
        ``"holm"`` (family-wise error rate), ``"bonferroni"`` or ``"none"``

    Notes
    -----
    With the m p-values of a family sorted, p(1) <= ... <= p(m):
    Benjamini-Hochberg p_adj(i) = min over j >= i of m p(j) / j;
    Holm p_adj(i) = max over j <= i of (m - j + 1) p(j); both capped at 1.
    The results equal ``statsmodels.stats.multitest.multipletests`` with
    ``method="fdr_bh"`` / ``"holm"`` (checked in the tests); they are computed
    here, vectorised, because that function runs a full garbage collection on
    every call, which is slow inside reports and simulations.

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
    JRSS B 57, 289-300. Holm, S. (1979). A simple sequentially rejective multiple
    test procedure. Scandinavian Journal of Statistics 6, 65-70.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    if method not in CORRECTIONS:
        raise ConfigError(f"correction={method!r} - expected one of {', '.join(CORRECTIONS)}")
    p = np.array(p_values, dtype=float, ndmin=1)
    ok = ~np.isnan(p)
    if np.any((p[ok] < 0) | (p[ok] > 1)):
        raise ConfigError("p-values must lie between 0 and 1")
    if CORRECTIONS[method] is None or not ok.any():
        return p
    flat = p.reshape(-1, p.shape[-1])
    filled = np.where(np.isnan(flat), np.inf, flat)
    order = np.argsort(filled, axis=1, kind="stable")
    srt = np.take_along_axis(filled, order, axis=1)
    m = np.isfinite(flat).sum(axis=1, keepdims=True).astype(float)
    rank = np.arange(1, flat.shape[1] + 1, dtype=float)[None, :]
    with np.errstate(invalid="ignore"):
        if method in ("fdr_bh", "bh"):
            adj = np.minimum.accumulate((srt * m / rank)[:, ::-1], axis=1)[:, ::-1]
        elif method == "holm":
            adj = np.maximum.accumulate(srt * (m - rank + 1), axis=1)
        else:  # bonferroni
            adj = srt * m
    out = np.empty_like(flat)
    np.put_along_axis(out, order, np.minimum(adj, 1.0), axis=1)
    out[np.isnan(flat)] = np.nan
    return out.reshape(p.shape)


# --------------------------------------------------------------------------------------
# metric kinds: per-group statistics from codes, estimates and differences (vectorised)

#: What :func:`compare` and :func:`trend` do for each metric: the table it comes
#: from, the statistic shown, the two-group test, the interval of the
#: difference, the effect size, and whether a higher value is better.
COMPARE_METRICS = {
    "nps": dict(table="responses", column="nps", kind="nps", measured_in="points", higher_is_better=True,
                value="NPS, adjusted-Wald interval", test="NPS t-test (adjusted-wald)",
                target_test="NPS t-test vs target (adjusted-wald)", diff_ci="adjusted Wald",
                effect_size="standardised NPS difference"),
    "csat": dict(table="responses", column="csat", kind="share", measured_in="%", higher_is_better=True,
                 value="% satisfied, Wilson interval",
                 test="score test (Newcombe CI); Fisher exact test for tiny counts",
                 target_test="score test vs target (Wilson CI); exact binomial for tiny counts",
                 diff_ci="Newcombe hybrid score", effect_size="Cohen's h"),
    "ces": dict(table="responses", column="ces", kind="share", measured_in="%", higher_is_better=True,
                value="% easy, Wilson interval", test="score test (Newcombe CI); Fisher exact test for tiny counts",
                target_test="score test vs target (Wilson CI); exact binomial for tiny counts",
                diff_ci="Newcombe hybrid score", effect_size="Cohen's h"),
    "ces_mean": dict(table="responses", column="ces", kind="mean", measured_in="points", higher_is_better=True,
                     value="mean, t interval", test="Welch t-test", target_test="one-sample t-test",
                     diff_ci="Welch", effect_size="Hedges' g"),
    "first_response_time": dict(table="tickets", column="first_response_at", kind="median", measured_in="hours",
                                higher_is_better=False, value="median, order-statistic interval",
                                test="Mann-Whitney U (Hodges-Lehmann shift)", target_test="sign test vs target",
                                diff_ci="Moses (distribution-free)", effect_size="rank-biserial r"),
    "churn_rate": dict(table="customers", column="churned_at", kind="share", measured_in="%", higher_is_better=False,
                       value="% churned in the period, Wilson interval",
                       test="score test (Newcombe CI); Fisher exact test for tiny counts",
                       target_test="score test vs target (Wilson CI); exact binomial for tiny counts",
                       diff_ci="Newcombe hybrid score", effect_size="Cohen's h"),
    "cac": dict(table="customers", column="acquisition_cost", kind="mean", measured_in="currency",
                higher_is_better=False, value="mean, t interval", test="Welch t-test",
                target_test="one-sample t-test", diff_ci="Welch", effect_size="Hedges' g"),
    "cost_to_serve": dict(table="customers", column="cost_to_serve", kind="mean", measured_in="currency",
                          higher_is_better=False, value="mean, t interval", test="Welch t-test",
                          target_test="one-sample t-test", diff_ci="Welch", effect_size="Hedges' g"),
}
COMPARE_METRICS["first_response_time_median"] = COMPARE_METRICS["first_response_time"]

AGAINST = ("rest", "pairs", "target", "previous", "year_ago")


class _Opts(NamedTuple):
    confidence: float
    method: str | None
    cluster: bool = False


def _blank(shape, test: str = "") -> dict:
    nan = np.full(shape, np.nan)
    return dict(diff=nan, low=nan.copy(), high=nan.copy(), statistic=nan.copy(), p=nan.copy(), effect=nan.copy(),
                test=np.full(shape, test, dtype=object))


class _Additive:
    """Statistics that add up over groups (counts, sums), so rest = total - group."""

    def take(self, s, idx):
        return {k: v[idx] for k, v in s.items()}

    def total(self, s):
        return {k: np.atleast_1d(v.sum()) for k, v in s.items()}

    def rest(self, s):
        tot = self.total(s)
        return {k: tot[k] - v for k, v in s.items()}

    def vs_rest(self, s, opts):
        r = self.rest(s)
        return self.estimate(r, opts)[0], self.n(r), self.diff(s, r, opts)


def _rows(valid: np.ndarray) -> np.ndarray:
    """Positions of the rows that count: gathering several columns by them is 2-5x faster than selecting
    each with the boolean mask (a period is a fraction of 10M answers)."""
    return np.flatnonzero(valid)


class _NpsKind(_Additive):
    name = "nps"

    def cells(self, payload, valid, codes, g):
        rows = _rows(valid)
        c = np.bincount(codes[rows] * 3 + payload[rows], minlength=g * 3).reshape(g, 3).astype(float)
        return {"d": c[:, 0], "pa": c[:, 1], "p": c[:, 2]}

    def n(self, s):
        return s["d"] + s["pa"] + s["p"]

    def estimate(self, s, opts):
        m = opts.method or "adjusted-wald"
        with np.errstate(divide="ignore", invalid="ignore"):
            v, lo, hi = _nps_interval(s["d"], s["pa"], s["p"], m, opts.confidence)
        return v * 100, lo * 100, hi * 100

    def _test(self, opts):
        return "wald" if opts.method == "wald" else "adjusted-wald"

    def diff(self, a, b, opts):
        m = self._test(opts)
        raw, lo, hi, z, p, eff = _nps_diff_arrays((a["d"], a["pa"], a["p"]), (b["d"], b["pa"], b["p"]), m,
                                                  opts.confidence)
        return dict(diff=raw * 100, low=lo * 100, high=hi * 100, statistic=z, p=p, effect=eff,
                    test=np.full(raw.shape, _nps_test_name(m), dtype=object))

    def vs_target(self, a, target, opts):
        m = self._test(opts)
        d, lo, hi, z, p, eff = _nps_target_arrays(a["d"], a["pa"], a["p"], target / 100, m, opts.confidence)
        return dict(diff=d * 100, low=lo * 100, high=hi * 100, statistic=z, p=p, effect=eff,
                    test=np.full(d.shape, _nps_test_name(m, target=True), dtype=object))


class _ShareKind(_Additive):
    name = "share"

    def cells(self, payload, valid, codes, g):
        rows = _rows(valid)
        c = codes[rows]
        n = np.bincount(c, minlength=g).astype(float)
        k = np.bincount(c[payload[rows]], minlength=g).astype(float)
        return {"k": k, "n": n}

    def n(self, s):
        return s["n"]

    def estimate(self, s, opts):
        with np.errstate(divide="ignore", invalid="ignore"):
            v, lo, hi = _share_interval(s["k"], s["n"], opts.method or "wilson", opts.confidence)
        return v * 100, lo * 100, hi * 100

    def diff(self, a, b, opts):
        d, lo, hi, stat, p, eff, names = _share_tests(a["k"], a["n"], b["k"], b["n"],
                                                      "score" if opts.cluster else "auto", opts.confidence)
        return dict(diff=d * 100, low=lo * 100, high=hi * 100, statistic=stat, p=p, effect=eff, test=names)

    def vs_target(self, a, target, opts):
        ok = (target >= 0) & (target <= 100)
        t = np.where(ok, target, np.nan) / 100
        d, lo, hi, z, p, eff, names = _share_target_arrays(a["k"], a["n"], np.nan_to_num(t, nan=0.5), opts.confidence,
                                                           exact=not opts.cluster)
        out = dict(diff=d * 100, low=lo * 100, high=hi * 100, statistic=z, p=p, effect=eff, test=names)
        for key in ("diff", "low", "high", "statistic", "p", "effect"):
            out[key] = np.where(ok, out[key], np.nan)
        return out


class _MeanKind(_Additive):
    """n, mean and sum of squared deviations (m2); groups combine with Chan's formula."""

    name = "mean"

    def cells(self, payload, valid, codes, g):
        rows = _rows(valid)
        c, x = codes[rows], payload[rows]
        n = np.bincount(c, minlength=g).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.bincount(c, weights=x, minlength=g) / n
            dev = x - mean[c]
            m2 = np.bincount(c, weights=dev * dev, minlength=g)
        return {"n": n, "mean": np.where(n > 0, mean, np.nan), "m2": m2}

    def total(self, s):
        n = s["n"].sum()
        if n == 0:
            return {"n": np.array([0.0]), "mean": np.array([np.nan]), "m2": np.array([0.0])}
        w = s["n"] > 0
        mean = (s["n"][w] * s["mean"][w]).sum() / n
        m2 = s["m2"][w].sum() + (s["n"][w] * (s["mean"][w] - mean) ** 2).sum()
        return {"n": np.array([n]), "mean": np.array([mean]), "m2": np.array([m2])}

    def rest(self, s):
        tot = self.total(s)
        big_n, big_mean, big_m2 = tot["n"][0], tot["mean"][0], tot["m2"][0]
        n_r = big_n - s["n"]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_r = (big_n * big_mean - s["n"] * np.nan_to_num(s["mean"])) / n_r
            m2_r = big_m2 - s["m2"] - s["n"] * n_r / big_n * (np.nan_to_num(s["mean"]) - mean_r) ** 2
        return {"n": n_r, "mean": np.where(n_r > 0, mean_r, np.nan), "m2": np.maximum(np.where(n_r > 0, m2_r, 0), 0)}

    def n(self, s):
        return s["n"]

    def _var(self, s):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s["n"] > 1, s["m2"] / (s["n"] - 1), np.nan)

    def estimate(self, s, opts):
        lo, hi = _mean_interval(s["mean"], np.sqrt(self._var(s)), s["n"], opts.confidence)
        return s["mean"], lo, hi

    def diff(self, a, b, opts):
        d, lo, hi, t, p, g, df = _welch_arrays(a["mean"], self._var(a), a["n"], b["mean"], self._var(b), b["n"],
                                               opts.confidence)
        return dict(diff=d, low=lo, high=hi, statistic=t, p=p, effect=g, df=df,
                    test=np.full(d.shape, "Welch t-test", dtype=object))

    def vs_target(self, a, target, opts):
        var = self._var(a)
        lo, hi = _mean_interval(a["mean"], np.sqrt(var), a["n"], opts.confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = a["mean"] - target
            t = d / np.sqrt(var / a["n"])
            p = 2 * stats.t.sf(np.abs(t), a["n"] - 1)
            eff = d / np.sqrt(var)
        return dict(diff=d, low=lo - target, high=hi - target, statistic=t, p=p, effect=eff, df=a["n"] - 1,
                    test=np.full(d.shape, "one-sample t-test", dtype=object))


class _MedianKind:
    """Raw values per group (sorted), for medians, Mann-Whitney U and Hodges-Lehmann shifts."""

    name = "median"

    def cells(self, payload, valid, codes, g):
        rows = _rows(valid)
        c, x = codes[rows], payload[rows]
        # rows by group (a radix sort of small codes), then each group's values sorted in place: ten times
        # faster than sorting by (group, value) at once
        x = x[np.argsort(c.astype(np.int16) if g < 2**15 else c, kind="stable")]
        n = np.bincount(c, minlength=g)
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])
        values = [x[s:s + k] for s, k in zip(starts, n)]
        for v in values:
            v.sort()
        return {"n": n.astype(float), "values": values}

    def take(self, s, idx):
        idx = np.atleast_1d(idx)
        return {"n": s["n"][idx], "values": [s["values"][i] for i in idx]}

    def total(self, s):
        allv = np.sort(np.concatenate(s["values"])) if s["values"] else np.array([])
        return {"n": np.array([float(allv.size)]), "values": [allv]}

    def n(self, s):
        return s["n"]

    def estimate(self, s, opts):
        g = len(s["values"])
        med, lo, hi = np.full(g, np.nan), np.full(g, np.nan), np.full(g, np.nan)
        n = s["n"].astype(int)
        l, u, ok = _median_ranks(np.maximum(n, 1), opts.confidence)
        for i, x in enumerate(s["values"]):
            if x.size:
                med[i] = np.median(x)
                if ok[i]:
                    lo[i], hi[i] = x[l[i] - 1], x[u[i] - 1]
        return med, lo, hi

    def diff(self, a, b, opts):
        out = _blank(len(a["values"]), "Mann-Whitney U (Hodges-Lehmann shift)")
        for i, (x, y) in enumerate(zip(a["values"], b["values"])):
            if x.size and y.size:
                est, lo, hi, u, p, r = _times_comparison(x, y, opts.confidence)
                out["diff"][i], out["low"][i], out["high"][i] = est, lo, hi
                out["statistic"][i], out["p"][i], out["effect"][i] = u, p, r
        return out

    def vs_rest(self, s, opts):
        """Each group against all other groups' values: one pooled ranking for all groups."""
        g = len(s["values"])
        out = _blank(g, "Mann-Whitney U (Hodges-Lehmann shift)")
        allv = np.sort(np.concatenate(s["values"])) if g else np.array([])
        big_n = allv.size
        ref_n = big_n - s["n"]
        ref = np.full(g, np.nan)
        if big_n == 0:
            return ref, ref_n, out
        codes = np.repeat(np.arange(g), s["n"].astype(int))
        pooled = np.concatenate(s["values"])
        ranks = stats.rankdata(pooled, method="average")
        rank_sum = np.bincount(codes, weights=ranks, minlength=g)
        _, tie_counts = np.unique(allv, return_counts=True)
        ties = bool(np.any(tie_counts > 1))
        tie_term = float(np.sum(tie_counts.astype(float) ** 3 - tie_counts))
        m = s["n"]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = rank_sum - m * (m + 1) / 2
            mn = m * ref_n
            sd = np.sqrt(mn / 12 * ((big_n + 1) - tie_term / (big_n * (big_n - 1))))
            z = (np.maximum(u, mn - u) - mn / 2 - 0.5) / sd
            p = np.minimum(1.0, 2 * stats.norm.sf(z))
        for i in range(g):
            x = s["values"][i]
            if x.size == 0 or ref_n[i] == 0:
                continue
            # the rest's median as an order statistic of (all minus group): binary search over ranks of all
            ref[i] = _median_of_difference(allv, x)
            exact_p = (x.size <= 8 or ref_n[i] <= 8) and not ties
            if exact_p:
                rest = _multiset_minus(allv, x)
                u_i, p_i = _mwu(x, rest)
                u[i], p[i] = u_i, p_i
            if x.size < 50 and ref_n[i] < 50 and not ties:  # small: exact interval on the explicit rest
                est, lo, hi = _hodges_lehmann(x, _multiset_minus(allv, x), opts.confidence)
            else:  # large: count pairs against (all - group) without building the rest
                est, lo, hi = _hodges_lehmann(x, allv, opts.confidence, y_excl=x, exact=False)
            out["diff"][i], out["low"][i], out["high"][i] = est, lo, hi
        with np.errstate(divide="ignore", invalid="ignore"):
            out["statistic"], out["p"], out["effect"] = u, p, 2 * u / (m * ref_n) - 1
        return ref, ref_n, out

    def vs_target(self, a, target, opts):
        g = len(a["values"])
        out = _blank(g, "sign test vs target")
        med, lo, hi = self.estimate(a, opts)
        above = np.array([np.sum(x > t) for x, t in zip(a["values"], target)], dtype=float)
        below = np.array([np.sum(x < t) for x, t in zip(a["values"], target)], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.update(diff=med - target, low=lo - target, high=hi - target, statistic=above,
                       p=_sign_test_arrays(above, below), effect=(above - below) / (above + below))
        for key in ("diff", "low", "high", "statistic", "p", "effect"):
            out[key] = np.where(np.isnan(target), np.nan, out[key])
        return out


def _multiset_minus(allv, x):
    """Sorted ``allv`` without the values of sorted ``x`` (a sub-multiset of it)."""
    keep = np.ones(allv.size, bool)
    vals, counts = np.unique(x, return_counts=True)
    first = np.searchsorted(allv, vals, side="left")
    # positions first, first + 1, ..., first + count - 1 of each value, without a range per value
    keep[np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(x.size)] = False
    return allv[keep]


def _median_of_difference(allv, x):
    """Median of the multiset allv minus x (both sorted), without building it."""
    n = allv.size - x.size

    def kth(k):  # smallest index i with #(rest <= allv[i]) >= k
        lo, hi = 0, allv.size - 1
        while lo < hi:
            mid = (lo + hi) // 2
            c = np.searchsorted(allv, allv[mid], side="right") - np.searchsorted(x, allv[mid], side="right")
            if c >= k:
                hi = mid
            else:
                lo = mid + 1
        return allv[lo]

    return float(kth((n + 1) // 2)) if n % 2 else float((kth(n // 2) + kth(n // 2 + 1)) / 2)


_KINDS = {"nps": _NpsKind(), "share": _ShareKind(), "mean": _MeanKind(), "median": _MedianKind()}


# --------------------------------------------------------------------------------------
# answers that are not independent: cluster-robust design effects

class _ClusterData(NamedTuple):
    """Valid observations of one comparison set: value, column (group, or group x period), cluster code."""

    x: np.ndarray
    col: np.ndarray
    cl: np.ndarray
    ncols: int


def _cluster_codes(data: pd.DataFrame, cluster: str) -> np.ndarray:
    if cluster not in data.columns:
        raise ConfigError(f"cluster={cluster!r}: no such column; available: {', '.join(map(str, data.columns))}")
    col = data[cluster]
    if isinstance(col.dtype, pd.CategoricalDtype):  # already coded (e.g. by the report batch): no hashing
        codes = col.cat.codes.to_numpy()
    else:
        codes, _ = pd.factorize(col)
    missing = codes < 0  # a missing id is its own cluster
    codes = codes.astype(np.int64)
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return codes


def _observation_values(kind_name: str, payload, rows) -> np.ndarray:
    """Per-answer value whose mean is the metric: +1/0/-1 for NPS, 0/1 for shares, the value for means."""
    if kind_name == "nps":
        return (payload[rows] - 1).astype(float)
    return payload[rows].astype(float)


def _answers_per_cluster(cd: _ClusterData) -> np.ndarray:
    return np.bincount(cd.cl, minlength=int(cd.cl.max()) + 1 if cd.cl.size else 0)


def _cells(cd: _ClusterData, *values: np.ndarray, per_cluster: np.ndarray | None = None):
    """The (cluster, column) cells holding answers: their cluster, column, answers and the sums of each of
    ``values`` over their answers. The cells of clusters with more than one answer come last, ordered by
    cluster and column (``first`` is the first of them); the answers of clusters that answered once (most
    of them) are cells as they are, without a sort. ``per_cluster``: :func:`_answers_per_cluster`, when
    the caller has it already."""
    per_cluster = _answers_per_cluster(cd) if per_cluster is None else per_cluster
    once = per_cluster[cd.cl] == 1
    single, multi = np.flatnonzero(once), np.flatnonzero(~once)
    key, inv = np.unique(cd.cl[multi] * np.int64(cd.ncols) + cd.col[multi], return_inverse=True)
    cl = np.concatenate([cd.cl[single], key // cd.ncols])
    col = np.concatenate([cd.col[single], key % cd.ncols])
    n = np.concatenate([np.ones(len(single)), np.bincount(inv, minlength=len(key))])
    sums = [np.concatenate([v[single], np.bincount(inv, weights=v[multi], minlength=len(key))]) for v in values]
    return cl, col, n, sums, len(single)


def _cluster_sums(cd: _ClusterData, j, k):
    """Per column n, mean and sum of squared residuals; for the column pairs (j, k) the cross products of
    the clusters' residual sums (the (j, j), (k, k) and (j, k) entries of A'A, A the cluster x column
    residual sums) and the number of clusters with answers in j, in k and in both."""
    j, k = np.asarray(j, dtype=np.int64), np.asarray(k, dtype=np.int64)
    g = cd.ncols
    n = np.bincount(cd.col, minlength=g).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(cd.col, weights=cd.x, minlength=g) / n
    resid = cd.x - np.nan_to_num(mean)[cd.col]
    ss = np.bincount(cd.col, weights=resid * resid, minlength=g)
    cl, col, _, (a,), first = _cells(cd, resid)
    m_diag = np.bincount(col, weights=a * a, minlength=g)
    k_diag = np.bincount(col, minlength=g).astype(float)
    same = j == k
    if same.all():  # diagonal entries only (one column against a fixed target): no cross products needed
        return n, mean, ss, (m_diag[j], m_diag[k], m_diag[j]), (k_diag[j], k_diag[k], k_diag[j])
    # cross products: the pairs of cells of one cluster (cells d apart in the cluster-ordered tail)
    keys, prods = [], []
    i = np.arange(first, len(cl) - 1)
    d = 1
    while i.size:
        i = i[cl[i] == cl[i + d]]  # still inside one cluster at distance d (clusters are contiguous)
        keys.append(col[i] * np.int64(g) + col[i + d])  # column of i < column of i + d
        prods.append(a[i] * a[i + d])
        i = i[i + d + 1 < len(cl)]
        d += 1
    pair = np.minimum(j, k) * np.int64(g) + np.maximum(j, k)
    wanted = np.unique(pair)
    keys, prods = np.concatenate(keys or [np.zeros(0, np.int64)]), np.concatenate(prods or [np.zeros(0)])
    pos = np.minimum(np.searchsorted(wanted, keys), max(len(wanted) - 1, 0))
    hit = (wanted[pos] == keys) if len(wanted) else np.zeros(len(keys), dtype=bool)
    at = np.searchsorted(wanted, pair)
    m_cross = np.bincount(pos[hit], weights=prods[hit], minlength=len(wanted))[at]
    k_cross = np.bincount(pos[hit], minlength=len(wanted)).astype(float)[at]
    m_cross = np.where(same, m_diag[j], m_cross)
    k_cross = np.where(same, k_diag[j], k_cross)
    return n, mean, ss, (m_diag[j], m_diag[k], m_cross), (k_diag[j], k_diag[k], k_cross)


def _deff_pairs(cd: _ClusterData, j, k) -> np.ndarray:
    """Design effect of mean(column j) - mean(column k): CR1 cluster-robust variance / independent variance."""
    j, k = np.asarray(j, dtype=np.int64), np.asarray(k, dtype=np.int64)
    if j.size == 0:
        return np.zeros(0)
    n, _, ss, (m_jj, m_kk, m_jk), (c_jj, c_kk, c_jk) = _cluster_sums(cd, j, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        robust = m_jj / n[j] ** 2 + m_kk / n[k] ** 2 - 2 * m_jk / (n[j] * n[k])
        clusters = c_jj + c_kk - c_jk
        robust = robust * clusters / (clusters - 1)
        naive = ss[j] / n[j] ** 2 + ss[k] / n[k] ** 2
        return robust / naive


def _deff_single(cd: _ClusterData) -> np.ndarray:
    """Design effect of each column's mean (one group against a fixed target)."""
    cols = np.arange(cd.ncols)
    n, _, ss, (m, _, _), (c, _, _) = _cluster_sums(cd, cols, cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m * c / (c - 1) / ss


def _deff_rest(cd: _ClusterData) -> np.ndarray:
    """Design effect of mean(column j) - mean(all other columns), for every j at once.

    With S_c, N_c the sum and count of cluster c, r_j the mean of the rest and
    e_c = S_c - N_c r_j, the rest's residual sum in cluster c is e_c minus the
    part of the cluster inside j; clusters without answers in j contribute
    e_c^2 / n_rest^2, summed in closed form, and the few (cluster, j) cells with
    answers are corrected one by one.
    """
    g = cd.ncols
    n = np.bincount(cd.col, minlength=g).astype(float)
    sx = np.bincount(cd.col, weights=cd.x, minlength=g)
    sxx = np.bincount(cd.col, weights=cd.x * cd.x, minlength=g)
    big_n, big_s, big_ss = n.sum(), sx.sum(), sxx.sum()
    per_cluster = _answers_per_cluster(cd)
    nc = per_cluster.astype(float)
    sc = np.bincount(cd.cl, weights=cd.x, minlength=len(per_cluster))
    used = nc > 0
    clusters_total = float(used.sum())
    q_ss, q_sn, q_nn = float((sc * sc).sum()), float((sc * nc).sum()), float((nc * nc).sum())
    c_p, j_p, n_p, (s_p,), _ = _cells(cd, cd.x, per_cluster=per_cluster)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = sx / n
        n_r = big_n - n
        r = (big_s - sx) / n_r
        glob = (q_ss - 2 * r * q_sn + r * r * q_nn) / n_r ** 2
        e = sc[c_p] - nc[c_p] * r[j_p]
        a = s_p - n_p * m[j_p]
        b = e - (s_p - n_p * r[j_p])
        s = a / n[j_p] - b / n_r[j_p]
        corr = np.bincount(j_p, weights=s * s - e * e / n_r[j_p] ** 2, minlength=g)
        robust = (glob + corr) * clusters_total / (clusters_total - 1)
        ss_j = sxx - n * m * m
        ss_r = (big_ss - sxx) - n_r * r * r
        naive = ss_j / n ** 2 + ss_r / n_r ** 2
        return robust / naive


def _cluster_data(kind_name, parts, cl, ncols) -> _ClusterData:
    """Stack (valid, payload, codes, column offset) parts of one comparison set."""
    xs, cols, cls = [], [], []
    for valid, payload, codes, offset in parts:
        rows = _rows(valid)
        xs.append(_observation_values(kind_name, payload, rows))
        cols.append(codes[rows] + offset)
        cls.append(cl[rows])
    return _ClusterData(np.concatenate(xs), np.concatenate(cols).astype(np.int64), np.concatenate(cls), ncols)


def _apply_deff(dd: dict, deff, kind_name: str, cluster: str) -> dict:
    """Widen intervals by sqrt(design effect) (never narrower than for independent answers) and redo the tests."""
    f = np.sqrt(np.maximum(np.asarray(deff, dtype=float), 1.0))
    out = dict(dd)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = dd["diff"] if kind_name == "share" else (dd["low"] + dd["high"]) / 2
        out["low"] = centre - (centre - dd["low"]) * f
        out["high"] = centre + (dd["high"] - centre) * f
        stat = dd["statistic"] / f
        out["statistic"] = stat
        if "df" in dd:
            out["p"] = 2 * stats.t.sf(np.abs(stat), dd["df"])
        else:
            out["p"] = 2 * stats.norm.sf(np.abs(stat))
    out["p"] = np.where(np.isfinite(f), out["p"], np.nan)
    out["test"] = np.array([f"{t}, cluster-robust by {cluster}" for t in dd["test"]], dtype=object)
    return out


# --------------------------------------------------------------------------------------
# data preparation and periods


def _numeric_column(data: pd.DataFrame, col: str) -> np.ndarray:
    """A column as floats (missing = NaN); text that is not a number is an error, not silently dropped."""
    try:
        return data[col].to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        bad = data[col][pd.to_numeric(data[col], errors="coerce").isna() & data[col].notna()]
        raise ConfigError(f"column {col!r}: expected numbers, found {bad.iloc[0]!r} (and {len(bad) - 1} more); "
                          "load the data with cxkit.load() to validate them") from None


class _Prepared:
    """The observations of one metric: payload per row, which rows count, and their dates."""

    def __init__(self, data: pd.DataFrame, metric: str, *, date, scale, box, bands):
        spec = COMPARE_METRICS[metric]
        self.metric, self.spec, self.kind = metric, spec, _KINDS[spec["kind"]]
        self.churn = None
        cols = set(data.columns)

        def need(*names):
            missing = [c for c in names if c not in cols]
            if missing:
                raise ConfigError(f"metric={metric!r} needs the {spec['table']} table with column(s) "
                                  f"{', '.join(map(repr, missing))}; the data have: "
                                  f"{', '.join(map(str, data.columns))}")

        default_date = {"responses": "date", "tickets": "created_at", "customers": "acquired_at"}[spec["table"]]
        if metric in ("nps", "csat", "ces", "ces_mean"):
            col = spec["column"]
            need(col)
            arr = _numeric_column(data, col)
            self.ok = ~np.isnan(arr)
            vals = arr[self.ok]
            if metric == "nps":
                b = _check_bands(bands)
                if vals.size and (vals.min() < 0 or vals.max() > 10 or np.any(vals != np.round(vals))):
                    raise ConfigError("nps: expected whole numbers 0-10; load the data with cxkit.load() "
                                      "to validate them")
                cls = np.full(arr.shape, 1, dtype=np.int8)  # 0 detractor, 1 passive, 2 promoter
                cls[(arr >= b["detractors"][0]) & (arr <= b["detractors"][1])] = 0
                cls[(arr >= b["promoters"][0]) & (arr <= b["promoters"][1])] = 2
                self.payload = cls
            elif metric in ("csat", "ces"):
                sc, bx = _top_box(tuple(scale or (1, 5)), box, metric)
                if vals.size and (vals.min() < sc[0] or vals.max() > sc[1]):
                    raise ConfigError(f"{metric}: values outside the scale {sc[0]}-{sc[1]} (min {vals.min():g}, "
                                      f"max {vals.max():g}); set scale=")
                self.payload = (arr >= bx[0]) & (arr <= bx[1])
                self.box = f"{bx[0]}-{bx[1]} of {sc[0]}-{sc[1]}"
            else:
                if scale is not None and vals.size and (vals.min() < scale[0] or vals.max() > scale[1]):
                    raise ConfigError(f"ces: values outside the scale {scale[0]}-{scale[1]}; set scale=")
                self.payload = arr
        elif metric in ("first_response_time", "first_response_time_median"):
            need("created_at", "first_response_at")
            hours = ((data["first_response_at"] - data["created_at"]).dt.total_seconds() / 3600).to_numpy(dtype=float)
            self.ok, self.payload = ~np.isnan(hours), hours
        elif metric == "churn_rate":
            if "acquired_at" in cols and "churned_at" in cols:
                self.churn = (data["acquired_at"].to_numpy(dtype="datetime64[ns]"),
                              data["churned_at"].to_numpy(dtype="datetime64[ns]"))
                self.default_churn = default_period(data)
                self.ok = np.ones(len(data), bool)
                self.payload = np.zeros(len(data), bool)
            elif "churned" in cols:
                flag = data["churned"]
                self.ok = flag.notna().to_numpy()
                self.payload = flag.fillna(False).astype(bool).to_numpy()
            else:
                need("acquired_at", "churned_at")
        else:  # cac, cost_to_serve
            col = spec["column"]
            need(col)
            arr = _numeric_column(data, col)
            self.ok, self.payload = ~np.isnan(arr), arr
            if metric == "cost_to_serve":
                default_date = None
        date = default_date if date is None else date
        self.dates = None
        if date is not None and self.churn is None and date in cols:
            d = data[date]
            if not pd.api.types.is_datetime64_any_dtype(d.dtype):
                d = pd.to_datetime(d, errors="coerce")
            self.dates = d.to_numpy(dtype="datetime64[ns]")
        self.date = date

    def days(self) -> np.ndarray:
        """Day number of each row's date (:func:`_day_numbers`), made once per date column while
        :func:`reuse_prepared` is active (the metrics of a table share it: 40 MB at 10M rows)."""
        if self.dates is None:
            return _day_numbers(np.full(len(self.ok), np.datetime64("NaT"), "datetime64[ns]"))
        when = self.dates
        # the same column's memory; the entry holds the array, so that memory cannot go to another one
        key = ("days", when.__array_interface__["data"][0], when.strides, when.dtype.str, len(when))
        hit = None if _REUSE is None else _REUSE.get(key)
        if hit is None:
            hit = (when, _day_numbers(when))
            if _REUSE is not None:
                _REUSE[key] = hit
        return hit[1]

    def date_range(self):
        if self.churn is not None:
            churned = self.churn[1][~np.isnat(self.churn[1])]
            if churned.size == 0:
                raise InsufficientDataError("churn_rate: no churn dates in the data, so no periods to compare")
            return pd.Timestamp(churned.min()), pd.Timestamp(churned.max())
        if self.dates is None:
            raise ConfigError(f"metric={self.metric!r}: periods need a date column; "
                              f"{'set date=' if self.date else 'this metric has no date'}")
        d = self.dates[self.ok & ~np.isnat(self.dates)]
        if d.size == 0:
            raise InsufficientDataError(f"{self.metric}: no dated observations")
        return pd.Timestamp(d.min()), pd.Timestamp(d.max())

    def observations(self, window: Window | None):
        """(rows that count, payload) for a window (None = all data; churn: its default 12 months)."""
        if self.churn is not None:
            acquired, churned = self.churn
            if window is None:
                start, end = self.default_churn
                start, end = np.datetime64(start), np.datetime64(end + pd.Timedelta(1, "ns"))
            else:
                start, end = np.datetime64(window.start), np.datetime64(window.end)
            alive = np.isnat(churned) | (churned > start)
            active = (acquired <= start) & alive
            left = active & ~np.isnat(churned) & (churned < end)
            return active, left
        if window is None:
            return self.ok, self.payload
        if self.dates is None:
            why = f"column {self.date!r} is missing" if self.date else "this metric has none"
            raise ConfigError(f"metric={self.metric!r}: a period needs a date column ({why})")
        inside = (self.dates >= np.datetime64(window.start)) & (self.dates < np.datetime64(window.end))
        return self.ok & inside, self.payload


_REUSE: dict | None = None  # prepared observations kept while reuse_prepared() is active


@contextlib.contextmanager
def reuse_prepared():
    """Within this block, :func:`compare` and :func:`trend` classify a table's answers once per metric
    and settings instead of once per call (the report batch makes about ten calls per metric on the
    same 10M responses). The tables must not change inside the block."""
    global _REUSE
    outer = _REUSE
    _REUSE = {} if outer is None else outer
    try:
        yield
    finally:
        _REUSE = outer


def _prepared(data: pd.DataFrame, metric: str, *, date, scale, box, bands) -> _Prepared:
    if _REUSE is None:
        return _Prepared(data, metric, date=date, scale=scale, box=box, bands=bands)
    key = (id(data), metric, date, None if scale is None else tuple(scale), None if box is None else tuple(box),
           repr(bands))
    hit = _REUSE.get(key)
    if hit is None or hit[0] is not data:  # the frame is held, so its id cannot be reused by another one
        hit = _REUSE[key] = (data, _Prepared(data, metric, date=date, scale=scale, box=box, bands=bands))
    return hit[1]


def _group_codes(data: pd.DataFrame, by):
    """Integer codes per row and a labels frame; ``by=None`` gives one group "All"."""
    if by is None:
        return np.zeros(len(data), np.int64), pd.DataFrame({"group": ["All"]}), ["group"]
    names = [by] if isinstance(by, str) else list(by)
    for c in names:
        if c not in data.columns:
            raise ConfigError(f"by={c!r}: no such column; available: {', '.join(map(str, data.columns))}")
    codes, labels = _codes([data[c] for c in names])
    labels.columns = names
    return codes, labels, names


def _labels_text(labels: pd.DataFrame, idx) -> np.ndarray:
    sub = labels.iloc[np.atleast_1d(idx)]
    return np.array([" / ".join(str(v) for v in row) for row in sub.itertuples(index=False, name=None)], dtype=object)


# --------------------------------------------------------------------------------------
# the tidy comparison table

_COLUMNS = ["vs", "metric", "value", "ci_low", "ci_high", "n", "reference", "reference_n", "diff", "diff_ci_low",
            "diff_ci_high", "statistic", "p_value", "p_adjusted", "significant", "direction", "test", "effect_size",
            "suppressed", "note"]


def _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence):
    if metric not in COMPARE_METRICS:
        raise ConfigError(f"metric={metric!r} - compare() supports {', '.join(COMPARE_METRICS)}")
    if correction not in CORRECTIONS:
        raise ConfigError(f"correction={correction!r} - expected 'fdr_bh' (Benjamini-Hochberg) or 'holm'")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha={alpha!r} - expected a number between 0 and 1, e.g. 0.05")
    if int(min_n_show) != min_n_show or min_n_show < 1:
        raise ConfigError(f"min_n_show={min_n_show!r} - expected a whole number >= 1")
    if int(min_n_test) != min_n_test or min_n_test < 2:
        raise ConfigError(f"min_n_test={min_n_test!r} - expected a whole number >= 2")
    _check_confidence(confidence)


def _finish(frame: pd.DataFrame, *, ref_label, has_reference: bool, min_n_show: int, min_n_test: int,
            correction: str, alpha: float) -> pd.DataFrame:
    """Apply the confidentiality and minimum-sample rules, correct the family, set direction and notes."""
    n = frame["n"].to_numpy(dtype=float)
    ref_n = frame["reference_n"].to_numpy(dtype=float)
    ref_label = np.broadcast_to(np.asarray(ref_label, dtype=object), n.shape)
    notes = [[] for _ in range(len(frame))]
    has_reference = bool(has_reference)
    hidden = n < min_n_show
    ref_hidden = has_reference & (ref_n < min_n_show) & ~hidden
    no_target = (not has_reference) & frame["reference"].isna().to_numpy() & ~hidden
    small = ~hidden & ~ref_hidden & ~no_target & ((n < min_n_test) | (has_reference & (ref_n < min_n_test)))
    p = frame["p_value"].to_numpy(dtype=float).copy()
    untestable = ~hidden & ~ref_hidden & ~no_target & ~small & np.isnan(p)
    for i in range(len(frame)):
        if hidden[i]:
            notes[i].append(f"n = {int(n[i])} < {min_n_show}: not shown")
        elif ref_hidden[i]:
            notes[i].append(f"{ref_label[i]}: n = {int(ref_n[i])} < {min_n_show}: not shown")
        elif no_target[i]:
            notes[i].append("no target")
        elif small[i]:
            if n[i] < min_n_test:
                notes[i].append(f"n = {int(n[i])} < {min_n_test}: not tested")
            if has_reference and ref_n[i] < min_n_test:
                notes[i].append(f"{ref_label[i]}: n = {int(ref_n[i])} < {min_n_test}: not tested")
        elif untestable[i]:
            notes[i].append("no variation in the data: not tested")
    comparison = ["diff", "diff_ci_low", "diff_ci_high", "statistic", "p_value", "effect_size"]
    frame.loc[hidden, ["value", "ci_low", "ci_high", "reference"] + comparison] = np.nan
    frame.loc[ref_hidden, ["reference"] + comparison] = np.nan
    frame.loc[no_target, comparison] = np.nan
    frame.loc[small | untestable, ["statistic", "p_value"]] = np.nan
    p = frame["p_value"].to_numpy(dtype=float)
    frame["p_adjusted"] = adjust_pvalues(p, method=correction)
    sig = frame["p_adjusted"].to_numpy(dtype=float) < alpha
    frame["significant"] = sig
    diff = frame["diff"].to_numpy(dtype=float)
    direction = np.where(sig & (diff > 0), "higher", np.where(sig & (diff < 0), "lower", "no difference"))
    direction = np.where(np.isnan(p), "not tested", direction)
    direction = np.where(hidden, "not shown", direction).astype(object)
    frame["direction"] = direction
    frame["suppressed"] = hidden
    frame["note"] = ["; ".join(x) for x in notes]
    return frame


def _frame(labels_rows: pd.DataFrame, vs, metric, est, n, ref_value, ref_n, dd) -> pd.DataFrame:
    value, low, high = est
    labels_rows = labels_rows.reset_index(drop=True)
    cols = dict(vs=np.asarray(vs, dtype=object) if np.ndim(vs) else vs, metric=metric, value=value, ci_low=low,
                ci_high=high, n=np.asarray(n).astype(int), reference=ref_value,
                reference_n=np.asarray(ref_n).astype(int), diff=dd["diff"], diff_ci_low=dd["low"],
                diff_ci_high=dd["high"], statistic=dd["statistic"], p_value=dd["p"], p_adjusted=np.nan,
                significant=False, direction="", test=dd["test"], effect_size=dd["effect"], suppressed=False, note="")
    # built at once: a column added at a time costs a copy of the frame's index each
    return pd.concat([labels_rows, pd.DataFrame(cols, index=labels_rows.index)], axis=1)


def _targets_for(targets, metric: str, by_names, labels: pd.DataFrame) -> np.ndarray:
    """Target per group from a units table (``target_<metric>``), a mapping, or one number."""
    if targets is None:
        raise ConfigError("against='target' needs targets=: the units table (columns target_nps, target_csat, ...), "
                          "a {group: target} mapping, or one number")
    if isinstance(targets, (int, float, np.number)):
        return np.full(len(labels), float(targets))
    if isinstance(targets, pd.DataFrame):
        if len(by_names) != 1:
            raise ConfigError("targets from a table need a single grouping column, e.g. by='unit'")
        key = by_names[0]
        name = "target_first_response_time" if metric.startswith("first_response_time") else f"target_{metric}"
        if key not in targets.columns or name not in targets.columns:
            raise ConfigError(f"targets: expected columns {key!r} and {name!r}; the table has "
                              f"{', '.join(map(str, targets.columns))}")
        mapping = dict(zip(targets[key].astype(str), pd.to_numeric(targets[name], errors="coerce")))
    elif isinstance(targets, (dict, pd.Series)):
        mapping = {str(k): v for k, v in dict(targets).items()}
    else:
        raise ConfigError(f"targets: expected a table, a mapping or a number, got {type(targets).__name__}")
    keys = _labels_text(labels, np.arange(len(labels)))
    return np.array([float(mapping[k]) if k in mapping and pd.notna(mapping[k]) else np.nan for k in keys])


def compare(data: pd.DataFrame | None = None, *, metric: str = "nps", by: str | Sequence[str] | None = "unit",
            against: str = "rest", targets=None, period=None, date: str | None = None, correction: str = "fdr_bh",
            alpha: float = 0.05, min_n_show: int = 5, min_n_test: int = 30, confidence: float = 0.95,
            scale: tuple[int, int] | None = None, box: tuple[int, int] | None = None, method: str | None = None,
            bands: dict | None = None, cluster: str | None = None) -> pd.DataFrame:
    """Is each group really different? One metric, every group, one corrected family.

    Parameters
    ----------
    data : the table the metric comes from (responses, tickets or customers)
    metric : ``"nps"``, ``"csat"``, ``"ces"`` (top-box share), ``"ces_mean"``,
        ``"first_response_time"`` (tickets; medians, Mann-Whitney),
        ``"churn_rate"`` (customers), ``"cac"``, ``"cost_to_serve"``; the test for
        each is fixed by :data:`COMPARE_METRICS` (see docs/statistics.md)
    by : grouping column(s): ``"unit"``, ``"segment"``, ``"touchpoint"``, ...
        (None = the whole company, for period comparisons)
    against : ``"rest"`` (default) - each group vs all other groups' observations
        (never vs a total that contains the group itself); ``"pairs"`` - every
        pair of groups; ``"target"`` - each group vs its target; ``"previous"`` -
        this period vs the previous one; ``"year_ago"`` - this period vs the same
        period a year earlier
    targets : for ``against="target"``: the units table (``target_<metric>``
        columns, matched on ``by``), a ``{group: target}`` mapping, or one number
        (NPS in points, shares in percent, times in hours)
    period : the current period: a pandas period such as ``"2025Q4"``,
        ``"2025-11"`` or ``"2025"``, or a ``(start, end)`` pair of dates (both
        inclusive). Without it: all data (churn: the 12 months ending at the
        latest date); for ``"previous"``/``"year_ago"`` the quarter of the latest
        date.
    date : date column (default ``date`` for responses, ``created_at`` for
        tickets, ``acquired_at`` for CAC)
    correction : ``"fdr_bh"`` (default, Benjamini-Hochberg) or ``"holm"``; the
        family is all tested rows of the returned table
    alpha : significance level applied to the adjusted p-values
    min_n_show : below this many observations a group's metric is not shown at
        all (confidentiality), and its comparison is not shown either
    min_n_test : below this many observations on either side no p-value or flag
        is given
    confidence : level of all intervals
    scale, box : survey scale and its satisfied/easy range for CSAT/CES
    method : interval method of the group values (as :func:`cxkit.metric_table`);
        for NPS ``"wald"`` also switches the test to the unadjusted z-test
    bands : NPS bands (as :func:`cxkit.nps`)
    cluster : column identifying who answered, e.g. ``"customer_id"``. Answers
        of one customer are alike, so repeated answers are not independent and
        plain tests flag noise too often; with ``cluster=`` every interval and
        test uses a cluster-robust (CR1) variance through its design effect
        (never narrower than for independent answers). Not available for
        response times.

    Returns
    -------
    DataFrame
        One row per group (per pair for ``"pairs"``): the ``by`` column(s);
        ``vs`` (what the group is compared with: "rest", the other group, "target",
        the reference period); ``metric``; ``value``, ``ci_low``, ``ci_high``, ``n``
        (the group, in the metric's unit: NPS points, %, hours, currency);
        ``reference``, ``reference_n`` (the other side: the rest of the company,
        the other group, the target, the earlier period); ``diff`` (group - reference),
        ``diff_ci_low``, ``diff_ci_high``; ``statistic``; ``p_value`` (raw);
        ``p_adjusted`` (corrected across the table); ``significant``
        (``p_adjusted < alpha``); ``direction`` ("higher", "lower", "no difference",
        "not tested", "not shown"); ``test`` (the test used, on every row);
        ``effect_size`` (see :data:`COMPARE_METRICS`); ``suppressed`` (True when
        the group's own value is hidden by ``min_n_show``); ``note`` (why a row is
        not shown or not tested, e.g. "n = 12 < 30: not tested").
        ``DataFrame.attrs`` records the metric, its unit, ``against``, the
        correction, ``alpha``, the family and its size, the periods, and for
        ``"rest"`` the company value (``attrs["company"]``).

    Notes
    -----
    ``rest`` for group g is computed from counts as total - g (sums of squares
    with Chan's formula; for response times one pooled ranking gives every
    group's Mann-Whitney U at once), so it never contains the group itself.

    Suppression: a hidden group's comparison with the rest is hidden too,
    because company total and rest would reveal it by subtraction. When only
    one group of a table is hidden, the company total minus all shown groups
    still reveals it; use the ``suppressed`` column to apply complementary
    suppression in reports.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["A"] * 200 + ["B"] * 200 + ["C"] * 200,
    ...                    "nps": [10, 9, 8, 3] * 50 + [10, 9, 8, 7] * 50 + [6, 5, 8, 9] * 50})
    >>> t = compare(df, metric="nps", by="unit")
    >>> t[["unit", "value", "reference", "diff", "direction"]].round(1)
      unit  value  reference  diff      direction
    0    A   25.0       12.5  12.5  no difference
    1    B   50.0        0.0  50.0         higher
    2    C  -25.0       37.5 -62.5          lower
    """
    _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence)
    if against not in AGAINST:
        raise ConfigError(f"against={against!r} - expected one of {', '.join(AGAINST)}")
    if not isinstance(data, pd.DataFrame):
        raise ConfigError("data: expected a table (DataFrame), e.g. cx.load(folder).responses")
    if by is None and against in ("rest", "pairs"):
        raise ConfigError(f"against={against!r} needs by=, the column whose groups are compared (e.g. by='unit')")
    spec = COMPARE_METRICS[metric]
    prep = _prepared(data, metric, date=date, scale=scale, box=box, bands=bands)
    kind = prep.kind
    cl = _check_cluster(data, cluster, spec)
    opts = _Opts(confidence, method, cl is not None)
    codes, labels, by_names = _group_codes(data, by)
    g = len(labels)
    current = None
    if period is not None:
        current = window(period)
    elif against in ("previous", "year_ago"):
        last = prep.date_range()[1]
        period = pd.Period(last, freq="Q")
        current = window(period)
    valid, payload = prep.observations(current)
    cur = kind.cells(payload, valid, codes, g)
    n_all = kind.n(cur)
    ref_window = None
    company = None
    if against in ("previous", "year_ago"):
        ref_window = shift_window(current, period, against)
        ref_valid, ref_payload = prep.observations(ref_window)
        ref = kind.cells(ref_payload, ref_valid, codes, g)
        keep = np.flatnonzero((n_all > 0) | (kind.n(ref) > 0))
        a, b = kind.take(cur, keep), kind.take(ref, keep)
        dd = kind.diff(a, b, opts)
        if cl is not None:
            cd = _cluster_data(kind.name, [(valid, payload, codes, 0), (ref_valid, ref_payload, codes, g)], cl, 2 * g)
            dd = _apply_deff(dd, _deff_pairs(cd, keep, g + keep), kind.name, cluster)
        frame = _frame(labels.iloc[keep], ref_window.label, metric, kind.estimate(a, opts), kind.n(a),
                       kind.estimate(b, opts)[0], kind.n(b), dd)
        ref_label, has_ref = f"{ref_window.label}", True
    elif against == "pairs":
        keep = np.flatnonzero(n_all > 0)
        ii, jj = np.triu_indices(keep.size, k=1)
        i, j = keep[ii], keep[jj]
        a, b = kind.take(cur, i), kind.take(cur, j)
        dd = kind.diff(a, b, opts) if i.size else _blank(0)
        if cl is not None and i.size:
            cd = _cluster_data(kind.name, [(valid, payload, codes, 0)], cl, g)
            dd = _apply_deff(dd, _deff_pairs(cd, i, j), kind.name, cluster)
        other = _labels_text(labels, j)
        frame = _frame(labels.iloc[i], other, metric, kind.estimate(a, opts), kind.n(a),
                       kind.estimate(b, opts)[0], kind.n(b), dd)
        ref_label, has_ref = other, True
    elif against == "target":
        t = _targets_for(targets, metric, by_names, labels)
        keep = np.flatnonzero(n_all > 0)
        a = kind.take(cur, keep)
        dd = kind.vs_target(a, t[keep], opts)
        if cl is not None:
            cd = _cluster_data(kind.name, [(valid, payload, codes, 0)], cl, g)
            dd = _apply_deff(dd, _deff_single(cd)[keep], kind.name, cluster)
        frame = _frame(labels.iloc[keep], "target", metric, kind.estimate(a, opts), kind.n(a), t[keep],
                       np.zeros(keep.size), dd)
        ref_label, has_ref = "target", False
    else:  # rest
        ref_value, ref_n, dd_all = kind.vs_rest(cur, opts)
        keep = np.flatnonzero(n_all > 0)
        a = kind.take(cur, keep)
        dd = {k: v[keep] for k, v in dd_all.items()}
        if cl is not None:
            cd = _cluster_data(kind.name, [(valid, payload, codes, 0)], cl, g)
            dd = _apply_deff(dd, _deff_rest(cd)[keep], kind.name, cluster)
        frame = _frame(labels.iloc[keep], "rest", metric, kind.estimate(a, opts), kind.n(a),
                       np.asarray(ref_value)[keep], np.asarray(ref_n)[keep], dd)
        ref_label, has_ref = "rest", True
        tot = kind.total(cur)
        tv, tl, th = kind.estimate(tot, opts)
        tn = int(kind.n(tot)[0])
        company = dict(value=float(tv[0]), ci_low=float(tl[0]), ci_high=float(th[0]), n=tn) if tn >= min_n_show \
            else dict(value=np.nan, ci_low=np.nan, ci_high=np.nan, n=tn)
    frame = _finish(frame, ref_label=ref_label, has_reference=has_ref, min_n_show=int(min_n_show),
                    min_n_test=int(min_n_test), correction=correction, alpha=alpha)
    frame = frame[by_names + _COLUMNS] if by is not None else frame[_COLUMNS]
    tested = int(frame["p_value"].notna().sum())
    family = {"rest": "each group vs the rest", "pairs": "all pairs of groups", "target": "each group vs its target",
              "previous": "each group vs the previous period", "year_ago": "each group vs a year earlier"}[against]
    frame.attrs.update(metric=metric, measured_in=spec["measured_in"], higher_is_better=spec["higher_is_better"],
                       against=against, by=by_names if by is not None else None, correction=correction, alpha=alpha,
                       confidence=confidence, min_n_show=int(min_n_show), min_n_test=int(min_n_test),
                       family=f"{family}: the {tested} tested rows of this table", family_size=tested,
                       period=None if current is None else current.label,
                       reference_period=None if ref_window is None else ref_window.label,
                       company=company, effect_size=spec["effect_size"], cluster=cluster)
    return frame.reset_index(drop=True)


def _check_cluster(data, cluster, spec):
    if cluster is None:
        return None
    if spec["kind"] == "median":
        raise ConfigError("cluster= is not available for response times (rank tests); it works for nps, csat, ces, "
                          "ces_mean, churn_rate, cac and cost_to_serve")
    return _cluster_codes(data, cluster)


_FREQS = {"W": "W", "week": "W", "weekly": "W", "M": "M", "month": "M", "monthly": "M", "Q": "Q",
          "quarter": "Q", "quarterly": "Q", "Y": "Y", "year": "Y", "yearly": "Y"}


_NS_PER_DAY = 86_400_000_000_000


def _day_numbers(when: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of timestamps, as 32-bit integers (NaT: about -1e8, far below any day)."""
    return (when.astype("datetime64[ns]", copy=False).view(np.int64) // _NS_PER_DAY).astype(np.int32)


def _period_index(when: np.ndarray | None, periods: pd.PeriodIndex, *, day: np.ndarray | None = None) -> np.ndarray:
    """Position of each timestamp's period in ``periods`` (-1 or ``len(periods)`` outside them, -1 for NaT).

    Periods start at midnight, so the day decides: each row's day number indexes a table with one
    entry per day of the span and one more at each end for the days outside (a search per row, or
    numpy's calendar cast to months, costs 5-10x more). ``day``: the rows' day numbers, when known.
    """
    edges = np.array([p.start_time for p in periods] + [(periods[-1] + 1).start_time], dtype="datetime64[ns]")
    day0, day1 = (edges[[0, -1]].astype(np.int64) // _NS_PER_DAY).tolist()
    days = np.arange(day0, day1, dtype=np.int64) * _NS_PER_DAY  # midnight of every day of the periods
    table = np.concatenate([[-1], np.searchsorted(edges.astype(np.int64), days, side="right") - 1, [len(periods)]])
    if day is None:
        day = _day_numbers(when)
    return table[np.clip(day - (day0 - 1), 0, len(days) + 1)]


def trend(data: pd.DataFrame | None = None, *, metric: str = "nps", freq: str = "M",
          by: str | Sequence[str] | None = None, date: str | None = None, start=None, end=None,
          correction: str = "fdr_bh", alpha: float = 0.05, min_n_show: int = 5, min_n_test: int = 30,
          confidence: float = 0.95, scale: tuple[int, int] | None = None, box: tuple[int, int] | None = None,
          method: str | None = None, bands: dict | None = None, cluster: str | None = None) -> pd.DataFrame:
    """A metric per period (week, month, quarter) with intervals, and which changes are real.

    Each period is compared with the one before it (same group) with the test of
    :func:`compare`; all period-over-period changes of the returned table form one
    family for the correction.

    Parameters
    ----------
    freq : ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``
    by : optional grouping column(s): one trend line per group
    start, end : first and last date to include (default: the data's range)
    cluster : as :func:`compare`: a customer answering in two periods makes the
        periods dependent; the cluster-robust variance accounts for it
    Other parameters as :func:`compare`.

    Returns
    -------
    DataFrame
        The ``by`` column(s) if given; ``period`` (pandas Period), ``period_start``
        (Timestamp); then the columns of :func:`compare`, where ``vs`` is the
        previous period, ``reference``/``reference_n`` its value and n, and
        ``diff`` the change from it. Empty periods appear with ``n`` = 0 (not
        shown), so gaps stay visible; the first period has no comparison.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2025-01-15"] * 100 + ["2025-02-15"] * 100),
    ...                    "nps": [10, 9, 7, 8] * 25 + [10, 3, 2, 1] * 25})
    >>> t = trend(df, metric="nps", freq="M")
    >>> t[["period", "value", "diff", "direction"]]
        period  value  diff direction
    0  2025-01   50.0   NaN not tested
    1  2025-02  -50.0 -100.0     lower
    """
    _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence)
    if freq not in _FREQS:
        raise ConfigError(f"freq={freq!r} - expected 'W' (week), 'M' (month), 'Q' (quarter) or 'Y' (year)")
    if not isinstance(data, pd.DataFrame):
        raise ConfigError("data: expected a table (DataFrame), e.g. cx.load(folder).responses")
    spec = COMPARE_METRICS[metric]
    prep = _prepared(data, metric, date=date, scale=scale, box=box, bands=bands)
    kind = prep.kind
    cl = _check_cluster(data, cluster, spec)
    opts = _Opts(confidence, method, cl is not None)
    lo, hi = prep.date_range()
    lo = _as_ts(start) if start is not None else lo
    hi = _as_ts(end) if end is not None else hi
    if hi < lo:
        raise ConfigError(f"start={start!r} is after end={end!r}")
    periods = pd.period_range(lo, hi, freq=_FREQS[freq])
    codes, labels, by_names = _group_codes(data, by)
    g = len(labels)
    cells, parts = [], []
    if isinstance(kind, _Additive) and prep.churn is None and cl is None and len(periods):
        # one pass: each row's period found once, cells of every (period, group) from one reduction; the
        # same sums as one pass per period (bincount adds each cell's rows in the same order)
        at = _period_index(None, periods, day=prep.days())
        valid = prep.ok & (at >= 0) & (at < len(periods))  # NaT: at = -1
        both = kind.cells(prep.payload, valid, np.where(valid, at, 0) * g + codes, len(periods) * g)
        cells = [kind.take(both, np.arange(t * g, (t + 1) * g)) for t in range(len(periods))]
    else:
        for t, p in enumerate(periods):
            valid, payload = prep.observations(window(p))
            cells.append(kind.cells(payload, valid, codes, g))
            parts.append((valid, payload, codes, t * g))
    cd = _cluster_data(kind.name, parts, cl, len(periods) * g) if cl is not None and len(periods) > 1 else None
    n_total = sum(kind.n(c) for c in cells) if cells else np.zeros(g)
    groups = np.flatnonzero(n_total > 0)
    frames = []
    for t, p in enumerate(periods):
        a = kind.take(cells[t], groups)
        if t == 0:
            b = None
            dd = _blank(groups.size, spec["test"].split(";")[0] if spec["kind"] != "nps" else
                        _nps_test_name("wald" if method == "wald" else "adjusted-wald"))
            ref_v, ref_n = np.full(groups.size, np.nan), np.zeros(groups.size)
        else:
            b = kind.take(cells[t - 1], groups)
            dd = kind.diff(a, b, opts)
            if cd is not None:
                dd = _apply_deff(dd, _deff_pairs(cd, t * g + groups, (t - 1) * g + groups), kind.name, cluster)
            ref_v, ref_n = kind.estimate(b, opts)[0], kind.n(b)
        f = _frame(labels.iloc[groups], str(periods[t - 1]) if t else "", metric, kind.estimate(a, opts),
                   kind.n(a), ref_v, ref_n, dd)
        f.insert(len(by_names) if by is not None else 0, "period", p)
        f.insert(len(by_names) + 1 if by is not None else 1, "period_start", p.start_time)
        f["_first"] = t == 0
        frames.append(f)
    cols = (by_names if by is not None else []) + ["period", "period_start"] + _COLUMNS
    if not frames:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(frames, ignore_index=True)
    first = frame.pop("_first").to_numpy(dtype=bool)
    # the first period has nothing to compare with: give it a reference n that passes the rules, then blank it
    frame.loc[first, "reference_n"] = max(min_n_test, min_n_show)
    frame = _finish(frame, ref_label="previous period", has_reference=True, min_n_show=int(min_n_show),
                    min_n_test=int(min_n_test), correction=correction, alpha=alpha)
    frame.loc[first, "reference_n"] = 0
    frame.loc[first, "direction"] = np.where(frame.loc[first, "suppressed"], "not shown", "not tested")
    frame.loc[first & ~frame["suppressed"].to_numpy(), "note"] = "first period"
    sort_cols = (by_names if by is not None else []) + ["period_start"]
    frame = frame[cols].sort_values(sort_cols, kind="stable").reset_index(drop=True)
    tested = int(frame["p_value"].notna().sum())
    frame.attrs.update(metric=metric, measured_in=spec["measured_in"], higher_is_better=spec["higher_is_better"],
                       against="previous", by=by_names if by is not None else None, freq=_FREQS[freq],
                       correction=correction, alpha=alpha, confidence=confidence, min_n_show=int(min_n_show),
                       min_n_test=int(min_n_test),
                       family=f"period-over-period changes: the {tested} tested rows of this table",
                       family_size=tested, effect_size=spec["effect_size"], cluster=cluster)
    return frame
