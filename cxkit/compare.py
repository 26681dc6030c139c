"""Are differences real? Significance tests between groups.

Two-group comparisons return a :class:`Comparison` (difference, its interval,
test statistic, p-value, test name, effect size).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._printer import Result, format_number
from .errors import ConfigError, InsufficientDataError
from .metrics import _z

__all__ = ["Comparison", "nps_test"]


@dataclass(frozen=True)
class Comparison(Result):
    """Result of comparing group A with group B (``diff`` = A - B).

    Attributes
    ----------
    metric : e.g. ``"nps"``
    value_a, value_b : the metric in each group
    n_a, n_b : sample sizes
    diff, diff_ci_low, diff_ci_high : difference A - B and its interval
    statistic : test statistic (z, t, U ...)
    p_value : two-sided p-value
    test : name of the test
    effect_size, effect_size_name : standardised effect (e.g. Cohen's h / d)
    """

    metric: str
    value_a: float
    value_b: float
    n_a: int
    n_b: int
    diff: float
    diff_ci_low: float
    diff_ci_high: float
    statistic: float
    p_value: float
    test: str
    effect_size: float = np.nan
    effect_size_name: str = ""
    confidence: float = 0.95
    details: dict = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:  # type: ignore[override]
        return (f"{self.metric}: difference {format_number(self.diff)} "
                f"({self.confidence:.0%} CI {format_number(self.diff_ci_low)} to {format_number(self.diff_ci_high)}), "
                f"p = {format_number(self.p_value, 4)} [{self.test}]")

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "metric": self.metric, "value_a": self.value_a, "value_b": self.value_b, "n_a": self.n_a, "n_b": self.n_b,
            "diff": self.diff, "diff_ci_low": self.diff_ci_low, "diff_ci_high": self.diff_ci_high,
            "statistic": self.statistic, "p_value": self.p_value, "test": self.test,
            "effect_size": self.effect_size, "effect_size_name": self.effect_size_name,
        }])

    def __str__(self) -> str:
        return self.title

    __repr__ = __str__


def _nps_diff_arrays(a, b, method: str, confidence: float):
    """Vectorised NPS difference test from count arrays a = (d, pa, p), b = (d, pa, p)."""
    (da, paa, pa_), (db, pab, pb) = (np.asarray(x, dtype=float) for x in a), (np.asarray(x, dtype=float) for x in b)
    na, nb = da + paa + pa_, db + pab + pb
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = (pa_ - da) / na - (pb - db) / nb
        if method == "adjusted-wald":
            ka, kb = na + 3.0, nb + 3.0
            p1, d1 = (pa_ + 0.75) / ka, (da + 0.75) / ka
            p2, d2 = (pb + 0.75) / kb, (db + 0.75) / kb
        elif method == "wald":
            ka, kb = na, nb
            p1, d1, p2, d2 = pa_ / na, da / na, pb / nb, db / nb
        else:
            raise ConfigError(f"method={method!r} - expected 'adjusted-wald' or 'wald'")
        v1 = p1 + d1 - (p1 - d1) ** 2
        v2 = p2 + d2 - (p2 - d2) ** 2
        centre = (p1 - d1) - (p2 - d2)
        se = np.sqrt(v1 / ka + v2 / kb)
        z = centre / se
        p_value = 2 * stats.norm.sf(np.abs(z))
        h = _z(confidence) * se
        effect = centre / np.sqrt((v1 + v2) / 2)
    return raw, centre - h, centre + h, z, p_value, effect


def nps_test(counts_a, counts_b, *, method: str = "adjusted-wald", confidence: float = 0.95) -> Comparison:
    """Two-sample z-test for a difference in NPS, from counts.

    Parameters
    ----------
    counts_a, counts_b : (detractors, passives, promoters) of each group
    method : ``"adjusted-wald"`` (default; each side gets 0.75/1.5/0.75 pseudo-counts,
        Rocks 2016) or ``"wald"`` (as R ``NPS::nps_test``)

    Returns
    -------
    Comparison
        ``diff`` = NPS(A) - NPS(B) in points (raw); the interval and z use the
        (adjusted) variances: z = diff / sqrt(V_A / n_A + V_B / n_B),
        V = p + d - (p - d)^2. Effect size: difference / pooled SD of the
        +1/0/-1 scores.

    Examples
    --------
    >>> r = nps_test((20, 30, 50), (40, 30, 30))
    >>> round(r.diff, 1), r.p_value < 0.01
    (40.0, True)
    """
    a, b = (np.asarray(c, dtype=float) for c in (counts_a, counts_b))
    if a.shape != (3,) or b.shape != (3,):
        raise ConfigError("counts must be (detractors, passives, promoters) for each group")
    if a.sum() == 0 or b.sum() == 0:
        raise InsufficientDataError("both groups need at least one answer")
    raw, low, high, z, p, eff = _nps_diff_arrays(a, b, method, confidence)
    return Comparison("nps", float((a[2] - a[0]) / a.sum() * 100), float((b[2] - b[0]) / b.sum() * 100),
                      int(a.sum()), int(b.sum()), float(raw) * 100, float(low) * 100, float(high) * 100, float(z),
                      float(p), f"NPS z-test ({method})", float(eff), "standardised NPS difference", confidence)
