"""What the converters of one file share: its settings, the repairs made, and what each column decided."""
from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import Column, TableMapping, TableSpec
from ..hashing import _arrow_strings
from ..readers.base import _STR

__all__: list[str] = []


class _Conversion:
    """The state the converters of one file share (the validator owns one).

    Parameters
    ----------
    spec, tm, scales : the contract table, its mapping section and the survey scales.
    today : reference date for "date in the future" checks.
    canonical : folded unit name -> spelling, shared across the tables of a dataset.
    file_format, file_delimiter, formula_cells : what the reader found (format, delimiter, and
        ``column index -> {record: formula}`` for workbook formulas without a saved result).

    Attributes
    ----------
    repairs : ``(column, what) -> [rows, example]``, every repair made.
    weights : rows per value while a column is converted through its distinct values, else None.
    decimal, slash_order, date_formats : what each column decided (decimal separator, day/month
        order, date formats read and how often), kept across chunks.
    n_columns : number of columns in the file's header.
    """

    def __init__(self, spec: TableSpec, tm: TableMapping, scales: dict, *, today: dt.date, canonical: dict,
                 file_format: str | None = None, file_delimiter: str | None = ",",
                 formula_cells: dict[int, dict[int, str]] | None = None):
        self.spec, self.tm, self.scales, self.today = spec, tm, scales, today
        self.canonical = canonical  # folded unit name -> spelling (shared across tables of a dataset)
        self.cat_canonical: dict[str, dict[str, str]] = {}
        self.repairs: dict[tuple[str, str], list] = {}
        self.weights = None
        self.decimal: dict[str, str] = {}
        self.slash_order: dict[str, str] = {}
        self.date_formats: dict[str, dict[str, int]] = {}  # column -> format -> rows read with it
        self.file_format = file_format
        self.file_delimiter = file_delimiter
        self.formula_cells = formula_cells if formula_cells is not None else {}
        self.n_columns = 0

    def repair(self, column: str, what: str, rows: int, example: str = ""):
        """Record a repair (rows add up per column and kind; the first example is kept)."""
        key = (column, what)
        if key in self.repairs:
            self.repairs[key][0] += rows
        else:
            self.repairs[key] = [rows, example]

    def count(self, mask) -> int:
        """How many rows a mask covers (weighted when converting the unique values of a column)."""
        m = np.asarray(mask, dtype=bool)
        w = self.weights
        return int(m.sum()) if w is None else int(w[m].sum())

    def score_scale(self, col: Column):
        """The (lowest, highest) score of a score column's scale."""
        return self.scales.get(col.scale, (0, 10))

    def delimiter_text(self) -> str:
        """The file's delimiter (``","`` for files without one)."""
        return self.file_delimiter or ","


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


def _as_text(s: pd.Series) -> pd.Series:
    """A column as Arrow-backed text, whatever it was read as (dates, floats, categories from Parquet)."""
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


def _fold(text: str) -> str:
    """A name folded for comparing spellings: NFC, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()
