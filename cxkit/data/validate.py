"""Validating a table chunk by chunk: the header matched to the contract, every column converted and
checked, rows with problems set aside with the reason, and at the end the problems, rejected rows and
repairs with the row numbers a user sees in the file."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import ConfigError, CxkitError, DataValidationError
from .contract import TableMapping, TableSpec
from .convert.columns import _convert, _convert_uniques, _precheck, _recode
from .convert.context import _Conversion
from .hashing import _SeenIds
from .headers import _extra_names, _header_copies, _header_problems, _map_columns, _name_unnamed, _targets
from .problems import _PROBLEM_COLUMNS, _problems_table, _rejected_table, _repairs_table, _with_structural
from .readers.base import _STR, _Invalid, _Reader
from .row_checks import _row_checks

__all__: list[str] = []

#: scores the reports use, per table: a file without them loads, with a note that they cannot be reported
REPORTED_SCORES = {"responses": {"nps": "NPS", "csat": "CSAT", "ces": "CES"}}


class _Validator:
    """Validates chunks of one table and accumulates problems and repairs.

    ``reader`` (optional) tells what the file is: its format, delimiter, header row, workbook sheets and
    formula cells; ``known_units`` is (set of names, units file name): other units are rejected.
    """

    def __init__(self, spec: TableSpec, tm: TableMapping, scales: dict, *, file: str, today: dt.date, canonical: dict,
                 reader: _Reader | None = None, known_units=None):
        self.spec, self.tm, self.scales, self.file, self.today = spec, tm, scales, file, today
        info = reader.info if reader is not None else {}
        self.conv = _Conversion(spec, tm, scales, today=today, canonical=canonical, file_format=info.get("format"),
                                file_delimiter=info.get("delimiter", ","),
                                formula_cells=getattr(reader, "formula_cells", {}))
        self.problem_parts: list[pd.DataFrame] = []  # columns: record, column, value, expected
        self.rejected_parts: list[pd.DataFrame] = []
        self._seen = _SeenIds()  # ids of earlier rows, for the duplicate check
        self.structural: list[_Invalid] = []
        self.header_row: int | None = getattr(reader, "header_row", 1)
        self.sheet: str | None = info.get("sheet")  # for workbooks: the sheet read and all sheet names
        self.sheets: list[str] = info.get("sheets", [])
        self.known_units = known_units
        self.reader = reader
        self.auto = _assumptions(tm, self.conv, file)

    @property
    def repairs(self) -> dict:
        """``(column, what) -> [rows, example]``: every repair made so far."""
        return self.conv.repairs

    def _repair(self, column: str, what: str, rows: int, example: str = ""):
        self.conv.repair(column, what, rows, example)

    def delimiter_text(self) -> str:
        return self.conv.delimiter_text()

    # header ----------------------------------------------------------------------
    def set_header(self, header: list[str]):
        """Match the file's header to the contract; raise one error listing every header problem."""
        header, self.unnamed = _name_unnamed(header)
        mapped = _map_columns(header, self.unnamed, self.spec, self.tm)
        targets = _targets(mapped)
        problems = _header_problems(header, targets, self.spec, self.tm, self.conv.file_delimiter)
        if problems:
            raise self._header_error(problems)
        self.extra_names, renamed = _extra_names(header, mapped, targets)
        if renamed:
            self._repair("(header)", "renamed columns with a duplicated name: " + ", ".join(renamed), 0, "")
        self.header = header
        self.conv.n_columns = len(header)
        self.positions = {name: idx[0] for name, idx in targets.items()}
        self.extra_positions = [i for i in range(len(header)) if i not in mapped]
        self.column_labels = {name: header[i] for name, i in self.positions.items()}

    def _header_error(self, problems: list[dict]) -> DataValidationError:
        frame = pd.DataFrame(problems)
        frame.insert(0, "row", self.header_row)
        frame.insert(0, "file", self.file)
        others = [n for n in self.sheets if n != self.sheet] if self.sheet else []
        where = (f" The columns were read from sheet {self.sheet!r}; the workbook also has "
                 f"{', '.join(map(repr, others))} - name the right one with sheet: in the mapping."
                 if others else "")
        return DataValidationError(frame[_PROBLEM_COLUMNS], hint="The file's columns do not match the "
                                   f"{self.spec.name} table; see data/README.md for the expected columns.{where}")

    # chunks ----------------------------------------------------------------------
    def validate(self, chunk: pd.DataFrame, offset: int) -> pd.DataFrame:
        """Convert and check one chunk; remember problems; return the clean typed rows."""
        n = len(chunk)
        bad = np.zeros(n, dtype=bool)
        problems: list[pd.DataFrame] = []
        out, raw_for_reject = self._convert_columns(chunk, offset, bad, problems)
        self._add_constants(out, n, chunk.index, offset)
        frame = pd.DataFrame(out, index=chunk.index)
        extra = self._extra_columns(chunk, offset, n)
        for mask, column, values, expected in _row_checks(frame, bad, raw_for_reject, self.spec.name,
                                                          self.known_units):
            if mask.any():
                bad |= mask
                problems.append(pd.DataFrame({"record": np.flatnonzero(mask) + offset, "column": column,
                                              "value": values, "expected": expected}))
        self._check_ids(frame, offset, bad, problems, raw_for_reject)
        self._check_header_copies(chunk, offset, bad, problems)
        return self._set_aside(frame, extra, bad, problems, raw_for_reject, offset)

    def _convert_columns(self, chunk: pd.DataFrame, offset: int, bad: np.ndarray, problems: list):
        """Each contract column converted: (typed columns, raw columns as read); problems noted, ``bad`` set."""
        n = len(chunk)
        out = {}
        raw_for_reject = {}
        for name, pos in self.positions.items():
            col = self.spec.column(name)
            s = chunk.iloc[:, pos]
            if name in self.tm.values:
                s = _recode(s, name, self.conv)
            raw_for_reject[name] = s
            if col.kind == "category" and n > 1000 and not self.conv.formula_cells.get(pos):
                values, mask, expected, special, special_expected = _convert_uniques(s, col, pos, offset, self.conv)
            else:
                prepared, special, special_expected = _precheck(s, col, pos, offset, self.conv)
                values, mask, expected = _convert(prepared, col, self.conv)
            out[name] = values
            if special is not None and special.any():
                bad |= special
                problems.append(self._problem_frame(offset, special, name, s, special_expected))
                mask = None if mask is None else mask & ~special
            if mask is not None and mask.any():
                bad |= mask
                problems.append(self._problem_frame(offset, mask, name, s, expected))
        return out, raw_for_reject

    def _add_constants(self, out: dict, n: int, index, offset: int = 0) -> None:
        """The mapping's constants (and those cxkit assumed) as columns; one that does not convert is an error."""
        for name, value in self.tm.constants.items():
            if self.auto is not None and _assumed_column(self, out, name, value, (n, index, offset)):
                continue
            col = self.spec.column(name)
            const = pd.Series([str(value)] * n, dtype=_STR, index=index)
            values, mask, expected = _convert(const, col, self.conv)
            if mask is not None and mask.any():
                raise ConfigError(f"mapping: {self.spec.name}: constants: {name}={value!r} - expected {expected}")
            out[name] = values

    def _extra_columns(self, chunk: pd.DataFrame, offset: int, n: int):
        """The columns outside the contract, as read (None without any)."""
        if not self.extra_positions:
            return None
        # kept apart from the typed columns: wide exports have thousands of them
        extra = chunk.iloc[:, self.extra_positions]
        extra.columns = [self.extra_names[i] for i in self.extra_positions]
        for i in self.extra_positions:
            cells = self.conv.formula_cells.get(i)
            if cells:
                k = sum(offset <= r < offset + n for r in cells)
                if k:
                    self._repair(self.extra_names[i], "kept the formula text of cells that have no saved result",
                                 k, next(iter(cells.values())))
        return extra

    def _check_ids(self, frame: pd.DataFrame, offset: int, bad: np.ndarray, problems: list, raw_for_reject: dict):
        """Later copies of an id (in this chunk or an earlier one) are problems."""
        idc = self.spec.id_column
        if not (idc and idc in frame.columns):
            return
        n = len(frame)
        dup, first = self._seen.check(frame[idc], np.arange(offset, offset + n, dtype=np.int64))
        if dup.any():
            bad |= dup
            shown = raw_for_reject[idc] if idc in raw_for_reject else frame[idc]
            problems.append(pd.DataFrame({"record": np.flatnonzero(dup) + offset, "column": idc,
                                          "value": shown.astype("string").fillna("").to_numpy()[dup],
                                          "expected": [f"a unique {idc} (first seen at record {r})" for r in first]}))

    def _check_header_copies(self, chunk: pd.DataFrame, offset: int, bad: np.ndarray, problems: list) -> None:
        """A copy of the header row is one problem for its row, replacing the others of that row."""
        copies = _header_copies(chunk, self.positions, self.header)
        if copies is None:
            return
        at = np.flatnonzero(copies) + offset
        problems[:] = [p[~np.isin(p["record"].to_numpy(), at)] for p in problems]
        problems.append(pd.DataFrame({
            "record": at, "column": "(whole row)",
            "value": self.delimiter_text().join(self.header[i] for i in sorted(self.positions.values())),
            "expected": "a data row, found a copy of the header row (were two exports joined into one file?)"}))
        bad |= copies

    def _set_aside(self, frame: pd.DataFrame, extra, bad: np.ndarray, problems: list, raw_for_reject: dict,
                   offset: int) -> pd.DataFrame:
        """Rows with problems go to the rejected parts (raw values); the clean rows are returned with
        the extra columns and their record numbers."""
        n = len(frame)
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

    def _problem_frame(self, offset, mask, column, raw, expected):
        return pd.DataFrame({"record": np.flatnonzero(mask) + offset, "column": column,
                             "value": raw.astype("string").fillna("").to_numpy()[mask],
                             "expected": expected if isinstance(expected, str) else
                             np.asarray(expected, dtype=object)[mask]})

    # row-level problems found late --------------------------------------------------
    def add_structural(self, inv: _Invalid):
        self.structural.append(inv)

    # finish -----------------------------------------------------------------------
    def finish(self, parts: list[pd.DataFrame], *, reader: _Reader, records: int,
               loaded: int | None = None) -> dict:
        """Assemble data, problems (with file row numbers), rejected rows and repairs: the fields of a
        :class:`~cxkit.data.loading.LoadResult`.

        With ``loaded`` (a streamed read whose chunks went elsewhere) ``data`` is an empty frame
        and ``loaded`` rows count as loaded.
        """
        def rows_of(rec):
            return reader.row_numbers(np.asarray(rec, dtype=np.int64), records)

        data = _concat_keep_categories(parts) if parts else self._empty_frame()
        problems = _problems_table(self.problem_parts, rows_of, self.file, self.spec.id_column)
        rejected = _rejected_table(self.rejected_parts, problems, rows_of, self.file)
        if self.structural:
            lines = reader.invalid_lines() or [inv.line for inv in self.structural]
            problems, rejected = _with_structural(problems, rejected, self.structural, lines, self.file)
        problems = problems.sort_values("row", kind="stable", ignore_index=True)[_PROBLEM_COLUMNS]
        if not rejected["row"].is_monotonic_increasing:
            rejected = rejected.sort_values("row", kind="stable", ignore_index=True)
        lines = _line_account(reader, records, rejected["_record"].to_numpy(), len(self.structural), self.file)
        del rejected["_record"]
        rows = rows_of(data["_record"].to_numpy()) if len(data) else np.array([], dtype=np.int64)
        data["_record"] = rows  # the last column; relabelled in place (dropping a column copies wide frames)
        data.columns = [c if c != "_record" else "_row" for c in data.columns]
        data, rejected = self._drop_empty_unnamed(data, rejected)
        for name, used in self.conv.date_formats.items():
            if len(used) > 1:
                self._repair(name, "mixed date formats read: " + ", ".join(f"{k} ({v})" for k, v in used.items()),
                             int(sum(used.values())), "")
        repairs = _repairs_table(self.file, getattr(reader, "repairs", []), self.repairs)
        rows_in = records + len(self.structural)
        n_loaded = len(data) if loaded is None else loaded
        if rows_in != n_loaded + len(rejected):  # the invariant every load keeps
            raise CxkitError(f"{self.file}: internal error: {rows_in} rows in but {n_loaded} loaded + "
                             f"{len(rejected)} rejected; please report this file")
        source = {k: v for k, v in reader.info.items()
                  if k in ("format", "encoding", "delimiter", "sheet", "platform", "careful")}
        return dict(table=self.spec.name, file=self.file, data=data, rejected=rejected, problems=problems,
                    repairs=repairs, rows_in=rows_in, source=source, scales=dict(self.scales), n_loaded=loaded,
                    missing=self.missing_scores(), lines=lines)

    def missing_scores(self) -> list[str]:
        """Notes on the scores the reports use that this file has no column for (a note, not an error)."""
        scores = REPORTED_SCORES.get(self.spec.name, {})
        present = set(getattr(self, "positions", {})) | set(self.tm.constants)
        return [f"no {col} column: {name} cannot be reported" for col, name in scores.items() if col not in present]

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


def _line_account(reader: _Reader, records: int, rejected_records: np.ndarray, structural: int,
                  file: str) -> dict | None:
    """Where every physical line of a text file went (see :attr:`~cxkit.data.loading.LoadResult.lines`);
    a file whose lines do not add up is an internal error, never a silent loss."""
    account = reader.line_account(records)
    if account is None:
        return None
    rejected_records = rejected_records[rejected_records >= 0]
    rejected_lines = int(reader.record_spans(rejected_records).sum()) + structural
    out = {"physical": account["physical"], "header": account["header"], "blank": account["blank"],
           "loaded": account["record_lines"] - (rejected_lines - structural), "rejected": rejected_lines,
           "records": records + structural, "multiline_records": account["multiline_records"]}
    if out["physical"] != out["header"] + out["blank"] + out["loaded"] + out["rejected"]:
        raise CxkitError(f"{file}: internal error: {out['physical']} lines in the file but {out['header']} header + "
                         f"{out['blank']} blank + {out['loaded']} loaded + {out['rejected']} rejected; please report "
                         "this file")
    return out


def _assumptions(tm: TableMapping, conv: _Conversion, file: str):
    """What cxkit assumed for a survey export loaded with no mapping (see :mod:`cxkit.data.platforms`), or None;
    a folder's lone file read as the responses table is reported."""
    columns = tm.columns
    if getattr(columns, "lone_file", False):
        conv.repair("(file)", "the folder's only table file, read as the responses table", 0, file)
    return columns if getattr(columns, "platform", None) or getattr(columns, "lone_file", False) else None


def _assumed_column(v: _Validator, out: dict, name: str, value, chunk: tuple) -> bool:
    """A constant cxkit assumed, reported: the unit named after the file (converted as a constant: False), or
    ids ``"<file>:<row>"`` (the row as numbered in the file) for an export without ids (set in ``out``: True)."""
    n, index, offset = chunk
    if name == "unit" and v.auto.unit_from_file == value:
        v._repair("unit", f"no unit column: every row's unit is {value!r}, named after the file", n, value)
    if not (v.auto.id_from_rows and name == v.spec.id_column):
        return False
    rows = v.reader.line_numbers(np.arange(offset, offset + n, dtype=np.int64)) if n else []
    out[name] = pd.Series([f"{v.file}:{r}" for r in rows], dtype=_STR, index=index)
    if n:
        v._repair(name, f"no {name} column: ids made from the file name and the row number ('<file>:<row>')", n,
                  str(out[name].iloc[0]))
    return True


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
