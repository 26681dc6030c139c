"""One pass over a CSV file's bytes before Arrow reads it: what :func:`.encoding._scan` counts (NUL bytes,
valid UTF-8, line breaks, quotes, lone CRs) and what :func:`.csv_lines._quote_trouble` looks for (quotes Arrow
could mis-split), together, on two threads.

The bytes are cut at line breaks (see :func:`.csv_lines._whole_lines`), so no piece splits a line or a UTF-8
character, and each piece is checked with numpy and Arrow, which release the GIL. The results equal those of
the two separate passes (``tests/data/test_fast_path.py`` checks this), which read the file twice in Python.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from .csv_lines import _LF, _QUOTE, _CR, _lines_trouble, _whole_lines
from .encoding import BLOCK_SIZE

__all__: list[str] = []


@dataclass
class _Piece:
    """What one piece of whole lines holds."""

    nul: bool
    valid: bool
    newlines: int
    quotes: int
    crs: int
    crlf: int
    starts_lf: bool
    ends_cr: bool
    trouble: str | None


def _valid_utf8(piece) -> bool:
    """Whether the bytes are valid UTF-8 (Arrow's vectorised check; the piece holds whole characters)."""
    n = len(piece)
    if not n:
        return True
    offsets = pa.py_buffer(np.array([0, n], dtype=np.int64))
    arr = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(piece)])
    try:
        arr.cast(pa.large_string())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return False
    return True


def _piece(piece, has_cr: bool, d: int | None) -> _Piece:
    a = np.frombuffer(piece, dtype=np.uint8)
    crs = crlf = 0
    if has_cr:
        cr = a == _CR
        crs = int(np.count_nonzero(cr))
        crlf = int(np.count_nonzero(cr[:-1] & (a[1:] == _LF))) if crs else 0
    quotes = int(np.count_nonzero(a == _QUOTE))
    trouble = _lines_trouble(piece, d, has_cr) if d is not None and quotes else None
    return _Piece(nul=bool((a == 0).any()), valid=_valid_utf8(piece), newlines=int(np.count_nonzero(a == _LF)),
                  quotes=quotes, crs=crs, crlf=crlf, starts_lf=bool(len(a)) and a[0] == _LF,
                  ends_cr=bool(len(a)) and a[-1] == _CR, trouble=trouble)


def _blocks(path: Path):
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK_SIZE):
            yield block


def _scan_file(path: Path, delimiter: str | None):
    """:func:`.encoding._scan` and, for ``delimiter``, :func:`.csv_lines._quote_trouble`, in one pass.

    Returns ``(nul, valid_utf8, newlines, last byte, quotes, lone CRs, trouble)``; ``trouble`` is the
    quote trouble with ``delimiter`` (None: none, or no delimiter given).
    """
    d = ord(delimiter) if delimiter else None
    pieces: list[_Piece] = []
    last = b""
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: list = []

        def blocks():
            nonlocal last
            for block in _blocks(path):
                last = block[-1:]
                yield block

        for piece, has_cr in _whole_lines(blocks()):
            pending.append(pool.submit(_piece, piece, has_cr, d))
            if len(pending) >= 3:  # bounded read-ahead
                pieces.append(pending.pop(0).result())
        pieces.extend(f.result() for f in pending)
    lone_cr = sum(p.crs - p.crlf for p in pieces)
    lone_cr -= sum(1 for a, b in zip(pieces, pieces[1:]) if a.ends_cr and b.starts_lf)  # CRLF cut between pieces
    return (any(p.nul for p in pieces), all(p.valid for p in pieces), sum(p.newlines for p in pieces), last,
            sum(p.quotes for p in pieces), lone_cr, next((p.trouble for p in pieces if p.trouble), None))
