"""cxkit: customer-experience analytics with honest statistics.

``import cxkit as cx`` gives the whole API: loading and validation
(:func:`load`, :func:`read_table`), metrics with intervals (:func:`nps`,
:func:`csat`, :func:`ces`, :func:`metric_table`, ...), sample data
(:func:`sample_data_path`, :func:`generate`), and the link from satisfaction to churn
and revenue (:func:`join_outcomes`, :func:`cox_model`, :func:`revenue_at_risk`, ...), key
drivers (:func:`relative_weights`) and comment themes (:func:`theme_summary`, :func:`redact`).
"""
from ._version import __version__
from . import errors, schema, io, metrics, compare, outcomes, drivers, text, plots, sample, export, i18n, views, report
from .errors import *  # noqa: F401,F403
from .schema import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .compare import *  # noqa: F401,F403
from .outcomes import *  # noqa: F401,F403
from .drivers import *  # noqa: F401,F403
from .text import *  # noqa: F401,F403
from .plots import *  # noqa: F401,F403
from .sample import *  # noqa: F401,F403
from .export import *  # noqa: F401,F403
from .i18n import *  # noqa: F401,F403
from .views import *  # noqa: F401,F403
from .report import *  # noqa: F401,F403

__all__ = ["__version__"] + [name for mod in (errors, schema, io, metrics, compare, outcomes, drivers, text, plots, sample, export, i18n, views, report) for name in mod.__all__]
