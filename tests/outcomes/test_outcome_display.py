"""Outcome results on screen: untrusted text escaped, and the outcome plots."""
from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import ConfigError


# presentation and plots


def test_results_escape_untrusted_text():
    c = pd.DataFrame({"months": [1.0, 2, 3, 4, 5, 6], "churned": [True, False] * 3,
                      "unit": ["<script>alert(1)</script>"] * 3 + ["B"] * 3})
    html = cx.kaplan_meier(c, by="unit", at=(2,))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_outcome_plots(joined, sample):
    ax = cx.plot_churn_by_group(cx.churn_by_group(joined))
    assert ax.get_ylabel() == "Customers who left (%)" and len(ax.patches) == 3
    ax = cx.plot_survival(cx.kaplan_meier(joined))
    assert len(ax.get_lines()) == 3 and "Kaplan-Meier" in ax.get_title()
    ax = cx.plot_unit_outcomes(cx.unit_outcomes(sample))
    assert {t.get_text() for t in ax.texts} >= {cx.PLANTED["worse_unit"]}
    ax = cx.plot_revenue_at_risk(cx.revenue_at_risk(joined, n_boot=50))
    assert len(ax.patches) == 4 and "currency" in ax.get_xlabel()
    import matplotlib.pyplot as plt

    _, given = plt.subplots()
    assert cx.plot_churn_by_group(cx.churn_by_group(joined), ax=given) is given
    with pytest.raises(ConfigError):
        cx.plot_survival(pd.DataFrame())
