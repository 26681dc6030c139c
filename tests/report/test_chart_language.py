"""Every word and number drawn on a chart is in the report's language (issue 23, CHARTS).

For Lithuanian, Polish and Latvian the test builds, in this process, every chart of unit reports and of the
leadership summary on the bundled sample (the notebooks' ``cx.show_part(lambda: ...)`` calls, evaluated
with ``lang`` set, as tests/report/test_charts_drawn.py does), renders each figure to SVG with the text kept
as text, and reads every ``<text>`` element. A chart fails when it shows

(a) an English text of the catalogue (a ``t(key, "en")`` of two or more words that the language writes
    differently), (b) an English chart word from the list below, (c) a number with a decimal point, or
(d) a raw key (``attr_delivery``, ``churn_rate``, a lowercase metric key as a label).
"""
from __future__ import annotations

import html
import io
import json
import re
import string
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import cxkit as cx
from cxkit.errors import ConfigError
from cxkit import _catalogue
from cxkit.i18n import LANGUAGES, t
from cxkit.report import prepare
from helpers import notebook_charts

ROOT = Path(__file__).resolve().parents[2]
UNITS = ["Kaunas Mega", "Vilnius Akropolis"]  # two unit reports per language (the sample's busiest units)

#: words the charts drew in English before issue 23 (titles, axes, legends, notes); none may appear in lt/pl/lv
ENGLISH_CHART_WORDS = [
    "Company", "reporting period", "Target", "target", "Fix first", "Keep up", "Lower priority", "Maintain",
    "not tested", "detractor", "detractors", "passive", "passives", "promoter", "promoters", "Months", "Month",
    "Retention", "slope", "units", "regions", "Share", "Performance", "Importance", "trends", "Churn", "Revenue",
    "fitted line", "band", "limits", "limit", "inside", "above", "below", "Period", "better", "worse", "vs",
    "Customers", "Answers", "answers", "points", "Key drivers", "comments", "interval", "real change",
    "Not shown", "too few", "Difference", "Reference", "heuristic", "link", "outcome", "strongest",
    "significant", "touchpoint", "touchpoints", "themes", "loaded", "responses", "tickets", "customers", "revenue",
    "table", "file", "not read", "log scale", "per week", "per month", "per quarter",
    "Customers still with us", "follow-up", "Kaplan-Meier", "NPS group", "rule of thumb", "estimated",
]

_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\.?")  # pl / lv dates (31.12.2025, 31.12.2025.) are not decimals
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


# --- the notebooks' parts, run here ---------------------------------------------------------------------------

def _chart_texts(notebook: str, prep, unit: str, lang: str) -> list[tuple[str, list[str]]]:
    """(call, texts of one figure) for every chart of a report notebook run on the prepared sample."""
    out = []
    for call, figures in notebook_charts(notebook, prep, unit, lang):
        out += [(call, svg_texts(fig)) for fig in figures]
        plt.close("all")
    return out


def svg_texts(fig: Figure) -> list[str]:
    """Every text of the figure as the SVG draws it (text kept as text, not paths)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    texts = re.findall(r"<text\b[^>]*>(.*?)</text>", buf.getvalue(), flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", x)).strip() for x in texts if x.strip()]


# --- what must not be on a chart ------------------------------------------------------------------------------

def _entries() -> dict[str, dict]:
    """key -> {language: text} of every text of the catalogues (plural forms joined by "|")."""
    out: dict[str, dict] = {}
    for lang in LANGUAGES:
        for key, text in _catalogue.texts(lang).items():
            out.setdefault(key, {})[lang] = "|".join(text) if isinstance(text, tuple) else text
    return out


def _english_fragments(lang: str) -> list[str]:
    """The English catalogue's texts of two or more words that ``lang`` writes differently: each literal
    piece between placeholders, plural forms and lines."""
    out = set()
    for entry in _entries().values():
        en, other = entry.get("en", ""), entry.get(lang) or entry.get("en", "")
        if en == other:
            continue
        for piece in re.split(r"\{[^{}]*\}|\||\n", en):
            piece = piece.strip(string.whitespace + string.punctuation + "–")
            if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2 and piece not in other:
                out.add(piece)
    return sorted(out)


def problems(texts: list[str], lang: str, fragments: list[str]) -> list[str]:
    """What a chart in ``lang`` must not show, found in its texts."""
    joined = " ".join(" ".join(texts).split())  # a title over two lines is one sentence
    found = [f"English text {f!r}" for f in fragments if f in joined]
    found += [f"English word {w!r}" for w in ENGLISH_CHART_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])",
                                                                            joined)]
    for text in texts:
        if re.search(r"\d\.\d", _DATE.sub("", text)):
            found.append(f"decimal point in {text!r}")
        if re.search(r"attr_|_rate\b|\b[a-z]+_[a-z]+", text):
            found.append(f"raw key in {text!r}")
        if re.fullmatch(r"(nps|csat|ces)( .*)?", text):
            found.append(f"lowercase metric key in {text!r}")
    return found


@pytest.fixture(scope="module")
def prep(sample_dir, tmp_path_factory):
    return prepare(sample_dir, tmp_path_factory.mktemp("prep"), parallel=False)


def test_the_check_finds_english_words_decimal_points_and_keys():
    fragments = _english_fragments("lt")
    assert "Months since the start of follow-up" in fragments and "Fix first" in fragments
    assert "Vilnius" not in " ".join(fragments)
    bad = problems(["Company 10.1", "Mėnuo", "attr_delivery", "nps group", "NPS (balai)", "Fix first"], "lt",
                   fragments)
    assert "English word 'Company'" in bad and "decimal point in 'Company 10.1'" in bad
    assert "raw key in 'attr_delivery'" in bad and "lowercase metric key in 'nps group'" in bad
    assert "English text 'Fix first'" in bad
    assert problems(["Įmonė: 10,1", "31.12.2025", "2025-12-31", "NPS (balai)", "Kaunas Mega"], "lt", fragments) == []
    assert problems(["Firma: 10,1", "31.12.2025."], "pl", _english_fragments("pl")) == []


def test_a_missing_chart_text_is_an_error_not_a_raw_key():
    from cxkit.plots import _tr

    assert _tr("chart_km_xlabel", "lv") == "Mēneši kopš novērošanas sākuma"
    assert _tr("better", "en") == "better"  # a text equal to its key is still a known text
    with pytest.raises(ConfigError, match="chart_no_such_text"):
        _tr("chart_no_such_text", "lt")


def test_every_chart_text_is_written_in_every_language_with_the_same_fields():
    entries = _entries()
    keys = [k for k in entries if k.startswith("chart_")]
    assert len(keys) > 80
    for key in keys:
        entry = entries[key]
        assert set(entry) == set(LANGUAGES), key
        fields = {lang: sorted(_PLACEHOLDER.findall(entry[lang])) for lang in LANGUAGES}
        for lang in ("lt", "pl", "lv"):
            assert set(fields[lang]) <= set(fields["en"]) | {"{group}"}, (key, lang)  # the tick of a method
            if not key.startswith("chart_rar_tick_"):
                assert fields[lang] == fields["en"], (key, lang)


@pytest.mark.parametrize("lang", ["lt", "pl", "lv"])
def test_every_chart_of_the_reports_is_in_the_language(prep, lang):
    fragments = _english_fragments(lang)
    charts = [(f"{unit}: {call}", texts) for unit in UNITS
              for call, texts in _chart_texts("unit_report.ipynb", prep, unit, lang)]
    charts += [(f"summary: {call}", texts) for call, texts in _chart_texts("leadership_summary.ipynb", prep, "", lang)]
    assert len(charts) >= 2 * 8 + 6  # trends x3, distribution, journey, churn, retention, drivers, themes; summary
    failures = {call: found for call, texts in charts if (found := problems(texts, lang, fragments))}
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)
    words = " ".join(" ".join(texts) for _, texts in charts)
    words = " ".join(words.split())
    for key in ("chart_km_xlabel", "chart_km_ylabel", "chart_funnel_company", "chart_uo_xlabel_unit",
                "chart_uo_ylabel_churn_rate", "chart_uo_ylabel_revenue_growth", "chart_churn_ylabel",
                "chart_groups_better", "reporting_period", "detractor"):
        assert t(key, lang).split("{")[0].strip() in words, (key, t(key, lang))


@pytest.mark.parametrize("lang", ["lt", "pl"])
def test_numbers_and_months_on_the_charts_are_the_languages(prep, lang):
    rep = cx.open_report(prepared_dir=str(prep.data_dir), unit="")
    chart, _notes = cx.unit_outcomes_figure(rep, outcome="churn_rate", lang=lang)
    ax = chart.ax
    texts = svg_texts(ax.figure)
    fit = rep.context["unit_outcomes_fit"].set_index("outcome").loc["churn_rate"]
    slope = f"{fit['slope']:+.2f}".replace(".", ",").replace("-", "−")
    count = {"lt": f"padalinių skaičius: {int(fit['units'])}", "pl": f"liczba jednostek: {int(fit['units'])}"}[lang]
    box = " ".join(x for x in texts if slope in x or count in x)
    assert slope in box and count in box, texts
    ci = {"lt": "95\u00a0% PI nuo", "pl": "95% PU od"}[lang]  # CLDR: lt writes a space before %, pl none
    assert ci in " ".join(texts)
    company = (rep.context["comparisons"].query("against == 'rest' and metric == 'nps'")["company_value"].iloc[0])
    league = svg_texts(cx.league_figure(rep, lang=lang).ax.figure)
    assert {"lt": "Įmonė: ", "pl": "Firma: "}[lang] + f"{company:.1f}".replace(".", ",").replace("-", "−") in league
    unit = cx.open_report(prepared_dir=str(prep.data_dir), unit="Kaunas Mega")
    months = svg_texts(cx.trend_figure(unit, metric="nps", lang=lang).figure)
    name = {"lt": "saus.", "pl": "sty"}[lang]  # January as the language abbreviates it
    assert any(re.fullmatch(rf"{re.escape(name)} \d{{4}}", x) for x in months), months
    assert not any(re.fullmatch(r"\d{4}-\d{2}", x) for x in months)


# --- the rendered pages: every word of the HTML and of the charts drawn in it ---------------------------------

def _page_texts(path) -> list[str]:
    """The visible text of a rendered page, one entry per text node, and the text of every SVG chart in it."""
    import base64

    page = path.read_text(encoding="utf-8")
    charts = [base64.b64decode(x).decode("utf-8")
              for x in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]
    page = re.sub(r"<(style|script|head)\b.*?</\1>", " ", page, flags=re.S)
    alts = [html.unescape(x) for x in re.findall(r'\balt="([^"]*)"', page)]
    nodes = [html.unescape(x).strip() for x in re.split(r"<[^>]+>", page)]
    drawn = [html.unescape(re.sub(r"<[^>]+>", "", x)).strip()
             for svg in charts for x in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]
    files = re.compile(r"\S+\.(csv|xlsx|json|parquet|html|pdf)\b")  # file names are the user's, not words
    return [files.sub("", x).strip() for x in nodes + alts + drawn if files.sub("", x).strip()]


@pytest.fixture(scope="module", params=["lt", "pl", "lv"])
def rendered(request, tmp_path_factory):
    from cxkit.report import run_batch

    out = tmp_path_factory.mktemp(f"pages-{request.param}") / "report"
    res = run_batch(ROOT / "data" / "sample", out, units=["Kaunas Mega"], lang=request.param, workers=1, progress=False)
    assert res.exit_code == 0, res.summary_text()
    return request.param, out


def test_every_page_of_a_batch_is_in_the_language(rendered):
    """The unit report, the leadership summary and the index in lt / pl / lv: no English catalogue text, no known
    English chart word, no decimal point and no raw key anywhere a reader looks (text, alt texts, charts)."""
    lang, out = rendered
    fragments = _english_fragments(lang)
    pages = [out / "index.html", out / "summary.html", *sorted((out / "units").glob("*.html"))]
    assert len(pages) == 3
    for page in pages:
        texts = _page_texts(page)
        assert len(texts) > 20, page
        found = problems(texts, lang, fragments)
        assert not found, (page.name, found[:10])
