"""Warm kernels (cxkit.report.kernels): nothing of one unit is visible to the next, a report rendered on a
warm kernel equals one rendered on a fresh kernel, dead and timed-out kernels are replaced; a full disk
leaves no half-written notebook (cxkit.report.tasks)."""
from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cxkit.report import kernels, tasks
from cxkit.report.context import default_settings
from cxkit.report.resources import notebook_path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
UNITS = ["Kaunas Mega", "Liepāja"]  # two units of the bundled sample (data/sample/units.csv)


@pytest.fixture(scope="module", autouse=True)
def _stop_kernels():
    yield
    kernels.shutdown_all()


def _notebook(path: Path, *cells: str, tags: dict | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    for index, tag in (tags or {}).items():
        nb.cells[index].metadata["tags"] = [tag]
    nbformat.write(nb, path)
    return path


POLLUTE = (
    """\
import importlib, os, random, sys, warnings
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import cxkit as cx
import cxkit.i18n
%matplotlib inline
polluted_global = 42""",
    """\
pd.set_option("display.max_rows", 3)
mpl.rcParams["lines.linewidth"] = 9.0
np.random.seed(1)
random.seed(1)
np.seterr(all="raise")
np.set_printoptions(precision=2)
warnings.simplefilter("error")
fig = plt.figure(); plt.plot([1, 2, 3])
plt.figure()
os.chdir(POLLUTED_DIR)
os.environ["CXKIT_POLLUTED"] = "yes"
sys.path.append("/polluted")
metrics = importlib.import_module(cx.nps.__module__)
metrics.nps = cx.nps = lambda *a, **k: "patched"
cx.ConfigError.polluted = True
cxkit.i18n.format_month_local(pd.Timestamp("2025-01-01"), "en")  # fills an lru_cache of cxkit
get_ipython().events.register("post_execute", lambda: print("a hook of the polluting notebook"))
get_ipython().display_formatter.formatters["text/plain"].for_type(int, lambda o, p, cycle: p.text("INT"))
get_ipython().execution_count = 500""",
)

CHECK = (
    """\
import importlib, os, random, sys, warnings
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import cxkit as cx
import cxkit.i18n
for _name in cx.__all__:  # import cxkit is lazy: import what a warm kernel's preamble imported (its warnings filters)
    getattr(cx, _name)
import scipy.stats, statsmodels.stats.proportion  # a report's first statistics import them (cxkit at first use)
print(sorted(k for k in globals() if not k.startswith("_")))""",
    """\
print(pd.get_option("display.max_rows"), mpl.rcParams["lines.linewidth"], mpl.get_backend(), plt.get_fignums())
print(np.geterr(), np.get_printoptions()["precision"], len(warnings.filters), warnings.filters[0][0])
print(os.getcwd(), os.environ.get("CXKIT_POLLUTED"), "/polluted" in sys.path)
print(cx.nps.__name__, importlib.import_module(cx.nps.__module__).nps.__name__, hasattr(cx.ConfigError, "polluted"))
print(cxkit.i18n.format_month_local.cache_info().currsize)""",
    "41 + 1",
    "print(np.random.random(), random.random())",
)


def _outputs(path: Path, *, skip_tag: str | None = None) -> list:
    """Per code cell: its execution count and outputs, without timing metadata or memory addresses."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or skip_tag in cell.metadata.get("tags", []):
            continue
        outs = []
        for out in cell.outputs:
            out = {k: v for k, v in out.items() if k not in ("metadata", "transient")}
            outs.append(re.sub(r"0x[0-9a-fA-F]+", "0x?", repr(out)))
        cells.append((cell.execution_count, outs))
    return cells


def _draw(path: Path) -> list[float]:
    nb = nbformat.read(path, as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    return [float(x) for x in text.split()]


def test_a_unit_sees_nothing_of_the_unit_before(tmp_path):
    polluted = tmp_path / "elsewhere"
    polluted.mkdir()
    pollute = _notebook(tmp_path / "pollute.ipynb", f"POLLUTED_DIR = {str(polluted)!r}", *POLLUTE)
    check = _notebook(tmp_path / "check.ipynb", *CHECK, tags={3: "random"})
    fresh = tasks.execute_notebook(check, tmp_path / "fresh.ipynb", {}, timeout=120, fresh_kernel=True)
    dirty = tasks.execute_notebook(pollute, tmp_path / "polluted.ipynb", {}, timeout=120)
    warm = tasks.execute_notebook(check, tmp_path / "warm.ipynb", {}, timeout=120)
    assert [fresh["status"], dirty["status"], warm["status"]] == ["done"] * 3, (fresh, dirty, warm)
    assert warm["kernel"]["pid"] == dirty["kernel"]["pid"]  # the same kernel ran both
    assert _outputs(tmp_path / "warm.ipynb", skip_tag="random") == _outputs(tmp_path / "fresh.ipynb",
                                                                            skip_tag="random")
    np.random.seed(1)
    import random

    random.seed(1)
    seeded = [np.random.random(), random.random()]  # what the polluting notebook's seeds give
    assert _draw(tmp_path / "warm.ipynb")[0] != seeded[0] and _draw(tmp_path / "warm.ipynb")[1] != seeded[1]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    from cxkit.report.preparation import prepare

    out = tmp_path_factory.mktemp("prepared")
    prep = prepare(SAMPLE, out, units=UNITS, parallel=False)
    start, end = prep.period
    params = {"data_dir": str(SAMPLE), "prepared_dir": str(prep.data_dir), "level": "unit",
              "period_start": str(start.date()), "period_end": str(end.date()), "lang": "en", **default_settings()}
    return prep, params


def _report(text: str) -> str:
    """A report cell's output without what differs between any two runs (memory addresses, SVG ids)."""
    text = re.sub(r"0x[0-9a-fA-F]+", "0x?", text)
    return re.sub(r"\b[0-9a-f]{32,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<id>", text)


def _report_outputs(path: Path) -> list:
    return [(count, [_report(o) for o in outs]) for count, outs in _outputs(path)]


def test_reports_on_warm_kernels_equal_reports_on_fresh_kernels(prepared, tmp_path):
    prep, params = prepared
    assert set(prep.groups) == set(UNITS)
    unit_nb = notebook_path("unit_report")
    polluted = tmp_path / "elsewhere"
    polluted.mkdir()
    pollute = _notebook(tmp_path / "pollute.ipynb", f"POLLUTED_DIR = {str(polluted)!r}", *POLLUTE)

    def run(unit: str, name: str, fresh: bool) -> list:
        out = tmp_path / f"{name}.ipynb"
        res = tasks.execute_notebook(unit_nb, out, dict(params, unit=unit), timeout=300, fresh_kernel=fresh)
        assert res["status"] == "done", res
        return _report_outputs(out)

    fresh = {u: run(u, f"fresh-{i}", True) for i, u in enumerate(UNITS)}
    assert tasks.execute_notebook(pollute, tmp_path / "polluted.ipynb", {}, timeout=120)["status"] == "done"
    for order in (UNITS, UNITS[::-1]):
        for unit in order:
            assert run(unit, f"warm-{order.index(unit)}-{order[0]}", False) == fresh[unit], unit


def test_a_killed_kernel_is_replaced_for_the_next_unit(tmp_path):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    kernels.warm_up()
    first = tasks.execute_notebook(quick, tmp_path / "one.ipynb", {}, timeout=60)
    assert first["status"] == "done" and first["kernel"]["mode"] == "warm"
    os.kill(first["kernel"]["pid"], signal.SIGKILL)
    second = tasks.execute_notebook(quick, tmp_path / "two.ipynb", {}, timeout=60)
    assert second["status"] == "done", second
    assert second["kernel"]["new"] and second["kernel"]["pid"] != first["kernel"]["pid"]
    assert "died" in second["kernel"]["why_new"]
    assert "42" in "".join(o["text"] for o in nbformat.read(tmp_path / "two.ipynb", 4).cells[0].outputs)


def test_a_kernel_that_dies_or_times_out_during_a_unit_is_replaced(tmp_path):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    slow = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(120)")
    dying = _notebook(tmp_path / "dying.ipynb", "import os\nos._exit(3)")
    before = tasks.execute_notebook(quick, tmp_path / "q0.ipynb", {}, timeout=60)
    timed_out = tasks.execute_notebook(slow, tmp_path / "slow-out.ipynb", {}, timeout=2)
    assert timed_out["status"] == "failed" and timed_out["error"].startswith("timeout"), timed_out
    assert "timed out" in timed_out["kernel"]["replaced_after"]
    after = tasks.execute_notebook(quick, tmp_path / "q1.ipynb", {}, timeout=60)
    assert after["status"] == "done" and after["kernel"]["new"]
    assert after["kernel"]["pid"] not in (before["kernel"]["pid"], None)
    assert "timed out" in after["kernel"]["why_new"]
    died = tasks.execute_notebook(dying, tmp_path / "dying-out.ipynb", {}, timeout=60)
    assert died["status"] == "failed" and died["error"].startswith("kernel died"), died
    last = tasks.execute_notebook(quick, tmp_path / "q2.ipynb", {}, timeout=60)
    assert last["status"] == "done" and last["kernel"]["new"] and "died" in last["kernel"]["why_new"]
    assert last["kernel"]["pid"] != after["kernel"]["pid"]


def test_a_failed_reset_starts_a_new_kernel(tmp_path, monkeypatch):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    before = tasks.execute_notebook(quick, tmp_path / "q0.ipynb", {}, timeout=60)
    reset, calls = kernels.WarmKernel.reset, []

    def failing_once(self, cwd):
        calls.append(self.pid)
        if len(calls) == 1:
            self.run("raise RuntimeError('reset broke')")
        return reset(self, cwd)

    monkeypatch.setattr(kernels.WarmKernel, "reset", failing_once)
    res = tasks.execute_notebook(quick, tmp_path / "q1.ipynb", {}, timeout=60)
    assert res["status"] == "done" and res["kernel"]["new"] and "reset broke" in res["kernel"]["why_new"]
    assert calls[0] == before["kernel"]["pid"] and res["kernel"]["pid"] != before["kernel"]["pid"]


def test_kernels_end_with_their_worker(tmp_path):
    """ipykernel's parent poller (JPY_PARENT_PID, set by jupyter_client) ends a kernel whose worker was killed."""
    script = ("import sys, time\nfrom cxkit.report import kernels\nkernels.warm_up()\n"
              "print(kernels._current().pid, flush=True)\ntime.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    pid = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30  # the poller looks once a second
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and "Z" not in _state(pid):
        time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (OSError, IndexError):
        return "gone"


# ---------------------------------------------------------------------------------------
# writing the executed notebook


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_notebook_is_saved_when_its_run_ends_not_at_every_cell(tmp_path, monkeypatch):
    # cxkit's papermill engine saves once when the run ends (papermill's own writes the whole notebook at
    # every cell's start and end); a unit that times out still leaves its notebook up to the cell that hung
    import papermill.engines
    import papermill.execute

    writes = {"engines": 0, "execute": 0}
    for name, module in (("engines", papermill.engines), ("execute", papermill.execute)):
        def counted(nb, path, _name=name, _real=module.write_ipynb):
            writes[_name] += 1
            return _real(nb, path)

        monkeypatch.setattr(module, "write_ipynb", counted)
    five = _notebook(tmp_path / "five.ipynb", *[f"print({i} * 7)" for i in range(5)])
    res = tasks.execute_notebook(five, tmp_path / "five-out.ipynb", {}, timeout=60)
    assert res["status"] == "done" and writes == {"engines": 1, "execute": 1}
    assert "28" in (tmp_path / "five-out.ipynb").read_text(encoding="utf-8")
    hangs = _notebook(tmp_path / "hangs.ipynb", "print(6 * 7)", "import time\ntime.sleep(120)")
    res = tasks.execute_notebook(hangs, tmp_path / "hangs-out.ipynb", {}, timeout=2)
    assert res["status"] == "failed" and res["error"].startswith("timeout")
    kept = nbformat.read(tmp_path / "hangs-out.ipynb", as_version=4)
    assert kept.cells[0].outputs[0]["text"] == "42\n" and "sleep" in kept.cells[1].source


@pytest.mark.parametrize("where", ["engines", "execute"])
def test_a_full_disk_leaves_the_old_notebook_and_no_temporary(tmp_path, monkeypatch, where):
    import papermill.engines
    import papermill.execute
    import papermill.iorw

    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    out = tmp_path / "out" / "unit.ipynb"
    out.parent.mkdir()
    out.write_text("the notebook of the last run", encoding="utf-8")
    module = papermill.engines if where == "engines" else papermill.execute

    def half_then_full(nb, path):  # the file is truncated, then the disk is full
        Path(path).write_text(nbformat.writes(nb)[:50], encoding="utf-8")
        _no_space()

    monkeypatch.setattr(module, "write_ipynb", half_then_full)
    res = tasks.execute_notebook(quick, out, {}, timeout=60)
    assert res["status"] == "failed" and res["error_kind"] == "disk_full" and res["path"] == str(out)
    assert "disk full" in res["error"]
    assert out.read_text(encoding="utf-8") == "the notebook of the last run"
    assert _leftovers(out.parent) == []


def test_a_truncated_notebook_is_never_renamed(tmp_path, monkeypatch):
    import papermill.execute

    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    out = tmp_path / "out" / "unit.ipynb"
    monkeypatch.setattr(papermill.execute, "write_ipynb",
                        lambda nb, path: Path(path).write_text(nbformat.writes(nb)[:-20], encoding="utf-8"))
    res = tasks.execute_notebook(quick, out, {}, timeout=60)
    assert res["status"] == "failed" and "not readable" in res["error"]
    assert not out.exists() and _leftovers(out.parent) == []


def test_an_orphaned_worker_writes_nothing(tmp_path, monkeypatch):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    out = tmp_path / "out" / "unit.ipynb"
    monkeypatch.setattr(tasks.lineage, "orphaned", lambda: True)
    res = tasks.execute_notebook(quick, out, {}, timeout=60)
    assert res["status"] == "failed" and not out.exists() and _leftovers(out.parent) == []


def test_a_full_disk_while_rendering_names_the_page(tmp_path, monkeypatch):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    monkeypatch.setattr(tasks, "render_html", _no_space)
    task = {"group": "g", "slug": "g", "fingerprint": "f", "notebook": str(quick), "parameters": {}, "timeout": 60,
            "output": str(tmp_path / "nb" / "g.ipynb"), "html": str(tmp_path / "g.html"), "banner": {}}
    res = tasks._run_task(task)
    assert res["status"] == "failed" and res["error_kind"] == "disk_full" and res["path"] == task["html"]
    assert Path(task["output"]).exists() and not Path(task["html"]).exists()


def test_overhead_is_the_time_beyond_the_cells(tmp_path):
    quick = _notebook(tmp_path / "quick.ipynb", "import time\ntime.sleep(0.5)", "print(1)")
    res = tasks.execute_notebook(quick, tmp_path / "o.ipynb", {}, timeout=60)
    nb = nbformat.read(tmp_path / "o.ipynb", 4)
    cells = sum(c.metadata["papermill"]["duration"] for c in nb.cells)  # papermill's own per-cell timing
    assert res["overhead_s"] == pytest.approx(res["duration_s"] - cells, abs=0.002)
    assert 0 <= res["overhead_s"] < res["duration_s"]


def test_kernels_are_recycled_after_n_units_or_over_the_memory_limit(tmp_path, monkeypatch):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    first = tasks.execute_notebook(quick, tmp_path / "q0.ipynb", {}, timeout=60)
    monkeypatch.setenv("CXKIT_KERNEL_MAX_UNITS", str(first["kernel"]["unit_on_kernel"]))
    second = tasks.execute_notebook(quick, tmp_path / "q1.ipynb", {}, timeout=60)
    assert second["status"] == "done" and second["kernel"]["why_new"].startswith("recycled after")
    assert second["kernel"]["pid"] != first["kernel"]["pid"]
    monkeypatch.delenv("CXKIT_KERNEL_MAX_UNITS")
    monkeypatch.setenv("CXKIT_KERNEL_MAX_RSS_MB", "1")  # any kernel is larger after a unit
    third = tasks.execute_notebook(quick, tmp_path / "q2.ipynb", {}, timeout=60)
    assert third["status"] == "done" and "resident memory" in third["kernel"]["why_new"]
    assert third["kernel"]["pid"] != second["kernel"]["pid"]


def test_an_interrupted_unit_leaves_no_busy_kernel_behind(tmp_path, monkeypatch):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    before = tasks.execute_notebook(quick, tmp_path / "q0.ipynb", {}, timeout=60)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(tasks, "_papermill", interrupted)
        with pytest.raises(KeyboardInterrupt):
            tasks.execute_notebook(quick, tmp_path / "q1.ipynb", {}, timeout=60)
    assert not (tmp_path / "q1.ipynb").exists()
    after = tasks.execute_notebook(quick, tmp_path / "q2.ipynb", {}, timeout=60)
    assert after["status"] == "done" and "interrupted" in after["kernel"]["why_new"]
    assert after["kernel"]["pid"] != before["kernel"]["pid"]


# ---------------------------------------------------------------------------------------
# a kernel that dies while it starts (a port taken between jupyter_client's choice and the kernel's bind)

def _take_ports(monkeypatch, starts: int, taken: list) -> None:
    """The next ``starts`` kernels started in this process find their shell port taken: between the connection
    file's writing and the kernel's start a listening socket (appended to ``taken``) binds it, as another
    process may (the race of jupyter/jupyter_client#154); the kernel then exits with ``ZMQError: Address
    already in use``."""
    import socket

    from jupyter_client import KernelManager

    real = KernelManager.write_connection_file

    def write_connection_file(self, **kwargs):
        real(self, **kwargs)
        if len(taken) < starts:
            sock = socket.socket()
            sock.bind((self.ip, self.shell_port))
            sock.listen()
            taken.append(sock)

    monkeypatch.setattr(KernelManager, "write_connection_file", write_connection_file)


@pytest.fixture
def _closing():
    socks = []
    yield socks
    for sock in socks:
        sock.close()


def test_a_fresh_kernel_that_dies_while_starting_is_started_again(tmp_path, monkeypatch, _closing, capfd):
    quick = _notebook(tmp_path / "quick.ipynb", "n = 1", "print(n * 42)", tags={0: "parameters"})
    _take_ports(monkeypatch, 1, _closing)
    res = tasks.execute_notebook(quick, tmp_path / "o.ipynb", {"n": 2}, timeout=60, fresh_kernel=True)
    assert len(_closing) == 1  # the first kernel's port was taken
    assert res["status"] == "done", res
    assert res["kernel"] == {"mode": "fresh", "start_attempts": 2}
    assert "84" in "".join(o["text"] for o in nbformat.read(tmp_path / "o.ipynb", 4).cells[-1].outputs)
    err = capfd.readouterr().err
    assert "Address already in use" in err and "starting another kernel (attempt 2 of 3)" in err


def test_a_fresh_kernel_that_never_starts_fails_its_unit_after_the_attempts(tmp_path, monkeypatch, _closing):
    quick = _notebook(tmp_path / "quick.ipynb", "print(42)")
    monkeypatch.setenv("CXKIT_KERNEL_START_ATTEMPTS", "2")
    _take_ports(monkeypatch, 2, _closing)
    res = tasks.execute_notebook(quick, tmp_path / "o.ipynb", {}, timeout=60, fresh_kernel=True)
    assert len(_closing) == 2
    assert res["status"] == "failed", res
    assert res["error"] == ("RuntimeError: Kernel died before replying to kernel_info (2 starts; the kernel's own "
                            "error is in the worker's log)")
    assert res["kernel"]["start_attempts"] == 2
    assert not list(tmp_path.glob(".o.*"))  # no temporary left


def test_a_warm_kernel_that_dies_while_starting_is_started_again(tmp_path, monkeypatch, _closing, capfd):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    kernels.shutdown_all()
    _take_ports(monkeypatch, 1, _closing)
    res = tasks.execute_notebook(quick, tmp_path / "o.ipynb", {}, timeout=60)
    assert len(_closing) == 1
    assert res["status"] == "done" and res["kernel"]["mode"] == "warm" and res["kernel"]["new"], res
    assert "42" in "".join(o["text"] for o in nbformat.read(tmp_path / "o.ipynb", 4).cells[0].outputs)
    assert "the kernel process ended while starting; starting another (attempt 2 of 3)" in capfd.readouterr().err


def test_a_warm_kernel_that_never_starts_names_its_attempts(tmp_path, monkeypatch, _closing):
    quick = _notebook(tmp_path / "quick.ipynb", "print(6 * 7)")
    kernels.shutdown_all()
    monkeypatch.setenv("CXKIT_KERNEL_START_ATTEMPTS", "2")
    _take_ports(monkeypatch, 2, _closing)
    res = tasks.execute_notebook(quick, tmp_path / "o.ipynb", {}, timeout=60)
    assert len(_closing) == 2
    assert res["status"] == "failed" and res["error"].startswith("kernel could not start:"), res
    assert "ended while starting (2 starts; the kernel's own error is in the worker's log)" in res["error"]
    monkeypatch.undo()
    after = tasks.execute_notebook(quick, tmp_path / "o.ipynb", {}, timeout=60)
    assert after["status"] == "done" and after["kernel"]["new"]


def test_only_a_kernel_that_ended_before_answering_counts_as_died_starting():
    assert kernels.died_starting(kernels.KernelDiedStarting("kernel 1: the kernel process ended while starting"))
    assert kernels.died_starting(RuntimeError("Kernel died before replying to kernel_info"))
    assert not kernels.died_starting(RuntimeError("Kernel didn't respond in 60 seconds"))  # a slow start: not again
    assert not kernels.died_starting(kernels.KernelError("kernel 1: no reply within 60 s"))
    assert not kernels.died_starting(None)
