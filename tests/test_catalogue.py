"""The message catalogues (cxkit/locale), plural forms by CLDR's rules, and the CLDR number and date formats.

The .po files are read here with a small parser of our own, so the round trip catalogue -> t() / tn() /
name_of() is checked against the files as a translator sees them, not against cxkit's reader.
"""
from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from cxkit import _catalogue, i18n, i18n_catalogue
from cxkit.i18n import format_date_local, format_number_local, format_percent_local, name_of, t, tn
from cxkit.report.render import write_index

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "cxkit" / "locale"
NBSP = "\u00a0"


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def parse_po(path: Path) -> tuple[dict, dict]:
    """(headers, entries) of a PO file: entries by msgctxt as dicts with id, plural, strings (a list),
    fuzzy. Only what cxkit's catalogues use: msgctxt, msgid, msgid_plural, msgstr, msgstr[n], flags."""
    entries, cur, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            cur, field = None, None
            continue
        if line.startswith("#,"):
            cur = cur or {"flags": set(), "strings": {}}
            cur["flags"] |= {f.strip() for f in line[2:].split(",")}
            if cur not in entries:
                entries.append(cur)
            continue
        if line.startswith("#"):
            continue
        if cur is None:
            cur = {"flags": set(), "strings": {}}
            entries.append(cur)
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$', line)
        if m:
            field = ("msgstr", int(m.group(2) or 0)) if m.group(1).startswith("msgstr") else m.group(1)
            text = _unquote(m.group(3))
        else:
            text = _unquote(line)
        if isinstance(field, tuple):
            cur["strings"][field[1]] = cur["strings"].get(field[1], "") + text
        else:
            cur[field] = cur.get(field, "") + text
    header = next(e for e in entries if e.get("msgid") == "" and "msgctxt" not in e)
    headers = dict(h.split(": ", 1) for h in header["strings"][0].splitlines() if ": " in h)
    out = {}
    for e in entries:
        if "msgctxt" in e:
            out[e["msgctxt"]] = {"id": e["msgid"], "plural": e.get("msgid_plural"), "fuzzy": "fuzzy" in e["flags"],
                                 "strings": [e["strings"][i] for i in sorted(e["strings"])]}
    return headers, out


POT = parse_po(LOCALE / "cxkit.pot")[1]
PO = {lang: parse_po(LOCALE / lang / "LC_MESSAGES" / "cxkit.po") for lang in ("lt", "pl", "lv")}


# --- CLDR plural rules, written out (Unicode CLDR, Language Plural Rules,
# https://www.unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html; operands: n the
# absolute value, i its integer digits, v the number of visible fraction digits, f those digits) --------

def _operands(text: str):
    d = Decimal(text)
    i = int(d)
    v = max(0, -d.as_tuple().exponent)
    f = int(text.split(".")[1]) if "." in text else 0
    return d, i, v, f


def cldr_en(text):
    n, i, v, f = _operands(text)
    return "one" if i == 1 and v == 0 else "other"


def cldr_lt(text):
    n, i, v, f = _operands(text)
    whole = n == i
    if whole and n % 10 == 1 and not 11 <= n % 100 <= 19:
        return "one"
    if whole and 2 <= n % 10 <= 9 and not 11 <= n % 100 <= 19:
        return "few"
    if f != 0:
        return "many"
    return "other"


def cldr_pl(text):
    n, i, v, f = _operands(text)
    if i == 1 and v == 0:
        return "one"
    if v == 0 and 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14:
        return "few"
    if v == 0 and (i != 1 and i % 10 in (0, 1) or 5 <= i % 10 <= 9 or 12 <= i % 100 <= 14):
        return "many"
    return "other"


def cldr_lv(text):
    n, i, v, f = _operands(text)
    whole = n == i
    if (whole and (n % 10 == 0 or 11 <= n % 100 <= 19)) or (v == 2 and 11 <= f % 100 <= 19):
        return "zero"
    if (whole and n % 10 == 1 and n % 100 != 11) or (v == 2 and f % 10 == 1 and f % 100 != 11) \
            or (v != 2 and f % 10 == 1):
        return "one"
    return "other"


CLDR = {"en": cldr_en, "lt": cldr_lt, "pl": cldr_pl, "lv": cldr_lv}
NUMBERS = [0, 1, 2, 5, 11, 12, 21, 22, 25, 101, 111]

REPORTS = {  # "n reports" on the index page, written out by hand
    "en": {0: "0 reports", 1: "1 report", 2: "2 reports", 5: "5 reports", 11: "11 reports", 12: "12 reports",
           21: "21 reports", 22: "22 reports", 25: "25 reports", 101: "101 reports", 111: "111 reports"},
    "lt": {0: "0 ataskaitų", 1: "1 ataskaita", 2: "2 ataskaitos", 5: "5 ataskaitos", 11: "11 ataskaitų",
           12: "12 ataskaitų", 21: "21 ataskaita", 22: "22 ataskaitos", 25: "25 ataskaitos", 101: "101 ataskaita",
           111: "111 ataskaitų"},
    "pl": {0: "0 raportów", 1: "1 raport", 2: "2 raporty", 5: "5 raportów", 11: "11 raportów", 12: "12 raportów",
           21: "21 raportów", 22: "22 raporty", 25: "25 raportów", 101: "101 raportów", 111: "111 raportów"},
    "lv": {0: "0 pārskatu", 1: "1 pārskats", 2: "2 pārskati", 5: "5 pārskati", 11: "11 pārskatu",
           12: "12 pārskatu", 21: "21 pārskats", 22: "22 pārskati", 25: "25 pārskati", 101: "101 pārskats",
           111: "111 pārskatu"},
}
CATEGORY = {  # the CLDR category of each of NUMBERS, by hand
    "en": ["other", "one"] + ["other"] * 9,
    "lt": ["other", "one", "few", "few", "other", "other", "one", "few", "few", "one", "other"],
    "pl": ["many", "one", "few", "many", "many", "many", "many", "few", "many", "many", "many"],
    "lv": ["zero", "one", "other", "other", "zero", "zero", "one", "other", "other", "one", "zero"],
}


# --- the catalogues are complete ---------------------------------------------------------------------------

def test_the_catalogues_hold_every_text_and_name():
    assert len(POT) > 200
    assert sum(1 for k in POT if k.startswith(("theme:", "driver:", "touchpoint:"))) == 22
    assert POT["headline"]["id"] == "Headline metrics" and POT["driver:attr_staff"]["id"] == "Staff"
    assert POT["index_n_reports"] == {"id": "{n} report", "plural": "{n} reports", "fuzzy": False,
                                      "strings": ["", ""]}


@pytest.mark.parametrize("lang", ["lt", "pl", "lv"])
def test_every_key_has_a_non_empty_non_fuzzy_translation(lang):
    headers, entries = PO[lang]
    assert set(entries) == set(POT)
    for key, e in entries.items():
        assert not e["fuzzy"], key
        assert e["id"] == POT[key]["id"] and e["plural"] == POT[key]["plural"], key
        assert e["strings"] and all(s.strip() for s in e["strings"]), key
        if e["plural"]:
            assert len(e["strings"]) == {"lt": 4, "pl": 4, "lv": 3}[lang], key


@pytest.mark.parametrize("lang", ["lt", "pl", "lv"])
def test_the_plural_forms_header_follows_cldr_for_whole_numbers(lang):
    headers, _ = PO[lang]
    assert headers["Language"] == lang
    nplurals, expr = re.fullmatch(r"nplurals=(\d+); plural=(.*);", headers["Plural-Forms"]).groups()
    order = {"lt": ["one", "few", "many", "other"], "pl": ["one", "few", "many", "other"],
             "lv": ["zero", "one", "other"]}[lang]
    assert int(nplurals) == len(order)
    plural = gettext.c2py(expr)
    for n in range(0, 1001):
        assert order[plural(n)] == CLDR[lang](str(n)), n


# --- plural forms -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "lt", "pl", "lv"])
def test_plural_forms_follow_the_cldr_rules(lang):
    assert [CLDR[lang](str(n)) for n in NUMBERS] == CATEGORY[lang]
    for n in NUMBERS:
        assert tn("index_n_reports", n, lang).format(n=n) == REPORTS[lang][n], n
        assert _catalogue.PLURAL_CATEGORIES[lang][_catalogue.plural_index(n, lang)] == CLDR[lang](str(n))


@pytest.mark.parametrize("lang, text, category", [
    ("lt", "1,5", "many"), ("lt", "2,0", "few"), ("lt", "10,5", "many"), ("lt", "1 021", "one"),
    ("pl", "1,5", "other"), ("pl", "2,0", "other"), ("pl", "1 234", "few"),
    ("lv", "0,1", "one"), ("lv", "2,5", "other"), ("lv", "10,0", "zero"), ("lv", "0,11", "zero"),
    ("en", "1.0", "other"), ("en", "1,001", "other"),
])
def test_decimal_numbers_take_the_form_cldr_gives_them(lang, text, category):
    plain = text.replace(NBSP, "").replace(" ", "")
    plain = plain.replace(",", "") if lang == "en" else plain.replace(",", ".")
    assert CLDR[lang](plain) == category
    assert _catalogue.PLURAL_CATEGORIES[lang][_catalogue.plural_index(text, lang)] == category


def test_counted_words_of_the_summary_in_words():
    assert tn("narr_u_points", "8,2", "lt").format(x="8,2") == "8,2 punkto"
    assert tn("narr_u_points", "8,2", "pl").format(x="8,2") == "8,2 punktu"
    assert tn("narr_u_points", "2,1", "lv").format(x="2,1") == "2,1 punktu"
    assert tn("narr_u_points", "2,5", "lv").format(x="2,5") == "2,5 punktiem"
    assert tn("narr_c_answers", 1, "en") == "{n} answer" and tn("narr_c_answers", 0, "en") == "{n} answers"
    assert tn("narr_c_comments", "5", "pl") == "{n} komentarzy"
    assert tn("headline", 3, "lt") == "Pagrindiniai rodikliai"  # not a counted word: as t() gives it
    assert tn("no_such_key", 3, "lt") == "no_such_key"
    assert t("index_n_reports", "pl") == "{n} raportu"  # t() of a counted word: CLDR's "other" form


# --- the round trip catalogue -> t() / tn() / name_of() ----------------------------------------------------

EXAMPLE = {"en": {"one": "1", "other": "2"}, "lt": {"one": "1", "few": "2", "many": "1,5", "other": "10"},
           "pl": {"one": "1", "few": "2", "many": "5", "other": "1,5"}, "lv": {"zero": "10", "one": "1", "other": "2"}}


@pytest.mark.parametrize("lang", ["en", "lt", "pl", "lv"])
def test_every_catalogue_entry_reaches_the_report_unchanged(lang):
    entries = POT if lang == "en" else PO[lang][1]
    order = {"en": ["one", "other"], "lt": ["one", "few", "many", "other"], "pl": ["one", "few", "many", "other"],
             "lv": ["zero", "one", "other"]}[lang]
    for key, e in entries.items():
        if lang == "en":
            forms = [e["id"], e["plural"]] if e["plural"] else [e["id"]]
        else:
            forms = e["strings"]
        if e["plural"]:
            for category, form in zip(order, forms):
                assert tn(key, EXAMPLE[lang][category], lang) == form, (key, category)
        elif ":" in key:
            kind, name = key.split(":", 1)
            assert name_of(kind, name, lang) == forms[0], key
        else:
            assert t(key, lang) == forms[0], key


def test_unknown_keys_and_languages():
    assert t("no_such_label", "lv") == "no_such_label"
    assert name_of("driver", "attr_parking", "pl") == "Parking"
    with pytest.raises(i18n.ConfigError):
        t("headline", "de")


def test_a_key_still_in_the_dict_is_used_before_the_catalogue(monkeypatch):
    monkeypatch.setitem(i18n._STRINGS, "headline", {"en": "Key figures", "lt": "Svarbiausi skaičiai"})
    assert t("headline", "lt") == "Svarbiausi skaičiai" and t("headline", "pl") == "Key figures"
    monkeypatch.setitem(i18n._NAMES, "theme", {"parking": ("Parking", "Parkavimas", "Parking", "Autostāvvieta")})
    assert name_of("theme", "parking", "lv") == "Autostāvvieta"


# --- the maintainer commands ----------------------------------------------------------------------------

def test_check_finds_nothing_on_the_repository():
    proc = subprocess.run([sys.executable, "-m", "cxkit.i18n_catalogue", "check"], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == "" and f"{len(POT)} texts, 0 problems" in proc.stderr


def _copy_locale(tmp_path) -> Path:
    target = tmp_path / "locale"
    shutil.copytree(LOCALE, target)
    return target


def _drop_entry(po: Path, key: str) -> None:
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    kept = [b for b in blocks if f'msgctxt "{key}"\n' not in b + "\n"]
    assert len(kept) == len(blocks) - 1
    po.write_text("\n\n".join(kept), encoding="utf-8")


def test_check_fails_on_a_missing_an_empty_and_a_fuzzy_translation(tmp_path, capsys):
    locale = _copy_locale(tmp_path)
    _drop_entry(locale / "lt" / "LC_MESSAGES" / "cxkit.po", "trends")
    assert i18n_catalogue.main(["check", "--locale-dir", str(locale)]) == 1
    assert "lt: trends: missing" in capsys.readouterr().out.splitlines()
    pl = locale / "pl" / "LC_MESSAGES" / "cxkit.po"
    pl.write_text(pl.read_text(encoding="utf-8").replace('msgstr "Trendy"', 'msgstr ""')
                  .replace('msgctxt "headline"', '#, fuzzy\nmsgctxt "headline"'), encoding="utf-8")
    lv = locale / "lv" / "LC_MESSAGES" / "cxkit.po"
    lv.write_text(lv.read_text(encoding="utf-8").replace("Visu saskarsmes punktu NPS: {value}",
                                                         "Visu saskarsmes punktu NPS: {vertiba}"), encoding="utf-8")
    problems = i18n_catalogue.check(locale)
    assert {"lt: trends: missing", "pl: trends: empty", "pl: headline: fuzzy"} <= set(problems)
    assert "lv: journey_overall: placeholders ['vertiba'] instead of ['value']" in problems


def test_check_lists_keys_the_code_uses_but_no_catalogue_has(tmp_path):
    code = tmp_path / "cxkit"
    code.mkdir()
    (code / "part.py").write_text('title = t("no_such_heading", lang)\nword = tn("index_n_reports", 2, lang)\n')
    assert i18n_catalogue.check(code_dir=code) == ["no_such_heading: used in cxkit/part.py but in no catalogue"]


def test_import_dict_moves_new_keys_and_is_idempotent(tmp_path, monkeypatch):
    locale = _copy_locale(tmp_path)
    source = tmp_path / "i18n.py"
    source.write_text('X = 1\n_STRINGS: dict = {\n    "a": {"en": "A"},\n}\n_NAMES: dict = {"theme": {}}  # names\n'
                      'Y = 2\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "_STRINGS", {"new_heading": {"en": "Waiting", "lt": "Laukimas", "pl": "Oczekiwanie",
                                                           "lv": "Gaidīšana"},
                                           "new_count": {"en": ("{n} visit", "{n} visits"),
                                                         "lt": ("{n} apsilankymas", "{n} apsilankymai",
                                                                "{n} apsilankymo", "{n} apsilankymų"),
                                                         "pl": ("{n} wizyta", "{n} wizyty", "{n} wizyt",
                                                                "{n} wizyty"),
                                                         "lv": ("{n} apmeklējumu", "{n} apmeklējums",
                                                                "{n} apmeklējumi")}})
    monkeypatch.setattr(i18n, "_NAMES", {"theme": {"parking": ("Parking", "Parkavimas", "Parking", "Autostāvvieta")}})
    try:
        assert i18n_catalogue.import_dict(locale, source) == 3
        assert source.read_text(encoding="utf-8") == "X = 1\n_STRINGS: dict = {}\n_NAMES: dict = {}  # names\nY = 2\n"
        pot, lt = parse_po(locale / "cxkit.pot")[1], parse_po(locale / "lt" / "LC_MESSAGES" / "cxkit.po")[1]
        assert set(pot) == set(POT) | {"new_heading", "new_count", "theme:parking"}
        assert lt["new_count"]["strings"] == ["{n} apsilankymas", "{n} apsilankymai", "{n} apsilankymo",
                                              "{n} apsilankymų"]
        assert lt["new_heading"]["strings"] == ["Laukimas"] and lt["headline"] == PO["lt"][1]["headline"]
        (tmp_path / "code").mkdir()
        assert i18n_catalogue.check(locale, code_dir=tmp_path / "code") == []
        before = {p: p.read_bytes() for p in locale.rglob("*.po*")}
        assert i18n_catalogue.import_dict(locale, source) == 0
        assert {p: p.read_bytes() for p in locale.rglob("*.po*")} == before
    finally:
        _catalogue.texts.cache_clear()


def test_import_cxkit_does_not_load_babel_or_a_catalogue():
    code = ("import sys, cxkit; print('babel' in sys.modules, cxkit.i18n._catalogue.texts.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "0"]


# --- numbers, percents and dates (CLDR through Babel) ----------------------------------------------------

def test_percent_signs_as_cldr_writes_them():
    assert format_percent_local(45.23, "en") == "45.2%"
    assert format_percent_local(45.23, "pl") == "45,2%"
    assert format_percent_local(45.23, "lv") == "45,2%"
    assert format_percent_local(45.23, "lt") == "45,2" + NBSP + "%"
    assert format_percent_local(-3.0, "pl", 0) == "−3%"
    assert format_percent_local(float("nan"), "lv") == "–"


def test_grouping_decimal_comma_and_minus_sign():
    assert format_number_local(1234567.891, "en", 2) == "1,234,567.89"
    for lang in ("lt", "pl", "lv"):
        assert format_number_local(1234567.891, lang, 2) == f"1{NBSP}234{NBSP}567,89"
        assert format_number_local(-12345.6, lang) == f"−12{NBSP}345,6"  # U+2212, not a hyphen
    assert format_number_local(-0.04, "pl") == "0,0"  # rounds to zero: no sign
    assert format_number_local(3.26, "lt", signed=True) == "+3,3"
    assert format_number_local(0.0, "lt", signed=True) == "0,0"
    assert format_number_local(7, "lv", digits=0) == "7"
    assert format_number_local(None, "en") == "–"


def test_dates_as_cldr_writes_them():
    day = dt.date(2025, 3, 1)
    assert format_date_local(day, "en") == "1 Mar 2025"
    assert format_date_local(day, "lt") == "2025-03-01"
    assert format_date_local(day, "pl") == "1.03.2025"
    assert format_date_local(day, "lv") == "01.03.2025"
    assert format_date_local(None, "lv") == "–"


def test_a_timestamp_is_a_date_in_lithuanian_not_an_iso_timestamp(tmp_path):
    """Once written 2025-10-01T00:00:00: the index page of a Lithuanian batch shows dates only."""
    assert format_date_local(pd.Timestamp("2025-10-01 00:00:00"), "lt") == "2025-10-01"
    assert format_date_local(dt.datetime(2025, 10, 1, 13, 5), "lt") == "2025-10-01"
    text = write_index(tmp_path, _manifest(2), lang="lt").read_text(encoding="utf-8")
    assert "Laikotarpis: 2025-10-01 – 2025-12-31" in text and "Sugeneruota: 2026-01-05 10:00" in text
    assert "T00:00" not in text and "T10:00" not in text


def _manifest(n_units: int) -> dict:
    head = {"value": 10.0, "ci_low": 5.0, "ci_high": 15.0, "n": 100, "significant": False,
            "direction": "no difference", "good": False, "p_adjusted": 0.5, "higher_is_better": True}
    units = [{"group": f"Unit {i}", "slug": f"u{i}", "status": "done", "error": None, "html": f"units/u{i}.html",
              "pdf": None, "headline": {"nps": dict(head)}, "responses_in_period": 100} for i in range(n_units)]
    return {"units": units, "units_without_responses": [],
            "parameters": {"period_start": pd.Timestamp("2025-10-01"), "period_end": "2025-12-31", "level": "unit",
                           "confidence": 0.95},
            "created": "2026-01-05T10:00:00", "data": {"rows_rejected": 0},
            "summary": {"status": "done", "error": None, "html": "summary.html", "headline": {"nps": dict(head)}}}


@pytest.mark.parametrize("lang, n, words", [("en", 1, "1 report"), ("pl", 1, "1 raport"), ("pl", 2, "2 raporty"),
                                            ("pl", 5, "5 raportów"), ("lt", 1, "1 ataskaita"),
                                            ("lt", 2, "2 ataskaitos"), ("lt", 10, "10 ataskaitų"),
                                            ("lv", 1, "1 pārskats"), ("lv", 2, "2 pārskati"),
                                            ("lv", 10, "10 pārskatu")])
def test_the_index_page_counts_its_reports_in_the_right_plural(tmp_path, lang, n, words):
    text = write_index(tmp_path, _manifest(n), lang=lang).read_text(encoding="utf-8")
    assert re.search(r"&middot; " + re.escape(words) + r"\s", text), words
