"""Plot helpers for leadership-ready figures.

Every helper draws on ``ax`` (a new figure and axes when None) and returns it;
no global state is changed. Titles and axis labels say what is shown and in
which unit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError, InsufficientDataError
from .i18n import (LANGUAGES, format_date_local, format_month_local, format_number_local, format_percent_local,
                   name_of, t)


__all__ = ["plot_groups", "plot_nps_distribution", "plot_trend", "plot_churn_by_group", "plot_survival",
           "plot_unit_outcomes", "plot_revenue_at_risk", "plot_drivers", "plot_themes", "plot_touchpoints",
           "plot_funnel"]

_DARK, _LIGHT, _ACCENT = "#1f4e79", "#9aa5b1", "#d55e00"  # accent: Okabe-Ito vermillion, apart from blue in any vision


def _table_of(result, needed: set, plot: str, source: str, kind: str, kinds: tuple) -> pd.DataFrame:
    """The summary table behind a chart (from a result object or its DataFrame), checked."""
    table = getattr(result, "summary", result)
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise ConfigError(f"{plot}: expected the result of cx.{source}(...)")
    if kind not in kinds:
        raise ConfigError(f"kind={kind!r} - expected {' or '.join(repr(k) for k in kinds)}")
    return table


def _err(value, low, high) -> np.ndarray:
    """Error-bar lengths below and above ``value``; never negative (rounding can put a limit a hair inside)."""
    value, low, high = (np.asarray(x, dtype=float) for x in (value, low, high))
    return np.clip(np.vstack([value - low, high - value]), 0, None)


def _tr(key: str, lang: str) -> str:
    """A chart text from the catalogue (:func:`cxkit.i18n.t`); an unknown key is an error, never drawn raw."""
    text = t(key, lang)
    if text == key and all(t(key, other) == key for other in LANGUAGES):  # t gives an unknown key back as it is
        raise ConfigError(f"chart text {key!r} is missing from the catalogue (cxkit.i18n)")
    return text


def _level(confidence, lang: str) -> str:
    """A confidence level as the language writes a percentage: ``95%`` / ``95 %``, ``99,8 %``."""
    value = 100 * float(confidence)
    return format_percent_local(value, lang, _decimals([value]))


def _decimals(values, most: int = 3) -> int:
    """The fewest decimal places that write every one of ``values`` exactly (at most ``most``)."""
    finite = [float(v) for v in values if np.isfinite(v)]
    for digits in range(most + 1):
        if all(abs(round(v, digits) - v) < 1e-9 * max(1.0, abs(v)) for v in finite):
            return digits
    return most


def _local_ticks(axis, lang: str) -> None:
    """Number the tick marks of ``axis`` (``ax.xaxis`` / ``ax.yaxis``) as ``lang`` writes numbers, all with the
    decimals the axis's tick locations need."""
    from matplotlib.ticker import FuncFormatter

    class LocalNumbers(FuncFormatter):
        """Labels all ticks of one drawing with the decimals found once (matplotlib labels the ticks of an axis
        together, :meth:`format_ticks`; asking the locator again for every label took 0.3 ms a label)."""

        digits = None

        def format_ticks(self, values):
            self.digits = _decimals(axis.get_majorticklocs())
            try:
                return super().format_ticks(values)
            finally:
                self.digits = None

    def label(value, _pos):
        digits = formatter.digits
        return format_number_local(value, lang, _decimals(axis.get_majorticklocs()) if digits is None else digits)

    formatter = LocalNumbers(label)
    axis.set_major_formatter(formatter)


def _month_label(value, lang: str) -> str:
    """A date-axis tick as the language names a month: ``Jan 2025``, ``saus. 2025``, ``sty 2025``."""
    import matplotlib.dates as mdates

    return format_month_local(mdates.num2date(value).date(), lang)


def _local_months(axis, lang: str, months: int, step: int = 1) -> None:
    """Monthly ticks (every ``step`` months or more, about 6 at most) labelled with the language's month names."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    need = max(step, int(np.ceil(max(months, 1) / 6)))
    every = next((d for d in (1, 2, 3, 4, 6, 12) if d >= need), 12)  # a divisor of 12: January always a tick
    axis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, every)) if every < 12 or months <= 96
                           else mdates.YearLocator(int(np.ceil(months / 96))))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: _month_label(v, lang)))


def _group_name(label, lang: str) -> str:
    """An NPS group (``detractor``, ...) in the language; other group labels as they are."""
    return t(str(label), lang) if str(label) in ("detractor", "passive", "promoter") else str(label)


def _axes(ax, figsize=(7, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- outcomes ---

_GROUP_COLOURS = {"detractor": "#d55e00", "passive": "#c9c9c9", "promoter": "#0072b2"}  # Okabe-Ito: safe for CVD


def _colour(label, i):
    import matplotlib.pyplot as plt

    return _GROUP_COLOURS.get(str(label), plt.rcParams["axes.prop_cycle"].by_key()["color"][i % 10])


def plot_churn_by_group(table: pd.DataFrame, *, by: str | None = None, ax=None, lang: str = "en",
                        confidence: float = 0.95):
    """Bar chart of churn per group with its confidence interval.

    One bar per group (detractors red, passives amber, promoters green; other
    groups in the Matplotlib colour cycle) with the churn share in %, its
    interval as an error bar and the share (and ``n`` when the table has it)
    written in the bar. The title names the horizon when the table has one.

    Parameters
    ----------
    table : pandas.DataFrame
        Result of :func:`cxkit.churn_by_group`: the ``by`` column, ``churn_rate``,
        ``ci_low``, ``ci_high`` (%), and optionally ``n`` and ``horizon_months``.
    by : str, optional
        The group column (default: the first column).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Language of the chart's words and numbers (:func:`cxkit.i18n.t`).
    confidence : float, default 0.95
        Confidence level of the intervals, named in the title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ConfigError
        If a needed column is missing (not the result of ``churn_by_group``).
    InsufficientDataError
        If the table has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"nps_group": ["detractor", "promoter"], "n": [10, 10], "churn_rate": [30.0, 10.0],
    ...                   "ci_low": [10.8, 1.8], "ci_high": [60.3, 40.4]})
    >>> plot_churn_by_group(t).get_ylabel()
    'Customers who left (%)'
    """
    by = by or table.columns[0]
    for c in (by, "churn_rate", "ci_low", "ci_high"):
        if c not in table.columns:
            raise ConfigError(f"plot_churn_by_group: column {c!r} missing; pass the result of cx.churn_by_group")
    ax = _axes(ax)
    x = np.arange(len(table))
    if len(table) == 0:
        raise InsufficientDataError("plot_churn_by_group: the table has no groups to draw")
    v = table["churn_rate"].to_numpy(dtype=float)
    err = _err(v, table["ci_low"], table["ci_high"])
    labels = table[by].astype(str).tolist()
    ax.bar(x, v, color=[_colour(lb, i) for i, lb in enumerate(labels)], yerr=err, capsize=4)
    for xi, vi, n in zip(x, v, table["n"] if "n" in table.columns else [None] * len(x)):
        count = f"\nn = {format_number_local(n, lang, 0)}" if n is not None else ""
        ax.annotate(format_percent_local(vi, lang, 1) + count, (xi, 0), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8, color="white")
    ax.set_xticks(x, [_group_name(lb, lang) for lb in labels])
    ax.set_xlabel(t("group_nps", lang) if by == "nps_group" else by.replace("_", " "))
    ax.set_ylabel(_tr("chart_churn_ylabel", lang))
    _local_ticks(ax.yaxis, lang)
    ax.set_title(_churn_title(table, by, lang, confidence))
    ax.set_ylim(bottom=0)
    return ax


def _churn_title(table: pd.DataFrame, by: str, lang: str, confidence: float) -> str:
    """The churn chart's title: the grouping, the horizon when the table has one, the interval's level."""
    horizon = table["horizon_months"].iloc[0] if "horizon_months" in table.columns else np.nan
    key = "chart_churn_title_" + ("nps" if by == "nps_group" else "by") + ("_horizon" if pd.notna(horizon) else "")
    text = _tr(key, lang)
    return text.format(group=by.replace("_", " "), level=_level(confidence, lang),
                       horizon=format_number_local(horizon, lang, _decimals([horizon])) if pd.notna(horizon) else "")


def plot_survival(result, *, ax=None, lang: str = "en", confidence: float = 0.95):
    """Kaplan-Meier retention curves per group with their confidence bands.

    One step curve per group (% of customers still with us against months since
    the start of follow-up) with its confidence band; a legend when there is more
    than one group.

    Parameters
    ----------
    result : SurvivalCurves
        Result of :func:`cxkit.kaplan_meier`; its ``curves`` table (``group``,
        ``months``, ``retained``, ``ci_low``, ``ci_high``) is drawn.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Language of the chart's words and numbers (:func:`cxkit.i18n.t`).
    confidence : float, default 0.95
        Confidence level of the bands (as given to ``kaplan_meier``), named in the title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ConfigError
        If ``result`` has no ``curves`` (not the result of ``kaplan_meier``).

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> c = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5], "churned": [True, False, True, True, False, False]})
    >>> plot_survival(cx.kaplan_meier(c, by=None)).get_xlabel()
    'Months since the start of follow-up'
    """
    curves = getattr(result, "curves", None)
    if curves is None:
        raise ConfigError("plot_survival: pass the result of cx.kaplan_meier")
    ax = _axes(ax)
    for i, (label, c) in enumerate(curves.groupby("group", sort=False, observed=True)):
        colour = _colour(label, i)
        ax.step(c["months"], c["retained"], where="post", color=colour, label=_group_name(label, lang))
        ax.fill_between(c["months"], c["ci_low"], c["ci_high"], step="post", color=colour, alpha=0.2, linewidth=0)
    ax.set_xlabel(_tr("chart_km_xlabel", lang))
    ax.set_ylabel(_tr("chart_km_ylabel", lang))
    ax.set_title(_tr("chart_km_title", lang).format(level=_level(confidence, lang)))
    _local_ticks(ax.xaxis, lang)
    _local_ticks(ax.yaxis, lang)
    ax.set_ylim(top=100.5)
    if curves["group"].nunique() > 1:
        ax.legend(frameon=False)
    return ax


def plot_unit_outcomes(result, *, outcome: str = "churn_rate", ax=None, lang: str = "en", level: str | None = None,
                       confidence: float = 0.95):
    """Unit NPS against a unit outcome: one labelled point per unit, regression line and band.

    Units with too few answers to enter the regression are drawn as hollow
    points; units missing NPS or the outcome are left out. Each point is one
    unit, so the chart shows units, not customers.

    Parameters
    ----------
    result : UnitOutcomes
        Result of :func:`cxkit.unit_outcomes`; its ``data`` (one row per unit,
        the unit column first, ``nps``, the outcome and ``in_regression``) and,
        when present, its ``lines`` (fitted line and 95% band per outcome) are
        drawn.
    outcome : {"churn_rate", "revenue_growth"}, default "churn_rate"
        The unit outcome on the vertical axis, in %.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Language of the chart's words, numbers and dates (:func:`cxkit.i18n.t`).
    level : {"unit", "region"}, optional
        What one point is, for the chart's words; default ``"region"`` when the first column is named
        region, otherwise ``"unit"``.
    confidence : float, default 0.95
        Confidence level of the line's band and the slope's interval.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ConfigError
        If ``result`` has no ``data`` or no ``outcome`` column in it.
    """
    data = getattr(result, "data", None)
    if data is None or outcome not in data.columns:
        raise ConfigError(f"plot_unit_outcomes: pass the result of cx.unit_outcomes with {outcome!r}")
    ax = _axes(ax, (7.5, 5.0))
    level = level or ("region" if str(data.columns[0]).lower() == "region" else "unit")
    if level not in ("unit", "region") or outcome not in ("churn_rate", "revenue_growth"):
        raise ConfigError(f"plot_unit_outcomes: level {level!r} / outcome {outcome!r} - expected unit or region, "
                          "churn_rate or revenue_growth")
    d = data[data["nps"].notna() & data[outcome].notna()]
    inside = d["in_regression"].to_numpy(dtype=bool)
    ax.scatter(d["nps"][inside], d[outcome][inside], color="#2c3e50", zorder=3)
    if (~inside).any():
        ax.scatter(d["nps"][~inside], d[outcome][~inside], facecolor="none", edgecolor="#2c3e50", zorder=3,
                   label=_tr("chart_uo_not_in_line", lang))
    labels = [ax.annotate(str(row[0]), (row.nps, getattr(row, outcome)), xytext=(4, 3),
                          textcoords="offset points", fontsize=8) for row in d.itertuples(index=False)]
    lines = getattr(result, "lines", None)
    if lines is not None:
        ln = lines[lines["outcome"] == outcome]
        if len(ln):
            ax.plot(ln["nps"], ln["fit"], color="#2980b9", label=_tr("chart_uo_fitted", lang))
            ax.fill_between(ln["nps"], ln["ci_low"], ln["ci_high"], color="#2980b9", alpha=0.15, linewidth=0,
                            label=_tr("chart_uo_band", lang).format(level=_level(confidence, lang)))
    fit = _fit_row(getattr(result, "table", None), outcome)
    ax.set_xlabel(_tr(f"chart_uo_xlabel_{level}", lang))
    ax.set_ylabel(_tr(f"chart_uo_ylabel_{outcome}", lang))
    ax.set_title(_tr(f"chart_uo_title_{level}_{outcome}", lang) + _windows(fit, lang))
    _local_ticks(ax.xaxis, lang)
    _local_ticks(ax.yaxis, lang)
    if fit is not None:
        ax.text(0.02, 0.02, _fit_text(fit, lang, level, confidence), transform=ax.transAxes, fontsize=8,
                va="bottom", ha="left", color="#2c3e50",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, fontsize=8, loc="upper right")
    _place_labels(ax, labels)
    return ax


def _windows(fit: dict | None, lang: str = "en") -> str:
    """The months each axis covers, for a chart title ("" when unknown), dates as ``lang`` writes them."""
    if fit is None or pd.isna(fit.get("window_start")):
        return ""
    day = lambda key: format_date_local(pd.Timestamp(fit[key]), lang)  # noqa: E731
    if pd.isna(fit.get("nps_start")) or (fit["nps_start"], fit["nps_end"]) == (fit["window_start"], fit["window_end"]):
        return "\n" + _tr("chart_uo_window_same", lang).format(start=day("window_start"), end=day("window_end"))
    return "\n" + _tr("chart_uo_window_both", lang).format(nps_start=day("nps_start"), nps_end=day("nps_end"),
                                                           start=day("window_start"), end=day("window_end"))


def _fit_row(table, outcome: str) -> dict | None:
    if not isinstance(table, pd.DataFrame) or "outcome" not in table.columns:
        return None
    rows = table[table["outcome"] == outcome]
    return rows.iloc[0].to_dict() if len(rows) else None


def _fit_text(fit: dict, lang: str = "en", level: str = "unit", confidence: float = 0.95) -> str:
    """The line's verdict, slope, interval, p-value and number of units, and whether one unit decides it;
    numbers as ``lang`` writes them, clauses apart with semicolons (a decimal comma never runs into a list)."""
    units = format_number_local(fit.get("units", 0), lang, 0)
    if pd.isna(fit.get("slope")):
        return _tr(f"chart_uo_too_few_{level}", lang).format(n=units)
    slope = lambda v: format_number_local(v, lang, 2, signed=True)  # noqa: E731
    p = fit["p_value"]
    real = fit["ci_low"] > 0 or fit["ci_high"] < 0
    ci = _tr("chart_ci", lang).format(level=_level(confidence, lang), low=slope(fit["ci_low"]),
                                      high=slope(fit["ci_high"]))
    p_text = f"p < {format_number_local(0.001, lang, 3)}" if p < 0.001 else f"p = {format_number_local(p, lang, 3)}"
    text = (_tr(f"chart_uo_{'link' if real else 'no_link'}_{level}", lang) + ": "
            + _tr("chart_uo_slope", lang).format(slope=slope(fit["slope"]), ci=ci) + ";\n"
            + p_text + "; " + _tr(f"chart_uo_count_{level}", lang).format(n=units))
    if fit.get("rests_on_one"):
        text += "; " + _tr(f"chart_uo_one_decides_{level}", lang).format(name=fit["most_influential"])
    elif pd.notna(fit.get("slope_without_low")):
        text += "; " + _tr(f"chart_uo_leave_one_{level}", lang).format(low=slope(fit["slope_without_low"]),
                                                                        high=slope(fit["slope_without_high"]))
    return text


#: where a point's label may go, in points from the point: right, left, above, below, further out
_LABEL_SPOTS = [(4, 3, "left"), (4, -11, "left"), (-4, 3, "right"), (-4, -11, "right"), (0, 8, "center"),
                (0, -17, "center"), (4, 14, "left"), (4, -22, "left"), (-4, 14, "right"), (-4, -22, "right")]


def _place_labels(ax, labels) -> None:
    """Put each point's label at the first of :data:`_LABEL_SPOTS` where it overlaps no label placed
    before it, no other point and stays inside the axes; the least crowded spot when none is free.
    The figure is laid out first, so the check uses the positions it will be drawn at."""
    if not labels:
        return
    fig = ax.figure
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    points = ax.transData.transform(np.array([a.xy for a in labels], dtype=float))
    placed = []
    for i, label in enumerate(labels):
        best, best_cost = None, None
        for dx, dy, ha in _LABEL_SPOTS:
            label.set_position((dx, dy))
            label.set_horizontalalignment(ha)
            box = label.get_window_extent(renderer)
            cost = sum(box.overlaps(p) for p in placed)
            cost += sum(1 for j, (x, y) in enumerate(points) if j != i and box.x0 - 3 <= x <= box.x1 + 3
                        and box.y0 - 3 <= y <= box.y1 + 3)
            cost += 2 * (box.x0 < frame.x0 or box.x1 > frame.x1 or box.y0 < frame.y0 or box.y1 > frame.y1)
            if best_cost is None or cost < best_cost:
                best, best_cost = (dx, dy, ha), cost
            if cost == 0:
                break
        label.set_position(best[:2])
        label.set_horizontalalignment(best[2])
        placed.append(label.get_window_extent(renderer))


def plot_revenue_at_risk(result, *, ax=None, lang: str = "en", confidence: float = 0.95):
    """Horizontal bars of revenue at risk per group, heuristic and model-based side by side.

    One bar per method and group (the ``total`` rows are left out): the rule of
    thumb in grey, the estimate from the data in blue with its interval where it
    has one. Amounts are yearly, in the data's currency.

    Parameters
    ----------
    result : OutcomeResult or pandas.DataFrame
        Result of :func:`cxkit.revenue_at_risk`, or its ``summary`` table
        (``method``, ``group``, ``label``, ``revenue_at_risk``, ``ci_low``,
        ``ci_high``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Language of the chart's words and numbers (:func:`cxkit.i18n.t`).
    confidence : float, default 0.95
        Confidence level of the model's intervals, named in the title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ConfigError
        If the table has no ``revenue_at_risk`` column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = pd.DataFrame({"method": ["heuristic", "model", "heuristic"], "group": ["detractor", "detractor", "total"],
    ...                   "label": ["short-term", "excess churn vs promoter", "both"],
    ...                   "revenue_at_risk": [8280.0, 5100.0, 8280.0], "ci_low": [np.nan, 2100.0, np.nan],
    ...                   "ci_high": [np.nan, 8000.0, np.nan]})
    >>> ax = plot_revenue_at_risk(t)
    >>> [tick.get_text() for tick in ax.get_yticklabels()]
    ['rule of thumb: detractors', 'estimated from the data: detractors']
    """
    table = result.summary if hasattr(result, "summary") else result
    if "revenue_at_risk" not in table.columns:
        raise ConfigError("plot_revenue_at_risk: pass the result of cx.revenue_at_risk")
    t = table[table["group"] != "total"].reset_index(drop=True)
    ax = _axes(ax)
    y = np.arange(len(t))[::-1]
    colours = np.where(t["method"] == "heuristic", "#95a5a6", "#2980b9")
    v = t["revenue_at_risk"].to_numpy(dtype=float)
    lo, hi = t["ci_low"].to_numpy(dtype=float), t["ci_high"].to_numpy(dtype=float)
    ax.barh(y, v, color=colours)
    has_ci = ~np.isnan(lo) & ~np.isnan(hi)
    if has_ci.any():
        ax.errorbar(v[has_ci], y[has_ci], xerr=_err(v, lo, hi)[:, has_ci], fmt="none", ecolor="black",
                    capsize=3)
    labels = [_tr(f"chart_rar_tick_{m}", lang).format(key=g, group=_group_name(g, lang), label=lb)
              if m in ("heuristic", "model") else f"{m}: {_group_name(g, lang)}"
              for m, g, lb in zip(t["method"], t["group"], t["label"])]
    ax.set_yticks(y, labels)
    ax.axvline(0, color="black", linewidth=0.8)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_number_local(x, lang, 0)))
    ax.set_xlabel(_tr("chart_rar_xlabel", lang))
    ax.set_title(_tr("chart_rar_title", lang).format(level=_level(confidence, lang)))
    return ax


# --- drivers ---------------------------------------------------------------------------

_DRIVER_KEYS = ("title_bars", "title_quadrant", "share", "share_ci", "importance", "performance", "fix_first",
                "keep_up", "lower_priority", "maintain", "strongest")
#: The chart texts of :func:`plot_drivers` that ``texts=`` may replace; each defaults to
#: ``t(f"chart_drivers_{key}", lang)`` (read when drawn, so importing cxkit reads no catalogue). Fields:
#: ``{outcome}`` (e.g. NPS), ``{r2}`` (R², two decimals), ``{confidence}`` (e.g. 95%); ``{name}`` in ``strongest``.
DRIVER_TEXTS = _DRIVER_KEYS
_OUTCOME_LABEL = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def _driver_label(name: str) -> str:
    name = str(name)
    return (name[5:] if name.startswith("attr_") else name).replace("_", " ")


def _driver_names(drivers, labels: dict | None, strongest: str | None, texts: dict, lang: str = "en") -> list[str]:
    """Display names of the drivers (``labels``, else readable keys, in another language than English the
    catalogue's names); the dominant one marked in words."""
    names = []
    for d in drivers:
        name = str((labels or {}).get(d) or (_driver_label(d) if lang == "en" else name_of("driver", d, lang)))
        names.append(texts["strongest"].format(name=name) if d == strongest else name)
    return names


def _driver_texts(result, texts: dict | None, lang: str = "en") -> dict:
    """The chart texts in ``lang`` with the caller's ``texts``, their fields filled in."""
    unknown = set(texts or {}) - set(_DRIVER_KEYS)
    if unknown:
        raise ConfigError(f"texts: unknown key(s) {sorted(unknown)}; expected some of {', '.join(_DRIVER_KEYS)}")
    outcome = str(getattr(result, "outcome", "the overall score"))
    fields = {"outcome": _OUTCOME_LABEL.get(outcome, outcome.replace("_", " ")),
              "r2": format_number_local(getattr(result, "r2", np.nan), lang, 2),
              "confidence": _level(getattr(result, "confidence", 0.95), lang)}
    merged = {**{k: _tr(f"chart_drivers_{k}", lang) for k in _DRIVER_KEYS}, **(texts or {})}
    return {k: v if k == "strongest" else str(v).format(**fields) for k, v in merged.items()}


def _drivers_kind(result, kind: str) -> str:
    """``kind``, with ``"auto"`` decided by :func:`cxkit.drivers.performance_spread` (bars without ratings)."""
    if kind != "auto":
        return kind
    from .drivers import DriverResult, performance_spread

    if not isinstance(result, DriverResult) or result.ratings is None or len(result.table) < 2:
        return "bars"
    return "quadrant" if performance_spread(result).meaningful else "bars"


def _drivers_bars(table: pd.DataFrame, names: list[str], strong: np.ndarray, texts: dict, has_ci: bool, ax):
    """Ranked shares of R² with their intervals, largest on top; the dominant driver in the accent colour."""
    share = table["share"].to_numpy(dtype=float)
    ax = _axes(ax, (7.5, 0.6 * len(table) + 1.5))
    y = np.arange(len(table))[::-1]
    ax.barh(y, share, color=np.where(strong, _ACCENT, _DARK), height=0.6)
    if has_ci:
        ax.errorbar(share, y, xerr=_err(share, table["share_ci_low"], table["share_ci_high"]), fmt="none",
                    ecolor="black", capsize=3, lw=1)
    ax.set_yticks(y, names)
    for tick, mark in zip(ax.get_yticklabels(), strong):
        if mark:
            tick.set_color(_ACCENT)
            tick.set_fontweight("bold")
    ax.set_xlabel(texts["share_ci" if has_ci else "share"])
    ax.set_title(texts["title_bars"])
    ax.set_xlim(left=0)
    return ax


def _drivers_quadrant(table: pd.DataFrame, names: list[str], strong: np.ndarray, texts: dict, has_ci: bool, ax):
    """Importance against performance, split at the averages; the dominant driver ringed and named."""
    share = table["share"].to_numpy(dtype=float)
    lo, hi = table["share_ci_low"].to_numpy(dtype=float), table["share_ci_high"].to_numpy(dtype=float)
    ax = _axes(ax, (7.5, 5.0))
    perf = table["performance"].to_numpy(dtype=float)
    px, py = float(np.mean(perf)), 100.0 / len(table)
    if has_ci:
        ax.errorbar(perf, share, yerr=_err(share, lo, hi), fmt="none", ecolor=_LIGHT, capsize=3, lw=1, zorder=1)
    fix = (share > py) & (perf < px)
    ax.scatter(perf, share, s=60, color=np.where(fix, _ACCENT, _DARK), zorder=2)
    ax.scatter(perf[strong], share[strong], s=220, facecolors="none", edgecolors=_ACCENT, linewidths=2, zorder=3)
    for x, y, text, mark in zip(perf, share, names, strong):
        ax.annotate(text, (x, y), xytext=(8, 5), textcoords="offset points", fontsize=9,
                    color=_ACCENT if mark else "black", fontweight="bold" if mark else "normal")
    ax.axvline(px, color=_LIGHT, lw=1, ls="--")
    ax.axhline(py, color=_LIGHT, lw=1, ls="--")
    ax.margins(x=0.25)
    ax.set_ylim(0, float(np.nanmax(hi if has_ci else share)) * 1.2)
    top, below_line = ax.transAxes, ax.get_yaxis_transform()  # bottom labels sit just under the mean line
    corners = [(0.02, 0.98, top, "left", "fix_first"), (0.98, 0.98, top, "right", "keep_up"),
               (0.02, py, below_line, "left", "lower_priority"), (0.98, py, below_line, "right", "maintain")]
    for x, y, transform, ha, key in corners:
        first = key == "fix_first"
        ax.text(x, y, texts[key], transform=transform, ha=ha, va="top", fontsize=9,
                color=_ACCENT if first else "dimgray", fontweight="bold" if first else "normal")
    ax.set_xlabel(texts["performance"])
    ax.set_ylabel(texts["importance"])
    ax.set_title(texts["title_quadrant"])
    return ax


def plot_drivers(result, *, kind: str = "auto", labels: dict | None = None, title: str | None = None,
                 texts: dict | None = None, ax=None, lang: str = "en"):
    """Key-driver chart from :func:`cxkit.relative_weights`.

    Parameters
    ----------
    result : a :class:`cxkit.DriverResult` (or its ``.summary``)
    kind : ``"auto"`` (default) - the quadrant when the drivers' mean ratings differ enough to rank
        them (:func:`cxkit.drivers.performance_spread`), otherwise the bars (always the bars for a
        summary table, which has no ratings to test); ``"quadrant"`` - importance (share of R², with
        its interval) against current performance (mean rating), split at the averages: top left is
        **fix first** (matters a lot, rated low); ``"bars"`` - share of R² per driver with its
        bootstrap interval, largest on top
    labels : mapping of driver column to display name (e.g. translated), optional; drivers not in it
        are shown without the ``attr_`` prefix
    title : the chart title, shown as given; default from ``texts``
    texts : chart text replacing any of :data:`DRIVER_TEXTS` (titles, axis labels, the quadrants'
        names, ``"strongest"``), e.g. translated; ``{outcome}``, ``{r2}`` and ``{confidence}`` are
        filled in, ``{name}`` in ``"strongest"``
    ax : matplotlib Axes to draw on (a new figure when None)
    lang : ``"en"`` (default), ``"lt"``, ``"pl"`` or ``"lv"``: the language of the default texts, of the
        drivers' names (:func:`cxkit.i18n.name_of`) and of the numbers

    Returns
    -------
    matplotlib Axes
        The chart. The dominant driver (:func:`cxkit.drivers.dominant_driver`: clearly ahead of every
        other) is drawn in the accent colour and named "(strongest)", so colour is not the only cue.

    Examples
    --------
    >>> import numpy as np, pandas as pd, cxkit as cx
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(0, 11, size=(300, 3)), columns=["attr_a", "attr_b", "attr_c"])
    >>> df["nps"] = (df.attr_a + rng.integers(0, 3, 300)).clip(0, 10)
    >>> ax = plot_drivers(cx.relative_weights(df, n_boot=100), labels={"attr_a": "Delivery"})
    >>> ax.get_title(), [t.get_text() for t in ax.get_yticklabels()]
    ('Key drivers of NPS (R² = 0.94)', ['Delivery (strongest)', 'b', 'c'])
    >>> plot_drivers(cx.relative_weights(df, n_boot=100), kind="quadrant").get_xlabel()
    'Performance: mean rating'
    """
    from .drivers import dominant_driver

    table = _table_of(result, {"driver", "share", "share_ci_low", "share_ci_high", "performance"}, "plot_drivers",
                      "relative_weights", kind, ("auto", "quadrant", "bars"))
    kind = _drivers_kind(result, kind)
    words = _driver_texts(result, texts, lang)
    if title is not None:
        words["title_bars"] = words["title_quadrant"] = str(title)
    strongest = dominant_driver(result)
    names = _driver_names(table["driver"], labels, strongest, words, lang)
    strong = (table["driver"] == strongest).to_numpy() if strongest is not None else np.zeros(len(table), bool)
    has_ci = bool(np.isfinite(table["share_ci_low"].to_numpy(dtype=float)).all()
                  and np.isfinite(table["share_ci_high"].to_numpy(dtype=float)).all())
    draw = _drivers_bars if kind == "bars" else _drivers_quadrant
    ax = draw(table, names, strong, words, has_ci, ax)
    _local_ticks(ax.xaxis, lang)
    if kind != "bars":
        _local_ticks(ax.yaxis, lang)
    return ax


# --- touchpoints -----------------------------------------------------------------------

#: marker of a touchpoint's verdict against the other touchpoints (its colour: :data:`COLOURS` of the verdict)
_TOUCH_MARKERS = {"better": "^", "worse": "v", "same": "o", "untested": "o"}


def _touch_verdicts(table: pd.DataFrame) -> list[str]:
    """Verdict per row: "better" / "worse" (significant, by the metric's direction), "same", "untested"."""
    better_high = bool(table.attrs.get("higher_is_better", True))
    out = []
    for d in table["direction"]:
        if d in ("higher", "lower"):
            out.append("better" if (d == "higher") == better_high else "worse")
        else:
            out.append("same" if d == "no difference" else "untested")
    return out


def _touch_texts(table: pd.DataFrame, labels: dict | None, lang: str = "en") -> dict:
    """The chart's texts: defaults in ``lang``, replaced by ``labels``."""
    level = _level(table.attrs.get("confidence", 0.95), lang)
    return {"better": _tr("better", lang), "worse": _tr("worse", lang), "same": _tr("no_difference", lang),
            "too_few": _tr("journey_too_few", lang), "overall": _tr("journey_overall", lang),
            "xlabel": _tr("journey_xlabel", lang), "title": _tr("journey_chart_title", lang).format(level=level),
            "not_shown": _tr("journey_not_shown", lang),
            "number": lambda v, digits: format_number_local(v, lang, digits), **(labels or {})}


def _touch_rows(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The rows to draw (a value, not hidden), sorted by NPS, the hidden rows, and the touchpoint column."""
    _check_table(table, ["value", "ci_low", "ci_high", "n", "direction", "suppressed"], "plot_touchpoints")
    by = (table.attrs.get("by") or [table.columns[0]])[0]
    hidden = table["suppressed"].astype(bool).to_numpy() | ~np.isfinite(table["value"].to_numpy(dtype=float))
    shown = table.loc[~hidden].copy()
    if shown.empty:
        raise InsufficientDataError("plot_touchpoints: no touchpoint with a value to draw")
    shown["verdict_"] = _touch_verdicts(shown)
    return shown.sort_values("value", kind="stable"), table.loc[hidden & (table["n"] > 0).to_numpy()], by


def plot_touchpoints(table: pd.DataFrame, *, labels: dict | None = None, ax=None, lang: str = "en"):
    """Each touchpoint's NPS with its interval, sorted, against the NPS of all its touchpoints together.

    One row per touchpoint, highest NPS at the top: the interval as a line, the NPS as a point. Significantly
    better than the other touchpoints (after the correction): a green triangle pointing up and the word
    "better"; worse: a red triangle pointing down and "worse"; tested and no real difference: a grey dot
    and "no significant difference". A touchpoint with too few answers to test (on either side) is a hollow
    grey dot labelled "n = 16 (too few to test)", so colour is never the only cue. A vertical line marks the
    NPS of all the touchpoints together (the unit's NPS for one unit's answers). Touchpoints hidden for
    confidentiality are not drawn; they are named under the chart.

    Parameters
    ----------
    table : pandas.DataFrame
        Result of ``cx.compare(data, metric="nps", by="touchpoint", against="rest")``: each touchpoint
        against the data's other touchpoints; the overall NPS is read from ``table.attrs["company"]``.
    labels : dict, optional
        Texts in the report's language: ``"better"``, ``"worse"``, ``"same"``, ``"too_few"`` (with
        ``{n}``), ``"overall"`` (with ``{value}``), ``"xlabel"``, ``"title"``, ``"not_shown"`` (with
        ``{min}`` and ``{names}``), and ``"number"``, a function ``(value, digits) -> text``; they replace
        the texts in ``lang``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Language of the chart's words and numbers (:func:`cxkit.i18n.t`).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ConfigError
        If ``table`` is not a table of :func:`cxkit.compare`.
    InsufficientDataError
        If no touchpoint has a value to draw.

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> df = pd.DataFrame({"touchpoint": ["web"] * 100 + ["store"] * 100 + ["phone"] * 16,
    ...                    "nps": [10] * 80 + [3] * 20 + [10] * 20 + [3] * 80 + [9] * 16})
    >>> ax = cx.plot_touchpoints(cx.compare(df, metric="nps", by="touchpoint"))
    >>> [x.get_text() for x in ax.get_yticklabels()]  # lowest NPS at the bottom
    ['store  n = 100', 'web  n = 100', 'phone  n = 16']
    >>> [x.get_text() for x in ax.texts]
    ['worse', 'better', 'n = 16 (too few to test)', 'NPS of all touchpoints: +7.4']
    """
    shown, hidden, by = _touch_rows(table)
    text = _touch_texts(table, labels, lang)
    number = text["number"]
    ax = _axes(ax, (8.5, max(2.8, 0.45 * len(shown) + 1.8)))
    y = np.arange(len(shown))
    for yi, row in zip(y, shown.itertuples(index=False)):
        _touch_point(ax, yi, row, text)
    ax.set_yticks(y)
    names = shown[by].astype(str)
    ax.set_yticklabels([f"{name}  n = {number(n, 0)}" for name, n in zip(names, shown["n"].astype(int))])
    ax.set_ylim(-0.7, len(shown) - 0.3)
    _touch_overall(ax, table, text)
    lo, hi = shown["ci_low"].min(), shown["ci_high"].max()
    ax.set_xlim(max(-105.0, lo - 5), min(105.0, hi + 5))
    if len(hidden):
        names = ", ".join(hidden[by].astype(str))
        ax.annotate(text["not_shown"].format(min=table.attrs.get("min_n_show", 5), names=names), xy=(0, 0),
                    xycoords="axes fraction", xytext=(0, -40), textcoords="offset points", fontsize=8,
                    color=COLOURS["same"], va="top")
    ax.set_xlabel(text["xlabel"])
    _local_ticks(ax.xaxis, lang)
    ax.set_title(text["title"], pad=18)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _touch_point(ax, y: float, row, text: dict) -> None:
    """One touchpoint: its interval, its point (marker and fill by verdict) and its verdict in words."""
    marker, colour = _TOUCH_MARKERS[row.verdict_], COLOURS[row.verdict_]
    ax.hlines(y, row.ci_low, row.ci_high, color=colour, lw=2.5, alpha=0.85)
    if row.verdict_ == "untested":
        n = int(min(row.n, getattr(row, "reference_n", row.n)))
        ax.scatter([row.value], [y], marker=marker, s=70, zorder=3, facecolors="white", edgecolors=colour,
                   linewidths=1.5)
        words = text["too_few"].format(n=text["number"](n, 0))
    else:
        ax.scatter([row.value], [y], marker=marker, s=80, zorder=3, color=colour, edgecolors="white")
        words = text[row.verdict_]
    ax.annotate(words, (1.0, y), xycoords=ax.get_yaxis_transform(), xytext=(8, 0), textcoords="offset points",
                va="center", fontsize=8, color=colour if row.verdict_ != "untested" else COLOURS["same"])


def _touch_overall(ax, table: pd.DataFrame, text: dict) -> None:
    """The vertical line at the NPS of all touchpoints together (``attrs["company"]``), in the legend."""
    overall = (table.attrs.get("company") or {}).get("value", np.nan)
    if overall is None or not np.isfinite(overall):
        return
    value = f"{'+' if overall > 0 else ''}{text['number'](overall, 1)}"
    label = text["overall"].format(value=value)
    ax.axvline(overall, color=COLOURS["line"], lw=1.2, ls="--", label=label)
    ax.annotate(label, (overall, 1.0), xycoords=ax.get_xaxis_transform(), xytext=(0, 3), textcoords="offset points",
                ha="center", va="bottom", fontsize=8, color=COLOURS["line"])  # named at the line, no legend


# --- comment themes --------------------------------------------------------------------


def plot_themes(summary, *, kind: str = "impact", labels: dict | None = None, ax=None, lang: str = "en"):
    """Comment-theme chart from :func:`cxkit.theme_summary`.

    Parameters
    ----------
    summary : a :class:`cxkit.ThemeSummary` or its ``.summary`` DataFrame
    kind : ``"impact"`` (default) - NPS of comments mentioning each theme minus
        the other comments, in points, with intervals; significant themes (after
        the correction) in colour; ``"frequency"`` - % of detractors', passives'
        and promoters' comments mentioning each theme
    labels : dict, optional
        Display names of the themes (e.g. translated: ``{"delivery": "Pristatymas"}``); default the keys in
        English, the catalogue's names (:func:`cxkit.i18n.name_of`) in another language
    ax : matplotlib Axes to draw on (a new figure when None)
    lang : ``"en"`` (default), ``"lt"``, ``"pl"`` or ``"lv"``: the language of the chart's words and numbers

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> df = pd.DataFrame({"comment": ["Late delivery."] * 40 + ["Great staff."] * 40,
    ...                    "nps": [3] * 30 + [9] * 10 + [10] * 35 + [5] * 5, "language": "en"})
    >>> ax = plot_themes(cx.theme_summary(df, min_n=20))
    >>> ax.get_xlabel()
    'NPS difference: comments on the theme minus other comments (points)'
    """
    table = _table_of(summary, {"theme", "diff", "ci_low", "ci_high", "mentions"}, "plot_themes", "theme_summary",
                      kind, ("impact", "frequency"))
    ax = _axes(ax, (8.0, 0.55 * len(table) + 1.8))
    y = np.arange(len(table))[::-1]
    names = labels or {}
    default = (lambda x: x) if lang == "en" else (lambda x: name_of("theme", x, lang))
    labels = [f"{names.get(x) or default(x)} (n = {format_number_local(m, lang, 0)})"
              for x, m in zip(table["theme"], table["mentions"])]
    _local_ticks(ax.xaxis, lang)
    if kind == "frequency":
        return _themes_frequency(table, ax, y, labels, lang)
    diff = table["diff"].to_numpy(dtype=float)
    lo, hi = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    sig = table["significant"].to_numpy(dtype=bool) if "significant" in table else np.zeros(len(table), bool)
    tested = np.isfinite(diff)
    colors = np.where(sig, np.where(diff < 0, _ACCENT, _DARK), _LIGHT)
    ax.errorbar(diff[tested], y[tested], xerr=_err(diff, lo, hi)[:, tested], fmt="none",
                ecolor="gray", capsize=3, lw=1, zorder=1)
    ax.scatter(diff[tested], y[tested], s=60, color=colors[tested], zorder=2)
    for yy in y[~tested]:
        ax.text(0, yy, _tr("chart_themes_not_tested", lang), va="center", ha="center", fontsize=8, color="gray")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels)
    ax.set_xlabel(_tr("chart_themes_xlabel", lang))
    ax.set_title(_tr("chart_themes_title", lang))
    return ax


def _themes_frequency(table: pd.DataFrame, ax, y, labels: list[str], lang: str):
    """% of detractors', passives' and promoters' comments mentioning each theme, three bars per theme."""
    cols = ["share_detractors", "share_passives", "share_promoters"]
    if not set(cols) <= set(table.columns):
        raise ConfigError("plot_themes(kind='frequency') needs theme_summary(..., by_group=True)")
    for k, (col, color, group) in enumerate(zip(cols, (_ACCENT, _LIGHT, _DARK), ("detractor", "passive", "promoter"))):
        ax.barh(y + (1 - k) * 0.27, table[col], height=0.27, color=color, label=_tr(group, lang))
    ax.set_yticks(y, labels)
    ax.set_xlabel(_tr("chart_themes_freq_xlabel", lang))
    ax.set_title(_tr("chart_themes_freq_title", lang))
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3)
    return ax


# --- comparisons ---------------------------------------------------------------------

#: colours: better / worse than the reference, no real difference, not tested
COLOURS = {"better": "#0072b2", "worse": "#d55e00", "same": "#5f6b7a", "untested": "#9aa5b1", "line": "#1f4e79"}

#: what a metric is measured in, and the metric's name on an axis: keys of :func:`cxkit.i18n.t`
_UNIT_LABEL = {"points": "chart_measured_points", "hours": "chart_measured_hours",
               "currency": "chart_measured_currency"}
_METRIC_LABEL = {"nps": "chart_metric_nps", "csat": "chart_metric_csat", "ces": "chart_metric_ces",
                 "ces_mean": "chart_metric_ces_mean", "first_response_time": "chart_metric_first_response_time",
                 "first_response_time_median": "chart_metric_first_response_time",
                 "churn_rate": "chart_metric_churn_rate", "cac": "chart_metric_cac",
                 "cost_to_serve": "chart_metric_cost_to_serve"}


def _check_table(table, needed, what):
    source = "cxkit.trend()" if what == "plot_trend" else "cxkit.compare()"
    if not isinstance(table, pd.DataFrame):
        raise ConfigError(f"{what}: expected the table returned by {source}")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ConfigError(f"{what}: the table lacks column(s) {', '.join(missing)}; pass the table returned by "
                          f"{source}")


def _verdict_colours(table: pd.DataFrame) -> list[str]:
    """Colour per row: significant and better / worse (by the metric's direction), same, untested."""
    better_high = table.attrs.get("higher_is_better", True)
    out = []
    for d in table["direction"]:
        if d in ("higher", "lower"):
            good = (d == "higher") == bool(better_high)
            out.append(COLOURS["better"] if good else COLOURS["worse"])
        elif d == "no difference":
            out.append(COLOURS["same"])
        else:
            out.append(COLOURS["untested"])
    return out


def _metric_name(table: pd.DataFrame, lang: str = "en") -> str:
    """The metric's name in ``lang`` (a metric the catalogue does not know: its key made readable)."""
    metric = table.attrs.get("metric") or (table["metric"].iloc[0] if len(table) else "")
    key = _METRIC_LABEL.get(metric)
    return _tr(key, lang) if key else str(metric).replace("_", " ")


def _axis_label(table: pd.DataFrame, lang: str = "en") -> str:
    """The metric and what it is measured in, e.g. ``NPS (NPS points)``."""
    unit = table.attrs.get("measured_in", "")
    name = _metric_name(table, lang)
    return f"{name} ({_tr(_UNIT_LABEL[unit], lang) if unit in _UNIT_LABEL else unit})" if unit else name


def plot_nps_distribution(table: pd.DataFrame, *, by: str | None = None, labels: dict | None = None, ax=None,
                          lang: str = "en"):
    """Detractors, passives and promoters as one stacked bar per group (100% wide), with n and NPS.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cxkit.nps_distribution` (``*_pct`` shares, ``n`` and ``nps`` per row).
    by : str, optional
        The column naming each bar (the first column when it is not a number); rows are drawn top to bottom
        in the table's order.
    labels : dict, optional
        Texts for ``"detractors"``, ``"passives"``, ``"promoters"`` and ``"xlabel"``, and ``"number"``, a
        function ``(value, digits) -> text`` (the report language's number format); they replace the
        texts in ``lang``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Language of the chart's words and numbers (:func:`cxkit.i18n.t`).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> d = pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 2, "nps": [10, 9, 7, 3, 6, 9]})
    >>> ax = cx.plot_nps_distribution(cx.nps_distribution(d, by="unit"), by="unit")
    """
    _check_table(table, {"detractors_pct", "passives_pct", "promoters_pct", "n", "nps"}, "plot_nps_distribution")
    text = {"detractors": f"{_tr('detractor', lang)} (0-6)", "passives": f"{_tr('passive', lang)} (7-8)",
            "promoters": f"{_tr('promoter', lang)} (9-10)", "xlabel": _tr("share_of_answers", lang),
            "number": lambda v, digits: format_number_local(v, lang, digits), **(labels or {})}
    by = by or (table.columns[0] if not pd.api.types.is_numeric_dtype(table[table.columns[0]]) else None)
    names = [str(v) for v in table[by]] if by else [""] * len(table)
    ax = _axes(ax, figsize=(7, 0.9 + 0.45 * len(table)))
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    colours = {"detractors": _GROUP_COLOURS["detractor"], "passives": "#c9c9c9",
               "promoters": _GROUP_COLOURS["promoter"]}
    for part in ("detractors", "passives", "promoters"):
        width = table[f"{part}_pct"].to_numpy(dtype=float)
        ax.barh(y, width, left=left, color=colours[part], label=text[part], height=0.6)
        for yi, x, w in zip(y, left, width):
            if w >= 8:
                ax.text(x + w / 2, yi, format_percent_local(w, lang, 0), ha="center", va="center", fontsize=8,
                        color="white" if part != "passives" else "black")
        left += width
    number = text["number"]
    ax.set_yticks(y)
    ax.set_yticklabels([f"{name}  n = {number(n, 0)}  NPS {'+' if v > 0 else ''}{number(v, 0)}".strip()
                        for name, n, v in zip(names, table["n"].astype(int), table["nps"])])
    ax.set_xlim(0, 100)
    _local_ticks(ax.xaxis, lang)
    ax.set_xlabel(text["xlabel"])
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize=8)  # above the bars
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_groups(table: pd.DataFrame, *, ax=None, sort: bool = True, title: str | None = None, lang: str = "en"):
    """Each group's value with its interval; the reference drawn in; real differences marked.

    Parameters
    ----------
    table : a table from :func:`cxkit.compare`
    ax : matplotlib axes to draw on (a new figure if None)
    sort : order groups by value
    title : plot title (default names the metric and what groups are compared with)
    lang : report language (``"en"``, ``"lt"``, ``"pl"`` or ``"lv"``) of the chart's words and numbers

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Horizontal bars are the groups' confidence intervals. Against the rest of the
    company the company value is a dashed line; against targets or an earlier
    period each group's reference is a grey tick. Green / red dots: significantly
    better / worse than the reference after the correction (the metric's
    direction decides which is better: lower response times and churn are
    better); dark grey: no real difference; light hollow: not tested (too few
    answers). Groups hidden for confidentiality are listed as "not shown". For
    ``against="pairs"`` the differences of the pairs are drawn around zero.

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> df = pd.DataFrame({"unit": list("AB") * 100, "nps": [10, 3, 9, 6] * 50})
    >>> ax = cx.plot_groups(cx.compare(df, metric="nps", by="unit"))
    >>> ax.get_xlabel()
    'NPS (NPS points)'
    """
    _check_table(table, ["value", "ci_low", "ci_high", "direction", "suppressed", "vs"], "plot_groups")
    by = table.attrs.get("by") or [c for c in table.columns[: list(table.columns).index("vs")]]
    against = table.attrs.get("against", "rest")
    pairs = against == "pairs"
    shown = table.loc[~table["suppressed"].astype(bool)].copy()
    hidden = table.loc[table["suppressed"].astype(bool)]
    labels = [" / ".join(str(v) for v in row) for row in shown[by].itertuples(index=False, name=None)] if by else \
        [str(v) for v in shown["vs"]]
    if pairs:
        labels = [_tr("chart_groups_pair", lang).format(a=a, b=b) for a, b in zip(labels, shown["vs"])]
        centre, low, high = shown["diff"], shown["diff_ci_low"], shown["diff_ci_high"]
    else:
        centre, low, high = shown["value"], shown["ci_low"], shown["ci_high"]
    order = np.argsort(centre.to_numpy(dtype=float)) if sort else np.arange(len(shown))
    ax = _axes(ax, (7.5, max(2.5, 0.42 * len(shown) + 1.4)))
    colours = np.array(_verdict_colours(shown), dtype=object)
    y = np.arange(len(order))
    c, lo, hi = (np.asarray(v, dtype=float)[order] for v in (centre, low, high))
    ax.hlines(y, lo, hi, color=list(colours[order]), lw=2.5, alpha=0.85)
    tested = shown["direction"].isin(["higher", "lower", "no difference"]).to_numpy()[order]
    ax.scatter(c[tested], y[tested], c=list(colours[order][tested]), s=60, zorder=3, edgecolors="white")
    ax.scatter(c[~tested], y[~tested], facecolors="white", edgecolors=list(colours[order][~tested]), s=60, zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels([labels[i] for i in order])
    ax.set_ylim(-0.7, len(order) - 0.3)
    if pairs:
        ax.axvline(0, color="black", lw=1, ls="--")
        ax.set_xlabel(_tr("chart_groups_difference", lang).format(label=_axis_label(table, lang)))
    else:
        ax.set_xlabel(_axis_label(table, lang))
        _groups_reference(ax, table, shown, order, y, lang)
    _groups_legend(ax, lang)
    if len(hidden):
        names = [" / ".join(str(v) for v in row) for row in hidden[by].itertuples(index=False, name=None)] if by \
            else []
        ax.annotate(_tr("chart_groups_not_shown", lang).format(min=table.attrs.get("min_n_show", 5),
                                                               names=", ".join(names)),
                    xy=(0, 0), xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=8,
                    color=COLOURS["same"], va="top")
    ax.set_title(title or _groups_title(table, against, lang))
    _local_ticks(ax.xaxis, lang)
    ax.grid(axis="x", alpha=0.3)
    return ax


def _groups_reference(ax, table: pd.DataFrame, shown: pd.DataFrame, order, y, lang: str) -> None:
    """The company line (against the rest) or each group's reference tick (target, an earlier period)."""
    against = table.attrs.get("against", "rest")
    company = table.attrs.get("company")
    if against == "rest" and company and np.isfinite(company.get("value", np.nan)):
        ax.axvline(company["value"], color=COLOURS["line"], lw=1.2, ls="--",
                   label=_tr("chart_groups_company", lang).format(value=format_number_local(company["value"], lang)))
    elif "reference" in shown.columns:
        ref = shown["reference"].to_numpy(dtype=float)[order]
        name = _tr("chart_groups_target", lang) if against == "target" else \
            (table.attrs.get("reference_period") or _tr("chart_groups_reference", lang))
        ok = np.isfinite(ref)
        ax.scatter(ref[ok], y[ok], marker="|", s=220, color="black", zorder=4, label=str(name))


def _groups_legend(ax, lang: str) -> None:
    """The verdicts' marks in words, then whatever reference was drawn."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", color=COLOURS["better"], label=_tr("chart_groups_better", lang)),
               Line2D([], [], marker="o", ls="", color=COLOURS["worse"], label=_tr("chart_groups_worse", lang)),
               Line2D([], [], marker="o", ls="", color=COLOURS["same"], label=_tr("chart_groups_same", lang)),
               Line2D([], [], marker="o", ls="", markerfacecolor="white", color=COLOURS["untested"],
                      label=_tr("chart_groups_untested", lang))]
    extra, _names = ax.get_legend_handles_labels()
    ax.legend(handles=handles + extra, fontsize=8, loc="lower right", frameon=True, framealpha=0.85)


def _groups_title(table: pd.DataFrame, against: str, lang: str) -> str:
    """The metric and what the groups are compared with, and the period when the table names one."""
    known = ("rest", "pairs", "target", "previous", "year_ago")
    key = f"chart_groups_title_{against if against in known else 'other'}"
    period = table.attrs.get("period")
    text = _tr(key, lang).format(metric=_metric_name(table, lang).split(" (")[0], against=against)
    return text + (f", {period}" if period else "")


def plot_trend(table: pd.DataFrame, *, ax=None, group=None, title: str | None = None, shade=None,
               target: float | None = None, labels: dict | None = None, lang: str = "en"):
    """A metric over time with its confidence band; real period-over-period changes marked.

    Parameters
    ----------
    table : a table from :func:`cxkit.trend`
    ax : matplotlib axes to draw on (a new figure if None)
    group : with a ``by`` trend, the group(s) to draw (default: all, one line each)
    title : plot title
    shade : ``(start, end)`` dates of a period to shade (the reporting period), or None
    target : a target value drawn as a dashed line, or None
    labels : texts for the legend (``"better"``, ``"worse"``, ``"period"``, ``"target"``) replacing those in
        ``lang``
    lang : report language (``"en"``, ``"lt"``, ``"pl"`` or ``"lv"``) of the chart's words, numbers and months

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Line: the value per period; band: its confidence interval; a green or red
    triangle marks a period whose change from the previous one is significant
    after the correction (green = better, red = worse). Periods hidden by the
    minimum-sample rule are gaps.

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> df = pd.DataFrame({"date": pd.date_range("2025-01-01", periods=300, freq="D"),
    ...                    "nps": [10, 9, 7, 3, 10] * 60})
    >>> ax = cx.plot_trend(cx.trend(df, metric="nps", freq="Q"))
    >>> ax.get_ylabel()
    'NPS (NPS points)'
    """
    _check_table(table, ["period_start", "value", "ci_low", "ci_high", "direction"], "plot_trend")
    by = table.attrs.get("by") or []
    ax = _axes(ax, (8, 4))
    if by:
        keys = [" / ".join(str(v) for v in row) for row in table[by].itertuples(index=False, name=None)]
        table = table.assign(_key=keys)
        chosen = list(dict.fromkeys(keys)) if group is None else ([group] if isinstance(group, str) else list(group))
        unknown = set(chosen) - set(keys)
        if unknown:
            raise ConfigError(f"plot_trend: no group(s) {sorted(unknown)}; the table has {sorted(set(keys))}")
        parts = [(k, table[table["_key"] == k]) for k in chosen]
    else:
        parts = [(None, table)]
    better_high = table.attrs.get("higher_is_better", True)
    text = {"better": _tr("real_change_better", lang), "worse": _tr("real_change_worse", lang),
            "period": _tr("reporting_period", lang), "target": _tr("chart_trend_target", lang), **(labels or {})}
    _trend_references(ax, table, shade, target, text, lang)
    drawn = set()
    for key, part in parts:
        x = pd.to_datetime(part["period_start"]).to_numpy()
        v, lo, hi = (part[c].to_numpy(dtype=float) for c in ("value", "ci_low", "ci_high"))
        line, = ax.plot(x, v, marker="o", ms=3, lw=1.6, color=None if by else COLOURS["line"], label=key)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
        d = part["direction"].to_numpy()
        for direction, marker in (("higher", "^"), ("lower", "v")):
            hit = d == direction
            if hit.any():
                good = (direction == "higher") == bool(better_high)
                drawn.add("better" if good else "worse")
                ax.scatter(x[hit], v[hit], marker=marker, s=90, zorder=4, edgecolors="white",
                           color=COLOURS["better"] if good else COLOURS["worse"])
    from matplotlib.lines import Line2D

    up, down = ("^", "v") if better_high else ("v", "^")
    handles = [Line2D([], [], marker=m, ls="", color=COLOURS[k], label=text[k])
               for k, m in (("better", up), ("worse", down)) if k in drawn]  # only marks that appear
    lines, names = ax.get_legend_handles_labels()
    ax.legend(handles=lines + handles, fontsize=8, loc="best", frameon=False)
    ax.set_ylabel(_axis_label(table, lang))
    ax.set_xlabel(_tr("period", lang))
    freq = str(table.attrs.get("freq", ""))[:1]
    title_key = f"chart_trend_title_{freq if freq in ('W', 'M', 'Q', 'Y') else 'other'}"
    ax.set_title(title or _tr(title_key, lang).format(metric=_metric_name(table, lang).split(" (")[0],
                                                      level=_level(table.attrs.get("confidence", 0.95), lang)))
    _trend_dates(ax, pd.to_datetime(table["period_start"]), freq, lang)
    _local_ticks(ax.yaxis, lang)
    ax.grid(alpha=0.3)
    return ax


def _trend_dates(ax, starts: pd.Series, freq: str, lang: str) -> None:
    """The time axis in ``lang``: months by name (every 3 for quarters, 12 for years), weeks as dates."""
    if not len(starts):
        return
    if freq == "W":
        import matplotlib.dates as mdates
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_date_local(mdates.num2date(v), lang)))
        return
    span = (starts.max().year - starts.min().year) * 12 + starts.max().month - starts.min().month + 1
    _local_months(ax.xaxis, lang, span, {"Q": 3, "Y": 12}.get(freq, 1))


def _trend_references(ax, table: pd.DataFrame, shade, target, text: dict, lang: str) -> None:
    """The shaded reporting period and the dashed target line, both named in the legend."""
    if shade is not None:
        months = pd.to_datetime(table["period_start"])
        start, end = pd.Timestamp(shade[0]), pd.Timestamp(shade[1])
        ax.axvspan(max(start, months.min()) - pd.Timedelta(days=10), end, color="#8ea9c8", alpha=0.18, lw=0,
                   label=text["period"], zorder=0)
    if target is not None and np.isfinite(target):
        value = format_number_local(target, lang, _decimals([target]))
        ax.axhline(target, color="#555555", ls="--", lw=1, label=f"{text['target']} {value}")


# --- fair league tables ----------------------------------------------------------------

_FUNNEL_MARKS = {"inside": ("#5f6b7a", "chart_funnel_inside"), "above": ("#0072b2", "chart_funnel_above"),
                 "below": ("#d55e00", "chart_funnel_below")}


def _funnel_mark(verdict: str, lang: str = "en") -> tuple[str, str]:
    """Colour and legend label (in ``lang``) of a funnel verdict such as ``"above 99.8%"``."""
    side, _, level = str(verdict).partition(" ")
    colour, key = _FUNNEL_MARKS.get(side, _FUNNEL_MARKS["inside"])
    if level.endswith("%"):
        level = _level(float(level[:-1]) / 100, lang)
    return colour, _tr(key, lang).format(level=level)


def plot_funnel(result, *, ax=None, lang: str = "en"):
    """Funnel plot: each unit's NPS against its number of answers, with limits around the company NPS.

    Units inside the limits are grey dots; units above or below the 95% limits are green or red dots,
    beyond the 99.8% limits green or red diamonds, and each unit outside the limits is labelled. The
    company NPS is a solid line, the 95% limits dashed and the 99.8% limits dotted; the n axis is
    logarithmic. The legend lists only the marks drawn.

    Parameters
    ----------
    result : UnitRanking
        Result of :func:`cxkit.rank_units` (its ``summary``, ``limits``, ``company`` and ``by``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Language of the chart's words and numbers (:func:`cxkit.i18n.t`).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ConfigError
        If ``result`` is not the result of :func:`cxkit.rank_units`.

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> counts = pd.DataFrame({"unit": list("ABCDEF"), "promoters": [420, 300, 260, 12, 5, 150],
    ...                        "passives": [300, 200, 240, 5, 3, 100], "detractors": [280, 200, 100, 3, 4, 150]})
    >>> ax = cx.plot_funnel(cx.rank_units(counts))
    >>> sorted(t.get_text() for t in ax.texts)  # the units outside the limits
    ['C', 'F']
    """
    table = _table_of(result, {"n", "nps", "funnel"}, "plot_funnel", "rank_units", "funnel", ("funnel",))
    limits = getattr(result, "limits", None)
    if limits is None or not {"n", "level", "lower", "upper"} <= set(limits.columns):
        raise ConfigError("plot_funnel: expected the result of cx.rank_units(...)")
    by = getattr(result, "by", table.columns[0])
    ax = _axes(ax, (7.5, 4.5))
    ax.axhline(result.company, color=_DARK, lw=1.2,
               label=_tr("chart_funnel_company", lang).format(value=format_number_local(result.company, lang)))
    for (level, part), style in zip(limits.groupby("level", sort=True), ("--", ":")):
        name = _tr("chart_funnel_limits", lang).format(level=_level(level, lang))
        ax.plot(part["n"], part["upper"], color=_LIGHT, ls=style, lw=1.2, label=name)
        ax.plot(part["n"], part["lower"], color=_LIGHT, ls=style, lw=1.2)
    outer = f"{100 * limits['level'].max():g}%"
    # legend from the top of the funnel down: above the outer limit, above the inner, inside, below ...
    rank = {"above": 0, "inside": 1, "below": 2}
    verdicts = sorted(table["funnel"].unique(), key=lambda v: (rank.get(str(v).split(" ")[0], 1),
                                                               str(v).endswith(outer) == str(v).startswith("below")))
    for verdict in verdicts:
        rows = table[table["funnel"] == verdict]
        colour, label = _funnel_mark(verdict, lang)
        marker = "D" if verdict.endswith(outer) and verdict != "inside" else "o"
        ax.scatter(rows["n"], rows["nps"], color=colour, marker=marker, s=36, zorder=3, edgecolors="white",
                   label=label)
        if verdict != "inside":
            for row in rows.itertuples(index=False):
                ax.annotate(str(getattr(row, by) if by in rows.columns else row[0]), (row.n, row.nps),
                            xytext=(4, 3), textcoords="offset points", fontsize=8, color=colour)
    _funnel_axes(ax, by, lang)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.grid(alpha=0.3)
    return ax


def _funnel_axes(ax, by: str, lang: str) -> None:
    """The funnel's log n axis and NPS axis, numbered and named in ``lang``, and its title."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number_local(v, lang, _decimals([v]))))
    ax.xaxis.set_minor_formatter(NullFormatter())
    _local_ticks(ax.yaxis, lang)
    ax.set_xlabel(_tr("chart_funnel_xlabel", lang))
    ax.set_ylabel(_tr("journey_xlabel", lang))
    known = str(by).lower() in ("unit", "region")
    ax.set_title(_tr(f"chart_funnel_title_{str(by).lower() if known else 'other'}", lang).format(by=by))


