"""Plot helpers for leadership-ready figures.

Every helper draws on ``ax`` (a new figure and axes when None) and returns it;
no global state is changed. Titles and axis labels say what is shown and in
which unit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError

__all__ = ["plot_churn_by_group", "plot_survival", "plot_unit_outcomes", "plot_revenue_at_risk"]


def _axes(ax, figsize=(7, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- outcomes ---

_GROUP_COLOURS = {"detractor": "#c0392b", "passive": "#f39c12", "promoter": "#27ae60"}


def _colour(label, i):
    import matplotlib.pyplot as plt

    return _GROUP_COLOURS.get(str(label), plt.rcParams["axes.prop_cycle"].by_key()["color"][i % 10])


def plot_churn_by_group(table: pd.DataFrame, *, by: str | None = None, ax=None):
    """Bar chart of churn per group with its confidence interval.

    Parameters
    ----------
    table : result of :func:`cxkit.churn_by_group`
    by : the group column (default: the first column)

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
    v = table["churn_rate"].to_numpy(dtype=float)
    err = np.vstack([v - table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float) - v])
    labels = table[by].astype(str).tolist()
    ax.bar(x, v, color=[_colour(lb, i) for i, lb in enumerate(labels)], yerr=err, capsize=4)
    for xi, vi, n in zip(x, v, table["n"] if "n" in table.columns else [None] * len(x)):
        ax.annotate(f"{vi:.1f}%" + (f"\nn={int(n)}" if n is not None else ""), (xi, 0), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8, color="white")
    ax.set_xticks(x, labels)
    ax.set_xlabel(by.replace("_", " "))
    ax.set_ylabel("Customers who left (%)")
    horizon = table["horizon_months"].iloc[0] if "horizon_months" in table.columns else np.nan
    ax.set_title("Churn by " + by.replace("_", " ") + (f" within {horizon:g} months" if pd.notna(horizon) else "")
                 + " (95% CI)")
    ax.set_ylim(bottom=0)
    return ax


def plot_survival(result, *, ax=None):
    """Kaplan-Meier retention curves per group with their confidence bands.

    Parameters
    ----------
    result : result of :func:`cxkit.kaplan_meier`

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
        ax.step(c["months"], c["retained"], where="post", color=colour, label=str(label))
        ax.fill_between(c["months"], c["ci_low"], c["ci_high"], step="post", color=colour, alpha=0.2, linewidth=0)
    ax.set_xlabel("Months since the start of follow-up")
    ax.set_ylabel("Customers still with us (%)")
    ax.set_title("Retention by group (Kaplan-Meier, 95% band)")
    ax.set_ylim(top=100.5)
    if curves["group"].nunique() > 1:
        ax.legend(frameon=False)
    return ax


def plot_unit_outcomes(result, *, outcome: str = "churn_rate", ax=None):
    """Unit NPS against a unit outcome: one labelled point per unit, regression line and band.

    Parameters
    ----------
    result : result of :func:`cxkit.unit_outcomes`
    outcome : ``"churn_rate"`` (default) or ``"revenue_growth"``
    """
    data = getattr(result, "data", None)
    if data is None or outcome not in data.columns:
        raise ConfigError(f"plot_unit_outcomes: pass the result of cx.unit_outcomes with {outcome!r}")
    ax = _axes(ax)
    unit_col = data.columns[0]
    d = data[data["nps"].notna() & data[outcome].notna()]
    inside = d["in_regression"].to_numpy(dtype=bool)
    ax.scatter(d["nps"][inside], d[outcome][inside], color="#2c3e50", zorder=3)
    if (~inside).any():
        ax.scatter(d["nps"][~inside], d[outcome][~inside], facecolor="none", edgecolor="#2c3e50", zorder=3,
                   label="too few answers (not in the line)")
    for row in d.itertuples(index=False):
        ax.annotate(str(row[0]), (getattr(row, "nps"), getattr(row, outcome)), xytext=(4, 3),
                    textcoords="offset points", fontsize=8)
    lines = getattr(result, "lines", None)
    if lines is not None:
        ln = lines[lines["outcome"] == outcome]
        if len(ln):
            ax.plot(ln["nps"], ln["fit"], color="#2980b9", label="fitted line")
            ax.fill_between(ln["nps"], ln["ci_low"], ln["ci_high"], color="#2980b9", alpha=0.15, linewidth=0,
                            label="95% band of the line")
    ax.set_xlabel(f"NPS of the {unit_col} (points)")
    ax.set_ylabel({"churn_rate": "Churn rate (%)", "revenue_growth": "Revenue growth (%)"}.get(outcome, outcome))
    ax.set_title(f"{unit_col.capitalize()}s: NPS vs {outcome.replace('_', ' ')} (units, not customers)")
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_revenue_at_risk(result, *, ax=None):
    """Horizontal bars of revenue at risk per group, heuristic and model-based side by side.

    Parameters
    ----------
    result : result of :func:`cxkit.revenue_at_risk`
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
        ax.errorbar(v[has_ci], y[has_ci], xerr=np.vstack([v - lo, hi - v])[:, has_ci], fmt="none", ecolor="black",
                    capsize=3)
    labels = [f"{m}: {g} ({lb})" for m, g, lb in zip(t["method"], t["group"], t["label"])]
    ax.set_yticks(y, labels)
    ax.axvline(0, color="black", linewidth=0.8)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}".replace(",", " ")))
    ax.set_xlabel("Yearly revenue at risk (currency)")
    ax.set_title("Revenue at risk: rule of thumb (grey) vs\nestimated from the data (blue, 95% CI)")
    return ax
