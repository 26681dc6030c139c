"""How texts are compared without case and accents: one rule for comment themes, personal-data
keywords (:mod:`cxkit.text`) and header wordings (:mod:`cxkit.data.suggest`)."""
from __future__ import annotations

import unicodedata

__all__ = ["fold_text"]

_EXTRA_FOLD = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "’": "'", "‘": "'"})


def fold_text(text: str) -> str:
    """Lower-case a text and strip accents: how comments and dictionary entries are compared.

    Unicode case folding, then diacritics removed (NFKD without combining marks)
    and a few letters that do not decompose mapped by hand (Polish ł -> l).

    Parameters
    ----------
    text : the text (anything else is turned into text first)

    Returns
    -------
    str
        The folded text.

    Examples
    --------
    >>> fold_text("Pristatymą DOSTAWĘ Piegādē Łódź")
    'pristatyma dostawe piegade lodz'
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_EXTRA_FOLD)
