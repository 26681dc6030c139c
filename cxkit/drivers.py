"""Key driver analysis: which attribute ratings move the overall score.

:func:`relative_weights` splits the explained variance (R²) of the overall
score (NPS 0-10, CSAT, ...) among correlated attribute or touchpoint ratings
with Johnson's (2000) relative weights, adds seeded bootstrap intervals, plain
correlations and the current performance (mean rating) of each driver, and
reports collinearity and how missing ratings were handled. The chart is
:func:`cxkit.plots.plot_drivers`: importance versus performance when the drivers' mean ratings differ
enough to rank them (:func:`performance_spread`), otherwise importance alone, with the dominant driver
(:func:`dominant_driver`) marked.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ._printer import Result, format_number
from ._lazy import lazy_module
from .errors import ConfigError, InsufficientDataError
from .stats.intervals import EXACT_RESAMPLING_CELLS, _z

_stats = lazy_module("scipy.stats")

__all__ = ["DriverResult", "relative_weights", "MISSING_METHODS", "PerformanceSpread", "performance_spread",
           "dominant_driver", "MIN_SPREAD"]

#: How missing ratings are handled: drop incomplete responses, or pairwise-complete correlations.
MISSING_METHODS = ("listwise", "pairwise")
#: VIF thresholds for the collinearity notes (moderate, severe).
VIF_WARN = (5.0, 10.0)
#: Smallest spread of the drivers' mean ratings (highest minus lowest) worth ranking performance by, as a
#: share of the rating scale's width: 0.05 is 0.5 points on 0-10, 0.2 points on 1-5.
MIN_SPREAD = 0.05
#: Rating scales assumed when none is given: the first that holds every rating (else the observed range).
_SCALES = ((1.0, 5.0), (1.0, 7.0), (0.0, 10.0))
#: Bootstrap chunk size (resamples computed together); bounds memory to about chunk x rows x 8 bytes.
_CHUNK = 100


def _as_frame(data, what: str = "responses") -> pd.DataFrame:
    """Accept a DataFrame or a loaded :class:`cxkit.Dataset` (its ``responses`` table)."""
    if isinstance(data, pd.DataFrame):
        return data
    table = getattr(data, what, None) if data is not None else None
    if isinstance(table, pd.DataFrame):
        return table
    raise ConfigError(f"data: expected a DataFrame or a loaded dataset (cx.load(...)) with a {what} table, "
                      f"got {type(data).__name__}")


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    try:
        return frame[column].to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise ConfigError(f"column {column!r}: expected numeric ratings; load the data with cxkit.load() "
                          "to validate them") from None


# --------------------------------------------------------------------------------------
# core computations (vectorised over bootstrap resamples)


def _corr_columns(z: np.ndarray, rows: slice = slice(None)) -> np.ndarray:
    """Per row, the terms whose sums give the (pairwise-complete) correlations of ``z``'s columns:
    complete ``z``: 1, z, z^2, z_i z_j; with NaN: per pair i < j the pair's indicator m, z_i m, z_j m,
    (z_i m)^2, (z_j m)^2, z_i z_j m."""
    z = z[rows]
    k = z.shape[1]
    i, j = np.triu_indices(k, 1)
    mask = ~np.isnan(z)
    zf = np.where(mask, z, 0.0)
    if mask.all():
        return np.hstack([np.ones((len(z), 1)), zf, zf * zf, zf[:, i] * zf[:, j]])
    m = (mask[:, i] & mask[:, j]).astype(float)
    zi, zj = zf[:, i] * m, zf[:, j] * m
    return np.hstack([m, zi, zj, zi * zi, zj * zj, zi * zj])


def _corr_from_sums(s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Correlations (B, k, k) and counts from the (B, q) sums of :func:`_corr_columns` (either layout)."""
    i, j = np.triu_indices(k, 1)
    B = s.shape[0]
    if s.shape[1] == 1 + 2 * k + len(i):
        cnt, s1, s2, sij = s[:, :1], s[:, 1:1 + k], s[:, 1 + k:1 + 2 * k], s[:, 1 + 2 * k:]
        vi = s2[:, i] - s1[:, i] ** 2 / cnt
        vj = s2[:, j] - s1[:, j] ** 2 / cnt
        cij = sij - s1[:, i] * s1[:, j] / cnt
        counts = np.broadcast_to(cnt, (B, len(i)))
    else:
        s = s.reshape(B, 6, len(i))
        counts, si, sj, sii, sjj, sij = (s[:, q] for q in range(6))
        with np.errstate(divide="ignore", invalid="ignore"):
            vi = sii - si ** 2 / counts
            vj = sjj - sj ** 2 / counts
            cij = sij - si * sj / counts
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cij / np.sqrt(vi * vj)
    out = np.repeat(np.eye(k)[None], B, axis=0)
    out[:, i, j] = r
    out[:, j, i] = r
    nn = np.zeros((B, k, k))
    nn[:, i, j] = counts
    nn[:, j, i] = counts
    return out, nn


def _corr_batch(z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrices of the columns of ``z`` under row weights ``w``.

    ``z`` is (n, k) and may hold NaN (pairwise-complete correlations then);
    ``w`` is (B, n) resampling counts. Returns the (B, k, k) correlations and
    the (B, k, k) number of rows behind each entry.
    """
    n, k = z.shape
    mask = ~np.isnan(z)
    zf = np.where(mask, z, 0.0)
    i, j = np.triu_indices(k, 1)
    if mask.all():
        s = np.hstack([w.sum(axis=1)[:, None], w @ zf, w @ (zf * zf), w @ (zf[:, i] * zf[:, j])])
    else:
        s = w @ _corr_columns(z)
    return _corr_from_sums(s, k)


def _distinct_rows(z: np.ndarray, *, inverse: bool = False) -> tuple[np.ndarray, ...]:
    """Distinct rows of ``z`` (NaN as a value) and how often each occurs; ``z`` itself with counts of 1
    when the columns have too many values to combine into one integer key. With ``inverse``, also each
    row's position among the distinct rows."""
    codes = [pd.factorize(col)[0] + 1 for col in z.T]  # 0 = NaN
    key = np.zeros(len(z), dtype=np.int64)
    size = 1
    for c in codes:
        card = int(c.max()) + 1
        size *= card
        if size >= 2 ** 62:
            return (z, np.ones(len(z))) + ((np.arange(len(z)),) if inverse else ())
        key = key * card + c
    if size <= max(4 * len(z), 1 << 20):  # few possible keys (ratings on short scales): count them, no sort
        count = np.bincount(key, minlength=size)
        present = count > 0
        first = np.empty(size, dtype=np.int64)
        # a row of each key (rows of one key hold the same values, so any will do; numpy writes the last)
        first[key[::-1]] = np.arange(len(z) - 1, -1, -1)
        out = z[first[present]], count[present].astype(float)
        return out + ((np.cumsum(present)[key] - 1,) if inverse else ())
    _, first, inv, count = np.unique(key, return_index=True, return_inverse=True, return_counts=True)  # sorted keys
    return (z[first], count.astype(float)) + ((inv.ravel(),) if inverse else ())


def _exact_corr_replicates(z: np.ndarray, n_boot: int, rng: np.random.Generator, *, distinct=None):
    """Bootstrap correlations, resampling rows: the resamples of :func:`cxkit.stats.intervals.bootstrap_counts`
    (the same draws), each resample's counts added up over the distinct rows (ratings repeat), so the sums
    run over distinct rows only. Yields (chunk, k, k) correlations, ``_CHUNK`` resamples at a time.
    ``distinct``: ``_distinct_rows(z, inverse=True)`` when the caller has it."""
    n = len(z)
    zz, _, row = _distinct_rows(z, inverse=True) if distinct is None else distinct
    m = len(zz)
    for start in range(0, n_boot, _CHUNK):
        size = min(_CHUNK, n_boot - start)
        idx = row[rng.integers(0, n, size=(size, n))]  # the rows bootstrap_counts draws, as distinct rows
        idx += (np.arange(size) * m)[:, None]
        counts = np.bincount(idx.ravel(), minlength=size * m).reshape(size, m).astype(float)
        yield _corr_batch(zz, counts)[0]


def _normal_corr_replicates(z: np.ndarray, n_boot: int, rng: np.random.Generator, rows: int = 200_000, *,
                            distinct=None):
    """Bootstrap correlations for large tables: the resampled sums of :func:`_corr_columns` drawn from
    their large-sample normal distribution (:func:`cxkit.stats.intervals.bootstrap_sums`). The columns'
    mean and covariance are accumulated over the distinct rows (ratings repeat) with their counts, in
    chunks (no n x q array in memory). ``distinct``: :func:`_distinct_rows` of ``z``, when the caller has it."""
    n, k = z.shape
    zz, count = (_distinct_rows(z) if distinct is None else distinct)[:2]
    total = cross = 0.0
    for r0 in range(0, len(zz), rows):
        c = _corr_columns(zz, slice(r0, r0 + rows))
        w = count[r0:r0 + rows]
        total = total + w @ c
        a = np.sqrt(w)[:, None] * c
        cross = cross + a.T @ a  # one operand and its transpose: BLAS syrk (a general product was 30x slower)
    mean = total / n
    cov = cross / n - np.outer(mean, mean)
    return _corr_from_sums(rng.multivariate_normal(n * mean, n * cov, size=n_boot, method="eigh"), k)[0]

def _weights_from_corr(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Johnson's relative weights from (B, p+1, p+1) correlations, outcome last.

    Returns raw weights (B, p) and R² (B,). Resamples whose driver correlation
    matrix is not positive definite (or undefined) give NaN.
    """
    p = r.shape[-1] - 1
    rxx, rxy = r[:, :p, :p], r[:, :p, p]
    bad = ~np.isfinite(r).all(axis=(1, 2))
    rxx = np.where(bad[:, None, None], np.eye(p), rxx)
    rxy = np.where(bad[:, None], 0.0, rxy)
    ev, vec = np.linalg.eigh(rxx)
    bad |= ev.min(axis=1) <= 1e-10 * np.maximum(ev.max(axis=1), 1.0)
    ev = np.where(bad[:, None], 1.0, ev)
    lam = np.einsum("bij,bj,bkj->bik", vec, np.sqrt(ev), vec)       # Rxx^(1/2)
    beta = np.einsum("bij,bj,bkj,bk->bi", vec, 1 / np.sqrt(ev), vec, rxy)  # Rxx^(-1/2) rxy
    raw = np.einsum("bij,bj->bi", lam ** 2, beta ** 2)
    r2 = (beta ** 2).sum(axis=1)
    raw[bad], r2[bad] = np.nan, np.nan
    return raw, r2


# --------------------------------------------------------------------------------------
# result object


class _TableResult(Result):
    """A result whose ``summary`` is its ``table`` and whose notes are its ``messages``."""

    table: pd.DataFrame
    messages: tuple

    @property
    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self):
        return list(self.messages)


@dataclass(frozen=True)
class DriverResult(_TableResult):
    """Key drivers of an overall score (Johnson's relative weights).

    Attributes
    ----------
    table : the per-driver summary (see :func:`relative_weights`)
    outcome : the overall-score column
    r2, r2_ci_low, r2_ci_high : R² of the linear model on all drivers and its bootstrap interval
    n : responses analysed (listwise) or responses with the overall score (pairwise)
    missing : ``"listwise"`` or ``"pairwise"``
    condition_index : sqrt(largest / smallest eigenvalue) of the driver correlation matrix
    boot : (n_boot, drivers) bootstrap raw weights, columns in the order of ``table`` (may be empty)
    confidence : confidence level of the intervals
    ratings : (responses, drivers) the ratings analysed, columns in the order of ``table`` (NaN where a
        rating is missing, with ``missing="pairwise"``); :func:`performance_spread` tests them
    scale : (lowest, highest) possible rating of the drivers
    """

    table: pd.DataFrame
    outcome: str
    r2: float
    r2_ci_low: float
    r2_ci_high: float
    n: int
    missing: str
    condition_index: float
    boot: np.ndarray = field(repr=False, compare=False)
    confidence: float = 0.95
    messages: tuple = ()
    ratings: np.ndarray | None = field(default=None, repr=False, compare=False)
    scale: tuple = (0.0, 10.0)

    digits = 3

    @property
    def title(self) -> str:  # type: ignore[override]
        ci = "" if np.isnan(self.r2_ci_low) else \
            f" ({self.confidence:.0%} CI {format_number(self.r2_ci_low, 3)} to {format_number(self.r2_ci_high, 3)})"
        return f"Key drivers of {self.outcome}: R² = {format_number(self.r2, 3)}{ci}, n = {format_number(self.n)}"

    @property
    def top(self) -> str:
        """The driver with the largest weight."""
        return str(self.table["driver"].iloc[0])

    def differences(self) -> pd.DataFrame:
        """Bootstrap intervals for the difference between the weights of every pair of drivers.

        Returns
        -------
        DataFrame
            ``driver_a``, ``driver_b`` (a ranked above b), ``diff`` = weight(a) − weight(b),
            ``ci_low``, ``ci_high`` (percentile bootstrap of the difference, paired
            resamples), ``distinct`` (True when the interval excludes 0: a really
            outweighs b).
        """
        names = self.table["driver"].tolist()
        w = self.table["weight"].to_numpy()
        rows = []
        alpha = 1 - self.confidence
        ok = ~np.isnan(self.boot).any(axis=1) if self.boot.size else np.zeros(0, bool)
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                if ok.sum() >= 2:
                    d = self.boot[ok, a] - self.boot[ok, b]
                    lo, hi = np.quantile(d, [alpha / 2, 1 - alpha / 2])
                else:
                    lo = hi = np.nan
                rows.append({"driver_a": names[a], "driver_b": names[b], "diff": w[a] - w[b],
                             "ci_low": lo, "ci_high": hi, "distinct": bool(lo > 0 or hi < 0)})
        return pd.DataFrame(rows, columns=["driver_a", "driver_b", "diff", "ci_low", "ci_high", "distinct"])


# --------------------------------------------------------------------------------------
# public function


def relative_weights(data=None, *, outcome: str = "nps", drivers: Sequence[str] | None = None, n_boot: int = 1000,
                     seed: int = 0, confidence: float = 0.95, missing: str = "listwise",
                     scale: tuple[float, float] | None = None) -> DriverResult:
    """Key drivers of an overall score with Johnson's relative weights.

    Parameters
    ----------
    data : DataFrame (one row per response) or a loaded dataset (its ``responses``)
    outcome : overall score column, e.g. ``"nps"`` (0-10 answer, used as a number) or ``"csat"``
    drivers : attribute / touchpoint rating columns; default every column whose name starts with ``attr_``
    n_boot : bootstrap resamples for the intervals (0 = no intervals)
    seed : seed of the bootstrap (results are reproducible)
    confidence : confidence level of the intervals
    missing : ``"listwise"`` (default) uses responses that rated every driver;
        ``"pairwise"`` computes each correlation from the responses that gave both
        ratings (keeps more data; reported in the notes). Responses without the
        overall score are always left out.
    scale : (lowest, highest) possible rating of the drivers, e.g. ``(0, 10)``; by default the first of
        1-5, 1-7 and 0-10 that holds every rating (else the observed range). :func:`performance_spread`
        scales its threshold to it.

    Returns
    -------
    DriverResult
        ``.summary`` has one row per driver, largest weight first:

        * ``driver`` - column name
        * ``rank`` - 1 = most important
        * ``weight`` - raw relative weight; the weights sum to R²
        * ``ci_low``, ``ci_high`` - percentile bootstrap interval of the weight
        * ``share`` - weight as % of R² (sums to 100)
        * ``share_ci_low``, ``share_ci_high`` - bootstrap interval of the share
        * ``correlation`` - plain Pearson correlation with the outcome
        * ``performance`` - mean rating of the driver (its current performance)
        * ``vif`` - variance inflation factor, 1 / (1 − R² of the driver on the others)
        * ``n`` - responses behind the driver's numbers

        plus ``.r2`` (with ``.r2_ci_low``, ``.r2_ci_high``), ``.condition_index``,
        ``.notes`` (missing ratings, collinearity, negative correlations),
        ``.differences()`` (is the top driver really ahead of the next?), and ``.ratings`` and
        ``.scale`` for :func:`performance_spread` (do the mean ratings differ enough to rank them?).

    Notes
    -----
    With Rxx the correlations among the p drivers and rxy their correlations
    with the outcome, take the eigen-decomposition Rxx = V diag(λ) V' and its
    symmetric square root Λ = V diag(√λ) V'. Λ maps p orthogonal variables
    (Z = X Rxx^(-1/2)) to the drivers. Regressing the outcome on Z gives
    β = Λ⁻¹ rxy; the raw weight of driver j is

        ε_j = Σ_k Λ²_jk β²_k,   Σ_j ε_j = Σ_k β²_k = rxy' Rxx⁻¹ rxy = R².

    The weights approximate the average increase in R² from adding the driver
    over all subsets of the other drivers (Shapley value / LMG), which they
    match closely at a fraction of the cost. With uncorrelated drivers ε_j = r²_jy.

    Weights are unsigned: read ``correlation`` for the direction. Intervals:
    percentile bootstrap over responses (seeded, ``n_boot`` resamples); a note
    says how many resamples were unusable. The top driver is clearly ahead when
    the interval of its difference to the next driver, ``differences()``,
    excludes 0 - overlapping intervals of the weights alone do not show that.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight
    of predictor variables in multiple regression. Multivariate Behavioral
    Research 35(1), 1-19.
    Tonidandel, S., LeBreton, J. M., Johnson, J. W. (2009). Determining the
    statistical significance of relative weights. Psychological Methods 14(4), 387-399.
    Belsley, D. A., Kuh, E., Welsch, R. E. (1980). Regression Diagnostics. Wiley.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=(500, 3))
    >>> df = pd.DataFrame(x, columns=["attr_delivery", "attr_staff", "attr_price"])
    >>> df["nps"] = 2 * df.attr_delivery + df.attr_staff + rng.normal(size=500)
    >>> r = relative_weights(df, n_boot=200)
    >>> r.summary[["driver", "share"]].round(0)
              driver  share
    0  attr_delivery   83.0
    1     attr_staff   17.0
    2     attr_price    0.0
    >>> bool(abs(r.summary["weight"].sum() - r.r2) < 1e-12)  # weights sum to R²
    True
    """
    frame = _as_frame(data)
    drivers = _check_driver_args(frame, outcome, drivers, missing=missing, n_boot=n_boot)
    _z(confidence)
    p = len(drivers)
    x, y, n_y, messages = _usable_ratings(frame, outcome, drivers, missing)
    n = len(y)
    if n < p + 3:
        raise InsufficientDataError(f"key drivers need more responses than drivers: {n} usable response(s) for "
                                    f"{p} driver(s); at least {p + 3} are needed (far more for stable weights)")
    z = _standardised(x, y, drivers, outcome)
    distinct = _distinct_rows(z, inverse=True)  # ratings repeat: every sum below runs over the distinct rows
    r, counts, ev = _correlations(distinct, drivers, outcome, missing)
    rxx = r[0, :p, :p]
    raw, r2 = _weights_from_corr(r)
    raw, r2 = raw[0], float(r2[0])
    vif = np.diag(np.linalg.inv(rxx))
    cond = float(np.sqrt(ev.max() / ev.min()))
    boot, (lo, hi, slo, shi, r2_lo, r2_hi) = _bootstrap(z, n_boot=n_boot, seed=seed, confidence=confidence,
                                                       messages=messages, distinct=distinct)
    table = pd.DataFrame({
        "driver": drivers, "weight": raw, "ci_low": lo, "ci_high": hi, "share": raw / r2 * 100,
        "share_ci_low": slo, "share_ci_high": shi, "correlation": r[0, :p, p], "performance": np.nanmean(x, axis=0),
        "vif": vif, "n": counts[0, :p, p].astype(int)})
    order = np.argsort(-raw, kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    table.insert(1, "rank", np.arange(1, p + 1))
    boot = boot[:, order]
    messages += _driver_notes(table, cond, outcome, n, p)
    return DriverResult(table=table, outcome=outcome, r2=r2, r2_ci_low=float(r2_lo), r2_ci_high=float(r2_hi),
                        n=n if missing == "listwise" else n_y, missing=missing, condition_index=cond, boot=boot,
                        confidence=confidence, messages=tuple(messages), ratings=x[:, order],
                        scale=_rating_scale(x, scale))


# --------------------------------------------------------------------------------------
# what the chart may show: do the mean ratings differ, is one driver dominant?


@dataclass(frozen=True)
class PerformanceSpread:
    """Do the drivers' mean ratings differ enough to rank their performance? (:func:`performance_spread`)

    Attributes
    ----------
    highest, lowest : the drivers with the highest and the lowest mean rating
    diff : mean rating of ``highest`` minus that of ``lowest`` (points), on the responses that rated both
    ci_low, ci_high : paired t interval of ``diff``, Bonferroni-adjusted for the k(k − 1)/2 pairs of drivers
    threshold : the smallest ``diff`` that counts (points): ``min_spread`` x the width of ``scale``
    scale : (lowest, highest) possible rating
    n : responses that rated both drivers
    confidence : confidence level of the interval (before the adjustment)
    """

    highest: str
    lowest: str
    diff: float
    ci_low: float
    ci_high: float
    threshold: float
    scale: tuple
    n: int
    confidence: float = 0.95

    @property
    def large(self) -> bool:
        """The spread exceeds the threshold."""
        return bool(self.diff > self.threshold)

    @property
    def significant(self) -> bool:
        """The interval of the spread excludes 0."""
        return bool(self.ci_low > 0)

    @property
    def meaningful(self) -> bool:
        """Both: a performance axis (the quadrant chart) says something."""
        return self.large and self.significant


def _rating_scale(x: np.ndarray, scale) -> tuple[float, float]:
    """``scale`` checked, or the first of :data:`_SCALES` that holds every rating (else the observed range)."""
    if scale is not None:
        lo, hi = (float(v) for v in scale)
        if not hi > lo:
            raise ConfigError(f"scale={scale!r} - expected (lowest, highest) possible rating, e.g. (0, 10)")
        return lo, hi
    seen = x[np.isfinite(x)]
    if not seen.size:
        return _SCALES[-1]
    lo, hi = float(seen.min()), float(seen.max())
    return next((s for s in _SCALES if s[0] <= lo and hi <= s[1]), (lo, hi))


def performance_spread(result: DriverResult, *, min_spread: float = MIN_SPREAD,
                       scale: tuple[float, float] | None = None) -> PerformanceSpread:
    """Whether the drivers' mean ratings (their performance) differ enough to rank them.

    A performance axis - the quadrant chart's "fix first" (important, rated low) - says something only
    when the mean ratings really differ. They do when both hold:

    * **large**: the highest mean minus the lowest exceeds ``min_spread`` x the width of the rating
      scale (default 0.05: 0.5 points on 0-10, 0.2 points on 1-5, 0.3 points on 1-7);
    * **significant**: the paired t interval of that difference (responses that rated both drivers)
      excludes 0. The pair is picked after looking at the means, so the interval is Bonferroni-adjusted
      for all k(k − 1)/2 pairs of the k drivers (level 1 − (1 − confidence) / (k(k − 1)/2)).

    Parameters
    ----------
    result : DriverResult
        From :func:`relative_weights` (it keeps the ratings analysed).
    min_spread : float, default :data:`MIN_SPREAD` (0.05)
        Smallest spread worth ranking, as a share of the scale's width.
    scale : (float, float), optional
        (lowest, highest) possible rating; default ``result.scale``.

    Returns
    -------
    PerformanceSpread
        ``highest``, ``lowest``, ``diff``, ``ci_low``, ``ci_high``, ``threshold``, ``n``; ``.meaningful``
        is the decision (``.large`` and ``.significant`` its two parts).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> mood = rng.normal(size=400)
    >>> df = pd.DataFrame({"attr_a": np.clip(np.round(8 + mood + rng.normal(size=400)), 0, 10),
    ...                    "attr_b": np.clip(np.round(6 + mood + rng.normal(size=400)), 0, 10)})
    >>> df["nps"] = np.clip(np.round(7 + mood + rng.normal(size=400)), 0, 10)
    >>> s = performance_spread(relative_weights(df, n_boot=0))
    >>> s.highest, s.lowest, s.threshold, s.meaningful
    ('attr_a', 'attr_b', 0.5, True)
    """
    x = getattr(result, "ratings", None)
    if not isinstance(result, DriverResult) or x is None:
        raise ConfigError("performance_spread: expected the result of cx.relative_weights(...)")
    if not 0 <= float(min_spread) < 1:
        raise ConfigError(f"min_spread={min_spread!r} - expected a share of the scale's width, e.g. 0.05")
    lo_s, hi_s = _rating_scale(x, scale if scale is not None else result.scale)
    names = result.table["driver"].tolist()
    perf = result.table["performance"].to_numpy(dtype=float)
    a, b = int(np.nanargmax(perf)), int(np.nanargmin(perf))
    both = ~np.isnan(x[:, a]) & ~np.isnan(x[:, b])
    d = x[both, a] - x[both, b]
    k, n = len(names), int(both.sum())
    diff, lo, hi = float(d.mean()) if n else np.nan, np.nan, np.nan
    if n >= 2 and k >= 2:
        level = 1 - (1 - result.confidence) / (k * (k - 1) / 2)
        half = float(_stats.t.ppf(0.5 + level / 2, n - 1)) * float(d.std(ddof=1)) / np.sqrt(n)
        lo, hi = float(diff - half), float(diff + half)
    return PerformanceSpread(highest=names[a], lowest=names[b], diff=diff, ci_low=lo, ci_high=hi,
                             threshold=float(min_spread) * (hi_s - lo_s), scale=(lo_s, hi_s), n=n,
                             confidence=result.confidence)


def dominant_driver(result) -> str | None:
    """The driver clearly ahead of every other one, or None.

    With bootstrap resamples (a :class:`DriverResult`), the top driver is dominant when the paired
    interval of its weight minus each other driver's weight excludes 0 (:meth:`DriverResult.differences`).
    Given only a summary table, when the lower end of its share interval lies above the upper end of
    every other driver's.

    Parameters
    ----------
    result : DriverResult or DataFrame
        From :func:`relative_weights` (or its ``.summary``).

    Returns
    -------
    str or None
        The dominant driver's column name, or None (no driver is clearly ahead, or no intervals).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(500, 3)), columns=["attr_delivery", "attr_staff", "attr_price"])
    >>> df["nps"] = 2 * df.attr_delivery + df.attr_staff + rng.normal(size=500)
    >>> dominant_driver(relative_weights(df, n_boot=200))
    'attr_delivery'
    """
    table = getattr(result, "summary", result)
    needed = {"driver", "share", "share_ci_low", "share_ci_high"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns) or len(table) < 2:
        return None
    top = str(table["driver"].iloc[0])
    ahead = _ahead_of_all(result, top) if isinstance(result, DriverResult) and result.boot.size else \
        _above_all_intervals(table)
    return top if ahead else None


def _ahead_of_all(result: DriverResult, top: str) -> bool:
    """Every paired interval of weight(top) − weight(other) lies above 0."""
    d = result.differences()
    d = d[d["driver_a"] == top]
    return bool(len(d) == len(result.table) - 1 and d["distinct"].all() and (d["diff"] > 0).all())


def _above_all_intervals(table: pd.DataFrame) -> bool:
    """The first driver's share interval lies above every other driver's."""
    low, others = float(table["share_ci_low"].iloc[0]), table["share_ci_high"].iloc[1:].to_numpy(dtype=float)
    return bool(np.isfinite(low) and np.isfinite(others).all() and low > others.max())


# --------------------------------------------------------------------------------------
# the steps of relative_weights


def _check_driver_args(frame: pd.DataFrame, outcome: str, drivers, *, missing: str, n_boot: int) -> list[str]:
    """The driver columns (default: every ``attr_`` column), after checking the arguments against ``frame``."""
    if missing not in MISSING_METHODS:
        raise ConfigError(f"missing={missing!r} - expected one of {', '.join(MISSING_METHODS)}")
    if outcome not in frame.columns:
        raise ConfigError(f"outcome={outcome!r}: no such column; available: {', '.join(map(str, frame.columns))}")
    if drivers is None:
        drivers = [c for c in frame.columns if str(c).startswith("attr_")]
        if not drivers:
            raise ConfigError("no driver columns: name the rating columns with drivers=[...] "
                              "(by default every column starting with 'attr_' is used)")
    elif isinstance(drivers, str):
        drivers = [drivers]
    drivers = list(drivers)
    unknown = [d for d in drivers if d not in frame.columns]
    if unknown:
        raise ConfigError(f"drivers: no such column(s) {unknown}; available: {', '.join(map(str, frame.columns))}")
    if outcome in drivers:
        raise ConfigError(f"{outcome!r} is both the outcome and a driver; leave it out of drivers=")
    if len(set(drivers)) != len(drivers):
        raise ConfigError(f"drivers: a column is listed twice: {drivers}")
    if int(n_boot) < 0:
        raise ConfigError(f"n_boot={n_boot!r} - expected 0 (no intervals) or a number of resamples, e.g. 1000")
    return drivers


def _usable_ratings(frame: pd.DataFrame, outcome: str, drivers: list[str], missing: str):
    """Ratings ``x`` and overall scores ``y`` of the responses used, the number with a score, and the notes
    on what was left out (responses without the score; with ``missing="listwise"``, incomplete ratings)."""
    y = _numeric(frame, outcome)
    x = np.column_stack([_numeric(frame, d) for d in drivers])
    with_y = ~np.isnan(y)
    n_total, n_y = len(y), int(with_y.sum())
    x, y = x[with_y], y[with_y]
    complete = ~np.isnan(x).any(axis=1)
    messages = []
    if n_y < n_total:
        messages.append(f"{n_total - n_y:,} of {n_total:,} responses have no {outcome} and are left out.")
    miss_share = np.isnan(x).mean(axis=0) * 100 if n_y else np.zeros(len(drivers))
    if missing == "listwise":
        dropped = n_y - int(complete.sum())
        x, y = x[complete], y[complete]
        if dropped:
            worst = ", ".join(f"{d} {s:.0f}%" for d, s in sorted(zip(drivers, miss_share), key=lambda t: -t[1])[:3])
            messages.append(f"Missing ratings: {dropped:,} of {n_y:,} responses with {outcome} did not rate every "
                            f"driver and are left out (listwise; most often missing: {worst}). "
                            "missing='pairwise' keeps them.")
    elif (miss_share > 0).any():
        lo_s, hi_s = f"{miss_share.min():.0f}%", f"{miss_share.max():.0f}%"
        messages.append(f"Missing ratings: correlations use every pair of ratings given (pairwise), "
                        f"{lo_s if lo_s == hi_s else lo_s[:-1] + '-' + hi_s} missing per driver; "
                        "R² and weights then rest on different subsets of responses.")
    return x, y, n_y, messages


def _standardised(x: np.ndarray, y: np.ndarray, drivers: list[str], outcome: str) -> np.ndarray:
    """Drivers and outcome (last column) as z-scores; a column without variation is an error."""
    z = np.column_stack([x, y])
    mu, sd = np.nanmean(z, axis=0), np.nanstd(z, axis=0)
    constant = [c for c, s in zip(drivers + [outcome], sd) if not s > 0]
    if constant:
        raise ConfigError(f"column(s) {constant} have the same value (or no value) in every usable response; "
                          "a driver analysis needs variation - leave them out")
    return (z - mu) / sd


def _correlations(distinct: tuple, drivers: list[str], outcome: str, missing: str):
    """Correlations and counts of :func:`_corr_batch` on all rows (the distinct rows of
    :func:`_distinct_rows`, each weighted by its count), and the eigenvalues of the driver correlations;
    drivers rated too rarely or perfectly collinear are an error."""
    p = len(drivers)
    zz, count = distinct[:2]
    r, counts = _corr_batch(zz, count[None, :])
    rxx = r[0, :p, :p]
    few = [d for d, c in zip(drivers, counts[0, :p, p]) if c < p + 3]
    if few:
        raise InsufficientDataError(f"too few responses rated {few} together with {outcome} "
                                    f"(at least {p + 3} needed); leave these drivers out")
    ev = np.linalg.eigvalsh(rxx)
    if not np.isfinite(rxx).all() or ev.min() <= 1e-10 * max(ev.max(), 1.0):
        hint = (", or the pairwise correlations are inconsistent; try missing='listwise'"
                if missing == "pairwise" else "")
        raise ConfigError("the drivers are perfectly collinear (one is a combination of the others"
                          f"{hint}); leave out duplicated or summed rating columns")
    return r, counts, ev


def _bootstrap(z: np.ndarray, *, n_boot: int, seed: int, confidence: float, messages: list, distinct=None):
    """Bootstrap raw weights (``n_boot`` x drivers) and the percentile intervals of the weights, the
    shares and R² (NaN without resamples); a note is added when resamples were unusable. ``distinct``:
    ``_distinct_rows(z, inverse=True)``, when the caller has it."""
    p = z.shape[1] - 1
    alpha = 1 - confidence
    boot = np.empty((0, p))
    lo = hi = slo = shi = np.full(p, np.nan)
    r2_lo = r2_hi = np.nan
    if n_boot:
        rng = np.random.default_rng(seed)
        parts, r2s = [], []
        large = len(z) * int(n_boot) > EXACT_RESAMPLING_CELLS
        batches = ([_normal_corr_replicates(z, int(n_boot), rng, distinct=distinct)] if large else
                   _exact_corr_replicates(z, int(n_boot), rng, distinct=distinct))
        for rb in batches:
            wb, r2b = _weights_from_corr(rb)
            parts.append(wb)
            r2s.append(r2b)
        boot, r2b = np.vstack(parts), np.concatenate(r2s)
        ok = ~np.isnan(boot).any(axis=1)
        if (~ok).sum():
            messages.append(f"{(~ok).sum()} of {n_boot} bootstrap resamples had collinear drivers and were skipped.")
        if ok.sum() >= 2:
            lo, hi = np.quantile(boot[ok], [alpha / 2, 1 - alpha / 2], axis=0)
            shares = boot[ok] / r2b[ok, None] * 100
            slo, shi = np.quantile(shares, [alpha / 2, 1 - alpha / 2], axis=0)
            r2_lo, r2_hi = np.quantile(r2b[ok], [alpha / 2, 1 - alpha / 2])
    return boot, (lo, hi, slo, shi, r2_lo, r2_hi)


def _driver_notes(table: pd.DataFrame, cond: float, outcome: str, n: int, p: int) -> list[str]:
    """Notes on collinearity (VIF, condition index), negative correlations and too few responses."""
    messages = []
    high = table[table["vif"] > VIF_WARN[0]]
    if len(high):
        level = "severe" if (high["vif"] > VIF_WARN[1]).any() else "moderate"
        messages.append(f"Collinearity is {level}: VIF above {VIF_WARN[0]:.0f} for "
                        f"{', '.join(f'{d} ({v:.1f})' for d, v in zip(high['driver'], high['vif']))}. "
                        "Relative weights share the overlap fairly, but how it is split between these "
                        "drivers is uncertain: read their intervals and differences().")
    if cond > 30:
        messages.append(f"Condition index {cond:.0f} (> 30): the drivers are nearly redundant.")
    neg = table.loc[table["correlation"] < 0, "driver"].tolist()
    if neg:
        messages.append(f"Higher ratings of {', '.join(neg)} go with a lower {outcome} (negative correlation); "
                        "weights are unsigned.")
    if n < 50 + 8 * p:
        messages.append(f"Only {n} responses for {p} drivers (rule of thumb: at least 50 + 8 x drivers = "
                        f"{50 + 8 * p}); weights will be unstable.")
    return messages
