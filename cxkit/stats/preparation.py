"""Preparing a table for :func:`compare` and :func:`trend`: each metric's observations and the groups.

:class:`_Prepared` classifies a table's answers once per metric (payload per
row, which rows count, their dates) and cuts them to periods;
:func:`reuse_prepared` keeps them across calls on the same tables (the report
batch); :func:`_group_codes` gives integer group codes and labels.
"""
from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from ..periods import Window
from .kinds import _KINDS, COMPARE_METRICS
from .customers import default_period
from .metrics import _codes
from .scores import _check_bands, _top_box

__all__: list[str] = []

_NS_PER_DAY = 86_400_000_000_000

#: the date column of each table when none is given (cost to serve has none)
_DEFAULT_DATE = {"responses": "date", "tickets": "created_at", "customers": "acquired_at", "cost_to_serve": None}


def _numeric_column(data: pd.DataFrame, col: str) -> np.ndarray:
    """A column as floats (missing = NaN); text that is not a number is an error, not silently dropped."""
    try:
        return data[col].to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        bad = data[col][pd.to_numeric(data[col], errors="coerce").isna() & data[col].notna()]
        raise ConfigError(f"column {col!r}: expected numbers, found {bad.iloc[0]!r} (and {len(bad) - 1} more); "
                          "load the data with cxkit.load() to validate them") from None


def _scores(data: pd.DataFrame, col: str, *, whole: bool):
    """(values, which are not missing) of a score column. Nullable integers (as cxkit.load() gives them) as
    their integers, without a float copy, when ``whole``; the values of missing answers are then arbitrary."""
    arr = data[col].array
    if whole and isinstance(arr, pd.arrays.IntegerArray):
        return arr._data, ~arr._mask
    values = _numeric_column(data, col)
    return values, ~np.isnan(values)


class _Prepared:
    """The observations of one metric: payload per row, which rows count, and their dates."""

    def __init__(self, data: pd.DataFrame, metric: str, *, date, scale, box, bands):
        spec = COMPARE_METRICS[metric]
        self.metric, self.spec, self.kind = metric, spec, _KINDS[spec["kind"]]
        self.churn = None
        cols = set(data.columns)

        def need(*names):
            missing = [c for c in names if c not in cols]
            if missing:
                raise ConfigError(f"metric={metric!r} needs the {spec['table']} table with column(s) "
                                  f"{', '.join(map(repr, missing))}; the data have: "
                                  f"{', '.join(map(str, data.columns))}")

        default_date = _DEFAULT_DATE[spec["table"]]
        if metric in ("nps", "csat", "ces", "ces_mean"):
            col = spec["column"]
            need(col)
            arr, self.ok = _scores(data, col, whole=metric != "ces_mean")
            vals = arr[self.ok]
            if metric == "nps":
                b = _check_bands(bands)
                if vals.size and (vals.min() < 0 or vals.max() > 10 or np.any(vals != np.round(vals))):
                    raise ConfigError("nps: expected whole numbers 0-10; load the data with cxkit.load() "
                                      "to validate them")
                cls = np.full(arr.shape, 1, dtype=np.int8)  # 0 detractor, 1 passive, 2 promoter
                cls[(arr >= b["detractors"][0]) & (arr <= b["detractors"][1])] = 0
                cls[(arr >= b["promoters"][0]) & (arr <= b["promoters"][1])] = 2
                cls[~self.ok] = 1  # (as a missing answer compares: the rows do not count)
                self.payload = cls
            elif metric in ("csat", "ces"):
                sc, bx = _top_box(tuple(scale or (1, 5)), box, metric)
                if vals.size and (vals.min() < sc[0] or vals.max() > sc[1]):
                    raise ConfigError(f"{metric}: values outside the scale {sc[0]}-{sc[1]} (min {vals.min():g}, "
                                      f"max {vals.max():g}); set scale=")
                self.payload = (arr >= bx[0]) & (arr <= bx[1]) & self.ok
                self.box = f"{bx[0]}-{bx[1]} of {sc[0]}-{sc[1]}"
            else:
                if scale is not None and vals.size and (vals.min() < scale[0] or vals.max() > scale[1]):
                    raise ConfigError(f"ces: values outside the scale {scale[0]}-{scale[1]}; set scale=")
                self.payload = arr
        elif metric in ("first_response_time", "first_response_time_median"):
            need("created_at", "first_response_at")
            hours = ((data["first_response_at"] - data["created_at"]).dt.total_seconds() / 3600).to_numpy(dtype=float)
            self.ok, self.payload = ~np.isnan(hours), hours
        elif metric == "churn_rate":
            if "acquired_at" in cols and "churned_at" in cols:
                self.churn = (data["acquired_at"].to_numpy(dtype="datetime64[ns]"),
                              data["churned_at"].to_numpy(dtype="datetime64[ns]"))
                self.default_churn = default_period(data)
                self.ok = np.ones(len(data), bool)
                self.payload = np.zeros(len(data), bool)
            elif "churned" in cols:
                flag = data["churned"]
                self.ok = flag.notna().to_numpy()
                self.payload = flag.fillna(False).astype(bool).to_numpy()
            else:
                need("acquired_at", "churned_at")
        else:  # cac, cost_to_serve
            col = spec["column"]
            need(col)
            arr = _numeric_column(data, col)
            self.ok, self.payload = ~np.isnan(arr), arr
            default_date = _DEFAULT_DATE.get(metric, default_date)
        date = default_date if date is None else date
        self.dates = None
        if date is not None and self.churn is None and date in cols:
            d = data[date]
            if not pd.api.types.is_datetime64_any_dtype(d.dtype):
                d = pd.to_datetime(d, errors="coerce")
            self.dates = d.to_numpy(dtype="datetime64[ns]")
        self.date = date
        self._windows: dict = {}  # window -> rows that count; the object is kept only by reuse_prepared()
        self._range = None

    def days(self) -> np.ndarray:
        """Day number of each row's date (:func:`_day_numbers`), made once per date column while
        :func:`reuse_prepared` is active (the metrics of a table share it: 40 MB at 10M rows)."""
        if self.dates is None:
            return _day_numbers(np.full(len(self.ok), np.datetime64("NaT"), "datetime64[ns]"))
        when = self.dates
        # the same column's memory; the entry holds the array, so that memory cannot go to another one
        key = ("days", when.__array_interface__["data"][0], when.strides, when.dtype.str, len(when))
        hit = None if _REUSE is None else _REUSE.get(key)
        if hit is None:
            hit = (when, _day_numbers(when))
            if _REUSE is not None:
                _REUSE[key] = hit
        return hit[1]

    def date_range(self):
        """First and last date of the observations (churn: of the churn dates)."""
        if self._range is None:
            self._range = self._date_range()
        return self._range

    def _date_range(self):
        if self.churn is not None:
            churned = self.churn[1][~np.isnat(self.churn[1])]
            if churned.size == 0:
                raise InsufficientDataError("churn_rate: no churn dates in the data, so no periods to compare")
            return pd.Timestamp(churned.min()), pd.Timestamp(churned.max())
        if self.dates is None:
            raise ConfigError(f"metric={self.metric!r}: periods need a date column; "
                              f"{'set date=' if self.date else 'this metric has no date'}")
        d = self.dates[self.ok & ~np.isnat(self.dates)]
        if d.size == 0:
            raise InsufficientDataError(f"{self.metric}: no dated observations")
        return pd.Timestamp(d.min()), pd.Timestamp(d.max())

    def observations(self, window: Window | None):
        """(rows that count, payload) for a window (None = all data; churn: its default 12 months).

        Each window's rows are found once per object (the same array is returned again): the report
        batch compares every metric's period with several groupings and references."""
        key = None if window is None else (window.start, window.end)
        hit = self._windows.get(key)
        if hit is None:
            hit = self._windows[key] = self._observations(window)
        return hit

    def _observations(self, window: Window | None):
        if self.churn is not None:
            acquired, churned = self.churn
            if window is None:
                start, end = self.default_churn
                start, end = np.datetime64(start), np.datetime64(end + pd.Timedelta(1, "ns"))
            else:
                start, end = np.datetime64(window.start), np.datetime64(window.end)
            alive = np.isnat(churned) | (churned > start)
            active = (acquired <= start) & alive
            left = active & ~np.isnat(churned) & (churned < end)
            return active, left
        if window is None:
            return self.ok, self.payload
        if self.dates is None:
            why = f"column {self.date!r} is missing" if self.date else "this metric has none"
            raise ConfigError(f"metric={self.metric!r}: a period needs a date column ({why})")
        return self.ok & _inside(self.dates, window), self.payload


_REUSE: dict | None = None  # prepared observations kept while reuse_prepared() is active


@contextlib.contextmanager
def reuse_prepared(*, own: bool = False):
    """Within this block, :func:`compare` and :func:`trend` classify a table's answers once per metric
    and settings instead of once per call (the report batch makes about ten calls per metric on the
    same 10M responses). The tables must not change inside the block. Inside another such block the
    outer one's kept workings are used, unless ``own``: then this block keeps its own, dropped at its end
    (one shard's, :mod:`cxkit.stats.shards`)."""
    global _REUSE
    outer = _REUSE
    _REUSE = {} if outer is None or own else outer
    try:
        yield
    finally:
        _REUSE = outer


def _prepared(data: pd.DataFrame, metric: str, *, date, scale, box, bands) -> _Prepared:
    if _REUSE is None:
        return _Prepared(data, metric, date=date, scale=scale, box=box, bands=bands)
    if date is None:
        date = _DEFAULT_DATE.get(metric, _DEFAULT_DATE.get(COMPARE_METRICS[metric]["table"]))
    key = (id(data), metric, date, None if scale is None else tuple(scale), None if box is None else tuple(box),
           repr(bands))
    hit = _REUSE.get(key)
    if hit is None or hit[0] is not data:  # the frame is held, so its id cannot be reused by another one
        hit = _REUSE[key] = (data, _Prepared(data, metric, date=date, scale=scale, box=box, bands=bands))
    return hit[1]


def _reused(data, key: tuple, make):
    """``make()``, kept for ``data`` while :func:`reuse_prepared` is active (made each time otherwise)."""
    if _REUSE is None:
        return make()
    full = (id(data),) + key
    hit = _REUSE.get(full)
    if hit is None or hit[0] is not data:  # the frame is held, so its id cannot be reused by another one
        hit = _REUSE[full] = (data, make())
    return hit[1]


def _recent(name: str, key: tuple, held: tuple, make):
    """``make()`` for the arrays ``held`` (and ``key``), the last :data:`_KEPT` of them kept under
    ``name`` while :func:`reuse_prepared` is active: a metric's comparisons of the report batch use
    the current period's rows in about six sets and the groups in several."""
    reuse = _REUSE
    if reuse is None:
        return make()
    kept = reuse.setdefault(name, {})
    full = key + tuple(id(x) for x in held)
    hit = kept.pop(full, None)
    if hit is None or any(x is not y for x, y in zip(hit[0], held)):
        hit = (held, make())  # the arrays are held: their ids stay theirs
    kept[full] = hit  # the most recent last
    while len(kept) > _KEPT:
        kept.pop(next(iter(kept)))
    return hit[1]


#: entries kept by :func:`_recent` per name (a part is 24 bytes per answer of its period)
_KEPT = 4


def _group_codes(data: pd.DataFrame, by):
    """Integer codes per row and a labels frame; ``by=None`` gives one group "All". Kept while
    :func:`reuse_prepared` is active (the arrays returned must not be changed)."""
    return _reused(data, ("by", by if by is None or isinstance(by, str) else tuple(by)),
                   lambda: _make_group_codes(data, by))


def _make_group_codes(data: pd.DataFrame, by):
    if by is None:
        return np.zeros(len(data), np.int32), pd.DataFrame({"group": ["All"]}), ["group"]
    names = [by] if isinstance(by, str) else list(by)
    for c in names:
        if c not in data.columns:
            raise ConfigError(f"by={c!r}: no such column; available: {', '.join(map(str, data.columns))}")
    codes, labels = _codes([data[c] for c in names])
    labels.columns = names
    return codes, labels, names


def _inside(dates: np.ndarray, window: Window) -> np.ndarray:
    """Which ``dates`` are in ``window``; made once per date column and window while :func:`reuse_prepared`
    is active (the metrics of a table share their date column's memory, as in :meth:`_Prepared.days`)."""
    def make():
        return (dates >= np.datetime64(window.start)) & (dates < np.datetime64(window.end))

    if _REUSE is None:
        return make()
    key = ("inside", dates.__array_interface__["data"][0], dates.strides, dates.dtype.str, len(dates), window.start,
           window.end)
    hit = _REUSE.get(key)
    if hit is None:
        hit = _REUSE[key] = (dates, make())  # the entry holds the array: its memory cannot go to another one
    return hit[1]


def _day_numbers(when: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of timestamps, as 32-bit integers (NaT: about -1e8, far below any day)."""
    return (when.astype("datetime64[ns]", copy=False).view(np.int64) // _NS_PER_DAY).astype(np.int32)
