"""cxkit: customer-experience analytics with honest statistics.

``import cxkit as cx`` gives the whole API: loading and validation
(:func:`load`, :func:`read_table`), metrics with intervals (:func:`nps`,
:func:`csat`, :func:`ces`, :func:`metric_table`, ...), significance between
groups and periods (:func:`compare`, :func:`trend`, :func:`nps_test`, ...), the
link from satisfaction to churn and revenue (:func:`join_outcomes`,
:func:`cox_model`, :func:`revenue_at_risk`, ...), key drivers
(:func:`relative_weights`), comment themes (:func:`theme_summary`,
:func:`redact`), plots (``plot_*``), sample data (:func:`sample_data_path`,
:func:`generate`) and the report batch (:func:`run_batch`, :func:`open_report`).

Note: ``cx.compare`` is the function :func:`cxkit.compare.compare`; the module
is ``cxkit.compare`` (``import cxkit.compare``).
"""
from importlib import import_module as _import_module

from ._version import __version__

_MODULES = ("errors", "data", "stats", "outcomes", "drivers", "text", "plots", "i18n", "report")

from .errors import *  # noqa: E402,F401,F403
from .data import *  # noqa: E402,F401,F403
from .stats import *  # noqa: E402,F401,F403
from .outcomes import *  # noqa: E402,F401,F403
from .drivers import *  # noqa: E402,F401,F403
from .text import *  # noqa: E402,F401,F403
from .plots import *  # noqa: E402,F401,F403
from .i18n import *  # noqa: E402,F401,F403
from .report import *  # noqa: E402,F401,F403

__all__ = ["__version__"] + [name for _m in _MODULES for name in _import_module(f".{_m}", __name__).__all__]
