"""The batch's narrow responses kept on disk (cxkit.report.narrow): the rows read back equal the rows added,
shards hold whole customers, the counts taken while reading equal pandas' on the whole table, the company
context made from them equals the one made of the table in memory, and the object holds no rows itself."""
from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxkit.report.context import build_context, period_coverage, unit_churn
from cxkit.report.narrow import DAILY, NarrowResponses

UNITS = ["Vilnius Ozas", "Kraków Galeria", "Rīga Alfa", "Kaunas Akropolis", "Gdańsk Oliwa"]


def _table(n: int, seed: int) -> pd.DataFrame:
    """Shaped like prepare's narrow responses: categorical unit, touchpoint and group, masked 8-bit scores,
    64-bit customer hashes (most above 2**53, where floats would merge them), some values missing."""
    rng = np.random.default_rng(seed)
    customers = rng.integers(2**60, 2**64 - 1, size=n // 3, dtype=np.uint64)
    cust = customers[rng.integers(0, len(customers), n)]
    no_customer = rng.random(n) < 0.05
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    dates = pd.Series(dates).mask(rng.random(n) < 0.01)  # a few undated rows

    def score(lo, hi, missing):
        v = rng.integers(lo, hi + 1, n).astype(np.int8)
        return pd.arrays.IntegerArray(v, rng.random(n) < missing)

    unit = pd.Series(np.array(UNITS)[rng.integers(0, len(UNITS), n)])
    return pd.DataFrame({
        "unit": unit.astype("category"),
        "date": dates.to_numpy(),
        "nps": score(0, 10, 0.1), "csat": score(1, 5, 0.5), "ces": score(1, 7, 0.6),
        "touchpoint": pd.Series(np.array(["web", "shop", "phone"])[rng.integers(0, 3, n)]).mask(
            rng.random(n) < 0.2).astype("category"),
        "customer_id": pd.arrays.IntegerArray(cust, no_customer),
        "_group": unit.astype("category"),
    })


def _chunks(table: pd.DataFrame, size: int):
    """Chunks as the loader gives them: each with only the categories it uses, in its own order."""
    for lo in range(0, len(table), size):
        part = table.iloc[lo:lo + size].reset_index(drop=True)
        for c in ("unit", "touchpoint", "_group"):
            used = part[c].astype(object).dropna().unique().tolist()
            part[c] = part[c].astype(object).astype(pd.CategoricalDtype(used[::-1]))
        yield part


@pytest.fixture(scope="module")
def whole():
    return _table(30_000, seed=5)


@pytest.fixture
def spilled(whole, tmp_path):
    nr = NarrowResponses(tmp_path / "narrow", buckets=16)
    for part in _chunks(whole.assign(row=np.arange(len(whole))), 4_000):
        nr.add(part)
    return nr


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def test_the_rows_read_back_equal_the_rows_added(whole, spilled):
    back = pd.concat(list(spilled.shards(7_000)), ignore_index=True).sort_values("row").reset_index(drop=True)
    assert len(back) == len(whole) == len(spilled)
    expect = _as_text(whole)
    got = _as_text(back.drop(columns="row"))
    pd.testing.assert_frame_equal(got, expect, check_dtype=False)
    # 64-bit hashes exactly (as floats, neighbours above 2**53 would merge), scores still masked 8-bit
    assert back["customer_id"].dtype == pd.UInt64Dtype() and back["nps"].dtype == pd.Int8Dtype()
    assert (back["customer_id"] == whole["customer_id"]).fillna(True).all()


def test_shards_hold_whole_customers_with_the_same_sorted_categories(spilled):
    shards = list(spilled.shards(7_000))
    assert 2 <= len(shards) <= 5  # ceil(30,000 / 7,000), buckets grouped
    seen = {}
    for i, shard in enumerate(shards):
        for c in shard["customer_id"].dropna().unique():
            assert seen.setdefault(int(c), i) == i  # a customer's answers all in one shard
        assert list(shard["_group"].cat.categories) == sorted(UNITS)
        assert list(shard["touchpoint"].cat.categories) == ["phone", "shop", "web"]
    assert sum(len(s) for s in shards) == len(spilled)
    assert len(list(spilled.shards(10**9))) == 1


def test_the_counts_taken_while_reading_equal_pandas(whole, spilled):
    start, end = pd.Timestamp("2024-10-01"), pd.Timestamp("2024-12-31")
    inside = (whole["date"] >= start) & (whole["date"] < end + pd.Timedelta(days=1))
    expect = whole.loc[inside, "_group"].astype(str).value_counts().sort_index()
    got = spilled.in_period(start, end)
    assert got.to_dict() == expect.to_dict()
    for c in DAILY:
        assert spilled.count_between(c, start, end) == int((inside & whole[c].notna()).sum()), c
    assert list(spilled.dates()) == [whole["date"].min(), whole["date"].max()]
    for m in ("nps", "csat", "ces"):
        assert spilled.first_answer[m] == whole.loc[whole[m].notna(), "date"].min()
        assert spilled.has_values(m)
    assert list(spilled.categories("_group")) == sorted(UNITS)
    assert spilled.count_between("date", pd.Timestamp("2030-01-01"), pd.Timestamp("2030-03-31")) == 0


def test_the_period_coverage_equals_the_table_in_memory(whole, spilled):
    period = (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30"))
    assert period_coverage(spilled, None, level="unit", period=period) == period_coverage(
        whole, None, level="unit", period=period)


def test_rows_between_equal_a_filter_of_the_table(whole, spilled):
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31")
    got = spilled.rows_between(start, end, ["_group", "nps", "date"])
    inside = (whole["date"] >= start) & (whole["date"] < end + pd.Timedelta(days=1))
    expect = whole.loc[inside, ["_group", "nps", "date"]]
    key = ["date", "_group", "nps"]
    pd.testing.assert_frame_equal(_as_text(got).sort_values(key).reset_index(drop=True),
                                  _as_text(expect).sort_values(key).reset_index(drop=True), check_dtype=False)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("group", "metric", "against", "vs", "period", "touchpoint") if c in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True) if keys else frame


def test_the_context_from_disk_equals_the_context_in_memory(whole, spilled):
    """Comparisons (cluster-robust), trends, the NPS distribution and touchpoints: the same counts, design
    effects equal to rounding, whether the responses are held or read back a shard at a time."""
    period = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    settings = {"scales": {"csat": [1, 5], "ces": [1, 7]}}
    kw = dict(level="unit", period=period, settings=settings, log=None, rejected=None, part="responses")
    memory = build_context({"responses": whole, "units": None}, **kw)
    disk = build_context({"responses": spilled, "units": None}, **kw, shard_rows=7_000)
    assert set(memory) == set(disk) and {"comparisons", "trend", "nps_distribution", "touchpoints"} <= set(disk)
    assert len(memory["comparisons"]) > 20
    for name in memory:
        pd.testing.assert_frame_equal(_sorted(disk[name]), _sorted(memory[name]), check_dtype=False,
                                      check_categorical=False, rtol=1e-9)


def test_the_unit_outcomes_from_the_helpers_churn_equal_those_from_the_customers(whole, spilled):
    """The batch's helper counts each unit's churn (the parent never holds the customers): the unit outcomes
    equal those computed from the customers' table."""
    rng = np.random.default_rng(2)
    n = 6_000
    acquired = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    churned_at = pd.Series(acquired + pd.to_timedelta(rng.integers(30, 900, n), unit="D")).where(rng.random(n) < 0.3)
    units = np.array(UNITS)[rng.integers(0, len(UNITS), n)]
    customers = pd.DataFrame({"unit": units, "acquired_at": acquired, "churned_at": churned_at,
                              "churned": churned_at.notna(), "_group": pd.Categorical(units)})
    period = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))
    kw = dict(level="unit", period=period, settings={}, log=None, rejected=None, part="outcomes")
    with_customers = build_context({"responses": whole, "customers": customers, "units": None}, **kw)
    churn = unit_churn(customers, period=period)
    from_helper = build_context({"responses": spilled, "unit_churn": churn, "units": None}, **kw)
    assert len(with_customers["unit_outcomes"]) == len(UNITS)
    for name in ("unit_outcomes", "unit_outcomes_fit", "unit_outcomes_notes"):
        pd.testing.assert_frame_equal(_sorted(from_helper[name]), _sorted(with_customers[name]), check_dtype=False)


def test_the_object_holds_no_rows_and_remove_deletes_its_files(tmp_path):
    """200,000 rows added: the memory the object keeps (its counts per group and day) is a small fraction of the
    5 MB the rows would take in memory; the rows are in the bucket files until removed."""
    table = _table(200_000, seed=9)
    nr = NarrowResponses(tmp_path / "narrow")
    tracemalloc.start()
    try:
        for part in _chunks(table, 20_000):
            nr.add(part)
            del part
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 400_000, held
    assert len(nr) == 200_000 and any((tmp_path / "narrow").iterdir())
    nr.remove()
    assert not (tmp_path / "narrow").exists()


def test_a_batch_leaves_no_narrow_files(tmp_path):
    from cxkit.report.preparation import prepare

    prepare(Path(__file__).resolve().parents[2] / "data" / "sample", tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out" / "_data").iterdir()) == ["context", "partitions"]


def test_categories_no_row_holds_are_left_out(tmp_path):
    """A chunk's categorical columns may declare categories none of its rows holds (the loader's units table
    does): the groups reported are those some row has, sorted as text (as the in-memory table's were)."""
    piece = _table(50, seed=1).head(4).copy()
    piece["_group"] = pd.Categorical(["b", "a", None, "b"], categories=["c", "b", "a", "z"])
    nr = NarrowResponses(tmp_path / "narrow", buckets=4)
    nr.add(piece)
    assert list(nr.categories("_group")) == ["a", "b"]
    assert list(nr.in_period(piece["date"].min(), piece["date"].max()).index) == ["a", "b"]
    assert list(next(nr.shards(10))["_group"].cat.categories) == ["a", "b"]
