"""Which themes each comment mentions (:func:`themes`): comments folded once, matched against the
dictionary of their language (or of every language when it is unknown)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..drivers import _as_frame
from ..errors import ConfigError
from .dictionaries import ThemeDictionary, _resolve_dictionary, _theme_regex
from .language import _languages, _map_unique, fold_text

__all__ = ["themes"]


def _text_series(frame: pd.DataFrame, text: str) -> pd.Series:
    if text not in frame.columns:
        raise ConfigError(f"text={text!r}: no such column; available: {', '.join(map(str, frame.columns))}")
    return _map_unique(frame[text], lambda v: v if isinstance(v, str) and v.strip() else None)


def _flags(comments: pd.Series, langs: pd.Series, dictionary: ThemeDictionary) -> pd.DataFrame:
    names: list[str] = []
    for block in dictionary.values():
        names += [t for t in block if t not in names]
    out = np.zeros((len(comments), len(names)), dtype=bool)
    has = comments.notna().to_numpy()
    raw_codes, raw_unique = pd.factorize(comments.astype(object), use_na_sentinel=True)  # fold each text once
    folded_unique = np.array([fold_text(t) for t in raw_unique] + [""], dtype=object)
    folded = folded_unique[raw_codes]  # -1 (no comment) -> ""
    code_of = _map_unique(langs, lambda c: c if isinstance(c, str) and c in dictionary else "*",
                          missing="*").to_numpy()
    for code in pd.unique(code_of[has]):
        rows = np.flatnonzero(has & (code_of == code))
        codes, unique = pd.factorize(folded[rows])  # repeated comments are matched once
        blocks = [dictionary[code]] if code != "*" else list(dictionary.values())
        for k, theme in enumerate(names):
            entries = tuple(e for b in blocks for e in b.get(theme, []))
            rx = _theme_regex(entries) if entries else None
            if rx is not None:
                hit = np.fromiter((rx.search(t) is not None for t in unique), dtype=bool, count=len(unique))
                out[rows, k] = hit[codes]
    return pd.DataFrame(out, index=comments.index, columns=names)


def themes(data=None, *, text: str = "comment", language: str | None = "language", dictionary=None) -> pd.DataFrame:
    """Flag the themes each comment mentions.

    Parameters
    ----------
    data : DataFrame (one row per response) or a loaded dataset (its ``responses``)
    text : comment column
    language : column with the language code of each comment (default ``"language"``;
        comments with an empty or unknown code are detected with :func:`detect_language`),
        a fixed code such as ``"lt"``, ``"auto"`` (detect every comment), or None
        (match every comment against all dictionaries). Comments whose language
        stays unknown are matched against all dictionaries.
    dictionary : None (the shipped :data:`THEMES`), your own entries as a dict or
        YAML path (merged into the defaults), or a :class:`ThemeDictionary` from
        :func:`load_themes` (used as it is)

    Returns
    -------
    DataFrame
        Same index as ``data``; one boolean column per theme (True = the comment
        mentions it). Rows without a comment are all False.

    Notes
    -----
    Comment and entries are compared after :func:`fold_text` (case folding,
    accents removed), on whole words: ``stem*`` matches every word that starts
    with the stem, so inflected forms match ("dostawa", "dostawy", "dostawę",
    typed "dostawe"). Exclusions (``-entry``) stop look-alike words. A comment
    can mention several themes.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment": ["Labai nusivyliau pristatymu.", "Za wysokie ceny.", None],
    ...                    "language": ["lt", "pl", None]})
    >>> themes(df)[["delivery", "price", "staff"]]
       delivery  price  staff
    0      True  False  False
    1     False   True  False
    2     False  False  False
    """
    frame = _as_frame(data)
    d = _resolve_dictionary(dictionary)
    comments = _text_series(frame, text)
    langs = _languages(frame, comments, language, d.keys())
    return _flags(comments, langs, d)


def _given_flags(flags, frame: pd.DataFrame) -> pd.DataFrame:
    """Check that ``flags`` passed in by the caller are :func:`themes` of ``frame``'s rows."""
    if not isinstance(flags, pd.DataFrame) or not flags.index.equals(frame.index):
        raise ConfigError("flags= must be the result of themes() for the same data (one row per row of data, "
                          "same index)")
    if not all(pd.api.types.is_bool_dtype(d) for d in flags.dtypes):
        raise ConfigError("flags= must be the result of themes(): one True/False column per theme")
    return flags
