"""Comparisons between groups: reference values and seeded error-rate simulations."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cxkit as cx
from cxkit.compare import _nps_diff_arrays


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
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((100 * (delta - 1.959964 * se), 100 * (delta + 1.959964 * se)), abs=1e-4)


def test_nps_test_adjusted_is_default_and_reports_raw_difference():
    r = cx.nps_test((1, 2, 7), (5, 2, 3))
    # NPS(A) = (7 - 1) / 10 = 60, NPS(B) = (3 - 5) / 10 = -20
    assert r.test == "NPS z-test (adjusted-wald)" and r.diff == pytest.approx(80.0)
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
