"""Example comments on a theme, personal data redacted, chosen reproducibly (:func:`example_comments`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..drivers import _as_frame
from ..errors import ConfigError
from .pii import _redact_one
from .theme_flags import _given_flags, themes
from .theme_impact import _score_groups

__all__ = ["example_comments"]


def example_comments(data=None, *, theme: str, n: int = 3, seed: int = 0, redact: bool = True,
                     text: str = "comment", language: str | None = "language", dictionary=None,
                     score: str | None = "nps", group: str | None = None,
                     flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """A few example comments on a theme, PII redacted, chosen reproducibly.

    Parameters
    ----------
    data, text, language, dictionary : as in :func:`themes`
    theme : the theme, e.g. ``"delivery"``
    n : how many examples (fewer when fewer distinct comments exist)
    seed : seed of the random choice (same seed, same examples)
    redact : remove e-mails, phone numbers, personal codes and card numbers (:func:`redact`)
    score : 0-10 score column shown beside each comment (None = not shown)
    group : only comments of ``"detractor"``, ``"passive"`` or ``"promoter"`` respondents
    flags : the result of :func:`themes` for the same ``data`` when it is already at hand (examples
        for several themes): the comments are not matched again

    Returns
    -------
    DataFrame
        The chosen rows (original index) with ``response_id``, ``unit``, ``date`` when
        present, the score, ``language`` and the (redacted) comment. Identical
        comments are shown once.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment": ["Delivery late, call me +44 20 7946 0958", "Nice staff", "Late delivery"],
    ...                    "nps": [2, 10, 5], "language": "en"})
    >>> example_comments(df, theme="delivery", n=5)["comment"].tolist()
    ['Delivery late, call me [phone]', 'Late delivery']
    """
    frame = _as_frame(data)
    flags = _given_flags(flags, frame) if flags is not None else themes(frame, text=text, language=language,
                                                                         dictionary=dictionary)
    if theme not in flags.columns:
        raise ConfigError(f"theme={theme!r}: not in the dictionary; themes: {', '.join(flags.columns)}")
    keep = flags[theme].to_numpy()
    if group is not None:
        if group not in ("detractor", "passive", "promoter"):
            raise ConfigError(f"group={group!r} - expected 'detractor', 'passive' or 'promoter'")
        if score is None or score not in frame.columns:
            raise ConfigError("group= needs the score column (score='nps')")
        g = _score_groups(frame[score].to_numpy(dtype="float64", na_value=np.nan))
        keep &= g == ("detractor", "passive", "promoter").index(group)
    if int(n) < 1:
        raise ConfigError(f"n={n!r} - expected at least 1 example")
    cand = frame.loc[keep]
    cand = cand.loc[~cand[text].astype("object").map(lambda s: " ".join(str(s).split()).casefold()).duplicated()]
    if len(cand) > n:
        pick = np.sort(np.random.default_rng(seed).choice(len(cand), size=int(n), replace=False))
        cand = cand.iloc[pick]
    cols = [c for c in ("response_id", "unit", "date") if c in frame.columns]
    cols += [c for c in (score, language if isinstance(language, str) else None) if c and c in frame.columns]
    out = cand[[c for c in dict.fromkeys(cols) if c != text]].copy()
    out[text] = cand[text].astype("object").map(_redact_one if redact else (lambda s: s))
    return out
