"""Theme impact on NPS: how often each theme is mentioned, by whom, and whether comments on it come with a
different NPS, with a multiple-testing correction (:func:`theme_summary`).

Methods: ``docs/statistics.md`` and ``docs/comments.md``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from ..drivers import _as_frame, _TableResult
from ..errors import ConfigError, InsufficientDataError
from ..stats.intervals import _z
from ..stats.scores import NPS_BANDS
from ..stats.twosample import _nps_diff_arrays
from .theme_flags import _given_flags, _text_series, themes

__all__ = ["ThemeSummary", "theme_summary"]


_CORRECTIONS = ("fdr_bh", "holm", "bonferroni", "none")


@dataclass(frozen=True)
class ThemeSummary(_TableResult):
    """Themes of comments with their frequency and NPS impact (see :func:`theme_summary`).

    Attributes
    ----------
    table : one row per theme, most mentioned first (the ``summary``; columns in :func:`theme_summary`)
    score : the 0-10 score column compared
    n_comments : comments analysed
    correction : the multiple-testing correction used (``"fdr_bh"``, ``"holm"``, ``"bonferroni"``, ``"none"``)
    confidence : confidence level of the intervals of the NPS differences
    messages : the notes (comments matching no theme, themes not tested, the correction)
    """

    table: pd.DataFrame
    score: str
    n_comments: int
    correction: str
    confidence: float
    messages: tuple = ()

    digits = 3

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Comment themes and {self.score} ({self.n_comments:,} comments)".replace(",", " ")


def _score_groups(values: np.ndarray) -> np.ndarray:
    """0 detractor, 1 passive, 2 promoter, -1 missing (default NPS bands)."""
    g = np.full(len(values), -1)
    for code, band in enumerate(("detractors", "passives", "promoters")):
        lo, hi = NPS_BANDS[band]
        g[(values >= lo) & (values <= hi)] = code
    return g


def _theme_tests(flags: np.ndarray, groups: np.ndarray, *, min_n: int, correction: str, alpha: float,
                 confidence: float) -> dict[str, np.ndarray]:
    """NPS of comments with vs without each theme, vectorised over themes.

    ``flags`` (m, k) bool, ``groups`` (m,) in {-1, 0, 1, 2}. Returns arrays per theme.
    """
    onehot = (groups[:, None] == np.arange(3)[None, :]).astype(float)
    with_ = flags.T.astype(float) @ onehot                  # (k, 3) detractors, passives, promoters
    without = onehot.sum(axis=0)[None, :] - with_
    n_with, n_without = with_.sum(axis=1), without.sum(axis=1)
    raw, low, high, _, p, _ = _nps_diff_arrays(with_.T, without.T, "adjusted-wald", confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        nps_with = (with_[:, 2] - with_[:, 0]) / n_with * 100
        nps_without = (without[:, 2] - without[:, 0]) / n_without * 100
    tested = (n_with >= min_n) & (n_without >= min_n)
    p = np.where(tested, p, np.nan)
    low, high, raw = (np.where(tested, v * 100, np.nan) for v in (low, high, raw))
    p_adj = np.full_like(p, np.nan)
    if tested.any():
        if correction == "none":
            p_adj[tested] = p[tested]
        else:
            p_adj[tested] = multipletests(p[tested], alpha=alpha, method=correction)[1]
    return {"n_with": n_with.astype(int), "n_without": n_without.astype(int), "nps_with": nps_with,
            "nps_without": nps_without, "diff": raw, "ci_low": low, "ci_high": high, "p_value": p,
            "p_adjusted": p_adj, "significant": np.where(tested, p_adj < alpha, False), "counts": with_}


def theme_summary(data=None, *, text: str = "comment", language: str | None = "language", dictionary=None,
                  score: str = "nps", by_group: bool = True, correction: str = "fdr_bh", alpha: float = 0.05,
                  min_n: int = 30, confidence: float = 0.95, flags: pd.DataFrame | None = None) -> ThemeSummary:
    """How often each theme is mentioned, by whom, and how it goes with NPS.

    Parameters
    ----------
    data, text, language, dictionary : as in :func:`themes`
    score : 0-10 likelihood-to-recommend column
    by_group : add the share of detractors', passives' and promoters' comments mentioning each theme
    correction : multiple-testing correction across the themes tested: ``"fdr_bh"``
        (Benjamini-Hochberg, default), ``"holm"``, ``"bonferroni"`` or ``"none"``
    alpha : significance level (after correction)
    min_n : minimum comments with a score on each side (with / without the theme) for a test
    confidence : level of the interval of the NPS difference
    flags : the result of :func:`themes` for the same ``data`` when it is already at hand
        (a report that also picks :func:`example_comments`): the comments are not matched again

    Returns
    -------
    ThemeSummary
        ``.summary`` has one row per theme, most mentioned first:

        * ``theme``; ``mentions`` - comments mentioning it; ``share`` - % of all comments
        * ``share_detractors``, ``share_passives``, ``share_promoters`` - % of the comments
          of each NPS group that mention the theme (with ``by_group=True``)
        * ``n_with``, ``nps_with`` - scored comments mentioning the theme and their NPS (points)
        * ``n_without``, ``nps_without`` - the other scored comments and their NPS
        * ``diff`` - nps_with − nps_without (points) with ``ci_low``, ``ci_high``
        * ``p_value`` (NPS z-test, adjusted Wald), ``p_adjusted`` (after ``correction``),
          ``significant`` (p_adjusted < alpha)

        Themes with fewer than ``min_n`` comments on either side are not tested
        (empty difference and p-values) and are left out of the correction.

    Notes
    -----
    The comparison is among respondents who left a comment: commenters are not
    a random subset of all respondents, so "NPS of comments on delivery" vs
    "other comments" says which topics go with unhappy customers, not what
    fixing them would do. A comment mentioning several themes counts for each.
    The test is :func:`cxkit.nps_test` (two-sample z-test with the adjusted-Wald
    variance), vectorised over themes; the correction uses statsmodels
    ``multipletests`` with the method named explicitly.

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
    JRSS B 57, 289-300. Rocks, B. (2016). Interval estimation for the "Net
    Promoter Score". The American Statistician 70, 365-372.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment": ["Late delivery."] * 40 + ["Great staff."] * 40,
    ...                    "nps": [3] * 30 + [9] * 10 + [10] * 35 + [5] * 5, "language": "en"})
    >>> s = theme_summary(df, min_n=20).summary
    >>> s.loc[s.theme.isin(["delivery", "staff"]), ["theme", "mentions", "nps_with", "diff", "significant"]]
          theme  mentions  nps_with   diff  significant
    0  delivery        40     -50.0 -125.0         True
    1     staff        40      75.0  125.0         True
    """
    frame = _as_frame(data)
    if correction is None:
        correction = "none"
    if correction not in _CORRECTIONS:
        raise ConfigError(f"correction={correction!r} - expected one of {', '.join(_CORRECTIONS)}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha={alpha!r} - expected a number between 0 and 1, e.g. 0.05")
    _z(confidence)
    if score not in frame.columns:
        raise ConfigError(f"score={score!r}: no such column; available: {', '.join(map(str, frame.columns))}")
    flags = _given_flags(flags, frame) if flags is not None else themes(frame, text=text, language=language,
                                                                         dictionary=dictionary)
    comments = _text_series(frame, text)
    has = comments.notna().to_numpy()
    m = int(has.sum())
    if m == 0:
        raise InsufficientDataError(f"no comments in column {text!r}")
    try:
        values = frame[score].to_numpy(dtype="float64", na_value=np.nan)[has]
    except (TypeError, ValueError):
        raise ConfigError(f"score={score!r}: expected 0-10 numbers") from None
    if np.nanmax(values, initial=0) > 10 or np.nanmin(values, initial=0) < 0:
        raise ConfigError(f"score={score!r}: expected 0-10 answers (likelihood to recommend)")
    f = flags.to_numpy()[has]
    groups = _score_groups(values)
    res = _theme_tests(f, groups, min_n=int(min_n), correction=correction, alpha=alpha, confidence=confidence)
    mentions = f.sum(axis=0)
    table = pd.DataFrame({"theme": flags.columns, "mentions": mentions.astype(int), "share": mentions / m * 100})
    if by_group:
        per_group = np.bincount(groups[groups >= 0], minlength=3).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            for code, name in enumerate(("detractors", "passives", "promoters")):
                table[f"share_{name}"] = res["counts"][:, code] / per_group[code] * 100
    for col in ("n_with", "nps_with", "n_without", "nps_without", "diff", "ci_low", "ci_high", "p_value",
                "p_adjusted", "significant"):
        table[col] = res[col]
    table["significant"] = table["significant"].astype(bool)
    table = table.sort_values("mentions", ascending=False, kind="stable").reset_index(drop=True)

    messages = []
    none = int((~f.any(axis=1)).sum())
    messages.append(f"{none:,} of {m:,} comments ({none / m:.0%}) match no theme; extend the dictionary "
                    "with load_themes() if they share a topic.")
    untested = table.loc[table["p_value"].isna(), "theme"].tolist()
    if untested:
        messages.append(f"Not tested (fewer than {min_n} scored comments with or without the theme): "
                        f"{', '.join(untested)}.")
    scored = int((groups >= 0).sum())
    if scored < m:
        messages.append(f"{m - scored:,} comments have no {score}; they count in mentions but not in the NPS columns.")
    label = {"fdr_bh": "Benjamini-Hochberg (false discovery rate)", "holm": "Holm", "bonferroni": "Bonferroni",
             "none": "no correction"}[correction]
    messages.append(f"p-values corrected across {int(table['p_value'].notna().sum())} themes: {label}; "
                    f"significant = adjusted p < {alpha}.")
    return ThemeSummary(table=table, score=score, n_comments=m, correction=correction, confidence=confidence,
                        messages=tuple(messages))
