"""The batch's narrow responses kept on disk while they are read, so that the parent's memory does not grow
with the rows.

:func:`~cxkit.report.preparation.prepare` keeps of every response only the columns the company context
needs (unit, date, scores, touchpoint, a 64-bit customer hash and the report group: about 26 bytes a row,
which held in memory grew the parent with every response). :class:`NarrowResponses` writes each chunk's
rows to disk instead, an Arrow IPC file per chunk in the batch's temporary folder, sorted into buckets of
whole customers (a customer's answers all in one bucket, chosen by the customer's hash), and counts on the
way the few figures that need every row: rows and answers per group and day, the dates' span, each score's
first answer. The context then reads back one shard of buckets at a time (:meth:`NarrowResponses.shards`):
shards of whole customers, as :func:`cxkit.stats.shards.customer_shards` makes of a table in memory.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

__all__: list[str] = []

#: buckets of whole customers; a shard is one or more of them (at 100M responses a bucket holds about 0.8M)
BUCKETS = 128

#: columns whose values are counted per day (whether the reporting period has any; "date": every dated row)
DAILY = ("nps", "touchpoint", "customer_id", "date")

SCORES = ("nps", "csat", "ces")


class _DayCounts:
    """Counts per (row, day) in a table that grows with the rows and days seen."""

    def __init__(self) -> None:
        self.first = 0
        self.table = np.zeros((0, 0), dtype=np.int64)

    def add(self, first_day: int, block: np.ndarray) -> None:
        """Add counts ``block`` (rows, consecutive days from ``first_day``)."""
        height, span = block.shape
        width = self.table.shape[1]
        first = first_day if width == 0 else min(self.first, first_day)
        last = first_day + span - 1 if width == 0 else max(self.first + width - 1, first_day + span - 1)
        height = max(height, self.table.shape[0])
        if (first, last - first + 1, height) != (self.first, width, self.table.shape[0]):
            grown = np.zeros((height, last - first + 1), dtype=np.int64)
            grown[:self.table.shape[0], self.first - first:self.first - first + width] = self.table
            self.first, self.table = first, grown
        self.table[:block.shape[0], first_day - self.first:first_day - self.first + span] += block

    def between(self, first_day: int, last_day: int) -> np.ndarray:
        """Counts per row of the days ``first_day`` to ``last_day`` (inclusive)."""
        a = max(first_day - self.first, 0)
        b = min(last_day - self.first + 1, self.table.shape[1])
        return self.table[:, a:b].sum(axis=1) if b > a else np.zeros(self.table.shape[0], dtype=np.int64)


_DAY_NS = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min


def _nanoseconds(dates: pd.Series) -> np.ndarray:
    """Dates as nanoseconds since 1970-01-01 (int64; missing: the smallest int64), in the dates' own time zone."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):  # (not ``dates.dt``: a reference cycle with the column)
        return dates.array.tz_localize(None).to_numpy().view(np.int64)
    return dates.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _day(ts) -> int:
    ts = pd.Timestamp(ts)
    if ts.tz is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.normalize(), "D").astype(np.int64))


def _to_arrow(s: pd.Series):
    import pyarrow as pa

    arr = s.array
    if isinstance(arr, pd.api.extensions.ExtensionArray) and hasattr(arr, "_mask"):  # Int8, UInt64, ...
        return pa.array(arr._data, mask=arr._mask)
    return pa.array(s.to_numpy() if not isinstance(s.dtype, pd.DatetimeTZDtype) else s, from_pandas=True)


def _from_arrow(col, dtype) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A column read back with its pandas dtype; masked integers directly (through floats, 64-bit hashes
    would lose their last digits)."""
    import pyarrow.compute as pc

    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iub" and col.type.bit_width > 1:
        values = pc.fill_null(col, 0).to_numpy()
        mask = col.is_null().to_numpy(zero_copy_only=False)
        return dtype.construct_array_type()(values.astype(dtype.numpy_dtype, copy=False), mask)
    return pd.Series(col.to_pandas(), copy=False).astype(dtype, copy=False).array


class NarrowResponses:
    """The narrow responses of a batch in buckets of whole customers on disk (``folder``), with the counts
    the company context needs of every row. ``add`` each chunk's rows (always the same columns; a chunk
    becomes one Arrow IPC file, its rows by bucket, a record batch per bucket), then read them back with
    :meth:`shards` or :meth:`rows_between` (from each file only the buckets wanted); :meth:`remove` deletes
    the folder.

    Categorical columns are stored as codes into categories shared by every chunk; read back, each is
    categorical with its categories sorted as text (those some row uses), the same in every shard.
    """

    def __init__(self, folder: str | Path, *, buckets: int = BUCKETS):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.buckets = int(buckets)
        self._files: list[tuple[Path, np.ndarray]] = []  # a file per chunk, and the bucket of each of its batches
        self._rows = np.zeros(self.buckets, dtype=np.int64)
        self._schema = None
        self._dtypes: dict = {}  # column -> pandas dtype to read back (categorical columns: None)
        self._labels: dict[str, dict] = {}  # categorical column -> {label: code}, in order of appearance
        self._used: dict[str, np.ndarray] = {}  # categorical column -> rows per code
        self.columns: list[str] = []
        self.answered: dict[str, int] = {}  # column -> rows with a value
        self._span: list = [None, None]  # first and last date (nanoseconds, wall time)
        self._first: dict[str, int] = {}  # score -> its first dated answer (nanoseconds, wall time)
        self._group_days = _DayCounts()  # responses per group code and day
        self._answer_days = _DayCounts()  # answers per column of DAILY and day
        self.n = 0

    # ------------------------------------------------------------------ writing

    def add(self, piece: pd.DataFrame) -> None:
        """Write a chunk's narrow rows to their customers' buckets and count them."""
        import pyarrow as pa

        if not self.columns:
            self.columns = list(piece.columns)
        arrays, n = {}, len(piece)
        for c in self.columns:
            s = piece[c] if c in piece.columns else pd.Series(pd.NA, index=piece.index, dtype="object")
            if c == "_group" or isinstance(s.dtype, pd.CategoricalDtype):
                codes = self._codes(c, s)
                arrays[c] = pa.array(codes)
                self.answered[c] = self.answered.get(c, 0) + int((codes >= 0).sum())
            else:
                self._dtypes.setdefault(c, s.dtype)
                arrays[c] = _to_arrow(s)
                self.answered[c] = self.answered.get(c, 0) + int(n - arrays[c].null_count)
        self._count(piece, arrays)
        bucket = self._bucket_of(piece, n)
        self._rows += np.bincount(bucket, minlength=self.buckets)
        order = np.argsort(bucket, kind="stable")  # 8-bit keys: a radix sort
        bounds = np.searchsorted(bucket[order], np.arange(self.buckets + 1))
        batch = pa.RecordBatch.from_pydict(arrays).take(pa.array(order))
        if self._schema is None:
            self._schema = batch.schema
        elif batch.schema != self._schema:  # a chunk typed differently (an all-empty column)
            batch = batch.cast(self._schema)
        # one file per chunk, its rows by bucket, a record batch per bucket (read back alone)
        present = np.flatnonzero(np.diff(bounds))
        path = self.folder / f"chunk-{len(self._files):05d}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, self._schema) as writer:
            for b in present:
                writer.write_batch(batch.slice(bounds[b], bounds[b + 1] - bounds[b]))
        self._files.append((path, present))

    def _codes(self, column: str, s: pd.Series) -> np.ndarray:
        """The rows' codes into the column's shared categories (-1: no value)."""
        known = self._labels.setdefault(column, {})
        if isinstance(s.dtype, pd.CategoricalDtype):
            local, cats = s.cat.codes.to_numpy(), s.cat.categories
        else:
            local, cats = pd.factorize(s, use_na_sentinel=True)
        mapped = np.array([known.setdefault(str(x), len(known)) for x in cats] + [-1], dtype=np.int32)
        codes = mapped[local]
        used = np.bincount(codes[codes >= 0], minlength=len(known))
        prev = self._used.get(column, np.zeros(0, dtype=np.int64))
        used[:len(prev)] += prev
        self._used[column] = used
        return codes

    def _bucket_of(self, piece: pd.DataFrame, n: int) -> np.ndarray:
        """Each row's bucket: its customer's (a hash: whole customers), or its position's without one."""
        at = (np.arange(self.n, self.n + n) % self.buckets).astype(np.uint8 if self.buckets <= 256 else np.int32)
        self.n += n
        if "customer_id" not in piece.columns:
            return at
        arr = piece["customer_id"].array
        if not hasattr(arr, "_mask") or not pd.api.types.is_unsigned_integer_dtype(piece["customer_id"].dtype):
            raise TypeError("the narrow responses' customer_id must hold 64-bit hashes (UInt64)")
        key = (arr._data % np.uint64(self.buckets)).astype(at.dtype)
        return np.where(arr._mask, at, key)

    def _count(self, piece: pd.DataFrame, arrays: dict) -> None:
        """The counts that need every row: dates' span, first answers, rows and answers per day."""
        if "date" not in piece.columns:
            return
        ns = _nanoseconds(piece["date"])
        dated = ns != _NAT
        if not dated.any():
            return
        ns = ns[dated]
        lo_ns, hi_ns = int(ns.min()), int(ns.max())
        self._span = [lo_ns if self._span[0] is None else min(self._span[0], lo_ns),
                      hi_ns if self._span[1] is None else max(self._span[1], hi_ns)]
        for m in SCORES:
            if m in piece.columns:
                has = piece[m].notna().to_numpy()[dated]
                if has.any():
                    first = ns[has].min()
                    self._first[m] = min(self._first.get(m, first), first)
        days = np.floor_divide(ns, _DAY_NS)
        lo = int(days.min())
        rel = days - lo
        span = int(rel.max()) + 1
        if "_group" in arrays:
            codes = arrays["_group"].to_numpy()[dated]
            keep = codes >= 0
            height = len(self._labels["_group"])
            self._group_days.add(lo, np.bincount(codes[keep].astype(np.int64) * span + rel[keep],
                                                 minlength=height * span).reshape(height, span))
        block = np.zeros((len(DAILY), span), dtype=np.int64)
        for i, c in enumerate(DAILY):
            if c in self._labels:
                block[i] = np.bincount(rel[arrays[c].to_numpy()[dated] >= 0], minlength=span)
            elif c in arrays:
                has = arrays[c].is_valid().to_numpy(zero_copy_only=False)[dated] if arrays[c].null_count else None
                block[i] = np.bincount(rel if has is None else rel[has], minlength=span)
        self._answer_days.add(lo, block)

    def remove(self) -> None:
        """Delete the files."""
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ what every row says

    def __len__(self) -> int:
        return int(self.n)

    @property
    def empty(self) -> bool:
        return self.n == 0

    def has_values(self, column: str) -> bool:
        """Whether any row has a value of ``column``."""
        return self.answered.get(column, 0) > 0

    def _timestamps(self, values: list) -> pd.Series:
        out = pd.Series(np.array(values, dtype=np.int64).view("datetime64[ns]"))
        tz = getattr(self._dtypes.get("date"), "tz", None)
        return out.dt.tz_localize(tz) if tz is not None else out

    def dates(self) -> pd.Series:
        """The first and last date (an empty Series without dates): enough to choose a default period."""
        return self._timestamps([x for x in self._span if x is not None])

    @property
    def first_answer(self) -> dict[str, pd.Timestamp]:
        """Each score's first dated answer (scores without one left out)."""
        return dict(zip(self._first, self._timestamps(list(self._first.values()))))

    def categories(self, column: str) -> pd.Index:
        """The values of a categorical column some row has, sorted as text."""
        used = self._used.get(column, np.zeros(0, dtype=np.int64))
        labels = [lab for lab, code in self._labels.get(column, {}).items() if code < len(used) and used[code]]
        return pd.Index(sorted(labels), dtype=object)

    def in_period(self, start, end) -> pd.Series:
        """Responses dated from ``start`` to ``end`` (days, inclusive) per group (every group some row has)."""
        counts = self._group_days.between(_day(start), _day(end))
        codes = self._labels.get("_group", {})
        per = {lab: int(counts[code]) if code < len(counts) else 0 for lab, code in codes.items()}
        return pd.Series({g: per[g] for g in self.categories("_group")}, dtype=np.int64)

    def count_between(self, column: str, start, end) -> int:
        """Rows dated from ``start`` to ``end`` (days, inclusive) with a value of ``column`` (one of :data:`DAILY`)."""
        counts = self._answer_days.between(_day(start), _day(end))
        i = DAILY.index(column)
        return int(counts[i]) if i < len(counts) else 0

    # ------------------------------------------------------------------ reading back

    def shards(self, rows: int):
        """The rows in shards of whole customers of about ``rows`` rows each (consecutive buckets; one shard
        when there are fewer rows), as tables like the narrow table held in memory."""
        for buckets in self._groups(rows):
            yield self._read(buckets)

    def _groups(self, rows: int) -> list[range]:
        """Consecutive buckets in about ``len(self) / rows`` groups of about equal rows (non-empty ones)."""
        k = max(1, -(-int(self.n) // max(int(rows), 1)))
        target = self.n / k
        bounds, total = [0], 0
        for b in range(self.buckets):
            total += self._rows[b]
            if total >= target * len(bounds) and len(bounds) < k:
                bounds.append(b + 1)
        bounds.append(self.buckets)
        return [range(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a and self._rows[a:b].sum()]

    def rows_between(self, start, end, columns: list[str], *, rows: int = 1_000_000) -> pd.DataFrame:
        """``columns`` of the rows dated from ``start`` to ``end`` (days, inclusive), read about ``rows`` rows
        at a time."""
        lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        parts = []
        for buckets in self._groups(rows):
            part = self._read(buckets, columns=list(dict.fromkeys(["date", *columns])))
            parts.append(part.loc[(part["date"] >= lo) & (part["date"] < hi), columns])
        return pd.concat(parts, ignore_index=True) if parts else self._read([], columns=columns)

    def _read(self, buckets, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of some buckets: from each chunk's file, only those buckets' record batches."""
        import pyarrow as pa

        wanted = np.zeros(self.buckets, dtype=bool)
        wanted[list(buckets)] = True
        batches = []
        for path, present in self._files:
            picks = np.flatnonzero(wanted[present])
            if not len(picks):
                continue
            with pa.OSFile(str(path)) as source:  # read, not mapped: a mapping's pages would stay counted
                reader = pa.ipc.open_file(source)
                batches += [reader.get_batch(int(i)) for i in picks]
        if not batches:
            return self._frame(self._schema.empty_table().select(columns or self.columns))
        table = pa.Table.from_batches(batches)
        del batches
        return self._frame(table if columns is None else table.select(columns))

    def _frame(self, table) -> pd.DataFrame:
        data = {}
        for c in table.column_names:
            col = table.column(c)
            if c in self._labels:
                labels = self._labels[c]
                cats = self.categories(c)
                remap = np.full(len(labels) + 1, -1, dtype=np.int32)  # shared code -> sorted position
                where = {lab: i for i, lab in enumerate(cats)}
                for lab, code in labels.items():
                    remap[code] = where.get(lab, -1)
                codes = col.to_numpy() if col.num_chunks else np.zeros(0, dtype=np.int32)
                data[c] = pd.Categorical.from_codes(remap[codes], dtype=pd.CategoricalDtype(cats))
            else:
                data[c] = _from_arrow(col, self._dtypes[c])
        return pd.DataFrame(data, copy=False)
