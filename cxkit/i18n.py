"""Report languages: English, Lithuanian, Polish, Latvian.

Labels and headings (:func:`t`), and number and date formats as each locale
writes them: decimal comma and a space between thousands in lt / pl / lv, dates
``2025-12-31`` (lt), ``31.12.2025`` (pl), ``31.12.2025.`` (lv), ``31 Dec 2025`` (en).
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from .errors import ConfigError

__all__ = ["LANGUAGES", "t", "format_number_local", "format_date_local", "format_percent_local"]

LANGUAGES = ("en", "lt", "pl", "lv")

_STRINGS: dict[str, dict[str, str]] = {
    # headings
    "report_title": {"en": "Customer experience report", "lt": "Klientų patirties ataskaita",
                     "pl": "Raport doświadczeń klientów", "lv": "Klientu pieredzes pārskats"},
    "summary_title": {"en": "Customer experience: leadership summary", "lt": "Klientų patirtis: vadovybės santrauka",
                      "pl": "Doświadczenia klientów: podsumowanie dla zarządu", "lv": "Klientu pieredze: kopsavilkums vadībai"},
    "index_title": {"en": "Customer experience reports", "lt": "Klientų patirties ataskaitos",
                    "pl": "Raporty doświadczeń klientów", "lv": "Klientu pieredzes pārskati"},
    "headline": {"en": "Headline metrics", "lt": "Pagrindiniai rodikliai", "pl": "Kluczowe wskaźniki", "lv": "Galvenie rādītāji"},
    "trends": {"en": "Trends", "lt": "Tendencijos", "pl": "Trendy", "lv": "Tendences"},
    "journey": {"en": "Customer journey: touchpoints", "lt": "Kliento kelionė: sąlyčio taškai",
                "pl": "Ścieżka klienta: punkty styku", "lv": "Klienta ceļš: saskarsmes punkti"},
    "outcomes": {"en": "Satisfaction, churn and revenue", "lt": "Pasitenkinimas, klientų praradimas ir pajamos",
                 "pl": "Satysfakcja, odejścia klientów i przychody", "lv": "Apmierinātība, klientu aiziešana un ieņēmumi"},
    "drivers": {"en": "What drives the score", "lt": "Kas lemia vertinimą", "pl": "Co wpływa na ocenę",
                "lv": "Kas nosaka vērtējumu"},
    "themes": {"en": "What customers write about", "lt": "Apie ką rašo klientai", "pl": "O czym piszą klienci",
               "lv": "Par ko raksta klienti"},
    "data_notes": {"en": "Data notes and methods", "lt": "Duomenų pastabos ir metodai", "pl": "Uwagi o danych i metody",
                   "lv": "Datu piezīmes un metodes"},
    "league": {"en": "All units side by side", "lt": "Visi padaliniai greta", "pl": "Wszystkie jednostki obok siebie",
               "lv": "Visas vienības blakus"},
    "movers": {"en": "Biggest movers", "lt": "Didžiausi pokyčiai", "pl": "Największe zmiany", "lv": "Lielākās izmaiņas"},
    "units_vs_outcomes": {"en": "Unit NPS vs churn and revenue", "lt": "Padalinių NPS, klientų praradimas ir pajamos",
                          "pl": "NPS jednostek a odejścia i przychody", "lv": "Vienību NPS, aiziešana un ieņēmumi"},
    "regions": {"en": "Regions", "lt": "Regionai", "pl": "Regiony", "lv": "Reģioni"},
    # labels
    "unit": {"en": "Unit", "lt": "Padalinys", "pl": "Jednostka", "lv": "Vienība"},
    "region": {"en": "Region", "lt": "Regionas", "pl": "Region", "lv": "Reģions"},
    "period": {"en": "Period", "lt": "Laikotarpis", "pl": "Okres", "lv": "Periods"},
    "generated": {"en": "Generated", "lt": "Sugeneruota", "pl": "Wygenerowano", "lv": "Izveidots"},
    "metric": {"en": "Metric", "lt": "Rodiklis", "pl": "Wskaźnik", "lv": "Rādītājs"},
    "value": {"en": "Value", "lt": "Reikšmė", "pl": "Wartość", "lv": "Vērtība"},
    "ci": {"en": "95% CI", "lt": "95% PI", "pl": "95% PU", "lv": "95% TI"},
    "n": {"en": "n", "lt": "n", "pl": "n", "lv": "n"},
    "vs_rest": {"en": "vs rest of company", "lt": "palyginti su likusia įmone", "pl": "wobec reszty firmy",
                "lv": "pret pārējo uzņēmumu"},
    "vs_target": {"en": "vs target", "lt": "palyginti su tikslu", "pl": "wobec celu", "lv": "pret mērķi"},
    "vs_previous": {"en": "vs previous period", "lt": "palyginti su ankstesniu laikotarpiu", "pl": "wobec poprzedniego okresu",
                    "lv": "pret iepriekšējo periodu"},
    "vs_year_ago": {"en": "vs a year earlier", "lt": "palyginti su praėjusiais metais", "pl": "wobec roku wcześniej",
                    "lv": "pret gadu iepriekš"},
    "status": {"en": "Status", "lt": "Būsena", "pl": "Status", "lv": "Statuss"},
    "done": {"en": "done", "lt": "parengta", "pl": "gotowe", "lv": "gatavs"},
    "failed": {"en": "failed", "lt": "nepavyko", "pl": "błąd", "lv": "neizdevās"},
    "report": {"en": "Report", "lt": "Ataskaita", "pl": "Raport", "lv": "Pārskats"},
    "higher": {"en": "higher", "lt": "aukštesnis", "pl": "wyższy", "lv": "augstāks"},
    "lower": {"en": "lower", "lt": "žemesnis", "pl": "niższy", "lv": "zemāks"},
    "no_difference": {"en": "no significant difference", "lt": "reikšmingo skirtumo nėra", "pl": "brak istotnej różnicy",
                      "lv": "nav būtiskas atšķirības"},
    "not_tested": {"en": "too few answers to test", "lt": "per mažai atsakymų", "pl": "za mało odpowiedzi",
                   "lv": "pārāk maz atbilžu"},
    "not_shown": {"en": "not shown (too few answers)", "lt": "nerodoma (per mažai atsakymų)",
                  "pl": "nie pokazano (za mało odpowiedzi)", "lv": "netiek rādīts (pārāk maz atbilžu)"},
    "significant_note": {"en": "▲/▼ significant after correction for multiple comparisons",
                         "lt": "▲/▼ reikšminga po daugkartinių palyginimų pataisos",
                         "pl": "▲/▼ istotne po korekcie na wielokrotne porównania",
                         "lv": "▲/▼ būtiski pēc vairākkārtējo salīdzinājumu korekcijas"},
    "nps": {"en": "NPS", "lt": "NPS", "pl": "NPS", "lv": "NPS"},
    "csat": {"en": "CSAT (% satisfied)", "lt": "CSAT (% patenkintų)", "pl": "CSAT (% zadowolonych)", "lv": "CSAT (% apmierināto)"},
    "ces": {"en": "CES (% easy)", "lt": "CES (% lengva)", "pl": "CES (% łatwo)", "lv": "CES (% viegli)"},
    "first_response_time": {"en": "First response (median hours)", "lt": "Pirmas atsakymas (medianos val.)",
                            "pl": "Pierwsza odpowiedź (mediana godz.)", "lv": "Pirmā atbilde (mediāna, st.)"},
    "churn_rate": {"en": "Churn rate (%, 12 months)", "lt": "Klientų praradimas (%, 12 mėn.)",
                   "pl": "Odejścia klientów (%, 12 mies.)", "lv": "Klientu aiziešana (%, 12 mēn.)"},
    "failed_units": {"en": "Units that failed", "lt": "Nepavykę padaliniai", "pl": "Jednostki z błędem",
                     "lv": "Vienības ar kļūdu"},
    "leadership_summary": {"en": "Leadership summary", "lt": "Vadovybės santrauka", "pl": "Podsumowanie dla zarządu",
                           "lv": "Kopsavilkums vadībai"},
    "rows_in": {"en": "rows in", "lt": "eilučių", "pl": "wierszy", "lv": "rindas"},
    "rows_rejected": {"en": "rows rejected", "lt": "atmesta eilučių", "pl": "odrzucone wiersze", "lv": "noraidītās rindas"},
}


def t(key: str, lang: str = "en") -> str:
    """A label in the report language (falls back to English, then to the key).

    Examples
    --------
    >>> t("headline", "lt")
    'Pagrindiniai rodikliai'
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} - expected one of {', '.join(LANGUAGES)}")
    entry = _STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]


def _check(lang: str):
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} - expected one of {', '.join(LANGUAGES)}")


def format_number_local(value, lang: str = "en", digits: int = 1, signed: bool = False) -> str:
    """A number as the locale writes it; missing values as an en dash.

    Examples
    --------
    >>> format_number_local(12345.678, "en")
    '12,345.7'
    >>> format_number_local(12345.678, "lt") == "12\u00a0345,7"  # no-break space between thousands
    True
    >>> format_number_local(-3.25, "pl", digits=2, signed=True)
    '−3,25'
    """
    _check(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    try:
        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    r = round(float(value), digits)
    text = f"{abs(r):,.{digits}f}"
    if lang != "en":
        text = text.replace(",", "\u00a0").replace(".", ",")
    sign = "−" if r < 0 else ("+" if signed and r > 0 else "")
    return sign + text


def format_percent_local(value, lang: str = "en", digits: int = 1) -> str:
    """A percentage (already 0-100) with the locale's spacing: ``45.2%`` / ``45,2 %``."""
    text = format_number_local(value, lang, digits)
    if text == "–":
        return text
    return text + ("%" if lang == "en" else "\u00a0%")


_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def format_date_local(value, lang: str = "en") -> str:
    """A date as the locale writes it.

    Examples
    --------
    >>> [format_date_local("2025-12-31", lang) for lang in ("en", "lt", "pl", "lv")]
    ['31 Dec 2025', '2025-12-31', '31.12.2025', '31.12.2025.']
    """
    _check(lang)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    d = pd.Timestamp(value).date() if not isinstance(value, dt.date) else value
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    if lang == "lt":
        return d.isoformat()
    if lang == "pl":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    return f"{d.day:02d}.{d.month:02d}.{d.year}."
