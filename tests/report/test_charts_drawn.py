"""No empty charts (issue 22, item 7): every chart the report notebooks show has data drawn on it.

The test runs, in this process, every ``cx.show_part(lambda: ...)`` call of the two report notebooks
(parsed from the notebooks, so a new section is checked without editing this file) for every unit of
the bundled sample and of a thin sample, and inspects each figure the calls return. A chart with only
reference lines, a shaded period or text (the themes chart once drawn with an axis from -0.04 to 0.04
and nothing on it) fails.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import cxkit as cx
from cxkit.report import prepare
from helpers import notebook_charts


def _finite_points(xy) -> int:
    a = np.asarray(xy, dtype=float).reshape(-1, 2) if np.size(xy) else np.zeros((0, 2))
    return int(np.isfinite(a).all(axis=1).sum())


def _is_reference_line(line: Line2D) -> bool:
    """axhline / axvline / a two-point constant line: a reference, not data."""
    xy = np.asarray(line.get_xydata(), dtype=float)  # dates already converted to axis numbers
    x, y = xy[:, 0], xy[:, 1]
    return len(x) <= 2 and (np.ptp(x) == 0 or np.ptp(y) == 0) and line.get_marker() in (None, "None", "", " ")


def drawn_data(fig: Figure) -> int:
    """How many data marks the figure's axes carry: points of lines and scatters, bars, filled areas.
    Reference lines, spans, the axes' background and text are not data."""
    marks = 0
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_visible() and not _is_reference_line(line):
                marks += _finite_points(line.get_xydata())
        for col in ax.collections:
            if not col.get_visible():
                continue
            if isinstance(col, PathCollection):  # scatter points (its default offset (0, 0) is not a point)
                marks += _finite_points(col.get_offsets()) if len(col.get_paths()) else 0
            elif isinstance(col, (LineCollection, PolyCollection)):  # error bars, filled bands
                marks += sum(1 for path in col.get_paths() if _finite_points(path.vertices))
        for container in ax.containers:
            for patch in getattr(container, "patches", []):
                if isinstance(patch, Rectangle) and math.isfinite(patch.get_width()) \
                        and math.isfinite(patch.get_height()) and patch.get_width() * patch.get_height() != 0:
                    marks += 1
        for image in ax.images:
            marks += int(np.size(image.get_array()) > 0)
    return marks


def test_the_check_sees_an_empty_chart():
    fig, ax = plt.subplots()
    ax.axvline(0, color="black")
    ax.axvspan(-1, 1, alpha=0.2)
    ax.text(0, 0, "not tested (too few comments)")
    ax.errorbar([], [], xerr=np.zeros((2, 0)), fmt="none")
    ax.scatter([], [])
    ax.set_xlim(-0.04, 0.04)
    assert drawn_data(fig) == 0
    fig2, ax2 = plt.subplots()
    ax2.barh([0, 1], [3.0, 0.0])
    ax2.plot([1, 2, 3], [1, np.nan, 2])
    assert drawn_data(fig2) == 1 + 2  # one bar of non-zero width, two finite line points


def _check(notebook: str, prep, units: list[str]) -> int:
    charts = 0
    for unit in units:
        for call, figures in notebook_charts(notebook, prep, unit):
            for fig in figures:
                assert drawn_data(fig) > 0, f"{notebook} ({unit or 'company'}): {call} drew a chart with no data"
                charts += 1
            plt.close("all")
    return charts


@pytest.fixture(scope="module")
def sample_prep(sample_dir, tmp_path_factory):
    return prepare(sample_dir, tmp_path_factory.mktemp("prep"), parallel=False)


@pytest.fixture(scope="module")
def thin_prep(tmp_path_factory):
    data = tmp_path_factory.mktemp("thin")
    cx.write_sample(data, rows=300, seed=5)
    return prepare(data, tmp_path_factory.mktemp("thin-prep"), parallel=False)


def test_every_chart_of_the_sample_reports_has_data(sample_prep):
    units = list(sample_prep.groups)
    assert len(units) >= 8
    charts = _check("unit_report.ipynb", sample_prep, units)
    assert charts >= 5 * len(units)  # trends, distribution, outcomes, drivers, themes at least
    assert _check("leadership_summary.ipynb", sample_prep, [""]) >= 5


def test_every_chart_of_thin_reports_has_data_or_is_left_out(thin_prep):
    _check("unit_report.ipynb", thin_prep, list(thin_prep.groups))
    _check("leadership_summary.ipynb", thin_prep, [""])
