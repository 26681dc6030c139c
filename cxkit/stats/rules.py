"""The comparison table and its rules, shared by :func:`compare` and :func:`trend`.

Its columns, the checks of the common settings, and the rules applied to every
table: minimum samples (not shown, not tested), confidentiality, the corrected
family of tested rows, the direction and a note on every row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .kinds import COMPARE_METRICS
from .multiplicity import CORRECTIONS, adjust_pvalues
from .twosample import _check_confidence

__all__: list[str] = []


def _labels_text(labels: pd.DataFrame, idx) -> np.ndarray:
    sub = labels.iloc[np.atleast_1d(idx)]
    return np.array([" / ".join(str(v) for v in row) for row in sub.itertuples(index=False, name=None)], dtype=object)


_COLUMNS = ["vs", "metric", "value", "ci_low", "ci_high", "n", "reference", "reference_n", "diff", "diff_ci_low",
            "diff_ci_high", "statistic", "p_value", "p_adjusted", "significant", "direction", "test", "effect_size",
            "suppressed", "note"]


def _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence):
    if metric not in COMPARE_METRICS:
        raise ConfigError(f"metric={metric!r} - compare() supports {', '.join(COMPARE_METRICS)}")
    if correction not in CORRECTIONS:
        raise ConfigError(f"correction={correction!r} - expected 'fdr_bh' (Benjamini-Hochberg) or 'holm'")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha={alpha!r} - expected a number between 0 and 1, e.g. 0.05")
    if int(min_n_show) != min_n_show or min_n_show < 1:
        raise ConfigError(f"min_n_show={min_n_show!r} - expected a whole number >= 1")
    if int(min_n_test) != min_n_test or min_n_test < 2:
        raise ConfigError(f"min_n_test={min_n_test!r} - expected a whole number >= 2")
    _check_confidence(confidence)


def _finish(frame: pd.DataFrame, *, ref_label, has_reference: bool, min_n_show: int, min_n_test: int,
            correction: str, alpha: float) -> pd.DataFrame:
    """Apply the confidentiality and minimum-sample rules, correct the family, set direction and notes."""
    n = frame["n"].to_numpy(dtype=float)
    ref_n = frame["reference_n"].to_numpy(dtype=float)
    ref_label = np.broadcast_to(np.asarray(ref_label, dtype=object), n.shape)
    notes = [[] for _ in range(len(frame))]
    has_reference = bool(has_reference)
    hidden = n < min_n_show
    ref_hidden = has_reference & (ref_n < min_n_show) & ~hidden
    no_target = (not has_reference) & frame["reference"].isna().to_numpy() & ~hidden
    small = ~hidden & ~ref_hidden & ~no_target & ((n < min_n_test) | (has_reference & (ref_n < min_n_test)))
    p = frame["p_value"].to_numpy(dtype=float).copy()
    untestable = ~hidden & ~ref_hidden & ~no_target & ~small & np.isnan(p)
    for i in range(len(frame)):
        if hidden[i]:
            notes[i].append(f"n = {int(n[i])} < {min_n_show}: not shown")
        elif ref_hidden[i]:
            notes[i].append(f"{ref_label[i]}: n = {int(ref_n[i])} < {min_n_show}: not shown")
        elif no_target[i]:
            notes[i].append("no target")
        elif small[i]:
            if n[i] < min_n_test:
                notes[i].append(f"n = {int(n[i])} < {min_n_test}: not tested")
            if has_reference and ref_n[i] < min_n_test:
                notes[i].append(f"{ref_label[i]}: n = {int(ref_n[i])} < {min_n_test}: not tested")
        elif untestable[i]:
            notes[i].append("no variation in the data: not tested")
    comparison = ["diff", "diff_ci_low", "diff_ci_high", "statistic", "p_value", "effect_size"]
    frame.loc[hidden, ["value", "ci_low", "ci_high", "reference"] + comparison] = np.nan
    frame.loc[ref_hidden, ["reference"] + comparison] = np.nan
    frame.loc[no_target, comparison] = np.nan
    frame.loc[small | untestable, ["statistic", "p_value"]] = np.nan
    p = frame["p_value"].to_numpy(dtype=float)
    frame["p_adjusted"] = adjust_pvalues(p, method=correction)
    # significant only where tested: never below min_n_test (n = 0 included) on either side
    enough = (n >= min_n_test) & ((ref_n >= min_n_test) if has_reference else True)
    sig = (frame["p_adjusted"].to_numpy(dtype=float) < alpha) & enough & ~hidden
    frame["significant"] = sig
    diff = frame["diff"].to_numpy(dtype=float)
    direction = np.where(sig & (diff > 0), "higher", np.where(sig & (diff < 0), "lower", "no difference"))
    direction = np.where(np.isnan(p), "not tested", direction)
    direction = np.where(hidden, "not shown", direction).astype(object)
    frame["direction"] = direction
    frame["suppressed"] = hidden
    frame["note"] = ["; ".join(x) for x in notes]
    return frame


def _frame(labels_rows: pd.DataFrame, vs, metric, est, n, ref_value, ref_n, dd) -> pd.DataFrame:
    value, low, high = est
    labels_rows = labels_rows.reset_index(drop=True)
    cols = dict(vs=np.asarray(vs, dtype=object) if np.ndim(vs) else vs, metric=metric, value=value, ci_low=low,
                ci_high=high, n=np.asarray(n).astype(int), reference=ref_value,
                reference_n=np.asarray(ref_n).astype(int), diff=dd["diff"], diff_ci_low=dd["low"],
                diff_ci_high=dd["high"], statistic=dd["statistic"], p_value=dd["p"], p_adjusted=np.nan,
                significant=False, direction="", test=dd["test"], effect_size=dd["effect"], suppressed=False, note="")
    # built at once: a column added at a time costs a copy of the frame's index each
    return pd.concat([labels_rows, pd.DataFrame(cols, index=labels_rows.index)], axis=1)
