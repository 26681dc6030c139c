"""Multiple comparisons: reference values and seeded FWER / FDR simulations."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import ConfigError
from cxkit.stats.twosample import _nps_diff_arrays


def test_adjust_pvalues_benjamini_hochberg_1995_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; at q = 0.05 BH rejects the four smallest,
    # Bonferroni-type control three. BH adjusted p(4) = 0.0095 x 15 / 4; Holm p(3) = 0.0019 x 13.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
         0.7590, 1.000]
    bh = cx.adjust_pvalues(p, method="fdr_bh")
    holm = cx.adjust_pvalues(p, method="holm")
    assert (bh < 0.05).sum() == 4 and bh[3] == pytest.approx(0.0095 * 15 / 4)
    assert (holm < 0.05).sum() == 3 and holm[2] == pytest.approx(0.0019 * 13)
    assert np.isnan(cx.adjust_pvalues([0.01, np.nan])[1])
    # equal to statsmodels' multipletests (an independent implementation) on random families
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(4)
    for method in ("fdr_bh", "holm", "bonferroni"):
        for m in (1, 2, 7, 40):
            q = rng.random(m) ** 3
            assert cx.adjust_pvalues(q, method=method) == pytest.approx(multipletests(q, method=method)[1])
    rows = rng.random((5, 12))
    assert cx.adjust_pvalues(rows)[3] == pytest.approx(multipletests(rows[3], method="fdr_bh")[1])
    with pytest.raises(ConfigError):
        cx.adjust_pvalues(p, method="sidak-ish")


# =======================================================================================
# seeded simulations: FWER, FDR, power


def _vs_rest_pvalues(counts):
    """p-values of each unit vs the rest for count arrays of shape (replicates, units, 3)."""
    rest = counts.sum(axis=1, keepdims=True) - counts
    a = tuple(np.moveaxis(counts, -1, 0))
    b = tuple(np.moveaxis(rest, -1, 0))
    return _nps_diff_arrays(a, b, "adjusted-wald", 0.95)[4]


def test_twenty_equal_units_holm_fwer_and_bh_fdr_at_most_five_percent():
    # Null: 20 units with the same NPS mix, n = 200 each, every unit vs the rest, 4,000 replicates.
    # Under this complete null every rejection is false, so FDR = FWER; Monte Carlo SE ~ 0.0035.
    rng = np.random.default_rng(2024)
    reps, units, n = 4000, 20, 200
    counts = rng.multinomial(n, (0.25, 0.35, 0.40), size=(reps, units))
    p = _vs_rest_pvalues(counts)
    holm = cx.adjust_pvalues(p, method="holm")  # one family per replicate (row)
    bh = cx.adjust_pvalues(p, method="fdr_bh")
    fwer_holm = np.mean((holm < 0.05).any(axis=1))
    fdr_bh = np.mean((bh < 0.05).any(axis=1))
    se = np.sqrt(0.05 * 0.95 / reps)
    assert fwer_holm <= 0.05 + 2 * se, fwer_holm  # measured 0.045 (40,000 replicates: 0.050)
    assert fdr_bh <= 0.05 + 2 * se, fdr_bh  # measured 0.045 (40,000 replicates: 0.051)
    assert np.mean(p < 0.05) == pytest.approx(0.05, abs=0.005)  # each raw test is at its nominal level
    # compare() gives exactly these p-values for one replicate (the plumbing is the same)
    one = counts[0]
    scores = np.concatenate([np.repeat([3, 7, 10], row) for row in one])
    df = pd.DataFrame({"unit": np.repeat([f"U{i:02d}" for i in range(units)], n), "nps": scores})
    assert cx.compare(df, metric="nps", by="unit")["p_value"].to_numpy() == pytest.approx(p[0])


def test_bh_controls_fdr_and_finds_real_drops():
    # 20 units, n = 300 each, 3,000 replicates: 3 units 30 points worse, 3 units 30 points better, 14 equal.
    # The worse and better mixes average to the equal one, so for each of the 14 equal units the rest of the
    # company has exactly its NPS: those 14 nulls are true, and only their rejections are false discoveries.
    rng = np.random.default_rng(77)
    reps, units, n = 3000, 20, 300
    equal, worse, better = (0.20, 0.35, 0.45), (0.30, 0.45, 0.25), (0.10, 0.25, 0.65)  # NPS 25, -5, 55
    counts = rng.multinomial(n, equal, size=(reps, units))
    counts[:, :3] = rng.multinomial(n, worse, size=(reps, 3))
    counts[:, 3:6] = rng.multinomial(n, better, size=(reps, 3))
    flagged = cx.adjust_pvalues(_vs_rest_pvalues(counts), method="fdr_bh") < 0.05
    false = flagged[:, 6:].sum(axis=1)
    fdp = false / np.maximum(flagged.sum(axis=1), 1)
    assert fdp.mean() <= 0.05, fdp.mean()  # measured 0.035 (BH bound: 0.05 x 14/20 = 0.035)
    assert flagged[:, :6].mean() >= 0.95  # power to find a real 30-point difference at n = 300: measured 1.0
    holm = cx.adjust_pvalues(_vs_rest_pvalues(counts), method="holm") < 0.05
    # Holm: family-wise error over the 14 true nulls; measured 0.054 (SE 0.004)
    assert holm[:, 6:].any(axis=1).mean() <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)
