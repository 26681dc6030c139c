"""Tick labels in the report's language: every tick of an axis written with the decimals its locations need,
found once per drawing (:func:`cxkit.plots._local_ticks`)."""
from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cxkit.plots import _local_ticks  # noqa: E402


@pytest.mark.parametrize(("limits", "lang", "expected"), [
    # matplotlib's default locator puts ticks at steps of 0.2 on 0-1 and of 20 on 0-100 (MaxNLocator, nbins auto)
    ((0, 1), "en", ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
    ((0, 1), "lt", ["0,0", "0,2", "0,4", "0,6", "0,8", "1,0"]),  # decimal comma
    ((0, 100), "en", ["0", "20", "40", "60", "80", "100"]),
    ((0, 0.25), "pl", ["0,00", "0,05", "0,10", "0,15", "0,20", "0,25"]),  # every label with the decimals of 0.05
])
def test_every_tick_has_the_decimals_of_the_axis(limits, lang, expected):
    fig, ax = plt.subplots()
    try:
        ax.set_ylim(*limits)
        _local_ticks(ax.yaxis, lang)
        fig.canvas.draw()
        assert [t.get_text() for t in ax.get_yticklabels()] == expected
        formatter = ax.yaxis.get_major_formatter()
        assert formatter(ax.get_yticks()[1], 1) == expected[1]  # asked for one label alone: the same text
    finally:
        plt.close(fig)


def test_the_labels_follow_new_limits():
    fig, ax = plt.subplots()
    try:
        ax.set_ylim(0, 1)
        _local_ticks(ax.yaxis, "en")
        fig.canvas.draw()
        ax.set_ylim(0, 100)
        fig.canvas.draw()
        assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "20", "40", "60", "80", "100"]
    finally:
        plt.close(fig)
