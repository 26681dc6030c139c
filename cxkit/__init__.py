"""cxkit: customer-experience analytics with honest statistics.

``import cxkit as cx`` gives the whole API an analyst needs; :data:`__all__` lists it:

- loading and validation: :func:`load`, :func:`read_table` (:mod:`cxkit.data`);
- metrics with intervals and significance: :func:`nps`, :func:`csat`, :func:`ces`,
  :func:`metric_table`, :func:`compare`, :func:`trend`, :func:`nps_test`, ... (:mod:`cxkit.stats`);
- satisfaction against churn and revenue: :func:`join_outcomes`, :func:`cox_model`,
  :func:`revenue_at_risk`, ... (:mod:`cxkit.outcomes`); key drivers: :func:`relative_weights`
  (:mod:`cxkit.drivers`); comments: :func:`theme_summary`, :func:`redact` (:mod:`cxkit.text`);
- plots (``plot_*``, :mod:`cxkit.plots`), periods (:mod:`cxkit.periods`), languages (:mod:`cxkit.i18n`);
- the report batch and what report notebooks call: :func:`run_batch`, :func:`open_report`, ``show_*``
  and the report sections (:mod:`cxkit.report`).

Everything else (the batch's plumbing, constants of the methods, private helpers) stays in its
sub-package. The function :func:`compare` lives in :mod:`cxkit.stats.comparisons`.

``import cxkit`` itself is cheap (a few milliseconds): each name is imported from its module the
first time it is used, so a script that only loads data never imports matplotlib or the reports.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:  # imported on first use by __getattr__ below; listed here for readers and static tools
    from ._printer import format_frame, format_p_value
    from .data import (PLANTED, Dataset, LoadResult, Mapping, MappingSuggestion, generate, load, read_mapping,
                       read_table, sample_data_path, suggest_mapping, write_csv, write_excel, write_sample)
    from .drivers import DriverResult, relative_weights
    from .errors import (ConfigError, CxkitError, DataValidationError, DiskFullError, FileReadError,
                         InsufficientDataError)
    from .i18n import format_date_local, format_number_local, format_percent_local, name_of, t
    from .outcomes import (OutcomeData, SurvivalCurves, UnitOutcomes, churn_by_group, churn_logit, churn_relative_risk,
                           clv_by_group, cox_model, join_outcomes, kaplan_meier, nps_point_value, response_time_effect,
                           revenue_at_risk, revenue_by_group, unit_outcomes)
    from .periods import parse_period
    from .plots import (plot_churn_by_group, plot_drivers, plot_funnel, plot_groups, plot_nps_distribution,
                        plot_revenue_at_risk, plot_survival, plot_themes, plot_touchpoints, plot_trend,
                        plot_unit_outcomes)
    from .report import (ReportData, data_notes, distribution_figure, distribution_section, drivers_section, headline,
                         headline_notes, headline_record, headline_table, journey_figure, journey_section,
                         journey_table, league_figure, league_table,
                         methods_notes, movers_table, open_report, rank_note, ranking_table, funnel_figure,
                         unit_ranking, outcomes_section, read_records, record, regions_table, run_batch, show_heading,
                         show_note,
                         show_part, show_table, show_text, suppress_complementary, table_html, themes_section,
                         trend_figure, trends_section, unit_outcomes_figure)
    from .stats import (CORRECTIONS, METRICS, NPS_BANDS, NPS_METHODS, SHARE_METHODS, Comparison, Estimate,
                        adjust_pvalues, cac, ces, ces_mean, churn_hazard,
                        churn_rate, clv, clv_formula, clv_retention_formula, compare, compare_means, compare_nps,
                        compare_shares, compare_times, cost_to_serve, csat, first_response_time, mean_vs_target,
                        median_vs_target, metric_table, nps, nps_counts, nps_distribution, nps_from_counts, nps_group,
                        nps_test,
                        nps_vs_target, share, share_vs_target, trend)
    from .stats import UnitRanking, funnel_limits, funnel_verdicts, rank_units, shrink_nps
    from .text import (PII_KINDS, THEMES, ThemeDictionary, ThemeSummary, detect_language, example_comments, find_pii,
                       load_themes, redact, theme_summary, themes)

__all__ = [
    "__version__",
    # errors
    "CxkitError", "DataValidationError", "FileReadError", "ConfigError", "InsufficientDataError",
    "DiskFullError",
    # data in
    "load", "read_table", "Dataset", "LoadResult", "Mapping", "read_mapping", "write_csv", "write_excel",
    "suggest_mapping", "MappingSuggestion", "sample_data_path", "generate", "write_sample", "PLANTED",
    # metrics and significance
    "nps", "nps_counts", "nps_distribution", "nps_from_counts", "nps_group", "csat", "ces", "ces_mean", "share",
    "first_response_time", "churn_rate", "churn_hazard", "cac", "cost_to_serve", "clv", "clv_formula",
    "clv_retention_formula", "metric_table", "Estimate", "METRICS", "NPS_BANDS", "NPS_METHODS", "SHARE_METHODS",
    "compare", "trend", "Comparison", "nps_test", "compare_nps", "compare_shares", "compare_means", "compare_times",
    "nps_vs_target", "share_vs_target", "mean_vs_target", "median_vs_target", "adjust_pvalues", "CORRECTIONS",
    "parse_period",
    # fair league tables: funnel limits and partial pooling
    "rank_units", "shrink_nps", "funnel_limits", "funnel_verdicts", "UnitRanking",
    # outcomes
    "join_outcomes", "churn_by_group", "churn_relative_risk", "churn_logit", "kaplan_meier", "cox_model",
    "revenue_by_group", "revenue_at_risk", "clv_by_group", "nps_point_value", "unit_outcomes",
    "response_time_effect", "OutcomeData", "SurvivalCurves", "UnitOutcomes",
    # drivers and comments
    "relative_weights", "DriverResult",
    "themes", "theme_summary", "example_comments", "load_themes", "detect_language", "redact", "find_pii",
    "THEMES", "PII_KINDS", "ThemeDictionary", "ThemeSummary",
    # plots
    "plot_groups", "plot_nps_distribution", "plot_trend", "plot_churn_by_group", "plot_survival", "plot_unit_outcomes",
    "plot_drivers", "plot_themes", "plot_revenue_at_risk", "plot_funnel", "plot_touchpoints",
    # showing results: rounded numbers, p-values as 0.003 / < 0.001
    "format_frame", "format_p_value",
    # languages
    "t", "name_of", "format_number_local", "format_date_local", "format_percent_local",
    # reports: the batch, and what a report notebook calls
    "run_batch", "open_report", "ReportData", "record", "read_records",
    "show_part", "show_heading", "show_text", "show_note", "show_table", "table_html",
    "headline", "headline_table", "headline_notes", "headline_record", "trend_figure", "trends_section",
    "distribution_section",
    "journey_table", "journey_section", "journey_figure", "data_notes",
    "methods_notes", "outcomes_section", "drivers_section", "themes_section", "suppress_complementary",
    "league_table", "league_figure", "movers_table", "regions_table", "unit_outcomes_figure", "distribution_figure",
    "ranking_table", "funnel_figure", "unit_ranking", "rank_note",
]


# ``import cxkit`` imports none of pandas, scipy, matplotlib or the sub-packages: each name of
# ``__all__`` is imported from its module the first time it is used (PEP 562), so a notebook or a
# script pays only for what it calls. The names and their modules are the imports in the
# ``TYPE_CHECKING`` block above (read once, with ``ast``, on the first attribute asked for).


def _lazy_names() -> dict:
    """``{name: module}`` for every name imported in the ``TYPE_CHECKING`` block of this file."""
    global _LAZY
    if _LAZY is None:
        import ast
        from pathlib import Path

        tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
        block = next(node for node in tree.body if isinstance(node, ast.If)
                     and getattr(node.test, "id", None) == "TYPE_CHECKING")
        _LAZY = {alias.asname or alias.name: "." * imp.level + (imp.module or "")
                 for imp in block.body if isinstance(imp, ast.ImportFrom) for alias in imp.names}
    return _LAZY


_LAZY = None


def __getattr__(name: str):
    """The public name ``name`` (imported now from its module) or a sub-module (``cxkit.stats``)."""
    import importlib
    import importlib.util

    module = _lazy_names().get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
    elif not name.startswith("__") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
