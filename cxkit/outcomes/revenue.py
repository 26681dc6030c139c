"""Revenue by satisfaction: monthly revenue per group, revenue at risk (industry heuristic and
model-based, clearly labelled), customer lifetime value per group and the value of one NPS point.

Methods, formulas and sources: ``docs/statistics.md``, section 11.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from ..stats.customers import clv
from ..stats.intervals import EXACT_RESAMPLING_CELLS, _mean_interval, _z, bootstrap_counts
from ._inputs import _column, _default_reference, _frame, _groups
from .join import NPS_ORDER
from .results import OutcomeResult
from .survival import _km_influence, _km_weighted

__all__ = ["revenue_by_group", "revenue_at_risk", "clv_by_group", "nps_point_value", "HEURISTIC_CHURN_SHARES"]


#: Industry heuristic of revenue at risk (SurveyMonkey CX "Revenue Impact", Promoter.io):
#: share of each group assumed to leave, and the label of that risk.
HEURISTIC_CHURN_SHARES = {"detractor": (0.5, "short-term"), "passive": (0.3, "long-term")}


def revenue_by_group(data, *, by: str = "nps_group", confidence: float = 0.95) -> pd.DataFrame:
    """Monthly revenue per customer in each group, mean with a t interval.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or a customers table with ``monthly_revenue``)
    by : grouping column (default ``"nps_group"``)

    Returns
    -------
    DataFrame
        ``by`` column, ``n`` (customers with revenue), ``monthly_revenue``
        (mean), ``ci_low``, ``ci_high`` (t interval), ``median``,
        ``annual_revenue`` (12 x mean), ``revenue_share`` (% of all monthly
        revenue).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcd"), "segment": list("AABB"), "churned": False,
    ...                   "tenure_months": 6.0, "monthly_revenue": [10.0, 20.0, 30.0, 50.0]})
    >>> revenue_by_group(c, by="segment")[["segment", "n", "monthly_revenue", "revenue_share"]]
      segment  n  monthly_revenue  revenue_share
    0       A  2             15.0          27.27
    1       B  2             40.0          72.73
    """
    frame = _frame(data)
    s, levels = _groups(frame, by)
    rev = _column(frame, "monthly_revenue", "revenue").astype(float)
    if rev.notna().sum() == 0:
        raise InsufficientDataError("no customer has revenue: give join_outcomes a revenue table, or map a "
                                    "monthly revenue column onto customers.monthly_revenue")
    rows = []
    total = float(rev[s.notna()].sum())
    for lv in levels:
        x = rev[(s == lv) & rev.notna()].to_numpy()
        n = x.size
        mean = float(x.mean()) if n else np.nan
        sd = float(x.std(ddof=1)) if n > 1 else np.nan
        lo, hi = _mean_interval(mean, sd, n, confidence)
        rows.append({by: lv, "n": n, "monthly_revenue": mean, "ci_low": float(lo), "ci_high": float(hi),
                     "median": float(np.median(x)) if n else np.nan, "annual_revenue": 12 * mean,
                     "revenue_share": round(100 * float(x.sum()) / total, 2) if total else np.nan})
    return pd.DataFrame(rows)


def _boot_weights(n: int, n_boot: int, seed: int, chunk_cells: int = 2_000_000):
    """Multinomial bootstrap weights over n rows, yielded in chunks (seeded)."""
    rng = np.random.default_rng(seed)
    step = max(1, chunk_cells // max(n, 1))
    for b0 in range(0, n_boot, step):
        yield bootstrap_counts(rng, n, min(step, n_boot - b0))


def _cell_table(frame, by, levels, horizon) -> pd.DataFrame:
    """Customers collapsed to cells (group, months, churned, active, has revenue) with their count and the
    sum and sum of squares of their monthly revenue. Follow-up beyond ``horizon`` is one value (horizon + 1,
    no event): retention and months retained up to the horizon only need who is still at risk there."""
    t = frame["months"].to_numpy(dtype=float)
    late = t > horizon
    rev = frame["monthly_revenue"].to_numpy(dtype=float)
    has = ~np.isnan(rev)
    codes = pd.Categorical(frame[by], categories=levels).codes
    cells = pd.DataFrame({"g": codes, "t": np.where(late, horizon + 1.0, t),
                          "e": frame["churned"].to_numpy(dtype=bool) & ~late,
                          "active": frame["active"].to_numpy(dtype=bool), "has": has,
                          "r": np.where(has, rev, 0.0)})
    cells["r2"] = cells["r"] ** 2
    out = cells.groupby(["g", "t", "e", "active", "has"], sort=True, observed=True).agg(
        k=("r", "size"), r=("r", "sum"), r2=("r2", "sum")).reset_index()
    return out[out["g"] >= 0].reset_index(drop=True)


def _cell_replicates(frame, by, levels, horizon, n_boot: int, seed: int, chunk: int = 250):
    """Bootstrap replicates of :func:`_group_stats` for large tables, in chunks: (stats, group sizes).

    Each replicate's customers per cell are multinomial(n, cell share) - exactly the cell counts of a
    resample of n customers - and the revenue drawn in a cell of k customers is normal with the cell's
    mean x k and variance x k (the sum of k draws from the cell's revenues, central limit theorem)."""
    cells = _cell_table(frame, by, levels, horizon)
    k = cells["k"].to_numpy(dtype=float)
    mu = cells["r"].to_numpy() / k
    sd = np.sqrt(np.maximum(cells["r2"].to_numpy() / k - mu ** 2, 0.0))
    g = cells["g"].to_numpy()
    rng = np.random.default_rng(seed)
    for b0 in range(0, n_boot, chunk):
        B = min(chunk, n_boot - b0)
        W = rng.multinomial(int(k.sum()), k / k.sum(), size=B).astype(float)
        R = W * mu + np.sqrt(W) * sd * rng.standard_normal(W.shape)
        out, sizes = {}, []
        for i, lv in enumerate(levels):
            m = g == i  # cells of one group, ascending in months
            sub = cells[m]
            Wg, Rg = W[:, m], R[:, m]
            S, rmst = _km_weighted(sub["t"].to_numpy(), sub["e"].to_numpy(), Wg, horizon, presorted=True)
            has, act = sub["has"].to_numpy(), (sub["has"] & sub["active"]).to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                out[lv] = {"S": S, "rmst": rmst, "rev": Rg @ has / (Wg @ has),
                           "rev_active": Rg @ act / (Wg @ act)}
            sizes.append(Wg.sum(axis=1))
        yield out, np.vstack(sizes).T


def _replicates(frame, by, levels, horizon, index, n_boot: int, seed: int):
    """Bootstrap replicates of :func:`_group_stats` with each group's resampled size, in chunks.

    Customer by customer while rows x resamples <= ``EXACT_RESAMPLING_CELLS``; above, by cells
    (:func:`_cell_replicates`)."""
    if not n_boot:
        return
    if len(frame) * n_boot > EXACT_RESAMPLING_CELLS:
        yield from _cell_replicates(frame, by, levels, horizon, n_boot, seed)
        return
    for W in _boot_weights(len(frame), n_boot, seed):
        sizes = np.vstack([W[:, index[lv][0]].sum(axis=1) for lv in levels]).T
        yield _group_stats(frame, by, levels, horizon, W, index), sizes


def _group_index(frame, by, levels) -> dict:
    """Per group: its rows in ascending order of months (stable), with the arrays the statistics need."""
    t = frame["months"].to_numpy(dtype=float)
    e = frame["churned"].to_numpy(dtype=bool)
    rev = frame["monthly_revenue"].to_numpy(dtype=float)
    active = frame["active"].to_numpy(dtype=bool)
    lab = frame[by].to_numpy(dtype=object)
    out = {}
    for lv in levels:
        rows = np.flatnonzero(lab == lv)
        rows = rows[np.argsort(t[rows], kind="stable")]
        out[lv] = (rows, t[rows], e[rows], rev[rows], active[rows])
    return out


def _group_stats(frame, by, levels, horizon, W, index: dict | None = None):
    """Per group and replicate: retention at horizon, RMST, mean monthly revenue (all / active).

    ``index``: :func:`_group_index` of ``frame`` (computed once when called for many weight chunks).
    """
    index = index if index is not None else _group_index(frame, by, levels)
    out = {}
    for lv in levels:
        rows, tg, eg, revg, actg = index[lv]
        Wg = W[:, rows]  # one copy, already in order of months
        S, rmst = _km_weighted(tg, eg, Wg, horizon, presorted=True)
        has = ~np.isnan(revg)
        r = np.nan_to_num(revg)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_all = (Wg * has) @ r / (Wg @ has)
            act = has & actg
            mean_active = (Wg * act) @ r / (Wg @ act)
        out[lv] = {"S": S, "rmst": rmst, "rev": mean_all, "rev_active": mean_active}
    return out


def _rar_delta_se(index: dict, reference, others: list, counts: dict, horizon: float) -> dict:
    """Standard errors of revenue at risk (per group, total) and of the excess churn shares, from
    each customer's influence on its group's S(H) and mean revenue of current customers."""
    stats_, psi_s, psi_r = {}, {}, {}
    for lv, (_, tg, eg, revg, actg) in index.items():
        s_h, psi_s[lv] = _km_influence(tg, eg.astype(bool), horizon)
        cur = actg.astype(bool) & ~np.isnan(revg)
        m = int(cur.sum())
        r_mean = float(revg[cur].mean()) if m else np.nan
        psi_r[lv] = np.where(cur, np.nan_to_num(revg) - r_mean, 0.0) / max(m, 1)
        stats_[lv] = (1 - s_h, r_mean)
    f_ref = stats_[reference][0]
    part, excess, ref_weight, total_var = {}, {}, 0.0, 0.0
    for lv in others:
        f_g, r_g = stats_[lv]
        c = 12.0 * counts[lv]
        own = c * (-r_g * psi_s[lv] + (f_g - f_ref) * psi_r[lv])  # this group's customers
        part[lv] = float(np.sqrt(np.sum(own ** 2) + (c * r_g) ** 2 * np.sum(psi_s[reference] ** 2)))
        excess[lv] = float(np.sqrt(np.sum(psi_s[lv] ** 2) + np.sum(psi_s[reference] ** 2)))
        total_var += float(np.sum(own ** 2))
        ref_weight += c * r_g
    total_var += ref_weight ** 2 * float(np.sum(psi_s[reference] ** 2))  # the reference enters every group
    return {"part": part, "excess": excess, "total": float(np.sqrt(total_var))}


def _outcome_frame(data, by, horizon):
    frame = _frame(data)
    _, levels = _groups(frame, by)
    frame = frame[frame[by].notna() & frame["months"].notna()].reset_index(drop=True)
    if frame["monthly_revenue"].notna().sum() == 0:
        raise InsufficientDataError("no customer has revenue: give join_outcomes a revenue table, or map a "
                                    "monthly revenue column onto customers.monthly_revenue")
    for lv in levels:
        t = frame.loc[frame[by] == lv, "months"]
        if len(t) and t.max() < horizon:
            raise InsufficientDataError(f"{by} = {lv!r}: the longest follow-up is {t.max():.1f} months, shorter "
                                        f"than horizon={horizon:g}; choose a shorter horizon")
    return frame, levels


def _pct(reps: np.ndarray, confidence: float):
    reps = reps[np.isfinite(reps)]
    if not reps.size:
        return np.nan, np.nan
    a = (1 - confidence) / 2
    return float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))


def revenue_at_risk(data, *, method: str = "both", by: str = "nps_group", reference=None, horizon: float = 12,
                    arpu: float | None = None, confidence: float = 0.95, n_boot: int = 1000,
                    seed: int = 0, interval: str = "bootstrap") -> OutcomeResult:
    """Revenue at risk from dissatisfied customers, two ways, clearly labelled.

    Parameters
    ----------
    data : result of :func:`join_outcomes`
    method : ``"heuristic"``, ``"model"`` or ``"both"`` (default)
    by, reference : groups and the reference group for the model-based figure
        (default NPS groups against promoters; e.g. ``by="segment"`` works too)
    horizon : months within which churn is counted (model-based; default 12)
    arpu : yearly revenue per customer for the heuristic (default: 12 x mean
        monthly revenue of current customers)
    n_boot, seed : percentile bootstrap over customers for the model-based interval
    interval : ``"bootstrap"`` (default: percentile bootstrap, ``n_boot`` resamples) or
        ``"delta"``: normal interval from each customer's influence on the Kaplan-Meier
        shares and the mean revenues (delta method; no resampling, so it costs
        milliseconds, and it keeps the link between a customer's revenue and churn)

    Returns
    -------
    OutcomeResult
        ``summary``: ``method`` (``heuristic`` / ``model``), ``group``, ``label``,
        ``customers`` (current customers in the group), ``churn_share`` (% assumed
        to leave, or modelled excess % leaving within the horizon),
        ``churn_ci_low``, ``churn_ci_high``, ``annual_revenue_per_customer``,
        ``revenue_at_risk``, ``ci_low``, ``ci_high``, ``horizon_months``; a
        ``total`` row per method.

    Notes
    -----
    *Heuristic* (SurveyMonkey CX "Revenue Impact", Promoter.io; an industry rule
    of thumb, not estimated from your data): short-term = detractors x 0.5 x ARPU,
    long-term = passives x 0.3 x ARPU. It has no interval.

    *Model-based* (estimated from your data): for each group g,
    customers_g x (F_g(H) - F_ref(H)) x 12 x R_g, with F(H) = 1 - S(H) the
    Kaplan-Meier share leaving within H months of follow-up and R_g the mean
    monthly revenue of the group's current customers: the yearly revenue of the
    customers expected to leave within the horizon beyond what the reference
    group's churn would take. Negative = the group churns less than the reference.
    Interval: percentile bootstrap over customers (customer counts held fixed), or
    with ``interval="delta"`` estimate ± z x standard error, the variance summed
    from each customer's influence: on S(H), -S(H) x (its event at T_i <= H / Y(T_i)
    - sum over event times u <= min(T_i, H) of d(u) / Y(u)^2) (the Kaplan-Meier
    influence function; its variance is Greenwood's in large samples), and on a
    mean revenue, (r_i - R) / m for the current customers with revenue.
    Association, not proof of cause: dissatisfied customers may differ in other ways.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(["detractor", "passive", "promoter"], 400)
    >>> months = rng.exponential(1 / np.select([g == "detractor", g == "passive"], [0.05, 0.03], 0.02))
    >>> d = pd.DataFrame({"nps_group": pd.Categorical(g), "months": np.minimum(months, 24.0),
    ...                   "churned": months < 24, "monthly_revenue": 10.0})
    >>> d["active"] = ~d["churned"]
    >>> r = revenue_at_risk(d, method="heuristic")
    >>> r.summary[["group", "label", "customers", "revenue_at_risk"]]
           group       label  customers  revenue_at_risk
    0  detractor  short-term        138           8280.0
    1    passive   long-term        193           6948.0
    2      total        both        331          15228.0
    """
    if method not in ("heuristic", "model", "both"):
        raise ConfigError(f"method={method!r} - expected 'heuristic', 'model' or 'both'")
    if interval not in ("bootstrap", "delta"):
        raise ConfigError(f"interval={interval!r} - expected 'bootstrap' or 'delta'")
    frame = _frame(data)
    rows, notes = [], []
    if method in ("heuristic", "both"):
        rows += _heuristic_rows(frame, arpu)
        notes.append("Heuristic (SurveyMonkey CX, Promoter.io rule of thumb, not estimated from your data): "
                     "short-term = current detractors x 50% x yearly ARPU; long-term = current passives x 30% x "
                     "yearly ARPU.")
    if method in ("model", "both"):
        model_rows, model_notes = _model_rows(frame, by=by, reference=reference, horizon=horizon,
                                              confidence=confidence, n_boot=n_boot, seed=seed, interval=interval)
        rows += model_rows
        notes += model_notes
    return OutcomeResult(title="Revenue at risk", table=pd.DataFrame(rows), note_list=notes, data=frame, digits=1)


# --------------------------------------------------------------------------------------
# the two figures of revenue_at_risk


def _heuristic_rows(frame: pd.DataFrame, arpu) -> list[dict]:
    """Rows of the industry heuristic: current detractors and passives x assumed share leaving x ARPU."""
    if "nps_group" not in frame.columns or frame["nps_group"].notna().sum() == 0:
        raise InsufficientDataError("the heuristic needs NPS groups: link survey answers with join_outcomes")
    cur = frame[frame["active"].astype(bool)]
    rev = cur["monthly_revenue"].astype(float)
    if arpu is None:
        if rev.notna().sum() == 0:
            raise InsufficientDataError("the heuristic needs ARPU: give revenue or arpu=")
        arpu = 12 * float(rev.mean())
    rows = []
    total_n = total_v = 0.0
    for lv, (share_, label) in HEURISTIC_CHURN_SHARES.items():
        n = int((cur["nps_group"] == lv).sum())
        v = n * share_ * arpu
        total_n += n
        total_v += v
        rows.append({"method": "heuristic", "group": lv, "label": label, "customers": n,
                     "churn_share": 100 * share_, "churn_ci_low": np.nan, "churn_ci_high": np.nan,
                     "annual_revenue_per_customer": arpu, "revenue_at_risk": v, "ci_low": np.nan,
                     "ci_high": np.nan, "horizon_months": np.nan})
    rows.append({"method": "heuristic", "group": "total", "label": "both", "customers": int(total_n),
                 "churn_share": np.nan, "churn_ci_low": np.nan, "churn_ci_high": np.nan,
                 "annual_revenue_per_customer": arpu, "revenue_at_risk": total_v, "ci_low": np.nan,
                 "ci_high": np.nan, "horizon_months": np.nan})
    return rows


def _excess_revenue(st: dict, reference, others: list, counts: dict) -> tuple[dict, dict]:
    """Per group, for each replicate of :func:`_group_stats` ``st``: revenue at risk (current customers x
    excess share leaving x yearly revenue) and the excess share leaving over the reference group."""
    f_ref = 1 - st[reference]["S"]
    parts = {lv: counts[lv] * ((1 - st[lv]["S"]) - f_ref) * 12 * st[lv]["rev_active"] for lv in others}
    excess = {lv: (1 - st[lv]["S"]) - f_ref for lv in others}
    return parts, excess


def _bootstrap_intervals(frame: pd.DataFrame, by: str, levels: list, horizon: float, index: dict, reference,
                         others: list, counts: dict, *, n_boot: int, seed: int, confidence: float):
    """Percentile bootstrap intervals: per group (low, high, excess low, excess high) and of the total."""
    reps_parts = {lv: [] for lv in others}
    reps_excess = {lv: [] for lv in others}
    for st, _ in _replicates(frame, by, levels, horizon, index, n_boot, seed):
        parts, excess = _excess_revenue(st, reference, others, counts)
        for lv in others:
            reps_parts[lv].append(parts[lv])
            reps_excess[lv].append(excess[lv])
    groups, total_reps = {}, []
    for lv in others:
        rp = np.concatenate(reps_parts[lv]) if reps_parts[lv] else np.array([])
        re = np.concatenate(reps_excess[lv]) if reps_excess[lv] else np.array([])
        total_reps.append(rp)
        lo, hi = _pct(rp, confidence) if rp.size else (np.nan, np.nan)
        elo, ehi = _pct(re, confidence) if re.size else (np.nan, np.nan)
        groups[lv] = (lo, hi, elo, ehi)
    tot = np.sum(total_reps, axis=0) if n_boot else np.array([])
    return groups, (_pct(tot, confidence) if tot.size else (np.nan, np.nan))


def _delta_intervals(p_parts: dict, p_excess: dict, se: dict, others: list, confidence: float):
    """Normal intervals from the standard errors of :func:`_rar_delta_se`, shaped as :func:`_bootstrap_intervals`."""
    z = _z(confidence)
    groups = {}
    for lv in others:
        lo, hi = (float(p_parts[lv][0]) + k * z * se["part"][lv] for k in (-1, 1))
        elo, ehi = (float(p_excess[lv][0]) + k * z * se["excess"][lv] for k in (-1, 1))
        groups[lv] = (lo, hi, elo, ehi)
    total = float(sum(p_parts[lv][0] for lv in others))
    return groups, (total - z * se["total"], total + z * se["total"])


def _model_rows(frame: pd.DataFrame, *, by: str, reference, horizon: float, confidence: float, n_boot: int,
                seed: int, interval: str) -> tuple[list[dict], list[str]]:
    """Rows and notes of the model-based figure: excess churn over the reference group (Kaplan-Meier)."""
    frame2, levels = _outcome_frame(frame, by, horizon)
    reference = _default_reference(by, levels, reference)
    others = [lv for lv in levels if lv != reference]
    counts = {lv: int(((frame2[by] == lv) & frame2["active"]).sum()) for lv in others}
    index = _group_index(frame2, by, levels)
    point = _group_stats(frame2, by, levels, horizon, np.ones((1, len(frame2))), index)
    p_parts, p_excess = _excess_revenue(point, reference, others, counts)
    if interval == "delta":
        se = _rar_delta_se(index, reference, others, counts, horizon)
        ci, (lo, hi) = _delta_intervals(p_parts, p_excess, se, others, confidence)
    else:
        ci, (lo, hi) = _bootstrap_intervals(frame2, by, levels, horizon, index, reference, others, counts,
                                            n_boot=n_boot, seed=seed, confidence=confidence)
    rows = []
    for lv in others:
        g_lo, g_hi, elo, ehi = ci[lv]
        rows.append({"method": "model", "group": lv, "label": f"excess churn vs {reference}",
                     "customers": counts[lv], "churn_share": 100 * float(p_excess[lv][0]),
                     "churn_ci_low": 100 * elo, "churn_ci_high": 100 * ehi,
                     "annual_revenue_per_customer": 12 * float(point[lv]["rev_active"][0]),
                     "revenue_at_risk": float(p_parts[lv][0]), "ci_low": g_lo, "ci_high": g_hi,
                     "horizon_months": float(horizon)})
    rows.append({"method": "model", "group": "total", "label": f"excess churn vs {reference}",
                 "customers": int(sum(counts.values())), "churn_share": np.nan, "churn_ci_low": np.nan,
                 "churn_ci_high": np.nan, "annual_revenue_per_customer": np.nan,
                 "revenue_at_risk": float(sum(p_parts[lv][0] for lv in others)), "ci_low": lo, "ci_high": hi,
                 "horizon_months": float(horizon)})
    how = (f"{confidence:.0%} percentile bootstrap ({n_boot} resamples, seed {seed})" if interval == "bootstrap"
           else f"{confidence:.0%} normal interval from the customers' influence on the estimates (delta method)")
    notes = [f"Model-based (estimated from your data): current customers x excess share leaving within "
             f"{horizon:g} months over {reference!r} (Kaplan-Meier) x their yearly revenue; {how}.",
             "Association, not proof of cause: customers in these groups may differ in other ways too."]
    return rows, notes


def clv_by_group(data, *, by: str = "nps_group", method: str | Sequence[str] = ("simple", "retention"),
                 discount: float = 0.10, confidence: float = 0.95, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Customer lifetime value per group, with both CLV formulas.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (or a customers table)
    by : grouping column (default ``"nps_group"``)
    method : ``"simple"``, ``"retention"`` or both (default); see :func:`cxkit.clv`
    discount, n_boot, seed : as in :func:`cxkit.clv`

    Returns
    -------
    DataFrame
        ``by`` column, ``method``, ``clv``, ``ci_low``, ``ci_high``, ``n``
        (customers with revenue and follow-up), ``annual_revenue`` (per
        customer-year), ``monthly_hazard`` (% per month), ``expected_years``
        (1 / yearly hazard).

    Notes
    -----
    Each group is passed to :func:`cxkit.clv` in the flag + tenure form: churn =
    the follow-up event, months at risk = follow-up, revenue = monthly revenue
    x months, plus ``acquisition_cost`` and ``cost_to_serve`` when present. So
    the hazard is measured from the survey answer on, per group.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcd"), "segment": list("AABB"), "churned": [True, False] * 2,
    ...                   "tenure_months": 12.0, "monthly_revenue": [10.0, 10.0, 20.0, 20.0]})
    >>> clv_by_group(c, by="segment", method="simple", n_boot=0)[["segment", "clv", "expected_years"]]
      segment    clv  expected_years
    0       A  240.0             2.0
    1       B  480.0             2.0
    """
    methods = [method] if isinstance(method, str) else list(method)
    frame = _frame(data)
    _, levels = _groups(frame, by)
    rows = []
    for lv in levels:
        sub = frame[(frame[by] == lv) & frame["months"].notna() & frame["monthly_revenue"].notna()]
        if not len(sub):
            continue
        c = pd.DataFrame({"customer_id": sub["customer_id"].to_numpy(), "churned": sub["churned"].to_numpy(),
                          "tenure_months": sub["months"].to_numpy(dtype=float),
                          "monthly_revenue": sub["monthly_revenue"].to_numpy(dtype=float)})
        for extra in ("acquisition_cost", "cost_to_serve"):
            if extra in sub.columns:
                c[extra] = sub[extra].to_numpy(dtype=float)
        months = c["tenure_months"].sum()
        hazard = c["churned"].sum() / months if months > 0 else np.nan
        annual = 12 * float((c["monthly_revenue"] * c["tenure_months"]).sum() / months) if months > 0 else np.nan
        for m in methods:
            try:
                est = clv(c, method=m, discount=discount, confidence=confidence, n_boot=n_boot, seed=seed)
                val, lo, hi = est.value, est.ci_low, est.ci_high
            except InsufficientDataError:
                val = lo = hi = np.nan
            rows.append({by: lv, "method": m, "clv": val, "ci_low": lo, "ci_high": hi, "n": len(c),
                         "annual_revenue": annual, "monthly_hazard": 100 * hazard,
                         "expected_years": 1 / (12 * hazard) if hazard > 0 else np.nan})
    if not rows:
        raise InsufficientDataError("CLV needs customers with revenue and follow-up; got none")
    return pd.DataFrame(rows)


def nps_point_value(data, *, horizon: float = 12, customers: int | None = None, confidence: float = 0.95,
                    n_boot: int = 1000, seed: int = 0) -> OutcomeResult:
    """Estimated revenue change per NPS point, with a bootstrap interval.

    Parameters
    ----------
    data : result of :func:`join_outcomes` (with NPS answers and revenue)
    horizon : months over which revenue is counted (default 12)
    customers : size of the customer base the point applies to (default: the
        current customers in the data)
    n_boot, seed : percentile bootstrap over customers

    Returns
    -------
    OutcomeResult
        ``summary``: ``step`` (``detractor -> passive``, ``passive -> promoter``,
        ``per NPS point``), ``value_per_customer`` (difference in expected
        revenue per customer over the horizon), ``value_per_point`` (revenue
        change over the horizon when NPS rises by one point), ``ci_low``,
        ``ci_high`` (of ``value_per_point``), ``customers``, ``horizon_months``.

    Notes
    -----
    Expected revenue of a customer of group g over the next H months:
    V_g = R_g x RMST_g(H), with R_g the group's mean monthly revenue and
    RMST_g(H) = integral of the Kaplan-Meier retention curve from 0 to H (the
    expected months retained). One NPS point = 1% of the N customers moving one
    group up (detractor -> passive or passive -> promoter), worth
    0.01 x N x (V_up - V_down). ``per NPS point`` uses the slope b of V on the
    +1/0/-1 NPS value across customers (least squares, groups weighted by their
    size): an increase of NPS by one point raises the mean of that value by
    0.01, so it is worth 0.01 x N x b. Association, not a promise: it assumes a
    customer who moves up behaves like the customers already in that group.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> g = np.repeat(["detractor", "passive", "promoter"], 100)
    >>> d = pd.DataFrame({"nps_group": pd.Categorical(g), "months": 24.0, "churned": False,
    ...                   "monthly_revenue": np.select([g == "promoter"], [12.0], 10.0)})
    >>> d["active"] = True
    >>> r = nps_point_value(d, n_boot=0)
    >>> r.summary[["step", "value_per_customer", "value_per_point"]]
                     step  value_per_customer  value_per_point
    0  detractor -> passive                 0.0              0.0
    1  passive -> promoter                24.0             72.0
    2       per NPS point                12.0             36.0
    """
    frame, levels = _outcome_frame(data, "nps_group", horizon)
    if any(lv not in levels for lv in NPS_ORDER):
        raise InsufficientDataError("the value of an NPS point needs detractors, passives and promoters")
    N = int(frame["active"].sum()) if customers is None else int(customers)
    sizes = np.array([(frame["nps_group"] == lv).sum() for lv in NPS_ORDER], dtype=float)
    s = np.array([-1.0, 0.0, 1.0])

    index = _group_index(frame, "nps_group", NPS_ORDER)

    def values(st, w):
        V = np.vstack([st[lv]["rev"] * st[lv]["rmst"] for lv in NPS_ORDER])  # 3 x B
        w = np.atleast_2d(w)
        sbar = (w * s).sum(axis=1) / w.sum(axis=1)
        dev = s[None, :] - sbar[:, None]
        slope = (w * dev * V.T).sum(axis=1) / (w * dev ** 2).sum(axis=1)
        return V[1] - V[0], V[2] - V[1], slope

    point = values(_group_stats(frame, "nps_group", NPS_ORDER, horizon, np.ones((1, len(frame))), index), sizes)
    reps = [[], [], []]
    for st, w in _replicates(frame, "nps_group", NPS_ORDER, horizon, index, n_boot, seed):
        for i, v in enumerate(values(st, w)):
            reps[i].append(v)
    rows = []
    for i, step in enumerate(["detractor -> passive", "passive -> promoter", "per NPS point"]):
        per_customer = float(point[i][0])
        r = 0.01 * N * np.concatenate(reps[i]) if reps[i] else np.array([])
        lo, hi = _pct(r, confidence) if r.size else (np.nan, np.nan)
        rows.append({"step": step, "value_per_customer": per_customer, "value_per_point": 0.01 * N * per_customer,
                     "ci_low": lo, "ci_high": hi, "customers": N, "horizon_months": float(horizon)})
    notes = [f"One NPS point = 1% of the {N} customers moving one group up; value = revenue over the next "
             f"{horizon:g} months (group mean monthly revenue x expected months retained, Kaplan-Meier).",
             f"{confidence:.0%} percentile bootstrap over customers ({n_boot} resamples, seed {seed}).",
             "Association, not a promise: it assumes customers who move up behave like those already in the group."]
    return OutcomeResult(title="Value of one NPS point", table=pd.DataFrame(rows), note_list=notes, data=frame,
                         digits=1)
