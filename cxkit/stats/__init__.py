"""Statistics: metrics with intervals, two-sample tests, multiplicity, design effects, compare, trend."""
from .metrics import *  # noqa: F401,F403
from .comparisons import *  # noqa: F401,F403
from . import comparisons as _comparisons, metrics as _metrics

__all__ = [*_metrics.__all__, *_comparisons.__all__]
