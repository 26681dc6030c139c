"""Customer metrics: churn rate and hazard, acquisition cost, cost to serve and lifetime value.

Churn in percent (per period, or per month at risk), money in the data's currency. The period of
churn defaults to the 12 months ending at the latest date of the customers table
(:func:`default_period`). Every function returns an :class:`~cxkit.stats.results.Estimate`, except
the two CLV formulas, which compute from given inputs.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.hashing import arrow_text, sum_by_key
from ..errors import ConfigError, InsufficientDataError
from .intervals import _poisson_interval, bootstrap_sums
from .results import Estimate, _as_ts, _mean_estimate, _with, share

__all__ = ["churn_rate", "churn_hazard", "cac", "cost_to_serve", "clv_formula", "clv_retention_formula", "clv"]

#: days in an average month, for customer-months at risk
DAYS_PER_MONTH = 365.25 / 12


def default_period(customers: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 12 months ending at the latest acquisition or churn date in the table."""
    last = max(x for x in (customers["churned_at"].max(), customers["acquired_at"].max()) if pd.notna(x))
    return last - pd.DateOffset(years=1), last


def _churn_columns(customers: pd.DataFrame):
    has_dates = "acquired_at" in customers.columns and "churned_at" in customers.columns
    has_flag = "churned" in customers.columns and "tenure_months" in customers.columns
    if not (has_dates or has_flag):
        raise ConfigError("customers: churn needs acquired_at and churned_at, or churned and tenure_months "
                          "(map your export's columns onto them)")
    return has_dates


def churn_rate(customers: pd.DataFrame, *, start=None, end=None, method: str = "wilson",
               confidence: float = 0.95) -> Estimate:
    """Period churn rate: customers who left in (start, end] / customers active at start, in %.

    The period defaults to the 12 months ending at the latest date in the table.
    Without dates (a snapshot export with a ``churned`` flag) it is the share
    of customers flagged as churned.

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``acquired_at`` and ``churned_at``, or a ``churned`` flag
        and ``tenure_months``.
    start, end : date-like, optional
        The period; default the 12 months ending at the latest date in the table.
    method : str
        Interval method, as :func:`share` (default ``"wilson"``).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % churned with its interval; ``details`` holds the period, churned and active at start.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"acquired_at": pd.to_datetime(["2024-01-01"] * 4 + ["2025-03-01"]),
    ...                   "churned_at": pd.to_datetime([None, "2025-02-01", None, "2024-06-01", None])})
    >>> churn_rate(c, start="2025-01-01", end="2025-12-31").value  # 1 of 3 active on 1 Jan left
    33.33333333333333
    """
    if _churn_columns(customers):
        d_start, d_end = default_period(customers)
        start = _as_ts(start) if start is not None else d_start
        end = _as_ts(end) if end is not None else d_end
        acquired, churned = customers["acquired_at"], customers["churned_at"]
        active = (acquired <= start) & (churned.isna() | (churned > start))
        left = active & churned.notna() & (churned <= end)
        k, n = int(left.sum()), int(active.sum())
        period = f"{start.date()} to {end.date()}"
    else:
        flag = customers["churned"].dropna().astype(bool)
        k, n = int(flag.sum()), int(flag.size)
        period = "snapshot (churned flag)"
    est = share(k, n, method=method, confidence=confidence, metric="churn_rate")
    return _with(est, period=period, churned=k, active_at_start=n)


def _exposure(customers: pd.DataFrame, start=None, end=None):
    """Events and customer-months at risk per customer (arrays)."""
    if _churn_columns(customers):
        acquired, churned = customers["acquired_at"], customers["churned_at"]
        d_start, d_end = default_period(customers)
        start = _as_ts(start) if start is not None else d_start
        end = _as_ts(end) if end is not None else d_end
        entry = acquired.where(acquired > start, start)
        exit_ = churned.where(churned.notna() & (churned < end), end)
        months = ((exit_ - entry).dt.total_seconds() / 86400 / DAYS_PER_MONTH).clip(lower=0).fillna(0).to_numpy()
        events = (churned.notna() & (churned > start) & (churned <= end)).to_numpy()
    else:
        months = customers["tenure_months"].astype(float).fillna(0).to_numpy()
        events = customers["churned"].fillna(False).astype(bool).to_numpy()
    return events.astype(float), months


def churn_hazard(customers: pd.DataFrame, *, start=None, end=None, confidence: float = 0.95) -> Estimate:
    """Monthly churn hazard: churn events / customer-months at risk, in % per month.

    Exposure counts from max(acquired_at, start) to min(churned_at, end); the
    period defaults to the 12 months ending at the latest date in the table.

    Exact (Garwood) Poisson interval: [chi2(alpha/2, 2k) / 2T, chi2(1 - alpha/2, 2k + 2) / 2T].

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``acquired_at`` and ``churned_at``, or a ``churned`` flag
        and ``tenure_months``.
    start, end : date-like, optional
        The period; default the 12 months ending at the latest date in the table.
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % per month with the exact Poisson interval; ``details`` holds events and customer-months.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"churned": [True, False, False, True], "tenure_months": [5, 20, 10, 5]})
    >>> round(churn_hazard(c).value, 3)  # 2 events in 40 customer-months
    5.0
    """
    events, months = _exposure(customers, start, end)
    k, T = float(events.sum()), float(months.sum())
    if T <= 0:
        raise InsufficientDataError("churn hazard needs customer-months at risk; got 0")
    low, high = _poisson_interval(k, T, confidence)
    return Estimate("churn_hazard", 100 * k / T, 100 * float(low), 100 * float(high), int(len(months)),
                    "exact Poisson", confidence, "% per month", {"events": int(k), "customer_months": T})


def _mean_of(customers, column, metric, confidence, mask=None):
    if column not in customers.columns:
        raise ConfigError(f"customers: column {column!r} missing (see data/README.md)")
    s = customers[column] if mask is None else customers.loc[mask, column]
    return _mean_estimate(s.dropna().to_numpy(dtype=float), metric, "currency", confidence)


def cac(customers: pd.DataFrame, *, start=None, end=None, confidence: float = 0.95) -> Estimate:
    """Customer acquisition cost: acquisition spend / new customers (t interval on the mean).

    Customers acquired in [start, end] (all if not given).

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``acquisition_cost`` (and ``acquired_at`` for a period).
    start, end : date-like, optional
        Acquisition period (inclusive); default all customers.
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        Mean acquisition cost with its t interval, in the data's currency.

    Examples
    --------
    >>> import pandas as pd
    >>> cac(pd.DataFrame({"acquisition_cost": [100.0, 50.0, 90.0]})).value
    80.0
    """
    mask = None
    if (start is not None or end is not None) and "acquired_at" in customers.columns:
        mask = pd.Series(True, index=customers.index)
        if start is not None:
            mask &= customers["acquired_at"] >= _as_ts(start)
        if end is not None:
            mask &= customers["acquired_at"] <= _as_ts(end)
    return _mean_of(customers, "acquisition_cost", "cac", confidence, mask)


def cost_to_serve(customers: pd.DataFrame, *, confidence: float = 0.95) -> Estimate:
    """Mean yearly cost to serve a customer (t interval).

    Parameters
    ----------
    customers : DataFrame
        Customers table with ``cost_to_serve``.
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        Mean yearly cost to serve with its t interval, in the data's currency.

    Examples
    --------
    >>> import pandas as pd
    >>> cost_to_serve(pd.DataFrame({"cost_to_serve": [10.0, 20.0, 30.0]})).value
    20.0
    """
    return _mean_of(customers, "cost_to_serve", "cost_to_serve", confidence)


def clv_formula(annual_revenue_per_customer, relationship_years, cac=0.0):
    """CLV as the source material defines it: annual revenue per customer x years - CAC.

    Parameters
    ----------
    annual_revenue_per_customer : float or array-like
        Yearly revenue per customer.
    relationship_years : float or array-like
        Expected years a customer stays.
    cac : float or array-like
        Customer acquisition cost, default 0.

    Returns
    -------
    float or ndarray
        The CLV (a float for scalar inputs).

    Examples
    --------
    >>> clv_formula(1200.0, 3.5, 400.0)
    3800.0
    """
    out = np.asarray(annual_revenue_per_customer) * np.asarray(relationship_years) - np.asarray(cac)
    return float(out) if out.ndim == 0 else out


def clv_retention_formula(margin, retention, discount=0.10):
    """Retention-based CLV: m r / (1 + d - r), yearly margin m, retention r, discount d.

    Parameters
    ----------
    margin : float or array-like
        Yearly margin per customer m.
    retention : float or array-like
        Yearly retention rate r, between 0 and 1.
    discount : float or array-like
        Yearly discount rate d, default 0.10.

    Returns
    -------
    float or ndarray
        The CLV (a float for scalar inputs).

    Examples
    --------
    >>> round(float(clv_retention_formula(100.0, 0.8, 0.1)), 2)
    266.67
    """
    margin, retention, discount = np.asarray(margin), np.asarray(retention), np.asarray(discount)
    if np.any((retention < 0) | (retention >= 1 + discount)):
        raise ConfigError("retention must be between 0 and 1")
    out = margin * retention / (1 + discount - retention)
    return float(out) if np.ndim(out) == 0 else out


def _amount_per_customer(ids: pd.Series, rev: pd.DataFrame, start=None, end=None) -> np.ndarray:
    """Revenue per customer of ``ids`` (0 without invoices) from the invoices dated from ``start`` to ``end``.
    Ids are compared as text: looked up by hash (:func:`cxkit.data.hashing.sum_by_key`) when the customers'
    ids are distinct, else grouped and reindexed by pandas."""
    inside = np.ones(len(rev), dtype=bool)
    if start is not None:
        inside &= (rev["date"] >= _as_ts(start)).to_numpy()
    if end is not None:
        inside &= (rev["date"] <= _as_ts(end)).to_numpy()
    amount = rev["amount"].to_numpy(dtype=float, na_value=np.nan)
    sums = sum_by_key(arrow_text(ids), arrow_text(rev["customer_id"]), np.where(inside, amount, 0.0))
    if sums is not None:
        return sums
    rev = rev[inside]
    keys = rev["customer_id"]
    if not (isinstance(keys.dtype, pd.StringDtype) and isinstance(ids.dtype, pd.StringDtype)):
        keys, ids = keys.astype(str), ids.astype(str)
    total = rev["amount"].groupby(keys, observed=True).sum()
    return total.reindex(pd.Index(ids)).fillna(0.0).to_numpy(dtype=float)


def _customer_inputs(customers: pd.DataFrame, revenue: pd.DataFrame | None, start, end):
    """Per-customer annual revenue, churn events, months at risk, CAC and cost to serve."""
    events, months = _exposure(customers, start, end)
    if revenue is not None and len(revenue) and "customer_id" in customers.columns:
        amount = _amount_per_customer(customers["customer_id"], revenue, start, end)
    elif "monthly_revenue" in customers.columns:
        amount = customers["monthly_revenue"].fillna(0).to_numpy(dtype=float) * months
    else:
        raise ConfigError("CLV needs revenue: a revenue table or a monthly_revenue column in customers")
    acq = customers["acquisition_cost"].to_numpy(dtype=float) if "acquisition_cost" in customers.columns else None
    cts = customers["cost_to_serve"].to_numpy(dtype=float) if "cost_to_serve" in customers.columns else None
    return events, months, amount, acq, cts


def _clv_from_sums(events, months, amount, acq_sum, acq_n, cts_sum, cts_n, method, discount):
    """CLV from summed inputs (arrays allowed: bootstrap replicates)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        annual_revenue = amount / months * 12  # revenue per customer-year at risk
        hazard = events / months  # per month
        cac_ = np.where(acq_n > 0, acq_sum / np.maximum(acq_n, 1), 0.0)
        cts_ = np.where(cts_n > 0, cts_sum / np.maximum(cts_n, 1), 0.0)
        if method == "simple":
            years = 1 / (12 * hazard)
            return annual_revenue * years - cac_
        retention = np.exp(-12 * hazard)
        margin = annual_revenue - cts_
        return margin * retention / (1 + discount - retention)


def clv(customers: pd.DataFrame, revenue: pd.DataFrame | None = None, *, method: str = "simple",
        discount: float = 0.10, start=None, end=None, confidence: float = 0.95, n_boot: int = 1000,
        seed: int = 0) -> Estimate:
    """Customer lifetime value estimated from the data, with a bootstrap interval.

    Parameters
    ----------
    customers : customers table (churn dates or flag + tenure; acquisition_cost,
        cost_to_serve optional)
    revenue : revenue table (or a ``monthly_revenue`` column in customers)
    method : ``"simple"`` - the source material's formula: annual revenue per
        customer x expected relationship years (1 / yearly churn hazard) - CAC;
        ``"retention"`` - margin x r / (1 + d - r) with yearly margin = revenue -
        cost to serve and retention r = exp(-12 x monthly hazard).
    discount : yearly discount rate d for ``"retention"``
    n_boot, seed : percentile bootstrap over customers (seeded, reproducible); above
        n x n_boot = 5e7 the resampled sums are drawn from their large-sample normal
        distribution (:func:`cxkit.stats.intervals.bootstrap_sums`)

    Returns
    -------
    Estimate
        CLV in the data's currency with its percentile bootstrap interval (NaN without ``n_boot``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "churned": [True, False], "tenure_months": [12.0, 12.0],
    ...                   "monthly_revenue": [10.0, 10.0], "acquisition_cost": [20.0, 20.0]})
    >>> clv(c, n_boot=0).value  # 120/yr x 2 years (1 churn per 24 customer-months) - 20
    220.0
    """
    if method not in ("simple", "retention"):
        raise ConfigError(f"method={method!r} - expected 'simple' or 'retention'")
    events, months, amount, acq, cts = _customer_inputs(customers, revenue, start, end)
    zeros = np.zeros(len(events))
    acq_ok = ~np.isnan(acq) if acq is not None else zeros.astype(bool)
    cts_ok = ~np.isnan(cts) if cts is not None else zeros.astype(bool)
    columns = np.vstack([events, months, amount,
                         np.where(acq_ok, np.nan_to_num(acq) if acq is not None else zeros, 0.0), acq_ok,
                         np.where(cts_ok, np.nan_to_num(cts) if cts is not None else zeros, 0.0), cts_ok]).T
    n = len(events)
    if n == 0 or months.sum() <= 0:
        raise InsufficientDataError("CLV needs customers with time at risk; got none")
    if events.sum() == 0 and method == "simple":
        raise InsufficientDataError("CLV (simple) needs at least one churn event to estimate relationship years")
    value = float(_clv_from_sums(*columns.sum(axis=0), method, discount))
    low = high = np.nan
    if n_boot:
        # bootstrap over customers: each replicate's sums are multinomial weights @ columns
        reps = _clv_from_sums(*bootstrap_sums(columns, n_boot, np.random.default_rng(seed)).T, method, discount)
        reps = reps[np.isfinite(reps)]
        a = (1 - confidence) / 2
        if reps.size:
            low, high = float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))
    return Estimate(f"clv_{method}", value, low, high, n, "percentile bootstrap" if n_boot else "point estimate",
                    confidence, "currency", {"discount": discount} if method == "retention" else {})
