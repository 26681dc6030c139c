"""Writing tables for spreadsheets safely.

A text cell whose first visible character is ``=``, ``+``, ``-`` or ``@``
would run as a formula when a CSV or XLSX written by cxkit is opened in Excel
or LibreOffice (spreadsheet formula injection, OWASP "CSV injection"), also
when spaces (tabs, no-break and other Unicode spaces) or control characters
(carriage return, line feed, NUL, zero-width characters...) come first: the
spreadsheet skips them. Such cells, and every text cell starting with a tab,
carriage return or line feed, get a leading apostrophe; numbers are left
alone. ``write_csv`` quotes every value holding a carriage return or a line
feed, so no value can start a record of its own. Files are written
atomically (temporary file + rename).
"""
from __future__ import annotations

import glob
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, DiskFullError, is_disk_full

__all__ = ["neutralise_formulas", "write_csv", "write_excel"]

_FORMULA_STARTS = frozenset("=+-@")
_ALWAYS_NEUTRALISED = ("\t", "\r", "\n")
_INVISIBLE_CATEGORIES = ("Cc", "Cf")  # C0/C1 controls (NUL, CR, ...); format characters (zero-width, BOM, ...)
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters an .xlsx (XML 1.0) cannot hold
_CSV_LINE_END = "\r\n"


def _first_visible(text: str) -> str:
    """The first character of ``text`` that is not a space or a control character ("" if none)."""
    for ch in text:
        if not (ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES):
            return ch
    return ""


def _neutralise_value(v):
    """``v`` with a leading apostrophe if a spreadsheet could run it as a formula; anything else unchanged."""
    if isinstance(v, str) and (v.startswith(_ALWAYS_NEUTRALISED) or _first_visible(v) in _FORMULA_STARTS):
        return "'" + v
    return v


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` where text cells cannot run as spreadsheet formulas.

    A text cell (or column header) gets a leading apostrophe when its first
    character after any leading spaces and control characters (tabs, carriage
    returns, line feeds, no-break and other Unicode spaces, NUL and other
    C0/C1 controls, zero-width characters) is ``=``, ``+``, ``-`` or ``@``,
    and when it starts with a tab, carriage return or line feed. Ordinary text
    starting that way is prefixed too (``"-5 stars"`` becomes ``"'-5 stars"``):
    a spreadsheet would try to compute it. Numbers (also negative ones) stay
    numbers; missing values stay missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; it is not changed.

    Returns
    -------
    pandas.DataFrame
        A copy with the same index and neutralised text cells and headers
        (headers become text).

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"c": ["=1+1", "ok", "-5 stars"], "n": [-1, 2, 3]}))
              c  n
    0     '=1+1 -1
    1        ok  2
    2  '-5 stars  3
    >>> neutralise_formulas(pd.DataFrame({"c": [" =1+1", "\\r=1+1", "\\u00a0+1", "a-b"]}))["c"].tolist()
    ["' =1+1", "'\\r=1+1", "'\\xa0+1", 'a-b']
    """
    out = frame.copy()
    out.columns = [_neutralise_value(str(c)) for c in out.columns]
    for c in out.columns:
        s = out[c]
        if s.dtype == object or isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[c] = s.astype(object).map(_neutralise_value, na_action="ignore")
    return out


def temporary_patterns(name: str | None = None) -> tuple[str, str]:
    """Glob patterns of the temporaries the atomic writes of a file called ``name`` leave in its folder
    when they are killed: :func:`atomic_write_bytes`' ``.NAME.*.part`` and :func:`write_xlsx`'s
    ``.NAME.*.xlsx``; without ``name``, those of any file."""
    if name is None:
        return ".*.part", ".*.xlsx.*.xlsx"
    name = glob.escape(name)
    return f".{name}.*.part", f".{name}.*.xlsx"


def _temporary(path: Path, suffix: str) -> tuple[int, str]:
    """A new temporary beside ``path``, named as :func:`temporary_patterns` finds it: (descriptor, name)."""
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes to ``path`` via a temporary file (``.NAME.RANDOM.part``) in the same folder and a rename.

    On any failure the temporary is removed and ``path`` is left as it was; a full disk raises
    :class:`cxkit.errors.DiskFullError` naming ``path``.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _temporary(path, ".part")
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(path, needed=len(data)) from exc
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DiskFullError(path, needed=len(data)) from exc
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: str | Path, *, sep: str = ",", excel_bom: bool = True) -> Path:
    """Write a CSV (UTF-8 with BOM so Excel shows ą, ė, ł... correctly), formula-safe.

    ``.xlsx`` paths are passed to :func:`write_excel`.

    Text cells (and headers) that a spreadsheet would run as a formula get a
    leading apostrophe (see :func:`neutralise_formulas`); the index is not
    written. Records end in CR LF (RFC 4180, as Excel writes them), so every
    value holding a carriage return or a line feed is quoted, like values
    holding the separator or a quote; a bare carriage return cannot start a
    new record in a spreadsheet, pandas or Python's :mod:`csv` reader. Other
    values are not quoted. The file is written atomically: a temporary file in the same folder,
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
    >>> path = write_csv(pd.DataFrame({"comment": ["\\r=1+1", "a\\nb"]}), path)
    >>> path.read_bytes().decode("utf-8-sig")
    'comment\\r\\n"\\'\\r=1+1"\\r\\n"a\\nb"\\r\\n'
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_excel(frame, path)
    # QUOTE_MINIMAL quotes a value holding a character of the line terminator: with CR LF, any CR or LF
    text = neutralise_formulas(frame).to_csv(index=False, sep=sep, lineterminator=_CSV_LINE_END)
    return atomic_write_bytes(path, (b"\xef\xbb\xbf" if excel_bom else b"") + text.encode("utf-8"))


def _xml_safe_value(v):
    return _NOT_IN_XML.sub("\ufffd", v) if isinstance(v, str) else v


def _xml_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (neutralised, headers text) with the characters XML cannot hold replaced by U+FFFD."""
    frame.columns = [_xml_safe_value(c) for c in frame.columns]
    for c in frame.columns:
        if frame[c].dtype == object:
            frame[c] = frame[c].map(_xml_safe_value, na_action="ignore")
    return frame


def write_excel(frame: pd.DataFrame, path: str | Path, *, sheet: str = "data") -> Path:
    """Write an ``.xlsx`` workbook, formula-safe, atomically.

    Text cells (and headers) that would run as formulas get a leading apostrophe
    (see :func:`neutralise_formulas`) and are stored as text, never as a
    formula; the index is not written. Control characters a workbook cannot
    hold (NUL and the other C0 controls except tab, line feed and carriage
    return) are replaced by U+FFFD after neutralising, so the cell shows where
    they were. Timezone-aware date-times are written as their local clock time
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
    safe = _xml_safe(neutralise_formulas(frame))
    for c in safe.columns:  # Excel has no timezone-aware datetimes
        if isinstance(safe[c].dtype, pd.DatetimeTZDtype):
            safe[c] = safe[c].dt.tz_localize(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path, ".xlsx")
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
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DiskFullError(path) from exc
        raise
    return path
