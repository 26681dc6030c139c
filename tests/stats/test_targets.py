"""One group against a target: reference values computed by hand."""
from __future__ import annotations


import numpy as np
import pytest
from scipy import stats

import cxkit as cx


def test_one_sample_tests_against_targets():
    # share vs target: score test z = (0.70 - 0.80) / sqrt(0.8 x 0.2 / 100) = -2.5, p = 2 Phi(-2.5)
    r = cx.share_vs_target(70, 100, 80)
    assert r.statistic == pytest.approx(-2.5) and r.p_value == pytest.approx(2 * stats.norm.sf(2.5))
    # tiny expected count (100 x 2% = 2 < 5): exact binomial test (scipy.stats.binomtest)
    r = cx.share_vs_target(6, 100, 2)
    assert r.test.startswith("exact binomial") and r.p_value == pytest.approx(stats.binomtest(6, 100, 0.02).pvalue)
    # sign test: 7 of 10 above -> p = 2 (1 + 10 + 45 + 120) / 1024
    r = cx.median_vs_target([1, 2, 3, 5, 6, 7, 8, 9, 10, 12], 4)
    assert r.p_value == pytest.approx(2 * 176 / 1024)
    # NPS vs target with the adjusted-Wald variance (Rocks 2016), by hand
    d, pa, p = 20, 30, 50
    k = 103
    pp, dd = (p + 0.75) / k, (d + 0.75) / k
    z = (pp - dd - 0.10) / np.sqrt((pp + dd - (pp - dd) ** 2) / k)
    r = cx.nps_vs_target((d, pa, p), 10)
    assert r.statistic == pytest.approx(z) and r.diff == pytest.approx(20.0)
