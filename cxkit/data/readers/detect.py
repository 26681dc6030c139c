"""Telling a file's format from its bytes, and opening it with the right reader.

Files are often renamed on their way (a workbook saved as ``.csv``, a web page saved as ``.xls``); what
the bytes say wins. Files that are not tables at all (PDF, archives, old ``.xls``, encrypted workbooks)
get an error that says what they are.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ...errors import FileReadError
from ..contract import TableMapping, TableSpec
from .base import _ZIP_ERRORS, _Reader
from .csv_files import _CsvReader
from .excel import _ExcelReader
from .parquet import _ParquetReader

__all__: list[str] = []

#: file name endings of table files (as :func:`cxkit.data.loading.discover` looks for them)
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")


def _open_source(path: Path, tm: TableMapping, spec: TableSpec | None = None) -> _Reader:
    """Pick the reader from the file's content (its first bytes), not only its name.

    Files are often renamed on their way (a workbook saved as ``.csv``, a web page
    saved as ``.xls``); what the bytes say wins, and a file read as a different
    format than its name says is reported as a repair.
    """
    if not path.exists():
        raise FileReadError(str(path), "file not found")
    if path.is_dir():
        raise FileReadError(str(path), "is a folder, expected a file")
    size = path.stat().st_size
    if size == 0:
        raise FileReadError(str(path), "the file is empty (0 bytes); expected a header row and data rows")
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(4096)
    renamed = None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise FileReadError(str(path), _cfb_message(path, size))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        kind = _zip_kind(path)
        if kind != "xlsx":
            raise FileReadError(str(path), kind)
        if suffix not in (".xlsx", ".xlsm"):
            renamed = f"the file is named {suffix or '(no extension)'} but is an Excel workbook; read it as .xlsx"
        reader: _Reader = _ExcelReader(path, tm, spec)
    elif head.startswith(b"PAR1"):
        if suffix not in (".parquet", ".pq"):
            renamed = f"the file is named {suffix or '(no extension)'} but is a Parquet file; read it as Parquet"
        reader = _ParquetReader(path, tm)
    elif suffix in (".parquet", ".pq"):
        raise FileReadError(str(path), "not a Parquet file (it does not start with the Parquet signature); "
                                       "export it again or save it as CSV UTF-8")
    else:
        _refuse_non_tables(path, head, suffix)
        if suffix in (".xlsx", ".xlsm", ".xls"):
            renamed = f"the file is named {suffix} but is a text (CSV) file; read it as CSV"
        reader = _CsvReader(path, tm, spec)
    if renamed:
        reader.repairs.insert(0, ("(file)", renamed, 0, ""))
    return reader


def _cfb_message(path: Path, size: int) -> str:
    """What an OLE/CFB file (the pre-2007 Office container) most likely is, in words."""
    with open(path, "rb") as fh:
        data = fh.read(min(size, 64 << 20))
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return ("this workbook is password-protected (encrypted), so it cannot be read; open it in Excel, "
                "remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it) "
                "and save it as .xlsx, or save it as CSV UTF-8")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return ("this is an old Excel 97-2003 workbook (.xls), which cxkit does not read; open it in Excel "
                "and save it as .xlsx or CSV UTF-8")
    return ("this is an old Microsoft Office file (OLE compound document), not a table cxkit can read; "
            "save the data as .xlsx or CSV UTF-8")


def _zip_kind(path: Path) -> str:
    """``"xlsx"`` for an Excel workbook, else a message saying what the zip archive is."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            mimetype = z.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except _ZIP_ERRORS:
        return ("not a readable .xlsx workbook: the file starts like one (a zip container) but is truncated or "
                "damaged; export or download it again")
    if "xl/workbook.xml" in names or any(n.startswith("xl/") and n.endswith("workbook.xml") for n in names) \
            or "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "opendocument.spreadsheet" in mimetype:
        return ("this is an OpenDocument spreadsheet (.ods, LibreOffice/OpenOffice); open it and save it as "
                ".xlsx or CSV UTF-8")
    if "word/document.xml" in names:
        return "this is a Word document, not a table; export the data as .xlsx or CSV UTF-8"
    inside = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"this is a zip archive, not an Excel workbook (it contains: {inside}); unzip it and read the file inside"


_TEXT_CONTROL = bytes(range(1, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))


def _refuse_non_tables(path: Path, head: bytes, suffix: str) -> None:
    """Clear errors for files that are not tables at all (compressed, PDF, web pages, binary)."""
    if head.startswith(b"\x1f\x8b"):
        raise FileReadError(str(path), "the file is gzip-compressed; unpack it (e.g. with 7-Zip) and read the file "
                                       "inside")
    if head.startswith(b"%PDF"):
        raise FileReadError(str(path), "this is a PDF document, not a table; export the data as CSV or .xlsx")
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"BZh")):
        raise FileReadError(str(path), "the file is a compressed archive; unpack it and read the file inside")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or \
            start.startswith(b"<?xml") and b"<html" in start[:500]:
        raise FileReadError(str(path), "this is a web page (an HTML table) saved with a spreadsheet name; open it in "
                                       "Excel and save it as .xlsx or CSV UTF-8")
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise FileReadError(str(path), "this is an Excel 2003 XML spreadsheet; open it in Excel and save it as "
                                       ".xlsx or CSV UTF-8")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1::2].count(0) > 0.4 * max(1, len(head[1::2])):
        return  # UTF-16 text
    control = sum(head.count(bytes([b])) for b in _TEXT_CONTROL)
    if control > 0.05 * len(head):
        raise FileReadError(str(path), "this is not a text (CSV) file: it contains binary data; check that the "
                                       "right file was exported (CSV, .xlsx or .parquet)")
