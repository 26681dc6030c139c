"""What the report notebooks show: company-wide context computed once per batch,
the per-unit data a notebook reads, and display helpers that escape data-derived text.

Notebooks call :func:`open_report` and the ``show_*`` helpers; the logic lives here.
"""
from __future__ import annotations

import html
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, CxkitError, InsufficientDataError
from ..i18n import format_number_local, format_percent_local, format_date_local, t
from ..periods import metric_window, parse_period, previous_period, year_ago

__all__ = ["open_report", "ReportData", "show_part", "show_heading", "show_text", "show_table", "show_note", "HEADLINE_METRICS",
           "headline_table", "headline_notes", "suppress_complementary", "trend_figure", "journey_table",
           "data_notes", "methods_notes", "league_table", "league_figure", "movers_table", "regions_table", "unit_outcomes_figure",
           "headline", "headline_record", "table_html", "Section", "outcomes_section", "drivers_section",
           "themes_section"]

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


def _in(frame: pd.DataFrame, column: str, start, end) -> pd.DataFrame:
    d = frame[column]
    return frame[(d >= start) & (d < end + pd.Timedelta(days=1))]


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


def _compare_kwargs(metric: str, settings: dict, frame: pd.DataFrame) -> dict:
    kw = dict(alpha=float(settings.get("alpha", 0.05)), min_n_show=int(settings.get("min_n_show", 5)),
              min_n_test=int(settings.get("min_n_test", 30)), confidence=float(settings.get("confidence", 0.95)))
    if metric in ("csat", "ces"):
        kw["scale"] = tuple(settings.get("scales", {}).get(metric, (1, 5)))
    if metric in ("nps", "csat", "ces") and "customer_id" in frame.columns and frame["customer_id"].notna().any():
        kw["cluster"] = "customer_id"  # customers answer more than once: cluster-robust tests
    return kw


def build_context(tables: dict, *, level: str, period: tuple, settings: dict, log: pd.DataFrame | None,
                  rejected: pd.DataFrame | None, part: str = "all") -> dict[str, pd.DataFrame]:
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
    """
    if part not in ("all", "responses", "rest", "other_metrics", "outcomes"):
        raise ConfigError(f"part={part!r} - expected 'all', 'responses', 'rest', 'other_metrics' or 'outcomes'")
    from ..stats.comparisons import reuse_prepared

    with reuse_prepared():  # about ten comparisons per metric on the same tables: classify the answers once
        return _build_context(tables, level=level, period=period, settings=settings, log=log, rejected=rejected,
                              part=part)


def _build_context(tables: dict, *, level: str, period: tuple, settings: dict, log, rejected, part: str) -> dict:
    survey, others = part in ("all", "responses"), part in ("all", "rest", "other_metrics")
    from ..stats.comparisons import compare

    start, end = period
    units = tables.get("units")
    frames = []
    for metric, (table, date) in METRIC_SOURCES.items():
        if not (survey if table == "responses" else others):
            continue
        data = tables.get(table)
        if data is None or data.empty or "_group" not in data.columns:
            continue
        if metric in ("nps", "csat", "ces") and (metric not in data.columns or data[metric].notna().sum() == 0):
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
                try:
                    tab = compare(data, metric=metric, by=by, against=against, period=win, date=date,
                                  targets=targets, **kw)
                except (InsufficientDataError, ConfigError):
                    continue
                tab = tab.rename(columns={"_group": "group"})
                if by is None:
                    tab.insert(0, "group", "All")
                tab["against"] = against
                tab["company_value"] = (tab.attrs.get("company") or {}).get("value", np.nan)
                frames.append(tab)
    comparisons = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(comparisons):
        comparisons["group"] = comparisons["group"].astype(str)
        comparisons["vs"] = comparisons["vs"].astype(str)
    ctx = {"comparisons": comparisons}
    r = tables.get("responses")
    if survey:
        ctx.update(_survey_context(r, units, level=level, end=end, cur=_in(r, "date", start, end), settings=settings))
    if part in ("all", "rest", "outcomes"):
        ctx.update(_other_context(r, tables, units, settings=settings, log=log, rejected=rejected))
    return ctx


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
    from ..stats.comparisons import compare, trend

    ctx = {}
    trends = []
    for metric in ("nps", "csat", "ces"):
        if metric not in r.columns or r[metric].notna().sum() == 0:
            continue
        kw = _compare_kwargs(metric, settings, r)
        # month-over-month tests without the clustering correction: a customer rarely answers twice in
        # a month, and answers of the same customers in both months make the plain test conservative
        kw.pop("cluster", None)
        for by in ("_group", None):
            try:
                tab = trend(r, metric=metric, freq="M", by=by, end=end, **kw)
            except (InsufficientDataError, ConfigError):
                continue
            tab = tab.rename(columns={"_group": "group"})
            if by is None:
                tab.insert(0, "group", "All")
            trends.append(tab)
    ctx["trend"] = pd.concat(trends, ignore_index=True) if trends else pd.DataFrame()
    if len(ctx["trend"]):
        ctx["trend"]["group"] = ctx["trend"]["group"].astype(str)
        ctx["trend"]["period"] = ctx["trend"]["period"].astype(str)
        ctx["trend"]["vs"] = ctx["trend"]["vs"].astype(str)
    if "touchpoint" in cur.columns and cur["touchpoint"].notna().any():
        try:
            tp = compare(cur, metric="nps", by="touchpoint", against="rest", **_compare_kwargs("nps", settings, cur))
            tp["touchpoint"] = tp["touchpoint"].astype(str)
            ctx["touchpoints"] = tp
        except (InsufficientDataError, ConfigError):
            pass
    if units is not None and "region" in units.columns and level == "unit":
        rr = cur.assign(_region=cur["unit"].astype(str).map(_region_of(units)))
        try:
            reg = compare(rr, metric="nps", by="_region", against="rest", **_compare_kwargs("nps", settings, rr))
            ctx["regions"] = reg.rename(columns={"_region": "region"})
        except (InsufficientDataError, ConfigError):
            pass
    return ctx


def _other_context(r, tables, units, *, settings, log, rejected) -> dict:
    """The part of the context that needs the other tables: unit outcomes, units, data notes."""
    from ..outcomes import unit_outcomes

    ctx = {}
    if tables.get("customers") is not None:
        try:
            uo = unit_outcomes(r, tables["customers"], tables.get("revenue"), by="_group",
                               confidence=float(settings.get("confidence", 0.95)))
            ctx["unit_outcomes"] = uo.data.rename(columns={"_group": "group"}).assign(group=lambda d: d["group"].astype(str))
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


def _read_partition(path, filesystem=None) -> pd.DataFrame:
    """One partition file of the batch, text as Arrow-backed strings (as :func:`cxkit.load` gives them;
    a Python object per id and comment would cost a unit report about 0.4 s)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = pd.StringDtype("pyarrow")
    return pq.read_table(path, filesystem=filesystem).to_pandas(types_mapper={pa.string(): text,
                                                                             pa.large_string(): text}.get)


def is_url(location: str) -> bool:
    """True for a URL such as ``s3://bucket/prefix`` or ``file:///srv/x``; False for a local path."""
    import re

    return re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", str(location)) is not None


def open_url(location: str, what: str):
    """Arrow's file system and path for a URL, or a cxkit error naming ``what`` the URL was given for."""
    from pyarrow import fs as pafs

    try:
        return pafs.FileSystem.from_uri(location)
    except Exception as exc:  # noqa: BLE001 - Arrow raises several types for a bad URL
        raise ConfigError(f"{what} {location!r}: Arrow cannot open this URL ({exc})") from None


class PreparedSource:
    """Where a batch's prepared data lives: a local folder, or a URL of an object store or file
    system that Arrow can open (``s3://``, ``gs://``, ``abfs://``, ``file://``).

    Used by :func:`open_report`; a Dask worker that shares no file system with the batch parent
    reads its unit's partition through such a URL (``cxkit report --stage URL``).
    """

    def __init__(self, location: str | Path):
        location = str(location)
        if is_url(location):
            self.filesystem, self.root = open_url(location, "prepared data")
            self.root = self.root.rstrip("/")
        else:
            self.filesystem, self.root = None, str(Path(location))

    def path(self, *parts: str) -> str:
        return "/".join([self.root, *parts]) if self.filesystem is not None else str(Path(self.root, *parts))

    def exists(self, *parts: str) -> bool:
        if self.filesystem is None:
            return Path(self.root, *parts).exists()
        from pyarrow import fs as pafs

        return self.filesystem.get_file_info(self.path(*parts)).type != pafs.FileType.NotFound

    def read_text(self, *parts: str) -> str:
        if self.filesystem is None:
            return Path(self.root, *parts).read_text(encoding="utf-8")
        with self.filesystem.open_input_stream(self.path(*parts)) as fh:
            return fh.read().decode("utf-8")

    def parquet_files(self, *parts: str) -> list[str]:
        """The ``.parquet`` files directly in a folder, sorted by name (none if it does not exist)."""
        if self.filesystem is None:
            folder = Path(self.root, *parts)
            return [str(p) for p in sorted(folder.glob("*.parquet"))] if folder.exists() else []
        from pyarrow import fs as pafs

        infos = self.filesystem.get_file_info(pafs.FileSelector(self.path(*parts), allow_not_found=True))
        return sorted(i.path for i in infos if i.type == pafs.FileType.File and i.path.endswith(".parquet"))

    def read_frame(self, path: str) -> pd.DataFrame:
        """A context table as ``pandas.read_parquet`` gives it."""
        return pd.read_parquet(path, filesystem=self.filesystem)

    def read_partition(self, path: str) -> pd.DataFrame:
        return _read_partition(path, self.filesystem)


class _LazyTables(Mapping):
    """All partitions of each table, read and concatenated on first use."""

    NAMES = ("responses", "tickets", "customers", "revenue")

    def __init__(self, source: PreparedSource):
        self.source, self._cache = source, {}

    def __getitem__(self, name: str):
        if name not in self.NAMES:
            raise KeyError(name)
        if name not in self._cache:
            parts = [self.source.read_partition(p) for p in self.source.parquet_files("partitions", name)]
            self._cache[name] = pd.concat(parts, ignore_index=True) if parts else None
        return self._cache[name]

    def __iter__(self):
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


def _settle() -> None:
    """Leave what a batch kernel has loaded so far out of the garbage collector's full scans.

    A report kernel keeps its modules (pandas, matplotlib, scipy: about a million objects) and its
    data until it exits. Python's cyclic collector rescans all of them at every full collection
    (about 0.09 s each), although none of them can become garbage. ``gc.freeze`` moves them to the
    permanent generation; objects made afterwards are collected as before, and reference counting
    still frees everything. A unit report in a fresh kernel: 0.4 s less CPU (3.0-3.3 s -> 2.7-2.8 s,
    five interleaved runs each).
    """
    import gc

    gc.freeze()


def open_report(data_dir: str = "", *, unit: str = "", prepared_dir: str = "", level: str = "unit",
                period_start: str = "", period_end: str = "", mapping: str | None = None,
                settings: dict | None = None) -> ReportData:
    """Data for one unit's report (``unit=""``: the whole company, for the leadership summary).

    In a batch, ``prepared_dir`` points at the partitions and context written by
    :func:`cxkit.report.prepare`, and only this unit's partition is read. Opened by an
    analyst without ``prepared_dir``, the data folder is loaded and the context computed here.
    """
    from .batch import unique_slugs

    if prepared_dir:
        src = PreparedSource(prepared_dir)
        if not src.exists("context", "meta.json"):
            raise ConfigError(f"prepared_dir {prepared_dir!r}: no context/meta.json - not the prepared data of a "
                              "batch (cxkit report writes it to OUT/_data)")
        meta = json.loads(src.read_text("context", "meta.json"))
        context = {Path(p).stem: src.read_frame(p) for p in src.parquet_files("context")}
        start, end = (pd.Timestamp(x) for x in meta["period"])
        tables = {}
        if unit:
            if unit not in meta["slugs"]:
                raise ConfigError(f"unit {unit!r} is not in the prepared data; it has: {', '.join(meta['groups'])}")
            slug = meta["slugs"][unit]
            for name in _LazyTables.NAMES:
                rel = ("partitions", name, f"{slug}.parquet")
                tables[name] = src.read_partition(src.path(*rel)) if src.exists(*rel) else None
        else:  # the whole company: read only if a section asks (the summary needs only the context)
            tables = _LazyTables(src)
        _settle()
        return ReportData(group=unit, level=meta["level"], period=(start, end), tables=tables, context=context, meta=meta)
    if not data_dir:
        raise ConfigError("open_report needs data_dir (a data folder) or prepared_dir (from a batch)")
    from ..data.loading import load
    from .batch import default_settings

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


def show_part(fn, lang: str = "en") -> None:
    """Show what ``fn()`` returns (table, figure, section, note); thin data become a note, not an error.

    Used by the report notebooks so that one section with too little data does not fail a report.
    """
    try:
        out = fn()
    except (InsufficientDataError, CxkitError) as exc:
        show_note(f"{t('too_little', lang)}: {exc}")
        return
    items = out if isinstance(out, (list, tuple)) else [out]
    for item in items:
        if item is None:
            continue
        if isinstance(item, Section):
            item.show()
        elif isinstance(item, pd.DataFrame):
            show_table(item, lang=lang)
        elif isinstance(item, str):
            show_note(item)
        elif hasattr(item, "figure") or hasattr(item, "savefig"):
            sec = Section()
            sec.figure(item)
            sec.show()
        else:
            from IPython.display import display

            display(item)


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
    """Headline metrics of the report's group in the reporting period, one row per metric, with
    the comparison against the rest of the company, the target, the previous period and a year
    earlier (difference, adjusted p-value, significance, direction).

    Columns: ``metric``, ``value``, ``ci_low``, ``ci_high``, ``n``, ``note``, then for each of
    ``rest``, ``target``, ``previous``, ``year_ago``: ``<vs>_reference``, ``<vs>_diff``,
    ``<vs>_p_adjusted``, ``<vs>_significant``, ``<vs>_direction``.
    """
    c = rep.context.get("comparisons")
    group = rep.group or "All"
    cols = ["metric", "value", "ci_low", "ci_high", "n", "note"]
    if c is None or c.empty:
        return pd.DataFrame(columns=cols)
    mine = c[c["group"] == group]
    rows = []
    for metric in HEADLINE_METRICS:
        m = mine[mine["metric"] == metric]
        if m.empty:
            continue
        base = m.iloc[0]
        row = {"metric": metric, "value": base["value"], "ci_low": base["ci_low"], "ci_high": base["ci_high"],
               "n": int(base["n"]) if pd.notna(base["n"]) else 0, "note": base.get("note", "") or "",
               "higher_is_better": metric not in ("first_response_time", "churn_rate")}
        for vs in COMPARISONS:
            hit = m[m["against"] == vs]
            if hit.empty:
                continue
            h = hit.iloc[0]
            row.update({f"{vs}_reference": h["reference"], f"{vs}_diff": h["diff"], f"{vs}_p_adjusted": h["p_adjusted"],
                        f"{vs}_significant": bool(h["significant"]), f"{vs}_direction": h["direction"],
                        f"{vs}_label": h["vs"]})
        rows.append(row)
    return pd.DataFrame(rows)


def headline_record(rep: ReportData) -> dict:
    """Headline figures as plain JSON values (for the manifest and the index page)."""
    out = {}
    for r in headline(rep).to_dict(orient="records"):
        direction = r.get("rest_direction")
        out[r["metric"]] = {"value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                            "significant": bool(r.get("rest_significant", False)),
                            "good": (direction == "higher") == bool(r.get("higher_is_better", True)),
                            "direction": r.get("rest_direction"), "p_adjusted": r.get("rest_p_adjusted"),
                            "vs_previous": r.get("previous_diff"), "previous_significant": bool(r.get("previous_significant", False))}
    return out


_ARROW = {"higher": "▲", "lower": "▼"}


def _marked(diff, significant, direction, lang, digits=1) -> str:
    if diff is None or (isinstance(diff, float) and np.isnan(diff)):
        return "–"
    text = format_number_local(diff, lang, digits, signed=True)
    return f"{text} {_ARROW.get(direction, '')}".strip() if significant else text


def headline_table(rep: ReportData, *, lang: str = "en") -> pd.DataFrame:
    """The headline as leadership reads it: localised labels, intervals, ▲/▼ for significant changes."""
    h = headline(rep)
    rows = []
    for r in h.to_dict(orient="records"):
        digits = 1
        row = {t("metric", lang): t(r["metric"], lang),
               t("value", lang): format_number_local(r["value"], lang, digits) if pd.notna(r["value"]) else t("not_shown", lang),
               t("ci", lang): _ci(r["ci_low"], r["ci_high"], lang) if pd.notna(r["value"]) else "–",
               t("n", lang): format_number_local(r["n"], lang, 0)}
        row[t("vs_rest", lang)] = _marked(r.get("rest_diff"), r.get("rest_significant"), r.get("rest_direction"), lang)
        tgt = r.get("target_reference")
        row[t("target", lang)] = (f"{format_number_local(tgt, lang)} ({_marked(r.get('target_diff'), r.get('target_significant'), r.get('target_direction'), lang)})"
                                  if tgt is not None and pd.notna(tgt) else "–")
        for vs in ("previous", "year_ago"):
            ref = r.get(f"{vs}_reference")
            row[t(vs, lang)] = (f"{format_number_local(ref, lang)} ({_marked(r.get(f'{vs}_diff'), r.get(f'{vs}_significant'), r.get(f'{vs}_direction'), lang)})"
                                if ref is not None and pd.notna(ref) else "–")
        rows.append(row)
    return pd.DataFrame(rows)


def headline_notes(rep: ReportData, *, lang: str = "en") -> list[str]:
    """Why some figures are not shown or not tested (from the comparison notes)."""
    h = headline(rep)
    notes = [f"{t(r['metric'], lang)}: {r['note']}" for r in h.to_dict(orient="records") if r.get("note")]
    return notes


def suppress_complementary(n: pd.Series, threshold: int, *, total_shown: bool = True) -> pd.Series:
    """Which rows to hide so that no row under ``threshold`` can be recovered by subtraction.

    Rows with 0 < n < threshold are hidden. When a total is published, a single hidden row could be
    recovered as total minus the others, and several small hidden rows add up to a small group: the
    smallest visible rows are hidden too until the hidden rows together reach the threshold and
    there are at least two of them (or none).

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
    """Monthly trend of the group with its band and flagged changes, the company beside it."""
    from ..plots import plot_trend

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
    ax = plot_trend(sub, group=groups, title=f"{t(metric, lang)} – {t('trends', lang).lower()}")
    ax.set_xlabel(t("month", lang))
    ax.set_ylabel(t(metric, lang))
    return ax


def journey_table(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> pd.DataFrame:
    """Touchpoints of the group in the period: NPS with interval vs the group's other touchpoints."""
    from ..stats.comparisons import compare
    from ..i18n import name_of

    settings = settings or {}
    if not rep.group:  # the company: computed once in the context
        tab = rep.context.get("touchpoints")
        if tab is None or tab.empty:
            raise InsufficientDataError("no touchpoints in the responses")
    else:
        cur = rep.current("responses")
        if cur is None or "touchpoint" not in cur.columns or cur["touchpoint"].notna().sum() == 0:
            raise InsufficientDataError("no touchpoints in the responses")
        tab = compare(cur, metric="nps", by="touchpoint", against="rest", **_compare_kwargs("nps", settings, cur))
    tab = tab[tab["n"] > 0].copy()
    hide = suppress_complementary(tab["n"], int(settings.get("min_n_show", 5)))
    company = rep.context.get("touchpoints")
    comp = dict(zip(company["touchpoint"].astype(str), company["value"])) if company is not None else {}
    out = pd.DataFrame({
        t("touchpoint", lang): [name_of("touchpoint", x, lang) for x in tab["touchpoint"].astype(str)],
        t("nps", lang): [t("not_shown", lang) if h else format_number_local(v, lang) for v, h in zip(tab["value"], hide)],
        t("ci", lang): ["–" if h else _ci(a, b, lang) for a, b, h in zip(tab["ci_low"], tab["ci_high"], hide)],
        t("n", lang): ["–" if h else format_number_local(v, lang, 0) for v, h in zip(tab["n"], hide)],
        t("vs_rest", lang): ["–" if h else _marked(d, s, dr, lang) for d, s, dr, h in
                             zip(tab["diff"], tab["significant"], tab["direction"], hide)],
        t("company", lang): [format_number_local(comp.get(str(x)), lang) if str(x) in comp else "–"
                             for x in tab["touchpoint"].astype(str)],
    })
    return out


def data_notes(rep: ReportData, *, lang: str = "en") -> pd.DataFrame:
    """Rows in and rows rejected per input file (whole data set: the batch validates it once)."""
    log = rep.context.get("log")
    if log is None or log.empty:
        raise InsufficientDataError("no load log")
    out = pd.DataFrame({"table": log["table"].astype(str), "file": log["file"].astype(str),
                        t("rows_in", lang): log["rows_in"].astype(int),
                        t("rows_rejected", lang): log["rows_rejected"].astype(int)})
    if "status" in log.columns:
        out[t("status", lang)] = log["status"].astype(str).to_numpy()
    return out


def methods_notes(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> list[str]:
    """How the report's figures were made: periods, tests and corrections, minimum samples, rejects."""
    settings = settings or {}
    start, end = rep.period
    prev, ago = previous_period(start, end), year_ago(start, end)
    f = lambda d: format_date_local(d, lang)  # noqa: E731
    log = rep.context.get("log")
    rejected = int(log["rows_rejected"].sum()) if log is not None and len(log) else 0
    repaired = int(log["repairs"].sum()) if log is not None and "repairs" in log else 0
    return [
        t("methods_period", lang).format(start=f(start), end=f(end), prev=f"{f(prev[0])} – {f(prev[1])}",
                                         ago=f"{f(ago[0])} – {f(ago[1])}"),
        t("methods_tests", lang).format(conf=format_percent_local(100 * float(settings.get("confidence", 0.95)), lang, 0)),
        t("methods_minn", lang).format(show=int(settings.get("min_n_show", 5)), test=int(settings.get("min_n_test", 30))),
        t("methods_rejected", lang).format(rejected=format_number_local(rejected, lang, 0),
                                           repaired=format_number_local(repaired, lang, 0)),
    ]


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
        engine = fig.get_layout_engine()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.tight_layout()
        if engine is None:  # tight_layout leaves a placeholder engine, and with one savefig lays the figure out again
            fig.set_layout_engine(None)
        for w in caught:  # shown as before; a figure tight_layout could not fit is cropped when drawn
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        fig._cxkit_fitted = not caught
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
                display(_figure_png(payload))
                import matplotlib.pyplot as plt

                plt.close(payload)


def _figure_png(fig):
    """The figure as a PNG, drawn once. Notebooks' inline backend crops every figure to its drawn
    extent (``bbox_inches="tight"``), which draws it twice; a figure that ``tight_layout`` has fitted
    lies inside its canvas already, so only figures it could not fit are cropped."""
    from IPython.core.pylabtools import print_figure
    from IPython.display import Image

    crop = None if getattr(fig, "_cxkit_fitted", False) else "tight"
    return Image(data=print_figure(fig, "png", bbox_inches=crop), format="png")


def _ci(lo, hi, lang: str, digits: int = 1) -> str:
    return f"{format_number_local(lo, lang, digits)} – {format_number_local(hi, lang, digits)}"


def _group_label(g, lang):
    return t(str(g), lang) if str(g) in ("detractor", "passive", "promoter") else str(g)


def outcomes_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, n_boot: int = 500,
                     seed: int = 0, interval: str = "delta") -> Section:
    """Churn and revenue by NPS group for the report's customers.

    ``interval``: how the revenue-at-risk interval is made (:func:`cxkit.revenue_at_risk`): ``"delta"``
    (default; influence functions, milliseconds) or ``"bootstrap"`` (``n_boot`` resamples, ``seed``).
    """
    from ..outcomes import (churn_by_group, churn_relative_risk, join_outcomes, kaplan_meier, revenue_at_risk,
                           revenue_by_group)
    from ..plots import plot_churn_by_group, plot_survival

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
        rev = rev[~suppress_complementary(rev["n"], min_show).to_numpy()]
        if rev.empty:
            raise InsufficientDataError(f"fewer than {min_show} customers per NPS group")
        out = pd.DataFrame({
            t("group_nps", lang): [_group_label(g, lang) for g in rev["nps_group"]],
            t("customers", lang): rev["n"].astype(int).to_numpy(),
            t("monthly_revenue", lang): rev["monthly_revenue"].to_numpy(dtype=float),
            t("ci", lang): [_ci(a, b, lang) for a, b in zip(rev["ci_low"], rev["ci_high"])],
        })
        sec.table(out, lang)
        tab = revenue_at_risk(j, confidence=conf, n_boot=n_boot, seed=seed, interval=interval).summary
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
    from ..drivers import relative_weights
    from ..plots import plot_drivers

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
    from ..i18n import name_of

    return name_of("driver", d, lang)


def themes_section(rep: ReportData, *, lang: str = "en", settings: dict | None = None, examples: int = 2,
                   seed: int = 0) -> Section:
    """Comment themes of the report's responses, their NPS impact and redacted examples."""
    from ..i18n import name_of
    from ..plots import plot_themes
    from ..text import example_comments, theme_summary, themes

    settings = settings or {}
    min_show = int(settings.get("min_n_show", 5))
    sec = Section()

    def run():
        r = rep.current()
        if r is None or "comment" not in r.columns or r["comment"].notna().sum() < min_show:
            r = rep.responses
        if r is None or "comment" not in r.columns or r["comment"].notna().sum() < min_show:
            raise InsufficientDataError("fewer comments than the confidentiality minimum")
        flags = themes(r)  # matched once, for the summary and the examples
        ts = theme_summary(r, min_n=int(settings.get("min_n_test", 30)), alpha=float(settings.get("alpha", 0.05)),
                           confidence=float(settings.get("confidence", 0.95)), flags=flags)
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
            ex = example_comments(r, theme=theme, n=examples, seed=seed, redact=True, flags=flags)
            for c in ex["comment"]:
                rows.append({t("theme", lang): name_of("theme", theme, lang), t("examples", lang): str(c)})
        if rows:
            sec.table(pd.DataFrame(rows), lang)
        sec.note(t("themes_note", lang))

    sec.attempt(lang, run)
    return sec


# --------------------------------------------------------------------------------------
# leadership summary


def league_table(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> pd.DataFrame:
    """All groups side by side: each headline metric with its interval and ▲/▼ where the group
    differs significantly from the rest of the company (corrected across groups)."""
    settings = settings or {}
    c = rep.context.get("comparisons")
    if c is None or c.empty:
        raise InsufficientDataError("no comparisons")
    rest = c[(c["against"] == "rest") & (c["group"] != "All")]
    groups = sorted(rest["group"].unique())
    table = pd.DataFrame({t(rep.level, lang): groups})
    for metric in HEADLINE_METRICS:
        m = rest[rest["metric"] == metric].set_index("group").reindex(groups)
        if m["n"].isna().all():
            continue
        hide = suppress_complementary(m["n"].fillna(0).reset_index(drop=True), int(settings.get("min_n_show", 5)))
        hide.index = m.index
        cells = []
        for g, r in m.iterrows():
            if hide[g] or pd.isna(r["value"]):
                cells.append("–")
                continue
            mark = f" {_ARROW.get(r['direction'], '')}" if bool(r["significant"]) else ""
            cells.append(f"{format_number_local(r['value'], lang)}{mark} ({_ci(r['ci_low'], r['ci_high'], lang)}; "
                         f"n = {format_number_local(r['n'], lang, 0)})")
        table[t(metric, lang)] = cells
    return table


def league_figure(rep: ReportData, *, metric: str = "nps", lang: str = "en"):
    """Each group's metric with its interval, the company value as a line, significant groups marked."""
    from ..plots import plot_groups

    c = rep.context.get("comparisons")
    sub = c[(c["against"] == "rest") & (c["group"] != "All") & (c["metric"] == metric)].copy()
    if sub.empty:
        raise InsufficientDataError(f"no {metric} comparisons")
    sub = sub.rename(columns={"group": rep.level})
    sub.attrs.update({"metric": metric, "by": [rep.level], "against": "rest",
                      "higher_is_better": metric not in ("first_response_time", "churn_rate"),
                      "measured_in": sub["measured_in"].iloc[0] if "measured_in" in sub else "",
                      "company": {"value": float(sub["company_value"].iloc[0])}})
    return plot_groups(sub, title=f"{t(metric, lang)}: {t('vs_rest', lang)}")


def movers_table(rep: ReportData, *, metric: str = "nps", lang: str = "en", top: int = 6) -> pd.DataFrame:
    """Largest changes since the previous period (significant ones marked)."""
    c = rep.context.get("comparisons")
    prev = c[(c["against"] == "previous") & (c["metric"] == metric) & (c["group"] != "All")].dropna(subset=["diff"])
    if prev.empty:
        raise InsufficientDataError("no previous period to compare with")
    prev = prev.reindex(prev["diff"].abs().sort_values(ascending=False).index).head(top)
    return pd.DataFrame({
        t(rep.level, lang): prev["group"].tolist(),
        t("previous", lang): [format_number_local(v, lang) for v in prev["reference"]],
        t(metric, lang): [format_number_local(v, lang) for v in prev["value"]],
        t("change", lang): [_marked(d, s, dr, lang) for d, s, dr in zip(prev["diff"], prev["significant"], prev["direction"])],
        t("ci", lang): [_ci(a, b, lang) for a, b in zip(prev["diff_ci_low"], prev["diff_ci_high"])],
    })


def regions_table(rep: ReportData, *, lang: str = "en") -> pd.DataFrame:
    """NPS per region (units rolled up) against the rest of the company."""
    reg = rep.context.get("regions")
    if reg is None or reg.empty:
        raise InsufficientDataError("no regions in the units table")
    return pd.DataFrame({
        t("region", lang): reg["region"].astype(str).tolist(),
        t("nps", lang): [format_number_local(v, lang) for v in reg["value"]],
        t("ci", lang): [_ci(a, b, lang) for a, b in zip(reg["ci_low"], reg["ci_high"])],
        t("n", lang): [format_number_local(v, lang, 0) for v in reg["n"]],
        t("vs_rest", lang): [_marked(d, s, dr, lang) for d, s, dr in zip(reg["diff"], reg["significant"], reg["direction"])],
    })


def unit_outcomes_figure(rep: ReportData, *, outcome: str = "churn_rate", lang: str = "en"):
    """Unit NPS against churn (or revenue growth): one point per unit, line with band.

    Returns the axes and the notes (the ecological-inference caveat among them)."""
    from ..outcomes import UnitOutcomes
    from ..plots import plot_unit_outcomes

    data = rep.context.get("unit_outcomes")
    if data is None or data.empty:
        raise InsufficientDataError("no unit-level outcomes")
    notes = rep.context.get("unit_outcomes_notes")
    res = UnitOutcomes(title="unit outcomes", table=rep.context.get("unit_outcomes_fit", pd.DataFrame()),
                       note_list=list(notes["note"]) if notes is not None else [],
                       data=data.rename(columns={"group": t(rep.level, lang)}),
                       lines=rep.context.get("unit_outcomes_lines"))
    ax = plot_unit_outcomes(res, outcome=outcome)
    return ax, list(res.notes)
