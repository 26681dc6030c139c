"""Confidence intervals from counts, vectorised: the arithmetic behind every metric.

NPS (adjusted Wald, Wald, Tango's score interval), shares (Wilson and the other
binomial intervals), means (t), medians (order statistics), rates (exact
Poisson) and bootstrap resampling counts. Each takes arrays of counts or
summary statistics and returns arrays, so a table over hundreds of groups costs
about as much as counting. The public metric functions in :mod:`.scores`, :mod:`.tickets`
and :mod:`.customers` wrap them in an :class:`~cxkit.stats.results.Estimate`.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")
_sm_proportion = lazy_module("statsmodels.stats.proportion")

__all__ = ["NPS_METHODS", "SHARE_METHODS"]

#: NPS interval methods (see :func:`cxkit.nps_from_counts`).
NPS_METHODS = ("adjusted-wald", "wald", "score")
#: share interval method -> the ``statsmodels`` ``proportion_confint`` method it uses.
SHARE_METHODS = {"wilson": "wilson", "jeffreys": "jeffreys", "agresti-coull": "agresti_coull",
                 "clopper-pearson": "beta", "wald": "normal"}


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence={confidence!r} - expected a number between 0 and 1, e.g. 0.95")
    return float(stats.norm.ppf(0.5 + confidence / 2))


# --------------------------------------------------------------------------------------
# NPS


def _nps_interval(d, pa, p, method: str, confidence: float):
    """Vectorised NPS interval from counts; returns (nps, low, high) as fractions (-1..1)."""
    d, pa, p = (np.asarray(x, dtype=float) for x in (d, pa, p))
    n = d + pa + p
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (p - d) / n
        if method == "wald":
            pp, dd = p / n, d / n
            var = pp + dd - (pp - dd) ** 2
            se = np.sqrt(var / n)
            low, high = value - z * se, value + z * se
        elif method == "adjusted-wald":
            na = n + 3.0
            pp, dd = (p + 0.75) / na, (d + 0.75) / na
            centre = pp - dd
            var = pp + dd - (pp - dd) ** 2
            se = np.sqrt(var / na)
            low, high = centre - z * se, centre + z * se
        elif method == "score":
            low, high = _tango_interval(d, p, n, z)
        else:
            raise ConfigError(f"method={method!r} - expected one of {', '.join(NPS_METHODS)}")
    low, high = np.clip(low, -1, 1), np.clip(high, -1, 1)
    return value, low, high


def _tango_score(delta, b, c, n):
    """Tango's score statistic for a difference of two multinomial cells.

    b = detractors, c = promoters, delta = hypothesised NPS (fraction).
    """
    a_ = 2 * n
    b_ = -b - c + (2 * n - c + b) * delta
    c_ = -b * delta * (1 - delta)
    q21 = (np.sqrt(np.maximum(b_ ** 2 - 4 * a_ * c_, 0)) - b_) / (2 * a_)
    return (c - b - n * delta) / np.sqrt(n * (2 * q21 + delta * (1 - delta)))


def _tango_interval(d, p, n, z, iterations: int = 60):
    """Tango (1998) score interval, solved by vectorised bisection on each side."""
    est = (p - d) / n
    lo_a, lo_b = np.full_like(est, -1.0), est.copy()  # score(lo_a) > z >= score(lo_b)
    hi_a, hi_b = est.copy(), np.full_like(est, 1.0)
    for _ in range(iterations):
        mid = (lo_a + lo_b) / 2
        s = _tango_score(mid, d, p, n)
        above = s > z
        lo_a = np.where(above, mid, lo_a)
        lo_b = np.where(above, lo_b, mid)
        mid = (hi_a + hi_b) / 2
        s = _tango_score(mid, d, p, n)
        below = s < -z
        hi_b = np.where(below, mid, hi_b)
        hi_a = np.where(below, hi_a, mid)
    low = np.where(d == n, -1.0, (lo_a + lo_b) / 2)
    high = np.where(p == n, 1.0, (hi_a + hi_b) / 2)
    return low, high


# --------------------------------------------------------------------------------------
# shares


def _share_interval(k, n, method: str, confidence: float):
    if method not in SHARE_METHODS:
        raise ConfigError(f"method={method!r} - expected one of {', '.join(SHARE_METHODS)}")
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    alpha = 1 - confidence
    _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        low, high = _sm_proportion.proportion_confint(k, n, alpha=alpha, method=SHARE_METHODS[method])
        low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        if method == "clopper-pearson":  # statsmodels returns nan at the ends
            low = np.where(k == 0, 0.0, low)
            high = np.where(k == n, 1.0, high)
        value = k / n
    # the limits bracket the estimate (floating-point can put a Wilson limit 1e-17 inside it at k = 0 or n)
    low, high = np.fmin(low, value), np.fmax(high, value)
    return value, np.clip(low, 0, 1), np.clip(high, 0, 1)


# --------------------------------------------------------------------------------------
# means, medians, rates, bootstrap


def _mean_interval(mean, sd, n, confidence):
    mean, sd, n = (np.asarray(x, dtype=float) for x in (mean, sd, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = t * sd / np.sqrt(n)
        half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def _median_ranks(n, confidence):
    """1-based ranks (l, u) of the order-statistic interval for the median; coverage >= confidence."""
    n = np.asarray(n, dtype=float)
    alpha = 1 - confidence
    lo_rank = stats.binom.ppf(alpha / 2, n, 0.5)
    lo_rank = np.maximum(lo_rank, 1)
    hi_rank = n - lo_rank + 1
    achieved = 1 - 2 * stats.binom.cdf(lo_rank - 1, n, 0.5)
    ok = achieved >= confidence - 1e-12
    return lo_rank.astype(int), hi_rank.astype(int), ok


def _poisson_interval(k, exposure, confidence):
    k, exposure = np.asarray(k, dtype=float), np.asarray(exposure, dtype=float)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * k) / 2, 0.0) / exposure
        high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2 / exposure
    return low, high


def bootstrap_counts(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """``size`` bootstrap resamples of n rows as counts (size x n): how often each row was drawn.

    The same multinomial(n, 1/n) counts as ``rng.multinomial``, drawn as n indices per resample and
    counted with one ``bincount``: several times faster for large n.
    """
    idx = rng.integers(0, n, size=(size, n))
    idx += (np.arange(size) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=size * n).reshape(size, n).astype(float)


#: largest rows x resamples drawn customer by customer; above it the resampled sums are drawn from their
#: large-sample (normal) distribution (see :func:`bootstrap_sums`)
EXACT_RESAMPLING_CELLS = 50_000_000


def bootstrap_sums(columns: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Column sums of ``n_boot`` bootstrap resamples of the rows of ``columns`` (n x p): n_boot x p.

    While n x n_boot <= :data:`EXACT_RESAMPLING_CELLS` the resamples are drawn row by row
    (:func:`bootstrap_counts`, multinomial(n, 1/n) counts @ columns). Above it (a million customers x
    1000 resamples would draw 10^9 rows) the sums are drawn from the distribution the resampled sums
    converge to: multivariate normal with mean n x column means and covariance n x the rows' covariance
    (ddof 0) - the multinomial resample's exact first two moments; the central limit theorem makes the
    rest negligible at such n (the shape differs by O(1/sqrt(n)) in the skewness).
    """
    n = len(columns)
    if n * n_boot <= EXACT_RESAMPLING_CELLS:
        step = max(1, 2_000_000 // max(n, 1))
        return np.vstack([bootstrap_counts(rng, n, min(step, n_boot - b0)) @ columns
                          for b0 in range(0, n_boot, step)])
    mean = columns.mean(axis=0)
    dev = columns - mean
    cov = dev.T @ dev  # n x the rows' covariance (ddof 0)
    return rng.multivariate_normal(n * mean, cov, size=n_boot, method="eigh")
