"""One group against a target: is this NPS, share, mean or median below or above where it should be?

:func:`nps_vs_target`, :func:`share_vs_target`, :func:`mean_vs_target` and
:func:`median_vs_target` return a :class:`~cxkit.stats.twosample.Comparison`
with the target as group B (``n_b`` = 0). The vectorised array versions serve
:func:`compare` with ``against="target"``.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError, InsufficientDataError
from .intervals import _median_ranks, _nps_interval, _share_interval
from .twosample import Comparison, _check_confidence, _cohen_h, _nps_test_name, _values
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")

__all__ = ["nps_vs_target", "share_vs_target", "mean_vs_target", "median_vs_target"]


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

    Parameters
    ----------
    successes, n : int
        "Yes" answers and all answers.
    target : float
        The target share in percent, e.g. 80.
    confidence : float
        Confidence level, e.g. 0.95.
    metric : str
        Name shown in the result.

    Returns
    -------
    Comparison
        ``diff`` = share - target in percentage points with the Wilson interval shifted by
        the target, the score z, two-sided p-value and Cohen's h; ``value_b`` is the target.

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

    Parameters
    ----------
    values : array-like
        The values (missing ones dropped); at least 2.
    target : float
        The target mean.
    confidence : float
        Confidence level, e.g. 0.95.
    metric : str
        Name shown in the result.

    Returns
    -------
    Comparison
        ``diff`` = mean - target with the t interval shifted by the target, t, two-sided
        p-value and Cohen's d; ``value_b`` is the target.

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

    Parameters
    ----------
    values : array-like
        The values (missing ones dropped), e.g. first-response hours.
    target : float
        The target median.
    confidence : float
        Confidence level, e.g. 0.95.
    metric : str
        Name shown in the result.

    Returns
    -------
    Comparison
        As described above; ``value_b`` is the target.

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
    lo_rank, hi_rank, ok = _median_ranks(x.size, confidence)
    low, high = (float(x[lo_rank - 1]), float(x[hi_rank - 1])) if ok else (np.nan, np.nan)
    med = float(np.median(x))
    eff = (above - below) / (above + below) if above + below else np.nan
    return Comparison(metric, med, t0, int(x.size), 0, med - t0, low - t0, high - t0, float(above), p,
                      "sign test vs target", eff, "(above - below) / n", confidence)
