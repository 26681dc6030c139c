"""cxkit: customer-experience analytics with honest statistics.

``import cxkit as cx`` gives the whole API: loading and validation
(:func:`load`, :func:`read_table`), metrics with intervals (:func:`nps`,
:func:`csat`, :func:`ces`, :func:`metric_table`, ...), significance between
groups and periods (:func:`compare`, :func:`trend`, :func:`nps_test`, ...),
plots (:func:`plot_groups`, :func:`plot_trend`) and sample data
(:func:`sample_data_path`, :func:`generate`).

Note: ``cx.compare`` is the function :func:`cxkit.compare.compare`; the module
is ``cxkit.compare`` (``import cxkit.compare``).
"""
from ._version import __version__
from . import errors, schema, io, metrics, sample, export, plots
from . import compare as _compare_module
from .errors import *  # noqa: F401,F403
from .schema import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .compare import *  # noqa: F401,F403
from .sample import *  # noqa: F401,F403
from .export import *  # noqa: F401,F403
from .plots import *  # noqa: F401,F403

__all__ = ["__version__"] + [name for mod in (errors, schema, io, metrics, _compare_module, sample, export, plots)
                             for name in mod.__all__]
