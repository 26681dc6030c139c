"""What the batch needs besides code: the report notebooks and templates (package data, found with
:mod:`importlib.resources`, so an installed cxkit renders reports without a checkout), a user's own
template folder, and the optional packages of the ``report`` extra.

The files live in ``cxkit/report/notebooks/`` and ``cxkit/report/templates/``; the repository's
``notebooks/`` and ``templates/`` hold links to them (one source of truth, see docs/architecture.md).
"""
from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

from ..errors import ConfigError

__all__ = ["notebook_path", "template_dirs", "require_report_extra"]

#: the nbconvert template of the unit reports and the summary, and the index page's template
REPORT_TEMPLATE = "cxkit_report"
INDEX_TEMPLATE = "index.html.j2"
#: modules of the ``report`` extra: running notebooks, rendering them, the index page
REPORT_MODULES = ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "jinja2")


def _package_dir(name: str) -> Path:
    return Path(str(resources.files(__package__) / name))


def notebook_path(name: str) -> Path:
    """The path of a report notebook shipped with cxkit.

    Parameters
    ----------
    name : str
        ``"unit_report"`` or ``"leadership_summary"``.

    Returns
    -------
    pathlib.Path
        The ``.ipynb`` file inside the installed package.

    Examples
    --------
    >>> notebook_path("unit_report").name
    'unit_report.ipynb'
    """
    path = _package_dir("notebooks") / f"{name}.ipynb"
    if not path.is_file():
        raise ConfigError(f"{path}: cxkit's {name} notebook is missing from the installation; reinstall cxkit")
    return path


def template_dirs(template: str | Path | None = None) -> list[Path]:
    """Folders the report templates are looked up in, a user's own first.

    Parameters
    ----------
    template : str or pathlib.Path, optional
        A folder with your own ``cxkit_report/`` nbconvert template (``conf.json`` and
        ``index.html.j2``, which may extend cxkit's) and/or an ``index.html.j2`` for the index page.
        What it lacks comes from cxkit's own templates.

    Returns
    -------
    list of pathlib.Path
        ``[template, cxkit's templates]`` or ``[cxkit's templates]``.

    Examples
    --------
    >>> [p.name for p in template_dirs()]
    ['templates']
    """
    own = _package_dir("templates")
    if template is None or str(template) == "":
        return [own]
    folder = Path(template).expanduser().resolve()
    if not folder.is_dir():
        raise ConfigError(f"--template {template}: not a folder; expected a folder holding {REPORT_TEMPLATE}/ "
                          f"(an nbconvert template) and/or {INDEX_TEMPLATE}")
    if not ((folder / REPORT_TEMPLATE / "index.html.j2").is_file() or (folder / INDEX_TEMPLATE).is_file()):
        raise ConfigError(f"--template {template}: holds neither {REPORT_TEMPLATE}/index.html.j2 nor "
                          f"{INDEX_TEMPLATE}; copy cxkit's templates folder ({own}) and change what you need")
    return [folder, own]


def require_report_extra(what: str = "cxkit report") -> None:
    """Raise a clear error when the packages of the ``report`` extra are not installed.

    Parameters
    ----------
    what : str
        What needs them, for the message.

    Returns
    -------
    None

    Examples
    --------
    >>> require_report_extra()  # the test environment has them
    """
    missing = [m for m in REPORT_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise ConfigError(f"{what} needs the 'report' extra ({', '.join(missing)} not installed): "
                          "pip install 'cxkit[report]'")
