"""The unit report's parts: headline metrics against the rest, target, previous period and a year
earlier; trends; the customer journey; outcomes; drivers; comment themes; data notes and methods.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..drivers import relative_weights
from ..errors import InsufficientDataError
from ..i18n import format_date_local, format_number_local, format_percent_local, t
from ..outcomes import (
    churn_by_group,
    churn_relative_risk,
    join_outcomes,
    kaplan_meier,
    revenue_at_risk,
    revenue_by_group,
)
from ..periods import METRIC_WINDOWS, metric_window, previous_period, reference_window, year_ago
from ..plots import plot_churn_by_group, plot_drivers, plot_nps_distribution, plot_survival, plot_themes, plot_trend
from ..stats.comparisons import compare
from ..stats.ranking import rank_units
from ..text import example_comments, theme_summary, themes
from . import alt
from .access import ReportData
from .context import COMPARISONS, HEADLINE_METRICS, REPORTED_SCORES, _compare_kwargs, default_settings
from .display import Section, _ci, _group_label

__all__ = ["headline", "headline_record", "headline_table", "headline_notes", "shown_metrics", "suppress_complementary",
           "trend_figure", "trends_section", "distribution_section", "distribution_labels", "journey_table",
           "journey_labels", "journey_figure", "journey_section", "theme_examples", "driver_result",
           "data_notes", "methods_notes", "outcomes_section", "drivers_section", "themes_section", "rank_note",
           "significance_words", "unit_ranking", "theme_result", "ThemeResult"]


def headline(rep: ReportData) -> pd.DataFrame:
    """Headline metrics of the report's group in the reporting period, one row per metric, with
    the comparison against the rest of the company, the target, the previous period and a year
    earlier (difference, adjusted p-value, significance, direction).

    Columns: ``metric``, ``value``, ``ci_low``, ``ci_high``, ``n``, ``note``, then for each of
    ``rest``, ``target``, ``previous``, ``year_ago``: ``<vs>_reference``, ``<vs>_diff``,
    ``<vs>_p_adjusted``, ``<vs>_significant``, ``<vs>_direction``.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.

    Returns
    -------
    pandas.DataFrame
        One row per headline metric, the columns above.
    """
    c = rep.context.get("comparisons")
    group = rep.group or "All"
    cols = ["metric", "value", "ci_low", "ci_high", "n", "note"]
    if c is None or c.empty:
        return pd.DataFrame(columns=cols)
    mine = c[c["group"] == group]
    rows = []
    for metric in shown_metrics(rep):
        m = mine[mine["metric"] == metric]
        if m.empty:
            continue
        base = m.iloc[0]
        row = {"metric": metric, "value": base["value"], "ci_low": base["ci_low"], "ci_high": base["ci_high"],
               "n": int(base["n"]) if pd.notna(base["n"]) else 0, "note": base.get("note", "") or "",
               "higher_is_better": metric not in ("first_response_time", "churn_rate")}
        for vs in COMPARISONS:  # every comparison's columns on every row: a missing one is not significant
            row.update({f"{vs}_reference": np.nan, f"{vs}_diff": np.nan, f"{vs}_p_adjusted": np.nan,
                        f"{vs}_significant": False, f"{vs}_direction": None, f"{vs}_label": None})
            hit = m[m["against"] == vs]
            if hit.empty:
                continue
            h = hit.iloc[0]
            row.update({f"{vs}_reference": h["reference"], f"{vs}_diff": h["diff"], f"{vs}_p_adjusted": h["p_adjusted"],
                        f"{vs}_significant": _flag(h["significant"]) and row["n"] > 0,
                        f"{vs}_direction": h["direction"], f"{vs}_label": h["vs"]})
        rows.append(row)
    return pd.DataFrame(rows)


def shown_metrics(rep: ReportData) -> tuple[str, ...]:
    """The headline metrics a report shows for its period: all of them, or in a period without a single
    survey response only those measured over the period itself (not churn over 12 months).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.

    Returns
    -------
    tuple of str
        Metric names, in the order of :data:`~cxkit.report.context.HEADLINE_METRICS`.
    """
    if not rep.empty_period:
        return HEADLINE_METRICS
    return tuple(m for m in HEADLINE_METRICS if METRIC_WINDOWS[m] == "period")


def _missing_score(rep: ReportData, lang: str, metric: str = "nps") -> str | None:
    """The data notes' sentence when the responses have no ``metric`` at all (None when they have it)."""
    if metric not in rep.meta.get("missing_scores", []):
        return None
    return t("missing_score", lang).format(column=metric, name=t(metric, lang).split(" (")[0])


def _reported_score(rep: ReportData, metric: str | None = None) -> str:
    """``metric``; when None, NPS or else the first survey score the responses have (NPS when they have none)."""
    if metric is not None:
        return metric
    missing = set(rep.meta.get("missing_scores", []))
    return next((m for m in REPORTED_SCORES if m not in missing), "nps")


def _flag(value) -> bool:
    """A significance flag as read from a table: True only for a real True (a missing value, NaN, is not)."""
    return value is True or (isinstance(value, np.bool_) and bool(value))


def headline_record(rep: ReportData) -> dict:
    """Headline figures as plain JSON values (for the manifest and the index page).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.

    Returns
    -------
    dict
        Metric -> ``value``, ``ci_low``, ``ci_high``, ``n``, the comparison with the rest of the company
        (``significant``, ``direction``, ``good``, ``p_adjusted``), with the previous period (``previous``,
        ``vs_previous``, ``previous_significant``, ``previous_direction``) and with the target (``target``,
        ``vs_target``, ``target_significant``, ``target_direction``; None where the unit has no target), and
        ``higher_is_better``.
    """
    out = {}
    for r in headline(rep).to_dict(orient="records"):
        direction = r.get("rest_direction")
        answered = int(r["n"]) > 0  # nothing measured on no answers is ever significant
        out[r["metric"]] = {"value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                            "significant": answered and _flag(r.get("rest_significant")),
                            "good": (direction == "higher") == bool(r.get("higher_is_better", True)),
                            "direction": r.get("rest_direction"), "p_adjusted": r.get("rest_p_adjusted"),
                            "higher_is_better": bool(r.get("higher_is_better", True))}
        for vs in ("previous", "target"):
            out[r["metric"]].update({vs: r.get(f"{vs}_reference"), f"vs_{vs}": r.get(f"{vs}_diff"),
                                     f"{vs}_significant": answered and _flag(r.get(f"{vs}_significant")),
                                     f"{vs}_direction": r.get(f"{vs}_direction")})
    return out


_ARROW = {"higher": "▲", "lower": "▼"}


def _marked(diff, significant, direction, lang, digits=1, higher_is_better: bool | None = None) -> str:
    """A signed difference; where significant, ▲/▼ and the word "better"/"worse" (so colour is not the only
    cue; :func:`cxkit.report.display.table_html` colours the pair)."""
    if diff is None or (isinstance(diff, float) and np.isnan(diff)):
        return "–"
    text = format_number_local(diff, lang, digits, signed=True)
    if not significant or direction not in _ARROW:
        return text
    if higher_is_better is None:
        return f"{text} {_ARROW[direction]}"
    good = (direction == "higher") == bool(higher_is_better)
    return f"{text} {_ARROW[direction]} {t('better' if good else 'worse', lang)}"


def significance_words(rows: pd.DataFrame, lang: str, min_n_test: int) -> list[str]:
    """For each compared row: "yes" when significant after correction, "no: the interval includes 0" when
    tested and not, "not tested: n = 16 < 30" below the test minimum (either side)."""
    out = []
    for r in rows.itertuples():
        n = int(min(r.n, getattr(r, "reference_n", r.n)))
        if _flag(r.significant):
            out.append(t("yes", lang))
        elif pd.isna(getattr(r, "p_adjusted", np.nan)) or n < min_n_test:
            out.append(t("sig_small", lang).format(n=format_number_local(n, lang, 0), min=min_n_test))
        elif getattr(r, "diff_ci_low", np.nan) > 0 or getattr(r, "diff_ci_high", np.nan) < 0:
            out.append(t("sig_no_corrected", lang))  # the interval alone excludes 0; the corrected test does not
        else:
            out.append(t("sig_no", lang))
    return out


def _vs(r, vs: str, lang: str) -> str:
    """The difference against ``vs`` (rest, target, previous, year_ago): ▲/▼ and better/worse where
    significant."""
    return _marked(r.get(f"{vs}_diff"), _flag(r.get(f"{vs}_significant")), r.get(f"{vs}_direction"), lang,
                   higher_is_better=bool(r.get("higher_is_better", True)))


def headline_table(rep: ReportData, *, lang: str = "en") -> pd.DataFrame:
    """The headline as leadership reads it: localised labels, intervals, ▲/▼ for significant changes.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    pandas.DataFrame
        One row per metric: value, interval, n, and the difference against the rest of the company,
        the target, the previous period and a year earlier, as text; a comparison with no figure for any
        metric (the company has no rest and no target) is left out.
    """
    h = headline(rep)
    rows = []
    for r in h.to_dict(orient="records"):
        digits = 1
        row = {t("metric", lang): t(r["metric"], lang),
               t("value", lang): (format_number_local(r["value"], lang, digits) if pd.notna(r["value"])
                                  else t("not_shown", lang)),
               t("ci", lang): _ci(r["ci_low"], r["ci_high"], lang) if pd.notna(r["value"]) else "–",
               t("n", lang): format_number_local(r["n"], lang, 0)}
        row[t("vs_rest", lang)] = _vs(r, "rest", lang)
        for vs in ("target", "previous", "year_ago"):
            ref = r.get(f"{vs}_reference")
            row[t(vs, lang)] = (f"{format_number_local(ref, lang)} ({_vs(r, vs, lang)})"
                                if ref is not None and pd.notna(ref) else "–")
        rows.append(row)
    out = pd.DataFrame(rows)
    comparisons = [t(k, lang) for k in ("vs_rest", "target", "previous", "year_ago")]
    empty = [c for c in comparisons if c in out.columns and (out[c] == "–").all()]
    return out.drop(columns=empty)  # the company has no "rest" and no target: no column of dashes


def headline_notes(rep: ReportData, *, lang: str = "en") -> list[str]:
    """Why some figures are not shown or not tested (from the comparison notes).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    list of str
        One note per reason, in the report language; first what the period holds: no survey response
        at all in the period, no responses of this unit, or (the summary) the units without responses.
    """
    h = headline(rep)
    notes = [f"{t(r['metric'], lang)}: {r['note']}" for r in h.to_dict(orient="records") if r.get("note")]
    return _period_notes(rep, lang) + notes


def _period_notes(rep: ReportData, lang: str) -> list[str]:
    """Sentences on what the period holds: an empty period, a unit without responses, the units without."""
    f = lambda d: format_date_local(pd.Timestamp(d), lang) if d else "–"  # noqa: E731
    if rep.empty_period:
        first, last = rep.meta.get("data_span") or (None, None)
        return [t("empty_period", lang).format(start=f(rep.period[0]), end=f(rep.period[1]), first=f(first),
                                               last=f(last))]
    if rep.group:
        return [t("no_responses_period", lang)] if rep.responses_in_period == 0 else []
    silent = rep.without_responses
    return [t("no_responses_units", lang).format(units=", ".join(silent))] if silent else []


def suppress_complementary(n: pd.Series, threshold: int, *, total_shown: bool = True) -> pd.Series:
    """Which rows to hide so that no row under ``threshold`` can be recovered by subtraction.

    Rows with 0 < n < threshold are hidden. When a total is published, a single hidden row could be
    recovered as total minus the others, and several small hidden rows add up to a small group: the
    smallest visible rows are hidden too until the hidden rows together reach the threshold and
    there are at least two of them (or none).

    Parameters
    ----------
    n : pandas.Series
        Count of each row.
    threshold : int
        The smallest count that may be shown (``min_n_show``).
    total_shown : bool
        Whether a total of all rows is published beside them.

    Returns
    -------
    pandas.Series of bool
        True for the rows to hide.

    Examples
    --------
    >>> suppress_complementary(pd.Series([3, 40, 50, 60]), 5).tolist()
    [True, True, False, False]
    >>> suppress_complementary(pd.Series([30, 40]), 5).tolist()
    [False, False]
    """
    n = pd.Series(n).fillna(0).astype(float)
    hide = (n > 0) & (n < threshold)
    if not total_shown or not hide.any():
        return hide
    order = n[~hide & (n > 0)].sort_values().index.tolist()
    while hide.any() and (hide.sum() < 2 or n[hide].sum() < threshold) and order:
        hide[order.pop(0)] = True
    return hide


def trend_figure(rep: ReportData, *, metric: str = "nps", lang: str = "en"):
    """Monthly trend of the group with its band and flagged changes, the company beside it.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    metric : str
        ``"nps"``, ``"csat"`` or ``"ces"``.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if _missing_score(rep, lang, metric):
        raise InsufficientDataError(_missing_score(rep, lang, metric))
    tr = rep.context.get("trend")
    if tr is None or tr.empty:
        raise InsufficientDataError("no monthly figures")
    group = rep.group or "All"
    sub = tr[(tr["metric"] == metric) & (tr["group"].isin([group, "All"]))].copy()
    if sub.empty:
        raise InsufficientDataError(f"no monthly {metric} figures for {group}")
    sub["group"] = sub["group"].replace({"All": t("company", lang)})
    sub.attrs = {"by": ["group"], "metric": metric, "freq": "M", "confidence": 0.95,
                 "higher_is_better": metric not in ("first_response_time", "churn_rate"),
                 "measured_in": "points" if metric == "nps" else "%"}
    groups = [g for g in (group if group != "All" else None, t("company", lang)) if g]
    ax = plot_trend(sub, group=groups, title=f"{t(metric, lang)} – {t('trends', lang).lower()}", shade=rep.period,
                    target=_target_of(rep, metric),
                    labels={"better": t("real_change_better", lang), "worse": t("real_change_worse", lang),
                            "period": t("reporting_period", lang), "target": t("target", lang)}, lang=lang)
    ax.set_xlabel(t("month", lang))
    ax.set_ylabel(t(metric, lang))
    return ax


def _target_of(rep: ReportData, metric: str) -> float | None:
    """The group's target for ``metric`` from the units table (None for the company or without one)."""
    units = rep.context.get("units")
    column = f"target_{metric}"
    if not rep.group or units is None or column not in units.columns or "unit" not in units.columns:
        return None
    hit = units.loc[units["unit"].astype(str) == str(rep.group), column]
    value = pd.to_numeric(hit, errors="coerce").dropna()
    return float(value.iloc[0]) if len(value) else None


def trends_section(rep: ReportData, *, metrics: tuple[str, ...] = ("nps", "csat"), lang: str = "en") -> Section:
    """The trends of the group: one chart per score in ``metrics`` the responses have, one sentence for
    each they lack; when they have none of them, the chart of the first score they have (CES, say).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    metrics : tuple of str
        The scores to show: ``"nps"``, ``"csat"``, ``"ces"``.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    Section
        The charts, a sentence per missing score, and a note where a chart has too little data.
    """
    sec = Section()
    missing = set(rep.meta.get("missing_scores", []))
    shown = [m for m in metrics if m not in missing]
    for metric in metrics:
        if metric in missing:
            sec.note(_missing_score(rep, lang, metric))
    if not shown:  # none of the asked scores: the first one the responses have, not an empty section
        shown = [m for m in REPORTED_SCORES if m not in missing][:1]
    for metric in shown:
        sec.attempt(lang, lambda m=metric: sec.figure(trend_figure(rep, metric=m, lang=lang),
                                                      alt=alt.trend_alt(rep, metric=m, lang=lang)))
    return sec


def distribution_labels(lang: str) -> dict:
    """The texts of :func:`cxkit.plot_nps_distribution` in the report language."""
    return {"detractors": f"{t('detractor', lang)} (0-6)", "passives": f"{t('passive', lang)} (7-8)",
            "promoters": f"{t('promoter', lang)} (9-10)", "xlabel": t("share_of_answers", lang),
            "number": lambda v, digits: format_number_local(v, lang, digits)}


def distribution_section(rep: ReportData, *, lang: str = "en") -> Section:
    """How the group's NPS is made: detractors, passives and promoters of the group against the company.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    Section
        A stacked bar per row (the group, the company) with n and NPS, or one sentence when there is no
        NPS or no answer in the period.
    """
    sec = Section()
    missing = _missing_score(rep, lang, "nps")
    dist = rep.context.get("nps_distribution")
    if missing:
        sec.note(missing)
        return sec
    if dist is None or dist.empty:
        sec.note(t("no_responses_period", lang))
        return sec
    group = rep.group or "All"
    rows = dist[dist["group"].isin([group, "All"])].copy()
    rows["_order"] = (rows["group"] == "All").astype(int)
    rows = rows.sort_values("_order").drop(columns="_order")
    rows["group"] = rows["group"].replace({"All": t("company", lang)})
    if group != "All" and group not in set(dist["group"]):
        sec.note(t("no_responses_period", lang))
    ax = plot_nps_distribution(rows, by="group", labels=distribution_labels(lang), lang=lang)
    ax.set_title(t("nps_distribution", lang), pad=22)
    sec.figure(ax, alt=alt.distribution_alt(rows, lang))
    return sec


def unit_ranking(rep: ReportData, *, settings: dict | None = None):
    """The fair ranking of the groups by NPS in the period (:func:`cxkit.rank_units` on the counts of
    detractors, passives and promoters), groups hidden by ``min_n_show`` (and their complement) left out.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    settings : dict, optional
        Report settings (``min_n_show``).

    Returns
    -------
    cxkit.stats.ranking.UnitRanking
    """
    dist = rep.context.get("nps_distribution")
    if dist is None or dist.empty or "nps" in set(rep.meta.get("missing_scores", [])):
        raise InsufficientDataError("no NPS answers in the period")
    groups = dist[dist["group"] != "All"].reset_index(drop=True)
    hide = suppress_complementary(groups["n"], int((settings or {}).get("min_n_show", 5)))
    groups = groups[~hide.to_numpy()]
    if len(groups) < 2:
        raise InsufficientDataError("fewer than two groups to rank")
    return rank_units(groups.rename(columns={"group": "unit"}), by="unit")


def rank_note(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> str | None:
    """The group's place among all groups by NPS, with its plausible range ("3rd of 10, plausibly 2nd to
    6th"), from the fair ranking of the leadership summary; None when there is no ranking.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (``min_n_show``).

    Returns
    -------
    str or None
    """
    try:
        s = unit_ranking(rep, settings=settings).summary
    except InsufficientDataError:
        return None
    row = s[s["unit"].astype(str) == str(rep.group)]
    if row.empty:
        return None
    r = row.iloc[0]
    place = (lambda k: _ordinal(int(k))) if lang == "en" else (lambda k: str(int(k)))
    key = "rank_sentence_sure" if r["rank_low"] == r["rank_high"] else "rank_sentence"
    return t(key, lang).format(k=len(s), rank=place(r["rank"]), low=place(r["rank_low"]), high=place(r["rank_high"]))


def _ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st (English)."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _journey_rows(rep: ReportData, settings: dict) -> tuple[pd.DataFrame, pd.Series]:
    """The group's touchpoints against its other touchpoints (:func:`compare`, rows with answers) and which
    of them to hide for confidentiality (with their complement); compared once per report and settings (the
    journey's table, chart and alt text read the same rows), each caller given its own copies."""
    key = (float(settings.get("alpha", 0.05)), int(settings.get("min_n_show", 5)),
           int(settings.get("min_n_test", 30)), float(settings.get("confidence", 0.95)))
    source = rep.current("responses") if rep.group else rep.context.get("touchpoints")
    memo = rep.__dict__.setdefault("_journey_rows", {})
    if key not in memo or memo[key][0] is not source:  # the rows compared are no longer the same: again
        memo[key] = (source, *_compare_touchpoints(rep, settings))
    _, tab, hide = memo[key]
    out = tab.copy()
    out.attrs = dict(tab.attrs)
    return out, hide.copy()


def _compare_touchpoints(rep: ReportData, settings: dict) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`_journey_rows` computed."""
    if not rep.group:  # the company: computed once in the context
        tab = rep.context.get("touchpoints")
        if tab is None or tab.empty:
            raise InsufficientDataError("no touchpoints in the responses")
    else:
        cur = rep.current("responses")
        if cur is None or "touchpoint" not in cur.columns or cur["touchpoint"].notna().sum() == 0:
            raise InsufficientDataError("no touchpoints in the responses")
        cur = cur[cur["touchpoint"].notna()]  # an answer about no touchpoint is in no touchpoint's comparison
        tab = compare(cur, metric="nps", by="touchpoint", against="rest", **_compare_kwargs("nps", settings, cur))
    tab = tab[tab["n"] > 0].copy()
    tab.attrs = dict(tab.attrs)
    return tab, suppress_complementary(tab["n"], int(settings.get("min_n_show", 5)))


def journey_table(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> pd.DataFrame:
    """Touchpoints of the group in the period: NPS with interval vs the group's other touchpoints.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint: NPS, interval, n, the difference with the group's other touchpoints
        (▲/▼ where significant), whether it is significant in words ("not tested: n = 16 < 30" below the
        test minimum) and, in a unit's report, the company's NPS at that touchpoint.
    """
    from ..i18n import name_of
    settings = settings or {}
    if _missing_score(rep, lang):
        raise InsufficientDataError(_missing_score(rep, lang))
    tab, hide = _journey_rows(rep, settings)
    company = rep.context.get("touchpoints")
    comp = dict(zip(company["touchpoint"].astype(str), company["value"])) if company is not None else {}
    out = pd.DataFrame({
        t("touchpoint", lang): [name_of("touchpoint", x, lang) for x in tab["touchpoint"].astype(str)],
        t("nps", lang): [t("not_shown", lang) if h else format_number_local(v, lang)
                         for v, h in zip(tab["value"], hide)],
        t("ci", lang): ["–" if h else _ci(a, b, lang) for a, b, h in zip(tab["ci_low"], tab["ci_high"], hide)],
        t("n", lang): ["–" if h else format_number_local(v, lang, 0) for v, h in zip(tab["n"], hide)],
        t("journey_vs_others", lang): ["–" if h else _marked(d, s, dr, lang, higher_is_better=True) for d, s, dr, h in
                                       zip(tab["diff"], tab["significant"], tab["direction"], hide)],
        t("significant", lang): ["–" if h else w for w, h in
                                 zip(significance_words(tab, lang, int(settings.get("min_n_test", 30))), hide)],
        t("company", lang): [format_number_local(comp.get(str(x)), lang) if str(x) in comp else "–"
                             for x in tab["touchpoint"].astype(str)],
    })
    if not rep.group:  # the company's own report: its column would repeat the NPS column
        del out[t("company", lang)]
    return out


def journey_labels(lang: str, confidence: float = 0.95) -> dict:
    """The texts of :func:`cxkit.plot_touchpoints` in the report language.

    Parameters
    ----------
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    confidence : float
        Level of the intervals, named in the title.

    Returns
    -------
    dict
        The ``labels=`` of :func:`cxkit.plot_touchpoints`.
    """
    level = format_percent_local(100 * float(confidence), lang, 0)
    return {"better": t("better", lang), "worse": t("worse", lang), "same": t("no_difference", lang),
            "too_few": t("journey_too_few", lang), "overall": t("journey_overall", lang),
            "xlabel": t("journey_xlabel", lang), "title": t("journey_chart_title", lang).format(level=level),
            "not_shown": t("journey_not_shown", lang),
            "number": lambda v, digits: format_number_local(v, lang, digits)}


def journey_figure(rep: ReportData, *, lang: str = "en", settings: dict | None = None):
    """The chart of the group's touchpoints (:func:`cxkit.plot_touchpoints`) with names in the report
    language; touchpoints hidden for confidentiality (with their complement) are left out.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InsufficientDataError
        Without NPS, without touchpoints, or when no touchpoint was tested (no chart of only untested
        points).
    """
    from ..i18n import name_of
    from ..plots import plot_touchpoints
    settings = settings or {}
    if _missing_score(rep, lang):
        raise InsufficientDataError(_missing_score(rep, lang))
    tab, hide = _journey_rows(rep, settings)
    shown = tab[~hide.to_numpy()].copy()
    shown.attrs = dict(tab.attrs)
    if not shown["direction"].isin(["higher", "lower", "no difference"]).any():
        raise InsufficientDataError(t("journey_untested", lang).format(min=int(settings.get("min_n_test", 30))))
    shown["touchpoint"] = [name_of("touchpoint", x, lang) for x in shown["touchpoint"].astype(str)]
    return plot_touchpoints(shown, labels=journey_labels(lang, float(settings.get("confidence", 0.95))), lang=lang)


def journey_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> Section:
    """The customer journey: the touchpoints' table (:func:`journey_table`), their chart and a sentence
    instead of the chart when there is nothing to draw.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.

    Returns
    -------
    Section
        The table and the chart; without NPS or touchpoints one sentence, and when no touchpoint has
        enough answers to test the table and a sentence saying so (no chart).
    """
    settings = settings or {}
    sec = Section()
    if _missing_score(rep, lang):
        sec.note(_missing_score(rep, lang))
        return sec
    try:
        table = journey_table(rep, lang=lang, settings=settings)
    except InsufficientDataError:
        sec.note(t("journey_none", lang))
        return sec
    sec.table(table, lang)
    try:
        tab, hide = _journey_rows(rep, settings)
        sec.figure(journey_figure(rep, lang=lang, settings=settings), alt=alt.journey_alt(tab[~hide.to_numpy()], lang))
    except InsufficientDataError as exc:
        sec.note(str(exc))
    sec.note(t("significant_note", lang))
    return sec


def data_notes(rep: ReportData, *, lang: str = "en") -> pd.DataFrame:
    """Rows in and rows rejected per input file (whole data set: the batch validates it once).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    pandas.DataFrame
        One row per input file: table, file, rows in, rows rejected, the survey platform it was exported
        from (when one was recognised) and status.
    """
    log = rep.context.get("log")
    if log is None or log.empty:
        raise InsufficientDataError("no load log")
    out = pd.DataFrame({t("data_table", lang): [t(f"table_{x}", lang) for x in log["table"].astype(str)],
                        t("data_file", lang): log["file"].astype(str),
                        t("rows_in", lang): log["rows_in"].astype(int),
                        t("rows_rejected", lang): log["rows_rejected"].astype(int)})
    if "platform" in log.columns and log["platform"].notna().any():  # a survey platform's export, read as such
        out[t("exported_from", lang)] = log["platform"].fillna("–").astype(str).to_numpy()
    if "status" in log.columns:
        out[t("status", lang)] = [_status_words(x, lang) for x in log["status"].astype(str)]
    return out


def _status_words(status: str, lang: str) -> str:
    """A file's status in the data notes in the report's language ("loaded", or "not read: <reason>")."""
    if status == "loaded":
        return t("status_loaded", lang)
    if status.startswith("not read: "):
        return t("status_not_read", lang).format(reason=status[len("not read: "):])
    return status


def methods_notes(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> list[str]:
    """How the report's figures were made: periods, tests and corrections, minimum samples, rejects.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.

    Returns
    -------
    list of str
        Sentences in the report language.
    """
    settings = settings or {}
    start, end = rep.period
    prev, ago = previous_period(start, end), year_ago(start, end)
    f = lambda d: format_date_local(d, lang)  # noqa: E731
    log = rep.context.get("log")
    rejected = int(log["rows_rejected"].sum()) if log is not None and len(log) else 0
    repaired = int(log["repairs"].sum()) if log is not None and "repairs" in log else 0
    missing = [_missing_score(rep, lang, m) for m in rep.meta.get("missing_scores", [])]
    span = lambda w: f"{f(w[0])} – {f(w[1])}"  # noqa: E731
    comparisons = rep.context.get("comparisons")
    churn = [] if comparisons is None or not len(comparisons) or "churn_rate" not in set(comparisons["metric"]) else [
        t("methods_churn_window", lang).format(cur=span(metric_window("churn_rate", start, end)),
                                               prev=span(reference_window("churn_rate", start, end, "previous")),
                                               ago=span(reference_window("churn_rate", start, end, "year_ago")))]
    return missing + [
        t("methods_period", lang).format(start=f(start), end=f(end), prev=span(prev), ago=span(ago)), *churn,
        t("methods_tests", lang).format(conf=format_percent_local(100 * float(settings.get("confidence", 0.95)),
                                                                  lang, 0)),
        t("methods_minn", lang).format(show=int(settings.get("min_n_show", 5)),
                                       test=int(settings.get("min_n_test", 30))),
        t("methods_rejected", lang).format(rejected=format_number_local(rejected, lang, 0),
                                           repaired=format_number_local(repaired, lang, 0)),
    ]


def outcomes_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, n_boot: int = 500,
                     seed: int = 0, interval: str = "delta") -> Section:
    """Churn and revenue by NPS group for the report's customers.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.
    n_boot, seed : int
        Bootstrap resamples and seed, with ``interval="bootstrap"``.
    interval : str
        How the revenue-at-risk interval is made (:func:`cxkit.revenue_at_risk`): ``"delta"``
        (default; influence functions, milliseconds) or ``"bootstrap"``.

    Returns
    -------
    Section
        Tables, charts and notes; a part without enough data is a note.
    """
    settings = settings or {}
    min_show = int(settings.get("min_n_show", 5))
    conf = float(settings.get("confidence", 0.95))
    currency = str(settings.get("currency", default_settings()["currency"]) or "")
    sec = Section()
    if rep.empty_period:  # churn and revenue of other windows are not this period's figures
        sec.note(t("empty_period_part", lang))
        return sec
    if _missing_score(rep, lang):  # every part of it is measured on NPS
        sec.note(_missing_score(rep, lang))
        return sec
    if rep.customers is None or rep.responses is None:
        sec.note(f"{t('too_little', lang)}: no customers table")
        return sec
    state = {}

    def join():
        j = join_outcomes(rep.responses, rep.customers, rep.revenue)
        matched = int(j.data["matched"].sum())
        sec.note(t("matched_note", lang).format(matched=format_number_local(matched, lang, 0),
                                                customers=format_number_local(len(j.data), lang, 0)))
        state["j"] = j

    sec.attempt(lang, join)
    j = state.get("j")
    if j is None:
        return sec

    def churn():
        tab = churn_by_group(j, confidence=conf)
        tab = tab[~suppress_complementary(tab["n"], min_show).to_numpy()]  # the matched total is shown above
        if tab.empty:
            raise InsufficientDataError(f"fewer than {min_show} customers per NPS group")
        rr = churn_relative_risk(j, confidence=conf)
        ratio = {str(r.group): (r.ratio, r.ci_low, r.ci_high) for r in rr.itertuples(index=False)}
        out = pd.DataFrame({
            t("group_nps", lang): [_group_label(g, lang) for g in tab["nps_group"]],
            t("customers", lang): tab["n"].astype(int).to_numpy(),
            t("churned", lang): tab["churned"].astype(int).to_numpy(),
            t("churn_pct", lang): tab["churn_rate"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) for a, b in zip(tab["ci_low"], tab["ci_high"])],
            t("risk_ratio", lang): [
                "1" if str(g) == "promoter" else
                (f"{format_number_local(ratio[str(g)][0], lang, 2)} "
                 f"({_ci(ratio[str(g)][1], ratio[str(g)][2], lang, 2)})"
                 if str(g) in ratio else "–") for g in tab["nps_group"]],
        })
        sec.table(out, lang)
        ax = plot_churn_by_group(tab, lang=lang, confidence=conf)
        ax.set_title(t("churn_pct", lang) + " – " + t("group_nps", lang))
        sec.figure(ax, alt=alt.churn_alt([_group_label(g, lang) for g in tab["nps_group"]], tab["churn_rate"], lang))

    sec.attempt(lang, churn)

    def survival():
        km = kaplan_meier(j, confidence=conf)
        ax = plot_survival(km, lang=lang, confidence=conf)
        sec.figure(ax, alt=alt.survival_alt(km.summary, {str(g): _group_label(g, lang) for g in km.summary["group"]},
                                            lang))

    sec.attempt(lang, survival)

    def revenue():
        rev = revenue_by_group(j, confidence=conf)
        rev = rev[~suppress_complementary(rev["n"], min_show).to_numpy()]
        if rev.empty:
            raise InsufficientDataError(f"fewer than {min_show} customers per NPS group")
        money = f" ({currency})" if currency else ""
        out = pd.DataFrame({
            t("group_nps", lang): [_group_label(g, lang) for g in rev["nps_group"]],
            t("customers", lang): rev["n"].astype(int).to_numpy(),
            t("monthly_revenue", lang) + money: rev["monthly_revenue"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) for a, b in zip(rev["ci_low"], rev["ci_high"])],
        })
        sec.table(out, lang)
        tab = revenue_at_risk(j, confidence=conf, n_boot=n_boot, seed=seed, interval=interval).summary
        tab = tab[tab["group"].astype(str) == "total"]
        tab = tab.sort_values("method", key=lambda m: m.astype(str) != "model", kind="stable")  # the estimate first
        out = pd.DataFrame({
            t("method", lang): [t(m, lang) for m in tab["method"]],
            t("revenue_at_risk", lang) + money: tab["revenue_at_risk"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang, 0) if pd.notna(a) else "–" for a, b in zip(tab["ci_low"], tab["ci_high"])],
        })
        sec.table(out, lang, digits=0)

    sec.attempt(lang, revenue)
    sec.note(t("association_note", lang))
    return sec


def driver_result(rep: ReportData, *, settings: dict | None = None, n_boot: int = 500, seed: int = 0):
    """The key drivers of the report's NPS (Johnson's relative weights), computed once per report and
    shared by :func:`drivers_section` and the summary in words (:mod:`cxkit.report.narrative`).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    settings : dict, optional
        Report settings (confidence, min_n_test, scales); defaults as the batch's.
    n_boot, seed : int
        Bootstrap resamples of the weights' intervals, and their seed.

    Returns
    -------
    DriverResult
        Of the period's responses, or of the unit's whole history when the period has fewer than three
        times ``min_n_test`` NPS answers.

    Raises
    ------
    InsufficientDataError
        When the responses have no attribute ratings (``attr_*`` columns), or too few rows.
    """
    settings = settings or {}
    conf = float(settings.get("confidence", 0.95))
    scale = tuple((settings.get("scales") or rep.meta.get("scales") or {}).get("attr") or (0, 10))
    key = (n_boot, seed, conf, scale, int(settings.get("min_n_test", 30)))
    memo = rep.__dict__.setdefault("_driver_results", {})
    if key not in memo:
        r = rep.current() if rep.responses is not None else None
        if r is None or int(r["nps"].notna().sum()) < key[-1] * 3:
            r = rep.responses  # a quarter is thin for drivers: use the unit's whole history
        if r is None or not any(str(c).startswith("attr_") for c in r.columns):
            raise InsufficientDataError("the responses have no attribute ratings (attr_* columns)")
        memo[key] = relative_weights(r, outcome="nps", n_boot=n_boot, seed=seed, confidence=conf, scale=scale)
    return memo[key]


def drivers_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, n_boot: int = 500,
                    seed: int = 0) -> Section:
    """Key drivers of NPS for the report's responses (Johnson's relative weights).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency, scales); defaults as the
        batch's. The rating scale of the drivers is ``scales["attr"]`` (default 0-10).
    n_boot, seed : int
        Bootstrap resamples of the weights' intervals, and their seed.

    Returns
    -------
    Section
        The weights table; the chart, importance against performance only when the drivers' mean ratings
        differ enough to rank them (:func:`cxkit.drivers.performance_spread`), else ranked importance;
        a sentence saying which view was chosen and why, one naming the strongest driver when it is
        clearly ahead of every other, and the method note.
    """
    from ..drivers import dominant_driver, performance_spread
    from ..plots import DRIVER_TEXTS

    settings = settings or {}
    conf = float(settings.get("confidence", 0.95))
    conf_text = f"{format_number_local(100 * conf, lang, 0)}%"
    sec = Section()
    if rep.empty_period:  # the unit's whole history is not this period's drivers
        sec.note(t("empty_period_part", lang))
        return sec
    if _missing_score(rep, lang):  # every part of it is measured on NPS
        sec.note(_missing_score(rep, lang))
        return sec

    def num(value) -> str:
        return format_number_local(value, lang, 2)

    def why(res, names: dict) -> str:
        """Which chart was chosen and why (the decision of plot_drivers' kind="auto")."""
        s = performance_spread(res)
        key = "drivers_why_quadrant" if s.meaningful else ("drivers_why_unsure" if s.large else "drivers_why_small")
        perf = res.table.set_index("driver")["performance"]
        return t(key, lang).format(spread=num(s.diff), threshold=num(s.threshold), lo=num(s.ci_low),
                                   hi=num(s.ci_high), high=names[s.highest], high_mean=num(perf[s.highest]),
                                   low=names[s.lowest], low_mean=num(perf[s.lowest]))

    def strongest(res, names: dict) -> str | None:
        """The dominant driver with its share and interval, that none is, or nothing without intervals."""
        top = dominant_driver(res)
        if top is None:
            return t("drivers_no_strongest", lang) if res.boot.size else None
        row = res.table.set_index("driver").loc[top]
        ci = t("drivers_ci", lang).format(conf=conf_text, lo=format_percent_local(row["share_ci_low"], lang, 1),
                                          hi=format_percent_local(row["share_ci_high"], lang, 1))
        return t("drivers_strongest", lang).format(driver=names[top], share=format_percent_local(row["share"], lang, 1),
                                                   ci=ci)

    def run():
        res = driver_result(rep, settings=settings, n_boot=n_boot, seed=seed)
        tab = res.summary
        names = {d: name_of_driver(d, lang) for d in tab["driver"]}
        out = pd.DataFrame({
            t("driver", lang): [names[d] for d in tab["driver"]],
            t("importance", lang): tab["share"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) for a, b in zip(tab["share_ci_low"], tab["share_ci_high"])],
            t("performance", lang): tab["performance"].to_numpy(dtype=float),
            t("correlation", lang): tab["correlation"].to_numpy(dtype=float),
        })
        sec.table(out, lang, digits={t("correlation", lang): 2})
        texts = {k: t(f"drivers_c_{k}", lang) for k in DRIVER_TEXTS}
        texts = {k: v if k == "strongest" else v.format(r2=num(res.r2), confidence=conf_text)
                 for k, v in texts.items()}
        sec.figure(plot_drivers(res, kind="auto", labels=names, texts=texts, lang=lang),
                   alt=alt.drivers_alt(tab, names, res.r2, lang))
        if len(tab) > 1:  # with one driver there is nothing to rank or compare
            sec.note(why(res, names))
            line = strongest(res, names)
            if line:
                sec.note(line)
        sec.note(t("drivers_note", lang).format(r2=format_number_local(res.r2, lang, 2), n_boot=n_boot))

    sec.attempt(lang, run)
    return sec


def name_of_driver(d: str, lang: str) -> str:
    """Display name of a driver (an ``attr_*`` rating column) in the report language.

    Parameters
    ----------
    d : str
        The driver's column, e.g. ``"attr_delivery"``.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    str
        Its translated name (:func:`cxkit.i18n.name_of`), or the column made readable.
    """
    from ..i18n import name_of

    return name_of("driver", d, lang)


class ThemeResult(NamedTuple):
    """The comment themes of a report (see :func:`theme_result`).

    Attributes
    ----------
    responses : pandas.DataFrame
        The responses analysed: the period's, or the unit's whole history when the period has too few comments.
    flags : pandas.DataFrame
        :func:`cxkit.themes` of ``responses`` (which themes each comment mentions).
    summary : ThemeSummary
        :func:`cxkit.theme_summary` of ``responses``.
    """

    responses: pd.DataFrame
    flags: pd.DataFrame
    summary: object


def theme_result(rep: ReportData, *, settings: dict | None = None) -> ThemeResult:
    """The comment themes of the report's NPS, computed once per report and shared by :func:`themes_section`
    and the summary in words (:mod:`cxkit.report.narrative`).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    settings : dict, optional
        Report settings (min_n_show, min_n_test, alpha, confidence); defaults as the batch's.

    Returns
    -------
    ThemeResult
        The responses analysed (the period's, or the unit's whole history when the period has fewer comments
        than ``min_n_show``), the themes each comment mentions and their summary.

    Raises
    ------
    InsufficientDataError
        When the responses have fewer comments than ``min_n_show`` (or no comment column).
    """
    settings = settings or {}
    min_show = int(settings.get("min_n_show", 5))
    key = (min_show, int(settings.get("min_n_test", 30)), float(settings.get("alpha", 0.05)),
           float(settings.get("confidence", 0.95)))
    memo = rep.__dict__.setdefault("_theme_results", {})
    if key not in memo:
        r = rep.current()
        if r is None or "comment" not in r.columns or r["comment"].notna().sum() < min_show:
            r = rep.responses
        if r is None or "comment" not in r.columns or r["comment"].notna().sum() < min_show:
            raise InsufficientDataError("fewer comments than the confidentiality minimum")
        flags = themes(r)  # matched once, for the summary and the examples
        ts = theme_summary(r, min_n=key[1], alpha=key[2], confidence=key[3], flags=flags)
        memo[key] = ThemeResult(r, flags, ts)
    return memo[key]


def themes_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, examples: int = 2,
                   seed: int = 0) -> Section:
    """Comment themes of the report's responses, their NPS impact and redacted examples.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.
    examples : int
        Example comments per theme (personal data removed).
    seed : int
        Seed of the choice of examples.

    Returns
    -------
    Section
    """
    from ..i18n import name_of
    settings = settings or {}
    min_show = int(settings.get("min_n_show", 5))
    sec = Section()
    if rep.empty_period:  # comments of other periods are not this period's themes
        sec.note(t("empty_period_part", lang))
        return sec
    if _missing_score(rep, lang):  # every part of it is measured on NPS
        sec.note(_missing_score(rep, lang))
        return sec

    def run():
        r, flags, ts = theme_result(rep, settings=settings)
        min_test = int(settings.get("min_n_test", 30))
        tab = ts.summary
        tab = tab[tab["mentions"] >= min_show]
        out = pd.DataFrame({
            t("theme", lang): [name_of("theme", x, lang) for x in tab["theme"]],
            t("mentions", lang): tab["mentions"].astype(int).to_numpy(),
            t("share_comments", lang): tab["share"].to_numpy(dtype=float),
            t("nps_with", lang): tab["nps_with"].to_numpy(dtype=float),
            t("nps_diff", lang): tab["diff"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) if pd.notna(a) else "–" for a, b in zip(tab["ci_low"], tab["ci_high"])],
            t("significant", lang): [
                t("yes", lang) if _flag(s) else
                (t("sig_small", lang).format(n=format_number_local(m, lang, 0), min=min_test) if pd.isna(d)
                 else t("sig_no_corrected", lang) if (lo > 0 or hi < 0) else t("sig_no", lang))
                for s, d, m, lo, hi in zip(tab["significant"], tab["diff"], tab["mentions"], tab["ci_low"],
                                           tab["ci_high"])],
        })
        tested = tab["diff"].notna().any()
        if not tested:  # no theme reached the test minimum: no columns of dashes, no empty chart
            out = out.drop(columns=[t("nps_diff", lang), t("ci", lang)])
        sec.table(out, lang)
        if len(tab) and tested:
            ax = plot_themes(ts.summary[ts.summary["theme"].isin(tab["theme"])],
                             labels={x: name_of("theme", x, lang) for x in tab["theme"]}, lang=lang)
            sec.figure(ax, alt=alt.themes_alt(tab, {x: name_of("theme", x, lang) for x in tab["theme"]}, lang))
        if float(tab["share"].sum()) > 100:  # one comment counted under each theme it mentions
            sec.note(t("themes_over_100", lang))
        shown = theme_examples(r, tab.head(4), lang=lang, n=examples, seed=seed, flags=flags)
        if len(shown):
            sec.table(shown, lang)
        sec.note(t("themes_note", lang))

    sec.attempt(lang, run)
    return sec


_EXAMPLE_GROUPS = {-1: ("detractor", "passive"), 1: ("promoter", "passive")}


def theme_examples(responses: pd.DataFrame, themes_table: pd.DataFrame, *, lang: str = "en", n: int = 2,
                   seed: int = 0, flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """Example comments of each theme, as the report shows them: never one comment under two themes; for a
    theme that goes with a lower NPS detractors' comments first (then passives'), with a higher NPS
    promoters' first (then passives'), for an untested one anyone's; each with its score, date and
    touchpoint when the responses have them.

    Parameters
    ----------
    responses : pandas.DataFrame
        The responses the themes were found in (``comment``, ``nps``; ``date``, ``touchpoint`` optional).
    themes_table : pandas.DataFrame
        The themes in the order shown: ``theme`` and ``diff`` (NPS with the theme minus without; NaN when
        not tested), as in :func:`cxkit.theme_summary`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    n : int
        Examples per theme (fewer when fewer fit).
    seed : int
        Seed of the choice of examples.
    flags : pandas.DataFrame, optional
        :func:`cxkit.themes` of ``responses`` when already at hand.

    Returns
    -------
    pandas.DataFrame
        One row per example: theme, score, date, touchpoint (in the report language) and the comment with
        personal data removed; a column the responses lack (or have empty for every example) is left out.
    """
    frames, used = [], []
    for theme, diff in zip(themes_table["theme"], themes_table["diff"]):
        side = int(np.sign(diff)) if pd.notna(diff) else 0
        ex = example_comments(responses, theme=theme, n=n, seed=seed, redact=True, flags=flags,
                              group=_EXAMPLE_GROUPS.get(side), exclude=used)
        used += list(ex.index)
        frames.append(_example_rows(ex, theme, lang))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    empty = [c for c in out.columns if (out[c] == "–").all()]
    return out.drop(columns=empty)


def _local_placeholders(comment: str, lang: str) -> str:
    """A redacted comment with its placeholders in the report's language ("[phone]" -> lv "[tālrunis]")."""
    from ..text import PII_KINDS

    for kind in PII_KINDS:
        comment = comment.replace(f"[{kind}]", "[" + t(f"pii_{kind}", lang) + "]")
    return comment


def _example_rows(ex: pd.DataFrame, theme: str, lang: str) -> pd.DataFrame:
    """The examples of one theme as table rows: theme, score, date, touchpoint (those in ``ex``), comment."""
    from ..i18n import name_of

    out = pd.DataFrame({t("theme", lang): [name_of("theme", theme, lang)] * len(ex)})
    if "nps" in ex.columns:
        out[t("example_score", lang)] = [format_number_local(v, lang, 0) if pd.notna(v) else "–" for v in ex["nps"]]
    if "date" in ex.columns:
        out[t("example_date", lang)] = [format_date_local(v, lang) for v in ex["date"]]
    if "touchpoint" in ex.columns:
        out[t("touchpoint", lang)] = [name_of("touchpoint", v, lang) if pd.notna(v) else "–" for v in ex["touchpoint"]]
    out[t("examples", lang)] = [_local_placeholders(str(c), lang) for c in ex["comment"]]
    return out


