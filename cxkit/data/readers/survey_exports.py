"""Survey exports read with no mapping: a folder's lone export taken as the responses table, and the column
mapping a survey platform's export needs (id, date, questions by wording, a unit and ids when it has none),
made from its header (see :mod:`cxkit.data.platforms`)."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..contract import TableMapping, TableSpec, normalise_header
from ..platforms import AutoColumns, platform_columns
from .detect import TABLE_SUFFIXES, _open_source

__all__: list[str] = []

#: the first line of a platform's export (checked on the first bytes before the file is opened)
_SIGNATURE = re.compile(r'ResponseI[dD]|Respondent ID|^"?(?:Timestamp|Laiko žymė|Sygnatura czasowa|Laikspiedols|'
                        r'Zeitstempel|Marca temporal|Horodateur)"?[,;\t]|^"?#"?[,;\t]|^"?V1"?[,;\t]"?V2')
_US_DATE = re.compile(r"(\d{1,2})/\d{1,2}/\d{4}(?P<time> \d{1,2}:\d{2}(?P<sec>:\d{2})?(?P<ampm> [AaPp][Mm])?)?")


def _lone_table_file(root: Path, found: dict) -> Path | None:
    """The folder's only table file, when it holds exactly one and no table claimed it."""
    files = [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
             and not p.name.startswith((".", "~$"))]
    if len(files) != 1 or files[0] in found.values():
        return None
    return files[0]


def _may_be_platform(path: Path) -> bool:
    """Cheap first look (the first bytes) so that most files are not opened twice."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    if path.suffix.lower() in (".parquet", ".pq"):
        return False
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return bool(_SIGNATURE.search(first))


def _date_format(reader, header: list[str], columns: dict) -> str | None:
    """``%m/%d/%Y ...`` for a date column written month first (Google Forms, SurveyMonkey in US English):
    every value M/D/YYYY with the same time part, and no first number above 12 (which would mean day first)."""
    name = next((h for h, target in columns.items() if target == "date"), None)
    chunk = next(iter(reader.chunks()), None) if name is not None else None
    if chunk is None:
        return None
    values = [v.strip() for v in chunk.iloc[:200, header.index(name)].fillna("").astype(str) if v.strip()]
    matches = [_US_DATE.fullmatch(v) for v in values]
    if not values or not all(matches) or any(int(m.group(1)) > 12 for m in matches):
        return None
    shapes = {(bool(m.group("time")), bool(m.group("sec")), bool(m.group("ampm"))) for m in matches}
    if len(shapes) != 1:
        return None
    time, sec, ampm = shapes.pop()
    clock = ("%I" if ampm else "%H") + ":%M" + (":%S" if sec else "") + (" %p" if ampm else "")
    return "%m/%d/%Y" + (" " + clock if time else "")


def _zero_config(path: Path, tm: TableMapping, spec: TableSpec, *, lone_file: bool) -> TableMapping | None:
    """The table mapping a responses file needs when its columns are not mapped: a platform's columns, the
    unit named after the file and ids from row numbers when the export has none; None when nothing is needed."""
    if tm.columns or tm.constants or not (lone_file or _may_be_platform(path)):
        return None
    reader = _open_source(path, tm, spec)
    detection = getattr(reader, "platform", None)
    if detection is None:
        return dataclasses.replace(tm, columns=AutoColumns(lone_file=True)) if lone_file else None
    header = list(reader.header)
    keys = {normalise_header(h) for h in header}
    contract = {c.name for c in spec.columns if c.name in keys}
    columns = platform_columns(detection, header, contract)
    targets = set(columns.values()) | contract
    constants: dict[str, str] = {}
    if "response_id" not in targets:
        constants["response_id"] = ""
    unit = None if "unit" in targets else path.stem
    if unit is not None:
        constants["unit"] = unit
    auto = AutoColumns(columns, platform=detection.platform, id_from_rows="response_id" not in targets,
                       unit_from_file=unit, lone_file=lone_file)
    return dataclasses.replace(tm, columns=auto, constants=constants,
                               date_format=tm.date_format or _date_format(reader, header, columns))
