"""Plots for leadership: matplotlib helpers that draw on ``ax`` (created if None) and return it.

Each function takes a tidy table from cxkit (e.g. :func:`cxkit.compare`,
:func:`cxkit.trend`), draws on the given ``ax`` or a new one, and returns the
``ax``; nothing global is changed. pyplot is imported inside the functions, so
``import cxkit`` stays cheap.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError

__all__ = ["plot_groups", "plot_trend"]

# --- comparisons ---------------------------------------------------------------------

#: colours: better / worse than the reference, no real difference, not tested
COLOURS = {"better": "#1a7f37", "worse": "#c62828", "same": "#5f6b7a", "untested": "#9aa5b1", "line": "#1f4e79"}

_UNIT_LABEL = {"points": "NPS points", "%": "%", "hours": "hours", "currency": "currency"}
_METRIC_LABEL = {"nps": "NPS", "csat": "CSAT", "ces": "CES (easy)", "ces_mean": "CES (mean)",
                 "first_response_time": "Median first response", "first_response_time_median": "Median first response",
                 "churn_rate": "Churn rate", "cac": "CAC", "cost_to_serve": "Cost to serve"}


def _axes(ax, size):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


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


def _axis_label(table: pd.DataFrame) -> str:
    metric = table.attrs.get("metric") or (table["metric"].iloc[0] if len(table) else "")
    unit = table.attrs.get("measured_in", "")
    return f"{_METRIC_LABEL.get(metric, metric)} ({_UNIT_LABEL.get(unit, unit)})" if unit else str(metric)


def plot_groups(table: pd.DataFrame, *, ax=None, sort: bool = True, title: str | None = None):
    """Each group's value with its interval; the reference drawn in; real differences marked.

    Parameters
    ----------
    table : a table from :func:`cxkit.compare`
    ax : matplotlib axes to draw on (a new figure if None)
    sort : order groups by value
    title : plot title (default names the metric and what groups are compared with)

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
        labels = [f"{a} vs {b}" for a, b in zip(labels, shown["vs"])]
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
        ax.set_xlabel(f"Difference: {_axis_label(table)}")
    else:
        ax.set_xlabel(_axis_label(table))
        company = table.attrs.get("company")
        if against == "rest" and company and np.isfinite(company.get("value", np.nan)):
            ax.axvline(company["value"], color=COLOURS["line"], lw=1.2, ls="--",
                       label=f"Company {company['value']:.1f}")
        elif "reference" in shown.columns:
            ref = shown["reference"].to_numpy(dtype=float)[order]
            name = "Target" if against == "target" else (table.attrs.get("reference_period") or "Reference")
            ok = np.isfinite(ref)
            ax.scatter(ref[ok], y[ok], marker="|", s=220, color="black", zorder=4, label=str(name))
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", color=COLOURS["better"], label="better (significant)"),
               Line2D([], [], marker="o", ls="", color=COLOURS["worse"], label="worse (significant)"),
               Line2D([], [], marker="o", ls="", color=COLOURS["same"], label="no real difference"),
               Line2D([], [], marker="o", ls="", markerfacecolor="white", color=COLOURS["untested"],
                      label="not tested (too few)")]
    extra, extra_labels = ax.get_legend_handles_labels()
    ax.legend(handles=handles + extra, fontsize=8, loc="lower right", frameon=True, framealpha=0.85)
    if len(hidden):
        names = [" / ".join(str(v) for v in row) for row in hidden[by].itertuples(index=False, name=None)] if by \
            else []
        ax.annotate(f"Not shown (n < {table.attrs.get('min_n_show', 5)}): {', '.join(names)}", xy=(0, 0),
                    xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=8,
                    color=COLOURS["same"], va="top")
    vs = {"rest": "the rest of the company", "pairs": "each other", "target": "target",
          "previous": "the previous period", "year_ago": "a year earlier"}.get(against, against)
    period = table.attrs.get("period")
    ax.set_title(title or f"{_axis_label(table).split(' (')[0]} vs {vs}" + (f", {period}" if period else ""))
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_trend(table: pd.DataFrame, *, ax=None, group=None, title: str | None = None):
    """A metric over time with its confidence band; real period-over-period changes marked.

    Parameters
    ----------
    table : a table from :func:`cxkit.trend`
    ax : matplotlib axes to draw on (a new figure if None)
    group : with a ``by`` trend, the group(s) to draw (default: all, one line each)
    title : plot title

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
                ax.scatter(x[hit], v[hit], marker=marker, s=90, zorder=4, edgecolors="white",
                           color=COLOURS["better"] if good else COLOURS["worse"])
    from matplotlib.lines import Line2D

    up, down = ("^", "v") if better_high else ("v", "^")
    handles = [Line2D([], [], marker=up, ls="", color=COLOURS["better"], label="real change: better"),
               Line2D([], [], marker=down, ls="", color=COLOURS["worse"], label="real change: worse")]
    lines, names = ax.get_legend_handles_labels()
    ax.legend(handles=lines + handles, fontsize=8, loc="best", frameon=False)
    ax.set_ylabel(_axis_label(table))
    ax.set_xlabel("Period")
    freq = {"W": "week", "M": "month", "Q": "quarter", "Y": "year"}.get(table.attrs.get("freq", ""), "period")
    level = int(round(100 * table.attrs.get("confidence", 0.95)))
    ax.set_title(title or f"{_axis_label(table).split(' (')[0]} per {freq} ({level}% band)")
    ax.grid(alpha=0.3)
    return ax
