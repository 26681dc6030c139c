"""Writing tables for spreadsheets safely.

Cells that start with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return)
would run as formulas when a CSV or XLSX written by cxkit is opened in Excel
or LibreOffice (spreadsheet formula injection, OWASP "CSV injection"). Text
cells starting that way get a leading apostrophe; numbers are left alone.
Files are written atomically (temporary file + rename).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import ConfigError

__all__ = ["neutralise_formulas", "write_csv", "write_excel"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _neutralise_value(v):
    if isinstance(v, str) and v.startswith(_TRIGGERS):
        return "'" + v
    return v


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` where text cells cannot run as spreadsheet formulas.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"c": ["=1+1", "ok", "-5 stars"], "n": [-1, 2, 3]}))
              c  n
    0     '=1+1 -1
    1        ok  2
    2  '-5 stars  3
    """
    out = frame.copy()
    out.columns = [_neutralise_value(str(c)) for c in out.columns]
    for c in out.columns:
        s = out[c]
        if s.dtype == object or isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[c] = s.astype(object).map(_neutralise_value, na_action="ignore")
    return out


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: str | Path, *, sep: str = ",", excel_bom: bool = True) -> Path:
    """Write a CSV (UTF-8 with BOM so Excel shows ą, ė, ł... correctly), formula-safe.

    ``.xlsx`` paths are passed to :func:`write_excel`.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_excel(frame, path)
    text = neutralise_formulas(frame).to_csv(index=False, sep=sep)
    return atomic_write_bytes(path, (b"\xef\xbb\xbf" if excel_bom else b"") + text.encode("utf-8"))


def write_excel(frame: pd.DataFrame, path: str | Path, *, sheet: str = "data") -> Path:
    """Write an ``.xlsx`` workbook, formula-safe, atomically."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"{path}: expected a .xlsx file name")
    safe = neutralise_formulas(frame)
    for c in safe.columns:  # Excel has no timezone-aware datetimes
        if isinstance(safe[c].dtype, pd.DatetimeTZDtype):
            safe[c] = safe[c].dt.tz_localize(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            safe.to_excel(xw, index=False, sheet_name=sheet[:31])
            ws = xw.sheets[sheet[:31]]
            for row in ws.iter_rows():  # openpyxl turns strings starting with "=" into formulas; keep them text
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
