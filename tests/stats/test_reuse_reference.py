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
# the previous algorithm (cxkit before issue 24), unchanged: the reference


def _reference_cluster_data(kind_name, parts, cl, ncols) -> _ClusterData:
    xs, cols, cls = [], [], []
    for valid, payload, codes, offset in parts:
        rows = _rows(valid)
        xs.append(_observation_values(kind_name, payload, rows))
        cols.append(codes[rows] + offset)
        cls.append(cl[rows])
    return _ClusterData(np.concatenate(xs), np.concatenate(cols).astype(np.int64), np.concatenate(cls), ncols)


def _reference_cells(cd, *values, per_cluster=None):
    per_cluster = np.bincount(cd.cl, minlength=int(cd.cl.max()) + 1 if cd.cl.size else 0) \
        if per_cluster is None else per_cluster
    once = per_cluster[cd.cl] == 1
    single, multi = np.flatnonzero(once), np.flatnonzero(~once)
    key, inv = np.unique(cd.cl[multi] * np.int64(cd.ncols) + cd.col[multi], return_inverse=True)
    cl = np.concatenate([cd.cl[single], key // cd.ncols])
    col = np.concatenate([cd.col[single], key % cd.ncols])
    n = np.concatenate([np.ones(len(single)), np.bincount(inv, minlength=len(key))])
    sums = [np.concatenate([v[single], np.bincount(inv, weights=v[multi], minlength=len(key))]) for v in values]
    return cl, col, n, sums, len(single)


@pytest.fixture
def reference(monkeypatch):
    """Switch the fast path off: the previous cell search, nothing kept between calls."""
    monkeypatch.setattr(design, "_cells", _reference_cells)
    monkeypatch.setattr(comparisons, "_cluster_data", _reference_cluster_data)
    monkeypatch.setattr(trends, "_cluster_data", _reference_cluster_data)
    monkeypatch.setattr(context_module, "reuse_prepared", contextlib.nullcontext)


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
        m.setattr(design, "_cells", _reference_cells)
        m.setattr(comparisons, "_cluster_data", _reference_cluster_data)
        m.setattr(trends, "_cluster_data", _reference_cluster_data)
        m.setattr(context_module, "reuse_prepared", contextlib.nullcontext)
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
        m.setattr(design, "_cells", _FAST_CELLS)
        m.setattr(comparisons, "_cluster_data", _FAST_CLUSTER_DATA)
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
        m.setattr(design, "_cells", _FAST_CELLS)
        m.setattr(trends, "_cluster_data", _FAST_CLUSTER_DATA)
        with reuse_prepared():
            fast = [cx.trend(responses, **kw) for kw in calls] + [cx.trend(responses, **calls[0])]
    for a, b in zip(fast, slow + slow[:1]):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


_FAST_CELLS, _FAST_CLUSTER_DATA = design._cells, design._cluster_data
