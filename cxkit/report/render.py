"""Rendering: an executed notebook to self-contained HTML without code (the ``cxkit_report``
nbconvert template, shipped in the package), HTML to PDF with headless Chromium, and the index page.
The report notebooks and templates are package data, found next to this module.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..data.export import atomic_write_text
from ..errors import ConfigError, CxkitError
from ..i18n import format_date_local, t
from .records import RECORD_MIME, _jsonable
from .resources import INDEX_TEMPLATE, REPORT_TEMPLATE, require_report_extra, template_dirs

__all__ = ['render_html', 'print_pdf', 'write_index']


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
        ``title``, ``unit``, ``period``, ``generated``, ``lang``: shown at the top of the page.
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
    nb.metadata["cxkit"] = _jsonable(banner or {})
    try:
        exporter = _exporter(template)
    except ValueError as exc:  # nbconvert: "No template sub-directory with name ..."
        raise ConfigError(f"report template {REPORT_TEMPLATE!r} not found ({exc}); dirs searched: "
                          f"{', '.join(map(str, template_dirs(template)))}") from None
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": (banner or {}).get("title", "report")}})
    return atomic_write_text(html_path, body)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: int = 120) -> Path:
    """Print an HTML report to PDF with headless Chromium (Debian package ``chromium``)."""
    exe = find_chromium()
    if exe is None:
        raise CxkitError("PDF needs Chromium: install it (Debian: apt install chromium) or run without --pdf")
    pdf_path = Path(pdf_path)
    tmp = pdf_path.with_name(f".{pdf_path.stem}.part.pdf")
    with tempfile.TemporaryDirectory(prefix="cxkit-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={tmp}", Path(html_path).resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not tmp.exists():
        raise CxkitError(f"Chromium could not print {html_path} to PDF: {proc.stderr.strip()[-300:]}")
    os.replace(tmp, pdf_path)
    return pdf_path


def write_index(out: Path, manifest: dict, *, lang: str = "en", template: str | Path | None = None,
                reader_only: bool = False) -> Path:
    """Write ``index.html``: one row per unit with headline figures, status and links.

    Parameters
    ----------
    out : pathlib.Path
        The batch's output folder.
    manifest : dict
        The batch's manifest (parameters, per-unit status and headline figures).
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
    from ..i18n import format_number_local

    def num(v, digits=1):
        return format_number_local(v, lang, digits)

    try:
        page = env.get_template(INDEX_TEMPLATE)
    except jinja2.TemplateNotFound:
        raise ConfigError(f"index template {INDEX_TEMPLATE!r} not found in "
                          f"{', '.join(map(str, template_dirs(template)))}") from None
    rows = []
    for u in manifest["units"]:
        h = u.get("headline") or {}
        rows.append({**u, "h": h})
    metrics = ["nps", "csat", "ces", "first_response_time", "churn_rate"]
    p_start, p_end = manifest["parameters"]["period_start"], manifest["parameters"]["period_end"]
    created = dt.datetime.fromisoformat(manifest["created"])
    html_text = page.render(
        title=t("index_title", lang), lang=lang, t=lambda k: t(k, lang), num=num, rows=rows, metrics=metrics,
        period=f"{format_date_local(p_start, lang)} – {format_date_local(p_end, lang)}",
        created=f"{format_date_local(created, lang)} {created:%H:%M}", summary=manifest.get("summary"),
        n_failed=sum(1 for u in manifest["units"] if u["status"] != "done"),
        rows_rejected=manifest["data"]["rows_rejected"], level=manifest["parameters"]["level"],
        reader_only=reader_only, units_without_responses=manifest.get("units_without_responses", []),
    )
    return atomic_write_text(out / "index.html", html_text)
