"""Exceptions raised by cxkit.

Every error cxkit raises on purpose is a :class:`CxkitError`, with a message a
non-programmer can act on: which file, which row (numbered as in the file),
which column, which value, and what was expected.
"""
from __future__ import annotations

import errno
import os
import shutil

import pandas as pd

__all__ = ["CxkitError", "DataValidationError", "DiskFullError", "FileReadError", "ConfigError",
           "InsufficientDataError"]

#: How many problems a :class:`DataValidationError` message lists before summarising.
MAX_LISTED_PROBLEMS = 20


class CxkitError(Exception):
    """Base class of every error cxkit raises on purpose.

    Catch it to handle any problem cxkit reports about data, files or parameters
    (``except cx.CxkitError``); the message says what was found and what was expected.

    Parameters
    ----------
    message : str
        What went wrong, in words a non-programmer can act on.

    Attributes
    ----------
    args : tuple
        The arguments given, as for every Python exception (``args[0]`` is the message).

    Examples
    --------
    >>> issubclass(ConfigError, CxkitError), issubclass(DataValidationError, CxkitError)
    (True, True)
    """


class ConfigError(CxkitError, ValueError):
    """A parameter or a mapping file is wrong (unknown metric, bad scale, ...).

    Also a :class:`ValueError`, so code that catches ``ValueError`` catches it too.

    Parameters
    ----------
    message : str
        Which parameter or mapping entry is wrong, its value and what was expected.

    Attributes
    ----------
    args : tuple
        The arguments given (``args[0]`` is the message).

    Examples
    --------
    >>> str(ConfigError("kind='pie' - expected 'quadrant' or 'bars'"))
    "kind='pie' - expected 'quadrant' or 'bars'"
    """


class FileReadError(CxkitError):
    """A file could not be read at all (missing, empty, corrupt, wrong sheet, ...).

    The message starts with the file name: ``"<file>: <message>"``.

    Parameters
    ----------
    file : str or path-like
        The file that could not be read.
    message : str
        Why it could not be read.

    Attributes
    ----------
    file : str
        The file that could not be read, as text.

    Examples
    --------
    >>> err = FileReadError("responses.csv", "the file is empty")
    >>> err.file, str(err)
    ('responses.csv', 'responses.csv: the file is empty')
    """

    def __init__(self, file: str, message: str):
        self.file = str(file)
        super().__init__(f"{self.file}: {message}")


class DiskFullError(CxkitError):
    """A file could not be written: its disk (or the user's quota on it) is full.

    The message names the file, how many bytes it needed (when known) and how many are free on its
    file system, and what to do. The batch stops at such an error; ``cxkit report`` then prints the
    reports finished so far and exits with 3.

    Parameters
    ----------
    path : str or path-like
        The file (or folder) that could not be written.
    needed : int, optional
        Bytes the write needed, when known.
    free : int, optional
        Bytes free on the path's file system; measured with :func:`shutil.disk_usage` when not given.

    Attributes
    ----------
    path : str
        The file that could not be written.
    needed, free : int or None
        As given (``free`` measured when not given; None when it could not be).
    summary : str or None
        Set by the report batch: what was finished before the disk filled up.

    Examples
    --------
    >>> err = DiskFullError("out/manifest.json", needed=2048, free=0)
    >>> str(err).split(";")[0]
    'out/manifest.json: the disk is full (no space left on device): 2.0 KB needed, 0 B free'
    """

    def __init__(self, path, *, needed: int | None = None, free: int | None = None):
        self.path = str(path)
        self.needed = needed
        self.free = _free_bytes(self.path) if free is None else free
        self.summary: str | None = None
        space = [f"{_bytes(needed)} needed" if needed is not None else "",
                 f"{_bytes(self.free)} free" if self.free is not None else ""]
        space = ", ".join(x for x in space if x)
        super().__init__(f"{self.path}: the disk is full (no space left on device)"
                         f"{': ' + space if space else ''}; free some space (or write to another folder) and run "
                         "again (a report batch: with --resume, which keeps the reports already finished)")

    @classmethod
    def from_oserror(cls, exc: OSError, path, *, needed: int | None = None) -> "DiskFullError":
        """The error for ``exc`` (see :func:`is_disk_full`), naming the file it names or else ``path``."""
        return cls(getattr(exc, "filename", None) or path, needed=needed)


def is_disk_full(exc: BaseException) -> bool:
    """True for an :class:`OSError` that says the disk or the quota is full (``ENOSPC``, ``EDQUOT``,
    or Arrow's "No space left on device", which may come without an ``errno``)."""
    if not isinstance(exc, OSError):
        return False
    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) or "No space left on device" in str(exc)


def _free_bytes(path: str) -> int | None:
    """Bytes free on the file system of ``path`` (its nearest existing folder); None if unknown."""
    folder = os.path.abspath(path)
    while folder and not os.path.exists(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"  # pragma: no cover


class InsufficientDataError(CxkitError, ValueError):
    """There is not enough data to compute what was asked (e.g. no responses).

    Also a :class:`ValueError`, so code that catches ``ValueError`` catches it too.

    Parameters
    ----------
    message : str
        What was asked and what data were missing or too few.

    Attributes
    ----------
    args : tuple
        The arguments given (``args[0]`` is the message).
    """


class DataValidationError(CxkitError):
    """The data break the data contract.

    ``problems`` is a DataFrame with one row per problem and the columns
    ``file, row, column, value, expected``. The message lists the first
    :data:`MAX_LISTED_PROBLEMS` problems and the total count.

    Parameters
    ----------
    problems : pandas.DataFrame
        One row per problem, with the columns ``file`` (file name), ``row`` (row
        number as in the file, or empty when the problem is not in one row),
        ``column`` (column name, or empty), ``value`` (the offending value) and
        ``expected`` (what the contract expects, in words).
    hint : str, optional
        Last line of the message: what to do next. By default: fix the file, map
        the columns with a mapping file, or load with ``errors='quarantine'``.

    Attributes
    ----------
    problems : pandas.DataFrame
        The problems table with a fresh 0-based index; columns ``file, row,
        column, value, expected`` as passed.

    Examples
    --------
    >>> problems = pd.DataFrame({"file": ["responses.csv"], "row": [12], "column": ["nps"],
    ...                          "value": ["11"], "expected": ["a whole number 0-10"]})
    >>> print(DataValidationError(problems, hint="Fix the file."))
    1 problem found in the data:
      responses.csv, row 12, column 'nps': value '11' - expected a whole number 0-10
    Fix the file.
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
