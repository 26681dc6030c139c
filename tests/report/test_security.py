"""Untrusted text through the whole batch, safe file names, formula injection, determinism."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import cxkit as cx
from cxkit.report import run_batch

XSS_UNIT = '<script>window.__xss = "unit"</script>Kaunas & Co'
IMG_UNIT = '<img src=x onerror="window.__xss=\'img\'">../../Liepāja'
XSS_COMMENT = '<script>window.__xss = "comment"</script><b>bold?</b> pristatymas vėlavo'
RENAME = {"Kaunas Mega": XSS_UNIT, "Liepāja": IMG_UNIT}


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    cx.write_sample(out, rows=1500, seed=7)
    for name in ("responses", "tickets", "customers", "units"):
        frame = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        frame["unit"] = frame["unit"].replace(RENAME)
        if name == "responses":
            frame.loc[frame["unit"] == XSS_UNIT, "comment"] = XSS_COMMENT
        if name == "units":
            frame = frame.rename(columns={"target_ces": '<b onmouseover="x()">target_ces</b>'})
        frame.to_csv(out / f"{name}.csv", index=False)
    return out


def test_hostile_names_and_comments_render_as_text(hostile_data, tmp_path):
    out = tmp_path / "report"
    res = run_batch(hostile_data, out, units=[XSS_UNIT, IMG_UNIT, "Rīga Centrs"], workers=2, progress=False)
    assert res.exit_code == 0, res.summary_text()
    # file names: slugs inside the output folder, nothing written elsewhere
    files = {p.name for p in (out / "units").iterdir()}
    assert "script-window-xss-unit-script-kaunas-co.html" in files
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    for page in ["index.html", "summary.html"] + [f"units/{n}" for n in sorted(files)]:
        text = (out / page).read_text(encoding="utf-8")
        assert "<script>window.__xss" not in text and "<img src=x" not in text and "<b>bold" not in text, page
        assert "&lt;script&gt;window.__xss" in text or page != "index.html"
    _browser_sees_text_not_script(out, sorted(files))


def _browser_sees_text_not_script(out: Path, unit_pages: list[str]):
    from playwright.sync_api import sync_playwright

    from cxkit.report.render import find_chromium

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu",
                                                                          "--disable-background-networking"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in ["index.html"] + [f"units/{n}" for n in unit_pages]:
            page.goto((out / rel).as_uri())
            page.wait_for_load_state("load")
            assert page.evaluate("() => window.__xss === undefined"), f"script ran in {rel}"
            body = page.inner_text("body")
            if rel == "index.html":
                assert XSS_UNIT in body and IMG_UNIT in body  # shown literally
        page.goto((out / "units" / "script-window-xss-unit-script-kaunas-co.html").as_uri())
        assert XSS_UNIT in page.inner_text("body")
        browser.close()
    assert not dialogs


def test_spreadsheet_exports_neutralise_formulas(tmp_path):
    frame = pd.DataFrame({"comment": ["=HYPERLINK(\"http://evil\")", "+1", "-2+3", "@SUM(A1)", "fine", "\t=1"],
                          "n": [1, 2, 3, 4, 5, 6]})
    csv = cx.write_csv(frame, tmp_path / "x.csv")
    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert all(not str(v).startswith(("=", "+", "-", "@", "\t")) for v in back["comment"])
    assert back["n"].tolist() == [1, 2, 3, 4, 5, 6]  # numbers untouched
    import openpyxl

    xlsx = cx.write_excel(frame, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(xlsx).active
    cells = [ws.cell(row=i, column=1) for i in range(2, 8)]
    assert all(c.data_type == "s" for c in cells) and cells[0].value.startswith("'=")


def test_same_inputs_give_identical_manifest_figures(tmp_path):
    data = tmp_path / "data"
    cx.write_sample(data, rows=1200, seed=3)
    figures = []
    for run in ("a", "b"):
        res = run_batch(data, tmp_path / run, units=["Kaunas Mega", "Vilnius Ozas"], workers=2, progress=False)
        assert res.exit_code == 0, res.summary_text()
        manifest = json.loads((tmp_path / run / "manifest.json").read_text(encoding="utf-8"))
        figures.append({u["group"]: u["headline"] for u in manifest["units"]})
    assert figures[0] == figures[1] and figures[0]["Kaunas Mega"]["nps"]["n"] > 0
