"""Survey scores (NPS, CSAT, CES): whole numbers on the column's scale; answer labels read as their number."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import Column
from ..platforms import ANSWER_LABELS
from .context import _Conversion, _as_text, _ScoreCounts

__all__: list[str] = []


_LABEL = r"^([+-]?\d+)\s*(?:[-\u2013\u2014:=.)]\s*|\s+)[^\d\s].*$"


def _convert_score(s: pd.Series, col: Column, ctx: _Conversion):
    lo, hi = ctx.score_scale(col)
    expected = f"a whole number from {lo} to {hi}"
    counts = ctx.score_counts.setdefault(col.name, _ScoreCounts())  # for the scale check, over the whole file
    if pd.api.types.is_integer_dtype(s.dtype):  # typed input (Parquet): no parsing, no float detour
        arr = s.array
        data = np.asarray(arr._data if isinstance(arr, pd.arrays.IntegerArray) else s.to_numpy())
        missing = np.asarray(arr._mask) if isinstance(arr, pd.arrays.IntegerArray) else np.zeros(len(s), bool)
        counts.add(data[~missing])
        bad = ~missing & ((data < lo) | (data > hi))
        if not col.nullable:
            bad |= missing
        values = pd.arrays.IntegerArray(np.where(bad | missing, 0, data).astype(np.int8), missing | bad)
        return pd.Series(values, index=s.index), bad, expected
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        num = pd.to_numeric(s, errors="coerce").astype("float64")
        empty = num.isna().to_numpy()
        counts.add(num.to_numpy(dtype="float64", na_value=np.nan), ctx.weights)
    else:
        t = _as_text(s).fillna("").str.strip()
        empty = (t == "").to_numpy(dtype=bool)
        ok_form = t.str.fullmatch(r"[+-]?\d+(?:[.,]0+)?").fillna(False).to_numpy(dtype=bool)
        num = pd.to_numeric(t.where(ok_form, None).str.replace(",", ".", regex=False),
                            errors="coerce").astype("float64")
        num[~ok_form] = np.nan
        rest = ~ok_form & ~empty
        if rest.any():
            # answer labels exported with their number: "10 - Extremely likely" -> 10
            label = t[rest].str.extract(_LABEL, expand=False)
            is_label = label.notna().to_numpy()
            if is_label.any():
                at = np.flatnonzero(rest)[is_label]
                num.iloc[at] = pd.to_numeric(label[is_label], errors="coerce").to_numpy(dtype="float64")
                ok_form[at] = True
                ctx.repair(col.name, "answer labels read as their number (e.g. '10 - Extremely likely' -> 10)",
                           ctx.count(_at(len(t), at)), str(t.iloc[at[0]]), mask=_at(len(t), at))
            _platform_labels(t, rest & ~ok_form, num, ok_form, col, ctx)
        not_whole = ~ok_form & ~empty
        counts.add(num.to_numpy(dtype="float64", na_value=np.nan), ctx.weights)
        if not_whole.any():
            fractional = t.str.fullmatch(r"[+-]?\d*[.,]?\d+(?:[eE][+-]?\d+)?").fillna(False).to_numpy(dtype=bool)
            ratio = t.str.fullmatch(r"\d+\s*/\s*\d+").fillna(False).to_numpy(dtype=bool)
            datelike = t.str.match(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
            exp = np.select(
                [fractional, ratio, datelike],
                [f"{expected} (no fractions)",
                 f"{expected}, not a fraction like '10/10' (export the number only, or recode it with values: "
                 f"in the mapping)",
                 f"{expected}, not a date (Excel turns answers like 10/10 into dates; format the column as text "
                 f"before exporting)"],
                f"{expected}, not text (recode answer labels with values: in the mapping)")
            out_of_range = (num < lo) | (num > hi)
            bad = not_whole | out_of_range.to_numpy(dtype=bool, na_value=False)
            exp = np.where(not_whole, exp, expected)
            values = num.where(~pd.Series(bad, index=num.index)).round().astype("Int8")
            return values, bad, exp
    arr = num.to_numpy(dtype="float64", na_value=np.nan)
    frac = ~np.isnan(arr) & (arr != np.round(arr))
    out = ~np.isnan(arr) & ((arr < lo) | (arr > hi))
    bad = frac | out
    if not col.nullable:
        bad |= empty
    invalid = bad | np.isnan(arr)
    values = pd.Series(pd.arrays.IntegerArray(np.where(invalid, 0, np.round(arr)).astype(np.int8), invalid),
                       index=s.index)
    return values, bad, (np.where(frac, f"{expected} (no fractions)", expected) if frac.any() else expected)


def _platform_labels(t: pd.Series, rest: np.ndarray, num: pd.Series, ok_form: np.ndarray, col: Column,
                     ctx: _Conversion) -> None:
    """A survey platform's standard answer labels ("Very satisfied") read as their number, in place.

    Only for a platform's export loaded with no mapping (see :mod:`cxkit.data.platforms`), and for
    satisfaction and effort only on a 1-5 scale, the scale the labels name.
    """
    labels = ANSWER_LABELS.get(col.scale or "")
    if not rest.any() or not labels or getattr(ctx.tm.columns, "platform", None) is None:
        return
    if col.scale != "nps" and tuple(ctx.score_scale(col)) != (1, 5):
        return
    words = t[rest].str.casefold().str.replace(r"\s+", " ", regex=True).map(labels.get)
    hit = words.notna().to_numpy()
    if not hit.any():
        return
    at = np.flatnonzero(rest)[hit]
    num.iloc[at] = words[hit].to_numpy(dtype="float64")
    ok_form[at] = True
    ctx.repair(col.name, f"standard answer labels of {ctx.tm.columns.platform} read as their number "
                         "('Very satisfied' -> 5, 'Very easy' -> 5, 'Extremely likely' -> 10)",
               ctx.count(_at(len(t), at)),
               str(t.iloc[at[0]]), mask=_at(len(t), at))


def _at(n: int, positions: np.ndarray) -> np.ndarray:
    """A mask of ``n`` rows, true at ``positions``."""
    out = np.zeros(n, dtype=bool)
    out[positions] = True
    return out
