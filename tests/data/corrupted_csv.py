"""A large responses CSV with seeded corruptions, and what a loader must make of every line of it.

:func:`make_corrupted_csv` writes a ``responses`` file (``response_id,unit,date,nps,csat,comment``) of
clean rows in Lithuanian, Polish and Latvian, some of them legitimate multi-line quoted comments, and
injects at seeded random positions nine kinds of corruption (:data:`KINDS`). It returns an
:class:`Expected` that it computes itself, from what it wrote, without cxkit: how many physical lines the
file has, which records load, which are rejected (with their first line number and, for the kinds whose
line cannot be split into fields, the whole raw line) and which loaded values are repaired.

Rules that keep every line's fate unambiguous:

- the first :data:`HEAD_ZONE` records are clean (header and delimiter detection read them);
- a corruption touches one single-line record only; corrupted records are never next to each other, to a
  multi-line record or to a blank line, so the record after an unclosed quote is always a clean
  single-line record where a reader can resynchronise;
- the truncated line (kind 5) is the file's last record; the file ends without a newline.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Expected", "KINDS", "REJECTED_KINDS", "RAW_KINDS", "HEADER", "UNITS", "make_corrupted_csv"]

#: The corruptions, numbered as in the specification.
KINDS: dict[int, str] = {
    1: "bad date",
    2: "out-of-scale nps",
    3: "text in a number",
    4: "extra field",
    5: "truncated last line",
    6: "unclosed quote",
    7: "stray quote inside a quoted field",
    8: "NUL bytes",
    9: "line in cp1257",
}
#: Kinds whose record is rejected; the others load (with a repair).
REJECTED_KINDS = (1, 4, 5, 6)
#: Kinds whose line cannot be split into the header's fields: the rejected table keeps the whole raw line.
RAW_KINDS = (4, 5, 6)

HEADER = "response_id,unit,date,nps,csat,comment"
UNITS = ("Vilnius", "Kaunas", "Riga", "Warszawa")
#: Records at the top of the file that stay clean.
HEAD_ZONE = 50

FIRST_DATE = dt.date(2023, 1, 1)
N_DAYS = 730

# Single-line comments. Those with a comma are quoted when written; none holds a quote character.
_LT = (
    "Labai geras aptarnavimas",
    "Puikus aptarnavimas, ačiū",
    "Ilgai laukiau eilėje",
    "Kasininkė buvo labai maloni",
    "Prekės šviežios, kainos geros",
    "Per mažai darbuotojų savaitgalį",
    "Viskas gerai",
    "Nerado mano užsakymo, teko grįžti",
    "Švaru ir tvarkinga",
    "Gražus, erdvus salonas",
    "Žmonės draugiški, bet eilės ilgos",
    "Įsigijau dovaną žmonai",
    "Ūkininkų turgelis šeštadienį - puiki idėja",
    "Konsultantė patarė, ką rinktis",
)
_PL = (
    "Bardzo miła obsługa",
    "Długo czekałem na kasę",
    "Świetne ceny, polecam",
    "Sklep czysty, ale za mało kas",
    "Źle oznaczone półki",
    "Łatwo znaleźć wszystko, dziękuję",
    "Obsługa nie znała oferty",
    "Zamówienie przyszło w całości",
)
_LV = (
    "Ļoti laipna apkalpošana",
    "Ilgi gaidīju rindā",
    "Labas cenas, bet maz pārdevēju",
    "Viss kārtībā, paldies",
    "Veikals tīrs un sakārtots",
    "Pārdevēja ļoti izpalīdzīga",
    "Gaļa nebija svaiga, vilšanās",
)
PHRASES: tuple[str, ...] = _LT + _PL + _LV
_WITH_COMMA = tuple(p for p in PHRASES if "," in p)
_WITHOUT_COMMA = tuple(p for p in PHRASES if "," not in p)
#: Lithuanian comments with letters that cp1257 and UTF-8 write differently (kind 9).
_LT_ACCENTED = tuple(p for p in _LT if not p.isascii())
#: Legitimate CSV: quotes inside a quoted field written doubled (they load as one quote each).
_DOUBLED = (
    'Akcija "2 už 1" labai patiko',
    'Promocja "3 za 2" to świetny pomysł',
    'Akcija "2 par 1" ļoti patika',
)
#: Comments whose inner quotes are written single (kind 7); none holds the delimiter.
_STRAY = (
    'Pardavėjas pasakė "ačiū" ir nusišypsojo',
    'Užrašas "akcija" klaidina pirkėjus',
    'Napis "promocja" był mylący',
    'Pārdevējs teica "paldies" un pasmaidīja',
)
_BAD_DATES = ("2025-13-45", "yesterday")
_OUT_OF_SCALE = ("11", "-3")
#: (column, text) written into a number column (kind 3).
_TEXT_NUMBERS = (("csat", "five"), ("nps", "n/a?"))


@dataclass
class Expected:
    """What a loader must make of the file :func:`make_corrupted_csv` wrote; line numbers count from 1, as
    a text editor shows them.

    Attributes
    ----------
    physical_lines : lines in the file as a text editor counts them (the last line has no newline).
    header_lines : lines before the first data record (the header: 1).
    blank_lines : empty lines between records.
    records : logical data records (a multi-line comment's record counts once); ``loaded_rows +
        rejected_rows``.
    multiline_records : records whose quoted comment spans 2-3 lines (all of them load).
    loaded_rows, rejected_rows : records that load (repaired or not) and records that are rejected.
    rejected_lines : sorted first line of every rejected record.
    raw_of_rejected : line -> the exact text of that line (without its newline) for kinds 4, 5 and 6.
    kinds : kind (1-9, see :data:`KINDS`) -> sorted line numbers where it was injected.
    stray_quote_values : line -> the comment a kind-7 record loads with (inner quotes kept literally).
    comment_values : line -> the comment a kind-7, 8 or 9 record loads with (no NUL, decoded text).
    blanked : line -> the number column a kind-2 or kind-3 record loads blank (``"nps"`` or ``"csat"``).
    ids : line -> response_id, for every injected line.
    multiline : first line -> number of physical lines, for every multi-line record.
    loaded_line_count, rejected_line_count : physical lines of loaded and of rejected records
        (``physical_lines == header_lines + blank_lines + loaded_line_count + rejected_line_count``).
    seconds : time the generator took.
    """

    physical_lines: int
    header_lines: int
    blank_lines: int
    records: int
    multiline_records: int
    loaded_rows: int
    rejected_rows: int
    rejected_lines: list[int]
    raw_of_rejected: dict[int, str]
    kinds: dict[int, list[int]]
    stray_quote_values: dict[int, str]
    comment_values: dict[int, str] = field(default_factory=dict)
    blanked: dict[int, str] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)
    multiline: dict[int, int] = field(default_factory=dict)
    loaded_line_count: int = 0
    rejected_line_count: int = 0
    seconds: float = 0.0


def _field(text: str) -> str:
    """``text`` as a CSV field: quoted (inner quotes doubled) when it holds a delimiter, quote or newline."""
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _kind_counts(rows: int, rng: np.random.Generator) -> dict[int, int]:
    """How many records get each kind: 50-500 each at a million rows, a handful each in a small file."""
    hi = max(5, min(500, rows // 2000))
    lo = max(3, min(50, hi // 2))
    counts = {k: int(rng.integers(lo, hi + 1)) for k in KINDS if k != 5}
    counts[5] = 1
    return counts


def _pick_positions(rows: int, multi: np.ndarray, counts: dict[int, int], n_blank: int,
                    rng: np.random.Generator) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Records to corrupt (kind -> record indexes) and records followed by a blank line.

    A corrupted record is a single-line record with no corrupted or multi-line neighbour; a blank line
    never touches a corrupted record. The last record is kind 5.
    """
    blocked = multi.copy()
    blocked[:HEAD_ZONE] = True
    blocked[rows - 2:] = True  # the last record (kind 5) and its neighbour
    near_multi = multi.copy()
    near_multi[1:] |= multi[:-1]
    near_multi[:-1] |= multi[1:]
    order = rng.permutation(np.arange(HEAD_ZONE, rows - 2))
    wanted = sum(n for k, n in counts.items() if k != 5)
    chosen: list[int] = []
    for i in order.tolist():
        if blocked[i] or near_multi[i]:
            continue
        chosen.append(i)
        blocked[i - 1:i + 2] = True
        if len(chosen) == wanted:
            break
    if len(chosen) < wanted:
        raise ValueError(f"{rows} rows are too few for {wanted} corrupted records")
    out: dict[int, np.ndarray] = {}
    start = 0
    for k in sorted(KINDS):
        if k == 5:
            out[k] = np.array([rows - 1])
            continue
        out[k] = np.sort(np.array(chosen[start:start + counts[k]], dtype=np.int64))
        start += counts[k]
    blanks: list[int] = []
    for i in rng.permutation(np.arange(HEAD_ZONE, rows - 2)).tolist():
        if blocked[i] or blocked[i + 1]:
            continue
        blanks.append(i)
        blocked[i] = True  # keeps blank lines apart (and distinct)
        if len(blanks) == n_blank:
            break
    return out, np.sort(np.array(blanks, dtype=np.int64))


def make_corrupted_csv(path: str | Path, *, rows: int = 1_000_000, seed: int = 7) -> Expected:
    """Write a responses CSV of ``rows`` records with seeded corruptions; return what a loader must find.

    Parameters
    ----------
    path : the file to write (overwritten).
    rows : logical data records, corrupted ones included (at least 500).
    seed : seed of the random generator; the same seed writes the same bytes.

    Returns
    -------
    Expected
        Line accounting, the fate of every corrupted record and the values repaired records load with,
        derived from what was written (independently of cxkit).

    Notes
    -----
    About 2% of the records carry a quoted comment of 2-3 lines; 20% have no comment; some comments hold
    the delimiter (quoted) and a few hold legitimately doubled quotes. The corruptions (see :data:`KINDS`):

    1. a date ``2025-13-45`` or ``yesterday``: rejected (date is required);
    2. nps ``11`` or ``-3``: loaded with nps blank;
    3. csat ``five`` or nps ``n/a?``: loaded with that column blank;
    4. a comment holding the delimiter, unquoted (7 fields): rejected, raw line kept;
    5. the last record cut inside its quoted comment, no final newline: rejected, raw line kept;
    6. a comment opening a quote that never closes (the line has an odd number of quotes and would be
       complete without it): rejected alone, raw line kept; the next record is read normally;
    7. a quoted comment holding single (not doubled) quotes: loaded with the inner quotes kept;
    8. 1-4 NUL bytes inside the comment: loaded without them;
    9. a whole line encoded in cp1257 (Lithuanian comment) in a UTF-8 file: loaded, decoded.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     exp = make_corrupted_csv(Path(d) / "responses.csv", rows=1_000)
    >>> exp.records == exp.loaded_rows + exp.rejected_rows == 1_000
    True
    >>> exp.physical_lines == exp.header_lines + exp.blank_lines + exp.loaded_line_count + exp.rejected_line_count
    True
    """
    t0 = time.perf_counter()
    if rows < 500:
        raise ValueError("rows must be at least 500")
    rng = np.random.default_rng(seed)
    n = rows

    # clean values ----------------------------------------------------------------
    dates = [(FIRST_DATE + dt.timedelta(days=d)).isoformat() for d in range(N_DAYS)]
    date_s = np.array(dates, dtype=object)[rng.integers(0, N_DAYS, n)]
    unit_s = np.array(UNITS, dtype=object)[rng.integers(0, len(UNITS), n)]
    nps_s = np.array([str(v) for v in range(11)], dtype=object)[rng.integers(0, 11, n)]
    csat_s = np.array([str(v) for v in range(1, 6)], dtype=object)[rng.integers(1, 6, n) - 1]
    # one of the two scores left unanswered now and then, never both (cxkit rejects a row with no score)
    unanswered = rng.random(n)
    nps_s[unanswered < 0.01] = ""
    csat_s[unanswered > 0.99] = ""
    fields = np.array([_field(p) for p in PHRASES] + [_field(p) for p in _DOUBLED] + [""], dtype=object)
    r = rng.random(n)
    pick = rng.integers(0, len(PHRASES), n)
    pick[r < 0.003] = len(PHRASES) + rng.integers(0, len(_DOUBLED), int((r < 0.003).sum()))
    pick[r > 0.8] = len(fields) - 1  # no comment
    comment_s = fields[pick]

    # multi-line comments (never in the head zone, never the last record) -----------
    multi = rng.random(n) < 0.02
    multi[:HEAD_ZONE] = False
    multi[n - 3:] = False
    multi_idx = np.flatnonzero(multi)
    multi_n = rng.integers(2, 4, len(multi_idx))
    for i, k in zip(multi_idx.tolist(), multi_n.tolist()):
        comment_s[i] = _field("\n".join(PHRASES[j] for j in rng.integers(0, len(PHRASES), k).tolist()))
    lines_per = np.ones(n, dtype=np.int64)
    lines_per[multi_idx] = multi_n

    # positions ---------------------------------------------------------------------
    counts = _kind_counts(n, rng)
    n_blank = max(2, n // 50_000)
    where, blank_after = _pick_positions(n, multi, counts, n_blank, rng)
    gaps = np.zeros(n, dtype=np.int64)
    gaps[blank_after] = 1
    steps = lines_per + gaps
    start = 2 + np.concatenate(([0], np.cumsum(steps)[:-1]))  # header is line 1
    line_of = {k: start[v] for k, v in where.items()}

    # corruptions -------------------------------------------------------------------
    def choose(options, size):
        return [options[j] for j in rng.integers(0, len(options), size).tolist()]

    blanked: dict[int, str] = {}
    comment_values: dict[int, str] = {}
    stray_values: dict[int, str] = {}
    both = np.concatenate([where[2], where[3]])  # a number blanked by a repair leaves the other score
    nps_s[both] = [str(v) for v in rng.integers(0, 11, len(both)).tolist()]
    csat_s[both] = [str(v) for v in rng.integers(1, 6, len(both)).tolist()]
    date_s[where[1]] = choose(_BAD_DATES, len(where[1]))
    nps_s[where[2]] = choose(_OUT_OF_SCALE, len(where[2]))
    blanked.update({int(ln): "nps" for ln in line_of[2]})
    for i, ln, (col, text) in zip(where[3].tolist(), line_of[3].tolist(), choose(_TEXT_NUMBERS, len(where[3]))):
        (csat_s if col == "csat" else nps_s)[i] = text
        blanked[ln] = col
    comment_s[where[4]] = choose(_WITH_COMMA, len(where[4]))  # the delimiter, unquoted: one field too many
    last = n - 1
    cut = choose(_WITH_COMMA, 1)[0]
    comment_s[last] = '"' + cut[:int(rng.integers(3, len(cut) - 1))]
    comment_s[where[6]] = ['"' + p for p in choose(_WITHOUT_COMMA, len(where[6]))]
    for i, ln, text in zip(where[7].tolist(), line_of[7].tolist(), choose(_STRAY, len(where[7]))):
        comment_s[i] = '"' + text + '"'
        stray_values[ln] = comment_values[ln] = text
    for i, ln, text in zip(where[8].tolist(), line_of[8].tolist(), choose(PHRASES, len(where[8]))):
        at = int(rng.integers(1, len(text)))
        comment_s[i] = _field(text[:at] + "\x00" * int(rng.integers(1, 5)) + text[at:])
        comment_values[ln] = text
    for i, ln, text in zip(where[9].tolist(), line_of[9].tolist(), choose(_LT_ACCENTED, len(where[9]))):
        comment_s[i] = _field(text)
        comment_values[ln] = text

    # the file ----------------------------------------------------------------------
    ids = [f"R{i:07d}" for i in range(1, n + 1)]
    ends = np.full(n, "\n", dtype=object)
    ends[blank_after] = "\n\n"
    ends[last] = ""
    text_lines = [f"{a},{b},{c},{d},{e},{f}" for a, b, c, d, e, f in
                  zip(ids, unit_s.tolist(), date_s.tolist(), nps_s.tolist(), csat_s.tolist(), comment_s.tolist())]
    pieces = [t + e for t, e in zip(text_lines, ends.tolist())]
    chunks = [(HEADER + "\n").encode("utf-8")]
    prev = 0
    for i in where[9].tolist():
        chunks.append("".join(pieces[prev:i]).encode("utf-8"))
        legacy = pieces[i].encode("cp1257")
        try:
            legacy.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # pragma: no cover - the comments are chosen so that this cannot happen
            raise AssertionError(f"cp1257 line {pieces[i]!r} is valid UTF-8")
        chunks.append(legacy)
        prev = i + 1
    chunks.append("".join(pieces[prev:]).encode("utf-8"))
    Path(path).write_bytes(b"".join(chunks))

    # what a loader must find ---------------------------------------------------------
    rejected_idx = np.sort(np.concatenate([where[k] for k in REJECTED_KINDS]))
    n_lines = int(lines_per.sum())
    injected = np.concatenate([where[k] for k in KINDS])
    return Expected(
        physical_lines=1 + n_lines + len(blank_after),
        header_lines=1,
        blank_lines=len(blank_after),
        records=n,
        multiline_records=len(multi_idx),
        loaded_rows=n - len(rejected_idx),
        rejected_rows=len(rejected_idx),
        rejected_lines=start[rejected_idx].tolist(),
        raw_of_rejected={int(start[i]): text_lines[i] for k in RAW_KINDS for i in where[k].tolist()},
        kinds={k: line_of[k].tolist() for k in KINDS},
        stray_quote_values=stray_values,
        comment_values=comment_values,
        blanked=blanked,
        ids={int(start[i]): ids[i] for i in injected.tolist()},
        multiline=dict(zip(start[multi_idx].tolist(), multi_n.tolist())),
        loaded_line_count=n_lines - int(lines_per[rejected_idx].sum()),
        rejected_line_count=int(lines_per[rejected_idx].sum()),
        seconds=time.perf_counter() - t0,
    )
