"""A metric per period (week, month, quarter, year) and which period-over-period changes are real."""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..periods import window
from .design import _apply_deff, _check_cluster, _cluster_data, _deff_pairs
from .kinds import COMPARE_METRICS, _add_counts, _Additive, _blank, _Opts
from .results import _as_ts
from . import preparation as _preparation
from .preparation import _NS_PER_DAY, _day_numbers, _group_codes, _prepared
from .rules import _COLUMNS, _check_common, _finish, _frame
from .twosample import _nps_test_name

__all__ = ["trend"]


_FREQS = {"W": "W", "week": "W", "weekly": "W", "M": "M", "month": "M", "monthly": "M", "Q": "Q",
          "quarter": "Q", "quarterly": "Q", "Y": "Y", "year": "Y", "yearly": "Y"}


def _period_index(when: np.ndarray | None, periods: pd.PeriodIndex, *, day: np.ndarray | None = None) -> np.ndarray:
    """Position of each timestamp's period in ``periods`` (-1 or ``len(periods)`` outside them, -1 for NaT).

    Periods start at midnight, so the day decides: each row's day number indexes a table with one
    entry per day of the span and one more at each end for the days outside (a search per row, or
    numpy's calendar cast to months, costs 5-10x more). ``day``: the rows' day numbers, when known.
    """
    edges = np.array([p.start_time for p in periods] + [(periods[-1] + 1).start_time], dtype="datetime64[ns]")
    day0, day1 = (edges[[0, -1]].astype(np.int64) // _NS_PER_DAY).tolist()
    days = np.arange(day0, day1, dtype=np.int64) * _NS_PER_DAY  # midnight of every day of the periods
    table = np.concatenate([[-1], np.searchsorted(edges.astype(np.int64), days, side="right") - 1, [len(periods)]])
    if day is None:
        day = _day_numbers(when)
    return table[np.clip(day - (day0 - 1), 0, len(days) + 1)]


def _period_cells(day: np.ndarray, periods: pd.PeriodIndex, codes: np.ndarray, g: int):
    """Rows inside the periods and with a group, and each one's (period, group) cell number
    (``period * g + group``; other rows' numbers are not used). Kept while :func:`reuse_prepared` is
    active: the metrics of a table share them."""
    def make():
        small = np.int32 if (len(periods) + 2) * max(g, 1) < 2**31 else np.int64  # (half the memory of int64)
        at = _preparation._recent("period index", span, (day,),
                                  lambda: _period_index(None, periods, day=day).astype(small))
        inside = (at >= 0) & (at < len(periods)) & (codes >= 0)  # NaT: at = -1; no group: code -1
        return inside, at * small(g) + codes.astype(small, copy=False)

    span = (periods.freqstr, str(periods[0]), len(periods))
    return _preparation._recent("period cells", span + (g,), (day, codes), make)


def trend(data: pd.DataFrame | None = None, *, metric: str = "nps", freq: str = "M",
          by: str | Sequence[str] | None = None, date: str | None = None, start=None, end=None,
          correction: str = "fdr_bh", alpha: float = 0.05, min_n_show: int = 5, min_n_test: int = 30,
          confidence: float = 0.95, scale: tuple[int, int] | None = None, box: tuple[int, int] | None = None,
          method: str | None = None, bands: dict | None = None, cluster: str | None = None) -> pd.DataFrame:
    """A metric per period (week, month, quarter) with intervals, and which changes are real.

    Each period is compared with the one before it (same group) with the test of
    :func:`compare`; all period-over-period changes of the returned table form one
    family for the correction.

    Parameters
    ----------
    freq : ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``
    by : optional grouping column(s): one trend line per group
    start, end : first and last date to include (default: the data's range)
    cluster : as :func:`compare`: a customer answering in two periods makes the
        periods dependent; the cluster-robust variance accounts for it
    Other parameters as :func:`compare`.

    Returns
    -------
    DataFrame
        The ``by`` column(s) if given; ``period`` (pandas Period), ``period_start``
        (Timestamp); then the columns of :func:`compare`, where ``vs`` is the
        previous period, ``reference``/``reference_n`` its value and n, and
        ``diff`` the change from it. Empty periods appear with ``n`` = 0 (not
        shown), so gaps stay visible; the first period has no comparison.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2025-01-15"] * 100 + ["2025-02-15"] * 100),
    ...                    "nps": [10, 9, 7, 8] * 25 + [10, 3, 2, 1] * 25})
    >>> t = trend(df, metric="nps", freq="M")
    >>> t[["period", "value", "diff", "direction"]]
        period  value  diff direction
    0  2025-01   50.0   NaN not tested
    1  2025-02  -50.0 -100.0     lower
    """
    _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence)
    if freq not in _FREQS:
        raise ConfigError(f"freq={freq!r} - expected 'W' (week), 'M' (month), 'Q' (quarter) or 'Y' (year)")
    if not isinstance(data, pd.DataFrame):
        raise ConfigError("data: expected a table (DataFrame), e.g. cx.load(folder).responses")
    sums = _trend_sums(data, metric=metric, freq=freq, by=by, date=date, start=start, end=end, scale=scale, box=box,
                       bands=bands, cluster=cluster)
    return _trend_table(sums, correction=correction, alpha=alpha, min_n_show=min_n_show, min_n_test=min_n_test,
                        confidence=confidence, method=method, cluster=cluster)


class _TrendSums(NamedTuple):
    """What a trend table is made from: each period's cells of every group, and the clusters' answers
    (``cd``). Of a whole table, or added over shards of it (:func:`_add_trend_sums`)."""

    metric: str
    freq: str
    kind: object
    periods: pd.PeriodIndex
    labels: pd.DataFrame
    by_names: list
    by: object
    cells: list
    cd: object = None


def _trend_sums(data, *, metric, freq, by, date, start, end, scale, box, bands, cluster,
                shard: bool = False) -> _TrendSums:
    """Each period's cells (and the clusters' answers) of one trend. ``shard``: ``data`` is one of several
    tables; the cells are made to be added (:func:`_add_trend_sums`), which needs ``start`` and ``end`` (the
    same periods in every shard), an additive metric and no ``cluster``."""
    spec = COMPARE_METRICS[metric]
    prep = _prepared(data, metric, date=date, scale=scale, box=box, bands=bands)
    kind = prep.kind
    cl = _check_cluster(data, cluster, spec)
    if shard and (start is None or end is None or cl is not None or kind.name not in ("nps", "share")
                  or prep.churn is not None):  # counts add up over shards
        raise ConfigError("trend sums over shards need start= and end=, an additive metric and no cluster=")
    if not shard:  # (a table without dated answers is an error; a shard without them is not)
        lo, hi = prep.date_range()
    lo = _as_ts(start) if start is not None else lo
    hi = _as_ts(end) if end is not None else hi
    if hi < lo:
        raise ConfigError(f"start={start!r} is after end={end!r}")
    periods = pd.period_range(lo, hi, freq=_FREQS[freq])
    codes, labels, by_names = _group_codes(data, by)
    g = len(labels)
    cells, parts = [], []
    if isinstance(kind, _Additive) and prep.churn is None and cl is None and len(periods):
        # one pass: each row's period found once, cells of every (period, group) from one reduction; the
        # same sums as one pass per period (bincount adds each cell's rows in the same order)
        inside, cell = _period_cells(prep.days(), periods, codes, g)
        valid = prep.ok & inside
        both = kind.cells(prep.payload, valid, cell, len(periods) * g)
        cells = [kind.take(both, np.arange(t * g, (t + 1) * g)) for t in range(len(periods))]
    else:
        for t, p in enumerate(periods):
            valid, payload = prep.observations(window(p))
            cells.append(kind.cells(payload, valid & (codes >= 0), codes, g))
            parts.append((valid, payload, codes, t * g))
    cd = _cluster_data(kind.name, parts, cl, len(periods) * g) if cl is not None and len(periods) > 1 else None
    return _TrendSums(metric, _FREQS[freq], kind, periods, labels, by_names, by, cells, cd)


def _add_trend_sums(a: _TrendSums | None, b: _TrendSums) -> _TrendSums:
    """The cells of two shards (:func:`_trend_sums` with ``shard=True``) of one table."""
    if a is None:
        return b
    if not (a.labels.equals(b.labels) and a.periods.equals(b.periods)):  # a caller's mistake, never left out
        raise ValueError("trend sums over shards: the shards' groups or periods differ (give the grouping column "
                         "as categories, and start= and end=)")
    return a._replace(cells=[_add_counts(x, y) for x, y in zip(a.cells, b.cells)])


def _trend_table(sums: _TrendSums, *, correction, alpha, min_n_show, min_n_test, confidence, method,
                 cluster) -> pd.DataFrame:
    """:func:`trend`'s table from the sums of :func:`_trend_sums` (of a table, or added over its shards)."""
    metric, freq, kind, periods, labels, by_names, by, cells, cd = sums
    spec = COMPARE_METRICS[metric]
    opts = _Opts(confidence, method, cluster is not None)
    g = len(labels)
    n_total = sum(kind.n(c) for c in cells) if cells else np.zeros(g)
    groups = np.flatnonzero(n_total > 0)
    frames = []
    for t, p in enumerate(periods):
        a = kind.take(cells[t], groups)
        if t == 0:
            b = None
            dd = _blank(groups.size, spec["test"].split(";")[0] if spec["kind"] != "nps" else
                        _nps_test_name("wald" if method == "wald" else "adjusted-wald"))
            ref_v, ref_n = np.full(groups.size, np.nan), np.zeros(groups.size)
        else:
            b = kind.take(cells[t - 1], groups)
            dd = kind.diff(a, b, opts)
            if cd is not None:
                dd = _apply_deff(dd, _deff_pairs(cd, t * g + groups, (t - 1) * g + groups), kind.name, cluster)
            ref_v, ref_n = kind.estimate(b, opts)[0], kind.n(b)
        f = _frame(labels.iloc[groups], str(periods[t - 1]) if t else "", metric, kind.estimate(a, opts),
                   kind.n(a), ref_v, ref_n, dd)
        f.insert(len(by_names) if by is not None else 0, "period", p)
        f.insert(len(by_names) + 1 if by is not None else 1, "period_start", p.start_time)
        f["_first"] = t == 0
        frames.append(f)
    cols = (by_names if by is not None else []) + ["period", "period_start"] + _COLUMNS
    if not frames:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(frames, ignore_index=True)
    first = frame.pop("_first").to_numpy(dtype=bool)
    # the first period has nothing to compare with: give it a reference n that passes the rules, then blank it
    frame.loc[first, "reference_n"] = max(min_n_test, min_n_show)
    frame = _finish(frame, ref_label="previous period", has_reference=True, min_n_show=int(min_n_show),
                    min_n_test=int(min_n_test), correction=correction, alpha=alpha)
    frame.loc[first, "reference_n"] = 0
    frame.loc[first, "direction"] = np.where(frame.loc[first, "suppressed"], "not shown", "not tested")
    frame.loc[first & ~frame["suppressed"].to_numpy(), "note"] = "first period"
    sort_cols = (by_names if by is not None else []) + ["period_start"]
    frame = frame[cols].sort_values(sort_cols, kind="stable").reset_index(drop=True)
    tested = int(frame["p_value"].notna().sum())
    frame.attrs.update(metric=metric, measured_in=spec["measured_in"], higher_is_better=spec["higher_is_better"],
                       against="previous", by=by_names if by is not None else None, freq=freq,
                       correction=correction, alpha=alpha, confidence=confidence, min_n_show=int(min_n_show),
                       min_n_test=int(min_n_test),
                       family=f"period-over-period changes: the {tested} tested rows of this table",
                       family_size=tested, effect_size=spec["effect_size"], cluster=cluster)
    return frame
