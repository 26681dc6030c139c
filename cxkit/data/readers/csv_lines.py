"""CSV text that Arrow cannot be trusted to split: quotes that never close, quotes inside quoted values.

Arrow's reader (used for clean files, see :mod:`.csv_files`) lets an unclosed quote swallow the lines
after it into one value, and rewrites a quoted value holding an undoubled quote without a word.
:func:`_quote_trouble` finds, in one vectorised pass over the bytes, whether a file could hold either
(a line with an odd number of quotes: a value over a line break or a quote never closed; a quote between
two ordinary characters);
only such files are split here, line by line, so that every physical line ends up in exactly one
record that is loaded or rejected:

* a record is what Python's :mod:`csv` reads in strict mode; one that spans several lines is kept
  only when it parses cleanly into the header's number of fields (a multi-line comment);
* otherwise the record's first line is rejected on its own, with its number and whole raw text, and
  reading starts again on the next line (resynchronising), so no line is swallowed;
* a single line whose quoted value holds an undoubled quote (``"He said "great" shop"``) is read with
  the quote kept literally when that gives the header's number of fields (a repair naming the line);
  else it is rejected.
"""
from __future__ import annotations

import csv
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from .base import _STR, _Invalid
from .encoding import _csv_field_limit

__all__: list[str] = []

_QUOTE, _LF, _CR = 34, 10, 13
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _quote_trouble(blocks: Iterable[bytes], delimiter: str) -> str | None:
    """Why a CSV file's quotes need the careful reader, or None when Arrow splits it correctly.

    ``blocks`` are the file's bytes in order (UTF-8 or another ASCII-compatible encoding). A file needs
    care when a line holds an odd number of quotes (a value running over a line break: a multi-line value,
    an unclosed quote, a file ending inside quotes) or when a quote stands between two characters that are
    neither the delimiter, a line break nor a quote (an undoubled quote inside a quoted value, or a quote
    inside an unquoted value). Both are questions about single lines, so the bytes are cut at line breaks
    and the pieces checked on two threads (numpy releases the GIL).
    """
    d = ord(delimiter)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: list = []
        for piece, has_cr in _whole_lines(blocks):
            pending.append(pool.submit(_lines_trouble, piece, d, has_cr))
            if len(pending) >= 3:  # bounded read-ahead
                why = pending.pop(0).result()
                if why:
                    return why
        for future in pending:
            why = future.result()
            if why:
                return why
    return None


def _whole_lines(blocks: Iterable[bytes]) -> Iterator[tuple[bytes | memoryview, bool]]:
    """The bytes again, each piece ending at a line break (the last one where the file ends), and whether it
    may hold a CR; the lines cut by a block's end are joined into a small piece of their own, the rest are
    views (no copy)."""
    rest = b""
    for block in blocks:
        has_cr = b"\r" in block
        first = _line_end(block, 0)
        if first < 0:
            rest += block
            continue
        head = rest + block[:first + 1]
        yield head, b"\r" in head
        cut = max(block.rfind(b"\n"), block.rfind(b"\r")) + 1
        if cut > first + 1:
            yield memoryview(block)[first + 1:cut], has_cr
        rest = block[cut:]
    if rest:
        yield rest, b"\r" in rest


def _line_end(block: bytes, start: int) -> int:
    """Where the first line break at or after ``start`` is (-1: none)."""
    ends = [i for i in (block.find(b"\n", start), block.find(b"\r", start)) if i >= 0]
    return min(ends) if ends else -1


def _lines_trouble(piece: bytes | memoryview, d: int, has_cr: bool) -> str | None:
    """:func:`_quote_trouble` for whole lines (``has_cr``: whether the piece may hold a CR)."""
    a = np.frombuffer(piece, dtype=np.uint8)
    quote = a == _QUOTE
    if not quote.any():
        return None
    lf = a == _LF
    special = quote | lf | (a == d)
    if has_cr:
        cr = a == _CR
        special |= cr
    inner = quote[1:-1] & ~(special[:-2] | special[2:])
    if inner.any():  # (a piece starts after a line break and ends with one or with the file)
        return "a quote inside a value"
    breaks = (lf | (cr & np.append(~lf[1:], True))) if has_cr else lf  # LF, or a lone CR, ends a line
    ends = np.flatnonzero(breaks)
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else np.zeros(1, dtype=np.int64)
    if len(ends) and ends[-1] != len(a) - 1:
        starts = np.append(starts, ends[-1] + 1)
    if np.bitwise_xor.reduceat(quote.view(np.uint8), starts).any():
        return "a line with an odd number of quotes"
    return None


@dataclass
class _Rejected:
    line: int
    raw: str
    actual: int
    reason: str


@dataclass
class _Split:
    """What splitting found besides the good records (kept by the CSV reader across chunks)."""

    rejected: list[_Rejected] = field(default_factory=list)
    blank: int = 0  # blank lines and lines of separators only
    separators_only: int = 0
    multiline: int = 0
    stray: dict[int, list[int]] = field(default_factory=dict)  # field index -> lines repaired
    stray_example: dict[int, str] = field(default_factory=dict)


class _CarefulReading:
    """The line-by-line reading of one CSV file: its good records as frames, where each starts and how
    many lines it spans; the lines rejected on their own and the repairs made.

    Parameters
    ----------
    header : the file's column names.
    delimiter : the field separator.
    header_lines : physical lines up to the end of the header (titles above it included).
    """

    def __init__(self, header: list[str], delimiter: str, header_lines: int):
        self.header, self.delimiter, self.header_lines = header, delimiter, header_lines
        self.split = _Split()
        self._starts: list[np.ndarray] = []
        self._spans: list[np.ndarray] = []

    def chunks(self, lines: list[str], invalid: list, repairs: list) -> Iterator[pd.DataFrame]:
        """The good records of ``lines`` (all the file's physical lines) as frames of text; once done, the
        rejected lines are appended to ``invalid`` and the repairs to ``repairs``."""
        n = len(self.header)
        split = self.split
        for starts, spans, rows in _records(lines, self.header_lines, self.delimiter, n, split):
            self._starts.append(np.asarray(starts, dtype=np.int64))
            self._spans.append(np.asarray(spans, dtype=np.int64))
            columns = list(zip(*rows))
            del rows
            frame = pd.DataFrame({i: pd.array(columns[i], dtype=_STR) for i in range(n)})
            frame.columns = self.header
            yield frame
        for bad in split.rejected:
            invalid.append(_Invalid(None, bad.line, bad.raw, n, bad.actual, bad.reason))
        if split.separators_only:
            repairs.append(("(file)", "skipped empty rows (separators only, as Excel writes empty rows)",
                            split.separators_only, ""))
        for i, at in split.stray.items():
            repairs.append((self.header[i] or f"column {i + 1}", "a quote inside a quoted value was not doubled; "
                            "kept as a literal quote (the value ends at the quote before the next delimiter)",
                            len(at), split.stray_example[i][:200], at[:5]))

    def starts(self) -> np.ndarray:
        """The first line (from 1) of every good record read so far."""
        self._join()
        return self._starts[0] if self._starts else np.zeros(0, dtype=np.int64)

    def spans(self) -> np.ndarray:
        """How many physical lines every good record read so far spans."""
        self._join()
        return self._spans[0] if self._spans else np.zeros(0, dtype=np.int64)

    def _join(self) -> None:
        if len(self._starts) > 1:
            self._starts = [np.concatenate(self._starts)]
            self._spans = [np.concatenate(self._spans)]


class _Lines:
    """The lines of a text as an iterator whose position can be set back (for resynchronising)."""

    def __init__(self, lines: list[str], pos: int):
        self.lines, self.pos = lines, pos

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def _split_lines(text: str) -> list[str]:
    """Physical lines with their line breaks (CRLF, LF or a lone CR), as a text editor counts them."""
    return _LINE.findall(text)


def _records(lines: list[str], start: int, delimiter: str, n_fields: int, split: _Split,
             chunk: int = 100_000) -> Iterator[tuple[list[int], list[int], list[list[str]]]]:
    """Good records from line index ``start`` on, in chunks: (first line numbers, line counts, fields).

    Rejected lines, blank lines and repairs are noted in ``split``.
    """
    src = _Lines(lines, start)
    starts: list[int] = []
    spans: list[int] = []
    rows: list[list[str]] = []
    with _csv_field_limit():
        reader = csv.reader(src, delimiter=delimiter, strict=True)
        while src.pos < len(lines):
            first = src.pos
            try:
                fields: list[str] | None = next(reader)
                error = ""
            except csv.Error as exc:
                fields, error = None, str(exc)
            span = src.pos - first
            if span > 1 and fields is not None and _swallows_rows(lines[first + 1:first + span], delimiter, n_fields):
                fields, error = None, "rows inside"
            if fields is not None and len(fields) == n_fields:
                if not any(fields):
                    split.blank += span
                    split.separators_only += 1
                    continue
                if span > 1:
                    split.multiline += 1
                starts.append(first + 1)
                spans.append(span)
                rows.append(fields)
            elif fields == [] and span == 1:
                split.blank += 1
            elif span == 1:
                repaired = _lenient(lines[first], delimiter) if fields is None else None
                if repaired is not None and len(repaired[0]) == n_fields:
                    for i in repaired[1]:
                        split.stray.setdefault(i, []).append(first + 1)
                        split.stray_example.setdefault(i, lines[first].rstrip("\r\n"))
                    starts.append(first + 1)
                    spans.append(1)
                    rows.append(repaired[0])
                else:
                    split.rejected.append(_single_line(lines[first], first + 1, fields, error, n_fields))
            else:
                src.pos = first + 1  # resynchronise on the next line
                split.rejected.append(_Rejected(first + 1, lines[first].rstrip("\r\n"), -1,
                                                _unclosed(first + span, error)))
            if len(rows) >= chunk:
                yield starts, spans, rows
                starts, spans, rows = [], [], []
    if rows:
        yield starts, spans, rows


def _swallows_rows(continuation: list[str], delimiter: str, n_fields: int) -> bool:
    """Whether a multi-line value's later lines look like whole rows (each splits into the header's number of
    fields): a quote that is never closed, closed by chance further down, rather than a multi-line comment."""
    for line in continuation[:-1]:  # the last line holds the rest of the record
        try:
            if len(next(csv.reader([line], delimiter=delimiter), [])) == n_fields:
                return True
        except csv.Error:
            continue
    return False


def _unclosed(last: int, error: str) -> str:
    if error == "rows inside":
        end = f"line {last}, over lines that look like whole rows"
    else:
        end = "the end of the file" if "end of data" in error else f"line {last}"
    return (f"a quote opened on this line does not close where the row ends (it would run to {end}); the line is "
            "rejected on its own and the lines after it are read as rows again")


def _single_line(line: str, number: int, fields: list[str] | None, error: str, n_fields: int) -> _Rejected:
    raw = line.rstrip("\r\n")
    if fields is None:
        if "end of data" in error:
            return _Rejected(number, raw, -1, "a closing quote: the file ends inside a quoted value that starts on "
                                              "this line (the file was cut, or a quote is missing)")
        return _Rejected(number, raw, -1, "a value in quotes to end at its closing quote, found a quote inside it "
                                          "that could not be read as a literal quote")
    more = "an unquoted delimiter inside a value?" if len(fields) > n_fields else "truncated line or a missing quote?"
    return _Rejected(number, raw, len(fields), f"{n_fields} fields like the header, found {len(fields)} ({more})")


def _lenient(line: str, delimiter: str) -> tuple[list[str], list[int]] | None:
    """A line's fields when a quoted value ends only at a quote followed by the delimiter or the line's end
    (quotes before that are literal): (fields, indices of fields holding such quotes), or None."""
    body = line.rstrip("\r\n")
    fields: list[str] = []
    repaired: list[int] = []
    i = 0
    while True:
        if body.startswith('"', i):
            k = i
            while True:
                k = body.find('"', k + 1)
                if k == -1:
                    return None
                if k + 1 == len(body) or body[k + 1] == delimiter:
                    break
            inner = body[i + 1:k]
            if '"' in inner.replace('""', ""):
                repaired.append(len(fields))
            fields.append(inner.replace('""', '"'))
            i = k + 1
        else:
            k = body.find(delimiter, i)
            fields.append(body[i:] if k == -1 else body[i:k])
            i = len(body) if k == -1 else k
        if i >= len(body):
            return fields, repaired
        i += 1  # the delimiter
        if i == len(body):
            fields.append("")
            return fields, repaired
