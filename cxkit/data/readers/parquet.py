"""Parquet files, read one row group at a time with their column types kept."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ...errors import FileReadError
from ..contract import TableMapping
from .base import _Reader, _clean_header, _typed_mapper

__all__: list[str] = []


class _ParquetReader(_Reader):
    def __init__(self, path: Path, tm: TableMapping):
        self.path = path
        self.invalid_rows = []
        self.repairs = []
        self.info = {"format": "parquet"}
        try:
            self._pf = pq.ParquetFile(path, pre_buffer=False)
        except (pa.ArrowException, OSError):
            raise FileReadError(str(path), "not a readable Parquet file: it is damaged or truncated (its footer "
                                           "cannot be read); export it again") from None
        self.header = _clean_header(self._pf.schema_arrow.names)

    def chunks(self):
        """One row group at a time (in pieces of at most 1M rows): memory stays flat on large files. The
        next piece is read in a thread while the loader validates this one unless ``read_ahead`` is off
        (10M responses, alternating runs: 6.9-9.3 s -> 6.0-6.3 s, peak memory unchanged)."""
        return self._ahead(self._pieces())

    def _pieces(self):
        pf = self._pf
        names = pf.schema_arrow.names
        encoded = [names[i] for i in sorted(self.dictionary_columns)
                   if i < len(names) and pa.types.is_string(pf.schema_arrow.types[i])]
        try:
            if encoded:  # read as Arrow dictionaries: pandas categoricals, no factorize of millions of strings
                pf = pq.ParquetFile(self.path, pre_buffer=False, read_dictionary=encoded)
            for i in range(pf.num_row_groups):
                group = pf.read_row_group(i)
                for start in range(0, group.num_rows, 1_000_000):
                    piece = group.slice(start, 1_000_000)
                    frame = piece.to_pandas(types_mapper=_typed_mapper, date_as_object=False)
                    del piece
                    frame.columns = self.header
                    yield frame
                del group
        except (pa.ArrowException, OSError):
            raise FileReadError(str(self.path), "the Parquet file is damaged: its data could not be read to the end; "
                                                "export it again") from None

    def row_numbers(self, records, n_records):
        return np.asarray(records, dtype=np.int64) + 1

    def invalid_lines(self):
        return []
