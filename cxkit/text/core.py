"""Free-text comments: PII redaction, keyword themes per language, theme impact on NPS.

* :func:`redact` removes e-mail addresses, phone numbers (LT, LV, PL, UK and
  international), Lithuanian / Latvian / Polish personal codes and payment card
  numbers from comments before anyone reads them; :func:`find_pii` lists what
  it would remove.
* :data:`THEMES` holds keyword/stem dictionaries for Lithuanian, Latvian,
  Polish and English with the common CX themes (delivery, price, staff,
  waiting, website, billing, quality); :func:`load_themes` merges your own
  (dict or YAML file). Matching is case- and accent-insensitive and uses stems,
  so inflected forms match ("pristatymas", "pristatymo", "pristatymą").
* :func:`themes` flags the themes of each comment; :func:`theme_summary` counts
  them per NPS group and tests whether comments on a theme come with a
  different NPS (with a multiple-testing correction); :func:`example_comments`
  picks redacted examples.

Methods and the dictionary format are described in ``docs/statistics.md`` and
``docs/comments.md``.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import yaml
from statsmodels.stats.multitest import multipletests

from ..stats.comparisons import _nps_diff_arrays
from ..drivers import _as_frame, _TableResult
from ..errors import ConfigError, InsufficientDataError
from ..stats.metrics import NPS_BANDS, _z

__all__ = ["THEMES", "LANGUAGES", "PII_KINDS", "ThemeDictionary", "ThemeSummary", "load_themes", "detect_language",
           "themes", "theme_summary", "example_comments", "redact", "find_pii", "fold_text"]

# ======================================================================================
# text folding


_EXTRA_FOLD = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "’": "'", "‘": "'"})


def fold_text(text: str) -> str:
    """Lower-case a text and strip accents: how comments and dictionary entries are compared.

    Unicode case folding, then diacritics removed (NFKD without combining marks)
    and a few letters that do not decompose mapped by hand (Polish ł -> l).

    Examples
    --------
    >>> fold_text("Pristatymą DOSTAWĘ Piegādē Łódź")
    'pristatyma dostawe piegade lodz'
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_EXTRA_FOLD)


# ======================================================================================
# theme dictionaries

#: Languages with shipped dictionaries.
LANGUAGES = ("lt", "lv", "pl", "en")

#: Default CX themes per language. Entry syntax (matched case- and accent-insensitively,
#: on whole words): ``word`` = exactly this word; ``stem*`` = any word starting with the
#: stem; ``two words`` = a phrase (each word may end with ``*``); ``-entry`` = exclusion:
#: words matching it never count for the theme.
THEMES: dict[str, dict[str, list[str]]] = {
    "lt": {
        "delivery": ["pristat*", "kurjer*", "siunt*", "atvež*", "neatvež*", "paštomat*", "išsiunt*", "logistik*", "vairuotoj*"],
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


# ======================================================================================
# language detection

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

    Examples
    --------
    >>> detect_language(["Pristatymas vėlavo", "Dostawa spóźniła się", "Piegāde kavējās", "It was late", "OK"]).tolist()
    ['lt', 'pl', 'lv', 'en', None]
    """
    if isinstance(texts, str) or texts is None:
        return _detect_one(texts)
    s = pd.Series(texts, dtype="object")
    return s.map(_detect_one).astype("object")


# ======================================================================================
# theme flags


def _text_series(frame: pd.DataFrame, text: str) -> pd.Series:
    if text not in frame.columns:
        raise ConfigError(f"text={text!r}: no such column; available: {', '.join(map(str, frame.columns))}")
    s = frame[text].astype("object")
    return s.where(s.map(lambda v: isinstance(v, str) and bool(v.strip())), None)


def _languages(frame: pd.DataFrame, comments: pd.Series, language, known: Iterable[str]) -> pd.Series:
    """Language code per comment (None = match against every dictionary)."""
    known = set(known)
    if language is None:
        return pd.Series(None, index=frame.index, dtype="object")
    if isinstance(language, str) and language in frame.columns:
        lang = frame[language].astype("object").map(lambda v: str(v).strip().lower() if isinstance(v, str) else None)
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


def _flags(comments: pd.Series, langs: pd.Series, dictionary: ThemeDictionary) -> pd.DataFrame:
    names: list[str] = []
    for block in dictionary.values():
        names += [t for t in block if t not in names]
    out = np.zeros((len(comments), len(names)), dtype=bool)
    has = comments.notna().to_numpy()
    raw_codes, raw_unique = pd.factorize(comments.astype(object), use_na_sentinel=True)  # fold each text once
    folded_unique = np.array([fold_text(t) for t in raw_unique] + [""], dtype=object)
    folded = folded_unique[raw_codes]  # -1 (no comment) -> ""
    lang = langs.to_numpy(dtype=object)
    code_of = np.array([c if isinstance(c, str) and c in dictionary else "*" for c in lang], dtype=object)
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


# ======================================================================================
# theme impact on NPS

_CORRECTIONS = ("fdr_bh", "holm", "bonferroni", "none")


@dataclass(frozen=True)
class ThemeSummary(_TableResult):
    """Themes of comments with their frequency and NPS impact (see :func:`theme_summary`)."""

    table: pd.DataFrame
    score: str
    n_comments: int
    correction: str
    confidence: float
    messages: tuple = ()

    digits = 3

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Comment themes and {self.score} ({self.n_comments:,} comments)".replace(",", " ")


def _score_groups(values: np.ndarray) -> np.ndarray:
    """0 detractor, 1 passive, 2 promoter, -1 missing (default NPS bands)."""
    g = np.full(len(values), -1)
    for code, band in enumerate(("detractors", "passives", "promoters")):
        lo, hi = NPS_BANDS[band]
        g[(values >= lo) & (values <= hi)] = code
    return g


def _theme_tests(flags: np.ndarray, groups: np.ndarray, *, min_n: int, correction: str, alpha: float,
                 confidence: float) -> dict[str, np.ndarray]:
    """NPS of comments with vs without each theme, vectorised over themes.

    ``flags`` (m, k) bool, ``groups`` (m,) in {-1, 0, 1, 2}. Returns arrays per theme.
    """
    onehot = (groups[:, None] == np.arange(3)[None, :]).astype(float)
    with_ = flags.T.astype(float) @ onehot                  # (k, 3) detractors, passives, promoters
    without = onehot.sum(axis=0)[None, :] - with_
    n_with, n_without = with_.sum(axis=1), without.sum(axis=1)
    raw, low, high, _, p, _ = _nps_diff_arrays(with_.T, without.T, "adjusted-wald", confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        nps_with = (with_[:, 2] - with_[:, 0]) / n_with * 100
        nps_without = (without[:, 2] - without[:, 0]) / n_without * 100
    tested = (n_with >= min_n) & (n_without >= min_n)
    p = np.where(tested, p, np.nan)
    low, high, raw = (np.where(tested, v * 100, np.nan) for v in (low, high, raw))
    p_adj = np.full_like(p, np.nan)
    if tested.any():
        if correction == "none":
            p_adj[tested] = p[tested]
        else:
            p_adj[tested] = multipletests(p[tested], alpha=alpha, method=correction)[1]
    return {"n_with": n_with.astype(int), "n_without": n_without.astype(int), "nps_with": nps_with,
            "nps_without": nps_without, "diff": raw, "ci_low": low, "ci_high": high, "p_value": p,
            "p_adjusted": p_adj, "significant": np.where(tested, p_adj < alpha, False), "counts": with_}


def theme_summary(data=None, *, text: str = "comment", language: str | None = "language", dictionary=None,
                  score: str = "nps", by_group: bool = True, correction: str = "fdr_bh", alpha: float = 0.05,
                  min_n: int = 30, confidence: float = 0.95, flags: pd.DataFrame | None = None) -> ThemeSummary:
    """How often each theme is mentioned, by whom, and how it goes with NPS.

    Parameters
    ----------
    data, text, language, dictionary : as in :func:`themes`
    score : 0-10 likelihood-to-recommend column
    by_group : add the share of detractors', passives' and promoters' comments mentioning each theme
    correction : multiple-testing correction across the themes tested: ``"fdr_bh"``
        (Benjamini-Hochberg, default), ``"holm"``, ``"bonferroni"`` or ``"none"``
    alpha : significance level (after correction)
    min_n : minimum comments with a score on each side (with / without the theme) for a test
    confidence : level of the interval of the NPS difference
    flags : the result of :func:`themes` for the same ``data`` when it is already at hand
        (a report that also picks :func:`example_comments`): the comments are not matched again

    Returns
    -------
    ThemeSummary
        ``.summary`` has one row per theme, most mentioned first:

        * ``theme``; ``mentions`` - comments mentioning it; ``share`` - % of all comments
        * ``share_detractors``, ``share_passives``, ``share_promoters`` - % of the comments
          of each NPS group that mention the theme (with ``by_group=True``)
        * ``n_with``, ``nps_with`` - scored comments mentioning the theme and their NPS (points)
        * ``n_without``, ``nps_without`` - the other scored comments and their NPS
        * ``diff`` - nps_with − nps_without (points) with ``ci_low``, ``ci_high``
        * ``p_value`` (NPS z-test, adjusted Wald), ``p_adjusted`` (after ``correction``),
          ``significant`` (p_adjusted < alpha)

        Themes with fewer than ``min_n`` comments on either side are not tested
        (empty difference and p-values) and are left out of the correction.

    Notes
    -----
    The comparison is among respondents who left a comment: commenters are not
    a random subset of all respondents, so "NPS of comments on delivery" vs
    "other comments" says which topics go with unhappy customers, not what
    fixing them would do. A comment mentioning several themes counts for each.
    The test is :func:`cxkit.nps_test` (two-sample z-test with the adjusted-Wald
    variance), vectorised over themes; the correction uses statsmodels
    ``multipletests`` with the method named explicitly.

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
    JRSS B 57, 289-300. Rocks, B. (2016). Interval estimation for the "Net
    Promoter Score". The American Statistician 70, 365-372.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment": ["Late delivery."] * 40 + ["Great staff."] * 40,
    ...                    "nps": [3] * 30 + [9] * 10 + [10] * 35 + [5] * 5, "language": "en"})
    >>> s = theme_summary(df, min_n=20).summary
    >>> s.loc[s.theme.isin(["delivery", "staff"]), ["theme", "mentions", "nps_with", "diff", "significant"]]
          theme  mentions  nps_with   diff  significant
    0  delivery        40     -50.0 -125.0         True
    1     staff        40      75.0  125.0         True
    """
    frame = _as_frame(data)
    if correction is None:
        correction = "none"
    if correction not in _CORRECTIONS:
        raise ConfigError(f"correction={correction!r} - expected one of {', '.join(_CORRECTIONS)}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha={alpha!r} - expected a number between 0 and 1, e.g. 0.05")
    _z(confidence)
    if score not in frame.columns:
        raise ConfigError(f"score={score!r}: no such column; available: {', '.join(map(str, frame.columns))}")
    flags = _given_flags(flags, frame) if flags is not None else themes(frame, text=text, language=language,
                                                                         dictionary=dictionary)
    comments = _text_series(frame, text)
    has = comments.notna().to_numpy()
    m = int(has.sum())
    if m == 0:
        raise InsufficientDataError(f"no comments in column {text!r}")
    try:
        values = frame[score].to_numpy(dtype="float64", na_value=np.nan)[has]
    except (TypeError, ValueError):
        raise ConfigError(f"score={score!r}: expected 0-10 numbers") from None
    if np.nanmax(values, initial=0) > 10 or np.nanmin(values, initial=0) < 0:
        raise ConfigError(f"score={score!r}: expected 0-10 answers (likelihood to recommend)")
    f = flags.to_numpy()[has]
    groups = _score_groups(values)
    res = _theme_tests(f, groups, min_n=int(min_n), correction=correction, alpha=alpha, confidence=confidence)
    mentions = f.sum(axis=0)
    table = pd.DataFrame({"theme": flags.columns, "mentions": mentions.astype(int), "share": mentions / m * 100})
    if by_group:
        per_group = np.bincount(groups[groups >= 0], minlength=3).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            for code, name in enumerate(("detractors", "passives", "promoters")):
                table[f"share_{name}"] = res["counts"][:, code] / per_group[code] * 100
    for col in ("n_with", "nps_with", "n_without", "nps_without", "diff", "ci_low", "ci_high", "p_value",
                "p_adjusted", "significant"):
        table[col] = res[col]
    table["significant"] = table["significant"].astype(bool)
    table = table.sort_values("mentions", ascending=False, kind="stable").reset_index(drop=True)

    messages = []
    none = int((~f.any(axis=1)).sum())
    messages.append(f"{none:,} of {m:,} comments ({none / m:.0%}) match no theme; extend the dictionary "
                    "with load_themes() if they share a topic.")
    untested = table.loc[table["p_value"].isna(), "theme"].tolist()
    if untested:
        messages.append(f"Not tested (fewer than {min_n} scored comments with or without the theme): "
                        f"{', '.join(untested)}.")
    scored = int((groups >= 0).sum())
    if scored < m:
        messages.append(f"{m - scored:,} comments have no {score}; they count in mentions but not in the NPS columns.")
    label = {"fdr_bh": "Benjamini-Hochberg (false discovery rate)", "holm": "Holm", "bonferroni": "Bonferroni",
             "none": "no correction"}[correction]
    messages.append(f"p-values corrected across {int(table['p_value'].notna().sum())} themes: {label}; "
                    f"significant = adjusted p < {alpha}.")
    return ThemeSummary(table=table, score=score, n_comments=m, correction=correction, confidence=confidence,
                        messages=tuple(messages))


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


# ======================================================================================
# PII redaction

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
