"""CSV and other delimited text files, read in blocks by Arrow's streaming reader."""
from __future__ import annotations

import codecs
import csv
import io as _io
import itertools
import re
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ...errors import FileReadError
from ..contract import TableMapping, TableSpec
from ..platforms import Detection, _is_import_id_row, detect_platform, name_option_columns
from .base import _arrow_message, _clean_header, _Invalid, _pick_header, _Reader, _typed_mapper
from .csv_lines import _CarefulReading, _quote_trouble, _split_lines
from .encoding import (BLOCK_SIZE, SAMPLE_SIZE, _csv_field_limit, _decode_file, _encoding_from_head, _legacy_codepage,
                       _sample_records, _sniff_delimiter)
from .scan import _scan_file

__all__: list[str] = []


class _CsvReader(_Reader):
    """CSV via pyarrow's streaming reader, with encoding, delimiter and header detection.

    A file whose quotes Arrow could mis-split (see :mod:`.csv_lines`) is split line by line instead
    (``info["careful"]`` says why), so that every physical line is accounted for.
    """

    def __init__(self, path: Path, tm: TableMapping, spec: TableSpec | None = None):
        self.path, self.tm = path, tm
        self.invalid_rows: list[_Invalid] = []
        self.repairs: list[tuple[str, str, int, str]] = []
        self.info: dict[str, Any] = {"format": "csv"}
        self._text: str | None = None  # decoded text, only when the file had to be repaired/decoded in memory
        self._lines_cache: np.ndarray | None = None
        self._trouble: tuple[str | None, str | None] = (None, None)  # (delimiter, quote trouble) from the scan
        self.skipped_empty = 0
        with path.open("rb") as fh:
            head = fh.read(SAMPLE_SIZE)
        self._whole_in_sample = path.stat().st_size <= len(head)
        encoding = _encoding_from_head(head, tm.encoding)
        if encoding and encoding.lower().replace("_", "-") in ("utf-16", "utf-16-le", "utf-16-be", "utf16"):
            self._read_utf16(encoding)
        else:
            self._read_bytes(head, encoding)
        if self._text is not None:
            self._whole_in_sample = len(self._text) <= SAMPLE_SIZE
        sample = self._text[:SAMPLE_SIZE] if self._text is not None else head.decode("utf-8", errors="ignore")
        sample = sample.lstrip("\ufeff")
        if not sample.strip():
            raise FileReadError(str(path), "the file has no header row (only blank lines)")
        self._locate_header(sample, tm, spec)
        self.info["delimiter"] = self.delimiter
        trouble = _careful_reason(self)
        self._careful = _CarefulReading(self.header, self.delimiter, self.header_lines) if trouble else None
        if trouble:
            self.info["careful"] = trouble

    def _blocks(self) -> Iterator[bytes]:
        """The file's bytes in blocks, as Arrow would read them (decoded text re-encoded as UTF-8)."""
        if self._text is not None:
            yield self._text.lstrip("\ufeff").encode("utf-8")
            return
        with self.path.open("rb") as fh:
            while block := fh.read(BLOCK_SIZE):
                yield block

    def _read_utf16(self, encoding: str) -> None:
        """Decode a UTF-16 file whole (Arrow reads UTF-8 only)."""
        raw = self.path.read_bytes()
        try:
            self._text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileReadError(str(self.path), f"cannot be decoded as {encoding} (byte {exc.start} does not fit); "
                                                "check the encoding setting") from None
        self.info["encoding"] = encoding
        self._quotes = self._text.count('"')
        self.info["lone_cr"] = self._text.count("\r") - self._text.count("\r\n")

    def _read_bytes(self, head: bytes, encoding: str | None) -> None:
        """Scan a byte-oriented file once; decode it in memory only when it is not clean UTF-8 (or the
        mapping names another encoding), else Arrow reads it from disk."""
        path = self.path
        guess = _guess_delimiter(head, self.tm)
        nul, valid_utf8, newlines, last, quotes, lone_cr, trouble = _scan_file(path, guess)
        self._trouble = (guess, trouble)
        self.info["newlines"] = newlines
        self.info["lone_cr"] = lone_cr
        self.info["ends_with_newline"] = last in (b"\n", b"\r")
        self._quotes = quotes
        utf8_named = bool(encoding) and encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
        if utf8_named and not valid_utf8:
            guess = _legacy_codepage(path.read_bytes().replace(b"\x00", b""))
            raise FileReadError(str(path), f"the mapping or call says encoding {encoding!r}, but the file is not "
                                           f"valid UTF-8 (it looks like {guess}); remove the encoding setting to "
                                           f"let cxkit detect it, or set encoding: {guess}")
        if nul or (not valid_utf8 and not encoding) or (encoding and not utf8_named):
            self._text, self.info["encoding"], notes = _decode_file(path, path.read_bytes(), encoding, valid_utf8, nul)
            self.repairs.extend(notes)
        else:
            self.info["encoding"] = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"

    def _locate_header(self, sample: str, tm: TableMapping, spec: TableSpec | None) -> None:
        """Set delimiter, header and header_lines (physical lines up to the end of the header)."""
        before = 0
        body = sample
        self.delimiter, sep = _delimiter_of(sample, tm)
        if sep:
            self.repairs.append(("(file)", f"skipped Excel's separator line {sep.group(0).strip()!r} on row 1", 0,
                                 sep.group(0).strip()))
            body, before = sample[sep.end():], 1
        records = _sample_records(body, self.delimiter)
        if not records:
            raise FileReadError(str(self.path), "the file has no header row (only blank lines)")
        h, extra = self._header_rows(records, before, spec, tm)
        end = records[h + extra][1]
        header = _clean_header(records[h][2])
        if self.platform is not None and self.platform.platform == "SurveyMonkey" and extra:
            header = name_option_columns(header, records[h + 1][2])
        blanks = len(header) - len(list(itertools.dropwhile(lambda c: not c, reversed(header))))
        following = [r[2] for r in records[h + extra + 1:h + extra + 21]]
        if blanks and following and all(len(r) == len(header) - blanks for r in following):
            header = header[:len(header) - blanks]
            self.repairs.append(("(file)", f"the header ends with {blanks} empty column name(s) (a trailing separator) "
                                           "that the data rows do not have; ignored", 0, ""))
        more = len(following[0]) - len(header) if following else 0
        if more > 0 and all(len(r) == len(header) + more and not any(r[-more:]) for r in following):
            header = header + [""] * more  # data rows end with separators the header does not have

        self.header = header
        self.header_lines = before + end
        rest = re.split(r"\r\n|\r|\n", body)[end:] if self._whole_in_sample else ["x"]
        self._no_data = not any(line.strip() for line in rest)

    def _header_rows(self, records: list, before: int, spec: TableSpec | None, tm: TableMapping) -> tuple[int, int]:
        """Which record is the header and how many extra header rows follow it: a survey platform's layout
        when the first rows are one (see :mod:`cxkit.data.platforms`), else the row naming the most contract
        columns, and Qualtrics-like ImportId rows under it."""
        self.platform: Detection | None = detect_platform([r[2] for r in records[:4]])
        if self.platform is not None:
            self.info["platform"] = self.platform.platform
            h, extra = self.platform.header, self.platform.skip
            self.repairs.append(("(file)", self.platform.note, h + extra, records[0][2][0][:60]))
            return h, extra
        h = _pick_header([r[2] for r in records], spec, tm)
        if h:
            self.repairs.append(("(file)", f"header found on row {records[h][0] + before}; skipped the {h} row(s) "
                                           "above it (titles or notes)", h, " ".join(records[0][2])[:60]))
        extra = next((k for k in (1, 2) if h + k < len(records) and _is_import_id_row(records[h + k][2])), 0)
        if extra:
            self.repairs.append(("(file)", f"skipped {extra} extra header row(s) under the header (survey platform "
                                           "export: question texts / ImportId)", extra, records[h + extra][2][0][:60]))
        return h, extra

    def line_numbers(self, records: np.ndarray) -> np.ndarray:
        """Rows as numbered in the file (as :meth:`row_numbers`), known before the last record is read."""
        records = np.asarray(records, dtype=np.int64)
        if self._careful is not None:
            return self._careful.starts()[records]
        good = self._record_lines()[self._valid_cache]
        if len(records) and records.max() < len(good):
            return good[records]
        return records + self.header_lines + 1

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Arrow's blocks read ahead; a file read line by line (its row numbers built as it reads) in order."""
        return self._ahead(self._chunks(), can=self._careful is None and not self._no_data)

    def _chunks(self) -> Iterator[pd.DataFrame]:
        if self._no_data:
            return
        if self._careful is not None:
            yield from self._careful.chunks(_split_lines(self._physical_text()), self.invalid_rows, self.repairs)
            return

        def on_invalid(row):
            self.invalid_rows.append(_Invalid(None, row.number, row.text, row.expected_columns, row.actual_columns))
            return "skip"

        names = [f"c{i}" for i in range(len(self.header))]
        read_opts = pacsv.ReadOptions(column_names=names, skip_rows=self.header_lines, block_size=BLOCK_SIZE,
                                      encoding="utf8")
        # (no value holds a line break here: a line with an odd number of quotes sends the file to the careful reader)
        parse_opts = pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=False,
                                        invalid_row_handler=on_invalid)
        encoded = pa.dictionary(pa.int32(), pa.string())
        conv_opts = pacsv.ConvertOptions(column_types={n: encoded if i in self.dictionary_columns else pa.string()
                                                       for i, n in enumerate(names)}, strings_can_be_null=False,
                                         quoted_strings_can_be_null=False)
        if self._text is not None:
            src = pa.BufferReader(self._text.lstrip("\ufeff").encode("utf-8"))
        else:
            src = pa.OSFile(str(self.path), "rb")
            if self.info["encoding"] == "utf-8-sig":
                src.seek(3)
        try:
            reader = pacsv.open_csv(src, read_options=read_opts, parse_options=parse_opts, convert_options=conv_opts)
            for batches in _grouped(reader, CHUNK_ROWS):
                frame = pa.Table.from_batches(batches).to_pandas(types_mapper=_typed_mapper, date_as_object=False)
                del batches  # (the frame's columns keep Arrow's buffers: no copy)
                frame.columns = self.header
                frame = self._drop_empty_records(frame)
                if len(frame):
                    yield frame
            if self.skipped_empty:
                self.repairs.append(("(file)", "skipped empty rows (separators only, as Excel writes empty rows)",
                                     self.skipped_empty, ""))
        except pa.ArrowInvalid as exc:
            if "Could not skip initial" in str(exc):
                return  # nothing after the header
            text = _arrow_message(exc)
            if "straddl" in text or "block size" in text:
                text = ("a single row is larger than 32 MB - most likely a quote that is never closed, so the rest "
                        "of the file reads as one value")
            raise FileReadError(str(self.path), f"not a readable CSV file ({text})") from None
        finally:
            src.close()

    def record_spans(self, records: np.ndarray) -> np.ndarray:
        """How many physical lines each good record spans (more than one for multi-line values)."""
        records = np.asarray(records, dtype=np.int64)
        if self._careful is None:
            return np.ones(len(records), dtype=np.int64)
        return self._careful.spans()[records]

    def line_account(self, n_records: int) -> dict:
        """Physical lines of the file: the header's, blank ones and those of the ``n_records`` good records
        and of the rejected lines; ``blank`` is counted line by line only when the file was split carefully
        (else every record is one line and blank is what is left)."""
        text = self._text
        if text is not None:
            body = text.lstrip("\ufeff")
            physical = body.count("\n") + body.count("\r") - body.count("\r\n") + (
                0 if not body or body.endswith(("\n", "\r")) else 1)
        else:
            physical = (self.info["newlines"] + self.info["lone_cr"]
                        + (0 if self.info["ends_with_newline"] or not self.path.stat().st_size else 1))
        out = {"physical": physical, "header": min(self.header_lines, physical)}
        if self._careful is not None:
            out["record_lines"] = int(self._careful.spans().sum())
            out["blank"] = self._careful.split.blank
            out["multiline_records"] = self._careful.split.multiline
        else:
            out["record_lines"] = n_records
            out["blank"] = physical - out["header"] - n_records - len(self.invalid_rows)
            out["multiline_records"] = 0
        return out

    def _drop_empty_records(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of separators only (";;;;", Excel's empty rows) are blank lines: skipped and reported."""
        cand = (frame.iloc[:, 0] == "").to_numpy(dtype=bool)
        if not cand.any():
            return frame
        sub = frame.iloc[np.flatnonzero(cand)]
        empty = np.ones(len(sub), dtype=bool)
        for i in range(1, sub.shape[1]):
            empty &= (sub.iloc[:, i] == "").to_numpy(dtype=bool)
        if not empty.any():
            return frame
        drop = np.flatnonzero(cand)[empty]
        self.skipped_empty += len(drop)
        keep = np.ones(len(frame), dtype=bool)
        keep[drop] = False
        out = frame.iloc[np.flatnonzero(keep)]
        out.index = pd.RangeIndex(len(out))
        return out

    def _physical_text(self) -> str:
        if self._text is not None:
            return self._text.lstrip("\ufeff")
        return self.path.read_bytes().decode(self.info.get("encoding") or "utf-8", errors="replace").lstrip("\ufeff")

    def _record_lines(self) -> np.ndarray:
        """Line number (1-based, as in a text editor) where each data record starts."""
        if self._lines_cache is None:
            text = self._physical_text()
            starts, valid = [], []
            with _csv_field_limit():
                reader = csv.reader(_io.StringIO(text, newline=""), delimiter=self.delimiter)
                prev_end = 0
                expected = len(self.header)
                for rec in reader:
                    start = prev_end + 1
                    prev_end = reader.line_num
                    if start <= self.header_lines:
                        continue  # leading blank lines, titles and the header record
                    if not rec or (len(rec) == 1 and rec[0] == "" and expected > 1):
                        continue  # blank line, skipped like pyarrow
                    if len(rec) == expected and not any(rec):
                        continue  # separators only, skipped by _drop_empty_records
                    starts.append(start)
                    valid.append(len(rec) == expected)
            self._lines_cache = np.array(starts, dtype=np.int64)
            self._valid_cache = np.array(valid, dtype=bool)
        return self._lines_cache

    def row_numbers(self, records: np.ndarray, n_records: int) -> np.ndarray:
        records = np.asarray(records, dtype=np.int64)
        if self._careful is not None:
            return self._careful.starts()[records]
        simple = (not self.invalid_rows and self._text is None and self.info.get("newlines") is not None
                  and not self.info.get("lone_cr") and not self.skipped_empty)
        if simple:
            n_lines = self.info["newlines"] + (0 if self.info.get("ends_with_newline") else 1)
            if n_lines == n_records + self.header_lines:
                return records + self.header_lines + 1
        starts = self._record_lines()
        good = starts[self._valid_cache]
        if len(good) != n_records:  # csv module disagrees with pyarrow: best effort
            return records + self.header_lines + 1
        return good[records]

    def invalid_lines(self) -> list[int | None]:
        if not self.invalid_rows or self._careful is not None:
            return [inv.line for inv in self.invalid_rows]
        starts = self._record_lines()
        bad = list(starts[~self._valid_cache])
        out = []
        for i, inv in enumerate(self.invalid_rows):
            out.append(inv.line if inv.line is not None else (bad[i] if i < len(bad) else None))
        return out


#: rows validated together: Arrow's blocks (32 MB, a few hundred thousand rows) are joined up to this many rows,
#: so that the checks' fixed cost per chunk and column is paid a few times per file, not dozens
CHUNK_ROWS = 1_000_000


def _grouped(batches, rows: int) -> Iterator[list]:
    """Record batches in groups of at least ``rows`` rows (the last group: what is left); empty ones dropped."""
    group: list = []
    n = 0
    for batch in batches:
        if not batch.num_rows:
            continue
        group.append(batch)
        n += batch.num_rows
        if n >= rows:
            yield group
            group, n = [], 0
    if group:
        yield group


def _careful_reason(reader: _CsvReader) -> str | None:
    """Why the file must be split line by line (see :func:`.csv_lines._quote_trouble`), or None: found by the
    scan of the bytes when the file is read from disk, else looked for in the decoded text."""
    if reader._text is None and reader._trouble[0] == reader.delimiter:
        return reader._trouble[1]
    return _quote_trouble(reader._blocks(), reader.delimiter) if reader._quotes else None


_SEP_LINE = re.compile(r'"?sep=(.)"?[ \t]*(?:\r\n|\r|\n|$)')  # Excel's "sep=;" first line


def _delimiter_of(sample: str, tm: TableMapping) -> tuple[str, re.Match | None]:
    """The delimiter of a file whose first characters are ``sample``: the mapping's, Excel's ``sep=`` line's,
    else the one that splits the lines best; and the ``sep=`` line (or None)."""
    sep = _SEP_LINE.match(sample)
    delimiter = tm.delimiter or (sep.group(1) if sep else None)
    return delimiter or _sniff_delimiter(sample[sep.end():] if sep else sample), sep


def _guess_delimiter(head: bytes, tm: TableMapping) -> str:
    """The delimiter :meth:`_CsvReader._locate_header` will find when the file is read from disk (the sample is
    then the first bytes, decoded), so that the scan of the bytes can look for quote trouble with it."""
    return _delimiter_of(head.decode("utf-8", errors="ignore").lstrip("\ufeff"), tm)[0]
