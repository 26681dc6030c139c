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

    Text cells (and headers) that a spreadsheet would run as a formula get a
    leading apostrophe (see :func:`neutralise_formulas`); the index is not
    written. The file is written atomically: a temporary file in the same folder,
    renamed when complete, so a reader never sees half a file. Missing folders
    are created.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write; it is not changed.
    path : str or pathlib.Path
        The file to write (replaced if it exists). A ``.xlsx`` name writes a
        workbook with :func:`write_excel` instead (``sep`` and ``excel_bom`` then
        do not apply).
    sep : str, default ","
        Field separator, e.g. ``";"`` for spreadsheets set up for a decimal comma.
    excel_bom : bool, default True
        Start the file with a UTF-8 byte-order mark, so Excel reads the
        characters correctly; False for tools that do not expect one.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> path = write_csv(pd.DataFrame({"comment": ["=HYPERLINK(1)", "ok"]}), Path(tempfile.mkdtemp()) / "out.csv")
    >>> path.read_bytes().decode("utf-8-sig").splitlines()
    ['comment', "'=HYPERLINK(1)", 'ok']
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_excel(frame, path)
    text = neutralise_formulas(frame).to_csv(index=False, sep=sep)
    return atomic_write_bytes(path, (b"\xef\xbb\xbf" if excel_bom else b"") + text.encode("utf-8"))


def write_excel(frame: pd.DataFrame, path: str | Path, *, sheet: str = "data") -> Path:
    """Write an ``.xlsx`` workbook, formula-safe, atomically.

    Text cells (and headers) that would run as formulas get a leading apostrophe
    (see :func:`neutralise_formulas`) and are stored as text; the index is not
    written. Timezone-aware date-times are written as their local clock time
    without the zone (Excel has no time zones). The workbook is written to a
    temporary file in the same folder and renamed when complete; missing
    folders are created.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write; it is not changed.
    path : str or pathlib.Path
        The workbook to write (replaced if it exists); the name must end in
        ``.xlsx``.
    sheet : str, default "data"
        Name of the worksheet; cut to Excel's limit of 31 characters.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ConfigError
        If ``path`` does not end in ``.xlsx``.
    """
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
