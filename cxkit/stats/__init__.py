"""Statistics: metrics with intervals, two-sample tests, targets, multiplicity, design effects, compare, trend,
ranking."""
from .results import *  # noqa: F401,F403
from .scores import *  # noqa: F401,F403
from .tickets import *  # noqa: F401,F403
from .customers import *  # noqa: F401,F403
from .intervals import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .twosample import *  # noqa: F401,F403
from .targets import *  # noqa: F401,F403
from .multiplicity import *  # noqa: F401,F403
from .kinds import *  # noqa: F401,F403
from .comparisons import *  # noqa: F401,F403
from .trends import *  # noqa: F401,F403
from .ranking import *  # noqa: F401,F403
from . import (comparisons as _comparisons, customers as _customers, intervals as _intervals, kinds as _kinds,
               metrics as _metrics, multiplicity as _multiplicity, ranking as _ranking,
               results as _results, scores as _scores,
               targets as _targets, tickets as _tickets, trends as _trends, twosample as _twosample)

__all__ = [*_results.__all__, *_scores.__all__, *_tickets.__all__, *_customers.__all__, *_metrics.__all__,
           *_intervals.__all__, *_twosample.__all__, *_targets.__all__, *_multiplicity.__all__, *_kinds.__all__,
           *_comparisons.__all__, *_trends.__all__, *_ranking.__all__]
