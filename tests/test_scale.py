"""Scale-out: the unit notebooks run as tasks on a Dask cluster and give the same reports."""
from __future__ import annotations

import pytest

import cxkit as cx
from cxkit.report import read_records, run_batch


def test_dask_executor_matches_the_local_pool(tmp_path):
    import distributed

    data = tmp_path / "data"
    cx.write_sample(data, rows=1500, seed=21)
    units = ["Kaunas Mega", "Rīga Alfa", "Kraków Galeria"]
    local = run_batch(data, tmp_path / "local", units=units, workers=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_batch(data, tmp_path / "dask", units=units, executor="dask", scheduler=cluster.scheduler_address,
                           progress=False)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.summary_text()
    assert remote.manifest["parameters"]["executor"] == "dask"
    for slug in ("kaunas-mega", "rīga-alfa", "kraków-galeria"):
        a = read_records(tmp_path / "local" / "notebooks" / f"{slug}.ipynb")
        b = read_records(tmp_path / "dask" / "notebooks" / f"{slug}.ipynb")
        assert a == b and a["headline"]["nps"]["n"] > 0
        assert (tmp_path / "dask" / "units" / f"{slug}.html").exists()


def test_dask_executor_needs_a_scheduler(tmp_path):
    with pytest.raises(cx.ConfigError, match="--scheduler"):
        run_batch(cx.sample_data_path(), tmp_path, units=["Kaunas Mega"], executor="dask", progress=False)
