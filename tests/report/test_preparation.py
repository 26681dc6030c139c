"""The unit partitions prepare writes: each group's rows, in the order read, with their values and types."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from cxkit.report.preparation import _Partitions, _stem


def _chunk(start: int, n: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    units = np.array(["Unit A", "Unit B", "Unit C", "Vilnius \u0161"])
    unit = pd.Categorical(units[rng.integers(0, len(units), n)])
    frame = pd.DataFrame({
        "response_id": pd.array([f"R{i}" for i in range(start, start + n)], dtype=pd.StringDtype("pyarrow")),
        "unit": unit,
        "nps": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(0, 11, n)), dtype="Int8"),
        "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "_record": np.arange(start, start + n),
    })
    groups = pd.Series(unit).astype(object)
    groups[rng.random(n) < 0.05] = None  # rows of no reported group are left out
    return frame, groups


def test_partitions_hold_each_groups_rows_in_input_order(tmp_path):
    parts = _Partitions(tmp_path)
    chunks = [_chunk(start, 3000, seed) for start, seed in ((0, 1), (3000, 2), (6000, 3))]
    for frame, groups in chunks:
        parts.write("responses", frame, groups)
    parts.finish_table("responses")
    every = pd.concat([f.assign(_g=g.to_numpy()) for f, g in chunks], ignore_index=True)
    files = sorted(p.name for p in (tmp_path / "responses").glob("*.parquet"))
    assert files == sorted(f"{_stem(g)}.parquet" for g in every["_g"].dropna().unique())
    for g, expected in every.dropna(subset=["_g"]).groupby("_g", sort=False):
        path = tmp_path / "responses" / f"{_stem(g)}.parquet"
        got = pq.read_table(path).to_pandas()
        assert pq.ParquetFile(path).num_row_groups == 3  # one row group per chunk
        assert list(got.columns) == ["response_id", "unit", "nps", "date"]  # the row numbers stay behind
        assert got["response_id"].tolist() == expected["response_id"].tolist()
        assert got["unit"].tolist() == expected["unit"].astype(str).tolist()
        assert got["nps"].astype("Int8").tolist() == expected["nps"].tolist()
        assert (got["date"].to_numpy() == expected["date"].to_numpy()).all()


def test_a_chunk_typed_differently_is_written_with_the_files_types(tmp_path):
    parts = _Partitions(tmp_path)
    first = pd.DataFrame({"unit": ["A", "B"], "comment": pd.array(["x", "y"], dtype=pd.StringDtype("pyarrow"))})
    second = pd.DataFrame({"unit": ["A", "B"], "comment": [None, None]})  # all empty: no type of its own
    parts.write("responses", first, first["unit"])
    parts.write("responses", second, second["unit"])
    parts.finish_table("responses")
    got = pq.read_table(tmp_path / "responses" / f"{_stem('A')}.parquet").to_pandas()
    assert got["comment"].tolist()[0] == "x" and pd.isna(got["comment"].tolist()[1])
