"""The company-wide context, computed once per batch: every unit against the rest, targets, previous
period and a year earlier for the headline metrics; trends, touchpoints, regions, unit outcomes and
the data notes. Also the report settings' defaults and how units roll up into report groups.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ..data.validate import REPORTED_SCORES as _SCORES
from ..errors import ConfigError, InsufficientDataError
from ..outcomes.units import MIN_RESPONSES, PERIOD_MONTHS, _unit_outcomes, churn_by_unit, unit_outcomes
from ..periods import metric_window, reference_window
from ..stats.comparisons import compare
from ..stats.scores import nps_distribution
from ..stats.preparation import reuse_prepared
from ..stats.shards import SHARD_ROWS, compare_job, customer_shards, distribution_job, trend_job
from ..stats.trends import trend
from .narrow import NarrowResponses

__all__ = ['HEADLINE_METRICS']


def default_settings() -> dict:
    return {"confidence": 0.95, "alpha": 0.05, "min_n_show": 5, "min_n_test": 30, "currency": "EUR"}


#: metrics in the headline table: (metric, table, kwargs)
HEADLINE_METRICS = ("nps", "csat", "ces", "first_response_time", "churn_rate")


def group_mapper(units: pd.DataFrame | None, level: str):
    """A function unit names -> report groups: the unit itself, or its region from the units table
    (units without one roll up to "(no region)")."""
    if level == "unit":
        return lambda unit: unit.astype(pd.StringDtype("pyarrow"))
    if units is None or "region" not in units.columns:
        raise ConfigError("--level region needs a units table with a region column")
    region_of = _region_of(units)
    return lambda unit: (unit.astype(pd.StringDtype("pyarrow"))
                         .map(lambda x: region_of.get(x, "(no region)"), na_action="ignore")
                         .astype(pd.StringDtype("pyarrow")))


def _region_of(units: pd.DataFrame) -> dict:
    """Unit name -> its region from the units table ("(no region)" where none is given)."""
    return dict(zip(units["unit"].astype(str), units["region"].astype("string").fillna("(no region)")))


def attach_groups(tables: dict[str, pd.DataFrame | None], *, level: str = "unit") -> dict[str, pd.DataFrame | None]:
    """Add a ``_group`` column (the unit, or its region) to every table that can have one.

    Revenue gets the group of its customer; units without a region in the units table roll
    up to "(no region)".
    """
    out = dict(tables)
    group_of = group_mapper(tables.get("units"), level)

    for name in ("responses", "tickets", "customers"):
        frame = tables.get(name)
        if frame is not None and "unit" in frame.columns:
            out[name] = frame.assign(_group=group_of(frame["unit"]))
    cust = out.get("customers")
    rev = tables.get("revenue")
    if rev is not None and cust is not None and "_group" in cust.columns:
        m = dict(zip(cust["customer_id"].astype(str), cust["_group"]))
        out["revenue"] = rev.assign(_group=rev["customer_id"].astype(str).map(m).astype("string"))
    elif rev is not None:
        out["revenue"] = rev.assign(_group=pd.Series(pd.NA, index=rev.index, dtype="string"))
    return out


#: survey scores the reports use (headline, journey, drivers, themes)
REPORTED_SCORES = tuple(_SCORES["responses"])  # the scores validation notes as missing, in this order


def period_coverage(responses: pd.DataFrame, units: pd.DataFrame | None, *, level: str, period: tuple) -> dict:
    """What the reporting period holds: responses per report group, the groups of the units table that
    have no responses at all, whether the whole period is empty, and the scores the responses lack.

    Parameters
    ----------
    responses : pandas.DataFrame or NarrowResponses
        The responses with their report group in ``_group`` (all dates); or the batch's responses on
        disk, whose counts were taken while they were read.
    units : pandas.DataFrame or None
        The units table; every group it lists is counted, with or without responses.
    level : str
        ``"unit"`` or ``"region"``.
    period : tuple of pandas.Timestamp
        The reporting period, both days inclusive.

    Returns
    -------
    dict
        ``responses_in_period`` (group -> responses dated in the period, for every group of the
        responses and of the units table), ``not_reported`` (groups of the units table without a
        single response: they get no report), ``empty_period`` (no response at all in the period),
        ``data_span`` (first and last response date, ISO) and ``missing_scores`` (reported scores the
        responses have no values of).
    """
    start, end = period
    listed = []
    if units is not None and "unit" in units.columns and len(units):
        listed = group_mapper(units, level)(units["unit"].astype(str)).dropna().astype(str).unique().tolist()
    if isinstance(responses, NarrowResponses):  # counted while the responses were read
        counts = responses.in_period(start, end)
        everywhere, dates = list(counts.index), responses.dates()
        missing = [m for m in REPORTED_SCORES if not responses.has_values(m)]
        n_inside = responses.count_between("date", start, end)
    else:
        dates = responses["date"]
        inside = _in_period(dates, start, end).to_numpy()
        n_inside = int(inside.sum())
        counts = responses.loc[inside, "_group"].value_counts()
        everywhere = responses["_group"].dropna().unique()  # (categories without rows count 0 above)
        missing = [m for m in REPORTED_SCORES if m not in responses.columns or not responses[m].notna().any()]
    groups = {str(g) for g in everywhere} | set(listed)
    per_group = {g: int(counts.get(g, 0)) for g in sorted(groups)}
    span = [str(pd.Timestamp(x).date()) for x in (dates.min(), dates.max())] if dates.notna().any() else [None, None]
    return {"responses_in_period": per_group, "not_reported": sorted(set(listed) - {str(g) for g in everywhere}),
            "empty_period": n_inside == 0, "data_span": span, "missing_scores": missing}


def _has_values(frame, column: str) -> bool:
    """Whether any row of ``frame`` (a table, or the batch's :class:`NarrowResponses`) has a value of ``column``."""
    if isinstance(frame, NarrowResponses):
        return frame.has_values(column)
    return column in frame.columns and bool(frame[column].notna().any())


def _in(frame: pd.DataFrame, column: str, start, end) -> pd.DataFrame:
    return frame[_in_period(frame[column], start, end)]


def _in_period(dates, start, end):
    """Which ``dates`` (a Series or datetime64 array) fall in the period, both days inclusive."""
    return (dates >= start) & (dates < end + pd.Timedelta(days=1))


#: headline metrics: metric -> (table, date column); the window each is measured over is
#: :data:`cxkit.periods.METRIC_WINDOWS`
METRIC_SOURCES = {
    "nps": ("responses", "date"),
    "csat": ("responses", "date"),
    "ces": ("responses", "date"),
    "first_response_time": ("tickets", "created_at"),
    "churn_rate": ("customers", None),
}


COMPARISONS = ("rest", "target", "previous", "year_ago")


def _compare_kwargs(metric: str, settings: dict, frame: pd.DataFrame, *, customers: bool | None = None) -> dict:
    """:func:`compare`'s settings for a metric of ``frame``; cluster-robust where the rows have customers
    (``customers``: whether they have, when already known)."""
    kw = dict(alpha=float(settings.get("alpha", 0.05)), min_n_show=int(settings.get("min_n_show", 5)),
              min_n_test=int(settings.get("min_n_test", 30)), confidence=float(settings.get("confidence", 0.95)))
    if metric in ("csat", "ces"):
        kw["scale"] = tuple(settings.get("scales", {}).get(metric, (1, 5)))
    if customers is None:
        customers = _has_values(frame, "customer_id")
    if metric in ("nps", "csat", "ces") and customers:
        kw["cluster"] = "customer_id"  # customers answer more than once: cluster-robust tests
    return kw


def build_context(tables: dict, *, level: str, period: tuple, settings: dict, log: pd.DataFrame | None,
                  rejected: pd.DataFrame | None, part: str = "all", shard_rows: int | None = None
                  ) -> dict[str, pd.DataFrame]:
    """Company-wide figures every report needs, computed once for all groups (vectorised).

    ``comparisons``: every group (and the company, group "All") per headline metric against the
    rest of the company, its target, the previous period and a year earlier; one family per
    metric and comparison (see docs/statistics.md, section 7). ``trend``: monthly NPS/CSAT/CES per
    group and company with period-over-period changes flagged. ``touchpoints``: the company's
    journey view. ``unit_outcomes``: unit NPS vs churn and revenue growth. ``regions``: the roll-up.

    ``part``: ``"responses"`` computes only what needs the survey responses alone (their metrics'
    comparisons, trends, touchpoints, regions), ``"rest"`` everything else (tickets, customers,
    revenue, data notes); :func:`merge_context` joins parts into what ``"all"`` gives. ``"rest"``
    is itself ``"other_metrics"`` (the comparisons of the ticket and customer metrics, which need
    no responses) and ``"outcomes"`` (unit outcomes, units, data notes). The batch computes the
    survey part while the other tables are still being read, and the helper process that read them
    computes the other metrics' comparisons.

    ``shard_rows``: responses beyond this many (default :data:`cxkit.stats.shards.SHARD_ROWS`) are
    compared in shards of whole customers, so that the survey part's workings take the memory of one
    shard whatever the rows (:mod:`cxkit.stats.shards`; the same tables, design effects equal to rounding).
    """
    if part not in ("all", "responses", "rest", "other_metrics", "outcomes"):
        raise ConfigError(f"part={part!r} - expected 'all', 'responses', 'rest', 'other_metrics' or 'outcomes'")
    with reuse_prepared():  # about ten comparisons per metric on the same tables: classify the answers once
        return _build_context(tables, level=level, period=period, settings=settings, log=log, rejected=rejected,
                              part=part, shard_rows=SHARD_ROWS if shard_rows is None else int(shard_rows))


def _build_context(tables: dict, *, level: str, period: tuple, settings: dict, log, rejected, part: str,
                   shard_rows: int) -> dict:
    survey, others = part in ("all", "responses"), part in ("all", "rest", "other_metrics")
    start, end = period
    units = tables.get("units")
    r = tables.get("responses")
    specs = list(_comparison_specs(tables, level=level, start=start, end=end, settings=settings, survey=survey,
                                   others=others))
    # (the batch's responses on disk are always read a shard at a time)
    sharded = survey and r is not None and (len(r) > shard_rows or isinstance(r, NarrowResponses))
    jobs, survey_jobs = {}, {}
    if sharded:  # the survey part in shards of whole customers: its workings stay those of one shard
        jobs = {i: compare_job(**kw) for i, (table, kw) in enumerate(specs) if table == "responses"}
        survey_jobs = _survey_jobs(r, units, level=level, start=start, end=end, settings=settings, rows=shard_rows)
        _run_shards(r, list(jobs.values()), survey_jobs, start=start, end=end, rows=shard_rows)
    frames = []
    for i, (table, kw) in enumerate(specs):
        try:
            tab = jobs[i].result() if i in jobs else compare(tables[table], **kw)
        except (InsufficientDataError, ConfigError):
            continue
        frames.append(_comparison_rows(tab, kw["by"], kw["against"]))
    comparisons = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(comparisons):
        comparisons["group"] = comparisons["group"].astype(str)
        comparisons["vs"] = comparisons["vs"].astype(str)
    ctx = {"comparisons": comparisons}
    if survey:
        if sharded:
            ctx.update(_survey_results(survey_jobs))
        else:
            ctx.update(_survey_context(r, units, level=level, end=end, cur=_in(r, "date", start, end),
                                       settings=settings))
    if part in ("all", "rest", "outcomes"):
        ctx.update(_other_context(r, tables, units, settings=settings, log=log, rejected=rejected, period=(start, end)))
    return ctx


def _comparison_specs(tables: dict, *, level, start, end, settings, survey: bool, others: bool):
    """(table, :func:`compare`'s arguments) of every comparison of the headline metrics, in the context's order."""
    units = tables.get("units")
    for metric, (table, date) in METRIC_SOURCES.items():
        if not (survey if table == "responses" else others):
            continue
        data = tables.get(table)
        if data is None or data.empty or "_group" not in data.columns:
            continue
        if metric in ("nps", "csat", "ces") and not _has_values(data, metric):
            continue
        win = metric_window(metric, start, end)
        kw = _compare_kwargs(metric, settings, data)
        for against in COMPARISONS:
            targets = None
            if against == "target":
                if units is None or level != "unit" or f"target_{metric}" not in units.columns:
                    continue
                targets = units.rename(columns={"unit": "_group"})
            for by in ("_group", None):
                if by is None and against in ("rest", "target"):
                    continue
                ref = reference_window(metric, start, end, against) if against in ("previous", "year_ago") else None
                yield table, dict(metric=metric, by=by, against=against, period=win, date=date, targets=targets,
                                  reference=ref, **kw)


def _comparison_rows(tab: pd.DataFrame, by, against: str) -> pd.DataFrame:
    """A comparison's table as rows of the context's ``comparisons``."""
    tab = tab.rename(columns={"_group": "group"})
    if by is None:
        tab.insert(0, "group", "All")
    tab["against"] = against
    tab["company_value"] = (tab.attrs.get("company") or {}).get("value", np.nan)
    return tab


def unit_churn(customers: pd.DataFrame | None, *, period: tuple) -> pd.DataFrame | None:
    """Each report group's churn as the unit outcomes need it (:func:`cxkit.outcomes.units.churn_by_unit`), for
    the period ending ``period[1]``; None where the customers do not allow it (the parent then gets the
    customers' table instead)."""
    if customers is None or not len(customers) or "_group" not in customers.columns:
        return None
    try:
        return churn_by_unit(customers, by="_group", end=period[1])
    except (InsufficientDataError, ConfigError):
        return None


def merge_context(*parts: dict) -> dict[str, pd.DataFrame]:
    """Join parts of :func:`build_context` given in the order survey, other metrics, outcomes
    (comparisons in the order ``"all"`` gives them: survey metrics first)."""
    out = {}
    for p in parts:
        out.update(p)
    frames = [c for c in (p.get("comparisons") for p in parts) if c is not None and len(c)]
    out["comparisons"] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out


def _survey_context(r, units, *, level, end, cur, settings) -> dict:
    """The part of the context that needs only the survey responses: trends, touchpoints, regions."""
    trends = []
    for metric in ("nps", "csat", "ces"):
        if metric not in r.columns or r[metric].notna().sum() == 0:
            continue
        kw = _trend_kwargs(metric, settings, r)
        trends += [(by, _attempt(partial(trend, r, metric=metric, freq="M", by=by, end=end, **kw)))
                   for by in ("_group", None)]
    dist = tp = reg = None
    if "nps" in cur.columns and cur["nps"].notna().any():  # detractors / passives / promoters per group and company
        dist = (nps_distribution(cur, by="_group"), nps_distribution(cur))
    if "touchpoint" in cur.columns and cur["touchpoint"].notna().any():
        tp = _attempt(lambda: compare(cur, metric="nps", by="touchpoint", against="rest",
                                      **_compare_kwargs("nps", settings, cur)))
    if units is not None and "region" in units.columns and level == "unit":
        rr = cur.assign(_region=cur["unit"].astype(str).map(_region_of(units)))
        reg = _attempt(lambda: compare(rr, metric="nps", by="_region", against="rest",
                                       **_compare_kwargs("nps", settings, rr)))
    return _survey_tables(trends, dist, tp, reg)


def _trend_kwargs(metric: str, settings: dict, r: pd.DataFrame) -> dict:
    # month-over-month tests without the clustering correction: a customer rarely answers twice in
    # a month, and answers of the same customers in both months make the plain test conservative
    return _compare_kwargs(metric, settings, r, customers=False)


def _attempt(make):
    """``make()``, or None where the data do not allow it (too few answers, a missing column)."""
    try:
        return make()
    except (InsufficientDataError, ConfigError):
        return None


def _survey_tables(trends: list, dist, touchpoints, regions) -> dict:
    """The survey part's context tables from :func:`trend`'s tables (by, table or None), the NPS distributions
    (per group, company; or None), and the touchpoints' and regions' comparisons (or None)."""
    frames = []
    for by, tab in trends:
        if tab is None:
            continue
        tab = tab.rename(columns={"_group": "group"})
        if by is None:
            tab.insert(0, "group", "All")
        frames.append(tab)
    ctx = {"trend": pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()}
    if len(ctx["trend"]):
        for col in ("group", "period", "vs"):
            ctx["trend"][col] = ctx["trend"][col].astype(str)
    if dist is not None and len(dist[1]):
        by_group = dist[0].rename(columns={"_group": "group"})
        by_group["group"] = by_group["group"].astype(str)
        ctx["nps_distribution"] = pd.concat([by_group, dist[1].assign(group="All")], ignore_index=True)
    if touchpoints is not None:
        touchpoints["touchpoint"] = touchpoints["touchpoint"].astype(str)
        ctx["touchpoints"] = touchpoints
    if regions is not None:
        ctx["regions"] = regions.rename(columns={"_region": "region"})
    return ctx


def _scan(r: pd.DataFrame, start, end, rows: int) -> dict:
    """What the survey part's arguments depend on, read a slice of rows at a time: each score's first dated
    answer (where :func:`trend` starts; NaT without one), and whether the period has NPS answers,
    touchpoints and customers. The batch's responses on disk counted them while they were read."""
    if isinstance(r, NarrowResponses):
        return {"first": {m: r.first_answer.get(m, pd.NaT) for m in ("nps", "csat", "ces") if m in r.columns},
                "found": {c: r.count_between(c, start, end) > 0 for c in ("nps", "touchpoint", "customer_id")}}
    firsts = {m: [] for m in ("nps", "csat", "ces") if m in r.columns}
    found = dict.fromkeys(("nps", "touchpoint", "customer_id"), False)
    for i in range(0, len(r), rows):
        part = r.iloc[i:i + rows]
        dates = part["date"].to_numpy(dtype="datetime64[ns]")
        dated = ~np.isnat(dates)
        inside = _in_period(dates, start, end)
        for m, seen in firsts.items():
            d = dates[part[m].notna().to_numpy() & dated]
            if d.size:
                seen.append(d.min())
        for c in found:
            found[c] = found[c] or (c in part.columns and bool((part[c].notna().to_numpy() & inside).any()))
    return {"first": {m: pd.Timestamp(min(seen)) if seen else pd.NaT for m, seen in firsts.items()}, "found": found}


def _survey_jobs(r, units, *, level, start, end, settings, rows: int) -> dict:
    """The tables of :func:`_survey_context` as jobs over shards (:mod:`cxkit.stats.shards`): ``trends``
    (group, job) on all of a shard's rows; ``distribution``, ``touchpoints`` on its rows of the period;
    ``regions`` (region of each unit, its categories, job) on those with their region."""
    scan = _scan(r, start, end, rows)
    found = scan["found"]
    jobs = {"trends": []}
    for metric in ("nps", "csat", "ces"):
        lo = scan["first"].get(metric, pd.NaT)
        if lo is pd.NaT:
            continue
        kw = _trend_kwargs(metric, settings, r)
        jobs["trends"] += [(by, trend_job(metric=metric, freq="M", by=by, start=lo, end=end, **kw))
                           for by in ("_group", None)]
    cur_kw = _compare_kwargs("nps", settings, r, customers=found["customer_id"])  # as of the period's rows
    if found["nps"]:
        jobs["distribution"] = (distribution_job(by="_group"), distribution_job())
    if found["touchpoint"]:
        jobs["touchpoints"] = compare_job(metric="nps", by="touchpoint", against="rest", **cur_kw)
    if units is not None and "region" in units.columns and level == "unit":
        region_of = _region_of(units)
        jobs["regions"] = (region_of, pd.CategoricalDtype(sorted(set(region_of.values()))),
                           compare_job(metric="nps", by="_region", against="rest", **cur_kw))
    return jobs


def _run_shards(r, comparisons: list, jobs: dict, *, start, end, rows: int) -> None:
    """Add the responses to the jobs one shard of whole customers at a time; a shard's workings (classified
    answers, window masks, cells) are dropped before the next shard is made."""
    whole = comparisons + [job for _, job in jobs["trends"]]
    current = list(jobs.get("distribution", ())) + ([jobs["touchpoints"]] if "touchpoints" in jobs else [])
    shards = r.shards(rows) if isinstance(r, NarrowResponses) else customer_shards(r, rows=rows,
                                                                                  groups=("_group", "touchpoint"))
    for shard in shards:
        with reuse_prepared(own=True):
            for job in whole:
                job.add(shard)
            cur = _in(shard, "date", start, end)
            for job in current:
                job.add(cur)
            if "regions" in jobs:
                region_of, dtype, job = jobs["regions"]
                job.add(cur.assign(_region=pd.Series(cur["unit"].astype(str).map(region_of), index=cur.index,
                                                     dtype=dtype)))
        del shard, cur


def _survey_results(jobs: dict) -> dict:
    """:func:`_survey_context`'s tables from its jobs over shards (:func:`_survey_jobs`)."""
    dist = tuple(job.result() for job in jobs["distribution"]) if "distribution" in jobs else None
    return _survey_tables([(by, _attempt(job.result)) for by, job in jobs["trends"]], dist,
                          _attempt(jobs["touchpoints"].result) if "touchpoints" in jobs else None,
                          _attempt(jobs["regions"][2].result) if "regions" in jobs else None)


def _other_context(r, tables, units, *, settings, log, rejected, period=(None, None)) -> dict:
    """The part of the context that needs the other tables: unit outcomes, units, data notes."""
    ctx = {}
    answered = r is not None and _has_values(r, "nps")  # no NPS: no unit outcomes
    customers, churn = tables.get("customers"), tables.get("unit_churn")
    if (customers is not None or churn is not None) and answered:
        if isinstance(r, NarrowResponses):  # the period's NPS answers are all unit outcomes read of them
            span = period if period[0] is not None else (r.dates().min(), r.dates().max())
            r = r.rows_between(*span, ["_group", "nps", "date"])
        kw = dict(by="_group", confidence=float(settings.get("confidence", 0.95)), end=period[1],
                  nps_period=period if period[0] is not None else None)
        try:
            if churn is None:
                uo = unit_outcomes(r, customers, tables.get("revenue"), **kw)
            else:  # each unit's churn, counted by the batch's helper that read the customers
                uo = _unit_outcomes(r, churn, tables.get("revenue"), customers, period_months=PERIOD_MONTHS,
                                    min_responses=MIN_RESPONSES, **kw)
            ctx["unit_outcomes"] = (uo.data.rename(columns={"_group": "group"})
                                    .assign(group=lambda d: d["group"].astype(str)))
            ctx["unit_outcomes_fit"] = uo.summary
            if uo.lines is not None:
                ctx["unit_outcomes_lines"] = uo.lines
            ctx["unit_outcomes_notes"] = pd.DataFrame({"note": list(uo.notes)})
        except (InsufficientDataError, ConfigError):
            pass
    if units is not None:
        ctx["units"] = units.drop(columns=[c for c in ("_row",) if c in units.columns])
    ctx["log"] = log.copy() if log is not None else pd.DataFrame()
    if rejected is not None and len(rejected):
        rej = rejected.copy()
        rej["column"] = rej["reason"].astype(str).str.extract(r"column '([^']*)'")[0].fillna("(row)")
        ctx["rejected_summary"] = rej.groupby(["table", "column"], dropna=False).size().rename("rows").reset_index()
    else:
        ctx["rejected_summary"] = pd.DataFrame({"table": [], "column": [], "rows": []})
    return ctx
