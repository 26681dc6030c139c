"""One way to show every cxkit result: ``summary`` table, plain text and HTML.

Result objects subclass :class:`Result` and implement ``summary`` (a DataFrame).
The same rendering is used in JupyterLab (``_repr_html_``) and in the HTML
reports, so a notebook cell that ends with a result shows a clean table: numbers
rounded, p-values as ``0.003`` or ``< 0.001`` (:func:`format_p_value`), a
confidence level as ``95%``. :func:`format_frame` gives any table (e.g. what
:func:`cxkit.compare` returns) the same look.
"""
from __future__ import annotations

import html
from typing import Iterable

import numpy as np
import pandas as pd

__all__ = ["Result", "frame_to_html", "format_frame", "format_number", "format_p_value", "is_missing", "p_equals"]


def is_missing(value) -> bool:
    """None, NaN, NA or NaT (and never raises for arrays or odd objects)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value, digits: int = 1) -> str:
    """Format a number for display; missing values become an en dash."""
    if is_missing(value):
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}".replace(",", " ")
    if isinstance(value, (float, np.floating)):
        if abs(value) >= 1e-4 and abs(value) < 1e-2 and digits < 4:
            return f"{value:.4f}"
        if 0 < abs(value) < 1e-4:
            return f"{value:.1e}"
        return f"{value:,.{digits}f}".replace(",", " ")
    return str(value)


def p_equals(p, digits: int = 3) -> str:
    """``"p = 0.043"`` or ``"p < 0.001"``: a p-value in a sentence (:func:`format_p_value`).

    Parameters
    ----------
    p : float
        The p-value.
    digits : int
        Decimals shown.

    Returns
    -------
    str
        The p-value with its sign of relation.

    Examples
    --------
    >>> p_equals(0.0431), p_equals(1e-52)
    ('p = 0.043', 'p < 0.001')
    """
    text = format_p_value(p, digits)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def format_p_value(p, digits: int = 3) -> str:
    """A p-value as a reader expects it: ``0.003``, ``0.250``, ``< 0.001``; never in scientific notation.

    Parameters
    ----------
    p : float
        The p-value (raw or adjusted); None or NaN means "not tested".
    digits : int
        Decimals shown (default 3); p-values below ``10 ** -digits`` are shown as ``< 0.001``.

    Returns
    -------
    str
        The p-value as text; an en dash when it is missing.

    Examples
    --------
    >>> [format_p_value(p) for p in (0.0431, 0.00312, 1.1e-24, 0.5, float("nan"))]
    ['0.043', '0.003', '< 0.001', '0.500', '–']
    """
    if is_missing(p):
        return "–"
    p = float(p)
    smallest = 10.0 ** -digits
    if p < smallest:
        return f"< {smallest:.{digits}f}"
    return f"{min(p, 1.0):.{digits}f}"


def _is_p_column(name) -> bool:
    """``p_value``, ``p_adjusted``, ``ph_p_value``, ``rest_p_adjusted``, ``p``: columns holding p-values."""
    name = str(name)
    return name in ("p", "p_value", "p_adjusted") or name.endswith(("_p_value", "_p_adjusted"))


def _format_level(value) -> str:
    """A confidence level 0.95 as ``95%`` (``0.9`` would read as 90%); other values as numbers."""
    if isinstance(value, (float, np.floating)) and 0 < value < 1:
        return f"{100 * float(value):g}%"
    return format_number(value, 3)


def _cell_text(column, value, digits: int) -> str:
    if _is_p_column(column) and not isinstance(value, (str, bool, np.bool_)):
        return format_p_value(value)
    if str(column) == "confidence":
        return _format_level(value)
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return f"{value:%Y-%m-%d}"
    return format_number(value, digits)


def format_frame(frame: pd.DataFrame, *, digits: int = 1, columns=None) -> pd.DataFrame:
    """A table with every cell as the text cxkit shows: rounded numbers, p-values, confidence levels.

    For tables a cxkit function returns as a DataFrame (:func:`cxkit.compare`, :func:`cxkit.trend`,
    :func:`cxkit.metric_table`, :func:`cxkit.churn_relative_risk` ...): the numbers stay in the original
    frame for further analysis; the copy is for reading. Numbers get ``digits`` decimals and a space between
    thousands, p-value columns (``p_value``, ``p_adjusted``, ``*_p_value``, ``*_p_adjusted``) read ``0.003``
    or ``< 0.001``, a ``confidence`` column reads ``95%``, yes/no for booleans and an en dash for missing
    values. Jupyter escapes the text of a DataFrame's cells, so names from data are shown safely.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    digits : int
        Decimals of numbers that are not p-values (default 1).
    columns : list of str, optional
        Only these columns, in this order (default all).

    Returns
    -------
    pandas.DataFrame
        The same rows and index, every cell a string.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["A", "B"], "value": [-29.533679, 12.0], "n": [386, 1204],
    ...                   "p_adjusted": [1.1e-23, 0.04621], "significant": [True, False]})
    >>> format_frame(t)
      unit  value      n p_adjusted significant
    0    A  -29.5    386    < 0.001         yes
    1    B   12.0  1 204      0.046          no
    """
    if columns is not None:
        frame = frame[list(columns)]
    rows = [[_cell_text(col, v, digits) for col, v in zip(frame.columns, values)]
            for values in frame.itertuples(index=False, name=None)]
    return pd.DataFrame(rows, index=frame.index, columns=frame.columns, dtype=object)


def frame_to_html(frame: pd.DataFrame, *, digits: int = 1, classes: str = "cxkit-table",
                  index: bool = False) -> str:
    """Render a DataFrame as an HTML table with every cell escaped.

    Data-derived text (unit names, comments, column names) is untrusted, so
    header and cells are always HTML-escaped here. Cells are written as
    :func:`format_frame` writes them (p-values ``< 0.001``, confidence ``95%``).
    """
    frame = frame.reset_index() if index else frame
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for col, v in zip(frame.columns, values):
            text = _cell_text(col, v, digits)
            align = ' class="num"' if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else ""
            cells.append(f"<td{align}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{html.escape(classes)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


class Result:
    """Base class of cxkit result objects (lifelines-style).

    Subclasses provide ``summary`` (a DataFrame) and may set ``title`` and
    ``notes``. They then print as text, render as HTML in JupyterLab and in
    reports, and expose the tidy table for further analysis.
    """

    title: str = "cxkit result"
    digits: int = 1

    @property
    def summary(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def notes(self) -> Iterable[str]:
        return ()

    def _repr_html_(self) -> str:
        parts = [f'<div class="cxkit-result"><p class="cxkit-title"><strong>{html.escape(self.title)}</strong></p>',
                 frame_to_html(self.summary, digits=self.digits)]
        notes = [n for n in self.notes if n]
        if notes:
            parts.append('<ul class="cxkit-notes">' + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def __str__(self) -> str:
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            text = f"{self.title}\n{self.summary.to_string(index=False)}"
        notes = [n for n in self.notes if n]
        if notes:
            text += "\n" + "\n".join(f"- {n}" for n in notes)
        return text

    def __repr__(self) -> str:
        return str(self)
