"""CX metrics with their sample size and a confidence interval that covers.

NPS in points (-100..100), shares (CSAT, CES top-box, churn) in percent
(0..100), times in hours, money in the data's currency. Every function returns
an :class:`Estimate`; :func:`metric_table` returns the same per group as a tidy
DataFrame. Intervals are computed from counts, vectorised (see :mod:`.intervals`),
so a table over hundreds of units costs about as much as counting.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from .._printer import Result, format_number
from ..errors import ConfigError, InsufficientDataError
from .intervals import (_mean_interval, _median_ranks, _nps_interval, _poisson_interval, _share_interval,
                        bootstrap_counts)
# imported from here by other parts of cxkit (drivers, outcomes, text); they live in .intervals
from .intervals import _z as _z

__all__ = [
    "Estimate", "nps", "nps_from_counts", "nps_counts", "nps_group", "csat", "ces", "ces_mean", "share",
    "first_response_time", "churn_rate", "churn_hazard", "cac", "cost_to_serve",
    "clv_formula", "clv_retention_formula", "clv", "metric_table", "METRICS", "NPS_BANDS",
]

#: Default NPS bands: detractors 0-6, passives 7-8, promoters 9-10.
NPS_BANDS = {"detractors": (0, 6), "passives": (7, 8), "promoters": (9, 10)}
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Estimate(Result):
    """A metric with its interval.

    Attributes
    ----------
    metric : name, e.g. ``"nps"``
    value : point estimate (NPS points, percent, hours, currency)
    ci_low, ci_high : confidence interval
    n : number of observations behind it
    method : interval method
    confidence : confidence level, e.g. 0.95
    measured_in : ``"points"``, ``"%"``, ``"hours"``, ``"currency"``, ``"% per month"`` ...
    details : extra counts (promoters, passives, detractors, events, exposure ...)
    """

    metric: str
    value: float
    ci_low: float
    ci_high: float
    n: int
    method: str
    confidence: float = 0.95
    measured_in: str = ""
    details: dict = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.metric}: {format_number(self.value)} {self.measured_in} " \
               f"({self.confidence:.0%} CI {format_number(self.ci_low)} to {format_number(self.ci_high)}, n = {self.n})"

    @property
    def summary(self) -> pd.DataFrame:
        row = {"metric": self.metric, "value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high,
               "n": self.n, "measured_in": self.measured_in, "method": self.method, "confidence": self.confidence}
        row.update(self.details)
        return pd.DataFrame([row])

    def __float__(self) -> float:
        return float(self.value)

    def _repr_html_(self) -> str:
        return Result._repr_html_(self)

    def __str__(self) -> str:
        return self.title + f" [{self.method}]"

    __repr__ = __str__


def _scores(values, name: str) -> np.ndarray:
    arr = pd.Series(values).dropna()
    try:
        arr = arr.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected numbers; load the data with cxkit.load() to validate them") from None
    return arr


# --------------------------------------------------------------------------------------
# NPS


def _check_bands(bands: dict | None) -> dict:
    b = dict(NPS_BANDS)
    if bands:
        unknown = set(bands) - set(NPS_BANDS)
        if unknown:
            raise ConfigError(f"bands: unknown group(s) {sorted(unknown)}; expected detractors, passives, promoters")
        b.update({k: tuple(v) for k, v in bands.items()})
    edges = sorted(b.values())
    if edges[0][0] != 0 or edges[-1][1] != 10 or any(edges[i][1] + 1 != edges[i + 1][0] for i in range(2)):
        raise ConfigError(f"bands {b} must cover 0-10 without gaps or overlaps")
    return b


def nps_group(scores, *, bands: dict | None = None) -> pd.Series:
    """Label each 0-10 score as ``detractor``, ``passive`` or ``promoter``.

    Parameters
    ----------
    scores : array-like
        0-10 answers; missing values stay missing.
    bands : dict, optional
        NPS bands, e.g. ``{"passives": (7, 8)}``; default :data:`NPS_BANDS`.

    Returns
    -------
    Series
        Ordered categorical ``detractor`` < ``passive`` < ``promoter`` on the index of ``scores``.

    Examples
    --------
    >>> nps_group([0, 7, 10]).tolist()
    ['detractor', 'passive', 'promoter']
    """
    b = _check_bands(bands)
    s = pd.Series(scores)
    out = pd.Series(pd.NA, index=s.index, dtype="object")
    for label, (lo, hi) in (("detractor", b["detractors"]), ("passive", b["passives"]), ("promoter", b["promoters"])):
        out[(s >= lo) & (s <= hi)] = label
    return out.astype(pd.CategoricalDtype(["detractor", "passive", "promoter"], ordered=True))


def nps_counts(scores, *, bands: dict | None = None) -> tuple[int, int, int]:
    """Count (detractors, passives, promoters) in 0-10 scores; missing values ignored.

    Parameters
    ----------
    scores : array-like
        0-10 answers (whole numbers); missing values are ignored.
    bands : dict, optional
        NPS bands, e.g. ``{"passives": (7, 8)}``; default :data:`NPS_BANDS`.

    Returns
    -------
    tuple of int
        (detractors, passives, promoters).

    Examples
    --------
    >>> nps_counts([0, 6, 7, 8, 9, 10, 10])
    (2, 2, 3)
    """
    b = _check_bands(bands)
    arr = _scores(scores, "nps")
    if arr.size and (arr.min() < 0 or arr.max() > 10 or np.any(arr != np.round(arr))):
        raise ConfigError("nps: expected whole numbers 0-10")
    d = int(((arr >= b["detractors"][0]) & (arr <= b["detractors"][1])).sum())
    pa = int(((arr >= b["passives"][0]) & (arr <= b["passives"][1])).sum())
    p = int(((arr >= b["promoters"][0]) & (arr <= b["promoters"][1])).sum())
    return d, pa, p


def nps_from_counts(detractors: int, passives: int, promoters: int, *, method: str = "adjusted-wald",
                    confidence: float = 0.95) -> Estimate:
    """Net Promoter Score with a confidence interval, from counts.

    Parameters
    ----------
    detractors, passives, promoters : counts of answers 0-6, 7-8 and 9-10
    method : ``"adjusted-wald"`` (default), ``"wald"`` or ``"score"`` (Tango)
    confidence : confidence level

    Returns
    -------
    Estimate
        ``value`` = % promoters - % detractors in points; the interval in points.

    Notes
    -----
    With p and d the promoter and detractor shares, NPS = 100 (p - d).

    * ``wald``: V = p + d - (p - d)^2, SE = sqrt(V / n).
    * ``adjusted-wald`` (Rocks 2016): add 0.75 detractors, 1.5 passives and
      0.75 promoters (n + 3), then the Wald formula around the adjusted NPS.
    * ``score``: Tango's (1998) score interval for a difference of two
      multinomial proportions, solved iteratively (as R ``NPS``/``PropCIs``).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    The American Statistician 70(4), 365-372.
    Tango, T. (1998). Equivalence test and confidence interval for the difference
    in proportions for the paired-sample design. Statistics in Medicine 17, 891-908.

    Examples
    --------
    >>> nps_from_counts(20, 30, 50).summary[["value", "ci_low", "ci_high", "n"]].round(2)
       value  ci_low  ci_high    n
    0   30.0   14.05     44.2  100
    """
    counts = np.array([detractors, passives, promoters])
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ConfigError(f"counts must be whole numbers >= 0, got {tuple(counts)}")
    n = int(counts.sum())
    if n == 0:
        raise InsufficientDataError("NPS needs at least one answer; got 0")
    value, low, high = _nps_interval(detractors, passives, promoters, method, confidence)
    return Estimate("nps", float(value) * 100, float(low) * 100, float(high) * 100, n, method, confidence, "points",
                    {"detractors": int(detractors), "passives": int(passives), "promoters": int(promoters)})


def nps(scores, *, method: str = "adjusted-wald", confidence: float = 0.95, bands: dict | None = None) -> Estimate:
    """Net Promoter Score of 0-10 answers, with a confidence interval.

    See :func:`nps_from_counts` for the methods. Missing answers are ignored.

    Parameters
    ----------
    scores : array-like
        0-10 answers (whole numbers); missing values are ignored.
    method : str
        ``"adjusted-wald"`` (default), ``"wald"`` or ``"score"`` (Tango).
    confidence : float
        Confidence level, e.g. 0.95.
    bands : dict, optional
        NPS bands, e.g. ``{"passives": (7, 8)}``; default :data:`NPS_BANDS`.

    Returns
    -------
    Estimate
        NPS in points with its interval; ``details`` holds the three counts.

    Examples
    --------
    >>> nps([10, 9, 9, 8, 7, 3, 10, 10, 6, 9]).value  # 6 promoters, 2 detractors of 10
    40.0
    """
    d, pa, p = nps_counts(scores, bands=bands)
    return nps_from_counts(d, pa, p, method=method, confidence=confidence)


# --------------------------------------------------------------------------------------
# shares: CSAT, CES top-box, churn


def share(successes: int, n: int, *, method: str = "wilson", confidence: float = 0.95,
          metric: str = "share") -> Estimate:
    """A share in percent with a confidence interval (Wilson by default).

    Parameters
    ----------
    successes, n : count of "yes" and of all answers
    method : ``"wilson"`` (default), ``"jeffreys"``, ``"agresti-coull"``,
        ``"clopper-pearson"`` or ``"wald"``

    Returns
    -------
    Estimate
        The share in percent with its interval; ``details["successes"]``.

    Notes
    -----
    Wilson: centre (k + z^2/2) / (n + z^2), half-width
    z sqrt(k(n-k)/n + z^2/4) / (n + z^2). Computed with
    ``statsmodels.stats.proportion.proportion_confint``.

    References
    ----------
    Wilson, E. B. (1927). JASA 22, 209-212. Brown, Cai & DasGupta (2001),
    Interval estimation for a binomial proportion, Statistical Science 16, 101-133.

    Examples
    --------
    >>> share(81, 263).summary[["value", "ci_low", "ci_high"]].round(2)
       value  ci_low  ci_high
    0    30.8   25.53    36.62
    """
    if n <= 0:
        raise InsufficientDataError(f"{metric} needs at least one answer; got 0")
    if not 0 <= successes <= n:
        raise ConfigError(f"successes={successes} must be between 0 and n={n}")
    value, low, high = _share_interval(successes, n, method, confidence)
    return Estimate(metric, float(value) * 100, float(low) * 100, float(high) * 100, int(n), method, confidence, "%",
                    {"successes": int(successes)})


def _top_box(scale, box, name):
    lo, hi = (int(v) for v in scale)
    if box is None:
        box = (hi - 1, hi)
    box = (int(box[0]), int(box[1]))
    if not lo <= box[0] <= box[1] <= hi:
        raise ConfigError(f"{name}: the range {box} must lie inside the scale {lo}-{hi}")
    return (lo, hi), box


def _count_box(scores, scale, box, name):
    arr = _scores(scores, name)
    (lo, hi) = scale
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise ConfigError(f"{name}: values outside the scale {lo}-{hi} (min {arr.min():g}, max {arr.max():g}); "
                          f"set scale=")
    return int(((arr >= box[0]) & (arr <= box[1])).sum()), int(arr.size)


def csat(scores, *, scale: tuple[int, int] = (1, 5), satisfied: tuple[int, int] | None = None,
         method: str = "wilson", confidence: float = 0.95) -> Estimate:
    """Customer satisfaction: % of answers in the satisfied range (default top two boxes).

    CSAT = satisfied answers / all answers x 100 (the source material's formula).

    Parameters
    ----------
    scores : array-like
        Answers on the survey scale; missing values are ignored.
    scale : tuple of int
        Lowest and highest answer, default (1, 5).
    satisfied : tuple of int, optional
        The satisfied range, default the top two boxes of the scale.
    method : str
        Interval method, as :func:`share` (default ``"wilson"``).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % satisfied with its interval; ``details["satisfied"]`` names the range.

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1, 5, 2, 4]).value
    62.5
    >>> csat([7, 6, 5, 7], scale=(1, 7)).value  # satisfied = 6-7 on a 1-7 scale
    75.0
    """
    scale, box = _top_box(scale, satisfied, "csat")
    k, n = _count_box(scores, scale, box, "csat")
    est = share(k, n, method=method, confidence=confidence, metric="csat")
    return _with(est, satisfied=f"{box[0]}-{box[1]} of {scale[0]}-{scale[1]}")


def ces(scores, *, scale: tuple[int, int] = (1, 5), easy: tuple[int, int] | None = None,
        method: str = "wilson", confidence: float = 0.95) -> Estimate:
    """Customer effort score: % answering in the "easy" range (default 4-5 of 1-5).

    CES = answers 4-5 / all answers x 100 (the source material's formula). For
    the mean on a 1-7 scale use :func:`ces_mean`.

    Parameters
    ----------
    scores : array-like
        Answers on the survey scale; missing values are ignored.
    scale : tuple of int
        Lowest and highest answer, default (1, 5).
    easy : tuple of int, optional
        The "easy" range, default the top two boxes of the scale.
    method : str
        Interval method, as :func:`share` (default ``"wilson"``).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % easy with its interval; ``details["easy"]`` names the range.

    Examples
    --------
    >>> ces([5, 4, 3, 2, 5]).value
    60.0
    """
    scale, box = _top_box(scale, easy, "ces")
    k, n = _count_box(scores, scale, box, "ces")
    est = share(k, n, method=method, confidence=confidence, metric="ces")
    return _with(est, easy=f"{box[0]}-{box[1]} of {scale[0]}-{scale[1]}")


def _with(est: Estimate, **details) -> Estimate:
    return Estimate(est.metric, est.value, est.ci_low, est.ci_high, est.n, est.method, est.confidence, est.measured_in,
                    {**est.details, **details})


def _mean_estimate(arr, metric, unit, confidence, **details):
    n = arr.size
    if n == 0:
        raise InsufficientDataError(f"{metric} needs at least one value; got 0")
    mean = float(arr.mean())
    sd = float(arr.std(ddof=1)) if n > 1 else np.nan
    low, high = _mean_interval(mean, sd, n, confidence)
    return Estimate(metric, mean, float(low), float(high), n, "t", confidence, unit, {"sd": sd, **details})


def ces_mean(scores, *, scale: tuple[int, int] = (1, 7), confidence: float = 0.95) -> Estimate:
    """Mean effort score with a t interval (for 1-7 CES scales).

    Parameters
    ----------
    scores : array-like
        Answers on the survey scale; missing values are ignored.
    scale : tuple of int
        Lowest and highest answer, default (1, 7).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        Mean with its t interval; ``details["sd"]``.

    Examples
    --------
    >>> round(ces_mean([7, 6, 5, 7, 6]).value, 2)
    6.2
    """
    arr = _scores(scores, "ces")
    if arr.size and (arr.min() < scale[0] or arr.max() > scale[1]):
        raise ConfigError(f"ces: values outside the scale {scale[0]}-{scale[1]}; set scale=")
    return _mean_estimate(arr, "ces_mean", f"points of {scale[0]}-{scale[1]}", confidence)


# --------------------------------------------------------------------------------------
# response time


def _response_hours(tickets: pd.DataFrame) -> tuple[np.ndarray, int]:
    for c in ("created_at", "first_response_at"):
        if c not in tickets.columns:
            raise ConfigError(f"tickets: column {c!r} missing; expected a tickets table (see data/README.md)")
    hours = (tickets["first_response_at"] - tickets["created_at"]).dt.total_seconds() / 3600
    unanswered = int(hours.isna().sum())
    return hours.dropna().to_numpy(dtype=float), unanswered


def first_response_time(tickets: pd.DataFrame, *, statistic: str = "median", confidence: float = 0.95) -> Estimate:
    """Time to first response, in hours, from a tickets table.

    Parameters
    ----------
    tickets : table with ``created_at`` and ``first_response_at``; tickets not
        answered yet are left out and counted in ``details["unanswered"]``.
    statistic : ``"median"`` (default; order-statistic interval, distribution-free,
        covers at least 95% for any distribution) or ``"mean"`` (the source
        material's "average response time" = total time to first response /
        number of requests, with a t interval; response times are skewed, so
        this interval undercovers at small n - see docs/statistics.md).

    Returns
    -------
    Estimate
        Median (or mean) hours with its interval; ``details["unanswered"]``.

    Notes
    -----
    Median interval: ranks l = max(1, F^-1(alpha/2)) and u = n - l + 1 of the
    sorted times, F the Binomial(n, 1/2) distribution; coverage >= 1 - alpha.
    Needs n >= 6 at 95%.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-01 08:00"] * 3),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 09:00", "2025-01-01 11:00", None])})
    >>> first_response_time(t, statistic="mean").value, first_response_time(t).details["unanswered"]
    (2.0, 1)
    """
    hours, unanswered = _response_hours(tickets)
    if statistic == "mean":
        return _with(_mean_estimate(hours, "first_response_time", "hours", confidence), unanswered=unanswered)
    if statistic != "median":
        raise ConfigError(f"statistic={statistic!r} - expected 'mean' or 'median'")
    n = hours.size
    if n == 0:
        raise InsufficientDataError("first response time needs at least one answered ticket; got 0")
    x = np.sort(hours)
    lo_rank, hi_rank, ok = _median_ranks(n, confidence)
    low, high = (float(x[lo_rank - 1]), float(x[hi_rank - 1])) if ok else (np.nan, np.nan)
    return Estimate("first_response_time_median", float(np.median(x)), low, high, n, "order statistics", confidence,
                    "hours", {"unanswered": unanswered})


# --------------------------------------------------------------------------------------
# churn, CAC, cost to serve, CLV


def _as_ts(x):
    return None if x is None else pd.Timestamp(x)


def default_period(customers: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 12 months ending at the latest acquisition or churn date in the table."""
    last = max(x for x in (customers["churned_at"].max(), customers["acquired_at"].max()) if pd.notna(x))
    return last - pd.DateOffset(years=1), last


def _churn_columns(customers: pd.DataFrame):
    has_dates = "acquired_at" in customers.columns and "churned_at" in customers.columns
    has_flag = "churned" in customers.columns and "tenure_months" in customers.columns
    if not (has_dates or has_flag):
        raise ConfigError("customers: churn needs acquired_at and churned_at, or churned and tenure_months "
                          "(map your export's columns onto them)")
    return has_dates


def churn_rate(customers: pd.DataFrame, *, start=None, end=None, method: str = "wilson",
               confidence: float = 0.95) -> Estimate:
    """Period churn rate: customers who left in (start, end] / customers active at start, in %.

    The period defaults to the 12 months ending at the latest date in the table.
    Without dates (a snapshot export with a ``churned`` flag) it is the share
    of customers flagged as churned.

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``acquired_at`` and ``churned_at``, or a ``churned`` flag
        and ``tenure_months``.
    start, end : date-like, optional
        The period; default the 12 months ending at the latest date in the table.
    method : str
        Interval method, as :func:`share` (default ``"wilson"``).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % churned with its interval; ``details`` holds the period, churned and active at start.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"acquired_at": pd.to_datetime(["2024-01-01"] * 4 + ["2025-03-01"]),
    ...                   "churned_at": pd.to_datetime([None, "2025-02-01", None, "2024-06-01", None])})
    >>> churn_rate(c, start="2025-01-01", end="2025-12-31").value  # 1 of 3 active on 1 Jan left
    33.33333333333333
    """
    if _churn_columns(customers):
        d_start, d_end = default_period(customers)
        start = _as_ts(start) if start is not None else d_start
        end = _as_ts(end) if end is not None else d_end
        acquired, churned = customers["acquired_at"], customers["churned_at"]
        active = (acquired <= start) & (churned.isna() | (churned > start))
        left = active & churned.notna() & (churned <= end)
        k, n = int(left.sum()), int(active.sum())
        period = f"{start.date()} to {end.date()}"
    else:
        flag = customers["churned"].dropna().astype(bool)
        k, n = int(flag.sum()), int(flag.size)
        period = "snapshot (churned flag)"
    est = share(k, n, method=method, confidence=confidence, metric="churn_rate")
    return _with(est, period=period, churned=k, active_at_start=n)


def _exposure(customers: pd.DataFrame, start=None, end=None):
    """Events and customer-months at risk per customer (arrays)."""
    if _churn_columns(customers):
        acquired, churned = customers["acquired_at"], customers["churned_at"]
        d_start, d_end = default_period(customers)
        start = _as_ts(start) if start is not None else d_start
        end = _as_ts(end) if end is not None else d_end
        entry = acquired.where(acquired > start, start)
        exit_ = churned.where(churned.notna() & (churned < end), end)
        months = ((exit_ - entry).dt.total_seconds() / 86400 / DAYS_PER_MONTH).clip(lower=0).fillna(0).to_numpy()
        events = (churned.notna() & (churned > start) & (churned <= end)).to_numpy()
    else:
        months = customers["tenure_months"].astype(float).fillna(0).to_numpy()
        events = customers["churned"].fillna(False).astype(bool).to_numpy()
    return events.astype(float), months


def churn_hazard(customers: pd.DataFrame, *, start=None, end=None, confidence: float = 0.95) -> Estimate:
    """Monthly churn hazard: churn events / customer-months at risk, in % per month.

    Exposure counts from max(acquired_at, start) to min(churned_at, end); the
    period defaults to the 12 months ending at the latest date in the table.

    Exact (Garwood) Poisson interval: [chi2(alpha/2, 2k) / 2T, chi2(1 - alpha/2, 2k + 2) / 2T].

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``acquired_at`` and ``churned_at``, or a ``churned`` flag
        and ``tenure_months``.
    start, end : date-like, optional
        The period; default the 12 months ending at the latest date in the table.
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % per month with the exact Poisson interval; ``details`` holds events and customer-months.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"churned": [True, False, False, True], "tenure_months": [5, 20, 10, 5]})
    >>> round(churn_hazard(c).value, 3)  # 2 events in 40 customer-months
    5.0
    """
    events, months = _exposure(customers, start, end)
    k, T = float(events.sum()), float(months.sum())
    if T <= 0:
        raise InsufficientDataError("churn hazard needs customer-months at risk; got 0")
    low, high = _poisson_interval(k, T, confidence)
    return Estimate("churn_hazard", 100 * k / T, 100 * float(low), 100 * float(high), int(len(months)),
                    "exact Poisson", confidence, "% per month", {"events": int(k), "customer_months": T})


def _mean_of(customers, column, metric, confidence, mask=None):
    if column not in customers.columns:
        raise ConfigError(f"customers: column {column!r} missing (see data/README.md)")
    s = customers[column] if mask is None else customers.loc[mask, column]
    return _mean_estimate(s.dropna().to_numpy(dtype=float), metric, "currency", confidence)


def cac(customers: pd.DataFrame, *, start=None, end=None, confidence: float = 0.95) -> Estimate:
    """Customer acquisition cost: acquisition spend / new customers (t interval on the mean).

    Customers acquired in [start, end] (all if not given).

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``acquisition_cost`` (and ``acquired_at`` for a period).
    start, end : date-like, optional
        Acquisition period (inclusive); default all customers.
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        Mean acquisition cost with its t interval, in the data's currency.

    Examples
    --------
    >>> import pandas as pd
    >>> cac(pd.DataFrame({"acquisition_cost": [100.0, 50.0, 90.0]})).value
    80.0
    """
    mask = None
    if (start is not None or end is not None) and "acquired_at" in customers.columns:
        mask = pd.Series(True, index=customers.index)
        if start is not None:
            mask &= customers["acquired_at"] >= _as_ts(start)
        if end is not None:
            mask &= customers["acquired_at"] <= _as_ts(end)
    return _mean_of(customers, "acquisition_cost", "cac", confidence, mask)


def cost_to_serve(customers: pd.DataFrame, *, confidence: float = 0.95) -> Estimate:
    """Mean yearly cost to serve a customer (t interval).

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``cost_to_serve``.
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        Mean yearly cost to serve with its t interval, in the data's currency.

    Examples
    --------
    >>> import pandas as pd
    >>> cost_to_serve(pd.DataFrame({"cost_to_serve": [10.0, 20.0, 30.0]})).value
    20.0
    """
    return _mean_of(customers, "cost_to_serve", "cost_to_serve", confidence)


def clv_formula(annual_revenue_per_customer, relationship_years, cac=0.0):
    """CLV as the source material defines it: annual revenue per customer x years - CAC.

    Parameters
    ----------
    annual_revenue_per_customer : float or array-like
        Yearly revenue per customer.
    relationship_years : float or array-like
        Expected years a customer stays.
    cac : float or array-like
        Customer acquisition cost, default 0.

    Returns
    -------
    float or ndarray
        The CLV (a float for scalar inputs).

    Examples
    --------
    >>> clv_formula(1200.0, 3.5, 400.0)
    3800.0
    """
    out = np.asarray(annual_revenue_per_customer) * np.asarray(relationship_years) - np.asarray(cac)
    return float(out) if out.ndim == 0 else out


def clv_retention_formula(margin, retention, discount=0.10):
    """Retention-based CLV: m r / (1 + d - r), yearly margin m, retention r, discount d.

    Parameters
    ----------
    margin : float or array-like
        Yearly margin per customer m.
    retention : float or array-like
        Yearly retention rate r, between 0 and 1.
    discount : float or array-like
        Yearly discount rate d, default 0.10.

    Returns
    -------
    float or ndarray
        The CLV (a float for scalar inputs).

    Examples
    --------
    >>> round(float(clv_retention_formula(100.0, 0.8, 0.1)), 2)
    266.67
    """
    margin, retention, discount = np.asarray(margin), np.asarray(retention), np.asarray(discount)
    if np.any((retention < 0) | (retention >= 1 + discount)):
        raise ConfigError("retention must be between 0 and 1")
    out = margin * retention / (1 + discount - retention)
    return float(out) if np.ndim(out) == 0 else out


def _customer_inputs(customers: pd.DataFrame, revenue: pd.DataFrame | None, start, end):
    """Per-customer annual revenue, churn events, months at risk, CAC and cost to serve."""
    events, months = _exposure(customers, start, end)
    ids = customers["customer_id"].astype(str).to_numpy() if "customer_id" in customers.columns else None
    if revenue is not None and len(revenue) and ids is not None:
        rev = revenue
        if start is not None:
            rev = rev[rev["date"] >= _as_ts(start)]
        if end is not None:
            rev = rev[rev["date"] <= _as_ts(end)]
        total = rev.groupby(rev["customer_id"].astype(str), observed=True)["amount"].sum()
        amount = pd.Series(ids).map(total).fillna(0.0).to_numpy(dtype=float)
    elif "monthly_revenue" in customers.columns:
        amount = customers["monthly_revenue"].fillna(0).to_numpy(dtype=float) * months
    else:
        raise ConfigError("CLV needs revenue: a revenue table or a monthly_revenue column in customers")
    acq = customers["acquisition_cost"].to_numpy(dtype=float) if "acquisition_cost" in customers.columns else None
    cts = customers["cost_to_serve"].to_numpy(dtype=float) if "cost_to_serve" in customers.columns else None
    return events, months, amount, acq, cts


def _clv_from_sums(events, months, amount, acq_sum, acq_n, cts_sum, cts_n, method, discount):
    """CLV from summed inputs (arrays allowed: bootstrap replicates)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        annual_revenue = amount / months * 12  # revenue per customer-year at risk
        hazard = events / months  # per month
        cac_ = np.where(acq_n > 0, acq_sum / np.maximum(acq_n, 1), 0.0)
        cts_ = np.where(cts_n > 0, cts_sum / np.maximum(cts_n, 1), 0.0)
        if method == "simple":
            years = 1 / (12 * hazard)
            return annual_revenue * years - cac_
        retention = np.exp(-12 * hazard)
        margin = annual_revenue - cts_
        return margin * retention / (1 + discount - retention)


def clv(customers: pd.DataFrame, revenue: pd.DataFrame | None = None, *, method: str = "simple",
        discount: float = 0.10, start=None, end=None, confidence: float = 0.95, n_boot: int = 1000,
        seed: int = 0) -> Estimate:
    """Customer lifetime value estimated from the data, with a bootstrap interval.

    Parameters
    ----------
    customers : customers table (churn dates or flag + tenure; acquisition_cost,
        cost_to_serve optional)
    revenue : revenue table (or a ``monthly_revenue`` column in customers)
    method : ``"simple"`` - the source material's formula: annual revenue per
        customer x expected relationship years (1 / yearly churn hazard) - CAC;
        ``"retention"`` - margin x r / (1 + d - r) with yearly margin = revenue -
        cost to serve and retention r = exp(-12 x monthly hazard).
    discount : yearly discount rate d for ``"retention"``
    n_boot, seed : percentile bootstrap over customers (seeded, reproducible)

    Returns
    -------
    Estimate
        CLV in the data's currency with its percentile bootstrap interval (NaN without ``n_boot``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "churned": [True, False], "tenure_months": [12.0, 12.0],
    ...                   "monthly_revenue": [10.0, 10.0], "acquisition_cost": [20.0, 20.0]})
    >>> clv(c, n_boot=0).value  # 120/yr x 2 years (1 churn per 24 customer-months) - 20
    220.0
    """
    if method not in ("simple", "retention"):
        raise ConfigError(f"method={method!r} - expected 'simple' or 'retention'")
    events, months, amount, acq, cts = _customer_inputs(customers, revenue, start, end)
    zeros = np.zeros(len(events))
    acq_ok = ~np.isnan(acq) if acq is not None else zeros.astype(bool)
    cts_ok = ~np.isnan(cts) if cts is not None else zeros.astype(bool)
    columns = np.vstack([events, months, amount,
                         np.where(acq_ok, np.nan_to_num(acq) if acq is not None else zeros, 0.0), acq_ok,
                         np.where(cts_ok, np.nan_to_num(cts) if cts is not None else zeros, 0.0), cts_ok]).T
    n = len(events)
    if n == 0 or months.sum() <= 0:
        raise InsufficientDataError("CLV needs customers with time at risk; got none")
    if events.sum() == 0 and method == "simple":
        raise InsufficientDataError("CLV (simple) needs at least one churn event to estimate relationship years")
    value = float(_clv_from_sums(*columns.sum(axis=0), method, discount))
    low = high = np.nan
    if n_boot:
        # bootstrap over customers: each replicate's sums are multinomial weights @ columns
        rng = np.random.default_rng(seed)
        reps = []
        step = max(1, 2_000_000 // n)
        for b0 in range(0, n_boot, step):
            w = bootstrap_counts(rng, n, min(step, n_boot - b0))
            reps.append(_clv_from_sums(*(w @ columns).T, method, discount))
        reps = np.concatenate(reps)
        reps = reps[np.isfinite(reps)]
        a = (1 - confidence) / 2
        if reps.size:
            low, high = float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))
    return Estimate(f"clv_{method}", value, low, high, n, "percentile bootstrap" if n_boot else "point estimate",
                    confidence, "currency", {"discount": discount} if method == "retention" else {})


# --------------------------------------------------------------------------------------
# grouped table


#: metric name -> (table it is computed from, unit)
METRICS = {
    "nps": ("responses", "points"),
    "csat": ("responses", "%"),
    "ces": ("responses", "%"),
    "ces_mean": ("responses", "points"),
    "first_response_time": ("tickets", "hours"),
    "first_response_time_median": ("tickets", "hours"),
    "churn_rate": ("customers", "%"),
    "churn_hazard": ("customers", "% per month"),
    "cac": ("customers", "currency"),
    "cost_to_serve": ("customers", "currency"),
}


def metric_table(data: pd.DataFrame, *, metric: str = "nps", by: str | Sequence[str] | None = None,
                 method: str | None = None, confidence: float = 0.95, scale: tuple[int, int] | None = None,
                 box: tuple[int, int] | None = None, start=None, end=None, total: bool = False) -> pd.DataFrame:
    """One metric per group as a tidy table.

    Parameters
    ----------
    data : the table the metric comes from (responses, tickets or customers)
    metric : one of :data:`METRICS`
    by : grouping column(s), e.g. ``"unit"`` or ``["region", "unit"]``; None = one row
    method : interval method (default: adjusted-wald for NPS, wilson for shares)
    scale, box : scale of CSAT/CES and its satisfied/easy range (default top two)
    start, end : period for churn and CAC
    total : add a row for all data (group value ``"All"``)

    Returns
    -------
    DataFrame
        group columns, ``metric``, ``value``, ``ci_low``, ``ci_high``, ``n``,
        ``method``, ``measured_in`` (for NPS also ``detractors``, ``passives``,
        ``promoters``; for shares ``successes``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 4, "nps": [10, 9, 3, 8, 10, 10, 9, 6]})
    >>> metric_table(df, metric="nps", by="unit")[["unit", "value", "n"]]
      unit  value  n
    0    A   25.0  4
    1    B   50.0  4
    """
    if metric not in METRICS:
        raise ConfigError(f"metric={metric!r} - expected one of {', '.join(METRICS)}")
    by = [by] if isinstance(by, str) else list(by or [])
    for c in by:
        if c not in data.columns:
            raise ConfigError(f"by={c!r}: no such column; available: {', '.join(map(str, data.columns))}")
    frames = []
    if by:
        keys = [data[c] for c in by]
        frames.append(_grouped(data, keys, by, metric, method, confidence, scale, box, start, end))
    if total or not by:
        row = _grouped(data, [pd.Series(0, index=data.index)], ["_all"], metric, method, confidence, scale, box,
                       start, end).drop(columns=["_all"])
        for c in by:
            row.insert(by.index(c), c, "All")
        frames.append(row)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return out.reset_index(drop=True)


def _codes(keys: list[pd.Series]):
    """Integer group codes and the group labels, for vectorised counting."""
    if len(keys) == 1:
        k = keys[0]
        if isinstance(k.dtype, pd.CategoricalDtype):
            codes = k.cat.codes.to_numpy().astype(np.int32)  # int32: room for code arithmetic, half of int64
            labels = pd.DataFrame({0: k.cat.categories})
            return codes, labels
        codes, uniques = pd.factorize(k, sort=True)
        return codes.astype(np.int64), pd.DataFrame({0: uniques})
    frame = pd.concat(keys, axis=1, ignore_index=True)
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(frame), sort=True)
    return codes.astype(np.int64), uniques.to_frame(index=False).set_axis(range(len(keys)), axis=1)


def _whole_numbers(s: pd.Series):
    """(values, valid) of a score column without copying: nullable integers use their data and mask."""
    arr = s.array
    if isinstance(arr, pd.arrays.IntegerArray):
        return arr._data, ~arr._mask
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(values)
    return np.where(valid, values, 0).astype(np.int64), valid


def _grouped_nps(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """NPS per group from the counts of each 0-10 answer (one bincount over group x answer)."""
    g = len(labels)
    values, ok = _whole_numbers(data["nps"])
    if not valid_group.all():
        ok = ok & valid_group
    counts = np.bincount(codes[ok].astype(np.int32) * 11 + values[ok], minlength=g * 11).reshape(g, 11)
    b = NPS_BANDS
    d = counts[:, b["detractors"][0]:b["detractors"][1] + 1].sum(1)
    pa = counts[:, b["passives"][0]:b["passives"][1] + 1].sum(1)
    p = counts[:, b["promoters"][0]:b["promoters"][1] + 1].sum(1)
    m = method or "adjusted-wald"
    with np.errstate(divide="ignore", invalid="ignore"):
        value, low, high = _nps_interval(d, pa, p, m, confidence)
    out = labels.assign(metric="nps", value=value * 100, ci_low=low * 100, ci_high=high * 100, n=d + pa + p,
                        method=m, measured_in="points", detractors=d, passives=pa, promoters=p)
    return out


def _grouped_share(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """CSAT or CES top-box share per group."""
    g = len(labels)
    default_scale = (1, 5)
    sc_ = tuple(scale or default_scale)
    sc_, bx = _top_box(sc_, box, metric)
    values, ok = _whole_numbers(data[metric])
    if not valid_group.all():
        ok = ok & valid_group
    n = np.bincount(codes[ok], minlength=g)
    k = np.bincount(codes[ok & (values >= bx[0]) & (values <= bx[1])], minlength=g)
    m = method or "wilson"
    value, low, high = _share_interval(k, n, m, confidence)
    out = labels.assign(metric=metric, value=value * 100, ci_low=low * 100, ci_high=high * 100, n=n, method=m,
                        measured_in="%", successes=k)
    return out


def _grouped_mean(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """Mean per group with its t interval (CES mean, CAC, cost to serve, mean first-response hours)."""
    g = len(labels)
    if metric == "first_response_time":
        arr = ((data["first_response_at"] - data["created_at"]).dt.total_seconds() / 3600).to_numpy(dtype=float)
        unit = "hours"
    else:
        col = {"ces_mean": "ces", "cac": "acquisition_cost", "cost_to_serve": "cost_to_serve"}[metric]
        arr = data[col].to_numpy(dtype="float64", na_value=np.nan)
        unit = METRICS[metric][1]
        if metric == "cac" and (start is not None or end is not None):
            acq = data["acquired_at"]
            inside = np.ones(len(data), bool)
            if start is not None:
                inside &= (acq >= _as_ts(start)).to_numpy()
            if end is not None:
                inside &= (acq <= _as_ts(end)).to_numpy()
            arr = np.where(inside, arr, np.nan)
    ok = valid_group & ~np.isnan(arr)
    n = np.bincount(codes[ok], minlength=g).astype(float)
    s1 = np.bincount(codes[ok], weights=arr[ok], minlength=g)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / n
        dev = arr[ok] - mean[codes[ok]]
        ss = np.bincount(codes[ok], weights=dev * dev, minlength=g)
        sd = np.sqrt(ss / (n - 1))
    low, high = _mean_interval(mean, sd, n, confidence)
    out = labels.assign(metric=metric, value=mean, ci_low=low, ci_high=high, n=n.astype(int), method="t",
                        measured_in=unit)
    return out


def _grouped_median(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """Median first-response hours per group with the order-statistic interval."""
    g = len(labels)
    hours = ((data["first_response_at"] - data["created_at"]).dt.total_seconds() / 3600).to_numpy(dtype=float)
    ok = valid_group & ~np.isnan(hours)
    order = np.lexsort((hours[ok], codes[ok]))
    hs, cs = hours[ok][order], codes[ok][order]
    n = np.bincount(cs, minlength=g)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    med = np.full(g, np.nan)
    low = np.full(g, np.nan)
    high = np.full(g, np.nan)
    lo_rank, hi_rank, okr = _median_ranks(np.maximum(n, 1), confidence)
    for i in range(g):
        if n[i]:
            x = hs[starts[i]:starts[i] + n[i]]
            med[i] = np.median(x)
            if okr[i]:
                low[i], high[i] = x[lo_rank[i] - 1], x[hi_rank[i] - 1]
    out = labels.assign(metric=metric, value=med, ci_low=low, ci_high=high, n=n, method="order statistics",
                        measured_in="hours")
    return out


def _grouped_churn(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """Churn rate or hazard per group, one :func:`churn_rate` / :func:`churn_hazard` call each."""
    g = len(labels)
    if "acquired_at" in data.columns and "churned_at" in data.columns:
        d_start, d_end = default_period(data)
        start = d_start if start is None else start
        end = d_end if end is None else end
    rows = []
    for i in range(g):
        sub = data.loc[codes == i]
        try:
            est = (churn_rate if metric == "churn_rate" else churn_hazard)(sub, start=start, end=end,
                                                                             confidence=confidence)
            rows.append(dict(value=est.value, ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, method=est.method))
        except InsufficientDataError:
            rows.append(dict(value=np.nan, ci_low=np.nan, ci_high=np.nan, n=0, method=""))
    extra = pd.DataFrame(rows, index=labels.index)
    out = labels.assign(metric=metric, **{c: extra[c] for c in extra.columns}, measured_in=METRICS[metric][1])
    return out


_GROUPED = {"nps": _grouped_nps, "csat": _grouped_share, "ces": _grouped_share, "ces_mean": _grouped_mean,
            "cac": _grouped_mean, "cost_to_serve": _grouped_mean, "first_response_time": _grouped_mean,
            "first_response_time_median": _grouped_median, "churn_rate": _grouped_churn,
            "churn_hazard": _grouped_churn}


def _grouped(data, keys, names, metric, method, confidence, scale, box, start, end) -> pd.DataFrame:
    codes, labels = _codes(keys)
    labels.columns = names
    valid_group = codes >= 0
    if metric not in _GROUPED:  # pragma: no cover
        raise ConfigError(metric)
    out = _GROUPED[metric](data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end)
    out = out[out["n"] > 0] if len(out) else out
    return out.reset_index(drop=True)
