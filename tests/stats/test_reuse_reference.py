"""The fast path of the report batch's context (kept rows, group codes, cluster parts and the cluster
split while ``reuse_prepared()`` is active; cells found by sorting) gives the same numbers as the
previous algorithm, kept here as the reference: one ``np.unique`` per comparison set, nothing kept.

The data are seeded and random: customers answering up to a dozen times (some without an id),
several units and touchpoints (some blank), two years of dates, missing scores.
"""
from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.report import context as context_module
from cxkit.stats import comparisons, design, trends
from cxkit.stats.design import _ClusterData, _observation_values
from cxkit.stats.kinds import _rows
from cxkit.stats.preparation import reuse_prepared


# ---------------------------------------------------------------------------------------------
# the previous algorithm (cxkit before issue 24, cxkit/stats/design.py), copied unchanged but for the
# names: one np.unique per comparison set, counts over every cluster code, nothing kept between calls


def _ref_answers_per_cluster(cd: _ClusterData) -> np.ndarray:
    return np.bincount(cd.cl, minlength=int(cd.cl.max()) + 1 if cd.cl.size else 0)


def _ref_cells(cd: _ClusterData, *values: np.ndarray, per_cluster: np.ndarray | None = None):
    """The (cluster, column) cells holding answers: their cluster, column, answers and the sums of each of
    ``values`` over their answers. The cells of clusters with more than one answer come last, ordered by
    cluster and column (``first`` is the first of them); the answers of clusters that answered once (most
    of them) are cells as they are, without a sort. ``per_cluster``: :func:`_answers_per_cluster`, when
    the caller has it already."""
    per_cluster = _ref_answers_per_cluster(cd) if per_cluster is None else per_cluster
    once = per_cluster[cd.cl] == 1
    single, multi = np.flatnonzero(once), np.flatnonzero(~once)
    key, inv = np.unique(cd.cl[multi] * np.int64(cd.ncols) + cd.col[multi], return_inverse=True)
    cl = np.concatenate([cd.cl[single], key // cd.ncols])
    col = np.concatenate([cd.col[single], key % cd.ncols])
    n = np.concatenate([np.ones(len(single)), np.bincount(inv, minlength=len(key))])
    sums = [np.concatenate([v[single], np.bincount(inv, weights=v[multi], minlength=len(key))]) for v in values]
    return cl, col, n, sums, len(single)


def _ref_cluster_sums(cd: _ClusterData, j, k):
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
    cl, col, _, (a,), first = _ref_cells(cd, resid)
    m_diag = np.bincount(col, weights=a * a, minlength=g)
    k_diag = np.bincount(col, minlength=g).astype(float)
    same = j == k
    if same.all():  # diagonal entries only (one column against a fixed target): no cross products needed
        return n, mean, ss, (m_diag[j], m_diag[k], m_diag[j]), (k_diag[j], k_diag[k], k_diag[j])
    # cross products: the pairs of cells of one cluster (cells d apart in the cluster-ordered tail)
    keys, prods = [], []
    i = np.arange(first, len(cl) - 1)
    d = 1
    while i.size:
        i = i[cl[i] == cl[i + d]]  # still inside one cluster at distance d (clusters are contiguous)
        keys.append(col[i] * np.int64(g) + col[i + d])  # column of i < column of i + d
        prods.append(a[i] * a[i + d])
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


def _ref_deff_pairs(cd: _ClusterData, j, k) -> np.ndarray:
    """Design effect of mean(column j) - mean(column k): CR1 cluster-robust variance / independent variance."""
    j, k = np.asarray(j, dtype=np.int64), np.asarray(k, dtype=np.int64)
    if j.size == 0:
        return np.zeros(0)
    n, _, ss, (m_jj, m_kk, m_jk), (c_jj, c_kk, c_jk) = _ref_cluster_sums(cd, j, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        robust = m_jj / n[j] ** 2 + m_kk / n[k] ** 2 - 2 * m_jk / (n[j] * n[k])
        clusters = c_jj + c_kk - c_jk
        robust = robust * clusters / (clusters - 1)
        naive = ss[j] / n[j] ** 2 + ss[k] / n[k] ** 2
        return robust / naive


def _ref_deff_single(cd: _ClusterData) -> np.ndarray:
    """Design effect of each column's mean (one group against a fixed target)."""
    cols = np.arange(cd.ncols)
    n, _, ss, (m, _, _), (c, _, _) = _ref_cluster_sums(cd, cols, cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m * c / (c - 1) / ss


def _ref_deff_rest(cd: _ClusterData) -> np.ndarray:
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
    per_cluster = _ref_answers_per_cluster(cd)
    nc = per_cluster.astype(float)
    sc = np.bincount(cd.cl, weights=cd.x, minlength=len(per_cluster))
    used = nc > 0
    clusters_total = float(used.sum())
    q_ss, q_sn, q_nn = float((sc * sc).sum()), float((sc * nc).sum()), float((nc * nc).sum())
    c_p, j_p, n_p, (s_p,), _ = _ref_cells(cd, cd.x, per_cluster=per_cluster)
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


def _ref_cluster_data(kind_name, parts, cl, ncols) -> _ClusterData:
    """Stack (valid, payload, codes, column offset) parts of one comparison set."""
    xs, cols, cls = [], [], []
    for valid, payload, codes, offset in parts:
        rows = _rows(valid)
        xs.append(_observation_values(kind_name, payload, rows))
        cols.append(codes[rows] + offset)
        cls.append(cl[rows])
    return _ClusterData(np.concatenate(xs), np.concatenate(cols).astype(np.int64), np.concatenate(cls), ncols)


_REFERENCE = {"_cluster_data": _ref_cluster_data, "_deff_pairs": _ref_deff_pairs, "_deff_rest": _ref_deff_rest,
              "_deff_single": _ref_deff_single}


def _use_reference(m) -> None:
    """Switch the fast path off: the previous functions in compare() and trend(), nothing kept."""
    for name, f in _REFERENCE.items():
        m.setattr(comparisons, name, f)
        if hasattr(trends, name):
            m.setattr(trends, name, f)
    m.setattr(context_module, "reuse_prepared", contextlib.nullcontext)


@pytest.fixture
def reference(monkeypatch):
    _use_reference(monkeypatch)


# ---------------------------------------------------------------------------------------------


def _responses(rng, n=6000):
    customers = 1500
    # a few customers answer very often, most once or twice
    who = np.minimum(rng.zipf(1.6, n) - 1, customers - 1)
    ids = pd.Series([f"C{i:05d}" for i in who], dtype=object)
    ids[rng.random(n) < 0.03] = None  # answers without an id: each its own cluster
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 731, n), unit="D")
    units = np.array(["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"])
    unit = units[np.minimum(rng.geometric(0.35, n) - 1, len(units) - 1)]  # unequal sizes, Zeta small
    tp = pd.Series(rng.choice(["billing", "delivery", "product", "chat"], n), dtype=object)
    tp[rng.random(n) < 0.05] = None
    nps = pd.array(rng.integers(0, 11, n), dtype="Int8")
    nps[rng.random(n) < 0.1] = pd.NA
    csat = pd.array(rng.integers(1, 6, n), dtype="Int8")
    csat[rng.random(n) < 0.3] = pd.NA
    ces = pd.array(rng.integers(1, 6, n), dtype="Int8")
    ces[rng.random(n) < 0.5] = pd.NA
    frame = pd.DataFrame({"unit": pd.Categorical(unit), "date": dates, "nps": nps, "csat": csat, "ces": ces,
                          "touchpoint": tp.astype("category"), "customer_id": ids})
    return frame


def _units():
    return pd.DataFrame({"unit": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
                         "region": ["North", "North", "South", "South", "East", None],
                         "target_nps": [10.0, 20.0, 0.0, 5.0, np.nan, 30.0],
                         "target_csat": [60.0, 55.0, 50.0, 70.0, 40.0, 65.0]})


def _context(responses):
    tables = context_module.attach_groups({"responses": responses, "units": _units()}, level="unit")
    return context_module.build_context(tables, level="unit", settings={},
                                        period=(pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31")),
                                        log=None, rejected=None, part="responses")


@pytest.mark.parametrize("as_categories", [False, True])  # ids as text, or coded as the batch codes them
def test_context_equals_the_previous_algorithm(rng, monkeypatch, as_categories):
    responses = _responses(rng)
    if as_categories:
        codes, uniq = pd.factorize(responses["customer_id"])
        responses["customer_id"] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.RangeIndex(len(uniq))))
    fast = _context(responses)
    with monkeypatch.context() as m:
        _use_reference(m)
        slow = _context(responses)
    assert list(fast) == list(slow) == ["comparisons", "trend", "nps_distribution", "touchpoints", "regions"]
    tested = fast["comparisons"]
    # the cluster-robust tests ran: every survey metric and comparison, with p-values
    assert tested["test"].str.contains("cluster-robust by customer_id").all()
    assert set(tested["against"]) == {"rest", "target", "previous", "year_ago"}
    assert set(tested["metric"]) == {"nps", "csat", "ces"} and tested["p_value"].notna().sum() > 40
    for name in fast:
        # the same arithmetic in the same order: equal to the last bit, not just close
        pd.testing.assert_frame_equal(fast[name], slow[name], check_exact=True, obj=name)


@pytest.mark.parametrize("against", ["rest", "target", "previous", "year_ago", "pairs"])
def test_repeated_calls_with_kept_parts_equal_the_previous_algorithm(rng, reference, against):
    """compare() over and over on one table inside reuse_prepared() (kept rows, parts and splits found
    again, by unit and for the company in turns) gives what the previous algorithm gives call by call."""
    responses = _responses(rng)
    calls = [dict(metric=m, by=by, against=against, period="2025Q4", cluster="customer_id",
                  targets=_units() if against == "target" else None)
             for m in ("nps", "csat", "nps") for by in ("unit", None, "unit")
             if by is not None or against in ("previous", "year_ago")]
    slow = [cx.compare(responses, **kw) for kw in calls]
    with pytest.MonkeyPatch.context() as m:
        for name in _REFERENCE:
            m.setattr(comparisons, name, getattr(design, name))
        with reuse_prepared():
            fast = [cx.compare(responses, **kw) for kw in calls]
    for a, b in zip(fast, slow):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_trend_with_clusters_and_kept_period_cells_equal_the_previous_algorithm(rng, reference):
    responses = _responses(rng)
    calls = [dict(metric=m, by=by, freq="Q", cluster=cl) for m in ("nps", "ces") for by in ("unit", None)
             for cl in (None, "customer_id")]
    slow = [cx.trend(responses, **kw) for kw in calls]
    with pytest.MonkeyPatch.context() as m:
        for name in ("_cluster_data", "_deff_pairs"):
            m.setattr(trends, name, getattr(design, name))
        with reuse_prepared():
            fast = [cx.trend(responses, **kw) for kw in calls] + [cx.trend(responses, **calls[0])]
    for a, b in zip(fast, slow + slow[:1]):
        pd.testing.assert_frame_equal(a, b, check_exact=True)

