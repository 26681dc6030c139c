"""Confidence intervals: seeded coverage simulations (95% intervals must cover 93.5-96.5%)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.stats.intervals import (
    NPS_METHODS,
    SHARE_METHODS,
    _mean_interval,
    _median_ranks,
    _nps_interval,
    _poisson_interval,
    _share_interval,
)

# ---------------------------------------------------------------------------------------
# seeded coverage simulations: 95% intervals must cover 93.5-96.5% of the time

NS = (20, 50, 200, 2000)
NPS_MIXES = {"balanced": (1 / 3, 1 / 3, 1 / 3), "extreme": (0.05, 0.10, 0.85)}  # (detractors, passives, promoters)
# Documented in docs/statistics.md: plain Wald undercovers at small n.
NPS_KNOWN = {("wald", "balanced", 20), ("wald", "extreme", 20), ("wald", "extreme", 50)}
REPS = 40_000


def _coverage_nps(method, mix, n, rng):
    counts = rng.multinomial(n, mix, size=REPS)
    _, low, high = _nps_interval(counts[:, 0], counts[:, 1], counts[:, 2], method, 0.95)
    truth = mix[2] - mix[0]
    return float(np.mean((low <= truth) & (truth <= high)))


@pytest.mark.parametrize("method", NPS_METHODS)
def test_nps_interval_coverage(method):
    rng = np.random.default_rng(2016)
    for mix_name, mix in NPS_MIXES.items():
        for n in NS:
            cov = _coverage_nps(method, mix, n, rng)
            if (method, mix_name, n) in NPS_KNOWN:
                assert not 0.935 <= cov <= 0.965, f"{method} {mix_name} n={n}: {cov:.4f} now passes; update the docs"
            else:
                assert 0.935 <= cov <= 0.965, f"{method} {mix_name} n={n}: coverage {cov:.4f}"


# Binomial coverage oscillates with the true p (Brown, Cai & DasGupta 2001, fig. 1), so shares are
# simulated with the true share drawn uniformly from a narrow band around each mix.
SHARE_BANDS = {"balanced": (0.45, 0.55), "extreme high": (0.85, 0.95), "extreme low": (0.03, 0.07)}
SHARE_KNOWN = {  # documented in docs/statistics.md
    ("wald", "balanced", 20), ("wald", "extreme high", 20), ("wald", "extreme high", 50),
    ("wald", "extreme low", 20), ("wald", "extreme low", 50), ("wald", "extreme low", 200),
    ("agresti-coull", "extreme high", 20),
    ("agresti-coull", "extreme low", 20), ("agresti-coull", "extreme low", 50),
    ("clopper-pearson", "balanced", 20), ("clopper-pearson", "extreme high", 20),
    ("clopper-pearson", "extreme high", 50), ("clopper-pearson", "extreme low", 20),
    ("clopper-pearson", "extreme low", 50), ("clopper-pearson", "extreme low", 200),
    ("jeffreys", "extreme low", 20),
}


@pytest.mark.parametrize("method", list(SHARE_METHODS))
def test_share_interval_coverage(method):
    rng = np.random.default_rng(1927)
    for band_name, (lo, hi) in SHARE_BANDS.items():
        for n in NS:
            p = rng.uniform(lo, hi, size=REPS)
            k = rng.binomial(n, p)
            _, low, high = _share_interval(k, np.full(REPS, n), method, 0.95)
            cov = float(np.mean((low <= p) & (p <= high)))
            if (method, band_name, n) in SHARE_KNOWN:
                assert not 0.935 <= cov <= 0.965, f"{method} {band_name} n={n}: {cov:.4f} now passes; update the docs"
            else:
                assert 0.935 <= cov <= 0.965, f"{method} {band_name} n={n}: coverage {cov:.4f}"


def test_default_methods_pass_everywhere():
    assert cx.nps_from_counts(1, 1, 1).method == "adjusted-wald"
    assert not any(m == "adjusted-wald" for m, _, _ in NPS_KNOWN)
    assert cx.share(1, 2).method == "wilson"
    assert not any(m == "wilson" for m, _, _ in SHARE_KNOWN)


def test_mean_t_interval_coverage_on_a_ces_scale():
    rng = np.random.default_rng(7)
    probs = np.array([0.05, 0.05, 0.1, 0.2, 0.25, 0.2, 0.15])  # a realistic 1-7 CES distribution
    truth = float((np.arange(1, 8) * probs).sum())
    for n in NS:
        reps = 4000 if n < 2000 else 1500
        x = rng.choice(np.arange(1, 8), p=probs, size=(reps, n)).astype(float)
        low, high = _mean_interval(x.mean(1), x.std(1, ddof=1), n, 0.95)
        cov = np.mean((low <= truth) & (truth <= high))
        assert 0.935 <= cov <= 0.965, (n, cov)


def test_median_interval_coverage_is_at_least_nominal():
    rng = np.random.default_rng(11)
    for n in NS:
        reps = 3000 if n < 2000 else 600
        x = np.sort(rng.lognormal(np.log(4), 1.0, size=(reps, n)), axis=1)
        lo_rank, hi_rank, _ = _median_ranks(n, 0.95)
        cov = np.mean((x[:, lo_rank - 1] <= 4) & (4 <= x[:, hi_rank - 1]))
        achieved = 1 - 2 * stats.binom.cdf(lo_rank - 1, n, 0.5)  # exact, distribution-free
        se = np.sqrt(achieved * (1 - achieved) / reps)
        assert abs(cov - achieved) < 4 * se and cov >= 0.935, (n, cov, achieved)


def test_mean_response_time_undercovers_for_skewed_times():
    # documented reason why the median is the default response-time statistic
    rng = np.random.default_rng(12)
    x = rng.lognormal(np.log(4), 1.0, size=(4000, 20))
    truth = 4 * np.exp(0.5)
    low, high = _mean_interval(x.mean(1), x.std(1, ddof=1), 20, 0.95)
    assert np.mean((low <= truth) & (truth <= high)) < 0.935


def test_poisson_hazard_interval_coverage():
    rng = np.random.default_rng(13)
    for rate, exposure in ((0.01, 500.0), (0.01, 5000.0), (0.02, 50_000.0)):
        k = rng.poisson(rate * exposure, size=20_000)
        low, high = _poisson_interval(k, exposure, 0.95)
        cov = np.mean((low <= rate) & (rate <= high))
        assert 0.95 <= cov <= 0.99, (rate, exposure, cov)  # exact interval: conservative by construction


def test_clv_bootstrap_interval_coverage():
    rng = np.random.default_rng(14)
    n, hazard, arpu, reps = 400, 0.02, 30.0, 300
    truth = arpu * 12 / (12 * hazard) - 40.0
    covered = 0
    for _ in range(reps):
        t = rng.exponential(1 / hazard, size=n)
        tenure = np.minimum(t, 24.0)
        c = pd.DataFrame({"customer_id": np.arange(n).astype(str), "churned": t < 24.0, "tenure_months": tenure,
                          "monthly_revenue": arpu, "acquisition_cost": 40.0})
        est = cx.clv(c, n_boot=300, seed=int(rng.integers(1 << 30)))
        covered += est.ci_low <= truth <= est.ci_high
    cov = covered / reps
    assert 0.90 <= cov <= 0.985, cov  # 300 reps: Monte Carlo SE 1.3 points
