"""compare(): the table, its rules and its consistency with the two-group functions."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import ConfigError
from cxkit.stats.rank_tests import _median_difference, _medians_se


def _price_bonett(x, y):
    """Difference of medians of two explicit sorted samples with its Price-Bonett interval (tested against R
    statpsych in test_median_difference.py)."""
    d, lo, hi = _median_difference(*_medians_se([x]), *_medians_se([y]), 0.95)
    return d[0], lo[0], hi[0]


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
            x, rest = np.sort(h[inside].dropna()), np.sort(h[~inside].dropna())
            ref = cx.compare_times(x, rest)
            # the rest's median and the pooled-ranking U equal scipy on the explicit rest
            assert row.reference == pytest.approx(np.median(rest))
            assert row.statistic == pytest.approx(ref.statistic)
            # diff: the difference of medians, its Price-Bonett interval from the order statistics of the
            # explicit rest (compare reads them off everybody net of the group); p: Mann-Whitney's
            d, lo, hi = _price_bonett(x, rest)
            assert (row.value, row.diff, row.diff_ci_low, row.diff_ci_high) == pytest.approx(
                (ref.value_a, d, lo, hi), rel=1e-12, abs=1e-12)
            assert row.diff == np.median(x) - np.median(rest)
            assert row.p_value == pytest.approx(ref.p_value, rel=1e-6)
            assert row.test == "Mann-Whitney U (difference of medians, Price-Bonett interval)"
            continue
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


def test_small_groups_of_response_times_vs_rest_match_the_explicit_rest():
    # small groups without ties: U and its p-value equal compare_times (scipy) on the explicit rest, and the
    # difference of medians has the Price-Bonett interval of the explicit rest
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"unit": np.repeat(["a", "b", "c"], [12, 15, 10]), "created_at": pd.Timestamp("2025-01-01")})
    df["first_response_at"] = df["created_at"] + pd.to_timedelta(rng.lognormal(0, 1, len(df)), unit="h")
    hours = (df["first_response_at"] - df["created_at"]).dt.total_seconds() / 3600
    t = cx.compare(df, metric="first_response_time", by="unit", min_n_test=5)
    for row in t.itertuples():
        x, rest = np.sort(hours[df["unit"] == row.unit]), np.sort(hours[df["unit"] != row.unit])
        ref = cx.compare_times(x, rest)
        assert (row.statistic, row.p_value) == pytest.approx((ref.statistic, ref.p_value))
        assert (row.diff, row.diff_ci_low, row.diff_ci_high) == pytest.approx(_price_bonett(x, rest))
        assert row.reference == pytest.approx(np.median(rest))


def test_reused_preparation_gives_the_same_tables_and_ends_with_its_block(sample):
    import sys

    cc = sys.modules["cxkit.stats.preparation"]  # where compare() and trend() keep _REUSE
    r = sample.responses
    plain = [cx.compare(r, metric=m, by="unit", against=a, period="2025Q3") for m in ("nps", "csat")
             for a in ("rest", "previous")] + [cx.trend(r, metric=m, by="unit") for m in ("nps", "csat")]
    with cc.reuse_prepared():
        again = [cx.compare(r, metric=m, by="unit", against=a, period="2025Q3") for m in ("nps", "csat")
                 for a in ("rest", "previous")] + [cx.trend(r, metric=m, by="unit") for m in ("nps", "csat")]
        keys = [k for k in cc._REUSE if isinstance(k, tuple)]
        assert sorted(k[1] for k in keys if k[1] in ("nps", "csat")) == ["csat", "nps"]  # each classified once
        assert sum(k[0] == "days" for k in keys) == 1  # one date column
        assert sum(k[0] == "inside" for k in keys) == 2  # 2025Q3 and 2025Q2, for both metrics
        assert [k[2] for k in keys if k[1] == "by"] == ["unit"]  # the unit column coded once
        other = r.assign(nps=10)  # another table: classified on its own
        assert cx.compare(other, metric="nps", by="unit")["value"].eq(100).all()
    assert cc._REUSE is None
    for a, b in zip(plain, again):
        pd.testing.assert_frame_equal(a, b)

def test_rows_without_a_group_are_left_out_not_a_crash(sample):
    """A blank touchpoint (or unit) is in no group: the comparison equals the one on the rows that have one."""
    r = sample.responses.copy()
    r["touchpoint"] = r["touchpoint"].astype(object)
    r.loc[r.index[::7], "touchpoint"] = None
    full = cx.compare(r, metric="nps", by="touchpoint", against="rest")
    kept = cx.compare(r[r["touchpoint"].notna()], metric="nps", by="touchpoint", against="rest")
    pd.testing.assert_frame_equal(full.reset_index(drop=True), kept.reset_index(drop=True))
    prev = cx.compare(r, metric="nps", by="touchpoint", against="previous")
    assert prev["n"].sum() == cx.compare(r[r["touchpoint"].notna()], metric="nps", by="touchpoint",
                                         against="previous")["n"].sum()
    tr = cx.trend(r, metric="nps", by="touchpoint")
    tr_kept = cx.trend(r[r["touchpoint"].notna()], metric="nps", by="touchpoint")
    assert tr["n"].tolist() == tr_kept["n"].tolist()
