"""The result of every CX metric, :class:`Estimate`, and the pieces the metric modules share.

:func:`share` (a share in percent with its interval) and ``_mean_estimate`` (a mean with its t
interval) are the two estimates the survey-score, ticket and customer metrics build on; ``_with``
adds details to an Estimate and ``_as_ts`` reads a period bound. The lowest of the metric modules:
it imports only :mod:`.intervals`, and :mod:`.scores`, :mod:`.tickets`, :mod:`.customers` and
:mod:`.metrics` import it.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._printer import Result, format_number
from ..errors import ConfigError, InsufficientDataError
from .intervals import _mean_interval, _share_interval

__all__ = ["Estimate", "share"]


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


def _as_ts(x):
    """A period bound as a Timestamp (None stays None); used by the customer metrics, metric_table and trend."""
    return None if x is None else pd.Timestamp(x)


def share(successes: int, n: int, *, method: str = "wilson", confidence: float = 0.95,
          metric: str = "share") -> Estimate:
    """A share in percent with a confidence interval (Wilson by default).

    Parameters
    ----------
    successes, n : count of "yes" and of all answers
    method : ``"wilson"`` (default), ``"jeffreys"``, ``"agresti-coull"``,
        ``"clopper-pearson"`` or ``"wald"``
    confidence : confidence level, e.g. 0.95
    metric : name of the estimate, e.g. ``"csat"`` (default ``"share"``)

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
