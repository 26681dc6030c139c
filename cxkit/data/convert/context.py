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
    repairs : ``(column, what) -> [rows, example, records]``, every repair made; ``records`` are the
        first few records (offset in the file's data rows) the repair touched.
    offset : the record of the first row of the chunk being converted (set by the validator).
    weights : rows per value while a column is converted through its distinct values, else None.
    codes : while a column is converted through its distinct values, each row's index into them
        (the inverse of the distinct values), else None.
    score_counts : score column -> :class:`_ScoreCounts`, the whole numbers read over all chunks.
    row_faults : column -> mask of the bad values of the column just converted that show the row
        itself is broken (a quote never closed); they reject the row even in an optional column.
    decimal, slash_order, date_formats : what each column decided (decimal separator, day/month
        order, date formats read and how often in the rows loaded), kept across chunks;
        ``date_records`` the first loaded records of each date format.
    date_rows : column -> date format -> mask of the rows of the chunk being converted that were
        read in that format (the validator counts those it loads into ``date_formats``).
    n_columns : number of columns in the file's header.
    """

    def __init__(self, spec: TableSpec, tm: TableMapping, scales: dict, *, today: dt.date, canonical: dict,
                 file_format: str | None = None, file_delimiter: str | None = ",",
                 formula_cells: dict[int, dict[int, str]] | None = None):
        self.spec, self.tm, self.scales, self.today = spec, tm, scales, today
        self.canonical = canonical  # folded unit name -> spelling (shared across tables of a dataset)
        self.cat_canonical: dict[str, dict[str, str]] = {}
        self.repairs: dict[tuple[str, str], list] = {}
        self.offset = 0
        self.weights = None
        self.codes = None
        self.score_counts: dict[str, _ScoreCounts] = {}
        self.row_faults: dict[str, np.ndarray] = {}  # column -> bad values that reject the row even if optional
        self.decimal: dict[str, str] = {}
        self.slash_order: dict[str, str] = {}
        self.date_formats: dict[str, dict[str, int]] = {}  # column -> format -> loaded rows read with it
        self.date_records: dict[str, dict[str, list]] = {}  # column -> format -> its first loaded records
        self.date_rows: dict[str, dict[str, np.ndarray]] = {}  # this chunk: column -> format -> rows read
        self.file_format = file_format
        self.file_delimiter = file_delimiter
        self.formula_cells = formula_cells if formula_cells is not None else {}
        self.n_columns = 0

    def repair(self, column: str, what: str, rows: int, example: str = "", mask=None, records=()):
        """Record a repair (rows add up per column and kind; the first example is kept).

        ``mask`` (boolean, over the series being converted, or over its distinct values while
        :attr:`weights` is set) says which rows were repaired: the first :data:`REPAIR_RECORDS` of
        them are kept as records (the chunk's :attr:`offset` plus the position); ``records`` names
        them directly (records, not positions).
        """
        key = (column, what)
        entry = self.repairs.get(key)
        if entry is None:
            entry = self.repairs[key] = [0, example, []]
        entry[0] += rows
        if mask is not None and len(entry[2]) < REPAIR_RECORDS:
            entry[2].extend(self.records_of(mask, REPAIR_RECORDS - len(entry[2])))
        entry[2].extend(list(records)[:max(REPAIR_RECORDS - len(entry[2]), 0)])

    def records_of(self, mask, k: int) -> list[int]:
        """The first ``k`` records a mask over the converted series covers (through :attr:`codes`
        when a column is converted through its distinct values)."""
        m = np.asarray(mask, dtype=bool)
        if self.codes is not None:
            m = m[self.codes]
        return [int(r) + self.offset for r in np.flatnonzero(m)[:k]]

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


#: how many records of each repair are kept (the repairs table shows their rows and counts the rest)
REPAIR_RECORDS = 5


class _ScoreCounts:
    """How often each whole number was read in a score column, over all chunks (for the scale check).

    Whole numbers from -``LIMIT`` to ``LIMIT`` are counted one by one; the rest (far outside every
    survey scale) only in ``far``.
    """

    LIMIT = 1000

    def __init__(self):
        self.counts = np.zeros(2 * self.LIMIT + 1, dtype=np.int64)
        self.far = 0

    def add(self, values, weights=None) -> None:
        """Count the whole numbers among ``values`` (floats or ints; missing values and fractions are left out),
        each ``weights`` times when given (the rows holding each distinct value)."""
        v = np.asarray(values)
        if v.dtype.kind in "iu" and weights is None:  # typed input (Parquet): whole numbers already
            small = v.dtype.itemsize == 1 or (len(v) and -self.LIMIT <= v.min() and v.max() <= self.LIMIT)
            if small:
                self.counts += np.bincount(v.astype(np.int64) + self.LIMIT, minlength=len(self.counts))
                return
        v = v.astype("float64")
        w = np.ones(len(v), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
        keep = np.isfinite(v)
        keep[keep] = v[keep] == np.round(v[keep])
        v, w = v[keep], w[keep]
        near = np.abs(v) <= self.LIMIT
        self.far += int(w[~near].sum())
        if near.any():
            self.counts += np.bincount((v[near] + self.LIMIT).astype(np.int64), weights=w[near],
                                       minlength=len(self.counts)).astype(np.int64)

    def between(self, lo: int, hi: int) -> int:
        """How many values lie within ``lo``-``hi`` (both included)."""
        return int(self.counts[max(lo + self.LIMIT, 0):max(hi + self.LIMIT + 1, 0)].sum())

    @property
    def total(self) -> int:
        return int(self.counts.sum()) + self.far

    def span(self, lo: int, hi: int) -> tuple[int, int] | None:
        """The lowest and highest value read within ``lo``-``hi``, or None."""
        part = self.counts[max(lo + self.LIMIT, 0):max(hi + self.LIMIT + 1, 0)]
        at = np.flatnonzero(part)
        return None if not len(at) else (int(at[0]) + max(lo, -self.LIMIT), int(at[-1]) + max(lo, -self.LIMIT))


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
