"""The problems, rejected-rows and repairs tables of a load, with the row numbers a user sees in the file."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__: list[str] = []

_PROBLEM_COLUMNS = ["file", "row", "column", "value", "expected"]
_REPAIR_COLUMNS = ["file", "column", "repair", "rows", "lines", "example"]


def _problems_table(parts: list[pd.DataFrame], rows_of, file: str, id_column: str | None) -> pd.DataFrame:
    """One row per problem with its file row; a duplicate id names the row of the first copy."""
    problems = pd.concat(parts, ignore_index=True) if parts else \
        pd.DataFrame({"record": pd.Series([], dtype=np.int64), "column": [], "value": [], "expected": []})
    problems.insert(0, "row", rows_of(problems["record"].to_numpy()) if len(problems) else
                    pd.Series([], dtype=np.int64))
    if len(problems):
        is_dup = problems["expected"].astype(str).str.contains("first seen at record", regex=False)
        if is_dup.any():
            first = problems.loc[is_dup, "expected"].str.extract(r"first seen at record (\d+)")[0].astype(np.int64)
            first_rows = rows_of(first.to_numpy())
            problems.loc[is_dup, "expected"] = [f"a unique {id_column} (first seen at row {r})" for r in first_rows]
    problems.insert(0, "file", file)
    return problems


def _rejected_table(parts: list[pd.DataFrame], problems: pd.DataFrame, rows_of, file: str) -> pd.DataFrame:
    """One row per rejected row: file, row, the reasons (every problem of the row) and the raw values."""
    if parts:
        rejected = pd.concat(parts, ignore_index=True)
        reasons = (problems.assign(text=[f"column '{c}': value {_q(v)} - expected {e}" for c, v, e in
                                         zip(problems["column"], problems["value"], problems["expected"])])
                   .groupby("record")["text"].agg("; ".join))
        rejected.insert(0, "reason", rejected["_record"].map(reasons))
        rejected.insert(0, "row", rows_of(rejected["_record"].to_numpy()))
    else:
        rejected = pd.DataFrame({"row": pd.Series([], dtype=np.int64), "reason": pd.Series([], dtype=object),
                                 "_record": pd.Series([], dtype=np.int64)})
    rejected.insert(0, "file", file)
    return rejected


def _with_structural(problems: pd.DataFrame, rejected: pd.DataFrame, structural: list, lines: list,
                     file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows the reader could not split into the header's fields, added to both tables; the rejected
    table keeps each one's whole raw text (column ``raw``)."""
    extra_p, extra_r = [], []
    for inv, line in zip(structural, lines):
        if inv.reason:
            exp = inv.reason
        else:
            fewer = inv.actual < inv.expected
            exp = (f"{inv.expected} fields like the header, found {inv.actual} ("
                   + ("truncated line or a missing quote?" if fewer else "an unquoted delimiter inside a value?") + ")")
        extra_p.append({"file": file, "row": line, "record": -1, "column": "(whole row)",
                        "value": inv.text[:200], "expected": exp})
        extra_r.append({"file": file, "row": line, "reason": f"value {_q(inv.text)} - expected {exp}",
                        "_record": -1, "raw": inv.text})
    problems = pd.concat([problems, pd.DataFrame(extra_p)], ignore_index=True)
    rejected = pd.concat([rejected, pd.DataFrame(extra_r)], ignore_index=True)
    return problems, rejected


def _repairs_table(file: str, reader_repairs: list, repairs: dict) -> pd.DataFrame:
    """One row per repair kind: the reader's (file-level) first, then the validator's.

    Reader repairs are ``(column, what, rows, example)`` or ``(column, what, rows, example, lines)``;
    ``repairs`` maps ``(column, what)`` to ``[rows, example, lines]``. ``lines`` are the first few rows
    repaired as numbered in the file, shown with the count of the rest ("12, 57 and 3 more").
    """
    rows = [{"file": file, "column": r[0], "repair": r[1], "rows": r[2], "lines": _lines_text(r[4:5], r[2]),
             "example": r[3]} for r in reader_repairs]
    rows += [{"file": file, "column": c, "repair": what, "rows": v[0], "lines": _lines_text(v[2:3], v[0]),
              "example": v[1]} for (c, what), v in repairs.items()]
    return pd.DataFrame(rows, columns=_REPAIR_COLUMNS)


def _lines_text(lines: list | tuple, rows: int, shown: int = 5) -> str:
    """``[lines]`` (or ``[]``) as "12, 57, 103, 200, 311 and 495 more" (the first ``shown``, then how many more
    of ``rows``); "" without lines."""
    numbers = sorted({int(x) for x in lines[0]}) if lines and lines[0] is not None else []
    if not numbers:
        return ""
    first = numbers[:shown]
    more = max(int(rows) - len(first), 0)
    return ", ".join(str(x) for x in first) + (f" and {more:,} more" if more else "")


def _q(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
        return "(empty)"
    text = str(v)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _problem_summary(problems: pd.DataFrame) -> pd.DataFrame:
    """Problems grouped by file, column and reason (the expected text without its row-specific details in
    parentheses), most frequent first, with the first five rows of each group."""
    columns = ["file", "column", "reason", "rows", "first_rows"]
    if not len(problems):
        return pd.DataFrame(columns=columns)
    reason = problems["expected"].astype(str).map(_reason_kind)
    grouped = (problems.assign(reason=reason).groupby(["file", "column", "reason"], sort=False)["row"]
               .agg(rows="size", first_rows=lambda r: ", ".join(str(int(x)) for x in sorted(r)[:5])
                    + (f" and {len(r) - 5} more" if len(r) > 5 else "")).reset_index())
    return grouped.sort_values("rows", ascending=False, kind="stable", ignore_index=True)[columns]


def _reason_kind(expected: str) -> str:
    """An expected text without details that differ row by row ("(first seen at row 12)", "(2025-01-01)")."""
    return re.sub(r"\s*\([^()]*\d[^()]*\)", "", expected).strip() or expected
