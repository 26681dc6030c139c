"""unit_outcomes: an exact line across units, the ecological-inference caveat, the sample."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx


# across units


def test_unit_outcomes_exact_line_and_caveat():
    units = [f"U{i}" for i in range(6)]
    nps_target = np.array([-20, -10, 0, 10, 20, 30])
    rows, custs = [], []
    for u, target in zip(units, nps_target):
        # 100 answers: (50 + target/2) promoters, (50 - target/2) detractors -> NPS = target
        p = 50 + target // 2
        scores = [10] * p + [0] * (100 - p)
        rows += [{"unit": u, "date": pd.Timestamp("2025-06-01"), "nps": s} for s in scores]
        # churn rate = 30 - 0.5 x NPS (percent): exact line
        k = int(30 - 0.5 * target)
        custs += [{"customer_id": f"{u}-{j}", "unit": u, "acquired_at": pd.Timestamp("2023-01-01"),
                   "churned_at": pd.Timestamp("2025-05-01") if j < k else pd.NaT} for j in range(100)]
    res = cx.unit_outcomes(pd.DataFrame(rows), pd.DataFrame(custs))
    line = res.summary.set_index("outcome").loc["churn_rate"]
    assert line["slope"] == pytest.approx(-0.5) and line["r_squared"] == pytest.approx(1.0)
    assert res.data["nps"].tolist() == pytest.approx(list(nps_target))
    assert any(n.startswith("Ecological inference") for n in res.notes)
    assert "Ecological inference" in res._repr_html_()


def test_unit_outcomes_on_the_sample(sample):
    res = cx.unit_outcomes(sample)
    assert len(res.data) == 10 and set(res.summary["outcome"]) == {"churn_rate", "revenue_growth"}
    worst = res.data.sort_values("nps").iloc[0]
    assert worst["unit"] == cx.PLANTED["worse_unit"]
    assert res.lines is not None and {"fit", "ci_low", "ci_high"} <= set(res.lines.columns)


def _units_on_a_line(nps_values, churn_values, date="2025-06-01"):
    """Units with exactly the given NPS (100 answers each) and churn rate (100 customers each, in %)."""
    rows, custs = [], []
    for i, (target, churn) in enumerate(zip(nps_values, churn_values)):
        u = f"U{i}"
        p = 50 + target // 2
        rows += [{"unit": u, "date": pd.Timestamp(date), "nps": s} for s in [10] * p + [0] * (100 - p)]
        custs += [{"customer_id": f"{u}-{j}", "unit": u, "acquired_at": pd.Timestamp("2023-01-01"),
                   "churned_at": pd.Timestamp("2025-05-01") if j < churn else pd.NaT} for j in range(100)]
    return pd.DataFrame(rows), pd.DataFrame(custs)


def test_leaving_out_one_unit_finds_the_unit_that_makes_the_line():
    # six units with no link (churn 10-12% whatever the NPS) and one far unit (NPS -60, churn 40%)
    nps_values = [-20, -10, 0, 10, 20, 30, -60]
    churn_values = [11, 12, 10, 11, 12, 10, 40]
    res = cx.unit_outcomes(*_units_on_a_line(nps_values, churn_values))
    line = res.summary.set_index("outcome").loc["churn_rate"]
    # independent least squares (numpy) with and without each unit
    x, y = np.array(nps_values, float), np.array(churn_values, float)
    full = np.polyfit(x, y, 1)[0]
    without = [np.polyfit(np.delete(x, i), np.delete(y, i), 1)[0] for i in range(len(x))]
    assert line["slope"] == pytest.approx(full)
    assert line["slope_without_low"] == pytest.approx(min(without))
    assert line["slope_without_high"] == pytest.approx(max(without))
    assert line["p_value"] < 0.05 and line["most_influential"] == "U6" and bool(line["rests_on_one"])
    exact = cx.unit_outcomes(*_units_on_a_line([-20, -10, 0, 10, 20, 30], [40, 35, 30, 25, 20, 15]))
    e = exact.summary.set_index("outcome").loc["churn_rate"]
    assert e["slope_without_low"] == pytest.approx(-0.5) and e["slope_without_high"] == pytest.approx(-0.5)
    assert not bool(e["rests_on_one"])


def test_the_window_ends_at_the_given_day(sample):
    r = sample.responses
    res = cx.unit_outcomes(sample, end="2025-06-30")
    line = res.summary.iloc[0]
    assert (line["window_start"], line["window_end"]) == (pd.Timestamp("2024-07-01"), pd.Timestamp("2025-06-30"))
    # NPS per unit over 1 Jul 2024 - 30 Jun 2025, counted here from the raw answers
    d = r[(r["date"] >= "2024-07-01") & (r["date"] < "2025-07-01")].dropna(subset=["nps"])
    expected = d.groupby("unit", observed=True)["nps"].apply(lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()))
    got = res.data.set_index("unit")["nps"]
    for unit, value in expected.items():
        assert got[unit] == pytest.approx(value)


def test_the_chart_states_the_window_the_line_and_keeps_labels_apart(sample):
    import matplotlib

    matplotlib.use("Agg")
    res = cx.unit_outcomes(sample, end="2025-12-31")
    ax = cx.plots.plot_unit_outcomes(res, outcome="churn_rate")
    assert "NPS and outcome over 1 Jan 2025 – 31 Dec 2025" in ax.get_title()
    line = res.summary.set_index("outcome").loc["churn_rate"]
    box = ax.texts[-1].get_text()
    slope = f"{line['slope']:+.2f}".replace("-", "\u2212")  # a true minus sign, as the text writes numbers
    assert f"slope {slope} per NPS point" in box and f"{int(line['units'])} units" in box
    assert ("No clear link" in box) == (line["ci_low"] <= 0 <= line["ci_high"])
    renderer = ax.figure.canvas.get_renderer()
    names = [t for t in ax.texts[:-1]]
    assert sorted(t.get_text() for t in names) == sorted(res.data["unit"].astype(str))
    boxes = [t.get_window_extent(renderer) for t in names]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (names[i].get_text(), names[j].get_text())


def test_a_report_puts_the_nps_of_its_period_against_the_12_month_churn(sample):
    """The leadership summary's scatter shows each unit's NPS of the reporting period (the number in the
    summary's tables) against its churn over the 12 months ending then (the churn in the tables)."""
    import matplotlib

    matplotlib.use("Agg")
    res = cx.unit_outcomes(sample, end="2025-12-31", nps_period=("2025-10-01", "2025-12-31"))
    r = sample.responses
    d = r[(r["date"] >= "2025-10-01") & (r["date"] < "2026-01-01")].dropna(subset=["nps"])
    expected = d.groupby("unit", observed=True)["nps"].apply(lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()))
    got = res.data.set_index("unit")["nps"]
    assert len(expected) == 10
    for unit, value in expected.items():
        assert got[unit] == pytest.approx(value)
    ax = cx.plots.plot_unit_outcomes(res, outcome="churn_rate")
    assert "NPS over 1 Oct 2025 – 31 Dec 2025; outcome over 1 Jan 2025 – 31 Dec 2025" in ax.get_title()
