"""One way to show every cxkit result: ``summary`` table, plain text and HTML.

Result objects subclass :class:`Result` and implement ``summary`` (a DataFrame).
The same rendering is used in JupyterLab (``_repr_html_``) and in the HTML
reports, so a notebook cell that ends with a result shows a clean table.
"""
from __future__ import annotations

import html
from typing import Iterable

import numpy as np
import pandas as pd

__all__ = ["Result", "frame_to_html", "format_number", "is_missing"]


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


def frame_to_html(frame: pd.DataFrame, *, digits: int = 1, classes: str = "cxkit-table",
                  index: bool = False) -> str:
    """Render a DataFrame as an HTML table with every cell escaped.

    Data-derived text (unit names, comments, column names) is untrusted, so
    header and cells are always HTML-escaped here.
    """
    frame = frame.reset_index() if index else frame
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for v in values:
            text = format_number(v, digits)
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
