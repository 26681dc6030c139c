"""Unit NPS against unit churn and revenue growth, one point per unit (with the ecological-inference
caveat): :func:`unit_outcomes`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..stats.customers import _churn_columns
from ..stats.metrics import metric_table
from ._inputs import _column
from .join import _unpack
from .results import UnitOutcomes

__all__ = ["unit_outcomes"]

#: :func:`unit_outcomes`' defaults: the window of churn and revenue, and the answers a unit needs to be a point
PERIOD_MONTHS = 12
MIN_RESPONSES = 30


def unit_outcomes(responses=None, customers: pd.DataFrame | None = None, revenue: pd.DataFrame | None = None, *,
                  by: str = "unit", period_months: int = PERIOD_MONTHS, min_responses: int = MIN_RESPONSES,
                  confidence: float = 0.95, end=None, nps_period: tuple | None = None) -> UnitOutcomes:
    """Unit NPS against unit churn rate and revenue growth, one point per unit.

    Parameters
    ----------
    responses, customers, revenue : the tables (or a loaded dataset as the first argument)
    by : unit column (default ``"unit"``)
    period_months : NPS and churn are measured over the ``period_months`` months
        ending at ``end``; revenue growth compares them with the ``period_months``
        before
    min_responses : units with fewer answers are shown but left out of the regressions
    confidence : confidence level of the slopes' intervals and of the lines' bands
    end : last day of the window (a report passes its period's end, so that the chart and the
        report's tables speak of the same months); default: the latest date in the data
    nps_period : (first day, last day) of the answers whose NPS is each unit's point, when it
        is not the 12-month window: a report passes its reporting period, so that each unit's
        NPS on the chart is the NPS of its tables (churn stays a 12-month rate, as in the tables)

    Returns
    -------
    UnitOutcomes
        ``data``: one row per unit - ``by``, ``responses``, ``nps``,
        ``nps_ci_low``, ``nps_ci_high``, ``customers``, ``churn_rate`` (%),
        ``churn_ci_low``, ``churn_ci_high``, ``revenue``, ``revenue_before``,
        ``revenue_growth`` (%), ``in_regression``.
        ``summary``: one row per outcome - ``outcome``, ``slope`` (change per
        NPS point), ``ci_low``, ``ci_high``, ``p_value``, ``r_squared``,
        ``units``, ``window_start``, ``window_end`` (first and last day of the churn and revenue
        window), ``nps_start``, ``nps_end`` (those of the answers), and the
        leave-one-unit-out check: ``slope_without_low`` / ``slope_without_high`` (the least and
        the greatest slope when any one unit is left out), ``most_influential`` (the unit whose
        absence moves the slope most) and ``rests_on_one``: for a significant slope (at
        ``1 - confidence``), True when leaving out one unit turns its sign or leaves it not
        significant; for a slope that is not significant, True when leaving out one unit makes
        it significant.
        ``lines``: fitted line and its confidence band per outcome.
        ``notes``: includes the ecological-inference caveat.

    Notes
    -----
    Ordinary least squares across units (statsmodels OLS, t intervals), each
    unit one point. Churn rate per unit: customers active at the period start
    who left in the period (Wilson), as :func:`cxkit.churn_rate`. Ecological
    inference: a slope across units describes units, not customers
    (Robinson 1950); confounders of units (region, size, customer mix) can
    create or hide it. Use :func:`cox_model` for the customer-level link. With ten or so
    units one unit can make the line: the leave-one-out slopes (a jackknife-style influence
    check, as DFBETA in Belsley, Kuh & Welsch 1980) say whether it does.

    References
    ----------
    Robinson, W. S. (1950). Ecological correlations and the behavior of
    individuals. American Sociological Review 15, 351-357.
    Belsley, D. A., Kuh, E. & Welsch, R. E. (1980). Regression Diagnostics. Wiley.
    """
    responses, customers, revenue = _unpack(responses, customers, revenue)
    if responses is None or customers is None:
        raise ConfigError("unit_outcomes needs responses and customers tables")
    for t, name in ((responses, "responses"), (customers, "customers")):
        _column(t, by, f"{name}: by")
    if "nps" not in responses.columns:
        raise ConfigError("unit_outcomes: responses: column 'nps' missing; unit outcomes are measured on NPS")
    if end is None:
        ends = [responses["date"].max()]
        if _churn_columns(customers):
            ends += [customers["churned_at"].max(), customers["acquired_at"].max()]
        end = max(x for x in ends if pd.notna(x))
    churn_t = churn_by_unit(customers, by=by, end=end, period_months=period_months)
    return _unit_outcomes(responses, churn_t, revenue, customers, by=by, period_months=period_months,
                          min_responses=min_responses, confidence=confidence, end=end, nps_period=nps_period)


def _window(end, period_months: int) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """The outcomes' window: its first day, its last day and the day after (whole days up to ``end``)."""
    last_day = pd.Timestamp(end).normalize()
    stop = last_day + pd.Timedelta(days=1)
    return stop - pd.DateOffset(months=period_months), last_day, stop


def churn_by_unit(customers: pd.DataFrame, *, by: str, end, period_months: int = PERIOD_MONTHS) -> pd.DataFrame:
    """Each unit's churn over the ``period_months`` up to ``end``, as :func:`unit_outcomes` reports it:
    ``by``, ``customers``, ``churn_rate``, ``churn_ci_low``, ``churn_ci_high``. (The report batch's helper,
    which reads the customers, computes it, so that the batch parent never holds the customers' table.)"""
    start, last_day, _ = _window(end, period_months)
    kwargs = dict(start=start, end=last_day) if _churn_columns(customers) else {}
    churn_t = metric_table(customers, metric="churn_rate", by=by, **kwargs)[[by, "n", "value", "ci_low", "ci_high"]]
    churn_t.columns = [by, "customers", "churn_rate", "churn_ci_low", "churn_ci_high"]
    return churn_t


def _unit_outcomes(responses: pd.DataFrame, churn_t: pd.DataFrame, revenue: pd.DataFrame | None,
                   customers: pd.DataFrame | None, *, by: str, period_months: int, min_responses: int,
                   confidence: float, end, nps_period) -> UnitOutcomes:
    """:func:`unit_outcomes` from the responses, each unit's churn (:func:`churn_by_unit`) and the revenue
    (``customers`` only to find the unit of invoices without one; None when they have it)."""
    # the modules themselves, not statsmodels.api (0.27 s against 0.05 s to import; the batch parent
    # calls this at the end of prepare, when one core idles)
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    start, last_day, stop = _window(end, period_months)
    # only the two columns the NPS table needs are gathered (with the import above, at 10M responses the
    # batch's unit outcomes took 0.62 s instead of 0.94 s)
    n0, n1 = (start, stop) if nps_period is None else (pd.Timestamp(nps_period[0]).normalize(),
                                                       pd.Timestamp(nps_period[1]).normalize() + pd.Timedelta(days=1))
    r = responses.loc[(responses["date"] >= n0) & (responses["date"] < n1), [c for c in (by, "nps")
                                                                             if c in responses.columns]]
    nps_t = metric_table(r, metric="nps", by=by)[[by, "n", "value", "ci_low", "ci_high"]]
    nps_t.columns = [by, "responses", "nps", "nps_ci_low", "nps_ci_high"]
    unit_data = nps_t.merge(churn_t, on=by, how="outer")
    notes = []
    outcomes = ["churn_rate"]
    if revenue is not None and len(revenue) and "date" in revenue.columns:
        if by in revenue.columns:  # invoices already carry the unit (e.g. pre-summed per unit and date)
            u = revenue[by].astype(object)
        else:
            u = _unit_of_invoices(revenue["customer_id"], customers["customer_id"], customers[by])
        p0, p1 = start, start - pd.DateOffset(months=period_months)
        cur = (revenue["date"] >= p0) & (revenue["date"] < stop)
        now = revenue["amount"][cur].groupby(u[cur], observed=True).sum()
        sel = (revenue["date"] >= p1) & (revenue["date"] < p0)
        before = revenue["amount"][sel].groupby(u[sel], observed=True).sum()
        if revenue["date"].min() < p1 + pd.Timedelta(days=92):  # a quarterly invoice dated at quarter end
            g = pd.DataFrame({by: now.index.astype(object), "revenue": now.to_numpy()}).merge(
                pd.DataFrame({by: before.index.astype(object), "revenue_before": before.to_numpy()}), on=by,
                how="outer")
            g["revenue_growth"] = 100 * (g["revenue"] / g["revenue_before"] - 1)
            unit_data = unit_data.merge(g, on=by, how="left")
            outcomes.append("revenue_growth")
        else:
            notes.append(f"Revenue growth needs {2 * period_months} months of invoices; the revenue table is shorter.")
    unit_data["in_regression"] = unit_data["responses"].fillna(0) >= min_responses
    z_rows, lines = [], []
    window = {"window_start": start, "window_end": last_day, "nps_start": n0,
              "nps_end": n1 - pd.Timedelta(days=1)}
    for outcome in outcomes:
        d = unit_data[unit_data["in_regression"] & unit_data["nps"].notna() & unit_data[outcome].notna()]
        if len(d) < 3:
            z_rows.append({"outcome": outcome, "slope": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                           "p_value": np.nan, "r_squared": np.nan, "units": len(d), **window,
                           **_without_one(d, by, outcome, confidence)})
            continue
        X = add_constant(d["nps"].to_numpy(dtype=float))
        fit = OLS(d[outcome].to_numpy(dtype=float), X).fit()
        lo, hi = fit.conf_int(alpha=1 - confidence)[1]
        z_rows.append({"outcome": outcome, "slope": float(fit.params[1]), "ci_low": float(lo), "ci_high": float(hi),
                       "p_value": float(fit.pvalues[1]), "r_squared": float(fit.rsquared), "units": len(d), **window,
                       **_without_one(d, by, outcome, confidence)})
        grid = np.linspace(d["nps"].min(), d["nps"].max(), 50)
        pred = fit.get_prediction(add_constant(grid, has_constant="add")).summary_frame(alpha=1 - confidence)
        lines.append(pd.DataFrame({"outcome": outcome, "nps": grid, "fit": pred["mean"].to_numpy(),
                                   "ci_low": pred["mean_ci_lower"].to_numpy(),
                                   "ci_high": pred["mean_ci_upper"].to_numpy()}))
    notes.insert(0, "Ecological inference: each point is a unit, so the slope describes units, not customers. "
                    "Units also differ in region, size and customer mix, which can create or hide the link; "
                    "for the customer-level link use cox_model / churn_relative_risk.")
    notes.append(f"NPS over {n0.date()} to {(n1 - pd.Timedelta(days=1)).date()}, churn and revenue over "
                 f"{start.date()} to {last_day.date()}; units with fewer "
                 f"than {min_responses} answers left out of the regressions.")
    return UnitOutcomes(title=f"Unit NPS vs outcomes ({by})", table=pd.DataFrame(z_rows), note_list=notes,
                        data=unit_data, lines=pd.concat(lines, ignore_index=True) if lines else None, digits=3)


def _unit_of_invoices(invoice_ids: pd.Series, customer_ids: pd.Series, units: pd.Series) -> pd.Series:
    """Each invoice's unit, through its customer (ids compared as text; invoices of unknown customers: missing).

    One factorisation of both id columns and an array lookup, instead of converting millions of invoice
    ids to Python strings and mapping them."""
    both = pd.concat([customer_ids, invoice_ids], ignore_index=True)
    if not isinstance(both.dtype, pd.StringDtype):
        both = both.astype("string")
    codes = pd.factorize(both)[0]
    cat = units if isinstance(units.dtype, pd.CategoricalDtype) else units.astype("category")
    unit_code = np.full(codes.max() + 2, -1, dtype=np.int64)  # -1 (missing id) reads the last slot: -1
    unit_code[codes[:len(customer_ids)]] = cat.cat.codes.to_numpy()
    inv = codes[len(customer_ids):]
    out = pd.Categorical.from_codes(unit_code[inv], categories=cat.cat.categories)
    return pd.Series(out, index=invoice_ids.index)


def _slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of y on x and its two-sided p-value (t with n - 2 degrees of freedom)."""
    from scipy import stats

    res = stats.linregress(x, y)
    return float(res.slope), float(res.pvalue)


def _without_one(d: pd.DataFrame, by: str, outcome: str, confidence: float) -> dict:
    """The slope with each unit left out in turn: its range, the unit that moves it most, and whether
    one unit carries the sign or the significance of the line (needs at least 4 units)."""
    empty = {"slope_without_low": np.nan, "slope_without_high": np.nan, "most_influential": None,
             "rests_on_one": False}
    if len(d) < 4:
        return empty
    x, y = d["nps"].to_numpy(dtype=float), d[outcome].to_numpy(dtype=float)
    slope, p = _slope(x, y)
    alpha = 1 - confidence
    keep = np.ones(len(d), bool)
    slopes, ps = np.empty(len(d)), np.empty(len(d))
    for i in range(len(d)):
        keep[i] = False
        slopes[i], ps[i] = _slope(x[keep], y[keep])
        keep[i] = True
    if p < alpha:  # a real line: does it survive the loss of any one unit (same sign, still significant)?
        flips = (np.sign(slopes) != np.sign(slope)) | (ps >= alpha)
    else:  # no line: does one unit hide one?
        flips = ps < alpha
    return {"slope_without_low": float(slopes.min()), "slope_without_high": float(slopes.max()),
            "most_influential": str(d[by].iloc[int(np.argmax(np.abs(slopes - slope)))]),
            "rests_on_one": bool(flips.any())}
