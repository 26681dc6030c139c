"""Rendering: an executed notebook to self-contained HTML without code (the ``cxkit_report``
nbconvert template, shipped in the package), HTML to PDF with headless Chromium, and the index page.
The report notebooks and templates are package data, found next to this module.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..data.export import atomic_write_text
from ..errors import ConfigError, CxkitError
from ..i18n import format_date_local, format_number_local, format_percent_local, t, tn
from .records import RECORD_MIME, _jsonable
from .resources import INDEX_TEMPLATE, REPORT_TEMPLATE, require_report_extra, template_dirs

__all__ = ['render_html', 'print_pdf', 'css_string', 'write_index', 'index_table', 'interval_text']


_EXPORTERS: dict = {}


def _exporter(template: str | Path | None = None):
    """One HTML exporter per process and template folder (building it costs more than rendering a report)."""
    key = str(template or "")
    if key not in _EXPORTERS:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        c = Config()
        c.HTMLExporter.extra_template_basedirs = [str(d) for d in template_dirs(template)]
        c.HTMLExporter.template_name = REPORT_TEMPLATE
        c.HTMLExporter.exclude_input = True
        c.HTMLExporter.exclude_input_prompt = True
        c.HTMLExporter.exclude_output_prompt = True
        c.HTMLExporter.embed_images = True
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
        c.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
        c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove_output"}
        _EXPORTERS[key] = HTMLExporter(config=c)
    return _EXPORTERS[key]


def _strip_for_leadership(nb):
    """Drop what leadership should not see: stderr streams, records, raw tracebacks."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        keep = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                continue
            if RECORD_MIME in o.get("data", {}):
                continue
            if o.get("output_type") == "error":
                text = html.escape(f"{o.get('ename', 'Error')}: {o.get('evalue', '')}")
                o = {"output_type": "display_data", "metadata": {},
                     "data": {"text/html": f'<div class="cxkit-section-error">This section could not be computed: '
                                           f'{text}</div>'}}
            keep.append(o)
        cell.outputs = keep
    return nb


def render_html(nb: str | Path | Any, html_path: str | Path, *, banner: dict | None = None,
                template: str | Path | None = None) -> Path:
    """Render an executed notebook to a self-contained HTML report without code.

    Parameters
    ----------
    nb : str, pathlib.Path or nbformat.NotebookNode
        The executed notebook.
    html_path : str or pathlib.Path
        Where to write the page (atomically).
    banner : dict, optional
        ``title``, ``unit``, ``period``, ``generated``, ``lang``: shown at the top of the page; ``nav``: links
        to the other pages of the batch, relative to this page (``{"index": "../index.html", "summary":
        "../summary.html"}``), shown as a bar above the title.
    template : str or pathlib.Path, optional
        A folder with your own ``cxkit_report`` template (see :func:`cxkit.report.resources.template_dirs`).

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    require_report_extra("rendering a report")
    import nbformat

    if not hasattr(nb, "cells"):
        nb = nbformat.read(str(nb), as_version=4)
    nb = _strip_for_leadership(nbformat.from_dict(nb))
    nb.metadata["cxkit"] = _jsonable(_banner(banner))
    try:
        exporter = _exporter(template)
    except ValueError as exc:  # nbconvert: "No template sub-directory with name ..."
        raise ConfigError(f"report template {REPORT_TEMPLATE!r} not found ({exc}); dirs searched: "
                          f"{', '.join(map(str, template_dirs(template)))}") from None
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": (banner or {}).get("title", "report")}})
    return atomic_write_text(html_path, body)


_NAV_LABELS = {"index": "nav_index", "summary": "leadership_summary"}


def _banner(banner: dict | None) -> dict:
    """The banner's texts, the links to the other pages (``nav``) labelled in the report's language."""
    from ..i18n import LANGUAGES

    meta = dict(banner or {})
    lang = meta.get("lang") if meta.get("lang") in LANGUAGES else "en"
    nav = meta.pop("nav", None) or {}
    meta["nav"] = [{"href": str(href), "label": t(_NAV_LABELS[k], lang)} for k, href in nav.items()
                   if k in _NAV_LABELS and href]
    meta["nav_label"] = t("nav_label", lang)
    meta["paper"] = _paper(meta.get("paper"))
    # the printed pages' header: the unit (or the page's title) and the period, as CSS strings
    meta["page_header"] = css_string(meta.get("unit") or meta.get("title") or "")
    meta["page_period"] = css_string(meta.get("period") or "")
    return meta


PAPERS = ("a4", "letter")


def _paper(paper: str | None) -> str:
    """``a4`` (the default) or ``letter``; anything else is refused."""
    paper = (paper or "a4").lower()
    if paper not in PAPERS:
        raise ConfigError(f"paper {paper!r} - expected one of {', '.join(PAPERS)}")
    return paper


def css_string(text: str) -> str:
    r"""``text`` for the inside of a double-quoted CSS string in a ``<style>`` element.

    Quotes, backslashes, ``<``, ``>``, ``&`` and control characters become CSS escapes (``\22 ``), so
    neither the string nor the ``<style>`` element can be left; letters of any script stay as they are.

    Parameters
    ----------
    text : str
        Any text (a unit's name).

    Returns
    -------
    str
        The escaped text, without the surrounding quotes.

    Examples
    --------
    >>> print(css_string('Kaunas "Mega" </style>'))
    Kaunas \22 Mega\22  \3c /style\3e
    """
    return "".join(f"\\{ord(ch):x} " if ch in '"\'\\<>&' or ord(ch) < 32 or ord(ch) == 127 else ch
                   for ch in str(text))


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, paper: str | None = None, timeout: int = 120) -> Path:
    """Print an HTML report to PDF with headless Chromium (Debian package ``chromium``).

    Parameters
    ----------
    html_path, pdf_path : str or pathlib.Path
        The page and the PDF to write (atomically).
    paper : {"a4", "letter"}, optional
        The paper size. By default the one the page asks for in its CSS (a cxkit report: the batch's
        ``paper``, A4 unless told otherwise); A4 for a page that asks for none.
    timeout : int
        Seconds Chromium may take.

    Returns
    -------
    pathlib.Path
        ``pdf_path``.
    """
    exe = find_chromium()
    if exe is None:
        raise CxkitError("PDF needs Chromium: install it (Debian: apt install chromium) or run without --pdf")
    pdf_path = Path(pdf_path)
    tmp = pdf_path.with_name(f".{pdf_path.stem}.part.pdf")
    with tempfile.TemporaryDirectory(prefix="cxkit-chromium-") as profile:
        source = _sized_copy(Path(html_path), paper)
        try:
            cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   f"--print-to-pdf={tmp}", source.resolve().as_uri()]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        finally:
            if source != Path(html_path):
                source.unlink(missing_ok=True)
    if proc.returncode != 0 or not tmp.exists():
        raise CxkitError(f"Chromium could not print {html_path} to PDF: {proc.stderr.strip()[-300:]}")
    os.replace(tmp, pdf_path)
    return pdf_path


_PAGE_SIZE = re.compile(r"@page\s*\{[^}]*?\bsize\s*:")


def _sized_copy(html_path: Path, paper: str | None) -> Path:
    """The page itself when it states its paper size and none is asked for; otherwise a copy beside it (its
    relative links still resolve) whose last style sets the paper size."""
    text = html_path.read_text(encoding="utf-8")
    if paper is None and _PAGE_SIZE.search(text):
        return html_path
    size = "letter" if _paper(paper) == "letter" else "A4"
    style = f"<style>@page {{ size: {size}; }}</style>"
    at = text.lower().rfind("</head>")
    text = text[:at] + style + text[at:] if at >= 0 else style + text
    fd, name = tempfile.mkstemp(prefix=f".{html_path.stem}.", suffix=".print.html", dir=html_path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(name)


def write_index(out: Path, manifest: dict, *, lang: str = "en", template: str | Path | None = None,
                reader_only: bool = False) -> Path:
    """Write ``index.html``: the company first, then one row per unit ranked by the headline metric, with
    its target, the change against the previous period, the other metrics, and links.

    The headline metric is NPS, or the first metric the batch has figures for. Units whose report failed
    and units without responses come last; a small inline script sorts the table by any column.

    Parameters
    ----------
    out : pathlib.Path
        The batch's output folder.
    manifest : dict
        The batch's manifest (parameters, per-unit status and headline figures; the company's headline
        figures under ``summary.headline``).
    lang : str
        ``en``, ``lt``, ``pl`` or ``lv``.
    template : str or pathlib.Path, optional
        A folder with your own ``index.html.j2`` (see :func:`cxkit.report.resources.template_dirs`).
    reader_only : bool
        The index of a folder for readers (``--share``): no links to the working data (rejected rows,
        manifest).

    Returns
    -------
    pathlib.Path
        The index page.
    """
    require_report_extra("the index page")
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(template)]),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        page = env.get_template(INDEX_TEMPLATE)
    except jinja2.TemplateNotFound:
        raise ConfigError(f"index template {INDEX_TEMPLATE!r} not found in "
                          f"{', '.join(map(str, template_dirs(template)))}") from None
    p_start, p_end = manifest["parameters"]["period_start"], manifest["parameters"]["period_end"]
    created = dt.datetime.fromisoformat(manifest["created"])
    table = index_table(manifest, lang=lang)
    html_text = page.render(
        title=t("index_title", lang), lang=lang, t=lambda k: t(k, lang),
        tn=lambda k, n: tn(k, n, lang).format(n=format_number_local(n, lang, 0)),
        num=lambda v, d=1: format_number_local(v, lang, d),
        period=f"{format_date_local(p_start, lang)} – {format_date_local(p_end, lang)}",
        created=f"{format_date_local(created, lang)} {created:%H:%M}", summary=manifest.get("summary"),
        rows_rejected=manifest["data"]["rows_rejected"], level=manifest["parameters"]["level"],
        reader_only=reader_only, units_without_responses=manifest.get("units_without_responses", []), **table,
    )
    return atomic_write_text(out / "index.html", html_text)


# ---------------------------------------------------------------------------------------
# the index page's table: computed here, laid out by index.html.j2

_ARROWS = {"higher": "▲", "lower": "▼"}
_LOWER_IS_BETTER = ("first_response_time", "churn_rate")


def index_table(manifest: dict, *, lang: str = "en") -> dict:
    """The index page's table as plain values: columns, the company row, ranked and unranked unit rows.

    Parameters
    ----------
    manifest : dict
        The batch's manifest.
    lang : str
        ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    dict
        ``headline_metric``, ``columns`` (``key``, ``kind``, ``label``, ``type``, ``aria``), ``company`` (a row
        or None), ``ranked`` (done units, best first), ``unranked`` (failed units, then units without
        responses), ``rows`` (every unit row in that order), ``n_failed``, ``n_units``, ``ranked_note``,
        ``failed_notice``. A row has ``group``, ``href``, ``pdf``, ``status``, ``error``, ``note``, ``cls``
        and ``cells`` (one per column after the first: ``sort`` and the texts shown).
    """
    units = manifest["units"]
    company = (manifest.get("summary") or {}).get("headline") or None
    records = [u.get("headline") or {} for u in units] + [company or {}]
    metric = _headline_metric(records)
    columns = _index_columns(records, metric, manifest, lang)
    conf = (manifest.get("parameters") or {}).get("confidence") or 0.95
    ranked, failed, silent = _index_rows(manifest, metric, columns, lang, conf)
    company_row = None
    if company:
        company_row = _index_row({"group": t("company", lang), "html": manifest["summary"].get("html"),
                                  "status": "done", "headline": company}, "company", columns, lang, conf)
    notice = t("index_failed_notice", lang).format(failed=len(failed), total=len(units)) if failed else None
    return {"headline_metric": metric, "columns": columns, "company": company_row, "ranked": ranked,
            "unranked": failed + silent, "rows": ranked + failed, "n_failed": len(failed), "n_units": len(units),
            "ranked_note": t("index_ranked", lang).format(metric=t(metric, lang)), "failed_notice": notice}


def _index_rows(manifest: dict, metric: str, columns: list[dict], lang: str, conf: float) -> tuple[list, list, list]:
    """The done units best first; the failed units; the units without responses (no report)."""
    units = manifest["units"]
    done = sorted((u for u in units if u.get("status") == "done"), key=lambda u: _rank_key(u, metric))
    failed = [u for u in units if u.get("status") != "done"]
    silent = [{"group": g, "status": "no_responses"} for g in manifest.get("units_without_responses", [])]
    return tuple([_index_row(u, kind, columns, lang, conf) for u in group]
                 for group, kind in ((done, "unit"), (failed, "failed"), (silent, "silent")))


def _number(v):
    """``v``, or None where it is missing (None or NaN)."""
    return None if v is None or (isinstance(v, float) and v != v) else v


def _value(h: dict | None, key: str = "value"):
    """A number of a headline record, None where missing."""
    return _number((h or {}).get(key))


def _headline_metric(records: list[dict]) -> str:
    """NPS, or the first headline metric any record has a value for (NPS when none has)."""
    from .context import HEADLINE_METRICS

    return next((m for m in HEADLINE_METRICS if any(_value(r.get(m)) is not None for r in records)), "nps")


def _rank_key(unit: dict, metric: str) -> tuple:
    """Best first by ``metric``; units without a value after the others; ties by name."""
    v = _value((unit.get("headline") or {}).get(metric))
    if v is None:
        return (1, 0.0, str(unit["group"]))
    return (0, v if metric in _LOWER_IS_BETTER else -v, str(unit["group"]))


def _index_columns(records: list[dict], metric: str, manifest: dict, lang: str) -> list[dict]:
    """The unit, the headline metric, its target (when any unit has one) and change, then the other metrics
    any record has a value for."""
    from .context import HEADLINE_METRICS

    def has(m, key="value"):
        return any(_value(r.get(m), key) is not None for r in records)

    name = t(metric, lang)
    best = "ascending" if metric in _LOWER_IS_BETTER else "descending"
    cols = [{"key": "group", "kind": "name", "label": t(manifest["parameters"]["level"], lang), "type": "text"},
            {"key": metric, "kind": "metric", "label": name, "type": "number", "aria": best}]
    if has(metric, "target"):
        cols.append({"key": metric, "kind": "target", "label": t("index_target", lang).format(metric=name),
                     "type": "number"})
    if has(metric, "vs_previous"):
        cols.append({"key": metric, "kind": "change", "label": t("index_change", lang).format(metric=name),
                     "type": "number"})
    cols += [{"key": m, "kind": "metric", "label": t(m, lang), "type": "number"}
             for m in HEADLINE_METRICS if m != metric and has(m)]
    for c in cols:
        c.setdefault("aria", "none")
    return cols


def _mark(significant, direction, diff, higher_is_better: bool, lang: str) -> dict | None:
    """▲/▼ with the word "better"/"worse" and its class, where a difference is significant."""
    if direction is None and diff is not None:  # a manifest of an older batch: the sign of the difference
        direction = "higher" if diff > 0 else "lower" if diff < 0 else None
    if not significant or direction not in _ARROWS:
        return None
    good = (direction == "higher") == higher_is_better
    return {"arrow": _ARROWS[direction], "word": t("better" if good else "worse", lang),
            "cls": "cx-better" if good else "cx-worse"}


def interval_text(low, high, lang: str = "en", *, confidence: float = 0.95, digits: int = 1) -> str:
    """A confidence interval in words: ``95% CI −37.1 to −21.5`` (lt ``95 % PI nuo −37,1 iki −21,5``).

    Parameters
    ----------
    low, high : float
        The interval's ends.
    lang : str
        ``en``, ``lt``, ``pl`` or ``lv``.
    confidence : float
        The confidence level (0.95 for 95%).
    digits : int
        Decimal places.

    Returns
    -------
    str
        The text; ``""`` when an end is missing.
    """
    if _number(low) is None or _number(high) is None:
        return ""
    return t("index_interval", lang).format(conf=format_percent_local(100 * confidence, lang, 0),
                                            low=format_number_local(low, lang, digits),
                                            high=format_number_local(high, lang, digits))


def _metric_cell(h: dict | None, metric: str, lang: str, conf: float) -> dict:
    value = _value(h)
    if value is None:
        return {"sort": "", "text": "–", "mark": None, "ci": "", "n": ""}
    n = _value(h, "n")
    return {"sort": value, "text": format_number_local(value, lang),
            "ci": interval_text(h.get("ci_low"), h.get("ci_high"), lang, confidence=conf),
            "mark": _mark(h.get("significant"), h.get("direction"), None, metric not in _LOWER_IS_BETTER, lang),
            "n": f"n = {format_number_local(n, lang, 0)}" if n is not None else ""}


def _diff_cell(h: dict | None, metric: str, vs: str, lang: str) -> dict:
    """The difference against ``vs`` (``target`` or ``previous``), signed, marked where significant."""
    diff, ref = _value(h, f"vs_{vs}"), _value(h, vs)
    hib = metric not in _LOWER_IS_BETTER
    if diff is None:
        return {"sort": "", "text": format_number_local(ref, lang) if vs == "target" else "–", "diff": "",
                "mark": None}
    return {"sort": diff, "text": format_number_local(ref, lang) if vs == "target" else "",
            "diff": format_number_local(diff, lang, 1, signed=True),
            "mark": _mark(h.get(f"{vs}_significant"), h.get(f"{vs}_direction"), diff, hib, lang)}


def _index_row(u: dict, kind: str, columns: list[dict], lang: str, conf: float) -> dict:
    h = u.get("headline") or {}
    cells = []
    for c in columns[1:]:
        rec = h.get(c["key"]) if kind != "failed" else None  # a failed unit's figures are not shown
        if c["kind"] == "metric":
            cells.append(_metric_cell(rec, c["key"], lang, conf))
        else:
            cells.append(_diff_cell(rec, c["key"], "target" if c["kind"] == "target" else "previous", lang))
    note = t("no_responses_period", lang) if kind == "silent" or u.get("responses_in_period") == 0 else ""
    return {"group": u["group"], "href": u.get("html") if kind != "silent" else None, "pdf": u.get("pdf"),
            "status": u.get("status"), "error": u.get("error") or "", "note": note, "kind": kind,
            "cls": {"unit": "", "company": "company", "failed": "failed", "silent": "no-report"}[kind],
            "cells": cells}
