"""Comparisons and trends of a table too large to hold their workings at once: worked through in shards.

The report batch's company context compares every unit's NPS, CSAT and CES with the rest of the
company, targets and earlier periods, with cluster-robust (customer) variances, on all responses.
Held at once, the workings of those comparisons grow with the rows (about 0.13 GB per million
responses). Here the table is split into shards that each hold whole customers
(:func:`customer_shards`); each comparison adds up its counts and the sums its design effects are
made from over the shards (:func:`~cxkit.stats.design._moments`: whole numbers, exact in any order)
and makes its table once at the end, so the memory is that of one shard whatever the rows.

The tables equal those of :func:`~cxkit.stats.compare`, :func:`~cxkit.stats.trend` and
:func:`~cxkit.stats.nps_distribution` on the whole table: the same counts, and design effects equal
to rounding (tests/stats/test_shards.py).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from .comparisons import _add_sums, _check_compare, _compare_sums, _compare_table
from .rules import _check_common
from .scores import _add_distributions, nps_distribution
from .trends import _add_trend_sums, _FREQS, _trend_sums, _trend_table

__all__: list[str] = []

#: rows per shard: the workings of the company context's comparisons take about 90 bytes per row of a shard
SHARD_ROWS = 1_000_000


def customer_shards(data: pd.DataFrame, *, cluster: str | None = "customer_id", rows: int = SHARD_ROWS,
                    groups: tuple = ()):
    """The rows of ``data`` in about ``len(data) / rows`` shards (tables, in the rows' order), each holding
    every answer of its customers; a row without a customer is its own cluster and may go to any shard.
    One shard is ``data`` itself. Categorical columns keep their categories, and the ``groups`` columns
    become categorical with the categories of the whole table (sorted, as :func:`compare` numbers a column's
    values), so groups are numbered alike in every shard, also those a shard has no rows of."""
    k = max(1, -(-len(data) // max(int(rows), 1)))
    if k == 1:
        yield data
        return
    dtypes = {c: pd.CategoricalDtype(pd.Index(data[c].dropna().unique()).sort_values())
              for c in groups if c in data.columns and not isinstance(data[c].dtype, pd.CategoricalDtype)}
    keys, known = _customer_keys(data[cluster]) if cluster is not None and cluster in data.columns else (None, None)
    shard = np.empty(len(data), dtype=np.int16 if k < 2**15 else np.int32)  # 2 bytes a row, made a slice at a time
    for i in range(0, len(data), int(rows)):
        at = np.arange(i, min(i + int(rows), len(data)))
        shard[at] = at % k
        if keys is not None:  # a row without a customer: any shard (the one of its position)
            key = (keys[at].astype(np.uint64) % np.uint64(k)).astype(np.int64)  # (codes may be 8-bit)
            shard[at] = np.where(known[at], key, shard[at])
    del keys, known
    for s in range(k):
        part = data.take(np.flatnonzero(shard == s))
        for c, dtype in dtypes.items():
            part[c] = part[c].astype(dtype)
        yield part


def _customer_keys(col: pd.Series):
    """Non-negative whole numbers equal for equal customers, and which rows have one: a categorical column's
    codes, an integer column's values (the report batch's 64-bit id hashes) as they are, other columns
    numbered."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()
        return codes, codes >= 0
    if pd.api.types.is_unsigned_integer_dtype(col.dtype):
        arr = col.array
        if isinstance(arr, pd.arrays.IntegerArray):
            return arr._data, ~arr._mask
        return col.to_numpy(), np.ones(len(col), dtype=bool)
    codes = pd.factorize(col)[0]
    return codes, codes >= 0


class _Job:
    """One table made over shards: ``add`` each shard, then ``result()``. A shard that cannot be compared
    (a missing column, values off the scale) would fail on the whole table too: the job then fails."""

    def __init__(self, make_sums, add, finish):
        self._make, self._add, self._finish = make_sums, add, finish
        self._sums, self._error = None, None

    def add(self, shard: pd.DataFrame) -> None:
        if self._error is not None:
            return
        try:
            self._sums = self._add(self._sums, self._make(shard))
        except (InsufficientDataError, ConfigError) as exc:
            self._error = exc

    def result(self) -> pd.DataFrame:
        if self._error is not None:
            raise self._error
        if self._sums is None:
            raise InsufficientDataError("no shards were added")
        return self._finish(self._sums)


def compare_job(*, metric: str = "nps", by="unit", against: str = "rest", targets=None, period=None,
                date: str | None = None, correction: str = "fdr_bh", alpha: float = 0.05, min_n_show: int = 5,
                min_n_test: int = 30, confidence: float = 0.95, scale=None, box=None, method=None, bands=None,
                cluster: str | None = None, reference=None) -> _Job:
    """:func:`~cxkit.stats.compare` over shards (arguments as there; ``period`` is needed for earlier periods,
    and ``against="pairs"`` is not available)."""
    _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence)
    _check_compare(by, against)
    given = dict(metric=metric, by=by, against=against, period=period, date=date, scale=scale, box=box, bands=bands,
                 cluster=cluster, reference=reference)
    return _Job(lambda shard: _compare_sums(shard, shard=True, **given), _add_sums,
                lambda sums: _compare_table(sums, targets=targets, correction=correction, alpha=alpha,
                                            min_n_show=min_n_show, min_n_test=min_n_test, confidence=confidence,
                                            method=method, cluster=cluster))


def trend_job(*, metric: str = "nps", freq: str = "M", by=None, date: str | None = None, start=None, end=None,
              correction: str = "fdr_bh", alpha: float = 0.05, min_n_show: int = 5, min_n_test: int = 30,
              confidence: float = 0.95, scale=None, box=None, method=None, bands=None) -> _Job:
    """:func:`~cxkit.stats.trend` over shards (arguments as there; ``start`` and ``end`` are needed, so that
    every shard has the same periods; no ``cluster``)."""
    _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence)
    if freq not in _FREQS:
        raise ConfigError(f"freq={freq!r} - expected 'W' (week), 'M' (month), 'Q' (quarter) or 'Y' (year)")
    given = dict(metric=metric, freq=freq, by=by, date=date, start=start, end=end, scale=scale, box=box, bands=bands,
                 cluster=None)
    return _Job(lambda shard: _trend_sums(shard, shard=True, **given), _add_trend_sums,
                lambda sums: _trend_table(sums, correction=correction, alpha=alpha, min_n_show=min_n_show,
                                          min_n_test=min_n_test, confidence=confidence, method=method, cluster=None))


def distribution_job(*, by: str | None = None) -> _Job:
    """:func:`~cxkit.stats.nps_distribution` over shards."""
    return _Job(lambda shard: [nps_distribution(shard, by=by)], lambda a, b: (a or []) + b,
                lambda frames: _add_distributions(frames, by))
