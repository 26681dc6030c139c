"""The leadership summary's parts: league table and funnel chart, biggest movers, regions, and unit
NPS against churn and revenue.
"""
from __future__ import annotations

import pandas as pd

from ..errors import InsufficientDataError
from ..i18n import format_date_local, format_number_local, t
from ..outcomes import UnitOutcomes, unit_outcomes
from ..plots import plot_funnel, plot_groups, plot_nps_distribution, plot_unit_outcomes
from ..stats.kinds import COMPARE_METRICS
from . import alt
from .access import ReportData
from .display import Section, _ci
from .sections import (_ARROW, _flag, _marked, _missing_score, _reported_score, distribution_labels,
                       significance_words, shown_metrics, suppress_complementary, unit_ranking)

__all__ = ['league_table', 'league_figure', 'movers_table', 'regions_table', 'unit_outcomes_figure',
           'distribution_figure', 'ranking_table', 'funnel_figure']


def league_table(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> pd.DataFrame:
    """All groups side by side: each headline metric with its interval and ▲/▼ where the group
    differs significantly from the rest of the company (corrected across groups).

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
        One row per group, groups without responses in the period too: their figures are "–" and a
        last column says "no responses in this period". In a period without any survey response,
        churn (measured over 12 months) is left out.
    """
    settings = settings or {}
    c = rep.context.get("comparisons")
    if c is None or c.empty:
        raise InsufficientDataError("no comparisons")
    rest = c[(c["against"] == "rest") & (c["group"] != "All")]
    silent = rep.without_responses  # listed with the sentence, not left out
    groups = sorted(set(rest["group"].unique()) | set(silent))
    table = pd.DataFrame({t(rep.level, lang): groups})
    for metric in shown_metrics(rep):
        m = rest[rest["metric"] == metric].set_index("group").reindex(groups)
        if m["n"].isna().all():
            continue
        hide = suppress_complementary(m["n"].fillna(0).reset_index(drop=True), int(settings.get("min_n_show", 5)))
        hide.index = m.index
        better = bool(COMPARE_METRICS[metric]["higher_is_better"])
        table[t(metric, lang)] = [_league_cell(r, hide[g], lang, better) for g, r in m.iterrows()]
    if silent:
        table[t("note", lang)] = [t("no_responses_period", lang) if g in silent else "" for g in groups]
    return table


def _league_cell(r: pd.Series, hidden: bool, lang: str, higher_is_better: bool = True) -> str:
    """One group's figure in the league table: value, ▲/▼ and better/worse where significant, interval and n."""
    if hidden or pd.isna(r["value"]):
        return "–"
    mark = ""
    if _flag(r["significant"]) and r["n"] > 0 and r["direction"] in _ARROW:
        good = (r["direction"] == "higher") == higher_is_better
        mark = f" {_ARROW[r['direction']]} {t('better' if good else 'worse', lang)}"
    return (f"{format_number_local(r['value'], lang)}{mark} ({_ci(r['ci_low'], r['ci_high'], lang)}; "
            f"n = {format_number_local(r['n'], lang, 0)})")


def league_figure(rep: ReportData, *, metric: str | None = None, lang: str = "en"):
    """Each group's metric with its interval, the company value as a line, significant groups marked.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    metric : str, optional
        A headline metric (``"nps"``, ``"csat"``, ...); default NPS, or the first survey score the
        responses have when they have no NPS.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    Section
        The chart with its alternative text (``.ax`` is its Axes).
    """
    metric = _reported_score(rep, metric)
    if _missing_score(rep, lang, metric):
        raise InsufficientDataError(_missing_score(rep, lang, metric))
    c = rep.context.get("comparisons")
    sub = c[(c["against"] == "rest") & (c["group"] != "All") & (c["metric"] == metric)].copy()
    if sub.empty:
        raise InsufficientDataError(f"no {metric} comparisons")
    sub = sub.rename(columns={"group": rep.level})
    sub.attrs.update({"metric": metric, "by": [rep.level], "against": "rest",
                      "higher_is_better": metric not in ("first_response_time", "churn_rate"),
                      "measured_in": sub["measured_in"].iloc[0] if "measured_in" in sub else "",
                      "company": {"value": float(sub["company_value"].iloc[0])}})
    ax = plot_groups(sub, title=f"{t(metric, lang)}: {t('vs_rest', lang)}", lang=lang)
    return _figure_section(ax, alt.league_alt(sub.rename(columns={rep.level: "group"}), metric=metric, lang=lang,
                                              company=float(sub["company_value"].iloc[0])))


def _figure_section(ax, alt_text: str) -> Section:
    """A chart with its alternative text, as the notebooks show it (:func:`cxkit.show_part`)."""
    sec = Section()
    sec.figure(ax, alt=alt_text)
    return sec


def movers_table(rep: ReportData, *, metric: str | None = None, lang: str = "en", top: int = 6,
                 settings: dict | None = None) -> pd.DataFrame:
    """Largest changes since the previous period (significant ones marked).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    metric : str, optional
        A headline metric; default NPS, or the first survey score the responses have when they have no NPS.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    top : int
        How many groups.
    settings : dict, optional
        Report settings (``min_n_test``: below it a change is "not tested").

    Returns
    -------
    pandas.DataFrame
        The groups with the largest absolute changes, with their intervals and whether each is significant
        after correction ("no: the interval includes 0", "not tested: n = 16 < 30").
    """
    metric = _reported_score(rep, metric)
    if _missing_score(rep, lang, metric):
        raise InsufficientDataError(_missing_score(rep, lang, metric))
    c = rep.context.get("comparisons")
    prev = c[(c["against"] == "previous") & (c["metric"] == metric) & (c["group"] != "All")].dropna(subset=["diff"])
    if prev.empty:
        raise InsufficientDataError("no previous period to compare with")
    prev = prev.reindex(prev["diff"].abs().sort_values(ascending=False).index).head(top)
    min_n_test = int((settings or {}).get("min_n_test", 30))
    return pd.DataFrame({
        t(rep.level, lang): prev["group"].tolist(),
        t("previous", lang): [format_number_local(v, lang) for v in prev["reference"]],
        t(metric, lang): [format_number_local(v, lang) for v in prev["value"]],
        t("change", lang): [_marked(d, s, dr, lang, higher_is_better=bool(COMPARE_METRICS[metric]["higher_is_better"]))
                            for d, s, dr in zip(prev["diff"], prev["significant"], prev["direction"])],
        t("ci", lang): [_ci(a, b, lang) for a, b in zip(prev["diff_ci_low"], prev["diff_ci_high"])],
        t("significant", lang): significance_words(prev, lang, min_n_test),
    })


def regions_table(rep: ReportData, *, lang: str = "en") -> pd.DataFrame:
    """NPS per region (units rolled up) against the rest of the company.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    pandas.DataFrame
        One row per region.
    """
    if _missing_score(rep, lang):
        raise InsufficientDataError(_missing_score(rep, lang))
    reg = rep.context.get("regions")
    if reg is None or reg.empty:
        raise InsufficientDataError("no regions in the units table")
    return pd.DataFrame({
        t("region", lang): reg["region"].astype(str).tolist(),
        t("nps", lang): [format_number_local(v, lang) for v in reg["value"]],
        t("ci", lang): [_ci(a, b, lang) for a, b in zip(reg["ci_low"], reg["ci_high"])],
        t("n", lang): [format_number_local(v, lang, 0) for v in reg["n"]],
        t("vs_rest", lang): [_marked(d, s, dr, lang, higher_is_better=True)  # NPS: higher is better
                             for d, s, dr in zip(reg["diff"], reg["significant"], reg["direction"])],
    })


def unit_outcomes_figure(rep: ReportData, *, outcome: str = "churn_rate", lang: str = "en"):
    """Unit NPS against churn (or revenue growth): one point per unit, line with band.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    outcome : str
        ``"churn_rate"`` or ``"revenue_growth"``.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.

    Returns
    -------
    tuple
        The chart as a :class:`Section` with its alternative text (``.ax`` is its Axes) and the notes (the
        ecological-inference caveat among them).
    """
    if rep.empty_period:  # churn and revenue of other windows are not this period's figures
        raise InsufficientDataError(t("empty_period_part", lang))
    if _missing_score(rep, lang):  # unit outcomes are measured on NPS
        raise InsufficientDataError(_missing_score(rep, lang))
    data = rep.context.get("unit_outcomes")
    if data is None or data.empty:
        raise InsufficientDataError("no unit-level outcomes")
    notes = rep.context.get("unit_outcomes_notes")
    res = UnitOutcomes(title="unit outcomes", table=rep.context.get("unit_outcomes_fit", pd.DataFrame()),
                       note_list=list(notes["note"]) if notes is not None else [],
                       data=data.rename(columns={"group": t(rep.level, lang)}),
                       lines=rep.context.get("unit_outcomes_lines"))
    ax = plot_unit_outcomes(res, outcome=outcome, lang=lang, level=rep.level)
    text = alt.unit_outcomes_alt(rep.context.get("unit_outcomes_fit"), outcome=outcome, lang=lang,
                                 n=int(data[outcome].notna().sum()) if outcome in data else len(data))
    return _figure_section(ax, text), _unit_outcome_notes(rep, lang)


def _unit_outcome_notes(rep: ReportData, lang: str) -> list[str]:
    """The chart's caveats in the report's language: ecological inference, and the windows and the minimum
    number of answers of the regression (the fit's own notes are English, for the library's users)."""
    fit = rep.context.get("unit_outcomes_fit")
    notes = [t("uo_ecological", lang)]
    if fit is not None and len(fit) and "window_start" in fit.columns and pd.notna(fit["window_start"].iloc[0]):
        row = fit.iloc[0]
        notes.append(t("uo_windows", lang).format(
            nps=f"{format_date_local(row['nps_start'], lang)} – {format_date_local(row['nps_end'], lang)}",
            outcome=f"{format_date_local(row['window_start'], lang)} – {format_date_local(row['window_end'], lang)}",
            min=unit_outcomes.__kwdefaults__["min_responses"]))  # the batch fits with the default
    return notes


def distribution_figure(rep: ReportData, *, lang: str = "en", settings: dict | None = None):
    """Detractors, passives and promoters of every group and of the company, ranked by NPS, with n.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings; ``min_n_show`` hides groups with fewer answers (and, so their figures cannot be
        recovered from the company's, the next smallest: see :func:`suppress_complementary`).

    Returns
    -------
    Section
        The chart with its alternative text (``.ax`` is its Axes).
    """
    missing = _missing_score(rep, lang, "nps")
    if missing:
        raise InsufficientDataError(missing)
    dist = rep.context.get("nps_distribution")
    if dist is None or dist.empty:
        raise InsufficientDataError(t("no_responses_period", lang))
    groups = dist[dist["group"] != "All"].reset_index(drop=True)
    hide = suppress_complementary(groups["n"], int((settings or {}).get("min_n_show", 5)))
    groups = groups[~hide.to_numpy()].sort_values("nps", ascending=False)
    company = dist[dist["group"] == "All"].assign(group=t("company", lang))
    ax = plot_nps_distribution(pd.concat([company, groups], ignore_index=True), by="group",
                               labels=distribution_labels(lang), lang=lang)
    ax.set_title(t("nps_distribution", lang), pad=22)
    return _figure_section(ax, alt.distribution_all_alt(groups, float(company["nps"].iloc[0]), lang))


def ranking_table(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> pd.DataFrame:
    """The groups ranked fairly: NPS, NPS pulled towards the company by its uncertainty, the rank with its
    plausible range, and where the group lies in the funnel.

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
    pandas.DataFrame
        One row per group, best first.
    """
    s = unit_ranking(rep, settings=settings).summary
    return pd.DataFrame({
        t(rep.level, lang): s["unit"].astype(str).to_numpy(),
        t("n", lang): s["n"].astype(int).to_numpy(),
        "NPS": s["nps"].to_numpy(dtype=float),
        t("nps_pooled", lang): s["nps_shrunk"].to_numpy(dtype=float),
        t("rank", lang): [f"{r} ({lo}–{hi})" for r, lo, hi in zip(s["rank"], s["rank_low"], s["rank_high"])],
        t("funnel", lang): [t(f"funnel_{v}", lang) for v in s["funnel"]],
    })


def funnel_figure(rep: ReportData, *, lang: str = "en", settings: dict | None = None):
    """Unit NPS against its number of answers, with the 95% and 99.8% limits around the company
    (Spiegelhalter 2005): the units outside the limits are named.

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
    Section
        The chart with its alternative text (``.ax`` is its Axes).
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ranking = unit_ranking(rep, settings=settings)
    ax = plot_funnel(ranking, lang=lang)
    lo, hi = ax.get_xlim()
    ticks = [v for v in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000) if lo <= v <= hi]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number_local(v, lang, 0)))
    ax.set_title(t("fair_ranking", lang))
    ax.set_ylabel("NPS")
    ax.set_xlabel(t("n", lang))
    return _figure_section(ax, alt.funnel_alt(ranking.summary, float(ranking.company), lang))
