"""Two-sample tests: is group A different from group B?

:func:`nps_test` (from counts) and :func:`compare_nps`, :func:`compare_shares`,
:func:`compare_means`, :func:`compare_times` (from answers or counts) return a
:class:`Comparison`: difference, its interval, test statistic, p-value, test
name and an effect size. The vectorised array versions (``_nps_diff_arrays``,
``_share_tests``, ``_welch_arrays``) serve :func:`compare` and :func:`trend`
for hundreds of groups at once.

Methods and references are in ``docs/statistics.md`` (part "Comparisons").
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._printer import Result, format_number, p_equals
from ..errors import ConfigError, InsufficientDataError
from .intervals import _share_interval, _z
from .scores import _scores, nps_counts
from .rank_tests import _times_comparison
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")
_sm_proportion = lazy_module("statsmodels.stats.proportion")

__all__ = ["Comparison", "nps_test", "compare_nps", "compare_shares", "compare_means", "compare_times"]


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
                f"{p_equals(self.p_value)} [{self.test}]")

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

    Parameters
    ----------
    a, b : array-like
        The values of each group (missing ones dropped); at least 2 each.
    confidence : float
        Confidence level of the interval, e.g. 0.95.
    metric : str
        Name shown in the result.

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

    Parameters
    ----------
    a, b : array-like
        The values of each group (missing ones dropped), e.g. response hours.
    confidence : float
        Confidence level of the interval, e.g. 0.95.
    metric : str
        Name shown in the result.

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
