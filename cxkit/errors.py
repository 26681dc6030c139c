"""Exceptions raised by cxkit.

Every error cxkit raises on purpose is a :class:`CxkitError`, with a message a
non-programmer can act on: which file, which row (numbered as in the file),
which column, which value, and what was expected.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["CxkitError", "DataValidationError", "FileReadError", "ConfigError", "InsufficientDataError"]

#: How many problems a :class:`DataValidationError` message lists before summarising.
MAX_LISTED_PROBLEMS = 20


class CxkitError(Exception):
    """Base class of every error cxkit raises on purpose."""


class ConfigError(CxkitError, ValueError):
    """A parameter or a mapping file is wrong (unknown metric, bad scale, ...)."""


class FileReadError(CxkitError):
    """A file could not be read at all (missing, empty, corrupt, wrong sheet, ...)."""

    def __init__(self, file: str, message: str):
        self.file = str(file)
        super().__init__(f"{self.file}: {message}")


class InsufficientDataError(CxkitError, ValueError):
    """There is not enough data to compute what was asked (e.g. no responses)."""


class DataValidationError(CxkitError):
    """The data break the data contract.

    ``problems`` is a DataFrame with one row per problem and the columns
    ``file, row, column, value, expected``. The message lists the first
    :data:`MAX_LISTED_PROBLEMS` problems and the total count.
    """

    def __init__(self, problems: pd.DataFrame, *, hint: str | None = None):
        self.problems = problems.reset_index(drop=True)
        n = len(self.problems)
        shown = self.problems.head(MAX_LISTED_PROBLEMS)
        lines = [f"{n} problem{'s' if n != 1 else ''} found in the data:"]
        for p in shown.itertuples(index=False):
            lines.append("  " + format_problem(p.file, p.row, p.column, p.value, p.expected))
        if n > len(shown):
            lines.append(f"  ... and {n - len(shown)} more (see the .problems table of this error)")
        lines.append(hint or "Fix the file, map the columns with a mapping file, or load with "
                     "errors='quarantine' to set these rows aside and continue.")
        super().__init__("\n".join(lines))


def format_problem(file, row, column, value, expected) -> str:
    """One problem as a sentence: ``file, row 12, column 'nps': value '11' - expected ...``."""
    where = [str(file)]
    if row is not None and not (isinstance(row, float) and pd.isna(row)):
        where.append(f"row {int(row)}")
    if column:
        where.append(f"column '{column}'")
    shown = _short(value)
    return f"{', '.join(where)}: value {shown} - expected {expected}"


def _short(value, limit: int = 60) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "(empty)"
    text = str(value)
    if text == "":
        return "(empty)"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)
