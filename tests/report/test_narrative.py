"""The summary in words: sentences made only from tested results, in four languages, shown first."""
from __future__ import annotations

import html
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import cxkit as cx
from cxkit.i18n import LANGUAGES, format_number_local, format_percent_local, t
from cxkit.report import leadership_summary_points, narrative, sections, unit_summary

ROOT = Path(__file__).resolve().parents[2]
UNITS = ["Kaunas Mega", "Liepāja", "Vilnius Akropolis", "Warszawa Centrum"]
PERIOD = (pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31"))


@pytest.fixture(scope="module")
def reports(sample_dir):
    return {u: cx.open_report(str(sample_dir), unit=u) for u in UNITS}


@pytest.fixture(scope="module")
def company(sample_dir):
    return cx.open_report(str(sample_dir), unit="")


def _ci(lo, hi, lang, percent=False):
    fmt = format_percent_local if percent else format_number_local
    return t("narr_ci", lang).format(conf="95%", lo=fmt(lo, lang, 1), hi=fmt(hi, lang, 1))


def _change_words(lang):
    return {t(f"narr_w_{w}_{g}", lang) for w in ("rose", "fell", "higher", "lower") for g in ("m", "f")}


def _check_against_sources(sentences, rep, lang, groups):
    """Every interval in the sentences is a significant row's (or a level's, or a tested theme/driver's);
    no non-significant difference's interval appears; a sentence without an interval claims no change."""
    c = rep.context["comparisons"]
    mine = c[c["group"].isin(groups)]
    text = " ".join(sentences)
    sig_cis, level_cis = {}, set()
    for r in mine.to_dict(orient="records"):
        level_cis.add(_ci(r["ci_low"], r["ci_high"], lang))
        level_cis.add(_ci(r["ci_low"], r["ci_high"], lang, percent=True))
        if pd.isna(r["diff"]):
            continue
        ci = _ci(r["diff_ci_low"], r["diff_ci_high"], lang)
        if narrative._is_change(r):
            sig_cis.setdefault(ci, set()).add(format_number_local(abs(r["diff"]), lang, 1))
        elif r["against"] in ("rest", "previous", "year_ago"):
            assert ci not in text, (ci, sentences)  # a non-significant difference is never stated as a change
    words = _change_words(lang)
    for s in sentences:
        assert re.search(r"\d", s), s
        cis = re.findall(re.escape(t("narr_ci", lang).split(" {lo}")[0].format(conf="95%")) + r" [^;)]*", s)
        if not cis:
            if not s.startswith(_prefix("narr_theme_none", lang)):
                assert not any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", s) for w in words), s
            continue
        for ci in cis:
            if ci in sig_cis:
                assert any(d in s for d in sig_cis[ci]), (s, sig_cis[ci])  # the same difference, formatted
            else:  # a level's interval, or the tested driver's / theme's (checked in their own tests)
                assert ci in level_cis or s.startswith((_prefix("narr_theme", lang), _prefix("narr_driver", lang))), \
                    (s, ci)


def _prefix(key, lang):
    return t(key, lang).split("{")[0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unit_sentences_state_only_significant_changes(reports, lang):
    for unit, rep in reports.items():
        sentences = unit_summary(rep, lang=lang)
        assert 3 <= len(sentences) <= 6, sentences
        _check_against_sources(sentences, rep, lang, [unit])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_leadership_points_state_only_significant_changes(company, lang):
    points = leadership_summary_points(company, lang=lang)
    assert 3 <= len(points) <= 6, points
    _check_against_sources(points, company, lang, list(company.context["comparisons"]["group"].unique()))


def test_sample_unit_names_its_worst_significant_theme_and_its_top_driver(reports):
    rep = reports["Vilnius Akropolis"]
    r = rep.current()
    ts = cx.theme_summary(r, min_n=30, alpha=0.05, confidence=0.95).summary
    worst = ts[ts["significant"].astype(bool) & (ts["diff"] < 0)].sort_values("diff").iloc[0]
    en = unit_summary(rep, lang="en")
    line = next(s for s in en if s.startswith("Comments about"))
    assert cx.name_of("theme", worst["theme"]) in line and _ci(worst["ci_low"], worst["ci_high"], "en") in line
    # the planted worse unit: its themes are not significant after correction, so none is named
    kaunas = unit_summary(reports["Kaunas Mega"], lang="en")
    assert not any(s.startswith("Comments about") for s in kaunas)
    assert kaunas[1] == "NPS is 44.2 points lower than in the rest of the company (95% CI −52.4 to −35.5)."


# --- hand-made cases --------------------------------------------------------------------------------

def _cmp(group, metric, against, diff, lo, hi, sig, n=335, value=12.3, ref_n=300):
    return {"group": group, "metric": metric, "against": against, "value": value, "ci_low": value - 5,
            "ci_high": value + 5, "n": n, "reference_n": ref_n, "diff": diff, "diff_ci_low": lo, "diff_ci_high": hi,
            "significant": sig, "p_adjusted": 0.01 if sig else 0.5,
            "direction": ("higher" if diff > 0 else "lower") if sig else "no difference"}


def _rep(rows, group="Test Unit", responses=None, meta=None, level="unit"):
    return cx.ReportData(group=group, level=level, period=PERIOD, tables={"responses": responses},
                         context={"comparisons": pd.DataFrame(rows)}, meta=meta or {})


def _quiet(n=335, metric="nps", group="Test Unit"):
    return [_cmp(group, metric, "rest", -3.1, -8.0, 1.8, False, n=n),
            _cmp(group, metric, "previous", 2.0, -2.9, 6.9, False, n=n),
            _cmp(group, metric, "year_ago", -1.0, -6.0, 4.0, False, n=n)]


def test_nothing_significant_and_no_drivers_or_themes():
    assert unit_summary(_rep(_quiet())) == [
        "NPS in this period: 12.3 (95% CI 7.3 to 17.3; 335 answers).",
        "NPS does not differ significantly from the rest of the company (335 answers).",
        "No real change in NPS against the previous period (335 answers).",
        "No real change in NPS against the same period a year earlier (335 answers).",
    ]


def _responses():
    return pd.DataFrame({"date": pd.to_datetime(["2025-11-01"] * 10), "nps": [9, 3] * 5, "attr_delivery": [8] * 10,
                         "attr_staff": [7] * 10, "comment": ["slow"] * 10})


def _fake_drivers(distinct):
    # a bare result (no bootstrap): dominant_driver reads "clearly ahead" from intervals that do not overlap
    summary = pd.DataFrame({"driver": ["attr_delivery", "attr_staff"], "share": [41.0, 22.0],
                            "share_ci_low": [30.2, 12.0], "share_ci_high": [52.9, 29.0 if distinct else 31.0]})
    diffs = pd.DataFrame({"driver_a": ["attr_delivery"], "driver_b": ["attr_staff"], "distinct": [distinct]})
    return lambda *a, **k: SimpleNamespace(summary=summary, n=120, differences=lambda: diffs)


def _fake_themes(significant):
    summary = pd.DataFrame({"theme": ["delivery", "price", "waiting", "staff"], "mentions": [40, 30, 21, 3],
                            "diff": [-10.0, -30.0, -21.0, -50.0], "ci_low": [-18.0, -61.0, -35.5, -90.0],
                            "ci_high": [-2.0, 1.0, -6.5, -10.0],
                            "significant": [significant, False, significant, True]})
    return lambda *a, **k: SimpleNamespace(summary=summary)


def test_everything_significant_keeps_the_six_most_important(monkeypatch):
    monkeypatch.setattr(narrative, "driver_result", _fake_drivers(True))
    monkeypatch.setattr(sections, "theme_summary", _fake_themes(True))
    rows = [_cmp("Test Unit", "nps", "rest", -8.2, -13.1, -3.3, True),
            _cmp("Test Unit", "nps", "previous", -8.2, -13.1, -3.3, True),
            _cmp("Test Unit", "nps", "year_ago", 5.0, 1.2, 8.8, True),
            _cmp("Test Unit", "csat", "previous", 3.4, 0.5, 6.3, True)]
    assert unit_summary(_rep(rows, responses=_responses())) == [
        "NPS in this period: 12.3 (95% CI 7.3 to 17.3; 335 answers).",
        "NPS is 8.2 points lower than in the rest of the company (95% CI −13.1 to −3.3).",
        "NPS fell 8.2 points against the previous period (95% CI −13.1 to −3.3).",
        "NPS rose 5.0 points against the same period a year earlier (95% CI 1.2 to 8.8).",
        "The strongest key driver of NPS is Ordering & delivery: 41.0% of the explained variation "
        "(95% CI 30.2% to 52.9%), clearly ahead of the next one, Staff (120 answers).",
        # the largest significant negative theme with enough mentions (not price: not significant; not staff: 3)
        "Comments about Waiting time go with an NPS 21.0 points lower than other comments (95% CI −35.5 to −6.5; "
        "21 comments).",
    ]  # the CSAT change is the seventh sentence: left out


def test_drivers_and_themes_that_stand_out_nowhere_are_said_plainly(monkeypatch):
    monkeypatch.setattr(narrative, "driver_result", _fake_drivers(False))
    monkeypatch.setattr(sections, "theme_summary", _fake_themes(False))
    out = unit_summary(_rep(_quiet(), responses=_responses()))
    assert out[-2:] == ["No key driver of NPS is clearly ahead of the others (120 answers).",
                        "No comment theme goes with a significantly lower NPS (10 comments)."]


def test_untested_comparison_and_missing_data_never_fail():
    rows = _quiet(n=12)
    rows[1].update(diff=float("nan"), diff_ci_low=float("nan"), diff_ci_high=float("nan"), significant=False,
                   reference_n=0)
    out = unit_summary(_rep(rows))
    assert "NPS: too few answers to compare with the previous period (12 answers now, 0 answers then)." in out
    assert "NPS: par maz atbilžu, lai salīdzinātu ar iepriekšējo periodu (tagad 12 atbilžu, toreiz 0 atbilžu)." \
        in unit_summary(_rep(rows), lang="lv")
    assert unit_summary(_rep([])) == ["No responses in this period."]
    assert unit_summary(_rep(_quiet(), meta={"empty_period": True}), lang="pl") == [t("empty_period_part", "pl")]
    assert leadership_summary_points(_rep([], group="")) == ["No responses in this period."]


# the "no real change" sentence with 1, 2, 5, 21 answers (and 11, 10). Latvian follows CLDR's plural rules: a
# number ending in 0 or in 11-19 takes the "zero" form, the genitive plural (10 atbilžu, 11 atbilžu)
EXPECTED_COUNTS = {
    "lt": ("Palyginti su ankstesniu laikotarpiu, NPS reikšmingai nepasikeitė ({}).",
           {1: "1 atsakymas", 2: "2 atsakymai", 5: "5 atsakymai", 21: "21 atsakymas", 11: "11 atsakymų",
            10: "10 atsakymų"}),
    "pl": ("W porównaniu z poprzednim okresem NPS nie zmienił się istotnie ({}).",
           {1: "1 odpowiedź", 2: "2 odpowiedzi", 5: "5 odpowiedzi", 21: "21 odpowiedzi", 11: "11 odpowiedzi",
            10: "10 odpowiedzi"}),
    "lv": ("Salīdzinājumā ar iepriekšējo periodu NPS būtiski nemainījās ({}).",
           {1: "1 atbilde", 2: "2 atbildes", 5: "5 atbildes", 21: "21 atbilde", 11: "11 atbilžu", 10: "10 atbilžu"}),
    "en": ("No real change in NPS against the previous period ({}).",
           {1: "1 answer", 2: "2 answers", 5: "5 answers", 21: "21 answers", 11: "11 answers", 10: "10 answers"}),
}


@pytest.mark.parametrize("lang", list(EXPECTED_COUNTS))
def test_plural_forms_of_answers(lang):
    template, forms = EXPECTED_COUNTS[lang]
    for n, words in forms.items():
        assert template.format(words) in unit_summary(_rep(_quiet(n=n)), lang=lang), (n, words)


EXPECTED_UNITS = {
    "lt": ("NPS: nė vienas padalinys reikšmingai nesiskiria nuo likusios įmonės ({}).",
           {1: "1 padalinys", 2: "2 padaliniai", 5: "5 padaliniai", 21: "21 padalinys"}),
    "pl": ("NPS: żadna jednostka nie różni się istotnie od reszty firmy ({}).",
           {1: "1 jednostka", 2: "2 jednostki", 5: "5 jednostek", 21: "21 jednostek"}),
    "lv": ("NPS: neviena vienība būtiski neatšķiras no pārējā uzņēmuma ({}).",
           {1: "1 vienība", 2: "2 vienības", 5: "5 vienības", 21: "21 vienība"}),
}


@pytest.mark.parametrize("lang", list(EXPECTED_UNITS))
def test_plural_forms_of_units_in_the_leadership_points(lang):
    template, forms = EXPECTED_UNITS[lang]
    for n, words in forms.items():
        rows = _quiet(n=900, group="All")[1:]
        for i in range(n):
            rows += _quiet(n=90, group=f"U{i}")
        assert template.format(words) in leadership_summary_points(_rep(rows, group=""), lang=lang), (n, words)


def test_leadership_points_in_english():
    rows = _quiet(n=900, group="All")[1:] + _quiet(n=300, group="A") + _quiet(n=300, group="B")
    assert leadership_summary_points(_rep(rows, group="")) == [
        "NPS for the whole company in this period: 12.3 (95% CI 7.3 to 17.3; 900 answers).",
        "No real change in NPS against the previous period (900 answers).",
        "No real change in NPS against the same period a year earlier (900 answers).",
        "NPS: no unit differs significantly from the rest of the company (2 units).",
        "NPS: no unit changed significantly against the previous period (2 units).",
    ]
    rows[3] = _cmp("A", "nps", "rest", -12.0, -20.0, -4.0, True)
    rows[7] = _cmp("B", "nps", "previous", 9.9, 2.0, 17.8, True)
    out = leadership_summary_points(_rep(rows, group=""))
    assert "Furthest behind the rest of the company: A, with NPS 12.0 points lower (95% CI −20.0 to −4.0)." in out
    assert "Largest significant change against the previous period: B, where NPS rose 9.9 points " \
           "(95% CI 2.0 to 17.8)." in out
    assert not any("Furthest ahead" in s for s in out)  # B is not significantly above the rest


def test_rose_fell_and_adjectives_agree_with_the_metric():
    rows = [_cmp("Test Unit", "csat", "rest", 3.4, 0.5, 6.3, True, value=70.0),
            _cmp("Test Unit", "csat", "previous", 1.0, -2.0, 4.0, False, value=70.0),
            _cmp("Test Unit", "first_response_time", "previous", -0.4, -0.7, -0.1, True, value=2.0)]
    rep = _rep(rows, meta={"missing_scores": ["nps"]})  # CSAT is the reported score
    expected = {
        "en": ["The share of satisfied customers (CSAT) is 3.4 percentage points higher than in the rest of the "
               "company (95% CI 0.5 to 6.3).",
               "The median first response time fell 0.4 hours against the previous period (95% CI −0.7 to −0.1)."],
        "lt": ["Patenkintų klientų dalis (CSAT) yra 3,4 procentinio punkto didesnė nei likusioje įmonėje "
               "(95% PI nuo 0,5 iki 6,3).",
               "Palyginti su ankstesniu laikotarpiu, pirmojo atsakymo laiko mediana sumažėjo 0,4 valandos "
               "(95% PI nuo −0,7 iki −0,1)."],
        "pl": ["Odsetek zadowolonych klientów (CSAT) jest o 3,4 punktu procentowego wyższy niż w reszcie firmy "
               "(95% PU od 0,5 do 6,3).",
               "W porównaniu z poprzednim okresem mediana czasu pierwszej odpowiedzi spadła o 0,4 godziny "
               "(95% PU od −0,7 do −0,1)."],
        "lv": ["Apmierināto klientu daļa (CSAT) ir par 3,4 procentpunktiem augstāka nekā pārējā uzņēmumā "
               "(95% TI no 0,5 līdz 6,3).",
               "Salīdzinājumā ar iepriekšējo periodu pirmās atbildes laika mediāna samazinājās par 0,4 stundām "
               "(95% TI no −0,7 līdz −0,1)."],
    }
    for lang, lines in expected.items():
        out = unit_summary(rep, lang=lang)
        for line in lines:
            assert line in out, (lang, out)
    assert "W porównaniu z poprzednim okresem odsetek zadowolonych klientów (CSAT) nie zmienił się istotnie " \
           "(335 odpowiedzi)." in unit_summary(rep, lang="pl")
    # Latvian: a decimal ending in 1 takes the singular (accusative after "par")
    one = _rep([_cmp("Test Unit", "nps", "rest", -2.1, -4.0, -0.2, True)])
    assert "NPS ir par 2,1 punktu zemāks nekā pārējā uzņēmumā (95% TI no −4,0 līdz −0,2)." \
        in unit_summary(one, lang="lv")


def test_show_bullets_escapes(monkeypatch):
    shown = []
    monkeypatch.setattr("cxkit.report.display._display_html", shown.append)
    cx.report.show_bullets(["<b>Unit</b> & co: 1 answer.", "2"])
    assert shown == ['<ul class="cxkit-summary"><li>&lt;b&gt;Unit&lt;/b&gt; &amp; co: 1 answer.</li><li>2</li></ul>']


# --- the rendered page ------------------------------------------------------------------------------

def test_the_rendered_unit_report_opens_with_the_summary(tmp_path):
    import papermill as pm

    data = tmp_path / "data"
    cx.write_sample(data, rows=1500, seed=7)
    params = {"data_dir": str(data), "unit": "Kaunas Mega", "period_start": "2025-07-01", "period_end": "2025-12-31",
              "lang": "lt"}
    out = tmp_path / "u.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "unit_report.ipynb"), str(out), kernel_name="python3",
                        progress_bar=False, execution_timeout=300, parameters=params)
    page = cx.report.render_html(out, tmp_path / "u.html").read_text(encoding="utf-8")
    rep = cx.open_report(str(data), unit="Kaunas Mega", period_start="2025-07-01", period_end="2025-12-31")
    sentences = unit_summary(rep, lang="lt")
    assert 3 <= len(sentences) <= 6
    heads = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert heads[0] == t("contents", "lt"), heads  # the table of contents, then
    assert heads[1].startswith(t("narrative", "lt")), heads  # the first section
    items = re.findall(r"<li>(.*?)</li>", page[page.index('<ul class="cxkit-summary">'):].split("</ul>")[0])
    assert items == [html.escape(s) for s in sentences]
    assert page.index('<ul class="cxkit-summary">') < page.index('<h2 id="headline">')
