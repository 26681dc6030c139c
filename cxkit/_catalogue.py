"""The message catalogues: reading ``cxkit/locale`` (gettext ``.pot`` / ``.po``) and choosing plural forms.

The English texts are the ``.pot`` template (``msgctxt`` = key, ``msgid`` = English text); each other
language is ``locale/<lang>/LC_MESSAGES/cxkit.po``. A catalogue is read with Babel once per language,
the first time a text of that language is asked for, and kept (Babel is not imported with ``cxkit``).

Plural forms follow the CLDR plural rules (https://www.unicode.org/cldr/charts/latest/supplemental/
language_plural_rules.html) through :attr:`babel.Locale.plural_form`; ``msgstr[i]`` of a plural entry
is the form of the i-th category of :data:`PLURAL_CATEGORIES`, the order of the ``Plural-Forms`` header.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "cxkit"

# CLDR plural categories of each language, in the order of msgstr[0], msgstr[1], ... (and of the header)
PLURAL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "en": ("one", "other"),
    "lt": ("one", "few", "many", "other"),
    "pl": ("one", "few", "many", "other"),
    "lv": ("zero", "one", "other"),
}
# gettext's Plural-Forms for the same rules (gettext counts whole numbers only: the lt and pl forms for
# decimal numbers, CLDR "many" in lt and "other" in pl, are chosen from CLDR's rules at run time)
PLURAL_FORMS: dict[str, str] = {
    "en": "nplurals=2; plural=(n != 1);",
    "lt": "nplurals=4; plural=(n % 10 == 1 && (n % 100 < 11 || n % 100 > 19) ? 0 : "
          "n % 10 >= 2 && (n % 100 < 11 || n % 100 > 19) ? 1 : n % 1 != 0 ? 2 : 3);",
    "pl": "nplurals=4; plural=(n == 1 ? 0 : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : "
          "n % 1 == 0 ? 2 : 3);",
    "lv": "nplurals=3; plural=(n % 10 == 0 || n % 100 >= 11 && n % 100 <= 19 ? 0 : "
          "n % 10 == 1 && n % 100 != 11 ? 1 : 2);",
}
# what Babel calls the locales: English dates as in the UK (31 Dec 2025), numbers as everywhere
BABEL_LOCALE = {"en": "en_GB", "lt": "lt", "pl": "pl", "lv": "lv"}


def catalogue_path(lang: str, locale_dir: Path | None = None) -> Path:
    """The ``.pot`` (``lang="en"``) or the ``.po`` file of a language."""
    base = Path(locale_dir) if locale_dir is not None else LOCALE_DIR
    return base / f"{DOMAIN}.pot" if lang == "en" else base / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(path: Path):
    """The catalogue in ``path`` as a :class:`babel.messages.catalog.Catalog` (empty when there is no file)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if not Path(path).exists():
        return Catalog()
    with open(path, "rb") as fh:
        return read_po(fh, abort_invalid=True)


def _usable(message, lang: str):
    """The text (or tuple of plural forms) of a catalogue entry; None when it has none (empty or fuzzy)."""
    if lang == "en":
        return message.id
    if message.fuzzy:
        return None
    text = message.string
    if isinstance(text, (tuple, list)):
        return tuple(text) if text and all(text) else None
    return text or None


@functools.lru_cache(maxsize=None)
def texts(lang: str, locale_dir: Path | None = None) -> dict:
    """Key (``msgctxt``) -> text, or tuple of plural forms, of one language; read once, then cached."""
    out = {}
    for message in read_catalogue(catalogue_path(lang, locale_dir)):
        if not message.id or message.context is None:
            continue
        value = _usable(message, lang)
        if value is not None:
            out[message.context] = value
    return out


def as_decimal(number, lang: str = "en") -> Decimal:
    """A count or an amount as the :class:`~decimal.Decimal` the plural rules read, without its sign.

    Text is read as ``lang`` writes numbers (``"1 234,5"`` in lt / pl / lv, ``"1,234.5"`` in en), keeping
    its written decimals (``"2,0"`` has one: CLDR's operand v = 1); a float with no fraction counts as a
    whole number.
    """
    if isinstance(number, str):
        text = re.sub(r"[^\d,.]", "", number)
        text = text.replace(",", "") if lang == "en" else text.replace(".", "").replace(",", ".")
        try:
            return abs(Decimal(text or "0"))
        except InvalidOperation:
            return Decimal(0)
    if isinstance(number, float):
        return abs(Decimal(int(number))) if number.is_integer() else abs(Decimal(repr(number)))
    return abs(Decimal(number))


@functools.lru_cache(maxsize=None)
def _rule(lang: str):
    from babel import Locale

    return Locale.parse(BABEL_LOCALE[lang]).plural_form


def plural_index(number, lang: str) -> int:
    """Which ``msgstr[i]`` of a plural entry goes with ``number`` in ``lang`` (CLDR's plural rules)."""
    category = _rule(lang)(as_decimal(number, lang))
    return PLURAL_CATEGORIES[lang].index(category)
