"""Answers that are not independent: cluster-robust design effects.

A customer who answers several times gives alike answers, so plain tests flag
noise too often. With ``cluster=`` :func:`compare` and :func:`trend` compute the
CR1 cluster-robust variance of each difference through its design effect
(robust variance / independent variance) and widen intervals and redo tests
with it (never narrower than for independent answers).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import ConfigError
from . import preparation as _preparation
from .kinds import _rows
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")

__all__: list[str] = []


class _ClusterData(NamedTuple):
    """Valid observations of one comparison set: value, column (group, or group x period), cluster code."""

    x: np.ndarray
    col: np.ndarray
    cl: np.ndarray
    ncols: int
    split: "_Split | None" = None  # made by _cells when not given
    whole: bool | None = None  # every sum of x exact (:func:`_whole_sums`); None: look


def _cluster_codes(data: pd.DataFrame, cluster: str) -> np.ndarray:
    if cluster not in data.columns:
        raise ConfigError(f"cluster={cluster!r}: no such column; available: {', '.join(map(str, data.columns))}")
    col = data[cluster]
    if isinstance(col.dtype, pd.CategoricalDtype):  # already coded (e.g. by the report batch): no hashing
        codes = col.cat.codes.to_numpy()
    else:
        codes, _ = pd.factorize(col)
    missing = codes < 0  # a missing id is its own cluster
    codes = codes.astype(np.int64)
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return codes


def _observation_values(kind_name: str, payload, rows) -> np.ndarray:
    """Per-answer value whose mean is the metric: +1/0/-1 for NPS, 0/1 for shares, the value for means."""
    if kind_name == "nps":
        return (payload[rows] - 1).astype(float)
    return payload[rows].astype(float)


def _answers_per_cluster(cd: _ClusterData) -> np.ndarray:
    return np.bincount(cd.cl, minlength=int(cd.cl.max()) + 1 if cd.cl.size else 0)


def _sorted_with_positions(key: np.ndarray):
    """Positions that order non-negative integer ``key`` (equal keys in the order of their positions) and
    the sorted keys. Sorts the numbers ``key << bits | position`` themselves: about twice as fast as a
    stable argsort of the keys."""
    m = key.size
    bits = int(max(m - 1, 1)).bit_length()
    if m == 0 or int(key.max()) >= 2 ** (62 - bits) or int(key.min()) < 0:
        order = np.argsort(key, kind="stable")
        return order, key[order]
    both = np.sort((key.astype(np.int64) << bits) | np.arange(m, dtype=np.int64))
    return both & np.int64((1 << bits) - 1), both >> bits


class _Split(NamedTuple):
    """The answers of clusters that answered once (``single``), and the others (``multi``) ordered by cluster
    (answers of a cluster in their order), with those clusters (``multi_cl``)."""

    single: np.ndarray
    multi: np.ndarray
    multi_cl: np.ndarray


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal ``values`` (sorted, or grouped) starts: True for the first value of a run."""
    new = np.empty(values.size, dtype=bool)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    return new


def _split(cl: np.ndarray) -> _Split:
    """:class:`_Split` of answers of clusters ``cl``, from one sort of them (no array over all clusters)."""
    m = cl.size
    order, sorted_cl = _sorted_with_positions(cl)
    first = _run_starts(sorted_cl)
    alone = first.copy()  # the first answer of its cluster and the last
    alone[:-1] &= first[1:]
    once = np.empty(m, dtype=bool)
    once[order] = alone
    return _Split(np.flatnonzero(once), order[~alone], sorted_cl[~alone])


def _cells(cd: _ClusterData, *values: np.ndarray, counts: bool = True):
    """The (cluster, column) cells holding answers: their column, answers (``counts``) and the sums of each
    of ``values`` over their answers. The answers of clusters that answered once (most of them) are cells
    as they are, in their order; the cells of the other clusters come after them (from ``first`` on),
    ordered by cluster and column, and their clusters are returned (first of the five results).

    The other clusters' answers, ordered by cluster once (:class:`_Split`, kept by :func:`_cluster_data`),
    are ordered by cell with a stable sort that only has to order each cluster's few answers; the answers
    of a cell are added in their order, as ``np.bincount`` over the unsorted answers would."""
    split = cd.split if cd.split is not None else _split(cd.cl)
    single, multi = split.single, split.multi
    key = split.multi_cl * np.int64(cd.ncols) + cd.col[multi]
    perm = np.argsort(key, kind="stable")  # clusters in order already: short runs to merge
    sorted_key = key[perm]
    new = _run_starts(sorted_key)
    inv = np.empty(key.size, dtype=np.int64)
    inv[perm] = np.cumsum(new) - 1  # each answer's cell
    key = sorted_key[new]
    col = np.concatenate([cd.col[single], key % cd.ncols])
    n = np.concatenate([np.ones(len(single)), np.bincount(inv, minlength=len(key))]) if counts else None
    sums = [np.concatenate([v[single], np.bincount(inv, weights=v[multi], minlength=len(key))]) for v in values]
    return key // cd.ncols, col, n, sums, len(single)


def _cluster_sums(cd: _ClusterData, j, k):
    """Per column n, mean and sum of squared residuals; for the column pairs (j, k) the cross products of
    the clusters' residual sums (the (j, j), (k, k) and (j, k) entries of A'A, A the cluster x column
    residual sums) and the number of clusters with answers in j, in k and in both."""
    j, k = np.asarray(j, dtype=np.int64), np.asarray(k, dtype=np.int64)
    g = cd.ncols
    n = np.bincount(cd.col, minlength=g).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(cd.col, weights=cd.x, minlength=g) / n
    resid = cd.x - np.nan_to_num(mean)[cd.col]
    ss = np.bincount(cd.col, weights=resid * resid, minlength=g)
    cl, col, _, (a,), first = _cells(cd, resid, counts=False)
    tail_col, tail_a = col[first:], a[first:]  # the cells of clusters with more than one answer
    m_diag = np.bincount(col, weights=a * a, minlength=g)
    k_diag = np.bincount(col, minlength=g).astype(float)
    same = j == k
    if same.all():  # diagonal entries only (one column against a fixed target): no cross products needed
        return n, mean, ss, (m_diag[j], m_diag[k], m_diag[j]), (k_diag[j], k_diag[k], k_diag[j])
    # cross products: the pairs of cells of one cluster (cells d apart in the cluster-ordered tail)
    keys, prods = [], []
    i = np.arange(len(cl) - 1)
    d = 1
    while i.size:
        i = i[cl[i] == cl[i + d]]  # still inside one cluster at distance d (clusters are contiguous)
        keys.append(tail_col[i] * np.int64(g) + tail_col[i + d])  # column of i < column of i + d
        prods.append(tail_a[i] * tail_a[i + d])
        i = i[i + d + 1 < len(cl)]
        d += 1
    pair = np.minimum(j, k) * np.int64(g) + np.maximum(j, k)
    wanted = np.unique(pair)
    keys, prods = np.concatenate(keys or [np.zeros(0, np.int64)]), np.concatenate(prods or [np.zeros(0)])
    pos = np.minimum(np.searchsorted(wanted, keys), max(len(wanted) - 1, 0))
    hit = (wanted[pos] == keys) if len(wanted) else np.zeros(len(keys), dtype=bool)
    at = np.searchsorted(wanted, pair)
    m_cross = np.bincount(pos[hit], weights=prods[hit], minlength=len(wanted))[at]
    k_cross = np.bincount(pos[hit], minlength=len(wanted)).astype(float)[at]
    m_cross = np.where(same, m_diag[j], m_cross)
    k_cross = np.where(same, k_diag[j], k_cross)
    return n, mean, ss, (m_diag[j], m_diag[k], m_cross), (k_diag[j], k_diag[k], k_cross)


def _deff_pairs(cd: _ClusterData, j, k) -> np.ndarray:
    """Design effect of mean(column j) - mean(column k): CR1 cluster-robust variance / independent variance."""
    j, k = np.asarray(j, dtype=np.int64), np.asarray(k, dtype=np.int64)
    if j.size == 0:
        return np.zeros(0)
    n, _, ss, (m_jj, m_kk, m_jk), (c_jj, c_kk, c_jk) = _cluster_sums(cd, j, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        robust = m_jj / n[j] ** 2 + m_kk / n[k] ** 2 - 2 * m_jk / (n[j] * n[k])
        clusters = c_jj + c_kk - c_jk
        robust = robust * clusters / (clusters - 1)
        naive = ss[j] / n[j] ** 2 + ss[k] / n[k] ** 2
        return robust / naive


def _deff_single(cd: _ClusterData) -> np.ndarray:
    """Design effect of each column's mean (one group against a fixed target)."""
    cols = np.arange(cd.ncols)
    n, _, ss, (m, _, _), (c, _, _) = _cluster_sums(cd, cols, cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m * c / (c - 1) / ss


def _whole_sums(x: np.ndarray) -> bool:
    """Whether every sum of ``x`` values and of their squares and products is an exact float (whole
    numbers, all sums below 2**53): then they do not depend on the order they are added in."""
    return bool(x.size == 0 or (max(float(x.size), float(np.abs(x).sum())) ** 2 < 2.0 ** 52
                                and np.array_equal(x, np.round(x))))


def _clusters_of_cells(cells_cl, n_p, s_p, first):
    """Each cell's cluster (numbered among the clusters with answers), and the clusters' answers and sums, from
    :func:`_cells` (cells before ``first`` are clusters' only answers; the others, whose clusters are
    ``cells_cl``, are ordered by cluster). The sums are exact (:func:`_whole_sums`), so equal to sums over the
    answers in any order."""
    new = _run_starts(cells_cl)
    which = np.concatenate([np.arange(first), first + np.cumsum(new) - 1])
    size = first + int(new.sum())
    return which, np.bincount(which, weights=n_p, minlength=size), np.bincount(which, weights=s_p, minlength=size)


def _deff_rest(cd: _ClusterData) -> np.ndarray:
    """Design effect of mean(column j) - mean(all other columns), for every j at once.

    With S_c, N_c the sum and count of cluster c, r_j the mean of the rest and
    e_c = S_c - N_c r_j, the rest's residual sum in cluster c is e_c minus the
    part of the cluster inside j; clusters without answers in j contribute
    e_c^2 / n_rest^2, summed in closed form, and the few (cluster, j) cells with
    answers are corrected one by one.
    """
    g = cd.ncols
    n = np.bincount(cd.col, minlength=g).astype(float)
    sx = np.bincount(cd.col, weights=cd.x, minlength=g)
    sxx = np.bincount(cd.col, weights=cd.x * cd.x, minlength=g)
    big_n, big_s, big_ss = n.sum(), sx.sum(), sxx.sum()
    if cd.split is None:  # made once, for _cells and the single answers below
        cd = cd._replace(split=_split(cd.cl))
    cells_cl, j_p, n_p, (s_p,), first = _cells(cd, cd.x)
    whole = cd.whole if cd.whole is not None else _whole_sums(cd.x)
    if whole:  # integer sums, exact in any order: only the clusters with answers
        c_p, nc, sc = _clusters_of_cells(cells_cl, n_p, s_p, first)
    else:  # every cluster code, the sums in the order of the answers
        per_cluster = _answers_per_cluster(cd)
        nc = per_cluster.astype(float)
        sc = np.bincount(cd.cl, weights=cd.x, minlength=len(per_cluster))
        c_p = np.concatenate([cd.cl[cd.split.single], cells_cl])
    clusters_total = float((nc > 0).sum())
    q_ss, q_sn, q_nn = float((sc * sc).sum()), float((sc * nc).sum()), float((nc * nc).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        m = sx / n
        n_r = big_n - n
        r = (big_s - sx) / n_r
        glob = (q_ss - 2 * r * q_sn + r * r * q_nn) / n_r ** 2
        e = sc[c_p] - nc[c_p] * r[j_p]
        a = s_p - n_p * m[j_p]
        b = e - (s_p - n_p * r[j_p])
        s = a / n[j_p] - b / n_r[j_p]
        corr = np.bincount(j_p, weights=s * s - e * e / n_r[j_p] ** 2, minlength=g)
        robust = (glob + corr) * clusters_total / (clusters_total - 1)
        ss_j = sxx - n * m * m
        ss_r = (big_ss - sxx) - n_r * r * r
        naive = ss_j / n ** 2 + ss_r / n_r ** 2
        return robust / naive


def _cluster_data(kind_name, parts, cl, ncols) -> _ClusterData:
    """Stack (valid, payload, codes, column offset) parts of one comparison set."""
    xs, cols, cls = [], [], []
    for valid, payload, codes, offset in parts:
        held = (valid, payload, codes, cl)
        x, col, c = _preparation._recent("cluster part", (kind_name,), held, lambda held=held: _part(kind_name, *held))
        xs.append(x)
        cols.append(col + offset if offset else col)
        cls.append(c)
    if len(parts) == 1:  # the part as it is (kept): nothing changes the arrays of a _ClusterData
        x, col, c = xs[0], cols[0], cls[0]
    else:
        x, col, c = np.concatenate(xs), np.concatenate(cols).astype(np.int64), np.concatenate(cls)
    # which answers are their cluster's only one depends on the rows, not on the groups: kept for them
    split = _preparation._recent("cluster split", (), tuple(p[0] for p in parts) + (cl,), lambda: _split(c))
    # NPS (-1, 0, 1) and shares (0, 1): every sum of the values, of their squares and products is a whole number
    # below 2**52 (at most the answers, squared)
    whole = kind_name in ("nps", "share") and float(x.size) ** 2 < 2.0 ** 52
    return _ClusterData(x, col, c, ncols, split, whole)


def _part(kind_name, valid, payload, codes, cl):
    """Value, group code and cluster of the rows of ``valid`` (codes as given: int32 from categories)."""
    rows = _rows(valid)
    return _observation_values(kind_name, payload, rows), codes[rows], cl[rows]


def _apply_deff(dd: dict, deff, kind_name: str, cluster: str) -> dict:
    """Widen intervals by sqrt(design effect) (never narrower than for independent answers) and redo the tests."""
    f = np.sqrt(np.maximum(np.asarray(deff, dtype=float), 1.0))
    out = dict(dd)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = dd["diff"] if kind_name == "share" else (dd["low"] + dd["high"]) / 2
        out["low"] = centre - (centre - dd["low"]) * f
        out["high"] = centre + (dd["high"] - centre) * f
        stat = dd["statistic"] / f
        out["statistic"] = stat
        if "df" in dd:
            out["p"] = 2 * stats.t.sf(np.abs(stat), dd["df"])
        else:
            out["p"] = 2 * stats.norm.sf(np.abs(stat))
    out["p"] = np.where(np.isfinite(f), out["p"], np.nan)
    out["test"] = np.array([f"{t}, cluster-robust by {cluster}" for t in dd["test"]], dtype=object)
    return out


def _check_cluster(data, cluster, spec):
    if cluster is None:
        return None
    if spec["kind"] == "median":
        raise ConfigError("cluster= is not available for response times (rank tests); it works for nps, csat, ces, "
                          "ces_mean, churn_rate, cac and cost_to_serve")
    return _preparation._reused(data, ("cluster", cluster), lambda: _cluster_codes(data, cluster))


# --------------------------------------------------------------------------------------
# Sums that add up over shards of whole clusters (the report batch's company context)
#
# With S_cj, N_cj the sum and count of cluster c's answers in column j, every design effect above is a
# quadratic form in those cell sums and in the clusters' totals (S_c, N_c). Its coefficients depend on
# the column means only, so the sums of the cells' products can be added up over any split of the
# answers that keeps each cluster whole, and the design effect computed once at the end. For the
# whole-number values of NPS and shares every such sum is a whole number, exact in any order.


def _moments(cd: _ClusterData, offset: int = 0) -> dict:
    """Additive sums of one shard's answers (whole clusters only) for :func:`_deff_rest_from`,
    :func:`_deff_single_from` and, with ``offset``, :func:`_deff_pairs_from` of columns j and j + offset.

    Per column: answers ``n``, sums ``sx``, ``sxx``, cells ``cells``, and over its cells the ten products
    of (cell sum, cell count, cluster sum, cluster count) (``m``, shape columns x 4 x 4); the clusters'
    ``q`` (sum of S_c^2, S_c N_c, N_c^2) and their number; with ``offset``, per column j the cross
    products of the cells of a cluster in j and j + offset (``cross``: S S, S N, N S, N N, both)."""
    whole = cd.whole if cd.whole is not None else _whole_sums(cd.x)
    if not whole:
        raise ConfigError("sums over shards need whole-number answers (NPS, shares)")
    g = cd.ncols
    n = np.bincount(cd.col, minlength=g).astype(float)
    sx = np.bincount(cd.col, weights=cd.x, minlength=g)
    sxx = np.bincount(cd.col, weights=cd.x * cd.x, minlength=g)
    if cd.split is None:
        cd = cd._replace(split=_split(cd.cl))
    cells_cl, col, n_p, (s_p,), first = _cells(cd, cd.x)
    c_p, nc, sc = _clusters_of_cells(cells_cl, n_p, s_p, first)
    v = np.stack([s_p, n_p, sc[c_p], nc[c_p]])
    m = np.empty((g, 4, 4))
    for a in range(4):
        for b in range(a, 4):
            m[:, a, b] = m[:, b, a] = np.bincount(col, weights=v[a] * v[b], minlength=g)
    out = dict(n=n, sx=sx, sxx=sxx, cells=np.bincount(col, minlength=g).astype(float), m=m,
               q=np.array([(sc * sc).sum(), (sc * nc).sum(), (nc * nc).sum()]), clusters=np.array(float(len(sc))))
    if offset:
        cross = np.zeros((g, 5))
        tail_col, tail_n, tail_s = col[first:], n_p[first:], s_p[first:]
        key = cells_cl * np.int64(g) + tail_col  # ascending: cells ordered by cluster, then column
        at = np.searchsorted(key, key + offset)
        at = np.minimum(at, max(key.size - 1, 0))
        hit = (key[at] == key + offset) if key.size else np.zeros(0, dtype=bool)
        i, k = np.flatnonzero(hit), at[hit]
        j = tail_col[i]
        for c, w in enumerate((tail_s[i] * tail_s[k], tail_s[i] * tail_n[k], tail_n[i] * tail_s[k],
                               tail_n[i] * tail_n[k], np.ones(i.size))):
            cross[:, c] = np.bincount(j, weights=w, minlength=g)
        out["cross"] = cross
    return out


def _add_moments(a: dict | None, b: dict) -> dict:
    """The sums of two shards (:func:`_moments`)."""
    return b if a is None else {k: a[k] + b[k] for k in a}


def _column_means(mo: dict) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(mo["sx"] / mo["n"])


def _diag(mo: dict, mu: np.ndarray):
    """Per column: the clusters' squared residual sums and the answers' squared residuals, about ``mu``."""
    m = mo["m"]
    m_diag = m[:, 0, 0] - 2 * mu * m[:, 0, 1] + mu * mu * m[:, 1, 1]
    ss = mo["sxx"] - 2 * mu * mo["sx"] + mu * mu * mo["n"]
    return m_diag, ss


def _deff_single_from(mo: dict) -> np.ndarray:
    """:func:`_deff_single` from the sums of :func:`_moments`."""
    m_diag, ss = _diag(mo, _column_means(mo))
    c = mo["cells"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return m_diag * c / (c - 1) / ss


def _deff_pairs_from(mo: dict, j, offset: int) -> np.ndarray:
    """:func:`_deff_pairs` of columns ``j`` and ``j + offset`` from the sums of :func:`_moments` (made with
    that ``offset``)."""
    j = np.asarray(j, dtype=np.int64)
    k = j + offset
    n = mo["n"]
    mu = _column_means(mo)
    m_diag, ss = _diag(mo, mu)
    s_s, s_n, n_s, n_n, both = mo["cross"][j].T
    m_jk = s_s - mu[k] * s_n - mu[j] * n_s + mu[j] * mu[k] * n_n
    with np.errstate(divide="ignore", invalid="ignore"):
        robust = m_diag[j] / n[j] ** 2 + m_diag[k] / n[k] ** 2 - 2 * m_jk / (n[j] * n[k])
        clusters = mo["cells"][j] + mo["cells"][k] - both
        robust = robust * clusters / (clusters - 1)
        naive = ss[j] / n[j] ** 2 + ss[k] / n[k] ** 2
        return robust / naive


def _deff_rest_from(mo: dict) -> np.ndarray:
    """:func:`_deff_rest` from the sums of :func:`_moments`: the same closed form, with each cell's
    correction s^2 - e^2 / n_r^2 written as quadratic forms of (cell sum, cell count, cluster sum,
    cluster count) and summed per column through their products."""
    n, sx, sxx, m = mo["n"], mo["sx"], mo["sxx"], mo["m"]
    big_n, big_s, big_ss = n.sum(), sx.sum(), sxx.sum()
    q_ss, q_sn, q_nn = mo["q"]
    clusters_total = float(mo["clusters"])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sx / n
        n_r = big_n - n
        r = (big_s - sx) / n_r
        glob = (q_ss - 2 * r * q_sn + r * r * q_nn) / n_r ** 2
        zero = np.zeros_like(n)
        alpha = np.stack([1 / n + 1 / n_r, -mean / n - r / n_r, -1 / n_r + zero, r / n_r], axis=1)
        beta = np.stack([zero, zero, 1 + zero, -r], axis=1)
        corr = (np.einsum("ja,jab,jb->j", alpha, m, alpha)
                - np.einsum("ja,jab,jb->j", beta, m, beta) / n_r ** 2)
        robust = (glob + corr) * clusters_total / (clusters_total - 1)
        ss_j = sxx - n * mean * mean
        ss_r = (big_ss - sxx) - n_r * r * r
        naive = ss_j / n ** 2 + ss_r / n_r ** 2
        return robust / naive
