"""Report languages: English, Lithuanian, Polish, Latvian.

Labels and headings (:func:`t`), counted words (:func:`tn`), names of themes, drivers and touchpoints
(:func:`name_of`), and number and date formats as each locale writes them (CLDR, through Babel):
decimal comma and a space between thousands in lt / pl / lv, dates ``2025-12-31`` (lt),
``31.12.2025`` (pl, lv), ``31 Dec 2025`` (en).

The texts live in gettext catalogues, ``cxkit/locale/cxkit.pot`` (English) and
``cxkit/locale/<lang>/LC_MESSAGES/cxkit.po``, which a translator edits without Python
(``docs/translating.md``). New keys may be added to :data:`_STRINGS` below until
``python -m cxkit.i18n_catalogue import-dict`` moves them into the catalogues.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

import pandas as pd

from . import _catalogue
from ._printer import is_missing
from .errors import ConfigError

__all__ = ["LANGUAGES", "t", "tn", "name_of", "format_number_local", "format_date_local", "format_percent_local",
           "format_month_local"]

LANGUAGES = ("en", "lt", "pl", "lv")

# New texts not yet in the catalogue: {key: {"en": ..., "lt": ..., "pl": ..., "lv": ...}}; a counted word
# has a tuple of its plural forms per language, in the order of _catalogue.PLURAL_CATEGORIES.
_STRINGS: dict[str, dict[str, str]] = {}


def _check(lang: str):
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} - expected one of {', '.join(LANGUAGES)}")


def _entry(key: str, lang: str):
    """The text (a str, or a tuple of plural forms) of ``key`` in ``lang``, falling back to English; None
    when the key is nowhere. Keys still in :data:`_STRINGS` (not yet moved to the catalogue) come first."""
    pending = _STRINGS.get(key)
    if pending is not None:
        return pending.get(lang) or pending.get("en")
    return _catalogue.texts(lang).get(key) or _catalogue.texts("en").get(key)


def t(key: str, lang: str = "en") -> str:
    """A label in the report language (falls back to English, then to the key).

    The texts are kept in the gettext catalogues in ``cxkit/locale`` (see ``docs/translating.md``);
    the catalogue of a language is read once, the first time one of its texts is asked for.

    Parameters
    ----------
    key : str
        Key of the label or heading in the message catalogue (its ``msgctxt``), e.g. ``"headline"``
        or ``"churn_rate"``. A key not in the catalogue is returned unchanged.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`).

    Returns
    -------
    str
        The label in ``lang``; the English label when that language has no text
        for the key; ``key`` itself when the key is unknown. Labels with
        placeholders (``{n_boot}``, ``{end}``, ...) are returned unformatted. For
        a counted word (a plural entry) the general form (CLDR "other"); :func:`tn`
        chooses the form that goes with a number.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> t("headline", "lt")
    'Pagrindiniai rodikliai'
    >>> t("unit", "pl"), t("no_such_label", "lv")
    ('Jednostka', 'no_such_label')
    """
    _check(lang)
    text = _entry(key, lang)
    if text is None:
        return key
    return text[-1] if isinstance(text, (tuple, list)) else text


def tn(key: str, n, lang: str = "en") -> str:
    """A counted word or phrase in the form that goes with the number ``n`` (CLDR plural rules).

    Parameters
    ----------
    key : str
        Key of a plural entry of the catalogue, e.g. ``"index_n_reports"`` or ``"narr_c_answers"``.
        An entry without plural forms is returned as :func:`t` returns it.
    n : int, float, decimal.Decimal or str
        The number. Give it as the report writes it (text such as ``"2,0"`` or ``"1 234"``) when its
        decimals matter: ``2,0`` takes a decimal number's form in Polish, ``2`` does not.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`).

    Returns
    -------
    str
        The form for ``n``, unformatted (``"{n} reports"``); the English one when ``lang`` has no
        text for the key; ``key`` itself when the key is unknown.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> [tn("index_n_reports", n, "pl").format(n=n) for n in (1, 2, 5, 22)]
    ['1 raport', '2 raporty', '5 raportów', '22 raporty']
    >>> [tn("index_n_reports", n, "lt").format(n=n) for n in (1, 2, 10, 21)]
    ['1 ataskaita', '2 ataskaitos', '10 ataskaitų', '21 ataskaita']
    """
    _check(lang)
    text = _entry(key, lang)
    if text is None:
        return key
    if not isinstance(text, (tuple, list)):
        return text
    own = len(text) == len(_catalogue.PLURAL_CATEGORIES[lang])
    rule_lang = lang if own else "en"  # an English fallback has English forms
    return text[_catalogue.plural_index(n, rule_lang)]


@functools.lru_cache(maxsize=None)
def _pattern(lang: str, kind: str, digits: int):
    """The locale's CLDR decimal or percent pattern with exactly ``digits`` decimal places (made once)."""
    import copy

    from babel import Locale

    locale = Locale.parse(_catalogue.BABEL_LOCALE[lang])
    pattern = copy.copy((locale.decimal_formats if kind == "decimal" else locale.percent_formats)[None])
    pattern.frac_prec = (digits, digits)
    return locale, pattern


def _local_digits(value, lang: str, digits: int, kind: str = "decimal") -> str:
    """``value`` rounded to ``digits`` places, written by the locale's CLDR pattern with a true minus sign."""
    from decimal import Decimal

    r = round(float(value), digits)
    locale, pattern = _pattern(lang, kind, max(int(digits), 0))
    number = Decimal(repr(abs(r)))
    text = pattern.apply(number / 100 if kind == "percent" else number, locale)
    return ("−" if r < 0 else "") + text


def format_number_local(value, lang: str = "en", digits: int = 1, signed: bool = False) -> str:
    """A number as the locale writes it (CLDR, through Babel); missing values as an en dash.

    English writes ``12,345.7``; Lithuanian, Polish and Latvian write
    ``12 345,7`` (a no-break space between thousands, a decimal comma). Negative
    numbers get a true minus sign (``−``), not a hyphen.

    Parameters
    ----------
    value : float, int or None
        The number. Missing values (None, NaN, ``pd.NA``, NaT) give ``"–"``.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`).
    digits : int, default 1
        Decimal places; the number is rounded to them.
    signed : bool, default False
        Also put ``+`` before positive numbers (for differences and changes).
        Zero gets no sign.

    Returns
    -------
    str
        The formatted number, or ``"–"`` (en dash) when ``value`` is missing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> format_number_local(12345.678, "en")
    '12,345.7'
    >>> format_number_local(12345.678, "lt") == "12\u00a0345,7"  # no-break space between thousands
    True
    >>> format_number_local(-3.25, "pl", digits=2, signed=True)
    '−3,25'
    """
    _check(lang)
    if is_missing(value):
        return "–"
    text = _local_digits(value, lang, digits)
    return "+" + text if signed and round(float(value), digits) > 0 else text


def format_percent_local(value, lang: str = "en", digits: int = 1) -> str:
    """A percentage (already 0-100) as the locale's CLDR percent format writes it: ``45.2%`` / ``45,2 %``.

    Parameters
    ----------
    value : float, int or None
        The percentage on the 0-100 scale (45.2 for 45.2 %), not a share 0-1.
        Missing values give ``"–"``.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`). English, Polish and Latvian write
        the ``%`` straight after the number (``45,2%``), Lithuanian after a no-break
        space (``45,2 %``), as CLDR has them.
    digits : int, default 1
        Decimal places.

    Returns
    -------
    str
        The number as :func:`format_number_local` writes it with the percent sign,
        or ``"–"`` (en dash) when ``value`` is missing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> format_percent_local(45.23, "en"), format_percent_local(45.23, "lv")
    ('45.2%', '45,2%')
    >>> format_percent_local(45.23, "lt") == "45,2\u00a0%"  # no-break space before %
    True
    >>> format_percent_local(None, "pl")
    '–'
    """
    _check(lang)
    if is_missing(value):
        return "–"
    return _local_digits(value, lang, digits, "percent")


def format_date_local(value, lang: str = "en") -> str:
    """A date as the locale writes it (CLDR, through Babel).

    Lithuanian and Polish use their CLDR short date, Latvian its short date with the year in full
    (CLDR has ``31.12.25``), English the British medium date.

    Parameters
    ----------
    value : str, datetime.date or pandas.Timestamp
        The date; text is read with :class:`pandas.Timestamp` (e.g.
        ``"2025-12-31"``); a time of day is left out. Missing values (None, NaN, NaT) give ``"–"``.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`): ``31 Dec 2025`` (en),
        ``2025-12-31`` (lt), ``31.12.2025`` (pl; ``1.12.2025`` as CLDR writes a one-digit day),
        ``31.12.2025`` (lv).

    Returns
    -------
    str
        The formatted date, or ``"–"`` (en dash) when ``value`` is missing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> [format_date_local("2025-12-31", lang) for lang in ("en", "lt", "pl", "lv")]
    ['31 Dec 2025', '2025-12-31', '31.12.2025', '31.12.2025']
    >>> format_date_local(pd.Timestamp("2025-10-01 00:00:00"), "lt")
    '2025-10-01'
    """
    _check(lang)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    d = pd.Timestamp(value).date() if not isinstance(value, dt.date) else value
    if isinstance(d, dt.datetime):  # a Timestamp or datetime is a date too, but its isoformat has the time
        d = d.date()
    from babel.dates import format_date

    locale, pattern = _date_pattern(lang)
    return format_date(d, pattern, locale=locale)


@functools.lru_cache(maxsize=None)
def format_month_local(value, lang: str = "en") -> str:
    """A month and year as the locale abbreviates them (CLDR stand-alone abbreviated month, through Babel).

    Parameters
    ----------
    value : date-like
        Any day of the month.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language.

    Returns
    -------
    str
        E.g. ``Jan 2024`` (en), ``saus. 2024`` (lt), ``sty 2024`` (pl), ``janv. 2024`` (lv): a name, never
        ``01.2024``, which reads like a decimal number.

    Examples
    --------
    >>> [format_month_local("2024-01-15", lang) for lang in ("en", "lt", "pl", "lv")]
    ['Jan 2024', 'saus. 2024', 'sty 2024', 'janv. 2024']
    """
    _check(lang)
    from babel.dates import format_date

    d = pd.Timestamp(value).date()
    return format_date(d, "LLL y", locale="en" if lang == "en" else _catalogue.BABEL_LOCALE[lang])


def _date_pattern(lang: str):
    """The Babel locale and CLDR date pattern of a language: ``d MMM y`` in English ("30 Sep 2025": the day
    first as en_GB writes it, with the month abbreviations of en, where en_GB has "Sept"), else the short
    pattern with the year in full."""
    from babel import Locale

    if lang == "en":
        return Locale.parse("en"), "d MMM y"
    locale = Locale.parse(_catalogue.BABEL_LOCALE[lang])
    pattern = locale.date_formats["medium" if lang == "en" else "short"].pattern
    return locale, re.sub(r"(?<!y)yy(?!y)", "y", pattern)


# Names of themes, drivers and touchpoints not yet moved to the catalogue (msgctxt "<kind>:<key>"), as
# {kind: {key: (en, lt, pl, lv)}}; `python -m cxkit.i18n_catalogue import-dict` moves them.
_NAMES: dict[str, dict[str, tuple[str, str, str, str]]] = {}


def name_of(kind: str, key: str, lang: str = "en") -> str:
    """Display name of a theme, driver or touchpoint in the report language.

    Unknown keys are shown readably (``attr_parking`` -> ``Parking``).

    Parameters
    ----------
    kind : {"theme", "driver", "touchpoint"}
        What ``key`` names: a comment theme (``"delivery"``), a driver, i.e. an
        attribute-rating column (``"attr_delivery"``), or a journey touchpoint
        (``"ordering_delivery"``). Another kind finds no names, so ``key`` is
        shown readably.
    key : str
        The theme, driver or touchpoint as it appears in the data; other values
        are turned into text.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`).

    Returns
    -------
    str
        The translated name when ``key`` is known (catalogue entry ``<kind>:<key>``);
        otherwise ``key`` with underscores as spaces, in sentence case (for drivers
        without the ``attr_`` prefix), or ``key`` unchanged if that leaves nothing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> name_of("theme", "delivery", "pl"), name_of("driver", "attr_parking", "en")
    ('Dostawa', 'Parking')
    """
    _check(lang)
    pending = _NAMES.get(kind, {}).get(str(key))
    if pending:
        return pending[LANGUAGES.index(lang)] or pending[0]
    context = f"{kind}:{key}"
    name = _catalogue.texts(lang).get(context) or _catalogue.texts("en").get(context)
    if name:
        return name
    text = str(key)
    if kind == "driver" and text.startswith("attr_"):
        text = text[5:]
    return text.replace("_", " ").strip().capitalize() or str(key)
