"""Personal data in comments: e-mail addresses, phone numbers (LT, LV, PL, UK and international),
Lithuanian / Latvian / Polish personal codes and payment card numbers, found (:func:`find_pii`) and
removed (:func:`redact`) before anyone reads the comments."""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .language import fold_text

__all__ = ["PII_KINDS", "redact", "find_pii"]


#: What :func:`redact` removes by default.
PII_KINDS = ("email", "card", "personal_code", "phone")

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}(?![\w\-])")
_CARD = re.compile(r"(?<![\w+])\d(?:[ \-]?\d){12,18}(?!\w)")
_CODE = re.compile(r"(?<![\w+\-])(\d{6})([\-‐]?)(\d{5})(?![\w])")
_CODE_KEYWORDS = re.compile(r"(?<!\w)(asmens\s+kod\w*|a\.\s?k\.|personas\s+kod\w*|p\.\s?k\.|pesel|personal\s+"
                            r"(?:code|id|number)|national\s+id\w*|id\s+code|isikukood)(?:\W+\w{1,4}){0,2}\W*$")
_SEP = r"(?:[ \u00a0\-]|\s?\(|\)\s?)?"
_PHONE_KEYWORDS = (r"(?:tel|tel\.|telefon\w*|tālr\w*|talr\w*|tālrun\w*|mob|mob\.|mobile|mobil\w*|phone|call(?: me)?|"
                   r"skambin\w*|zvan\w*|dzwo\w*|whats\s?app|sms|kontaktinis|kontaktowy)")
_PHONE_AFTER_KEYWORD = re.compile(rf"(?i)(?<!\w){_PHONE_KEYWORDS}"
                                  r"(?:[\s.:#\-]+(?:me|at|on|nr|no|na|pa|numer\w*|numur\w*))*\.?[\s:#\-]{0,4}"
                                  rf"(?P<num>(?:\+|00)?\s?\(?\d(?:{_SEP}\d){{6,14}})(?!\w)")
_PHONE = re.compile(
    r"(?<![\w+\-/.,])(?:"
    rf"(?P<intl>(?:\+|00)\s?\(?\d{{1,3}}\)?(?:{_SEP}\d){{6,13}})"
    rf"|(?P<trunk0>0(?:{_SEP}\d){{9,10}})"
    rf"|(?P<nine>[1-9](?:{_SEP}\d){{8}})"
    rf"|(?P<lv>[26](?:{_SEP}\d){{7}})"
    r")(?![\w]|[.,]\d)")
_CURRENCY = re.compile(r"^\s?(?:eur\w*|€|zł|zl\b|pln|usd|\$|£|gbp|euro\w*|eiro)", re.I)
_CURRENCY_BEFORE = re.compile(r"(?:€|eur|pln|zł|\$|£)\s?$", re.I)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _date_ok(year: int, month: int, day: int, *, past: bool = False) -> bool:
    """A real calendar date (and, for birth dates, not in the future)."""
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return False
    return not past or date <= dt.date.today()


def _lt_code(d: str) -> bool:
    """Lithuanian asmens kodas: G YYMMDD NNN K, G 1-6 (century and sex), mod-11 check digit."""
    g = int(d[0])
    if not 1 <= g <= 6 or not _date_ok(1700 + 100 * ((g + 1) // 2) + int(d[1:3]), int(d[3:5]), int(d[5:7]),
                                        past=True):
        return False
    digits = [int(c) for c in d]
    r = sum(x * w for x, w in zip(digits, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1))) % 11
    if r == 10:
        r = sum(x * w for x, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3))) % 11
        r = 0 if r == 10 else r
    return r == digits[10]


def _pesel(d: str) -> bool:
    """Polish PESEL: YYMMDD ZZZ X Q, century coded in the month, mod-10 check digit."""
    mm = int(d[2:4])
    century = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 1800}.get(mm // 20 * 2)
    if century is None or not _date_ok(century + int(d[0:2]), mm % 20, int(d[4:6]), past=True):
        return False
    s = sum(int(c) * w for c, w in zip(d, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)))
    return (10 - s % 10) % 10 == int(d[10])


def _lv_date(d: str) -> bool:
    c = int(d[6])
    return c <= 2 and _date_ok(1800 + 100 * c + int(d[4:6]), int(d[2:4]), int(d[0:2]), past=True)


def _lv_code(d: str) -> bool:
    """Latvian personas kods (before 2017): DDMMYY C NNN K, mod-11 check digit."""
    if not _lv_date(d):
        return False
    s = sum(int(c) * w for c, w in zip(d, (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)))
    return (1101 - s) % 11 == int(d[10])


def _code_match(m: re.Match, text: str) -> bool:
    d = m.group(1) + m.group(3)
    before = fold_text(text[max(0, m.start() - 40):m.start()])
    if _CODE_KEYWORDS.search(before):
        return True
    if m.group(2):  # DDMMYY-XXXXX: Latvian form, old (birth date) or new (starts with 32)
        return d.startswith("32") or _lv_date(d)
    return _lt_code(d) or _pesel(d) or _lv_code(d)


def _looks_like_date(s: str) -> bool:
    if re.fullmatch(r"\d{4}[\-/ ]\d{1,2}[\-/ ]\d{1,2}|\d{1,2}[\-/ ]\d{1,2}[\-/ ]\d{4}", s):
        return True
    d = re.sub(r"\D", "", s)
    if len(d) == 8 and s.isdigit():
        return _date_ok(int(d[:4]), int(d[4:6]), int(d[6:])) or _date_ok(int(d[4:]), int(d[2:4]), int(d[:2]))
    return False


def _phone_match(m: re.Match, text: str) -> bool:
    s = m.group(0)
    digits = re.sub(r"\D", "", s)
    if _CURRENCY.match(text[m.end():]) or _CURRENCY_BEFORE.search(text[:m.start()]):
        return False
    if m.group("intl"):
        return 8 <= len(digits) - (2 if s.startswith("00") else 0) <= 15
    if _looks_like_date(s):
        return False
    grouped = not s.isdigit()
    if m.group("trunk0"):                      # 0xx...: UK and other national numbers with a trunk 0
        return True
    if m.group("nine"):                        # 9 digits: LT 8xxxxxxxx, PL mobiles and landlines
        return grouped or digits[0] in "45678"
    return True                                # 8 digits from 2 or 6: Latvian mobile / landline


def _spans(text: str, kinds: tuple[str, ...], extra: dict[str, re.Pattern]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) spans of PII, found in the order e-mail, card, code, phone, extra."""
    taken: list[tuple[int, int, str]] = []

    def free(a, b):
        return all(b <= s or a >= e for s, e, _ in taken)

    def add(a, b, kind):
        if free(a, b):
            taken.append((a, b, kind))

    if "email" in kinds:
        for m in _EMAIL.finditer(text):
            add(m.start(), m.end(), "email")
    if "card" in kinds:
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if 13 <= len(digits) <= 19 and _luhn(digits):
                add(m.start(), m.end(), "card")
    if "personal_code" in kinds:
        for m in _CODE.finditer(text):
            if _code_match(m, text):
                add(m.start(), m.end(), "personal_code")
    if "phone" in kinds:
        for m in _PHONE_AFTER_KEYWORD.finditer(text):
            if 7 <= len(re.sub(r"\D", "", m.group("num"))) <= 15:
                shaped = _PHONE.match(text, m.start("num"))  # a known phone shape: keep its exact extent
                end = shaped.end() if shaped and _phone_match(shaped, text) else m.end("num")
                add(m.start("num"), end, "phone")
        for m in _PHONE.finditer(text):
            if _phone_match(m, text):
                add(m.start(), m.end(), "phone")
    for kind, rx in extra.items():
        for m in rx.finditer(text):
            add(m.start(), m.end(), kind)
    return sorted(taken)


def _check_pii_args(kinds, extra) -> tuple[tuple[str, ...], dict[str, re.Pattern]]:
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds or ())
    unknown = [k for k in kinds if k not in PII_KINDS]
    if unknown:
        raise ConfigError(f"kinds: unknown {unknown}; expected some of {', '.join(PII_KINDS)}")
    patterns = {}
    for kind, rx in (extra or {}).items():
        try:
            patterns[str(kind)] = rx if isinstance(rx, re.Pattern) else re.compile(str(rx))
        except re.error as exc:
            raise ConfigError(f"extra[{kind!r}]: not a valid regular expression ({exc})") from None
    return kinds, patterns


def _redact_one(text, kinds=PII_KINDS, placeholder="[{kind}]", extra=None):
    if not isinstance(text, str):
        return text
    out, last = [], 0
    for a, b, kind in _spans(text, kinds, extra or {}):
        out.append(text[last:a])
        out.append(placeholder.format(kind=kind))
        last = b
    out.append(text[last:])
    return "".join(out)


def redact(text, *, kinds: Iterable[str] = PII_KINDS, placeholder: str = "[{kind}]",
           extra: Mapping[str, str | re.Pattern] | None = None):
    """Remove personal data from comments.

    Parameters
    ----------
    text : a string, or a Series / list of strings (missing values stay missing)
    kinds : what to remove, any of ``"email"``, ``"card"``, ``"personal_code"``, ``"phone"``
    placeholder : replacement text; ``{kind}`` is replaced by the kind
    extra : your own patterns ``{kind: regular expression}``, e.g.
        ``{"order": r"ORD-\\d{6}"}``, removed after the built-in kinds

    Returns
    -------
    str or Series
        The text with each finding replaced by the placeholder, e.g. ``[phone]``.

    Notes
    -----
    Found in this order (a later kind never overlaps an earlier finding):

    * **email** - ``name@domain.tld``.
    * **card** - 13-19 digits, optionally grouped by spaces or dashes, passing
      the Luhn check (about 1 in 10 random digit strings of that length pass:
      such order numbers are redacted too).
    * **personal_code** - Lithuanian asmens kodas (11 digits: sex/century 1-6,
      YYMMDD, serial, check digit), Polish PESEL (11 digits: YYMMDD with the
      century in the month, serial, check digit), Latvian personas kods
      (DDMMYY-CNNNN with a valid date, the post-2017 32xxxx-xxxxx form, or 11
      digits with a valid date and check digit). A bare 11-digit number is
      removed when one of the check digits is valid, or always when it follows
      a keyword such as "asmens kodas", "a.k.", "personas kods", "PESEL",
      "personal code" (people mistype codes; the keyword is enough).
    * **phone** - international numbers (+ or 00, country code, 8-15 digits in
      all, spaces, dashes or brackets between groups: "+370 612 34567",
      "+371 2612 3456", "+48 601 234 567", "+44 (0)20 7946 0958"); national
      numbers: Lithuanian 8xxxxxxxx ("861234567", "8 612 34567"), Polish 9-digit
      numbers (grouped, or bare when starting 4-8), Latvian 8-digit numbers
      starting 2 or 6, numbers with a trunk 0 and 10-11 digits (UK "07700 900123",
      "020 7946 0958"); and any 7-15 digit number right after a phone keyword
      ("tel.", "telefonas", "tālr.", "phone", "call", "skambinkite", "zvaniet",
      "dzwoń" ...).

    Not removed: prices ("129,99 EUR", "1 299 zł"), numbers followed or
    preceded by a currency, dates ("2024-03-15", "15.03.2024", "20240315"),
    times, and order or reference numbers of other lengths. Order numbers of
    exactly a phone's or a code's shape can be over-redacted; when in doubt the
    rules prefer removing too much to leaking personal data. Names and street
    addresses are not detected.

    Examples
    --------
    >>> redact("Skambinkite +370 612 34567 arba rašykite jonas@example.lt, kaina 129,99 EUR")
    'Skambinkite [phone] arba rašykite [email], kaina 129,99 EUR'
    >>> redact("PESEL 44051401359, karta 4111 1111 1111 1111")
    'PESEL [personal_code], karta [card]'
    >>> redact("mail: a@b.lv", placeholder="***")
    'mail: ***'
    """
    kinds, patterns = _check_pii_args(kinds, extra)
    try:
        placeholder.format(kind="email")
    except (AttributeError, KeyError, IndexError, ValueError):
        raise ConfigError(f"placeholder={placeholder!r}: expected text such as '[{{kind}}]' or '***'") from None
    if isinstance(text, str) or text is None or (not isinstance(text, (pd.Series, list, tuple, np.ndarray))
                                                 and pd.isna(text)):
        return _redact_one(text, kinds, placeholder, patterns)
    s = pd.Series(text) if not isinstance(text, pd.Series) else text
    return s.map(lambda v: _redact_one(v, kinds, placeholder, patterns) if isinstance(v, str) else v)


def find_pii(text, *, kinds: Iterable[str] = PII_KINDS,
             extra: Mapping[str, str | re.Pattern] | None = None) -> pd.DataFrame:
    """List the personal data :func:`redact` would remove (for audits and tests).

    Parameters
    ----------
    text : a string, or a Series / list of strings (values that are not text are skipped)
    kinds : what to look for, any of ``"email"``, ``"card"``, ``"personal_code"``, ``"phone"``
    extra : your own patterns ``{kind: regular expression}``, as in :func:`redact`

    Returns
    -------
    DataFrame
        ``row`` (index of the text in the input), ``kind``, ``start``, ``end``, ``match``.

    Examples
    --------
    >>> find_pii(["tel. 861234567", "no PII here"])[["row", "kind", "match"]]
       row   kind      match
    0    0  phone  861234567
    """
    kinds, patterns = _check_pii_args(kinds, extra)
    s = pd.Series([text]) if isinstance(text, str) else pd.Series(text)
    rows = []
    for idx, value in s.items():
        if isinstance(value, str):
            for a, b, kind in _spans(value, kinds, patterns):
                rows.append({"row": idx, "kind": kind, "start": a, "end": b, "match": value[a:b]})
    return pd.DataFrame(rows, columns=["row", "kind", "start", "end", "match"])
