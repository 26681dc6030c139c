"""Ids looked up by hash (``cxkit.data.hashing.lookup``, ``sum_by_key``): exact against pandas, whatever the hashes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cxkit.data import hashing


def _text(values) -> pa.Array:
    return pa.array(pd.Series(values, dtype=object), type=pa.large_string())


@pytest.mark.parametrize("seed", range(5))
def test_sum_by_key_equals_a_pandas_groupby(seed):
    # keys in any order; ids partly grouped, partly shuffled, with missing and unknown ids and missing values:
    # the sums must equal pandas' groupby-sum of the same rows reindexed on the keys (an independent computation)
    rng = np.random.default_rng(seed)
    keys = [f"k{i}" for i in rng.permutation(400)]
    ids = np.sort(rng.integers(0, 450, 5000)).astype(object)
    ids[:1500] = rng.permutation(ids[:1500])
    ids = np.array([f"k{i}" for i in ids], dtype=object)
    ids[rng.random(5000) < 0.03] = None
    values = np.where(rng.random(5000) < 0.05, np.nan, rng.gamma(2.0, 30.0, 5000))
    got = hashing.sum_by_key(_text(keys), _text(ids), values)
    expected = pd.Series(values).groupby(pd.Series(ids)).sum().reindex(keys).fillna(0.0).to_numpy()
    assert got == pytest.approx(expected, rel=1e-12)


def test_lookup_confirms_hits_by_text(monkeypatch):
    # every id hashed to its length: hits of another id of the same length must not count
    monkeypatch.setattr(hashing, "fast_hash", lambda arr: np.asarray(
        [len(v or "") for v in hashing._large_strings(arr).to_pylist()], dtype=np.uint64))
    found = hashing.lookup(_text(["a", "bb", "ccc"]), [pa.chunked_array([_text(["x", "bb", None]),
                                                                          _text(["ccc", "yy", "", "a"])])])
    assert found[0].tolist() == [-1, 1, -1, 2, -1, -1, 0]
    assert hashing.sum_by_key(_text(["a", "bb"]), _text(["bb", "bb", "zz", "a"]), np.array([1.0, 2.0, 4.0, 8.0])
                              ).tolist() == [8.0, 3.0]


def test_lookup_leaves_repeated_or_missing_keys_to_the_caller():
    assert hashing.lookup(_text(["a", "b", "a"]), [_text(["a"])]) is None
    assert hashing.lookup(_text(["a", None]), [_text(["a"])]) is None
    assert hashing.sum_by_key(_text(["a", "a"]), _text(["a"]), np.array([1.0])) is None
    assert [f.tolist() for f in hashing.lookup(_text([]), [_text(["a", None])])] == [[-1, -1]]
