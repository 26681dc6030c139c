"""The package as users get it: a wheel installed into a fresh virtual environment outside the checkout.

Editable installs (every other test) see the checkout's folders; a wheel holds only what is packaged.
This test builds the wheel, installs it with the ``report`` extra (versions from constraints.txt) into
a new environment, and from another folder makes sample data, a one-unit report and the index, then
reads the numbers on the page. It needs the package index (or pip's cache) for the dependencies.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report_text import visible_text

ROOT = Path(__file__).resolve().parents[2]
UNIT = "Kaunas Mega"


def _run(cmd, *, cwd, env, timeout=900):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the wheel and its report extra; the folder it is used from."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp / "dist", ROOT], cwd=tmp, env=env)
    wheels = list((tmp / "dist").glob("cxkit-*.whl"))
    assert len(wheels) == 1
    venv.EnvBuilder(with_pip=True, clear=True).create(tmp / "venv")
    python = tmp / "venv" / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt", f"{wheels[0]}[report]"],
         cwd=tmp, env=env)
    work = tmp / "elsewhere"
    work.mkdir()
    env["PATH"] = f"{tmp / 'venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return {"bin": tmp / "venv" / "bin", "python": python, "work": work, "env": env, "wheel": wheels[0]}


def test_the_wheel_holds_the_notebooks_and_templates_and_not_the_checkout(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for needed in ("cxkit/report/notebooks/unit_report.ipynb", "cxkit/report/notebooks/leadership_summary.ipynb",
                   "cxkit/report/templates/index.html.j2", "cxkit/report/templates/cxkit_report/index.html.j2",
                   "cxkit/locale/cxkit.pot", "cxkit/locale/lt/LC_MESSAGES/cxkit.po",
                   "cxkit/locale/pl/LC_MESSAGES/cxkit.po", "cxkit/locale/lv/LC_MESSAGES/cxkit.po",
                   "cxkit/report/templates/cxkit_report/conf.json"):
        assert needed in names
    assert not any(n.startswith(("tests/", "notebooks/", "templates/", "data/")) for n in names)
    where = _run([installed["python"], "-c", "import cxkit; print(cxkit.__file__)"], cwd=installed["work"],
                 env=installed["env"]).stdout.strip()
    assert Path(where).is_relative_to(installed["bin"].parent) and not Path(where).is_relative_to(ROOT)


def test_the_installed_cli_makes_sample_data_a_unit_report_and_the_index(installed):
    work, env, cxkit = installed["work"], installed["env"], installed["bin"] / "cxkit"
    _run([cxkit, "sample-data", "--out", "d", "--rows", "3000", "--seed", "11"], cwd=work, env=env)
    _run([cxkit, "report", "--data", "d", "--out", "r", "--units", UNIT, "--quiet"], cwd=work, env=env)
    out = work / "r"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [unit] = manifest["units"]
    assert unit["status"] == "done", unit
    assert manifest["summary"]["status"] == "done"
    assert Path(manifest["parameters"]["notebook"]).is_relative_to(installed["bin"].parent)  # the packaged one

    # the unit's NPS and n, counted here from the generated file (not from cxkit's output)
    responses = pd.read_csv(work / "d" / "responses.csv")
    start, end = (pd.Timestamp(manifest["parameters"][k]) for k in ("period_start", "period_end"))
    dates = pd.to_datetime(responses["date"])
    scores = responses.loc[(responses["unit"] == UNIT) & (dates >= start) & (dates <= end), "nps"].dropna()
    n = len(scores)
    nps = 100 * (np.sum(scores >= 9) - np.sum(scores <= 6)) / n
    page = visible_text((out / unit["html"]).read_text(encoding="utf-8"))
    row = next(line for line in page.splitlines() if line.startswith("NPS |"))
    cells = [c.strip() for c in row.split("|")]
    assert cells[1] == f"{nps:.1f}".replace("-", "−") and cells[3] == f"{n:,}", (row, nps, n)
    assert f"Customer experience report: {UNIT}" in page

    index = visible_text((out / "index.html").read_text(encoding="utf-8"))
    assert UNIT in index and f"{nps:.1f}".replace("-", "−") in index
    assert (out / "summary.html").exists()


def test_the_installed_report_without_its_extra_names_the_command_that_installs_it(installed, tmp_path):
    """A base install (no 'report' extra): the batch stops with a cxkit message naming the install command."""
    env = installed["env"]
    base = tmp_path / "base"
    venv.EnvBuilder(with_pip=True, clear=True, system_site_packages=False).create(base)
    # the base install only: cxkit without papermill, nbconvert...
    _run([base / "bin" / "python", "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt",
          installed["wheel"]], cwd=tmp_path, env=env)
    proc = subprocess.run([base / "bin" / "cxkit", "report", "--data", "d", "--out", "r"], cwd=installed["work"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "pip install 'cxkit[report]'" in proc.stderr and "Traceback" not in proc.stderr
