"""Ids, categories and free text: cleaned in Arrow (control and invisible characters, whitespace, NFC),
length-checked, and category spellings unified."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import Column
from ..hashing import _arrow_strings, _large_strings, _string_bytes
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
    at = np.flatnonzero((data < 0x20) | (data >= 0x7F))
    flags = _BYTE_FLAGS[data[at]]
    at = at[flags != 0]
    if not len(at):
        return 0, rows
    found = flags[flags != 0]
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
    ca = pc.fill_null(ca, "") if ca.null_count else ca

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
    if col.kind in ("id", "category"):
        invisible = pc.match_substring_regex(ca, _INVISIBLE) if flags & 2 else None
        if invisible is not None and pc.any(invisible).as_py():
            ctx.repair(col.name, "removed invisible characters (zero-width spaces, byte-order marks, soft hyphens, "
                                   "direction overrides)", count(invisible), first(invisible),
                       mask=np.asarray(invisible, dtype=bool))
            ca = pc.replace_substring_regex(ca, _INVISIBLE, "")
        new = pc.utf8_trim_whitespace(ca)
        if col.kind == "category":
            new = pc.replace_substring_regex(new, _SPACE_RUN, " ")
        changed = pc.not_equal(new, ca)
        if pc.any(changed).as_py():
            ctx.repair(col.name, "trimmed surrounding/duplicate whitespace", count(changed), first(changed),
                       mask=np.asarray(changed, dtype=bool))
        ca = new
    else:
        ca = pc.utf8_trim_whitespace(ca)
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
    empty = np.asarray(pc.equal(ca, ""), dtype=bool) if len(ca) else np.zeros(0, dtype=bool)
    bad = np.zeros(len(ca), dtype=bool)
    expected = _LazyTexts(len(ca))
    if col.max_length:
        too_long = np.asarray(pc.greater(pc.utf8_length(ca), col.max_length), dtype=bool) if len(ca) else bad
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
        values = text.where(~pd.Series(empty, index=text.index)) if empty.any() else text
    return values, bad, expected.array()


def _swallowed_rows(s: pd.Series, ctx: _Conversion) -> np.ndarray:
    """Multi-line values holding a line with exactly as many delimiters as a row (an unclosed quote)."""
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
