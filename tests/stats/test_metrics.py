"""metric_table: every metric per group, matching the single estimates."""
from __future__ import annotations

import pytest

import cxkit as cx
from cxkit.errors import ConfigError


def test_metric_table_matches_single_estimates(sample):
    r = sample.responses
    table = cx.metric_table(r, metric="nps", by="unit", total=True)
    for row in table.itertuples():
        sub = r if row.unit == "All" else r[r["unit"] == row.unit]
        est = cx.nps(sub["nps"])
        assert (row.value, row.ci_low, row.ci_high, row.n) == pytest.approx((est.value, est.ci_low, est.ci_high, est.n))
    csat = cx.metric_table(r, metric="csat", by=["region"] if "region" in r else ["touchpoint"])
    one = csat.iloc[0]
    sub = r[r["touchpoint"] == one["touchpoint"]]
    assert one["value"] == pytest.approx(cx.csat(sub["csat"]).value)


def test_metric_table_two_keys_and_errors(sample):
    t = cx.metric_table(sample.responses, metric="ces", by=["unit", "touchpoint"])
    assert {"unit", "touchpoint", "value", "ci_low", "ci_high", "n", "method"} <= set(t.columns)
    assert t["n"].sum() == sample.responses["ces"].notna().sum()
    with pytest.raises(ConfigError, match="metric"):
        cx.metric_table(sample.responses, metric="loyalty")
    with pytest.raises(ConfigError, match="by="):
        cx.metric_table(sample.responses, metric="nps", by="shop")
