"""The Parquet reader reads its next piece in a thread while the loader validates the current one
(``cxkit.data.readers.base._read_ahead``): the same chunks in the same order, the reader's errors where
they happened, and no thread left behind when the loader stops early."""
import threading

import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.readers.base import _read_ahead
from cxkit.errors import FileReadError


def _threads() -> int:
    return sum(t.name.startswith("cxkit-read-ahead") for t in threading.enumerate())


def test_items_come_in_order_and_the_thread_ends():
    assert list(_read_ahead(iter(range(50)))) == list(range(50))
    assert _threads() == 0


def test_an_error_of_the_source_is_raised_after_the_items_before_it():
    def source():
        yield 1
        yield 2
        raise FileReadError("x.parquet", "damaged")

    got = []
    with pytest.raises(FileReadError, match="damaged"):
        for item in _read_ahead(source()):
            got.append(item)
    assert got == [1, 2]
    assert _threads() == 0


def test_stopping_early_stops_the_thread_and_closes_the_source():
    closed = threading.Event()
    produced = []

    def source():
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    chunks = _read_ahead(source())
    assert next(chunks) == 0
    chunks.close()
    assert closed.is_set() and _threads() == 0
    assert len(produced) <= 3  # the one handed over, the one waiting, the one being read: never the whole file


def test_a_parquet_file_of_several_pieces_loads_every_row_in_order(tmp_path, monkeypatch):
    from cxkit.data.readers import parquet

    n = 2500
    df = pd.DataFrame({"response_id": [f"r{i}" for i in range(n)], "unit": ["Vilnius", "Kaunas"] * (n // 2),
                       "date": pd.date_range("2025-01-01", periods=n, freq="h"), "nps": [i % 11 for i in range(n)]})
    df.loc[7, "nps"] = 14  # out of the 0-10 scale: rejected, with its row number
    path = tmp_path / "responses.parquet"
    df.to_parquet(path, row_group_size=700)
    pieces = []
    original = parquet._ParquetReader._pieces

    def counted(self):
        for piece in original(self):
            pieces.append(len(piece))
            yield piece

    monkeypatch.setattr(parquet._ParquetReader, "_pieces", counted)
    lr = cx.read_table(path, "responses", errors="quarantine")
    assert pieces == [700, 700, 700, 400]
    assert lr.rows_in == n and lr.rows_loaded == n - 1 and lr.rows_rejected == 1
    assert lr.data["response_id"].tolist() == [f"r{i}" for i in range(n) if i != 7]
    assert lr.data["nps"].tolist() == [i % 11 for i in range(n) if i != 7]
    assert lr.problems["row"].tolist() == [8]  # the file's 8th record (Parquet rows are numbered from 1)
