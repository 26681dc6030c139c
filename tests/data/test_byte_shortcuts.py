"""The text checks decided from the bytes give what the checks over every value give.

Each shortcut (:mod:`cxkit.data.convert.text`, :mod:`cxkit.data.convert.columns`) skips work only when the bytes
prove it cannot change the result; the reference here is the Arrow or pandas operation over every value that the
loader ran before (``utf8_trim_whitespace``, ``utf8_length``, ``fill_null``, ``str.contains``, ``str.startswith``,
``isin``), on values chosen to hit each edge: Unicode whitespace (U+00A0, U+2003, U+3000, U+0085), control
characters, multi-byte letters, nulls that hold bytes, text read in several Arrow chunks.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cxkit.data.convert.columns import _PLACEHOLDER_VARIANTS, _byte_marks, _placeholders
from cxkit.data.convert.text import _empty_as_missing, _longer_than, _nulls_as_empty, _trimmed

EDGES = ["", " ", "a", " a", "a ", "\ta\n", "\u00a0x", "x\u00a0", "\u3000y\u3000", "\u2003z", "\u0085w", "w\u0085",
         "\x1cv\x1f", "\u0105", "a\u0105", "\u20ac ", " \u20ac", "'1", "#N/A", "n/a", "N/A", "-", "(blank)", "x#y",
         "2025-01-31", "a  b", "\u00e9\u00e9\u00e9\u00e9\u00e9"]


def _values(n: int, seed: int) -> list:
    rng = random.Random(seed)
    return [rng.choice(EDGES) if rng.random() < 0.5 else "".join(rng.choice("ab1 \u0105\u00a0#'")
                                                                 for _ in range(rng.randint(0, 6)))
            for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_trim_only_where_an_edge_byte_allows_it(seed):
    ca = pa.array(_values(2000, seed) + EDGES, type=pa.large_string())
    new, changed = _trimmed(ca)
    reference = pc.utf8_trim_whitespace(ca)
    assert new.to_pylist() == reference.to_pylist()
    assert changed.tolist() == np.asarray(pc.not_equal(reference, ca), dtype=bool).tolist()


def test_trim_of_a_sliced_array():
    ca = pa.array(EDGES * 3, type=pa.large_string()).slice(5, 40)
    new, changed = _trimmed(ca)
    assert new.to_pylist() == pc.utf8_trim_whitespace(ca).to_pylist()
    assert changed.sum() == sum(v != v2 for v, v2 in zip(ca.to_pylist(), pc.utf8_trim_whitespace(ca).to_pylist()))


@pytest.mark.parametrize("limit", [0, 1, 3, 5, 8])
def test_length_counted_in_characters(limit):
    ca = pa.array(EDGES + _values(500, limit), type=pa.large_string())
    expected = np.asarray(pc.greater(pc.utf8_length(ca), limit), dtype=bool)
    assert _longer_than(ca, limit).tolist() == expected.tolist()


def test_nulls_read_as_empty_text_with_and_without_bytes_behind_them():
    plain = pa.array(["a", None, "bc", None], type=pa.large_string())  # Arrow's builder: nulls take no bytes
    assert _nulls_as_empty(plain).to_pylist() == ["a", "", "bc", ""]
    # a null whose slot still holds bytes (allowed by Arrow's format): filled, not read as its bytes
    offsets = pa.py_buffer(np.array([0, 1, 4, 6], dtype=np.int64))
    validity = pa.array([True, False, True]).buffers()[1]
    odd = pa.Array.from_buffers(pa.large_string(), 3, [validity, offsets, pa.py_buffer(b"axyzbc")])
    assert odd.to_pylist() == ["a", None, "bc"]
    assert _nulls_as_empty(odd).to_pylist() == pc.fill_null(odd, "").to_pylist() == ["a", "", "bc"]


def test_empty_values_become_missing():
    ca = pa.array(["a", "", "b", ""], type=pa.large_string())
    text = pd.Series(pd.arrays.ArrowStringArray(ca))
    empty = np.array([False, True, False, True])
    got = _empty_as_missing(text, empty)
    assert got.isna().tolist() == empty.tolist()
    assert got.tolist()[::2] == ["a", "b"]


@pytest.mark.parametrize("chunks", [1, 3])
def test_marks_and_placeholders_over_arrow_chunks(chunks):
    values = _values(900, chunks) + EDGES
    parts = np.array_split(np.arange(len(values)), chunks)
    arr = pa.chunked_array([pa.array([values[i] for i in p], type=pa.large_string()) for p in parts])
    s = pd.Series(pd.arrays.ArrowStringArray(arr))
    has_hash, has_apostrophe = _byte_marks(s)
    assert has_hash == any("#" in v for v in values)
    assert has_apostrophe == any(v.startswith("'") for v in values)
    assert _placeholders(s).tolist() == [v in set(_PLACEHOLDER_VARIANTS) for v in values]


def test_no_mark_and_no_placeholder_when_the_bytes_hold_none():
    s = pd.Series(pd.arrays.ArrowStringArray(pa.array(["2025-01-31", "2025-02-01"] * 10, type=pa.large_string())))
    assert _byte_marks(s) == (False, False)
    assert not _placeholders(s).any()
