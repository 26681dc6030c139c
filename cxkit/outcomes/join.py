"""Survey answers linked to customers, churn and revenue by ``customer_id`` (:func:`join_outcomes`).

Every other outcome analysis starts from its result (or from a customers table, which is joined here
without survey answers). The linking rule, the follow-up and the monthly revenue are documented in
:func:`join_outcomes` and ``docs/statistics.md``, section 11.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.hashing import arrow_text, lookup, run_heads, sum_runs
from ..errors import ConfigError
from ..stats.customers import DAYS_PER_MONTH, _churn_columns
from ..stats.preparation import _numeric_column
from ..stats.scores import nps_group
from .results import OutcomeData

__all__ = ["join_outcomes"]

#: NPS groups in order (the categories of ``nps_group``).
NPS_ORDER = ["detractor", "passive", "promoter"]
#: Scores a linked answer carries.
SCORES = ("nps", "csat", "ces")


def _ids(s: pd.Series) -> pd.Series:
    return s.astype("string").astype(object)


def _customer_positions(cust: pd.DataFrame, responses, revenue) -> dict:
    """Each answer's customer row position (-1: unknown or missing id) and each run of one customer's invoices'
    first invoice and customer position, found by hash (:func:`cxkit.data.hashing.lookup`) or, for a missing,
    repeated or colliding customer id, by one dictionary pass; raises a :class:`ConfigError` for a repeated
    customer id. Returns ``{"customers": ..., "responses": positions, "revenue": (run starts, positions)}``
    (for the tables given)."""
    tables = {k: t for k, t in (("responses", responses), ("revenue", revenue))
              if t is not None and "customer_id" in t.columns}
    rev_ids = arrow_text(tables["revenue"]["customer_id"]) if "revenue" in tables else None
    heads = run_heads(rev_ids) if rev_ids is not None else None
    queries = ([arrow_text(tables["responses"]["customer_id"])] if "responses" in tables else []) + (
        [rev_ids.filter(heads)] if heads is not None else [])
    found = lookup(arrow_text(cust["customer_id"]), queries)
    if found is None:  # a missing or repeated customer id (or two ids of one hash): one dictionary pass
        found = _positions_by_codes(cust["customer_id"], queries)
    out = {"customers": np.arange(len(cust))}
    if "responses" in tables:
        out["responses"] = found[0]
    if heads is not None:  # each run of one customer's invoices: its first invoice and its customer
        out["revenue"] = (np.flatnonzero(heads), found[-1])
    return out


def _positions_by_codes(cust_ids: pd.Series, queries: list) -> list[np.ndarray]:
    """As :func:`cxkit.data.hashing.lookup`, from one Arrow dictionary pass over all the ids; raises a
    :class:`ConfigError` for a repeated customer id."""
    codes = _shared_codes(cust_ids, *queries)
    known = codes[0] >= 0
    k = int(known.sum())
    if len(cust_ids) - k > 1 or not np.array_equal(codes[0][known], np.arange(k)):
        _check_unique(cust_ids)  # a repeated id: first appearances are not 0, 1, 2, ...
    at = np.full(max((int(c.max()) + 1 for c in codes if len(c)), default=0) + 1, -1, dtype=np.int64)
    at[codes[0][known]] = np.flatnonzero(known)  # at[-1] stays -1: missing ids
    return [at[c] for c in codes[1:]]


def _shared_codes(*columns: pd.Series) -> list[np.ndarray]:
    """Integer codes of id columns, equal where the ids are equal as text (as :func:`_ids` compares them),
    -1 where missing: one Arrow hash pass over all of them, codes in order of first appearance."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = [s if isinstance(s, (pa.Array, pa.ChunkedArray)) else arrow_text(s) for s in columns]
    chunks = [c for a in arrays for c in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])]
    encoded = pc.dictionary_encode(pa.chunked_array(chunks, type=arrays[0].type))
    indices = pa.chunked_array([c.indices for c in encoded.chunks], type=pa.int32())
    codes = pc.fill_null(indices, -1).to_numpy().astype(np.int64)
    return np.split(codes, np.cumsum([len(s) for s in columns])[:-1])


def _months(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return ((later - earlier).dt.total_seconds() / 86400 / DAYS_PER_MONTH).to_numpy(dtype=float)


def _unpack(responses, customers, revenue):
    """Allow ``join_outcomes(dataset)`` with a loaded :class:`cxkit.io.Dataset`."""
    if responses is not None and not isinstance(responses, pd.DataFrame) and hasattr(responses, "tables"):
        ds = responses
        return (ds.responses, ds.customers if customers is None else customers,
                ds.revenue if revenue is None else revenue)
    return responses, customers, revenue


def join_outcomes(responses=None, customers: pd.DataFrame | None = None, revenue: pd.DataFrame | None = None, *,
                  score: str = "nps", rule: str = "latest", before=None, end=None, revenue_months: int = 12,
                  bands: dict | None = None) -> OutcomeData:
    """Link survey answers to customers, churn and revenue by ``customer_id``.

    Parameters
    ----------
    responses : responses table (or a loaded ``cx.load(...)`` dataset, whose
        responses, customers and revenue are then used); None for a customer-only
        analysis (e.g. churn by contract type in a CRM export).
    customers : customers table with churn dates (``acquired_at``, ``churned_at``)
        or a churn flag and tenure (``churned``, ``tenure_months``).
    revenue : revenue table (invoices); without it a ``monthly_revenue`` column of
        customers is used when present.
    score : the answer that must be present in the response used: ``"nps"``
        (default), ``"csat"`` or ``"ces"``.
    rule : ``"latest"`` (default) - each customer's latest answer; ``"mean"`` -
        the average of all the customer's answers (each score averaged over the
        answers that have it; the NPS group is that of the rounded mean).
    before : outcome-window start (date). Only answers dated before it are used,
        follow-up of every customer active on that date starts on it (a
        landmark analysis), and customers who left or joined later are left out.
        Default None: follow-up starts at the answer used (``rule="latest"``)
        or at the customer's last answer (``rule="mean"``).
    end : end of follow-up (default: the latest date in the tables).
    revenue_months : length of the revenue window for ``monthly_revenue``
        (months ending at the latest invoice date).
    bands : NPS bands, as in :func:`cxkit.nps_group`.

    Returns
    -------
    OutcomeData
        ``.data``: one row per customer with ``customer_id``, the customer's own
        columns (``unit``, ``segment``, ...), ``matched`` (a usable answer was
        found), ``responses`` (answers used), ``survey_date``, ``nps``, ``csat``,
        ``ces``, ``nps_group``, ``origin`` (start of follow-up), ``months``
        (follow-up in months), ``churned`` (left during follow-up), ``active``
        (still a customer at the end), ``tenure_at_start`` (months as a customer
        when follow-up started), ``monthly_revenue``.
        ``.summary``: ``item``, ``count`` - customers matched / not matched,
        answers used / ignored and why, invoices not matched (the same numbers
        by key in ``.counts``).
        ``.notes``: the rule in words.

    Notes
    -----
    Rule (dated customers): answers given on or after the day the customer
    left, after ``end`` or on/after ``before`` are ignored, because an answer
    given when leaving cannot predict leaving. Follow-up runs from the origin to ``churned_at`` (an
    event) or to ``end`` (censored). Customers without a usable answer keep
    ``matched = False`` and follow-up from ``acquired_at``; group analyses by
    ``nps_group`` leave them out, analyses by other columns keep them.

    Customers with a churn flag and tenure but no dates: follow-up is
    ``tenure_months`` and the event is ``churned``; the answer used is the
    customer's latest (or mean), whatever its date.

    Monthly revenue: invoices dated in the ``revenue_months`` months ending at
    the latest invoice date, divided by the months the customer was active in
    that window (at least one month needed; otherwise missing). With quarterly
    or monthly invoices dated at the end (or start) of the period they bill,
    that window holds exactly ``revenue_months`` months of billing.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"customer_id": ["a", "a", "b", "x"], "nps": [3, 9, 10, 5],
    ...                   "date": pd.to_datetime(["2025-01-10", "2025-03-01", "2025-02-01", "2025-02-01"])})
    >>> c = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                   "acquired_at": pd.to_datetime(["2023-01-01"] * 3),
    ...                   "churned_at": pd.to_datetime([None, "2025-08-01", None])})
    >>> j = join_outcomes(r, c, end="2025-12-31")
    >>> j.data[["customer_id", "nps", "nps_group", "churned"]]
      customer_id   nps nps_group  churned
    0           a   9.0  promoter    False
    1           b  10.0  promoter     True
    2           c   NaN       NaN    False
    >>> j.counts["customers_matched"], j.counts["responses_unknown_customer"]
    (2, 1)
    """
    responses, customers, revenue = _unpack(responses, customers, revenue)
    _check_join_args(customers, rule, score)
    dated = _churn_columns(customers)
    cust = _customers_table(customers)
    # integer positions: no string hashing after (the ids as loaded: Arrow text when read by cx.load, no copy)
    customer_at = _customer_positions(customers, responses, revenue)
    before = None if before is None else pd.Timestamp(before)
    counts: dict[str, int] = {"customers": len(cust)}
    end = _follow_up_end(end, cust, dated, responses, revenue)
    answers = _no_answers()
    if responses is not None:
        r = _usable_answers(responses, cust, customer_at, score=score, dated=dated, before=before, end=end,
                            counts=counts)
        answers = _answer_per_customer(r, responses, rule, counts)
    out = _attach_answers(cust, answers, rule, bands, counts)
    out = _follow_up(out, dated, before, end, counts)
    notes = _monthly_revenue(out, revenue, customer_at, revenue_months, dated, counts)
    out = _ordered_columns(out)
    rule_text = _rule_text(rule, score, dated, before, end)
    return OutcomeData(title=f"Customers linked to survey answers (rule: {rule})", table=_counts_table(counts, score),
                       note_list=[rule_text] + notes, data=out, counts=counts, rule=rule, digits=0)


# --------------------------------------------------------------------------------------
# the steps of join_outcomes, in the order it takes them


def _check_join_args(customers, rule: str, score: str) -> None:
    """Raise a :class:`ConfigError` for a missing customers table or an unknown rule or score."""
    if customers is None or not isinstance(customers, pd.DataFrame):
        raise ConfigError("join_outcomes needs a customers table (customer_id plus churn dates or a churn flag)")
    if "customer_id" not in customers.columns:
        raise ConfigError("customers: column 'customer_id' missing; map your export's customer id onto it")
    if rule not in ("latest", "mean"):
        raise ConfigError(f"rule={rule!r} - expected 'latest' (the customer's latest answer) or 'mean'")
    if score not in SCORES:
        raise ConfigError(f"score={score!r} - expected one of {', '.join(SCORES)}")


def _customers_table(customers: pd.DataFrame) -> pd.DataFrame:
    """A copy of the customers table with text ids, one row per customer (a repeated id is an error)."""
    cust = customers.drop(columns=[c for c in ("_row",) if c in customers.columns]).copy()
    cust["customer_id"] = _ids(cust["customer_id"])
    return cust


def _check_unique(ids: pd.Series) -> None:
    """Raise a :class:`ConfigError` naming the first repeated customer id."""
    ids = _ids(ids)
    dup = ids.duplicated()
    if dup.any():
        raise ConfigError(f"customers: customer_id {ids[dup].iloc[0]!r} appears more than once; "
                          "each customer must have one row")


def _follow_up_end(end, cust: pd.DataFrame, dated: bool, responses, revenue):
    """The end of follow-up: ``end`` as given, else the latest date in the tables (None without dates)."""
    if end is not None:
        return pd.Timestamp(end)
    candidates = []
    if dated:
        candidates += [cust["acquired_at"].max(), cust["churned_at"].max()]
    if responses is not None and "date" in responses.columns and len(responses):
        candidates.append(responses["date"].max())
    if revenue is not None and len(revenue):
        candidates.append(revenue["date"].max())
    candidates = [c for c in candidates if pd.notna(c)]
    return max(candidates) if candidates else None


def _no_answers() -> pd.DataFrame:
    """The answers of no customer (no responses table: none matched)."""
    return pd.DataFrame({"_pos": pd.Series(dtype=np.int64), "survey_date": pd.Series(dtype="datetime64[ns]"),
                         **{s: pd.Series(dtype=float) for s in SCORES}, "responses": pd.Series(dtype=float)})


def _check_responses(responses: pd.DataFrame, score: str, dated: bool, before) -> None:
    for c in ("customer_id", score):
        if c not in responses.columns:
            raise ConfigError(f"responses: column {c!r} missing; it is needed to link answers to customers")
    if "date" not in responses.columns and (dated or before is not None):
        raise ConfigError("responses: column 'date' missing; it is needed to order answers and start follow-up")


def _linked_answers(responses: pd.DataFrame, customer_at: dict, score: str, counts: dict) -> dict:
    """Answers with the score and a known customer, as columns (arrays of equal length, no DataFrame: at 2M
    answers building one merged the score columns into one block, 0.25 s): ``_row`` (the row position in
    ``responses``), ``_pos`` (the customer's row position) and ``date`` (NaT when the table has none). The
    scores are read later, for the answers used only (:func:`_scores_at`)."""
    has = responses[score].notna().to_numpy()
    counts["responses_with_score"] = int(has.sum())
    no_id = has & responses["customer_id"].isna().to_numpy()
    counts["responses_without_customer_id"] = int(no_id.sum())
    pos = customer_at["responses"]
    keep = has & ~no_id
    counts["responses_unknown_customer"] = int((keep & (pos < 0)).sum())
    keep &= pos >= 0
    rows = np.flatnonzero(keep)
    if "date" in responses.columns:
        date = responses["date"].array.take(rows)  # a DatetimeArray (time zone kept)
    else:
        date = pd.array(np.full(len(rows), np.datetime64("NaT", "ns")))
    return {"_row": rows, "_pos": pos[rows], "date": date}


def _scores_at(responses: pd.DataFrame, rows: np.ndarray) -> dict:
    """Every score (``SCORES``) of the answers at ``rows``, as floats (missing: NaN). A numeric column is
    read at those rows only; any other (text) is converted whole first, so that a value that is not a
    number is an error wherever it is (:func:`~cxkit.stats.preparation._numeric_column`)."""
    out = {}
    for s in SCORES:
        if s not in responses.columns:
            out[s] = np.full(len(rows), np.nan)
        elif pd.api.types.is_numeric_dtype(responses[s].dtype) and not pd.api.types.is_bool_dtype(responses[s].dtype):
            out[s] = responses[s].array.take(rows).to_numpy(dtype="float64", na_value=np.nan)
        else:
            out[s] = _numeric_column(responses, s)[rows]
    return out


def _ignored_answers(r: dict, cust: pd.DataFrame, dated: bool, before, end, counts: dict) -> np.ndarray:
    """True for answers given on or after leaving, after ``end`` or on/after ``before`` (each counted once)."""
    date = r["date"]
    ignore = np.zeros(len(date), dtype=bool)
    if dated:
        left = cust["churned_at"].array.take(r["_pos"])
        after_churn = ~left.isna() & np.asarray(date >= left)  # on the day of leaving or later
        counts["responses_after_churn"] = int(after_churn.sum())
        ignore |= after_churn
    if end is not None and not date.isna().all():
        late = ~ignore & np.asarray(date > end)
        counts["responses_after_end"] = int(late.sum())
        ignore |= late
    if before is not None:
        late = ~ignore & np.asarray(date >= before)
        counts["responses_in_outcome_window"] = int(late.sum())
        ignore |= late
    return ignore


def _usable_answers(responses: pd.DataFrame, cust: pd.DataFrame, customer_at, *, score: str, dated: bool, before,
                    end, counts: dict) -> dict:
    """The answers the rule may use (columns, as :func:`_linked_answers`): linked to a customer and not
    ignored (see :func:`_ignored_answers`)."""
    _check_responses(responses, score, dated, before)
    r = _linked_answers(responses, customer_at, score, counts)
    kept = np.flatnonzero(~_ignored_answers(r, cust, dated, before, end, counts))
    return {c: v.take(kept) for c, v in r.items()}


def _answer_per_customer(r: dict, responses: pd.DataFrame, rule: str, counts: dict) -> pd.DataFrame:
    """One row per customer position: the latest answer, or the mean of the answers (``rule``); the scores
    are read from ``responses`` for the answers used."""
    if rule == "latest":
        pos = r["_pos"].astype(np.int64)
        day_codes, _ = pd.factorize(r["date"], sort=True)  # date rank; a missing date sorts last (as sort_values)
        top = int(day_codes.max()) + 1 if len(day_codes) else 0
        day = np.where(day_codes < 0, top, day_codes)
        # each customer's latest day, then the last of its answers on that day (no sort of all answers: 4x faster)
        size = int(pos.max()) + 1 if len(pos) else 0
        latest = np.full(size, -1, dtype=np.int64)
        np.maximum.at(latest, pos, day)
        on_latest = np.flatnonzero(day == latest[pos])
        last_row = np.full(size, -1, dtype=np.int64)
        np.maximum.at(last_row, pos[on_latest], on_latest)
        rows = np.sort(last_row[last_row >= 0])  # the latest answer of each customer, in the answers' order
        answers = pd.DataFrame({"_pos": pos[rows], "survey_date": r["date"].take(rows),
                                **_scores_at(responses, r["_row"][rows]), "responses": 1})
        counts["responses_used"] = int(len(rows))  # one per customer
        counts["responses_not_latest"] = int(len(pos) - len(rows))
        return answers
    counts["responses_used"] = int(len(r["_pos"]))
    g = pd.DataFrame({"_pos": r["_pos"], "date": r["date"], **_scores_at(responses, r["_row"])}).groupby(
        "_pos", sort=False)
    answers = g[list(SCORES)].mean()
    answers["survey_date"] = g["date"].max()
    answers["responses"] = g.size()
    return answers.reset_index()[["_pos", "survey_date", *SCORES, "responses"]]


def _attach_answers(cust: pd.DataFrame, answers: pd.DataFrame, rule: str, bands, counts: dict) -> pd.DataFrame:
    """Customers (in their row order, with ``_pos``) with their answer, ``matched`` and ``nps_group``."""
    out = cust  # join_outcomes' own copy (_customers_table): columns are added in place
    out["_pos"] = np.arange(len(cust))
    # a left merge on _pos, by position: each customer has at most one answer (1M customers: a merge copied
    # the whole table twice)
    at = answers["_pos"].to_numpy(dtype=np.int64)
    for col in ("survey_date", *SCORES):
        values = answers[col].to_numpy()
        filled = np.full(len(cust), np.datetime64("NaT", "ns") if values.dtype.kind == "M" else np.nan,
                         dtype=values.dtype if values.dtype.kind == "M" else float)
        filled[at] = values
        out[col] = filled
    matched = np.zeros(len(cust), dtype=bool)
    matched[at] = True
    used = np.zeros(len(cust), dtype=np.int64)
    used[at] = answers["responses"].to_numpy(dtype=np.int64)
    out["matched"] = matched
    out["responses"] = used
    nps_values = out["nps"].to_numpy(dtype=float)
    if rule == "mean":
        nps_values = np.floor(nps_values + 0.5)
    out["nps_group"] = nps_group(nps_values, bands=bands).to_numpy()
    out["nps_group"] = pd.Categorical(out["nps_group"], categories=NPS_ORDER, ordered=True)
    counts["customers_matched"] = int(out["matched"].sum())
    counts["customers_without_response"] = int((~out["matched"]).sum())
    return out


def _dated_follow_up(out: pd.DataFrame, before, end, counts: dict) -> pd.DataFrame:
    """Follow-up from the origin (``before``, else the answer or acquisition) to leaving or ``end``;
    customers not at risk at the origin are left out."""
    acquired, churned_at = out["acquired_at"], out["churned_at"]
    if before is not None:
        origin = pd.Series(before, index=out.index)
        at_risk = (acquired.isna() | (acquired <= before)) & (churned_at.isna() | (churned_at > before))
        counts["customers_not_active_at_window_start"] = int((~at_risk).sum())
    else:
        origin = out["survey_date"].where(out["matched"], acquired)
        at_risk = origin.notna()
        counts["customers_without_start_date"] = int((~at_risk).sum())
    stop = churned_at.where(churned_at.notna() & (churned_at <= end), end) if end is not None else churned_at
    out["origin"] = origin
    left = churned_at.notna() & (churned_at > origin)
    if end is not None:
        left &= churned_at <= end
    out["churned"] = left.to_numpy()
    out["months"] = np.clip(_months(stop, origin), 0, None)
    out["tenure_at_start"] = _months(origin, acquired)
    keep = at_risk.to_numpy()
    if not keep.all():
        return out[keep].reset_index(drop=True)
    out.index = pd.RangeIndex(len(out))  # every customer stays: no copy of the table
    return out


def _follow_up(out: pd.DataFrame, dated: bool, before, end, counts: dict) -> pd.DataFrame:
    """``origin``, ``months``, ``churned``, ``active`` and ``tenure_at_start``: from the churn dates, or
    ``tenure_months`` and the ``churned`` flag when the customers table has no dates."""
    if dated:
        out = _dated_follow_up(out, before, end, counts)
    else:
        out["origin"] = pd.NaT
        out["churned"] = out["churned"].astype("boolean").fillna(False).astype(bool).to_numpy()
        out["months"] = out["tenure_months"].astype(float)
        out["tenure_at_start"] = np.nan
    out["churned"] = out["churned"].astype(bool)
    out["active"] = ~out["churned"]
    counts["customers_churned"] = int(out["churned"].sum())
    return out


def _revenue_from_invoices(out: pd.DataFrame, revenue: pd.DataFrame, customer_at, revenue_months: int, dated: bool,
                           counts: dict) -> str:
    """Set ``monthly_revenue`` from the invoices of the last ``revenue_months`` months; returns the note."""
    for c in ("customer_id", "date", "amount"):
        if c not in revenue.columns:
            raise ConfigError(f"revenue: column {c!r} missing (see data/README.md)")
    starts, run_pos = customer_at["revenue"]  # runs of one customer's invoices (6.5M invoices, 1M runs)
    unknown = run_pos < 0
    counts["invoices_unknown_customer"] = int(np.diff(starts, append=len(revenue))[unknown].sum())
    last = revenue["date"].max()
    start = last - pd.DateOffset(months=revenue_months)
    inside = ((revenue["date"] > start) & (revenue["date"] <= last)).to_numpy()
    amount = np.where(inside, revenue["amount"].to_numpy(dtype=float, na_value=np.nan), 0.0)
    amount = sum_runs(amount, starts, run_pos, len(customer_at["customers"]))  # a missing amount adds nothing
    if dated:
        a0 = out["acquired_at"].where(out["acquired_at"].notna() & (out["acquired_at"] > start), start)
        a1 = out["churned_at"].where(out["churned_at"].notna() & (out["churned_at"] < last), last)
        active_months = np.clip(_months(a1, a0), 0, None)
    else:
        active_months = np.minimum(out["tenure_months"].astype(float).to_numpy(), revenue_months)
    total = amount[out["_pos"].to_numpy()]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["monthly_revenue"] = np.where(active_months >= 1, total / active_months, np.nan)
    return (f"Monthly revenue: invoices from {(start + pd.Timedelta(days=1)).date()} to {last.date()} "
            f"divided by the months each customer was active in that window (at least 1 month).")


def _monthly_revenue(out: pd.DataFrame, revenue, customer_at, revenue_months: int, dated: bool,
                     counts: dict) -> list[str]:
    """Set ``monthly_revenue`` (from invoices, the customers' own column, or missing); returns the notes."""
    if revenue is not None and len(revenue):
        return [_revenue_from_invoices(out, revenue, customer_at, revenue_months, dated, counts)]
    if "monthly_revenue" in out.columns:
        out["monthly_revenue"] = out["monthly_revenue"].astype(float)
        return ["Monthly revenue: the customers table's monthly_revenue column."]
    out["monthly_revenue"] = np.nan
    return ["No revenue: give a revenue table or a monthly_revenue column for the revenue analyses."]


def _ordered_columns(out: pd.DataFrame) -> pd.DataFrame:
    """The customer's id and unit columns first, then the columns the join adds, then the rest (without the
    working column ``_pos``): one copy of the table."""
    lead = ["customer_id"] + [c for c in ("unit", "segment", "region") if c in out.columns]
    new = ["matched", "responses", "survey_date", *SCORES, "nps_group", "origin", "months", "churned", "active",
           "tenure_at_start", "monthly_revenue"]
    rest = [c for c in out.columns if c not in lead and c not in new and c != "_pos"]
    return out[lead + new + rest]


def _rule_text(rule: str, score: str, dated: bool, before, end) -> str:
    """The linking rule in words (the first note)."""
    what = "latest answer" if rule == "latest" else "average of all answers"
    if dated and before is None:
        return (f"Each customer's {what} with a {score} score, given before leaving and by {_d(end)}; "
                f"follow-up from {'that answer' if rule == 'latest' else 'the last answer'} to leaving "
                f"(churn) or {_d(end)} (censored). Customers without an answer: follow-up from acquisition.")
    if dated:
        return (f"Landmark at {_d(before)}: each customer's {what} with a {score} score before that date; "
                f"customers active on {_d(before)} followed to leaving (churn) or {_d(end)} (censored).")
    return (f"Each customer's {what} with a {score} score; follow-up = tenure_months, event = churned "
            "flag (the customers table has no dates).")


def _counts_table(counts: dict, score: str) -> pd.DataFrame:
    """The ``summary`` of the join: what each count means, in a fixed order, for the counts taken."""
    labels = {
        "customers": "customers in the customers table",
        "customers_matched": "customers matched to a survey answer",
        "customers_without_response": "customers without a usable survey answer",
        "customers_not_active_at_window_start": "customers not active at the outcome-window start (left out)",
        "customers_without_start_date": "customers without a start date (left out)",
        "customers_churned": "customers who left during follow-up",
        "responses_with_score": f"answers with a {score} score",
        "responses_used": "answers used",
        "responses_not_latest": "earlier answers of matched customers (not used by rule='latest')",
        "responses_without_customer_id": "answers without a customer_id (not linked)",
        "responses_unknown_customer": "answers whose customer_id is not in customers (not linked)",
        "responses_after_churn": "answers given on or after the day the customer left (ignored)",
        "responses_after_end": "answers after the end of follow-up (ignored)",
        "responses_in_outcome_window": "answers on or after the outcome-window start (ignored)",
        "invoices_unknown_customer": "invoices whose customer_id is not in customers",
    }
    keys = [k for k in labels if k in counts]
    return pd.DataFrame({"item": [labels[k] for k in keys], "count": [counts[k] for k in keys]})


def _d(ts) -> str:
    return "the end of the data" if ts is None else str(pd.Timestamp(ts).date())
