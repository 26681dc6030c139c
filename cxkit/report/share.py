"""Who may see what in a batch's output folder.

The pages are for readers: ``index.html``, ``summary.html`` and ``units/`` (HTML and PDF). Comments
shown there have personal data removed (:func:`cxkit.redact`). Everything else is working data for the
analyst who ran the batch, and some of it holds customers' raw data: the output folder says so in
``README.txt``, and ``--share DIR`` writes a folder that holds only the pages, safe to send on.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from ..data.export import atomic_write_text
from ..errors import ConfigError
from ..text.pii import redact

__all__ = ["OUTPUT_PARTS", "describe_output", "write_reader_folder", "redact_rejected", "check_share"]

#: each part of the output folder: (path, who may see it, what it holds)
OUTPUT_PARTS = (
    ("index.html", "readers", "the index: one row per unit with headline figures and links"),
    ("summary.html, summary.pdf", "readers", "the leadership summary"),
    ("units/", "readers", "one report per unit (HTML, and PDF with --pdf); comments with personal data removed"),
    ("manifest.json", "analysts", "parameters, input file names and checksums, library versions, per-unit status "
                                  "and headline figures; no customer records"),
    ("data-notes/rejected.csv", "analysts", "rows set aside while loading, with the reason; text values have "
                                            "personal data removed, but customer ids and other values are kept so "
                                            "the rows can be fixed"),
    ("notebooks/", "analysts", "the executed notebooks: the same figures as the pages, plus error messages that "
                           "may quote data values"),
    ("_data/", "analysts only: PERSONAL DATA", "every validated row of the input, comments unredacted (the "
                                                "partitions the notebooks read); delete it when the reports are "
                                                "final"),
    ("_logs/", "analysts", "kernel and worker logs"),
)

_README = """This folder was written by `cxkit report`.

Safe to share with readers: the pages (index.html, summary.html, units/). To send reports on, share
only those, or run the batch with --share DIR, which writes a folder holding nothing else.

NOT for readers: the working data below. _data/ holds every row of the input data, with customers'
comments as written (personal data included).

{table}
"""


def describe_output(out: str | Path) -> Path:
    """Write ``OUT/README.txt``: each part of the output folder, who may see it, what it holds.

    Parameters
    ----------
    out : str or pathlib.Path
        The batch's output folder.

    Returns
    -------
    pathlib.Path
        The README file.
    """
    width = max(len(p) for p, _, _ in OUTPUT_PARTS)
    table = "\n".join(f"{path:<{width}}  {who}: {what}" for path, who, what in OUTPUT_PARTS)
    return atomic_write_text(Path(out) / "README.txt", _README.format(table=table))


def redact_rejected(rejected: pd.DataFrame) -> pd.DataFrame:
    """The rejected rows with personal data removed from their text (values and reasons).

    Parameters
    ----------
    rejected : pandas.DataFrame
        ``Dataset.rejected``: ``table``, ``file``, ``row``, ``reason`` and the row's raw values.

    Returns
    -------
    pandas.DataFrame
        A copy in which every text cell except ``table`` and ``file`` went through :func:`cxkit.redact`.

    Examples
    --------
    >>> frame = pd.DataFrame({"table": ["responses"], "file": ["r.csv"], "row": [7],
    ...                       "reason": ["column 'nps': 'x' is not a score"], "comment": ["mail ona@example.lt"]})
    >>> redact_rejected(frame)["comment"].tolist()
    ['mail [email]']
    """
    out = rejected.copy()
    for column in out.columns:
        if column in ("table", "file"):
            continue
        s = out[column]
        if s.dtype == object or isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            text = s.astype(object)
            mask = text.map(lambda v: isinstance(v, str))
            if mask.any():
                text = text.where(~mask, redact(text.where(mask, "").astype(str)))
                out[column] = text
    return out


def check_share(out: str | Path, share: str | Path) -> tuple[Path, Path]:
    """Refuse a ``--share`` folder that is, holds or lies inside the working data of ``out``.

    Parameters
    ----------
    out, share : str or pathlib.Path
        The batch's output folder and the folder for readers.

    Returns
    -------
    tuple of pathlib.Path
        Both, resolved.
    """
    out, share = Path(out).resolve(), Path(share).resolve()
    if share == out or out.is_relative_to(share):
        raise ConfigError(f"--share {share}: must be a folder of its own, not the output folder or one holding it")
    for part in ("_data", "notebooks", "data-notes", "_logs", "units"):
        if share.is_relative_to(out / part):
            raise ConfigError(f"--share {share}: inside {out / part}; use e.g. {out / 'share'} or a folder elsewhere")
    return out, share


def write_reader_folder(out: str | Path, share: str | Path, manifest: dict, *, lang: str = "en",
                        template: str | Path | None = None) -> Path:
    """Copy what readers may see to ``share``: the pages and an index without links to working data.

    Parameters
    ----------
    out : str or pathlib.Path
        The batch's output folder.
    share : str or pathlib.Path
        The folder to write (created; pages from an earlier run there are replaced, other files kept).
    manifest : dict
        The batch's manifest (units, their pages, the summary).
    lang : str
        Language of the index page.
    template : str or pathlib.Path, optional
        A template folder of your own (see :func:`cxkit.report.resources.template_dirs`).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    from .render import write_index

    out, share = check_share(out, share)
    (share / "units").mkdir(parents=True, exist_ok=True)
    # every page, also a failed unit's (it says what failed, without data)
    pages = [u[k] for u in manifest["units"] for k in ("html", "pdf") if u.get(k)] + ["summary.html", "summary.pdf"]
    for rel in pages:
        if (out / rel).exists():
            target = share / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / rel, target)
    write_index(share, manifest, lang=lang, template=template, reader_only=True)
    return share
