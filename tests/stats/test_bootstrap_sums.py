"""The large-sample branch of the bootstrap of sums (cxkit.stats.intervals.bootstrap_sums) against the
row-by-row resampling it replaces for big tables. Expected values: the exact multinomial resample computed
here independently (numpy ``Generator.multinomial``), and the moments of a multinomial(n, 1/n) resample:
E[sum] = n x mean, Cov[sum] = n x Cov(rows) (ddof 0)."""
import numpy as np
import pytest

from cxkit.stats import intervals
from cxkit.stats.intervals import bootstrap_sums


def _columns(n=20_000, seed=4):
    rng = np.random.default_rng(seed)
    churned = rng.random(n) < 0.1
    months = rng.uniform(1, 36, n)
    revenue = rng.gamma(2.0, 30.0, n) * months
    return np.column_stack([churned, months, revenue])


def test_large_sample_branch_matches_exact_resampling(monkeypatch):
    cols = _columns()
    n, B = len(cols), 2000
    exact = np.vstack([np.random.default_rng(1).multinomial(n, np.full(n, 1 / n), size=B) @ cols])
    monkeypatch.setattr(intervals, "EXACT_RESAMPLING_CELLS", 0)  # force the normal branch
    approx = bootstrap_sums(cols, B, np.random.default_rng(2))
    assert approx.shape == (B, 3)
    # the ratio statistic CLV-style (revenue per month / churn per month) and its 2.5% / 97.5% quantiles
    stat_e = (exact[:, 2] / exact[:, 1]) / (exact[:, 0] / exact[:, 1])
    stat_a = (approx[:, 2] / approx[:, 1]) / (approx[:, 0] / approx[:, 1])
    width = np.quantile(stat_e, 0.975) - np.quantile(stat_e, 0.025)
    for q in (0.025, 0.5, 0.975):
        # Monte-Carlo error of a 2000-replicate quantile: a few % of the interval's width
        assert np.quantile(stat_a, q) == pytest.approx(np.quantile(stat_e, q), abs=0.08 * width)


def test_large_sample_branch_has_the_multinomial_moments(monkeypatch):
    cols = _columns(5_000)
    n = len(cols)
    monkeypatch.setattr(intervals, "EXACT_RESAMPLING_CELLS", 0)
    sums = bootstrap_sums(cols, 20_000, np.random.default_rng(3))
    cov = np.cov(cols.T, ddof=0) * n
    assert sums.mean(axis=0) == pytest.approx(n * cols.mean(axis=0), rel=2e-3)
    got = np.cov(sums.T)
    assert np.diag(got) == pytest.approx(np.diag(cov), rel=0.05)
    sd, want_sd = np.sqrt(np.diag(got)), np.sqrt(np.diag(cov))
    # correlations (the churn flag and revenue are correlated through months): within 0.03
    assert got / np.outer(sd, sd) == pytest.approx(cov / np.outer(want_sd, want_sd), abs=0.03)


def test_small_tables_are_resampled_row_by_row():
    cols = _columns(1_000)
    got = bootstrap_sums(cols, 50, np.random.default_rng(9))
    want = intervals.bootstrap_counts(np.random.default_rng(9), 1_000, 50) @ cols
    assert np.array_equal(got, want)
