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
