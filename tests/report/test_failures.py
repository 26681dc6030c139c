"""Failure isolation of the report batch: a killed pool worker costs only its unit, the workers of a
killed batch leave without writing, a full disk stops the batch with a cxkit error (exit 3) and no
half-written file under a final name, ``--resume`` clears stale temporaries, ``--fresh-kernels``."""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from helpers import capture_run_batch

import cxkit as cx
from cxkit.errors import DiskFullError
from cxkit.report import run_batch

UNITS = ["Kaunas Mega", "Liepāja", "Rīga Alfa", "Vilnius Ozas"]
ROOT = Path(__file__).resolve().parents[2]

# A unit notebook that writes its kernel's parent (the pool worker running the unit) to PROBE/NAME.pid,
# then waits for the file PROBE/go (at most 300 s) before it finishes.
WAITING_CELL = """\
import os, pathlib, time
probe = pathlib.Path(os.environ["CXKIT_TEST_PROBE"])
(probe / f"{unit or 'summary'}.pid").write_text(str(os.getppid()))
deadline = time.time() + 300
while not (probe / "go").exists() and time.time() < deadline:
    time.sleep(0.1)
"""


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    cx.write_sample(out, rows=1500, seed=7)
    return out


@pytest.fixture
def waiting_notebook(tmp_path, monkeypatch):
    """(notebook, probe folder); the notebook waits until the test creates ``probe / "go"``."""
    probe = tmp_path / "probe"
    probe.mkdir()
    monkeypatch.setenv("CXKIT_TEST_PROBE", str(probe))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('unit = ""', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(WAITING_CELL)]
    path = tmp_path / "waiting.ipynb"
    nbformat.write(nb, path)
    return path, probe


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds} s")


def _pids(probe: Path) -> dict:
    """unit (or "summary") -> pid of the worker that runs it, for the units that have started."""
    out = {}
    for f in probe.glob("*.pid"):
        text = f.read_text()
        if text:
            out[f.stem] = int(text)
    return out


# ---------------------------------------------------------------------------------------
# the pool itself

def _kill_myself():
    os.kill(os.getpid(), signal.SIGKILL)


def _square(x):
    return x * x


def test_a_dead_worker_fails_only_its_own_task_and_is_replaced():
    from cxkit.report.executors import IsolatingPool, WorkerDied

    pool = IsolatingPool(2)
    try:
        futures = [pool.submit(_square, i) for i in range(3)]
        doomed = pool.submit(_kill_myself)
        futures += [pool.submit(_square, i) for i in range(3, 8)]
        with pytest.raises(WorkerDied, match=r"died \(signal SIGKILL: killed, perhaps out of memory\)"):
            doomed.result(timeout=120)
        assert [f.result(timeout=120) for f in futures] == [i * i for i in range(8)]
        assert pool.replaced == 1 and len(pool.processes()) == 2
    finally:
        pool.shutdown(wait=True)
    assert pool.processes() == []
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(_square, 1)


# ---------------------------------------------------------------------------------------
# (a) a worker killed as the out-of-memory killer would

def test_a_killed_worker_costs_only_the_unit_it_was_running(small_data, tmp_path, waiting_notebook):
    notebook, probe = waiting_notebook
    out = tmp_path / "out"
    box = {}

    def batch():
        try:
            box["res"] = run_batch(small_data, out, units=UNITS, notebook=notebook, summary_notebook=notebook,
                                   workers=2, progress=False)
        except BaseException as exc:  # noqa: BLE001 - shown by the assertion below
            box["error"] = exc

    thread = threading.Thread(target=batch)
    thread.start()
    try:
        running = _wait_for(lambda: (lambda p: p if len(p) == 2 else None)(_pids(probe)), 240, "two units running")
        victim = next(u for u in running if u != "summary")  # the summary runs first, on the other worker
        os.kill(running[victim], signal.SIGKILL)
    finally:
        (probe / "go").touch()
        thread.join(timeout=600)
    assert "error" not in box, box.get("error")
    res = box["res"]
    status = dict(zip(res.units["group"], res.units["status"]))
    assert status == {u: "failed" if u == victim else "done" for u in UNITS}
    error = dict(zip(res.units["group"], res.units["error"]))[victim]
    assert error == "the worker process running this unit died (signal SIGKILL: killed, perhaps out of memory)"
    assert res.manifest["summary"]["status"] == "done"
    # the pool was rebuilt: a third worker (its own log file) took the dead one's place
    logs = sorted(p.name for p in (out / "_logs").glob("worker-*.log"))
    assert len(logs) == 3 and f"worker-{running[victim]}.log" in logs
    slug = res.units.set_index("group").loc[victim, "slug"]
    assert not list((out / "notebooks").glob(f".{slug}.*")) and not (out / "notebooks" / f"{slug}.ipynb").exists()
    # the end summary names no notebook that does not exist
    line = next(x for x in res.summary_text().splitlines() if x.startswith(f"  FAILED {victim}"))
    assert "notebook" not in line and "died (signal SIGKILL" in line


# ---------------------------------------------------------------------------------------
# (b) the batch killed: its workers and their kernels leave without writing

def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent's bookkeeping is left


def _files(folder: Path) -> dict:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the batch's processes in Linux's /proc")
def test_the_workers_of_a_killed_batch_leave_without_writing(small_data, tmp_path, waiting_notebook):
    notebook, probe = waiting_notebook
    out = tmp_path / "out"
    code = ("from cxkit.report import run_batch; "
            f"run_batch({str(small_data)!r}, {str(out)!r}, units={UNITS!r}, notebook={str(notebook)!r}, "
            f"summary_notebook={str(notebook)!r}, workers=2, progress=False)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    family: set[int] = set()
    try:
        _wait_for(lambda: len(_pids(probe)) == 2, 240, "two units running")
        family = _descendants(proc.pid)
        before = _files(out)
        proc.kill()
        proc.wait(timeout=30)
        # two workers and the kernel each one runs, at least
        assert len(family) >= 4 and set(_pids(probe).values()) <= family
        _wait_for(lambda: not [p for p in family if _alive(p)], 60, "the batch's processes gone")
        assert _files(out) == before  # nothing written after the kill
    finally:
        (probe / "go").touch()
        for pid in [proc.pid, *family]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------------------------------
# (c) a full disk

def _fail_fsync_of(name: str, monkeypatch) -> list:
    """``os.fsync`` fails with ENOSPC for the temporary of the file ``name`` (the atomic write's last step
    before its rename); returns the list of temporaries it failed on."""
    real, hits = os.fsync, []

    def fsync(fd):
        target = os.readlink(f"/proc/self/fd/{fd}")
        if Path(target).name.startswith(f".{name}."):
            hits.append(target)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return hits


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="names the file being written from /proc")
def test_a_full_disk_stops_the_batch_with_a_cxkit_error_and_exit_code_3(small_data, tmp_path, waiting_notebook,
                                                                        monkeypatch, capsys):
    from cxkit.cli import DISK_FULL, main

    notebook, probe = waiting_notebook
    (probe / "go").touch()
    out = tmp_path / "out"
    hits = _fail_fsync_of("manifest.json", monkeypatch)
    with pytest.raises(DiskFullError) as info:
        run_batch(small_data, out, units=UNITS[:2], notebook=notebook, summary_notebook=notebook, workers=2,
                  progress=False)
    err = info.value
    assert err.path == str(out / "manifest.json") and err.needed > 0 and err.free is not None
    assert "the disk is full" in str(err) and "--resume" in str(err)
    assert "The batch stopped" in err.summary and "of 2 reports done" in err.summary
    assert hits and not any(Path(h).exists() for h in hits)  # the temporary is removed
    assert not (out / "manifest.json").exists() and not (out / "index.html").exists()
    assert not list(out.rglob("*.part"))
    code = main(["report", "--data", str(small_data), "--out", str(out), "--units", *UNITS[:2], "--notebook",
                 str(notebook), "--summary-notebook", str(notebook), "--workers", "2", "--quiet"])
    captured = capsys.readouterr()
    assert code == DISK_FULL == 3
    assert f"cxkit: {out / 'manifest.json'}: the disk is full" in captured.err and "Traceback" not in captured.err
    assert "The batch stopped" in captured.out


def test_a_task_that_found_the_disk_full_stops_the_batch(small_data, tmp_path, monkeypatch):
    """A task's result ``error_kind: disk_full`` (tasks.py returns it when papermill or the HTML could not
    be written) stops the batch: the other tasks are not waited for."""
    from cxkit.report import batch

    taken = []

    def runner(todo, workers, progress, pool=None, client=None):
        for task in todo:
            taken.append(task["group"])
            yield {"group": task["group"], "slug": task["slug"], "fingerprint": task["fingerprint"],
                   "status": "failed", "error": "OSError: [Errno 28] No space left on device",
                   "error_kind": "disk_full", "path": task["output"]}

    monkeypatch.setattr(batch, "_run_local", runner)
    out = tmp_path / "out"
    with pytest.raises(DiskFullError) as info:
        run_batch(small_data, out, units=UNITS, progress=False)
    assert info.value.path == str(out / "notebooks" / "summary.ipynb")  # the first task (the summary)
    assert taken == ["__summary__"]  # the rest were not waited for
    assert "0 of 4 reports done" in info.value.summary and "4 not run" in info.value.summary


def _mount_tmpfs(folder: Path, size_kb: int) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


def _complete(path: Path) -> bool:
    """A file under a final name holds a whole document of its kind."""
    if path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif path.suffix == ".ipynb":
        nbformat.read(path, as_version=4)
    elif path.suffix == ".html":
        return path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    elif path.suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.read_metadata(path)
    return True


def test_a_really_full_disk_on_a_small_tmpfs(small_data, tmp_path, waiting_notebook, capsys):
    """The output folder on a file system too small for the reports (prepare's data fit, measured first)."""
    from cxkit.cli import main
    from cxkit.report import prepare

    notebook, probe = waiting_notebook
    (probe / "go").touch()
    measured = prepare(small_data, tmp_path / "measure", units=UNITS[:2], parallel=False)
    need = sum(p.stat().st_size for p in measured.data_dir.rglob("*") if p.is_file())
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, need // 1024 + 256):  # the data and some 256 KB more
        pytest.skip("mounting a tmpfs is not permitted here (the injected ENOSPC test still runs)")
    try:
        out = disk / "out"
        code = main(["report", "--data", str(small_data), "--out", str(out), "--units", *UNITS[:2], "--notebook",
                     str(notebook), "--summary-notebook", str(notebook), "--workers", "1", "--quiet"])
        captured = capsys.readouterr()
        assert code == 3, captured
        assert "the disk is full" in captured.err and str(disk) in captured.err and "Traceback" not in captured.err
        assert "The batch stopped" in captured.out
        finals = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
        assert finals and all(_complete(p) for p in finals)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


# ---------------------------------------------------------------------------------------
# (d) --resume clears what a killed batch left; (e) --fresh-kernels

def test_resume_removes_the_partial_files_a_killed_batch_left(small_data, tmp_path, waiting_notebook):
    notebook, probe = waiting_notebook
    (probe / "go").touch()
    out = tmp_path / "out"
    planted = [out / "notebooks" / ".kaunas-mega.k2j4_x.ipynb", out / "units" / ".kaunas-mega.html.8fz1q.part",
               out / ".manifest.json.a1b2c3.part", out / "_data" / "context" / ".meta.json.zz9.part"]
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"cells": [')  # cut off, as a kill leaves it
    res = run_batch(small_data, out, units=UNITS[:1], notebook=notebook, summary_notebook=notebook, workers=1,
                    progress=False, resume=True)
    assert res.exit_code == 0, res.summary_text()
    assert not [p for p in planted if p.exists()]
    assert (out / "notebooks" / "kaunas-mega.ipynb").exists() and (out / ".cxkit-batch.lock").exists() is False


def test_fresh_kernels_reach_every_task_and_the_manifest(small_data, tmp_path, waiting_notebook, monkeypatch):
    from cxkit.report import batch

    notebook, probe = waiting_notebook
    (probe / "go").touch()
    seen, real = [], batch._run_local

    def spy(todo, *args, **kwargs):
        seen.extend(todo)
        return real(todo, *args, **kwargs)

    monkeypatch.setattr(batch, "_run_local", spy)
    res = run_batch(small_data, tmp_path / "out", units=UNITS[:2], notebook=notebook, summary_notebook=notebook,
                    workers=2, progress=False, fresh_kernels=True)
    assert res.exit_code == 0, res.summary_text()
    assert len(seen) == 3 and all(task["fresh_kernel"] is True for task in seen)
    assert res.manifest["parameters"]["fresh_kernels"] is True
    saved = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert saved["parameters"]["fresh_kernels"] is True
    seen.clear()
    res = run_batch(small_data, tmp_path / "out2", units=UNITS[:1], notebook=notebook, summary_notebook=notebook,
                    workers=1, progress=False)
    assert seen and not any("fresh_kernel" in task for task in seen)
    assert res.manifest["parameters"]["fresh_kernels"] is False


def test_the_cli_passes_fresh_kernels_on(monkeypatch, tmp_path):
    from cxkit import cli

    got = capture_run_batch(monkeypatch)
    assert cli.main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "o"), "--fresh-kernels"]) == 0
    assert got["fresh_kernels"] is True
    assert cli.main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "o")]) == 0
    assert got["fresh_kernels"] is False
