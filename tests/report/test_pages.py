"""The pages as a reader gets them: an A4 (or Letter) PDF with the unit's name and page numbers on every page,
tables that are not cut, and pages that fit a 390 px phone without scrolling sideways.

One batch of the bundled sample (one unit, with PDFs) is rendered once for the module; the browser checks
use the system Chromium through playwright.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pypdf
import pytest
from helpers import capture_run_batch

from cxkit.cli import build_parser
from cxkit.errors import ConfigError
from cxkit.report import render_html, run_batch
from cxkit.report.render import css_string, find_chromium, print_pdf



UNIT = "Kaunas Mega"
A4 = (595.3, 841.9)  # points: 210 x 297 mm
LETTER = (612.0, 792.0)  # points: 8.5 x 11 in


@pytest.fixture(scope="module")
def batch(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pages") / "report"
    res = run_batch(sample_dir, out, units=[UNIT], pdf=True, workers=2, progress=False)
    assert res.exit_code == 0, res.summary_text()
    return res


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = find_chromium()
    assert exe, "Chromium is required for this test (.ci/run installs Debian's chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu",
                                                         "--disable-background-networking"])
        yield b
        b.close()


def _pages(pdf: Path) -> list:
    return pypdf.PdfReader(str(pdf)).pages


def _size(page) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


def _text(page) -> str:
    """The page's words, ligatures (the font's "ﬁ") as letters, white space as single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", page.extract_text()))


# ---------------------------------------------------------------------------------------
# the PDF

def test_the_unit_report_prints_on_about_five_a4_pages_with_its_name_and_page_numbers(batch):
    pages = _pages(batch.out / "units" / "kaunas-mega.pdf")
    assert 2 <= len(pages) <= 6
    for i, page in enumerate(pages, start=1):
        w, h = _size(page)
        assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1, (i, w, h)
        text = _text(page)
        assert UNIT in text, f"page {i} has no header with the unit's name"
        assert f"{i} / {len(pages)}" in text, f"page {i} has no '{i} / {len(pages)}'"
    assert batch.manifest["parameters"]["paper"] == "a4"


def test_the_summary_prints_on_a4_with_its_name_on_every_page(batch):
    pages = _pages(batch.out / "summary.pdf")
    assert len(pages) >= 1
    for i, page in enumerate(pages, start=1):
        assert abs(_size(page)[0] - A4[0]) <= 1
        assert "Leadership summary" in _text(page) and f"{i} / {len(pages)}" in _text(page)


def test_the_themes_table_is_printed_whole(batch):
    text = " ".join(_text(p) for p in _pages(batch.out / "units" / "kaunas-mega.pdf"))
    html = (batch.out / "units" / "kaunas-mega.html").read_text(encoding="utf-8")
    themes = re.search(r"<th>Theme</th>.*?</tr>", html).group(0)
    last_header = re.findall(r"<th>([^<]*)</th>", themes)[-1]
    assert last_header == "Significant"
    # the last column, its header and its words, are on the page, not cut at its edge
    assert "Significant" in text
    assert "no: the interval includes 0" in text or "not tested" in text


def test_printed_tables_fit_the_width_and_have_no_scroll_bars(batch, browser):
    page = browser.new_page(viewport={"width": 680, "height": 1000})  # A4 less the margins, at 96 px per inch
    page.emulate_media(media="print")
    page.goto((batch.out / "units" / "kaunas-mega.html").as_uri())
    boxes = page.evaluate("""() => [...document.querySelectorAll('table.cxkit-table')].map(t => {
        const box = t.closest('.jp-OutputArea-output');
        return [box.scrollWidth, box.clientWidth, getComputedStyle(box).overflowX,
                t.getBoundingClientRect().right, document.body.getBoundingClientRect().right]; })""")
    page.close()
    assert len(boxes) >= 5
    for scroll_w, client_w, overflow, right, body_right in boxes:
        assert overflow == "visible"
        assert scroll_w <= client_w + 1 and right <= body_right + 1


def test_a_heading_is_kept_with_what_follows_it_in_print(batch, browser):
    page = browser.new_page(viewport={"width": 680, "height": 1000})
    page.emulate_media(media="print")
    page.goto((batch.out / "units" / "kaunas-mega.html").as_uri())
    # the table of contents (and its heading) is not printed: the sections' headings are
    assert page.evaluate("getComputedStyle(document.querySelector('.cxkit-toc')).display") == "none"
    rules = page.evaluate("""() => [...document.querySelectorAll('h2:not(.cxkit-toc h2)')].map(h => [
        getComputedStyle(h).breakAfter, getComputedStyle(h.closest('.jp-OutputArea-child')).breakAfter])""")
    page.close()
    assert len(rules) >= 6
    assert all(r == ["avoid", "avoid"] for r in rules), rules


def test_letter_paper_from_the_batch_option_and_from_print_pdf(batch, tmp_path):
    nb = batch.out / "notebooks" / "kaunas-mega.ipynb"
    html = render_html(nb, tmp_path / "letter.html", banner={"title": "Report", "unit": UNIT, "paper": "letter"})
    letter = _pages(print_pdf(html, tmp_path / "letter.pdf"))
    assert all(abs(_size(p)[0] - LETTER[0]) <= 1 and abs(_size(p)[1] - LETTER[1]) <= 1 for p in letter)
    # print_pdf's paper= overrides what the page asks for
    again = _pages(print_pdf(batch.out / "units" / "kaunas-mega.html", tmp_path / "again.pdf", paper="letter"))
    assert {tuple(round(v) for v in _size(p)) for p in again} == {(612, 792)}
    assert not list((batch.out / "units").glob(".*print.html"))  # the sized copy is gone
    # a page that names no paper size prints on A4
    plain = tmp_path / "plain.html"
    plain.write_text("<html><head><title>x</title></head><body><p>plain page</p></body></html>", encoding="utf-8")
    assert {tuple(round(v) for v in _size(p)) for p in _pages(print_pdf(plain, tmp_path / "plain.pdf"))} == {(595, 842)}


def test_the_unit_name_in_the_page_header_is_escaped_for_css(batch, tmp_path):
    name = 'Kaunas "Mega" \\ </style><script>x</script>'
    assert css_string(name) == 'Kaunas \\22 Mega\\22  \\5c  \\3c /style\\3e \\3c script\\3e x\\3c /script\\3e '
    assert css_string("Rīga Centrs") == "Rīga Centrs"
    html = render_html(batch.out / "notebooks" / "kaunas-mega.ipynb", tmp_path / "odd.html",
                       banner={"title": "Report", "unit": name})
    source = html.read_text(encoding="utf-8")
    assert "<script>x</script>" not in source and '"Mega"' not in source
    pages = _pages(print_pdf(html, tmp_path / "odd.pdf"))
    assert all(name in _text(p) for p in pages)  # the reader sees the name as it is


def test_the_paper_option_is_wired_and_checked(monkeypatch, tmp_path):
    seen = capture_run_batch(monkeypatch)
    args = build_parser().parse_args(["report", "--data", "d", "--out", "o", "--paper", "Letter"])
    assert args.func(args) == 0 and seen["paper"] == "letter"
    args = build_parser().parse_args(["report", "--data", "d", "--out", "o"])
    assert args.func(args) == 0 and seen["paper"] == "a4"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--data", "d", "--out", "o", "--paper", "a3"])
    with pytest.raises(ConfigError, match="--paper 'a3'"):
        run_batch(tmp_path / "no-data", tmp_path / "out", paper="a3", progress=False)
    assert not (tmp_path / "out").exists()  # refused before anything is written


# ---------------------------------------------------------------------------------------
# the screen: a 390 px phone and a 1280 px desktop

_WIDE = """() => {
  const vw = document.documentElement.clientWidth;
  function scrolled(el) {  // inside a box that scrolls sideways and itself fits the screen
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if ((s === 'auto' || s === 'scroll') && p.getBoundingClientRect().right <= vw + 1) return true;
    }
    return false;
  }
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > vw + 1 || r.left < -1) && !scrolled(el)) wide.push(el.tagName + '.' + el.className);
  }
  return {vw: vw, scrollWidth: document.documentElement.scrollWidth, wide: wide};
}"""

_IMAGES = """() => [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => ({
  natural: i.naturalWidth, shown: i.getBoundingClientRect().width,
  box: i.closest('.jp-OutputArea-output').getBoundingClientRect().width,
  overflow: getComputedStyle(i.closest('.jp-OutputArea-output')).overflowX}))"""

PAGES = ["index.html", "summary.html", "units/kaunas-mega.html"]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_on_a_390px_phone(batch, browser, name):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    page.goto((batch.out / name).as_uri())
    page.wait_for_load_state("load")
    res = page.evaluate(_WIDE)
    images = page.evaluate(_IMAGES)
    context.close()
    assert res["vw"] == 390  # the page declares a viewport: the phone does not zoom a desktop page out
    assert res["scrollWidth"] <= 390, res
    assert res["wide"] == [], res["wide"][:10]
    if name != "index.html":
        assert len(images) >= 5
    for img in images:
        # a chart is never shrunk below 560 px (or its own width): its 10 pt text stays above 9 px,
        # and the box around it scrolls
        assert img["shown"] >= min(img["natural"], 560) - 1, img
        assert img["box"] <= 390 and img["overflow"] == "auto", img


def test_the_index_table_scrolls_in_its_box_with_the_unit_names_in_view(batch, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto((batch.out / "index.html").as_uri())
    res = page.evaluate("""() => { const w = document.querySelector('.table-wrap');
        const first = document.querySelector('#units tbody.ranked td:first-child');
        w.scrollLeft = 200;
        return {scroll: w.scrollWidth, client: w.clientWidth, left: w.scrollLeft,
                firstLeft: first.getBoundingClientRect().left, wrapLeft: w.getBoundingClientRect().left,
                text: first.innerText}; }""")
    page.close()
    assert res["scroll"] > res["client"] and res["left"] > 0  # more columns than fit: scrolled in the box
    assert abs(res["firstLeft"] - res["wrapLeft"]) <= 1 and UNIT in res["text"]  # the name stays in view


@pytest.mark.parametrize("name", PAGES)
def test_the_desktop_layout_is_unchanged_at_1280px(batch, browser, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((batch.out / name).as_uri())
    res = page.evaluate(_WIDE)
    images = page.evaluate(_IMAGES)
    tables = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
        const box = t.parentElement; return [box.scrollWidth, box.clientWidth]; })""")
    page.close()
    assert res["scrollWidth"] <= 1280 and res["wide"] == []
    # charts at their own size (an SVG's size in points lands on a fraction of a pixel)
    assert all(abs(img["shown"] - img["natural"]) <= 1 for img in images), images
    assert tables and all(s <= c + 1 for s, c in tables), tables  # no table needs its scroll bar
