"""Reading and validating CX tables: CSV (any delimiter, decimal commas,
UTF-8/UTF-16/cp1257/cp1250), Excel ``.xlsx`` and Parquet.

Every problem is reported with file, row (as numbered in the file), column,
value and what was expected. In strict mode (``errors="raise"``, the default)
one :class:`~cxkit.errors.DataValidationError` lists them; with
``errors="quarantine"`` the clean rows load and the others go to a
rejected-rows table with the reason. Rows in = rows loaded + rows rejected,
always. Repairs cxkit makes (trimmed whitespace, unit spelling variants,
decimal commas, NUL bytes, truncated long comments) are listed in ``repairs``.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io as _io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ._printer import Result
from .errors import CxkitError, DataValidationError, FileReadError, ConfigError
from .schema import TABLES, Column, Mapping, TableMapping, TableSpec, normalise_header, read_mapping, table_spec

__all__ = ["read_table", "load", "LoadResult", "Dataset", "TABLE_ORDER"]

#: Order in which :func:`load` reads tables (units first: its spelling of unit names wins).
TABLE_ORDER = ("units", "responses", "tickets", "customers", "revenue")
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq")
BLOCK_SIZE = 32 << 20
_STR = pd.StringDtype("pyarrow")
_PROBLEM_COLUMNS = ["file", "row", "column", "value", "expected"]
_REPAIR_COLUMNS = ["file", "column", "repair", "rows", "example"]
_TRUE = {"true", "yes", "y", "1", "t", "taip", "tak", "jā", "ja", "x"}
_FALSE = {"false", "no", "n", "0", "f", "ne", "nie", "nē", ""}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CURRENCY = re.compile(r"(?i)(?:€|eur|pln|zł|zl|\$|usd|£|gbp)")
_SPACES = "[\\s\u00a0\u202f']"  # spaces used as thousands separators (incl. no-break spaces)


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

    title = "Loaded table"

    @property
    def rows_loaded(self) -> int:
        return len(self.data)

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

    title = "Data loaded"

    def __getattr__(self, name):  # responses, tickets, ...
        if name in TABLES:
            lr = self.__dict__.get("tables", {}).get(name)
            return None if lr is None else lr.data
        raise AttributeError(name)

    @property
    def log(self) -> pd.DataFrame:
        frames = [lr.summary for lr in self.tables.values()]
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
        ``"quarantine"`` loads clean rows and returns the rest in ``rejected``.
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
    root = Path(path)
    if not root.exists():
        raise FileReadError(str(root), "folder not found")
    if root.is_file():
        raise FileReadError(str(root), "expected a folder with responses/tickets/customers/revenue/units files; "
                                       "use cxkit.read_table() for a single file")
    if mapping is None and (root / "mapping.yml").exists():
        mapping = root / "mapping.yml"
    m = read_mapping(mapping)
    _check_errors_arg(errors)
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
    results: dict[str, LoadResult] = {}
    canonical: dict[str, str] = {}
    collected: list[pd.DataFrame] = []
    for name in TABLE_ORDER:
        if name not in found:
            continue
        lr = read_table(found[name], name, mapping=m, errors="quarantine", today=today, _canonical_units=canonical)
        if name == "units" and len(lr.data):
            for u in lr.data["unit"].astype(str):
                canonical.setdefault(_fold(u), u)
        results[name] = lr
        collected.append(lr.problems)
    if "units" in results and len(results["units"].data):
        known = set(results["units"].data["unit"].astype(str))
        for name in ("responses", "tickets", "customers"):
            if name in results and "unit" in results[name].data.columns:
                results[name] = _reject_where(results[name], ~results[name].data["unit"].astype(str).isin(known)
                                              & results[name].data["unit"].notna(),
                                              "unit", f"a unit listed in {found['units'].name}")
    problems = pd.concat([r.problems for r in results.values()], ignore_index=True) if results else pd.DataFrame()
    if errors == "raise" and len(problems):
        raise DataValidationError(problems)
    return Dataset(tables=results, scales=dict(m.scales), root=str(root), mapping=m)


def read_table(path: str | Path, table: str, *, mapping: str | Path | Mapping | dict | None = None,
               errors: str = "raise", sheet: str | None = None, encoding: str | None = None,
               delimiter: str | None = None, today: dt.date | None = None,
               _canonical_units: dict | None = None) -> LoadResult:
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
    spec = table_spec(table)
    m = read_mapping(mapping)
    tm = m.table(table)
    tm = TableMapping(**{**tm.__dict__, **{k: v for k, v in
                                          dict(sheet=sheet, encoding=encoding, delimiter=delimiter).items() if v}})
    path = Path(path)
    reader = _open_source(path, tm)
    validator = _Validator(spec, tm, m.scales, file=path.name, today=today or dt.date.today(),
                           canonical=_canonical_units if _canonical_units is not None else {})
    validator.file_delimiter = reader.info.get("delimiter", ",")
    validator.set_header(reader.header)
    clean_parts, offset = [], 0
    for chunk in reader.chunks():
        clean_parts.append(validator.validate(chunk, offset))
        offset += len(chunk)
    for bad in reader.invalid_rows:
        validator.add_structural(bad)
    result = validator.finish(clean_parts, reader=reader, records=offset)
    if errors == "raise" and len(result.problems):
        raise DataValidationError(result.problems)
    return result


def _check_errors_arg(errors: str) -> None:
    if errors not in ("raise", "quarantine"):
        raise ConfigError(f"errors={errors!r} - expected 'raise' or 'quarantine'")


def _reject_where(lr: LoadResult, mask: pd.Series, column: str, expected: str) -> LoadResult:
    """Move rows of an already loaded table to the rejected table (dataset-level checks)."""
    mask = mask.fillna(False).to_numpy(dtype=bool)
    if not mask.any():
        return lr
    bad = lr.data.loc[mask]
    rows = bad["_row"].to_numpy() if "_row" in bad.columns else np.full(len(bad), np.nan)
    probs = pd.DataFrame({"file": lr.file, "row": rows, "column": column,
                          "value": bad[column].astype(str).to_numpy(), "expected": expected})
    reasons = [f"column '{column}': value {v!r} - expected {expected}" for v in probs["value"]]
    raw = bad.drop(columns=[c for c in ("_row",) if c in bad.columns]).astype("string").reset_index(drop=True)
    rej = pd.concat([pd.DataFrame({"file": lr.file, "row": rows, "reason": reasons}), raw], axis=1)
    data = lr.data.loc[~mask].reset_index(drop=True)
    return LoadResult(table=lr.table, file=lr.file, data=data,
                      rejected=pd.concat([lr.rejected, rej], ignore_index=True).sort_values("row", kind="stable", ignore_index=True),
                      problems=pd.concat([lr.problems, probs], ignore_index=True).sort_values("row", kind="stable", ignore_index=True),
                      repairs=lr.repairs, rows_in=lr.rows_in, source=lr.source, scales=lr.scales)


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


def _open_source(path: Path, tm: TableMapping) -> _Reader:
    if not path.exists():
        raise FileReadError(str(path), "file not found")
    if path.is_dir():
        raise FileReadError(str(path), "is a folder, expected a file")
    size = path.stat().st_size
    if size == 0:
        raise FileReadError(str(path), "the file is empty (0 bytes); expected a header row and data rows")
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if suffix in (".xlsx", ".xlsm") or magic[:4] == b"PK\x03\x04" and suffix not in (".csv", ".txt", ".tsv"):
        return _ExcelReader(path, tm)
    if magic[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileReadError(str(path), "this is a password-protected (encrypted) workbook or an old .xls file; "
                                       "remove the password / save it as .xlsx or CSV (UTF-8) and try again")
    if suffix in (".parquet", ".pq") or magic[:4] == b"PAR1":
        return _ParquetReader(path, tm)
    if suffix == ".xls":
        raise FileReadError(str(path), "old .xls workbooks are not supported; save it as .xlsx or CSV (UTF-8)")
    return _CsvReader(path, tm)


def _clean_header(values) -> list[str]:
    out = []
    for i, v in enumerate(values):
        text = "" if v is None else unicodedata.normalize("NFC", str(v)).replace("\ufeff", "")
        text = _CONTROL.sub("", text).strip()
        out.append(text or f"column_{i + 1}")
    return out


class _CsvReader(_Reader):
    """CSV via pyarrow's streaming reader, with encoding and delimiter detection."""

    def __init__(self, path: Path, tm: TableMapping):
        self.path, self.tm = path, tm
        self.invalid_rows: list[_Invalid] = []
        self.repairs: list[tuple[str, str, int, str]] = []
        self.info: dict[str, Any] = {"format": "csv"}
        self._text: str | None = None  # decoded text, only when the file had to be repaired/decoded in memory
        self._lines_cache: np.ndarray | None = None
        head = path.open("rb").read(1 << 16)
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
                raise FileReadError(str(path), f"cannot be decoded as {encoding} at byte {exc.start}") from None
            self.info["encoding"] = encoding
        else:
            nul, valid_utf8, newlines, last = self._scan(path)
            self.info["newlines"] = newlines
            self.info["ends_with_newline"] = last == b"\n"
            if nul or (not valid_utf8 and not encoding) or (encoding and encoding.lower() not in ("utf-8", "utf8", "utf-8-sig")):
                source_bytes = path.read_bytes()
            if source_bytes is not None:
                if nul:
                    count = source_bytes.count(b"\x00")
                    source_bytes = source_bytes.replace(b"\x00", b"")
                    self.repairs.append(("(file)", "removed NUL bytes (file damaged or mis-exported)", count, ""))
                if encoding:
                    try:
                        self._text = source_bytes.decode(encoding)
                    except (UnicodeDecodeError, LookupError) as exc:
                        raise FileReadError(str(path), f"cannot be decoded as {encoding} ({exc})") from None
                    self.info["encoding"] = encoding
                else:
                    self._text, self.info["encoding"] = _decode_guess(source_bytes)
                    if self.info["encoding"] not in ("utf-8", "utf-8-sig"):
                        self.repairs.append(("(file)", f"text is not UTF-8; decoded as {self.info['encoding']}", 0, ""))
            else:
                self.info["encoding"] = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        sample = self._text[:1 << 16] if self._text is not None else head.decode("utf-8", errors="ignore")
        sample = sample.lstrip("\ufeff")
        if not sample.strip():
            raise FileReadError(str(path), "the file has no header row (only blank lines)")
        self.delimiter = tm.delimiter or _sniff_delimiter(sample)
        self.info["delimiter"] = self.delimiter
        header_line = next(csv.reader(_io.StringIO(sample), delimiter=self.delimiter), [])
        # pyarrow also skips leading blank lines; remember how many lines precede the header
        self.header_lines = len(sample[: len(sample) - len(sample.lstrip("\r\n"))].splitlines()) + 1
        self.header = _clean_header(header_line)

    @staticmethod
    def _scan(path: Path):
        dec = codecs.getincrementaldecoder("utf-8")()
        nul = False
        valid = True
        newlines = 0
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
        return nul, valid, newlines, last

    def chunks(self) -> Iterator[pd.DataFrame]:
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
                    frame = batch.to_pandas(types_mapper=_string_mapper)
                    frame.columns = self.header
                    yield frame
        except pa.ArrowInvalid as exc:
            raise FileReadError(str(self.path), f"not a readable CSV file ({_arrow_message(exc)})") from None
        finally:
            src.close()

    def _physical_text(self) -> str:
        if self._text is not None:
            return self._text.lstrip("\ufeff")
        return self.path.read_bytes().decode(self.info.get("encoding") or "utf-8", errors="replace").lstrip("\ufeff")

    def _record_lines(self) -> np.ndarray:
        """Line number (1-based, as in a text editor) where each data record starts."""
        if self._lines_cache is None:
            text = self._physical_text()
            reader = csv.reader(_io.StringIO(text, newline=""), delimiter=self.delimiter)
            starts, valid = [], []
            prev_end = 0
            expected = len(self.header)
            for rec in reader:
                start = prev_end + 1
                prev_end = reader.line_num
                if start <= self.header_lines:
                    continue  # leading blank lines and the header record
                if not rec or (len(rec) == 1 and rec[0] == "" and expected > 1):
                    continue  # blank line, skipped like pyarrow
                starts.append(start)
                valid.append(len(rec) == expected)
            self._lines_cache = np.array(starts, dtype=np.int64)
            self._valid_cache = np.array(valid, dtype=bool)
        return self._lines_cache

    def row_numbers(self, records: np.ndarray, n_records: int) -> np.ndarray:
        records = np.asarray(records, dtype=np.int64)
        simple = (not self.invalid_rows and self._text is None and self.info.get("newlines") is not None)
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


def _arrow_message(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


def _string_mapper(t):
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _STR
    return None


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for d in (",", ";", "\t", "|"):
        try:
            rows = list(csv.reader(_io.StringIO("\n".join(lines[:20])), delimiter=d))
        except csv.Error:
            continue
        counts = [len(r) for r in rows if r]
        if not counts or counts[0] < 2:
            continue
        header = counts[0]
        consistent = sum(1 for c in counts if c == header) / len(counts)
        score = header * consistent
        if score > best_score:
            best, best_score = d, score
    return best


def _decode_guess(raw: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8: pick cp1257 (Baltic) or cp1250 (Central European).

    The two code pages differ in where they put the letters of Lithuanian and
    Latvian versus Polish; the one that yields more letters of these languages
    (and fewer symbols) wins.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    baltic = set("ąčęėįšųūžĄČĘĖĮŠŲŪŽāēģīķļņōŗĀĒĢĪĶĻŅŌŖ")
    polish = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
    best = None
    for enc, letters in (("cp1257", baltic | polish), ("cp1250", polish | baltic)):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        high = [ch for ch in text if ord(ch) > 127]
        good = sum(1 for ch in high if ch in letters)
        score = good - (len(high) - good)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is None:
        text = raw.decode("latin-1")
        return text, "latin-1"
    return best[1], best[2]


class _ExcelReader(_Reader):
    def __init__(self, path: Path, tm: TableMapping):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.path = path
        self.invalid_rows = []
        self.repairs = []
        self.info = {"format": "xlsx"}
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
            raise FileReadError(str(path), "not a readable .xlsx workbook (corrupt, password-protected or not Excel); "
                                           f"re-save it from Excel as .xlsx or CSV UTF-8 ({type(exc).__name__})") from None
        sheets = wb.sheetnames
        sheet = tm.sheet
        if sheet is None:
            ws = wb[sheets[0]]
            if len(sheets) > 1:
                self.repairs.append(("(file)", f"workbook has {len(sheets)} sheets; read the first, {sheets[0]!r} "
                                               f"(name one with sheet=)", 0, ""))
        elif sheet not in sheets:
            raise FileReadError(str(path), f"sheet {sheet!r} not found; the workbook has: {', '.join(map(repr, sheets))}")
        else:
            ws = wb[sheet]
        self.info["sheet"] = ws.title
        rows = []
        numbers = []
        header = None
        header_row = None
        try:
            for r_idx, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if header is None:
                    if row is None or all(v is None or str(v).strip() == "" for v in row):
                        continue
                    header = _clean_header(row)
                    header_row = r_idx
                    continue
                if row is None or all(v is None or (isinstance(v, str) and v.strip() == "") for v in row):
                    continue
                rows.append([_cell_text(v) for v in row[: len(header)]] + [""] * max(0, len(header) - len(row)))
                numbers.append(r_idx)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
            raise FileReadError(str(path), f"workbook is damaged and could not be read to the end ({type(exc).__name__})") from None
        finally:
            wb.close()
        if header is None:
            raise FileReadError(str(path), f"sheet {ws.title!r} is empty; expected a header row and data rows")
        self.header = header
        self.header_row = header_row
        self._numbers = np.array(numbers, dtype=np.int64)
        self._frame = pd.DataFrame(rows, columns=range(len(header)), dtype=_STR) if rows else \
            pd.DataFrame({i: pd.Series([], dtype=_STR) for i in range(len(header))})
        self._frame.columns = header

    def chunks(self):
        yield self._frame

    def row_numbers(self, records, n_records):
        return self._numbers[np.asarray(records, dtype=np.int64)]

    def invalid_lines(self):
        return []


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
            self._pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileReadError(str(path), f"not a readable Parquet file ({_arrow_message(exc)})") from None
        self.header = _clean_header(self._pf.schema_arrow.names)

    def chunks(self):
        try:
            for batch in self._pf.iter_batches(batch_size=1_000_000):
                frame = batch.to_pandas(types_mapper=_string_mapper)
                frame.columns = self.header
                yield frame
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileReadError(str(self.path), f"Parquet file is damaged ({_arrow_message(exc)})") from None

    def row_numbers(self, records, n_records):
        return np.asarray(records, dtype=np.int64) + 1

    def invalid_lines(self):
        return []


# --------------------------------------------------------------------------------------
# validation


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
        self.seen_ids: dict[str, pd.Series] = {}
        self.structural: list[_Invalid] = []
        self.decimal: dict[str, str] = {}
        self.slash_order: dict[str, str] = {}

    # header ----------------------------------------------------------------------
    def set_header(self, header: list[str]):
        spec, tm = self.spec, self.tm
        mapped: dict[int, str] = {}
        explicit = {normalise_header(k): v for k, v in tm.columns.items()}
        contract = {normalise_header(c.name): c.name for c in spec.columns}
        problems = []
        for i, h in enumerate(header):
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
        self.duplicate_ignored = []
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
        for c in spec.columns:
            if c.required and c.name not in present:
                near = difflib.get_close_matches(normalise_header(c.name), [normalise_header(h) for h in header], n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]!r}? map it in the mapping file" if near else \
                    "; map your export's header to it in a mapping file"
                problems.append(dict(column=c.name, value="(missing)",
                                     expected=f"a column named {c.name!r} (found: {', '.join(header[:15])}){hint}"))
        if problems:
            frame = pd.DataFrame(problems)
            frame.insert(0, "row", self._header_row_number())
            frame.insert(0, "file", self.file)
            raise DataValidationError(frame[_PROBLEM_COLUMNS], hint="The file's columns do not match the "
                                      f"{spec.name} table; see data/README.md for the expected columns.")
        self.header = header
        self.positions = {name: idx[0] for name, idx in targets.items()}
        self.extra_positions = [i for i in range(len(header)) if i not in mapped and header[i] not in targets]
        self.column_labels = {name: header[i] for name, i in self.positions.items()}

    def _header_row_number(self):
        return 1

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
            values, mask, expected = self._convert(s, col)
            out[name] = values
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
        for i in self.extra_positions:
            frame[self.header[i]] = chunk.iloc[:, i]
        for mask, column, values, expected in self._row_checks(frame, bad):
            if mask.any():
                bad |= mask
                problems.append(pd.DataFrame({"record": np.flatnonzero(mask) + offset, "column": column,
                                              "value": values, "expected": expected}))
        dup_mask, dup_expected = self._duplicates(frame, offset, bad)
        if dup_mask is not None and dup_mask.any():
            bad |= dup_mask
            idc = self.spec.id_column
            problems.append(pd.DataFrame({"record": np.flatnonzero(dup_mask) + offset, "column": idc,
                                          "value": frame[idc].astype(str).to_numpy()[dup_mask],
                                          "expected": dup_expected}))
        if problems:
            self.problem_parts.extend(problems)
            rej = pd.DataFrame({k: v.astype("string").to_numpy()[bad] for k, v in raw_for_reject.items()})
            rej.insert(0, "_record", np.flatnonzero(bad) + offset)
            self.rejected_parts.append(rej)
            clean = frame.loc[~bad].copy()
        else:
            clean = frame
        clean["_record"] = np.arange(offset, offset + n)[~bad] if problems else np.arange(offset, offset + n)
        return clean.reset_index(drop=True)

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
        self._repair(name, f"recoded values using the mapping", int(hit.sum()), str(stripped[hit].iloc[0]))
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
        return s.astype("string").fillna("").astype(_STR)

    def _convert_text(self, s: pd.Series, col: Column):
        s = self._as_text(s).fillna("")
        if s.str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", regex=True).any():
            has = s.str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", regex=True)
            self._repair(col.name, "removed control characters", int(has.sum()), "")
            s = s.str.replace(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", regex=True)
        stripped = s.str.strip()
        if col.kind in ("id", "category"):
            collapsed = stripped.str.replace(r"\s+", " ", regex=True) if col.kind == "category" else stripped
            changed = collapsed != s
            if changed.any():
                self._repair(col.name, "trimmed surrounding/duplicate whitespace", int(changed.sum()), str(s[changed].iloc[0]))
            s = collapsed
        else:
            s = stripped
        if s.str.contains(r"[^\x00-\x7f]", regex=True).any():
            normal = s.map(lambda x: unicodedata.normalize("NFC", x), na_action="ignore").astype(_STR)
            s = normal
        empty = (s == "").to_numpy(dtype=bool)
        bad = np.zeros(len(s), dtype=bool)
        expected = None
        if col.max_length and col.kind != "text":
            too_long = (s.str.len() > col.max_length).to_numpy(dtype=bool)
            if too_long.any():
                bad |= too_long
                expected = f"at most {col.max_length} characters"
        if col.kind == "text" and col.max_length:
            too_long = (s.str.len() > col.max_length).to_numpy(dtype=bool)
            if too_long.any():
                self._repair(col.name, f"shortened text longer than {col.max_length} characters", int(too_long.sum()),
                             str(s[too_long].iloc[0])[:40])
                s = s.where(~too_long, s.str.slice(0, col.max_length))
        if not col.nullable and empty.any():
            bad |= empty
            expected = np.where(empty, f"a value (the {col.name} column is required)", expected or "")
        if col.kind == "category":
            s = self._canonical_categories(s, col.name)
            values = s.where(~pd.Series(empty, index=s.index)).astype("category")
        else:
            values = s.where(~pd.Series(empty, index=s.index))
        return values, bad, expected if expected is not None else ""

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
                self._repair(name, f"spelling variant {u!r} unified to {canon!r}", int((s == u).sum()), u)
            s = s.where(~hit, s.map(mapping))
        return s

    def _score_scale(self, col: Column):
        return self.scales.get(col.scale, (0, 10))

    def _convert_score(self, s: pd.Series, col: Column):
        lo, hi = self._score_scale(col)
        expected = f"a whole number from {lo} to {hi}"
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            num = pd.to_numeric(s, errors="coerce").astype("float64")
            empty = num.isna().to_numpy()
        else:
            t = self._as_text(s).fillna("").str.strip()
            empty = (t == "").to_numpy(dtype=bool)
            ok_form = t.str.fullmatch(r"[+-]?\d+(?:[.,]0+)?").fillna(False).to_numpy(dtype=bool)
            num = pd.to_numeric(t.where(ok_form, None).str.replace(",", ".", regex=False), errors="coerce").astype("float64")
            num[~ok_form] = np.nan
            not_whole = ~ok_form & ~empty
            if not_whole.any():
                fractional = t.str.fullmatch(r"[+-]?\d+[.,]\d+").fillna(False).to_numpy(dtype=bool)
                exp = np.where(fractional, f"{expected} (no fractions)", f"{expected}, not text")
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
        values = pd.Series(np.where(bad, np.nan, arr), index=s.index).round().astype("Int8")
        return values, bad, expected

    def _convert_number(self, s: pd.Series, col: Column):
        expected = "a number" + (f" >= {col.minimum:g}" if col.minimum is not None else "")
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = np.zeros(len(arr), dtype=bool)
            exp = expected
        else:
            t = self._as_text(s).fillna("").str.strip()
            empty = (t == "").to_numpy(dtype=bool)
            cleaned = t
            if cleaned.str.contains(_CURRENCY.pattern, regex=True).any():
                has = cleaned.str.contains(_CURRENCY.pattern, regex=True)
                self._repair(col.name, "removed currency symbols", int(has.sum()), str(t[has].iloc[0]))
                cleaned = cleaned.str.replace(_CURRENCY.pattern, "", regex=True).str.strip()
            spaced = cleaned.str.contains(r"\d" + _SPACES + r"\d{3}", regex=True)
            if spaced.any():
                self._repair(col.name, "removed thousands separators (spaces)", int(spaced.sum()), str(t[spaced].iloc[0]))
                for _ in range(3):  # "1 234 567": non-overlapping matches need a few passes
                    cleaned = cleaned.str.replace(r"(\d)" + _SPACES + r"(\d{3})", r"\1\2", regex=True)
            decimal = self.tm.decimal or self.decimal.get(col.name) or self._infer_decimal(cleaned, col.name)
            thousands = "." if decimal == "," else ","
            with_thousands = cleaned.str.fullmatch(r"[+-]?\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+(?:" + re.escape(decimal) + r"\d+)?")
            plain = cleaned.str.fullmatch(r"[+-]?\d+(?:" + re.escape(decimal) + r"\d*)?|[+-]?" + re.escape(decimal) + r"\d+")
            ok = (with_thousands.fillna(False) | plain.fillna(False)).to_numpy(dtype=bool)
            normal = cleaned.where(pd.Series(ok, index=cleaned.index), None)
            normal = normal.str.replace(thousands, "", regex=False)
            if decimal == ",":
                had = normal.str.contains(",", regex=False).fillna(False)
                if had.any():
                    self._repair(col.name, "read decimal commas", int(had.sum()), str(t[had].iloc[0]))
                normal = normal.str.replace(",", ".", regex=False)
            arr = pd.to_numeric(normal, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = ~ok & ~empty
            exp = np.where(bad, f"{expected} (decimal separator '{decimal}')", expected)
            if not col.nullable:
                bad = bad | empty
                exp = np.where(empty, f"a value (the {col.name} column is required)", exp)
        if col.minimum is not None:
            below = ~np.isnan(arr) & (arr < col.minimum)
            bad = bad | below
        if isinstance(exp, str):
            exp_out = exp
        else:
            exp_out = exp
        values = pd.Series(np.where(bad, np.nan, arr), index=s.index, dtype="float64")
        return values, bad, exp_out

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
            dec = "," if getattr(self, "file_delimiter", ",") == ";" else "."
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
    )

    def _convert_date(self, s: pd.Series, col: Column):
        kind_text = "a date (YYYY-MM-DD)" if col.kind == "date" else "a date-time (YYYY-MM-DD HH:MM)"
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            values = s.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
            values = values.astype("datetime64[ns]")
            empty = values.isna().to_numpy()
            bad = np.zeros(len(s), dtype=bool)
            exp = np.full(len(s), kind_text, dtype=object)
        else:
            t = self._as_text(s).fillna("").str.strip()
            empty = (t == "").to_numpy(dtype=bool)
            values = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
            done = empty.copy()
            used = {}
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
                        parsed = pd.to_datetime(part, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
                    else:
                        parsed = pd.to_datetime(part, format=fmt, errors="coerce")
                    values.loc[sel] = parsed.astype("datetime64[ns]").to_numpy()
                    unparsed |= sel & values.isna().to_numpy()
                    used[label] = int(sel.sum())
                    done |= sel
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
                        used["DD/MM/YYYY" if order == "day" else "MM/DD/YYYY"] = int(slash.sum())
                        done |= slash
                if len(used) > 1:
                    self._repair(col.name, "mixed date formats read: " + ", ".join(f"{k} ({v})" for k, v in used.items()),
                                 int(sum(used.values())), "")
                bad = (~done) | unparsed
                exp = np.where(unparsed, f"a real calendar date ({kind_text})", kind_text)
                if slash.any() and self.slash_order.get(col.name) is None:
                    exp = np.where(slash, f"{kind_text}; day/month order of DD/MM vs MM/DD dates is ambiguous in this "
                                          f"column - set date_format in the mapping", exp)
            bad = bad & ~empty
        if col.kind == "date":
            values = values.dt.normalize()
        arr = values.to_numpy()
        future_limit = np.datetime64(self.today + dt.timedelta(days=1))
        too_new = ~np.isnat(arr) & (arr >= future_limit)
        too_old = ~np.isnat(arr) & (arr < np.datetime64("1900-01-01"))
        if too_new.any() or too_old.any():
            exp = np.where(too_new, f"a date not in the future (today is {self.today.isoformat()})",
                           np.where(too_old, "a date after 1900-01-01", exp))
            bad = bad | too_new | too_old
        if not col.nullable and empty.any():
            bad = bad | empty
            exp = np.where(empty, f"a value (the {col.name} column is required)", exp)
        values = values.where(~pd.Series(bad, index=values.index))
        return values, bad, exp

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
    def _row_checks(self, f: pd.DataFrame, bad: np.ndarray):
        """Checks across columns. Yields (mask, column, values[mask], expected[mask])."""
        name = self.spec.name
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
                        yield (early, c, f[c][early].astype(str).to_numpy(),
                               [f"not before created_at ({x})" for x in f["created_at"][early].astype(str)])
        if name == "customers":
            if "churned_at" in f.columns and "acquired_at" in f.columns:
                early = (f["churned_at"] < f["acquired_at"]).to_numpy(dtype=bool, na_value=False)
                if early.any():
                    yield (early, "churned_at", f["churned_at"][early].dt.strftime("%Y-%m-%d").to_numpy(),
                           [f"not before acquired_at ({x})" for x in f["acquired_at"][early].dt.strftime("%Y-%m-%d")])
            if "churned_at" in f.columns and "churned" in f.columns:
                clash = (f["churned_at"].notna() & (f["churned"] == False)).to_numpy(dtype=bool, na_value=False)  # noqa: E712
                yield clash, "churned", "no", "churned = yes when churned_at is filled"

    def _duplicates(self, f: pd.DataFrame, offset: int, bad: np.ndarray):
        """Later occurrences of an id (in this chunk or earlier ones) are duplicates."""
        idc = self.spec.id_column
        if not idc or idc not in f.columns:
            return None, None
        key = f[idc].astype(str).to_numpy(dtype=object)
        present = f[idc].notna().to_numpy()
        records = np.arange(len(f), dtype=np.int64) + offset
        keys = pd.Series(key)
        first_record = pd.Series(records).groupby(key).transform("min").to_numpy()
        mask = present & (first_record != records)
        first_seen = first_record
        seen = self.seen_ids.get(idc)
        if seen is not None and len(seen):
            prior = keys.map(seen)
            hit = prior.notna().to_numpy() & present
            mask = mask | hit
            first_seen = np.where(hit, prior.fillna(-1).to_numpy(dtype=np.int64), first_seen)
        keep = present & ~mask
        new = pd.Series(records[keep], index=key[keep])
        self.seen_ids[idc] = new if seen is None else pd.concat([seen, new])
        expected = [f"a unique {idc} (first seen at record {r})" for r in first_seen[mask]]
        return mask, expected

    def add_structural(self, inv: _Invalid):
        self.structural.append(inv)

    # finish -----------------------------------------------------------------------
    def finish(self, parts: list[pd.DataFrame], *, reader: _Reader, records: int) -> LoadResult:
        """Assemble data, problems (with file row numbers), rejected rows and repairs."""
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
        rejected = rejected.sort_values("row", kind="stable", ignore_index=True).drop(columns=["_record"])
        if len(data):
            data["_row"] = rows_of(data["_record"].to_numpy())
        else:
            data["_row"] = pd.Series([], dtype=np.int64)
        data = data.drop(columns=["_record"], errors="ignore")
        repairs = [{"file": self.file, "column": c, "repair": what, "rows": n, "example": ex}
                   for c, what, n, ex in getattr(reader, "repairs", [])]
        repairs += [{"file": self.file, "column": c, "repair": what, "rows": v[0], "example": v[1]}
                    for (c, what), v in self.repairs.items()]
        repairs = pd.DataFrame(repairs, columns=_REPAIR_COLUMNS)
        rows_in = records + len(self.structural)
        if rows_in != len(data) + len(rejected):  # the invariant every load keeps
            raise CxkitError(f"{self.file}: internal error: {rows_in} rows in but {len(data)} loaded + "
                             f"{len(rejected)} rejected; please report this file")
        source = {k: v for k, v in reader.info.items() if k in ("format", "encoding", "delimiter", "sheet")}
        return LoadResult(table=self.spec.name, file=self.file, data=data, rejected=rejected, problems=problems,
                          repairs=repairs, rows_in=rows_in, source=source, scales=dict(self.scales))

    def _empty_frame(self):
        cols = {}
        for name in list(self.positions) + list(self.tm.constants):
            col = self.spec.column(name)
            dtype = {"score": "Int8", "number": "float64", "date": "datetime64[ns]", "datetime": "datetime64[ns]",
                     "bool": "boolean", "category": "category"}.get(col.kind, _STR)
            cols[name] = pd.Series([], dtype=dtype)
        for i in self.extra_positions:
            cols[self.header[i]] = pd.Series([], dtype=_STR)
        cols["_record"] = pd.Series([], dtype=np.int64)
        return pd.DataFrame(cols)


def _concat_keep_categories(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunks; categorical columns keep one shared set of categories."""
    if len(parts) == 1:
        out = parts[0]
    else:
        parts = [p.copy() for p in parts]
        for c in parts[0].columns:
            if isinstance(parts[0][c].dtype, pd.CategoricalDtype):
                cats = pd.api.types.union_categoricals([p[c] for p in parts]).categories
                for p in parts:
                    p[c] = p[c].cat.set_categories(cats)
        out = pd.concat(parts, ignore_index=True)
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].cat.remove_unused_categories()
    return out


def _q(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
        return "(empty)"
    text = str(v)
    return repr(text if len(text) <= 60 else text[:57] + "...")
