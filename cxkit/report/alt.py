"""Alternative texts of the report's charts, in the report language: what a chart shows and its key
number, composed from the data the section already has (templates ``alt_*`` of :mod:`cxkit.i18n`).

Every chart of a report is shown with one of these (:meth:`cxkit.report.display.Section.figure` refuses a
chart without one), so a reader who cannot see it still gets its message.
"""
from __future__ import annotations

import pandas as pd

from ..i18n import format_month_local, format_number_local, format_percent_local, t

__all__ = ["trend_alt", "distribution_alt", "distribution_all_alt", "journey_alt", "churn_alt", "survival_alt",
           "drivers_alt", "themes_alt", "league_alt", "funnel_alt", "unit_outcomes_alt", "month_local"]



def month_local(value, lang: str = "en") -> str:
    """A month as the report language abbreviates it (:func:`cxkit.i18n.format_month_local`).

    Parameters
    ----------
    value : date-like
        Any day of the month.
    lang : str
        Report language.

    Returns
    -------
    str
        The month and year.

    Examples
    --------
    >>> month_local("2024-01-15", "en"), month_local("2024-01-15", "lt")
    ('Jan 2024', 'saus. 2024')
    """
    return format_month_local(value, lang)


def _num(value, lang: str, digits: int = 1) -> str:
    return format_number_local(value, lang, digits)


def _pct(value, lang: str) -> str:
    return format_percent_local(value, lang, 1)


def _joined(names: list, lang: str) -> str:
    """``A``, ``A and B``, ``A, B and C`` in the report language."""
    names = [str(x) for x in names]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {t('alt_and', lang)} {names[-1]}"


def trend_alt(rep, *, metric: str, lang: str) -> str:
    """Alt text of :func:`cxkit.trend_figure`: the months shown and the group's value in the period.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report` (its ``trend`` and ``comparisons`` context).
    metric : str
        The metric's key (``"nps"``, ...).
    lang : str
        Report language.

    Returns
    -------
    str
        E.g. "NPS per month, Kaunas Mega and company, Jan 2024 – Dec 2025; Kaunas Mega in the reporting
        period: −29.5." (the last month's value when the period has none).
    """
    group = rep.group or "All"
    tr = rep.context.get("trend")
    monthly = tr[(tr["metric"] == metric) & tr["group"].isin([group, "All"])]
    company = t("company", lang).lower()
    name = company if group == "All" else str(group)
    groups = [name] if group == "All" else [name, company]
    months = pd.to_datetime(monthly["period_start"])
    c = rep.context.get("comparisons")
    own = c[(c["group"] == group) & (c["metric"] == metric)]["value"].dropna() if c is not None else pd.Series()
    key, value = "alt_trend", (float(own.iloc[0]) if len(own) else None)
    if value is None:
        last = monthly[monthly["group"] == group].sort_values("period_start")
        key, value = "alt_trend_latest", float(last["value"].iloc[-1])
    return t(key, lang).format(metric=t(metric, lang), groups=_joined(groups, lang), group=name,
                               start=month_local(months.min(), lang), end=month_local(months.max(), lang),
                               value=_num(value, lang))


def distribution_alt(rows: pd.DataFrame, lang: str) -> str:
    """Alt text of a detractors/passives/promoters chart of a few rows (a group and the company).

    Parameters
    ----------
    rows : pandas.DataFrame
        ``group``, ``n``, ``nps``, ``promoters_pct``, ``detractors_pct``, one row per bar.
    lang : str
        Report language.

    Returns
    -------
    str
        One clause per row with its NPS, shares and n.
    """
    parts = [t("alt_distribution_row", lang).format(group=r.group, nps=_num(r.nps, lang), n=_num(r.n, lang, 0),
                                                    promoters=_pct(r.promoters_pct, lang),
                                                    detractors=_pct(r.detractors_pct, lang))
             for r in rows.itertuples(index=False)]
    return t("alt_distribution", lang).format(rows="; ".join(parts))


def distribution_all_alt(groups: pd.DataFrame, company_nps: float, lang: str) -> str:
    """Alt text of the summary's distribution chart: the highest and lowest group and the company.

    Parameters
    ----------
    groups : pandas.DataFrame
        ``group`` and ``nps`` of the groups shown (not the company).
    company_nps : float
        The company's NPS.
    lang : str
        Report language.

    Returns
    -------
    str
    """
    ranked = groups.sort_values("nps", ascending=False)
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return t("alt_distribution_all", lang).format(best=best["group"], best_nps=_num(best["nps"], lang),
                                                  worst=worst["group"], worst_nps=_num(worst["nps"], lang),
                                                  nps=_num(company_nps, lang))


def journey_alt(points: pd.DataFrame, lang: str) -> str:
    """Alt text of the touchpoint chart: the NPS of all touchpoints, the highest and the lowest one.

    Parameters
    ----------
    points : pandas.DataFrame
        The touchpoints shown (:func:`cxkit.compare` by touchpoint): ``touchpoint`` (keys), ``value``
        (NPS), and ``attrs["company"]["value"]``, the NPS of all touchpoints.
    lang : str
        Report language.

    Returns
    -------
    str
    """
    from ..i18n import name_of

    ranked = points.dropna(subset=["value"]).sort_values("value", ascending=False)
    high, low = ranked.iloc[0], ranked.iloc[-1]
    overall = (points.attrs.get("company") or {}).get("value", float("nan"))
    return t("alt_journey", lang).format(overall=_num(overall, lang),
                                         high=name_of("touchpoint", str(high["touchpoint"]), lang),
                                         high_nps=_num(high["value"], lang),
                                         low=name_of("touchpoint", str(low["touchpoint"]), lang),
                                         low_nps=_num(low["value"], lang))


def churn_alt(labels: list, rates: list, lang: str) -> str:
    """Alt text of the churn-by-NPS-group chart.

    Parameters
    ----------
    labels : list of str
        The NPS groups as named in the report.
    rates : list of float
        Their churn rates, in %.
    lang : str
        Report language.

    Returns
    -------
    str
    """
    return t("alt_churn", lang).format(rows=", ".join(f"{g} {_pct(v, lang)}" for g, v in zip(labels, rates)))


def survival_alt(summary: pd.DataFrame, labels: dict, lang: str) -> str:
    """Alt text of the survival chart: the share still active at the summary's horizon, per NPS group.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`cxkit.kaplan_meier`'s summary: ``group``, ``at_months``, ``retained`` (%).
    labels : dict
        Group key to its name in the report.
    lang : str
        Report language.

    Returns
    -------
    str
    """
    horizon = float(summary["at_months"].max())
    at = summary[summary["at_months"] == horizon]
    rows = ", ".join(f"{labels.get(str(r.group), r.group)} {_pct(r.retained, lang)}"
                     for r in at.itertuples(index=False) if pd.notna(r.retained))
    months = _num(horizon, lang, 0)
    return t("alt_survival", lang).format(months=months, rows=rows)


def drivers_alt(table: pd.DataFrame, names: dict, r2: float, lang: str) -> str:
    """Alt text of the drivers chart: the driver with the largest share of the explained variation.

    Parameters
    ----------
    table : pandas.DataFrame
        ``driver`` and ``share`` (%) of each driver.
    names : dict
        Driver key to its name in the report.
    r2 : float
        The model's R².
    lang : str
        Report language.

    Returns
    -------
    str
    """
    top = table.sort_values("share", ascending=False).iloc[0]
    return t("alt_drivers", lang).format(driver=names.get(top["driver"], top["driver"]),
                                         share=_pct(top["share"], lang), r2=_num(r2, lang, 2))


def themes_alt(table: pd.DataFrame, names: dict, lang: str) -> str:
    """Alt text of the themes chart: the theme whose comments' NPS differs most from the others'.

    Parameters
    ----------
    table : pandas.DataFrame
        ``theme`` and ``diff`` (NPS points) of the themes shown.
    names : dict
        Theme key to its name in the report.
    lang : str
        Report language.

    Returns
    -------
    str
    """
    tested = table.dropna(subset=["diff"])
    top = tested.loc[tested["diff"].abs().idxmax()]
    return t("alt_themes", lang).format(theme=names.get(top["theme"], top["theme"]), diff=_num(top["diff"], lang))


def league_alt(groups: pd.DataFrame, *, metric: str, company: float, lang: str) -> str:
    """Alt text of the league chart: the company's value, the highest and the lowest group.

    Parameters
    ----------
    groups : pandas.DataFrame
        ``group`` and ``value`` of each group.
    metric : str
        The metric's key.
    company : float
        The company's value.
    lang : str
        Report language.

    Returns
    -------
    str
    """
    ranked = groups.dropna(subset=["value"]).sort_values("value", ascending=False)
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return t("alt_league", lang).format(metric=t(metric, lang), company=_num(company, lang), best=best["group"],
                                        best_value=_num(best["value"], lang), worst=worst["group"],
                                        worst_value=_num(worst["value"], lang))


def funnel_alt(summary: pd.DataFrame, company: float, lang: str) -> str:
    """Alt text of the funnel chart: the units outside the 99.8% limits, with their NPS.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`cxkit.rank_units`' summary: ``unit``, ``nps``, ``funnel``.
    company : float
        The company's NPS (the funnel's centre).
    lang : str
        Report language.

    Returns
    -------
    str
    """
    out = summary[summary["funnel"].astype(str).str.endswith("99.8%")]
    names = ", ".join(f"{r.unit} ({_num(r.nps, lang)})" for r in out.itertuples(index=False))
    return t("alt_funnel", lang).format(company=_num(company, lang), outside=names or t("alt_none", lang))


def unit_outcomes_alt(fit: pd.DataFrame | None, *, outcome: str, n: int, lang: str) -> str:
    """Alt text of a unit NPS-against-outcome chart: the fitted slope with its interval, and the number of groups.

    Parameters
    ----------
    fit : pandas.DataFrame or None
        The fits: ``outcome``, ``slope``, ``ci_low``, ``ci_high``.
    outcome : str
        ``"churn_rate"`` or ``"revenue_growth"``.
    n : int
        Points on the chart.
    lang : str
        Report language.

    Returns
    -------
    str
    """
    name = t(f"alt_outcome_{outcome}", lang)
    row = None if fit is None or fit.empty else fit[fit["outcome"] == outcome]
    if row is None or row.empty or pd.isna(row["slope"].iloc[0]):
        return t("alt_unit_outcomes_points", lang).format(outcome=name, n=_num(n, lang, 0))
    r = row.iloc[0]
    ci = f"{_num(r['ci_low'], lang, 3)} – {_num(r['ci_high'], lang, 3)}"
    return t("alt_unit_outcomes", lang).format(outcome=name, slope=_num(r["slope"], lang, 3), ci=ci,
                                               n=_num(n, lang, 0))
