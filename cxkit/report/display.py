"""Showing things in a report notebook: headings, text, notes and tables as escaped HTML (text from
data is never trusted), and :class:`Section`, a report part that degrades to a note when data are short.
"""
from __future__ import annotations

import base64
import html
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CxkitError, InsufficientDataError
from ..i18n import format_date_local, format_number_local, format_percent_local, t

__all__ = ['show_part', 'show_heading', 'show_toc', 'MissingAltText', 'show_text',
           'show_note', 'show_bullets', 'show_table', 'table_html', 'Section']


class MissingAltText(CxkitError, TypeError):
    """A chart was added to a report without its alternative text (a programming error, never a data one:
    it is not turned into a "too little data" note, the report fails)."""


def _display_html(text: str, metadata: dict | None = None):
    from IPython.display import HTML, display

    if metadata:
        display(HTML(text), metadata=metadata)
    else:
        display(HTML(text))


def show_part(fn, lang: str = "en") -> None:
    """Show what ``fn()`` returns (table, figure, section, note); thin data become a note, not an error.

    Used by the report notebooks so that one section with too little data does not fail a report.

    Parameters
    ----------
    fn : callable
        Called without arguments; returns a DataFrame, a matplotlib Axes or Figure, a
        :class:`Section`, a string (shown as a note), None, or a list or tuple of these (nested ones too:
        a figure with its list of notes shows the figure, then each note).
    lang : str
        Report language of the "too little data" note.

    Returns
    -------
    None
        The items are displayed in the notebook.
    """
    try:
        out = fn()
    except MissingAltText:
        raise
    except (InsufficientDataError, CxkitError) as exc:
        show_note(f"{t('too_little', lang)}: {exc}")
        return
    for item in _flat(out):
        if item is None:
            continue
        if isinstance(item, Section):
            item.show()
        elif isinstance(item, pd.DataFrame):
            show_table(item, lang=lang)
        elif isinstance(item, str):
            show_note(item)
        elif hasattr(item, "figure") or hasattr(item, "savefig"):
            sec = Section()
            sec.figure(item, alt=_axes_alt(item))
            sec.show()
        else:
            from IPython.display import display

            display(item)


def _flat(out) -> list:
    """What a section function returned, as a flat list: a list of notes inside a tuple (a figure and its
    notes) becomes one note each, never a Python list printed as text."""
    if not isinstance(out, (list, tuple)):
        return [out]
    return [x for item in out for x in _flat(item)]


def _axes_alt(item) -> str:
    """An alt text for a chart handed to :func:`show_part` as a bare Axes or Figure (one's own notebook):
    its title and axis labels. The report's own charts come with a composed one (:mod:`cxkit.report.alt`)."""
    fig = item.figure if hasattr(item, "figure") else item
    words = []
    for ax in getattr(fig, "axes", []):
        words += [x for x in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) if x]
    if not words and getattr(fig, "_suptitle", None) is not None:
        words.append(fig._suptitle.get_text())
    if not words:
        raise MissingAltText("a chart without a title or axis labels needs an alt text: Section().figure(ax, alt=...)")
    return "; ".join(words)


def _anchor_id(text: str) -> str:
    """A stable HTML id for a heading: ASCII letters, digits and hyphens (``"Vidutinė būklė"`` ->
    ``"vidutine-bukle"``), never empty."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


def show_heading(text: str, level: int = 2, *, anchor: str | None = None) -> None:
    """Show a heading with an id (the table of contents links to it); the text is escaped (unit names
    come from data).

    Parameters
    ----------
    text : str
        The heading.
    level : int
        1 to 4 (``<h1>`` .. ``<h4>``): the page's title is its banner's ``<h1>``, a report's sections are
        level 2 and their parts level 3.
    anchor : str, optional
        The heading's id, the same in every language (the report notebooks pass the i18n key, e.g.
        ``"trends"``); default: made from the text.

    Returns
    -------
    None
        The heading is displayed with ``cxkit_heading`` output metadata (level, id, text), from which the
        report template builds the table of contents (see :func:`show_toc`).
    """
    level = min(max(int(level), 1), 4)
    ident = _anchor_id(anchor if anchor else text)
    _display_html(f'<h{level} id="{html.escape(ident)}">{html.escape(str(text))}</h{level}>',
                  {"cxkit_heading": {"level": level, "id": ident, "text": str(text)}})


def show_toc(lang: str = "en") -> None:
    """Mark where the report's table of contents goes.

    The report template (``cxkit_report/index.html.j2``) replaces this output by a ``<nav>`` titled
    "Contents" in the report language that links to every level-2 heading shown with
    :func:`show_heading`, in order. In a live notebook only the title is shown.

    Parameters
    ----------
    lang : str
        Report language of the title.

    Returns
    -------
    None
    """
    label = t("contents", lang)
    _display_html(f'<nav class="cxkit-toc" aria-label="{html.escape(label)}"></nav>',
                  {"cxkit_toc": {"label": label}})


def show_text(text: str) -> None:
    """Show a paragraph of escaped text.

    Parameters
    ----------
    text : str
        The paragraph (escaped: it may come from data).

    Returns
    -------
    None
    """
    _display_html(f"<p>{html.escape(str(text))}</p>")


def show_note(text: str) -> None:
    """Show a small note (methods, caveats), escaped.

    Parameters
    ----------
    text : str
        The note.

    Returns
    -------
    None
    """
    _display_html(f'<p class="cxkit-note"><small>{html.escape(str(text))}</small></p>')


def show_bullets(items) -> None:
    """Show sentences as a bulleted list, each escaped (unit, driver and theme names come from data).

    Parameters
    ----------
    items : iterable of str
        The sentences, in order; nothing is shown when there are none.

    Returns
    -------
    None

    Examples
    --------
    >>> show_bullets([])  # nothing to show
    """
    lis = "".join(f"<li>{html.escape(str(item))}</li>" for item in items if item)
    if lis:
        _display_html(f'<ul class="cxkit-summary">{lis}</ul>')


def show_table(frame: pd.DataFrame, *, lang: str = "en", digits: int | dict = 1, percent: tuple = (),
               dates: tuple = (), caption: str | None = None) -> None:
    """Show a table with numbers and dates in the report language's format; every cell escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its column names are the headers.
    lang, digits, percent, dates, caption
        As :func:`table_html`.

    Returns
    -------
    None
    """
    _display_html(table_html(frame, lang=lang, digits=digits, percent=percent, dates=dates, caption=caption))


def table_html(frame: pd.DataFrame, *, lang: str = "en", digits: int | dict = 1, percent: tuple = (),
               dates: tuple = (), caption: str | None = None) -> str:
    """A table as HTML: numbers and dates formatted for the report language, every cell escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its column names are the headers.
    lang : str
        ``en``, ``lt``, ``pl`` or ``lv`` (decimal comma and thin-space thousands in lt/pl/lv).
    digits : int or dict
        Decimals of float cells, for all columns or per column (default 1).
    percent : tuple of str
        Columns shown as percentages.
    dates : tuple of str
        Columns shown as dates.
    caption : str, optional
        A caption above the table.

    Returns
    -------
    str
        ``<table class="cxkit-table">...</table>``; booleans as ✓, missing values as –.

    Examples
    --------
    >>> page = table_html(pd.DataFrame({"unit": ["<b>A</b>"], "nps": [12.345]}), lang="lt")
    >>> page[page.index("<tbody>"):]
    '<tbody><tr><td>&lt;b&gt;A&lt;/b&gt;</td><td class=num>12,3</td></tr></tbody></table>'
    """

    def cell(col, v):
        if isinstance(v, (bool, np.bool_)):
            return "✓" if v else ""
        if col in dates:
            return format_date_local(v, lang)
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            return format_number_local(v, lang, 0)
        if isinstance(v, (float, np.floating)):
            d = digits.get(col, 1) if isinstance(digits, dict) else digits
            return format_percent_local(v, lang, d) if col in percent else format_number_local(v, lang, d)
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return "–"
        return str(v)

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for values in frame.itertuples(index=False, name=None):
        tds = []
        for col, v in zip(frame.columns, values):
            num = isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
            tds.append(f'<td{" class=num" if num else ""}>{_direction_marks(html.escape(cell(col, v)), lang)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="cxkit-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _direction_marks(text: str, lang: str) -> str:
    """Escaped cell text with "▲ better" / "▼ worse" (the report's own words, see
    :func:`cxkit.report.sections._marked`) wrapped in a coloured span: green better, red worse."""
    if "▲" not in text and "▼" not in text:
        return text
    for word, cls in (("better", "cx-better"), ("worse", "cx-worse")):
        label = html.escape(t(word, lang))
        for arrow in ("▲", "▼"):
            text = text.replace(f"{arrow} {label}", f'<span class="{cls}">{arrow} {label}</span>')
    return text


@dataclass
class Section:
    """Display items of one report section, shown in order by :meth:`show`.

    Attributes
    ----------
    items : list of tuple
        ``("html", text)``, ``("figure", fig)`` or ``("note", text)``, added with :meth:`html`,
        :meth:`figure`, :meth:`note`, :meth:`table` and :meth:`attempt`; a figure's alternative text is
        its ``_cxkit_alt`` (see :attr:`alts`).
    """

    items: list = field(default_factory=list)

    @property
    def ax(self):
        """The first Axes of the section's first chart (None without a chart)."""
        figs = [payload for kind, payload in self.items if kind == "figure"]
        return figs[0].axes[0] if figs and figs[0].axes else None

    @property
    def alts(self) -> list:
        """The alternative texts of the section's charts, in order."""
        return [payload._cxkit_alt for kind, payload in self.items if kind == "figure"]

    def html(self, text: str):
        self.items.append(("html", text))

    def note(self, text: str):
        self.items.append(("note", text))

    def figure(self, ax, alt: str | None = None):
        """Add a chart with its alternative text (what it shows and its key number, in the report language).

        Parameters
        ----------
        ax : matplotlib.axes.Axes or matplotlib.figure.Figure
            The chart.
        alt : str
            Its alternative text (:mod:`cxkit.report.alt` composes the report's).

        Returns
        -------
        None

        Raises
        ------
        MissingAltText
            Without ``alt``: a report has no chart without one.
        """
        if not alt or not str(alt).strip():
            raise MissingAltText("every chart of a report needs an alternative text: Section.figure(ax, alt=...)")
        fig = ax.figure if hasattr(ax, "figure") else ax
        engine = fig.get_layout_engine()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.tight_layout()
        if engine is None:  # tight_layout leaves a placeholder engine, and with one savefig lays the figure out again
            fig.set_layout_engine(None)
        for w in caught:  # shown as before; a figure tight_layout could not fit is cropped when drawn
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        fig._cxkit_fitted = not caught
        fig._cxkit_alt = str(alt)
        self.items.append(("figure", fig))

    def table(self, frame: pd.DataFrame, lang: str, **kw):
        self.html(table_html(frame, lang=lang, **kw))

    def attempt(self, lang: str, fn):
        """Run one part; if the data are too thin, say so instead of failing the report."""
        try:
            fn()
        except MissingAltText:
            raise
        except (InsufficientDataError, CxkitError) as exc:
            self.note(f"{t('too_little', lang)}: {exc}")

    def show(self) -> None:
        for kind, payload in self.items:
            if kind == "html":
                _display_html(payload)
            elif kind == "note":
                show_note(payload)
            else:
                _display_html(_figure_html(payload, payload._cxkit_alt))
                import matplotlib.pyplot as plt

                plt.close(payload)


def _figure_svg(fig) -> bytes:
    """The figure as SVG with its text kept as text (searchable, scales; ``svg.fonttype = "none"``), drawn
    once and the same every run (no date, fixed ids). A figure that ``tight_layout`` has fitted lies inside
    its canvas already, so only figures it could not fit are cropped to their drawn extent."""
    import matplotlib

    crop = None if getattr(fig, "_cxkit_fitted", False) else "tight"
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cxkit"}):
        fig.savefig(buf, format="svg", bbox_inches=crop, metadata={"Date": None})
    return buf.getvalue()


def _figure_html(fig, alt: str) -> str:
    """The figure as an ``<img>`` of its SVG (a data: URI, so the page stays one file) with its alternative
    text: read by screen readers, printed to PDF as vectors."""
    data = base64.b64encode(_figure_svg(fig)).decode("ascii")
    return (f'<img class="cxkit-figure" src="data:image/svg+xml;base64,{data}" alt="{html.escape(str(alt))}" '
            f'role="img">')


def _ci(lo, hi, lang: str, digits: int = 1) -> str:
    return f"{format_number_local(lo, lang, digits)} – {format_number_local(hi, lang, digits)}"


def _group_label(g, lang):
    return t(str(g), lang) if str(g) in ("detractor", "passive", "promoter") else str(g)
