"""A fair league table of units by NPS: funnel limits and partial pooling (empirical Bayes).

A small unit tops or bottoms a raw league table by noise. Two remedies, both on the counts of
promoters, passives and detractors per unit:

* :func:`funnel_limits` / :func:`funnel_verdicts`: Spiegelhalter's (2005) funnel plot, limits around
  the company NPS that narrow as n grows; a unit outside them differs by more than chance;
* :func:`shrink_nps`: each unit's NPS pulled towards the mean of all units, the more the fewer its
  answers (normal-normal model, between-unit variance by DerSimonian-Laird);
* :func:`rank_units`: both together, with the rank by the shrunk NPS and a rank interval per unit
  from a seeded simulation of the posterior (:class:`UnitRanking`; drawn by :func:`cxkit.plot_funnel`).

Input is either raw answers (a 0-10 column and a unit column, counted by
:func:`~cxkit.stats.metrics.metric_table`) or a table of counts per unit with the columns
``promoters``, ``passives`` and ``detractors`` (what ``metric_table(..., metric="nps")`` returns).

Methods and sources are explained in ``docs/statistics.md``, section 14.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._printer import Result, format_number
from ..errors import ConfigError, InsufficientDataError
from .metrics import metric_table
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")

__all__ = ["funnel_limits", "funnel_verdicts", "shrink_nps", "rank_units", "UnitRanking"]

_COUNTS = ("detractors", "passives", "promoters")
#: the Rocks (2016) adjustment of the NPS interval, used for each unit's sampling variance
_ADD = np.array([0.75, 1.5, 0.75])


# --------------------------------------------------------------------------------------
# counts per unit


def _unit_counts(data: pd.DataFrame, by: str, score: str) -> pd.DataFrame:
    """One row per unit with answers: ``by``, ``n``, ``detractors``, ``passives``, ``promoters``, ``nps``."""
    if not isinstance(data, pd.DataFrame):
        raise ConfigError("expected a DataFrame of answers (a unit and a 0-10 column) or of counts per unit")
    if by not in data.columns:
        raise ConfigError(f"by={by!r}: no such column; available: {', '.join(map(str, data.columns))}")
    if set(_COUNTS) <= set(data.columns):
        counts = data[[by, *_COUNTS]].dropna(subset=[by])
        values = counts[list(_COUNTS)].to_numpy(dtype=float)
        if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
            raise ConfigError("promoters, passives and detractors must be whole numbers >= 0 for every unit")
        counts = counts.groupby(by, sort=True, observed=True)[list(_COUNTS)].sum().reset_index()
    else:
        if score not in data.columns:
            raise ConfigError(f"score={score!r}: no such column, and no promoters/passives/detractors counts; "
                              f"available: {', '.join(map(str, data.columns))}")
        answers = data[[by, score]].rename(columns={score: "nps"})
        counts = metric_table(answers, metric="nps", by=by)[[by, *_COUNTS]]
    counts = counts.astype({c: "int64" for c in _COUNTS})
    n = counts[list(_COUNTS)].sum(axis=1)
    counts.insert(1, "n", n)
    counts = counts[n > 0].reset_index(drop=True)
    counts["nps"] = 100.0 * (counts["promoters"] - counts["detractors"]) / counts["n"]
    return counts


def _company(counts: pd.DataFrame) -> tuple[float, float]:
    """Pooled company NPS (points) and the variance of one +1/0/-1 answer, V = p + d - (p - d)^2."""
    total = counts[list(_COUNTS)].to_numpy(dtype=float).sum(axis=0)
    d, p = total[0] / total.sum(), total[2] / total.sum()
    return 100.0 * (p - d), p + d - (p - d) ** 2


# --------------------------------------------------------------------------------------
# funnel limits (Spiegelhalter 2005)


def _z(levels) -> tuple[tuple[float, float], np.ndarray]:
    levels = tuple(float(v) for v in levels)
    if len(levels) != 2 or not 0 < levels[0] < levels[1] < 1:
        raise ConfigError(f"levels={levels}: expected two increasing levels between 0 and 1, e.g. (0.95, 0.998)")
    return levels, stats.norm.ppf(0.5 + np.asarray(levels) / 2)


def _limits(company: float, variance: float, n, z):
    """Lower and upper limits (points) at each n for each z: arrays of shape (len(n), len(z)), clipped to ±100."""
    half = 100.0 * np.outer(np.sqrt(variance / np.asarray(n, dtype=float)), np.atleast_1d(z))
    return np.clip(company - half, -100, 100), np.clip(company + half, -100, 100)


def _level_name(level: float) -> str:
    return f"{100 * level:g}%"


def _grid(n_units: np.ndarray, points: int = 200) -> np.ndarray:
    lo, hi = max(1, int(n_units.min() // 2)), int(np.ceil(n_units.max() * 1.2))
    return np.unique(np.round(np.geomspace(lo, max(hi, lo + 1), points)).astype(int))


def funnel_limits(data: pd.DataFrame, *, by: str = "unit", score: str = "nps", n=None,
                  levels: tuple[float, float] = (0.95, 0.998)) -> pd.DataFrame:
    """Funnel-plot limits of unit NPS around the company NPS, over a grid of sample sizes.

    Parameters
    ----------
    data : DataFrame
        Raw answers (a unit column and a 0-10 column) or counts per unit (a unit column and
        ``promoters``, ``passives``, ``detractors``, e.g. from ``metric_table(metric="nps")``).
    by : str
        The unit column, default ``"unit"``.
    score : str
        The 0-10 column of raw answers, default ``"nps"`` (ignored for counts).
    n : array-like of int, optional
        Sample sizes to compute the limits at; default 200 points from half the smallest unit's n to
        1.2 times the largest, evenly spaced on a log scale.
    levels : tuple of float
        The inner and outer limits, default 95% and 99.8% (z = 1.96 and 3.09).

    Returns
    -------
    DataFrame
        One row per sample size and level: ``n``, ``level`` (0.95, 0.998), ``z``, ``company`` (pooled
        company NPS, points), ``lower``, ``upper`` (the limits in points, clipped to -100..100).
        ``attrs`` holds ``company`` and ``variance`` (V of one answer).

    Notes
    -----
    With p and d the company's shares of promoters and detractors (all answers pooled), company NPS
    c = 100 (p - d) and V = p + d - (p - d)^2, the limits at n answers are c ± z · 100 · sqrt(V / n)
    (Spiegelhalter 2005, the normal approximation; z = 1.96 for 95%, 3.09 for 99.8%).

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185-1202.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"unit": list("ABCDEF"), "promoters": [420, 300, 260, 12, 5, 150],
    ...                        "passives": [300, 200, 240, 5, 3, 100], "detractors": [280, 200, 100, 3, 4, 150]})
    >>> funnel_limits(counts, n=[100]).round(3)
         n  level     z  company   lower   upper
    0  100  0.950  1.96   15.007  -1.001  31.015
    1  100  0.998  3.09   15.007 -10.232  40.247
    """
    counts = _unit_counts(data, by, score)
    if counts.empty:
        raise InsufficientDataError("funnel_limits needs answers; the data have none")
    company, variance = _company(counts)
    levels, z = _z(levels)
    grid = _grid(counts["n"].to_numpy()) if n is None else np.asarray(n, dtype=int).ravel()
    if grid.size == 0 or (grid <= 0).any():
        raise ConfigError("n: expected sample sizes of at least 1")
    lower, upper = _limits(company, variance, grid, z)
    out = pd.DataFrame({"n": np.repeat(grid, len(z)), "level": np.tile(levels, grid.size),
                        "z": np.tile(z, grid.size), "company": company, "lower": lower.ravel(),
                        "upper": upper.ravel()})
    out.attrs.update(company=company, variance=variance)
    return out


def _verdicts(nps, n, company: float, variance: float, levels, z) -> np.ndarray:
    """'inside', 'above 95%', 'above 99.8%', 'below 95%', 'below 99.8%' for each unit."""
    lower, upper = _limits(company, variance, n, z)
    nps = np.asarray(nps, dtype=float)
    out = np.full(nps.shape, "inside", dtype=object)
    for i in range(len(z)):  # the outer level overwrites the inner one
        out[nps > upper[:, i]] = f"above {_level_name(levels[i])}"
        out[nps < lower[:, i]] = f"below {_level_name(levels[i])}"
    return out


def funnel_verdicts(data: pd.DataFrame, *, by: str = "unit", score: str = "nps",
                    levels: tuple[float, float] = (0.95, 0.998)) -> pd.DataFrame:
    """Each unit's NPS against the funnel limits at its own n: inside, above or below.

    Parameters
    ----------
    data : DataFrame
        Raw answers (a unit column and a 0-10 column) or counts per unit (``promoters``,
        ``passives``, ``detractors``), as for :func:`funnel_limits`.
    by : str
        The unit column, default ``"unit"``.
    score : str
        The 0-10 column of raw answers, default ``"nps"`` (ignored for counts).
    levels : tuple of float
        The inner and outer limits, default 95% and 99.8%.

    Returns
    -------
    DataFrame
        One row per unit with answers: the unit column, ``n``, ``detractors``, ``passives``,
        ``promoters``, ``nps`` (points), ``lower_inner``, ``upper_inner``, ``lower_outer``,
        ``upper_outer`` (the limits at the unit's n, points) and ``funnel``: ``"inside"``,
        ``"above 95%"``, ``"above 99.8%"``, ``"below 95%"`` or ``"below 99.8%"`` (strictly outside
        the limit). ``attrs`` holds ``company``, ``variance`` and ``levels``.

    Notes
    -----
    The limits are those of :func:`funnel_limits`. A unit outside the 95% limits is expected about
    one time in 20 when all units are alike, outside the 99.8% limits one time in 500; the company
    value includes every unit, so a large unit pulls it towards itself.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185-1202.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"unit": list("ABCDEF"), "promoters": [420, 300, 260, 12, 5, 150],
    ...                        "passives": [300, 200, 240, 5, 3, 100], "detractors": [280, 200, 100, 3, 4, 150]})
    >>> funnel_verdicts(counts)[["unit", "n", "nps", "funnel"]].round(1)
      unit     n   nps       funnel
    0    A  1000  14.0       inside
    1    B   700  14.3       inside
    2    C   600  26.7  above 99.8%
    3    D    20  45.0       inside
    4    E    12   8.3       inside
    5    F   400   0.0  below 99.8%
    """
    counts = _unit_counts(data, by, score)
    if counts.empty:
        raise InsufficientDataError("funnel_verdicts needs answers; the data have none")
    company, variance = _company(counts)
    levels, z = _z(levels)
    lower, upper = _limits(company, variance, counts["n"].to_numpy(), z)
    out = counts.assign(lower_inner=lower[:, 0], upper_inner=upper[:, 0], lower_outer=lower[:, 1],
                        upper_outer=upper[:, 1],
                        funnel=_verdicts(counts["nps"], counts["n"].to_numpy(), company, variance, levels, z))
    out.attrs.update(company=company, variance=variance, levels=levels)
    return out


# --------------------------------------------------------------------------------------
# partial pooling (empirical Bayes, normal-normal)


def _dersimonian_laird(y: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """Between-unit variance tau^2 (method of moments, truncated at 0) and Cochran's Q."""
    w = 1.0 / v
    sw = w.sum()
    mu_fixed = (w * y).sum() / sw
    q = float((w * (y - mu_fixed) ** 2).sum())
    c = sw - (w ** 2).sum() / sw
    return max(0.0, (q - (y.size - 1)) / c), q


def _sampling_variance(counts: pd.DataFrame) -> np.ndarray:
    """Each unit's variance of its NPS (points^2): 100^2 V / (n + 3) from the adjusted counts (Rocks 2016)."""
    c = counts[list(_COUNTS)].to_numpy(dtype=float) + _ADD
    m = c.sum(axis=1)
    d, p = c[:, 0] / m, c[:, 2] / m
    return 100.0 ** 2 * (p + d - (p - d) ** 2) / m


def shrink_nps(data: pd.DataFrame, *, by: str = "unit", score: str = "nps") -> pd.DataFrame:
    """Each unit's NPS pulled towards the mean of all units by how little it has to say (partial pooling).

    Parameters
    ----------
    data : DataFrame
        Raw answers (a unit column and a 0-10 column) or counts per unit (``promoters``,
        ``passives``, ``detractors``), as for :func:`funnel_limits`.
    by : str
        The unit column, default ``"unit"``.
    score : str
        The 0-10 column of raw answers, default ``"nps"`` (ignored for counts).

    Returns
    -------
    DataFrame
        One row per unit with answers: the unit column, ``n``, ``detractors``, ``passives``,
        ``promoters``, ``nps`` (the unit's own NPS, points), ``se`` (its standard error), ``weight``
        (B, the weight of the unit's own NPS, 0..1), ``nps_shrunk`` (points) and ``posterior_sd``
        (points). ``attrs``: ``mu`` (the mean of all units), ``mu_se``, ``tau2`` and ``tau`` (the
        spread of true unit NPS, points), ``q`` (Cochran's Q) and ``company`` (pooled NPS).

    Raises
    ------
    InsufficientDataError
        Fewer than two units with answers.

    Notes
    -----
    Normal-normal model: the unit's NPS y_i = 100 (p_i - d_i) ~ N(theta_i, s_i^2), the true values
    theta_i ~ N(mu, tau^2). s_i^2 = 100^2 V_i / (n_i + 3) with V_i = p + d - (p - d)^2 of the unit's
    counts after adding 0.75 detractors, 1.5 passives and 0.75 promoters (the adjusted-Wald NPS
    interval, Rocks 2016): a small unit whose answers are all promoters keeps a variance above zero.
    tau^2 by DerSimonian-Laird: w_i = 1 / s_i^2, Q = sum w_i (y_i - ybar_w)^2,
    tau^2 = max(0, (Q - (k - 1)) / (sum w_i - sum w_i^2 / sum w_i)); mu = sum w*_i y_i / sum w*_i with
    w*_i = 1 / (s_i^2 + tau^2). The shrunk NPS is mu + B_i (y_i - mu), B_i = tau^2 / (tau^2 + s_i^2)
    (Efron & Morris 1975); its posterior variance B_i s_i^2 + (1 - B_i)^2 / sum w*_i includes the
    uncertainty of mu. With tau^2 = 0 every unit is shrunk to mu: the data show no differences between
    units beyond chance.

    References
    ----------
    DerSimonian, R., Laird, N. (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7,
    177-188. Efron, B., Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. JASA 70, 311-319.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"unit": list("ABCDEF"), "promoters": [420, 300, 260, 12, 5, 150],
    ...                        "passives": [300, 200, 240, 5, 3, 100], "detractors": [280, 200, 100, 3, 4, 150]})
    >>> shrink_nps(counts)[["unit", "n", "nps", "weight", "nps_shrunk"]].round(2)
      unit     n    nps  weight  nps_shrunk
    0    A  1000  14.00    0.93       14.14
    1    B   700  14.29    0.90       14.45
    2    C   600  26.67    0.91       25.65
    3    D    20  45.00    0.26       23.33
    4    E    12   8.33    0.15       14.69
    5    F   400   0.00    0.82        2.85
    """
    counts = _unit_counts(data, by, score)
    if len(counts) < 2:
        raise InsufficientDataError(f"shrink_nps needs at least two units with answers; got {len(counts)}")
    y = counts["nps"].to_numpy(dtype=float)
    s2 = _sampling_variance(counts)
    tau2, q = _dersimonian_laird(y, s2)
    w_star = 1.0 / (s2 + tau2)
    mu = float((w_star * y).sum() / w_star.sum())
    mu_var = 1.0 / w_star.sum()
    b = tau2 / (tau2 + s2)
    out = counts.assign(se=np.sqrt(s2), weight=b, nps_shrunk=mu + b * (y - mu),
                        posterior_sd=np.sqrt(b * s2 + (1 - b) ** 2 * mu_var))
    out.attrs.update(mu=mu, mu_se=float(np.sqrt(mu_var)), tau2=float(tau2), tau=float(np.sqrt(tau2)), q=q,
                     company=_company(counts)[0])
    return out


# --------------------------------------------------------------------------------------
# the ranking


def _rank_draws(shrunk: pd.DataFrame, draws: int, seed: int) -> np.ndarray:
    """Ranks (1 = best) of each unit in ``draws`` joint draws of the true NPS from the posterior.

    mu is drawn once per draw (it is shared by all units), then each theta_i given mu independently;
    exact ties (tau^2 = 0: every unit equals mu) are broken at random.
    """
    rng = np.random.default_rng(seed)
    y, s2, b = (shrunk[c].to_numpy(dtype=float) for c in ("nps", "se", "weight"))
    s2 = s2 ** 2
    a = shrunk.attrs
    mu = rng.normal(a["mu"], a["mu_se"], size=(draws, 1))
    theta = mu + b * (y - mu) + rng.standard_normal((draws, y.size)) * np.sqrt(b * s2)
    order = np.lexsort((rng.random(theta.shape), -theta), axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, y.size + 1)[None, :], axis=1)
    return ranks


@dataclass(frozen=True, eq=False)
class UnitRanking(Result):
    """Units ranked by their shrunk NPS, with rank intervals and funnel verdicts (:func:`rank_units`).

    Attributes
    ----------
    table : DataFrame
        One row per unit, every column of :func:`shrink_nps` and :func:`funnel_verdicts` plus
        ``rank``, ``rank_low``, ``rank_high``; ``summary`` shows the main ones.
    limits : DataFrame
        The funnel limits over a grid of n (:func:`funnel_limits`), for the plot.
    by : str
        The unit column.
    company : float
        The pooled company NPS (points): the funnel's centre.
    mu, tau : float
        The mean of the units and the spread of their true NPS (points, DerSimonian-Laird).
    draws, seed : int
        The posterior simulation behind the rank intervals.
    confidence : float
        The level of the rank intervals.
    """

    table: pd.DataFrame
    limits: pd.DataFrame
    by: str
    company: float
    mu: float
    tau: float
    draws: int
    seed: int
    confidence: float = 0.95
    levels: tuple = (0.95, 0.998)
    extra_notes: tuple = field(default=(), compare=False)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{len(self.table)} {self.by}s ranked by NPS with partial pooling " \
               f"(company NPS {format_number(self.company)})"

    @property
    def summary(self) -> pd.DataFrame:
        cols = [self.by, "n", "nps", "nps_shrunk", "weight", "rank", "rank_low", "rank_high", "funnel"]
        return self.table[cols].sort_values(["rank", self.by]).reset_index(drop=True)

    @property
    def notes(self):
        level = f"{self.confidence:.0%}"
        return [f"The spread of true {self.by} NPS is estimated at {format_number(self.tau)} points "
                f"(DerSimonian-Laird); each {self.by}'s NPS is pulled towards {format_number(self.mu)} "
                f"by 1 - weight.",
                f"Rank intervals: {level} of {self.draws} draws from the posterior (seed {self.seed}); "
                f"1 = highest NPS.",
                *self.extra_notes]

    def _repr_html_(self) -> str:
        return Result._repr_html_(self)

    def __str__(self) -> str:
        return Result.__str__(self)

    __repr__ = __str__


def rank_units(data: pd.DataFrame, *, by: str = "unit", score: str = "nps", confidence: float = 0.95,
               draws: int = 4000, seed: int = 2005, levels: tuple[float, float] = (0.95, 0.998)) -> UnitRanking:
    """A fair league table: units ranked by shrunk NPS, with rank intervals and funnel verdicts.

    Parameters
    ----------
    data : DataFrame
        Raw answers (a unit column and a 0-10 column) or counts per unit (``promoters``,
        ``passives``, ``detractors``), as for :func:`funnel_limits`.
    by : str
        The unit column, default ``"unit"``.
    score : str
        The 0-10 column of raw answers, default ``"nps"`` (ignored for counts).
    confidence : float
        Level of the rank intervals, default 0.95 (the 2.5% and 97.5% quantiles of the ranks).
    draws : int
        Number of draws from the posterior, default 4000.
    seed : int
        Seed of the simulation (``numpy.random.default_rng``), default 2005: the same data give the
        same intervals.
    levels : tuple of float
        The funnel's inner and outer limits, default 95% and 99.8%.

    Returns
    -------
    UnitRanking
        ``summary``: one row per unit, best first: the unit column, ``n``, ``nps``, ``nps_shrunk``,
        ``weight``, ``rank`` (1 = highest shrunk NPS; ties share the best rank), ``rank_low``,
        ``rank_high`` (the rank interval) and ``funnel`` (the verdict of :func:`funnel_verdicts`).

    Raises
    ------
    InsufficientDataError
        Fewer than two units with answers.

    Notes
    -----
    The shrunk NPS is that of :func:`shrink_nps`. Rank intervals: ``draws`` joint draws of every
    unit's true NPS from its normal posterior (mu drawn once per draw, then each unit given mu), the
    units ranked in each draw, and the (1 - confidence)/2 and (1 + confidence)/2 quantiles of each
    unit's ranks. A unit "plausibly 2nd-6th" has rank_low 2 and rank_high 6.

    References
    ----------
    Spiegelhalter, D. J. (2005). Statistics in Medicine 24, 1185-1202. DerSimonian, R., Laird, N.
    (1986). Controlled Clinical Trials 7, 177-188. Efron, B., Morris, C. (1975). JASA 70, 311-319.
    Goldstein, H., Spiegelhalter, D. J. (1996). League tables and their limitations. JRSS A 159,
    385-443.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"unit": list("ABCDEF"), "promoters": [420, 300, 260, 12, 5, 150],
    ...                        "passives": [300, 200, 240, 5, 3, 100], "detractors": [280, 200, 100, 3, 4, 150]})
    >>> rank_units(counts).summary[["unit", "n", "nps", "nps_shrunk", "rank", "rank_low", "rank_high",
    ...                                 "funnel"]].round(1)
      unit     n   nps  nps_shrunk  rank  rank_low  rank_high       funnel
    0    C   600  26.7        25.7     1         1          3  above 99.8%
    1    D    20  45.0        23.3     2         1          5       inside
    2    E    12   8.3        14.7     3         1          6       inside
    3    B   700  14.3        14.4     4         2          5       inside
    4    A  1000  14.0        14.1     5         2          5       inside
    5    F   400   0.0         2.9     6         5          6  below 99.8%
    """
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence={confidence}: expected a level between 0 and 1, e.g. 0.95")
    if int(draws) < 100:
        raise ConfigError(f"draws={draws}: expected at least 100 draws from the posterior")
    shrunk = shrink_nps(data, by=by, score=score)
    verdicts = funnel_verdicts(shrunk[[by, *_COUNTS]], by=by, levels=levels)
    table = shrunk.assign(**{c: verdicts[c].to_numpy() for c in
                             ("lower_inner", "upper_inner", "lower_outer", "upper_outer", "funnel")})
    ranks = _rank_draws(shrunk, int(draws), int(seed))
    alpha = (1 - confidence) / 2
    low, high = np.quantile(ranks, [alpha, 1 - alpha], axis=0, method="inverted_cdf")
    table["rank"] = table["nps_shrunk"].rank(ascending=False, method="min").astype(int)
    table["rank_low"], table["rank_high"] = low.astype(int), high.astype(int)
    a = shrunk.attrs
    extra = () if a["tau2"] > 0 else (f"No differences between {by}s beyond chance (tau = 0): every {by} is "
                                      f"shrunk to the same value and the ranking is a tie.",)
    return UnitRanking(table=table, limits=funnel_limits(shrunk[[by, *_COUNTS]], by=by, levels=levels), by=by,
                       company=a["company"], mu=a["mu"], tau=a["tau"], draws=int(draws), seed=int(seed),
                       confidence=confidence, levels=tuple(levels), extra_notes=extra)
