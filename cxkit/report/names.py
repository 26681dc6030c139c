"""File names from unit names: readable, never a path, unique even when two names fold to the same text.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

__all__ = ['slugify', 'unique_slugs']


def slugify(name: str) -> str:
    """A readable, safe file name for a unit name.

    Letters of any language are kept (``Klaipėda`` stays readable), everything
    else becomes ``-``; no path separators, no leading dots, at most 80 characters.

    Examples
    --------
    >>> slugify("Klaipėda Centras"), slugify("../../etc/passwd"), slugify("Vilnius/Centras")
    ('klaipėda-centras', 'etc-passwd', 'vilnius-centras')
    """
    text = unicodedata.normalize("NFC", str(name)).casefold()
    text = "".join(ch if (ch.isalnum() and ch.isprintable()) else "-" for ch in text)
    text = re.sub(r"-+", "-", text).strip("-.")
    text = text[:80].strip("-") or "unit"
    if text in ("con", "prn", "aux", "nul") or re.fullmatch(r"(com|lpt)\d", text):  # reserved on Windows
        text = f"{text}-unit"
    return text


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """Slugs for many names, with collisions resolved by a short hash of the original name.

    Examples
    --------
    >>> s = unique_slugs(["Vilnius/Centras", "Vilnius Centras", "Kaunas"])
    >>> s["Kaunas"], s["Vilnius/Centras"] != s["Vilnius Centras"]
    ('kaunas', True)
    """
    names = [str(n) for n in names]
    base = {n: slugify(n) for n in names}
    counts: dict[str, int] = {}
    for s in base.values():
        counts[s.casefold()] = counts.get(s.casefold(), 0) + 1
    out = {}
    for n, s in base.items():
        if counts[s.casefold()] > 1:
            s = f"{s[:70]}-{hashlib.sha256(n.encode('utf-8')).hexdigest()[:6]}"
        out[n] = s
    return out
