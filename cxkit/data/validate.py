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
from .convert.context import REPAIR_RECORDS, _Conversion
from .hashing import _check_in_background, _SeenIds
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
        self._id_check = None  # this chunk's, started once its id column is converted
        self.structural: list[_Invalid] = []
        self.header_row: int | None = getattr(reader, "header_row", 1)
        self.sheet: str | None = info.get("sheet")  # for workbooks: the sheet read and all sheet names
        self.sheets: list[str] = info.get("sheets", [])
        self.known_units = known_units
        self.reader = reader
        self.auto = _assumptions(tm, self.conv, file)

    @property
    def repairs(self) -> dict:
        """``(column, what) -> [rows, example, records]``: every repair made so far (records: the first rows)."""
        return self.conv.repairs

    def _repair(self, column: str, what: str, rows: int, example: str = "", mask=None):
        """Record a repair; ``mask`` over the chunk being validated names its rows."""
        self.conv.repair(column, what, rows, example, mask=mask)

    def delimiter_text(self) -> str:
        return self.conv.delimiter_text()

    # header ----------------------------------------------------------------------
    def distinct_positions(self) -> set[int]:
        """The positions of the columns converted through their distinct values (categories and scores, not
        recoded), which a text reader may hand over dictionary-encoded (see :func:`_by_distinct_values`)."""
        return {pos for name, pos in self.positions.items()
                if self.spec.column(name).kind in ("category", "score") and name not in self.tm.values}

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
        self.conv.offset = offset  # repairs name their records
        bad = np.zeros(n, dtype=bool)
        problems: list[pd.DataFrame] = []
        out, raw_for_reject, blanked = self._convert_columns(chunk, offset, bad, problems)
        self._add_constants(out, n, chunk.index, offset)
        frame = pd.DataFrame(out, index=chunk.index)
        extra = self._extra_columns(chunk, offset, n)
        for mask, column, values, expected in _row_checks(frame, bad, raw_for_reject, self.spec.name,
                                                          self.known_units, blanked):
            if mask.any():
                bad |= mask
                problems.append(pd.DataFrame({"record": np.flatnonzero(mask) + offset, "column": column,
                                              "value": values, "expected": expected}))
        self._check_ids(frame, offset, bad, problems, raw_for_reject)
        self._check_header_copies(chunk, offset, bad, problems)
        _report_blanked(self.conv, blanked, raw_for_reject, bad)
        _count_date_formats(self.conv, bad)
        return self._set_aside(frame, extra, bad, problems, raw_for_reject, offset)

    def _convert_columns(self, chunk: pd.DataFrame, offset: int, bad: np.ndarray, problems: list):
        """Each contract column converted: (typed columns, raw columns as read, blanked values); problems noted,
        ``bad`` set. A bad value in an optional column is blanked instead (``column -> [(mask, expected)]``)."""
        n = len(chunk)
        out = {}
        raw_for_reject = {}
        blanked: dict[str, list] = {}
        for name, pos in self.positions.items():
            col = self.spec.column(name)
            s = chunk.iloc[:, pos]
            encoded = pos in self.reader.dictionary_columns and isinstance(s.dtype, pd.CategoricalDtype)
            if encoded and n <= 1000:  # converted value by value: as the text read
                s, encoded = s.astype(_STR), False
            if name in self.tm.values:
                s = _recode(s, name, self.conv)
            raw_for_reject[name] = s
            if n > 1000 and (encoded or _by_distinct_values(col, s)) and not self.conv.formula_cells.get(pos):
                values, mask, expected, special, special_expected = _convert_uniques(s, col, pos, offset, self.conv)
            else:
                prepared, special, special_expected = _precheck(s, col, pos, offset, self.conv)
                values, mask, expected = _convert(prepared, col, self.conv)
            if special is not None and special.any():
                mask = None if mask is None else mask & ~special
            faults = self.conv.row_faults.pop(name, None)
            if name not in self.spec.required:  # optional: bad values are blanked, the rows kept
                values, special, mask = _blank(values, [(special, special_expected), (mask, expected)], faults,
                                               blanked.setdefault(name, []))
            out[name] = values
            if name == self.spec.id_column and self.reader.read_ahead:  # copies checked while the others convert
                self._id_check = _check_in_background(self._seen, values, np.arange(offset, offset + n, dtype=np.int64))
            for m, exp in ((special, special_expected), (mask, expected)):
                if m is not None and m.any():
                    bad |= m
                    problems.append(self._problem_frame(offset, m, name, s, exp))
        return out, raw_for_reject, {k: v for k, v in blanked.items() if v}

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
                at = [r - offset for r in cells if offset <= r < offset + n]
                if at:
                    here = np.zeros(n, dtype=bool)
                    here[at] = True
                    self._repair(self.extra_names[i], "kept the formula text of cells that have no saved result",
                                 len(at), next(iter(cells.values())), mask=here)
        return extra

    def _check_ids(self, frame: pd.DataFrame, offset: int, bad: np.ndarray, problems: list, raw_for_reject: dict):
        """Later copies of an id (in this chunk or an earlier one) are problems."""
        idc = self.spec.id_column
        if not (idc and idc in frame.columns):
            return
        n = len(frame)
        pending, self._id_check = self._id_check, None
        dup, first = (pending.result() if pending is not None
                      else self._seen.check(frame[idc], np.arange(offset, offset + n, dtype=np.int64)))
        if dup.any():
            bad |= dup
            shown = raw_for_reject[idc] if idc in raw_for_reject else frame[idc]
            problems.append(pd.DataFrame({"record": np.flatnonzero(dup) + offset, "column": idc,
                                          "value": shown.astype("string").fillna("").to_numpy()[dup],
                                          "expected": [f"a unique {idc} (first seen at record {r})" for r in first]}))

    def _check_header_copies(self, chunk: pd.DataFrame, offset: int, bad: np.ndarray, problems: list) -> None:
        """A copy of the header row is one problem for its row, replacing the others of that row."""
        copies = _header_copies(chunk, self.positions, self.header, getattr(self.reader, "dictionary_columns", ()))
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
        data, rejected = _drop_empty_unnamed(self, data, rejected)
        _mixed_date_formats(self.conv)
        repairs = _repairs_table(self.file, getattr(reader, "repairs", []),
                                 {key: [rows, example, list(rows_of(sorted(set(recs)))) if recs else []]
                                  for key, (rows, example, recs) in self.repairs.items()})
        rows_in = records + len(self.structural)
        n_loaded = len(data) if loaded is None else loaded
        if rows_in != n_loaded + len(rejected):  # the invariant every load keeps
            raise CxkitError(f"{self.file}: internal error: {rows_in} rows in but {n_loaded} loaded + "
                             f"{len(rejected)} rejected; please report this file")
        source = {k: v for k, v in reader.info.items()
                  if k in ("format", "encoding", "delimiter", "sheet", "platform", "careful")}
        return dict(table=self.spec.name, file=self.file, data=data, rejected=rejected, problems=problems,
                    repairs=repairs, rows_in=rows_in, source=source, scales=dict(self.scales), n_loaded=loaded,
                    missing=self.missing_scores(), lines=lines,
                    warnings=_scale_warnings(self.spec, self.conv))

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


def _drop_empty_unnamed(v: _Validator, data: pd.DataFrame, rejected: pd.DataFrame):
    """Columns with neither a header nor any value (Excel's trailing separators) are dropped, reported."""
    empty = []
    for i in sorted(v.unnamed):
        name = v.extra_names.get(i)
        if name is None or name not in data.columns:
            continue
        if all(not frame[name].astype("string").fillna("").str.strip().ne("").any()
               for frame in (data, rejected) if name in frame.columns):
            empty.append(name)
    if empty:
        data = data.drop(columns=empty)
        rejected = rejected.drop(columns=[c for c in empty if c in rejected.columns])
        v._repair("(header)", f"dropped {len(empty)} empty column(s) without a header (trailing separators)",
                  0, ", ".join(empty[:5]))
    named = [v.extra_names[i] for i in sorted(v.unnamed) if v.extra_names.get(i) not in empty]
    if named:
        v._repair("(header)", f"named {len(named)} column(s) that have values but no header: "
                              f"{', '.join(named[:5])}", 0, "")
    return data, rejected


#: the scales survey questions usually have, offered when a score column's values do not fit its scale
USUAL_SCALES = ((0, 10), (1, 10), (1, 5), (1, 7), (0, 5), (1, 3), (0, 100))
#: a scale warning when more than this share of a score column's values lie outside its scale
OUTSIDE_SHARE = 0.05
#: a scale "fits" when at least this share of the values lie within it
FIT_SHARE = 0.99


def _blank(values: pd.Series, parts: list, faults, blanked: list):
    """Bad values of an optional column blanked: (values, special mask, bad mask) with only the values that
    still reject their row (``faults``: the row itself is broken) left in the masks; each blanked
    ``(mask, expected)`` is appended to ``blanked``."""
    keep = []
    blank = np.zeros(len(values), dtype=bool)
    for mask, expected in parts:
        if mask is None or not mask.any():
            keep.append(mask)
            continue
        m = mask if faults is None else mask & ~faults
        if m.any():
            blanked.append((m, expected))
            blank |= m
        keep.append(mask & ~m)
    if blank.any():
        values = values.where(~pd.Series(blank, index=values.index))
    return values, keep[0], keep[1]


def _report_blanked(conv: _Conversion, blanked: dict, raw: dict, bad: np.ndarray) -> None:
    """Repairs for the values blanked in optional columns of the rows kept, one per column and expected text,
    naming the rows; the example is the first value as written in the file."""
    for name, parts in blanked.items():
        for mask, expected in parts:
            kept = mask & ~bad
            if not kept.any():
                continue
            texts = np.asarray(expected, dtype=object)[kept] if not isinstance(expected, str) else None
            for text in ([expected] if texts is None else pd.unique(texts)):
                rows = kept.copy()
                if texts is not None:
                    rows[kept] = texts == text
                first = raw[name].iloc[int(np.flatnonzero(rows)[0])]
                conv.repair(name, f"blanked values (optional column) - expected {text}", int(rows.sum()),
                            repr(str(first)), mask=rows)


def _count_date_formats(conv: _Conversion, bad: np.ndarray) -> None:
    """The date formats of the chunk's rows that are kept, counted (and their first records kept) per column."""
    for name, used in conv.date_rows.items():
        counts = conv.date_formats.setdefault(name, {})
        records = conv.date_records.setdefault(name, {})
        for label, rows in used.items():
            if len(rows) != len(bad):  # a constant converted as a column of its own length
                continue
            kept = rows & ~bad
            k = int(kept.sum())
            if k:
                counts[label] = counts.get(label, 0) + k
                have = records.setdefault(label, [])
                if len(have) < REPAIR_RECORDS:
                    have.extend(int(r) + conv.offset for r in np.flatnonzero(kept)[:REPAIR_RECORDS - len(have)])
    conv.date_rows.clear()


def _mixed_date_formats(conv: _Conversion) -> None:
    """A repair for each date column whose loaded rows were read in more than one format; its rows are those
    read in the formats other than the most common one (the first of them named)."""
    for name, used in conv.date_formats.items():
        if len(used) > 1:
            main = max(used, key=used.get)
            records = sorted(r for label, recs in conv.date_records.get(name, {}).items() if label != main
                             for r in recs)
            conv.repair(name, "mixed date formats read: " + ", ".join(f"{k} ({v})" for k, v in used.items()),
                        int(sum(v for k, v in used.items() if k != main)), "", records=records)


def _scale_warnings(spec: TableSpec, conv: _Conversion) -> list[str]:
    """Warnings for score columns whose values (whole numbers, over the whole file) often lie outside the
    column's scale: the share, the usual scale they fit, and whether two scales look mixed."""
    out = []
    for name, counts in conv.score_counts.items():
        col = spec.column(name)
        total = counts.total
        if col is None or not total:
            continue
        lo, hi = conv.score_scale(col)
        inside = counts.between(lo, hi)
        outside = total - inside
        if outside <= OUTSIDE_SHARE * total:
            continue
        out.append(f"{name}: {_share(outside, total)} of values ({outside:,} of {total:,}) lie outside the scale "
                   f"{lo}-{hi}; {_proposed_scale(counts, col.scale, (lo, hi))}")
        above = counts.between(hi + 1, counts.LIMIT)
        a, b = counts.span(hi + 1, counts.LIMIT) or (0, 0)
        if above >= OUTSIDE_SHARE * total and inside > total / 2 and b > a:  # a part of the values on a scale
            out.append(f"{name}: looks like two scales mixed: {_share(inside, total)} of values ({inside:,}) lie "
                       f"within {lo}-{hi} and {_share(above, total)} ({above:,}) above it, values between {a} and "
                       f"{b}; a survey that changed scale? split the file or recode one scale's values "
                       "(values: in the mapping)")
    return out


def _proposed_scale(counts, key: str, declared: tuple[int, int]) -> str:
    """The narrowest usual survey scale that (nearly) all values fit, as advice for the mapping."""
    total = counts.total
    fits = [(hi - lo, i, lo, hi) for i, (lo, hi) in enumerate(USUAL_SCALES)
            if (lo, hi) != tuple(declared) and counts.between(lo, hi) >= FIT_SHARE * total]
    if not fits:
        usual = ", ".join(f"{lo}-{hi}" for lo, hi in USUAL_SCALES)
        return f"they fit none of the usual survey scales ({usual}) - check which question the column holds"
    _, _, lo, hi = min(fits)
    left = total - counts.between(lo, hi)
    but = f" (all but {left:,})" if left else ""
    return (f"they fit {lo}-{hi}{but} - set the scale in the mapping (scales: {key}: [{lo}, {hi}]) if that is "
            "the question's scale")


def _share(part: int, total: int) -> str:
    return f"{100 * part / total:.1f}%"


def _by_distinct_values(col, s: pd.Series) -> bool:
    """Whether a column is converted through its distinct values: categories, and scores read as text."""
    return col.kind == "category" or (col.kind == "score" and isinstance(s.dtype, pd.StringDtype))


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
        v._repair("unit", f"no unit column: every row's unit is {value!r}, named after the file", n, value,
                  mask=np.ones(n, dtype=bool))
    if not (v.auto.id_from_rows and name == v.spec.id_column):
        return False
    rows = v.reader.line_numbers(np.arange(offset, offset + n, dtype=np.int64)) if n else []
    out[name] = pd.Series([f"{v.file}:{r}" for r in rows], dtype=_STR, index=index)
    if n:
        v._repair(name, f"no {name} column: ids made from the file name and the row number ('<file>:<row>')", n,
                  str(out[name].iloc[0]), mask=np.ones(n, dtype=bool))
    return True


def _concat_keep_categories(parts: list[pd.DataFrame], freed=None) -> pd.DataFrame:
    """Concatenate chunks column by column, freeing each chunk's column once copied.

    Categorical columns get one shared set of categories. Going column by column keeps the peak
    memory near one copy of the table (10M-row loads), instead of chunks plus the result; ``freed``
    (no arguments) is called after each column's pieces are freed (the batch parent gives the pages
    back to the system there).
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
            if freed is not None:
                freed()
        parts.clear()
        out = pd.DataFrame(data, copy=False)
    for c, dtype in out.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            used = _used_categories(out[c])
            if not used.all():
                out[c] = out[c].cat.remove_categories(dtype.categories[~used])
    return out


def _used_categories(s: pd.Series) -> np.ndarray:
    """True for each category of a categorical column that some row holds: counted from the codes (O(n), no
    sort or copy of the column as ``remove_unused_categories`` makes)."""
    codes = s.cat.codes.to_numpy()
    return np.bincount(codes[codes >= 0], minlength=len(s.cat.categories)) > 0
