"""Converting one column: cells every type shares are settled first, then the type's converter runs."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import Column
from ..hashing import _arrow_strings, _chunk_bytes
from ..readers.base import _STR
from .context import _Conversion, _LazyTexts
from .dates import _convert_date
from .numbers import _convert_number
from .scores import _convert_score
from .text import _convert_text
from .yes_no import _convert_bool

__all__: list[str] = []

#: Excel's error values; in a contract column they reject the row.
_EXCEL_ERRORS = frozenset({"#N/A", "#N/A!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                           "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA"})
#: Placeholders exports write for "no answer"; read as empty in optional number, score, date and yes/no columns.
PLACEHOLDERS = ("n/a", "na", "n.a.", "-", "--", "\u2013", "\u2014", "null", "none", "nan", "(blank)", "(empty)")
_PLACEHOLDER_VARIANTS = sorted({v for p in PLACEHOLDERS for v in (p, p.upper(), p.capitalize(), p.title())} | {"NaN"})


def _convert(s: pd.Series, col: Column, ctx: _Conversion):
    """Return (typed values, bad mask or None, expected text or array)."""
    kind = col.kind
    if kind in ("id", "category", "text"):
        return _convert_text(s, col, ctx)
    if kind == "score":
        return _convert_score(s, col, ctx)
    if kind == "number":
        return _convert_number(s, col, ctx)
    if kind in ("date", "datetime"):
        return _convert_date(s, col, ctx)
    if kind == "bool":
        return _convert_bool(s, col)
    raise AssertionError(kind)


def _expects(col: Column, ctx: _Conversion) -> str:
    """What a column holds, in words (start of an 'expected' text)."""
    if col.kind == "score":
        lo, hi = ctx.score_scale(col)
        return f"a whole number from {lo} to {hi}"
    return {"number": "a number", "date": "a date", "datetime": "a date-time", "bool": "yes/no",
            "text": "text"}.get(col.kind, "a value")


def _precheck(s: pd.Series, col: Column, pos: int, offset: int, ctx: _Conversion):
    """Cells settled before conversion.

    Rejected here: Excel error values (``#N/A``, ``#DIV/0!``, ...) and formulas
    whose workbook has no saved result. Repaired here (and reported):
    placeholders for "no answer" (``N/A``, ``-``, ``null``, ...) in optional
    number, score, date and yes/no columns become empty; Excel's leading
    apostrophe (text marker) is removed from ids, numbers, scores and dates.

    Returns (series to convert, mask of cells rejected here or None, expected texts).
    """
    n = len(s)
    special = None
    expected = _LazyTexts(n)
    cells = ctx.formula_cells.get(pos)
    if cells:
        recs = np.array([r - offset for r in cells if offset <= r < offset + n], dtype=np.int64)
        if len(recs):
            special = np.zeros(n, dtype=bool)
            special[recs] = True
            expected[recs] = (f"{_expects(col, ctx)}; the cell holds a formula that has no saved result - "
                              "open the workbook in Excel and save it, or paste the values")
    if not (isinstance(s.dtype, pd.StringDtype) or s.dtype == object):
        return s, special, expected
    t = s.astype(_STR) if s.dtype == object else s
    stripped = t  # only values that fail the cheap tests below are stripped, to keep 10M-row loads fast
    marks = _byte_marks(t)  # (any '#', any value starting with an apostrophe) from the bytes: one scan
    if (marks[0] if marks else t.str.contains("#", regex=False).fillna(False).any()):
        stripped = t.str.strip()
        special = _excel_errors(stripped, special, expected, col, ctx)
    if col.kind in ("score", "number", "date", "datetime", "bool"):
        ph = _placeholders(stripped)
        if ph.any():
            if col.nullable:
                example = str(stripped[ph].iloc[0])
                shown = ", ".join(repr(v) for v in pd.unique(stripped[ph].astype(str))[:5])
                ctx.repair(col.name, f"placeholders for 'no answer' read as empty ({shown})", ctx.count(ph), example,
                           mask=ph)
                t = t.where(~pd.Series(ph, index=t.index), "")
            else:
                special = ph if special is None else special | ph
                expected[ph] = f"a value (the {col.name} column is required; a placeholder such as 'N/A' is no value)"
    if col.kind in ("id", "score", "number", "date", "datetime", "bool") and (marks is None or marks[1]):
        t = _without_apostrophe(t, col, ctx)
    return t, special, expected.array()


def _excel_errors(stripped: pd.Series, special, expected: _LazyTexts, col: Column, ctx: _Conversion):
    """The cells rejected so far (``special``, or None) with Excel's error values added (their expected text
    set in ``expected``)."""
    err = stripped.str.upper().isin(list(_EXCEL_ERRORS)).fillna(False).to_numpy(dtype=bool)
    if special is not None:
        err &= ~special
    if err.any():
        special = err if special is None else special | err
        expected[err] = f"{_expects(col, ctx)}, not an Excel error value - fix the formula or the data it refers to"
    return special


def _without_apostrophe(t: pd.Series, col: Column, ctx: _Conversion) -> pd.Series:
    """Excel's leading apostrophe (a text marker) removed, and reported."""
    apostrophe = t.str.startswith("'").fillna(False).to_numpy(dtype=bool)
    if not apostrophe.any():
        return t
    stripped = t.str.strip()
    ctx.repair(col.name, "removed Excel's leading apostrophe (a text marker)", ctx.count(apostrophe),
               str(stripped[apostrophe].iloc[0]), mask=apostrophe)
    return t.where(~pd.Series(apostrophe, index=t.index), stripped.str.slice(1))


#: the longest placeholder in UTF-8 bytes: a value longer than this is no placeholder
_PLACEHOLDER_BYTES = max(len(v.encode("utf-8")) for v in _PLACEHOLDER_VARIANTS)


def _byte_marks(t: pd.Series) -> tuple[bool, bool] | None:
    """From one look at the bytes of Arrow-backed text: whether any value may hold ``#`` and whether any may
    start with an apostrophe (None for other series). Both only tell whether the exact checks must run."""
    arr = _arrow_strings(t)
    if arr is None:
        return None
    hash_mark = apostrophe = False
    for offsets, data in _chunk_bytes(arr):
        starts = offsets[:-1]
        first = data[starts[offsets[1:] > starts]]  # the first byte of each non-empty value (nulls too: harmless)
        hash_mark = hash_mark or bool((data == 0x23).any())
        apostrophe = apostrophe or bool((first == 0x27).any())
    return hash_mark, apostrophe


def _placeholders(t: pd.Series) -> np.ndarray:
    """Which values are placeholders for "no answer" (:data:`PLACEHOLDERS`, as written); values longer than
    every placeholder (all of them, in the usual column of dates or numbers) are not compared."""
    arr = _arrow_strings(t)
    if arr is not None and not any((np.diff(offsets) <= _PLACEHOLDER_BYTES).any() for offsets, _ in _chunk_bytes(arr)):
        return np.zeros(len(t), dtype=bool)
    return t.isin(_PLACEHOLDER_VARIANTS).fillna(False).to_numpy(dtype=bool)


def _convert_uniques(s: pd.Series, col: Column, pos: int, offset: int, ctx: _Conversion):
    """A category or score column converted through its distinct values (a few hundred units, eleven NPS
    answers in 10M rows).

    The same checks and repairs as row by row; repair counts are weighted by how often each
    value occurs. Returns (values, bad mask, expected, special mask, special expected).
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(pd.array(list(uniques) + [""], dtype=_STR))
    codes = np.where(codes < 0, len(uniques), codes)
    ctx.weights = np.bincount(codes, minlength=len(u))
    ctx.codes = codes  # repairs found among the distinct values name the rows that hold them
    try:
        prepared, special_u, special_exp_u = _precheck(u, col, pos, offset, ctx)
        values_u, mask_u, exp_u = _convert(prepared, col, ctx)
    finally:
        ctx.weights = ctx.codes = None
    if isinstance(values_u.dtype, pd.CategoricalDtype):
        cat = values_u.cat
        values = pd.Series(pd.Categorical.from_codes(cat.codes.to_numpy()[codes], categories=cat.categories),
                           index=s.index)
    else:  # scores: a few distinct texts ("0".."10") in millions of rows
        values = pd.Series(values_u.array.take(codes), index=s.index)

    def spread(mask, exp):
        if mask is None or not np.asarray(mask).any():
            return None, ""
        m = np.asarray(mask, dtype=bool)[codes]
        e = np.asarray(exp, dtype=object)[codes] if not isinstance(exp, str) else exp
        return m, e

    mask, expected = spread(mask_u, exp_u)
    special, special_expected = spread(special_u, special_exp_u)
    return values, mask, expected, special, special_expected


def _recode(s: pd.Series, name: str, ctx: _Conversion) -> pd.Series:
    """Values recoded with the mapping's ``values:`` table for this column (case and spaces ignored)."""
    table = {str(k).strip().casefold(): v for k, v in ctx.tm.values[name].items()}
    stripped = s.astype(_STR).str.strip()
    folded = stripped.str.casefold()
    hit = folded.isin(list(table))
    if not hit.any():
        return s
    mapped = folded.map(lambda x: table.get(x), na_action="ignore")
    result = stripped.where(~hit, mapped.astype(str))
    ctx.repair(name, "recoded values using the mapping", int(hit.sum()), str(stripped[hit].iloc[0]),
               mask=hit.fillna(False).to_numpy(dtype=bool))
    return result.astype(_STR)
