"""Theme dictionaries: the shipped keyword/stem lists per language (:data:`THEMES`), your own merged in
(:func:`load_themes`), and the regular expression each theme's entries compile to.

The dictionary format is described in ``docs/comments.md``.
"""
from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Mapping

import yaml

from ..errors import ConfigError
from .language import fold_text

__all__ = ["THEMES", "ThemeDictionary", "load_themes"]


#: Default CX themes per language. Entry syntax (matched case- and accent-insensitively,
#: on whole words): ``word`` = exactly this word; ``stem*`` = any word starting with the
#: stem; ``two words`` = a phrase (each word may end with ``*``); ``-entry`` = exclusion:
#: words matching it never count for the theme.
THEMES: dict[str, dict[str, list[str]]] = {
    "lt": {
        "delivery": ["pristat*", "kurjer*", "siunt*", "atvež*", "neatvež*", "paštomat*", "išsiunt*", "logistik*",
                     "vairuotoj*"],
        "price": ["kain*", "brang*", "pig*", "nuolaid*", "-pigment*"],
        "staff": ["darbuotoj*", "personal*", "konsultant*", "pardavėj*", "aptarnavim*", "kasinink*", "vadybinink*",
                  "mandag*", "nemandag*", "konsultav*", "-personalin*"],
        "waiting": ["lauki*", "laukėm*", "laukėt*", "laukt*", "palauk*", "nelauk*", "išlauk*", "eilė", "eilės",
                    "eilę", "eilėje", "eilėse", "eilių", "eilėmis", "eilėms", "eilei", "-laukin*"],
        "website": ["svetain*", "puslap*", "tinklalap*", "internet*", "e-parduotuv*", "programėl*", "paiešk*",
                    "prisijung*", "krepšel*"],
        "billing": ["sąskait*", "faktūr*", "mokėjim*", "apmokėjim*", "nuskaič*", "nuraš*", "permok*", "sumokėj*",
                    "mokest*", "mokesč*"],
        "quality": ["kokyb*", "kokybišk*", "nekokybišk*", "suged*", "gedim*", "brokas", "broko", "broką",
                    "brokuot*", "defekt*", "sulūž*", "lūž*", "sugadint*"],
    },
    "lv": {
        "delivery": ["piegād*", "kurjer*", "sūtījum*", "paka", "pakas", "paku", "pakā", "pakomāt*", "atved*",
                     "neatved*", "nogādā*", "izsūtī*"],
        "price": ["cena", "cenas", "cenu", "cenai", "cenā", "cenām", "cenās", "cenrād*", "dārg*", "lēts", "lēta",
                  "lēti", "lētas", "lētu", "lētāk*", "atlaid*"],
        "staff": ["darbiniek*", "darbiniec*", "personāl*", "konsultant*", "pārdevēj*", "apkalpošan*", "kasier*",
                  "pieklājīg*", "nepieklājīg*", "konsultēj*"],
        "waiting": ["gaid*", "jāgaid*", "nogaid*", "pagaid*", "rind*", "-pagaidām", "-rindkop*", "-rindiņ*"],
        "website": ["mājaslap*", "mājas lap*", "vietn*", "tīmekļ*", "internet*", "e-veikal*", "lietotn*",
                    "-vietniek*"],
        "billing": ["rēķin*", "maksājum*", "apmaks*", "pārmaks*", "faktūr*", "norēķin*", "noņēma", "iekasē*"],
        "quality": ["kvalitāt*", "kvalitatīv*", "nekvalitatīv*", "brāķ*", "defekt*", "salūz*", "bojāt*", "bojājum*",
                    "saplīs*"],
    },
    "pl": {
        "delivery": ["dostaw*", "dostarcz*", "kurier*", "przesyłk*", "przesyłek", "paczk*", "paczek", "wysyłk*",
                     "wysyłek", "doręcz*", "dowóz*", "dowoz*", "-dostawk*"],
        "price": ["cena", "ceny", "cenę", "ceną", "cenie", "cen", "cenami", "cenach", "cenom", "cenow*", "drogo",
                  "drogie", "za drog*", "drożej", "droższ*", "drożyzn*", "tani*", "tanio", "taniej", "przecen*",
                  "rabat*", "zniżk*", "koszt*", "-taniec"],
        "staff": ["pracowni*", "personel*", "konsultant*", "sprzedawc*", "sprzedawczyn*", "obsług*", "kasjer*",
                  "doradc*", "niegrzeczn*", "grzeczn*", "uprzejm*", "nieuprzejm*", "kierownik*", "-pracownia",
                  "-pracowni", "-pracownię", "-pracownią", "-pracowniach", "-pracownie"],
        "waiting": ["czeka*", "poczeka*", "odczeka*", "naczeka*", "kolejk*", "kolejce", "kolejek"],
        "website": ["stron*", "witryn*", "internet*", "aplikacj*", "wyszukiwar*", "e-sklep*", "logowani*",
                    "zalogow*", "koszyk*", "-stronnic*", "-stronn*"],
        "billing": ["faktur*", "rachun*", "obciąż*", "pobrano", "pobrali", "nadpłat*", "rozliczeni*", "płatnoś*"],
        "quality": ["jakość*", "jakościow*", "zepsu*", "popsu*", "wada", "wady", "wadą", "wadę", "wadami", "wadach",
                    "wadliw*", "usterk*", "defekt*", "uszkodz*"],
    },
    "en": {
        "delivery": ["deliver*", "courier*", "shipping", "shipped", "shipment*", "parcel*", "dispatch*", "postage",
                     "tracking"],
        "price": ["price*", "pricing", "priced", "overpriced", "expensive", "inexpensive", "cheap*", "costly", "cost",
                  "costs", "afford*", "discount*", "value for money", "-priceless"],
        "staff": ["staff*", "employee*", "consultant*", "assistant*", "salesperson*", "cashier*", "agent*",
                  "representative*", "manager*", "rude*", "polite*", "impolite*", "personnel", "advis*", "advice",
                  "-advisab*"],
        "waiting": ["wait*", "queue*", "queuing", "on hold", "-waiter*", "-waitress*"],
        "website": ["website*", "web site*", "webpage*", "web page*", "site", "sites", "online", "app", "apps",
                    "checkout", "check-out", "login", "log in", "internet"],
        "billing": ["invoice*", "bill", "bills", "billing", "billed", "charge", "charged", "charges", "overcharg*",
                    "refund*", "direct debit", "payment*"],
        "quality": ["quality", "faulty", "defect*", "broke", "broken", "breaks", "damaged", "poorly made",
                    "low-quality", "malfunction*"],
    },
}

_ENTRY = re.compile(r"^-?[^\W\d_][\w'\-]*\*?(?: [^\W\d_][\w'\-]*\*?)*$")


class ThemeDictionary(dict):
    """A complete theme dictionary ``{language: {theme: [entries]}}`` (from :func:`load_themes`).

    Passed to :func:`themes` it is used as it is (not merged into the defaults again).

    Parameters
    ----------
    *args, **kwargs : as for ``dict``: ``{language: {theme: [entries]}}``, entries in the
        syntax of :data:`THEMES`
    """


def _check_entries(lang: str, theme: str, entries) -> list[str]:
    if isinstance(entries, str):
        entries = [entries]
    if not isinstance(entries, (list, tuple)):
        raise ConfigError(f"themes: {lang}.{theme} must be a list of words or stems, got {type(entries).__name__}")
    out = []
    for e in entries:
        text = " ".join(str(e).split())
        if not _ENTRY.match(text):
            raise ConfigError(f"themes: {lang}.{theme}: entry {str(e)!r} is not a word, a stem ending with '*', "
                              "a phrase of such words, or an exclusion starting with '-'")
        out.append(text)
    return out


def load_themes(source=None, *, mode: str = "extend") -> ThemeDictionary:
    """Theme dictionary: the shipped :data:`THEMES` merged with your own.

    Parameters
    ----------
    source : None (defaults only), a dict ``{language: {theme: [entries]}}`` or the
        path of a YAML (or JSON) file with that structure. A theme set to ``null``
        is removed from that language.
    mode : ``"extend"`` (default) adds your entries to the default list of a theme;
        ``"replace"`` replaces the default list of each theme you give;
        ``"only"`` ignores the defaults.

    Returns
    -------
    ThemeDictionary
        ``{language: {theme: [entries]}}``; entries use the syntax of :data:`THEMES`.

    Examples
    --------
    >>> d = load_themes({"lt": {"parking": ["parking*", "automobil*"]}, "en": {"price": ["pricey"]}})
    >>> d["lt"]["parking"], "pricey" in d["en"]["price"], "price*" in d["en"]["price"]
    (['parking*', 'automobil*'], True, True)
    """
    if mode not in ("extend", "replace", "only"):
        raise ConfigError(f"mode={mode!r} - expected 'extend', 'replace' or 'only'")
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            source = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the theme file ({exc.strerror or exc})") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if source is not None and not isinstance(source, Mapping):
        raise ConfigError("themes: expected {language: {theme: [words or stems]}}, e.g. "
                          "{'lt': {'delivery': ['pristat*']}}")
    out = ThemeDictionary() if mode == "only" else ThemeDictionary(copy.deepcopy(THEMES))
    for lang, block in (source or {}).items():
        lang = str(lang).strip().lower()
        if block is None:
            out.pop(lang, None)
            continue
        if not isinstance(block, Mapping):
            raise ConfigError(f"themes: language {lang!r} must map theme names to lists of words or stems")
        target = out.setdefault(lang, {})
        for theme, entries in block.items():
            theme = str(theme).strip()
            if entries is None:
                target.pop(theme, None)
                continue
            entries = _check_entries(lang, theme, entries)
            if mode == "extend" and theme in target:
                target[theme] = target[theme] + [e for e in entries if e not in target[theme]]
            else:
                target[theme] = entries
    return out


def _resolve_dictionary(dictionary) -> ThemeDictionary:
    if isinstance(dictionary, ThemeDictionary):
        return dictionary
    return load_themes(dictionary, mode="extend")


def _entry_regex(entry: str) -> str:
    parts = []
    for token in fold_text(entry).split():
        stem = token.endswith("*")
        parts.append(re.escape(token.rstrip("*")) + (r"\w*" if stem else ""))
    return r"\s+".join(parts)


@functools.lru_cache(maxsize=512)
def _theme_regex(entries: tuple[str, ...]) -> re.Pattern | None:
    include = [_entry_regex(e) for e in entries if not e.startswith("-")]
    exclude = [_entry_regex(e[1:]) for e in entries if e.startswith("-")]
    if not include:
        return None
    guard = rf"(?!(?:{'|'.join(exclude)})(?!\w))" if exclude else ""
    return re.compile(rf"(?<!\w){guard}(?:{'|'.join(include)})(?!\w)")
