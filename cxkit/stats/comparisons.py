"""Are differences real? One metric, every group, one corrected family.

:func:`compare` runs the right test for a metric over every group of a
grouping column (unit, segment, touchpoint ...) against the rest of the
company, all pairs, targets, or earlier periods, and returns a tidy table with
raw and adjusted p-values, minimum-sample rules and a note on every row.
Counts are computed vectorised from group codes, so hundreds of groups cost
little more than one. Period-over-period changes are :func:`trend`
(:mod:`.trends`); the two-group tests are in :mod:`.twosample` and
:mod:`.targets`.

Methods, the test-choice table and the families used for the multiple-comparison
corrections are explained in ``docs/statistics.md`` (part "Comparisons").
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..periods import shift_window, window
from .design import (_add_moments, _apply_deff, _check_cluster, _cluster_data, _deff_pairs, _deff_pairs_from,
                     _deff_rest, _deff_rest_from, _deff_single, _deff_single_from, _moments)
from .kinds import COMPARE_METRICS, _add_counts, _blank, _Opts
from .preparation import _group_codes, _prepared, _recent
from .rules import _COLUMNS, _check_common, _finish, _frame, _labels_text

__all__ = ["compare"]


AGAINST = ("rest", "pairs", "target", "previous", "year_ago")


def _targets_for(targets, metric: str, by_names, labels: pd.DataFrame) -> np.ndarray:
    """Target per group from a units table (``target_<metric>``), a mapping, or one number."""
    if targets is None:
        raise ConfigError("against='target' needs targets=: the units table (columns target_nps, target_csat, ...), "
                          "a {group: target} mapping, or one number")
    if isinstance(targets, (int, float, np.number)):
        return np.full(len(labels), float(targets))
    if isinstance(targets, pd.DataFrame):
        if len(by_names) != 1:
            raise ConfigError("targets from a table need a single grouping column, e.g. by='unit'")
        key = by_names[0]
        name = "target_first_response_time" if metric.startswith("first_response_time") else f"target_{metric}"
        if key not in targets.columns or name not in targets.columns:
            raise ConfigError(f"targets: expected columns {key!r} and {name!r}; the table has "
                              f"{', '.join(map(str, targets.columns))}")
        mapping = dict(zip(targets[key].astype(str), pd.to_numeric(targets[name], errors="coerce")))
    elif isinstance(targets, (dict, pd.Series)):
        mapping = {str(k): v for k, v in dict(targets).items()}
    else:
        raise ConfigError(f"targets: expected a table, a mapping or a number, got {type(targets).__name__}")
    keys = _labels_text(labels, np.arange(len(labels)))
    return np.array([float(mapping[k]) if k in mapping and pd.notna(mapping[k]) else np.nan for k in keys])


def _ungrouped_out(codes: np.ndarray):
    """A function: rows that count -> those of them with a group. When every row has one, the rows' own
    array is returned, so what is made from it can be kept for the next call (:func:`_kept_cells`)."""
    grouped = codes >= 0
    if grouped.all():
        return lambda valid: valid
    return lambda valid: valid & grouped


def _kept_cells(kind, payload, valid, codes, g: int) -> dict:
    """``kind.cells(...)``, kept for the next calls on the same rows and groups while
    :func:`~cxkit.stats.preparation.reuse_prepared` is active (the report batch compares a metric's
    period with the rest, the targets and two earlier periods)."""
    return _recent("cells", (kind.name, g), (payload, valid, codes), lambda: kind.cells(payload, valid, codes, g))


def compare(data: pd.DataFrame | None = None, *, metric: str = "nps", by: str | Sequence[str] | None = "unit",
            against: str = "rest", targets=None, period=None, date: str | None = None, correction: str = "fdr_bh",
            alpha: float = 0.05, min_n_show: int = 5, min_n_test: int = 30, confidence: float = 0.95,
            scale: tuple[int, int] | None = None, box: tuple[int, int] | None = None, method: str | None = None,
            bands: dict | None = None, cluster: str | None = None, reference=None) -> pd.DataFrame:
    """Is each group really different? One metric, every group, one corrected family.

    Parameters
    ----------
    data : the table the metric comes from (responses, tickets or customers)
    metric : ``"nps"``, ``"csat"``, ``"ces"`` (top-box share), ``"ces_mean"``,
        ``"first_response_time"`` (tickets; medians, Mann-Whitney),
        ``"churn_rate"`` (customers), ``"cac"``, ``"cost_to_serve"``; the test for
        each is fixed by :data:`COMPARE_METRICS` (see docs/statistics.md)
    by : grouping column(s): ``"unit"``, ``"segment"``, ``"touchpoint"``, ...
        (None = the whole company, for period comparisons)
    against : ``"rest"`` (default) - each group vs all other groups' observations
        (never vs a total that contains the group itself); ``"pairs"`` - every
        pair of groups; ``"target"`` - each group vs its target; ``"previous"`` -
        this period vs the previous one; ``"year_ago"`` - this period vs the same
        period a year earlier
    targets : for ``against="target"``: the units table (``target_<metric>``
        columns, matched on ``by``), a ``{group: target}`` mapping, or one number
        (NPS in points, shares in percent, times in hours)
    period : the current period: a pandas period such as ``"2025Q4"``,
        ``"2025-11"`` or ``"2025"``, or a ``(start, end)`` pair of dates (both
        inclusive). Without it: all data (churn: the 12 months ending at the
        latest date); for ``"previous"``/``"year_ago"`` the quarter of the latest
        date.
    date : date column (default ``date`` for responses, ``created_at`` for
        tickets, ``acquired_at`` for CAC)
    correction : ``"fdr_bh"`` (default, Benjamini-Hochberg) or ``"holm"``; the
        family is all tested rows of the returned table
    alpha : significance level applied to the adjusted p-values
    min_n_show : below this many observations a group's metric is not shown at
        all (confidentiality), and its comparison is not shown either
    min_n_test : below this many observations on either side no p-value or flag
        is given
    confidence : level of all intervals
    scale, box : survey scale and its satisfied/easy range for CSAT/CES
    method : interval method of the group values (as :func:`cxkit.metric_table`);
        for NPS ``"wald"`` also switches the test to the unadjusted z-test
    bands : NPS bands (as :func:`cxkit.nps`)
    reference : for ``"previous"``/``"year_ago"``: the reference period itself, in the forms ``period``
        takes, instead of the one before ``period`` (or a year earlier). The report uses it for 12-month
        metrics: see :func:`cxkit.periods.reference_window`.
    cluster : column identifying who answered, e.g. ``"customer_id"``. Answers
        of one customer are alike, so repeated answers are not independent and
        plain tests flag noise too often; with ``cluster=`` every interval and
        test uses a cluster-robust (CR1) variance through its design effect
        (never narrower than for independent answers). Not available for
        response times.

    Returns
    -------
    DataFrame
        One row per group (per pair for ``"pairs"``): the ``by`` column(s);
        ``vs`` (what the group is compared with: "rest", the other group, "target",
        the reference period); ``metric``; ``value``, ``ci_low``, ``ci_high``, ``n``
        (the group, in the metric's unit: NPS points, %, hours, currency);
        ``reference``, ``reference_n`` (the other side: the rest of the company,
        the other group, the target, the earlier period); ``diff`` (group - reference),
        ``diff_ci_low``, ``diff_ci_high``; ``statistic``; ``p_value`` (raw);
        ``p_adjusted`` (corrected across the table); ``significant``
        (``p_adjusted < alpha``); ``direction`` ("higher", "lower", "no difference",
        "not tested", "not shown"); ``test`` (the test used, on every row);
        ``effect_size`` (see :data:`COMPARE_METRICS`); ``suppressed`` (True when
        the group's own value is hidden by ``min_n_show``); ``note`` (why a row is
        not shown or not tested, e.g. "n = 12 < 30: not tested").
        ``DataFrame.attrs`` records the metric, its unit, ``against``, the
        correction, ``alpha``, the family and its size, the periods, and for
        ``"rest"`` the company value (``attrs["company"]``).

    Notes
    -----
    ``rest`` for group g is computed from counts as total - g (sums of squares
    with Chan's formula; for response times one pooled ranking gives every
    group's Mann-Whitney U at once), so it never contains the group itself.

    Suppression: a hidden group's comparison with the rest is hidden too,
    because company total and rest would reveal it by subtraction. When only
    one group of a table is hidden, the company total minus all shown groups
    still reveals it; use the ``suppressed`` column to apply complementary
    suppression in reports.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["A"] * 200 + ["B"] * 200 + ["C"] * 200,
    ...                    "nps": [10, 9, 8, 3] * 50 + [10, 9, 8, 7] * 50 + [6, 5, 8, 9] * 50})
    >>> t = compare(df, metric="nps", by="unit")
    >>> t[["unit", "value", "reference", "diff", "direction"]].round(1)
      unit  value  reference  diff      direction
    0    A   25.0       12.5  12.5  no difference
    1    B   50.0        0.0  50.0         higher
    2    C  -25.0       37.5 -62.5          lower
    """
    _check_common(metric, correction, alpha, min_n_show, min_n_test, confidence)
    _check_compare(by, against)
    if not isinstance(data, pd.DataFrame):
        raise ConfigError("data: expected a table (DataFrame), e.g. cx.load(folder).responses")
    sums = _compare_sums(data, metric=metric, by=by, against=against, period=period, date=date, scale=scale, box=box,
                         bands=bands, cluster=cluster, reference=reference)
    return _compare_table(sums, targets=targets, correction=correction, alpha=alpha, min_n_show=min_n_show,
                          min_n_test=min_n_test, confidence=confidence, method=method, cluster=cluster)


def _check_compare(by, against) -> None:
    if against not in AGAINST:
        raise ConfigError(f"against={against!r} - expected one of {', '.join(AGAINST)}")
    if by is None and against in ("rest", "pairs"):
        raise ConfigError(f"against={against!r} needs by=, the column whose groups are compared (e.g. by='unit')")


class _Sums(NamedTuple):
    """What a comparison table is made from: the groups' cells in the current and reference period and
    the answers' clusters. Made by :func:`_compare_sums` of a whole table (``cd``: the clusters' answers),
    or of a shard of it (``moments``: sums that add up over shards, :func:`_add_sums`)."""

    metric: str
    against: str
    kind: object
    labels: pd.DataFrame
    by_names: list
    by: object
    cur: dict
    ref: dict | None
    current: object
    ref_window: object
    cd: object = None
    moments: dict | None = None


def _compare_sums(data, *, metric, by, against, period, date, scale, box, bands, cluster, reference,
                  shard: bool = False) -> _Sums:
    """The cells of every group (and the clusters' answers) of one comparison. ``shard``: ``data`` is one of
    several tables that each hold whole clusters; the sums are made to be added (:func:`_add_sums`)."""
    spec = COMPARE_METRICS[metric]
    prep = _prepared(data, metric, date=date, scale=scale, box=box, bands=bands)
    kind = prep.kind
    cl = _check_cluster(data, cluster, spec)
    codes, labels, by_names = _group_codes(data, by)
    g = len(labels)
    current = None
    if period is not None:
        current = window(period)
    elif against in ("previous", "year_ago"):
        if shard:
            raise ConfigError("sums over shards need period=: each shard has its own latest date")
        period = pd.Period(prep.date_range()[1], freq="Q")
        current = window(period)
    valid, payload = prep.observations(current)
    grouped = _ungrouped_out(codes)  # a row without a group (a blank touchpoint) is in no group nor the reference
    valid = grouped(valid)
    cur = _kept_cells(kind, payload, valid, codes, g)
    parts = [(valid, payload, codes, 0)]
    ref = ref_window = None
    if against in ("previous", "year_ago"):
        ref_window = window(reference) if reference is not None else shift_window(current, period, against)
        ref_valid, ref_payload = prep.observations(ref_window)
        ref_valid = grouped(ref_valid)
        ref = _kept_cells(kind, ref_payload, ref_valid, codes, g)
        parts.append((ref_valid, ref_payload, codes, g))
    cd = moments = None
    if cl is not None:
        cd = _cluster_data(kind.name, parts, cl, g * len(parts))
        if shard:
            if against == "pairs":
                raise ConfigError("sums over shards: against='pairs' is not available")
            moments, cd = _moments(cd, offset=g if ref is not None else 0), None
    elif shard and kind.name not in _COUNTED:
        raise ConfigError(f"sums over shards: {metric} does not add up over shards (counts do: NPS and shares)")
    return _Sums(metric, against, kind, labels, by_names, by, cur, ref, current, ref_window, cd, moments)


#: kinds whose cells are counts, added up over shards as they are
_COUNTED = ("nps", "share")


def _add_sums(a: _Sums | None, b: _Sums) -> _Sums:
    """The sums of two shards (:func:`_compare_sums` with ``shard=True``) of one table."""
    if a is None:
        return b
    if not a.labels.equals(b.labels):  # a caller's mistake, not the data's: never a comparison silently left out
        raise ValueError("sums over shards: the shards' groups differ (give the grouping column as categories)")
    return a._replace(cur=_add_counts(a.cur, b.cur), ref=None if a.ref is None else _add_counts(a.ref, b.ref),
                      moments=None if a.moments is None else _add_moments(a.moments, b.moments))


def _deff(sums: _Sums, which: str, j=None, k=None) -> np.ndarray:
    """The design effects of a comparison, from the clusters' answers or from the shards' sums."""
    mo, cd = sums.moments, sums.cd
    if which == "rest":
        return _deff_rest(cd) if mo is None else _deff_rest_from(mo)
    if which == "single":
        return _deff_single(cd) if mo is None else _deff_single_from(mo)
    # pairs: over shards only a group's period against its reference period (column j + groups)
    return _deff_pairs(cd, j, k) if mo is None else _deff_pairs_from(mo, j, len(sums.labels))


def _compare_table(sums: _Sums, *, targets, correction, alpha, min_n_show, min_n_test, confidence, method,
                   cluster) -> pd.DataFrame:
    """:func:`compare`'s table from the sums of :func:`_compare_sums` (of a table, or added over its shards)."""
    metric, against, kind, labels, by_names, by = (sums.metric, sums.against, sums.kind, sums.labels, sums.by_names,
                                                   sums.by)
    spec = COMPARE_METRICS[metric]
    clustered = sums.cd is not None or sums.moments is not None
    opts = _Opts(confidence, method, clustered)
    g = len(labels)
    cur, current, ref_window = sums.cur, sums.current, sums.ref_window
    n_all = kind.n(cur)
    company = None
    if against in ("previous", "year_ago"):
        ref = sums.ref
        keep = np.flatnonzero((n_all > 0) | (kind.n(ref) > 0))
        a, b = kind.take(cur, keep), kind.take(ref, keep)
        dd = kind.diff(a, b, opts)
        if clustered:
            dd = _apply_deff(dd, _deff(sums, "pairs", keep, g + keep), kind.name, cluster)
        frame = _frame(labels.iloc[keep], ref_window.label, metric, kind.estimate(a, opts), kind.n(a),
                       kind.estimate(b, opts)[0], kind.n(b), dd)
        ref_label, has_ref = f"{ref_window.label}", True
    elif against == "pairs":
        keep = np.flatnonzero(n_all > 0)
        ii, jj = np.triu_indices(keep.size, k=1)
        i, j = keep[ii], keep[jj]
        a, b = kind.take(cur, i), kind.take(cur, j)
        dd = kind.diff(a, b, opts) if i.size else _blank(0)
        if clustered and i.size:
            dd = _apply_deff(dd, _deff(sums, "pairs", i, j), kind.name, cluster)
        other = _labels_text(labels, j)
        frame = _frame(labels.iloc[i], other, metric, kind.estimate(a, opts), kind.n(a),
                       kind.estimate(b, opts)[0], kind.n(b), dd)
        ref_label, has_ref = other, True
    elif against == "target":
        t = _targets_for(targets, metric, by_names, labels)
        keep = np.flatnonzero(n_all > 0)
        a = kind.take(cur, keep)
        dd = kind.vs_target(a, t[keep], opts)
        if clustered:
            dd = _apply_deff(dd, _deff(sums, "single")[keep], kind.name, cluster)
        frame = _frame(labels.iloc[keep], "target", metric, kind.estimate(a, opts), kind.n(a), t[keep],
                       np.zeros(keep.size), dd)
        ref_label, has_ref = "target", False
    else:  # rest
        ref_value, ref_n, dd_all = kind.vs_rest(cur, opts)
        keep = np.flatnonzero(n_all > 0)
        a = kind.take(cur, keep)
        dd = {k: v[keep] for k, v in dd_all.items()}
        if clustered:
            dd = _apply_deff(dd, _deff(sums, "rest")[keep], kind.name, cluster)
        frame = _frame(labels.iloc[keep], "rest", metric, kind.estimate(a, opts), kind.n(a),
                       np.asarray(ref_value)[keep], np.asarray(ref_n)[keep], dd)
        ref_label, has_ref = "rest", True
        tot = kind.total(cur)
        tv, tl, th = kind.estimate(tot, opts)
        tn = int(kind.n(tot)[0])
        company = dict(value=float(tv[0]), ci_low=float(tl[0]), ci_high=float(th[0]), n=tn) if tn >= min_n_show \
            else dict(value=np.nan, ci_low=np.nan, ci_high=np.nan, n=tn)
    frame = _finish(frame, ref_label=ref_label, has_reference=has_ref, min_n_show=int(min_n_show),
                    min_n_test=int(min_n_test), correction=correction, alpha=alpha)
    frame = frame[by_names + _COLUMNS] if by is not None else frame[_COLUMNS]
    tested = int(frame["p_value"].notna().sum())
    family = {"rest": "each group vs the rest", "pairs": "all pairs of groups", "target": "each group vs its target",
              "previous": "each group vs the previous period", "year_ago": "each group vs a year earlier"}[against]
    frame.attrs.update(metric=metric, measured_in=spec["measured_in"], higher_is_better=spec["higher_is_better"],
                       against=against, by=by_names if by is not None else None, correction=correction, alpha=alpha,
                       confidence=confidence, min_n_show=int(min_n_show), min_n_test=int(min_n_test),
                       family=f"{family}: the {tested} tested rows of this table", family_size=tested,
                       period=None if current is None else current.label,
                       reference_period=None if ref_window is None else ref_window.label,
                       company=company, effect_size=spec["effect_size"], cluster=cluster)
    return frame.reset_index(drop=True)
