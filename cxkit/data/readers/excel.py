"""Excel ``.xlsx`` workbooks, read with openpyxl: sheet choice, header search, merged cells, formulas."""
from __future__ import annotations

import datetime as dt
import difflib
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import FileReadError
from ..contract import TableMapping, TableSpec
from ..platforms import detect_platform, name_option_columns
from .base import _STR, _ZIP_ERRORS, _Reader, _clean_header, _pick_header

__all__: list[str] = []


class _ExcelReader(_Reader):
    """``.xlsx`` via openpyxl (read-only), with sheet choice, header search, merged cells
    filled, and formulas without a saved result detected."""

    def __init__(self, path: Path, tm: TableMapping, spec: TableSpec | None = None):
        self.path = path
        self.invalid_rows = []
        self.repairs = []
        self.info = {"format": "xlsx"}
        self.formula_cells: dict[int, dict[int, str]] = {}  # column index -> {record: formula}
        raw, merges, formulas = self._read_sheet(tm)
        header, header_row, first_data = self._locate_header(raw, spec, tm)
        width = len(header)
        rows = {i: list(row[:width]) + [None] * max(0, width - len(row)) for i, row in raw if i >= first_data}
        self._fill_merged(merges, rows, header, header_row)
        records, numbers = self._take_records(rows, formulas, width)
        self.header = header
        self.header_row = header_row
        self._numbers = np.array(numbers, dtype=np.int64)
        self._frame = pd.DataFrame(records, columns=range(width), dtype=_STR) if records else \
            pd.DataFrame({i: pd.Series([], dtype=_STR) for i in range(width)})
        self._frame.columns = header

    def _read_sheet(self, tm: TableMapping):
        """Every row of the chosen sheet as (row number, values), and its merged ranges and formula cells."""
        import openpyxl

        path = self.path
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
        return raw, merges, formulas

    def _locate_header(self, raw: list, spec: TableSpec | None, tm: TableMapping) -> tuple[list[str], int, int]:
        """The header (widened to the last column holding a value), its row number and the first data row's."""
        nonblank = [(i, row) for i, row in raw if not _blank_row(row)]
        if not nonblank:
            raise FileReadError(str(self.path), f"sheet {self.info['sheet']!r} is empty; expected a header row and "
                                                "data rows")
        h, extra = self._header_rows(nonblank, spec, tm)
        header_row = nonblank[h][0]
        header = _clean_header(nonblank[h][1])
        if self.platform is not None and self.platform.platform == "SurveyMonkey" and extra:
            header = name_option_columns(header, list(nonblank[h + 1][1]))
        first_data = nonblank[h + extra][0] + 1
        while header and not header[-1]:
            header.pop()  # empty cells right of the last header name
        # values right of the last header name are kept (as unnamed columns), never cut off
        used = max((max((k for k, v in enumerate(row) if v is not None and str(v).strip()), default=-1)
                    for i, row in raw if i >= first_data and row), default=-1)
        header += [""] * max(0, used + 1 - len(header))
        return header, header_row, first_data

    def _header_rows(self, nonblank: list, spec: TableSpec | None, tm: TableMapping) -> tuple[int, int]:
        """Which non-blank row is the header and how many extra header rows follow it: a survey platform's
        layout when the first rows are one, else the row naming the most contract columns."""
        self.platform = detect_platform([[_cell_text(v) for v in row] for _, row in nonblank[:4]])
        if self.platform is not None:
            self.info["platform"] = self.platform.platform
            skipped = self.platform.header + self.platform.skip
            self.repairs.append(("(file)", self.platform.note, skipped, ""))
            return self.platform.header, self.platform.skip
        h = _pick_header([list(row) for _, row in nonblank[:40]], spec, tm)
        if h:
            first = " ".join(str(v) for v in nonblank[0][1] if v is not None)[:60]
            self.repairs.append(("(file)", f"header found on row {nonblank[h][0]}; skipped the {h} row(s) above it "
                                           "(titles or notes)", h, first))
        return h, 0

    def line_numbers(self, records: np.ndarray) -> np.ndarray:
        """Rows as numbered in the workbook (as :meth:`row_numbers`)."""
        return self._numbers[np.asarray(records, dtype=np.int64)]

    def _take_records(self, rows: dict, formulas: dict, width: int) -> tuple[list, list]:
        """The data rows as text (formula text where a formula has no saved result), and their row numbers;
        empty rows are skipped (and reported when they lie between data rows)."""
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
        return records, numbers

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
                        formula = formula.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                        formulas.setdefault(int(row), {})[column_index_from_string(col.decode()) - 1] = \
                            formula.replace("&amp;", "&")
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
