"""What every reader shares: the reader interface, the header search and how Arrow types become pandas'."""
from __future__ import annotations

import datetime as dt
import queue
import re
import threading
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import TableMapping, TableSpec, normalise_header

__all__: list[str] = []

#: the dtype of text cells as read (Arrow-backed strings)
_STR = pd.StringDtype("pyarrow")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class _Invalid:
    record: int | None  # index among records (for ordering); None if unknown
    line: int | None
    text: str
    expected: int
    actual: int  # fields found (-1: the line could not be split into fields)
    reason: str | None = None  # why, when it is not the number of fields


class _Reader:
    header: list[str]
    info: dict
    invalid_rows: list
    #: positions of the columns a text reader hands over dictionary-encoded (categoricals of the text as
    #: written; set by the loader before reading, for the columns converted through their distinct values)
    dictionary_columns: frozenset = frozenset()
    #: read the next chunk in a thread while the loader validates this one (readers that can: Parquet, CSV
    #: through Arrow; the loader's duplicate-id check runs in a thread too); set by ``TableStream(read_ahead=...)``
    read_ahead: bool = True

    def chunks(self) -> Iterator[pd.DataFrame]:  # pragma: no cover - interface
        raise NotImplementedError

    def _ahead(self, chunks: Iterator, *, can: bool = True) -> Iterator:
        """``chunks`` read ahead in a thread (:func:`_read_ahead`) if the loader allows it and the reader
        ``can`` (its row numbers do not depend on how far reading has got), else as they are."""
        if self.read_ahead and can:
            return _read_ahead(chunks, name=f"cxkit-read-ahead {self.path.name}")
        return chunks

    def row_numbers(self, records: np.ndarray, n_records: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def invalid_lines(self) -> list:
        return []

    def line_numbers(self, records: np.ndarray) -> np.ndarray:
        """Rows as numbered in the file, known while reading (for ids made from row numbers)."""
        return np.asarray(records, dtype=np.int64) + 1

    def record_spans(self, records: np.ndarray) -> np.ndarray:
        """How many physical lines each record spans (one, except in text files with multi-line values)."""
        return np.ones(len(records), dtype=np.int64)

    def line_account(self, n_records: int) -> dict | None:
        """The physical lines of a text file (see :meth:`.csv_files._CsvReader.line_account`); None for
        workbooks and Parquet files, which have no lines."""
        return None


#: what reading a damaged or odd zip container can raise (encrypted members raise RuntimeError)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError, RuntimeError,
               NotImplementedError)


def _clean_header(values) -> list[str]:
    """Header cells as text: NFC, no BOM or control characters, trimmed ("" for a blank cell)."""
    out = []
    for v in values:
        text = "" if v is None else unicodedata.normalize("NFC", str(v)).replace("\ufeff", "")
        out.append(_CONTROL.sub("", text).strip())
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


def _read_ahead(chunks: Iterator, *, name: str = "cxkit-read-ahead") -> Iterator:
    """The items of ``chunks``, the next one produced in a thread while the caller works on the current one.

    For a reader whose chunks do not depend on how far the caller has got (a Parquet file's row groups:
    row numbers are record numbers), reading and converting the next chunk (Arrow, mostly without the
    GIL) then overlaps validating this one. At most one chunk waits, so memory grows by one chunk. An
    error of the reader is raised here, after the chunks before it; when the caller stops early (an
    error, ``close()``), the thread stops after the chunk it is reading and closes ``chunks``.
    """
    waiting: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not hand_over((True, chunk)):
                    return
            hand_over((False, None))
        except BaseException as exc:  # handed to the caller's thread, raised there
            hand_over((False, exc))
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            more, item = waiting.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        worker.join()

