"""Checks across the columns of a row: known units, at least one score, dates in order, churn flags."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__: list[str] = []


def _row_checks(f: pd.DataFrame, bad: np.ndarray, raw: dict, name: str, known=None, blanked=None):
    """Checks across columns. Yields (mask, column, values[mask], expected[mask]); values as in the file.

    ``name`` is the contract table, ``known`` the units of the units table as (names, file name) or None,
    ``blanked`` the values blanked in optional columns (``column -> [(mask, expected), ...]``): a row
    left with no score says which of its scores were blanked.
    """

    def shown(column, mask):
        values = raw[column] if column in raw else f[column]  # constants have no raw values
        return values.astype("string").fillna("").str.strip().to_numpy()[mask]

    if known is not None and "unit" in f.columns:
        units, units_file = known
        unknown = _not_in(f["unit"], units) & ~bad
        if unknown.any():
            yield unknown, "unit", shown("unit", unknown), f"a unit listed in {units_file}"
    if name == "responses":
        scores = [c for c in ("nps", "csat", "ces") if c in f.columns]
        if scores:
            none = f[scores].isna().all(axis=1).to_numpy() & ~bad
            yield none, scores[0], "", _no_score(none, scores, blanked or {}, shown)
    if name == "tickets" and "created_at" in f.columns:
        for c in ("first_response_at", "resolved_at"):
            if c in f.columns:
                early = (f[c] < f["created_at"]).to_numpy(dtype=bool, na_value=False)
                if early.any():
                    yield (early, c, shown(c, early),
                           [f"not before created_at ({x})" for x in shown("created_at", early)])
    if name == "customers":
        if "churned_at" in f.columns and "acquired_at" in f.columns:
            early = (f["churned_at"] < f["acquired_at"]).to_numpy(dtype=bool, na_value=False)
            if early.any():
                yield (early, "churned_at", shown("churned_at", early),
                       [f"not before acquired_at ({x})" for x in shown("acquired_at", early)])
        if "churned_at" in f.columns and "churned" in f.columns:
            clash = (f["churned_at"].notna() & (f["churned"] == False)).to_numpy(dtype=bool, na_value=False)  # noqa: E712
            yield clash, "churned", shown("churned", clash), "churned = yes when churned_at is filled"


def _no_score(none: np.ndarray, scores: list[str], blanked: dict, shown):
    """What a row with no score expected: at least one score, and which of its scores were blanked as not valid
    (one text per row of ``none``, or one text for all when none of them had a score blanked)."""
    text = f"at least one score ({', '.join(scores)})"
    rows = np.flatnonzero(none)
    found: list[list[str]] = [[] for _ in rows]
    for c in scores:
        for mask, expected in blanked.get(c, []):
            hit = mask[rows]
            if not hit.any():
                continue
            values = shown(c, none)
            for i in np.flatnonzero(hit):
                exp = expected if isinstance(expected, str) else expected[rows[i]]
                found[i].append(f"{c} {str(values[i])!r} (expected {exp})")
    if not any(found):
        return text
    return [f"{text}; blanked as not valid: {', '.join(f)}" if f else text for f in found]


def _not_in(values: pd.Series, allowed: set) -> np.ndarray:
    """True where a value is present and not in ``allowed``; a categorical is checked by its categories."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        bad_category = np.append(~values.cat.categories.astype(str).isin(allowed), False)  # code -1 (missing): fine
        return bad_category[codes]
    return (values.notna() & ~values.astype(str).isin(allowed)).to_numpy(dtype=bool)
