"""Sample data: deterministic, matches the contract, and the planted effects are there."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx


def test_generate_is_deterministic_and_seed_dependent():
    a = cx.generate(rows=1000, seed=1)
    b = cx.generate(rows=1000, seed=1)
    c = cx.generate(rows=1000, seed=2)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["responses"]["nps"].equals(c["responses"]["nps"])


def test_bundled_sample_is_the_generator_output(sample):
    fresh = cx.generate(rows=20_000, seed=42)["responses"]
    loaded = sample.responses
    assert loaded["nps"].tolist() == fresh["nps"].tolist()
    assert loaded["response_id"].tolist() == fresh["response_id"].tolist()


def test_sample_shape_matches_the_brief(sample):
    r, u = sample.responses, sample.units
    assert u["unit"].nunique() >= 8 and u["region"].nunique() >= 3
    months = r["date"].dt.to_period("M").nunique()
    assert months >= 12
    langs = set(r["language"].dropna().astype(str))
    assert langs == {"lt", "lv", "pl", "en"}
    assert {"store", "ordering_delivery", "billing", "website", "service_phone", "service_email",
            "service_chat", "social_media", "product"} <= set(r["touchpoint"].astype(str))
    assert sample.customers["churned_at"].notna().mean() > 0.05
    assert len(sample.revenue) > 0 and len(sample.tickets) > 0


def test_planted_worse_unit_is_clearly_lowest(sample):
    table = cx.metric_table(sample.responses, metric="nps", by="unit")
    worst = table.sort_values("value").iloc[0]
    others = table[table["unit"] != worst["unit"]]
    assert worst["unit"] == cx.PLANTED["worse_unit"]
    assert worst["ci_high"] < others["ci_low"].min()


def test_planted_churn_ratio_is_visible_in_raw_rates(sample):
    # latest response per customer -> NPS group; exposure-based monthly hazard per group
    r = sample.responses.dropna(subset=["nps", "customer_id"]).sort_values("date")
    latest = r.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    c = sample.customers.set_index("customer_id").join(latest[["nps", "date"]], how="inner")
    start = c["date"]
    end = c["churned_at"].fillna(pd.Timestamp(cx.PLANTED["data_end"]))
    months = (end - start).dt.days / 30.4375
    group = np.where(c["nps"] <= 6, "d", np.where(c["nps"] <= 8, "pa", "p"))
    events = c["churned_at"].notna()
    rate = {g: events[group == g].sum() / months[group == g].sum() for g in ("d", "pa", "p")}
    assert 2.0 < rate["d"] / rate["p"] < 3.1
    assert 1.1 < rate["pa"] / rate["p"] < 2.0


def test_generation_writes_parquet_too(tmp_path):
    paths = cx.write_sample(tmp_path, rows=200, seed=9, fmt="parquet")
    ds = cx.load(tmp_path)
    assert len(ds.responses) == 200 and paths["units"].suffix == ".parquet"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_each_table_written_while_the_next_is_made_is_the_generated_table(tmp_path, fmt):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from cxkit.data.sample import _to_arrow, generate

    paths = cx.write_sample(tmp_path, rows=600, seed=4, fmt=fmt)
    tables = generate(rows=600, seed=4)
    assert list(paths) == list(tables) and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{fmt}" for n in tables)  # no .part file left
    for name, frame in tables.items():
        # the same table written on its own, in the main thread, reads back the same
        expected, alone = _to_arrow(frame), tmp_path / "alone" / f"{name}.{fmt}"
        alone.parent.mkdir(exist_ok=True)
        if fmt == "parquet":
            pq.write_table(expected, alone)
            assert pq.read_table(paths[name]).equals(pq.read_table(alone)) and len(expected), name
        else:
            pacsv.write_csv(expected, alone, write_options=pacsv.WriteOptions(quoting_style="needed"))
            assert paths[name].read_bytes() == alone.read_bytes(), name


def test_a_failed_generation_leaves_no_files(tmp_path, monkeypatch):
    import cxkit.data.sample as sample

    real = sample.generate

    def fails_after_two_tables(*args, _ready=None, **kwargs):
        def ready(name, frame):
            _ready(name, frame)
            if name == "tickets":
                raise MemoryError("out of memory")
        return real(*args, _ready=ready, **kwargs)

    monkeypatch.setattr(sample, "generate", fails_after_two_tables)
    with pytest.raises(MemoryError):
        cx.write_sample(tmp_path, rows=600, seed=4, fmt="parquet")
    assert list(tmp_path.iterdir()) == []
