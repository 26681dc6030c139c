"""Survey platforms' exports recognised by their header: Qualtrics, SurveyMonkey, Google Forms, Typeform.

A platform's export has a header signature (cells only that platform writes), a known number of header
rows, known columns for the response id and the date, and questions whose wording says what they ask
(likelihood to recommend, satisfaction, effort, a comment). From these, a file loads with no mapping:
:func:`detect_platform` tells the platform and its header rows, :func:`platform_columns` maps the
columns to the contract, and :data:`ANSWER_LABELS` turns the platforms' standard answer labels
("Very satisfied") into numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .contract import normalise_header

__all__ = ["Detection", "detect_platform", "platform_columns", "name_option_columns", "ANSWER_LABELS", "AutoColumns"]

_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')

#: the first header cell of a Google Forms responses sheet, in the languages Google writes it
_GOOGLE_TIMESTAMP = {"timestamp", "laiko_žymė", "sygnatura_czasowa", "laikspiedols", "zeitstempel",
                     "marca_temporal", "horodateur"}

#: per platform: the header names of the response id and of the date (first found wins)
_ID_COLUMNS = {"Qualtrics": ("responseid",), "SurveyMonkey": ("respondent_id",), "Typeform": ("#",),
               "Google Forms": ()}
_DATE_COLUMNS = {"Qualtrics": ("recordeddate", "enddate", "startdate"),
                 "SurveyMonkey": ("end_date", "start_date"),
                 "Typeform": ("submit_date_(utc)", "submitted_at", "start_date_(utc)"),
                 "Google Forms": tuple(_GOOGLE_TIMESTAMP)}

#: question wordings (English, Lithuanian, Polish, Latvian) -> contract column; the first match wins
_QUESTIONS = (
    ("nps", re.compile(r"how likely.*recommend|would you recommend|rekomenduot|poleci|ieteikt", re.I | re.S)),
    ("ces", re.compile(r"\beas(y|e)\b|\beffort|lengva|łatw|viegl", re.I)),
    ("csat", re.compile(r"satisf|patenkint|zadowolon|apmierin", re.I)),
    ("unit", re.compile(r"which (shop|store|branch|location|office)|parduotuv|filial|sklep|oddzia|veikal", re.I)),
    ("comment", re.compile(r"comment|anything else|tell us|why|feedback|suggest|komentar|kodėl|pastab|dlaczego"
                           r"|uwag|komentār|kāpēc", re.I)),
)

#: standard answer labels of the platforms' satisfaction, effort and NPS questions (lower case) -> number;
#: satisfaction and effort labels are the five points of a 1-5 scale
ANSWER_LABELS: dict[str, dict[str, int]] = {
    "csat": {
        **dict.fromkeys(("very satisfied", "extremely satisfied", "completely satisfied", "labai patenkintas",
                         "labai patenkinta", "bardzo zadowolony", "bardzo zadowolona", "ļoti apmierināts",
                         "ļoti apmierināta"), 5),
        **dict.fromkeys(("satisfied", "somewhat satisfied", "mostly satisfied", "patenkintas", "patenkinta",
                         "zadowolony", "zadowolona", "apmierināts", "apmierināta"), 4),
        **dict.fromkeys(("neither satisfied nor dissatisfied", "neutral", "nei patenkintas, nei nepatenkintas",
                         "ani zadowolony, ani niezadowolony", "ne apmierināts, ne neapmierināts"), 3),
        **dict.fromkeys(("dissatisfied", "somewhat dissatisfied", "mostly dissatisfied", "nepatenkintas",
                         "nepatenkinta", "niezadowolony", "niezadowolona", "neapmierināts", "neapmierināta"), 2),
        **dict.fromkeys(("very dissatisfied", "extremely dissatisfied", "completely dissatisfied",
                         "labai nepatenkintas", "labai nepatenkinta", "bardzo niezadowolony", "bardzo niezadowolona",
                         "ļoti neapmierināts", "ļoti neapmierināta"), 1),
    },
    "ces": {
        **dict.fromkeys(("very easy", "extremely easy", "labai lengva", "bardzo łatwo", "ļoti viegli"), 5),
        **dict.fromkeys(("easy", "somewhat easy", "lengva", "łatwo", "viegli"), 4),
        **dict.fromkeys(("neither easy nor difficult", "neutral", "nei lengva, nei sunku", "ani łatwo, ani trudno",
                         "ne viegli, ne grūti"), 3),
        **dict.fromkeys(("difficult", "somewhat difficult", "sunku", "trudno", "grūti"), 2),
        **dict.fromkeys(("very difficult", "extremely difficult", "labai sunku", "bardzo trudno", "ļoti grūti"), 1),
    },
    "nps": {"extremely likely": 10, "not at all likely": 0},
}


@dataclass(frozen=True)
class Detection:
    """A survey platform's export, recognised from its first rows.

    Parameters
    ----------
    platform : str
        ``"Qualtrics"``, ``"SurveyMonkey"``, ``"Google Forms"`` or ``"Typeform"``.
    header : int
        Index of the header row among the rows looked at (0 = the first non-blank row).
    skip : int
        Number of extra header rows under the header (question texts, ImportIds, answer options).
    labels : tuple of str
        Per column, the question as worded (the question-text row of Qualtrics, else the header).
    layout : str
        ``""``, or ``"legacy layout"`` for Qualtrics' legacy exporter (``V1..`` codes above the header).
    skipped : str
        What the skipped rows hold, in words.
    """

    platform: str
    header: int
    skip: int
    labels: tuple[str, ...]
    layout: str = ""
    skipped: str = ""

    @property
    def note(self) -> str:
        """The repair note: which platform, how many header rows, which were skipped.

        Returns
        -------
        str
            For example ``"platform: Qualtrics (3 header rows; skipped 2 extra header row(s) under the
            header: question texts, ImportIds)"``.
        """
        name = self.platform + (f", {self.layout}" if self.layout else "")
        rows = 1 + self.header + self.skip
        if self.header:
            return f"platform: {name} ({rows} header rows; the header is row {self.header + 1}, " \
                   f"skipped the {self.skipped} above it)"
        if self.skip:
            return f"platform: {name} ({rows} header rows; skipped {self.skip} extra header row(s) under the " \
                   f"header: {self.skipped})"
        return f"platform: {name} (1 header row)"


class AutoColumns(dict):
    """A column mapping cxkit made for a survey platform's export (header -> contract column).

    Besides the mapping it says what cxkit assumed, so the validator can report it as a repair.

    Parameters
    ----------
    columns : dict of str to str
        Export header -> contract column.
    platform : str or None
        The platform recognised (its answer labels become numbers), or None.
    id_from_rows : bool
        The export has no response id: ids are made from the file name and the row number.
    unit_from_file : str or None
        The export has no unit column: every row's unit is this name (the file's).
    lone_file : bool
        The file was taken as the responses table because it is the folder's only table file.
    """

    def __init__(self, columns=(), *, platform: str | None = None, id_from_rows: bool = False,
                 unit_from_file: str | None = None, lone_file: bool = False):
        super().__init__(columns)
        self.platform = platform
        self.id_from_rows = id_from_rows
        self.unit_from_file = unit_from_file
        self.lone_file = lone_file


def _keys(row) -> list[str]:
    return [normalise_header(c) if c is not None else "" for c in row]


def _is_import_id_row(cells) -> bool:
    filled = [c for c in cells if c is not None and str(c).strip()]
    return bool(filled) and sum(bool(_IMPORT_ID.match(str(c).strip())) for c in filled) >= 0.5 * len(filled)


def _qualtrics(rows: list[list]) -> Detection | None:
    """Current Qualtrics exports: short names (``ResponseId``, ``StartDate``, ``Q1``), then the question
    texts and the ImportIds."""
    keys = _keys(rows[0])
    if "responseid" not in keys or not {"startdate", "enddate", "recordeddate"} & set(keys):
        return None
    at = keys.index("responseid")
    labels = tuple(str(c or "") for c in rows[0])
    skip, what = 0, []
    for row in rows[1:3]:
        cell = normalise_header(row[at]) if at < len(row) and row[at] is not None else ""
        if cell == "response_id" and not what:
            labels = tuple(str(c or "") for c in row) + labels[len(row):]
            skip, what = skip + 1, what + ["question texts"]
        elif _is_import_id_row(row):
            skip, what = skip + 1, what + ["ImportIds"]
        else:
            break
    return Detection("Qualtrics", 0, skip, labels, skipped=", ".join(what))


def _qualtrics_legacy(rows: list[list]) -> Detection | None:
    """Qualtrics' legacy exporter: column codes ``V1, V2, ...`` above the header (``ResponseID``, ...)."""
    if len(rows) < 2 or _keys(rows[0])[:3] != ["v1", "v2", "v3"] or "responseid" not in _keys(rows[1]):
        return None
    return Detection("Qualtrics", 1, 0, tuple(str(c or "") for c in rows[1]), layout="legacy layout",
                     skipped="column codes V1, V2, ...")


def _surveymonkey(rows: list[list]) -> Detection | None:
    """SurveyMonkey: ``Respondent ID``, ``Collector ID``, ``Start Date``, ``End Date`` and the questions, then a
    row of answer options (``Response``, ``Open-Ended Response``, a choice's text)."""
    keys = _keys(rows[0])
    if "respondent_id" not in keys or not {"collector_id", "start_date"} & set(keys):
        return None
    at = keys.index("respondent_id")
    skip = int(len(rows) > 1 and not str(rows[1][at] if at < len(rows[1]) else "").strip())
    return Detection("SurveyMonkey", 0, skip, tuple(str(c or "") for c in rows[0]), skipped="answer options")


def _google_forms(rows: list[list]) -> Detection | None:
    """Google Forms (its responses sheet downloaded as CSV or .xlsx): ``Timestamp`` first, then the questions."""
    keys = _keys(rows[0])
    if not keys or keys[0] not in _GOOGLE_TIMESTAMP:
        return None
    return Detection("Google Forms", 0, 0, tuple(str(c or "") for c in rows[0]))


def _typeform(rows: list[list]) -> Detection | None:
    """Typeform: ``#`` (the response token) first, the questions, then ``Start Date (UTC)``,
    ``Submit Date (UTC)`` (``Submitted At`` in older exports) and ``Network ID``."""
    keys = _keys(rows[0])
    if not keys or keys[0] != "#" or not {"submit_date_(utc)", "submitted_at"} & set(keys):
        return None
    return Detection("Typeform", 0, 0, tuple(str(c or "") for c in rows[0]))


def detect_platform(rows: list[list]) -> Detection | None:
    """The survey platform whose export starts with these rows, or None.

    Parameters
    ----------
    rows : list of list
        The first non-blank rows of the file (three are enough), as cells.

    Returns
    -------
    Detection or None
        The platform, which row is the header, how many header rows follow it, and the questions'
        wording per column; None for a file no platform wrote.

    Examples
    --------
    >>> d = detect_platform([["Timestamp", "How likely are you to recommend us?"], ["3/25/2025 10:15:32", "9"]])
    >>> d.platform, d.header, d.skip
    ('Google Forms', 0, 0)
    >>> detect_platform([["response_id", "unit", "date", "nps"]]) is None
    True
    """
    if not rows:
        return None
    for check in (_qualtrics, _qualtrics_legacy, _surveymonkey, _google_forms, _typeform):
        found = check(rows)
        if found is not None:
            return found
    return None


def _question_target(header: str, label: str, taken: set[str]) -> str | None:
    """The contract column a question asks for, by its wording (None when none, or when already taken)."""
    if normalise_header(header).endswith("_nps_group") or label.strip().lower().endswith("- group"):
        return None  # Qualtrics' promoter / passive / detractor column, not the score
    for target, pattern in _QUESTIONS:
        if target not in taken and pattern.search(label):
            return target
    return None


def platform_columns(detection: Detection, header: list[str], contract: set[str]) -> dict[str, str]:
    """The columns of a platform's export mapped to the contract: id, date and the questions by wording.

    Parameters
    ----------
    detection : Detection
        What :func:`detect_platform` found.
    header : list of str
        The header as the reader cleaned it.
    contract : set of str
        Contract columns the header already names (they are not mapped again).

    Returns
    -------
    dict of str to str
        Export header -> contract column (``response_id``, ``date``, ``nps``, ``csat``, ``ces``,
        ``unit``, ``comment``), for the columns found.

    Examples
    --------
    >>> d = detect_platform([["#", "How likely are you to recommend us?", "Submit Date (UTC)"]])
    >>> platform_columns(d, ["#", "How likely are you to recommend us?", "Submit Date (UTC)"], set())
    {'#': 'response_id', 'Submit Date (UTC)': 'date', 'How likely are you to recommend us?': 'nps'}
    """
    keys = [normalise_header(h) for h in header]
    mapped: dict[str, str] = {}
    taken = set(contract)
    for target, names in (("response_id", _ID_COLUMNS[detection.platform]),
                          ("date", _DATE_COLUMNS[detection.platform])):
        at = next((keys.index(n) for n in names if n in keys), None)
        if at is not None and target not in taken:
            mapped[header[at]] = target
            taken.add(target)
    for i, h in enumerate(header):
        if not h or h in mapped or keys[i] in contract:
            continue
        label = detection.labels[i] if i < len(detection.labels) and detection.labels[i] else h
        target = _question_target(h, label, taken)
        if target:
            mapped[h] = target
            taken.add(target)
    return mapped


def name_option_columns(header: list[str], options: list) -> list[str]:
    """SurveyMonkey's header with a name for the columns of a question's further answer options.

    A question with several columns (multiple choice, a matrix) has its text over the first column only and
    the options in the row under it; the other columns are named ``"<question> - <option>"``.

    Parameters
    ----------
    header : list of str
        The header row as read.
    options : list
        The answer-option row under it.

    Returns
    -------
    list of str
        The header with the blank cells named.

    Examples
    --------
    >>> name_option_columns(["Respondent ID", "Which channels?", ""], ["", "E-mail", "Phone"])
    ['Respondent ID', 'Which channels?', 'Which channels? - Phone']
    """
    out = list(header)
    question = ""
    for i, h in enumerate(out):
        option = str(options[i]).strip() if i < len(options) and options[i] is not None else ""
        if h:
            question = h
        elif question and option:
            out[i] = f"{question} - {option}"
    return out
