"""Result objects of the outcome analyses: a summary table, plain-language notes, the model and the data.

:class:`OutcomeResult` is what most analyses return; :class:`OutcomeData` is the customers linked to their
survey answers (:func:`cxkit.join_outcomes`), :class:`SurvivalCurves` the Kaplan-Meier curves
(:func:`cxkit.kaplan_meier`) and :class:`UnitOutcomes` the unit-level regressions (:func:`cxkit.unit_outcomes`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._printer import Result

__all__ = ["OutcomeResult", "OutcomeData", "SurvivalCurves", "UnitOutcomes"]


@dataclass
class OutcomeResult(Result):
    """A result with a ``summary`` table and plain-language ``notes``.

    ``model`` holds the fitted statsmodels / lifelines object where there is one,
    ``data`` the rows the result was computed from.

    Parameters
    ----------
    title : heading shown when the result is printed or rendered
    table : the result table, returned (as a copy) by ``summary``
    note_list : plain-language notes, returned (as a copy) by ``notes``
    model : the fitted statsmodels / lifelines object, or None
    data : the rows the result was computed from, or None
    digits : decimals shown when printed or rendered

    Attributes
    ----------
    summary : DataFrame
        A copy of ``table``.
    notes : list of str
        A copy of ``note_list``.
    """

    title: str = "cxkit result"
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    note_list: list = field(default_factory=list)
    model: object = None
    data: pd.DataFrame | None = None
    digits: int = 2

    @property
    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self):
        return list(self.note_list)


@dataclass
class OutcomeData(OutcomeResult):
    """Customers linked to their survey answer, churn and revenue (see :func:`join_outcomes`).

    ``data`` has one row per customer; ``summary`` counts what matched and what
    did not; ``notes`` state the linking rule.

    Parameters
    ----------
    title, table, note_list, model, data, digits : as in :class:`OutcomeResult`
    counts : the numbers in ``summary`` by key (``customers_matched``, ``responses_used``, ...)
    rule : the linking rule, ``"latest"`` or ``"mean"``
    """

    counts: dict = field(default_factory=dict)
    rule: str = "latest"


@dataclass
class SurvivalCurves(OutcomeResult):
    """Kaplan-Meier curves per group: ``summary`` (survival at chosen months),
    ``curves`` (the full step curves for plotting) and ``logrank_p``.

    Parameters
    ----------
    title, table, note_list, model, data, digits : as in :class:`OutcomeResult`
    curves : ``group``, ``months``, ``retained``, ``ci_low``, ``ci_high``, ``at_risk``
        (see :func:`cxkit.kaplan_meier`)
    logrank_p : p-value of the log-rank test that all groups share one curve (NaN for one group)
    """

    curves: pd.DataFrame | None = None
    logrank_p: float = np.nan


@dataclass
class UnitOutcomes(OutcomeResult):
    """Unit-level NPS against churn and revenue growth: ``data`` one row per unit,
    ``summary`` one regression per outcome, ``lines`` fitted lines with bands.

    Parameters
    ----------
    title, table, note_list, model, data, digits : as in :class:`OutcomeResult`
    lines : fitted line and its confidence band per outcome (``outcome``, ``nps``, ``fit``,
        ``ci_low``, ``ci_high``; see :func:`cxkit.unit_outcomes`), or None
    """

    lines: pd.DataFrame | None = None
