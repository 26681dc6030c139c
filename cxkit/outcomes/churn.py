"""Churn by satisfaction: churn per group (Wilson and exact Poisson intervals), relative risk
(Katz / log rate ratio) and the logistic regression of churn (odds ratios, statsmodels).

Methods, formulas and sources: ``docs/statistics.md``, section 11.
"""
from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from ..stats.intervals import _poisson_interval, _share_interval, _z
from ._inputs import _column, _default_reference, _frame, _frame_with, _groups, _pattern_design, _restrict
from .results import OutcomeResult
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")

__all__ = ["churn_by_group", "churn_relative_risk", "churn_logit"]


def churn_by_group(data, *, by: str = "nps_group", horizon: float | None = None, method: str = "wilson",
                   confidence: float = 0.95) -> pd.DataFrame:
    """Churn per group (NPS group, CSAT level, segment, ...) with intervals.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or a customers table)
    by : grouping column: ``"nps_group"`` (default), ``"csat"``, ``"segment"`` ...
    horizon : None (default) - share of customers who left during their
        follow-up; a number of months - share who left within that many months
        of the start of follow-up, among customers followed that long or who
        left earlier (customers with shorter follow-up are left out).
    method : interval of the churn share (default ``"wilson"``; see :func:`cxkit.share`).

    Returns
    -------
    DataFrame
        ``by`` column, ``n`` (customers), ``churned``, ``churn_rate`` (%),
        ``ci_low``, ``ci_high`` (its interval), ``customer_months`` (follow-up),
        ``hazard`` (churn per customer-month, % per month), ``hazard_ci_low``,
        ``hazard_ci_high`` (exact Poisson), ``method``, ``horizon_months``.

    Notes
    -----
    Without ``horizon`` the shares compare groups fairly only when their
    follow-up times are alike (as when survey dates do not depend on the score);
    the monthly hazard events / customer-months is fair under different
    follow-up. For curves use :func:`kaplan_meier`.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcdef"), "segment": list("AAABBB"),
    ...                   "churned": [True, False, False, True, True, False], "tenure_months": [5, 20, 10, 5, 8, 12]})
    >>> churn_by_group(c, by="segment")[["segment", "n", "churned", "churn_rate", "hazard"]].round(2)
      segment  n  churned  churn_rate  hazard
    0       A  3        1       33.33    2.86
    1       B  3        2       66.67    8.00
    """
    frame = _frame(data)
    s, levels = _groups(frame, by)
    known, event, months = _restrict(frame, horizon)
    codes = pd.Categorical(s, categories=levels).codes
    use = known & (codes >= 0)
    g = len(levels)
    n = np.bincount(codes[use], minlength=g)
    k = np.bincount(codes[use], weights=event[use], minlength=g)
    exposure = np.bincount(codes[use], weights=months[use], minlength=g)
    value, low, high = _share_interval(k, n, method, confidence)
    h_low, h_high = _poisson_interval(k, exposure, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = k / exposure
    return pd.DataFrame({by: levels, "n": n, "churned": k.astype(int), "churn_rate": value * 100,
                         "ci_low": low * 100, "ci_high": high * 100, "customer_months": exposure,
                         "hazard": hazard * 100, "hazard_ci_low": h_low * 100, "hazard_ci_high": h_high * 100,
                         "method": method, "horizon_months": np.nan if horizon is None else float(horizon)})


def churn_relative_risk(data, *, by: str = "nps_group", reference=None, measure: str = "risk",
                        horizon: float | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Relative risk of churn of each group against a reference group.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or a customers table)
    by : grouping column (default ``"nps_group"``)
    reference : the group compared against (default ``"promoter"`` for NPS
        groups, else the first group)
    measure : ``"risk"`` (default) - ratio of churn shares (with ``horizon``:
        shares within that many months), Katz log interval; ``"rate"`` - ratio
        of monthly hazards (events / customer-months), fair when follow-up times
        differ, and an estimate of the hazard ratio when hazards are constant.
    horizon : months, for ``measure="risk"`` (see :func:`churn_by_group`)

    Returns
    -------
    DataFrame
        ``group``, ``reference``, ``value_group``, ``value_reference`` (churn %
        or % per month), ``ratio``, ``ci_low``, ``ci_high``, ``p_value`` (ratio =
        1), ``measure``, ``method``, ``n_group``, ``n_reference``.

    Notes
    -----
    Risk (Katz et al. 1978): RR = (a/n1)/(c/n2), SE(log RR) = sqrt(1/a - 1/n1 +
    1/c - 1/n2). Rate: RR = (k1/T1)/(k2/T2), SE(log RR) = sqrt(1/k1 + 1/k2).
    Interval exp(log RR +/- z SE), p-value from z = log RR / SE. When a group
    has no event, 0.5 is added to each count (Haldane) and the method says so.

    References
    ----------
    Katz, D., Baptista, J., Azen, S. P., Pike, M. C. (1978). Obtaining confidence
    intervals for the risk ratio in cohort studies. Biometrics 34, 469-474.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": range(200), "segment": ["A"] * 100 + ["B"] * 100,
    ...                   "churned": [True] * 30 + [False] * 70 + [True] * 15 + [False] * 85,
    ...                   "tenure_months": 12.0})
    >>> churn_relative_risk(c, by="segment", reference="B")[["group", "ratio", "ci_low", "ci_high"]].round(3)
      group  ratio  ci_low  ci_high
    0     A    2.0   1.149    3.482
    """
    if measure not in ("risk", "rate"):
        raise ConfigError(f"measure={measure!r} - expected 'risk' (churn shares) or 'rate' (monthly hazards)")
    table = churn_by_group(data, by=by, horizon=horizon, confidence=confidence)
    levels = list(table[by])
    reference = _default_reference(by, levels, reference)
    ref = table[table[by] == reference].iloc[0]
    others = table[(table[by] != reference) & (table["n"] > 0)].reset_index(drop=True)
    if measure == "risk":
        ratio, low, high, p, zero = _ratio_interval(others["churned"], others["n"], ref["churned"], ref["n"],
                                                    "risk", confidence)
        v1, v2 = others["churn_rate"].to_numpy(), float(ref["churn_rate"])
    else:
        ratio, low, high, p, zero = _ratio_interval(others["churned"], others["customer_months"], ref["churned"],
                                                    ref["customer_months"], "rate", confidence)
        v1, v2 = others["hazard"].to_numpy(), float(ref["hazard"])
    method = np.where(zero, ", 0.5 added (zero events)", "")
    base = "Katz log" if measure == "risk" else "log rate ratio (Wald)"
    rows = [{"group": others[by].iloc[i], "reference": reference, "value_group": float(v1[i]), "value_reference": v2,
             "ratio": float(ratio[i]), "ci_low": float(low[i]), "ci_high": float(high[i]), "p_value": float(p[i]),
             "measure": measure, "method": base + method[i], "n_group": int(others["n"].iloc[i]),
             "n_reference": int(ref["n"])} for i in range(len(others))]
    if not rows:
        raise InsufficientDataError(f"relative risk needs at least one group besides {reference!r} with customers")
    return pd.DataFrame(rows)


def _ratio_interval(a, n1, c, n2, measure: str, confidence: float):
    """Vectorised ratio of two risks (a/n1 over c/n2; Katz) or two rates (n = exposure).

    Returns ratio, low, high, two-sided p (ratio = 1) and whether 0.5 was added.
    """
    a, n1, c, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, n1, c, n2)))
    zero = (a == 0) | (c == 0)
    a, c = a + 0.5 * zero, c + 0.5 * zero
    if measure == "risk":
        n1, n2 = n1 + 0.5 * zero, n2 + 0.5 * zero
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a / n1) / (c / n2)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2) if measure == "risk" else np.sqrt(1 / a + 1 / c)
        lr = np.log(ratio)
        z = _z(confidence)
        p = 2 * stats.norm.sf(np.abs(lr / se))
    return ratio, np.exp(lr - z * se), np.exp(lr + z * se), p, zero


def churn_logit(data, *, score: str = "nps", controls: Sequence[str] | None = None, horizon: float | None = None,
                event: str = "churned", confidence: float = 0.95) -> OutcomeResult:
    """Logistic regression of churn on the satisfaction score, with optional controls.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or any table with the columns used)
    score : numeric column whose odds ratio is wanted (default ``"nps"``: per
        1-point higher answer)
    controls : columns to adjust for, e.g. ``["segment", "unit", "tenure_at_start"]``;
        numbers enter as they are, categories as dummies against their first value.
    horizon : months; the outcome is then churn within ``horizon`` months and
        customers followed for less (who did not leave) are left out.
    event : the 0/1 outcome column (default ``"churned"``)

    Returns
    -------
    OutcomeResult
        ``summary``: ``term``, ``odds_ratio``, ``ci_low``, ``ci_high``,
        ``p_value``, ``coef``, ``se``; ``model``: the statsmodels result (``GLMResults`` of the cell fit).

    Notes
    -----
    Maximum likelihood, fitted on the (covariate pattern, outcome) cells with their
    counts as frequency weights (``statsmodels`` binomial ``GLM``, IRLS = Newton for
    the logit link): the same likelihood, estimates and standard errors as the
    row-level ``Logit``, from a few hundred cells instead of a million rows. Odds ratio =
    exp(coef), interval exp(coef +/- z SE). A churn flag over follow-up of
    different lengths mixes "how satisfied" with "how long we watched": use
    ``horizon=`` or :func:`cox_model`. Needs at least 10 churned and 10 retained
    customers; a note warns when there are fewer than 10 events per parameter
    (Peduzzi et al. 1996). Perfect separation raises an error.

    References
    ----------
    Peduzzi, P. et al. (1996). A simulation study of the number of events per
    variable in logistic regression analysis. J Clin Epidemiol 49, 1373-1379.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> nps = rng.integers(0, 11, 2000)
    >>> churned = rng.random(2000) < 1 / (1 + np.exp(-(0.5 - 0.3 * nps)))
    >>> fit = churn_logit(pd.DataFrame({"nps": nps, "churned": churned}))
    >>> fit.summary[["term", "odds_ratio"]].round(1)
      term  odds_ratio
    0  nps         0.7
    """
    frame = _frame_with(data, [event])
    y_raw = _column(frame, event, "event")
    if horizon is not None:
        known, ev, _ = _restrict(frame, horizon)
        frame = frame.loc[known]
        y_raw = pd.Series(ev[known], index=frame.index)
    terms = [score] + [c for c in (controls or []) if c != score]
    patterns, pattern, complete, notes, _ = _pattern_design(frame, terms)
    y = y_raw.astype("boolean").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    ok = complete & ~np.isnan(y)
    dropped = int((~ok).sum())
    if dropped:
        notes.insert(0, f"{dropped} customers with a missing {', '.join(terms)} or outcome left out.")
    events, n = int(y[ok].sum()), int(ok.sum())
    if events < 10 or n - events < 10:
        raise InsufficientDataError(f"logistic regression needs at least 10 churned and 10 retained customers; "
                                    f"got {events} churned of {n}")
    cells = _outcome_cells(patterns, pattern[ok], y[ok])
    fit = _fit_cells(*cells)
    z = _z(confidence)
    coef, se = fit.params.drop("const"), fit.bse.drop("const")
    if np.any(np.abs(coef) > 15):
        raise InsufficientDataError("an odds ratio is effectively infinite (quasi-separation); drop or merge the "
                                    "groups with no churn or no retention")
    table = pd.DataFrame({"term": coef.index, "odds_ratio": np.exp(coef.to_numpy()),
                          "ci_low": np.exp((coef - z * se).to_numpy()), "ci_high": np.exp((coef + z * se).to_numpy()),
                          "p_value": fit.pvalues.drop("const").to_numpy(), "coef": coef.to_numpy(),
                          "se": se.to_numpy()})
    k = len(coef)
    notes.append(f"n = {n} customers, {events} churned; pseudo R-squared {fit.pseudo_rsquared(kind='mcf'):.3f}.")
    notes.append(f"Odds ratio of {score}: factor by which the odds of churn change per 1 unit higher {score}"
                 + (f", within {horizon:g} months" if horizon else "") + ".")
    if min(events, n - events) < 10 * k:
        notes.append(f"Fewer than 10 events per model term ({min(events, n - events)} for {k} terms): "
                     "the odds ratios may be unstable.")
    return OutcomeResult(title="Churn: logistic regression (odds ratios)", table=table, note_list=notes, model=fit,
                         data=frame[ok])


def _outcome_cells(patterns: pd.DataFrame, pattern: np.ndarray, y: np.ndarray):
    """The rows collapsed to (covariate pattern, outcome) cells: design with a constant, 0/1 outcome and
    the count of rows in each cell. Raises a :class:`ConfigError` for a term with one value only."""
    used = np.bincount(pattern, minlength=len(patterns)) > 0
    single = [c for c in patterns.columns if patterns.loc[used, c].nunique() <= 1]
    if single:
        raise ConfigError(f"{', '.join(single)} has the same value for every customer; leave it out")
    counts = np.bincount(pattern * 2 + y.astype(np.int64), minlength=2 * len(patterns))
    cell = np.flatnonzero(counts)
    X = patterns.iloc[cell // 2].reset_index(drop=True)
    X.insert(0, "const", 1.0)
    return X, (cell % 2).astype(float), counts[cell].astype(float)


def _fit_cells(X: pd.DataFrame, y: np.ndarray, count: np.ndarray):
    """Binomial GLM (logit link, Newton = IRLS for the canonical link) with frequency weights: the
    likelihood, estimates and standard errors of the row-level logistic regression, from one row per
    cell. Separation, collinearity and non-convergence raise cxkit errors."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings(), np.errstate(over="ignore"):
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            fit = sm.GLM(y, X, family=sm.families.Binomial(), freq_weights=count).fit(maxiter=100, tol=1e-12)
        except PerfectSeparationWarning:
            raise InsufficientDataError("churn is perfectly predicted by the model terms (perfect separation): "
                                        "odds ratios are infinite. Drop or merge the groups with no churn "
                                        "(or no retention).") from None
        except np.linalg.LinAlgError:
            raise ConfigError("the model terms are collinear (one is a combination of others); "
                              "drop one of the controls") from None
    if not fit.converged:
        raise InsufficientDataError("the logistic regression did not converge: churn is (almost) perfectly "
                                    "predicted by the model terms (separation), often because a group has no churn "
                                    "or no retention; drop or merge small groups")
    return fit
