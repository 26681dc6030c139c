"""Ticket metrics: first-response time, mean and median with the order-statistic interval."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.stats.intervals import _median_ranks


def _tickets(hours):
    created = pd.Timestamp("2025-03-01 09:00")
    return pd.DataFrame({"created_at": [created] * len(hours),
                         "first_response_at": [created + pd.Timedelta(hours=h) if h is not None else pd.NaT
                                               for h in hours]})


def test_first_response_time_mean_and_median():
    t = _tickets([1, 2, 3, 4, 5, 6, 7, 8, 9, 100, None])
    mean = cx.first_response_time(t, statistic="mean")
    assert mean.value == pytest.approx(14.5) and mean.details["unanswered"] == 1
    med = cx.first_response_time(t)
    assert med.metric == "first_response_time_median" and med.value == 5.5
    # n = 10: ranks 2 and 9 (binom.ppf(0.025, 10, .5) = 2), achieved level 1 - 2 P(B <= 1) = 97.9%
    assert (med.ci_low, med.ci_high) == (2.0, 9.0)


def test_median_ranks_reach_the_confidence_level():
    for n in (6, 10, 25, 100, 1000):
        lo_rank, hi_rank, ok = _median_ranks(n, 0.95)
        assert ok and hi_rank == n - lo_rank + 1
        assert 1 - 2 * stats.binom.cdf(lo_rank - 1, n, 0.5) >= 0.95
        assert 1 - 2 * stats.binom.cdf(lo_rank, n, 0.5) < 0.95 or lo_rank == 1  # the narrowest such ranks
    assert not _median_ranks(5, 0.95)[2]  # too few tickets for a 95% distribution-free interval
