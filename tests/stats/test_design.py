"""Answers of one customer are not independent: cluster-robust design effects."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.stats.design import _cluster_sums, _deff_pairs, _deff_rest, _ClusterData


def test_design_effects_match_a_direct_cluster_robust_computation(rng):
    n = 3000
    cl = rng.integers(0, 900, n)
    col = rng.integers(0, 4, n)
    x = rng.normal(size=n) + rng.normal(size=900)[cl]
    cd = _ClusterData(x, col, cl, 4)

    def direct(in_a, in_b):  # CR1 variance of mean(a) - mean(b) from the influence of each answer
        infl = np.zeros(n)
        infl[in_a] = (x[in_a] - x[in_a].mean()) / in_a.sum()
        infl[in_b] = -(x[in_b] - x[in_b].mean()) / in_b.sum()
        used = in_a | in_b
        s = np.bincount(cl[used], weights=infl[used], minlength=900)
        c = np.unique(cl[used]).size
        robust = (s ** 2).sum() * c / (c - 1)
        naive = x[in_a].var() / in_a.sum() + x[in_b].var() / in_b.sum()
        return robust / naive

    rest = _deff_rest(cd)
    for j in range(4):
        assert rest[j] == pytest.approx(direct(col == j, col != j))
    assert _deff_pairs(cd, [0, 1], [2, 3]) == pytest.approx([direct(col == 0, col == 2), direct(col == 1, col == 3)])


def test_cluster_counts_keep_clusters_whose_residuals_cancel():
    """The clusters shared by two columns are counted from the cells that hold answers, also where a
    cluster's residuals add up to exactly 0 (here cluster 0 answers 0 and 1 in a column whose mean is 0.5)."""
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    col = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    cl = np.array([0, 0, 1, 2, 0, 3, 3, 2])
    j, k = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 0])
    n, mean, _, m, kk = _cluster_sums(_ClusterData(x, col, cl, 2), j, k)
    assert mean.tolist() == [0.5, 0.5]
    shared = [[len(set(cl[col == a]) & set(cl[col == b])) for b in range(2)] for a in range(2)]  # [[3, 2], [2, 3]]
    assert [list(c) for c in kk] == [[shared[a][a] for a in j], [shared[b][b] for b in k],
                                     [shared[a][b] for a, b in zip(j, k)]]
    resid = x - mean[col]
    direct = [[sum(resid[(cl == c) & (col == a)].sum() * resid[(cl == c) & (col == b)].sum() for c in range(4))
               for b in range(2)] for a in range(2)]
    assert m[0] == pytest.approx([direct[a][a] for a in j]) and m[1] == pytest.approx([direct[b][b] for b in k])
    assert m[2] == pytest.approx([direct[a][b] for a, b in zip(j, k)])


def test_cluster_cross_products_match_the_dense_matrix(rng):
    """Clusters answering in up to all of 7 columns, several times in one column: A'A and the shared-cluster
    counts for every pair of columns, against the dense cluster x column matrix."""
    n = 4000
    cl = np.concatenate([rng.integers(0, 300, n - 50), np.arange(1000, 1050)])  # and 50 clusters answering once
    col = rng.integers(0, 7, n)
    x = rng.normal(size=n) + rng.normal(size=1050)[cl]
    _, mean, _, m, kk = _cluster_sums(_ClusterData(x, col, cl, 7), *np.divmod(np.arange(49), 7))
    a = np.zeros((1050, 7))
    np.add.at(a, (cl, col), x - mean[col])
    has = np.zeros((1050, 7))
    has[cl, col] = 1
    j, k = np.divmod(np.arange(49), 7)
    assert m[2] == pytest.approx((a.T @ a)[j, k]) and m[0] == pytest.approx((a.T @ a)[j, j])
    assert kk[2].tolist() == (has.T @ has)[j, k].tolist() and kk[1].tolist() == (has.T @ has)[k, k].tolist()
    d = np.arange(7)  # diagonal entries only (each column against a fixed target): no cross products formed
    _, _, _, m, kk = _cluster_sums(_ClusterData(x, col, cl, 7), d, d)
    assert m[0] == pytest.approx((a.T @ a)[d, d]) and m[2] == pytest.approx((a.T @ a)[d, d])
    assert kk[0].tolist() == kk[2].tolist() == (has.T @ has)[d, d].tolist()


# =======================================================================================
# seeded simulation: type-I error with clustered answers


def test_clustered_answers_need_the_cluster_option():
    # 12 units, 150 customers each answering 1-5 times; customers differ (random effect), units do not.
    rng = np.random.default_rng(31)
    plain, robust = [], []
    for _ in range(150):
        cust_unit = np.repeat(np.arange(12), 150)
        answers = rng.integers(1, 6, cust_unit.size)
        cust = np.repeat(np.arange(cust_unit.size), answers)
        latent = rng.normal(0, 1.2, cust_unit.size)[cust] + rng.normal(0, 1, cust.size)
        score = np.clip(np.round(7.5 + 1.5 * latent), 0, 10)
        df = pd.DataFrame({"unit": cust_unit[cust], "customer_id": cust, "nps": score})
        plain.append(cx.compare(df, metric="nps", by="unit", correction="none")["p_value"].to_numpy())
        robust.append(cx.compare(df, metric="nps", by="unit", correction="none",
                                 cluster="customer_id")["p_value"].to_numpy())
    plain_rate, robust_rate = np.mean(np.array(plain) < 0.05), np.mean(np.array(robust) < 0.05)
    assert plain_rate > 0.10  # independent-answer tests flag noise: measured 0.195
    assert 0.03 <= robust_rate <= 0.07  # cluster-robust tests keep the level: measured 0.055
