"""Service: the effect of a slower first response on satisfaction, per doubling of the response time
(:func:`response_time_effect`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InsufficientDataError
from ._inputs import _column, _pattern_design
from .join import _shared_codes
from .results import OutcomeResult
from .._lazy import lazy_module

sparse = lazy_module("scipy.sparse")
stats = lazy_module("scipy.stats")

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


def _ols_hc3_patterns(P: np.ndarray, g: np.ndarray, x: np.ndarray, y: np.ndarray):
    """:func:`_ols_hc3` for the design ``[1, x, dummies]`` given per covariate pattern: row i has the
    pattern row ``P[g[i]]`` (a constant first, then the dummies) and the number ``x[i]``. Cross-products,
    hat values h_i and the HC3 meat are sums per pattern (bincount) plus terms in x: O(n) work, no n x p
    matrix. Returns (params, covariance) in the order const, x, dummies."""
    m, p = P.shape

    def cross(w: np.ndarray) -> np.ndarray:
        """A' diag(w) A for the rows' design A = [P[g], x] (pattern columns first, x last)."""
        out = np.empty((p + 1, p + 1))
        out[:p, :p] = (P * np.bincount(g, weights=w, minlength=m)[:, None]).T @ P
        out[:p, p] = out[p, :p] = P.T @ np.bincount(g, weights=w * x, minlength=m)
        out[p, p] = w @ (x * x)
        return out

    xtx_inv = np.linalg.pinv(cross(np.ones_like(x)))
    b = xtx_inv @ np.r_[P.T @ np.bincount(g, weights=y, minlength=m), x @ y]
    e = y - (P @ b[:p])[g] - b[p] * x
    m11, m12 = xtx_inv[:p, :p], xtx_inv[:p, p]
    h = np.einsum("ij,jk,ik->i", P, m11, P)[g] + 2 * x * (P @ m12)[g] + x * x * xtx_inv[p, p]
    u = e / (1 - h)
    cov = xtx_inv @ cross(u * u) @ xtx_inv
    order = np.r_[0, p, np.arange(1, p)]  # const, x, dummies
    return b[order], cov[np.ix_(order, order)]


def _robust_fit(names: list, b: np.ndarray, cov: np.ndarray, nobs: int) -> RobustOLS:
    """A :class:`RobustOLS` from coefficients and their HC3 covariance."""
    se = np.sqrt(np.diag(cov))
    return RobustOLS(params=pd.Series(b, index=names), bse=pd.Series(se, index=names),
                     pvalues=pd.Series(2 * stats.norm.sf(np.abs(b / se)), index=names),
                     cov_params_hc3=pd.DataFrame(cov, index=names, columns=names), nobs=nobs)


def _ns(s: pd.Series) -> np.ndarray:
    """Datetimes as int64 nanoseconds (UTC for zone-aware columns; NaT = the smallest int64)."""
    return s.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _link(r_key: np.ndarray, until: np.ndarray, t_key: np.ndarray, created: np.ndarray, window: int) -> np.ndarray:
    """Each answer's ticket position (-1: none): the same customer's latest ticket opened before
    ``until`` and at most ``window`` ns earlier (equal opening times: the later row, as a stable
    ``merge_asof``). Ticket times are ranked among the distinct ``until`` values, so that one integer
    key (customer, rank) orders both tables and one ``searchsorted`` finds every candidate."""
    nat = np.iinfo(np.int64).min
    r_key = np.where(until == nat, -1, r_key)
    t_key = np.where(created == nat, -1, t_key)
    bounds = np.sort(pd.unique(until[r_key >= 0]))
    width = len(bounds) + 1
    t_code = t_key * width + np.searchsorted(bounds, created, side="right")  # created < bounds[k] <=> rank <= k
    order = np.lexsort((created, t_code))
    order = order[t_key[order] >= 0]
    r_ok = np.flatnonzero(r_key >= 0)
    linked = np.full(len(r_key), -1, dtype=np.int64)
    if not len(order):
        return linked
    at = np.searchsorted(t_code[order], r_key[r_ok] * width + np.searchsorted(bounds, until[r_ok]), side="right") - 1
    cand = order[np.maximum(at, 0)]
    hit = (at >= 0) & (t_key[cand] == r_key[r_ok]) & (until[r_ok] - created[cand] <= window)
    linked[r_ok[hit]] = cand[hit]
    return linked


def _taken(s: pd.Series, rows: np.ndarray, unmatched: bool) -> pd.Series:
    """Ticket column values at ``rows``, with the dtype a left ``merge_asof`` gives them when some
    answers found no ticket (integers become floats, booleans objects)."""
    out = s.iloc[rows].reset_index(drop=True)
    if unmatched and out.dtype.kind in "iu":
        return out.astype(float)
    if unmatched and out.dtype.kind == "b":
        return out.astype(object)
    return out


def _linked_rows(r: pd.DataFrame, t: pd.DataFrame, *, score: str, controls, window_days: float):
    """The answers linked to an answered ticket, in the order of the survey day (stable, as
    ``merge_asof``), with the ticket's columns, ``hours``, ``log2_hours`` and the controls; and the
    counts of the linking note (answers linked, of them to a ticket without a first response)."""
    rk, tk = _shared_codes(r["customer_id"], t["customer_id"])
    until = _ns(r["date"].dt.normalize() + pd.Timedelta(days=1))
    created = _ns(t["created_at"])
    ti = _link(rk, until, tk, created, pd.Timedelta(days=window_days).value)
    ri = np.flatnonzero(ti >= 0)
    ri = ri[np.argsort(until[ri], kind="stable")]
    ti = ti[ri]
    first = _ns(t["first_response_at"])[ti]
    answered = first != np.iinfo(np.int64).min
    n_linked, n_unanswered = len(ri), int((~answered).sum())
    unmatched = n_linked < len(r)
    ri, ti, first = ri[answered], ti[answered], first[answered]
    t = t.rename(columns={"unit": "ticket_unit"})
    cols = {c: r[c].iloc[ri].reset_index(drop=True) for c in ("response_id", "customer_id", "date", score)
            if c in r.columns}
    cols.update({c: _taken(t[c], ti, unmatched) for c in ("ticket_id", "created_at") if c in t.columns})
    hours = np.clip((first - created[ti]) / 1e9 / 3600, 1 / 60, None)
    cols.update(hours=hours, log2_hours=np.log2(hours))
    for c in controls or []:
        if c in r.columns:
            cols[c] = r[c].iloc[ri].reset_index(drop=True)
        elif c in t.columns:
            cols[c] = _taken(t[c], ti, unmatched)
    return pd.DataFrame(cols), n_linked, n_unanswered


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
    d, n_linked, n_unanswered = _linked_rows(r, t, score=score, controls=controls, window_days=window_days)
    notes = [f"Linking: each answer to the same customer's latest ticket opened within {window_days:g} days before "
             f"the end of the survey day; {n_linked} of {len(r)} answers with a {score} score linked, "
             f"{n_unanswered} of them to a ticket without a first response (left out)."]
    patterns, pattern, complete, design_notes, _ = _pattern_design(d, list(controls or []))
    y = d[score].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    ok = complete & ~np.isnan(y)
    d = d[ok]
    if len(d) < 10:
        raise InsufficientDataError(f"only {len(d)} answers could be linked to an answered ticket; at least 10 are "
                                    "needed (check customer_id in both tables and window_days)")
    x = d["log2_hours"].to_numpy(dtype=float)
    if not (x != x[0]).any():
        raise InsufficientDataError("all linked tickets have the same response time; no effect can be estimated")
    P = np.column_stack([np.ones(len(patterns)), patterns.to_numpy(dtype=float)])
    b, cov = _ols_hc3_patterns(P, pattern[ok], x, y[ok])
    fit = _robust_fit(["const", "log2_hours", *patterns.columns], b, cov, len(d))
    lo, hi = fit.conf_int(alpha=1 - confidence).loc["log2_hours"]
    table = pd.DataFrame([{"term": "per doubling of first-response time", "effect": float(fit.params["log2_hours"]),
                           "ci_low": float(lo), "ci_high": float(hi), "p_value": float(fit.pvalues["log2_hours"]),
                           "n": int(len(d)), "score": score}])
    notes += design_notes
    notes.append(f"OLS of {score} on log2(first-response hours)"
                 + (f" with controls {', '.join(controls)}" if controls else "")
                 + "; HC3 robust standard errors. Effect in scale points of the mean score per doubling.")
    return OutcomeResult(title=f"{score.upper()} and first-response time", table=table, note_list=notes, model=fit,
                         data=d.reset_index(drop=True), digits=3)
