"""How the outcome analyses read their input: the customer-level frame, its columns and groups, churn
within a horizon, the reference group and the numeric design matrix of the regression models."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from .join import join_outcomes
from .results import OutcomeData


def _frame(data) -> pd.DataFrame:
    """Customer-level frame from an OutcomeData, a joined frame or a plain customers table."""
    if isinstance(data, OutcomeData):
        return data.data
    if isinstance(data, pd.DataFrame):
        if "months" in data.columns and "churned" in data.columns:
            extra = {}
            if "active" not in data.columns:
                extra["active"] = ~data["churned"].astype("boolean").fillna(False).astype(bool)
            if "monthly_revenue" not in data.columns:
                extra["monthly_revenue"] = np.nan
            return data.assign(**extra) if extra else data
        return join_outcomes(None, data).data
    if data is not None and hasattr(data, "tables"):
        return join_outcomes(data).data
    raise ConfigError("expected the result of cx.join_outcomes(...) or a customers table")


def _frame_with(data, needed: Sequence[str]) -> pd.DataFrame:
    """A table that already has the ``needed`` columns is used as it is (e.g. any survival
    data set); otherwise it is taken for a customers table and joined."""
    if isinstance(data, pd.DataFrame) and all(c in data.columns for c in needed):
        return data
    return _frame(data)


def _column(frame: pd.DataFrame, name: str, what: str = "by") -> pd.Series:
    if name not in frame.columns:
        raise ConfigError(f"{what}={name!r}: no such column; available: {', '.join(map(str, frame.columns))}")
    return frame[name]


def _groups(frame: pd.DataFrame, by: str) -> tuple[pd.Series, list]:
    """The grouping column as a categorical and its observed levels in order."""
    s = _column(frame, by)
    if not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("category")
    levels = [lv for lv in s.cat.categories if (s == lv).any()]
    if not levels:
        hint = " - were the survey answers linked (join_outcomes)?" if by == "nps_group" else ""
        raise InsufficientDataError(f"by={by!r}: no customer has a value in this column" + hint)
    return s, levels


def _restrict(frame: pd.DataFrame, horizon):
    """Binary churn within ``horizon`` months: known outcome rows, event flag, capped months."""
    months = frame["months"].to_numpy(dtype=float)
    churned = frame["churned"].to_numpy(dtype=bool)
    ok = ~np.isnan(months)
    if horizon is None:
        return ok, churned, months
    if horizon <= 0:
        raise ConfigError(f"horizon={horizon!r} - expected a number of months > 0")
    event = churned & (months <= horizon)
    known = ok & (event | (months >= horizon))
    return known, event, np.minimum(months, horizon)


def _default_reference(by: str, levels: list, reference):
    if reference is None:
        reference = "promoter" if by == "nps_group" else levels[0]
    if reference not in levels:
        raise ConfigError(f"reference={reference!r} is not a group of {by!r}; groups: {', '.join(map(str, levels))}")
    return reference


def _design(frame: pd.DataFrame, terms: Sequence[str], references: dict | None = None):
    """Numeric design matrix: numbers as they are, categories as 0/1 dummies.

    Returns (X, notes, term_of_column). Rows with a missing value are dropped by the caller.
    """
    references = references or {}
    cols, notes, origin = {}, [], {}
    for name in terms:
        s = _column(frame, name, "term")
        if pd.api.types.is_bool_dtype(s.dtype):
            cols[name] = s.astype(float)
            origin[name] = name
        elif pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
            cols[name] = s.astype("Float64").astype(float)
            origin[name] = name
        else:
            cat = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("category")
            levels = [lv for lv in cat.cat.categories if (cat == lv).any()]
            if len(levels) < 2:
                notes.append(f"{name} has one value only; left out of the model.")
                continue
            ref = references.get(name, levels[0])
            if ref not in levels:
                raise ConfigError(f"reference {ref!r} is not a value of {name!r}; "
                                  f"values: {', '.join(map(str, levels))}")
            for lv in levels:
                if lv == ref:
                    continue
                col = f"{name}: {lv}"
                cols[col] = (cat == lv).astype(float).where(cat.notna())
                origin[col] = name
            notes.append(f"{name}: compared with {ref!r}.")
    X = pd.DataFrame(cols, index=frame.index)
    return X, notes, origin


def _term_codes(frame: pd.DataFrame, name: str, references: dict):
    """One term's integer code per row (-1 = missing) and how to turn a code into design columns.

    Returns (codes, columns, note): ``columns`` maps a design column name to its value per code."""
    s = _column(frame, name, "term")
    if pd.api.types.is_bool_dtype(s.dtype) or (pd.api.types.is_numeric_dtype(s.dtype)
                                              and not isinstance(s.dtype, pd.CategoricalDtype)):
        codes, values = pd.factorize(s.astype("Float64").astype(float).to_numpy())
        return codes, {name: np.asarray(values, dtype=float)}, None
    cat = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("category")
    codes = cat.cat.codes.to_numpy().astype(np.int64)
    seen = np.bincount(codes[codes >= 0], minlength=len(cat.cat.categories)) > 0
    levels = [lv for lv, k in zip(cat.cat.categories, seen) if k]
    if len(levels) < 2:
        return None, {}, f"{name} has one value only; left out of the model."
    ref = references.get(name, levels[0])
    if ref not in levels:
        raise ConfigError(f"reference {ref!r} is not a value of {name!r}; values: {', '.join(map(str, levels))}")
    where = {lv: i for i, lv in enumerate(cat.cat.categories)}
    columns = {f"{name}: {lv}": (np.arange(len(seen)) == where[lv]).astype(float) for lv in levels if lv != ref}
    return codes, columns, f"{name}: compared with {ref!r}."


def _pattern_design(frame: pd.DataFrame, terms: Sequence[str], references: dict | None = None):
    """The design matrix of :func:`_design` for the distinct covariate patterns only, and each row's pattern.

    Returns (patterns, pattern_of_row, complete, notes, term_of_column): ``patterns`` is the design
    (same columns and values as :func:`_design`) with one row per distinct pattern among the complete
    rows; ``pattern_of_row`` is -1 for rows with a missing value. Building dummies for a million rows is
    what costs; a few hundred patterns cost nothing."""
    references = references or {}
    notes, origin, parts = [], {}, []
    for name in terms:
        codes, columns, note = _term_codes(frame, name, references)
        if note:
            notes.append(note)
        if codes is None:
            continue
        parts.append((codes, columns))
        origin.update({col: name for col in columns})
    complete = np.ones(len(frame), dtype=bool)
    for codes, _ in parts:
        complete &= codes >= 0
    key = np.zeros(int(complete.sum()), dtype=np.int64)
    for codes, columns in parts:
        card = len(next(iter(columns.values())))
        key = pd.factorize(key * card + codes[complete])[0].astype(np.int64)
    pattern = np.full(len(frame), -1, dtype=np.int64)
    pattern[complete] = key
    m = int(key.max()) + 1 if len(key) else 0
    first = np.empty(m, dtype=np.int64)
    rows = np.flatnonzero(complete)
    first[key[::-1]] = rows[::-1]
    cols = {col: values[codes[first]] for codes, columns in parts for col, values in columns.items()}
    return pd.DataFrame(cols, index=pd.RangeIndex(m)), pattern, complete, notes, origin
