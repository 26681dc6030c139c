"""Outcomes: satisfaction joined to churn and revenue, survival, revenue at risk, unit outcomes.

Start with :func:`join_outcomes` (:mod:`.join`): it links survey answers to customers, churn and revenue
by ``customer_id`` with a documented rule and reports how many customers and answers matched. Every other
function takes its result (or a customers table, for analyses that need no survey, e.g. churn by contract
type):

* churn (:mod:`.churn`): :func:`churn_by_group` (Wilson and exact Poisson intervals),
  :func:`churn_relative_risk` (Katz / log rate ratio), :func:`churn_logit` (odds ratios, statsmodels);
* survival (:mod:`.survival`): :func:`kaplan_meier` and :func:`cox_model` (hazard ratios with the
  proportional-hazards check, lifelines);
* revenue (:mod:`.revenue`): :func:`revenue_by_group`, :func:`revenue_at_risk` (industry heuristic and
  model-based, clearly labelled), :func:`clv_by_group`, :func:`nps_point_value`;
* across units (:mod:`.units`): :func:`unit_outcomes` (with the ecological-inference caveat);
* service (:mod:`.response_time`): :func:`response_time_effect` (CSAT per doubling of first-response time).

The result objects are in :mod:`.results`. Methods, formulas and sources: ``docs/statistics.md``, section 11.
"""
from .results import *  # noqa: F401,F403
from .join import *  # noqa: F401,F403
from .churn import *  # noqa: F401,F403
from .survival import *  # noqa: F401,F403
from .revenue import *  # noqa: F401,F403
from .units import *  # noqa: F401,F403
from .response_time import *  # noqa: F401,F403
from . import (churn as _churn, join as _join, response_time as _response_time, results as _results,
               revenue as _revenue, survival as _survival, units as _units)

__all__ = [*_results.__all__, *_join.__all__, *_churn.__all__, *_survival.__all__, *_revenue.__all__,
           *_units.__all__, *_response_time.__all__]
