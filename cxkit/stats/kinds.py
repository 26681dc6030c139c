"""Metric kinds: per-group statistics from group codes, their estimates and differences (vectorised).

:data:`COMPARE_METRICS` says which kind each metric of :func:`compare` and
:func:`trend` is. A kind turns a metric's observations into per-group cells
(counts for NPS and shares, n / mean / squared deviations for means, sorted
values for medians), and from cells gives estimates with intervals,
differences between cells, each group against the rest and against targets.
The additive kinds get the rest of the company as total - group.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .intervals import _mean_interval, _median_ranks, _nps_interval, _share_interval
from .rank_tests import _median_difference, _medians_se, _multiset_minus, _mwu, _rest_median_se
from .targets import _nps_target_arrays, _share_target_arrays, _sign_test_arrays
from .twosample import _nps_diff_arrays, _nps_test_name, _share_tests, _welch_arrays
from .._lazy import lazy_module

stats = lazy_module("scipy.stats")

__all__ = ["COMPARE_METRICS"]


#: the test column of response-time comparisons: the p-value is Mann-Whitney's (a shift of the whole
#: distribution), the difference and its interval are those of the two medians (Price & Bonett 2002)
_TIMES_TEST = "Mann-Whitney U (difference of medians, Price-Bonett interval)"

#: What :func:`compare` and :func:`trend` do for each metric: the table it comes
#: from, the statistic shown, the two-group test, the interval of the
#: difference, the effect size, and whether a higher value is better.
COMPARE_METRICS = {
    "nps": dict(table="responses", column="nps", kind="nps", measured_in="points", higher_is_better=True,
                value="NPS, adjusted-Wald interval", test="NPS t-test (adjusted-wald)",
                target_test="NPS t-test vs target (adjusted-wald)", diff_ci="adjusted Wald",
                effect_size="standardised NPS difference"),
    "csat": dict(table="responses", column="csat", kind="share", measured_in="%", higher_is_better=True,
                 value="% satisfied, Wilson interval",
                 test="score test (Newcombe CI); Fisher exact test for tiny counts",
                 target_test="score test vs target (Wilson CI); exact binomial for tiny counts",
                 diff_ci="Newcombe hybrid score", effect_size="Cohen's h"),
    "ces": dict(table="responses", column="ces", kind="share", measured_in="%", higher_is_better=True,
                value="% easy, Wilson interval", test="score test (Newcombe CI); Fisher exact test for tiny counts",
                target_test="score test vs target (Wilson CI); exact binomial for tiny counts",
                diff_ci="Newcombe hybrid score", effect_size="Cohen's h"),
    "ces_mean": dict(table="responses", column="ces", kind="mean", measured_in="points", higher_is_better=True,
                     value="mean, t interval", test="Welch t-test", target_test="one-sample t-test",
                     diff_ci="Welch", effect_size="Hedges' g"),
    "first_response_time": dict(table="tickets", column="first_response_at", kind="median", measured_in="hours",
                                higher_is_better=False, value="median, order-statistic interval",
                                test=_TIMES_TEST, target_test="sign test vs target",
                                diff_ci="Price-Bonett (difference of medians)", effect_size="rank-biserial r"),
    "churn_rate": dict(table="customers", column="churned_at", kind="share", measured_in="%", higher_is_better=False,
                       value="% churned in the period, Wilson interval",
                       test="score test (Newcombe CI); Fisher exact test for tiny counts",
                       target_test="score test vs target (Wilson CI); exact binomial for tiny counts",
                       diff_ci="Newcombe hybrid score", effect_size="Cohen's h"),
    "cac": dict(table="customers", column="acquisition_cost", kind="mean", measured_in="currency",
                higher_is_better=False, value="mean, t interval", test="Welch t-test",
                target_test="one-sample t-test", diff_ci="Welch", effect_size="Hedges' g"),
    "cost_to_serve": dict(table="customers", column="cost_to_serve", kind="mean", measured_in="currency",
                          higher_is_better=False, value="mean, t interval", test="Welch t-test",
                          target_test="one-sample t-test", diff_ci="Welch", effect_size="Hedges' g"),
}
COMPARE_METRICS["first_response_time_median"] = COMPARE_METRICS["first_response_time"]


class _Opts(NamedTuple):
    confidence: float
    method: str | None
    cluster: bool = False


def _blank(shape, test: str = "") -> dict:
    nan = np.full(shape, np.nan)
    return dict(diff=nan, low=nan.copy(), high=nan.copy(), statistic=nan.copy(), p=nan.copy(), effect=nan.copy(),
                test=np.full(shape, test, dtype=object))


class _Additive:
    """Statistics that add up over groups (counts, sums), so rest = total - group."""

    def take(self, s, idx):
        return {k: v[idx] for k, v in s.items()}

    def total(self, s):
        return {k: np.atleast_1d(v.sum()) for k, v in s.items()}

    def rest(self, s):
        tot = self.total(s)
        return {k: tot[k] - v for k, v in s.items()}

    def vs_rest(self, s, opts):
        r = self.rest(s)
        return self.estimate(r, opts)[0], self.n(r), self.diff(s, r, opts)


def _add_counts(a: dict, b: dict) -> dict:
    """The cells of two parts of a table's rows, for kinds whose cells are counts (NPS, shares)."""
    return {k: a[k] + b[k] for k in a}


def _rows(valid: np.ndarray) -> np.ndarray:
    """Positions of the rows that count: gathering several columns by them is 2-5x faster than selecting
    each with the boolean mask (a period is a fraction of 10M answers)."""
    return np.flatnonzero(valid)


def _dense(valid: np.ndarray) -> bool:
    """Whether more than a third of the rows count: then counting over all rows beats gathering them."""
    return np.count_nonzero(valid) * 3 > valid.size


def _counts(codes: np.ndarray, valid: np.ndarray, size: int) -> np.ndarray:
    """How many rows of ``valid`` have each code 0 .. size - 1 (the codes of other rows are not read):
    counts are whole numbers, the same in any order."""
    return np.bincount(np.where(valid, codes, size), minlength=size + 1)[:size]


class _NpsKind(_Additive):
    name = "nps"

    def cells(self, payload, valid, codes, g):
        if _dense(valid):  # most rows count (a trend over all periods): no row positions
            c = _counts(codes * np.int64(3) + payload, valid, g * 3)
        else:
            rows = _rows(valid)
            c = np.bincount(codes[rows] * 3 + payload[rows], minlength=g * 3)
        c = c.reshape(g, 3).astype(float)
        return {"d": c[:, 0], "pa": c[:, 1], "p": c[:, 2]}

    def n(self, s):
        return s["d"] + s["pa"] + s["p"]

    def estimate(self, s, opts):
        m = opts.method or "adjusted-wald"
        with np.errstate(divide="ignore", invalid="ignore"):
            v, lo, hi = _nps_interval(s["d"], s["pa"], s["p"], m, opts.confidence)
        return v * 100, lo * 100, hi * 100

    def _test(self, opts):
        return "wald" if opts.method == "wald" else "adjusted-wald"

    def diff(self, a, b, opts):
        m = self._test(opts)
        raw, lo, hi, z, p, eff = _nps_diff_arrays((a["d"], a["pa"], a["p"]), (b["d"], b["pa"], b["p"]), m,
                                                  opts.confidence)
        return dict(diff=raw * 100, low=lo * 100, high=hi * 100, statistic=z, p=p, effect=eff,
                    test=np.full(raw.shape, _nps_test_name(m), dtype=object))

    def vs_target(self, a, target, opts):
        m = self._test(opts)
        d, lo, hi, z, p, eff = _nps_target_arrays(a["d"], a["pa"], a["p"], target / 100, m, opts.confidence)
        return dict(diff=d * 100, low=lo * 100, high=hi * 100, statistic=z, p=p, effect=eff,
                    test=np.full(d.shape, _nps_test_name(m, target=True), dtype=object))


class _ShareKind(_Additive):
    name = "share"

    def cells(self, payload, valid, codes, g):
        if _dense(valid):  # most rows count (a trend over all periods): no row positions
            return {"k": _counts(codes, valid & payload, g).astype(float), "n": _counts(codes, valid, g).astype(float)}
        rows = _rows(valid)
        c = codes[rows]
        n = np.bincount(c, minlength=g).astype(float)
        k = np.bincount(c[payload[rows]], minlength=g).astype(float)
        return {"k": k, "n": n}

    def n(self, s):
        return s["n"]

    def estimate(self, s, opts):
        with np.errstate(divide="ignore", invalid="ignore"):
            v, lo, hi = _share_interval(s["k"], s["n"], opts.method or "wilson", opts.confidence)
        return v * 100, lo * 100, hi * 100

    def diff(self, a, b, opts):
        d, lo, hi, stat, p, eff, names = _share_tests(a["k"], a["n"], b["k"], b["n"],
                                                      "score" if opts.cluster else "auto", opts.confidence)
        return dict(diff=d * 100, low=lo * 100, high=hi * 100, statistic=stat, p=p, effect=eff, test=names)

    def vs_target(self, a, target, opts):
        ok = (target >= 0) & (target <= 100)
        t = np.where(ok, target, np.nan) / 100
        d, lo, hi, z, p, eff, names = _share_target_arrays(a["k"], a["n"], np.nan_to_num(t, nan=0.5), opts.confidence,
                                                           exact=not opts.cluster)
        out = dict(diff=d * 100, low=lo * 100, high=hi * 100, statistic=z, p=p, effect=eff, test=names)
        for key in ("diff", "low", "high", "statistic", "p", "effect"):
            out[key] = np.where(ok, out[key], np.nan)
        return out


class _MeanKind(_Additive):
    """n, mean and sum of squared deviations (m2); groups combine with Chan's formula."""

    name = "mean"

    def cells(self, payload, valid, codes, g):
        rows = _rows(valid)
        c, x = codes[rows], payload[rows]
        n = np.bincount(c, minlength=g).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.bincount(c, weights=x, minlength=g) / n
            dev = x - mean[c]
            m2 = np.bincount(c, weights=dev * dev, minlength=g)
        return {"n": n, "mean": np.where(n > 0, mean, np.nan), "m2": m2}

    def total(self, s):
        n = s["n"].sum()
        if n == 0:
            return {"n": np.array([0.0]), "mean": np.array([np.nan]), "m2": np.array([0.0])}
        w = s["n"] > 0
        mean = (s["n"][w] * s["mean"][w]).sum() / n
        m2 = s["m2"][w].sum() + (s["n"][w] * (s["mean"][w] - mean) ** 2).sum()
        return {"n": np.array([n]), "mean": np.array([mean]), "m2": np.array([m2])}

    def rest(self, s):
        tot = self.total(s)
        big_n, big_mean, big_m2 = tot["n"][0], tot["mean"][0], tot["m2"][0]
        n_r = big_n - s["n"]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_r = (big_n * big_mean - s["n"] * np.nan_to_num(s["mean"])) / n_r
            m2_r = big_m2 - s["m2"] - s["n"] * n_r / big_n * (np.nan_to_num(s["mean"]) - mean_r) ** 2
        return {"n": n_r, "mean": np.where(n_r > 0, mean_r, np.nan), "m2": np.maximum(np.where(n_r > 0, m2_r, 0), 0)}

    def n(self, s):
        return s["n"]

    def _var(self, s):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s["n"] > 1, s["m2"] / (s["n"] - 1), np.nan)

    def estimate(self, s, opts):
        lo, hi = _mean_interval(s["mean"], np.sqrt(self._var(s)), s["n"], opts.confidence)
        return s["mean"], lo, hi

    def diff(self, a, b, opts):
        d, lo, hi, t, p, g, df = _welch_arrays(a["mean"], self._var(a), a["n"], b["mean"], self._var(b), b["n"],
                                               opts.confidence)
        return dict(diff=d, low=lo, high=hi, statistic=t, p=p, effect=g, df=df,
                    test=np.full(d.shape, "Welch t-test", dtype=object))

    def vs_target(self, a, target, opts):
        var = self._var(a)
        lo, hi = _mean_interval(a["mean"], np.sqrt(var), a["n"], opts.confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = a["mean"] - target
            t = d / np.sqrt(var / a["n"])
            p = 2 * stats.t.sf(np.abs(t), a["n"] - 1)
            eff = d / np.sqrt(var)
        return dict(diff=d, low=lo - target, high=hi - target, statistic=t, p=p, effect=eff, df=a["n"] - 1,
                    test=np.full(d.shape, "one-sample t-test", dtype=object))


class _MedianKind:
    """Raw values per group (sorted), for medians, their differences and Mann-Whitney U."""

    name = "median"

    def cells(self, payload, valid, codes, g):
        rows = _rows(valid)
        c, x = codes[rows], payload[rows]
        # rows by group (a radix sort of small codes), then each group's values sorted in place: ten times
        # faster than sorting by (group, value) at once
        x = x[np.argsort(c.astype(np.int16) if g < 2**15 else c, kind="stable")]
        n = np.bincount(c, minlength=g)
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])
        values = [x[s:s + k] for s, k in zip(starts, n)]
        for v in values:
            v.sort()
        return {"n": n.astype(float), "values": values}

    def take(self, s, idx):
        idx = np.atleast_1d(idx)
        return {"n": s["n"][idx], "values": [s["values"][i] for i in idx]}

    def total(self, s):
        allv = np.sort(np.concatenate(s["values"])) if s["values"] else np.array([])
        return {"n": np.array([float(allv.size)]), "values": [allv]}

    def n(self, s):
        return s["n"]

    def estimate(self, s, opts):
        g = len(s["values"])
        med, lo, hi = np.full(g, np.nan), np.full(g, np.nan), np.full(g, np.nan)
        n = s["n"].astype(int)
        lo_rank, hi_rank, ok = _median_ranks(np.maximum(n, 1), opts.confidence)
        for i, x in enumerate(s["values"]):
            if x.size:
                med[i] = np.median(x)
                if ok[i]:
                    lo[i], hi[i] = x[lo_rank[i] - 1], x[hi_rank[i] - 1]
        return med, lo, hi

    def diff(self, a, b, opts):
        """Difference of medians a - b with the Price-Bonett interval; Mann-Whitney U, its p and r."""
        out = _blank(len(a["values"]), _TIMES_TEST)
        out["diff"], out["low"], out["high"] = _median_difference(*_medians_se(a["values"]), *_medians_se(b["values"]),
                                                                  opts.confidence)
        for i, (x, y) in enumerate(zip(a["values"], b["values"])):
            if x.size and y.size:
                u, p = _mwu(x, y)
                out["statistic"][i], out["p"][i], out["effect"][i] = u, p, 2 * u / (x.size * y.size) - 1
        return out

    def vs_rest(self, s, opts):
        """Each group against all other groups' values: one pooled ranking for all groups' U.

        The rest's median and the order statistics of its standard error are read off the sorted
        values of everybody, net of the group's, without building the rest.
        """
        g = len(s["values"])
        out = _blank(g, _TIMES_TEST)
        allv = np.sort(np.concatenate(s["values"])) if g else np.array([])
        ref_n = allv.size - s["n"]
        ref = np.full(g, np.nan)
        if allv.size == 0:
            return ref, ref_n, out
        u, p, ties = _pooled_mwu(s, allv, ref_n)
        se_rest = np.full(g, np.nan)
        for i, x in enumerate(s["values"]):
            if x.size == 0 or ref_n[i] == 0:
                continue
            ref[i], se_rest[i] = _rest_median_se(allv, x)
            if (x.size <= 8 or ref_n[i] <= 8) and not ties:  # small: exact p-value on the explicit rest
                u[i], p[i] = _mwu(x, _multiset_minus(allv, x))
        out["diff"], out["low"], out["high"] = _median_difference(*_medians_se(s["values"]), ref, se_rest,
                                                                  opts.confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["statistic"], out["p"], out["effect"] = u, p, 2 * u / (s["n"] * ref_n) - 1
        return ref, ref_n, out

    def vs_target(self, a, target, opts):
        g = len(a["values"])
        out = _blank(g, "sign test vs target")
        med, lo, hi = self.estimate(a, opts)
        above = np.array([np.sum(x > t) for x, t in zip(a["values"], target)], dtype=float)
        below = np.array([np.sum(x < t) for x, t in zip(a["values"], target)], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.update(diff=med - target, low=lo - target, high=hi - target, statistic=above,
                       p=_sign_test_arrays(above, below), effect=(above - below) / (above + below))
        for key in ("diff", "low", "high", "statistic", "p", "effect"):
            out[key] = np.where(np.isnan(target), np.nan, out[key])
        return out


def _pooled_mwu(s, allv, ref_n):
    """Every group's Mann-Whitney U against the rest from one ranking of all values (normal approximation
    with tie and continuity corrections, as scipy), its two-sided p, and whether any values tie."""
    g = len(s["values"])
    big_n = allv.size
    codes = np.repeat(np.arange(g), s["n"].astype(int))
    ranks = stats.rankdata(np.concatenate(s["values"]), method="average")
    rank_sum = np.bincount(codes, weights=ranks, minlength=g)
    _, tie_counts = np.unique(allv, return_counts=True)
    tie_term = float(np.sum(tie_counts.astype(float) ** 3 - tie_counts))
    m = s["n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = rank_sum - m * (m + 1) / 2
        mn = m * ref_n
        sd = np.sqrt(mn / 12 * ((big_n + 1) - tie_term / (big_n * (big_n - 1))))
        z = (np.maximum(u, mn - u) - mn / 2 - 0.5) / sd
        p = np.minimum(1.0, 2 * stats.norm.sf(z))
    return u, p, bool(np.any(tie_counts > 1))


_KINDS = {"nps": _NpsKind(), "share": _ShareKind(), "mean": _MeanKind(), "median": _MedianKind()}
