"""Scale-out: the unit notebooks run as tasks on a Dask cluster and give the same reports, also when the
workers share no folder with the batch parent and read the prepared data from an object store."""
from __future__ import annotations

import json
import os
import shutil
import socket
import warnings

import pytest

import cxkit as cx
import cxkit.report.batch as report
from cxkit.report import prepare, read_records, run_batch
from cxkit.report.tasks import _run_task

UNITS = ["Kaunas Mega", "Rīga Alfa", "Kraków Galeria"]
SLUGS = ("kaunas-mega", "rīga-alfa", "kraków-galeria")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Sample data and the reports of the local process pool, the reference for the Dask runs."""
    root = tmp_path_factory.mktemp("scale")
    cx.write_sample(root / "data", rows=1500, seed=21)
    local = run_batch(root / "data", root / "local", units=UNITS, workers=2, progress=False)
    assert local.exit_code == 0, local.summary_text()
    return root


@pytest.fixture(scope="module")
def s3_url():
    """An S3 bucket served on localhost by moto (the S3 protocol without a cloud account); yields a
    ``--stage`` URL that points Arrow at it. Credentials go in the environment, as they would for a
    real cluster (the Dask workers started afterwards inherit them)."""
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    saved = dict(os.environ)
    os.environ.update(AWS_ACCESS_KEY_ID="cxkit-test", AWS_SECRET_ACCESS_KEY="cxkit-test",
                      AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}").create_bucket(Bucket="cxkit-stage")
        yield f"s3://cxkit-stage/batches?endpoint_override=127.0.0.1:{port}&scheme=http&region=us-east-1"
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


def _cluster():
    import distributed

    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)


def _same_reports(a, b):
    for slug in (*SLUGS, "summary"):
        ra, rb = read_records(a / "notebooks" / f"{slug}.ipynb"), read_records(b / "notebooks" / f"{slug}.ipynb")
        assert ra == rb and ra, slug
        assert (b / ("summary.html" if slug == "summary" else f"units/{slug}.html")).stat().st_size > 10_000
    assert read_records(a / "notebooks" / "kaunas-mega.ipynb")["headline"]["nps"]["n"] > 0


def test_dask_executor_matches_the_local_pool(sample):
    with _cluster() as cluster:
        remote = run_batch(sample / "data", sample / "dask", units=UNITS, executor="dask",
                           scheduler=cluster.scheduler_address, progress=False)
    assert remote.exit_code == 0, remote.summary_text()
    assert remote.manifest["parameters"]["executor"] == "dask"
    _same_reports(sample / "local", sample / "dask")


def test_dask_workers_need_no_shared_folder_with_an_object_store_stage(sample, s3_url, monkeypatch):
    from pyarrow import fs as pafs

    staged, stage_prepared = [], report.stage_prepared

    def stage_then_remove_local_copy(data_dir, stage):
        # the parent's own copy of the prepared data goes away once staged: every worker must read S3
        url = stage_prepared(data_dir, stage)
        staged.append(url)
        shutil.rmtree(data_dir)
        return url

    monkeypatch.setattr(report, "stage_prepared", stage_then_remove_local_copy)
    with _cluster() as cluster:
        remote = run_batch(sample / "data", sample / "s3", units=UNITS, executor="dask",
                           scheduler=cluster.scheduler_address, stage=s3_url, progress=False)
    assert remote.exit_code == 0, remote.summary_text()
    assert not (sample / "s3" / "_data").exists()
    _same_reports(sample / "local", sample / "s3")
    # the notebooks name the staged copy (no credentials in it), and the copy is deleted at the end
    (url,) = staged
    assert url.startswith("s3://cxkit-stage/batches/cxkit-") and remote.manifest["parameters"]["stage"] == s3_url
    nb = json.loads((sample / "s3" / "notebooks" / "rīga-alfa.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["prepared_dir"] == url
    fs, path = pafs.FileSystem.from_uri(s3_url)
    assert fs.get_file_info(pafs.FileSelector(path, recursive=True, allow_not_found=True)) == []
    # resume: the fingerprints name the stage, not the per-run copy, so nothing is run again
    with _cluster() as cluster:
        again = run_batch(sample / "data", sample / "s3", units=UNITS, executor="dask", resume=True,
                          scheduler=cluster.scheduler_address, stage=s3_url, progress=False)
    assert again.units["resumed"].all() and again.exit_code == 0


def test_a_collecting_task_works_in_its_own_folder_and_returns_its_files(tmp_path):
    """A --stage task writes nothing where the parent keeps its outputs: here those paths cannot even
    be created (they lie under a regular file), and the task still succeeds."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('unit = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print('report for', unit)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    task = {"group": "Šiauliai", "slug": "šiauliai", "notebook": "/nowhere/unit_report.ipynb",
            "notebook_text": nbformat.writes(nb), "parameters": {"unit": "Šiauliai <b>"}, "timeout": 60,
            "output": str(blocker / "nb.ipynb"), "html": str(blocker / "u.html"), "pdf": None, "fingerprint": "f",
            "banner": {"title": "t", "unit": "Šiauliai", "level": "unit", "period": "p", "generated": "g",
                       "lang": "en"},
            "collect": True}
    res = _run_task(task)
    assert res["status"] == "done", res
    assert sorted(res["files"]) == ["html", "output"]
    executed = nbformat.reads(res["files"]["output"].decode("utf-8"), as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "report for Šiauliai <b>\n"
    assert "Šiauliai &lt;b&gt;" in res["files"]["html"].decode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


@pytest.mark.parametrize("kwargs, message", [
    ({"executor": "local"}, "--stage is for --executor dask"),
    ({"stage": "/shared/cxkit"}, "expected a URL"),
    ({"stage": "s3://key:secret@bucket/prefix"}, "credentials in the environment"),
    ({"stage": "nosuchscheme://bucket/prefix"}, "Arrow cannot open this URL"),
])
def test_a_bad_stage_is_refused_before_the_data_are_read(tmp_path, kwargs, message):
    args = {"executor": "dask", "scheduler": "tcp://127.0.0.1:9", "stage": "s3://bucket/prefix", **kwargs}
    with pytest.raises(cx.ConfigError, match=message):
        run_batch(tmp_path / "no-data-here", tmp_path / "out", progress=False, **args)


def test_the_command_line_passes_the_stage_on(tmp_path, capsys):
    from cxkit.cli import main

    code = main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "out"), "--executor", "dask",
                 "--scheduler", "tcp://127.0.0.1:9", "--stage", "/shared/cxkit"])
    assert code == 2 and "--stage '/shared/cxkit': expected a URL" in capsys.readouterr().err


def test_a_failed_copy_leaves_no_half_staged_data(tmp_path, monkeypatch):
    from pyarrow import fs as pafs

    prep = tmp_path / "_data"
    (prep / "context").mkdir(parents=True)
    (prep / "context" / "meta.json").write_text("{}")

    def broken_copy(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pafs, "copy_files", broken_copy)
    store = tmp_path / "store"
    with pytest.raises(cx.CxkitError, match="could not copy the prepared data there .disk full"):
        report.stage_prepared(prep, store.as_uri())
    assert store.exists() and list(store.iterdir()) == []
    # a copy that could not even create its folder (here under a regular file) leaves nothing to delete,
    # and says so without a warning
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(cx.CxkitError, match="could not copy the prepared data there"):
            report.stage_prepared(prep, (blocker / "stage").as_uri())


def test_open_report_reads_prepared_data_from_a_url_as_from_a_folder(tmp_path):
    prep = prepare(cx.sample_data_path(), tmp_path / "out", units=["Kaunas Mega"])
    local = cx.open_report(prepared_dir=str(prep.data_dir), unit="Kaunas Mega")
    remote = cx.open_report(prepared_dir=prep.data_dir.as_uri(), unit="Kaunas Mega")
    assert local.context.keys() == remote.context.keys() and len(local.context) > 5
    for name in local.context:
        assert local.context[name].equals(remote.context[name]), name
    for name in ("responses", "tickets", "customers", "revenue"):
        assert local.tables[name].equals(remote.tables[name]) and len(local.tables[name]), name
    company = cx.open_report(prepared_dir=prep.data_dir.as_uri())  # the summary's tables, read when asked
    assert company.tables["responses"].equals(local.tables["responses"])
    with pytest.raises(cx.ConfigError, match="not the prepared data of a batch"):
        cx.open_report(prepared_dir=(tmp_path / "elsewhere").as_uri(), unit="Kaunas Mega")


def test_an_unreachable_scheduler_is_reported_before_the_data_are_read(tmp_path):
    import dask

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the data folder does not exist: had the batch read it first, the error would be about the data
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(cx.ConfigError, match=f"--scheduler tcp://127.0.0.1:{port}: cannot reach a Dask scheduler"):
            run_batch(tmp_path / "no-data-here", tmp_path / "out", executor="dask",
                      scheduler=f"tcp://127.0.0.1:{port}", progress=False)


def test_dask_executor_needs_a_scheduler(tmp_path):
    with pytest.raises(cx.ConfigError, match="--scheduler"):
        run_batch(cx.sample_data_path(), tmp_path, units=["Kaunas Mega"], executor="dask", progress=False)
