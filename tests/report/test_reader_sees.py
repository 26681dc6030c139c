"""What a reader of a rendered batch sees (issue 22): the summary in words first, no Python reprs, no table
column that is empty throughout, the unit's rank and its NPS distribution, money with its currency."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import cxkit as cx
from cxkit.report import run_batch

REPRS = ("['", "{'", "Timestamp(", "dtype:", " nan", "NaN", "None", "<NA>", "array(")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    cx.write_sample(data, rows=4000, seed=11)
    out = tmp_path_factory.mktemp("batch") / "report"
    res = run_batch(data, out, units=["Kaunas Mega", "Rīga Centrs"], workers=2, progress=False)
    assert res.exit_code == 0, res.summary_text()
    return out


def _visible(path: Path) -> str:
    page = re.sub(r"<style.*?</style>|<script.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.S)
    page = re.sub(r"<img[^>]*>", " [chart] ", page)
    page = re.sub(r'<nav [^>]*class="cxkit-toc".*?</nav>', " ", page, flags=re.S)  # the contents repeat the headings
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _tables(path: Path) -> list[list[list[str]]]:
    """Each table of a page as rows of cell texts (header row first)."""
    page = path.read_text(encoding="utf-8")
    out = []
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
            rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
        out.append(rows)
    return out


def _pages(out: Path) -> list[Path]:
    return [out / "summary.html", *sorted((out / "units").glob("*.html"))]


def test_no_python_reprs_and_no_empty_columns(batch):
    for path in _pages(batch):
        text = _visible(path)
        for bad in REPRS:
            assert bad not in text, f"{path.name}: {bad!r} in {text[max(0, text.find(bad) - 80):text.find(bad) + 80]}"
        for rows in _tables(path):
            header, body = rows[0], rows[1:]
            if not body:
                continue
            for i, name in enumerate(header):
                cells = [r[i] for r in body if i < len(r)]
                assert any(c not in ("", "–") for c in cells), f"{path.name}: column {name!r} is empty throughout"


def test_every_page_opens_with_the_summary_in_words(batch):
    for path in _pages(batch):
        text = _visible(path)
        assert "Summary" in text and text.index("Summary") < text.index("Headline"), path.name
    kaunas = _visible(batch / "units" / "kaunas-mega.html")
    words = kaunas.split("Summary", 1)[1].split("Headline", 1)[0]
    assert "NPS in this period" in words and re.search(r"\d", words)


def test_units_show_their_rank_and_distribution_and_the_summary_its_fair_ranking(batch):
    kaunas = _visible(batch / "units" / "kaunas-mega.html")
    assert re.search(r"Rank by NPS among \d+ units \(partial pooling\): \d+(st|nd|rd|th)", kaunas)
    part = kaunas.split("Detractors, passives and promoters", 1)[1][:200]
    assert "[chart]" in part
    summary = _visible(batch / "summary.html")
    fair = summary.split("Fair ranking: NPS against the number of answers", 1)[1]
    assert "[chart]" in fair[:300] and "Rank (plausible range)" in fair
    assert "Revenue at risk per year (EUR)" in kaunas
