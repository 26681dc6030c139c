"""Matching a file's header to the contract's columns: names for unnamed columns, the mapping, the
contract's names, duplicated and missing columns, and names for the extra columns kept as text."""
from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .contract import TableMapping, TableSpec, normalise_header

__all__: list[str] = []


def _name_unnamed(header: list[str]) -> tuple[list[str], set[int]]:
    """The header with a free name (``column_3``, ``column_3_2``, ...) for every blank cell, and the
    positions of those columns."""
    header = list(header)
    unnamed: set[int] = set()
    taken = set(header)
    for i, h in enumerate(header):
        if not h:  # a column without a header: give it a name that is not taken
            name, k = f"column_{i + 1}", 2
            while name in taken:
                name, k = f"column_{i + 1}_{k}", k + 1
            header[i] = name
            taken.add(name)
            unnamed.add(i)
    return header, unnamed


def _map_columns(header: list[str], unnamed: set[int], spec: TableSpec, tm: TableMapping) -> dict[int, str]:
    """Position -> contract column, through the mapping, the contract's names and its name patterns."""
    mapped: dict[int, str] = {}
    explicit = {normalise_header(k): v for k, v in tm.columns.items()}
    contract = {normalise_header(c.name): c.name for c in spec.columns}
    for i, h in enumerate(header):
        if i in unnamed:
            continue
        key = normalise_header(h)
        if key in explicit:
            mapped[i] = explicit[key]
        elif key in contract:
            mapped[i] = contract[key]
        elif spec.column(key) is not None:  # attr_* / target_* patterns
            mapped[i] = key
    return mapped


def _targets(mapped: dict[int, str]) -> dict[str, list[int]]:
    """Contract column -> the positions mapped to it (more than one is a problem)."""
    targets: dict[str, list[int]] = {}
    for i, name in mapped.items():
        targets.setdefault(name, []).append(i)
    return targets


def _duplicated_columns(header: list[str], targets: dict[str, list[int]]) -> list[dict]:
    """Problems: several columns for one contract column."""
    problems = []
    for name, idx in targets.items():
        if len(idx) > 1:
            problems.append(dict(column=name, value=", ".join(repr(header[i]) for i in idx),
                                 expected=f"one column for {name!r}, found {len(idx)} "
                                          f"(columns {', '.join(str(i + 1) for i in idx)}); remove or rename the "
                                          "copies"))
    return problems


def _constant_clashes(targets: dict[str, list[int]], tm: TableMapping) -> list[dict]:
    """Problems: a column that is also set as a constant in the mapping."""
    return [dict(column=c, value=f"constant {tm.constants[c]!r}",
                 expected=f"either a {c!r} column or a constant in the mapping, not both")
            for c in list(tm.constants) if c in targets]


def _missing_columns(header: list[str], present: set[str], spec: TableSpec, file_delimiter) -> list[dict]:
    """Problems: required contract columns the file does not have, with a hint (a near name, or a
    delimiter that left the whole header in one column)."""
    problems = []
    one_column = len(header) == 1 and next((d for d in (";", ",", "\t", "|") if d in header[0]), None)
    for c in spec.columns:
        if c.required and c.name not in present:
            near = difflib.get_close_matches(normalise_header(c.name), [normalise_header(h) for h in header], n=1,
                                             cutoff=0.6)
            if one_column:
                hint = (f"; the whole header is one column, so the file is probably separated by {one_column!r}, "
                        f"not {file_delimiter!r} - remove the delimiter setting or set "
                        f"delimiter: {one_column!r} in the mapping")
            elif near:
                hint = f"; did you mean {near[0]!r}? map it in the mapping file"
            else:
                hint = "; map your export's header to it in a mapping file"
            shown = ", ".join(h[:40] for h in header[:15]) + (f", ... ({len(header)} columns)"
                                                               if len(header) > 15 else "")
            problems.append(dict(column=c.name, value="(missing)",
                                 expected=f"a column named {c.name!r} (found: {shown}){hint}"))
    return problems


def _header_problems(header: list[str], targets: dict[str, list[int]], spec: TableSpec, tm: TableMapping,
                     file_delimiter) -> list[dict]:
    """Every problem of a header: duplicated columns, columns clashing with constants, missing columns."""
    present = set(targets) | set(tm.constants)
    missing = _missing_columns(header, present, spec, file_delimiter)
    return (_duplicated_columns(header, targets) + _constant_clashes(targets, tm) + missing
            + ([] if missing else _no_score(header, present, spec)))


def _no_score(header: list[str], present: set[str], spec: TableSpec) -> list[dict]:
    """A table with score columns (the responses) needs at least one of them: each is optional, not all.
    (Checked once the required columns are there: a header split wrongly is one problem, not two.)"""
    scores = [c.name for c in spec.columns if c.kind == "score"]
    if not scores or present & set(scores):
        return []
    shown = ", ".join(repr(h[:60]) for h in header[:20]) + (f", ... ({len(header)} columns)" if len(header) > 20
                                                             else "")
    return [dict(column=" or ".join(scores), value="(missing)",
                 expected=f"at least one score column ({', '.join(scores)}), named so or mapped in the mapping "
                          f"file; columns seen: {shown}")]


def _extra_names(header: list[str], mapped: dict[int, str], targets) -> tuple[dict[int, str], list[str]]:
    """Names for the columns outside the contract (kept as text): their header, with a suffix for copies of
    one name so no column overwrites another; and the renames made (``'a' -> 'a (2)'``)."""
    used = set(targets)
    extra_names: dict[int, str] = {}
    renamed = []
    for i in range(len(header)):
        if i in mapped:
            continue
        name, k = header[i], 2
        while name in used:
            name, k = f"{header[i]} ({k})", k + 1
        used.add(name)
        extra_names[i] = name
        if name != header[i]:
            renamed.append(f"{header[i]!r} -> {name!r}")
    return extra_names, renamed


def _header_copies(chunk: pd.DataFrame, positions: dict[str, int], header: list[str], decoded=frozenset()):
    """Rows that repeat the header (two exports pasted into one file), or None. ``decoded``: the positions
    of text read dictionary-encoded (categoricals of the values as written), checked through their categories."""
    if not positions:
        return None
    mask = None
    for pos in positions.values():
        s = chunk.iloc[:, pos]
        label = header[pos].lower()
        if pos in decoded and isinstance(s.dtype, pd.CategoricalDtype):
            mask = _copies_by_category(s, label, mask)
            if not mask.any():
                return None
            continue
        if not isinstance(s.dtype, pd.StringDtype):
            return None
        if mask is None:  # cheap first pass: only values about as long as the header's name can be it
            length = s.str.len()
            cand = length <= len(label) + 3
            if label.isascii():  # removing a BOM and spaces only shortens; lower() keeps ASCII's length
                cand &= length >= len(label)
            cand = cand.fillna(False).to_numpy(dtype=bool)
            if not cand.any():
                return None
            mask = cand
        sub = s[mask].str.replace("\ufeff", "", regex=False).str.strip().str.lower()
        hit = (sub == label).fillna(False).to_numpy(dtype=bool)
        mask[np.flatnonzero(mask)[~hit]] = False
        if not mask.any():
            return None
    return mask


def _copies_by_category(s: pd.Series, label: str, mask: np.ndarray | None) -> np.ndarray:
    """:func:`_header_copies`' test of one column for a categorical of text as written: each category
    tested once (the same length pre-test on the first column, the same cleaning), spread by the codes."""
    cats = pd.Series(s.cat.categories, dtype="string")
    hit = (cats.str.replace("\ufeff", "", regex=False).str.strip().str.lower() == label).to_numpy(dtype=bool)
    if mask is None:
        length = cats.str.len().to_numpy()
        hit &= length <= len(label) + 3
        if label.isascii():
            hit &= length >= len(label)
    rows = np.append(hit, False)[s.cat.codes.to_numpy()]  # (code -1, a missing value: no copy)
    return rows if mask is None else mask & rows
