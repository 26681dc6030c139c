"""Service: the effect of a slower first response on satisfaction, per doubling of the response time
(:func:`response_time_effect`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from scipy import sparse, stats

from ..errors import InsufficientDataError
from ._inputs import _column, _design
from .results import OutcomeResult

__all__ = ["response_time_effect", "RobustOLS"]


@dataclass
class RobustOLS:
    """Least-squares fit with HC3 standard errors (names as statsmodels' results).

    Attributes
    ----------
    params, bse, pvalues : coefficients, HC3 standard errors and normal-theory p-values, by term
    cov_params_hc3 : HC3 covariance matrix
    nobs : rows used
    """

    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    cov_params_hc3: pd.DataFrame
    nobs: int

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Normal intervals (as statsmodels with a robust covariance), columns 0 and 1."""
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame({0: self.params - z * self.bse, 1: self.params + z * self.bse})


def _ols_hc3(X: pd.DataFrame, y: np.ndarray) -> RobustOLS:
    """OLS with a constant and HC3 covariance, (X'X)^-1 X' diag(e_i^2 / (1 - h_i)^2) X (X'X)^-1
    (MacKinnon & White 1985), from sparse cross-products (the controls are 0/1 dummies): no SVD of the
    n x p matrix."""
    names = ["const", *X.columns]
    A = sparse.csr_matrix(np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)]))  # dummies: mostly 0
    xtx_inv = np.linalg.pinv((A.T @ A).toarray())
    b = xtx_inv @ (A.T @ y)
    e = y - A @ b
    h = np.asarray(A.multiply(A @ xtx_inv).sum(axis=1)).ravel()
    u = e / (1 - h)
    meat = (A.T @ A.multiply((u * u)[:, None])).toarray()
    cov = xtx_inv @ meat @ xtx_inv
    se = np.sqrt(np.diag(cov))
    return RobustOLS(params=pd.Series(b, index=names), bse=pd.Series(se, index=names),
                     pvalues=pd.Series(2 * stats.norm.sf(np.abs(b / se)), index=names),
                     cov_params_hc3=pd.DataFrame(cov, index=names, columns=names), nobs=len(y))


def _id_codes(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of two id columns, equal where the ids are equal as text (one factorisation of both)."""
    both = pd.concat([a, b], ignore_index=True)
    if not isinstance(both.dtype, pd.StringDtype):
        both = both.astype("string")
    codes = pd.factorize(both)[0]
    return codes[:len(a)], codes[len(a):]


def response_time_effect(responses: pd.DataFrame, tickets: pd.DataFrame, *, score: str = "csat",
                         controls: Sequence[str] | None = ("unit", "channel"), window_days: float = 7,
                         touchpoints: Sequence[str] | None = None, confidence: float = 0.95) -> OutcomeResult:
    """Effect of a slower first response on satisfaction, per doubling of the response time.

    Parameters
    ----------
    responses, tickets : the tables
    score : the answer regressed (default ``"csat"``; ``"nps"`` or ``"ces"`` work too)
    controls : columns to adjust for; ``unit`` is taken from the response,
        ``channel`` from the ticket (default both: channels differ a lot in
        typical response time, and the effect should be read within a channel)
    window_days : the ticket must have been opened at most this many days
        before the end of the survey day
    touchpoints : only responses about these touchpoints (default: all that
        link to a ticket)

    Returns
    -------
    OutcomeResult
        ``summary``: one row - ``term``, ``effect`` (change in the mean score per
        doubling of first-response time, in scale points), ``ci_low``,
        ``ci_high``, ``p_value``, ``n``, ``score``; ``data``: the linked rows
        (``response_id``, ``customer_id``, ``date``, the score, ``ticket_id``,
        ``created_at``, ``hours``, ``log2_hours`` and the controls); ``model``:
        the fit (:class:`RobustOLS`: ``params``, ``bse``, ``pvalues``, ``conf_int()``; the numbers of
        statsmodels ``OLS(...).fit(cov_type="HC3")``).

    Notes
    -----
    Linking rule: a response is linked to the same customer's latest ticket
    opened before the end of the survey day and at most ``window_days`` days
    earlier; tickets without a first response are not used. Model: OLS of the
    score on log2(first-response hours) plus the controls (dummies),
    heteroskedasticity-robust (HC3) standard errors; the coefficient of
    log2(hours) is the change per doubling. Response times under one minute
    count as one minute.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> n = 400
    >>> hours = np.exp(rng.normal(1, 1, n))
    >>> created = pd.Timestamp("2025-03-01 09:00") + pd.to_timedelta(np.arange(n), unit="D")
    >>> t = pd.DataFrame({"ticket_id": np.arange(n), "customer_id": np.arange(n), "created_at": created,
    ...                   "first_response_at": created + pd.to_timedelta(hours, unit="h")})
    >>> csat = np.clip(np.round(4 - 0.4 * np.log2(hours) + rng.normal(0, 0.5, n)), 1, 5)
    >>> r = pd.DataFrame({"response_id": np.arange(n), "customer_id": np.arange(n),
    ...                   "date": created.normalize() + pd.Timedelta(days=1), "csat": csat})
    >>> fit = response_time_effect(r, t, controls=None)
    >>> fit.summary["effect"].round(1).tolist(), fit.summary["n"].tolist()
    ([-0.4], [400])
    """
    for c in ("customer_id", "date", score):
        _column(responses, c, "responses column")
    for c in ("customer_id", "created_at", "first_response_at"):
        _column(tickets, c, "tickets column")
    used = ["response_id", "customer_id", "date", score, *(["touchpoint"] if touchpoints is not None else []),
            *(controls or [])]
    r = responses[[c for c in dict.fromkeys(used) if c in responses.columns]]  # only the columns used: no copies
    r = r[r[score].notna() & r["customer_id"].notna()]
    if touchpoints is not None:
        r = r[_column(r, "touchpoint", "touchpoints: column").isin(list(touchpoints))]
    t = tickets[tickets["customer_id"].notna()]
    rk, tk = _id_codes(r["customer_id"], t["customer_id"])
    r = r.assign(_key=rk, _until=r["date"].dt.normalize() + pd.Timedelta(days=1))
    t = t.assign(_key=tk).rename(columns={"unit": "ticket_unit"})
    keep_t = ["_key", "created_at", "first_response_at"] + [c for c in ("ticket_id", "channel", "ticket_unit")
                                                                  if c in t.columns]
    r = r.sort_values("_until", kind="stable")
    t = t[keep_t].sort_values("created_at", kind="stable")
    linked = pd.merge_asof(r, t, left_on="_until", right_on="created_at", by="_key", direction="backward",
                           tolerance=pd.Timedelta(days=window_days), allow_exact_matches=False)
    has_ticket = linked["created_at"].notna()
    answered = has_ticket & linked["first_response_at"].notna()
    d = linked[answered].copy()
    d["hours"] = ((d["first_response_at"] - d["created_at"]).dt.total_seconds() / 3600).clip(lower=1 / 60)
    d["log2_hours"] = np.log2(d["hours"].to_numpy(dtype=float))
    notes = [f"Linking: each answer to the same customer's latest ticket opened within {window_days:g} days before "
             f"the end of the survey day; {int(has_ticket.sum())} of {len(r)} answers with a {score} score linked, "
             f"{int((has_ticket & ~answered).sum())} of them to a ticket without a first response (left out)."]
    X, design_notes, _ = _design(d, ["log2_hours"] + [c for c in (controls or [])])
    y = d[score].astype("Float64").astype(float)
    ok = X.notna().all(axis=1) & y.notna()
    X, y, d = X[ok], y[ok], d[ok]
    if len(d) < 10:
        raise InsufficientDataError(f"only {len(d)} answers could be linked to an answered ticket; at least 10 are "
                                    "needed (check customer_id in both tables and window_days)")
    if X["log2_hours"].nunique() < 2:
        raise InsufficientDataError("all linked tickets have the same response time; no effect can be estimated")
    fit = _ols_hc3(X, y.to_numpy(dtype=float))
    lo, hi = fit.conf_int(alpha=1 - confidence).loc["log2_hours"]
    table = pd.DataFrame([{"term": "per doubling of first-response time", "effect": float(fit.params["log2_hours"]),
                           "ci_low": float(lo), "ci_high": float(hi), "p_value": float(fit.pvalues["log2_hours"]),
                           "n": int(len(d)), "score": score}])
    notes += design_notes
    notes.append(f"OLS of {score} on log2(first-response hours)"
                 + (f" with controls {', '.join(controls)}" if controls else "")
                 + "; HC3 robust standard errors. Effect in scale points of the mean score per doubling.")
    keep = [c for c in ("response_id", "customer_id", "date", score, "ticket_id", "created_at", "hours", "log2_hours",
                        *(controls or [])) if c in d.columns]
    return OutcomeResult(title=f"{score.upper()} and first-response time", table=table, note_list=notes, model=fit,
                         data=d[keep].reset_index(drop=True), digits=3)
