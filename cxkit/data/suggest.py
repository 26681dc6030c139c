"""A draft column mapping for an export: which of its columns is the NPS, CSAT or CES question, the
response id, the unit, the date, ... guessed from the header's wording (English, Lithuanian, Polish,
Latvian and the common other languages) and from the values, with the reason for every guess.

The file is read with cxkit's own readers (encodings, delimiters, title rows and the extra header
rows of survey platforms), and the values are tried with cxkit's own converters, so a suggested
score or date column is one that loads.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._folding import fold_text
from .._printer import Result
from .contract import DEFAULT_SCALES, Column, TableMapping, TableSpec, normalise_header, table_spec
from .convert.columns import _convert, _precheck
from .convert.context import _Conversion
from .headers import _name_unnamed
from .readers.detect import _open_source

__all__ = ["MappingSuggestion", "suggest_mapping"]

#: how sure a suggestion is, from the score of its evidence
_CONFIDENCE = ((90, "high"), (50, "medium"), (0, "low"))

#: words for a survey answer and for an id or number, in the languages of the wording rules
_RESPONSE = (r"(respon|answer|submission|survey|atsakym|apklaus|odpowiedz|ankiet|atbild|aptauj|reponse|respuesta"
             r"|resposta|encuesta|questionnaire)")
_ID = r"(id|nr|no|number|numer\w*|numur\w*|numero|kod\w*|code)\b"

#: Question wording, as stems of the folded header (lower case, no accents): field -> (stem regex, language(s)).
_WORDING: dict[str, tuple[tuple[str, str], ...]] = {
    "nps": ((r"recom+(i?e|a)nd", "en/fr/es/pt"), (r"rekomend", "lt"), (r"polec", "pl"), (r"ieteik", "lv"),
            (r"empfehl", "de"), (r"raccomand|consiglier", "it"), (r"aanbevel", "nl"), (r"рекоменд|посовет", "ru"),
            (r"\bnps\b|net promoter", "NPS")),
    "csat": ((r"satisf", "en/fr/es/pt"), (r"patenkint|pasitenkin", "lt"), (r"zadowol", "pl"), (r"apmierin", "lv"),
             (r"zufrieden", "de"), (r"soddisf", "it"), (r"tevreden", "nl"), (r"удовлетвор|доволь", "ru"),
             (r"\bcsat\b", "CSAT")),
    "ces": ((r"effort|\beas[ey]|\beasi", "en/fr"), (r"lengv|pastang", "lt"), (r"latw|wysil", "pl"),
            (r"viegl|\bpul", "lv"), (r"facil|esfuerzo|esforco", "fr/es/pt"), (r"einfach|aufwand", "de"),
            (r"\bces\b", "CES")),
    "response_id": ((rf"{_RESPONSE}\w*\s?{_ID}|\b{_ID}\s(de\s)?(la\s)?{_RESPONSE}", "id"),
                    (r"^(id|nr|no|respondent|response)$", "id")),
    "customer_id": ((r"(customer|client|klient|klien|pirkej|kund|member|account|konto)\w*\s?(id|nr|no|number|kod)",
                     "customer id"), (r"^(customer|client|klientas|klient|klients|cliente)$", "customer")),
    "unit": ((r"\b(shop|store|branch|unit|outlet|location|site)\b", "en"), (r"parduotuv|padalin|filial", "lt"),
             (r"sklep|oddzial|placowk|salon", "pl"), (r"veikal|nodal", "lv"), (r"magasin|agence", "fr"),
             (r"tienda|sucursal|loja|agencia", "es/pt")),
    "date": ((r"\bdate|recorded|submitted|timestamp|\bend\s?date", "en"), (r"\bdata\b|datums|fecha|\bdatum", "date"),
             (r"laikas|czas|laiks", "time")),
    "touchpoint": ((r"touch\s?point|\bchannel|journey", "en"), (r"kanal|salycio|punkt kontaktu|saskarsm", "lt/pl/lv"),
                   (r"point de contact|canal", "fr/es/pt")),
    "comment": ((r"comment|feedback|remark|\bwhy\b|reason", "en"), (r"koment|pastab|kodel", "lt/pl/lv"),
                (r"uwag|dlaczego|piezim|kapec", "pl/lv"),
                (r"commentaire|comentari|pourquoi|por que|porque", "fr/es/pt")),
    "language": ((r"\blang(uage)?\b|kalba|jezyk|valod|langue|idioma", "language"),),
}

#: value rules: which kinds of column each field wants (fields without a rule are suggested by wording only)
_SCORE_FIELDS = ("nps", "csat", "ces")
_LANGUAGE_CODES = {"lt", "lv", "pl", "en", "ru", "de", "fr", "es", "pt", "et", "fi", "uk"}


def _fold(text: str) -> str:
    """Header text for the wording rules: :func:`cxkit.text.fold_text` (case and accents), punctuation and
    underscores as single spaces."""
    return " ".join(re.sub(r"[\W_]+", " ", fold_text(text)).split())


@dataclass
class _Profile:
    """What the sampled values of one column look like."""

    filled: int = 0
    unique: bool = False
    score_range: tuple[int, int] | None = None  # (min, max) when every value is a whole number 0-10
    score_bad: int = 0  # values that are not whole numbers 0-10
    dates: bool = False  # every value parses as a date
    mean_length: float = 0.0
    distinct: int = 0
    values: set = field(default_factory=set)


@dataclass
class _Guess:
    column: int
    field: str
    score: int
    why: list[str]


@dataclass
class MappingSuggestion(Result):
    """A drafted column mapping for one export, with the reason for every line.

    Made by :func:`suggest_mapping`. ``yaml`` is the mapping as YAML text (loadable with
    :func:`~cxkit.data.contract.read_mapping`), ``summary`` the same as a table.

    Attributes
    ----------
    file : str
        The export the suggestion was made from (its path as given).
    table : str
        The contract table the export holds.
    header : list of str
        The export's column headers as written in the file.
    columns : dict of str to str
        Suggested mapping: export header -> contract column.
    scales : dict of str to (int, int)
        Scales that differ from the defaults (e.g. ``{"csat": (1, 7)}``), from the values read.
    missing : list of str
        Required contract columns no export column was suggested for.
    rows_read : int
        Data rows sampled.
    rows : list of dict
        One entry per export column: ``column``, ``suggested`` (contract column or ""),
        ``confidence`` (high, medium, low or ""), ``why``.
    """

    file: str
    table: str
    header: list
    columns: dict
    scales: dict
    missing: list
    rows_read: int
    rows: list = field(default_factory=list)

    title = "Suggested column mapping"

    @property
    def summary(self) -> pd.DataFrame:
        """One row per export column: ``column, suggested, confidence, why``."""
        return pd.DataFrame(self.rows, columns=["column", "suggested", "confidence", "why"])

    @property
    def notes(self):
        return [f"no column found for the required {m!r} column" for m in self.missing]

    @property
    def has_score(self) -> bool:
        """Whether a score column (nps, csat or ces) was found (responses only)."""
        return any(v in _SCORE_FIELDS for v in self.columns.values())

    @property
    def yaml(self) -> str:
        """The mapping as YAML text, a comment on each line saying why."""
        return _yaml_text(self)


def suggest_mapping(path: str | Path, *, table: str = "responses", sample_rows: int = 2000) -> MappingSuggestion:
    """Draft the column mapping of an export from its header's wording and its values.

    Wording (case and accents ignored, English, Lithuanian, Polish, Latvian, French, Spanish,
    Portuguese and a few more): *recommend / rekomenduotumėte / polecił / ieteiktu / recommander /
    recomendar* -> ``nps``; *satisfied / patenkinti / zadowolony / apmierināts / satisfait /
    satisfeito* -> ``csat``; *effort / easy / lengva / łatwo / viegli / facile* -> ``ces``; and the
    usual words for the response id, customer id, unit (shop, branch), date, touchpoint, comment
    and language. Values: whole numbers 0-10 -> an NPS candidate, 1-5 -> a CSAT candidate, a
    column unique in every row -> the id, a column of dates -> the date. Wording and values that
    agree make a ``high`` confidence guess; one of them alone ``medium`` or ``low``.

    Parameters
    ----------
    path : str or pathlib.Path
        The export (CSV in any delimiter and encoding cxkit reads, ``.xlsx`` or Parquet).
    table : str, default "responses"
        The contract table the export holds.
    sample_rows : int, default 2000
        How many data rows to read for the value rules.

    Returns
    -------
    MappingSuggestion
        ``.yaml`` the mapping text (save it as ``mapping.yml``), ``.summary`` one row per export
        column (``column, suggested, confidence, why``), ``.columns`` the mapping as a dict.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "survey.csv").write_text(
    ...     "Respondent ID;Parduotuvė;Data;Ar rekomenduotumėte mus draugui?\\n"
    ...     "a1;Vilnius;2025-01-03;9\\na2;Kaunas;2025-01-04;6\\na3;Vilnius;2025-01-05;10\\n", encoding="utf-8")
    >>> s = suggest_mapping(folder / "survey.csv")
    >>> s.columns
    {'Respondent ID': 'response_id', 'Parduotuvė': 'unit', 'Data': 'date', 'Ar rekomenduotumėte mus draugui?': 'nps'}
    >>> s.summary.loc[3, "confidence"]
    'high'
    """
    spec = table_spec(table)
    header, sample = _read_sample(Path(path), spec, sample_rows)
    profiles = [_profile(sample.iloc[:, i], i) for i in range(len(header))]
    guesses = _guesses(header, profiles, spec)
    chosen = _assign(guesses)
    scales = _scales(chosen, profiles)
    return _result(str(path), spec, header, chosen, scales, len(sample))


# --------------------------------------------------------------------------------------------------
# reading


def _read_sample(path: Path, spec: TableSpec, sample_rows: int) -> tuple[list[str], pd.DataFrame]:
    """The header as written (blank names kept blank) and up to ``sample_rows`` data rows, read by cxkit's reader."""
    reader = _open_source(path, TableMapping(), spec)
    header = list(reader.header)
    parts, n = [], 0
    for chunk in reader.chunks():
        parts.append(chunk.iloc[: sample_rows - n])
        n += len(parts[-1])
        if n >= sample_rows:
            break
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=range(len(header)))
    frame.columns = range(len(header))
    return header, frame


def _profile(s: pd.Series, pos: int) -> _Profile:
    """The value rules' view of one column, tried with cxkit's converters on its distinct values."""
    counts = s.value_counts(dropna=True, sort=False)
    text = pd.Series([str(v).strip() for v in counts.index], dtype=object)
    keep = (text != "").to_numpy()
    weights = counts.to_numpy()[keep]
    p = _Profile(filled=int(weights.sum()))
    if not p.filled:
        return p
    text = text[keep]
    p.unique = p.filled == len(s) and bool((weights == 1).all()) and text.is_unique
    p.distinct = int(text.nunique())
    p.mean_length = float((text.str.len().to_numpy() * weights).sum() / p.filled)
    p.values = set(text.str.casefold()) if p.distinct <= 50 else set()
    distinct = pd.Series(counts.index[keep])
    p.score_range, p.score_bad = _score_values(distinct, weights, pos)
    p.dates = _all_dates(distinct, pos)
    return p


def _conversion(scales: dict | None = None) -> _Conversion:
    spec = table_spec("responses")
    return _Conversion(spec, TableMapping(), scales or dict(DEFAULT_SCALES), today=dt.date.today(), canonical={})


def _score_values(s: pd.Series, weights: np.ndarray, pos: int) -> tuple[tuple[int, int] | None, int]:
    """(lowest, highest) of a column whose distinct values ``s`` (found ``weights`` times) are whole numbers
    0-10 as cxkit reads scores (labels such as ``10 - Extremely likely`` included), else None; and how many
    values are not."""
    col = Column("nps", "score", scale="nps")
    ctx = _conversion()
    prepared, special, _ = _precheck(s, col, pos, 0, ctx)
    values, bad, _ = _convert(prepared, col, ctx)
    wrong = np.zeros(len(s), dtype=bool)
    for mask in (bad, special):
        if mask is not None:
            wrong |= np.asarray(mask, dtype=bool)
    wrong |= values.isna().to_numpy() & ~wrong & (s.astype(str).str.strip() != "").to_numpy()
    n_bad = int(weights[wrong].sum())
    known = values[~wrong].dropna()
    if not len(known) or n_bad > 0.02 * weights.sum():
        return None, n_bad
    return (int(known.min()), int(known.max())), n_bad


def _all_dates(s: pd.Series, pos: int) -> bool:
    """Whether every distinct filled value ``s`` reads as a date (as cxkit reads dates)."""
    text = s.astype(str).str.strip()
    if text.str.fullmatch(r"\d{1,6}").all():
        return False  # plain numbers (ids, scores) are not dates, though five digits read as Excel day numbers
    col = Column("date", "date")
    ctx = _conversion()
    prepared, special, _ = _precheck(s, col, pos, 0, ctx)
    values, bad, _ = _convert(prepared, col, ctx)
    failed = (bad is not None and np.asarray(bad).any()) or (special is not None and np.asarray(special).any())
    return not failed and bool(values.notna().all())


# --------------------------------------------------------------------------------------------------
# guessing


def _wording(text: str, field_name: str) -> str | None:
    """The stem of the header that names ``field_name``, with its language, or None."""
    folded = _fold(text)
    for pattern, language in _WORDING.get(field_name, ()):
        m = re.search(pattern, folded)
        if m:
            return f"wording '{m.group(0).strip()}' ({language})"
    return None


def _value_rule(field_name: str, p: _Profile, spec: TableSpec) -> tuple[int, str] | None:
    """Evidence from the values for ``field_name``: (points, reason), or None. Negative points: the values
    speak against it."""
    if not p.filled:
        return None
    col = spec.column(field_name)
    if field_name in _SCORE_FIELDS:
        return _score_rule(field_name, p)
    if col is not None and col.unique:
        return (40, f"unique in all {p.filled} rows read") if p.unique else (-60, "values repeat")
    if col is not None and col.kind in ("date", "datetime"):
        return (40, "every value reads as a date") if p.dates else (-60, "values are not dates")
    if field_name == "language" and p.values and p.values <= _LANGUAGE_CODES:
        return 40, "values are language codes"
    return _text_rule(field_name, p)


def _score_rule(field_name: str, p: _Profile) -> tuple[int, str]:
    if p.score_range is None:
        return -40, (f"values are not whole numbers 0-10 ({p.score_bad} of {p.filled} are not): export numeric "
                     "values, or recode them with values: in the mapping")
    lo, hi = p.score_range
    shown = f"whole numbers {lo}-{hi} in {p.filled} rows read"
    if field_name == "nps":
        return (40, shown) if hi > 7 or lo == 0 else (-20, f"{shown}, not the 0-10 NPS scale")
    if lo >= 1 and hi <= 5:
        return 40, shown
    return (10, f"{shown} (not 1-5: scale set below)") if lo >= 0 and hi <= 10 else (-60, shown)


def _text_rule(field_name: str, p: _Profile) -> tuple[int, str] | None:
    """Value rules of the text columns: a unit is a short name repeated over rows; a comment is long text."""
    numeric = p.score_range is not None or p.dates
    if field_name == "unit" and not numeric and 1 <= p.distinct <= max(2, p.filled // 2) and p.mean_length < 60:
        return 40, f"{p.distinct} names repeated over {p.filled} rows"
    if field_name == "comment" and not numeric and p.mean_length >= 15:
        return 40, f"free text (on average {p.mean_length:.0f} characters)"
    if field_name in ("unit", "touchpoint", "language") and numeric:
        return -60, "values are numbers or dates"
    return None


#: fields guessed from the values alone, without wording (only as ``low`` guesses)
_VALUE_ONLY = frozenset({"nps", "csat", "response_id", "date", "unit", "comment", "language"})


def _guesses(header: list[str], profiles: list[_Profile], spec: TableSpec) -> list[_Guess]:
    """Every (column, field) with some evidence, scored: the contract's own name 100, wording 50, values +-."""
    contract = {normalise_header(c.name): c.name for c in spec.columns}
    fields = [c.name for c in spec.columns]
    guesses = []
    _, unnamed = _name_unnamed(header)
    for i, text in enumerate(header):
        if i in unnamed:
            continue
        own = contract.get(normalise_header(text))
        for name in fields:
            guess = _guess(i, text, name, own, profiles[i], spec)
            if guess is not None:
                guesses.append(guess)
    return guesses


def _guess(i: int, text: str, name: str, own: str | None, p: _Profile, spec: TableSpec) -> _Guess | None:
    score, why = 0, []
    if own == name:
        score, why = 100, ["the contract's own name"]
    else:
        words = _wording(text, name)
        if words:
            score, why = 50, [words]
    rule = _value_rule(name, p, spec)
    if rule is not None and (score or (name in _VALUE_ONLY and rule[0] >= 40)):
        score += rule[0]
        why.append(rule[1])
    if score <= 0:
        return None
    return _Guess(i, name, score, why)


def _assign(guesses: list[_Guess]) -> dict[int, _Guess]:
    """Best guesses first; each column gets one field and each field one column."""
    chosen: dict[int, _Guess] = {}
    taken: set[str] = set()
    for g in sorted(guesses, key=lambda g: (-g.score, g.column)):
        if g.column in chosen or g.field in taken:
            continue
        chosen[g.column] = g
        taken.add(g.field)
    return chosen


def _scales(chosen: dict[int, _Guess], profiles: list[_Profile]) -> dict[str, tuple[int, int]]:
    """CSAT / CES scales other than 1-5 seen in the values (1-7, 0-10)."""
    scales = {}
    for i, g in chosen.items():
        rng = profiles[i].score_range
        if g.field in ("csat", "ces") and rng is not None and not (rng[0] >= 1 and rng[1] <= 5):
            scales[g.field] = (0 if rng[0] == 0 else 1, 7 if rng[1] <= 7 else 10)
    return scales


def _confidence(score: int) -> str:
    return next(label for limit, label in _CONFIDENCE if score >= limit)


def _result(file: str, spec: TableSpec, header: list[str], chosen: dict[int, _Guess], scales: dict,
            rows_read: int) -> MappingSuggestion:
    rows, columns = [], {}
    for i, text in enumerate(header):
        g = chosen.get(i)
        if g is None or text in columns:
            rows.append(dict(column=text, suggested="", confidence="", why="no rule matched: kept as text"))
            continue
        columns[text] = g.field
        rows.append(dict(column=text, suggested=g.field, confidence=_confidence(g.score), why="; ".join(g.why)))
    found = set(columns.values())
    missing = [c for c in spec.required if c not in found]
    return MappingSuggestion(file=file, table=spec.name, header=header, columns=columns, scales=scales,
                             missing=missing, rows_read=rows_read, rows=rows)


# --------------------------------------------------------------------------------------------------
# YAML


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _yaml_text(s: MappingSuggestion) -> str:
    name = Path(s.file).name
    lines = [f"# Column mapping drafted by cxkit suggest-mapping from {name} (header and {s.rows_read} data rows).",
             "# Check every line (the comment says why it was suggested), then save it as mapping.yml in the",
             "# data folder or pass it with --mapping / mapping=."]
    if s.scales:
        lines.append("scales:")
        lines += [f"  {k}: [{lo}, {hi}]  # values seen in the {k} column" for k, (lo, hi) in s.scales.items()]
    lines += [f"{s.table}:", f"  file: {_quoted(name)}"]
    lines += _column_lines(s) + _missing_lines(s)
    return "\n".join(lines) + "\n"


def _column_lines(s: MappingSuggestion) -> list[str]:
    """``columns:`` with one line per suggested column and its reason."""
    lines = []
    for row in s.rows:
        if row["suggested"] and s.columns.get(row["column"]) == row["suggested"]:
            key = _quoted(row["column"])
            # PyYAML reads plain keys up to 1024 characters; longer question texts need an explicit key
            entry = f"    {key}: {row['suggested']}" if len(key) < 1000 else f"    ? {key}\n    : {row['suggested']}"
            lines.append(f"{entry}  # {row['confidence']}: {row['why']}")
    return ["  columns:"] + lines if lines else ["  columns: {}"]


def _missing_lines(s: MappingSuggestion) -> list[str]:
    """Comments on what was not found: required columns, a score column, and the columns kept as text."""
    lines = [f"  # no column found for {m} (required): add a line \"<your header>\": {m}" for m in s.missing]
    if s.table == "responses" and not s.has_score:
        lines.append("  # no score column found (nps, csat or ces): add a line \"<your question>\": nps")
    unmapped = [r["column"] for r in s.rows if not r["suggested"] and r["column"]]
    if unmapped:
        shown = ", ".join(_quoted(c) for c in unmapped[:20]) + (" ..." if len(unmapped) > 20 else "")
        lines.append(f"  # not mapped (kept as text): {shown}")
    return lines
