"""The report batch and what the report notebooks call.

How a unit's data travel: :mod:`~cxkit.report.preparation` validates the files once and writes one
partition per unit plus the company-wide :mod:`~cxkit.report.context`; :mod:`~cxkit.report.batch`
runs one notebook per unit through :mod:`~cxkit.report.executors` (a local process pool or Dask), each
task (:mod:`~cxkit.report.tasks`) executing the notebook and rendering it (:mod:`~cxkit.report.render`).
Inside a notebook, :func:`open_report` (:mod:`~cxkit.report.access`) reads the unit's partition
(locally or from a URL, :mod:`~cxkit.report.storage`), and the sections (:mod:`~cxkit.report.sections`,
:mod:`~cxkit.report.summary`) are shown with :mod:`~cxkit.report.display`.
"""
from . import access as _access
from . import batch as _batch
from . import context as _context
from . import display as _display
from . import executors as _executors
from . import names as _names  # noqa: E402
from . import narrative as _narrative
from . import preparation as _preparation
from . import records as _records
from . import render as _render
from . import sections as _sections
from . import storage as _storage
from . import summary as _summary
from . import tasks as _tasks
from .access import *  # noqa: F401,F403
from .batch import *  # noqa: F401,F403
from .context import *  # noqa: F401,F403
from .display import *  # noqa: F401,F403
from .executors import *  # noqa: F401,F403
from .names import *  # noqa: F401,F403
from .narrative import *  # noqa: F401,F403
from .preparation import *  # noqa: F401,F403
from .records import *  # noqa: F401,F403
from .render import *  # noqa: F401,F403
from .sections import *  # noqa: F401,F403
from .storage import *  # noqa: F401,F403
from .summary import *  # noqa: F401,F403
from .tasks import *  # noqa: F401,F403

__all__ = [
    *_names.__all__,
    *_records.__all__,
    *_storage.__all__,
    *_context.__all__,
    *_access.__all__,
    *_display.__all__,
    *_sections.__all__,
    *_summary.__all__,
    *_narrative.__all__,
    *_preparation.__all__,
    *_render.__all__,
    *_tasks.__all__,
    *_executors.__all__,
    *_batch.__all__,
]
