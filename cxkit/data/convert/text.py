"""Ids, categories and free text: cleaned in Arrow (control and invisible characters, whitespace, NFC),
length-checked, and category spellings unified."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import Column
from ..hashing import _arrow_strings, _chunk_bytes, _large_strings, _string_bytes
from ..readers.base import _CONTROL
from .context import _Conversion, _LazyTexts, _as_text, _fold

__all__: list[str] = []


#: zero-width characters, BOM, soft hyphen and bidirectional overrides (which can make a name display reversed)
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]"
#: bytes that can start one of those characters in UTF-8 (U+00AD: C2 AD, U+2xxx: E2 .., U+FEFF: EF BB BF), and the
#: control characters' bytes: a column without any of them needs no regular-expression pass
_INVISIBLE_LEADS = np.isin(np.arange(256), [0xC2, 0xE2, 0xEF])
_CONTROL_BYTES = np.array([_CONTROL.match(chr(b)) is not None for b in range(128)] + [False] * 128)
_SPACE_RUN = "[\\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"  # Python's \\s, for Arrow's RE2


#: UTF-8 bytes from 0xCC on start code points from U+0300 (the combining marks) up. Text made only of code
#: points below U+0300 is in NFC already (tested over every pair of them), so only values holding such a
#: byte can change under NFC normalisation (Lithuanian, Polish and Latvian letters are all below U+0180).
_NFC_CANDIDATE_BYTES = np.arange(256) >= 0xCC
#: one flag per byte value: 1 a control character, 2 the lead byte of an invisible one, 4 an NFC candidate
_BYTE_FLAGS = (_CONTROL_BYTES * 1 + _INVISIBLE_LEADS * 2 + _NFC_CANDIDATE_BYTES * 4).astype(np.uint8)


def _byte_flags(arr) -> tuple[int, np.ndarray]:
    """One pass over the bytes of an Arrow large_string array: the union of the :data:`_BYTE_FLAGS` of
    its bytes, and which values hold an NFC candidate byte."""
    offsets, data = _string_bytes(arr)
    rows = np.zeros(len(arr), dtype=bool)
    # every flagged byte is below 0x20 or from 0x7F on: the table is looked up for those bytes only (most text
    # is ASCII letters), not for every byte
    at = np.flatnonzero((data - np.uint8(0x20)) >= np.uint8(0x5F))  # below 0x20 wraps around to the top
    flags = _BYTE_FLAGS[data[at]]
    flagged = flags != 0
    at, found = at[flagged], flags[flagged]
    if not len(at):
        return 0, rows
    nfc = at[(found & 4) != 0]
    rows[np.searchsorted(offsets, nfc, side="right") - 1] = True
    return int(np.bitwise_or.reduce(found)), rows


def _convert_text(s: pd.Series, col: Column, ctx: _Conversion):
    """Ids, categories and free text: clean (reported) and check; vectorised in Arrow."""
    import pyarrow.compute as pc

    s = _as_text(s)
    ca = _arrow_strings(s)
    if ca is None:
        ca = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.large_string())
    ca = _nulls_as_empty(ca)

    def count(mask) -> int:
        return ctx.count(np.asarray(mask, dtype=bool)) if len(ca) else 0

    def first(mask) -> str:
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        return ca[int(idx[0])].as_py() if len(idx) else ""

    ca = _large_strings(ca)
    # which kinds of bytes occur, and which values can change under NFC: one pass (removing control and
    # invisible characters or trimming below never adds a byte, so the NFC candidates stay a superset)
    flags, maybe = _byte_flags(ca)
    control = pc.match_substring_regex(ca, _CONTROL.pattern) if flags & 1 else None
    if control is not None and pc.any(control).as_py():
        ctx.repair(col.name, "removed control characters", count(control), "", mask=np.asarray(control, dtype=bool))
        ca = pc.replace_substring_regex(ca, _CONTROL.pattern, "")
    ca = _clean_names(ca, col, ctx, flags) if col.kind in ("id", "category") else _trimmed(ca)[0]
    if maybe.any():  # normalise only the values that can change (a quarter of comments hold accents)
        some = ca.filter(pa.array(maybe))
        normal = pc.utf8_normalize(some, "NFC")
        changed = np.zeros(len(ca), dtype=bool)
        changed[np.flatnonzero(maybe)[np.asarray(pc.not_equal(normal, some), dtype=bool)]] = True
        if changed.any():
            if col.kind in ("id", "category"):
                ctx.repair(col.name, "Unicode accents written as two characters joined into one (NFC)",
                           count(changed), first(changed), mask=changed)
            ca = pc.replace_with_mask(ca, pa.array(maybe), normal)
    empty = np.diff(_string_bytes(ca)[0]) == 0  # (no nulls are left: an empty value takes no bytes)
    bad = np.zeros(len(ca), dtype=bool)
    expected = _LazyTexts(len(ca))
    if col.max_length:
        too_long = _longer_than(ca, col.max_length)
        if too_long.any():
            if col.kind == "text":
                ctx.repair(col.name, f"shortened text longer than {col.max_length} characters",
                           count(too_long), first(too_long)[:40], mask=too_long)
                ca = pc.if_else(pa.array(too_long), pc.utf8_slice_codeunits(ca, 0, col.max_length), ca)
            else:
                bad |= too_long
                expected[too_long] = f"at most {col.max_length} characters (found a longer value)"
    text = pd.Series(pd.arrays.ArrowStringArray(ca), index=s.index)  # large_string throughout
    if col.kind == "text" and ctx.file_format == "csv":
        swallowed = _swallowed_rows(text, ctx)
        if swallowed.any():
            bad |= swallowed
            ctx.row_faults[col.name] = swallowed  # the row is broken, not only the value: rejected even here
            expected[swallowed] = ("text; this value runs over several lines that look like whole rows - a quote "
                                   "that is never closed swallowed them (fix the quote in the file)")
    if not col.nullable and empty.any():
        bad |= empty
        expected[empty] = f"a value (the {col.name} column is required)"
    if col.kind == "category":
        text = _canonical_categories(text, col.name, ctx)
        values = text.where(~pd.Series(empty, index=text.index)).astype("category")
    else:
        values = _empty_as_missing(text, empty) if empty.any() else text
    return values, bad, expected.array()


def _clean_names(ca, col: Column, ctx: _Conversion, flags: int):
    """Ids and categories: invisible characters removed and surrounding whitespace trimmed (in categories, runs of
    it made one space), each reported with the first value it changed."""
    import pyarrow.compute as pc

    def report(what: str, mask: np.ndarray) -> None:
        at = np.flatnonzero(mask)
        ctx.repair(col.name, what, ctx.count(mask), ca[int(at[0])].as_py(), mask=mask)

    invisible = np.asarray(pc.match_substring_regex(ca, _INVISIBLE), dtype=bool) if flags & 2 else None
    if invisible is not None and invisible.any():
        report("removed invisible characters (zero-width spaces, byte-order marks, soft hyphens, direction "
               "overrides)", invisible)
        ca = pc.replace_substring_regex(ca, _INVISIBLE, "")
    if col.kind == "category":
        new = pc.replace_substring_regex(pc.utf8_trim_whitespace(ca), _SPACE_RUN, " ")
        changed = np.asarray(pc.not_equal(new, ca), dtype=bool)
    else:
        new, changed = _trimmed(ca)
    if changed.any():
        report("trimmed surrounding/duplicate whitespace", changed)
    return new


def _nulls_as_empty(ca):
    """Missing values as empty text. A null that takes no bytes (as Arrow's readers write them) already reads
    as ``""``: the validity bitmap is then dropped, no copy; otherwise nulls are filled."""
    import pyarrow.compute as pc

    if not ca.null_count:
        return ca
    if isinstance(ca, pa.ChunkedArray) and ca.num_chunks == 1:
        ca = ca.chunk(0)
    if isinstance(ca, pa.Array) and pa.types.is_large_string(ca.type):
        offsets, _ = _string_bytes(ca)
        if not np.diff(offsets)[~np.asarray(ca.is_valid(), dtype=bool)].any():
            bufs = ca.buffers()
            return pa.Array.from_buffers(ca.type, len(ca), [None, bufs[1], bufs[2]], offset=ca.offset)
    return pc.fill_null(ca, "")


def _trimmed(ca) -> tuple:
    """Surrounding whitespace trimmed: (text, which values changed). Only values that start or end with a byte
    that can belong to whitespace (up to a space, or any non-ASCII byte) are trimmed; the rest cannot change."""
    import pyarrow.compute as pc

    offsets, data = _string_bytes(ca)
    changed = np.zeros(len(ca), dtype=bool)
    if not len(data):
        return ca, changed
    first = data[np.minimum(offsets[:-1], len(data) - 1)]
    last = data[np.maximum(offsets[1:] - 1, 0)]
    edge = (_space_edge(first) | _space_edge(last)) & (offsets[1:] > offsets[:-1])
    if not edge.any():
        return ca, changed
    where = pa.array(edge)
    some = ca.filter(where)
    trimmed = pc.utf8_trim_whitespace(some)
    changed[np.flatnonzero(edge)[np.asarray(pc.not_equal(trimmed, some), dtype=bool)]] = True
    return (pc.replace_with_mask(ca, where, trimmed) if changed.any() else ca), changed


def _space_edge(b: np.ndarray) -> np.ndarray:
    """Which bytes can begin or end a whitespace character: ASCII up to the space, and every non-ASCII byte
    (in one step over the bytes: below 0x21 wraps around to the top)."""
    return (b - np.uint8(0x21)) >= np.uint8(0x5F)


def _longer_than(ca, limit: int) -> np.ndarray:
    """Which values hold more than ``limit`` characters: counted only for those with more than ``limit`` bytes
    (a character takes at least one byte)."""
    import pyarrow.compute as pc

    offsets, _ = _string_bytes(ca)
    out = np.diff(offsets) > limit
    if out.any():
        at = np.flatnonzero(out)
        out[at] = np.asarray(pc.greater(pc.utf8_length(ca.take(pa.array(at))), limit), dtype=bool)
    return out


def _empty_as_missing(text: pd.Series, empty: np.ndarray) -> pd.Series:
    """Empty values as missing: a validity bitmap over the same bytes (no copy of the text)."""
    arr = _arrow_strings(text)
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 1:
        arr = arr.chunk(0)
    if not isinstance(arr, pa.Array) or arr.null_count or arr.offset:
        return text.where(~pd.Series(empty, index=text.index))
    valid = pa.array(~empty).buffers()[1]
    bufs = arr.buffers()
    out = pa.Array.from_buffers(arr.type, len(arr), [valid, bufs[1], bufs[2]], null_count=int(empty.sum()))
    return pd.Series(pd.arrays.ArrowStringArray(out), index=text.index)


def _swallowed_rows(s: pd.Series, ctx: _Conversion) -> np.ndarray:
    """Multi-line values holding a line with exactly as many delimiters as a row (an unclosed quote)."""
    arr = _arrow_strings(s)
    if arr is not None and not any((data == 0x0A).any() for _, data in _chunk_bytes(arr)):
        return np.zeros(len(s), dtype=bool)  # no line break in any value (one look at the bytes)
    multi = s.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
    k = ctx.n_columns - 1
    if not multi.any() or k < 2:
        return np.zeros(len(s), dtype=bool)
    d = re.escape(ctx.delimiter_text())
    pattern = rf"(?m)^(?:[^\n\r{d}]*{d}){{{min(k, 200)}}}[^\n\r{d}]*\r?$"
    out = np.zeros(len(s), dtype=bool)
    out[multi] = s[multi].str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    return out


def _canonical_categories(s: pd.Series, name: str, ctx: _Conversion) -> pd.Series:
    shared = ctx.canonical if name == "unit" else ctx.cat_canonical.setdefault(name, {})
    uniques = pd.unique(s.to_numpy())
    mapping = {}
    for u in uniques:
        if u is None or u is pd.NA or u == "":
            continue
        key = _fold(u)
        canon = shared.setdefault(key, u)
        if canon != u:
            mapping[u] = canon
    if mapping:
        hit = s.isin(list(mapping))
        for u, canon in mapping.items():
            same = (s == u).fillna(False).to_numpy(dtype=bool)
            ctx.repair(name, f"spelling variant {u!r} unified to {canon!r}", ctx.count(same), u, mask=same)
        s = s.where(~hit, s.map(mapping))
    return s
