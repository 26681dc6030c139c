"""From satisfaction to churn and revenue, measured on the company's own data.

Start with :func:`join_outcomes`: it links survey answers to customers, churn
and revenue by ``customer_id`` with a documented rule and reports how many
customers and answers matched. Every other function takes its result (or a
customers table, for analyses that need no survey, e.g. churn by contract type):

* churn: :func:`churn_by_group` (Wilson and exact Poisson intervals),
  :func:`churn_relative_risk` (Katz / log rate ratio), :func:`churn_logit`
  (odds ratios, statsmodels), :func:`kaplan_meier` and :func:`cox_model`
  (hazard ratios with the proportional-hazards check, lifelines);
* revenue: :func:`revenue_by_group`, :func:`revenue_at_risk` (industry
  heuristic and model-based, clearly labelled), :func:`clv_by_group`,
  :func:`nps_point_value`;
* across units: :func:`unit_outcomes` (with the ecological-inference caveat);
* service: :func:`response_time_effect` (CSAT per doubling of first-response time).

Methods, formulas and sources: ``docs/statistics.md``, section 11.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._printer import Result, format_number
from ..stats.comparisons import _numeric_column
from ..errors import ConfigError, InsufficientDataError
from ..stats.metrics import (DAYS_PER_MONTH, bootstrap_counts, _churn_columns, _mean_interval, _poisson_interval, _share_interval, _z, clv,
                      nps_group)

__all__ = [
    "OutcomeData", "OutcomeResult", "SurvivalCurves", "UnitOutcomes",
    "join_outcomes", "churn_by_group", "churn_relative_risk", "churn_logit", "kaplan_meier", "cox_model",
    "revenue_by_group", "revenue_at_risk", "clv_by_group", "nps_point_value", "unit_outcomes",
    "response_time_effect", "HEURISTIC_CHURN_SHARES",
]

#: Industry heuristic of revenue at risk (SurveyMonkey CX "Revenue Impact", Promoter.io):
#: share of each group assumed to leave, and the label of that risk.
HEURISTIC_CHURN_SHARES = {"detractor": (0.5, "short-term"), "passive": (0.3, "long-term")}
NPS_ORDER = ["detractor", "passive", "promoter"]
SCORES = ("nps", "csat", "ces")


# --------------------------------------------------------------------------------------
# result objects


@dataclass
class OutcomeResult(Result):
    """A result with a ``summary`` table and plain-language ``notes``.

    ``model`` holds the fitted statsmodels / lifelines object where there is one,
    ``data`` the rows the result was computed from.
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
    """

    counts: dict = field(default_factory=dict)
    rule: str = "latest"


@dataclass
class SurvivalCurves(OutcomeResult):
    """Kaplan-Meier curves per group: ``summary`` (survival at chosen months),
    ``curves`` (the full step curves for plotting) and ``logrank_p``."""

    curves: pd.DataFrame | None = None
    logrank_p: float = np.nan


@dataclass
class UnitOutcomes(OutcomeResult):
    """Unit-level NPS against churn and revenue growth: ``data`` one row per unit,
    ``summary`` one regression per outcome, ``lines`` fitted lines with bands."""

    lines: pd.DataFrame | None = None


# --------------------------------------------------------------------------------------
# joining


def _ids(s: pd.Series) -> pd.Series:
    return s.astype("string").astype(object)


def _arrow_ids(s: pd.Series):
    """Ids as an Arrow string array, compared as :func:`_ids` compares them (text, whatever the dtype)."""
    import pyarrow as pa

    return pa.array(s.astype(pd.StringDtype("pyarrow")))


def _positions(ids: pd.Series, keys) -> np.ndarray:
    """Position of each id in ``keys`` (an :func:`_arrow_ids` array), -1 where absent or missing. Hashed in
    Arrow: no Python string per id (a unit's 650,000 invoices: 0.19 s -> 0.03 s)."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.index_in(_arrow_ids(ids), value_set=keys, skip_nulls=True), -1).to_numpy().astype(np.int64)


def _months(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return ((later - earlier).dt.total_seconds() / 86400 / DAYS_PER_MONTH).to_numpy(dtype=float)


def _unpack(responses, customers, revenue):
    """Allow ``join_outcomes(dataset)`` with a loaded :class:`cxkit.io.Dataset`."""
    if responses is not None and not isinstance(responses, pd.DataFrame) and hasattr(responses, "tables"):
        ds = responses
        return ds.responses, ds.customers if customers is None else customers, ds.revenue if revenue is None else revenue
    return responses, customers, revenue


def join_outcomes(responses=None, customers: pd.DataFrame | None = None, revenue: pd.DataFrame | None = None, *,
                  score: str = "nps", rule: str = "latest", before=None, end=None, revenue_months: int = 12,
                  bands: dict | None = None) -> OutcomeData:
    """Link survey answers to customers, churn and revenue by ``customer_id``.

    Parameters
    ----------
    responses : responses table (or a loaded ``cx.load(...)`` dataset, whose
        responses, customers and revenue are then used); None for a customer-only
        analysis (e.g. churn by contract type in a CRM export).
    customers : customers table with churn dates (``acquired_at``, ``churned_at``)
        or a churn flag and tenure (``churned``, ``tenure_months``).
    revenue : revenue table (invoices); without it a ``monthly_revenue`` column of
        customers is used when present.
    score : the answer that must be present in the response used: ``"nps"``
        (default), ``"csat"`` or ``"ces"``.
    rule : ``"latest"`` (default) - each customer's latest answer; ``"mean"`` -
        the average of all the customer's answers (each score averaged over the
        answers that have it; the NPS group is that of the rounded mean).
    before : outcome-window start (date). Only answers dated before it are used,
        follow-up of every customer active on that date starts on it (a
        landmark analysis), and customers who left or joined later are left out.
        Default None: follow-up starts at the answer used (``rule="latest"``)
        or at the customer's last answer (``rule="mean"``).
    end : end of follow-up (default: the latest date in the tables).
    revenue_months : length of the revenue window for ``monthly_revenue``
        (months ending at the latest invoice date).
    bands : NPS bands, as in :func:`cxkit.nps_group`.

    Returns
    -------
    OutcomeData
        ``.data``: one row per customer with ``customer_id``, the customer's own
        columns (``unit``, ``segment``, ...), ``matched`` (a usable answer was
        found), ``responses`` (answers used), ``survey_date``, ``nps``, ``csat``,
        ``ces``, ``nps_group``, ``origin`` (start of follow-up), ``months``
        (follow-up in months), ``churned`` (left during follow-up), ``active``
        (still a customer at the end), ``tenure_at_start`` (months as a customer
        when follow-up started), ``monthly_revenue``.
        ``.summary``: ``item``, ``count`` - customers matched / not matched,
        answers used / ignored and why, invoices not matched (the same numbers
        by key in ``.counts``).
        ``.notes``: the rule in words.

    Notes
    -----
    Rule (dated customers): answers given on or after the day the customer
    left, after ``end`` or on/after ``before`` are ignored, because an answer
    given when leaving cannot predict leaving. Follow-up runs from the origin to ``churned_at`` (an
    event) or to ``end`` (censored). Customers without a usable answer keep
    ``matched = False`` and follow-up from ``acquired_at``; group analyses by
    ``nps_group`` leave them out, analyses by other columns keep them.

    Customers with a churn flag and tenure but no dates: follow-up is
    ``tenure_months`` and the event is ``churned``; the answer used is the
    customer's latest (or mean), whatever its date.

    Monthly revenue: invoices dated in the ``revenue_months`` months ending at
    the latest invoice date, divided by the months the customer was active in
    that window (at least one month needed; otherwise missing). With quarterly
    or monthly invoices dated at the end (or start) of the period they bill,
    that window holds exactly ``revenue_months`` months of billing.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"customer_id": ["a", "a", "b", "x"], "nps": [3, 9, 10, 5],
    ...                   "date": pd.to_datetime(["2025-01-10", "2025-03-01", "2025-02-01", "2025-02-01"])})
    >>> c = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                   "acquired_at": pd.to_datetime(["2023-01-01"] * 3),
    ...                   "churned_at": pd.to_datetime([None, "2025-08-01", None])})
    >>> j = join_outcomes(r, c, end="2025-12-31")
    >>> j.data[["customer_id", "nps", "nps_group", "churned"]]
      customer_id   nps nps_group  churned
    0           a   9.0  promoter    False
    1           b  10.0  promoter     True
    2           c   NaN       NaN    False
    >>> j.counts["customers_matched"], j.counts["responses_unknown_customer"]
    (2, 1)
    """
    responses, customers, revenue = _unpack(responses, customers, revenue)
    if customers is None or not isinstance(customers, pd.DataFrame):
        raise ConfigError("join_outcomes needs a customers table (customer_id plus churn dates or a churn flag)")
    if "customer_id" not in customers.columns:
        raise ConfigError("customers: column 'customer_id' missing; map your export's customer id onto it")
    if rule not in ("latest", "mean"):
        raise ConfigError(f"rule={rule!r} - expected 'latest' (the customer's latest answer) or 'mean'")
    if score not in SCORES:
        raise ConfigError(f"score={score!r} - expected one of {', '.join(SCORES)}")
    dated = _churn_columns(customers)
    cust = customers.drop(columns=[c for c in ("_row",) if c in customers.columns]).copy()
    cust["customer_id"] = _ids(cust["customer_id"])
    dup = cust["customer_id"].duplicated()
    if dup.any():
        raise ConfigError(f"customers: customer_id {cust.loc[dup, 'customer_id'].iloc[0]!r} appears more than once; "
                          "each customer must have one row")
    customer_at = _arrow_ids(cust["customer_id"])  # ids are found by their position in it
    before = None if before is None else pd.Timestamp(before)
    counts: dict[str, int] = {"customers": len(cust)}

    # end of follow-up ---------------------------------------------------------------
    if end is None:
        candidates = []
        if dated:
            candidates += [cust["acquired_at"].max(), cust["churned_at"].max()]
        if responses is not None and "date" in responses.columns and len(responses):
            candidates.append(responses["date"].max())
        if revenue is not None and len(revenue):
            candidates.append(revenue["date"].max())
        candidates = [c for c in candidates if pd.notna(c)]
        end = max(candidates) if candidates else None
    else:
        end = pd.Timestamp(end)

    # answers ------------------------------------------------------------------------
    # each customer's answer, keyed by the customer's row position (no answers: none matched)
    answers = pd.DataFrame({"_pos": pd.Series(dtype=np.int64), "survey_date": pd.Series(dtype="datetime64[ns]"),
                            **{s: pd.Series(dtype=float) for s in SCORES}, "responses": pd.Series(dtype=float)})
    if responses is not None:
        for c in ("customer_id", score):
            if c not in responses.columns:
                raise ConfigError(f"responses: column {c!r} missing; it is needed to link answers to customers")
        if "date" not in responses.columns and (dated or before is not None):
            raise ConfigError("responses: column 'date' missing; it is needed to order answers and start follow-up")
        cols = ["customer_id"] + [c for c in ("date", *SCORES) if c in responses.columns]
        r = responses[cols].copy()
        counts["responses_with_score"] = int(r[score].notna().sum())
        r = r[r[score].notna()]
        no_id = r["customer_id"].isna()
        counts["responses_without_customer_id"] = int(no_id.sum())
        r = r[~no_id]
        pos = _positions(r["customer_id"], customer_at)  # integer keys: no string hashing from here on
        known = pos >= 0
        counts["responses_unknown_customer"] = int((~known).sum())
        r = r[known].drop(columns="customer_id").assign(_pos=pos[known])
        for s in SCORES:
            r[s] = _numeric_column(r, s) if s in r.columns else np.nan  # Float64 round trip: 20 ms a column
        if "date" not in r.columns:
            r["date"] = pd.NaT
        ignore = pd.Series(False, index=r.index)
        if dated:
            left = pd.Series(cust["churned_at"].to_numpy()[r["_pos"].to_numpy()], index=r.index)
            after_churn = left.notna() & (r["date"] >= left)  # on the day of leaving or later
            counts["responses_after_churn"] = int(after_churn.sum())
            ignore |= after_churn
        if end is not None and r["date"].notna().any():
            late = ~ignore & (r["date"] > end)
            counts["responses_after_end"] = int(late.sum())
            ignore |= late
        if before is not None:
            late = ~ignore & (r["date"] >= before)
            counts["responses_in_outcome_window"] = int(late.sum())
            ignore |= late
        r = r[~ignore]
        counts["responses_used"] = int(len(r)) if rule == "mean" else int(r["_pos"].nunique())
        if rule == "latest":
            r = r.sort_values(["_pos", "date"], kind="stable")
            n_used = r.groupby("_pos", sort=False).size()
            answers = r.drop_duplicates("_pos", keep="last").set_index("_pos")
            answers = answers.rename(columns={"date": "survey_date"})
            answers["responses"] = 1
            counts["responses_not_latest"] = int(n_used.sum() - len(n_used))
        else:
            g = r.groupby("_pos", sort=False)
            answers = g[list(SCORES)].mean()
            answers["survey_date"] = g["date"].max()
            answers["responses"] = g.size()
        answers = answers.reset_index()[["_pos", "survey_date", *SCORES, "responses"]]

    out = cust.assign(_pos=np.arange(len(cust))).merge(answers, on="_pos", how="left")  # cust's row order
    out["matched"] = out["responses"].notna()
    out["responses"] = out["responses"].fillna(0).astype(int)
    nps_values = out["nps"].to_numpy(dtype=float)
    if rule == "mean":
        nps_values = np.floor(nps_values + 0.5)
    out["nps_group"] = nps_group(nps_values, bands=bands).to_numpy()
    out["nps_group"] = pd.Categorical(out["nps_group"], categories=NPS_ORDER, ordered=True)
    counts["customers_matched"] = int(out["matched"].sum())
    counts["customers_without_response"] = int((~out["matched"]).sum())

    # follow-up ----------------------------------------------------------------------
    if dated:
        acquired, churned_at = out["acquired_at"], out["churned_at"]
        if before is not None:
            origin = pd.Series(before, index=out.index)
            at_risk = (acquired.isna() | (acquired <= before)) & (churned_at.isna() | (churned_at > before))
            counts["customers_not_active_at_window_start"] = int((~at_risk).sum())
        else:
            origin = out["survey_date"].where(out["matched"], acquired)
            at_risk = origin.notna()
            counts["customers_without_start_date"] = int((~at_risk).sum())
        stop = churned_at.where(churned_at.notna() & (churned_at <= end), end) if end is not None else churned_at
        out["origin"] = origin
        left = churned_at.notna() & (churned_at > origin)
        if end is not None:
            left &= churned_at <= end
        out["churned"] = left.to_numpy()
        out["months"] = np.clip(_months(stop, origin), 0, None)
        out["tenure_at_start"] = _months(origin, acquired)
        out = out[at_risk.to_numpy()].reset_index(drop=True)
    else:
        out["origin"] = pd.NaT
        out["churned"] = out["churned"].astype("boolean").fillna(False).astype(bool).to_numpy()
        out["months"] = out["tenure_months"].astype(float)
        out["tenure_at_start"] = np.nan
    out["churned"] = out["churned"].astype(bool)
    out["active"] = ~out["churned"]
    counts["customers_churned"] = int(out["churned"].sum())

    # revenue ------------------------------------------------------------------------
    notes = []
    if revenue is not None and len(revenue):
        for c in ("customer_id", "date", "amount"):
            if c not in revenue.columns:
                raise ConfigError(f"revenue: column {c!r} missing (see data/README.md)")
        rpos = _positions(revenue["customer_id"], customer_at)
        counts["invoices_unknown_customer"] = int((rpos < 0).sum())
        last = revenue["date"].max()
        start = last - pd.DateOffset(months=revenue_months)
        inside = ((revenue["date"] > start) & (revenue["date"] <= last)).to_numpy() & (rpos >= 0)
        amount = revenue.loc[inside, "amount"].groupby(rpos[inside]).sum()
        if dated:
            a0 = out["acquired_at"].where(out["acquired_at"].notna() & (out["acquired_at"] > start), start)
            a1 = out["churned_at"].where(out["churned_at"].notna() & (out["churned_at"] < last), last)
            active_months = np.clip(_months(a1, a0), 0, None)
        else:
            active_months = np.minimum(out["tenure_months"].astype(float).to_numpy(), revenue_months)
        total = out["_pos"].map(amount).fillna(0.0).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["monthly_revenue"] = np.where(active_months >= 1, total / active_months, np.nan)
        notes.append(f"Monthly revenue: invoices from {(start + pd.Timedelta(days=1)).date()} to {last.date()} "
                     f"divided by the months each customer was active in that window (at least 1 month).")
    elif "monthly_revenue" in out.columns:
        out["monthly_revenue"] = out["monthly_revenue"].astype(float)
        notes.append("Monthly revenue: the customers table's monthly_revenue column.")
    else:
        out["monthly_revenue"] = np.nan
        notes.append("No revenue: give a revenue table or a monthly_revenue column for the revenue analyses.")

    out = out.drop(columns="_pos")
    lead = ["customer_id"] + [c for c in ("unit", "segment", "region") if c in out.columns]
    new = ["matched", "responses", "survey_date", *SCORES, "nps_group", "origin", "months", "churned", "active",
           "tenure_at_start", "monthly_revenue"]
    rest = [c for c in out.columns if c not in lead and c not in new]
    out = out[lead + new + rest]

    what = "latest answer" if rule == "latest" else "average of all answers"
    if dated and before is None:
        rule_text = (f"Each customer's {what} with a {score} score, given before leaving and by {_d(end)}; "
                     f"follow-up from {'that answer' if rule == 'latest' else 'the last answer'} to leaving "
                     f"(churn) or {_d(end)} (censored). Customers without an answer: follow-up from acquisition.")
    elif dated:
        rule_text = (f"Landmark at {_d(before)}: each customer's {what} with a {score} score before that date; "
                     f"customers active on {_d(before)} followed to leaving (churn) or {_d(end)} (censored).")
    else:
        rule_text = (f"Each customer's {what} with a {score} score; follow-up = tenure_months, event = churned "
                     "flag (the customers table has no dates).")
    labels = {
        "customers": "customers in the customers table",
        "customers_matched": "customers matched to a survey answer",
        "customers_without_response": "customers without a usable survey answer",
        "customers_not_active_at_window_start": "customers not active at the outcome-window start (left out)",
        "customers_without_start_date": "customers without a start date (left out)",
        "customers_churned": "customers who left during follow-up",
        "responses_with_score": f"answers with a {score} score",
        "responses_used": "answers used",
        "responses_not_latest": "earlier answers of matched customers (not used by rule='latest')",
        "responses_without_customer_id": "answers without a customer_id (not linked)",
        "responses_unknown_customer": "answers whose customer_id is not in customers (not linked)",
        "responses_after_churn": "answers given on or after the day the customer left (ignored)",
        "responses_after_end": "answers after the end of follow-up (ignored)",
        "responses_in_outcome_window": "answers on or after the outcome-window start (ignored)",
        "invoices_unknown_customer": "invoices whose customer_id is not in customers",
    }
    keys = [k for k in labels if k in counts]
    table = pd.DataFrame({"item": [labels[k] for k in keys], "count": [counts[k] for k in keys]})
    return OutcomeData(title=f"Customers linked to survey answers (rule: {rule})", table=table,
                       note_list=[rule_text] + notes, data=out, counts=counts, rule=rule, digits=0)


def _d(ts) -> str:
    return "the end of the data" if ts is None else str(pd.Timestamp(ts).date())


def _frame(data) -> pd.DataFrame:
    """Customer-level frame from an OutcomeData, a joined frame or a plain customers table."""
    if isinstance(data, OutcomeData):
        return data.data
    if isinstance(data, pd.DataFrame):
        if "months" in data.columns and "churned" in data.columns:
            extra = {}
            if "active" not in data.columns:
                extra["active"] = ~data["churned"].astype("boolean").fillna(False).astype(bool)
            if "monthly_revenue" not in data.columns:
                extra["monthly_revenue"] = np.nan
            return data.assign(**extra) if extra else data
        return join_outcomes(None, data).data
    if data is not None and hasattr(data, "tables"):
        return join_outcomes(data).data
    raise ConfigError("expected the result of cx.join_outcomes(...) or a customers table")


def _frame_with(data, needed: Sequence[str]) -> pd.DataFrame:
    """A table that already has the ``needed`` columns is used as it is (e.g. any survival
    data set); otherwise it is taken for a customers table and joined."""
    if isinstance(data, pd.DataFrame) and all(c in data.columns for c in needed):
        return data
    return _frame(data)


def _column(frame: pd.DataFrame, name: str, what: str = "by") -> pd.Series:
    if name not in frame.columns:
        raise ConfigError(f"{what}={name!r}: no such column; available: {', '.join(map(str, frame.columns))}")
    return frame[name]


def _groups(frame: pd.DataFrame, by: str) -> tuple[pd.Series, list]:
    """The grouping column as a categorical and its observed levels in order."""
    s = _column(frame, by)
    if not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("category")
    levels = [lv for lv in s.cat.categories if (s == lv).any()]
    if not levels:
        raise InsufficientDataError(f"by={by!r}: no customer has a value in this column"
                                    + (" - were the survey answers linked (join_outcomes)?" if by == "nps_group" else ""))
    return s, levels


def _restrict(frame: pd.DataFrame, horizon):
    """Binary churn within ``horizon`` months: known outcome rows, event flag, capped months."""
    months = frame["months"].to_numpy(dtype=float)
    churned = frame["churned"].to_numpy(dtype=bool)
    ok = ~np.isnan(months)
    if horizon is None:
        return ok, churned, months
    if horizon <= 0:
        raise ConfigError(f"horizon={horizon!r} - expected a number of months > 0")
    event = churned & (months <= horizon)
    known = ok & (event | (months >= horizon))
    return known, event, np.minimum(months, horizon)


# --------------------------------------------------------------------------------------
# churn


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


def _default_reference(by: str, levels: list, reference):
    if reference is None:
        reference = "promoter" if by == "nps_group" else levels[0]
    if reference not in levels:
        raise ConfigError(f"reference={reference!r} is not a group of {by!r}; groups: {', '.join(map(str, levels))}")
    return reference


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


def _design(frame: pd.DataFrame, terms: Sequence[str], references: dict | None = None):
    """Numeric design matrix: numbers as they are, categories as 0/1 dummies.

    Returns (X, notes, term_of_column). Rows with a missing value are dropped by the caller.
    """
    references = references or {}
    cols, notes, origin = {}, [], {}
    for name in terms:
        s = _column(frame, name, "term")
        if pd.api.types.is_bool_dtype(s.dtype):
            cols[name] = s.astype(float)
            origin[name] = name
        elif pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
            cols[name] = s.astype("Float64").astype(float)
            origin[name] = name
        else:
            cat = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("category")
            levels = [lv for lv in cat.cat.categories if (cat == lv).any()]
            if len(levels) < 2:
                notes.append(f"{name} has one value only; left out of the model.")
                continue
            ref = references.get(name, levels[0])
            if ref not in levels:
                raise ConfigError(f"reference {ref!r} is not a value of {name!r}; values: {', '.join(map(str, levels))}")
            for lv in levels:
                if lv == ref:
                    continue
                col = f"{name}: {lv}"
                cols[col] = (cat == lv).astype(float).where(cat.notna())
                origin[col] = name
            notes.append(f"{name}: compared with {ref!r}.")
    X = pd.DataFrame(cols, index=frame.index)
    return X, notes, origin


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
        ``p_value``, ``coef``, ``se``; ``model``: the statsmodels result.

    Notes
    -----
    Maximum likelihood (``statsmodels.api.Logit``, Newton). Odds ratio =
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
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
    from statsmodels.tools.tools import add_constant

    frame = _frame_with(data, [event])
    y_raw = _column(frame, event, "event")
    if horizon is not None:
        known, ev, _ = _restrict(frame, horizon)
        frame = frame.loc[known]
        y_raw = pd.Series(ev[known], index=frame.index)
    terms = [score] + [c for c in (controls or []) if c != score]
    X, notes, _ = _design(frame, terms)
    y = y_raw.astype("boolean").astype("Float64").astype(float)
    ok = X.notna().all(axis=1) & y.notna()
    dropped = int((~ok).sum())
    X, y = X[ok], y[ok]
    if dropped:
        notes.insert(0, f"{dropped} customers with a missing {', '.join(terms)} or outcome left out.")
    events, n = int(y.sum()), int(len(y))
    if events < 10 or n - events < 10:
        raise InsufficientDataError(f"logistic regression needs at least 10 churned and 10 retained customers; "
                                    f"got {events} churned of {n}")
    const = X.columns[(X.nunique() <= 1).to_numpy()]
    if len(const):
        raise ConfigError(f"{', '.join(const)} has the same value for every customer; leave it out")
    Xc = add_constant(X, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            fit = Logit(y, Xc).fit(disp=0, method="newton", maxiter=100)
        except PerfectSeparationWarning:
            raise InsufficientDataError("churn is perfectly predicted by the model terms (perfect separation): "
                                        "odds ratios are infinite. Drop or merge the groups with no churn "
                                        "(or no retention).") from None
        except np.linalg.LinAlgError:
            raise ConfigError("the model terms are collinear (one is a combination of others); "
                              "drop one of the controls") from None
    if not fit.mle_retvals.get("converged", True):
        raise InsufficientDataError("the logistic regression did not converge: churn is (almost) perfectly "
                                    "predicted by the model terms (separation), often because a group has no churn "
                                    "or no retention; drop or merge small groups")
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
    notes.append(f"n = {n} customers, {events} churned; pseudo R-squared {fit.prsquared:.3f}.")
    notes.append(f"Odds ratio of {score}: factor by which the odds of churn change per 1 unit higher {score}"
                 + (f", within {horizon:g} months" if horizon else "") + ".")
    if min(events, n - events) < 10 * k:
        notes.append(f"Fewer than 10 events per model term ({min(events, n - events)} for {k} terms): "
                     "the odds ratios may be unstable.")
    return OutcomeResult(title="Churn: logistic regression (odds ratios)", table=table, note_list=notes, model=fit,
                         data=frame.loc[y.index])


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
        notes.append(f"Log-rank test that all {by} groups share one retention curve: p = {format_number(p, 4)}.")
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
        constant over time); ``model``: the fitted ``lifelines.CoxPHFitter``;
        ``notes`` say in plain words whether the check passed.

    Notes
    -----
    h(t | x) = h0(t) exp(b'x), fitted by partial likelihood (Efron ties) with
    ``lifelines.CoxPHFitter``; HR = exp(b), interval exp(b +/- z SE).
    Proportional-hazards check: Grambsch-Therneau test on scaled Schoenfeld
    residuals against the rank of time
    (``lifelines.statistics.proportional_hazard_test``, ``time_transform="rank"``).

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
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError
    from lifelines.statistics import proportional_hazard_test

    frame = _frame_with(data, [duration, event])
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
    X, notes, origin = _design(frame, terms, refs)
    if X.shape[1] == 0:
        raise InsufficientDataError("no model term has more than one value")
    df = X.copy()
    df["_T"] = _column(frame, duration, "duration").astype(float)
    df["_E"] = _column(frame, event, "event").astype("boolean").astype("Float64").astype(float)
    for c in strata or []:
        df[f"_strata_{c}"] = _column(frame, c, "strata").astype(str).where(frame[c].notna())
    ok = df.notna().all(axis=1)
    if (~ok).sum():
        notes.insert(0, f"{int((~ok).sum())} rows with a missing value left out.")
    df = df[ok]
    events = int(df["_E"].sum())
    if events < 10:
        raise InsufficientDataError(f"the Cox model needs at least 10 churn events; got {events}")
    const = [c for c in X.columns if df[c].nunique() <= 1]
    if const:
        raise ConfigError(f"{', '.join(const)} has the same value for every customer; leave it out")
    strata_cols = [f"_strata_{c}" for c in strata or []] or None
    cph = CoxPHFitter(alpha=1 - confidence)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cph.fit(df, duration_col="_T", event_col="_E", strata=strata_cols)
        except ConvergenceError:
            raise InsufficientDataError("the Cox model did not converge (often a group with no churn, or "
                                        "collinear controls); drop or merge small groups") from None
        ph = proportional_hazard_test(cph, df, time_transform="rank")
    s = cph.summary
    ph_p = ph.summary["p"].reindex(s.index)
    table = pd.DataFrame({"term": s.index.to_numpy(), "hazard_ratio": s["exp(coef)"].to_numpy(),
                          "ci_low": s[f"exp(coef) lower {1 - cph.alpha:.0%}"].to_numpy(),
                          "ci_high": s[f"exp(coef) upper {1 - cph.alpha:.0%}"].to_numpy(),
                          "p_value": s["p"].to_numpy(), "ph_p_value": ph_p.to_numpy(),
                          "coef": s["coef"].to_numpy(), "se": s["se(coef)"].to_numpy()})
    notes.append(f"n = {len(df)}, {events} churn events; concordance {cph.concordance_index_:.3f}.")
    bad = table[table["ph_p_value"] < ph_alpha]
    if len(bad):
        for row in bad.itertuples():
            col = origin.get(row.term, row.term)
            few = col != row.term or df[row.term].nunique() <= 5
            fix = (f"strata=['{col}'] (own baseline per group) or separate models for early and late churn"
                   if few else "binning it and using strata=, or separate models for early and late churn")
            notes.append(f"Proportional hazards questionable for {row.term} (test p = {format_number(row.ph_p_value, 4)}): "
                         f"its hazard ratio changes over the follow-up, so read it as an average; consider {fix}.")
    else:
        notes.append(f"Proportional-hazards check passed for every term (all test p >= {ph_alpha:g}).")
    return OutcomeResult(title="Churn: Cox proportional-hazards model (hazard ratios)", table=table, note_list=notes,
                         model=cph, data=frame.loc[df.index])


# --------------------------------------------------------------------------------------
# revenue


def revenue_by_group(data, *, by: str = "nps_group", confidence: float = 0.95) -> pd.DataFrame:
    """Monthly revenue per customer in each group, mean with a t interval.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or a customers table with ``monthly_revenue``)
    by : grouping column (default ``"nps_group"``)

    Returns
    -------
    DataFrame
        ``by`` column, ``n`` (customers with revenue), ``monthly_revenue``
        (mean), ``ci_low``, ``ci_high`` (t interval), ``median``,
        ``annual_revenue`` (12 x mean), ``revenue_share`` (% of all monthly
        revenue).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcd"), "segment": list("AABB"), "churned": False,
    ...                   "tenure_months": 6.0, "monthly_revenue": [10.0, 20.0, 30.0, 50.0]})
    >>> revenue_by_group(c, by="segment")[["segment", "n", "monthly_revenue", "revenue_share"]]
      segment  n  monthly_revenue  revenue_share
    0       A  2             15.0          27.27
    1       B  2             40.0          72.73
    """
    frame = _frame(data)
    s, levels = _groups(frame, by)
    rev = _column(frame, "monthly_revenue", "revenue").astype(float)
    if rev.notna().sum() == 0:
        raise InsufficientDataError("no customer has revenue: give join_outcomes a revenue table, or map a "
                                    "monthly revenue column onto customers.monthly_revenue")
    rows = []
    total = float(rev[s.notna()].sum())
    for lv in levels:
        x = rev[(s == lv) & rev.notna()].to_numpy()
        n = x.size
        mean = float(x.mean()) if n else np.nan
        sd = float(x.std(ddof=1)) if n > 1 else np.nan
        lo, hi = _mean_interval(mean, sd, n, confidence)
        rows.append({by: lv, "n": n, "monthly_revenue": mean, "ci_low": float(lo), "ci_high": float(hi),
                     "median": float(np.median(x)) if n else np.nan, "annual_revenue": 12 * mean,
                     "revenue_share": round(100 * float(x.sum()) / total, 2) if total else np.nan})
    return pd.DataFrame(rows)


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


def _boot_weights(n: int, n_boot: int, seed: int, chunk_cells: int = 2_000_000):
    """Multinomial bootstrap weights over n rows, yielded in chunks (seeded)."""
    rng = np.random.default_rng(seed)
    step = max(1, chunk_cells // max(n, 1))
    for b0 in range(0, n_boot, step):
        yield bootstrap_counts(rng, n, min(step, n_boot - b0))


def _group_index(frame, by, levels) -> dict:
    """Per group: its rows in ascending order of months (stable), with the arrays the statistics need."""
    t = frame["months"].to_numpy(dtype=float)
    e = frame["churned"].to_numpy(dtype=bool)
    rev = frame["monthly_revenue"].to_numpy(dtype=float)
    active = frame["active"].to_numpy(dtype=bool)
    lab = frame[by].to_numpy(dtype=object)
    out = {}
    for lv in levels:
        rows = np.flatnonzero(lab == lv)
        rows = rows[np.argsort(t[rows], kind="stable")]
        out[lv] = (rows, t[rows], e[rows], rev[rows], active[rows])
    return out


def _group_stats(frame, by, levels, horizon, W, index: dict | None = None):
    """Per group and replicate: retention at horizon, RMST, mean monthly revenue (all / active).

    ``index``: :func:`_group_index` of ``frame`` (computed once when called for many weight chunks).
    """
    index = index if index is not None else _group_index(frame, by, levels)
    out = {}
    for lv in levels:
        rows, tg, eg, revg, actg = index[lv]
        Wg = W[:, rows]  # one copy, already in order of months
        S, rmst = _km_weighted(tg, eg, Wg, horizon, presorted=True)
        has = ~np.isnan(revg)
        r = np.nan_to_num(revg)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_all = (Wg * has) @ r / (Wg @ has)
            act = has & actg
            mean_active = (Wg * act) @ r / (Wg @ act)
        out[lv] = {"S": S, "rmst": rmst, "rev": mean_all, "rev_active": mean_active}
    return out


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


def _rar_delta_se(index: dict, reference, others: list, counts: dict, horizon: float) -> dict:
    """Standard errors of revenue at risk (per group, total) and of the excess churn shares, from
    each customer's influence on its group's S(H) and mean revenue of current customers."""
    stats_, psi_s, psi_r = {}, {}, {}
    for lv, (_, tg, eg, revg, actg) in index.items():
        s_h, psi_s[lv] = _km_influence(tg, eg.astype(bool), horizon)
        cur = actg.astype(bool) & ~np.isnan(revg)
        m = int(cur.sum())
        r_mean = float(revg[cur].mean()) if m else np.nan
        psi_r[lv] = np.where(cur, np.nan_to_num(revg) - r_mean, 0.0) / max(m, 1)
        stats_[lv] = (1 - s_h, r_mean)
    f_ref = stats_[reference][0]
    part, excess, ref_weight, total_var = {}, {}, 0.0, 0.0
    for lv in others:
        f_g, r_g = stats_[lv]
        c = 12.0 * counts[lv]
        own = c * (-r_g * psi_s[lv] + (f_g - f_ref) * psi_r[lv])  # this group's customers
        part[lv] = float(np.sqrt(np.sum(own ** 2) + (c * r_g) ** 2 * np.sum(psi_s[reference] ** 2)))
        excess[lv] = float(np.sqrt(np.sum(psi_s[lv] ** 2) + np.sum(psi_s[reference] ** 2)))
        total_var += float(np.sum(own ** 2))
        ref_weight += c * r_g
    total_var += ref_weight ** 2 * float(np.sum(psi_s[reference] ** 2))  # the reference enters every group
    return {"part": part, "excess": excess, "total": float(np.sqrt(total_var))}


def _outcome_frame(data, by, horizon):
    frame = _frame(data)
    _, levels = _groups(frame, by)
    frame = frame[frame[by].notna() & frame["months"].notna()].reset_index(drop=True)
    if frame["monthly_revenue"].notna().sum() == 0:
        raise InsufficientDataError("no customer has revenue: give join_outcomes a revenue table, or map a "
                                    "monthly revenue column onto customers.monthly_revenue")
    for lv in levels:
        t = frame.loc[frame[by] == lv, "months"]
        if len(t) and t.max() < horizon:
            raise InsufficientDataError(f"{by} = {lv!r}: the longest follow-up is {t.max():.1f} months, shorter "
                                        f"than horizon={horizon:g}; choose a shorter horizon")
    return frame, levels


def _pct(reps: np.ndarray, confidence: float):
    reps = reps[np.isfinite(reps)]
    if not reps.size:
        return np.nan, np.nan
    a = (1 - confidence) / 2
    return float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))


def revenue_at_risk(data, *, method: str = "both", by: str = "nps_group", reference=None, horizon: float = 12,
                    arpu: float | None = None, confidence: float = 0.95, n_boot: int = 1000,
                    seed: int = 0, interval: str = "bootstrap") -> OutcomeResult:
    """Revenue at risk from dissatisfied customers, two ways, clearly labelled.

    Parameters
    ----------
    data : result of :func:`join_outcomes`
    method : ``"heuristic"``, ``"model"`` or ``"both"`` (default)
    by, reference : groups and the reference group for the model-based figure
        (default NPS groups against promoters; e.g. ``by="segment"`` works too)
    horizon : months within which churn is counted (model-based; default 12)
    arpu : yearly revenue per customer for the heuristic (default: 12 x mean
        monthly revenue of current customers)
    n_boot, seed : percentile bootstrap over customers for the model-based interval
    interval : ``"bootstrap"`` (default: percentile bootstrap, ``n_boot`` resamples) or
        ``"delta"``: normal interval from each customer's influence on the Kaplan-Meier
        shares and the mean revenues (delta method; no resampling, so it costs
        milliseconds, and it keeps the link between a customer's revenue and churn)

    Returns
    -------
    OutcomeResult
        ``summary``: ``method`` (``heuristic`` / ``model``), ``group``, ``label``,
        ``customers`` (current customers in the group), ``churn_share`` (% assumed
        to leave, or modelled excess % leaving within the horizon),
        ``churn_ci_low``, ``churn_ci_high``, ``annual_revenue_per_customer``,
        ``revenue_at_risk``, ``ci_low``, ``ci_high``, ``horizon_months``; a
        ``total`` row per method.

    Notes
    -----
    *Heuristic* (SurveyMonkey CX "Revenue Impact", Promoter.io; an industry rule
    of thumb, not estimated from your data): short-term = detractors x 0.5 x ARPU,
    long-term = passives x 0.3 x ARPU. It has no interval.

    *Model-based* (estimated from your data): for each group g,
    customers_g x (F_g(H) - F_ref(H)) x 12 x R_g, with F(H) = 1 - S(H) the
    Kaplan-Meier share leaving within H months of follow-up and R_g the mean
    monthly revenue of the group's current customers: the yearly revenue of the
    customers expected to leave within the horizon beyond what the reference
    group's churn would take. Negative = the group churns less than the reference.
    Interval: percentile bootstrap over customers (customer counts held fixed), or
    with ``interval="delta"`` estimate ± z x standard error, the variance summed
    from each customer's influence: on S(H), -S(H) x (its event at T_i <= H / Y(T_i)
    - sum over event times u <= min(T_i, H) of d(u) / Y(u)^2) (the Kaplan-Meier
    influence function; its variance is Greenwood's in large samples), and on a
    mean revenue, (r_i - R) / m for the current customers with revenue.
    Association, not proof of cause: dissatisfied customers may differ in other ways.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(["detractor", "passive", "promoter"], 400)
    >>> months = rng.exponential(1 / np.select([g == "detractor", g == "passive"], [0.05, 0.03], 0.02))
    >>> d = pd.DataFrame({"nps_group": pd.Categorical(g), "months": np.minimum(months, 24.0),
    ...                   "churned": months < 24, "monthly_revenue": 10.0})
    >>> d["active"] = ~d["churned"]
    >>> r = revenue_at_risk(d, method="heuristic")
    >>> r.summary[["group", "label", "customers", "revenue_at_risk"]]
           group       label  customers  revenue_at_risk
    0  detractor  short-term        138           8280.0
    1    passive   long-term        193           6948.0
    2      total        both        331          15228.0
    """
    if method not in ("heuristic", "model", "both"):
        raise ConfigError(f"method={method!r} - expected 'heuristic', 'model' or 'both'")
    if interval not in ("bootstrap", "delta"):
        raise ConfigError(f"interval={interval!r} - expected 'bootstrap' or 'delta'")
    frame = _frame(data)
    rows, notes = [], []
    if method in ("heuristic", "both"):
        if "nps_group" not in frame.columns or frame["nps_group"].notna().sum() == 0:
            raise InsufficientDataError("the heuristic needs NPS groups: link survey answers with join_outcomes")
        cur = frame[frame["active"].astype(bool)]
        rev = cur["monthly_revenue"].astype(float)
        if arpu is None:
            if rev.notna().sum() == 0:
                raise InsufficientDataError("the heuristic needs ARPU: give revenue or arpu=")
            arpu = 12 * float(rev.mean())
        total_n = total_v = 0.0
        for lv, (share_, label) in HEURISTIC_CHURN_SHARES.items():
            n = int((cur["nps_group"] == lv).sum())
            v = n * share_ * arpu
            total_n += n
            total_v += v
            rows.append({"method": "heuristic", "group": lv, "label": label, "customers": n,
                         "churn_share": 100 * share_, "churn_ci_low": np.nan, "churn_ci_high": np.nan,
                         "annual_revenue_per_customer": arpu, "revenue_at_risk": v, "ci_low": np.nan,
                         "ci_high": np.nan, "horizon_months": np.nan})
        rows.append({"method": "heuristic", "group": "total", "label": "both", "customers": int(total_n),
                     "churn_share": np.nan, "churn_ci_low": np.nan, "churn_ci_high": np.nan,
                     "annual_revenue_per_customer": arpu, "revenue_at_risk": total_v, "ci_low": np.nan,
                     "ci_high": np.nan, "horizon_months": np.nan})
        notes.append("Heuristic (SurveyMonkey CX, Promoter.io rule of thumb, not estimated from your data): "
                     "short-term = current detractors x 50% x yearly ARPU; long-term = current passives x 30% x "
                     "yearly ARPU.")
    if method in ("model", "both"):
        frame2, levels = _outcome_frame(frame, by, horizon)
        reference = _default_reference(by, levels, reference)
        others = [lv for lv in levels if lv != reference]
        counts = {lv: int(((frame2[by] == lv) & frame2["active"]).sum()) for lv in others}
        index = _group_index(frame2, by, levels)
        point = _group_stats(frame2, by, levels, horizon, np.ones((1, len(frame2))), index)

        def rar(st):
            f_ref = 1 - st[reference]["S"]
            parts = {lv: counts[lv] * ((1 - st[lv]["S"]) - f_ref) * 12 * st[lv]["rev_active"] for lv in others}
            excess = {lv: (1 - st[lv]["S"]) - f_ref for lv in others}
            return parts, excess

        p_parts, p_excess = rar(point)
        resamples = n_boot if interval == "bootstrap" else 0
        if interval == "delta":
            se = _rar_delta_se(index, reference, others, counts, horizon)
            z = _z(confidence)
        reps_parts = {lv: [] for lv in others}
        reps_excess = {lv: [] for lv in others}
        for W in (_boot_weights(len(frame2), resamples, seed) if resamples else []):
            parts, excess = rar(_group_stats(frame2, by, levels, horizon, W, index))
            for lv in others:
                reps_parts[lv].append(parts[lv])
                reps_excess[lv].append(excess[lv])
        total_reps = []
        for lv in others:
            rp = np.concatenate(reps_parts[lv]) if reps_parts[lv] else np.array([])
            re = np.concatenate(reps_excess[lv]) if reps_excess[lv] else np.array([])
            total_reps.append(rp)
            lo, hi = _pct(rp, confidence) if rp.size else (np.nan, np.nan)
            elo, ehi = _pct(re, confidence) if re.size else (np.nan, np.nan)
            if interval == "delta":
                lo, hi = (float(p_parts[lv][0]) + k * z * se["part"][lv] for k in (-1, 1))
                elo, ehi = (float(p_excess[lv][0]) + k * z * se["excess"][lv] for k in (-1, 1))
            rows.append({"method": "model", "group": lv, "label": f"excess churn vs {reference}",
                         "customers": counts[lv], "churn_share": 100 * float(p_excess[lv][0]),
                         "churn_ci_low": 100 * elo, "churn_ci_high": 100 * ehi,
                         "annual_revenue_per_customer": 12 * float(point[lv]["rev_active"][0]),
                         "revenue_at_risk": float(p_parts[lv][0]), "ci_low": lo, "ci_high": hi,
                         "horizon_months": float(horizon)})
        tot = np.sum(total_reps, axis=0) if resamples else np.array([])
        lo, hi = _pct(tot, confidence) if tot.size else (np.nan, np.nan)
        if interval == "delta":
            total = float(sum(p_parts[lv][0] for lv in others))
            lo, hi = total - z * se["total"], total + z * se["total"]
        rows.append({"method": "model", "group": "total", "label": f"excess churn vs {reference}",
                     "customers": int(sum(counts.values())), "churn_share": np.nan, "churn_ci_low": np.nan,
                     "churn_ci_high": np.nan, "annual_revenue_per_customer": np.nan,
                     "revenue_at_risk": float(sum(p_parts[lv][0] for lv in others)), "ci_low": lo, "ci_high": hi,
                     "horizon_months": float(horizon)})
        how = (f"{confidence:.0%} percentile bootstrap ({n_boot} resamples, seed {seed})" if interval == "bootstrap"
               else f"{confidence:.0%} normal interval from the customers' influence on the estimates (delta method)")
        notes.append(f"Model-based (estimated from your data): current customers x excess share leaving within "
                     f"{horizon:g} months over {reference!r} (Kaplan-Meier) x their yearly revenue; {how}.")
        notes.append("Association, not proof of cause: customers in these groups may differ in other ways too.")
    return OutcomeResult(title="Revenue at risk", table=pd.DataFrame(rows), note_list=notes, data=frame, digits=1)


def clv_by_group(data, *, by: str = "nps_group", method: str | Sequence[str] = ("simple", "retention"),
                 discount: float = 0.10, confidence: float = 0.95, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Customer lifetime value per group, with both CLV formulas.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or a customers table)
    by : grouping column (default ``"nps_group"``)
    method : ``"simple"``, ``"retention"`` or both (default); see :func:`cxkit.clv`
    discount, n_boot, seed : as in :func:`cxkit.clv`

    Returns
    -------
    DataFrame
        ``by`` column, ``method``, ``clv``, ``ci_low``, ``ci_high``, ``n``
        (customers with revenue and follow-up), ``annual_revenue`` (per
        customer-year), ``monthly_hazard`` (% per month), ``expected_years``
        (1 / yearly hazard).

    Notes
    -----
    Each group is passed to :func:`cxkit.clv` in the flag + tenure form: churn =
    the follow-up event, months at risk = follow-up, revenue = monthly revenue
    x months, plus ``acquisition_cost`` and ``cost_to_serve`` when present. So
    the hazard is measured from the survey answer on, per group.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcd"), "segment": list("AABB"), "churned": [True, False] * 2,
    ...                   "tenure_months": 12.0, "monthly_revenue": [10.0, 10.0, 20.0, 20.0]})
    >>> clv_by_group(c, by="segment", method="simple", n_boot=0)[["segment", "clv", "expected_years"]]
      segment    clv  expected_years
    0       A  240.0             2.0
    1       B  480.0             2.0
    """
    methods = [method] if isinstance(method, str) else list(method)
    frame = _frame(data)
    _, levels = _groups(frame, by)
    rows = []
    for lv in levels:
        sub = frame[(frame[by] == lv) & frame["months"].notna() & frame["monthly_revenue"].notna()]
        if not len(sub):
            continue
        c = pd.DataFrame({"customer_id": sub["customer_id"].to_numpy(), "churned": sub["churned"].to_numpy(),
                          "tenure_months": sub["months"].to_numpy(dtype=float),
                          "monthly_revenue": sub["monthly_revenue"].to_numpy(dtype=float)})
        for extra in ("acquisition_cost", "cost_to_serve"):
            if extra in sub.columns:
                c[extra] = sub[extra].to_numpy(dtype=float)
        months = c["tenure_months"].sum()
        hazard = c["churned"].sum() / months if months > 0 else np.nan
        annual = 12 * float((c["monthly_revenue"] * c["tenure_months"]).sum() / months) if months > 0 else np.nan
        for m in methods:
            try:
                est = clv(c, method=m, discount=discount, confidence=confidence, n_boot=n_boot, seed=seed)
                val, lo, hi = est.value, est.ci_low, est.ci_high
            except InsufficientDataError:
                val = lo = hi = np.nan
            rows.append({by: lv, "method": m, "clv": val, "ci_low": lo, "ci_high": hi, "n": len(c),
                         "annual_revenue": annual, "monthly_hazard": 100 * hazard,
                         "expected_years": 1 / (12 * hazard) if hazard > 0 else np.nan})
    if not rows:
        raise InsufficientDataError("CLV needs customers with revenue and follow-up; got none")
    return pd.DataFrame(rows)


def nps_point_value(data, *, horizon: float = 12, customers: int | None = None, confidence: float = 0.95,
                    n_boot: int = 1000, seed: int = 0) -> OutcomeResult:
    """Estimated revenue change per NPS point, with a bootstrap interval.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (with NPS answers and revenue)
    horizon : months over which revenue is counted (default 12)
    customers : size of the customer base the point applies to (default: the
        current customers in the data)
    n_boot, seed : percentile bootstrap over customers

    Returns
    -------
    OutcomeResult
        ``summary``: ``step`` (``detractor -> passive``, ``passive -> promoter``,
        ``per NPS point``), ``value_per_customer`` (difference in expected
        revenue per customer over the horizon), ``value_per_point`` (revenue
        change over the horizon when NPS rises by one point), ``ci_low``,
        ``ci_high`` (of ``value_per_point``), ``customers``, ``horizon_months``.

    Notes
    -----
    Expected revenue of a customer of group g over the next H months:
    V_g = R_g x RMST_g(H), with R_g the group's mean monthly revenue and
    RMST_g(H) = integral of the Kaplan-Meier retention curve from 0 to H (the
    expected months retained). One NPS point = 1% of the N customers moving one
    group up (detractor -> passive or passive -> promoter), worth
    0.01 x N x (V_up - V_down). ``per NPS point`` uses the slope b of V on the
    +1/0/-1 NPS value across customers (least squares, groups weighted by their
    size): an increase of NPS by one point raises the mean of that value by
    0.01, so it is worth 0.01 x N x b. Association, not a promise: it assumes a
    customer who moves up behaves like the customers already in that group.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> g = np.repeat(["detractor", "passive", "promoter"], 100)
    >>> d = pd.DataFrame({"nps_group": pd.Categorical(g), "months": 24.0, "churned": False,
    ...                   "monthly_revenue": np.select([g == "promoter"], [12.0], 10.0)})
    >>> d["active"] = True
    >>> r = nps_point_value(d, n_boot=0)
    >>> r.summary[["step", "value_per_customer", "value_per_point"]]
                     step  value_per_customer  value_per_point
    0  detractor -> passive                 0.0              0.0
    1  passive -> promoter                24.0             72.0
    2       per NPS point                12.0             36.0
    """
    frame, levels = _outcome_frame(data, "nps_group", horizon)
    if any(lv not in levels for lv in NPS_ORDER):
        raise InsufficientDataError("the value of an NPS point needs detractors, passives and promoters")
    N = int(frame["active"].sum()) if customers is None else int(customers)
    sizes = np.array([(frame["nps_group"] == lv).sum() for lv in NPS_ORDER], dtype=float)
    s = np.array([-1.0, 0.0, 1.0])

    index = _group_index(frame, "nps_group", NPS_ORDER)

    def values(W):
        st = _group_stats(frame, "nps_group", NPS_ORDER, horizon, W, index)
        V = np.vstack([st[lv]["rev"] * st[lv]["rmst"] for lv in NPS_ORDER])  # 3 x B
        w = sizes if W.shape[0] == 1 else np.vstack([W[:, index[lv][0]].sum(axis=1) for lv in NPS_ORDER]).T
        w = np.atleast_2d(w)
        sbar = (w * s).sum(axis=1) / w.sum(axis=1)
        dev = s[None, :] - sbar[:, None]
        slope = (w * dev * V.T).sum(axis=1) / (w * dev ** 2).sum(axis=1)
        return V[1] - V[0], V[2] - V[1], slope

    point = values(np.ones((1, len(frame))))
    reps = [[], [], []]
    for W in (_boot_weights(len(frame), n_boot, seed) if n_boot else []):
        for i, v in enumerate(values(W)):
            reps[i].append(v)
    rows = []
    for i, step in enumerate(["detractor -> passive", "passive -> promoter", "per NPS point"]):
        per_customer = float(point[i][0])
        r = 0.01 * N * np.concatenate(reps[i]) if reps[i] else np.array([])
        lo, hi = _pct(r, confidence) if r.size else (np.nan, np.nan)
        rows.append({"step": step, "value_per_customer": per_customer, "value_per_point": 0.01 * N * per_customer,
                     "ci_low": lo, "ci_high": hi, "customers": N, "horizon_months": float(horizon)})
    notes = [f"One NPS point = 1% of the {N} customers moving one group up; value = revenue over the next "
             f"{horizon:g} months (group mean monthly revenue x expected months retained, Kaplan-Meier).",
             f"{confidence:.0%} percentile bootstrap over customers ({n_boot} resamples, seed {seed}).",
             "Association, not a promise: it assumes customers who move up behave like those already in the group."]
    return OutcomeResult(title="Value of one NPS point", table=pd.DataFrame(rows), note_list=notes, data=frame,
                         digits=1)


# --------------------------------------------------------------------------------------
# across units


def unit_outcomes(responses=None, customers: pd.DataFrame | None = None, revenue: pd.DataFrame | None = None, *,
                  by: str = "unit", period_months: int = 12, min_responses: int = 30,
                  confidence: float = 0.95) -> UnitOutcomes:
    """Unit NPS against unit churn rate and revenue growth, one point per unit.

    Parameters
    ----------
    responses, customers, revenue : the tables (or a loaded dataset as the first argument)
    by : unit column (default ``"unit"``)
    period_months : NPS and churn are measured over the last ``period_months``
        months of the data; revenue growth compares them with the
        ``period_months`` before
    min_responses : units with fewer answers are shown but left out of the regressions

    Returns
    -------
    UnitOutcomes
        ``data``: one row per unit - ``by``, ``responses``, ``nps``,
        ``nps_ci_low``, ``nps_ci_high``, ``customers``, ``churn_rate`` (%),
        ``churn_ci_low``, ``churn_ci_high``, ``revenue``, ``revenue_before``,
        ``revenue_growth`` (%), ``in_regression``.
        ``summary``: one row per outcome - ``outcome``, ``slope`` (change per
        NPS point), ``ci_low``, ``ci_high``, ``p_value``, ``r_squared``,
        ``units``. ``lines``: fitted line and its confidence band per outcome.
        ``notes``: includes the ecological-inference caveat.

    Notes
    -----
    Ordinary least squares across units (statsmodels OLS, t intervals), each
    unit one point. Churn rate per unit: customers active at the period start
    who left in the period (Wilson), as :func:`cxkit.churn_rate`. Ecological
    inference: a slope across units describes units, not customers
    (Robinson 1950); confounders of units (region, size, customer mix) can
    create or hide it. Use :func:`cox_model` for the customer-level link.

    References
    ----------
    Robinson, W. S. (1950). Ecological correlations and the behavior of
    individuals. American Sociological Review 15, 351-357.
    """
    # the modules themselves, not statsmodels.api (0.27 s against 0.05 s to import; the batch parent
    # calls this at the end of prepare, when one core idles)
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    from ..stats.metrics import metric_table

    responses, customers, revenue = _unpack(responses, customers, revenue)
    if responses is None or customers is None:
        raise ConfigError("unit_outcomes needs responses and customers tables")
    for t, name in ((responses, "responses"), (customers, "customers")):
        _column(t, by, f"{name}: by")
    dated = _churn_columns(customers)
    ends = [responses["date"].max()] + ([customers["churned_at"].max(), customers["acquired_at"].max()] if dated else [])
    end = max(x for x in ends if pd.notna(x))
    start = end - pd.DateOffset(months=period_months)
    # only the two columns the NPS table needs are gathered (with the import above, at 10M responses the
    # batch's unit outcomes took 0.62 s instead of 0.94 s)
    r = responses.loc[(responses["date"] > start) & (responses["date"] <= end), [c for c in (by, "nps")
                                                                                  if c in responses.columns]]
    nps_t = metric_table(r, metric="nps", by=by)[[by, "n", "value", "ci_low", "ci_high"]]
    nps_t.columns = [by, "responses", "nps", "nps_ci_low", "nps_ci_high"]
    kwargs = dict(start=start, end=end) if dated else {}
    churn_t = metric_table(customers, metric="churn_rate", by=by, **kwargs)[[by, "n", "value", "ci_low", "ci_high"]]
    churn_t.columns = [by, "customers", "churn_rate", "churn_ci_low", "churn_ci_high"]
    unit_data = nps_t.merge(churn_t, on=by, how="outer")
    notes = []
    outcomes = ["churn_rate"]
    if revenue is not None and len(revenue) and "date" in revenue.columns:
        if by in revenue.columns:  # invoices already carry the unit (e.g. pre-summed per unit and date)
            u = revenue[by].astype(object)
        else:
            rid = _ids(revenue["customer_id"])
            unit_of = pd.Series(customers[by].astype(object).to_numpy(), index=_ids(customers["customer_id"]))
            u = rid.map(unit_of)
        last = revenue["date"].max()
        p0 = last - pd.DateOffset(months=period_months)
        p1 = p0 - pd.DateOffset(months=period_months)
        now = revenue["amount"][(revenue["date"] > p0)].groupby(u[revenue["date"] > p0]).sum()
        sel = (revenue["date"] > p1) & (revenue["date"] <= p0)
        before = revenue["amount"][sel].groupby(u[sel]).sum()
        if revenue["date"].min() <= p1 + pd.Timedelta(days=92):  # a quarterly invoice dated at quarter end
            g = pd.DataFrame({by: now.index, "revenue": now.to_numpy()}).merge(
                pd.DataFrame({by: before.index, "revenue_before": before.to_numpy()}), on=by, how="outer")
            g["revenue_growth"] = 100 * (g["revenue"] / g["revenue_before"] - 1)
            unit_data = unit_data.merge(g, on=by, how="left")
            outcomes.append("revenue_growth")
        else:
            notes.append(f"Revenue growth needs {2 * period_months} months of invoices; the revenue table is shorter.")
    unit_data["in_regression"] = unit_data["responses"].fillna(0) >= min_responses
    z_rows, lines = [], []
    for outcome in outcomes:
        d = unit_data[unit_data["in_regression"] & unit_data["nps"].notna() & unit_data[outcome].notna()]
        if len(d) < 3:
            z_rows.append({"outcome": outcome, "slope": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                           "p_value": np.nan, "r_squared": np.nan, "units": len(d)})
            continue
        X = add_constant(d["nps"].to_numpy(dtype=float))
        fit = OLS(d[outcome].to_numpy(dtype=float), X).fit()
        lo, hi = fit.conf_int(alpha=1 - confidence)[1]
        z_rows.append({"outcome": outcome, "slope": float(fit.params[1]), "ci_low": float(lo), "ci_high": float(hi),
                       "p_value": float(fit.pvalues[1]), "r_squared": float(fit.rsquared), "units": len(d)})
        grid = np.linspace(d["nps"].min(), d["nps"].max(), 50)
        pred = fit.get_prediction(add_constant(grid, has_constant="add")).summary_frame(alpha=1 - confidence)
        lines.append(pd.DataFrame({"outcome": outcome, "nps": grid, "fit": pred["mean"].to_numpy(),
                                   "ci_low": pred["mean_ci_lower"].to_numpy(),
                                   "ci_high": pred["mean_ci_upper"].to_numpy()}))
    notes.insert(0, "Ecological inference: each point is a unit, so the slope describes units, not customers. "
                    "Units also differ in region, size and customer mix, which can create or hide the link; "
                    "for the customer-level link use cox_model / churn_relative_risk.")
    notes.append(f"NPS and churn over {start.date() + pd.Timedelta(days=1)} to {end.date()}; units with fewer "
                 f"than {min_responses} answers left out of the regressions.")
    return UnitOutcomes(title=f"Unit NPS vs outcomes ({by})", table=pd.DataFrame(z_rows), note_list=notes,
                        data=unit_data, lines=pd.concat(lines, ignore_index=True) if lines else None, digits=3)


# --------------------------------------------------------------------------------------
# service: response time and CSAT


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
        the statsmodels OLS result.

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
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    for c in ("customer_id", "date", score):
        _column(responses, c, "responses column")
    for c in ("customer_id", "created_at", "first_response_at"):
        _column(tickets, c, "tickets column")
    r = responses[responses[score].notna() & responses["customer_id"].notna()].copy()
    if touchpoints is not None:
        r = r[_column(r, "touchpoint", "touchpoints: column").isin(list(touchpoints))]
    r["customer_id"] = _ids(r["customer_id"])
    r["_until"] = r["date"].dt.normalize() + pd.Timedelta(days=1)
    t = tickets[tickets["customer_id"].notna()].copy()
    t["customer_id"] = _ids(t["customer_id"])
    t = t.rename(columns={"unit": "ticket_unit"})
    keep_t = ["customer_id", "created_at", "first_response_at"] + [c for c in ("ticket_id", "channel", "ticket_unit")
                                                                  if c in t.columns]
    r = r.sort_values("_until", kind="stable")
    t = t[keep_t].sort_values("created_at", kind="stable")
    linked = pd.merge_asof(r, t, left_on="_until", right_on="created_at", by="customer_id", direction="backward",
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
    fit = OLS(y, add_constant(X, has_constant="add")).fit(cov_type="HC3")
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
