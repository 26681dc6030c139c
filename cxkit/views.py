"""What the report notebooks show: company-wide context computed once per batch,
the per-unit data a notebook reads, and display helpers that escape data-derived text.

Notebooks call :func:`open_report` and the ``show_*`` helpers; the logic lives here.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ConfigError, CxkitError, InsufficientDataError
from .i18n import format_number_local, format_percent_local, format_date_local, t
from .metrics import metric_table

__all__ = ["open_report", "ReportData", "show_heading", "show_text", "show_table", "show_note", "HEADLINE_METRICS",
           "headline", "headline_record", "table_html", "Section", "outcomes_section", "drivers_section",
           "themes_section"]

#: metrics in the headline table: (metric, table, kwargs)
HEADLINE_METRICS = ("nps", "csat", "ces", "first_response_time", "churn_rate")
_TABLE_OF = {"nps": "responses", "csat": "responses", "ces": "responses", "first_response_time": "tickets",
             "churn_rate": "customers"}
_METRIC_NAME = {"first_response_time": "first_response_time_median"}


def attach_groups(tables: dict[str, pd.DataFrame | None], *, level: str = "unit") -> dict[str, pd.DataFrame | None]:
    """Add a ``_group`` column (the unit, or its region) to every table that can have one.

    Revenue gets the group of its customer; units without a region in the units table roll
    up to "(no region)".
    """
    out = dict(tables)
    units = tables.get("units")
    region_of = {}
    if level == "region":
        if units is None or "region" not in units.columns:
            raise ConfigError("--level region needs a units table with a region column")
        region_of = dict(zip(units["unit"].astype(str), units["region"].astype("string").fillna("(no region)")))

    def group_of(unit: pd.Series) -> pd.Series:
        u = unit.astype("string")
        if level == "unit":
            return u
        return u.map(lambda x: region_of.get(x, "(no region)") if x is not pd.NA else pd.NA).astype("string")

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


def _in(frame: pd.DataFrame, column: str, start, end) -> pd.DataFrame:
    d = frame[column]
    return frame[(d >= start) & (d < end + pd.Timedelta(days=1))]


def _metric_rows(tables, metric, start, end, settings, by="_group"):
    table = tables.get(_TABLE_OF[metric])
    if table is None or table.empty:
        return None
    name = _METRIC_NAME.get(metric, metric)
    kw = {"confidence": settings.get("confidence", 0.95), "total": True}
    if metric in ("csat", "ces"):
        kw["scale"] = tuple(settings.get("scales", {}).get(metric, (1, 5)))
    if metric == "churn_rate":
        if "acquired_at" not in table.columns and "churned" not in table.columns:
            return None
        kw.update(start=start, end=end) if "acquired_at" in table.columns else None
        data = table
    else:
        date_col = "date" if _TABLE_OF[metric] == "responses" else "created_at"
        data = _in(table, date_col, start, end)
        if metric in ("nps", "csat", "ces") and data[metric].notna().sum() == 0:
            return None
    if data.empty:
        return None
    try:
        rows = metric_table(data, metric=name, by=by, **kw)
    except InsufficientDataError:
        return None
    rows["metric"] = metric
    return rows.rename(columns={by: "group"})


def build_context(tables: dict, *, level: str, period: tuple, settings: dict, log: pd.DataFrame,
                  rejected: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Company-wide figures every report needs, computed once (all groups at once, vectorised)."""
    start, end = period
    from .report import previous_period, year_ago

    prev, ago = previous_period(start, end), year_ago(start, end)
    frames = []
    for label, (s, e) in (("current", (start, end)), ("previous", prev), ("year_ago", ago)):
        for metric in HEADLINE_METRICS:
            rows = _metric_rows(tables, metric, s, e, settings)
            if rows is not None:
                frames.append(rows.assign(window=label, start=s, end=e))
    metrics = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(metrics):
        metrics["group"] = metrics["group"].astype(str)
    ctx = {"metrics": metrics}
    # monthly trend per group and for the company
    r = tables["responses"]
    trend_frames = []
    for metric in ("nps", "csat", "ces"):
        if metric not in r.columns or r[metric].notna().sum() == 0:
            continue
        month = r["date"].dt.to_period("M").astype(str)
        kw = {"confidence": settings.get("confidence", 0.95)}
        if metric != "nps":
            kw["scale"] = tuple(settings.get("scales", {}).get(metric, (1, 5)))
        tab = metric_table(r.assign(_month=month), metric=metric, by=["_group", "_month"], **kw)
        tot = metric_table(r.assign(_month=month), metric=metric, by=["_month"], **kw).assign(_group="All")
        trend_frames.append(pd.concat([tab, tot], ignore_index=True))
    ctx["trend"] = (pd.concat(trend_frames, ignore_index=True).rename(columns={"_group": "group", "_month": "month"})
                    if trend_frames else pd.DataFrame())
    if len(ctx["trend"]):
        ctx["trend"]["group"] = ctx["trend"]["group"].astype(str)
    # touchpoints (journey view) in the current period
    cur = _in(r, "date", start, end)
    if "touchpoint" in cur.columns and cur["touchpoint"].notna().any():
        tp = metric_table(cur, metric="nps", by=["_group", "touchpoint"], confidence=settings.get("confidence", 0.95))
        tp_all = metric_table(cur, metric="nps", by=["touchpoint"], confidence=settings.get("confidence", 0.95)).assign(_group="All")
        ctx["touchpoints"] = pd.concat([tp, tp_all], ignore_index=True).rename(columns={"_group": "group"})
        ctx["touchpoints"]["group"] = ctx["touchpoints"]["group"].astype(str)
        ctx["touchpoints"]["touchpoint"] = ctx["touchpoints"]["touchpoint"].astype(str)
    units = tables.get("units")
    if units is not None:
        ctx["units"] = units.drop(columns=[c for c in ("_row",) if c in units.columns])
    ctx["log"] = log.copy()
    if len(rejected):
        rej = rejected.copy()
        rej["column"] = rej["reason"].astype(str).str.extract(r"column '([^']*)'")[0].fillna("(row)")
        ctx["rejected_summary"] = rej.groupby(["table", "column"], dropna=False).size().rename("rows").reset_index()
    else:
        ctx["rejected_summary"] = pd.DataFrame({"table": [], "column": [], "rows": []})
    return ctx


# --------------------------------------------------------------------------------------
# what a notebook reads


@dataclass
class ReportData:
    """Everything a unit report needs: the unit's rows and the company-wide context."""

    group: str
    level: str
    period: tuple[pd.Timestamp, pd.Timestamp]
    tables: dict[str, pd.DataFrame | None]
    context: dict[str, pd.DataFrame]
    meta: dict = field(default_factory=dict)

    @property
    def responses(self):
        return self.tables.get("responses")

    @property
    def tickets(self):
        return self.tables.get("tickets")

    @property
    def customers(self):
        return self.tables.get("customers")

    @property
    def revenue(self):
        return self.tables.get("revenue")

    @property
    def units(self):
        return self.context.get("units")

    def current(self, table: str = "responses") -> pd.DataFrame:
        """This group's rows of ``table`` inside the reporting period."""
        frame = self.tables.get(table)
        col = {"responses": "date", "tickets": "created_at", "revenue": "date"}.get(table)
        if frame is None or col is None:
            return frame
        return _in(frame, col, *self.period)


def open_report(data_dir: str = "", *, unit: str = "", prepared_dir: str = "", level: str = "unit",
                period_start: str = "", period_end: str = "", mapping: str | None = None,
                settings: dict | None = None) -> ReportData:
    """Data for one unit's report (``unit=""``: the whole company, for the leadership summary).

    In a batch, ``prepared_dir`` points at the partitions and context written by
    :func:`cxkit.report.prepare`, and only this unit's partition is read. Opened by an
    analyst without ``prepared_dir``, the data folder is loaded and the context computed here.
    """
    from .report import parse_period, unique_slugs

    if prepared_dir:
        pdir = Path(prepared_dir)
        meta = json.loads((pdir / "context" / "meta.json").read_text(encoding="utf-8"))
        context = {p.stem: pd.read_parquet(p) for p in sorted((pdir / "context").glob("*.parquet"))}
        start, end = (pd.Timestamp(x) for x in meta["period"])
        tables = {}
        if unit:
            if unit not in meta["slugs"]:
                raise ConfigError(f"unit {unit!r} is not in the prepared data; it has: {', '.join(meta['groups'])}")
            slug = meta["slugs"][unit]
            for name in ("responses", "tickets", "customers", "revenue"):
                path = pdir / "partitions" / name / f"{slug}.parquet"
                tables[name] = pd.read_parquet(path) if path.exists() else None
        else:
            for name in ("responses", "tickets", "customers", "revenue"):
                tdir = pdir / "partitions" / name
                parts = [pd.read_parquet(p) for p in sorted(tdir.glob("*.parquet"))] if tdir.exists() else []
                tables[name] = pd.concat(parts, ignore_index=True) if parts else None
        return ReportData(group=unit, level=meta["level"], period=(start, end), tables=tables, context=context, meta=meta)
    if not data_dir:
        raise ConfigError("open_report needs data_dir (a data folder) or prepared_dir (from a batch)")
    from .io import load
    from .report import default_settings

    ds = load(data_dir, mapping=mapping, errors="quarantine")
    settings = {**default_settings(), **(settings or {}), "scales": {k: list(v) for k, v in ds.scales.items()}}
    if bool(period_start) != bool(period_end):
        raise ConfigError("give both period_start and period_end, or neither (latest full quarter)")
    start, end = parse_period((period_start, period_end) if period_start else None, ds.responses["date"])
    tables = attach_groups({n: getattr(ds, n) for n in ("responses", "tickets", "customers", "revenue", "units")},
                           level=level)
    context = build_context(tables, level=level, period=(start, end), settings=settings, log=ds.log,
                            rejected=ds.rejected)
    groups = sorted(tables["responses"]["_group"].dropna().astype(str).unique())
    meta = {"level": level, "period": [str(start.date()), str(end.date())], "groups": groups,
            "slugs": unique_slugs(groups), "scales": settings["scales"], "source": str(data_dir)}
    if unit:
        if unit not in groups:
            raise ConfigError(f"unit {unit!r} not found; the data has: {', '.join(groups)}")
        mine = {n: (f[f["_group"].astype(str) == unit].drop(columns=["_group"]) if f is not None and "_group" in f.columns else f)
                for n, f in tables.items() if n != "units"}
    else:
        mine = {n: (f.drop(columns=["_group"]) if f is not None and "_group" in f.columns else f)
                for n, f in tables.items() if n != "units"}
    return ReportData(group=unit, level=level, period=(start, end), tables=mine, context=context, meta=meta)


# --------------------------------------------------------------------------------------
# display helpers (escape everything that comes from data)


def _display_html(text: str):
    from IPython.display import HTML, display

    display(HTML(text))


def show_heading(text: str, level: int = 2) -> None:
    """A heading; the text is escaped (unit names come from data)."""
    level = min(max(int(level), 1), 4)
    _display_html(f"<h{level}>{html.escape(str(text))}</h{level}>")


def show_text(text: str) -> None:
    """A paragraph of escaped text."""
    _display_html(f"<p>{html.escape(str(text))}</p>")


def show_note(text: str) -> None:
    """A small note (methods, caveats), escaped."""
    _display_html(f'<p class="cxkit-note"><small>{html.escape(str(text))}</small></p>')


def show_table(frame: pd.DataFrame, *, lang: str = "en", digits: int | dict = 1, percent: tuple = (),
               dates: tuple = (), caption: str | None = None) -> None:
    """A table with numbers and dates in the report language's format; every cell escaped."""
    _display_html(table_html(frame, lang=lang, digits=digits, percent=percent, dates=dates, caption=caption))


def table_html(frame: pd.DataFrame, *, lang: str = "en", digits: int | dict = 1, percent: tuple = (),
               dates: tuple = (), caption: str | None = None) -> str:
    def cell(col, v):
        if isinstance(v, (bool, np.bool_)):
            return "✓" if v else ""
        if col in dates:
            return format_date_local(v, lang)
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            return format_number_local(v, lang, 0)
        if isinstance(v, (float, np.floating)):
            d = digits.get(col, 1) if isinstance(digits, dict) else digits
            return format_percent_local(v, lang, d) if col in percent else format_number_local(v, lang, d)
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return "–"
        return str(v)

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for values in frame.itertuples(index=False, name=None):
        tds = []
        for col, v in zip(frame.columns, values):
            num = isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
            tds.append(f'<td{" class=num" if num else ""}>{html.escape(cell(col, v))}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="cxkit-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


# --------------------------------------------------------------------------------------
# sections


def headline(rep: ReportData) -> pd.DataFrame:
    """Headline metrics of the report's group in the current period, with the previous period,
    a year earlier and the target beside them (one row per metric)."""
    m = rep.context.get("metrics")
    group = rep.group or "All"
    if m is None or m.empty:
        return pd.DataFrame(columns=["metric", "value", "ci_low", "ci_high", "n"])
    mine = m[m["group"] == group]
    rows = []
    for metric in HEADLINE_METRICS:
        cur = mine[(mine["metric"] == metric) & (mine["window"] == "current")]
        if cur.empty:
            continue
        c = cur.iloc[0]
        row = {"metric": metric, "value": c["value"], "ci_low": c["ci_low"], "ci_high": c["ci_high"], "n": int(c["n"])}
        for w in ("previous", "year_ago"):
            prev = mine[(mine["metric"] == metric) & (mine["window"] == w)]
            row[w] = prev.iloc[0]["value"] if len(prev) else np.nan
        units = rep.units
        col = f"target_{metric}"
        row["target"] = np.nan
        if units is not None and col in units.columns and rep.group and rep.level == "unit":
            hit = units[units["unit"].astype(str) == rep.group]
            if len(hit):
                row["target"] = float(hit.iloc[0][col])
        rows.append(row)
    return pd.DataFrame(rows)


def headline_record(rep: ReportData) -> dict:
    """Headline figures as plain JSON values (for the manifest and the index page)."""
    out = {}
    for r in headline(rep).itertuples(index=False):
        out[r.metric] = {"value": r.value, "ci_low": r.ci_low, "ci_high": r.ci_high, "n": r.n,
                         "significant": bool(getattr(r, "significant", False)),
                         "direction": getattr(r, "direction", None)}
    return out


# --------------------------------------------------------------------------------------
# report sections: tables, figures and notes, each part degrading to a note when data are short


@dataclass
class Section:
    """Display items of one report section: ``("html", text)``, ``("figure", fig)``, ``("note", text)``."""

    items: list = field(default_factory=list)

    def html(self, text: str):
        self.items.append(("html", text))

    def note(self, text: str):
        self.items.append(("note", text))

    def figure(self, ax):
        fig = ax.figure if hasattr(ax, "figure") else ax
        fig.tight_layout()
        self.items.append(("figure", fig))

    def table(self, frame: pd.DataFrame, lang: str, **kw):
        self.html(table_html(frame, lang=lang, **kw))

    def attempt(self, lang: str, fn):
        """Run one part; if the data are too thin, say so instead of failing the report."""
        try:
            fn()
        except (InsufficientDataError, CxkitError) as exc:
            self.note(f"{t('too_little', lang)}: {exc}")

    def show(self) -> None:
        from IPython.display import display

        for kind, payload in self.items:
            if kind == "html":
                _display_html(payload)
            elif kind == "note":
                show_note(payload)
            else:
                display(payload)
                import matplotlib.pyplot as plt

                plt.close(payload)


def _ci(lo, hi, lang: str, digits: int = 1) -> str:
    return f"{format_number_local(lo, lang, digits)} – {format_number_local(hi, lang, digits)}"


def _group_label(g, lang):
    return t(str(g), lang) if str(g) in ("detractor", "passive", "promoter") else str(g)


def outcomes_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, n_boot: int = 500,
                     seed: int = 0) -> Section:
    """Churn and revenue by NPS group for the report's customers."""
    from .outcomes import (churn_by_group, churn_relative_risk, join_outcomes, kaplan_meier, revenue_at_risk,
                           revenue_by_group)
    from .plots import plot_churn_by_group, plot_survival

    settings = settings or {}
    min_show = int(settings.get("min_n_show", 5))
    conf = float(settings.get("confidence", 0.95))
    sec = Section()
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
        tab = tab[tab["n"] >= min_show]
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
                (f"{format_number_local(ratio[str(g)][0], lang, 2)} ({_ci(ratio[str(g)][1], ratio[str(g)][2], lang, 2)})"
                 if str(g) in ratio else "–") for g in tab["nps_group"]],
        })
        sec.table(out, lang)
        ax = plot_churn_by_group(tab)
        ax.set_title(t("churn_pct", lang) + " – " + t("group_nps", lang))
        sec.figure(ax)

    sec.attempt(lang, churn)

    def survival():
        km = kaplan_meier(j, confidence=conf)
        ax = plot_survival(km)
        sec.figure(ax)

    sec.attempt(lang, survival)

    def revenue():
        rev = revenue_by_group(j, confidence=conf)
        rev = rev[rev["n"] >= min_show]
        out = pd.DataFrame({
            t("group_nps", lang): [_group_label(g, lang) for g in rev["nps_group"]],
            t("customers", lang): rev["n"].astype(int).to_numpy(),
            t("monthly_revenue", lang): rev["monthly_revenue"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) for a, b in zip(rev["ci_low"], rev["ci_high"])],
        })
        sec.table(out, lang)
        tab = revenue_at_risk(j, confidence=conf, n_boot=n_boot, seed=seed).summary
        tab = tab[tab["group"].astype(str) == "total"]
        out = pd.DataFrame({
            t("method", lang): [t(m, lang) for m in tab["method"]],
            t("revenue_at_risk", lang): tab["revenue_at_risk"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang, 0) if pd.notna(a) else "–" for a, b in zip(tab["ci_low"], tab["ci_high"])],
        })
        sec.table(out, lang, digits=0)

    sec.attempt(lang, revenue)
    sec.note(t("association_note", lang))
    return sec


def drivers_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, n_boot: int = 500,
                    seed: int = 0) -> Section:
    """Key drivers of NPS for the report's responses (Johnson's relative weights)."""
    from .drivers import relative_weights
    from .plots import plot_drivers

    settings = settings or {}
    conf = float(settings.get("confidence", 0.95))
    sec = Section()

    def run():
        r = rep.current() if rep.responses is not None else None
        if r is None or len(r.dropna(subset=["nps"])) < int(settings.get("min_n_test", 30)) * 3:
            r = rep.responses  # a quarter is thin for drivers: use the unit's whole history
        if r is None or not any(c.startswith("attr_") for c in r.columns):
            raise InsufficientDataError("the responses have no attribute ratings (attr_* columns)")
        res = relative_weights(r, outcome="nps", n_boot=n_boot, seed=seed, confidence=conf)
        tab = res.summary
        out = pd.DataFrame({
            t("driver", lang): [name_of_driver(d, lang) for d in tab["driver"]],
            t("importance", lang): tab["share"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) for a, b in zip(tab["share_ci_low"], tab["share_ci_high"])],
            t("performance", lang): tab["performance"].to_numpy(dtype=float),
            t("correlation", lang): tab["correlation"].to_numpy(dtype=float),
        })
        sec.table(out, lang, digits={t("correlation", lang): 2})
        ax = plot_drivers(res)
        sec.figure(ax)
        sec.note(t("drivers_note", lang).format(r2=format_number_local(res.r2, lang, 2), n_boot=n_boot))

    sec.attempt(lang, run)
    return sec


def name_of_driver(d: str, lang: str) -> str:
    from .i18n import name_of

    return name_of("driver", d, lang)


def themes_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, examples: int = 2,
                   seed: int = 0) -> Section:
    """Comment themes of the report's responses, their NPS impact and redacted examples."""
    from .i18n import name_of
    from .plots import plot_themes
    from .text import example_comments, theme_summary

    settings = settings or {}
    min_show = int(settings.get("min_n_show", 5))
    sec = Section()

    def run():
        r = rep.current()
        if r is None or "comment" not in r.columns or r["comment"].notna().sum() < min_show:
            r = rep.responses
        if r is None or "comment" not in r.columns or r["comment"].notna().sum() < min_show:
            raise InsufficientDataError("fewer comments than the confidentiality minimum")
        ts = theme_summary(r, min_n=int(settings.get("min_n_test", 30)), alpha=float(settings.get("alpha", 0.05)),
                           confidence=float(settings.get("confidence", 0.95)))
        tab = ts.summary
        tab = tab[tab["mentions"] >= min_show]
        out = pd.DataFrame({
            t("theme", lang): [name_of("theme", x, lang) for x in tab["theme"]],
            t("mentions", lang): tab["mentions"].astype(int).to_numpy(),
            t("share_comments", lang): tab["share"].to_numpy(dtype=float),
            t("nps_with", lang): tab["nps_with"].to_numpy(dtype=float),
            t("nps_diff", lang): tab["diff"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) for a, b in zip(tab["ci_low"], tab["ci_high"])],
            t("significant", lang): [t("yes", lang) if s else "" for s in tab["significant"]],
        })
        sec.table(out, lang)
        if len(tab):
            ax = plot_themes(ts)
            sec.figure(ax)
        rows = []
        for theme in tab["theme"].head(4):
            ex = example_comments(r, theme=theme, n=examples, seed=seed, redact=True)
            for c in ex["comment"]:
                rows.append({t("theme", lang): name_of("theme", theme, lang), t("examples", lang): str(c)})
        if rows:
            sec.table(pd.DataFrame(rows), lang)
        sec.note(t("themes_note", lang))

    sec.attempt(lang, run)
    return sec
