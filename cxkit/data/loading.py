"""Reading and validating CX tables: CSV (any delimiter, decimal commas,
UTF-8/UTF-16/cp1257/cp1250), Excel ``.xlsx`` and Parquet.

Every problem is reported with file, row (as numbered in the file), column,
value and what was expected. In strict mode (``errors="raise"``, the default)
one :class:`~cxkit.errors.DataValidationError` lists them; with
``errors="quarantine"`` the clean rows load and the others go to a
rejected-rows table with the reason. Rows in = rows loaded + rows rejected,
always. Repairs cxkit makes (trimmed whitespace, unit spelling variants,
decimal commas, NUL bytes, placeholders such as ``N/A``, Excel day numbers,
merged cells, title rows above the header, ...) are listed in ``repairs``;
``data/README.md`` documents every one of them. A file that cannot be read
(encrypted workbook, old ``.xls``, web page, archive, damaged file) raises a
:class:`~cxkit.errors.FileReadError` that says what the file is, never a raw
library error. ``tests/corpus`` holds the broken files this is tested on.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import difflib
import io as _io
import itertools
import re
import sys
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .._printer import Result
from ..errors import CxkitError, DataValidationError, FileReadError, ConfigError
from .contract import TABLES, Column, Mapping, TableMapping, TableSpec, normalise_header, read_mapping, table_spec

__all__ = ["read_table", "load", "LoadResult", "Dataset", "TABLE_ORDER"]

#: Order in which :func:`load` reads tables (units first: its spelling of unit names wins).
TABLE_ORDER = ("units", "responses", "tickets", "customers", "revenue")
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")
BLOCK_SIZE = 32 << 20
SAMPLE_SIZE = 1 << 20  # bytes read to find the encoding, delimiter and header
_STR = pd.StringDtype("pyarrow")
_PROBLEM_COLUMNS = ["file", "row", "column", "value", "expected"]
_REPAIR_COLUMNS = ["file", "column", "repair", "rows", "example"]
_TRUE = {"true", "yes", "y", "1", "t", "taip", "tak", "jā", "ja", "x"}
_FALSE = {"false", "no", "n", "0", "f", "ne", "nie", "nē", ""}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CURRENCY = re.compile(r"(?i)(?:€|eur|pln|zł|zl|\$|usd|£|gbp)")
#: zero-width characters, BOM, soft hyphen and bidirectional overrides (which can make a name display reversed)
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]"
#: bytes that can start one of those characters in UTF-8 (U+00AD: C2 AD, U+2xxx: E2 .., U+FEFF: EF BB BF), and the
#: control characters' bytes: a column without any of them needs no regular-expression pass
_INVISIBLE_LEADS = np.isin(np.arange(256), [0xC2, 0xE2, 0xEF])
_CONTROL_BYTES = np.array([_CONTROL.match(chr(b)) is not None for b in range(128)] + [False] * 128)
_SPACE_RUN = "[\\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"  # Python's \\s, for Arrow's RE2
_CURRENCY_CODES = {"€": "EUR", "eur": "EUR", "pln": "PLN", "zł": "PLN", "zl": "PLN", "$": "USD", "usd": "USD",
                   "£": "GBP", "gbp": "GBP"}
_SPACES = "[\\s\u00a0\u202f']"  # spaces used as thousands separators (incl. no-break spaces)
#: Excel's error values; in a contract column they reject the row.
_EXCEL_ERRORS = frozenset({"#N/A", "#N/A!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                           "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA"})
#: Placeholders exports write for "no answer"; read as empty in optional number, score, date and yes/no columns.
PLACEHOLDERS = ("n/a", "na", "n.a.", "-", "--", "\u2013", "\u2014", "null", "none", "nan", "(blank)", "(empty)")
_PLACEHOLDER_VARIANTS = sorted({v for p in PLACEHOLDERS for v in (p, p.upper(), p.capitalize(), p.title())} | {"NaN"})


# --------------------------------------------------------------------------------------
# results


@dataclass
class LoadResult(Result):
    """A loaded table: typed ``data`` plus what was rejected and repaired.

    Attributes
    ----------
    table, file : which contract table was read from which file
    data : DataFrame of clean, typed rows
    rejected : one row per rejected row: ``file, row, reason`` and the raw values
    problems : one row per problem: ``file, row, column, value, expected``
    repairs : one row per repair kind: ``file, column, repair, rows, example``
    rows_in : number of data rows in the file (rows_in = len(data) + len(rejected))
    source : how the file was read (format, encoding, delimiter, sheet)
    """

    table: str
    file: str
    data: pd.DataFrame
    rejected: pd.DataFrame
    problems: pd.DataFrame
    repairs: pd.DataFrame
    rows_in: int
    source: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    n_loaded: int | None = None  # set by streamed reads, whose rows went elsewhere

    title = "Loaded table"

    @property
    def rows_loaded(self) -> int:
        return len(self.data) if self.n_loaded is None else self.n_loaded

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "table": self.table, "file": self.file, "rows_in": self.rows_in, "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected, "repairs": int(self.repairs["rows"].sum()) if len(self.repairs) else 0,
            "format": self.source.get("format"), "encoding": self.source.get("encoding"),
        }])

    @property
    def notes(self):
        return [f"{r.column}: {r.repair} ({r.rows} rows)" for r in self.repairs.itertuples()]


@dataclass
class Dataset(Result):
    """All tables of one data folder, validated.

    Tables are attributes (``ds.responses``, ``ds.tickets``, ``ds.customers``,
    ``ds.revenue``, ``ds.units``; ``None`` when the folder has no such file).
    ``ds.log`` has rows in / loaded / rejected per file, ``ds.rejected``,
    ``ds.problems`` and ``ds.repairs`` the details, ``ds.scales`` the survey scales.
    """

    tables: dict[str, LoadResult]
    scales: dict
    root: str | None = None
    mapping: Mapping | None = None
    #: optional tables whose file could not be read at all (quarantine mode): table -> reason
    unreadable: dict = field(default_factory=dict)

    title = "Data loaded"

    def __getattr__(self, name):  # responses, tickets, ...
        if name in TABLES:
            lr = self.__dict__.get("tables", {}).get(name)
            return None if lr is None else lr.data
        raise AttributeError(name)

    @property
    def log(self) -> pd.DataFrame:
        """Rows in / loaded / rejected per file; unreadable optional files listed with the reason."""
        frames = [lr.summary.assign(status="loaded") for lr in self.tables.values()]
        for name, (file, reason) in self.__dict__.get("unreadable", {}).items():
            frames.append(pd.DataFrame([{"table": name, "file": file, "rows_in": 0, "rows_loaded": 0,
                                         "rows_rejected": 0, "repairs": 0, "format": None, "encoding": None,
                                         "status": f"not read: {reason}"}]))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    summary = log

    def _concat(self, attr: str) -> pd.DataFrame:
        frames = [getattr(lr, attr).assign(table=name) for name, lr in self.tables.items() if len(getattr(lr, attr))]
        if not frames:
            return pd.DataFrame(columns=["table"] + (_PROBLEM_COLUMNS if attr == "problems" else
                                                       _REPAIR_COLUMNS if attr == "repairs" else ["file", "row", "reason"]))
        out = pd.concat(frames, ignore_index=True)
        return out[["table"] + [c for c in out.columns if c != "table"]]

    @property
    def rejected(self) -> pd.DataFrame:
        return self._concat("rejected")

    @property
    def problems(self) -> pd.DataFrame:
        return self._concat("problems")

    @property
    def repairs(self) -> pd.DataFrame:
        return self._concat("repairs")

    @property
    def notes(self):
        return [f"{t}: {n}" for t, lr in self.tables.items() for n in lr.notes]

    def __getstate__(self):
        return self.__dict__

    def __setstate__(self, state):
        self.__dict__.update(state)


# --------------------------------------------------------------------------------------
# public entry points


def load(path: str | Path, *, mapping: str | Path | Mapping | dict | None = None, errors: str = "raise",
         tables: tuple[str, ...] | None = None, today: dt.date | None = None) -> Dataset:
    """Load and validate every table found in a data folder.

    Parameters
    ----------
    path : folder holding ``responses``, ``tickets``, ``customers``, ``revenue`` and
        ``units`` files (``.csv``, ``.xlsx`` or ``.parquet``; only responses is
        required). If the folder has a ``mapping.yml`` it is used unless
        ``mapping`` is given.
    mapping : column mapping (YAML path, :class:`~cxkit.schema.Mapping` or dict).
    errors : ``"raise"`` (default) raises one error listing every problem;
        ``"quarantine"`` loads clean rows and returns the rest in ``rejected``; an
        optional table whose file cannot be read at all (corrupt, wrong columns) is
        left out and listed in ``unreadable`` and ``log`` instead of stopping the load.
    tables : restrict to these tables.
    today : reference date for "date in the future" checks (default: today).

    Returns
    -------
    Dataset

    Examples
    --------
    >>> import cxkit as cx
    >>> ds = cx.load(cx.sample_data_path())
    >>> int(ds.log["rows_rejected"].sum())
    0
    """
    root, m, found = discover(path, mapping=mapping, tables=tables)
    _check_errors_arg(errors)
    results: dict[str, LoadResult] = {}
    unreadable: dict[str, tuple[str, str]] = {}
    canonical: dict[str, str] = {}
    for name in TABLE_ORDER:
        if name not in found:
            continue
        known = None
        if name in ("responses", "tickets", "customers") and "units" in results and len(results["units"].data):
            known = (set(results["units"].data["unit"].astype(str)), found["units"].name)
        try:
            lr = read_table(found[name], name, mapping=m, errors="quarantine", today=today,
                            _canonical_units=canonical, _known_units=known)
        except CxkitError as exc:
            # one unreadable optional file must not stop a report batch: set it aside, say why
            if errors == "raise" or name == "responses":
                raise
            unreadable[name] = (found[name].name, str(exc).splitlines()[0][:300])
            continue
        if name == "units" and len(lr.data):
            for u in lr.data["unit"].astype(str):
                canonical.setdefault(_fold(u), u)
        results[name] = lr
    problems = pd.concat([r.problems for r in results.values()], ignore_index=True) if results else pd.DataFrame()
    if errors == "raise" and len(problems):
        raise DataValidationError(problems)
    return Dataset(tables=results, scales=dict(m.scales), root=str(root), mapping=m, unreadable=unreadable)


def discover(path: str | Path, *, mapping=None, tables: tuple[str, ...] | None = None):
    """The data folder's files per table: (folder, mapping, {table: path}); responses is required."""
    root = Path(path)
    if not root.exists():
        raise FileReadError(str(root), "folder not found")
    if root.is_file():
        raise FileReadError(str(root), "expected a folder with responses/tickets/customers/revenue/units files; "
                                       "use cxkit.read_table() for a single file")
    if mapping is None and (root / "mapping.yml").exists():
        mapping = root / "mapping.yml"
    m = read_mapping(mapping)
    wanted = tables or TABLE_ORDER
    found: dict[str, Path] = {}
    for name in TABLE_ORDER:
        if name not in wanted:
            continue
        tm = m.table(name)
        if tm.file:
            p = Path(tm.file)
            p = p if p.is_absolute() else (Path(m.source).parent if m.source else root) / p
            if not p.exists():
                p2 = root / tm.file
                if not p2.exists():
                    raise FileReadError(str(p), f"file for the {name} table (named in the mapping) not found")
                p = p2
            found[name] = p
        else:
            candidates = [root / f"{name}{s}" for s in SUFFIXES if (root / f"{name}{s}").exists()]
            if len(candidates) > 1:
                raise FileReadError(str(root), f"several files for the {name} table: "
                                               f"{', '.join(c.name for c in candidates)}; keep one or name it in the mapping")
            if candidates:
                found[name] = candidates[0]
    if "responses" in wanted and "responses" not in found:
        raise FileReadError(str(root), "no responses file (responses.csv, .xlsx or .parquet) and none named in the mapping")
    return root, m, found


def read_table(path: str | Path, table: str, *, mapping: str | Path | Mapping | dict | None = None,
               errors: str = "raise", sheet: str | None = None, encoding: str | None = None,
               delimiter: str | None = None, today: dt.date | None = None,
               _canonical_units: dict | None = None, _known_units=None) -> LoadResult:
    """Read and validate one file as one contract table.

    Parameters
    ----------
    path : ``.csv``/``.txt``/``.tsv``, ``.xlsx`` or ``.parquet`` file.
    table : ``"responses"``, ``"tickets"``, ``"customers"``, ``"revenue"`` or ``"units"``.
    mapping : column mapping; its section for ``table`` renames headers, recodes
        values and sets constants; its ``scales`` set the survey scales.
    errors : ``"raise"`` or ``"quarantine"`` (see :func:`load`).
    sheet, encoding, delimiter : override what the mapping or detection says.

    Returns
    -------
    LoadResult

    Examples
    --------
    >>> import cxkit as cx
    >>> lr = cx.read_table(cx.sample_data_path() / "units.csv", "units")
    >>> lr.rows_in == lr.rows_loaded + lr.rows_rejected
    True
    """
    _check_errors_arg(errors)
    stream = TableStream(path, table, mapping=mapping, sheet=sheet, encoding=encoding, delimiter=delimiter,
                         today=today, canonical=_canonical_units, known_units=_known_units)
    result = stream.result(list(stream))
    if errors == "raise" and len(result.problems):
        raise DataValidationError(result.problems)
    return result


class TableStream:
    """Read and validate a file chunk by chunk: iterate to get the clean typed rows of each chunk.

    Used for files too large to hold twice in memory (the report batch writes each chunk to the
    unit partitions and keeps only what the company-wide figures need). After iterating, call
    :meth:`result` for the problems, rejected rows and repairs (pass the chunks to get them
    concatenated as ``data``; without them ``data`` is empty but ``rows_loaded`` is right).
    A chunk is handed out only once the next one has been checked, because a file's last record
    can turn out to be cut (a quote never closed) only at the end.
    """

    def __init__(self, path, table: str, *, mapping=None, sheet=None, encoding=None, delimiter=None,
                 today: dt.date | None = None, canonical: dict | None = None, known_units=None):
        spec = table_spec(table)
        m = read_mapping(mapping)
        tm = m.table(table)
        tm = TableMapping(**{**tm.__dict__, **{k: v for k, v in
                                              dict(sheet=sheet, encoding=encoding, delimiter=delimiter).items() if v}})
        tm = _checked_settings(tm, table)
        self.path = Path(path)
        self.reader = reader = _open_source(self.path, tm, spec)
        v = self.validator = _Validator(spec, tm, m.scales, file=self.path.name, today=today or dt.date.today(),
                                        canonical=canonical if canonical is not None else {})
        v.file_delimiter = reader.info.get("delimiter", ",")
        v.file_format = reader.info.get("format")
        v.header_row = getattr(reader, "header_row", 1)
        v.formula_cells = getattr(reader, "formula_cells", {})
        v.sheet, v.sheets = reader.info.get("sheet"), reader.info.get("sheets", [])
        v.known_units = known_units  # (set of names, units file name): other units are rejected
        v.set_header(reader.header)
        self.records = 0
        self.loaded = 0
        self._done = False

    def __iter__(self):
        held = None
        for chunk in self.reader.chunks():
            clean = self.validator.validate(chunk, self.records)
            self.records += len(chunk)
            del chunk
            if held is not None:
                self.loaded += len(held)
                yield held
            held = clean
        for bad in self.reader.invalid_rows:
            self.validator.add_structural(bad)
        late = self.reader.final_problems(self.records)
        if late and held is not None:
            held = self.validator.move_late(held, late)
        if held is not None:
            self.loaded += len(held)
            yield held
        self._done = True

    def result(self, parts: list[pd.DataFrame] | None = None) -> LoadResult:
        if not self._done:
            for _ in self:
                pass
        return self.validator.finish(parts or [], reader=self.reader, records=self.records,
                                     loaded=None if parts else self.loaded)


def _checked_settings(tm: TableMapping, table: str) -> TableMapping:
    """Reading settings from the mapping or the call, checked before any file is opened."""
    where = f"mapping: {table}"
    if tm.delimiter is not None:
        d = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(str(tm.delimiter).lower(),
                                                                                        str(tm.delimiter))
        if len(d) != 1 or d in "\"\r\n":
            raise ConfigError(f"{where}: delimiter {tm.delimiter!r} - expected one character such as ',', ';', "
                              "'|' or tab")
        tm = dataclasses.replace(tm, delimiter=d)
    if tm.decimal is not None and tm.decimal not in (",", "."):
        raise ConfigError(f"{where}: decimal {tm.decimal!r} - expected ',' or '.'")
    if tm.encoding is not None:
        try:
            codecs.lookup(str(tm.encoding))
        except LookupError:
            raise ConfigError(f"{where}: unknown encoding {tm.encoding!r}; use e.g. utf-8, cp1257, cp1250 "
                              "or utf-16") from None
    if tm.date_format is not None:
        try:
            pd.to_datetime(pd.Series(["2025-01-31"]), format=str(tm.date_format), errors="coerce")
        except (ValueError, TypeError):
            raise ConfigError(f"{where}: date_format {tm.date_format!r} is not a valid format; use strftime codes "
                              "such as '%d.%m.%Y' or '%m/%d/%y %H:%M'") from None
    return tm


def _check_errors_arg(errors: str) -> None:
    if errors not in ("raise", "quarantine"):
        raise ConfigError(f"errors={errors!r} - expected 'raise' or 'quarantine'")


# --------------------------------------------------------------------------------------
# reading sources


@dataclass
class _Invalid:
    record: int | None  # index among records (for ordering); None if unknown
    line: int | None
    text: str
    expected: int
    actual: int


class _Reader:
    header: list[str]
    info: dict
    invalid_rows: list

    def chunks(self) -> Iterator[pd.DataFrame]:  # pragma: no cover - interface
        raise NotImplementedError

    def row_numbers(self, records: np.ndarray, n_records: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def invalid_lines(self) -> list:
        return []

    def final_problems(self, n_records: int) -> list[tuple[int, str, str, str]]:
        """Problems found only once every record was read: (record, column, value, expected)."""
        return []


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


#: what reading a damaged or odd zip container can raise (encrypted members raise RuntimeError)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError, RuntimeError,
               NotImplementedError)


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
        raise FileReadError(str(path), "the file is gzip-compressed; unpack it (e.g. with 7-Zip) and read the file inside")
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


def _clean_header(values) -> list[str]:
    """Header cells as text: NFC, no BOM or control characters, trimmed ("" for a blank cell)."""
    out = []
    for v in values:
        text = "" if v is None else unicodedata.normalize("NFC", str(v)).replace("\ufeff", "")
        out.append(_CONTROL.sub("", text).strip())
    return out


@contextlib.contextmanager
def _csv_field_limit():
    """Let the csv module read fields of any size (its default limit is 128 KB) for one block."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _sample_records(text: str, delimiter: str, limit: int = 40) -> list[tuple[int, int, list[str]]]:
    """The first non-blank records of ``text``: (first line, last line, cells), lines counted from 1."""
    out = []
    with _csv_field_limit():
        reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter)
        prev = 0
        try:
            for rec in reader:
                first, prev = prev + 1, reader.line_num
                if not any(c.strip() for c in rec):
                    continue
                out.append((first, prev, rec))
                if len(out) >= limit:
                    break
        except csv.Error:
            pass
    return out


def _header_score(cells, spec: TableSpec, tm: TableMapping) -> int:
    """How many cells of a row name a contract column (directly or through the mapping)."""
    explicit = {normalise_header(k) for k in tm.columns}
    contract = {normalise_header(c.name) for c in spec.columns}
    n = 0
    for c in cells:
        if c is None or isinstance(c, (int, float, dt.date)):
            continue
        key = normalise_header(c)
        if key and (key in explicit or key in contract or spec.column(key) is not None):
            n += 1
    return n


def _pick_header(rows: list, spec: TableSpec | None, tm: TableMapping) -> int:
    """Index of the header among the first non-blank rows: the first row, unless a later row
    (title lines and notes above a report's header) names more contract columns."""
    if spec is None or len(rows) < 2:
        return 0
    required = {normalise_header(c) for c in spec.required}
    explicit = {normalise_header(k): normalise_header(v) for k, v in tm.columns.items()}
    first = {explicit.get(normalise_header(c), normalise_header(c)) for c in rows[0] if isinstance(c, str)}
    if required <= first:
        return 0
    scores = [_header_score(r, spec, tm) for r in rows[:30]]
    best = max(scores)
    return scores.index(best) if best >= 2 and best > scores[0] else 0


_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')


def _is_import_id_row(cells) -> bool:
    filled = [c for c in cells if c is not None and str(c).strip()]
    return bool(filled) and sum(bool(_IMPORT_ID.match(str(c).strip())) for c in filled) >= 0.5 * len(filled)


class _CsvReader(_Reader):
    """CSV via pyarrow's streaming reader, with encoding, delimiter and header detection."""

    def __init__(self, path: Path, tm: TableMapping, spec: TableSpec | None = None):
        self.path, self.tm = path, tm
        self.invalid_rows: list[_Invalid] = []
        self.repairs: list[tuple[str, str, int, str]] = []
        self.info: dict[str, Any] = {"format": "csv"}
        self._text: str | None = None  # decoded text, only when the file had to be repaired/decoded in memory
        self._lines_cache: np.ndarray | None = None
        self.skipped_empty = 0
        with path.open("rb") as fh:
            head = fh.read(SAMPLE_SIZE)
        self._whole_in_sample = path.stat().st_size <= len(head)
        encoding = tm.encoding
        source_bytes: bytes | None = None
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = encoding or "utf-16"
        elif b"\x00" in head and head[1::2].count(0) > 0.4 * len(head[1::2]) and not encoding:
            encoding = "utf-16-le"
        if encoding and encoding.lower().replace("_", "-") in ("utf-16", "utf-16-le", "utf-16-be", "utf16"):
            raw = path.read_bytes()
            try:
                self._text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise FileReadError(str(path), f"cannot be decoded as {encoding} (byte {exc.start} does not fit); "
                                               "check the encoding setting") from None
            self.info["encoding"] = encoding
            self._quotes = self._text.count('"')
            self.info["lone_cr"] = self._text.count("\r") - self._text.count("\r\n")
        else:
            nul, valid_utf8, newlines, last, quotes, lone_cr = self._scan(path)
            self.info["newlines"] = newlines
            self.info["lone_cr"] = lone_cr
            self.info["ends_with_newline"] = last in (b"\n", b"\r")
            self._quotes = quotes
            utf8_named = bool(encoding) and encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
            if utf8_named and not valid_utf8:
                guess = _legacy_codepage(path.read_bytes().replace(b"\x00", b""))
                raise FileReadError(str(path), f"the mapping or call says encoding {encoding!r}, but the file is not "
                                               f"valid UTF-8 (it looks like {guess}); remove the encoding setting to "
                                               f"let cxkit detect it, or set encoding: {guess}")
            if nul or (not valid_utf8 and not encoding) or (encoding and not utf8_named):
                source_bytes = path.read_bytes()
            if source_bytes is not None:
                if nul:
                    count = source_bytes.count(b"\x00")
                    source_bytes = source_bytes.replace(b"\x00", b"")
                    self.repairs.append(("(file)", "removed NUL bytes (file damaged or mis-exported)", count, ""))
                if encoding:
                    try:
                        self._text = source_bytes.decode(encoding)
                    except LookupError:
                        raise FileReadError(str(path), f"unknown encoding {encoding!r} in the mapping; use e.g. "
                                                       "utf-8, cp1257, cp1250 or utf-16") from None
                    except UnicodeDecodeError as exc:
                        raise FileReadError(str(path), f"cannot be decoded as {encoding} (byte {exc.start} is not "
                                                       f"valid {encoding}); check the encoding setting") from None
                    self.info["encoding"] = encoding
                elif valid_utf8:
                    bom = source_bytes.startswith(codecs.BOM_UTF8)
                    self._text = source_bytes[3 if bom else 0:].decode("utf-8", errors="replace")
                    self.info["encoding"] = "utf-8-sig" if bom else "utf-8"
                else:
                    self._text, self.info["encoding"], mixed = _decode_guess(source_bytes)
                    if mixed:
                        self.repairs.append(("(file)", mixed, 0, ""))
                    elif self.info["encoding"] not in ("utf-8", "utf-8-sig"):
                        self.repairs.append(("(file)", f"text is not UTF-8; decoded as {self.info['encoding']}", 0, ""))
            else:
                self.info["encoding"] = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        if self._text is not None:
            self._whole_in_sample = len(self._text) <= SAMPLE_SIZE
        sample = self._text[:SAMPLE_SIZE] if self._text is not None else head.decode("utf-8", errors="ignore")
        sample = sample.lstrip("\ufeff")
        if not sample.strip():
            raise FileReadError(str(path), "the file has no header row (only blank lines)")
        self._locate_header(sample, tm, spec)
        self.info["delimiter"] = self.delimiter

    def _locate_header(self, sample: str, tm: TableMapping, spec: TableSpec | None) -> None:
        """Set delimiter, header and header_lines (physical lines up to the end of the header)."""
        before = 0
        body = sample
        sep = re.match(r'"?sep=(.)"?[ \t]*(?:\r\n|\r|\n|$)', sample)  # Excel's "sep=;" first line
        delimiter = tm.delimiter
        if sep:
            delimiter = delimiter or sep.group(1)
            self.repairs.append(("(file)", f"skipped Excel's separator line {sep.group(0).strip()!r} on row 1", 0,
                                 sep.group(0).strip()))
            body, before = sample[sep.end():], 1
        self.delimiter = delimiter or _sniff_delimiter(body)
        records = _sample_records(body, self.delimiter)
        if not records:
            raise FileReadError(str(self.path), "the file has no header row (only blank lines)")
        h = _pick_header([r[2] for r in records], spec, tm)
        if h:
            self.repairs.append(("(file)", f"header found on row {records[h][0] + before}; skipped the {h} row(s) "
                                           "above it (titles or notes)", h, " ".join(records[0][2])[:60]))
        end = records[h][1]
        extra = next((k for k in (1, 2) if h + k < len(records) and _is_import_id_row(records[h + k][2])), 0)
        if extra:
            end = records[h + extra][1]
            self.repairs.append(("(file)", f"skipped {extra} extra header row(s) under the header (survey platform "
                                           "export: question texts / ImportId)", extra, records[h + extra][2][0][:60]))
        header = _clean_header(records[h][2])
        blanks = len(header) - len(list(itertools.dropwhile(lambda c: not c, reversed(header))))
        following = [r[2] for r in records[h + extra + 1:h + extra + 21]]
        if blanks and following and all(len(r) == len(header) - blanks for r in following):
            header = header[:len(header) - blanks]
            self.repairs.append(("(file)", f"the header ends with {blanks} empty column name(s) (a trailing separator) "
                                           "that the data rows do not have; ignored", 0, ""))
        more = len(following[0]) - len(header) if following else 0
        if more > 0 and all(len(r) == len(header) + more and not any(r[-more:]) for r in following):
            header = header + [""] * more  # data rows end with separators the header does not have

        self.header = header
        self.header_lines = before + end
        rest = re.split(r"\r\n|\r|\n", body)[end:] if self._whole_in_sample else ["x"]
        self._no_data = not any(line.strip() for line in rest)

    @staticmethod
    def _scan(path: Path):
        dec = codecs.getincrementaldecoder("utf-8")()
        nul = False
        valid = True
        newlines = quotes = lone_cr = 0
        last = b""
        with open(path, "rb") as fh:
            first = True
            while True:
                block = fh.read(BLOCK_SIZE)
                if not block:
                    break
                if first and block.startswith(codecs.BOM_UTF8):
                    block_dec = block[3:]
                else:
                    block_dec = block
                first = False
                nul = nul or b"\x00" in block
                newlines += block.count(b"\n")
                quotes += block.count(b'"')
                lone_cr += block.count(b"\r") - block.count(b"\r\n") - (last == b"\r" and block[:1] == b"\n")
                last = block[-1:]
                if valid:
                    try:
                        dec.decode(block_dec)
                    except UnicodeDecodeError:
                        valid = False
            if valid:
                try:
                    dec.decode(b"", final=True)
                except UnicodeDecodeError:
                    valid = False
        return nul, valid, newlines, last, quotes, lone_cr

    def chunks(self) -> Iterator[pd.DataFrame]:
        if self._no_data:
            return

        def on_invalid(row):
            self.invalid_rows.append(_Invalid(None, row.number, row.text, row.expected_columns, row.actual_columns))
            return "skip"

        names = [f"c{i}" for i in range(len(self.header))]
        read_opts = pacsv.ReadOptions(column_names=names, skip_rows=self.header_lines, block_size=BLOCK_SIZE,
                                      encoding="utf8")
        parse_opts = pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid)
        conv_opts = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                         quoted_strings_can_be_null=False)
        if self._text is not None:
            src = pa.BufferReader(self._text.lstrip("\ufeff").encode("utf-8"))
        else:
            src = pa.OSFile(str(self.path), "rb")
            if self.info["encoding"] == "utf-8-sig":
                src.seek(3)
        try:
            reader = pacsv.open_csv(src, read_options=read_opts, parse_options=parse_opts, convert_options=conv_opts)
            for batch in reader:
                if batch.num_rows:
                    frame = batch.to_pandas(types_mapper=_typed_mapper, date_as_object=False)
                    frame.columns = self.header
                    frame = self._drop_empty_records(frame)
                    if len(frame):
                        yield frame
            if self.skipped_empty:
                self.repairs.append(("(file)", "skipped empty rows (separators only, as Excel writes empty rows)",
                                     self.skipped_empty, ""))
        except pa.ArrowInvalid as exc:
            if "Could not skip initial" in str(exc):
                return  # nothing after the header
            text = _arrow_message(exc)
            if "straddl" in text or "block size" in text:
                text = ("a single row is larger than 32 MB - most likely a quote that is never closed, so the rest "
                        "of the file reads as one value")
            raise FileReadError(str(self.path), f"not a readable CSV file ({text})") from None
        finally:
            src.close()

    def _drop_empty_records(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of separators only (";;;;", Excel's empty rows) are blank lines: skipped and reported."""
        cand = (frame.iloc[:, 0] == "").to_numpy(dtype=bool)
        if not cand.any():
            return frame
        sub = frame.iloc[np.flatnonzero(cand)]
        empty = np.ones(len(sub), dtype=bool)
        for i in range(1, sub.shape[1]):
            empty &= (sub.iloc[:, i] == "").to_numpy(dtype=bool)
        if not empty.any():
            return frame
        drop = np.flatnonzero(cand)[empty]
        self.skipped_empty += len(drop)
        keep = np.ones(len(frame), dtype=bool)
        keep[drop] = False
        out = frame.iloc[np.flatnonzero(keep)]
        out.index = pd.RangeIndex(len(out))
        return out

    def _physical_text(self) -> str:
        if self._text is not None:
            return self._text.lstrip("\ufeff")
        return self.path.read_bytes().decode(self.info.get("encoding") or "utf-8", errors="replace").lstrip("\ufeff")

    def _record_lines(self) -> np.ndarray:
        """Line number (1-based, as in a text editor) where each data record starts."""
        if self._lines_cache is None:
            text = self._physical_text()
            starts, valid = [], []
            with _csv_field_limit():
                reader = csv.reader(_io.StringIO(text, newline=""), delimiter=self.delimiter)
                prev_end = 0
                expected = len(self.header)
                for rec in reader:
                    start = prev_end + 1
                    prev_end = reader.line_num
                    if start <= self.header_lines:
                        continue  # leading blank lines, titles and the header record
                    if not rec or (len(rec) == 1 and rec[0] == "" and expected > 1):
                        continue  # blank line, skipped like pyarrow
                    if len(rec) == expected and not any(rec):
                        continue  # separators only, skipped by _drop_empty_records
                    starts.append(start)
                    valid.append(len(rec) == expected)
            self._lines_cache = np.array(starts, dtype=np.int64)
            self._valid_cache = np.array(valid, dtype=bool)
        return self._lines_cache

    def row_numbers(self, records: np.ndarray, n_records: int) -> np.ndarray:
        records = np.asarray(records, dtype=np.int64)
        simple = (not self.invalid_rows and self._text is None and self.info.get("newlines") is not None
                  and not self.info.get("lone_cr") and not self.skipped_empty)
        if simple:
            n_lines = self.info["newlines"] + (0 if self.info.get("ends_with_newline") else 1)
            if n_lines == n_records + self.header_lines:
                return records + self.header_lines + 1
        starts = self._record_lines()
        good = starts[self._valid_cache]
        if len(good) != n_records:  # csv module disagrees with pyarrow: best effort
            return records + self.header_lines + 1
        return good[records]

    def invalid_lines(self) -> list[int | None]:
        if not self.invalid_rows:
            return []
        starts = self._record_lines()
        bad = list(starts[~self._valid_cache])
        out = []
        for i, inv in enumerate(self.invalid_rows):
            out.append(inv.line if inv.line is not None else (bad[i] if i < len(bad) else None))
        return out

    def final_problems(self, n_records: int) -> list[tuple[int, str, str, str]]:
        """A file that ends inside a quoted value (odd number of quotes): its last record is cut."""
        if self._quotes % 2 == 0 or n_records == 0:
            return []
        starts = self._record_lines()
        if not len(starts) or not self._valid_cache[-1]:
            return []  # the last record already failed the field count
        first_line = int(starts[-1])
        text = self._physical_text()
        breaks = [m.end() for m in itertools.islice(re.finditer(r"\r\n|\r|\n", text), first_line - 1)]
        tail = text[breaks[-1]:] if breaks else text
        try:
            with _csv_field_limit():
                list(csv.reader(_io.StringIO(tail, newline=""), delimiter=self.delimiter, strict=True))
        except csv.Error as exc:
            if "unexpected end of data" not in str(exc):
                return []
            n_lines = len(re.findall(r"\r\n|\r|\n", tail.rstrip("\r\n"))) + 1
            return [(n_records - 1, "(whole row)", tail.strip()[:200],
                     f"a closing quote: the file ends inside a quoted value that starts on this row and runs over "
                     f"{n_lines} line(s) (file truncated, or a quote missing so later rows were swallowed)")]
        return []


def _arrow_message(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


_NULLABLE_INTS = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                  pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                  pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _string_mapper(t):
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _STR
    return None


def _typed_mapper(t):
    """Parquet columns to pandas without losing their type: strings as Arrow, integers nullable."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _STR
    return _NULLABLE_INTS.get(t)


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most lines into the same (largest) number of fields.

    Scored on the most common field count, so title lines above the header and
    values that contain another candidate character do not mislead it.
    """
    lines = [ln for ln in re.split(r"\r\n|\r|\n", sample)[:200] if ln.strip()][:30]
    if not lines:
        return ","
    best, best_score = ",", 0.0
    for d in (",", ";", "\t", "|"):
        try:
            with _csv_field_limit():
                counts = [len(r) for r in csv.reader(_io.StringIO("\n".join(lines)), delimiter=d) if r]
        except csv.Error:
            continue
        multi = [c for c in counts if c >= 2]
        if not multi:
            continue
        mode = max(set(multi), key=lambda c: (multi.count(c), c))
        score = mode * counts.count(mode) / len(counts)
        if score > best_score:
            best, best_score = d, score
    return best


def _decode_guess(raw: bytes) -> tuple[str, str, str | None]:
    """Decode bytes that are not (all) UTF-8: (text, encoding, note on mixed encodings or None).

    A legacy file is cp1257 (Baltic) or cp1250 (Central European): the two code
    pages put the letters of Lithuanian and Latvian versus Polish in different
    places, and the one that yields more letters of these languages (and fewer
    symbols) wins. A file whose lines are partly UTF-8 and partly a code page
    (two exports joined) is decoded line by line, and that is reported.
    """
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8", None
    except UnicodeDecodeError:
        pass
    lines = body.splitlines(keepends=True)
    utf8 = []
    for line in lines:
        try:
            line.decode("utf-8")
            utf8.append(True)
        except UnicodeDecodeError:
            utf8.append(False)
    legacy_bytes = b"".join(line for line, ok in zip(lines, utf8) if not ok)
    encoding = _legacy_codepage(legacy_bytes)
    if bom or any(ok and max(line, default=0) > 127 for line, ok in zip(lines, utf8)):
        text = "".join(line.decode("utf-8") if ok else line.decode(encoding, errors="replace")
                       for line, ok in zip(lines, utf8))
        n = utf8.count(False)
        return text, "utf-8-sig" if bom else "utf-8", (f"the file mixes encodings: {n} line(s) are not UTF-8 and were "
                                                        f"read as {encoding} (were two exports joined?)")
    return body.decode(encoding, errors="replace"), encoding, None


def _legacy_codepage(raw: bytes) -> str:
    baltic = set("ąčęėįšųūžĄČĘĖĮŠŲŪŽāēģīķļņōŗĀĒĢĪĶĻŅŌŖ")
    polish = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
    best = None
    for enc in ("cp1257", "cp1250"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        high = [ch for ch in text if ord(ch) > 127]
        good = sum(1 for ch in high if ch in baltic | polish)
        score = good - (len(high) - good)
        if best is None or score > best[0]:
            best = (score, enc)
    return "latin-1" if best is None else best[1]


class _ExcelReader(_Reader):
    """``.xlsx`` via openpyxl (read-only), with sheet choice, header search, merged cells
    filled, and formulas without a saved result detected."""

    def __init__(self, path: Path, tm: TableMapping, spec: TableSpec | None = None):
        import openpyxl

        self.path = path
        self.invalid_rows = []
        self.repairs = []
        self.info = {"format": "xlsx"}
        self.formula_cells: dict[int, dict[int, str]] = {}  # column index -> {record: formula}
        handle = open(path, "rb")  # a file object: openpyxl refuses paths not named .xlsx
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
                wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any failure of the parser means a damaged workbook
            handle.close()
            raise FileReadError(str(path), "not a readable .xlsx workbook: the file is damaged or not really an Excel "
                                           "workbook; re-save it from Excel as .xlsx or CSV UTF-8") from None
        try:
            ws = self._pick_sheet(wb, tm.sheet)
            self.info["sheet"] = ws.title
            self.info["sheets"] = list(wb.sheetnames)
            try:
                ws.reset_dimensions()  # the saved sheet size is often wrong; read every cell there is
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    raw = [(i, row) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
            except Exception:  # noqa: BLE001 - damaged sheet XML or zip member
                raise FileReadError(str(path), f"the workbook is damaged: sheet {ws.title!r} could not be read to the "
                                               "end; re-save it from Excel as .xlsx or CSV UTF-8") from None
            merges, formulas = _scan_sheet_xml(path, getattr(ws, "_worksheet_path", None))
        finally:
            wb.close()
            handle.close()
        nonblank = [(i, row) for i, row in raw if not _blank_row(row)]
        if not nonblank:
            raise FileReadError(str(path), f"sheet {ws.title!r} is empty; expected a header row and data rows")
        h = _pick_header([list(row) for _, row in nonblank[:40]], spec, tm)
        header_row = nonblank[h][0]
        if h:
            first = " ".join(str(v) for v in nonblank[0][1] if v is not None)[:60]
            self.repairs.append(("(file)", f"header found on row {header_row}; skipped the {h} row(s) above it "
                                           "(titles or notes)", h, first))
        header = _clean_header(nonblank[h][1])
        while header and not header[-1]:
            header.pop()  # empty cells right of the last header name
        # values right of the last header name are kept (as unnamed columns), never cut off
        used = max((max((k for k, v in enumerate(row) if v is not None and str(v).strip()), default=-1)
                    for i, row in raw if i > header_row and row), default=-1)
        header += [""] * max(0, used + 1 - len(header))
        width = len(header)
        rows = {i: list(row[:width]) + [None] * max(0, width - len(row)) for i, row in raw if i > header_row}
        self._fill_merged(merges, rows, header, header_row)
        records, numbers = [], []
        blank_rows = 0
        for i in sorted(rows):
            row = rows[i]
            for col, formula in formulas.get(i, {}).items():
                if col < width and row[col] is None:
                    row[col] = formula
                    self.formula_cells.setdefault(col, {})[len(records)] = formula
            if _blank_row(row):  # formula cells were filled above, so nothing is lost here
                blank_rows += 1
                continue
            records.append([_cell_text(v) for v in row])
            numbers.append(i)
        trailing = next((k for k, i in enumerate(sorted(rows, reverse=True)) if not _blank_row(rows[i])), len(rows))
        blank_rows -= trailing  # empty rows after the last data row are not worth a note
        if blank_rows > 0:
            self.repairs.append(("(file)", "skipped empty rows between the data rows", blank_rows, ""))
        self.header = header
        self.header_row = header_row
        self._numbers = np.array(numbers, dtype=np.int64)
        self._frame = pd.DataFrame(records, columns=range(width), dtype=_STR) if records else \
            pd.DataFrame({i: pd.Series([], dtype=_STR) for i in range(width)})
        self._frame.columns = header

    def _pick_sheet(self, wb, sheet):
        sheets = wb.sheetnames
        if not sheets:
            raise FileReadError(str(self.path), "the workbook has no sheets (damaged?); re-save it from Excel as .xlsx "
                                                "or CSV UTF-8")
        if sheet is None:
            visible = [n for n in sheets if getattr(wb[n], "sheet_state", "visible") == "visible"] or sheets
            if len(sheets) > 1:
                hidden = [n for n in sheets if n not in visible]
                note = f"; skipped hidden sheet(s) {', '.join(map(repr, hidden))}" if hidden else ""
                self.repairs.append(("(file)", f"workbook has {len(sheets)} sheets; read {visible[0]!r}, the first "
                                               f"visible one{note} (name one with sheet=)", 0, ""))
            return wb[visible[0]]
        if sheet in sheets:
            return wb[sheet]
        same = [n for n in sheets if n.strip().casefold() == str(sheet).strip().casefold()]
        if len(same) == 1:
            self.repairs.append(("(file)", f"sheet {sheet!r} not found; read {same[0]!r} (same name apart from case "
                                           "and spaces)", 0, ""))
            return wb[same[0]]
        near = difflib.get_close_matches(str(sheet), sheets, n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise FileReadError(str(self.path), f"sheet {sheet!r} not found; the workbook has: "
                                            f"{', '.join(map(repr, sheets))}{hint}")

    def _fill_merged(self, merges, rows, header, header_row):
        """Merged cells keep their value only in the first cell; give it to every cell of the range."""
        from openpyxl.utils.cell import range_boundaries

        filled: dict[str, list] = {}
        for ref in merges:
            try:
                c1, r1, c2, r2 = range_boundaries(ref)
            except ValueError:
                continue
            if r1 <= header_row or r1 not in rows or c1 > len(header):
                continue
            value = rows[r1][c1 - 1]
            n = 0
            for r in range(r1, r2 + 1):
                for c in range(c1, min(c2, len(header)) + 1):
                    if r in rows and (r, c) != (r1, c1) and rows[r][c - 1] is None:
                        rows[r][c - 1] = value
                        n += 1
            if n:
                entry = filled.setdefault(header[c1 - 1] or f"column {c1}", [0, ref, value])
                entry[0] += n
        for column, (n, ref, value) in filled.items():
            self.repairs.append((column, f"filled merged cells with the value of their first cell (e.g. {ref} = "
                                         f"{_cell_text(value)!r})", n, _cell_text(value)))

    def chunks(self):
        yield self._frame

    def row_numbers(self, records, n_records):
        return self._numbers[np.asarray(records, dtype=np.int64)]

    def invalid_lines(self):
        return []


def _blank_row(row) -> bool:
    return row is None or all(v is None or (isinstance(v, str) and v.strip() == "") for v in row)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_FORMULA_ONLY = re.compile(
    rb'<(?:\w+:)?c\s(?:[^>]*?\s)?r="([A-Z]+)(\d+)"[^>]*>\s*'
    rb'<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*'
    rb'</(?:\w+:)?c>')


def _scan_sheet_xml(path: Path, member: str | None) -> tuple[list[str], dict[int, dict[int, str]]]:
    """Merged ranges and formula cells without a saved result, read from the sheet's XML.

    openpyxl's read-only mode reports neither: merged cells come back empty and a
    formula without a saved result (workbooks written by programs other than
    Excel) comes back as an empty cell - both would lose data silently.
    """
    merges: list[str] = []
    formulas: dict[int, dict[int, str]] = {}
    if not member:
        return merges, formulas
    from openpyxl.utils.cell import column_index_from_string

    try:
        with zipfile.ZipFile(path) as z, z.open(member.lstrip("/")) as fh:
            tail = b""
            while True:
                block = fh.read(8 << 20)
                if not block:
                    break
                data = tail + block
                cut = len(data)
                if len(block) == 8 << 20:  # more to come: cut after the last row tag, never inside a cell
                    at = data.rfind(b"row>")
                    cut = at + 4 if at >= 0 else cut
                part, tail = data[:cut], data[cut:]
                if b"mergeCell" in part:
                    merges += [m.decode() for m in _MERGE.findall(part)]
                if b"<f" in part or b":f" in part:
                    for col, row, text in _FORMULA_ONLY.findall(part):
                        formula = "=" + (text.decode("utf-8", "replace") if text else "(shared formula)")
                        formulas.setdefault(int(row), {})[column_index_from_string(col.decode()) - 1] = \
                            formula.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    except _ZIP_ERRORS:
        return [], {}
    return merges, formulas


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.datetime,)):
        return v.isoformat(sep=" ") if (v.hour or v.minute or v.second) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v)
    return str(v)


class _ParquetReader(_Reader):
    def __init__(self, path: Path, tm: TableMapping):
        self.path = path
        self.invalid_rows = []
        self.repairs = []
        self.info = {"format": "parquet"}
        try:
            self._pf = pq.ParquetFile(path, pre_buffer=False)
        except (pa.ArrowException, OSError):
            raise FileReadError(str(path), "not a readable Parquet file: it is damaged or truncated (its footer "
                                           "cannot be read); export it again") from None
        self.header = _clean_header(self._pf.schema_arrow.names)

    def chunks(self):
        """One row group at a time (in pieces of at most 1M rows): memory stays flat on large files."""
        try:
            for i in range(self._pf.num_row_groups):
                group = self._pf.read_row_group(i)
                for start in range(0, group.num_rows, 1_000_000):
                    piece = group.slice(start, 1_000_000)
                    frame = piece.to_pandas(types_mapper=_typed_mapper, date_as_object=False)
                    del piece
                    frame.columns = self.header
                    yield frame
                del group
        except (pa.ArrowException, OSError):
            raise FileReadError(str(self.path), "the Parquet file is damaged: its data could not be read to the end; "
                                                "export it again") from None

    def row_numbers(self, records, n_records):
        return np.asarray(records, dtype=np.int64) + 1

    def invalid_lines(self):
        return []


# --------------------------------------------------------------------------------------
# validation


def _string_bytes(arr) -> tuple[np.ndarray, np.ndarray]:
    """The value offsets (from 0) and the UTF-8 bytes of an Arrow large_string array, without copies."""
    n = len(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset:arr.offset + n + 1]
    lo, hi = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(bufs[2], dtype=np.uint8)[lo:hi] if bufs[2] is not None and hi > lo else np.zeros(0, np.uint8)
    return offsets - lo, data


#: UTF-8 bytes from 0xCC on start code points from U+0300 (the combining marks) up. Text made only of code
#: points below U+0300 is in NFC already (tested over every pair of them), so only values holding such a
#: byte can change under NFC normalisation (Lithuanian, Polish and Latvian letters are all below U+0180).
_NFC_CANDIDATE_BYTES = np.arange(256) >= 0xCC
#: one flag per byte value: 1 a control character, 2 the lead byte of an invisible one, 4 an NFC candidate
_BYTE_FLAGS = (_CONTROL_BYTES * 1 + _INVISIBLE_LEADS * 2 + _NFC_CANDIDATE_BYTES * 4).astype(np.uint8)


def _large_strings(arr):
    """An Arrow string array (or chunked array) as one ``large_string`` array, as the byte-level helpers
    here read it."""
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if pa.types.is_large_string(arr.type) else pc.cast(arr, pa.large_string())


def _byte_flags(arr) -> tuple[int, np.ndarray]:
    """One pass over the bytes of an Arrow large_string array: the union of the :data:`_BYTE_FLAGS` of
    its bytes, and which values hold an NFC candidate byte."""
    offsets, data = _string_bytes(arr)
    flags = _BYTE_FLAGS[data]
    at = np.flatnonzero(flags)
    rows = np.zeros(len(arr), dtype=bool)
    if not len(at):
        return 0, rows
    found = flags[at]
    nfc = at[(found & 4) != 0]
    rows[np.searchsorted(offsets, nfc, side="right") - 1] = True
    return int(np.bitwise_or.reduce(found)), rows


def fast_hash(arr) -> np.ndarray:
    """64-bit hashes of an Arrow string array, vectorised (nulls hash like empty strings).

    Used only to find candidate duplicates quickly; equal hashes are always confirmed by comparing
    the strings, so a collision can never flag or merge two different ids.

    Each value's bytes are read as little-endian 64-bit words (zero-padded at the end), mixed into
    a seed made from the length with splitmix64's finaliser, one word at a time; all values are
    processed together, one word position per pass (``tests/test_io.py`` checks it against a
    plain-Python version).
    """
    arr = _large_strings(arr)
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets, data = _string_bytes(arr)
    lengths = np.diff(offsets)
    if arr.null_count:
        lengths = np.where(np.asarray(arr.is_valid(), dtype=bool), lengths, 0)
    longest, shortest = int(lengths.max(initial=0)), int(lengths.min(initial=0))
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[:len(data)] = data
    # the little-endian 64-bit word that starts at each byte (an unaligned view: no copy per word)
    words = np.ndarray(shape=(len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    start = offsets[:-1]
    h = (lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(0xD6E8FEB86659FD93)
    with np.errstate(over="ignore"):
        for k in range((max(longest, 1) + 7) // 8):
            # only the values that reach this word: a value's hash must not depend on the other values
            at = slice(None) if k == 0 or shortest > 8 * k else np.flatnonzero(lengths > 8 * k)
            left = lengths[at] - 8 * k  # bytes of each value from this word on
            lane = words[np.minimum(start[at] + 8 * k, len(data))]
            keep = np.clip(left, 0, 8).astype(np.uint64) * np.uint64(8)  # bits of the word inside the value
            lane = np.where(keep >= 64, lane, lane & ((np.uint64(1) << np.minimum(keep, 63)) - np.uint64(1)))
            x = h[at] ^ lane
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)  # splitmix64 mixing
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            h[at] = x ^ (x >> np.uint64(31))
    return h


def search_in_order(haystack: np.ndarray, needles: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """``np.searchsorted(haystack, needles)``, the needles visited in ascending order (``order``: their
    argsort, when already known): the searches then stay in cache, about 8x faster for millions of
    random 64-bit hashes."""
    order = np.argsort(needles) if order is None else order
    pos = np.empty(len(needles), dtype=np.intp)
    pos[order] = np.searchsorted(haystack, needles[order])
    return pos


class _SeenIds:
    """Ids seen so far in a file, to flag later copies (within a chunk and across chunks).

    Candidates are found by 64-bit hashes (sorted per chunk, searched with ``searchsorted``) and
    confirmed by comparing the strings themselves, so the result is exact; the first occurrence wins.
    A bit per hash prefix (at least 8 bits per id seen) sends only ids whose prefix was seen before to
    those searches: a few percent of a chunk instead of all of it in every earlier chunk.
    """

    def __init__(self, first_bits: int = 20):
        self.chunks: list = []  # (sorted hashes, their positions, ids as Arrow, records) of earlier chunks
        self.n_seen = 0
        self.shift = 64 - first_bits
        self.bits = np.zeros(1 << (first_bits - 3), dtype=np.uint8)  # 2^first_bits bits, grown with the ids seen

    def _slots(self, h: np.ndarray) -> np.ndarray:
        return (h >> np.uint64(self.shift)).astype(np.int64)

    def _maybe_seen(self, h: np.ndarray) -> np.ndarray:
        i = self._slots(h)
        return ((self.bits[i >> 3] >> (i & 7).astype(np.uint8)) & 1).astype(bool)

    def _remember(self, hs: np.ndarray) -> None:
        """Set the bits of sorted hashes ``hs`` (their slots are sorted too: one OR per byte)."""
        if not len(hs):
            return
        i = self._slots(hs)
        byte = i >> 3
        starts = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
        self.bits[byte[starts]] |= np.bitwise_or.reduceat((1 << (i & 7)).astype(np.uint8), starts)

    def _add(self, hs: np.ndarray) -> None:
        """Remember the sorted hashes of the chunk just kept (the last of ``self.chunks``)."""
        self.n_seen += len(hs)
        if self.n_seen > len(self.bits):  # fewer than 8 bits per id: 16 per id, set again from every chunk
            k = int(np.ceil(np.log2(self.n_seen * 16)))
            self.shift = 64 - k
            self.bits = np.zeros(1 << (k - 3), dtype=np.uint8)
            for earlier, *_ in self.chunks:
                self._remember(earlier)
        else:
            self._remember(hs)

    def check(self, ids: pd.Series, records: np.ndarray):
        import pyarrow.compute as pc

        present = ids.notna().to_numpy()
        arr = _arrow_strings(ids)
        if arr is None:
            arr = pa.array(ids.astype("string").astype(object).where(ids.notna(), None).tolist(), type=pa.large_string())
        arr = _large_strings(arr)
        h = fast_hash(arr)
        n = len(arr)
        dup = np.zeros(n, dtype=bool)
        first = np.full(n, -1, dtype=np.int64)

        def same(i: np.ndarray, other, j: np.ndarray) -> np.ndarray:
            """Confirm candidate pairs by their strings."""
            if not len(i):
                return np.zeros(0, dtype=bool)
            return np.asarray(pc.equal(arr.take(pa.array(i)), other.take(pa.array(j))), dtype=bool)

        order = np.argsort(h)  # one sort: the runs in this chunk, the record kept
        look = order[present[order] & self._maybe_seen(h[order])]  # ids whose hash prefix was seen, by hash
        for hs, pos, ids_c, recs in self.chunks:  # earlier chunks
            cand = look[~dup[look]]
            at = np.searchsorted(hs, h[cand])
            inside = at < len(hs)
            cand, at = cand[inside], at[inside]
            while len(cand):  # equal hashes may cover several earlier ids: walk the run until one matches
                keep = hs[at] == h[cand]
                cand, at = cand[keep], at[keep]
                hit = same(cand, ids_c, pos[at])
                dup[cand[hit]] = True
                first[cand[hit]] = recs[pos[at[hit]]]
                cand, at = cand[~hit], at[~hit] + 1
                inside = at < len(hs)
                cand, at = cand[inside], at[inside]
        hs = h[order]
        live = present[order]
        same_hash = np.flatnonzero((hs[1:] == hs[:-1]) & live[1:] & live[:-1]) + 1
        if len(same_hash):  # within this chunk: compare each row with the earlier rows of its hash run
            starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
            sizes = np.diff(np.r_[starts, n])
            for s0, size in zip(starts[sizes > 1], sizes[sizes > 1]):  # only the runs of two or more
                run = np.sort(order[s0:s0 + size])
                run = run[present[run]]
                for a_i, a in enumerate(run):
                    if dup[a]:
                        continue
                    later = run[a_i + 1:]
                    later = later[~dup[later]]
                    if not len(later):
                        continue
                    eq = same(later, arr, np.full(len(later), a))
                    dup[later[eq]] = True
                    first[later[eq]] = records[a]
        kept = present & ~dup
        if kept.all():  # the usual case: every id is new, and sorted already
            self.chunks.append((hs, order, arr, records))
        elif kept.any():
            keep = np.flatnonzero(kept)
            kh = h[keep]
            o = np.argsort(kh)
            self.chunks.append((kh[o], o, arr.take(pa.array(keep)), records[keep]))
        if kept.any():
            self._add(self.chunks[-1][0])
        return dup, first[dup]


class _LazyTexts:
    """An "expected" array that exists only once something is written to it (10M-row loads): until
    then it is the one text ``default`` (an object array of 1M references costs 30 ms per column)."""

    def __init__(self, n: int, default: str = ""):
        self.n, self.default, self._a = n, default, None

    def __setitem__(self, key, value):
        if self._a is None:
            self._a = np.full(self.n, self.default, dtype=object)
        self._a[key] = value

    def array(self):
        return self.default if self._a is None else self._a


def _arrow_strings(s: pd.Series):
    """The Arrow array behind a pyarrow-backed string Series (None for other dtypes)."""
    arr = s.array
    pa_arr = getattr(arr, "_pa_array", None)
    if pa_arr is not None and (pa.types.is_string(pa_arr.type) or pa.types.is_large_string(pa_arr.type)):
        return pa_arr
    return None


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


class _Validator:
    """Validates chunks of one table and accumulates problems and repairs."""

    def __init__(self, spec: TableSpec, tm: TableMapping, scales: dict, *, file: str, today: dt.date, canonical: dict):
        self.spec, self.tm, self.scales, self.file, self.today = spec, tm, scales, file, today
        self.canonical = canonical  # folded unit name -> spelling (shared across tables of a dataset)
        self.cat_canonical: dict[str, dict[str, str]] = {}
        self.problem_parts: list[pd.DataFrame] = []  # columns: record, column, value, expected
        self.rejected_parts: list[pd.DataFrame] = []
        self.repairs: dict[tuple[str, str], list] = {}
        self._seen = _SeenIds()  # ids of earlier rows, for the duplicate check
        self._weights = None
        self.structural: list[_Invalid] = []
        self.decimal: dict[str, str] = {}
        self.slash_order: dict[str, str] = {}
        self.header_row: int | None = 1
        self.sheet: str | None = None  # for workbooks: the sheet read and all sheet names
        self.sheets: list[str] = []
        self.date_formats: dict[str, dict[str, int]] = {}  # column -> format -> rows read with it
        self.file_format: str | None = None
        self.formula_cells: dict[int, dict[int, str]] = {}

    # header ----------------------------------------------------------------------
    def set_header(self, header: list[str]):
        spec, tm = self.spec, self.tm
        header = list(header)
        self.unnamed: set[int] = set()
        taken = set(header)
        for i, h in enumerate(header):
            if not h:  # a column without a header: give it a name that is not taken
                name, k = f"column_{i + 1}", 2
                while name in taken:
                    name, k = f"column_{i + 1}_{k}", k + 1
                header[i] = name
                taken.add(name)
                self.unnamed.add(i)
        mapped: dict[int, str] = {}
        explicit = {normalise_header(k): v for k, v in tm.columns.items()}
        contract = {normalise_header(c.name): c.name for c in spec.columns}
        problems = []
        for i, h in enumerate(header):
            if i in self.unnamed:
                continue
            key = normalise_header(h)
            if key in explicit:
                mapped[i] = explicit[key]
            elif key in contract:
                mapped[i] = contract[key]
            elif spec.column(key) is not None:  # attr_* / target_* patterns
                mapped[i] = key
        targets = {}
        for i, name in mapped.items():
            targets.setdefault(name, []).append(i)
        for name, idx in targets.items():
            if len(idx) > 1:
                problems.append(dict(column=name, value=", ".join(repr(header[i]) for i in idx),
                                     expected=f"one column for {name!r}, found {len(idx)} "
                                              f"(columns {', '.join(str(i + 1) for i in idx)}); remove or rename the copies"))
        for c in list(tm.constants):
            if c in targets:
                problems.append(dict(column=c, value=f"constant {tm.constants[c]!r}",
                                     expected=f"either a {c!r} column or a constant in the mapping, not both"))
        present = set(targets) | set(tm.constants)
        one_column = len(header) == 1 and next((d for d in (";", ",", "\t", "|") if d in header[0]), None)
        for c in spec.columns:
            if c.required and c.name not in present:
                near = difflib.get_close_matches(normalise_header(c.name), [normalise_header(h) for h in header], n=1, cutoff=0.6)
                if one_column:
                    hint = (f"; the whole header is one column, so the file is probably separated by {one_column!r}, "
                            f"not {getattr(self, 'file_delimiter', ',')!r} - remove the delimiter setting or set "
                            f"delimiter: {one_column!r} in the mapping")
                elif near:
                    hint = f"; did you mean {near[0]!r}? map it in the mapping file"
                else:
                    hint = "; map your export's header to it in a mapping file"
                shown = ", ".join(h[:40] for h in header[:15]) + (f", ... ({len(header)} columns)" if len(header) > 15 else "")
                problems.append(dict(column=c.name, value="(missing)",
                                     expected=f"a column named {c.name!r} (found: {shown}){hint}"))
        if problems:
            frame = pd.DataFrame(problems)
            frame.insert(0, "row", self._header_row_number())
            frame.insert(0, "file", self.file)
            others = [n for n in self.sheets if n != self.sheet] if self.sheet else []
            where = (f" The columns were read from sheet {self.sheet!r}; the workbook also has "
                     f"{', '.join(map(repr, others))} - name the right one with sheet: in the mapping."
                     if others else "")
            raise DataValidationError(frame[_PROBLEM_COLUMNS], hint="The file's columns do not match the "
                                      f"{spec.name} table; see data/README.md for the expected columns.{where}")
        # extra columns keep their header; copies of one name get a suffix so no column overwrites another
        used = set(targets)
        self.extra_names: dict[int, str] = {}
        renamed = []
        for i in range(len(header)):
            if i in mapped:
                continue
            name, k = header[i], 2
            while name in used:
                name, k = f"{header[i]} ({k})", k + 1
            used.add(name)
            self.extra_names[i] = name
            if name != header[i]:
                renamed.append(f"{header[i]!r} -> {name!r}")
        if renamed:
            self._repair("(header)", "renamed columns with a duplicated name: " + ", ".join(renamed), 0, "")
        self.header = header
        self.positions = {name: idx[0] for name, idx in targets.items()}
        self.extra_positions = [i for i in range(len(header)) if i not in mapped]
        self.column_labels = {name: header[i] for name, i in self.positions.items()}

    def _count(self, mask) -> int:
        """How many rows a mask covers (weighted when converting the unique values of a column)."""
        m = np.asarray(mask, dtype=bool)
        w = getattr(self, "_weights", None)
        return int(m.sum()) if w is None else int(w[m].sum())

    def _header_row_number(self):
        return self.header_row

    # chunks ----------------------------------------------------------------------
    def validate(self, chunk: pd.DataFrame, offset: int) -> pd.DataFrame:
        """Convert and check one chunk; remember problems; return the clean typed rows."""
        n = len(chunk)
        out = {}
        bad = np.zeros(n, dtype=bool)
        problems = []
        raw_for_reject = {}
        for name, pos in self.positions.items():
            col = self.spec.column(name)
            s = chunk.iloc[:, pos]
            if name in self.tm.values:
                s = self._recode(s, name)
            raw_for_reject[name] = s
            if col.kind == "category" and n > 1000 and not self.formula_cells.get(pos):
                values, mask, expected, special, special_expected = self._convert_uniques(s, col, pos, offset)
            else:
                prepared, special, special_expected = self._precheck(s, col, pos, offset)
                values, mask, expected = self._convert(prepared, col)
            out[name] = values
            if special is not None and special.any():
                bad |= special
                problems.append(self._problem_frame(offset, special, name, s, special_expected))
                mask = None if mask is None else mask & ~special
            if mask is not None and mask.any():
                bad |= mask
                problems.append(self._problem_frame(offset, mask, name, s, expected))
        for name, value in self.tm.constants.items():
            col = self.spec.column(name)
            const = pd.Series([str(value)] * n, dtype=_STR, index=chunk.index)
            values, mask, expected = self._convert(const, col)
            if mask is not None and mask.any():
                raise ConfigError(f"mapping: {self.spec.name}: constants: {name}={value!r} - expected {expected}")
            out[name] = values
        frame = pd.DataFrame(out, index=chunk.index)
        extra = None
        if self.extra_positions:  # kept apart from the typed columns: wide exports have thousands of them
            extra = chunk.iloc[:, self.extra_positions]
            extra.columns = [self.extra_names[i] for i in self.extra_positions]
            for i in self.extra_positions:
                cells = self.formula_cells.get(i)
                if cells:
                    k = sum(offset <= r < offset + n for r in cells)
                    if k:
                        self._repair(self.extra_names[i], "kept the formula text of cells that have no saved result",
                                     k, next(iter(cells.values())))
        for mask, column, values, expected in self._row_checks(frame, bad, raw_for_reject):
            if mask.any():
                bad |= mask
                problems.append(pd.DataFrame({"record": np.flatnonzero(mask) + offset, "column": column,
                                              "value": values, "expected": expected}))
        idc = self.spec.id_column
        if idc and idc in frame.columns:
            dup, first = self._seen.check(frame[idc], np.arange(offset, offset + n, dtype=np.int64))
            if dup.any():
                bad |= dup
                shown = raw_for_reject[idc] if idc in raw_for_reject else frame[idc]
                problems.append(pd.DataFrame({"record": np.flatnonzero(dup) + offset, "column": idc,
                                              "value": shown.astype("string").fillna("").to_numpy()[dup],
                                              "expected": [f"a unique {idc} (first seen at record {r})" for r in first]}))
        copies = self._header_copies(chunk)
        if copies is not None:
            at = np.flatnonzero(copies) + offset
            problems = [p[~np.isin(p["record"].to_numpy(), at)] for p in problems]
            problems.append(pd.DataFrame({
                "record": at, "column": "(whole row)",
                "value": self.delimiter_text().join(self.header[i] for i in sorted(self.positions.values())),
                "expected": "a data row, found a copy of the header row (were two exports joined into one file?)"}))
            bad |= copies
        if problems:
            self.problem_parts.extend(problems)
            rej = pd.DataFrame({k: v.astype("string").to_numpy()[bad] for k, v in raw_for_reject.items()})
            if extra is not None:
                extra_rej = extra.iloc[np.flatnonzero(bad)]
                extra_rej.index = pd.RangeIndex(len(extra_rej))
                rej = pd.concat([rej, extra_rej], axis=1, copy=False)
            rej.insert(0, "_record", np.flatnonzero(bad) + offset)
            self.rejected_parts.append(rej)
            clean = frame.loc[~bad].copy()
            if extra is not None:
                extra = extra.iloc[np.flatnonzero(~bad)]
        else:
            clean = frame
        clean.index = pd.RangeIndex(len(clean))
        if extra is not None:
            extra.index = clean.index
            clean = pd.concat([clean, extra], axis=1, copy=False)
        clean["_record"] = np.arange(offset, offset + n)[~bad] if problems else np.arange(offset, offset + n)
        return clean

    def delimiter_text(self) -> str:
        return getattr(self, "file_delimiter", ",") or ","

    def _header_copies(self, chunk: pd.DataFrame):
        """Rows that repeat the header (two exports pasted into one file), or None."""
        if not self.positions:
            return None
        mask = None
        for name, pos in self.positions.items():
            s = chunk.iloc[:, pos]
            if not isinstance(s.dtype, pd.StringDtype):
                return None
            label = self.header[pos].lower()
            if mask is None:  # cheap first pass: only values about as long as the header's name can be it
                length = s.str.len()
                cand = length <= len(label) + 3
                if label.isascii():  # removing a BOM and spaces only shortens; lower() keeps ASCII's length
                    cand &= length >= len(label)
                cand = cand.fillna(False).to_numpy(dtype=bool)
                if not cand.any():
                    return None
                mask = cand
            sub = s[mask].str.replace("\ufeff", "", regex=False).str.strip().str.lower()
            hit = (sub == label).fillna(False).to_numpy(dtype=bool)
            mask[np.flatnonzero(mask)[~hit]] = False
            if not mask.any():
                return None
        return mask

    def _expects(self, col: Column) -> str:
        """What a column holds, in words (start of an 'expected' text)."""
        if col.kind == "score":
            lo, hi = self._score_scale(col)
            return f"a whole number from {lo} to {hi}"
        return {"number": "a number", "date": "a date", "datetime": "a date-time", "bool": "yes/no",
                "text": "text"}.get(col.kind, "a value")

    def _precheck(self, s: pd.Series, col: Column, pos: int, offset: int):
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
        cells = self.formula_cells.get(pos)
        if cells:
            recs = np.array([r - offset for r in cells if offset <= r < offset + n], dtype=np.int64)
            if len(recs):
                special = np.zeros(n, dtype=bool)
                special[recs] = True
                expected[recs] = (f"{self._expects(col)}; the cell holds a formula that has no saved result - "
                                  "open the workbook in Excel and save it, or paste the values")
        if not (isinstance(s.dtype, pd.StringDtype) or s.dtype == object):
            return s, special, expected
        t = s.astype(_STR) if s.dtype == object else s
        stripped = t  # only values that fail the cheap tests below are stripped, to keep 10M-row loads fast
        if t.str.contains("#", regex=False).fillna(False).any():
            stripped = t.str.strip()
            err = stripped.str.upper().isin(list(_EXCEL_ERRORS)).fillna(False).to_numpy(dtype=bool)
            if special is not None:
                err &= ~special
            if err.any():
                special = err if special is None else special | err
                expected[err] = (f"{self._expects(col)}, not an Excel error value - fix the formula or the data "
                                 "it refers to")
        if col.kind in ("score", "number", "date", "datetime", "bool"):
            ph = stripped.isin(_PLACEHOLDER_VARIANTS).fillna(False).to_numpy(dtype=bool)
            if ph.any():
                if col.nullable:
                    example = str(stripped[ph].iloc[0])
                    shown = ", ".join(repr(v) for v in pd.unique(stripped[ph].astype(str))[:5])
                    self._repair(col.name, f"placeholders for 'no answer' read as empty ({shown})", self._count(ph), example)
                    t = t.where(~pd.Series(ph, index=t.index), "")
                else:
                    special = ph if special is None else special | ph
                    expected[ph] = f"a value (the {col.name} column is required; a placeholder such as 'N/A' is no value)"
        if col.kind in ("id", "score", "number", "date", "datetime", "bool"):
            apostrophe = t.str.startswith("'").fillna(False).to_numpy(dtype=bool)
            if apostrophe.any():
                stripped = t.str.strip()
                self._repair(col.name, "removed Excel's leading apostrophe (a text marker)", self._count(apostrophe),
                             str(stripped[apostrophe].iloc[0]))
                t = t.where(~pd.Series(apostrophe, index=t.index), stripped.str.slice(1))
        return t, special, expected.array()

    def _convert_uniques(self, s: pd.Series, col: Column, pos: int, offset: int):
        """A category column converted through its distinct values (a few hundred units in 10M rows).

        The same checks and repairs as row by row; repair counts are weighted by how often each
        value occurs. Returns (values, bad mask, expected, special mask, special expected).
        """
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        u = pd.Series(pd.array(list(uniques) + [""], dtype=_STR))
        codes = np.where(codes < 0, len(uniques), codes)
        self._weights = np.bincount(codes, minlength=len(u))
        try:
            prepared, special_u, special_exp_u = self._precheck(u, col, pos, offset)
            values_u, mask_u, exp_u = self._convert(prepared, col)
        finally:
            self._weights = None
        cat = values_u.cat
        values = pd.Series(pd.Categorical.from_codes(cat.codes.to_numpy()[codes], categories=cat.categories),
                           index=s.index)

        def spread(mask, exp):
            if mask is None or not np.asarray(mask).any():
                return None, ""
            m = np.asarray(mask, dtype=bool)[codes]
            e = np.asarray(exp, dtype=object)[codes] if not isinstance(exp, str) else exp
            return m, e

        mask, expected = spread(mask_u, exp_u)
        special, special_expected = spread(special_u, special_exp_u)
        return values, mask, expected, special, special_expected

    def _problem_frame(self, offset, mask, column, raw, expected):
        return pd.DataFrame({"record": np.flatnonzero(mask) + offset, "column": column,
                             "value": raw.astype("string").fillna("").to_numpy()[mask],
                             "expected": expected if isinstance(expected, str) else np.asarray(expected, dtype=object)[mask]})

    def _recode(self, s: pd.Series, name: str) -> pd.Series:
        table = {str(k).strip().casefold(): v for k, v in self.tm.values[name].items()}
        stripped = s.astype(_STR).str.strip()
        folded = stripped.str.casefold()
        hit = folded.isin(list(table))
        if not hit.any():
            return s
        mapped = folded.map(lambda x: table.get(x), na_action="ignore")
        result = stripped.where(~hit, mapped.astype(str))
        self._repair(name, "recoded values using the mapping", int(hit.sum()), str(stripped[hit].iloc[0]))
        return result.astype(_STR)

    def _repair(self, column: str, what: str, rows: int, example: str = ""):
        key = (column, what)
        if key in self.repairs:
            self.repairs[key][0] += rows
        else:
            self.repairs[key] = [rows, example]

    # conversion --------------------------------------------------------------------
    def _convert(self, s: pd.Series, col: Column):
        """Return (typed values, bad mask or None, expected text or array)."""
        kind = col.kind
        if kind in ("id", "category", "text"):
            return self._convert_text(s, col)
        if kind == "score":
            return self._convert_score(s, col)
        if kind == "number":
            return self._convert_number(s, col)
        if kind in ("date", "datetime"):
            return self._convert_date(s, col)
        if kind == "bool":
            return self._convert_bool(s, col)
        raise AssertionError(kind)

    def _as_text(self, s: pd.Series) -> pd.Series:
        if isinstance(s.dtype, pd.StringDtype):
            return s
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return s.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False).astype(_STR).fillna("")
        if pd.api.types.is_float_dtype(s.dtype):
            txt = s.map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v))))
            return txt.astype(_STR)
        if isinstance(s.dtype, pd.CategoricalDtype):  # Parquet dictionary columns: convert the categories, then
            import pyarrow.compute as pc

            cats = pd.Series(s.cat.categories).astype("string").fillna("").astype(_STR)  # gather them in Arrow
            codes = s.cat.codes.to_numpy()
            taken = pc.fill_null(_arrow_strings(cats).take(pa.array(codes, mask=codes < 0)), "")
            return pd.Series(pd.arrays.ArrowStringArray(pc.cast(taken, pa.large_string())), index=s.index, name=s.name)
        return s.astype("string").fillna("").astype(_STR)

    def _convert_text(self, s: pd.Series, col: Column):
        """Ids, categories and free text: clean (reported) and check; vectorised in Arrow."""
        import pyarrow.compute as pc

        s = self._as_text(s)
        ca = _arrow_strings(s)
        if ca is None:
            ca = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.large_string())
        ca = pc.fill_null(ca, "")

        def count(mask) -> int:
            return self._count(np.asarray(mask, dtype=bool)) if len(ca) else 0

        def first(mask) -> str:
            idx = np.flatnonzero(np.asarray(mask, dtype=bool))
            return ca[int(idx[0])].as_py() if len(idx) else ""

        ca = _large_strings(ca)
        # which kinds of bytes occur, and which values can change under NFC: one pass (removing control and
        # invisible characters or trimming below never adds a byte, so the NFC candidates stay a superset)
        flags, maybe = _byte_flags(ca)
        control = pc.match_substring_regex(ca, _CONTROL.pattern) if flags & 1 else None
        if control is not None and pc.any(control).as_py():
            self._repair(col.name, "removed control characters", count(control), "")
            ca = pc.replace_substring_regex(ca, _CONTROL.pattern, "")
        if col.kind in ("id", "category"):
            invisible = pc.match_substring_regex(ca, _INVISIBLE) if flags & 2 else None
            if invisible is not None and pc.any(invisible).as_py():
                self._repair(col.name, "removed invisible characters (zero-width spaces, byte-order marks, soft hyphens, "
                                       "direction overrides)", count(invisible), first(invisible))
                ca = pc.replace_substring_regex(ca, _INVISIBLE, "")
            new = pc.utf8_trim_whitespace(ca)
            if col.kind == "category":
                new = pc.replace_substring_regex(new, _SPACE_RUN, " ")
            changed = pc.not_equal(new, ca)
            if pc.any(changed).as_py():
                self._repair(col.name, "trimmed surrounding/duplicate whitespace", count(changed), first(changed))
            ca = new
        else:
            ca = pc.utf8_trim_whitespace(ca)
        if maybe.any():  # normalise only the values that can change (a quarter of comments hold accents)
            some = ca.filter(pa.array(maybe))
            normal = pc.utf8_normalize(some, "NFC")
            changed = np.zeros(len(ca), dtype=bool)
            changed[np.flatnonzero(maybe)[np.asarray(pc.not_equal(normal, some), dtype=bool)]] = True
            if changed.any():
                if col.kind in ("id", "category"):
                    self._repair(col.name, "Unicode accents written as two characters joined into one (NFC)",
                                 count(changed), first(changed))
                ca = pc.replace_with_mask(ca, pa.array(maybe), normal)
        empty = np.asarray(pc.equal(ca, ""), dtype=bool) if len(ca) else np.zeros(0, dtype=bool)
        bad = np.zeros(len(ca), dtype=bool)
        expected = _LazyTexts(len(ca))
        if col.max_length:
            too_long = np.asarray(pc.greater(pc.utf8_length(ca), col.max_length), dtype=bool) if len(ca) else bad
            if too_long.any():
                if col.kind == "text":
                    self._repair(col.name, f"shortened text longer than {col.max_length} characters",
                                 count(too_long), first(too_long)[:40])
                    ca = pc.if_else(pa.array(too_long), pc.utf8_slice_codeunits(ca, 0, col.max_length), ca)
                else:
                    bad |= too_long
                    expected[too_long] = f"at most {col.max_length} characters (found a longer value)"
        text = pd.Series(pd.arrays.ArrowStringArray(ca), index=s.index)  # large_string throughout
        if col.kind == "text" and self.file_format == "csv":
            swallowed = self._swallowed_rows(text)
            if swallowed.any():
                bad |= swallowed
                expected[swallowed] = ("text; this value runs over several lines that look like whole rows - a quote "
                                       "that is never closed swallowed them (fix the quote in the file)")
        if not col.nullable and empty.any():
            bad |= empty
            expected[empty] = f"a value (the {col.name} column is required)"
        if col.kind == "category":
            text = self._canonical_categories(text, col.name)
            values = text.where(~pd.Series(empty, index=text.index)).astype("category")
        else:
            values = text.where(~pd.Series(empty, index=text.index)) if empty.any() else text
        return values, bad, expected.array()

    def _swallowed_rows(self, s: pd.Series) -> np.ndarray:
        """Multi-line values holding a line with exactly as many delimiters as a row (an unclosed quote)."""
        multi = s.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        k = len(self.header) - 1
        if not multi.any() or k < 2:
            return np.zeros(len(s), dtype=bool)
        d = re.escape(self.delimiter_text())
        pattern = rf"(?m)^(?:[^\n\r{d}]*{d}){{{min(k, 200)}}}[^\n\r{d}]*\r?$"
        out = np.zeros(len(s), dtype=bool)
        out[multi] = s[multi].str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        return out

    def _canonical_categories(self, s: pd.Series, name: str) -> pd.Series:
        shared = self.canonical if name == "unit" else self.cat_canonical.setdefault(name, {})
        uniques = pd.unique(s.to_numpy())
        mapping = {}
        for u in uniques:
            if u is None or u is pd.NA or u == "":
                continue
            key = _fold(u)
            canon = shared.setdefault(key, u)
            if canon != u:
                mapping[u] = canon
        if mapping:
            hit = s.isin(list(mapping))
            for u, canon in mapping.items():
                self._repair(name, f"spelling variant {u!r} unified to {canon!r}", self._count(s == u), u)
            s = s.where(~hit, s.map(mapping))
        return s

    def _score_scale(self, col: Column):
        return self.scales.get(col.scale, (0, 10))

    _LABEL = r"^([+-]?\d+)\s*(?:[-\u2013\u2014:=.)]\s*|\s+)[^\d\s].*$"

    def _convert_score(self, s: pd.Series, col: Column):
        lo, hi = self._score_scale(col)
        expected = f"a whole number from {lo} to {hi}"
        if pd.api.types.is_integer_dtype(s.dtype):  # typed input (Parquet): no parsing, no float detour
            arr = s.array
            data = np.asarray(arr._data if isinstance(arr, pd.arrays.IntegerArray) else s.to_numpy())
            missing = np.asarray(arr._mask) if isinstance(arr, pd.arrays.IntegerArray) else np.zeros(len(s), bool)
            bad = ~missing & ((data < lo) | (data > hi))
            if not col.nullable:
                bad |= missing
            values = pd.arrays.IntegerArray(np.where(bad | missing, 0, data).astype(np.int8), missing | bad)
            return pd.Series(values, index=s.index), bad, expected
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            num = pd.to_numeric(s, errors="coerce").astype("float64")
            empty = num.isna().to_numpy()
        else:
            t = self._as_text(s).fillna("").str.strip()
            empty = (t == "").to_numpy(dtype=bool)
            ok_form = t.str.fullmatch(r"[+-]?\d+(?:[.,]0+)?").fillna(False).to_numpy(dtype=bool)
            num = pd.to_numeric(t.where(ok_form, None).str.replace(",", ".", regex=False), errors="coerce").astype("float64")
            num[~ok_form] = np.nan
            rest = ~ok_form & ~empty
            if rest.any():
                # answer labels exported with their number: "10 - Extremely likely" -> 10
                label = t[rest].str.extract(self._LABEL, expand=False)
                is_label = label.notna().to_numpy()
                if is_label.any():
                    at = np.flatnonzero(rest)[is_label]
                    num.iloc[at] = pd.to_numeric(label[is_label], errors="coerce").to_numpy(dtype="float64")
                    ok_form[at] = True
                    self._repair(col.name, "answer labels read as their number (e.g. '10 - Extremely likely' -> 10)",
                                 len(at), str(t.iloc[at[0]]))
            not_whole = ~ok_form & ~empty
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

    def _convert_number(self, s: pd.Series, col: Column):
        expected = "a number" + (f" >= {col.minimum:g}" if col.minimum is not None else "")
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            empty = np.isnan(arr)
            bad = np.zeros(len(arr), dtype=bool)
            exp = _LazyTexts(len(arr), expected)
        else:
            t = self._as_text(s).fillna("").str.strip()
            empty = (t == "").to_numpy(dtype=bool)
            cleaned = t
            other_currency = None
            if cleaned.str.contains(_CURRENCY.pattern, regex=True).any():
                cleaned, other_currency, main = self._strip_currency(cleaned, col.name)
            spaced = cleaned.str.contains(r"\d" + _SPACES + r"\d{3}", regex=True)
            if spaced.any():
                self._repair(col.name, "removed thousands separators (spaces)", int(spaced.sum()), str(t[spaced].iloc[0]))
                for _ in range(3):  # "1 234 567": non-overlapping matches need a few passes
                    cleaned = cleaned.str.replace(r"(\d)" + _SPACES + r"(\d{3})", r"\1\2", regex=True)
            decimal = self.tm.decimal or self.decimal.get(col.name) or self._infer_decimal(cleaned, col.name)
            thousands = "." if decimal == "," else ","
            with_thousands = cleaned.str.fullmatch(r"[+-]?\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+(?:" + re.escape(decimal) + r"\d+)?")
            plain = cleaned.str.fullmatch(r"[+-]?\d+(?:" + re.escape(decimal) + r"\d*)?|[+-]?" + re.escape(decimal) + r"\d+")
            with_thousands = with_thousands.fillna(False).to_numpy(dtype=bool)
            ok = with_thousands | plain.fillna(False).to_numpy(dtype=bool)
            if with_thousands.any():
                self._repair(col.name, f"removed thousands separators ({thousands!r})", int(with_thousands.sum()),
                             str(t[with_thousands].iloc[0]))
            normal = cleaned.where(pd.Series(ok, index=cleaned.index), None)
            normal = normal.str.replace(thousands, "", regex=False)
            if decimal == ",":
                had = normal.str.contains(",", regex=False).fillna(False)
                if had.any():
                    self._repair(col.name, "read decimal commas", int(had.sum()), str(t[had].iloc[0]))
                normal = normal.str.replace(",", ".", regex=False)
            arr = pd.to_numeric(normal, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = ~ok & ~empty
            exp = np.where(bad, f"{expected} (decimal separator '{decimal}')", expected).astype(object)
            if bad.any():
                accounting = bad & cleaned.str.fullmatch(r"\(\s*[\d.,]+\s*\)|[\d.,]+\s*-").fillna(False).to_numpy(dtype=bool)
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
                        if self.spec.name == "revenue" else "")
                exp[below] = f"{expected} (found a negative number{hint})"
        values = pd.Series(np.where(bad, np.nan, arr), index=s.index, dtype="float64")
        return values, bad, (exp.array() if isinstance(exp, _LazyTexts) else exp)

    def _strip_currency(self, t: pd.Series, name: str):
        """Remove currency signs; amounts in another currency than the column's main one are rejected."""
        token = t.str.extract(r"(?i)(€|eur|pln|zł|zl|\$|usd|£|gbp)", expand=False)
        has = token.notna().to_numpy()
        code = token[has].astype(str).str.lower().map(_CURRENCY_CODES)
        counts = code.value_counts(sort=False)
        main = max(counts.index, key=lambda c: (counts[c], -int(np.argmax(code.to_numpy() == c))))
        other = np.zeros(len(t), dtype=bool)
        other[np.flatnonzero(has)] = (code != main).to_numpy()
        self._repair(name, f"removed currency signs ({main})", int(has.sum() - other.sum()),
                     str(t[has & ~other].iloc[0]) if (has & ~other).any() else "")
        cleaned = t.str.replace(_CURRENCY.pattern, "", regex=True).str.strip()
        return cleaned, other, main

    def _infer_decimal(self, t: pd.Series, name: str) -> str:
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
            semicolon = getattr(self, "file_delimiter", ",") == ";"
            dec = "," if semicolon else "."
            ambiguous = t.str.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}").fillna(False)
            if ambiguous.any():
                why = "the file is ';'-separated (European Excel)" if semicolon else "no value decides it"
                self._repair(name, f"values like {str(t[ambiguous].iloc[0])!r} could mean a thousand or one; read with "
                                   f"decimal {dec!r} because {why} - set decimal: in the mapping if that is wrong",
                             int(ambiguous.sum()), str(t[ambiguous].iloc[0]))
        self.decimal[name] = dec
        return dec

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

    def _convert_date(self, s: pd.Series, col: Column):
        kind_text = "a date (YYYY-MM-DD)" if col.kind == "date" else "a date-time (YYYY-MM-DD HH:MM)"
        used = self.date_formats.setdefault(col.name, {})
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            if getattr(s.dt, "tz", None) is not None:
                self._repair(col.name, f"date-times with a time zone ({s.dt.tz}) converted to UTC", int(s.notna().sum()), "")
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
                    exp[late], exp[early] = self._placeholder_dates()
                    exp = exp.array()
                    raw = np.where(bad, np.datetime64("NaT", unit), raw)
                raw = raw.astype("datetime64[ns]")
            values = pd.Series(raw, index=s.index)
            empty = values.isna().to_numpy() & ~bad
        else:
            t = self._as_text(s).fillna("").str.strip()
            empty = (t == "").to_numpy(dtype=bool)
            values = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
            done = empty.copy()
            if self.tm.date_format:
                parsed = pd.to_datetime(t.where(~pd.Series(empty, index=t.index)), format=self.tm.date_format, errors="coerce")
                values = parsed.astype("datetime64[ns]")
                done = done | True
                bad = ~empty & values.isna().to_numpy()
                exp = np.where(bad, f"{kind_text} in the mapping's date_format {self.tm.date_format!r}", kind_text)
            else:
                unparsed = np.zeros(len(t), dtype=bool)
                for label, pattern, fmt in self._DATE_FORMATS:
                    sel = (~done) & t.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
                    if not sel.any():
                        continue
                    part = t[sel]
                    if fmt == "ISO8601":
                        zoned = part.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False)
                        if zoned.any():
                            self._repair(col.name, "date-times with a time-zone offset converted to UTC",
                                         int(zoned.sum()), str(part[zoned].iloc[0]))
                        parsed = pd.to_datetime(part, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
                    else:
                        parsed = pd.to_datetime(part, format=fmt, errors="coerce")
                    values.loc[sel] = parsed.astype("datetime64[ns]").to_numpy()
                    unparsed |= sel & values.isna().to_numpy()
                    used[label] = used.get(label, 0) + int(sel.sum())
                    done |= sel
                serial = (~done) & t.str.fullmatch(r"\d{5}(?:\.\d+)?").fillna(False).to_numpy(dtype=bool)
                if serial.any():  # Excel's day count (1 = 1900-01-01; 45678 = 2025-01-21)
                    days = pd.to_numeric(t[serial], errors="coerce").to_numpy(dtype="float64")
                    parsed = (pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")).round("s")
                    values.loc[serial] = np.asarray(parsed, dtype="datetime64[ns]")
                    example = str(t[serial].iloc[0])
                    self._repair(col.name, f"Excel date serial numbers read as dates (e.g. {example} = "
                                           f"{parsed[0]:%Y-%m-%d})", int(serial.sum()), example)
                    used["Excel serial number"] = used.get("Excel serial number", 0) + int(serial.sum())
                    done |= serial
                slash = (~done) & t.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?").fillna(False).to_numpy(dtype=bool)
                if slash.any():
                    order = self._slash_order(t[slash], col.name)
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
                        used[label] = used.get(label, 0) + int(slash.sum())
                        done |= slash
                bad = (~done) | unparsed
                exp = _LazyTexts(len(t), kind_text)
                other = ~done & ~empty
                if other.any():
                    exp[other] = f"{kind_text}; for other formats set date_format in the mapping"
                    short_year = other & t.str.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}").fillna(False).to_numpy(dtype=bool)
                    exp[short_year] = (f"{kind_text}; two-digit years are ambiguous - set date_format in the mapping "
                                       "(e.g. '%d.%m.%y')")
                if unparsed.any():
                    exp[unparsed] = f"a real calendar date ({kind_text})"
                    year = pd.to_numeric(t[unparsed].str.extract(r"(\d{4})", expand=False), errors="coerce").to_numpy()
                    at = np.flatnonzero(unparsed)
                    exp[at[year > 2200]], exp[at[year < 1900]] = self._placeholder_dates()
                exp = exp.array()
                if slash.any() and self.slash_order.get(col.name) is None:
                    exp = np.where(slash, f"{kind_text}; day/month order of DD/MM vs MM/DD dates is ambiguous in this "
                                          f"column - set date_format in the mapping", exp).astype(object)
            bad = bad & ~empty
        if col.kind == "date":
            values = values.dt.normalize()
        arr = values.to_numpy()
        future_limit = np.datetime64(self.today + dt.timedelta(days=1))
        too_new = ~np.isnat(arr) & (arr >= future_limit)
        too_old = ~np.isnat(arr) & (arr < np.datetime64("1900-01-01"))
        if too_new.any() or too_old.any():
            exp = np.where(too_new, f"a date not in the future (today is {self.today.isoformat()})",
                           np.where(too_old, "a date after 1900-01-01", exp)).astype(object)
            bad = bad | too_new | too_old
        if not col.nullable and empty.any():
            bad = bad | empty
            exp = np.where(empty, f"a value (the {col.name} column is required)", exp).astype(object)
        values = values.where(~pd.Series(bad, index=values.index))
        return values, bad, exp

    def _placeholder_dates(self) -> tuple[str, str]:
        """What is expected instead of a far-future and a far-past placeholder date."""
        return (f"a date not in the future (today is {self.today.isoformat()}); a date like 9999-12-31 is a "
                "placeholder for 'no end date' - leave the cell empty, or recode it with values: in the mapping",
                "a date after 1900-01-01; a date like 0001-01-01 is a placeholder for 'unknown' - leave the cell "
                "empty, or recode it with values: in the mapping")

    def _slash_order(self, t: pd.Series, name: str):
        if name in self.slash_order:
            return self.slash_order[name]
        parts = t.str.extract(r"^(\d{1,2})/(\d{1,2})/")
        a = pd.to_numeric(parts[0], errors="coerce")
        b = pd.to_numeric(parts[1], errors="coerce")
        day_first = (a > 12).any()
        month_first = (b > 12).any()
        if day_first and month_first:
            order = None
        elif month_first:
            order = "month"
            self._repair(name, "dates like 03/25/2025 read as MM/DD/YYYY (some days > 12 in second place)", len(t), str(t.iloc[0]))
        else:
            order = "day"
            how = "some days > 12 in first place" if day_first else "no date decides it; European default"
            self._repair(name, f"dates like 25/03/2025 read as DD/MM/YYYY ({how})", len(t), str(t.iloc[0]))
        self.slash_order[name] = order
        return order

    def _convert_bool(self, s: pd.Series, col: Column):
        if pd.api.types.is_bool_dtype(s.dtype):
            return s.astype("boolean"), np.zeros(len(s), dtype=bool), ""
        t = self._as_text(s).fillna("").str.strip().str.casefold()
        is_true = t.isin(list(_TRUE)).to_numpy(dtype=bool)
        is_false = t.isin(list(_FALSE)).to_numpy(dtype=bool)
        empty = (t == "").to_numpy(dtype=bool)
        bad = ~is_true & ~is_false
        values = pd.Series(pd.array(np.where(is_true, True, False), dtype="boolean"), index=s.index)
        values[empty | bad] = pd.NA
        return values, bad, "yes/no (true/false, 1/0, taip/ne, tak/nie, jā/nē)"

    # row-level checks -------------------------------------------------------------
    def _row_checks(self, f: pd.DataFrame, bad: np.ndarray, raw: dict):
        """Checks across columns. Yields (mask, column, values[mask], expected[mask]); values as in the file."""
        name = self.spec.name

        def shown(column, mask):
            values = raw[column] if column in raw else f[column]  # constants have no raw values
            return values.astype("string").fillna("").str.strip().to_numpy()[mask]

        known = getattr(self, "known_units", None)
        if known is not None and "unit" in f.columns:
            units, units_file = known
            unknown = _not_in(f["unit"], units) & ~bad
            if unknown.any():
                yield unknown, "unit", shown("unit", unknown), f"a unit listed in {units_file}"
        if name == "responses":
            scores = [c for c in ("nps", "csat", "ces") if c in f.columns]
            if scores:
                none = f[scores].isna().all(axis=1).to_numpy() & ~bad
                yield none, scores[0], "", f"at least one score ({', '.join(scores)})"
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

    def add_structural(self, inv: _Invalid):
        self.structural.append(inv)

    # finish -----------------------------------------------------------------------
    def move_late(self, data: pd.DataFrame, late) -> pd.DataFrame:
        """Problems found only after the last record was read (record, column, value, expected): their rows
        leave ``data`` (the last chunk) for the rejected table."""
        found = {int(r): (c, v, e) for r, c, v, e in late}
        hit = data["_record"].isin(list(found)).to_numpy()
        if not hit.any():
            return data
        moved = data.loc[hit]
        recs = moved["_record"].to_numpy()
        self.problem_parts.append(pd.DataFrame({"record": recs, "column": [found[r][0] for r in recs],
                                                "value": [found[r][1] for r in recs],
                                                "expected": [found[r][2] for r in recs]}))
        raw = moved.drop(columns=["_record"]).astype("string").reset_index(drop=True)
        raw.insert(0, "_record", recs)
        self.rejected_parts.append(raw)
        return data.loc[~hit].reset_index(drop=True)

    def finish(self, parts: list[pd.DataFrame], *, reader: _Reader, records: int,
               loaded: int | None = None) -> LoadResult:
        """Assemble data, problems (with file row numbers), rejected rows and repairs.

        With ``loaded`` (a streamed read whose chunks went elsewhere) ``data`` is an empty frame
        and ``loaded`` rows count as loaded.
        """
        def rows_of(rec):
            return reader.row_numbers(np.asarray(rec, dtype=np.int64), records)

        data = _concat_keep_categories(parts) if parts else self._empty_frame()
        problems = pd.concat(self.problem_parts, ignore_index=True) if self.problem_parts else \
            pd.DataFrame({"record": pd.Series([], dtype=np.int64), "column": [], "value": [], "expected": []})
        problems.insert(0, "row", rows_of(problems["record"].to_numpy()) if len(problems) else pd.Series([], dtype=np.int64))
        if len(problems):
            is_dup = problems["expected"].astype(str).str.contains("first seen at record", regex=False)
            if is_dup.any():
                first = problems.loc[is_dup, "expected"].str.extract(r"first seen at record (\d+)")[0].astype(np.int64)
                first_rows = rows_of(first.to_numpy())
                problems.loc[is_dup, "expected"] = [f"a unique {self.spec.id_column} (first seen at row {r})"
                                                    for r in first_rows]
        problems.insert(0, "file", self.file)
        if self.rejected_parts:
            rejected = pd.concat(self.rejected_parts, ignore_index=True)
            reasons = (problems.assign(text=[f"column '{c}': value {_q(v)} - expected {e}" for c, v, e in
                                             zip(problems["column"], problems["value"], problems["expected"])])
                       .groupby("record")["text"].agg("; ".join))
            rejected.insert(0, "reason", rejected["_record"].map(reasons))
            rejected.insert(0, "row", rows_of(rejected["_record"].to_numpy()))
        else:
            rejected = pd.DataFrame({"row": pd.Series([], dtype=np.int64), "reason": pd.Series([], dtype=object),
                                     "_record": pd.Series([], dtype=np.int64)})
        rejected.insert(0, "file", self.file)
        if self.structural:
            lines = reader.invalid_lines() or [inv.line for inv in self.structural]
            extra_p, extra_r = [], []
            for inv, line in zip(self.structural, lines):
                fewer = inv.actual < inv.expected
                exp = (f"{inv.expected} fields like the header, found {inv.actual} ("
                       + ("truncated line or a missing quote?" if fewer else "an unquoted delimiter inside a value?") + ")")
                extra_p.append({"file": self.file, "row": line, "record": -1, "column": "(whole row)",
                                "value": inv.text[:200], "expected": exp})
                extra_r.append({"file": self.file, "row": line, "reason": f"value {_q(inv.text)} - expected {exp}",
                                "_record": -1})
            problems = pd.concat([problems, pd.DataFrame(extra_p)], ignore_index=True)
            rejected = pd.concat([rejected, pd.DataFrame(extra_r)], ignore_index=True)
        problems = problems.sort_values("row", kind="stable", ignore_index=True)[_PROBLEM_COLUMNS]
        if not rejected["row"].is_monotonic_increasing:
            rejected = rejected.sort_values("row", kind="stable", ignore_index=True)
        del rejected["_record"]
        rows = rows_of(data["_record"].to_numpy()) if len(data) else np.array([], dtype=np.int64)
        data["_record"] = rows  # the last column; relabelled in place (dropping a column copies wide frames)
        data.columns = [c if c != "_record" else "_row" for c in data.columns]
        data, rejected = self._drop_empty_unnamed(data, rejected)
        for name, used in self.date_formats.items():
            if len(used) > 1:
                self._repair(name, "mixed date formats read: " + ", ".join(f"{k} ({v})" for k, v in used.items()),
                             int(sum(used.values())), "")
        repairs = [{"file": self.file, "column": c, "repair": what, "rows": n, "example": ex}
                   for c, what, n, ex in getattr(reader, "repairs", [])]
        repairs += [{"file": self.file, "column": c, "repair": what, "rows": v[0], "example": v[1]}
                    for (c, what), v in self.repairs.items()]
        repairs = pd.DataFrame(repairs, columns=_REPAIR_COLUMNS)
        rows_in = records + len(self.structural)
        n_loaded = len(data) if loaded is None else loaded
        if rows_in != n_loaded + len(rejected):  # the invariant every load keeps
            raise CxkitError(f"{self.file}: internal error: {rows_in} rows in but {n_loaded} loaded + "
                             f"{len(rejected)} rejected; please report this file")
        source = {k: v for k, v in reader.info.items() if k in ("format", "encoding", "delimiter", "sheet")}
        return LoadResult(table=self.spec.name, file=self.file, data=data, rejected=rejected, problems=problems,
                          repairs=repairs, rows_in=rows_in, source=source, scales=dict(self.scales), n_loaded=loaded)

    def _empty_frame(self):
        cols = {}
        for name in list(self.positions) + list(self.tm.constants):
            col = self.spec.column(name)
            dtype = {"score": "Int8", "number": "float64", "date": "datetime64[ns]", "datetime": "datetime64[ns]",
                     "bool": "boolean", "category": "category"}.get(col.kind, _STR)
            cols[name] = pd.Series([], dtype=dtype)
        for i in self.extra_positions:
            cols[self.extra_names[i]] = pd.Series([], dtype=_STR)
        cols["_record"] = pd.Series([], dtype=np.int64)
        return pd.DataFrame(cols)

    def _drop_empty_unnamed(self, data: pd.DataFrame, rejected: pd.DataFrame):
        """Columns with neither a header nor any value (Excel's trailing separators) are dropped, reported."""
        empty = []
        for i in sorted(self.unnamed):
            name = self.extra_names.get(i)
            if name is None or name not in data.columns:
                continue
            if all(not frame[name].astype("string").fillna("").str.strip().ne("").any()
                   for frame in (data, rejected) if name in frame.columns):
                empty.append(name)
        if empty:
            data = data.drop(columns=empty)
            rejected = rejected.drop(columns=[c for c in empty if c in rejected.columns])
            self._repair("(header)", f"dropped {len(empty)} empty column(s) without a header (trailing separators)",
                         0, ", ".join(empty[:5]))
        named = [self.extra_names[i] for i in sorted(self.unnamed) if self.extra_names.get(i) not in empty]
        if named:
            self._repair("(header)", f"named {len(named)} column(s) that have values but no header: "
                                     f"{', '.join(named[:5])}", 0, "")
        return data, rejected


def _concat_keep_categories(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunks column by column, freeing each chunk's column once copied.

    Categorical columns get one shared set of categories. Going column by column keeps the peak
    memory near one copy of the table (10M-row loads), instead of chunks plus the result.
    """
    if len(parts) == 1:
        out = parts[0]
    else:
        columns = list(parts[0].columns)
        data = {}
        for c in columns:
            pieces = [p[c] for p in parts]
            if isinstance(pieces[0].dtype, pd.CategoricalDtype):
                cats = pd.api.types.union_categoricals(pieces).categories
                pieces = [x.cat.set_categories(cats) for x in pieces]
            data[c] = pd.concat(pieces, ignore_index=True)
            for p in parts:
                del p[c]  # this chunk's copy of the column can go now
            del pieces
        parts.clear()
        out = pd.DataFrame(data, copy=False)
    for c, dtype in out.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            codes = out[c].cat.codes.to_numpy()
            used = np.bincount(codes[codes >= 0], minlength=len(dtype.categories)) > 0  # O(n), not a sort
            if not used.all():
                out[c] = out[c].cat.remove_categories(dtype.categories[~used])
    return out


def _not_in(values: pd.Series, allowed: set) -> np.ndarray:
    """True where a value is present and not in ``allowed``; a categorical is checked by its categories."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        bad_category = np.append(~values.cat.categories.astype(str).isin(allowed), False)  # code -1 (missing): fine
        return bad_category[codes]
    return (values.notna() & ~values.astype(str).isin(allowed)).to_numpy(dtype=bool)


def _q(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
        return "(empty)"
    text = str(v)
    return repr(text if len(text) <= 60 else text[:57] + "...")
