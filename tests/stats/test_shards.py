"""Comparisons, trends and NPS distributions worked through in shards of whole customers
(cxkit/stats/shards.py, the report batch's company context beyond a million responses) equal the same
calls on the whole table: the same counts, and design effects equal to rounding.

The reference is cxkit's own whole-table computation (compare(), trend(), nps_distribution() and the
context's unsharded path), which tests/stats/test_design.py checks against independent CR1 variances
and seeded simulation. The data are seeded and random: customers answering up to hundreds of times
(some without an id), units of unequal sizes, blank touchpoints, two years of dates, missing scores.
"""
from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import ConfigError
from cxkit.report import context as context_module
from cxkit.stats import design, shards
from cxkit.stats.design import _ClusterData

PERIOD = (pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31"))


def _responses(rng, n=8000, customers=2000, heavy=True):
    if heavy:  # a few customers answer very often (one of them about a third of the answers), most once
        who = np.minimum(rng.zipf(1.6, n) - 1, customers - 1)
    else:  # about n / customers answers each
        who = rng.integers(0, customers, n)
    ids = pd.Series([f"C{i:05d}" for i in who], dtype=object)
    ids[rng.random(n) < 0.03] = None  # answers without an id: each its own cluster
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 731, n), unit="D")
    units = np.array(["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"])
    unit = units[np.minimum(rng.geometric(0.35, n) - 1, len(units) - 1)]
    tp = pd.Series(rng.choice(["billing", "delivery", "product", "chat"], n), dtype=object)
    tp[rng.random(n) < 0.05] = None
    scores = {}
    for name, (lo, hi, missing) in {"nps": (0, 10, 0.1), "csat": (1, 5, 0.3), "ces": (1, 5, 0.5)}.items():
        s = pd.array(rng.integers(lo, hi + 1, n), dtype="Int8")
        s[rng.random(n) < missing] = pd.NA
        scores[name] = s
    return pd.DataFrame({"unit": pd.Categorical(unit), "date": dates, **scores, "touchpoint": tp.astype("category"),
                         "customer_id": ids})


def _units():
    return pd.DataFrame({"unit": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
                         "region": ["North", "North", "South", "South", "East", None],
                         "target_nps": [10.0, 20.0, 0.0, 5.0, np.nan, 30.0],
                         "target_csat": [60.0, 55.0, 50.0, 70.0, 40.0, 65.0]})


def _coded(responses, form: str = "categories"):
    """Customer ids as text (as loaded), as categories numbered 0..n-1, or as the report batch keeps them:
    64-bit hashes (nullable unsigned integers)."""
    if form == "text":
        return responses
    ids = responses["customer_id"]
    if form == "hashes":
        from cxkit.report.preparation import _hash_ids

        return responses.assign(customer_id=pd.arrays.IntegerArray(_hash_ids(ids), ids.isna().to_numpy()))
    codes, uniq = pd.factorize(ids)
    return responses.assign(customer_id=pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(
        pd.RangeIndex(len(uniq)))))


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, obj: str = "table"):
    """Equal frames: text, counts and flags exactly, numbers to 1e-10 relative (design effects are sums of
    the same products added in another order)."""
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10, atol=1e-13, obj=obj)
    for col in a.columns:
        if not pd.api.types.is_float_dtype(a[col].dtype):
            pd.testing.assert_series_equal(a[col], b[col], check_exact=True, obj=f"{obj}[{col}]")


# ---------------------------------------------------------------------------------------------
# the shards


@pytest.mark.parametrize("form", ["text", "categories", "hashes"])
def test_customer_shards_hold_whole_customers_and_every_row_once(rng, form):
    data = _coded(_responses(rng, n=5000), form)
    parts = list(shards.customer_shards(data, rows=1200))
    assert len(parts) == 5  # ceil(5000 / 1200)
    rows = np.concatenate([p.index.to_numpy() for p in parts])
    assert np.array_equal(np.sort(rows), np.arange(len(data)))  # every row once
    owner = {}
    for i, p in enumerate(parts):
        assert p.index.is_monotonic_increasing  # the rows' order kept
        for c in p["customer_id"].dropna().astype(str).unique():
            assert owner.setdefault(c, i) == i  # a customer in one shard only
        pd.testing.assert_index_equal(p["unit"].cat.categories, data["unit"].cat.categories)
    assert len(owner) == data["customer_id"].nunique()
    assert list(shards.customer_shards(data, rows=len(data)))[0] is data  # one shard: the table itself


def test_shards_number_text_groups_alike_and_sums_of_other_groups_are_refused(rng):
    data = _responses(rng, n=3000).assign(unit=lambda d: d["unit"].astype(str))
    parts = list(shards.customer_shards(data, rows=100, groups=("unit",)))
    cats = sorted(data["unit"].unique())
    assert all(list(p["unit"].cat.categories) == cats for p in parts)
    assert any(p["unit"].nunique() < len(cats) for p in parts)  # some shards lack a unit
    kw = dict(metric="nps", by="unit", against="rest", cluster="customer_id")
    job = shards.compare_job(**kw)
    for p in parts:
        job.add(p)
    _assert_same(job.result(), cx.compare(data, **kw))
    job = shards.compare_job(**kw)  # text groups numbered shard by shard: an error, never a table left out
    with pytest.raises(ValueError, match="groups differ"):
        for p in shards.customer_shards(data, rows=100):
            job.add(p)


def test_more_shards_than_8_bit_customer_codes_count(rng):
    """Few customers (categories coded in 8 bits) in many shards: each customer still in one shard."""
    data = pd.DataFrame({"customer_id": pd.Categorical(rng.choice(["a", "b", "c", None], 3000)), "x": np.arange(3000)})
    assert data["customer_id"].cat.codes.dtype == np.int8
    parts = list(shards.customer_shards(data, rows=10))  # 300 shards
    assert len(parts) == 300 and sum(map(len, parts)) == 3000
    homes = [{c for c in p["customer_id"].dropna()} for p in parts]
    for c in "abc":
        assert sum(c in h for h in homes) == 1


def test_cluster_sums_over_shards_equal_the_design_effects(rng):
    """_moments added over shards of whole clusters give _deff_rest, _deff_single and _deff_pairs."""
    for _ in range(25):
        m, g = int(rng.integers(50, 4000)), int(rng.integers(1, 8))
        cl = rng.integers(0, int(rng.integers(5, m)), m).astype(np.int64)
        x = rng.integers(-1, 2, m).astype(float)
        col, col2 = rng.integers(0, g, m), rng.integers(0, 2 * g, m)
        whole = _ClusterData(x, col, cl, g, None, True)
        pairs = _ClusterData(x, col2, cl, 2 * g, None, True)
        k = int(rng.integers(1, 5))
        mo = mo2 = None
        for s in range(k):
            r = cl % k == s
            mo = design._add_moments(mo, design._moments(_ClusterData(x[r], col[r], cl[r], g, None, True)))
            mo2 = design._add_moments(mo2, design._moments(_ClusterData(x[r], col2[r], cl[r], 2 * g, None, True),
                                                           offset=g))
        np.testing.assert_allclose(design._deff_rest_from(mo), design._deff_rest(whole), rtol=1e-11)
        np.testing.assert_allclose(design._deff_single_from(mo), design._deff_single(whole), rtol=1e-11)
        j = np.arange(g)
        np.testing.assert_allclose(design._deff_pairs_from(mo2, j, g), design._deff_pairs(pairs, j, j + g),
                                   rtol=1e-11)


def test_cluster_sums_need_whole_numbers():
    cd = _ClusterData(np.array([0.5, 1.0]), np.array([0, 0]), np.array([0, 1]), 1, None, None)
    with pytest.raises(ConfigError, match="whole-number"):
        design._moments(cd)


# ---------------------------------------------------------------------------------------------
# jobs over shards against the calls on the whole table


@pytest.mark.parametrize("form", ["text", "categories", "hashes"])
@pytest.mark.parametrize("against", ["rest", "target", "previous", "year_ago"])
def test_compare_over_shards_equals_compare(rng, against, form):
    data = _coded(_responses(rng), form)
    for metric in ("nps", "csat", "ces"):
        for by in ("unit", None, "touchpoint"):
            if (by is None and against in ("rest", "target")) or (against == "target" and (by != "unit"
                                                                                          or metric == "ces")):
                continue  # the units table has NPS and CSAT targets
            kw = dict(metric=metric, by=by, against=against, period="2025Q4", cluster="customer_id",
                      targets=_units() if against == "target" else None)
            job = shards.compare_job(**kw)
            for part in shards.customer_shards(data, rows=1500):
                job.add(part)
            got, want = job.result(), cx.compare(data, **kw)
            assert want["test"].str.contains("cluster-robust").all() and want["p_value"].notna().any()
            _assert_same(got, want, obj=f"{metric} by {by} vs {against}")
            assert got.attrs == want.attrs


def test_compare_over_shards_without_clusters_equals_compare(rng):
    data = _responses(rng)
    job = shards.compare_job(metric="nps", by="unit", against="previous", period="2025Q4")
    for part in shards.customer_shards(data, rows=2000):
        job.add(part)
    _assert_same(job.result(), cx.compare(data, metric="nps", by="unit", against="previous", period="2025Q4"))


@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
def test_trend_over_shards_equals_trend(rng, metric):
    data = _responses(rng)
    start = data.loc[data[metric].notna(), "date"].min()
    for by in ("unit", None):
        job = shards.trend_job(metric=metric, freq="M", by=by, start=start, end=PERIOD[1])
        for part in shards.customer_shards(data, rows=1000):
            job.add(part)
        want = cx.trend(data, metric=metric, freq="M", by=by, end=PERIOD[1])
        _assert_same(job.result(), want, obj=f"trend of {metric} by {by}")


def test_distribution_over_shards_equals_nps_distribution(rng):
    data = _responses(rng)
    for by in ("unit", "touchpoint", None):
        job = shards.distribution_job(by=by)
        for part in shards.customer_shards(data, rows=900):
            job.add(part)
        want = cx.nps_distribution(data, by=by)
        got = job.result()
        _assert_same(got, want, obj=f"distribution by {by}")


def test_jobs_refuse_what_does_not_add_up(rng):
    with pytest.raises(ConfigError, match="pairs"):
        job = shards.compare_job(metric="nps", by="unit", against="pairs", cluster="customer_id")
        job.add(_responses(rng, n=500))
        job.result()
    job = shards.compare_job(metric="ces_mean", by="unit", against="rest")  # means do not add up as counts
    job.add(_responses(rng, n=500))
    with pytest.raises(ConfigError, match="shards"):
        job.result()
    with pytest.raises(ConfigError, match="start= and end="):
        job = shards.trend_job(metric="nps", by="unit")
        job.add(_responses(rng, n=500))
        job.result()
    job = shards.compare_job(metric="nps", by="unit", against="previous", cluster="customer_id")
    job.add(_responses(rng, n=500))
    with pytest.raises(ConfigError, match="period="):  # each shard has its own latest date
        job.result()


# ---------------------------------------------------------------------------------------------
# the company context


def _context(responses, shard_rows):
    tables = context_module.attach_groups({"responses": responses, "units": _units()}, level="unit")
    return context_module.build_context(tables, level="unit", settings={}, period=PERIOD, log=None, rejected=None,
                                        part="responses", shard_rows=shard_rows)


@pytest.mark.parametrize("form, shard_rows, count", [("text", 2500, 5), ("categories", 2500, 5), ("hashes", 2500, 5),
                                                     ("hashes", 150, 80)])
def test_context_in_shards_equals_the_context_at_once(rng, form, shard_rows, count, monkeypatch):
    """Also in 80 shards, many without some unit's or touchpoint's answers in the period: the groups
    (text, as ``attach_groups`` gives them) are numbered alike in every shard."""
    data = _coded(_responses(rng, n=12000), form)
    made = []
    real = context_module.customer_shards

    def counted(*args, **kwargs):
        for part in real(*args, **kwargs):
            made.append(len(part))
            yield part

    monkeypatch.setattr(context_module, "customer_shards", counted)
    whole = _context(data, shard_rows=len(data))
    assert made == []  # not beyond shard_rows: the whole table, the unsharded path
    parts = _context(data, shard_rows=shard_rows)
    assert len(made) == count and sum(made) == len(data)
    assert list(whole) == list(parts) == ["comparisons", "trend", "nps_distribution", "touchpoints", "regions"]
    tested = whole["comparisons"]
    assert tested["test"].str.contains("cluster-robust by customer_id").all()
    assert set(tested["against"]) == {"rest", "target", "previous", "year_ago"}
    for name in whole:
        _assert_same(parts[name], whole[name], obj=name)


def test_context_in_shards_without_touchpoints_regions_or_customers(rng):
    data = _responses(rng, n=6000).drop(columns=["touchpoint", "customer_id"])
    tables = context_module.attach_groups({"responses": data, "units": None}, level="unit")
    kw = dict(level="unit", settings={}, period=PERIOD, log=None, rejected=None, part="responses")
    whole = context_module.build_context(tables, shard_rows=len(data), **kw)
    parts = context_module.build_context(tables, shard_rows=1000, **kw)
    assert list(whole) == list(parts) == ["comparisons", "trend", "nps_distribution"]
    assert not whole["comparisons"]["test"].str.contains("cluster-robust").any()
    for name in whole:
        _assert_same(parts[name], whole[name], obj=name)


def test_context_in_shards_takes_the_memory_of_a_shard(rng):
    """The survey part's peak allocation (tracemalloc: numpy's arrays included) stays that of a shard: four
    times the rows, in shards of the same size, take well under twice the memory; at once, they take
    about four times as much."""
    def peak(data, shard_rows):
        tables = context_module.attach_groups({"responses": data, "units": _units()}, level="unit")
        tracemalloc.start()
        try:
            context_module.build_context(tables, level="unit", settings={}, period=PERIOD, log=None, rejected=None,
                                         part="responses", shard_rows=shard_rows)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # customers of about four answers each: shards of about equal size (a customer with a third of all answers
    # makes a shard of a third)
    small = _coded(_responses(rng, n=40_000, customers=10_000, heavy=False), "hashes")
    large = _coded(_responses(rng, n=160_000, customers=40_000, heavy=False), "hashes")
    at_once = peak(large, len(large)) / peak(small, len(small))
    in_shards = peak(large, 20_000) / peak(small, 20_000)
    assert at_once > 2.5, at_once
    assert in_shards < 1.6, in_shards
