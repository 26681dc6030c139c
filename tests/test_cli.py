"""The cxkit command: validate, metrics, sample-data."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd

from cxkit.cli import main

from helpers import write


def test_metrics_prints_units_with_intervals(sample_dir, capsys):
    assert main(["metrics", str(sample_dir), "--metrics", "nps,csat"]) == 0
    out = capsys.readouterr().out
    assert "Kaunas Mega" in out and "adjusted-wald" in out and "wilson" in out and "All" in out


def test_validate_reports_problems_and_writes_rejected(tmp_path, capsys):
    write(tmp_path / "responses.csv", "response_id,unit,date,nps\nr1,A,2025-01-01,11\nr2,A,2025-01-01,9\n")
    rejected = tmp_path / "rejected.csv"
    assert main(["validate", str(tmp_path), "--rejected", str(rejected)]) == 1
    out = capsys.readouterr().out
    assert "expected a whole number from 0 to 10" in out
    assert pd.read_csv(rejected, encoding="utf-8-sig")["row"].tolist() == [2]


def test_errors_are_plain_messages_not_tracebacks(tmp_path, capsys):
    write(tmp_path / "responses.csv", "response_id,unit,date,nps\nr1,A,2025-01-01,11\n")
    assert main(["metrics", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxkit: 1 problem found") and "Traceback" not in err
    assert main(["metrics", str(tmp_path / "nowhere")]) == 2


def test_sample_data_command_is_deterministic(tmp_path):
    for d in ("a", "b"):
        assert main(["sample-data", "--out", str(tmp_path / d), "--rows", "300", "--seed", "5"]) == 0
    for name in ("responses", "tickets", "customers", "revenue", "units"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "cxkit.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("cxkit ")
