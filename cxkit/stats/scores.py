"""Survey-score metrics: NPS, CSAT and CES of 0-10 or 1-5 (1-7) answers, with their intervals.

NPS in points (-100..100), CSAT and CES top-box shares in percent (0..100), the mean CES in points
of its scale. Every function returns an :class:`~cxkit.stats.results.Estimate`; intervals come from
:mod:`.intervals`.

Methods and sources are explained in ``docs/statistics.md``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError, InsufficientDataError
from .intervals import _nps_interval
from .results import Estimate, _mean_estimate, _with, share

__all__ = ["nps", "nps_from_counts", "nps_counts", "nps_group", "nps_distribution", "csat", "ces", "ces_mean",
           "NPS_BANDS"]

#: Default NPS bands: detractors 0-6, passives 7-8, promoters 9-10.
NPS_BANDS = {"detractors": (0, 6), "passives": (7, 8), "promoters": (9, 10)}


def _scores(values, name: str) -> np.ndarray:
    arr = pd.Series(values).dropna()
    try:
        arr = arr.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected numbers; load the data with cxkit.load() to validate them") from None
    return arr


# --------------------------------------------------------------------------------------
# NPS


def _check_bands(bands: dict | None) -> dict:
    b = dict(NPS_BANDS)
    if bands:
        unknown = set(bands) - set(NPS_BANDS)
        if unknown:
            raise ConfigError(f"bands: unknown group(s) {sorted(unknown)}; expected detractors, passives, promoters")
        b.update({k: tuple(v) for k, v in bands.items()})
    edges = sorted(b.values())
    if edges[0][0] != 0 or edges[-1][1] != 10 or any(edges[i][1] + 1 != edges[i + 1][0] for i in range(2)):
        raise ConfigError(f"bands {b} must cover 0-10 without gaps or overlaps")
    return b


def nps_group(scores, *, bands: dict | None = None) -> pd.Series:
    """Label each 0-10 score as ``detractor``, ``passive`` or ``promoter``.

    Parameters
    ----------
    scores : array-like
        0-10 answers; missing values stay missing.
    bands : dict, optional
        NPS bands, e.g. ``{"passives": (7, 8)}``; default :data:`NPS_BANDS`.

    Returns
    -------
    Series
        Ordered categorical ``detractor`` < ``passive`` < ``promoter`` on the index of ``scores``.

    Examples
    --------
    >>> nps_group([0, 7, 10]).tolist()
    ['detractor', 'passive', 'promoter']
    """
    b = _check_bands(bands)
    s = pd.Series(scores)
    codes = np.full(len(s), -1, dtype=np.int8)  # categories' codes, set directly: no text per answer
    for code, band in enumerate((b["detractors"], b["passives"], b["promoters"])):
        inside = (s >= band[0]) & (s <= band[1])
        codes[inside.fillna(False).to_numpy(dtype=bool) if inside.hasnans else inside.to_numpy(dtype=bool)] = code
    dtype = pd.CategoricalDtype(["detractor", "passive", "promoter"], ordered=True)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=s.index)


def nps_counts(scores, *, bands: dict | None = None) -> tuple[int, int, int]:
    """Count (detractors, passives, promoters) in 0-10 scores; missing values ignored.

    Parameters
    ----------
    scores : array-like
        0-10 answers (whole numbers); missing values are ignored.
    bands : dict, optional
        NPS bands, e.g. ``{"passives": (7, 8)}``; default :data:`NPS_BANDS`.

    Returns
    -------
    tuple of int
        (detractors, passives, promoters).

    Examples
    --------
    >>> nps_counts([0, 6, 7, 8, 9, 10, 10])
    (2, 2, 3)
    """
    b = _check_bands(bands)
    arr = _scores(scores, "nps")
    if arr.size and (arr.min() < 0 or arr.max() > 10 or np.any(arr != np.round(arr))):
        raise ConfigError("nps: expected whole numbers 0-10")
    d = int(((arr >= b["detractors"][0]) & (arr <= b["detractors"][1])).sum())
    pa = int(((arr >= b["passives"][0]) & (arr <= b["passives"][1])).sum())
    p = int(((arr >= b["promoters"][0]) & (arr <= b["promoters"][1])).sum())
    return d, pa, p


def nps_distribution(data: pd.DataFrame, *, by: str | None = None, score: str = "nps",
                     bands: dict | None = None) -> pd.DataFrame:
    """Detractors, passives and promoters: counts and shares per group (and NPS, their difference).

    Parameters
    ----------
    data : pandas.DataFrame
        Responses with a 0-10 ``score`` column; missing answers are left out.
    by : str, optional
        Grouping column (``"unit"``, ``"touchpoint"``...); None for one row over all answers.
    score : str, default "nps"
        The 0-10 column.
    bands : dict, optional
        NPS bands (see :data:`NPS_BANDS`).

    Returns
    -------
    pandas.DataFrame
        One row per group (``by`` column, or none): ``n``, ``detractors``, ``passives``, ``promoters``
        (counts), ``detractors_pct``, ``passives_pct``, ``promoters_pct`` (percent of ``n``, adding up to
        100) and ``nps`` (promoters_pct - detractors_pct). Groups without answers are left out.

    Examples
    --------
    >>> d = pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 2, "nps": [10, 9, 7, 3, 6, 9]})
    >>> nps_distribution(d, by="unit")[["unit", "n", "promoters_pct", "detractors_pct", "nps"]]
      unit  n  promoters_pct  detractors_pct   nps
    0    A  4           50.0            25.0  25.0
    1    B  2           50.0            50.0   0.0
    """
    if score not in data.columns:
        raise ConfigError(f"nps_distribution: no {score!r} column")
    groups = nps_group(data[score], bands=bands)
    keys = [by] if by else []
    frame = pd.DataFrame({"_band": groups})
    if by:
        frame[by] = data[by].to_numpy()
    frame = frame.dropna(subset=["_band"])
    counts = (frame.groupby(keys + ["_band"], observed=True, sort=True).size().unstack("_band")
              if by else frame["_band"].value_counts().to_frame().T)
    counts = counts.reindex(columns=["detractor", "passive", "promoter"], fill_value=0).fillna(0).astype(int)
    counts.columns = ["detractors", "passives", "promoters"]
    return _distribution(counts.reset_index() if by else counts.reset_index(drop=True), keys)


def _distribution(out: pd.DataFrame, keys: list) -> pd.DataFrame:
    """:func:`nps_distribution`'s table from the counts of each band (columns ``keys`` + the three bands)."""
    out.insert(len(keys), "n", out[["detractors", "passives", "promoters"]].sum(axis=1))
    out = out[out["n"] > 0].reset_index(drop=True)
    for c in ("detractors", "passives", "promoters"):
        out[f"{c}_pct"] = 100 * out[c] / out["n"]
    out["nps"] = out["promoters_pct"] - out["detractors_pct"]
    return out


def _add_distributions(frames: list[pd.DataFrame], by: str | None) -> pd.DataFrame:
    """:func:`nps_distribution` of a table from its tables of the table's shards (rows split any way)."""
    bands = ["detractors", "passives", "promoters"]
    both = pd.concat(frames, ignore_index=True)
    if by:
        counts = both.groupby(by, observed=True, sort=True)[bands].sum().reset_index()
    else:
        counts = both[bands].sum().to_frame().T.astype(int)
    return _distribution(counts, [by] if by else [])


def nps_from_counts(detractors: int, passives: int, promoters: int, *, method: str = "adjusted-wald",
                    confidence: float = 0.95) -> Estimate:
    """Net Promoter Score with a confidence interval, from counts.

    Parameters
    ----------
    detractors, passives, promoters : counts of answers 0-6, 7-8 and 9-10
    method : ``"adjusted-wald"`` (default), ``"wald"`` or ``"score"`` (Tango)
    confidence : confidence level

    Returns
    -------
    Estimate
        ``value`` = % promoters - % detractors in points; the interval in points.

    Notes
    -----
    With p and d the promoter and detractor shares, NPS = 100 (p - d).

    * ``wald``: V = p + d - (p - d)^2, SE = sqrt(V / n).
    * ``adjusted-wald`` (Rocks 2016): add 0.75 detractors, 1.5 passives and
      0.75 promoters (n + 3), then the Wald formula around the adjusted NPS.
    * ``score``: Tango's (1998) score interval for a difference of two
      multinomial proportions, solved iteratively (as R ``NPS``/``PropCIs``).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    The American Statistician 70(4), 365-372.
    Tango, T. (1998). Equivalence test and confidence interval for the difference
    in proportions for the paired-sample design. Statistics in Medicine 17, 891-908.

    Examples
    --------
    >>> nps_from_counts(20, 30, 50).summary[["value", "ci_low", "ci_high", "n"]].round(2)
       value  ci_low  ci_high    n
    0   30.0   14.05     44.2  100
    """
    counts = np.array([detractors, passives, promoters])
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ConfigError(f"counts must be whole numbers >= 0, got {tuple(counts)}")
    n = int(counts.sum())
    if n == 0:
        raise InsufficientDataError("NPS needs at least one answer; got 0")
    value, low, high = _nps_interval(detractors, passives, promoters, method, confidence)
    return Estimate("nps", float(value) * 100, float(low) * 100, float(high) * 100, n, method, confidence, "points",
                    {"detractors": int(detractors), "passives": int(passives), "promoters": int(promoters)})


def nps(scores, *, method: str = "adjusted-wald", confidence: float = 0.95, bands: dict | None = None) -> Estimate:
    """Net Promoter Score of 0-10 answers, with a confidence interval.

    See :func:`nps_from_counts` for the methods. Missing answers are ignored.

    Parameters
    ----------
    scores : array-like
        0-10 answers (whole numbers); missing values are ignored.
    method : str
        ``"adjusted-wald"`` (default), ``"wald"`` or ``"score"`` (Tango).
    confidence : float
        Confidence level, e.g. 0.95.
    bands : dict, optional
        NPS bands, e.g. ``{"passives": (7, 8)}``; default :data:`NPS_BANDS`.

    Returns
    -------
    Estimate
        NPS in points with its interval; ``details`` holds the three counts.

    Examples
    --------
    >>> nps([10, 9, 9, 8, 7, 3, 10, 10, 6, 9]).value  # 6 promoters, 2 detractors of 10
    40.0
    """
    d, pa, p = nps_counts(scores, bands=bands)
    return nps_from_counts(d, pa, p, method=method, confidence=confidence)



# --------------------------------------------------------------------------------------
# CSAT and CES: top-box shares, mean effort


def _top_box(scale, box, name):
    lo, hi = (int(v) for v in scale)
    if box is None:
        box = (hi - 1, hi)
    box = (int(box[0]), int(box[1]))
    if not lo <= box[0] <= box[1] <= hi:
        raise ConfigError(f"{name}: the range {box} must lie inside the scale {lo}-{hi}")
    return (lo, hi), box


def _count_box(scores, scale, box, name):
    arr = _scores(scores, name)
    (lo, hi) = scale
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise ConfigError(f"{name}: values outside the scale {lo}-{hi} (min {arr.min():g}, max {arr.max():g}); "
                          f"set scale=")
    return int(((arr >= box[0]) & (arr <= box[1])).sum()), int(arr.size)


def csat(scores, *, scale: tuple[int, int] = (1, 5), satisfied: tuple[int, int] | None = None,
         method: str = "wilson", confidence: float = 0.95) -> Estimate:
    """Customer satisfaction: % of answers in the satisfied range (default top two boxes).

    CSAT = satisfied answers / all answers x 100 (the source material's formula).

    Parameters
    ----------
    scores : array-like
        Answers on the survey scale; missing values are ignored.
    scale : tuple of int
        Lowest and highest answer, default (1, 5).
    satisfied : tuple of int, optional
        The satisfied range, default the top two boxes of the scale.
    method : str
        Interval method, as :func:`share` (default ``"wilson"``).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % satisfied with its interval; ``details["satisfied"]`` names the range.

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1, 5, 2, 4]).value
    62.5
    >>> csat([7, 6, 5, 7], scale=(1, 7)).value  # satisfied = 6-7 on a 1-7 scale
    75.0
    """
    scale, box = _top_box(scale, satisfied, "csat")
    k, n = _count_box(scores, scale, box, "csat")
    est = share(k, n, method=method, confidence=confidence, metric="csat")
    return _with(est, satisfied=f"{box[0]}-{box[1]} of {scale[0]}-{scale[1]}")


def ces(scores, *, scale: tuple[int, int] = (1, 5), easy: tuple[int, int] | None = None,
        method: str = "wilson", confidence: float = 0.95) -> Estimate:
    """Customer effort score: % answering in the "easy" range (default 4-5 of 1-5).

    CES = answers 4-5 / all answers x 100 (the source material's formula). For
    the mean on a 1-7 scale use :func:`ces_mean`.

    Parameters
    ----------
    scores : array-like
        Answers on the survey scale; missing values are ignored.
    scale : tuple of int
        Lowest and highest answer, default (1, 5).
    easy : tuple of int, optional
        The "easy" range, default the top two boxes of the scale.
    method : str
        Interval method, as :func:`share` (default ``"wilson"``).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        % easy with its interval; ``details["easy"]`` names the range.

    Examples
    --------
    >>> ces([5, 4, 3, 2, 5]).value
    60.0
    """
    scale, box = _top_box(scale, easy, "ces")
    k, n = _count_box(scores, scale, box, "ces")
    est = share(k, n, method=method, confidence=confidence, metric="ces")
    return _with(est, easy=f"{box[0]}-{box[1]} of {scale[0]}-{scale[1]}")



def ces_mean(scores, *, scale: tuple[int, int] = (1, 7), confidence: float = 0.95) -> Estimate:
    """Mean effort score with a t interval (for 1-7 CES scales).

    Parameters
    ----------
    scores : array-like
        Answers on the survey scale; missing values are ignored.
    scale : tuple of int
        Lowest and highest answer, default (1, 7).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    Estimate
        Mean with its t interval; ``details["sd"]``.

    Examples
    --------
    >>> round(ces_mean([7, 6, 5, 7, 6]).value, 2)
    6.2
    """
    arr = _scores(scores, "ces")
    if arr.size and (arr.min() < scale[0] or arr.max() > scale[1]):
        raise ConfigError(f"ces: values outside the scale {scale[0]}-{scale[1]}; set scale=")
    return _mean_estimate(arr, "ces_mean", f"points of {scale[0]}-{scale[1]}", confidence)
