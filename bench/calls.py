"""cxkit benchmark: wall time of each public analysis call at scale.

The dataset is ``cx.write_sample(path, rows=ROWS, units=50, fmt="parquet", seed=7)`` (2M survey responses,
about 1M customers and 6.4M invoices at the default size), generated once and cached in
``bench/data/r{ROWS}-u50-s7-parquet`` (``run.dataset``). Each public analysis call of :data:`cxkit.__all__` (metrics,
comparisons, trend, tests, ranking, outcomes, drivers, comments) runs with the arguments a report uses;
a call is timed as the best of 3 runs after a first one (reported apart: it pays the call's imports, as
``import cxkit`` is lazy). Target: every call
<= 2 s on the 2-core benchmark machine. Plots and the report's ``show_*`` functions are not analysis
calls and are left out; so are the scalar helpers that take counts (``nps_from_counts``, ``nps_test``,
``share``, ``clv_formula`` ...: constant time, whatever the data size).

    python bench/calls.py [--rows 2000000] [--only cox_model,join_outcomes] [--skip cox_model]
"""
from __future__ import annotations

import argparse
import sys
import time

UNITS = 50
SEED = 7


def _calls(ds, j):
    """name -> zero-argument callable, with the arguments a report uses (``cxkit/report/sections.py``)."""
    import cxkit as cx

    r, c, rev, tk = ds.responses, ds.customers, ds.revenue, ds.tickets
    unit = str(r["unit"].cat.categories[0])
    one = r[r["unit"] == unit]
    rest = r[r["unit"] != unit]
    return {
        # metrics
        "nps": lambda: cx.nps(r["nps"]),
        "csat": lambda: cx.csat(r["csat"]),
        "ces": lambda: cx.ces(r["ces"]),
        "ces_mean": lambda: cx.ces_mean(r["ces"]),
        "nps_counts": lambda: cx.nps_counts(r["nps"]),
        "nps_group": lambda: cx.nps_group(r["nps"]),
        "nps_distribution": lambda: cx.nps_distribution(r, by="unit"),
        "metric_table": lambda: cx.metric_table(r, metric="nps", by="unit"),
        "first_response_time": lambda: cx.first_response_time(tk),
        "churn_rate": lambda: cx.churn_rate(c),
        "churn_hazard": lambda: cx.churn_hazard(c),
        "cac": lambda: cx.cac(c),
        "cost_to_serve": lambda: cx.cost_to_serve(c),
        "clv": lambda: cx.clv(c, rev),
        # comparisons, trend, tests
        "compare(by=unit, against=rest)": lambda: cx.compare(r, metric="nps", by="unit", against="rest"),
        "compare(by=touchpoint)": lambda: cx.compare(r, metric="nps", by="touchpoint"),
        "trend(freq=M)": lambda: cx.trend(r, metric="nps", freq="M"),
        "trend(freq=M, by=unit)": lambda: cx.trend(r, metric="nps", freq="M", by="unit"),
        "compare_nps": lambda: cx.compare_nps(one["nps"], rest["nps"]),
        "compare_means": lambda: cx.compare_means(one["csat"], rest["csat"]),
        "mean_vs_target": lambda: cx.mean_vs_target(r["csat"], 4.0),
        "median_vs_target": lambda: cx.median_vs_target(r["ces"], 3.0),
        # ranking
        "rank_units": lambda: cx.rank_units(r, by="unit"),
        "shrink_nps": lambda: cx.shrink_nps(r),
        "funnel_limits": lambda: cx.funnel_limits(r),
        "funnel_verdicts": lambda: cx.funnel_verdicts(r),
        # outcomes
        "join_outcomes": lambda: cx.join_outcomes(r, c, rev),
        "churn_by_group": lambda: cx.churn_by_group(j),
        "churn_relative_risk": lambda: cx.churn_relative_risk(j),
        "churn_logit": lambda: cx.churn_logit(j),
        "kaplan_meier": lambda: cx.kaplan_meier(j),
        "cox_model": lambda: cx.cox_model(j),
        "cox_model(controls=segment)": lambda: cx.cox_model(j, controls=["segment"]),
        "revenue_by_group": lambda: cx.revenue_by_group(j),
        "revenue_at_risk": lambda: cx.revenue_at_risk(j),
        "clv_by_group": lambda: cx.clv_by_group(j),
        "nps_point_value": lambda: cx.nps_point_value(j),
        "unit_outcomes": lambda: cx.unit_outcomes(r, c, rev),
        "response_time_effect": lambda: cx.response_time_effect(r, tk),
        # drivers and comments
        "relative_weights": lambda: cx.relative_weights(r, outcome="nps"),
        "themes": lambda: cx.themes(r),
        "theme_summary": lambda: cx.theme_summary(r),
        "example_comments": lambda: cx.example_comments(r, theme="delivery", n=3, group="detractor"),
    }


def _time(fn, *, repeat: int = 3) -> tuple[float, float]:
    """(the first run, the best of ``repeat`` runs after it): the first pays what a call does once per
    session (importing its modules: ``import cxkit`` is lazy), the others what an analyst waits each time."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return first, best


def bench_calls(rows: int = 2_000_000, *, only=None, skip=None, verbose: bool = False) -> dict:
    """Time each public analysis call on the cached benchmark dataset.

    Parameters
    ----------
    rows : survey responses of the generated dataset
    only : names of the calls to time (default all); a name without parentheses selects all its variants
    skip : names of calls not to time
    verbose : print each call's time as it is measured

    Returns
    -------
    dict
        ``rows``, ``customers``, ``invoices`` (sizes of the tables), ``calls``: call name -> seconds (the
        best of 3 runs after a first one) and ``first_calls``: call name -> seconds of that first run.
    """
    import cxkit as cx

    from run import dataset  # bench/run.py: generated once, cached in bench/data/

    ds = cx.load(dataset(rows, UNITS, "parquet", seed=SEED))
    t0 = time.perf_counter()  # the first analysis call after load(): its modules' import and first memory touch
    j = cx.join_outcomes(ds.responses, ds.customers, ds.revenue)
    first_join = time.perf_counter() - t0
    calls = _calls(ds, j)
    times, first = {}, {}
    for name, fn in calls.items():
        base = name.split("(")[0]
        if (only and name not in only and base not in only) or (skip and (name in skip or base in skip)):
            continue
        first[name], times[name] = _time(fn)
        if name == "join_outcomes":  # its first run is the one above; the timed one is its second
            first[name] = first_join
        if verbose:
            print(f"  {name:<34} {times[name]:8.3f} s (first run {first[name]:.3f} s)", flush=True)
    return {"rows": len(ds.responses), "customers": len(ds.customers), "invoices": len(ds.revenue), "calls": times,
            "first_calls": first}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--only", default="", help="comma-separated call names (without their arguments)")
    ap.add_argument("--skip", default="", help="comma-separated call names not to time")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()] or None
    skip = [s.strip() for s in args.skip.split(",") if s.strip()] or None
    res = bench_calls(args.rows, only=only, skip=skip, verbose=True)
    print(f"\n{res['rows']:,} responses, {res['customers']:,} customers, {res['invoices']:,} invoices")
    print(f"{'call':<34} {'seconds':>8}  target <= 2 s")
    for name, sec in sorted(res["calls"].items(), key=lambda kv: -kv[1]):
        print(f"{name:<34} {sec:8.3f}  {'ok' if sec <= 2 else 'SLOW'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
