"""The data contract: the five tables cxkit reads, their columns, types and ranges.

``data/README.md`` documents the same contract for analysts; a test checks the
two agree. Scales of the survey questions are configurable (CSAT 1-5 or 1-7,
...) through a :class:`Mapping`.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

__all__ = ["Column", "TableSpec", "TABLES", "Mapping", "read_mapping", "DEFAULT_SCALES", "table_spec",
           "contract_markdown"]

#: Default scales of the survey questions: (lowest, highest) answer.
DEFAULT_SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 5), "attr": (0, 10)}


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    ``kind`` is one of ``id``, ``text``, ``category``, ``score`` (whole number on
    a scale), ``number``, ``date``, ``datetime``, ``bool``.
    """

    name: str
    kind: str
    required: bool = False
    nullable: bool = True
    scale: str | None = None  # for kind="score": key of the scale
    minimum: float | None = None  # for kind="number"
    unique: bool = False
    max_length: int | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    description: str
    #: regex of extra columns that are typed (e.g. ``attr_*`` ratings) and their template column
    patterns: tuple[tuple[str, Column], ...] = ()

    @property
    def id_column(self) -> str | None:
        for c in self.columns:
            if c.unique:
                return c.name
        return None

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        for pattern, template in self.patterns:
            if re.fullmatch(pattern, name):
                return dataclasses.replace(template, name=name)
        return None

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


_ID = dict(max_length=200)

RESPONSES = TableSpec(
    "responses",
    (
        Column("response_id", "id", required=True, nullable=False, unique=True,
               description="unique id of the survey response", **_ID),
        Column("customer_id", "id", description="who answered; links to customers, tickets and revenue", **_ID),
        Column("unit", "category", required=True, nullable=False,
               description="business unit (shop, branch, call centre)", **_ID),
        Column("date", "date", required=True, nullable=False, description="date the survey was answered"),
        Column("touchpoint", "category",
               description="journey touchpoint the survey is about (store, delivery, ...)", **_ID),
        Column("nps", "score", scale="nps", description="likelihood to recommend, whole number 0-10"),
        Column("csat", "score", scale="csat", description="satisfaction, whole number on the CSAT scale (default 1-5)"),
        Column("ces", "score", scale="ces",
               description="ease of effort, whole number on the CES scale (default 1-5, 5 = very easy)"),
        Column("comment", "text", description="free-text comment (any language)", max_length=10_000),
        Column("language", "category", description="language of the comment: lt, pl, lv or en", max_length=10),
    ),
    "one row per survey response",
    patterns=((r"attr_[a-z0-9_]+",
               Column("attr_*", "score", scale="attr",
                      description="optional attribute rating for driver analysis (default 0-10)")),),
)

TICKETS = TableSpec(
    "tickets",
    (
        Column("ticket_id", "id", required=True, nullable=False, unique=True,
               description="unique id of the support ticket", **_ID),
        Column("customer_id", "id", description="customer who opened the ticket", **_ID),
        Column("unit", "category", required=True, nullable=False,
               description="business unit handling the ticket", **_ID),
        Column("channel", "category", description="phone, email, chat, social, store, ...", **_ID),
        Column("created_at", "datetime", required=True, nullable=False, description="when the ticket was opened"),
        Column("first_response_at", "datetime",
               description="first reply to the customer (empty: not answered yet)"),
        Column("resolved_at", "datetime", description="when the ticket was resolved (empty: open)"),
    ),
    "one row per support ticket",
)

CUSTOMERS = TableSpec(
    "customers",
    (
        Column("customer_id", "id", required=True, nullable=False, unique=True,
               description="unique customer id", **_ID),
        Column("unit", "category", description="business unit the customer belongs to", **_ID),
        Column("segment", "category", description="customer segment (e.g. Consumer, SME, Corporate)", **_ID),
        Column("region", "category", description="region of the customer", **_ID),
        Column("acquired_at", "date", description="date the customer was acquired"),
        Column("churned_at", "date", description="date the customer left (empty: still active)"),
        Column("churned", "bool", description="churn flag, for exports with a flag instead of a date"),
        Column("tenure_months", "number", minimum=0, description="months as a customer, for exports without dates"),
        Column("acquisition_cost", "number", minimum=0, description="cost of acquiring this customer (currency)"),
        Column("cost_to_serve", "number", minimum=0, description="yearly cost of serving this customer (currency)"),
        Column("monthly_revenue", "number", minimum=0,
               description="monthly revenue of the customer, for exports without a revenue table"),
    ),
    "one row per customer",
)

REVENUE = TableSpec(
    "revenue",
    (
        Column("customer_id", "id", required=True, nullable=False, description="customer billed", **_ID),
        Column("date", "date", required=True, nullable=False, description="invoice or payment date"),
        Column("amount", "number", required=True, nullable=False, minimum=0,
               description="revenue amount (currency, >= 0)"),
    ),
    "one row per invoice or payment",
)

UNITS = TableSpec(
    "units",
    (
        Column("unit", "category", required=True, nullable=False, unique=True,
               description="business unit name as used in the other tables", **_ID),
        Column("region", "category", description="region the unit rolls up to", **_ID),
        Column("parent", "category", description="parent in the organisation (region or company)", **_ID),
    ),
    "one row per business unit",
    patterns=((r"target_[a-z0-9_]+",
               Column("target_*", "number",
                      description="target for a metric, e.g. target_nps (points), target_csat (%)")),),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (RESPONSES, TICKETS, CUSTOMERS, REVENUE, UNITS)}


def table_spec(table: str) -> TableSpec:
    try:
        return TABLES[table]
    except KeyError:
        raise ConfigError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}") from None


def normalise_header(name: Any) -> str:
    """Header comparison key: NFC, case-folded, spaces/dashes as underscores."""
    text = unicodedata.normalize("NFC", str(name)).replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s\-./]+", "_", text)


@dataclass
class TableMapping:
    """How one export maps onto a contract table (see :class:`Mapping`)."""

    file: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)


@dataclass
class Mapping:
    """Column mapping: headers of an export -> contract columns, plus scales.

    Written as YAML::

        scales:
          csat: [1, 7]          # the export's CSAT question has 7 points
        responses:
          file: survey_export.csv
          columns:
            "How likely are you to recommend us to a friend?": nps
            "Shop": unit
          values:
            touchpoint: {"E-shop": website}
        customers:
          file: crm.xlsx
          sheet: Customers
          constants: {unit: "Telco"}

    Read such a file with :func:`read_mapping` (or :meth:`Mapping.read`), or build
    a mapping from the same structure as a dict with :meth:`Mapping.from_dict`,
    which checks it. ``Mapping()`` is the empty mapping: default scales and no
    renamed columns.

    Parameters
    ----------
    scales : dict of str to (int, int), optional
        Lowest and highest answer of each survey scale, keyed ``nps``, ``csat``,
        ``ces`` and ``attr`` (attribute ratings). Default: a copy of
        :data:`DEFAULT_SCALES` (NPS 0-10, CSAT 1-5, CES 1-5, attributes 0-10).
    tables : dict of str to TableMapping, optional
        Per contract table (``responses``, ``tickets``, ``customers``,
        ``revenue``, ``units``), how its export is read: ``file``, ``sheet``,
        ``encoding``, ``delimiter``, ``decimal``, ``date_format``, ``columns``
        (export header -> contract column), ``values`` (per contract column, export value
        -> contract value) and ``constants`` (contract column -> value for every
        row). Tables not listed are read as they are. Default: none.
    source : str, optional
        Where the mapping came from (the YAML file), used in error messages.

    Attributes
    ----------
    scales : dict of str to (int, int)
        The scales, as passed.
    tables : dict of str to TableMapping
        The table mappings, as passed; :meth:`table` returns an empty
        ``TableMapping`` for a table that has none.
    source : str or None
        Where the mapping came from.

    Examples
    --------
    >>> m = Mapping.from_dict({"scales": {"csat": [1, 7]},
    ...                        "responses": {"columns": {"Shop": "unit"}}})
    >>> m.scales["csat"], m.table("responses").columns
    ((1, 7), {'Shop': 'unit'})
    """

    scales: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SCALES))
    tables: dict[str, TableMapping] = field(default_factory=dict)
    source: str | None = None

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name) or TableMapping()

    @classmethod
    def from_dict(cls, raw: dict | None, *, source: str | None = None) -> "Mapping":
        raw = dict(raw or {})
        where = source or "mapping"
        scales = dict(DEFAULT_SCALES)
        for key, value in (raw.pop("scales", None) or {}).items():
            if key not in DEFAULT_SCALES or key == "nps":
                raise ConfigError(f"{where}: scales.{key} - expected one of csat, ces, attr (NPS is always 0-10)")
            try:
                low, high = (int(v) for v in value)
            except (TypeError, ValueError):
                raise ConfigError(f"{where}: scales.{key} = {value!r} - expected two whole numbers "
                                  "like [1, 7]") from None
            if not low < high:
                raise ConfigError(f"{where}: scales.{key} = {value!r} - expected lowest < highest")
            scales[key] = (low, high)
        tables = {}
        allowed = {f.name for f in dataclasses.fields(TableMapping)}
        for name, spec in raw.items():
            table = table_spec(name) if name in TABLES else None
            if table is None:
                raise ConfigError(f"{where}: unknown section {name!r}; expected scales or one of {', '.join(TABLES)}")
            spec = dict(spec or {})
            unknown = set(spec) - allowed
            if unknown:
                raise ConfigError(f"{where}: {name}: unknown key(s) {', '.join(sorted(unknown))}; "
                                  f"expected {', '.join(sorted(allowed))}")
            columns = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
            for target in list(columns.values()) + list((spec.get("constants") or {}).keys()):
                if table.column(target) is None:
                    raise ConfigError(f"{where}: {name}: {target!r} is not a column of the {name} table; "
                                      f"expected one of {', '.join(c.name for c in table.columns)}")
            spec["columns"] = columns
            spec["values"] = {str(k): dict(v) for k, v in (spec.get("values") or {}).items()}
            spec["constants"] = dict(spec.get("constants") or {})
            tables[name] = TableMapping(**spec)
        return cls(scales=scales, tables=tables, source=source)

    @classmethod
    def read(cls, path: str | Path) -> "Mapping":
        return read_mapping(path)


def read_mapping(path: str | Path | Mapping | dict | None) -> Mapping:
    """Read a YAML mapping file (or pass through a Mapping / dict / None).

    Parameters
    ----------
    path : str, pathlib.Path, Mapping, dict or None
        A YAML mapping file (UTF-8, a byte-order mark is allowed; the format is
        shown in :class:`Mapping`); or a :class:`Mapping`, returned as it is; or
        a dict with the structure of the YAML file, checked by
        :meth:`Mapping.from_dict`; or None for the empty mapping (default scales,
        no renamed columns). An empty YAML file is also the empty mapping.

    Returns
    -------
    Mapping
        The checked mapping; when read from a file, its ``source`` is the path.

    Raises
    ------
    ConfigError
        If the file does not exist, is not valid YAML, is not a YAML mapping of
        table names to settings, or names an unknown table, key, scale or
        contract column.

    Examples
    --------
    >>> read_mapping(None).scales == DEFAULT_SCALES
    True
    >>> read_mapping({"scales": {"ces": [1, 7]}}).scales["ces"]
    (1, 7)
    """
    if path is None:
        return Mapping()
    if isinstance(path, Mapping):
        return path
    if isinstance(path, dict):
        return Mapping.from_dict(path)
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: mapping file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid YAML mapping file ({exc})") from None
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a YAML mapping of table names to settings")
    return Mapping.from_dict(raw, source=str(path))


_KIND_TEXT = {
    "id": "text id", "text": "text", "category": "text (category)", "score": "whole number",
    "number": "number", "date": "date", "datetime": "date-time", "bool": "yes/no",
}


def contract_markdown() -> str:
    """The data contract as Markdown tables (kept in ``data/README.md``; a test compares them)."""
    lines = []
    for spec in TABLES.values():
        lines += [f"### {spec.name}", "", f"{spec.description.capitalize()}.", "",
                  "| column | type | required | allowed values | meaning |", "|---|---|---|---|---|"]
        cols = list(spec.columns) + [t for _, t in spec.patterns]
        for c in cols:
            if c.kind == "score":
                lo, hi = DEFAULT_SCALES[c.scale]
                allowed = f"{lo}-{hi}" + ("" if c.scale == "nps" else " (scale configurable)")
            elif c.kind == "number":
                allowed = f">= {c.minimum:g}" if c.minimum is not None else "any number"
            elif c.kind in ("date", "datetime"):
                allowed = "not in the future"
            elif c.kind == "bool":
                allowed = "yes/no, true/false, 1/0"
            elif c.unique:
                allowed = "unique, not empty"
            elif not c.nullable:
                allowed = "not empty"
            else:
                allowed = ""
            req = "yes" if c.required else "no"
            lines.append(f"| `{c.name}` | {_KIND_TEXT[c.kind]} | {req} | {allowed} | {c.description} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
