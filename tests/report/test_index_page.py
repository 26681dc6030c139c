"""The index page a head of CX opens first: the company, then the units ranked by the headline metric,
target and change columns, readable intervals, failures out of the way, a sorter, and the links between
the pages (index, summary, unit reports)."""
from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import cxkit as cx
from cxkit.report.render import interval_text, render_html, write_index

XSS_NAME = "<b>x</b>"


def _h(value, lo, hi, n, **extra):
    """A headline record of one metric, as the batch writes it in the manifest."""
    return {"value": value, "ci_low": lo, "ci_high": hi, "n": n, "significant": False, "direction": "no difference",
            "good": False, "p_adjusted": 0.5, "higher_is_better": True, "previous": None, "vs_previous": None,
            "previous_significant": False, "previous_direction": None, "target": None, "vs_target": None,
            "target_significant": False, "target_direction": None, **extra}


def _unit(group, slug, headline, status="done", error=None, responses=100):
    return {"group": group, "slug": slug, "status": status, "error": error, "html": f"units/{slug}.html",
            "pdf": None, "headline": headline, "responses_in_period": responses}


NPS = {"Alpha": 12.34, "Beta": -37.1, "Gamma": 41.0, XSS_NAME: 5.5, "Delta": 27.25}


def _manifest(*, failed: bool = False, metric: str = "nps") -> dict:
    units = []
    for i, (name, v) in enumerate(NPS.items()):
        h = {metric: _h(v, v - 8, v + 8, 200 + i), "csat": _h(60.0 + i, 55.0 + i, 65.0 + i, 180)}
        units.append(_unit(name, f"u{i}", h))
    gamma = units[2]["headline"][metric]  # significantly better than last period and above its target
    gamma.update(previous=30.0, vs_previous=11.0, previous_significant=True, previous_direction="higher",
                 target=35.0, vs_target=6.0, target_significant=True, target_direction="higher",
                 significant=True, direction="higher", good=True)
    beta = units[1]["headline"][metric]  # significantly worse than last period and below its target
    beta.update(previous=-20.0, vs_previous=-17.1, previous_significant=True, previous_direction="lower",
                target=35.0, vs_target=-72.1, target_significant=True, target_direction="lower")
    alpha = units[0]["headline"][metric]  # changed, but not significantly
    alpha.update(previous=11.7, vs_previous=0.64, target=35.0, vs_target=-22.66)
    units[0]["headline"]["churn_rate"] = _h(13.2, 11.4, 15.4, 1095, significant=True, direction="higher")
    if failed:
        units.append(_unit("Epsilon", "u9", {}, status="failed", error="RuntimeError: <planned> failure"))
    company = {metric: _h(10.07, 7.46, 12.68, 3723, previous=10.38, vs_previous=-0.31),
               "csat": _h(64.7, 63.0, 66.2, 3381)}
    return {"units": units, "units_without_responses": ["Silent"],
            "parameters": {"period_start": "2025-10-01", "period_end": "2025-12-31", "level": "unit",
                           "confidence": 0.95},
            "created": "2026-01-05T10:00:00", "data": {"rows_rejected": 0},
            "summary": {"status": "done", "error": None, "html": "summary.html", "headline": company}}


class _Table(HTMLParser):
    """The index table: header cells, and the rows of each ``tbody`` by its class; each cell's attributes,
    text (hidden words included) and the tags inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.heads, self.bodies = [], {}
        self.body = self.row = self.cell = None
        self.inside = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "units":
            self.inside = True
        if not self.inside:
            return
        if tag == "tbody":
            self.body = self.bodies.setdefault(a.get("class", ""), [])
        elif tag == "tr" and self.body is not None:
            self.row = []
            self.body.append(self.row)
        elif tag in ("td", "th"):
            self.cell = {"attrs": a, "text": "", "tags": []}
            (self.heads if self.body is None else self.row).append(self.cell)
        elif self.cell is not None:
            self.cell["tags"].append((tag, a))

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "tbody":
            self.body = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def _page(tmp_path, manifest, lang="en"):
    out = tmp_path / f"out-{lang}"
    out.mkdir(parents=True, exist_ok=True)
    text = write_index(out, manifest, lang=lang).read_text(encoding="utf-8")
    table = _Table()
    table.feed(text)
    return text, table


def _text(cell) -> str:
    return re.sub(r"\s+", " ", cell["text"]).strip()


def _column(table, label) -> int:
    return [_text(h) for h in table.heads].index(label)


def test_units_are_ranked_by_nps_best_first_under_the_company(tmp_path):
    text, table = _page(tmp_path, _manifest())
    expected = [name for name, _ in sorted(NPS.items(), key=lambda kv: -kv[1])]
    ranked = table.bodies["ranked"]
    assert [r[0]["attrs"]["data-sort"] for r in ranked] == expected
    col = _column(table, "NPS")
    assert col == 1  # the headline metric is the first figure
    assert [float(r[col]["attrs"]["data-sort"]) for r in ranked] == sorted(NPS.values(), reverse=True)
    # the company comes first, in a body of its own the sorter leaves in place, linked to the summary
    [company] = table.bodies["company"]
    assert _text(company[0]) == "Company"
    assert ("a", {"href": "summary.html", "class": "summary-link"}) in company[0]["tags"]
    assert _text(company[col]).startswith("10.1") and "95% CI 7.5 to 12.7" in _text(company[col])
    assert "n = 3,723" in _text(company[col])
    assert text.index('class="company"') < text.index('class="ranked"')
    # a unit without responses is listed after the ranked units, without a link
    [silent] = table.bodies["unranked"]
    assert _text(silent[0]).startswith("Silent") and "no responses" in _text(silent[0]).lower()
    assert "Ranked by NPS, best first." in text


def test_target_and_change_cells_show_the_numbers_and_say_better_or_worse(tmp_path):
    _, table = _page(tmp_path, _manifest())
    target, change = _column(table, "NPS: target"), _column(table, "NPS: change vs previous period")
    rows = {r[0]["attrs"]["data-sort"]: r for r in table.bodies["ranked"]}
    gamma, beta, alpha = rows["Gamma"], rows["Beta"], rows["Alpha"]
    assert _text(gamma[change]) == "+11.0 ▲ better" and float(gamma[change]["attrs"]["data-sort"]) == 11.0
    assert ("span", {"class": "cx-better", "title": "better"}) in gamma[change]["tags"]
    assert _text(beta[change]) == "−17.1 ▼ worse"
    assert ("span", {"class": "cx-worse", "title": "worse"}) in beta[change]["tags"]
    assert _text(alpha[change]) == "+0.6"
    assert not any(a.get("class", "").startswith("cx-") for _, a in alpha[change]["tags"])  # not significant
    assert _text(gamma[target]) == "+6.0 ▲ better Target 35.0"
    assert _text(beta[target]) == f"{-72.1:+.1f} ▼ worse Target 35.0".replace("-", "−")
    assert _text(alpha[target]) == "−22.7 Target 35.0"
    assert _text(rows["Delta"][target]) == "–" and rows["Delta"][target]["attrs"]["data-sort"] == ""
    [company] = table.bodies["company"]
    assert _text(company[change]) == "−0.3" and _text(company[target]) == "–"  # the company has no target
    # a significant difference against the rest: the word is there for screen readers, colour by direction
    nps = rows["Gamma"][_column(table, "NPS")]
    assert _text(nps).startswith("41.0 ▲ better")
    churn = rows["Alpha"][_column(table, "Churn rate (%, 12 months)")]  # higher churn is worse
    assert _text(churn).startswith("13.2 ▲ worse")
    assert ("span", {"class": "visually-hidden"}) in churn["tags"]


def test_intervals_read_as_words_in_every_language(tmp_path):
    assert interval_text(-37.12, -21.48, "en") == "95% CI −37.1 to −21.5"
    assert interval_text(-37.12, -21.48, "lt") == "95\u00a0% PI nuo −37,1 iki −21,5"
    # CLDR: Polish and Latvian write the percent sign straight after the number, Lithuanian after a space
    assert interval_text(-37.12, -21.48, "pl") == "95% PU od −37,1 do −21,5"
    assert interval_text(-37.12, -21.48, "lv") == "95% TI no −37,1 līdz −21,5"
    assert interval_text(1.0, 2.0, "en", confidence=0.9) == "90% CI 1.0 to 2.0"
    assert interval_text(None, 2.0, "en") == ""
    _, table = _page(tmp_path, _manifest())
    beta = next(r for r in table.bodies["ranked"] if r[0]["attrs"]["data-sort"] == "Beta")
    assert "95% CI −45.1 to −29.1" in _text(beta[1])
    _, lt = _page(tmp_path, _manifest(), lang="lt")
    beta = next(r for r in lt.bodies["ranked"] if r[0]["attrs"]["data-sort"] == "Beta")
    assert "95\u00a0% PI nuo −45,1 iki −29,1" in beta[1]["text"]
    assert "−17,1 ▼ blogiau" in _text(beta[_column(lt, "NPS: pokytis, palyginti su ankstesniu laikotarpiu")])


def test_every_header_sorts_with_an_inline_script(tmp_path):
    text, table = _page(tmp_path, _manifest())
    assert len(table.heads) == 6  # unit, NPS, target, change, CSAT, churn: no empty metric, no status
    for h in table.heads:
        assert h["attrs"]["aria-sort"] in ("none", "descending") and ("button", {"type": "button"}) in h["tags"]
    assert [h["attrs"]["aria-sort"] for h in table.heads].count("descending") == 1
    assert table.heads[1]["attrs"]["aria-sort"] == "descending"
    assert [h["attrs"]["data-type"] for h in table.heads] == ["text"] + ["number"] * 5
    for row in table.bodies["ranked"]:
        assert len(row) == len(table.heads) and all("data-sort" in c["attrs"] for c in row)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", text, flags=re.S)
    assert len(scripts) == 1 and scripts[0][0] == ""  # inline, nothing loaded from elsewhere
    script = scripts[0][1]
    assert "aria-sort" in script and "data-sort" in script and "parseFloat" in script
    assert "http" not in text.replace("http-equiv", "")  # works offline: no external resource


def test_the_sorter_sorts_in_a_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    from cxkit.report.render import find_chromium

    out = tmp_path / "out"
    out.mkdir()
    index = write_index(out, _manifest(failed=True))
    csat = {name: 60.0 + i for i, name in enumerate(NPS)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(index.as_uri())

        def order():
            return page.eval_on_selector_all("tbody.ranked tr", "rs => rs.map(r => r.cells[0].dataset.sort)")

        page.click("th:nth-child(5) button")  # CSAT, best first
        assert order() == sorted(csat, key=lambda k: -csat[k])
        assert page.get_attribute("th:nth-child(5)", "aria-sort") == "descending"
        assert page.get_attribute("th:nth-child(2)", "aria-sort") == "none"
        page.click("th:nth-child(5) button")
        assert order() == sorted(csat, key=lambda k: csat[k])
        page.click("th:nth-child(3) button")  # target: the unit without one stays last
        assert order() == ["Gamma", "Alpha", "Beta", XSS_NAME, "Delta"]  # without a target: last, as they were
        page.click("th:nth-child(1) button")  # by name
        assert order() == sorted(NPS)
        first = page.eval_on_selector_all("tbody tr", "rs => rs.map(r => r.cells[0].dataset.sort)")
        assert first[0] == "Company" and first[-2:] == ["Epsilon", "Silent"]  # company first, failed last
        browser.close()
    assert errors == []


def test_no_status_column_when_all_done_and_a_notice_when_one_failed(tmp_path):
    text, table = _page(tmp_path, _manifest())
    assert "Status" not in [_text(h) for h in table.heads] and "failed-notice" not in text
    text, table = _page(tmp_path / "f", _manifest(failed=True))
    assert "Status" not in [_text(h) for h in table.heads]
    notice = re.search(r'<div class="notice failed-notice" role="alert">(.*?)</div>', text).group(1)
    assert notice == f"Reports that could not be completed: 1 of {len(NPS) + 1}. They are at the bottom of the " \
                     "table, with the error."
    failed, silent = table.bodies["unranked"]
    assert _text(failed[0]) == "Epsilon Report failed RuntimeError: <planned> failure"
    assert "&lt;planned&gt;" in text and "<planned>" not in text
    assert all(_text(c) == "–" for c in failed[1:])  # no figures for a failed unit
    assert "Epsilon" not in [r[0]["attrs"]["data-sort"] for r in table.bodies["ranked"]]
    assert 'class="failed"' in text


def test_unit_names_are_escaped(tmp_path):
    text, table = _page(tmp_path, _manifest())
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text
    assert XSS_NAME in [r[0]["attrs"]["data-sort"] for r in table.bodies["ranked"]]  # shown as written


def test_csat_only_data_rank_by_csat(tmp_path):
    manifest = _manifest(metric="csat_only")
    for rec in [u["headline"] for u in manifest["units"]] + [manifest["summary"]["headline"]]:
        rec.pop("csat", None)
        rec["csat"] = rec.pop("csat_only")
    text, table = _page(tmp_path, manifest)
    labels = [_text(h) for h in table.heads]
    assert labels[1] == "CSAT (% satisfied)" and "NPS" not in labels
    assert labels[2:4] == ["CSAT (% satisfied): target", "CSAT (% satisfied): change vs previous period"]
    expected = [name for name, _ in sorted(NPS.items(), key=lambda kv: -kv[1])]
    assert [r[0]["attrs"]["data-sort"] for r in table.bodies["ranked"]] == expected
    assert "Ranked by CSAT (% satisfied), best first." in text


def test_headline_record_holds_the_target_and_the_previous_period(sample_dir):
    rep = cx.open_report(str(sample_dir), unit="Kaunas Mega")
    rec = cx.headline_record(rep)["nps"]
    units = pd.read_csv(sample_dir / "units.csv")
    target = float(units.loc[units["unit"] == "Kaunas Mega", "target_nps"].iloc[0])
    r = pd.read_csv(sample_dir / "responses.csv", parse_dates=["date"])
    r = r[r["unit"] == "Kaunas Mega"]

    def nps(frame):
        s = frame["nps"].dropna()
        return 100 * ((s >= 9).sum() - (s <= 6).sum()) / len(s)

    now = nps(r[(r["date"] >= "2025-10-01") & (r["date"] <= "2025-12-31")])
    before = nps(r[(r["date"] >= "2025-07-01") & (r["date"] <= "2025-09-30")])
    assert rec["value"] == pytest.approx(now) and rec["target"] == target
    assert rec["vs_target"] == pytest.approx(now - target) and rec["previous"] == pytest.approx(before)
    assert rec["vs_previous"] == pytest.approx(now - before)
    assert rec["target_significant"] and rec["target_direction"] == "lower"  # the planted worse unit
    assert rec["higher_is_better"] is True


class _Nav(HTMLParser):
    """The links of the nav bar of a report page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("class") == "cxkit-nav-link":
            self.hrefs.append(a["href"])


def _nav_hrefs(page: Path) -> list[str]:
    nav = _Nav()
    nav.feed(page.read_text(encoding="utf-8"))
    return nav.hrefs


def test_the_pages_link_to_each_other_in_the_output_and_the_share_folder(tmp_path):
    import nbformat

    from cxkit.report.batch import _Plan, _summary_task, _unit_task
    from cxkit.report.share import write_reader_folder

    out = tmp_path / "out"
    manifest = _manifest()
    plan = _Plan(out=out, prep=SimpleNamespace(slugs={XSS_NAME: "u3"}, inputs={}),
                 notebooks={"unit": Path("unit.ipynb"), "summary": Path("summary.ipynb")}, params={}, fp_params={},
                 hashes={"unit": "", "summary": ""}, generated=dt.datetime(2026, 1, 5, 10), period_text="",
                 period_shown="1 Oct 2025 – 31 Dec 2025", lang="lt", level="unit", pdf=False, timeout=1,
                 template=None, prepare_s=0.0)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<p>visible</p>"})])]
    unit, summary = _unit_task(plan, XSS_NAME), _summary_task(plan)
    for task in (unit, summary):
        render_html(nb, task["html"], banner=task["banner"])
    write_index(out, manifest, lang="lt")
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    share = write_reader_folder(out, tmp_path / "share", manifest, lang="lt")
    for folder in (out, share):
        page = folder / "units" / "u3.html"
        assert _nav_hrefs(page) == ["../index.html", "../summary.html"]
        assert [(page.parent / h).resolve() for h in _nav_hrefs(page)] == [folder / "index.html",
                                                                            folder / "summary.html"]
        assert all((page.parent / h).exists() for h in _nav_hrefs(page))
        text = page.read_text(encoding="utf-8")
        assert ">Visos ataskaitos</a>" in text and ">Vadovybės santrauka</a>" in text  # in the report's language
        assert 'aria-label="Šio rinkinio ataskaitos"' in text
        assert "&lt;b&gt;x&lt;/b&gt;" in text and "<b>x</b>" not in text
        assert _nav_hrefs(folder / "summary.html") == ["index.html"] and (folder / "index.html").exists()
        assert 'href="units/u3.html"' in (folder / "index.html").read_text(encoding="utf-8")
