"""Multiple comparisons: adjusting a family of p-values (Benjamini-Hochberg, Holm, Bonferroni).

Comparing every unit with the rest tests many hypotheses at once; the family
of the tested rows of a table is corrected together (see ``docs/statistics.md``).
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError

__all__ = ["adjust_pvalues", "CORRECTIONS"]


#: correction name -> the ``statsmodels.stats.multitest.multipletests`` method it equals
CORRECTIONS = {"fdr_bh": "fdr_bh", "bh": "fdr_bh", "holm": "holm", "bonferroni": "bonferroni", "none": None}


def adjust_pvalues(p_values, *, method: str = "fdr_bh") -> np.ndarray:
    """Adjust a family of p-values for multiple comparisons; missing p-values stay missing.

    Parameters
    ----------
    p_values : the raw p-values of one family (NaN = not tested, not counted); a
        2-D array is adjusted row by row (one family per row)
    method : ``"fdr_bh"`` (default, Benjamini-Hochberg false-discovery rate),
        ``"holm"`` (family-wise error rate), ``"bonferroni"`` or ``"none"``

    Returns
    -------
    ndarray
        Adjusted p-values, the shape of ``p_values`` (NaN where the raw p-value is NaN).

    Notes
    -----
    With the m p-values of a family sorted, p(1) <= ... <= p(m):
    Benjamini-Hochberg p_adj(i) = min over j >= i of m p(j) / j;
    Holm p_adj(i) = max over j <= i of (m - j + 1) p(j); both capped at 1.
    The results equal ``statsmodels.stats.multitest.multipletests`` with
    ``method="fdr_bh"`` / ``"holm"`` (checked in the tests); they are computed
    here, vectorised, because that function runs a full garbage collection on
    every call, which is slow inside reports and simulations.

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
    JRSS B 57, 289-300. Holm, S. (1979). A simple sequentially rejective multiple
    test procedure. Scandinavian Journal of Statistics 6, 65-70.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    if method not in CORRECTIONS:
        raise ConfigError(f"correction={method!r} - expected one of {', '.join(CORRECTIONS)}")
    p = np.array(p_values, dtype=float, ndmin=1)
    ok = ~np.isnan(p)
    if np.any((p[ok] < 0) | (p[ok] > 1)):
        raise ConfigError("p-values must lie between 0 and 1")
    if CORRECTIONS[method] is None or not ok.any():
        return p
    flat = p.reshape(-1, p.shape[-1])
    filled = np.where(np.isnan(flat), np.inf, flat)
    order = np.argsort(filled, axis=1, kind="stable")
    srt = np.take_along_axis(filled, order, axis=1)
    m = np.isfinite(flat).sum(axis=1, keepdims=True).astype(float)
    rank = np.arange(1, flat.shape[1] + 1, dtype=float)[None, :]
    with np.errstate(invalid="ignore"):
        if method in ("fdr_bh", "bh"):
            adj = np.minimum.accumulate((srt * m / rank)[:, ::-1], axis=1)[:, ::-1]
        elif method == "holm":
            adj = np.maximum.accumulate(srt * (m - rank + 1), axis=1)
        else:  # bonferroni
            adj = srt * m
    out = np.empty_like(flat)
    np.put_along_axis(out, order, np.minimum(adj, 1.0), axis=1)
    out[np.isnan(flat)] = np.nan
    return out.reshape(p.shape)
