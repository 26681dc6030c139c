"""The result object Estimate and share(): Newcombe's reference intervals, the other binomial intervals."""
from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import stats

import cxkit as cx


def test_estimate_renders_as_html_and_text():
    est = cx.nps_from_counts(1, 1, 3)
    html = est._repr_html_()
    assert "<table" in html and "adjusted-wald" in html
    assert "nps: 40.0 points" in str(est)
    assert list(est.summary.columns[:5]) == ["metric", "value", "ci_low", "ci_high", "n"]


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html)


def test_estimate_html_shows_the_confidence_level_as_a_percentage():
    # the level 0.95 was written with one decimal as "0.9"
    for level, text in ((0.95, "95%"), (0.9, "90%"), (0.99, "99%"), (0.995, "99.5%")):
        est = cx.nps_from_counts(20, 30, 50, confidence=level)
        cells = _cells(est._repr_html_())
        assert text in cells, (level, cells)
        assert "0.9" not in cells and "1.0" not in cells


def test_estimate_html_cells_are_the_numbers_a_reader_checks():
    est = cx.nps_from_counts(20, 30, 50)  # 50% promoters - 20% detractors = 30 points
    html = est._repr_html_()
    assert "nps: 30.0 points (95% CI" in html and "n = 100)" in html
    header = re.findall(r"<th>(.*?)</th>", html)
    cells = dict(zip(header, _cells(html)))
    assert cells["value"] == "30.0" and cells["n"] == "100" and cells["confidence"] == "95%"
    assert (cells["detractors"], cells["passives"], cells["promoters"]) == ("20", "30", "50")


# ---------------------------------------------------------------------------------------
# shares: Newcombe (1998) Table I, "Two-sided confidence intervals for the single proportion"

NEWCOMBE = [  # (k, n, Wilson score (method 3), Clopper-Pearson exact (method 5))
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize("k,n,wilson,exact", NEWCOMBE)
def test_share_intervals_match_newcombe_1998(k, n, wilson, exact):
    w = cx.share(k, n)
    c = cx.share(k, n, method="clopper-pearson")
    assert (w.ci_low / 100, w.ci_high / 100) == pytest.approx(wilson, abs=6e-5)
    assert (c.ci_low / 100, c.ci_high / 100) == pytest.approx(exact, abs=6e-5)


def test_jeffreys_and_agresti_coull_against_their_formulas():
    k, n = 15, 148
    jl, jh = stats.beta.ppf([0.025, 0.975], k + 0.5, n - k + 0.5)  # Jeffreys: Beta(k+1/2, n-k+1/2) quantiles
    j = cx.share(k, n, method="jeffreys")
    assert (j.ci_low / 100, j.ci_high / 100) == pytest.approx((jl, jh), abs=1e-9)
    z = stats.norm.ppf(0.975)  # Agresti & Coull (1998): Wald around (k + z^2/2) / (n + z^2)
    nt = n + z * z
    pt = (k + z * z / 2) / nt
    h = z * np.sqrt(pt * (1 - pt) / nt)
    ac = cx.share(k, n, method="agresti-coull")
    assert (ac.ci_low / 100, ac.ci_high / 100) == pytest.approx((pt - h, pt + h), abs=1e-9)
