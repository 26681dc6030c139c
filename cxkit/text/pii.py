"""Personal data in comments: bank account numbers (IBAN, Polish NRB), e-mail addresses, phone numbers
(LT, LV, PL, UK and international), Lithuanian / Latvian / Polish personal codes and payment card numbers,
found (:func:`find_pii`) and removed (:func:`redact`) before anyone reads the comments."""
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
PII_KINDS = ("iban", "email", "card", "personal_code", "phone")

# Length of the IBAN (country code, 2 check digits and BBAN) per country, from the SWIFT IBAN Registry
# (ISO 13616-1, the registration authority's "IBAN Registry", release 98, 2024:
# https://www.swift.com/standards/data-standards/iban-international-bank-account-number).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
_ACC_SEP = r"[ \u00a0\-]"
# an IBAN candidate: country code, check digits, then the BBAN unspaced or in groups of four (the print form);
# how much of it is the IBAN is decided by the country's length (:func:`_iban_end`)
_IBAN = re.compile(r"(?<![\w@.+\-/])(?P<cc>[A-Za-z]{2})[ \u00a0]?(?P<check>\d\d)"
                   rf"(?P<bban>[A-Za-z0-9]{{11,30}}|(?:{_ACC_SEP}?[A-Za-z0-9]{{4}}){{2,7}}(?:{_ACC_SEP}?[A-Za-z0-9]{{1,3}})?)")
# Polish NRB: the PL IBAN without "PL" (2 check digits, 8-digit bank and branch, 16-digit account)
_NRB = re.compile(rf"(?<![\w+\-/.,@])\d\d(?:{_ACC_SEP}?\d{{4}}){{6}}(?![\w@]|[.,]\d)")
# a bank-account word, a few short words ("nr", "numer", "is", "mano"), then an account-like number
_ACCOUNT_KEYWORDS = (r"(?:s[aą]skait\w*|a/s|atsiskaitom\w*|kont(?:o|a|u|ā|s|em)|koncie|rachun\w*|nrb|iban|"
                     r"account\w*|acc(?:t|ount)?|a/c)")
_ACCOUNT_AFTER_KEYWORD = re.compile(
    rf"(?i)(?<!\w){_ACCOUNT_KEYWORDS}(?:[\s.:#\-]+[^\W\d]{{1,10}}\.?){{0,3}}?[\s.:#\-]{{0,4}}"
    rf"(?P<num>(?P<cc>[A-Za-z]{{2}}[ \u00a0]?)?\d\d(?:{_ACC_SEP}?[A-Za-z]{{4}}(?={_ACC_SEP}?\d))?"
    rf"(?:{_ACC_SEP}?\d){{10,32}})(?![\w@])")

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}(?![\w\-])")
_CARD = re.compile(r"(?<![\w+])\d(?:[ \-]?\d){12,18}(?!\w)")
_CODE = re.compile(r"(?<![\w+\-])(\d{6})([\-‐]?)(\d{5})(?![\w])")
# a Latvian VAT number of a person is LV + the personas kods (a company's is LV + its 4/5-started register code)
_LV_VAT = re.compile(r"(?<![\w+\-])[Ll][Vv] ?(\d{11})(?!\w)")
_CODE_KEYWORDS = re.compile(r"(?<!\w)(asmens\s+kod\w*|a\.\s?k\.|personas\s+kod\w*|p\.\s?k\.|pesel|personal\s+"
                            r"(?:code|id|number)|national\s+id\w*|id\s+code|isikukood)(?:\W+\w{1,4}){0,2}\W*$")
_SEP = r"(?:[ \u00a0\-]|\s?\(|\)\s?)?"
_PHONE_KEYWORDS = (r"(?:tel|tel\.|telefon\w*|tālr\w*|talr\w*|tālrun\w*|mob|mob\.|mobile|mobil\w*|phone|call(?: me)?|"
                   r"skambin\w*|zvan\w*|dzwo\w*|whats\s?app|sms|kontaktinis|kontaktowy)")
_PHONE_AFTER_KEYWORD = re.compile(rf"(?i)(?<!\w){_PHONE_KEYWORDS}"
                                  r"(?:[\s.:#\-]+(?:me|at|on|nr|no|na|pa|numer\w*|numur\w*))*\.?[\s:#\-]{0,4}"
                                  rf"(?P<num>(?:\+|00)?\s?\(?\d(?:{_SEP}\d){{6,14}})(?!\w|:\d)")
_PHONE = re.compile(
    r"(?<![\w+\-/.,])(?:"
    rf"(?P<intl>(?:\+|00)\s?\(?[1-9]\d{{0,2}}\)?(?:{_SEP}\d){{6,13}})"   # no country code starts with 0
    rf"|(?P<trunk0>0{_SEP}[1-9](?:{_SEP}\d){{8,9}})"                  # nor a national number after the 0
    rf"|(?P<nine>[1-9](?:{_SEP}\d){{8}})"
    rf"|(?P<lv>[26](?:{_SEP}\d){{7}})"
    r")(?![\w]|[.,:]\d)")
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


def _iban_ok(compact: str) -> bool:
    """ISO 7064 MOD 97-10 as ISO 13616 uses it: the first four characters moved to the end, letters as
    10-35, the number modulo 97 is 1."""
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _iban_end(m: re.Match, text: str) -> int | None:
    """The end of the IBAN of the country's registry length that starts at an :data:`_IBAN` candidate, or
    None (unknown country, too short, running on into a word, mostly letters, or a failed check)."""
    length = _IBAN_LENGTHS.get(m.group("cc").upper())
    if length is None:
        return None
    need = length - 4
    positions = [i for i, c in enumerate(m.group("bban")) if c.isalnum()]
    if len(positions) < need:
        return None
    end = m.start("bban") + positions[need - 1] + 1
    if end < len(text) and (text[end].isalnum() or text[end] in "_@"):
        return None
    bban = re.sub(r"[^A-Za-z0-9]", "", text[m.start("bban"):end]).upper()
    if 2 * sum(c.isdigit() for c in bban) < len(bban):
        return None
    return end if _iban_ok(m.group("cc").upper() + m.group("check") + bban) else None


def _account_after_keyword(m: re.Match, kinds: tuple[str, ...]) -> bool:
    """An account-like number after a bank-account word: with a country code 12+ digits, without 14+ digits
    (a UK sort code and account number are 14); a valid card number is left to the card rule."""
    digits = re.sub(r"\D", "", m.group("num"))
    if m.group("cc"):
        return len(digits) >= 12
    if "card" in kinds and digits == re.sub(r"[ \u00a0\-]", "", m.group("num")) and 13 <= len(digits) <= 19:
        return len(digits) >= 14 and not _luhn(digits)
    return len(digits) >= 14


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


def _iban_spans(text: str, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    """Bank account numbers: valid IBANs, valid Polish NRBs, then account-like numbers after a keyword."""
    spans = []
    for m in _IBAN.finditer(text):
        end = _iban_end(m, text)
        if end is not None:
            spans.append((m.start(), end))
    for m in _NRB.finditer(text):
        if _iban_ok("PL" + re.sub(r"\D", "", m.group(0))):
            spans.append((m.start(), m.end()))
    for m in _ACCOUNT_AFTER_KEYWORD.finditer(text):
        if _account_after_keyword(m, kinds):
            spans.append((m.start("num"), m.end("num")))
    return spans


def _email_spans(text: str, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    return [m.span() for m in _EMAIL.finditer(text)]


def _card_spans(text: str, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    return [m.span() for m in _CARD.finditer(text)
            if 13 <= len(re.sub(r"\D", "", m.group(0))) <= 19 and _luhn(re.sub(r"\D", "", m.group(0)))]


def _code_spans(text: str, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    return ([m.span() for m in _CODE.finditer(text) if _code_match(m, text)]
            + [m.span() for m in _LV_VAT.finditer(text) if m.group(1).startswith("32") or _lv_code(m.group(1))])


def _phone_spans(text: str, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for m in _PHONE_AFTER_KEYWORD.finditer(text):
        if 7 <= len(re.sub(r"\D", "", m.group("num"))) <= 15:
            shaped = _PHONE.match(text, m.start("num"))  # a known phone shape: keep its exact extent
            end = shaped.end() if shaped and _phone_match(shaped, text) else m.end("num")
            spans.append((m.start("num"), end))
    return spans + [m.span() for m in _PHONE.finditer(text) if _phone_match(m, text)]


#: the finders of the built-in kinds, in the order of matching
_FINDERS = {"iban": _iban_spans, "email": _email_spans, "card": _card_spans, "personal_code": _code_spans,
            "phone": _phone_spans}


def _spans(text: str, kinds: tuple[str, ...], extra: dict[str, re.Pattern]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) spans of PII, found in the order IBAN, e-mail, card, code, phone,
    extra (a later finding overlapping an earlier one is dropped)."""
    found = [(a, b, kind) for kind, finder in _FINDERS.items() if kind in kinds for a, b in finder(text, kinds)]
    found += [(m.start(), m.end(), kind) for kind, rx in extra.items() for m in rx.finditer(text)]
    taken: list[tuple[int, int, str]] = []
    for a, b, kind in found:
        if all(b <= s or a >= e for s, e, _ in taken):
            taken.append((a, b, kind))
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
    kinds : what to remove, any of ``"iban"``, ``"email"``, ``"card"``, ``"personal_code"``, ``"phone"``
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

    * **iban** - bank account numbers: IBANs of every country in the SWIFT
      IBAN registry, of the registry's length, unspaced or in groups of four,
      upper or lower case ("LT12 1000 0111 0100 1000", "pl61109010140000071219812874"),
      when the ISO 7064 MOD 97-10 check passes; Polish NRB account numbers
      (the PL IBAN without "PL": "61 1090 1014 0000 0712 1981 2874") passing
      the same check; and, after a bank-account word ("sąskaita", "a/s",
      "konto", "nr konta", "rachunek", "konts", "account", "IBAN", "NRB"),
      any account-like number even when the check fails (people mistype):
      12+ digits after a country code, 14+ digits without one.
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
      "personal code" (people mistype codes; the keyword is enough); and a
      Latvian VAT number of a person, "LV" + a valid personas kods.
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
    rules prefer removing too much to leaking personal data. Names, street
    addresses, company codes and other VAT numbers are not detected
    (docs/comments.md says why); an IBAN with a wrong check digit and no bank-account word
    before it is not taken for an IBAN.

    Examples
    --------
    >>> redact("Skambinkite +370 612 34567 arba rašykite jonas@example.lt, kaina 129,99 EUR")
    'Skambinkite [phone] arba rašykite [email], kaina 129,99 EUR'
    >>> redact("PESEL 44051401359, karta 4111 1111 1111 1111")
    'PESEL [personal_code], karta [card]'
    >>> redact("Grąžinkite į LT12 1000 0111 0100 1000, užsakymas 123456")
    'Grąžinkite į [iban], užsakymas 123456'
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
    kinds : what to look for, any of :data:`PII_KINDS` (``"iban"``, ``"email"``, ``"card"``,
        ``"personal_code"``, ``"phone"``)
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
