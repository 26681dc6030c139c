"""Plots: they draw on the given axes, return it, and show what the tables say."""
from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import ConfigError
from cxkit.plots import COLOURS


def _table():
    rng = np.random.default_rng(3)
    units = {"Good": rng.choice(11, 400, p=[.01] * 7 + [.1, .13, .3, .4]),
             "Bad": rng.choice(11, 400, p=[.08] * 7 + [.1, .1, .12, .12]),
             "Middle A": rng.integers(0, 11, 300), "Middle B": rng.integers(0, 11, 300), "Tiny": [10, 9, 3],
             "Twenty": rng.integers(0, 11, 20)}
    df = pd.DataFrame({"unit": np.repeat(list(units), [len(v) for v in units.values()]),
                       "nps": np.concatenate([np.asarray(v) for v in units.values()])})
    return cx.compare(df, metric="nps", by="unit")


def _colour_of(ax, label):
    labels = [t.get_text() for t in ax.get_yticklabels()]
    y = labels.index(label)
    for coll in ax.collections:
        offsets = coll.get_offsets()
        if len(offsets) and np.any(np.isclose(np.asarray(offsets)[:, 1], y)):
            hit = np.flatnonzero(np.isclose(np.asarray(offsets)[:, 1], y))[0]
            face = coll.get_facecolors()
            return mcolors.to_hex(face[hit if len(face) > 1 else 0]) if len(face) else None
    return None


def test_plot_groups_marks_real_differences_and_hides_small_groups():
    t = _table()
    ax = cx.plot_groups(t)
    assert isinstance(ax, matplotlib.axes.Axes)
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert "Tiny" not in labels and "Twenty" in labels  # not shown vs shown-but-untested
    assert any("Not shown (n < 5): Tiny" in a.get_text() for a in ax.texts)
    status = t.set_index("unit")["direction"]
    assert status["Good"] == "higher" and status["Bad"] == "lower"
    assert _colour_of(ax, "Good") == COLOURS["better"] and _colour_of(ax, "Bad") == COLOURS["worse"]
    company = t.attrs["company"]["value"]
    assert any(np.allclose(line.get_xdata(), company) for line in ax.get_lines())  # the company reference line
    assert ax.get_xlabel() == "NPS (NPS points)" and "rest of the company" in ax.get_title()


def test_plot_groups_uses_the_metric_direction_and_given_axes(sample):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    t = cx.compare(sample.tickets, metric="first_response_time", by="unit", against="target", targets=sample.units)
    out = cx.plot_groups(t, ax=ax, title="Response times")
    assert out is ax and ax.get_title() == "Response times"
    assert ax.get_xlabel() == "Median first response (hours)"
    # every unit answers faster than the 4-hour target: "lower" is better for response times -> green
    assert (t["direction"] == "lower").all()
    assert _colour_of(ax, t["unit"].iloc[0]) == COLOURS["better"]
    pairs = cx.plot_groups(cx.compare(sample.responses, metric="nps", by="unit", against="pairs"))
    assert pairs.get_xlabel().startswith("Difference")
    with pytest.raises(ConfigError, match="compare"):
        cx.plot_groups(pd.DataFrame({"x": [1]}))


def test_plot_trend_draws_band_and_flags_changes():
    df = pd.DataFrame({"date": pd.to_datetime(["2025-01-15"] * 300 + ["2025-02-15"] * 300 + ["2025-03-15"] * 300),
                       "nps": [10, 9, 8, 3] * 75 + [10, 9, 8, 3] * 75 + [3, 2, 8, 9] * 75})
    t = cx.trend(df, metric="nps", freq="M")
    assert list(t["direction"]) == ["not tested", "no difference", "lower"]
    ax = cx.plot_trend(t)
    assert ax.get_ylabel() == "NPS (NPS points)" and "per month" in ax.get_title()
    flagged = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert len(flagged) == 1 and mcolors.to_hex(flagged[0].get_facecolors()[0]) == COLOURS["worse"]
    bands = [c for c in ax.collections if isinstance(c, matplotlib.collections.PolyCollection)]
    assert len(bands) == 1


def test_plot_trend_one_line_per_group(sample):
    t = cx.trend(sample.responses, metric="csat", freq="Q", by="unit")
    ax = cx.plot_trend(t, group=["Kaunas Mega", "Liepāja"])
    assert {line.get_label() for line in ax.get_lines()} >= {"Kaunas Mega", "Liepāja"}
    with pytest.raises(ConfigError, match="no group"):
        cx.plot_trend(t, group="Atlantis")


def test_error_bars_survive_limits_a_rounding_error_inside_the_estimate():
    # Wilson's lower limit at k = 0 can come out as 1e-17 > 0 = the estimate; a chart must still draw
    import cxkit as cx

    t = pd.DataFrame({"nps_group": ["detractor", "promoter"], "n": [12, 15], "churn_rate": [0.0, 20.0],
                      "ci_low": [1e-15, 7.0], "ci_high": [24.0, 45.0]})
    ax = cx.plot_churn_by_group(t)
    assert len(ax.patches) == 2
    est = cx.share(0, 12)
    assert est.ci_low <= est.value <= est.ci_high
