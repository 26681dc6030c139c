"""A survey platform's export, as downloaded, becomes a rendered batch with no mapping (issue 21):
``cxkit report --data FOLDER`` on each platform fixture of ``tests/data/platforms``."""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

import cxkit as cx
from cxkit.cli import main

PLATFORMS = Path(__file__).resolve().parents[1] / "data" / "platforms"
FIXTURES = sorted(p.name for p in PLATFORMS.iterdir() if p.is_dir())


def _text(path: Path) -> str:
    page = re.sub(r"<style.*?</style>|<script.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("name", FIXTURES)
def test_report_renders_a_platform_export_with_no_mapping(name, tmp_path, capsys):
    data = tmp_path / name
    shutil.copytree(PLATFORMS / name, data)
    lr = cx.load(data, errors="quarantine").tables["responses"]
    units = sorted(lr.data["unit"].astype(str).unique())
    out = tmp_path / "out"
    assert main(["report", "--data", str(data), "--out", str(out), "--units", units[0], "--workers", "1"]) == 0
    capsys.readouterr()
    pages = list((out / "units").glob("*.html"))
    assert len(pages) == 1
    text = _text(pages[0])
    assert units[0] in text
    assert "Traceback" not in text and "KeyError" not in text
    assert lr.source["platform"].split()[0] in _text(pages[0]) + _text(out / "index.html")  # named in data notes
