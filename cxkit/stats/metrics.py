"""Every CX metric for every group: :func:`metric_table` and the metrics it knows (:data:`METRICS`).

The metrics themselves live by topic: :mod:`.scores` (NPS, CSAT, CES), :mod:`.tickets` (first
response time), :mod:`.customers` (churn, CAC, cost to serve, CLV), their result
:class:`~cxkit.stats.results.Estimate` in :mod:`.results`. :func:`metric_table` computes one of them
per group as a tidy DataFrame, from counts, vectorised (see :mod:`.intervals`), so a table over
hundreds of units costs about as much as counting.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from .customers import churn_hazard, churn_rate, default_period
from .intervals import _mean_interval, _median_ranks, _nps_interval, _share_interval
from .results import _as_ts
from .scores import NPS_BANDS, _top_box


__all__ = ["metric_table", "METRICS"]


#: metric name -> (table it is computed from, unit)
METRICS = {
    "nps": ("responses", "points"),
    "csat": ("responses", "%"),
    "ces": ("responses", "%"),
    "ces_mean": ("responses", "points"),
    "first_response_time": ("tickets", "hours"),
    "first_response_time_median": ("tickets", "hours"),
    "churn_rate": ("customers", "%"),
    "churn_hazard": ("customers", "% per month"),
    "cac": ("customers", "currency"),
    "cost_to_serve": ("customers", "currency"),
}

#: metric name -> the columns its table must have (churn needs its customer columns, checked by churn_rate)
_NEEDS = {
    "nps": ("nps",), "csat": ("csat",), "ces": ("ces",), "ces_mean": ("ces",),
    "first_response_time": ("created_at", "first_response_at"),
    "first_response_time_median": ("created_at", "first_response_at"),
    "cac": ("acquisition_cost",), "cost_to_serve": ("cost_to_serve",),
}


def _check_columns(data: pd.DataFrame, metric: str) -> None:
    """A cxkit error naming the column(s) ``metric`` needs that ``data`` lacks (none: nothing happens)."""
    missing = [c for c in _NEEDS.get(metric, ()) if c not in data.columns]
    if missing:
        raise ConfigError(f"metric={metric!r} needs the {METRICS[metric][0]} table with column(s) "
                          f"{', '.join(map(repr, missing))}; the data have: {', '.join(map(str, data.columns))}")


def metric_table(data: pd.DataFrame, *, metric: str = "nps", by: str | Sequence[str] | None = None,
                 method: str | None = None, confidence: float = 0.95, scale: tuple[int, int] | None = None,
                 box: tuple[int, int] | None = None, start=None, end=None, total: bool = False) -> pd.DataFrame:
    """One metric per group as a tidy table.

    Parameters
    ----------
    data : the table the metric comes from (responses, tickets or customers)
    metric : one of :data:`METRICS`
    by : grouping column(s), e.g. ``"unit"`` or ``["region", "unit"]``; None = one row
    method : interval method (default: adjusted-wald for NPS, wilson for shares)
    scale, box : scale of CSAT/CES and its satisfied/easy range (default top two)
    start, end : period for churn and CAC
    total : add a row for all data (group value ``"All"``)

    Returns
    -------
    DataFrame
        group columns, ``metric``, ``value``, ``ci_low``, ``ci_high``, ``n``,
        ``method``, ``measured_in`` (for NPS also ``detractors``, ``passives``,
        ``promoters``; for shares ``successes``).

    Raises
    ------
    ConfigError
        An unknown metric, or a table without the column(s) the metric needs (named in the message).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 4, "nps": [10, 9, 3, 8, 10, 10, 9, 6]})
    >>> metric_table(df, metric="nps", by="unit")[["unit", "value", "n"]]
      unit  value  n
    0    A   25.0  4
    1    B   50.0  4
    """
    if metric not in METRICS:
        raise ConfigError(f"metric={metric!r} - expected one of {', '.join(METRICS)}")
    by = [by] if isinstance(by, str) else list(by or [])
    for c in by:
        if c not in data.columns:
            raise ConfigError(f"by={c!r}: no such column; available: {', '.join(map(str, data.columns))}")
    _check_columns(data, metric)
    frames = []
    if by:
        keys = [data[c] for c in by]
        frames.append(_grouped(data, keys, by, metric, method, confidence, scale, box, start, end))
    if total or not by:
        row = _grouped(data, [pd.Series(0, index=data.index)], ["_all"], metric, method, confidence, scale, box,
                       start, end).drop(columns=["_all"])
        for c in by:
            row.insert(by.index(c), c, "All")
        frames.append(row)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return out.reset_index(drop=True)


def _codes(keys: list[pd.Series]):
    """Integer group codes and the group labels, for vectorised counting."""
    if len(keys) == 1:
        k = keys[0]
        if isinstance(k.dtype, pd.CategoricalDtype):
            codes = k.cat.codes.to_numpy().astype(np.int32)  # int32: room for code arithmetic, half of int64
            labels = pd.DataFrame({0: k.cat.categories})
            return codes, labels
        codes, uniques = pd.factorize(k, sort=True)
        return codes.astype(np.int64), pd.DataFrame({0: uniques})
    frame = pd.concat(keys, axis=1, ignore_index=True)
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(frame), sort=True)
    return codes.astype(np.int64), uniques.to_frame(index=False).set_axis(range(len(keys)), axis=1)


def _whole_numbers(s: pd.Series):
    """(values, valid) of a score column without copying: nullable integers use their data and mask."""
    arr = s.array
    if isinstance(arr, pd.arrays.IntegerArray):
        return arr._data, ~arr._mask
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(values)
    return np.where(valid, values, 0).astype(np.int64), valid


def _grouped_nps(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """NPS per group from the counts of each 0-10 answer (one bincount over group x answer)."""
    g = len(labels)
    values, ok = _whole_numbers(data["nps"])
    if not valid_group.all():
        ok = ok & valid_group
    counts = np.bincount(codes[ok].astype(np.int32) * 11 + values[ok], minlength=g * 11).reshape(g, 11)
    b = NPS_BANDS
    d = counts[:, b["detractors"][0]:b["detractors"][1] + 1].sum(1)
    pa = counts[:, b["passives"][0]:b["passives"][1] + 1].sum(1)
    p = counts[:, b["promoters"][0]:b["promoters"][1] + 1].sum(1)
    m = method or "adjusted-wald"
    with np.errstate(divide="ignore", invalid="ignore"):
        value, low, high = _nps_interval(d, pa, p, m, confidence)
    out = labels.assign(metric="nps", value=value * 100, ci_low=low * 100, ci_high=high * 100, n=d + pa + p,
                        method=m, measured_in="points", detractors=d, passives=pa, promoters=p)
    return out


def _grouped_share(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """CSAT or CES top-box share per group."""
    g = len(labels)
    default_scale = (1, 5)
    sc_ = tuple(scale or default_scale)
    sc_, bx = _top_box(sc_, box, metric)
    values, ok = _whole_numbers(data[metric])
    if not valid_group.all():
        ok = ok & valid_group
    n = np.bincount(codes[ok], minlength=g)
    k = np.bincount(codes[ok & (values >= bx[0]) & (values <= bx[1])], minlength=g)
    m = method or "wilson"
    value, low, high = _share_interval(k, n, m, confidence)
    out = labels.assign(metric=metric, value=value * 100, ci_low=low * 100, ci_high=high * 100, n=n, method=m,
                        measured_in="%", successes=k)
    return out


def _grouped_mean(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """Mean per group with its t interval (CES mean, CAC, cost to serve, mean first-response hours)."""
    g = len(labels)
    if metric == "first_response_time":
        arr = ((data["first_response_at"] - data["created_at"]).dt.total_seconds() / 3600).to_numpy(dtype=float)
        unit = "hours"
    else:
        col = {"ces_mean": "ces", "cac": "acquisition_cost", "cost_to_serve": "cost_to_serve"}[metric]
        arr = data[col].to_numpy(dtype="float64", na_value=np.nan)
        unit = METRICS[metric][1]
        if metric == "cac" and (start is not None or end is not None):
            acq = data["acquired_at"]
            inside = np.ones(len(data), bool)
            if start is not None:
                inside &= (acq >= _as_ts(start)).to_numpy()
            if end is not None:
                inside &= (acq <= _as_ts(end)).to_numpy()
            arr = np.where(inside, arr, np.nan)
    ok = valid_group & ~np.isnan(arr)
    n = np.bincount(codes[ok], minlength=g).astype(float)
    s1 = np.bincount(codes[ok], weights=arr[ok], minlength=g)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / n
        dev = arr[ok] - mean[codes[ok]]
        ss = np.bincount(codes[ok], weights=dev * dev, minlength=g)
        sd = np.sqrt(ss / (n - 1))
    low, high = _mean_interval(mean, sd, n, confidence)
    out = labels.assign(metric=metric, value=mean, ci_low=low, ci_high=high, n=n.astype(int), method="t",
                        measured_in=unit)
    return out


def _grouped_median(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """Median first-response hours per group with the order-statistic interval."""
    g = len(labels)
    hours = ((data["first_response_at"] - data["created_at"]).dt.total_seconds() / 3600).to_numpy(dtype=float)
    ok = valid_group & ~np.isnan(hours)
    order = np.lexsort((hours[ok], codes[ok]))
    hs, cs = hours[ok][order], codes[ok][order]
    n = np.bincount(cs, minlength=g)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    med = np.full(g, np.nan)
    low = np.full(g, np.nan)
    high = np.full(g, np.nan)
    lo_rank, hi_rank, okr = _median_ranks(np.maximum(n, 1), confidence)
    for i in range(g):
        if n[i]:
            x = hs[starts[i]:starts[i] + n[i]]
            med[i] = np.median(x)
            if okr[i]:
                low[i], high[i] = x[lo_rank[i] - 1], x[hi_rank[i] - 1]
    out = labels.assign(metric=metric, value=med, ci_low=low, ci_high=high, n=n, method="order statistics",
                        measured_in="hours")
    return out


def _grouped_churn(data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end):
    """Churn rate or hazard per group, one :func:`churn_rate` / :func:`churn_hazard` call each."""
    g = len(labels)
    if "acquired_at" in data.columns and "churned_at" in data.columns:
        d_start, d_end = default_period(data)
        start = d_start if start is None else start
        end = d_end if end is None else end
    rows = []
    for i in range(g):
        sub = data.loc[codes == i]
        try:
            est = (churn_rate if metric == "churn_rate" else churn_hazard)(sub, start=start, end=end,
                                                                             confidence=confidence)
            rows.append(dict(value=est.value, ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, method=est.method))
        except InsufficientDataError:
            rows.append(dict(value=np.nan, ci_low=np.nan, ci_high=np.nan, n=0, method=""))
    extra = pd.DataFrame(rows, index=labels.index)
    out = labels.assign(metric=metric, **{c: extra[c] for c in extra.columns}, measured_in=METRICS[metric][1])
    return out


_GROUPED = {"nps": _grouped_nps, "csat": _grouped_share, "ces": _grouped_share, "ces_mean": _grouped_mean,
            "cac": _grouped_mean, "cost_to_serve": _grouped_mean, "first_response_time": _grouped_mean,
            "first_response_time_median": _grouped_median, "churn_rate": _grouped_churn,
            "churn_hazard": _grouped_churn}


def _grouped(data, keys, names, metric, method, confidence, scale, box, start, end) -> pd.DataFrame:
    codes, labels = _codes(keys)
    labels.columns = names
    valid_group = codes >= 0
    if metric not in _GROUPED:  # pragma: no cover
        raise ConfigError(metric)
    out = _GROUPED[metric](data, codes, labels, valid_group, metric, method, confidence, scale, box, start, end)
    out = out[out["n"] > 0] if len(out) else out
    return out.reset_index(drop=True)
