"""Ticket metrics: time to first response, in hours, with its interval.

The median with its distribution-free order-statistic interval (default), or the mean with a t
interval; returns an :class:`~cxkit.stats.results.Estimate`.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from .intervals import _median_ranks
from .results import Estimate, _mean_estimate, _with

__all__ = ["first_response_time"]


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
