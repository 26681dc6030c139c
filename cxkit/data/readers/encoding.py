"""A text file's encoding and delimiter: decoding, code page guessing and delimiter sniffing."""
from __future__ import annotations

import codecs
import contextlib
import csv
import io as _io
import re
import sys
from pathlib import Path

import numpy as np

from ...errors import FileReadError

__all__: list[str] = []

BLOCK_SIZE = 32 << 20
SAMPLE_SIZE = 1 << 20  # bytes read to find the encoding, delimiter and header


@contextlib.contextmanager
def _csv_field_limit():
    """Let the csv module read fields of any size (its default limit is 128 KB) for one block."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _sample_records(text: str, delimiter: str, limit: int = 40) -> list[tuple[int, int, list[str]]]:
    """The first non-blank records of ``text``: (first line, last line, cells), lines counted from 1."""
    out = []
    with _csv_field_limit():
        reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter)
        prev = 0
        try:
            for rec in reader:
                first, prev = prev + 1, reader.line_num
                if not any(c.strip() for c in rec):
                    continue
                out.append((first, prev, rec))
                if len(out) >= limit:
                    break
        except csv.Error:
            pass
    return out


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most lines into the same (largest) number of fields.

    Scored on the most common field count, so title lines above the header and
    values that contain another candidate character do not mislead it.
    """
    lines = [ln for ln in re.split(r"\r\n|\r|\n", sample)[:200] if ln.strip()][:30]
    if not lines:
        return ","
    best, best_score = ",", 0.0
    for d in (",", ";", "\t", "|"):
        try:
            with _csv_field_limit():
                counts = [len(r) for r in csv.reader(_io.StringIO("\n".join(lines)), delimiter=d) if r]
        except csv.Error:
            continue
        multi = [c for c in counts if c >= 2]
        if not multi:
            continue
        mode = max(set(multi), key=lambda c: (multi.count(c), c))
        score = mode * counts.count(mode) / len(counts)
        if score > best_score:
            best, best_score = d, score
    return best


def _lines_with(data: bytes, byte: bytes) -> list[int]:
    """The numbers of the lines (from 1, as a text editor counts them) that hold ``byte``."""
    a = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero(a == byte[0])
    lf = np.flatnonzero(a == 10)
    cr = np.flatnonzero((a == 13) & np.append(a[1:] != 10, True))  # a lone CR ends a line too
    breaks = np.union1d(lf, cr)
    return [int(x) for x in np.unique(np.searchsorted(breaks, at) + 1)]


def _decode_guess(raw: bytes) -> tuple[str, str, tuple[str, list[int]] | None]:
    """Decode bytes that are not (all) UTF-8: (text, encoding, (note on mixed encodings, its lines) or None).

    A legacy file is cp1257 (Baltic) or cp1250 (Central European): the two code
    pages put the letters of Lithuanian and Latvian versus Polish in different
    places, and the one that yields more letters of these languages (and fewer
    symbols) wins. A file whose lines are partly UTF-8 and partly a code page
    (two exports joined) is decoded line by line, and that is reported.
    """
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8", None
    except UnicodeDecodeError:
        pass
    lines = body.splitlines(keepends=True)
    utf8 = []
    for line in lines:
        try:
            line.decode("utf-8")
            utf8.append(True)
        except UnicodeDecodeError:
            utf8.append(False)
    legacy_bytes = b"".join(line for line, ok in zip(lines, utf8) if not ok)
    encoding = _legacy_codepage(legacy_bytes)
    if bom or any(ok and max(line, default=0) > 127 for line, ok in zip(lines, utf8)):
        text = "".join(line.decode("utf-8") if ok else line.decode(encoding, errors="replace")
                       for line, ok in zip(lines, utf8))
        bad = [i + 1 for i, ok in enumerate(utf8) if not ok]
        return text, "utf-8-sig" if bom else "utf-8", (f"the file mixes encodings: {len(bad)} line(s) are not UTF-8 "
                                                        f"and were read as {encoding} (were two exports joined?)", bad)
    return body.decode(encoding, errors="replace"), encoding, None


def _legacy_codepage(raw: bytes) -> str:
    baltic = set("ąčęėįšųūžĄČĘĖĮŠŲŪŽāēģīķļņōŗĀĒĢĪĶĻŅŌŖ")
    polish = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
    best = None
    for enc in ("cp1257", "cp1250"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        high = [ch for ch in text if ord(ch) > 127]
        good = sum(1 for ch in high if ch in baltic | polish)
        score = good - (len(high) - good)
        if best is None or score > best[0]:
            best = (score, enc)
    return "latin-1" if best is None else best[1]


def _encoding_from_head(head: bytes, encoding: str | None) -> str | None:
    """The encoding to use: UTF-16 when the first bytes say so (a byte-order mark, or every other byte 0),
    else the one the mapping or call names (None: detect it later)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return encoding or "utf-16"
    if b"\x00" in head and head[1::2].count(0) > 0.4 * len(head[1::2]) and not encoding:
        return "utf-16-le"
    return encoding


def _scan(path: Path):
    """One pass over a file's bytes: (NUL bytes?, valid UTF-8?, newlines, last byte, quotes, lone CRs)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    nul = False
    valid = True
    newlines = quotes = lone_cr = 0
    last = b""
    with open(path, "rb") as fh:
        first = True
        while True:
            block = fh.read(BLOCK_SIZE)
            if not block:
                break
            if first and block.startswith(codecs.BOM_UTF8):
                block_dec = block[3:]
            else:
                block_dec = block
            first = False
            nul = nul or b"\x00" in block
            newlines += block.count(b"\n")
            quotes += block.count(b'"')
            lone_cr += block.count(b"\r") - block.count(b"\r\n") - (last == b"\r" and block[:1] == b"\n")
            last = block[-1:]
            if valid:
                try:
                    dec.decode(block_dec)
                except UnicodeDecodeError:
                    valid = False
        if valid:
            try:
                dec.decode(b"", final=True)
            except UnicodeDecodeError:
                valid = False
    return nul, valid, newlines, last, quotes, lone_cr


def _decode_file(path: Path, data: bytes, encoding: str | None, valid_utf8: bool,
                 nul: bool) -> tuple[str, str, list[tuple[str, str, int, str]]]:
    """Decode a whole file in memory: (text, encoding, repairs). NUL bytes are removed; without an
    encoding setting, UTF-8 is used when valid, else the code page is guessed."""
    notes = []
    if nul:
        lines = _lines_with(data, b"\x00")
        count = data.count(b"\x00")
        data = data.replace(b"\x00", b"")
        notes.append(("(file)", f"removed {count} NUL byte(s) (file damaged or mis-exported)", len(lines), "",
                      lines[:5]))
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise FileReadError(str(path), f"unknown encoding {encoding!r} in the mapping; use e.g. "
                                           "utf-8, cp1257, cp1250 or utf-16") from None
        except UnicodeDecodeError as exc:
            raise FileReadError(str(path), f"cannot be decoded as {encoding} (byte {exc.start} is not "
                                           f"valid {encoding}); check the encoding setting") from None
        return text, encoding, notes
    if valid_utf8:
        bom = data.startswith(codecs.BOM_UTF8)
        return data[3 if bom else 0:].decode("utf-8", errors="replace"), "utf-8-sig" if bom else "utf-8", notes
    text, name, mixed = _decode_guess(data)
    if mixed:
        notes.append(("(file)", mixed[0], len(mixed[1]), "", mixed[1][:5]))
    elif name not in ("utf-8", "utf-8-sig"):
        notes.append(("(file)", f"text is not UTF-8; decoded as {name}", 0, ""))
    return text, name, notes
