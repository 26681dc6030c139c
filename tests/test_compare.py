"""Comparisons between groups: reference values and seeded error-rate simulations."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.stats.comparisons import (_cluster_sums, _deff_pairs, _deff_rest, _hodges_lehmann, _kth_pair_differences,
                           _multiset_minus, _nps_diff_arrays, _period_index, _share_tests, _ClusterData,
                           _wilcoxon_null_cdf, _welch_arrays)
from cxkit.errors import ConfigError, InsufficientDataError


def test_nps_test_wald_matches_r_nps_formula():
    # R NPS::nps_test (Rocks): se = sqrt(var.x/n.x + var.y/n.y), var = p + d - (p - d)^2,
    # p.value = 2 * (1 - pnorm(|delta| / se)); computed here by hand.
    a, b = (20, 30, 50), (35, 25, 40)
    pa, da, pb, db = 0.50, 0.20, 0.40, 0.35
    se = np.sqrt((pa + da - (pa - da) ** 2) / 100 + (pb + db - (pb - db) ** 2) / 100)
    delta = (pa - da) - (pb - db)
    r = cx.nps_test(a, b, method="wald")
    assert r.diff == pytest.approx(100 * delta)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(delta / se))
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((100 * (delta - 1.959964 * se), 100 * (delta + 1.959964 * se)), abs=1e-4)


def test_nps_test_adjusted_is_default_and_reports_raw_difference():
    r = cx.nps_test((1, 2, 7), (5, 2, 3))
    # NPS(A) = (7 - 1) / 10 = 60, NPS(B) = (3 - 5) / 10 = -20
    assert r.test == "NPS t-test (adjusted-wald)" and r.diff == pytest.approx(80.0)
    assert r.diff_ci_low < 80 < r.diff_ci_high


def test_nps_z_test_type_one_error_is_nominal():
    rng = np.random.default_rng(99)
    mix = (0.25, 0.35, 0.40)
    for n in (50, 200, 1000):
        a = rng.multinomial(n, mix, size=40_000).T
        b = rng.multinomial(n, mix, size=40_000).T
        p = _nps_diff_arrays(a, b, "adjusted-wald", 0.95)[4]
        rate = np.mean(p < 0.05)
        assert 0.04 <= rate <= 0.06, (n, rate)


# =======================================================================================
# two-group functions: published / independently computed reference values

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score, no continuity
# correction); the same values are SAS's reference values used by R DescTools::BinomDiffCI(method="score").
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),  # (a)
    ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
    ((6, 7, 2, 7), (0.0582, 0.8062)),  # (c)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d)
    ((0, 10, 0, 20), (-0.1611, 0.2775)),  # (e)
    ((0, 10, 0, 10), (-0.2775, 0.2775)),  # (f)
    ((10, 10, 0, 20), (0.6791, 1.0000)),  # (g)
    ((10, 10, 0, 10), (0.6075, 1.0000)),  # (h)
]


@pytest.mark.parametrize("counts, ci", NEWCOMBE_TABLE_II)
def test_share_difference_interval_matches_newcombe_table_ii(counts, ci):
    r = cx.compare_shares(*counts)
    k1, n1, k2, n2 = counts
    assert r.diff == pytest.approx(100 * (k1 / n1 - k2 / n2))
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((100 * ci[0], 100 * ci[1]), abs=0.05)


def test_agresti_caffo_interval_matches_sas_reference_values():
    # R DescTools tests, BinomDiffCI(method = "ac") against SAS: 56/70 - 48/80 -> (0.0525, 0.3358);
    # 9/10 - 3/10 -> (0.1600, 0.8400).
    r = cx.compare_shares(56, 70, 48, 80, method="agresti-caffo")
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((5.25, 33.58), abs=0.05)
    r = cx.compare_shares(9, 10, 3, 10, method="agresti-caffo")
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((16.00, 84.00), abs=0.05)
    assert r.test == "Agresti-Caffo test"


def test_share_score_test_is_the_miettinen_nurminen_statistic():
    # At a hypothesised difference of 0 the score statistic is (p1 - p2) / sqrt(p(1-p)(1/n1 + 1/n2) N/(N-1))
    # with the pooled p (Miettinen & Nurminen 1985); computed here by hand.
    k1, n1, k2, n2 = 120, 300, 90, 320
    p1, p2, p = k1 / n1, k2 / n2, (k1 + k2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2) * (n1 + n2) / (n1 + n2 - 1))
    r = cx.compare_shares(k1, n1, k2, n2)
    assert r.test == "score test (Newcombe CI)"
    assert r.statistic == pytest.approx(z) and r.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert r.effect_size == pytest.approx(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)))  # Cohen's h


def test_fisher_exact_for_tiny_expected_counts():
    # expected count of "yes" in group A = 20 * 4 / 40 = 2 < 5 -> Fisher's exact test (scipy)
    r = cx.compare_shares(4, 20, 0, 20)
    assert r.test == "Fisher exact test (Newcombe CI)"
    assert r.p_value == pytest.approx(stats.fisher_exact([[4, 16], [0, 20]]).pvalue)
    assert cx.compare_shares(40, 200, 20, 200).test == "score test (Newcombe CI)"
    assert cx.compare_shares(40, 200, 20, 200, method="fisher").test.startswith("Fisher")


def test_welch_matches_r_t_test_on_sleep_data():
    # R: t.test(extra ~ group, data = sleep) -> t = -1.8608, df = 17.776, p-value = 0.07939,
    # 95 percent confidence interval -3.3654832 0.2054832 (documented output of R's example data).
    g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    r = cx.compare_means(g1, g2)
    assert r.statistic == pytest.approx(-1.8608, abs=1e-4)
    assert r.details["df"] == pytest.approx(17.776, abs=1e-3)
    assert r.p_value == pytest.approx(0.07939, abs=1e-5)
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((-3.3654832, 0.2054832), abs=1e-6)
    # R: t.test(sleep$extra[sleep$group == 1]) -> t = 1.3257, df = 9, p-value = 0.2176, CI -0.5297804 2.0297804
    r = cx.mean_vs_target(g1, 0)
    assert r.statistic == pytest.approx(1.3257, abs=1e-4) and r.p_value == pytest.approx(0.2176, abs=1e-4)
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((-0.5297804, 2.0297804), abs=1e-6)


PERM_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
PERM_Y = [1.15, 0.88, 0.90, 0.74, 1.21]


def test_mann_whitney_matches_r_wilcox_test_example():
    # R ?wilcox.test, Hollander & Wolfe (1973) permeability data: wilcox.test(x, y, alternative = "g")
    # -> W = 35, p-value = 0.1272 (exact); two-sided p = 2 x 0.1272.
    r = cx.compare_times(PERM_X, PERM_Y)
    assert r.statistic == 35
    assert r.p_value == pytest.approx(2 * 0.1272, abs=2e-4)
    assert r.effect_size == pytest.approx(2 * 35 / 50 - 1)  # rank-biserial r


def test_hodges_lehmann_and_exact_moses_interval_by_enumeration():
    # Independent computation: the exact null distribution of U by enumerating all C(15, 10) rank sets,
    # k = smallest u with P(U <= u) >= 0.025 (R qwilcox), interval = k-th smallest and k-th largest
    # of the 50 differences x_i - y_j (R wilcox.test(conf.int = TRUE), exact case).
    m, n = len(PERM_X), len(PERM_Y)
    u = np.array([sum(c) - m * (m + 1) // 2 for c in itertools.combinations(range(1, m + n + 1), m)])
    cdf = np.array([(u <= q).mean() for q in range(m * n + 1)])
    k = int(np.argmax(cdf >= 0.025))
    d = np.sort(np.subtract.outer(PERM_X, PERM_Y).ravel())
    r = cx.compare_times(PERM_X, PERM_Y)
    assert r.diff == pytest.approx(np.median(d)) and r.diff == pytest.approx(0.305)
    assert (r.diff_ci_low, r.diff_ci_high) == pytest.approx((d[k - 1], d[m * n - k]))
    assert (r.value_a, r.value_b) == (np.median(PERM_X), np.median(PERM_Y))


def test_exact_null_distribution_matches_enumeration():
    for m, n in ((3, 4), (5, 5), (6, 2)):
        u = np.array([sum(c) - m * (m + 1) // 2 for c in itertools.combinations(range(1, m + n + 1), m)])
        expected = np.array([(u <= q).mean() for q in range(m * n + 1)])
        assert _wilcoxon_null_cdf(m, n) == pytest.approx(expected)


def test_pair_difference_search_matches_brute_force(rng):
    x = np.sort(rng.lognormal(0, 1, 300))
    y = np.sort(rng.lognormal(0.2, 1, 700))
    d = np.sort(np.subtract.outer(x, y).ravel())
    ks = np.array([1, 17, 105_000, 210_000])
    assert _kth_pair_differences(x, y, None, ks) == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
    # against "all minus the group" without building the rest
    allv = np.sort(np.concatenate([x, y]))
    assert _kth_pair_differences(x, allv, x, ks) == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
    est, lo, hi = _hodges_lehmann(x, allv, 0.95, y_excl=x, exact=False)
    est2, lo2, hi2 = _hodges_lehmann(x, y, 0.95, exact=False)
    assert (est, lo, hi) == pytest.approx((est2, lo2, hi2), rel=1e-9)


@pytest.mark.parametrize("list_below", [0, 50, 5_000, 10**9])
def test_pair_difference_listing_is_exact_with_ties_and_exclusions(rng, list_below):
    """The listing shortcut must pick exactly the k-th difference (brute force), also with heavy ties
    (rounded times) and with the group removed from "everybody"; list_below=0 is plain bisection."""
    for x, y in [(np.sort(rng.lognormal(0, 1, 400)), np.sort(rng.lognormal(0.3, 1, 900))),
                 (np.sort(np.round(rng.exponential(5, 500))), np.sort(np.round(rng.exponential(6, 800))))]:
        d = np.sort(np.subtract.outer(x, y).ravel())
        ks = np.array([1, 2, 999, d.size // 2, d.size // 2 + 1, d.size - 7, d.size])
        got = _kth_pair_differences(x, y, None, ks, list_below=list_below)
        assert got == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
        allv = np.sort(np.concatenate([x, y]))
        got = _kth_pair_differences(x, allv, x, ks, list_below=list_below)
        assert got == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)


def test_multiset_minus_removes_each_copy_once(rng):
    from collections import Counter

    for _ in range(200):
        allv = np.sort(rng.integers(0, rng.integers(1, 40), rng.integers(0, 150)).astype(float))  # many ties
        x = np.sort(rng.choice(allv, rng.integers(0, allv.size + 1), replace=False)) if allv.size else allv
        expected = sorted((Counter(allv.tolist()) - Counter(x.tolist())).elements())
        assert _multiset_minus(allv, x).tolist() == expected


@pytest.mark.parametrize("sample", [0, 200, 40_000])
def test_pair_difference_start_from_sampled_bounds_is_exact(rng, sample):
    """Bounds read off a sample of pairs are only a start: with none (0), a tiny sample whose bounds often
    miss (200) and the default, the k-th differences equal brute force. The last case removes most of
    y_all (y_excl is 90% of it), so the sample, drawn from y_all, is far off and its bounds must be refused."""
    x = np.sort(np.round(rng.exponential(5, 600)))
    y = np.sort(np.round(rng.exponential(6, 900)))
    d = np.sort(np.subtract.outer(x, y).ravel())
    ks = np.array([1, 2, 999, d.size // 40, d.size // 2, d.size // 2 + 1, d.size - d.size // 40, d.size])
    assert _kth_pair_differences(x, y, None, ks, sample=sample) == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)
    far = np.sort(rng.exponential(60, 8100))  # y_all = y + far, y_excl = far: the rest is y
    allv = np.sort(np.concatenate([y, far]))
    got = _kth_pair_differences(x, allv, far, ks, sample=sample, list_below=50)
    assert got == pytest.approx(d[ks - 1], rel=1e-9, abs=1e-9)


def test_one_sample_tests_against_targets():
    # share vs target: score test z = (0.70 - 0.80) / sqrt(0.8 x 0.2 / 100) = -2.5, p = 2 Phi(-2.5)
    r = cx.share_vs_target(70, 100, 80)
    assert r.statistic == pytest.approx(-2.5) and r.p_value == pytest.approx(2 * stats.norm.sf(2.5))
    # tiny expected count (100 x 2% = 2 < 5): exact binomial test (scipy.stats.binomtest)
    r = cx.share_vs_target(6, 100, 2)
    assert r.test.startswith("exact binomial") and r.p_value == pytest.approx(stats.binomtest(6, 100, 0.02).pvalue)
    # sign test: 7 of 10 above -> p = 2 (1 + 10 + 45 + 120) / 1024
    r = cx.median_vs_target([1, 2, 3, 5, 6, 7, 8, 9, 10, 12], 4)
    assert r.p_value == pytest.approx(2 * 176 / 1024)
    # NPS vs target with the adjusted-Wald variance (Rocks 2016), by hand
    d, pa, p = 20, 30, 50
    k = 103
    pp, dd = (p + 0.75) / k, (d + 0.75) / k
    z = (pp - dd - 0.10) / np.sqrt((pp + dd - (pp - dd) ** 2) / k)
    r = cx.nps_vs_target((d, pa, p), 10)
    assert r.statistic == pytest.approx(z) and r.diff == pytest.approx(20.0)


def test_nps_bootstrap_is_seeded_and_agrees_with_adjusted_wald(rng):
    a = rng.choice(np.arange(11), size=800, p=np.r_[np.full(7, 0.03), 0.14, 0.15, 0.25, 0.25])
    b = rng.choice(np.arange(11), size=900, p=np.r_[np.full(7, 0.04), 0.15, 0.15, 0.22, 0.20])
    boot = cx.compare_nps(a, b, method="bootstrap", n_boot=4000, seed=3)
    again = cx.compare_nps(a, b, method="bootstrap", n_boot=4000, seed=3)
    wald = cx.compare_nps(a, b)
    assert boot.diff_ci_low == again.diff_ci_low and boot.p_value == again.p_value
    assert boot.diff == pytest.approx(wald.diff)
    # with 800+ answers a side the bootstrap and adjusted-Wald intervals agree within about a point
    assert (boot.diff_ci_low, boot.diff_ci_high) == pytest.approx((wald.diff_ci_low, wald.diff_ci_high), abs=1.0)
    assert boot.test.startswith("NPS bootstrap")


def test_adjust_pvalues_benjamini_hochberg_1995_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; at q = 0.05 BH rejects the four smallest,
    # Bonferroni-type control three. BH adjusted p(4) = 0.0095 x 15 / 4; Holm p(3) = 0.0019 x 13.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
         0.7590, 1.000]
    bh = cx.adjust_pvalues(p, method="fdr_bh")
    holm = cx.adjust_pvalues(p, method="holm")
    assert (bh < 0.05).sum() == 4 and bh[3] == pytest.approx(0.0095 * 15 / 4)
    assert (holm < 0.05).sum() == 3 and holm[2] == pytest.approx(0.0019 * 13)
    assert np.isnan(cx.adjust_pvalues([0.01, np.nan])[1])
    # equal to statsmodels' multipletests (an independent implementation) on random families
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(4)
    for method in ("fdr_bh", "holm", "bonferroni"):
        for m in (1, 2, 7, 40):
            q = rng.random(m) ** 3
            assert cx.adjust_pvalues(q, method=method) == pytest.approx(multipletests(q, method=method)[1])
    rows = rng.random((5, 12))
    assert cx.adjust_pvalues(rows)[3] == pytest.approx(multipletests(rows[3], method="fdr_bh")[1])
    with pytest.raises(ConfigError):
        cx.adjust_pvalues(p, method="sidak-ish")


def test_two_group_input_errors_are_plain():
    with pytest.raises(InsufficientDataError):
        cx.compare_means([1.0], [2.0, 3.0])
    with pytest.raises(ConfigError, match="0 <= k <= n"):
        cx.compare_shares(5, 3, 1, 4)
    with pytest.raises(ConfigError):
        cx.compare_nps([1, 9], [10, 9], method="magic")
    with pytest.raises(InsufficientDataError):
        cx.compare_times([], [1.0])
    assert "p =" in str(cx.compare_shares(10, 40, 20, 40))
    assert "<table" in cx.compare_shares(10, 40, 20, 40)._repr_html_()


# =======================================================================================
# compare(): the table, its rules and its consistency with the two-group functions


def _nps_frame(groups: dict[str, list[int]]) -> pd.DataFrame:
    return pd.DataFrame({"unit": np.repeat(list(groups), [len(v) for v in groups.values()]),
                         "nps": np.concatenate([np.asarray(v) for v in groups.values()])})


def test_compare_vs_rest_uses_all_other_groups_not_the_total(sample):
    r = sample.responses
    t = cx.compare(r, metric="nps", by="unit")
    for row in t.itertuples():
        inside = r["unit"] == row.unit
        expected = cx.nps_test(cx.nps_counts(r.loc[inside, "nps"]), cx.nps_counts(r.loc[~inside, "nps"]))
        assert row.reference == pytest.approx(cx.nps(r.loc[~inside, "nps"]).value)
        assert row.reference_n == expected.n_b
        assert (row.diff, row.diff_ci_low, row.diff_ci_high, row.p_value) == pytest.approx(
            (expected.diff, expected.diff_ci_low, expected.diff_ci_high, expected.p_value))
        assert row.test == expected.test
    assert t.attrs["company"]["value"] == pytest.approx(cx.nps(r["nps"]).value)
    assert (t["p_adjusted"].to_numpy() == pytest.approx(cx.adjust_pvalues(t["p_value"], method="fdr_bh")))
    assert t.attrs["family_size"] == len(t) and t.attrs["correction"] == "fdr_bh"


@pytest.mark.parametrize("metric, table", [("csat", "responses"), ("ces", "responses"), ("ces_mean", "responses"),
                                           ("first_response_time", "tickets"), ("cac", "customers")])
def test_compare_vs_rest_matches_the_two_group_functions(sample, metric, table):
    data = getattr(sample, table)
    t = cx.compare(data, metric=metric, by="unit")
    for row in t.head(3).itertuples():
        inside = (data["unit"] == row.unit).to_numpy()
        if metric in ("csat", "ces"):
            k = (data[metric] >= 4).to_numpy(dtype=bool, na_value=False)
            ok = data[metric].notna().to_numpy()
            ref = cx.compare_shares(int((k & inside).sum()), int((ok & inside).sum()), int((k & ~inside).sum()),
                                    int((ok & ~inside).sum()), metric=metric)
        elif metric == "ces_mean":
            x = data["ces"].astype("float64")
            ref = cx.compare_means(x[inside].dropna(), x[~inside].dropna())
        elif metric == "cac":
            x = data["acquisition_cost"]
            ref = cx.compare_means(x[inside].dropna(), x[~inside].dropna())
        else:
            h = (data["first_response_at"] - data["created_at"]).dt.total_seconds() / 3600
            ref = cx.compare_times(h[inside].dropna(), h[~inside].dropna())
            # the rest's median and the pooled-ranking U equal scipy on the explicit rest
            assert row.reference == pytest.approx(np.median(h[~inside].dropna()))
            assert row.statistic == pytest.approx(ref.statistic)
        assert (row.value, row.diff, row.diff_ci_low, row.diff_ci_high) == pytest.approx(
            (ref.value_a, ref.diff, ref.diff_ci_low, ref.diff_ci_high), rel=1e-7, abs=1e-9)
        assert row.p_value == pytest.approx(ref.p_value, rel=1e-6)
        assert row.test == ref.test


def test_compare_churn_values_match_churn_rate(sample):
    c = sample.customers
    t = cx.compare(c, metric="churn_rate", by="segment", period=("2025-01-01", "2025-06-30"))
    for row in t.itertuples():
        est = cx.churn_rate(c[c["segment"] == row.segment], start="2025-01-01", end="2025-06-30 23:59:59")
        assert (row.value, row.ci_low, row.ci_high, row.n) == pytest.approx((est.value, est.ci_low, est.ci_high, est.n))


def test_minimum_sample_rules_and_confidentiality():
    rng = np.random.default_rng(5)
    groups = {"Big A": rng.integers(0, 11, 400), "Big B": rng.integers(0, 11, 400), "Small": [10, 9, 2],
              "Twelve": rng.integers(0, 11, 12)}
    t = cx.compare(_nps_frame(groups), metric="nps", by="unit").set_index("unit")
    small = t.loc["Small"]
    assert small["suppressed"] and small["direction"] == "not shown" and small["note"] == "n = 3 < 5: not shown"
    assert np.isnan(small[["value", "ci_low", "ci_high", "reference", "diff", "p_value"]].astype(float)).all()
    twelve = t.loc["Twelve"]
    assert not twelve["suppressed"] and np.isfinite(twelve["value"])
    assert np.isnan(twelve["p_value"]) and not twelve["significant"] and twelve["direction"] == "not tested"
    assert twelve["note"] == "n = 12 < 30: not tested"
    assert t.attrs["family_size"] == 2  # only the two tested rows form the family
    # thresholds are configurable
    t2 = cx.compare(_nps_frame(groups), metric="nps", by="unit", min_n_show=2, min_n_test=10).set_index("unit")
    assert np.isfinite(t2.loc["Small", "value"]) and np.isfinite(t2.loc["Twelve", "p_value"])
    # pairs with a hidden group reveal nothing about it
    p = cx.compare(_nps_frame(groups), metric="nps", by="unit", against="pairs")
    hidden = p[(p["vs"] == "Small") | (p["unit"] == "Small")]
    assert hidden["diff"].isna().all() and hidden["reference"].isna().all()


def test_holm_correction_and_family(sample):
    t = cx.compare(sample.responses, metric="csat", by="touchpoint", correction="holm")
    assert t["p_adjusted"].to_numpy() == pytest.approx(cx.adjust_pvalues(t["p_value"], method="holm"))
    assert (t["significant"] == (t["p_adjusted"] < 0.05)).all()
    assert set(t["direction"]) <= {"higher", "lower", "no difference", "not tested"}
    assert ((t["direction"] == "lower") == (t["significant"] & (t["diff"] < 0))).all()


def test_pairs_targets_and_periods(sample):
    r = sample.responses
    pairs = cx.compare(r, metric="nps", by="unit", against="pairs")
    assert len(pairs) == 10 * 9 // 2
    row = pairs.iloc[0]
    a, b = r[r["unit"] == row["unit"]], r[r["unit"] == row["vs"]]
    assert row["diff"] == pytest.approx(cx.nps_test(cx.nps_counts(a["nps"]), cx.nps_counts(b["nps"])).diff)
    # targets from the units table (target_nps), a mapping with a missing group, or one number
    tg = cx.compare(r, metric="nps", by="unit", against="target", targets=sample.units)
    units = sample.units.set_index("unit")["target_nps"]
    assert (tg["reference"].to_numpy() == units.loc[tg["unit"]].to_numpy()).all()
    one = tg.iloc[0]
    ref = cx.nps_vs_target(cx.nps_counts(r.loc[r["unit"] == one["unit"], "nps"]), one["reference"])
    assert (one["diff"], one["p_value"]) == pytest.approx((ref.diff, ref.p_value))
    partial = cx.compare(r, metric="nps", by="unit", against="target", targets={"Kaunas Mega": 35})
    assert (partial["note"] == "no target").sum() == 9
    assert cx.compare(r, metric="nps", by="unit", against="target", targets=30)["reference"].eq(30).all()
    # period over period: Q4 2025 vs Q3 2025 and vs Q4 2024, equal to filtering by hand
    prev = cx.compare(r, metric="nps", by="unit", against="previous", period="2025Q4")
    ago = cx.compare(r, metric="nps", by="unit", against="year_ago", period="2025Q4")
    assert prev.attrs["reference_period"] == "2025Q3" and ago.attrs["reference_period"] == "2024Q4"
    q4 = r[(r["date"] >= "2025-10-01") & (r["date"] <= "2025-12-31")]
    q3 = r[(r["date"] >= "2025-07-01") & (r["date"] <= "2025-09-30")]
    u = prev.iloc[1]["unit"]
    ref = cx.nps_test(cx.nps_counts(q4.loc[q4["unit"] == u, "nps"]), cx.nps_counts(q3.loc[q3["unit"] == u, "nps"]))
    assert (prev.iloc[1]["diff"], prev.iloc[1]["p_value"]) == pytest.approx((ref.diff, ref.p_value))
    # a (start, end) period: previous = the same number of days just before
    span = cx.compare(r, metric="nps", by=None, against="previous", period=("2025-12-01", "2025-12-31"))
    assert span.attrs["reference_period"] == "2025-10-31 to 2025-11-30" and list(span["vs"]) == span["vs"].tolist()


def test_compare_scales_to_hundreds_of_groups():
    rng = np.random.default_rng(11)
    n = 60_000
    df = pd.DataFrame({"shop": rng.integers(0, 300, n).astype(str), "nps": rng.integers(0, 11, n),
                       "customer_id": rng.integers(0, 30_000, n)})
    t = cx.compare(df, metric="nps", by="shop", cluster="customer_id")
    assert len(t) == 300 and t["p_value"].notna().all()
    assert t["significant"].mean() < 0.05  # nothing is different here


def test_compare_errors_speak_plainly(sample):
    r = sample.responses
    with pytest.raises(ConfigError, match="supports"):
        cx.compare(r, metric="happiness")
    with pytest.raises(ConfigError, match="against="):
        cx.compare(r, against="everyone")
    with pytest.raises(ConfigError, match="tickets table"):
        cx.compare(r, metric="first_response_time")
    with pytest.raises(ConfigError, match="by='unit'"):
        cx.compare(r, by=None)
    with pytest.raises(ConfigError, match="period="):
        cx.compare(r, against="previous", period="last autumn")
    with pytest.raises(ConfigError, match="targets="):
        cx.compare(r, against="target")
    with pytest.raises(ConfigError, match="not available for response times"):
        cx.compare(sample.tickets, metric="first_response_time", cluster="customer_id")
    with pytest.raises(ConfigError, match="correction"):
        cx.compare(r, correction="sidak")


def test_trend_values_changes_and_family(sample):
    r = sample.responses
    t = cx.trend(r, metric="nps", freq="Q", by="unit")
    assert len(t) == 8 * 10 and t["period"].astype(str).iloc[0] == "2024Q1"
    first = t[t["period"].astype(str) == "2024Q1"]
    assert (first["note"] == "first period").all() and first["p_value"].isna().all()
    row = t[(t["unit"] == "Kaunas Mega") & (t["period"].astype(str) == "2025Q2")].iloc[0]
    now = r[(r["unit"] == "Kaunas Mega") & (r["date"] >= "2025-04-01") & (r["date"] <= "2025-06-30")]
    before = r[(r["unit"] == "Kaunas Mega") & (r["date"] >= "2025-01-01") & (r["date"] <= "2025-03-31")]
    assert row["value"] == pytest.approx(cx.nps(now["nps"]).value)
    assert row["reference"] == pytest.approx(cx.nps(before["nps"]).value)
    ref = cx.nps_test(cx.nps_counts(now["nps"]), cx.nps_counts(before["nps"]))
    assert (row["diff"], row["p_value"]) == pytest.approx((ref.diff, ref.p_value))
    # one family: every period-over-period change of the table
    assert t["p_adjusted"].to_numpy() == pytest.approx(cx.adjust_pvalues(t["p_value"], method="fdr_bh"), nan_ok=True)
    assert t.attrs["family_size"] == 7 * 10
    monthly = cx.trend(r, metric="csat", freq="M", correction="holm")
    assert len(monthly) == 24 and monthly.attrs["correction"] == "holm"
    with pytest.raises(ConfigError, match="freq"):
        cx.trend(r, freq="fortnight")


@pytest.mark.parametrize("metric,freq,by", [("nps", "M", "unit"), ("csat", "W", None), ("ces_mean", "Q", "unit"),
                                             ("nps", "M", ["unit", "touchpoint"])])
def test_trend_in_one_pass_equals_one_pass_per_period(sample, monkeypatch, metric, freq, by):
    """The one-pass reduction over all periods gives exactly the table of one pass per period (forced here by
    hiding the additive kinds), with undated rows and rows outside start/end left out."""
    import sys

    cc = sys.modules["cxkit.stats.comparisons"]

    r = sample.responses.copy()
    r.loc[r.index[::50], "date"] = pd.NaT
    kw = dict(metric=metric, freq=freq, by=by, start="2024-03-15", end="2025-10-20")
    fast = cx.trend(r, **kw)
    monkeypatch.setattr(cc, "_Additive", type("NotAdditive", (), {}))
    slow = cx.trend(r, **kw)
    assert len(fast) > 10 and fast["n"].sum() > 1000
    pd.testing.assert_frame_equal(fast, slow)


@pytest.mark.parametrize("freq", ["W-SUN", "M", "Q", "Y"])
def test_period_of_each_timestamp_from_a_day_table_equals_a_search(rng, freq):
    """Each timestamp's period (from its day number) equals a binary search over the period starts,
    for times of day, NaT and timestamps before and after the periods."""
    seconds = rng.integers(0, 6 * 365 * 86400, 200_000).astype("timedelta64[s]")
    when = (np.datetime64("2021-06-01T00:00:00") + seconds).astype("datetime64[ns]")
    when[::97] = np.datetime64("NaT")
    periods = pd.period_range("2023-03-05", "2025-06-30", freq=freq)
    edges = np.array([p.start_time for p in periods] + [(periods[-1] + 1).start_time], dtype="datetime64[ns]")
    searched = np.searchsorted(edges, when, side="right") - 1
    inside = ~np.isnat(when) & (searched >= 0) & (searched < len(periods))
    at = _period_index(when, periods)
    assert inside.sum() > 50_000 and (~inside).sum() > 50_000
    assert np.array_equal((at >= 0) & (at < len(periods)), inside)
    assert np.array_equal(at[inside], searched[inside])


def test_trend_keeps_empty_periods_as_gaps():
    df = pd.DataFrame({"date": pd.to_datetime(["2025-01-10"] * 40 + ["2025-03-10"] * 40),
                       "nps": [10, 9, 3, 8] * 20})
    t = cx.trend(df, metric="nps", freq="M")
    feb = t.iloc[1]
    assert feb["n"] == 0 and feb["suppressed"] and np.isnan(feb["value"])
    assert t.iloc[2]["direction"] == "not tested" and "n = 0 < 5" in t.iloc[2]["note"]


# =======================================================================================
# answers of one customer are not independent: cluster-robust design effects


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
# seeded simulations: type-I error, FWER, FDR, power, coverage


def _vs_rest_pvalues(counts):
    """p-values of each unit vs the rest for count arrays of shape (replicates, units, 3)."""
    rest = counts.sum(axis=1, keepdims=True) - counts
    a = tuple(np.moveaxis(counts, -1, 0))
    b = tuple(np.moveaxis(rest, -1, 0))
    return _nps_diff_arrays(a, b, "adjusted-wald", 0.95)[4]


def test_twenty_equal_units_holm_fwer_and_bh_fdr_at_most_five_percent():
    # Null: 20 units with the same NPS mix, n = 200 each, every unit vs the rest, 4,000 replicates.
    # Under this complete null every rejection is false, so FDR = FWER; Monte Carlo SE ~ 0.0035.
    rng = np.random.default_rng(2024)
    reps, units, n = 4000, 20, 200
    counts = rng.multinomial(n, (0.25, 0.35, 0.40), size=(reps, units))
    p = _vs_rest_pvalues(counts)
    holm = cx.adjust_pvalues(p, method="holm")  # one family per replicate (row)
    bh = cx.adjust_pvalues(p, method="fdr_bh")
    fwer_holm = np.mean((holm < 0.05).any(axis=1))
    fdr_bh = np.mean((bh < 0.05).any(axis=1))
    se = np.sqrt(0.05 * 0.95 / reps)
    assert fwer_holm <= 0.05 + 2 * se, fwer_holm  # measured 0.045 (40,000 replicates: 0.050)
    assert fdr_bh <= 0.05 + 2 * se, fdr_bh  # measured 0.045 (40,000 replicates: 0.051)
    assert np.mean(p < 0.05) == pytest.approx(0.05, abs=0.005)  # each raw test is at its nominal level
    # compare() gives exactly these p-values for one replicate (the plumbing is the same)
    one = counts[0]
    scores = np.concatenate([np.repeat([3, 7, 10], row) for row in one])
    df = pd.DataFrame({"unit": np.repeat([f"U{i:02d}" for i in range(units)], n), "nps": scores})
    assert cx.compare(df, metric="nps", by="unit")["p_value"].to_numpy() == pytest.approx(p[0])


def test_bh_controls_fdr_and_finds_real_drops():
    # 20 units, n = 300 each, 3,000 replicates: 3 units 30 points worse, 3 units 30 points better, 14 equal.
    # The worse and better mixes average to the equal one, so for each of the 14 equal units the rest of the
    # company has exactly its NPS: those 14 nulls are true, and only their rejections are false discoveries.
    rng = np.random.default_rng(77)
    reps, units, n = 3000, 20, 300
    equal, worse, better = (0.20, 0.35, 0.45), (0.30, 0.45, 0.25), (0.10, 0.25, 0.65)  # NPS 25, -5, 55
    counts = rng.multinomial(n, equal, size=(reps, units))
    counts[:, :3] = rng.multinomial(n, worse, size=(reps, 3))
    counts[:, 3:6] = rng.multinomial(n, better, size=(reps, 3))
    flagged = cx.adjust_pvalues(_vs_rest_pvalues(counts), method="fdr_bh") < 0.05
    false = flagged[:, 6:].sum(axis=1)
    fdp = false / np.maximum(flagged.sum(axis=1), 1)
    assert fdp.mean() <= 0.05, fdp.mean()  # measured 0.035 (BH bound: 0.05 x 14/20 = 0.035)
    assert flagged[:, :6].mean() >= 0.95  # power to find a real 30-point difference at n = 300: measured 1.0
    holm = cx.adjust_pvalues(_vs_rest_pvalues(counts), method="holm") < 0.05
    # Holm: family-wise error over the 14 true nulls; measured 0.054 (SE 0.004)
    assert holm[:, 6:].any(axis=1).mean() <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)


@pytest.mark.parametrize("n_a, n_b", [(50, 50), (50, 400), (200, 1000)])
def test_nps_z_test_type_one_error_with_unequal_groups(n_a, n_b):
    rng = np.random.default_rng(n_a + n_b)
    mix = (0.20, 0.30, 0.50)
    a = rng.multinomial(n_a, mix, size=30_000).T
    b = rng.multinomial(n_b, mix, size=30_000).T
    rate = np.mean(_nps_diff_arrays(a, b, "adjusted-wald", 0.95)[4] < 0.05)
    assert 0.04 <= rate <= 0.06, rate  # measured 0.045, 0.047, 0.050


@pytest.mark.parametrize("p_true, n_a, n_b", [(0.6, 100, 300), (0.85, 50, 200), (0.1, 400, 400)])
def test_share_score_test_type_one_error(p_true, n_a, n_b):
    rng = np.random.default_rng(int(p_true * 100) + n_a)
    reps = 20_000
    k_a, k_b = rng.binomial(n_a, p_true, reps), rng.binomial(n_b, p_true, reps)
    p = _share_tests(k_a, np.full(reps, n_a), k_b, np.full(reps, n_b), "score", 0.95)[4]
    assert 0.04 <= np.mean(p < 0.05) <= 0.06  # measured 0.050, 0.048, 0.052


def test_fisher_fallback_keeps_type_one_error_below_alpha():
    # churn-like rare events (3%) in 60 vs 60: expected counts < 5, so Fisher's exact test is used
    rng = np.random.default_rng(8)
    reps = 3000
    k_a, k_b = rng.binomial(60, 0.03, reps), rng.binomial(60, 0.03, reps)
    d, lo, hi, stat, p, eff, names = _share_tests(k_a, np.full(reps, 60), k_b, np.full(reps, 60), "auto", 0.95)
    assert np.mean(names == "Fisher exact test (Newcombe CI)") > 0.99
    assert np.mean(p < 0.05) <= 0.05  # exact tests are conservative: measured 0.003


def test_welch_type_one_error_on_a_ces_scale_with_unequal_spread():
    rng = np.random.default_rng(17)
    reps, n_a, n_b = 20_000, 40, 160
    wide = np.array([0.10, 0.10, 0.10, 0.20, 0.10, 0.10, 0.30])  # 1-7 scale, mean 4.6
    narrow = np.zeros(7)
    narrow[[3, 4]] = 0.4, 0.6  # mean 4.6 as well, much smaller spread
    a = rng.choice(np.arange(1, 8), size=(reps, n_a), p=wide)
    b = rng.choice(np.arange(1, 8), size=(reps, n_b), p=narrow)
    p = _welch_arrays(a.mean(1), a.var(1, ddof=1), n_a, b.mean(1), b.var(1, ddof=1), n_b, 0.95)[4]
    assert 0.04 <= np.mean(p < 0.05) <= 0.06  # measured 0.051


def test_mann_whitney_type_one_error_and_moses_coverage():
    rng = np.random.default_rng(23)
    reps = 3000
    # same log-normal response times: MWU rejects about 5%
    x, y = rng.lognormal(1, 1, (reps, 40)), rng.lognormal(1, 1, (reps, 60))
    p = stats.mannwhitneyu(x, y, axis=1, method="asymptotic").pvalue
    assert 0.04 <= np.mean(p < 0.05) <= 0.06  # measured 0.048
    # location shift of 0.5 hours: the Moses interval covers it (exact path m, n < 50; normal path above)
    for m, n, reps_ in ((20, 25, 2000), (80, 120, 1000)):
        cover = 0
        for _ in range(reps_):
            a = rng.lognormal(0, 0.8, m) + 0.5
            b = rng.lognormal(0, 0.8, n)
            _, lo, hi = _hodges_lehmann(np.sort(a), np.sort(b), 0.95)
            cover += lo <= 0.5 <= hi
        assert 0.94 <= cover / reps_ <= 0.975, (m, n, cover / reps_)  # measured 0.958 and 0.958


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


# =======================================================================================
# the bundled sample data and its generator


def test_planted_worse_unit_is_flagged_on_the_sample(sample):
    t = cx.compare(sample.responses, metric="nps", by="unit", cluster="customer_id").set_index("unit")
    worse = cx.PLANTED["worse_unit"]
    assert t.loc[worse, "direction"] == "lower" and t.loc[worse, "p_adjusted"] < 1e-6
    assert t["diff"].idxmin() == worse


def test_no_other_unit_is_flagged_more_often_than_expected(monkeypatch):
    # Regenerate the sample with the planted worse unit kept and the other units' small NPS shifts set to
    # zero, so every other unit is truly equal to every other (but sits above a rest that contains the worse
    # unit). 40 seeds x 6,000 responses, cluster-robust tests (customers answer more than once).
    # Expected: the worse unit flagged "lower" in every run; no other unit flagged "lower" (a false alarm:
    # expected share <= alpha / 2 per unit); with all shifts zero, each unit flagged in at most alpha of runs.
    import cxkit.data.sample as sample_module

    worse = cx.PLANTED["worse_unit"]
    units = list(sample_module.UNITS)
    monkeypatch.setattr(sample_module, "UNITS", [u[:4] + ((u[4] if u[0] == worse else 0.0),) for u in units])
    runs = 40
    lower = {u[0]: 0 for u in units}
    for seed in range(runs):
        t = cx.compare(cx.generate(rows=6000, seed=500 + seed)["responses"], metric="nps", by="unit",
                       cluster="customer_id")
        for unit, direction in zip(t["unit"], t["direction"]):
            lower[unit] += direction == "lower"
    assert lower[worse] == runs
    # binomial(40, 0.025): P(count >= 4) < 2%; measured: 0 for every other unit (without cluster=: up to 1)
    assert max(v for k, v in lower.items() if k != worse) <= 3, lower
    monkeypatch.setattr(sample_module, "UNITS", [u[:4] + (0.0,) for u in units])
    flagged = {u[0]: 0 for u in units}
    for seed in range(runs):
        t = cx.compare(cx.generate(rows=6000, seed=900 + seed)["responses"], metric="nps", by="unit",
                       cluster="customer_id")
        for unit, sig in zip(t["unit"], t["significant"]):
            flagged[unit] += bool(sig)
    # each unit: expected share <= alpha = 5% (2 of 40); binomial(40, 0.05): P(count >= 6) < 1.5%.
    # Measured: at most 1 of 40 per unit, 2 of 40 runs with any flag (without cluster=: 9 of 40 runs).
    assert max(flagged.values()) <= 5, flagged


def test_small_groups_of_response_times_vs_rest_use_the_exact_methods():
    # below 50 answers a side and without ties the rest is built explicitly: exact U p-value (scipy) and the
    # exact Moses interval, equal to compare_times on the explicit rest
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"unit": np.repeat(["a", "b", "c"], [12, 15, 10]), "created_at": pd.Timestamp("2025-01-01")})
    df["first_response_at"] = df["created_at"] + pd.to_timedelta(rng.lognormal(0, 1, len(df)), unit="h")
    hours = (df["first_response_at"] - df["created_at"]).dt.total_seconds() / 3600
    t = cx.compare(df, metric="first_response_time", by="unit", min_n_test=5)
    for row in t.itertuples():
        ref = cx.compare_times(hours[df["unit"] == row.unit], hours[df["unit"] != row.unit])
        assert (row.diff, row.diff_ci_low, row.diff_ci_high, row.statistic, row.p_value) == pytest.approx(
            (ref.diff, ref.diff_ci_low, ref.diff_ci_high, ref.statistic, ref.p_value))
        assert row.reference == pytest.approx(np.median(hours[df["unit"] != row.unit]))


def test_reused_preparation_gives_the_same_tables_and_ends_with_its_block(sample):
    import sys

    cc = sys.modules["cxkit.stats.comparisons"]
    r = sample.responses
    plain = [cx.compare(r, metric=m, by="unit", against=a, period="2025Q3") for m in ("nps", "csat")
             for a in ("rest", "previous")] + [cx.trend(r, metric=m, by="unit") for m in ("nps", "csat")]
    with cc.reuse_prepared():
        again = [cx.compare(r, metric=m, by="unit", against=a, period="2025Q3") for m in ("nps", "csat")
                 for a in ("rest", "previous")] + [cx.trend(r, metric=m, by="unit") for m in ("nps", "csat")]
        kinds = ["days" if k[0] == "days" else k[1] for k in cc._REUSE]  # (frame id, metric, ...) or days
        assert sorted(kinds) == ["csat", "days", "nps"]  # nps and csat classified once each; one date column
        other = r.assign(nps=10)  # another table: classified on its own
        assert cx.compare(other, metric="nps", by="unit")["value"].eq(100).all()
    assert cc._REUSE is None
    for a, b in zip(plain, again):
        pd.testing.assert_frame_equal(a, b)
