"""What the batch parent keeps while it reads the responses chunk by chunk: no Arrow buffer of a chunk outlives
the chunk (the narrow rows go to disk, tests/report/test_narrow.py), and the record of ids seen keeps its own
compact copy of the ids."""
from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxkit.data.hashing import _SeenIds
from cxkit.data.loading import discover
from cxkit.report.preparation import _read_partitioned

ROWS, GROUP_ROWS = 60_000, 2_000  # 30 row groups: 30 chunks
COMMENT = 400  # bytes of comment text per row: 0.8 MB of Arrow strings per chunk, 24 MB in all


def _responses(folder, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    t = pa.table({
        "response_id": [f"R{i:07d}" for i in range(ROWS)],
        "customer_id": [f"C{v:06d}" for v in rng.integers(0, 20_000, ROWS)],
        "unit": np.array(["Unit A", "Unit B", "Unit C"])[rng.integers(0, 3, ROWS)],
        "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 300, ROWS), unit="D"),
        "nps": rng.integers(0, 11, ROWS),
        "comment": [chr(97 + i % 26) * COMMENT for i in range(ROWS)],
    })
    pq.write_table(t, folder / "responses.parquet", row_group_size=GROUP_ROWS)


def _arrow_bytes_after_reading(folder, tmp) -> tuple[int, pd.DataFrame]:
    root, m, found = discover(folder)
    gc.collect()
    before = pa.total_allocated_bytes()
    read = _read_partitioned(["responses"], {}, found, m, None, None, "unit", tmp)
    gc.collect()
    return pa.total_allocated_bytes() - before, read["narrow"]["responses"]


def test_the_narrow_table_keeps_no_chunk_arrow_memory(tmp_path):
    """After 30 chunks the Arrow memory still allocated is far below one chunk's comments (0.8 MB): nothing kept
    for the context holds a chunk's Arrow buffers (24 MB of comments read)."""
    (tmp_path / "data").mkdir()
    _responses(tmp_path / "data")
    held, narrow = _arrow_bytes_after_reading(tmp_path / "data", tmp_path / "parts")
    assert len(narrow) == ROWS
    assert held < GROUP_ROWS * COMMENT / 4, held


def test_seen_ids_keep_a_compact_copy_of_the_ids_not_the_chunks_buffers():
    """A chunk that is a slice of a large Arrow array (as the Parquet reader's pieces of a row group are):
    the record keeps only its own ids' bytes."""
    big = pa.array([f"id-{i:06d}-" + "x" * 90 for i in range(20_000)], type=pa.large_string())  # 2.2 MB
    chunk = pd.Series(pd.arrays.ArrowStringArray(big.slice(19_000, 500)))
    seen = _SeenIds()
    seen.check(chunk, np.arange(500, dtype=np.int64))
    (hs, ids, pos, recs), = seen.chunks
    own = sum(b.size for b in ids.buffers() if b is not None)
    assert len(ids) == 500 and own <= 1.05 * 500 * (100 + 4), own  # the 500 ids and their offsets (2.2 MB around)
    assert sorted(ids.to_pylist()) == sorted(chunk.tolist())


def test_seen_ids_with_records_not_consecutive_match_pandas():
    """Records given out of order (not one run): each later copy names the record of the id's first row,
    as pandas' ``duplicated(keep="first")`` finds it."""
    rng = np.random.default_rng(11)
    ids = pd.Series([f"k{v}" for v in rng.integers(0, 700, 3000)], dtype="string[pyarrow]")
    records = rng.permutation(100_000)[:3000].astype(np.int64)
    seen, dup, first = _SeenIds(first_bits=8), [], []
    for lo in range(0, 3000, 400):
        d, f = seen.check(ids.iloc[lo:lo + 400], records[lo:lo + 400])
        dup.append(d)
        first.append(f)
    dup, first = np.concatenate(dup), np.concatenate(first)
    expect = ids.duplicated(keep="first").to_numpy()
    assert dup.tolist() == expect.tolist() and expect.sum() > 1000
    first_row = {v: i for i, v in reversed(list(enumerate(ids.tolist())))}
    assert first.tolist() == [records[first_row[v]] for v in ids[expect].tolist()]


def test_the_seen_ids_past_the_first_ones_live_in_a_mapped_file(monkeypatch, tmp_path):
    """Past ``keep_in_memory`` ids, a chunk's ids and positions are views of a temporary file (unlinked at once):
    the Arrow memory the record holds stays that of the first chunks, and copies are still found exactly."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(_SeenIds, "keep_in_memory", 2_000)
    ids = pd.Series([f"id-{i:07d}-" + "x" * 40 for i in range(20_000)] + ["id-0000003-" + "x" * 40],
                    dtype="string[pyarrow]")
    gc.collect()
    before = pa.total_allocated_bytes()
    seen, found = _SeenIds(), []
    for lo in range(0, len(ids), 1_000):
        dup, first = seen.check(ids.iloc[lo:lo + 1_000], np.arange(lo, min(lo + 1_000, len(ids)), dtype=np.int64))
        found += [(lo + int(i), int(f)) for i, f in zip(np.flatnonzero(dup), first)]
    gc.collect()
    held = pa.total_allocated_bytes() - before
    assert found == [(20_000, 3)]
    assert held < 3_000 * 60, held  # the first two chunks' ids in memory; 18,000 more ids (1 MB) mapped
    assert list(tmp_path.iterdir()) == []


def test_the_concatenation_column_by_column():
    from cxkit.data.validate import _concat_keep_categories

    parts = [pd.DataFrame({"x": [1, 2], "u": pd.Categorical(["p", "q"])}),
             pd.DataFrame({"x": [3], "u": pd.Categorical(["r"])})]
    calls = []
    out = _concat_keep_categories(parts, freed=lambda: calls.append(1))
    assert out["x"].tolist() == [1, 2, 3] and out["u"].tolist() == ["p", "q", "r"] and len(calls) == 2


def test_the_seen_ids_stay_in_memory_without_a_writable_temporary_folder(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    monkeypatch.setattr(_SeenIds, "keep_in_memory", 0)
    ids = pd.Series(["a", "b", "c", "a", "b", "d"], dtype="string[pyarrow]")
    seen = _SeenIds()
    dup1, _ = seen.check(ids.iloc[:3], np.arange(3, dtype=np.int64))
    dup2, first = seen.check(ids.iloc[3:], np.arange(3, 6, dtype=np.int64))
    assert dup1.tolist() == [False] * 3 and dup2.tolist() == [True, True, False] and first.tolist() == [0, 1]
    assert all(pos.flags.writeable for _, _, pos, _ in seen.chunks)  # kept in memory, not mapped
