"""Reporting periods: the one place that says what a period, the previous period and a year earlier are.

Two shapes of the same idea are used across cxkit:

* a **reporting period** as two inclusive days, ``(start, end)``: what the report batch, the
  notebooks and the report views work with (:func:`parse_period`, :func:`previous_period`,
  :func:`year_ago`, :func:`metric_window`);
* a **window** ``[start, end)`` with a label (:class:`Window`): what :func:`cxkit.compare` and
  :func:`cxkit.trend` use to select rows (:func:`window`, :func:`shift_window`).

Which window a headline metric is measured over (the reporting period, or the twelve months to its
end for churn) is decided here too (:data:`METRIC_WINDOWS`, :func:`metric_window`), and so is the window
it is compared with (:func:`reference_window`): for a 12-month metric "the previous period" is the twelve
months to the end of the previous reporting period, not the calendar year before.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

from .errors import ConfigError

__all__ = ["parse_period", "previous_period", "year_ago", "metric_window", "reference_window", "Window", "window",
           "shift_window", "METRIC_WINDOWS"]

#: the window each headline metric is measured over: the reporting period itself, or the 12 months
#: that end with it (a churn rate over a quarter is not comparable with the usual annual figure)
METRIC_WINDOWS = {
    "nps": "period",
    "csat": "period",
    "ces": "period",
    "first_response_time": "period",
    "churn_rate": "12 months",
}

_PERIOD_HELP = "expected e.g. 2025Q4, 2025-11, 2025 or 2025-10-01:2025-12-31"


def parse_period(period: str | tuple | None, dates: pd.Series | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Current reporting period as (start, end), both inclusive days.

    Parameters
    ----------
    period : str, tuple or None
        ``"2025Q4"``, ``"2025-11"``, ``"2025"``, ``"2025-10-01:2025-12-31"`` or a ``(start, end)``
        pair of dates. None or ``""``: the latest complete calendar quarter in ``dates`` (or the
        latest quarter if the data end inside it).
    dates : pandas.Series, optional
        Dates to choose the default period from.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)``, both normalised to midnight and inclusive.

    Examples
    --------
    >>> [str(x.date()) for x in parse_period("2025Q4")]
    ['2025-10-01', '2025-12-31']
    >>> [str(x.date()) for x in parse_period("2025-03-01:2025-05-31")]
    ['2025-03-01', '2025-05-31']
    """
    if period is None or period == "":
        return _default_period(dates)
    if isinstance(period, (tuple, list)):
        start, end = (pd.Timestamp(x).normalize() for x in period)
    elif ":" in str(period):
        a, b = str(period).split(":", 1)
        start, end = pd.Timestamp(a).normalize(), pd.Timestamp(b).normalize()
    else:
        p = _named_period(str(period).strip(), period)
        start, end = p.start_time.normalize(), p.end_time.normalize()
    if end < start:
        raise ConfigError(f"period {period!r}: end before start")
    return start, end


def _default_period(dates: pd.Series | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    if dates is None or dates.dropna().empty:
        raise ConfigError("no period given and no dates to choose one from")
    last = pd.Timestamp(dates.max()).normalize()
    q = last.to_period("Q")
    if last < q.end_time.normalize():
        q = q - 1
    return q.start_time.normalize(), q.end_time.normalize()


def _named_period(text: str, given) -> pd.Period:
    try:
        if re.fullmatch(r"\d{4}[Qq][1-4]", text):
            return pd.Period(text.upper(), freq="Q")
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            return pd.Period(text, freq="M")
        if re.fullmatch(r"\d{4}", text):
            return pd.Period(text, freq="Y")
        raise ValueError(text)
    except (ValueError, TypeError):
        raise ConfigError(f"period {given!r} - {_PERIOD_HELP}") from None


def previous_period(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period of the same length just before (calendar quarters and months stay aligned).

    Parameters
    ----------
    start, end : pandas.Timestamp
        The current period, both days inclusive.

    Returns
    -------
    tuple of pandas.Timestamp
        The previous period's ``(start, end)``, both inclusive.

    Examples
    --------
    >>> [str(x.date()) for x in previous_period(*parse_period("2025Q1"))]
    ['2024-10-01', '2024-12-31']
    """
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if start.day == 1 and (end + pd.Timedelta(days=1)).day == 1:
        p_start = start - pd.DateOffset(months=months)
        return p_start, start - pd.Timedelta(days=1)
    length = end - start
    return start - length - pd.Timedelta(days=1), start - pd.Timedelta(days=1)


def year_ago(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The same period a year earlier.

    Parameters
    ----------
    start, end : pandas.Timestamp
        The current period, both days inclusive.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)`` one calendar year earlier.

    Examples
    --------
    >>> [str(x.date()) for x in year_ago(*parse_period("2025Q4"))]
    ['2024-10-01', '2024-12-31']
    """
    return start - pd.DateOffset(years=1), end - pd.DateOffset(years=1)


def metric_window(metric: str, start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days a headline metric is measured over for the reporting period ``start``..``end``.

    Parameters
    ----------
    metric : str
        A key of :data:`METRIC_WINDOWS` (``"nps"``, ``"churn_rate"``, ...).
    start, end : pandas.Timestamp
        The reporting period, both days inclusive.

    Returns
    -------
    tuple of pandas.Timestamp
        The period itself, or for a 12-month metric the twelve months that end on ``end``.

    Examples
    --------
    >>> [str(x.date()) for x in metric_window("churn_rate", *parse_period("2025Q4"))]
    ['2025-01-01', '2025-12-31']
    """
    if METRIC_WINDOWS[metric] == "12 months":
        return (end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end)
    return (start, end)


def reference_window(metric: str, start: pd.Timestamp, end: pd.Timestamp,
                     how: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days a headline metric is compared with: its window in the previous period or a year earlier.

    Parameters
    ----------
    metric : str
        A key of :data:`METRIC_WINDOWS`.
    start, end : pandas.Timestamp
        The reporting period, both days inclusive.
    how : {"previous", "year_ago"}
        Which reference period.

    Returns
    -------
    tuple of pandas.Timestamp
        The metric's window (see :func:`metric_window`) in the previous reporting period or in the same
        period a year earlier, both days inclusive.

    Examples
    --------
    A churn rate (12 months) reported for 2025Q4 is compared with the 12 months to the end of 2025Q3:

    >>> [str(x.date()) for x in reference_window("churn_rate", *parse_period("2025Q4"), "previous")]
    ['2024-10-01', '2025-09-30']
    >>> [str(x.date()) for x in reference_window("churn_rate", *parse_period("2025Q4"), "year_ago")]
    ['2024-01-01', '2024-12-31']
    """
    if how not in ("previous", "year_ago"):
        raise ConfigError(f"how={how!r} - expected 'previous' or 'year_ago'")
    ref = previous_period(start, end) if how == "previous" else year_ago(start, end)
    return metric_window(metric, *ref)


class Window(NamedTuple):
    """Rows with ``start <= date < end``; ``label`` names the window in tables."""

    start: pd.Timestamp
    end: pd.Timestamp  # exclusive
    label: str


def window(period) -> Window:
    """A period as a window ``[start, end)``.

    Parameters
    ----------
    period : str, pandas.Period or tuple
        A pandas period or its text (``"2025Q4"``, ``"2025-11"``, ``"2025"``) or a ``(start, end)``
        pair of dates, both inclusive.

    Returns
    -------
    Window
        ``start``, ``end`` (exclusive) and a label.

    Examples
    --------
    >>> window("2025Q4").label, str(window("2025Q4").end.date())
    ('2025Q4', '2026-01-01')
    """
    if isinstance(period, (tuple, list)):
        if len(period) != 2:
            raise ConfigError(f"period={period!r} - expected (start, end) or a period such as '2025Q4'")
        try:
            start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
        except (TypeError, ValueError):
            raise ConfigError(f"period={period!r}: could not read the dates; use ISO dates like '2025-10-01'") from None
        if end < start:
            raise ConfigError(f"period={period!r}: the end is before the start")
        return Window(start.normalize(), end.normalize() + pd.Timedelta(days=1),
                      f"{start:%Y-%m-%d} to {end:%Y-%m-%d}")
    try:
        p = period if isinstance(period, pd.Period) else pd.Period(str(period))
    except (TypeError, ValueError):
        raise ConfigError(f"period={period!r} - expected a period like '2025Q4', '2025-11', '2025' "
                          "or a (start, end) pair of dates") from None
    return Window(p.start_time, (p + 1).start_time, str(p))


def shift_window(w: Window, period, how: str) -> Window:
    """The window before ``w`` (``how="previous"``) or the same window a year earlier (``"year_ago"``).

    Parameters
    ----------
    w : Window
        The current window, as made by :func:`window` from ``period``.
    period : str, pandas.Period or tuple
        The period ``w`` was made from (a named period shifts by its own frequency).
    how : {"previous", "year_ago"}
        Which reference window.

    Returns
    -------
    Window

    Examples
    --------
    >>> shift_window(window("2025Q1"), "2025Q1", "previous").label
    '2024Q4'
    """
    if isinstance(period, (tuple, list)):
        if how == "previous":
            length = w.end - w.start
            start, end = w.start - length, w.start
        else:
            start, end = w.start - pd.DateOffset(years=1), w.end - pd.DateOffset(years=1)
        return Window(start, end, f"{start:%Y-%m-%d} to {end - pd.Timedelta(days=1):%Y-%m-%d}")
    p = period if isinstance(period, pd.Period) else pd.Period(str(period))
    q = p - 1 if how == "previous" else pd.Period(p.start_time - pd.DateOffset(years=1), freq=p.freq)
    return Window(q.start_time, (q + 1).start_time, str(q))
