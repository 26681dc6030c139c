"""Retention over time: Kaplan-Meier curves with the log-rank test, the Cox proportional-hazards model
with its check (lifelines), and the weighted Kaplan-Meier and influence helpers of the revenue figures.

Methods, formulas and sources: ``docs/statistics.md``, section 11.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .._printer import p_equals
from ..errors import ConfigError, InsufficientDataError
from ._cox import fit_cox
from ._inputs import _column, _default_reference, _frame, _frame_with, _groups, _pattern_design
from .results import OutcomeResult, SurvivalCurves
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")

__all__ = ["kaplan_meier", "cox_model"]


def _tied(t, e, *keys):
    """Distinct (time, event, keys...) rows and how often each occurs. lifelines weighs rows by integer
    counts exactly as it counts repeated rows, and ties are the rule (follow-up in whole days)."""
    cols = [np.asarray(c) for c in (t, e, *keys)]
    order = np.lexsort(cols[::-1])
    cols = [c[order] for c in cols]
    new = np.ones(len(order), dtype=bool)
    if len(order):
        new[1:] = np.logical_or.reduce([c[1:] != c[:-1] for c in cols])
    first = np.flatnonzero(new)
    return [c[first] for c in cols], np.diff(np.append(first, len(order)))


def _km_curve(t, e, confidence):
    from lifelines import KaplanMeierFitter

    (t, e), n = _tied(t, e)
    kmf = KaplanMeierFitter(alpha=1 - confidence)
    kmf.fit(t, event_observed=e, weights=n)
    return kmf


def kaplan_meier(data, *, by: str | None = "nps_group", at: Sequence[float] = (6, 12), duration: str = "months",
                 event: str = "churned", confidence: float = 0.95) -> SurvivalCurves:
    """Kaplan-Meier retention curves per group, with the log-rank test.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or a customers table)
    by : grouping column (default ``"nps_group"``; None for one curve)
    at : months at which retention is reported in ``summary``
    duration, event : follow-up (months) and churn columns

    Returns
    -------
    SurvivalCurves
        ``summary``: ``group``, ``n``, ``churned``, ``median_months`` (time by
        which half have left; missing when fewer than half left),
        ``at_months``, ``retained`` (% still customers), ``ci_low``, ``ci_high``.
        ``curves``: ``group``, ``months``, ``retained``, ``ci_low``, ``ci_high``,
        ``at_risk`` (the step curves). ``logrank_p``: p-value of the log-rank test
        that all groups share one curve.

    Notes
    -----
    S(t) = prod over churn times t_i <= t of (1 - d_i / n_i), d_i leavers and
    n_i customers still followed at t_i. Interval: exponential Greenwood
    (log(-log) scale) as in lifelines and R ``survfit(conf.type="log-log")``.
    Retention is not reported beyond the longest follow-up of a group.

    References
    ----------
    Kaplan, E. L., Meier, P. (1958). JASA 53, 457-481.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5], "churned": [True, False, True, True, False, False]})
    >>> kaplan_meier(c, by=None, at=(3,)).summary[["n", "churned", "retained"]].round(1)  # 5/6 x 4/5 x 2/3
       n  churned  retained
    0  6        3      44.4
    """
    from lifelines.statistics import multivariate_logrank_test

    frame = _frame(data)
    t = _column(frame, duration, "duration").astype(float).to_numpy()
    e = _column(frame, event, "event").astype("boolean").fillna(False).astype(bool).to_numpy()
    if by is None:
        labels, levels = pd.Series("all", index=frame.index), ["all"]
    else:
        labels, levels = _groups(frame, by)
    ok = ~np.isnan(t) & labels.notna().to_numpy()
    rows, curves = [], []
    for lv in levels:
        m = ok & (labels == lv).to_numpy()
        if not m.any():
            continue
        kmf = _km_curve(t[m], e[m], confidence)
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_survival_function_
        table = kmf.event_table
        curves.append(pd.DataFrame({"group": lv, "months": sf.index.to_numpy(dtype=float),
                                    "retained": sf.to_numpy() * 100, "ci_low": ci.iloc[:, 0].to_numpy() * 100,
                                    "ci_high": ci.iloc[:, 1].to_numpy() * 100,
                                    "at_risk": table["at_risk"].reindex(sf.index).to_numpy()}))
        median = kmf.median_survival_time_
        for a in at:
            if a > t[m].max():
                val = lo = hi = np.nan
            else:
                idx = sf.index[sf.index <= a][-1]
                val, lo, hi = sf.loc[idx] * 100, ci.loc[idx].iloc[0] * 100, ci.loc[idx].iloc[1] * 100
            rows.append({"group": lv, "n": int(m.sum()), "churned": int(e[m].sum()),
                         "median_months": float(median) if np.isfinite(median) else np.nan, "at_months": float(a),
                         "retained": float(val), "ci_low": float(lo), "ci_high": float(hi)})
    if not rows:
        raise InsufficientDataError("Kaplan-Meier needs customers with follow-up; got none")
    notes = [f"Retention = % of customers still with us after the given months of follow-up "
             f"({confidence:.0%} interval: exponential Greenwood)."]
    p = np.nan
    if by is not None and len(levels) > 1:
        m = ok
        codes, names = pd.factorize(labels[m].astype(str))
        (tt, ee, gg), n = _tied(t[m], e[m], codes)
        res = multivariate_logrank_test(tt, np.asarray(names)[gg], ee, weights=n)
        p = float(res.p_value)
        notes.append(f"Log-rank test that all {by} groups share one retention curve: {p_equals(p)}.")
    return SurvivalCurves(title="Retention (Kaplan-Meier)" + (f" by {by}" if by else ""),
                          table=pd.DataFrame(rows), note_list=notes, data=frame,
                          curves=pd.concat(curves, ignore_index=True), logrank_p=p)


def cox_model(data, *, by: str | None = "nps_group", controls: Sequence[str] | None = None, reference=None,
              strata: Sequence[str] | None = None, duration: str = "months", event: str = "churned",
              confidence: float = 0.95, ph_alpha: float = 0.05) -> OutcomeResult:
    """Cox proportional-hazards model of churn, with the proportional-hazards check.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or any table with the columns used)
    by : main term: ``"nps_group"`` (default; hazard ratios against
        ``reference``, default promoters), a numeric score such as ``"nps"``
        (hazard ratio per point), or None
    controls : columns to adjust for (numbers as they are, categories as dummies)
    reference : reference group of ``by``
    strata : columns whose groups get their own baseline hazard (the fix when
        one of them breaks proportional hazards)
    duration, event : follow-up and event columns
    ph_alpha : level at which the proportional-hazards test is flagged

    Returns
    -------
    OutcomeResult
        ``summary``: ``term``, ``hazard_ratio``, ``ci_low``, ``ci_high``,
        ``p_value``, ``ph_p_value`` (test that the term's hazard ratio is
        constant over time), ``coef``, ``se``; ``model``: the fit
        (:class:`cxkit.outcomes._cox.CoxFit`: ``params_``, ``standard_errors_``,
        ``variance_matrix_``, ``log_likelihood_``, ``concordance_index_``,
        ``ph_test``, ``log_likelihood_ratio_test()``); ``notes`` say in plain
        words whether the check passed.

    Notes
    -----
    h(t | x) = h0(t) exp(b'x), fitted by maximum partial likelihood with
    Efron's method for tied churn times (as lifelines ``CoxPHFitter`` and R
    ``coxph``), by Newton-Raphson on the customers collapsed to cells of
    (stratum, follow-up, churned, covariate pattern) with their counts: exact,
    because Efron's likelihood depends on the tied events only through their
    number and sums. Risk-set sums are reverse cumulative sums over the sorted
    times, so a fit costs O(n + cells x terms) per iteration (about a second for
    a million customers). HR = exp(b), interval exp(b +/- z SE), SE from the
    observed information.

    Proportional-hazards check (never skipped; every term gets ``ph_p_value``):
    Grambsch-Therneau test with the rank time transform, per term,
    T_j = D (g'R V)_j^2 / (V_jj sum g^2), g the centred ranks of the D churn
    times (mid-ranks for tied times, pooled over strata), R the Schoenfeld
    residuals summed per churn time, V the model's variance matrix; chi-squared
    with 1 df. It is the statistic of lifelines
    ``proportional_hazard_test(time_transform="rank")`` (and of R
    ``cox.zph`` before survival 3.0), computed from the same sorted sums
    instead of one residual per customer. Validation (``tests/outcomes/
    test_ph_check.py``): equal to lifelines within 1e-5 (relative) without
    tied times, within 0.1 or 10% with ties (lifelines ranks tied churn times in
    row order); simulated size 4.0% at the 5% level (1000 cohorts of 300,
    proportional hazards), power 89% against a hazard ratio of 2 that turns to
    0.5 after 6 months (n = 300; 73% at n = 200). Methods:
    ``docs/statistics.md``, section 11, "The Cox model at scale".

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. JRSS B 34, 187-220.
    Grambsch, P. M., Therneau, T. M. (1994). Proportional hazards tests and
    diagnostics based on weighted residuals. Biometrika 81, 515-526.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> fit = cox_model(load_rossi(), by="prio", duration="week", event="arrest")
    >>> fit.summary[["term", "hazard_ratio"]].round(2)
       term  hazard_ratio
    0  prio          1.11
    """
    frame = _frame_with(data, [duration, event])
    X, pattern, T, E, stratum, ok, notes, origin = _cox_inputs(frame, by, controls, reference, strata, duration,
                                                               event)
    events = int(E.sum())
    fit = fit_cox(X, pattern, T, E, stratum)
    z = stats.norm.ppf(0.5 + confidence / 2)
    b, se = fit.params_.to_numpy(), fit.standard_errors_.to_numpy()
    table = pd.DataFrame({"term": fit.params_.index.to_numpy(), "hazard_ratio": np.exp(b),
                          "ci_low": np.exp(b - z * se), "ci_high": np.exp(b + z * se),
                          "p_value": 2 * stats.norm.sf(np.abs(b / se)), "ph_p_value": fit.ph_test["p"].to_numpy(),
                          "coef": b, "se": se})
    notes.append(f"n = {len(T)}, {events} churn events; concordance {fit.concordance_index_:.3f}.")
    notes += _ph_notes(table, origin, X, ph_alpha)
    return OutcomeResult(title="Churn: Cox proportional-hazards model (hazard ratios)", table=table, note_list=notes,
                         model=fit, data=frame if ok.all() else frame[ok])


def _cox_terms(frame: pd.DataFrame, by, controls, reference, strata) -> tuple[list, dict]:
    """The model's terms (``by`` first, strata left out) and the reference group of ``by``."""
    refs = {}
    if by is not None:
        s = _column(frame, by)
        if not pd.api.types.is_numeric_dtype(s.dtype) or isinstance(s.dtype, pd.CategoricalDtype):
            _, levels = _groups(frame, by)
            refs[by] = _default_reference(by, levels, reference)
    terms = ([by] if by is not None else []) + [c for c in (controls or []) if c != by]
    terms = [c for c in terms if c not in (strata or [])]  # a stratum has its own baseline, no coefficient
    if not terms:
        raise ConfigError("cox_model needs a term: by= and/or controls= (besides the strata)")
    return terms, refs


def _cox_inputs(frame: pd.DataFrame, by, controls, reference, strata, duration: str, event: str):
    """The Cox model's patterns, follow-up, events and strata of the complete rows, with the checks."""
    terms, refs = _cox_terms(frame, by, controls, reference, strata)
    X, pattern, ok, notes, origin = _pattern_design(frame, terms, refs)
    if X.shape[1] == 0:
        raise InsufficientDataError("no model term has more than one value")
    T = _column(frame, duration, "duration").astype(float).to_numpy()
    E = _column(frame, event, "event").astype("boolean").astype("Float64").astype(float).to_numpy()
    ok &= ~np.isnan(T) & ~np.isnan(E)
    codes = [pd.factorize(_column(frame, c, "strata"))[0] for c in strata or []]
    for code in codes:
        ok &= code >= 0
    if (~ok).sum():
        notes.insert(0, f"{int((~ok).sum())} rows with a missing value left out.")
    T, E, pattern = T[ok], E[ok].astype(bool), pattern[ok]
    X, pattern = _used_patterns(X, pattern)
    events = int(E.sum())
    if events < 10:
        raise InsufficientDataError(f"the Cox model needs at least 10 churn events; got {events}")
    const = [c for c in X.columns if X[c].nunique() <= 1]
    if const:
        raise ConfigError(f"{', '.join(const)} has the same value for every customer; leave it out")
    stratum = pd.MultiIndex.from_arrays([c[ok] for c in codes]).factorize()[0] if codes else None
    return X, pattern, T, E, stratum, ok, notes, origin


def _ph_notes(table: pd.DataFrame, origin: dict, X: pd.DataFrame, ph_alpha: float) -> list[str]:
    """Plain-language notes of the proportional-hazards check: which terms it flags, and the fix."""
    notes = []
    bad = table[table["ph_p_value"] < ph_alpha]
    if len(bad):
        for row in bad.itertuples():
            col = origin.get(row.term, row.term)
            few = col != row.term or X[row.term].nunique() <= 5
            fix = (f"strata=['{col}'] (own baseline per group) or separate models for early and late churn"
                   if few else "binning it and using strata=, or separate models for early and late churn")
            notes.append(f"Proportional hazards questionable for {row.term} "
                         f"(test {p_equals(row.ph_p_value)}): "
                         f"its hazard ratio changes over the follow-up, so read it as an average; consider {fix}.")
    else:
        notes.append(f"Proportional-hazards check passed for every term (all test p >= {ph_alpha:g}).")
    return notes


def _used_patterns(X: pd.DataFrame, pattern: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The patterns that rows still use after rows with a missing outcome or stratum were left out."""
    used = np.bincount(pattern, minlength=len(X)) > 0
    if used.all():
        return X, pattern
    new = np.cumsum(used) - 1
    return X[used].reset_index(drop=True), new[pattern]


def _km_weighted(t: np.ndarray, e: np.ndarray, W: np.ndarray, horizon: float, *, presorted: bool = False):
    """Kaplan-Meier retention at ``horizon`` and restricted mean months retained, for weight rows.

    ``W`` has one row of customer weights per replicate (ones = the plain
    estimate; multinomial counts = bootstrap). Returns (S(horizon), RMST) per row.
    ``presorted``: ``t`` (and ``e``, ``W``) are already in ascending order of ``t``.
    """
    if not presorted:
        order = np.argsort(t, kind="stable")
        t, e, W = t[order], e[order], W[:, order]
    ev = e & (t <= horizon)
    u = np.unique(t[ev])
    B = W.shape[0]
    if u.size == 0:
        return np.ones(B), np.full(B, float(horizon))
    at_risk = np.cumsum(W[:, ::-1], axis=1)[:, ::-1]
    n_k = at_risk[:, np.searchsorted(t, u, side="left")]
    ev_idx = np.flatnonzero(ev)
    starts = np.searchsorted(t[ev_idx], u, side="left")
    d_k = np.add.reduceat(W[:, ev_idx], starts, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n_k > 0, d_k / n_k, 0.0)
    S = np.cumprod(1 - q, axis=1)
    widths = np.diff(np.concatenate([[0.0], u, [float(horizon)]]))
    rmst = np.hstack([np.ones((B, 1)), S]) @ widths
    return S[:, -1], rmst


def _km_influence(t: np.ndarray, e: np.ndarray, horizon: float) -> tuple[float, np.ndarray]:
    """Kaplan-Meier S(horizon) and each customer's influence on it (``t`` ascending).

    psi_i = -S(H) x (1{event at T_i <= H} / Y(T_i) - sum over event times u <= min(T_i, H) of d(u) / Y(u)^2),
    so that Var(S(H)) ~ sum of psi_i^2 (Greenwood's variance in large samples).
    """
    ev = e & (t <= horizon)
    if not ev.any():
        return 1.0, np.zeros(t.size)
    u, d = np.unique(t[ev], return_counts=True)
    at_risk = (t.size - np.searchsorted(t, u, side="left")).astype(float)
    s_h = float(np.prod(1 - d / at_risk))
    cum = np.concatenate([[0.0], np.cumsum(d / at_risk ** 2)])
    compensator = cum[np.searchsorted(u, t, side="right")]  # event times u <= T_i (all <= H)
    jump = np.zeros(t.size)
    jump[ev] = 1.0 / at_risk[np.searchsorted(u, t[ev])]
    return s_h, -s_h * (jump - compensator)
