"""Two-sample tests: published reference values and seeded type-I error simulations."""
from __future__ import annotations


import numpy as np
import pytest
from scipy import stats

import cxkit as cx
from cxkit.errors import ConfigError, InsufficientDataError
from cxkit.stats.twosample import _nps_diff_arrays, _share_tests, _welch_arrays


def test_nps_test_wald_matches_r_nps_formula():
    # R NPS::nps_test (Rocks): se = sqrt(var.x/n.x + var.y/n.y), var = p + d - (p - d)^2,
    # p.value = 2 * (1 - pnorm(|delta| / se)); computed here by hand.
    a, b = (20, 30, 50), (35, 25, 40)
    pa, da, pb, db = 0.50, 0.20, 0.40, 0.35
    se = np.sqrt((pa + da - (pa - da) ** 2) / 100 + (pb + db - (pb - db) ** 2) / 100)
    delta = (pa - da) - (pb - db)
    r = cx.nps_test(a, b, method="wald")
    assert r.diff == pytest.approx(100 * delta)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(delta / se))
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx(
        (100 * (delta - 1.959964 * se), 100 * (delta + 1.959964 * se)), abs=1e-4)


def test_nps_test_adjusted_is_default_and_reports_raw_difference():
    r = cx.nps_test((1, 2, 7), (5, 2, 3))
    # NPS(A) = (7 - 1) / 10 = 60, NPS(B) = (3 - 5) / 10 = -20
    assert r.test == "NPS t-test (adjusted-wald)" and r.diff == pytest.approx(80.0)
    assert r.diff_ci_low < 80 < r.diff_ci_high


def test_nps_z_test_type_one_error_is_nominal():
    rng = np.random.default_rng(99)
    mix = (0.25, 0.35, 0.40)
    for n in (50, 200, 1000):
        a = rng.multinomial(n, mix, size=40_000).T
        b = rng.multinomial(n, mix, size=40_000).T
        p = _nps_diff_arrays(a, b, "adjusted-wald", 0.95)[4]
        rate = np.mean(p < 0.05)
        assert 0.04 <= rate <= 0.06, (n, rate)


# =======================================================================================
# two-group functions: published / independently computed reference values


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score, no continuity
# correction); the same values are SAS's reference values used by R DescTools::BinomDiffCI(method="score").
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),  # (a)
    ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
    ((6, 7, 2, 7), (0.0582, 0.8062)),  # (c)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d)
    ((0, 10, 0, 20), (-0.1611, 0.2775)),  # (e)
    ((0, 10, 0, 10), (-0.2775, 0.2775)),  # (f)
    ((10, 10, 0, 20), (0.6791, 1.0000)),  # (g)
    ((10, 10, 0, 10), (0.6075, 1.0000)),  # (h)
]


@pytest.mark.parametrize("counts, ci", NEWCOMBE_TABLE_II)
def test_share_difference_interval_matches_newcombe_table_ii(counts, ci):
    r = cx.compare_shares(*counts)
    k1, n1, k2, n2 = counts
    assert r.diff == pytest.approx(100 * (k1 / n1 - k2 / n2))
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((100 * ci[0], 100 * ci[1]), abs=0.05)


def test_agresti_caffo_interval_matches_sas_reference_values():
    # R DescTools tests, BinomDiffCI(method = "ac") against SAS: 56/70 - 48/80 -> (0.0525, 0.3358);
    # 9/10 - 3/10 -> (0.1600, 0.8400).
    r = cx.compare_shares(56, 70, 48, 80, method="agresti-caffo")
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((5.25, 33.58), abs=0.05)
    r = cx.compare_shares(9, 10, 3, 10, method="agresti-caffo")
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((16.00, 84.00), abs=0.05)
    assert r.test == "Agresti-Caffo test"


def test_share_score_test_is_the_miettinen_nurminen_statistic():
    # At a hypothesised difference of 0 the score statistic is (p1 - p2) / sqrt(p(1-p)(1/n1 + 1/n2) N/(N-1))
    # with the pooled p (Miettinen & Nurminen 1985); computed here by hand.
    k1, n1, k2, n2 = 120, 300, 90, 320
    p1, p2, p = k1 / n1, k2 / n2, (k1 + k2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2) * (n1 + n2) / (n1 + n2 - 1))
    r = cx.compare_shares(k1, n1, k2, n2)
    assert r.test == "score test (Newcombe CI)"
    assert r.statistic == pytest.approx(z) and r.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert r.effect_size == pytest.approx(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)))  # Cohen's h


def test_fisher_exact_for_tiny_expected_counts():
    # expected count of "yes" in group A = 20 * 4 / 40 = 2 < 5 -> Fisher's exact test (scipy)
    r = cx.compare_shares(4, 20, 0, 20)
    assert r.test == "Fisher exact test (Newcombe CI)"
    assert r.p_value == pytest.approx(stats.fisher_exact([[4, 16], [0, 20]]).pvalue)
    assert cx.compare_shares(40, 200, 20, 200).test == "score test (Newcombe CI)"
    assert cx.compare_shares(40, 200, 20, 200, method="fisher").test.startswith("Fisher")


def test_welch_matches_r_t_test_on_sleep_data():
    # R: t.test(extra ~ group, data = sleep) -> t = -1.8608, df = 17.776, p-value = 0.07939,
    # 95 percent confidence interval -3.3654832 0.2054832 (documented output of R's example data).
    g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    r = cx.compare_means(g1, g2)
    assert r.statistic == pytest.approx(-1.8608, abs=1e-4)
    assert r.details["df"] == pytest.approx(17.776, abs=1e-3)
    assert r.p_value == pytest.approx(0.07939, abs=1e-5)
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((-3.3654832, 0.2054832), abs=1e-6)
    # R: t.test(sleep$extra[sleep$group == 1]) -> t = 1.3257, df = 9, p-value = 0.2176, CI -0.5297804 2.0297804
    r = cx.mean_vs_target(g1, 0)
    assert r.statistic == pytest.approx(1.3257, abs=1e-4) and r.p_value == pytest.approx(0.2176, abs=1e-4)
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((-0.5297804, 2.0297804), abs=1e-6)


def test_nps_bootstrap_is_seeded_and_agrees_with_adjusted_wald(rng):
    a = rng.choice(np.arange(11), size=800, p=np.r_[np.full(7, 0.03), 0.14, 0.15, 0.25, 0.25])
    b = rng.choice(np.arange(11), size=900, p=np.r_[np.full(7, 0.04), 0.15, 0.15, 0.22, 0.20])
    boot = cx.compare_nps(a, b, method="bootstrap", n_boot=4000, seed=3)
    again = cx.compare_nps(a, b, method="bootstrap", n_boot=4000, seed=3)
    wald = cx.compare_nps(a, b)
    assert boot.diff_ci_low == again.diff_ci_low and boot.p_value == again.p_value
    assert boot.diff == pytest.approx(wald.diff)
    # with 800+ answers a side the bootstrap and adjusted-Wald intervals agree within about a point
    assert (boot.diff_ci_low, boot.diff_ci_high) == pytest.approx((wald.diff_ci_low, wald.diff_ci_high), abs=1.0)
    assert boot.test.startswith("NPS bootstrap")


def test_two_group_input_errors_are_plain():
    with pytest.raises(InsufficientDataError):
        cx.compare_means([1.0], [2.0, 3.0])
    with pytest.raises(ConfigError, match="0 <= k <= n"):
        cx.compare_shares(5, 3, 1, 4)
    with pytest.raises(ConfigError):
        cx.compare_nps([1, 9], [10, 9], method="magic")
    with pytest.raises(InsufficientDataError):
        cx.compare_times([], [1.0])
    assert "p =" in str(cx.compare_shares(10, 40, 20, 40))
    assert "<table" in cx.compare_shares(10, 40, 20, 40)._repr_html_()


# =======================================================================================
# seeded simulations: type-I error


@pytest.mark.parametrize("n_a, n_b", [(50, 50), (50, 400), (200, 1000)])
def test_nps_z_test_type_one_error_with_unequal_groups(n_a, n_b):
    rng = np.random.default_rng(n_a + n_b)
    mix = (0.20, 0.30, 0.50)
    a = rng.multinomial(n_a, mix, size=30_000).T
    b = rng.multinomial(n_b, mix, size=30_000).T
    rate = np.mean(_nps_diff_arrays(a, b, "adjusted-wald", 0.95)[4] < 0.05)
    assert 0.04 <= rate <= 0.06, rate  # measured 0.045, 0.047, 0.050


@pytest.mark.parametrize("p_true, n_a, n_b", [(0.6, 100, 300), (0.85, 50, 200), (0.1, 400, 400)])
def test_share_score_test_type_one_error(p_true, n_a, n_b):
    rng = np.random.default_rng(int(p_true * 100) + n_a)
    reps = 20_000
    k_a, k_b = rng.binomial(n_a, p_true, reps), rng.binomial(n_b, p_true, reps)
    p = _share_tests(k_a, np.full(reps, n_a), k_b, np.full(reps, n_b), "score", 0.95)[4]
    assert 0.04 <= np.mean(p < 0.05) <= 0.06  # measured 0.050, 0.048, 0.052


def test_fisher_fallback_keeps_type_one_error_below_alpha():
    # churn-like rare events (3%) in 60 vs 60: expected counts < 5, so Fisher's exact test is used
    rng = np.random.default_rng(8)
    reps = 3000
    k_a, k_b = rng.binomial(60, 0.03, reps), rng.binomial(60, 0.03, reps)
    d, lo, hi, stat, p, eff, names = _share_tests(k_a, np.full(reps, 60), k_b, np.full(reps, 60), "auto", 0.95)
    assert np.mean(names == "Fisher exact test (Newcombe CI)") > 0.99
    assert np.mean(p < 0.05) <= 0.05  # exact tests are conservative: measured 0.003


def test_welch_type_one_error_on_a_ces_scale_with_unequal_spread():
    rng = np.random.default_rng(17)
    reps, n_a, n_b = 20_000, 40, 160
    wide = np.array([0.10, 0.10, 0.10, 0.20, 0.10, 0.10, 0.30])  # 1-7 scale, mean 4.6
    narrow = np.zeros(7)
    narrow[[3, 4]] = 0.4, 0.6  # mean 4.6 as well, much smaller spread
    a = rng.choice(np.arange(1, 8), size=(reps, n_a), p=wide)
    b = rng.choice(np.arange(1, 8), size=(reps, n_b), p=narrow)
    p = _welch_arrays(a.mean(1), a.var(1, ddof=1), n_a, b.mean(1), b.var(1, ddof=1), n_b, 0.95)[4]
    assert 0.04 <= np.mean(p < 0.05) <= 0.06  # measured 0.051
