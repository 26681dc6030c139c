"""Accessible reports: every chart has an alternative text in the report language with its key number,
charts are SVG with text kept as text, one h1 and no skipped heading level, a table of contents whose
links resolve, and better/worse colours that stay apart under simulated colour-vision deficiencies."""
from __future__ import annotations

import base64
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import cxkit as cx
from cxkit.report import run_batch
from cxkit.report.display import MissingAltText, Section, show_part

ROOT = Path(__file__).resolve().parents[2]
NBCONVERT_DEFAULT = "No description has been provided for this image"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    data = tmp_path_factory.mktemp("a11y-data")
    cx.write_sample(data, rows=1500, seed=7)
    out = tmp_path_factory.mktemp("a11y-out")
    res = run_batch(data, out, units=["Kaunas Mega"], lang="lt", workers=2, progress=False)
    return data, out, res


def _pages(out: Path) -> dict:
    pages = {"unit": out / "units" / "kaunas-mega.html", "summary": out / "summary.html"}
    return {k: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for k, p in pages.items()}


def test_every_chart_has_a_lithuanian_alt_text_with_its_number(batch):
    _, out, _ = batch
    for name, soup in _pages(out).items():
        imgs = soup.find_all("img")
        assert len(imgs) >= 4, name  # trends, distribution, journey, ... / league, funnel, distribution, ...
        for img in imgs:
            alt = img.get("alt", "")
            assert alt.strip() and alt != NBCONVERT_DEFAULT, (name, img.get("src", "")[:40])
            assert re.search(r"\d", alt), alt
            for english in ("per month", "reporting period", "Shares of", "Highest", "against the", " and "):
                assert english not in alt, alt
        assert NBCONVERT_DEFAULT not in str(soup)
    alts = [img["alt"] for img in _pages(out)["unit"].find_all("img")]
    assert any(a.startswith("NPS pagal mėnesius, Kaunas Mega ir įmonė, ")
               and "Kaunas Mega ataskaitiniu laikotarpiu:" in a for a in alts), alts
    assert any(a.startswith("Kritikų, neutralių ir rekomenduotojų dalys. Kaunas Mega: NPS ") for a in alts), alts


def test_the_trend_alt_gives_the_units_nps_of_the_period(batch):
    data, out, res = batch
    soup = _pages(out)["unit"]
    alt = next(img["alt"] for img in soup.find_all("img") if img["alt"].startswith("NPS pagal mėnesius"))
    shown = re.search(r"Kaunas Mega ataskaitiniu laikotarpiu: (−?\d+,\d)\.", alt).group(1)
    # independently: NPS = % promoters (9-10) - % detractors (0-6) of the unit's answers in the period
    r = pd.read_csv(data / "responses.csv")
    params = res.manifest["parameters"]
    start, end = pd.Timestamp(params["period_start"]), pd.Timestamp(params["period_end"])
    day = pd.to_datetime(r["date"])
    mine = r[(r["unit"] == "Kaunas Mega") & (day >= start) & (day <= end)]["nps"].dropna()
    nps = 100 * ((mine >= 9).mean() - (mine <= 6).mean())
    assert shown == f"{nps:.1f}".replace("-", "−").replace(".", ",")


def test_charts_are_svg_with_their_text_kept_as_text(batch):
    _, out, _ = batch
    img = _pages(out)["unit"].find("img")
    assert img["src"].startswith("data:image/svg+xml;base64,")
    assert img.get("role") == "img"
    svg = base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8")
    assert "<text" in svg and "NPS" in svg  # not glyph paths: searchable, scales


def _headings(soup) -> list[int]:
    return [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]


def test_one_h1_and_no_heading_level_skipped(batch):
    _, out, _ = batch
    for name, soup in _pages(out).items():
        levels = _headings(soup)
        assert levels.count(1) == 1 and levels[0] == 1, (name, levels)
        for a, b in zip(levels, levels[1:]):
            assert b <= a + 1, (name, levels)


def test_the_table_of_contents_links_every_section_and_every_link_resolves(batch):
    _, out, _ = batch
    for name, soup in _pages(out).items():
        toc = soup.find("nav", class_="cxkit-toc")
        assert toc is not None, name
        assert toc.find("h2").get_text() == "Turinys"
        links = toc.find_all("a")
        ids = {tag["id"] for tag in soup.find_all(id=True)}
        assert links and all(a["href"].startswith("#") and a["href"][1:] in ids for a in links)
        sections = [h.get_text() for h in soup.find_all("h2") if h.get("id") != "cxkit-toc-title"]
        assert [a.get_text() for a in links] == sections
    unit_links = [a["href"] for a in _pages(out)["unit"].find("nav", class_="cxkit-toc").find_all("a")]
    assert "#trends" in unit_links and "#nps-distribution" in unit_links  # stable ids, the same in every language


# --- colours ---------------------------------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color Vision
# Deficiency", IEEE TVCG 15(6): the matrices for severity 1.0, applied to linear RGB
# (https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html).
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
# CIE76 colour difference: about 2.3 is just noticeable (Sharma 2003, Digital Color Imaging Handbook);
# we ask for ten times that, a difference seen at a glance.
MIN_DELTA_E = 23.0


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear sRGB colour."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(linear_rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta_e(a: str, b: str, matrix=None) -> float:
    la, lb = _linear(a), _linear(b)
    if matrix is not None:
        la, lb = matrix @ la, matrix @ lb
    return float(np.linalg.norm(_lab(la) - _lab(lb)))


def test_the_red_green_pair_of_before_fails_the_check():
    """The check can fail: the former green/red better/worse pair is too close for a deuteranope."""
    assert _delta_e("#1a7f37", "#c62828", MACHADO["deuteranopia"]) < MIN_DELTA_E


def _css_colours(path: Path) -> dict:
    css = path.read_text(encoding="utf-8")
    return {cls: re.search(r"\.%s \{ color: (#[0-9a-fA-F]{6})" % cls, css).group(1)
            for cls in ("cx-better", "cx-worse")}


@pytest.mark.parametrize("vision", [None, "protanopia", "deuteranopia"])
def test_better_and_worse_colours_stay_apart_in_common_colour_vision_deficiencies(vision):
    from cxkit.plots import _FUNNEL_MARKS, _GROUP_COLOURS, COLOURS

    matrix = MACHADO.get(vision)
    pairs = [(COLOURS["better"], COLOURS["worse"]), (_GROUP_COLOURS["promoter"], _GROUP_COLOURS["detractor"]),
             (_FUNNEL_MARKS["above"][0], _FUNNEL_MARKS["below"][0])]
    templates = ROOT / "cxkit" / "report" / "templates"
    for page in (templates / "cxkit_report" / "index.html.j2", templates / "index.html.j2"):
        css = _css_colours(page)
        pairs.append((css["cx-better"], css["cx-worse"]))
    for better, worse in pairs:
        assert _delta_e(better, worse, matrix) >= MIN_DELTA_E, (vision, better, worse)


def test_better_and_worse_words_keep_their_arrows_and_are_readable_on_white():
    page = (ROOT / "cxkit" / "report" / "templates" / "cxkit_report" / "index.html.j2")
    for colour in _css_colours(page).values():
        lum = float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(colour))
        assert (1.05 / (lum + 0.05)) >= 4.5, colour  # WCAG 2.1 AA contrast for normal text
    html = cx.report.table_html(pd.DataFrame({"x": ["+3,0 ▲ geriau", "−2,0 ▼ blogiau"]}), lang="lt")
    assert '<span class="cx-better">▲ geriau</span>' in html and '<span class="cx-worse">▼ blogiau</span>' in html


# --- no chart without an alternative text -----------------------------------------------------

def test_a_chart_without_alt_text_is_refused_and_not_hidden_as_thin_data():
    _, ax = plt.subplots()
    with pytest.raises(MissingAltText):
        Section().figure(ax)
    with pytest.raises(MissingAltText):
        Section().figure(ax, alt="  ")
    sec = Section()
    with pytest.raises(MissingAltText):  # not turned into a "too little data" note
        sec.attempt("en", lambda: sec.figure(ax))
    with pytest.raises(MissingAltText):
        show_part(lambda: Section().figure(ax), "en")
    assert issubclass(MissingAltText, cx.CxkitError)


def test_a_section_shows_its_chart_as_svg_with_the_escaped_alt(monkeypatch):
    shown = []
    monkeypatch.setattr("cxkit.report.display._display_html", lambda text, metadata=None: shown.append(text))
    _, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    sec = Section()
    sec.figure(ax, alt='NPS of <b>"A&B"</b>: 12.5')
    sec.show()
    assert len(shown) == 1
    assert 'alt="NPS of &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;: 12.5"' in shown[0]
    assert shown[0].startswith('<img class="cxkit-figure" src="data:image/svg+xml;base64,')


def test_headings_carry_stable_ids_for_the_table_of_contents(monkeypatch):
    shown = []
    monkeypatch.setattr("cxkit.report.display._display_html",
                        lambda text, metadata=None: shown.append((text, metadata)))
    cx.show_heading("Klientų <patirtis>", anchor="nps_distribution")
    cx.show_heading("Vidutinė būklė")
    cx.report.show_toc("pl")
    assert shown[0][0] == '<h2 id="nps-distribution">Klientų &lt;patirtis&gt;</h2>'
    assert shown[0][1] == {"cxkit_heading": {"level": 2, "id": "nps-distribution", "text": "Klientų <patirtis>"}}
    assert shown[1][0] == '<h2 id="vidutine-bukle">Vidutinė būklė</h2>'
    assert shown[2][1] == {"cxkit_toc": {"label": "Spis treści"}}


def test_month_names_of_the_alt_texts():
    """Months by their CLDR abbreviated names (Babel's CLDR data), never "12.2025", which reads as a number."""
    from cxkit.report.alt import month_local

    assert [month_local("2025-12-31", lang) for lang in ("en", "lt", "pl", "lv")] == \
        ["Dec 2025", "gruod. 2025", "gru 2025", "dec. 2025"]
