"""The summary in words at the top of a report: three to six sentences made from the tested results
the report already shows (headline comparisons, key drivers, comment themes; for the leadership summary
the league and movers tables).

Only a difference that is significant after the report's correction for multiple comparisons is
called a change; every sentence carries its number and its interval or count. The sentences are pure
functions of the same objects the sections use and make no new statistics: they read the flags the
results carry (``significant`` of a comparison or a theme, ``distinct`` of the drivers' differences).
Templates, words and plural forms live in the message catalogue (:mod:`cxkit.i18n`, keys ``narr_*``); the
plural form of a counted word goes with the number as the sentence writes it (CLDR rules, :func:`cxkit.i18n.tn`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..drivers import dominant_driver
from ..errors import CxkitError, InsufficientDataError
from ..i18n import format_number_local, format_percent_local, name_of, t, tn
from .access import ReportData
from .context import default_settings
from .sections import (
    _flag,
    _missing_score,
    _reported_score,
    driver_result,
    shown_metrics,
    suppress_complementary,
    theme_result,
)

__all__ = ["unit_summary", "leadership_summary_points"]

MAX_SENTENCES = 6

_UNIT_WORD = {"nps": "narr_u_points", "csat": "narr_u_pp", "ces": "narr_u_pp", "churn_rate": "narr_u_pp",
              "first_response_time": "narr_u_hours"}
_PERCENT = ("csat", "ces", "churn_rate")


# --- words: plural forms, genders, numbers ----------------------------------------------------------

def _counted(key: str, n, lang: str) -> str:
    """A count with its noun: ``386 answers``, ``21 atsakymas``, ``5 komentarzy``, ``0 atbilžu``."""
    text = format_number_local(int(n), lang, 0)
    return tn(key, text, lang).format(n=text)


def _amount(metric: str, diff: float, lang: str) -> str:
    """The size of a difference, without its sign, with its unit: ``8.2 points``, ``8,2 punkto``."""
    text = format_number_local(abs(float(diff)), lang, 1)
    return tn(_UNIT_WORD.get(metric, "narr_u_points"), text, lang).format(x=text)


def _conf(settings: dict, lang: str) -> str:
    return f"{format_number_local(100 * float(settings.get('confidence', 0.95)), lang, 0)}%"


def _ci(lo, hi, lang: str, settings: dict, percent: bool = False) -> str:
    fmt = format_percent_local if percent else format_number_local
    return t("narr_ci", lang).format(conf=_conf(settings, lang), lo=fmt(lo, lang, 1), hi=fmt(hi, lang, 1))


def _metric(metric: str, lang: str) -> str:
    return t(f"narr_m_{metric}", lang)


def _word(stem: str, metric: str, lang: str) -> str:
    """A verb or adjective agreeing with the metric's name (``spadł`` / ``spadła``)."""
    return t(f"narr_w_{stem}_{t(f'narr_g_{metric}', lang)}", lang)


def _sentence(text: str) -> str:
    """Upper-case the first letter (a metric's name may open the sentence)."""
    return text[:1].upper() + text[1:] if text else text


def _missing(value) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and np.isnan(value)) or value is pd.NA


# --- the comparisons table -----------------------------------------------------------------------------

def _comparisons(rep: ReportData) -> pd.DataFrame:
    c = rep.context.get("comparisons")
    return c if c is not None else pd.DataFrame()


def _row(rep: ReportData, group: str, metric: str, against: str | None) -> dict | None:
    """The first row of the comparisons table for the group, metric and comparison (as the headline reads
    it); with ``against=None`` the first of any comparison (the level, interval and n are the same in all)."""
    c = _comparisons(rep)
    if c.empty:
        return None
    hit = c[(c["group"] == group) & (c["metric"] == metric)]
    if against is not None:
        hit = hit[hit["against"] == against]
    return hit.iloc[0].to_dict() if len(hit) else None


def _is_change(row: dict | None) -> bool:
    """Whether a comparison row is a change the summary may claim: significant after correction, measured.

    Parameters
    ----------
    row : dict or None
        A row of the report's comparisons table (``significant``, ``n``, ``diff``, ...).

    Returns
    -------
    bool
        True only for a real True significance flag, answers in the period and a difference.
    """
    if row is None or _missing(row.get("diff")):
        return False
    n = row.get("n")
    return _flag(row.get("significant")) and not _missing(n) and n > 0


def _change_sentence(row: dict | None, metric: str, against: str, lang: str, settings: dict) -> str | None:
    """A change against the previous period or a year earlier, "no real change", or too few to test."""
    if row is None or _missing(row.get("n")) or int(row["n"]) == 0:
        return None
    if _is_change(row):
        verb = _word("rose" if row["diff"] > 0 else "fell", metric, lang)
        return t("narr_change", lang).format(metric=_metric(metric, lang), verb=verb,
                                             amount=_amount(metric, row["diff"], lang),
                                             against=t(f"narr_a_{against}", lang),
                                             ci=_ci(row["diff_ci_low"], row["diff_ci_high"], lang, settings))
    if _missing(row.get("diff")):
        then = 0 if _missing(row.get("reference_n")) else row["reference_n"]
        return t(f"narr_untested_{against}", lang).format(metric=_metric(metric, lang),
                                                          now=_counted("narr_c_answers", row["n"], lang),
                                                          then=_counted("narr_c_answers", then, lang))
    return t("narr_no_change", lang).format(metric=_metric(metric, lang), against=t(f"narr_a_{against}", lang),
                                            changed=_word("changed", metric, lang),
                                            n=_counted("narr_c_answers", row["n"], lang))


def _rest_sentence(row: dict | None, metric: str, lang: str, settings: dict) -> str | None:
    if row is None or _missing(row.get("n")) or int(row["n"]) == 0 or _missing(row.get("diff")):
        return None
    if not _is_change(row):
        return t("narr_rest_same", lang).format(metric=_metric(metric, lang),
                                                n=_counted("narr_c_answers", row["n"], lang))
    return t("narr_rest_diff", lang).format(metric=_metric(metric, lang), amount=_amount(metric, row["diff"], lang),
                                            direction=_word("higher" if row["diff"] > 0 else "lower", metric, lang),
                                            ci=_ci(row["diff_ci_low"], row["diff_ci_high"], lang, settings))


def _level_sentence(row: dict | None, metric: str, scope: str, lang: str, settings: dict) -> str | None:
    if row is None or _missing(row.get("n")) or int(row["n"]) == 0:
        return None
    n = _counted("narr_c_answers", row["n"], lang)
    scope_text = t(f"narr_scope_{scope}", lang)
    if _missing(row.get("value")):
        return t("narr_not_shown", lang).format(metric=_metric(metric, lang), scope=scope_text, n=n)
    percent = metric in _PERCENT
    value = format_percent_local(row["value"], lang, 1) if percent else format_number_local(row["value"], lang, 1)
    return t("narr_level", lang).format(metric=_metric(metric, lang), scope=scope_text, value=value, n=n,
                                        ci=_ci(row["ci_low"], row["ci_high"], lang, settings, percent=percent))


def _other_changes(rep: ReportData, group: str, score: str, lang: str, settings: dict) -> list[str]:
    """Significant changes against the previous period of the headline metrics other than the score."""
    out = []
    for metric in shown_metrics(rep):
        if metric == score:
            continue
        row = _row(rep, group, metric, "previous")
        if _is_change(row):
            out.append(_change_sentence(row, metric, "previous", lang, settings))
    return out


# --- drivers and themes, read as the sections read them -----------------------------------------------

def _driver_sentence(rep: ReportData, lang: str, settings: dict, n_boot: int, seed: int) -> tuple[int, str] | None:
    """The strongest key driver when it is clearly ahead of every other one (priority 3; the driver the chart
    marks as strongest, :func:`cxkit.drivers.dominant_driver`), or that none is (8)."""
    if rep.empty_period or _missing_score(rep, lang):
        return None
    try:
        res = driver_result(rep, settings=settings, n_boot=n_boot, seed=seed)  # the drivers section's result
    except (InsufficientDataError, CxkitError, ValueError):
        return None
    tab = res.summary
    if len(tab) < 2:
        return None
    first, second = tab.iloc[0], tab.iloc[1]
    n = _counted("narr_c_answers", res.n, lang)
    if dominant_driver(res) != first["driver"]:  # the chart's "strongest" mark: ahead of every other driver
        return 8, t("narr_driver_none", lang).format(n=n)
    return 3, t("narr_driver", lang).format(
        driver=name_of("driver", first["driver"], lang), second=name_of("driver", second["driver"], lang),
        share=format_percent_local(first["share"], lang, 1), n=n,
        ci=_ci(first["share_ci_low"], first["share_ci_high"], lang, settings, percent=True))


def _theme_sentence(rep: ReportData, lang: str, settings: dict) -> tuple[int, str] | None:
    """The theme with the largest significant negative NPS difference (priority 4), or that none has (9)."""
    if rep.empty_period or _missing_score(rep, lang):
        return None
    min_show = int(settings.get("min_n_show", 5))
    try:  # the themes section's result: the same responses (the period's, or the history when it has too few)
        found = theme_result(rep, settings=settings)
    except (InsufficientDataError, CxkitError):
        return None
    r, tab = found.responses, found.summary.summary
    tab = tab[tab["mentions"] >= min_show]
    worse = tab[np.array([_flag(s) for s in tab["significant"]], dtype=bool) & (tab["diff"] < 0).to_numpy()]
    if worse.empty:
        return 9, t("narr_theme_none", lang).format(n=_counted("narr_c_comments", r["comment"].notna().sum(), lang))
    w = worse.sort_values("diff").iloc[0]
    return 4, t("narr_theme", lang).format(theme=name_of("theme", w["theme"], lang),
                                           amount=_amount("nps", w["diff"], lang),
                                           ci=_ci(w["ci_low"], w["ci_high"], lang, settings),
                                           n=_counted("narr_c_comments", w["mentions"], lang))


# --- choosing and ordering -----------------------------------------------------------------------------

def _chosen(candidates: list[tuple[int, float, str | None]]) -> list[str]:
    """The :data:`MAX_SENTENCES` most important sentences (lowest priority number), in reading order."""
    ok = [c for c in candidates if c[2]]
    keep = sorted(ok, key=lambda c: (c[0], c[1]))[:MAX_SENTENCES]
    return [_sentence(text) for _, _, text in sorted(keep, key=lambda c: c[1])]


def _no_data(rep: ReportData, score: str, group: str, lang: str) -> list[str] | None:
    """One plain sentence when there is nothing to summarise (no period data, no score, no comparisons)."""
    if rep.empty_period:
        return [t("empty_period_part", lang)]
    if _missing_score(rep, lang, score):
        return [_missing_score(rep, lang, score)]
    row = _row(rep, group, score, None)
    if row is None or _missing(row.get("n")) or int(row["n"]) == 0:
        return [t("no_responses_period", lang)]
    return None


def _score_candidates(rep: ReportData, group: str, score: str, scope: str, lang: str, settings: dict) -> list:
    """Level, previous period and a year earlier of the score, and other metrics' significant changes."""
    first = _row(rep, group, score, None)
    prev, ago = _row(rep, group, score, "previous"), _row(rep, group, score, "year_ago")
    out = [(0, 0, _level_sentence(first, score, scope, lang, settings)),
           (2, 2, _change_sentence(prev, score, "previous", lang, settings)),
           (5 if _is_change(ago) else 7, 3, _change_sentence(ago, score, "year_ago", lang, settings))]
    out += [(6, 4 + i / 100, s) for i, s in enumerate(_other_changes(rep, group, score, lang, settings))]
    return out


def unit_summary(rep: ReportData, *, lang: str = "en", settings: dict | None = None, n_boot: int = 500,
                 seed: int = 0) -> list[str]:
    """The unit report's summary in words: what changed, what matters, where to look.

    Sentences, most important kept when there are more than six: the score (NPS, or the first survey
    score the responses have) in the period with its interval and answers; against the rest of the
    company; against the previous period and a year earlier; significant changes of the other headline
    metrics against the previous period; the strongest key driver when it is clearly ahead of the next;
    the comment theme with the largest significant negative NPS difference. A difference is called a
    change only when significant after the report's correction; otherwise it is said plainly, with n.

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report`.
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.
    n_boot, seed : int
        Bootstrap resamples and seed of the key drivers, as :func:`drivers_section` (same result).

    Returns
    -------
    list of str
        Three to six sentences; one plain sentence when the period has nothing to summarise.
    """
    settings = {**default_settings(), **(settings or {})}
    group = rep.group or "All"
    score = _reported_score(rep)
    none = _no_data(rep, score, group, lang)
    if none:
        return none
    cands = _score_candidates(rep, group, score, "unit" if rep.group else "company", lang, settings)
    if rep.group:
        cands.append((1, 1, _rest_sentence(_row(rep, group, score, "rest"), score, lang, settings)))
    found_parts = ((5, _driver_sentence(rep, lang, settings, n_boot, seed)), (6, _theme_sentence(rep, lang, settings)))
    for order, found in found_parts:
        if found:
            cands.append((found[0], order, found[1]))
    return _chosen(cands)


# --- the leadership summary ----------------------------------------------------------------------------

def _units_against_rest(rep: ReportData, score: str, settings: dict) -> pd.DataFrame:
    """Each group's comparison with the rest (as the league table: rows it hides are left out)."""
    c = _comparisons(rep)
    if c.empty:
        return c
    rest = c[(c["against"] == "rest") & (c["group"] != "All") & (c["metric"] == score)].reset_index(drop=True)
    hide = suppress_complementary(rest["n"].fillna(0), int(settings.get("min_n_show", 5)))
    return rest[~hide.to_numpy()]


def _outlier_sentences(rep: ReportData, score: str, lang: str, settings: dict) -> list:
    rest = _units_against_rest(rep, score, settings)
    rest = rest.dropna(subset=["diff"]) if len(rest) else rest
    if rest.empty:
        return []
    sig = rest[np.array([_is_change(r) for r in rest.to_dict(orient="records")], dtype=bool)]
    level = "region" if rep.level == "region" else "unit"
    if sig.empty:
        return [(2, 4, t(f"narr_sum_no_outlier_{level}", lang).format(
            metric=_metric(score, lang), n=_counted(f"narr_c_{level}", len(rest), lang)))]
    out = []
    for prio, order, key, part in ((2, 4, "narr_sum_behind", sig[sig["diff"] < 0].sort_values("diff")),
                                   (4, 5, "narr_sum_ahead", sig[sig["diff"] > 0].sort_values("diff", ascending=False))):
        if part.empty:
            continue
        r = part.iloc[0]
        out.append((prio, order, t(key, lang).format(
            unit=str(r["group"]), metric=_metric(score, lang), amount=_amount(score, r["diff"], lang),
            direction=_word("higher" if r["diff"] > 0 else "lower", score, lang),
            ci=_ci(r["diff_ci_low"], r["diff_ci_high"], lang, settings))))
    return out


def _mover_sentence(rep: ReportData, score: str, lang: str, settings: dict) -> list:
    c = _comparisons(rep)
    if c.empty:
        return []
    prev = c[(c["against"] == "previous") & (c["metric"] == score) & (c["group"] != "All")].dropna(subset=["diff"])
    if prev.empty:
        return []
    sig = prev[np.array([_is_change(r) for r in prev.to_dict(orient="records")], dtype=bool)]
    level = "region" if rep.level == "region" else "unit"
    against = t("narr_a_previous", lang)
    if sig.empty:
        return [(3, 6, t(f"narr_sum_no_mover_{level}", lang).format(
            metric=_metric(score, lang), against=against, n=_counted(f"narr_c_{level}", len(prev), lang)))]
    r = sig.loc[sig["diff"].abs().idxmax()]
    return [(3, 6, t("narr_sum_mover", lang).format(
        unit=str(r["group"]), metric=_metric(score, lang), against=against,
        verb=_word("rose" if r["diff"] > 0 else "fell", score, lang), amount=_amount(score, r["diff"], lang),
        ci=_ci(r["diff_ci_low"], r["diff_ci_high"], lang, settings)))]


def leadership_summary_points(rep: ReportData, *, lang: str = "en", settings: dict | None = None) -> list[str]:
    """The leadership summary's points in words: the company, the units furthest from the rest, the movers.

    Sentences, most important kept when there are more than six: the company's score (NPS, or the first
    survey score the responses have) with its interval and answers; against the previous period and a
    year earlier; significant changes of the other headline metrics; the unit furthest behind and the
    one furthest ahead of the rest of the company (only significant ones, else one plain sentence); the
    largest significant change of a unit against the previous period (else one plain sentence).

    Parameters
    ----------
    rep : ReportData
        From :func:`open_report` with ``unit=""`` (the whole company).
    lang : str
        Report language: ``en``, ``lt``, ``pl`` or ``lv``.
    settings : dict, optional
        Report settings (confidence, alpha, min_n_show, min_n_test, currency); defaults as the batch's.

    Returns
    -------
    list of str
        Three to six sentences; one plain sentence when the period has nothing to summarise.
    """
    settings = {**default_settings(), **(settings or {})}
    score = _reported_score(rep)
    none = _no_data(rep, score, "All", lang)
    if none:
        return none
    cands = _score_candidates(rep, "All", score, "company", lang, settings)
    cands += _outlier_sentences(rep, score, lang, settings)
    cands += _mover_sentence(rep, score, lang, settings)
    return _chosen(cands)
