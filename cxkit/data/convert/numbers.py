"""Amounts and other numbers: decimal commas, thousands separators and currency signs."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..contract import Column
from .context import _Conversion, _LazyTexts, _as_text

__all__: list[str] = []


_CURRENCY = re.compile(r"(?i)(?:€|eur|pln|zł|zl|\$|usd|£|gbp)")
_CURRENCY_CODES = {"€": "EUR", "eur": "EUR", "pln": "PLN", "zł": "PLN", "zl": "PLN", "$": "USD", "usd": "USD",
                   "£": "GBP", "gbp": "GBP"}
_SPACES = "[\\s\u00a0\u202f']"  # spaces used as thousands separators (incl. no-break spaces)


def _convert_number(s: pd.Series, col: Column, ctx: _Conversion):
    expected = "a number" + (f" >= {col.minimum:g}" if col.minimum is not None else "")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        empty = np.isnan(arr)
        bad = np.zeros(len(arr), dtype=bool)
        exp = _LazyTexts(len(arr), expected)
    else:
        t = _as_text(s).fillna("").str.strip()
        empty = (t == "").to_numpy(dtype=bool)
        cleaned = t
        other_currency = None
        if cleaned.str.contains(_CURRENCY.pattern, regex=True).any():
            cleaned, other_currency, main = _strip_currency(cleaned, col.name, ctx)
        spaced = cleaned.str.contains(r"\d" + _SPACES + r"\d{3}", regex=True)
        if spaced.any():
            ctx.repair(col.name, "removed thousands separators (spaces)", int(spaced.sum()), str(t[spaced].iloc[0]),
                       mask=spaced.fillna(False).to_numpy(dtype=bool))
            for _ in range(3):  # "1 234 567": non-overlapping matches need a few passes
                cleaned = cleaned.str.replace(r"(\d)" + _SPACES + r"(\d{3})", r"\1\2", regex=True)
        decimal = ctx.tm.decimal or ctx.decimal.get(col.name) or _infer_decimal(cleaned, col.name, ctx)
        thousands = "." if decimal == "," else ","
        with_thousands = cleaned.str.fullmatch(r"[+-]?\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+(?:"
                                               + re.escape(decimal) + r"\d+)?")
        plain = cleaned.str.fullmatch(r"[+-]?\d+(?:" + re.escape(decimal) + r"\d*)?|[+-]?" + re.escape(decimal)
                                      + r"\d+")
        with_thousands = with_thousands.fillna(False).to_numpy(dtype=bool)
        ok = with_thousands | plain.fillna(False).to_numpy(dtype=bool)
        if with_thousands.any():
            ctx.repair(col.name, f"removed thousands separators ({thousands!r})", int(with_thousands.sum()),
                       str(t[with_thousands].iloc[0]), mask=with_thousands)
        normal = cleaned.where(pd.Series(ok, index=cleaned.index), None)
        normal = normal.str.replace(thousands, "", regex=False)
        if decimal == ",":
            had = normal.str.contains(",", regex=False).fillna(False)
            if had.any():
                ctx.repair(col.name, "read decimal commas", int(had.sum()), str(t[had].iloc[0]),
                           mask=had.to_numpy(dtype=bool))
            normal = normal.str.replace(",", ".", regex=False)
        arr = pd.to_numeric(normal, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = ~ok & ~empty
        exp = np.where(bad, f"{expected} (decimal separator '{decimal}')", expected).astype(object)
        if bad.any():
            accounting = bad & cleaned.str.fullmatch(r"\(\s*[\d.,]+\s*\)|[\d.,]+\s*-").fillna(False).to_numpy(
                dtype=bool)
            exp[accounting] = f"{expected}; found a negative amount in accounting notation"
        if other_currency is not None and other_currency.any():
            bad |= other_currency
            exp[other_currency] = (f"an amount in {main} like the rest of the column (found another currency; "
                                   "convert the amounts to one currency before loading)")
    if not col.nullable and empty.any():
        bad = bad | empty
        exp[empty] = f"a value (the {col.name} column is required)"
    if col.minimum is not None:
        below = ~np.isnan(arr) & (arr < col.minimum) & ~bad
        if below.any():
            bad = bad | below
            hint = ("; refunds and credit notes are not revenue - leave them out or net them per invoice"
                    if ctx.spec.name == "revenue" else "")
            exp[below] = f"{expected} (found a negative number{hint})"
    values = pd.Series(np.where(bad, np.nan, arr), index=s.index, dtype="float64")
    return values, bad, (exp.array() if isinstance(exp, _LazyTexts) else exp)


def _strip_currency(t: pd.Series, name: str, ctx: _Conversion):
    """Remove currency signs; amounts in another currency than the column's main one are rejected."""
    token = t.str.extract(r"(?i)(€|eur|pln|zł|zl|\$|usd|£|gbp)", expand=False)
    has = token.notna().to_numpy()
    code = token[has].astype(str).str.lower().map(_CURRENCY_CODES)
    counts = code.value_counts(sort=False)
    main = max(counts.index, key=lambda c: (counts[c], -int(np.argmax(code.to_numpy() == c))))
    other = np.zeros(len(t), dtype=bool)
    other[np.flatnonzero(has)] = (code != main).to_numpy()
    ctx.repair(name, f"removed currency signs ({main})", int(has.sum() - other.sum()),
               str(t[has & ~other].iloc[0]) if (has & ~other).any() else "", mask=has & ~other)
    cleaned = t.str.replace(_CURRENCY.pattern, "", regex=True).str.strip()
    return cleaned, other, main


def _infer_decimal(t: pd.Series, name: str, ctx: _Conversion) -> str:
    comma = t.str.contains(r"^[+-]?\d+,\d{1,2}$|^[+-]?\d+,\d{4,}$|\.\d{3},\d", regex=True).fillna(False).any()
    point = t.str.contains(r"^[+-]?\d+\.\d{1,2}$|^[+-]?\d+\.\d{4,}$|,\d{3}\.\d", regex=True).fillna(False).any()
    if comma and not point:
        dec = ","
    elif point and not comma:
        dec = "."
    elif comma and point:
        n_comma = t.str.contains(r"\d,\d", regex=True).fillna(False).sum()
        n_point = t.str.contains(r"\d\.\d", regex=True).fillna(False).sum()
        dec = "," if n_comma > n_point else "."
    else:
        semicolon = ctx.delimiter_text() == ";"
        dec = "," if semicolon else "."
        ambiguous = t.str.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}").fillna(False)
        if ambiguous.any():
            why = "the file is ';'-separated (European Excel)" if semicolon else "no value decides it"
            ctx.repair(name, f"values like {str(t[ambiguous].iloc[0])!r} could mean a thousand or one; read with "
                               f"decimal {dec!r} because {why} - set decimal: in the mapping if that is wrong",
                       int(ambiguous.sum()), str(t[ambiguous].iloc[0]), mask=ambiguous.to_numpy(dtype=bool))
    ctx.decimal[name] = dec
    return dec
