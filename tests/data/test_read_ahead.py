"""The Parquet reader reads its next piece in a thread while the loader validates the current one
(``cxkit.data.readers.base._read_ahead``): the same chunks in the same order, the reader's errors where
they happened, and no thread left behind when the loader stops early."""
import threading

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.readers.base import _read_ahead
from cxkit.errors import FileReadError


def _threads() -> int:
    return sum(t.name.startswith("cxkit-read-ahead") for t in threading.enumerate())


def _counted(monkeypatch, reader_class, method: str) -> list:
    """The sizes of the chunks a reader's generator ``method`` yields, in order (filled as it reads)."""
    sizes = []
    original = getattr(reader_class, method)

    def counted(self):
        for chunk in original(self):
            sizes.append(len(chunk))
            yield chunk

    monkeypatch.setattr(reader_class, method, counted)
    return sizes


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
    pieces = _counted(monkeypatch, parquet._ParquetReader, "_pieces")
    lr = cx.read_table(path, "responses", errors="quarantine")
    assert pieces == [700, 700, 700, 400]
    assert lr.rows_in == n and lr.rows_loaded == n - 1 and lr.rows_rejected == 1
    assert lr.data["response_id"].tolist() == [f"r{i}" for i in range(n) if i != 7]
    assert lr.data["nps"].tolist() == [i % 11 for i in range(n) if i != 7]
    assert lr.problems["row"].tolist() == [8]  # the file's 8th record (Parquet rows are numbered from 1)


def _csv_with_trouble(path, n=3000):
    lines = ["response_id;unit;date;nps"]
    for i in range(n):
        if i == 1234:
            lines.append("bad;row;with;too;many;fields")  # a structural error: rejected with its line
        elif i == 2100:
            lines.append(";;;")  # Excel's empty row: skipped and reported
        else:
            nps = 14 if i == 2500 else i % 11  # out of scale: rejected with its line
            lines.append(f"r{i};{'Vilnius' if i % 2 else 'Kaunas'};2025-01-{1 + i % 28:02d};{nps}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_csv_read_ahead_in_small_blocks_equals_reading_in_order(tmp_path, monkeypatch):
    """Arrow's streaming reader in 4 kB blocks and chunks of 500 rows: many chunks, the next read while one is
    validated. Rows, rejected rows, their line numbers and the line accounting equal those of reading in order."""
    from cxkit.data.readers import csv_files

    monkeypatch.setattr(csv_files, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(csv_files, "CHUNK_ROWS", 500)
    path = _csv_with_trouble(tmp_path / "responses.csv")
    chunks = _counted(monkeypatch, csv_files._CsvReader, "_chunks")
    ahead = cx.read_table(path, "responses", errors="quarantine")
    assert len(chunks) >= 4
    monkeypatch.setattr(csv_files._CsvReader, "chunks", lambda self: self._chunks())  # in order, no thread
    in_order = cx.read_table(path, "responses", errors="quarantine")
    pd.testing.assert_frame_equal(ahead.data, in_order.data)
    pd.testing.assert_frame_equal(ahead.problems, in_order.problems)
    assert ahead.rows_in == ahead.rows_loaded + ahead.rows_rejected == in_order.rows_in
    assert ahead.rows_loaded == 3000 - 3  # the long row, the empty row and the out-of-scale score
    # the header is line 1: record i is on line i + 2
    assert sorted(ahead.problems["row"].tolist()) == [1234 + 2, 2500 + 2]


def test_read_ahead_can_be_turned_off(tmp_path):
    """``TableStream(read_ahead=False)`` (the report batch's preparation, whose two processes keep both cores
    busy) reads in the caller's thread; by default a reader thread runs while the chunks are handed out."""
    from cxkit.data.loading import TableStream

    n = 3000
    df = pd.DataFrame({"response_id": [f"r{i}" for i in range(n)], "unit": "Vilnius",
                       "date": pd.Timestamp("2025-01-01"), "nps": [i % 11 for i in range(n)]})
    path = tmp_path / "responses.parquet"
    df.to_parquet(path, row_group_size=1000)
    in_order = [(len(chunk), _threads()) for chunk in TableStream(path, "responses", read_ahead=False)]
    assert in_order == [(1000, 0), (1000, 0), (1000, 0)]
    ahead = [(len(chunk), _threads()) for chunk in TableStream(path, "responses")]
    assert [size for size, _ in ahead] == [1000, 1000, 1000] and ahead[0][1] == 1
    assert _threads() == 0


def test_the_duplicate_id_check_runs_beside_the_conversions_with_the_same_result(tmp_path, monkeypatch):
    """Each chunk's duplicate-id check runs in a thread while its other columns convert
    (``hashing._check_in_background``); copies within a chunk and across chunks are found as pandas'
    ``duplicated`` finds them, and an error of the check reaches the loader."""
    from cxkit.data import validate

    n = 3000
    ids = [f"r{i % 2600}" for i in range(n)]  # the last 400 rows repeat ids of the first chunk
    df = pd.DataFrame({"response_id": ids, "unit": "Vilnius", "date": pd.Timestamp("2025-01-01"),
                       "nps": [i % 11 for i in range(n)]})
    path = tmp_path / "responses.parquet"
    df.to_parquet(path, row_group_size=1000)
    started = []
    original = validate._check_in_background

    def counted(*args):
        started.append(1)
        return original(*args)

    monkeypatch.setattr(validate, "_check_in_background", counted)
    lr = cx.read_table(path, "responses", errors="quarantine")
    assert len(started) == 3  # one per chunk
    assert lr.rows_rejected == int(pd.Series(ids).duplicated().sum()) == 400
    assert lr.problems["row"].tolist() == list(range(2601, 3001))  # Parquet rows are numbered from 1

    class Broken:
        def check(self, ids, records):
            raise MemoryError("no room for the hashes")

    pending = original(Broken(), pd.Series(["a"]), np.arange(1))
    with pytest.raises(MemoryError, match="no room"):
        pending.result()


def test_without_read_ahead_the_ids_are_checked_in_the_loaders_thread(tmp_path, monkeypatch):
    from cxkit.data import validate
    from cxkit.data.loading import TableStream

    df = pd.DataFrame({"response_id": ["a", "b", "a"], "unit": "Vilnius", "date": pd.Timestamp("2025-01-01"),
                       "nps": [1, 2, 3]})
    path = tmp_path / "responses.parquet"
    df.to_parquet(path)
    monkeypatch.setattr(validate, "_check_in_background", lambda *a: pytest.fail("a thread was started"))
    stream = TableStream(path, "responses", read_ahead=False)
    rows = sum(len(chunk) for chunk in stream)
    assert rows == 2 and stream.result().rows_rejected == 1
