"""The report batch: prepare, run the notebooks, render, index; and the notebooks' data access."""
from .batch import *  # noqa: F401,F403
from .views import *  # noqa: F401,F403
from . import batch as _batch, views as _views

__all__ = [*_batch.__all__, *_views.__all__]
