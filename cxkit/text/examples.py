"""Example comments on a theme, personal data redacted, chosen reproducibly (:func:`example_comments`)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..drivers import _as_frame
from ..errors import ConfigError
from .pii import _redact_one
from .language import _map_unique
from .theme_flags import _given_flags, themes
from .theme_impact import _score_groups

__all__ = ["example_comments"]

_GROUPS = ("detractor", "passive", "promoter")


def example_comments(data=None, *, theme: str, n: int = 3, seed: int = 0, redact: bool = True,
                     text: str = "comment", language: str | None = "language", dictionary=None,
                     score: str | None = "nps", group: str | Sequence[str] | None = None,
                     flags: pd.DataFrame | None = None, exclude=None) -> pd.DataFrame:
    """A few example comments on a theme, PII redacted, chosen reproducibly.

    Parameters
    ----------
    data, text, language, dictionary : as in :func:`themes`
    theme : the theme, e.g. ``"delivery"``
    n : how many examples (fewer when fewer distinct comments exist)
    seed : seed of the random choice (same seed, same examples)
    redact : remove e-mails, phone numbers, personal codes and card numbers (:func:`redact`)
    score : 0-10 score column shown beside each comment (None = not shown)
    group : only comments of ``"detractor"``, ``"passive"`` or ``"promoter"`` respondents; or several of
        them in order of preference, e.g. ``("detractor", "passive")``: detractors' comments first, and
        passives' only when there are fewer than ``n`` of those
    flags : the result of :func:`themes` for the same ``data`` when it is already at hand (examples
        for several themes): the comments are not matched again
    exclude : index labels of rows not to pick, e.g. the examples already shown for another theme; a
        comment with the same text as one of theirs is not picked either

    Returns
    -------
    DataFrame
        The chosen rows (original index) with ``response_id``, ``unit``, ``date`` and ``touchpoint`` when
        present, the score, ``language`` and the (redacted) comment. Identical comments are shown once.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment": ["Delivery late, call me +44 20 7946 0958", "Nice staff", "Late delivery"],
    ...                    "nps": [2, 10, 5], "language": "en"})
    >>> example_comments(df, theme="delivery", n=5)["comment"].tolist()
    ['Delivery late, call me [phone]', 'Late delivery']
    >>> example_comments(df, theme="delivery", n=5, exclude=[0])["comment"].tolist()
    ['Late delivery']
    """
    frame = _as_frame(data)
    flags = _given_flags(flags, frame) if flags is not None else themes(frame, text=text, language=language,
                                                                         dictionary=dictionary)
    if theme not in flags.columns:
        raise ConfigError(f"theme={theme!r}: not in the dictionary; themes: {', '.join(flags.columns)}")
    groups = _group_list(group, frame, score)
    if int(n) < 1:
        raise ConfigError(f"n={n!r} - expected at least 1 example")
    # folded once per distinct text; rows without a comment are never shown (their theme flags are False)
    folded = _map_unique(frame[text], lambda s: " ".join(str(s).split()).casefold(), missing="").to_numpy()
    keep = flags[theme].to_numpy() & ~_excluded(frame, folded, exclude)
    chosen: list = []  # positions
    for g in groups:  # in order of preference, until there are n
        mask = keep & _in_group(frame, score, g) & ~pd.Series(folded).isin(set(folded[chosen])).to_numpy()
        chosen += _pick(np.flatnonzero(mask), folded, int(n) - len(chosen), seed)
        if len(chosen) >= int(n):
            break
    return _shown(frame.iloc[chosen], text, score, language, redact)


def _shown(cand: pd.DataFrame, text: str, score: str | None, language, redact: bool) -> pd.DataFrame:
    """The chosen rows' id, unit, date, touchpoint, score and language (those there are) and the comment."""
    cols = [c for c in ("response_id", "unit", "date", "touchpoint") if c in cand.columns]
    cols += [c for c in (score, language if isinstance(language, str) else None) if c and c in cand.columns]
    out = cand[[c for c in dict.fromkeys(cols) if c != text]].copy()
    out[text] = cand[text].astype("object").map(_redact_one if redact else (lambda s: s))
    return out


def _group_list(group, frame: pd.DataFrame, score: str | None) -> tuple:
    """The NPS groups to pick from, in order of preference (``(None,)``: any respondent), checked."""
    if group is None:
        return (None,)
    groups = (group,) if isinstance(group, str) else tuple(group)
    bad = [g for g in groups if g not in _GROUPS]
    if bad or not groups:
        raise ConfigError(f"group={group!r} - expected 'detractor', 'passive' or 'promoter', or several of them")
    if score is None or score not in frame.columns:
        raise ConfigError("group= needs the score column (score='nps')")
    return groups


def _in_group(frame: pd.DataFrame, score: str | None, group: str | None) -> np.ndarray:
    """Rows of respondents in ``group`` (every row when None)."""
    if group is None:
        return np.ones(len(frame), dtype=bool)
    g = _score_groups(frame[score].to_numpy(dtype="float64", na_value=np.nan))
    return g == _GROUPS.index(group)


def _excluded(frame: pd.DataFrame, folded: np.ndarray, exclude) -> np.ndarray:
    """Rows listed in ``exclude`` and rows whose comment has the same text as one of theirs."""
    if exclude is None:
        return np.zeros(len(frame), dtype=bool)
    listed = frame.index.isin(list(exclude))
    return listed | np.isin(folded, folded[listed])


def _pick(rows: np.ndarray, folded: np.ndarray, n: int, seed: int) -> list:
    """Positions of up to ``n`` distinct comments among the positions ``rows``, chosen with ``seed``, in order."""
    rows = rows[~pd.Series(folded[rows]).duplicated().to_numpy()]
    if len(rows) > n:
        rows = rows[np.sort(np.random.default_rng(seed).choice(len(rows), size=n, replace=False))]
    return rows.tolist()
