"""Dates and date-times: the usual formats, Excel day numbers, DD/MM vs MM/DD, time zones, placeholders."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import Column
from ..hashing import _arrow_strings
from .context import _Conversion, _LazyTexts, _as_text

__all__: list[str] = []


_DATE_FORMATS = (
    ("YYYY-MM-DD", r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d"),
    ("ISO date-time", r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", "ISO8601"),
    ("DD.MM.YYYY", r"\d{1,2}\.\d{1,2}\.\d{4}", "%d.%m.%Y"),
    ("DD.MM.YYYY HH:MM", r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}", "%d.%m.%Y %H:%M"),
    ("DD.MM.YYYY HH:MM:SS", r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}:\d{2}", "%d.%m.%Y %H:%M:%S"),
    ("YYYY.MM.DD", r"\d{4}\.\d{1,2}\.\d{1,2}", "%Y.%m.%d"),
    ("YYYY/MM/DD", r"\d{4}/\d{1,2}/\d{1,2}", "%Y/%m/%d"),
    ("YYYYMMDD", r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])", "%Y%m%d"),
)


def _convert_date(s: pd.Series, col: Column, ctx: _Conversion):
    kind_text = "a date (YYYY-MM-DD)" if col.kind == "date" else "a date-time (YYYY-MM-DD HH:MM)"
    used: dict[str, np.ndarray] = {}  # format -> the rows of this chunk read with it
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        # (the dtype, not ``s.dt``: the accessor and the column make a reference cycle, and every chunk's dates
        # stayed in memory until Python's full collection)
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            ctx.repair(col.name, f"date-times with a time zone ({s.dtype.tz}) converted to UTC",
                       int(s.notna().sum()), "", mask=s.notna().to_numpy(dtype=bool))
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        raw = s.to_numpy()
        bad = np.zeros(len(s), dtype=bool)
        exp = kind_text  # one text for every row until a row needs its own
        if raw.dtype != np.dtype("datetime64[ns]"):  # Parquet dates (days), timestamps (ms, us)
            # pandas holds nanoseconds, from 1677 to 2262: placeholders like 9999-12-31 are rejected here, and
            # numpy's cast of the rest is exact (pandas' own astype checks every value and is 20x slower)
            unit = np.datetime_data(raw.dtype)[0]
            known = ~np.isnat(raw)
            late = known & (raw >= np.datetime64("2262-01-01", unit))
            early = known & (raw < np.datetime64("1678-01-01", unit))
            if late.any() or early.any():
                bad = late | early
                exp = _LazyTexts(len(s), kind_text)
                exp[late], exp[early] = _placeholder_dates(ctx.today)
                exp = exp.array()
                raw = np.where(bad, np.datetime64("NaT", unit), raw)
            raw = raw.astype("datetime64[ns]")
        values = pd.Series(raw, index=s.index)
        empty = values.isna().to_numpy() & ~bad
    else:
        t = _as_text(s).fillna("").str.strip()
        empty = (t == "").to_numpy(dtype=bool)
        values = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        done = empty.copy()
        if ctx.tm.date_format:
            parsed = pd.to_datetime(t.where(~pd.Series(empty, index=t.index)), format=ctx.tm.date_format,
                                    errors="coerce")
            values = parsed.astype("datetime64[ns]")
            done = done | True
            bad = ~empty & values.isna().to_numpy()
            exp = np.where(bad, f"{kind_text} in the mapping's date_format {ctx.tm.date_format!r}", kind_text)
        elif (fast := _iso_dates(t, empty)) is not None:  # the usual file: every date YYYY-MM-DD, all real
            values = fast
            used["YYYY-MM-DD"] = ~empty
            bad = np.zeros(len(t), dtype=bool)
            exp = kind_text
        else:
            unparsed = np.zeros(len(t), dtype=bool)
            for label, pattern, fmt in _DATE_FORMATS:
                sel = _fullmatch(t, pattern, ~done)
                if not sel.any():
                    continue
                part = t[sel]
                if fmt == "ISO8601":
                    zoned = part.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False)
                    if zoned.any():
                        ctx.repair(col.name, "date-times with a time-zone offset converted to UTC",
                                   int(zoned.sum()), str(part[zoned].iloc[0]),
                                   mask=_within(sel, zoned.to_numpy(dtype=bool)))
                    parsed = pd.to_datetime(part, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
                else:
                    parsed = pd.to_datetime(part, format=fmt, errors="coerce")
                values.loc[sel] = parsed.astype("datetime64[ns]").to_numpy()
                unparsed |= sel & values.isna().to_numpy()
                used[label] = sel
                done |= sel
            serial = _fullmatch(t, r"\d{5}(?:\.\d+)?", ~done)
            if serial.any():  # Excel's day count (1 = 1900-01-01; 45678 = 2025-01-21)
                days = pd.to_numeric(t[serial], errors="coerce").to_numpy(dtype="float64")
                parsed = (pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")).round("s")
                values.loc[serial] = np.asarray(parsed, dtype="datetime64[ns]")
                example = str(t[serial].iloc[0])
                ctx.repair(col.name, f"Excel date serial numbers read as dates (e.g. {example} = "
                                       f"{parsed[0]:%Y-%m-%d})", int(serial.sum()), example, mask=serial)
                used["Excel serial number"] = serial
                done |= serial
            slash = _fullmatch(t, r"\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?", ~done)
            if slash.any():
                order = _slash_order(t[slash], col.name, ctx, slash)
                if order is not None:
                    first = "%d/%m/%Y" if order == "day" else "%m/%d/%Y"
                    part = t[slash]
                    parsed = pd.Series(pd.NaT, index=part.index, dtype="datetime64[ns]")
                    for suffix in ("", " %H:%M", " %H:%M:%S"):
                        p = pd.to_datetime(part, format=first + suffix, errors="coerce")
                        parsed = parsed.fillna(p)
                    values.loc[slash] = parsed.to_numpy()
                    unparsed |= slash & values.isna().to_numpy()
                    label = "DD/MM/YYYY" if order == "day" else "MM/DD/YYYY"
                    used[label] = slash
                    done |= slash
            bad = (~done) | unparsed
            exp = _LazyTexts(len(t), kind_text)
            other = ~done & ~empty
            if other.any():
                exp[other] = f"{kind_text}; for other formats set date_format in the mapping"
                short_year = other & t.str.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}").fillna(False).to_numpy(
                    dtype=bool)
                exp[short_year] = (f"{kind_text}; two-digit years are ambiguous - set date_format in the mapping "
                                   "(e.g. '%d.%m.%y')")
            if unparsed.any():
                exp[unparsed] = f"a real calendar date ({kind_text})"
                year = pd.to_numeric(t[unparsed].str.extract(r"(\d{4})", expand=False), errors="coerce").to_numpy()
                at = np.flatnonzero(unparsed)
                exp[at[year > 2200]], exp[at[year < 1900]] = _placeholder_dates(ctx.today)
            exp = exp.array()
            if slash.any() and ctx.slash_order.get(col.name) is None:
                exp = np.where(slash, f"{kind_text}; day/month order of DD/MM vs MM/DD dates is ambiguous in this "
                                      f"column - set date_format in the mapping", exp).astype(object)
        bad = bad & ~empty
    if col.kind == "date":
        values = values.dt.normalize()
    arr = values.to_numpy()
    future_limit = np.datetime64(ctx.today + dt.timedelta(days=1))
    too_new = ~np.isnat(arr) & (arr >= future_limit)
    too_old = ~np.isnat(arr) & (arr < np.datetime64("1900-01-01"))
    if too_new.any() or too_old.any():
        exp = np.where(too_new, f"a date not in the future (today is {ctx.today.isoformat()})",
                       np.where(too_old, "a date after 1900-01-01", exp)).astype(object)
        bad = bad | too_new | too_old
    if not col.nullable and empty.any():
        bad = bad | empty
        exp = np.where(empty, f"a value (the {col.name} column is required)", exp).astype(object)
    values = values.where(~pd.Series(bad, index=values.index))
    # which rows were read in which format (the validator counts those of the rows it loads)
    ctx.date_rows[col.name] = {label: rows & ~bad for label, rows in used.items()}
    return values, bad, exp


def _iso_dates(t: pd.Series, empty: np.ndarray) -> pd.Series | None:
    """The dates of a column whose values are all empty or ``YYYY-MM-DD`` real calendar dates, parsed by Arrow
    (no regular expression per format, no pandas parser); None when any value is otherwise, for the general
    path. Gives what that path gives for such a column: the same dates, NaT where empty."""
    import pyarrow.compute as pc

    ca = _arrow_strings(t)
    if ca is None or empty.all():
        return None
    ca = pc.if_else(pa.array(empty), pa.scalar(None, ca.type), ca) if empty.any() else ca
    try:  # Arrow's cast takes exactly YYYY-MM-DD and real days (2025-02-30 fails), as the general path does
        out = pc.cast(pc.cast(ca, pa.date32()), pa.timestamp("ns"))
    except pa.ArrowInvalid:  # another format, no such day, or beyond pandas' nanoseconds (0001-01-01)
        return None
    return pd.Series(out.to_numpy(zero_copy_only=False), index=t.index, dtype="datetime64[ns]")


def _fullmatch(t: pd.Series, pattern: str, todo: np.ndarray) -> np.ndarray:
    """Where the rows ``todo`` picks match ``pattern`` whole (False elsewhere); only those rows are matched, so
    that a column whose dates all took the first format is not matched against every other format."""
    if not todo.any():
        return np.zeros(len(t), dtype=bool)
    if todo.all():
        return t.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    at = np.flatnonzero(todo)
    out = np.zeros(len(t), dtype=bool)
    out[at] = t.iloc[at].str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    return out


def _within(sel: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """A mask over a part of a series (the rows ``sel`` picks) as a mask over the whole series."""
    out = np.zeros(len(sel), dtype=bool)
    out[np.flatnonzero(sel)[sub]] = True
    return out


def _placeholder_dates(today: dt.date) -> tuple[str, str]:
    """What is expected instead of a far-future and a far-past placeholder date."""
    return (f"a date not in the future (today is {today.isoformat()}); a date like 9999-12-31 is a "
            "placeholder for 'no end date' - leave the cell empty, or recode it with values: in the mapping",
            "a date after 1900-01-01; a date like 0001-01-01 is a placeholder for 'unknown' - leave the cell "
            "empty, or recode it with values: in the mapping")


def _slash_order(t: pd.Series, name: str, ctx: _Conversion, rows: np.ndarray):
    """Day or month first (or None: the column has both) for the ``DD/MM`` or ``MM/DD`` dates ``t``, which
    are the ``rows`` of the series converted; decided once per column."""
    if name in ctx.slash_order:
        return ctx.slash_order[name]
    parts = t.str.extract(r"^(\d{1,2})/(\d{1,2})/")
    a = pd.to_numeric(parts[0], errors="coerce")
    b = pd.to_numeric(parts[1], errors="coerce")
    day_first = (a > 12).any()
    month_first = (b > 12).any()
    if day_first and month_first:
        order = None
    elif month_first:
        order = "month"
        ctx.repair(name, "dates like 03/25/2025 read as MM/DD/YYYY (some days > 12 in second place)", len(t),
                   str(t.iloc[0]), mask=rows)
    else:
        order = "day"
        how = "some days > 12 in first place" if day_first else "no date decides it; European default"
        ctx.repair(name, f"dates like 25/03/2025 read as DD/MM/YYYY ({how})", len(t), str(t.iloc[0]), mask=rows)
    ctx.slash_order[name] = order
    return order
