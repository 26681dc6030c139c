"""The language of comments and how they are compared: :func:`fold_text` (case and accents) and
:func:`detect_language` (a light heuristic for lt, lv, pl and en)."""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

from .._folding import fold_text
from ..errors import ConfigError

__all__ = ["LANGUAGES", "fold_text", "detect_language"]


#: Languages with shipped dictionaries.
LANGUAGES = ("lt", "lv", "pl", "en")


_LETTERS = {"lt": "ėįų", "lv": "āēīģķļņ", "pl": "łśźżćńó"}
_SHARED = {"ą": ("lt", "pl"), "ę": ("lt", "pl"), "č": ("lt", "lv"), "š": ("lt", "lv"), "ž": ("lt", "lv"),
           "ū": ("lt", "lv")}
_STOPWORDS = {
    "lt": {"ir", "labai", "buvo", "nes", "kad", "su", "ačiū", "bet", "man", "mano", "nebuvo", "per", "jau", "tik",
           "dėl", "kai", "už", "prašau", "gerai", "nėra"},
    "lv": {"un", "ļoti", "bija", "nav", "ar", "paldies", "bet", "man", "mans", "pēc", "jau", "tikai", "par",
           "lūdzu", "kad", "nebija", "arī", "vai", "uz"},
    "pl": {"i", "nie", "jest", "się", "bardzo", "na", "że", "za", "był", "była", "było", "dziękuję", "ale", "mnie",
           "mój", "po", "już", "tylko", "proszę", "w", "z", "do"},
    "en": {"the", "and", "was", "is", "to", "very", "not", "it", "i", "my", "for", "with", "but", "thanks", "of",
           "were", "no", "too", "at", "on"},
}
_WORD = re.compile(r"[^\W\d_]+")


def _detect_one(text) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    low = text.casefold()
    score = dict.fromkeys(LANGUAGES, 0.0)
    for lang, letters in _LETTERS.items():
        score[lang] += 3 * sum(low.count(c) for c in letters)
    for c, langs in _SHARED.items():
        k = low.count(c)
        for lang in langs:
            score[lang] += k
    for w in _WORD.findall(low):
        for lang, words in _STOPWORDS.items():
            if w in words:
                score[lang] += 2
    best = max(score.values())
    if best == 0:
        return None
    top = [lang for lang, s in score.items() if s == best]
    return top[0] if len(top) == 1 else None


def detect_language(texts) -> pd.Series | str | None:
    """Guess the language (lt, lv, pl or en) of comments; None when unsure.

    A light heuristic, not a language model: letters typical of each language
    (ė į ų for Lithuanian, ā ē ī ķ ļ ņ for Latvian, ł ś ź ż ć ń ó for Polish)
    and frequent short words. Short comments without either stay undecided
    (None); :func:`themes` then matches them against every dictionary.

    Parameters
    ----------
    texts : a comment (str or None), or a list / Series of comments

    Returns
    -------
    str, None or Series
        The language code (``"lt"``, ``"lv"``, ``"pl"``, ``"en"``) or None for one
        comment; for several, an object Series of them (the index of a Series is kept).

    Examples
    --------
    >>> detect_language(["Pristatymas vėlavo", "Dostawa spóźniła się", "Piegāde kavējās", "It was late", "OK"]).tolist()
    ['lt', 'pl', 'lv', 'en', None]
    """
    if isinstance(texts, str) or texts is None:
        return _detect_one(texts)
    s = pd.Series(texts, dtype="object")
    return _map_unique(s, _detect_one, missing=_detect_one(None))


def _map_unique(s: pd.Series, fn, *, missing=None) -> pd.Series:
    """``s.map(fn)`` as an object Series, with ``fn`` called once per distinct value (comments and language
    codes repeat: a few thousand distinct texts in millions of rows); missing values give ``missing``."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(v) for v in uniques]
    mapped[-1] = missing  # code -1
    return pd.Series(mapped[codes], index=s.index, dtype="object")


def _languages(frame: pd.DataFrame, comments: pd.Series, language, known: Iterable[str]) -> pd.Series:
    """Language code per comment (None = match against every dictionary)."""
    known = set(known)
    if language is None:
        return pd.Series(None, index=frame.index, dtype="object")
    if isinstance(language, str) and language in frame.columns:
        lang = _map_unique(frame[language], lambda v: str(v).strip().lower() if isinstance(v, str) else None)
        lang = lang.where(lang.isin(known), None)
        todo = lang.isna() & comments.notna()
        if todo.any():
            lang[todo] = detect_language(comments[todo]).to_numpy()
        return lang
    if language == "auto" or (language == "language" and language not in frame.columns):
        return detect_language(comments).reindex(frame.index)
    if isinstance(language, str) and language.lower() in known:
        return pd.Series(language.lower(), index=frame.index, dtype="object")
    raise ConfigError(f"language={language!r}: expected a column name, a language code "
                      f"({', '.join(sorted(known))}), 'auto' or None")
