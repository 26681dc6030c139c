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
library error. ``tests/data/corpus`` holds the broken files this is tested on.

This module holds the entry points and the result objects; the work is done in
:mod:`cxkit.data.readers` (one module per file format), :mod:`cxkit.data.validate`
(the validator's flow), :mod:`cxkit.data.convert` (one module per column type) and
:mod:`cxkit.data.hashing` (the duplicate-id check).
"""
from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._printer import Result
from ..errors import CxkitError, DataValidationError, FileReadError, ConfigError
from .contract import TABLES, Mapping, TableMapping, read_mapping, table_spec
from .convert.context import _fold
from .problems import _PROBLEM_COLUMNS, _REPAIR_COLUMNS, _problem_summary
from .readers.csv_files import _CsvReader
from .readers.detect import TABLE_SUFFIXES, _open_source
from .readers.parquet import _ParquetReader
from .readers.survey_exports import _lone_table_file, _zero_config
from .validate import _Validator

__all__ = ["read_table", "load", "LoadResult", "Dataset", "TABLE_ORDER"]

#: Order in which :func:`load` reads tables (units first: its spelling of unit names wins).
TABLE_ORDER = ("units", "responses", "tickets", "customers", "revenue")


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
    repairs : one row per repair kind: ``file, column, repair, rows, lines, example`` (``lines``: the first
        rows repaired as numbered in the file, and how many more)
    rows_in : number of data rows in the file (rows_in = len(data) + len(rejected))
    source : how the file was read (format, encoding, delimiter, sheet)
    lines : for text files, where every physical line went (a dict): ``physical`` lines in the file, of
        them ``header`` (the header and any title lines above it), ``blank`` (blank lines and rows of
        separators only), ``loaded`` and ``rejected`` (lines of loaded and rejected records; a quoted value
        may span lines, as multi-line comments do), so that physical = header + blank + loaded + rejected;
        also ``records`` and ``multiline_records``. None for workbooks and Parquet files.
    missing : notes on scores the reports use that the file has no column for (e.g. "no nps column:
        NPS cannot be reported"); in ``summary`` (column ``note``) and ``notes``. A survey platform's
        export (``source["platform"]``) is named in the note too ("platform: Qualtrics"); its header rows
        are in ``repairs``.
    warnings : what looks wrong with the values although the rows loaded, e.g. a score column whose
        values often lie outside its scale (with the usual scale they fit) or that mixes two scales;
        in ``summary`` (column ``note``) and ``notes``.
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
    missing: list = field(default_factory=list)
    lines: dict | None = None
    warnings: list[str] = field(default_factory=list)

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
            "lines": self.lines["physical"] if self.lines else None, "platform": self.source.get("platform"),
            "format": self.source.get("format"), "encoding": self.source.get("encoding"),
            "note": "; ".join(([f"platform: {self.source['platform']}"] if self.source.get("platform") else [])
                              + ([f"read line by line ({self.source['careful']})"] if self.source.get("careful")
                                 else [])
                              + ([_lines_note(self.lines)] if self.lines and self.lines["physical"] != self.rows_in
                                 + self.lines["header"] else [])
                              + list(self.missing) + list(self.warnings)),
        }])

    @property
    def problem_summary(self) -> pd.DataFrame:
        """The problems grouped by column and reason, most frequent first: ``file, column, reason, rows,
        first_rows`` (the first five rows in the file)."""
        return _problem_summary(self.problems)

    @property
    def notes(self):
        return list(self.missing) + list(self.warnings) + [f"{r.column}: {r.repair} ({r.rows} rows)"
                                                           for r in self.repairs.itertuples()]


def _lines_note(lines: dict) -> str:
    """Where a text file's lines went, when they are not simply the header and one line per row."""
    multi = f" ({lines['multiline_records']} rows span several lines)" if lines["multiline_records"] else ""
    return (f"lines: {lines['physical']:,} = {lines['header']:,} header + {lines['blank']:,} blank + "
            f"{lines['loaded']:,} loaded + {lines['rejected']:,} rejected{multi}")


@dataclass
class Dataset(Result):
    """All tables of one data folder, validated.

    Tables are attributes (``ds.responses``, ``ds.tickets``, ``ds.customers``,
    ``ds.revenue``, ``ds.units``; ``None`` when the folder has no such file).
    ``ds.log`` has rows in / loaded / rejected per file, ``ds.rejected``,
    ``ds.problems`` and ``ds.repairs`` the details, ``ds.scales`` the survey scales.

    Attributes
    ----------
    tables : table name -> :class:`LoadResult`, for every table read
    scales : survey scales (scale name -> (lowest, highest))
    root : the data folder
    mapping : the column mapping used
    unreadable : optional tables whose file could not be read (quarantine mode): table -> (file, reason)
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
                                         "note": "", "status": f"not read: {reason}"}]))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    summary = log

    def _concat(self, attr: str) -> pd.DataFrame:
        frames = [getattr(lr, attr).assign(table=name) for name, lr in self.tables.items() if len(getattr(lr, attr))]
        if not frames:
            return pd.DataFrame(columns=["table"] + (_PROBLEM_COLUMNS if attr == "problems" else
                                                       _REPAIR_COLUMNS if attr == "repairs" else
                                                       ["file", "row", "reason"]))
        out = pd.concat(frames, ignore_index=True)
        return out[["table"] + [c for c in out.columns if c != "table"]]

    @property
    def rejected(self) -> pd.DataFrame:
        return self._concat("rejected")

    @property
    def problems(self) -> pd.DataFrame:
        return self._concat("problems")

    @property
    def problem_summary(self) -> pd.DataFrame:
        """The problems of every table grouped by file, column and reason (see :attr:`LoadResult.problem_summary`)."""
        return _problem_summary(self.problems)

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
    """The data folder's files per table: (folder, mapping, {table: path}); responses is required.

    Parameters
    ----------
    path : the data folder.
    mapping : column mapping (YAML path, :class:`~cxkit.data.contract.Mapping` or dict); default: the
        folder's ``mapping.yml`` if there is one.
    tables : restrict to these tables.

    Returns
    -------
    tuple
        ``(folder as a Path, Mapping, {table: file path})``.
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
            candidates = [root / f"{name}{s}" for s in TABLE_SUFFIXES if (root / f"{name}{s}").exists()]
            if len(candidates) > 1:
                raise FileReadError(str(root), f"several files for the {name} table: "
                                               f"{', '.join(c.name for c in candidates)}; keep one or name it in "
                                               "the mapping")
            if candidates:
                found[name] = candidates[0]
    lone = _lone_table_file(root, found) if "responses" in wanted and "responses" not in found else None
    if lone is not None:
        found["responses"] = lone  # a lone export in the folder is the responses table (said in the repairs)
    if "responses" in wanted and "responses" not in found:
        raise FileReadError(str(root), "no responses file (responses.csv, .xlsx or .parquet) and none named in the "
                                       "mapping")
    if "responses" in found:
        m = _with_survey_platform(m, found["responses"], lone_file=lone is not None)
    return root, m, found


def _with_survey_platform(m: Mapping, path: Path, *, lone_file: bool) -> Mapping:
    """The mapping, with what a survey platform's export of responses needs when its columns are not mapped
    (see :mod:`cxkit.data.platforms`): its columns, a unit and ids when it has none, its date format."""
    tm = _zero_config(path, m.table("responses"), table_spec("responses"), lone_file=lone_file)
    return m if tm is None else dataclasses.replace(m, tables={**m.tables, "responses": tm})


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

    Parameters
    ----------
    path : the file to read.
    table : the contract table it holds.
    mapping, sheet, encoding, delimiter, today : as for :func:`read_table`.
    canonical : folded unit name -> spelling, shared across the tables of a dataset.
    known_units : (set of unit names, units file name): other units are rejected; or None.
    read_ahead : read the next chunk in a thread while this one is validated (Parquet, and CSV read by
        Arrow), and check a chunk's ids for copies in another while its other columns convert: faster
        with an idle core, one chunk more in memory. Default True.
    """

    def __init__(self, path, table: str, *, mapping=None, sheet=None, encoding=None, delimiter=None,
                 today: dt.date | None = None, canonical: dict | None = None, known_units=None,
                 read_ahead: bool = True):
        spec = table_spec(table)
        m = read_mapping(mapping)
        tm = m.table(table)
        tm = TableMapping(**{**tm.__dict__, **{k: v for k, v in
                                              dict(sheet=sheet, encoding=encoding, delimiter=delimiter).items() if v}})
        tm = _checked_settings(tm, table)
        self.path = Path(path)
        if table == "responses" and self.path.is_file():  # a survey platform's export, not mapped: read as such
            tm = _zero_config(self.path, tm, spec, lone_file=False) or tm
        self.reader = reader = _open_source(self.path, tm, spec)
        reader.read_ahead = read_ahead
        self.validator = _Validator(spec, tm, m.scales, file=self.path.name, today=today or dt.date.today(),
                                    canonical=canonical if canonical is not None else {}, reader=reader,
                                    known_units=known_units)  # (set of names, units file name)
        self.validator.set_header(reader.header)
        if isinstance(reader, (_CsvReader, _ParquetReader)):  # Arrow builds the few distinct values while reading
            reader.dictionary_columns = frozenset(self.validator.distinct_positions())
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
            held = clean  # handed out once the next chunk is read: the last one is yielded after the loop
        for bad in self.reader.invalid_rows:
            self.validator.add_structural(bad)
        if held is not None:
            self.loaded += len(held)
            yield held
        self._done = True

    def result(self, parts: list[pd.DataFrame] | None = None) -> LoadResult:
        if not self._done:
            for _ in self:
                pass
        return LoadResult(**self.validator.finish(parts or [], reader=self.reader, records=self.records,
                                                  loaded=None if parts else self.loaded))


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

