"""Survey-score metrics: NPS reference values and edge cases, CSAT and CES by the source formulas."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cxkit as cx
from cxkit.errors import ConfigError, InsufficientDataError


# ---------------------------------------------------------------------------------------
# NPS reference values

def test_nps_point_estimate_and_counts():
    scores = [0, 3, 6, 7, 8, 9, 10, 10, 10, np.nan]
    assert cx.nps_counts(scores) == (3, 2, 4)
    assert cx.nps(scores).value == pytest.approx(100 * (4 - 3) / 9)
    assert cx.nps(scores).n == 9


def test_nps_wald_and_tango_match_contingencytables_cavo_2012():
    # Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 8;
    # R contingencytables::Wald_CI_diff_paired_2x2 / Tango_asymptotic_score_CI_paired_2x2 on
    # cavo_2012 = rbind(c(59, 6), c(16, 80)): estimate -0.0621,
    # Wald (95% CI -0.1184 to -0.0058), Tango score (95% CI -0.1240 to -0.0054).
    # A difference of two cells of one multinomial is exactly the NPS set-up:
    # promoters = n12 = 6, detractors = n21 = 16, passives = 59 + 80.
    wald = cx.nps_from_counts(16, 139, 6, method="wald")
    score = cx.nps_from_counts(16, 139, 6, method="score")
    assert wald.value == pytest.approx(-6.21, abs=0.005)
    assert (wald.ci_low, wald.ci_high) == pytest.approx((-11.84, -0.58), abs=0.005)
    assert (score.ci_low, score.ci_high) == pytest.approx((-12.40, -0.54), abs=0.005)


def test_nps_adjusted_wald_formula_rocks_2016():
    # Rocks (2016): add 0.75 detractors, 1.5 passives, 0.75 promoters; Wald around the adjusted NPS.
    d, pa, p = 20, 30, 50
    na = 103
    pp, dd = (p + 0.75) / na, (d + 0.75) / na
    se = np.sqrt((pp + dd - (pp - dd) ** 2) / na)
    z = stats.norm.ppf(0.975)
    est = cx.nps_from_counts(d, pa, p)
    assert est.value == 30.0  # reported value is the raw NPS
    assert est.ci_low == pytest.approx(100 * (pp - dd - z * se))
    assert est.ci_high == pytest.approx(100 * (pp - dd + z * se))


def test_tango_interval_solves_the_score_equation():
    # independent check: at each limit Tango's statistic equals -/+ z (grid search, not bisection)
    d, p, n = 12.0, 25.0, 60.0
    est = cx.nps_from_counts(int(d), int(n - d - p), int(p), method="score")
    z = stats.norm.ppf(0.975)

    def tango(delta):
        a, b = 2 * n, -d - p + (2 * n - p + d) * delta
        c = -d * delta * (1 - delta)
        q = (np.sqrt(b * b - 4 * a * c) - b) / (2 * a)
        return (p - d - n * delta) / np.sqrt(n * (2 * q + delta * (1 - delta)))

    grid = np.linspace(-0.99, 0.99, 400_001)
    inside = grid[np.abs(tango(grid)) <= z]
    assert est.ci_low / 100 == pytest.approx(inside.min(), abs=1e-5)
    assert est.ci_high / 100 == pytest.approx(inside.max(), abs=1e-5)


def test_nps_edge_cases():
    all_promoters = cx.nps([10] * 15, method="score")
    assert all_promoters.value == 100 and all_promoters.ci_high == 100 and all_promoters.ci_low < 100
    assert cx.nps([0] * 5).ci_low >= -100
    with pytest.raises(InsufficientDataError):
        cx.nps([])
    with pytest.raises(ConfigError, match="method"):
        cx.nps([1, 2], method="bogus")
    with pytest.raises(ConfigError):
        cx.nps([11])


def test_nps_custom_bands():
    # some programmes treat 8 as a promoter
    est = cx.nps([8, 8, 6], bands={"promoters": (8, 10), "passives": (7, 7)})
    assert est.value == pytest.approx(100 * (2 - 1) / 3)
    with pytest.raises(ConfigError):
        cx.nps([8], bands={"promoters": (8, 10)})  # overlaps passives 7-8


# ---------------------------------------------------------------------------------------
# CSAT and CES

def test_csat_and_ces_follow_source_formulas():
    # seed 004: CSAT = satisfied / answers x 100; CES = answers 4-5 / answers x 100
    assert cx.csat([5, 4, 3, 2, 1]).value == 40.0
    assert cx.csat([7, 6, 5, 1], scale=(1, 7)).value == 50.0
    assert cx.csat([3, 2, 1], scale=(1, 3), satisfied=(3, 3)).value == pytest.approx(100 / 3)
    assert cx.ces([5, 4, 4, 1]).value == 75.0
    with pytest.raises(ConfigError, match="scale"):
        cx.csat([7], scale=(1, 5))
    m = cx.ces_mean([1, 7, 4, 4])
    assert m.value == 4.0
    t = stats.t.ppf(0.975, 3) * np.std([1, 7, 4, 4], ddof=1) / 2
    assert (m.ci_low, m.ci_high) == pytest.approx((4 - t, 4 + t))
