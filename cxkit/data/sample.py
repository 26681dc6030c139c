"""Deterministic sample data with known, planted effects.

``generate(rows, seed)`` returns the five tables of the data contract for 10
business units in Lithuania, Latvia and Poland over 24 months, with comments in
Lithuanian, Polish, Latvian and English. Effects are planted so analyses and
tests can check they are found (see :data:`PLANTED`):

* detractors churn about 2.5x as fast as promoters (passives 1.5x);
* one unit (:data:`PLANTED` ``["worse_unit"]``) has a clearly lower NPS;
* the ordering & delivery rating dominates the overall score;
* slow first responses lower CSAT.

Everything is vectorised: 10 million responses take well under a minute.
"""
from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import ConfigError

__all__ = ["generate", "write_sample", "sample_data_path", "PLANTED"]

START = np.datetime64("2024-01-01")
END = np.datetime64("2025-12-31")

#: (unit, region, country, size weight, NPS shift)
UNITS = [
    ("Vilnius Akropolis", "Lithuania", "lt", 1.4, 0.10),
    ("Vilnius Ozas", "Lithuania", "lt", 1.0, 0.05),
    ("Kaunas Mega", "Lithuania", "lt", 1.1, -0.60),
    ("Klaipėda Centras", "Lithuania", "lt", 0.8, 0.00),
    ("Rīga Centrs", "Latvia", "lv", 1.2, 0.05),
    ("Rīga Alfa", "Latvia", "lv", 0.9, -0.05),
    ("Liepāja", "Latvia", "lv", 0.6, 0.08),
    ("Warszawa Centrum", "Poland", "pl", 1.5, 0.00),
    ("Kraków Galeria", "Poland", "pl", 1.0, 0.05),
    ("Gdańsk Oliwa", "Poland", "pl", 0.8, -0.03),
]

#: Touchpoints of the source material (seed 000).
TOUCHPOINTS = ["store", "product", "ordering_delivery", "billing", "website", "service_phone", "service_email",
               "service_chat", "social_media"]
TOUCHPOINT_WEIGHTS = np.array([0.20, 0.12, 0.20, 0.08, 0.12, 0.10, 0.08, 0.06, 0.04])
SERVICE = {"service_phone": "phone", "service_email": "email", "service_chat": "chat", "social_media": "social"}
#: median first-response hours by channel
CHANNEL_HOURS = {"phone": 0.5, "email": 9.0, "chat": 0.2, "social": 5.0, "store": 2.0}

#: attribute ratings (0-10) and their weight on the overall score; delivery dominates.
ATTRIBUTES = {"attr_delivery": 0.55, "attr_staff": 0.16, "attr_product": 0.12, "attr_price": 0.08,
              "attr_website": 0.05, "attr_billing": 0.04}

SEGMENTS = ["Consumer", "SME", "Corporate"]
SEGMENT_WEIGHTS = np.array([0.75, 0.20, 0.05])
SEGMENT_ARPU = np.array([28.0, 140.0, 650.0])  # monthly revenue, EUR

#: What the generator plants; analyses must recover these.
PLANTED = {
    "worse_unit": "Kaunas Mega",
    "dominant_driver": "attr_delivery",
    "dominant_touchpoint": "ordering_delivery",
    "hazard_ratio_detractor_vs_promoter": 2.5,
    "hazard_ratio_passive_vs_promoter": 1.5,
    "monthly_hazard_promoter": 0.010,
    "csat_latent_per_doubling_of_response_time": -0.30,
    "revenue_uplift_promoter_vs_detractor": 0.15,
    "data_start": "2024-01-01",
    "data_end": "2025-12-31",
}

# Comment fragments per language and theme: (negative, positive). Inflected forms on purpose.
PHRASES = {
    "lt": {
        "delivery": (["Pristatymas vėlavo dvi dienas.", "Kurjeris neatvežė siuntos laiku, pristatymo laukiau savaitę.",
                      "Labai nusivyliau pristatymu.", "Prašau pagerinti pristatymą."],
                     ["Greitas pristatymas, ačiū!", "Pristatymas buvo kitą dieną."]),
        "price": (["Per didelės kainos.", "Kaina neatitinka kokybės, brangu."],
                  ["Gera kaina.", "Kainos priimtinos."]),
        "staff": (["Darbuotojai nemandagūs.", "Konsultantas nieko nepaaiškino."],
                  ["Labai malonus personalas.", "Darbuotoja puikiai patarė."]),
        "waiting": (["Ilgai laukiau eilėje.", "Laukimas telefonu truko pusvalandį."],
                    ["Nereikėjo laukti.", "Aptarnavo be eilės."]),
        "website": (["Svetainė strigo apmokant.", "Neveikia puslapio paieška."],
                    ["Patogi svetainė.", "Lengva užsisakyti internetu."]),
        "billing": (["Sąskaita neteisinga, du kartus nuskaičiavo.", "Nesuprantama sąskaitos suma."],
                    ["Aiški sąskaita.", "Sąskaitos ateina laiku."]),
        "quality": (["Prekė sugedo po savaitės, prasta kokybė.", "Produktas su defektu."],
                    ["Puiki kokybė.", "Prekės kokybiškos."]),
    },
    "lv": {
        "delivery": (["Piegāde kavējās divas dienas.", "Kurjers neatveda sūtījumu laikā, piegādi gaidīju nedēļu.",
                      "Esmu vīlies piegādē.", "Lūdzu uzlabot piegādi."],
                     ["Ātra piegāde, paldies!", "Piegādes ātrums lielisks."]),
        "price": (["Pārāk augstas cenas.", "Cena neatbilst kvalitātei, dārgi."],
                  ["Laba cena.", "Cenas pieņemamas."]),
        "staff": (["Darbinieki nepieklājīgi.", "Konsultants neko nepaskaidroja."],
                  ["Ļoti laipns personāls.", "Darbiniece lieliski ieteica."]),
        "waiting": (["Ilgi gaidīju rindā.", "Gaidīšana pa telefonu ilga pusstundu."],
                    ["Nebija jāgaida.", "Apkalpoja bez rindas."]),
        "website": (["Mājaslapa uzkārās maksājot.", "Nestrādā vietnes meklēšana."],
                    ["Ērta mājaslapa.", "Viegli pasūtīt internetā."]),
        "billing": (["Rēķins nepareizs, noņēma divreiz.", "Nesaprotama rēķina summa."],
                    ["Skaidrs rēķins.", "Rēķini pienāk laikā."]),
        "quality": (["Prece salūza pēc nedēļas, slikta kvalitāte.", "Produkts ar defektu."],
                    ["Izcila kvalitāte.", "Kvalitatīvas preces."]),
    },
    "pl": {
        "delivery": (["Dostawa spóźniła się dwa dni.",
                      "Kurier nie dostarczył paczki na czas, na dostawę czekałem tydzień.",
                      "Jestem rozczarowany dostawą.", "Proszę poprawić dostawę."],
                     ["Szybka dostawa, dziękuję!", "Dostawy zawsze na czas."]),
        "price": (["Za wysokie ceny.", "Cena nieadekwatna do jakości, drogo."],
                  ["Dobra cena.", "Ceny przystępne."]),
        "staff": (["Pracownicy niegrzeczni.", "Konsultant niczego nie wyjaśnił."],
                  ["Bardzo miły personel.", "Pracownica świetnie doradziła."]),
        "waiting": (["Długo czekałem w kolejce.", "Czekanie na infolinii trwało pół godziny."],
                    ["Nie trzeba było czekać.", "Obsłużono mnie bez kolejki."]),
        "website": (["Strona zawiesiła się przy płatności.", "Nie działa wyszukiwarka na stronie."],
                    ["Wygodna strona.", "Łatwo zamówić przez internet."]),
        "billing": (["Faktura błędna, pobrano dwa razy.", "Niezrozumiała kwota na fakturze."],
                    ["Przejrzysta faktura.", "Faktury przychodzą na czas."]),
        "quality": (["Produkt zepsuł się po tygodniu, słaba jakość.", "Towar z wadą."],
                    ["Świetna jakość.", "Produkty dobrej jakości."]),
    },
    "en": {
        "delivery": (["Delivery was two days late.",
                      "The courier did not deliver on time, I waited a week for delivery.",
                      "Disappointed with the delivery.", "Please improve deliveries."],
                     ["Fast delivery, thanks!", "Delivered the next day."]),
        "price": (["Prices are too high.", "Too expensive for the quality."],
                  ["Good price.", "Fair prices."]),
        "staff": (["Staff were rude.", "The consultant explained nothing."],
                  ["Very friendly staff.", "The assistant gave great advice."]),
        "waiting": (["Long wait in the queue.", "Waited on the phone for half an hour."],
                    ["No waiting at all.", "Served without a queue."]),
        "website": (["The website froze at checkout.", "Site search does not work."],
                    ["Easy to use website.", "Easy to order online."]),
        "billing": (["Wrong invoice, charged twice.", "Confusing bill amount."],
                    ["Clear invoice.", "Bills arrive on time."]),
        "quality": (["Broke after a week, poor quality.", "The product was faulty."],
                    ["Great quality.", "High quality products."]),
    },
}
#: theme most related to each attribute (negative comments follow the weakest attribute)
ATTRIBUTE_THEME = {"attr_delivery": "delivery", "attr_staff": "staff", "attr_product": "quality",
                   "attr_price": "price", "attr_website": "website", "attr_billing": "billing"}
THEMES = ["delivery", "price", "staff", "waiting", "website", "billing", "quality"]
PII = {
    "lt": ["Susisiekite: jonas.petraitis@example.lt", "Mano tel. +370 612 34567", "asmens kodas 38501010000"],
    "lv": ["Rakstiet: anna.berzina@example.lv", "Mans tālr. +371 2612 3456", "personas kods 010185-12345"],
    "pl": ["Kontakt: jan.kowalski@example.pl", "Mój tel. +48 601 234 567", "PESEL 85010112345"],
    "en": ["Email me at john.smith@example.com", "Call 07700 900123", "card 4111 1111 1111 1111 was charged"],
}


def _ids(prefix: str, numbers: np.ndarray) -> pd.Series:
    """``prefix`` + number as Arrow-backed strings (fast for millions of ids)."""
    import pyarrow.compute as pc

    arr = pc.binary_join_element_wise(prefix, pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), "")
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _days(a: np.ndarray) -> np.ndarray:
    return a.astype("datetime64[D]")


def _unit_list(units: int | None):
    """The 10 named units, or ``units`` units: the named ones first, then numbered ones."""
    if units is None:
        return UNITS
    if units < 1:
        raise ConfigError(f"units={units} - expected at least 1")
    countries = [("Lithuania", "lt"), ("Latvia", "lv"), ("Poland", "pl")]
    extra = [(f"Unit {i + 1:03d}", countries[i % 3][0], countries[i % 3][1], 1.0, 0.0)
             for i in range(len(UNITS), units)]
    return (UNITS + extra)[:units]


def generate(rows: int = 20_000, seed: int = 42, *, units: int | None = None,
             _ready=None) -> dict[str, pd.DataFrame]:
    """Generate the five tables with ``rows`` survey responses.

    ``units``: how many business units (default: the 10 named ones; more are numbered and
    spread over the three countries, e.g. 200 for the benchmark).

    The same ``rows``, ``seed`` and ``units`` always give the same tables. There
    are half as many customers as responses (at least 100), a ticket for every
    response about a service touchpoint plus a quarter as many others, quarterly
    invoices in 2024-2025 while a customer is active, and the units with their
    region and targets. The planted effects are listed in :data:`PLANTED`.

    Parameters
    ----------
    rows : int, default 20000
        Number of survey responses; at least 100.
    seed : int, default 42
        Seed of the random numbers.
    units : int, optional
        How many business units; see above. At least 1; fewer than 10 takes the
        first named ones.
    _ready : callable, optional
        ``_ready(name, frame)``, if given, is called as soon as a table is complete (it is not
        changed afterwards), so :func:`write_sample` writes it while the next one is made.
        Internal; analysts leave it out.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables of the data contract, keyed ``responses``, ``tickets``,
        ``customers``, ``revenue``, ``units``, with the contract's types: nullable
        whole numbers for scores, ``datetime64`` for dates and date-times,
        categories for most text columns with few values.

    Raises
    ------
    ConfigError
        If ``rows`` is below 100 or ``units`` below 1.

    Examples
    --------
    >>> t = generate(rows=2000, seed=1)
    >>> sorted(t), len(t["responses"])
    (['customers', 'responses', 'revenue', 'tickets', 'units'], 2000)
    """
    if rows < 100:
        raise ConfigError(f"rows={rows} - expected at least 100 responses")
    rng = np.random.default_rng(seed)
    unit_list = _unit_list(units)
    n_units = len(unit_list)
    unit_names = np.array([u[0] for u in unit_list], dtype=object)
    unit_weight = np.array([u[3] for u in unit_list])
    unit_shift = np.array([u[4] for u in unit_list])
    unit_lang = np.array([u[2] for u in unit_list], dtype=object)

    # customers ---------------------------------------------------------------------
    n_cust = max(rows // 2, 100)
    c_unit = rng.choice(n_units, size=n_cust, p=unit_weight / unit_weight.sum())
    c_segment = rng.choice(len(SEGMENTS), size=n_cust, p=SEGMENT_WEIGHTS)
    acq_start, acq_end = np.datetime64("2021-01-01"), np.datetime64("2025-09-30")
    span = (acq_end - acq_start).astype(int)
    c_acquired = acq_start + rng.integers(0, span, size=n_cust).astype("timedelta64[D]")
    c_mood = rng.normal(0, 0.55, size=n_cust)  # customer's general disposition
    c_cac = np.round(rng.gamma(4.0, np.array([20.0, 80.0, 400.0])[c_segment] / 4.0), 2)
    c_cts = np.round(rng.gamma(3.0, np.array([40.0, 150.0, 900.0])[c_segment] / 3.0), 2)

    # responses ---------------------------------------------------------------------
    r_cust = rng.integers(0, n_cust, size=rows)
    r_unit = c_unit[r_cust]
    first_day = np.maximum(c_acquired[r_cust], START)
    span_r = (END - first_day).astype(int) + 1
    r_date = first_day + (rng.random(rows) * span_r).astype(int).astype("timedelta64[D]")
    r_tp = rng.choice(len(TOUCHPOINTS), size=rows, p=TOUCHPOINT_WEIGHTS / TOUCHPOINT_WEIGHTS.sum())
    # attribute latents share the customer's mood; ratings 0-10
    attr_latent = {}
    for name in ATTRIBUTES:
        attr_latent[name] = 0.6 * c_mood[r_cust] + rng.normal(0, 0.8, size=rows)
    overall = sum(w * attr_latent[a] for a, w in ATTRIBUTES.items())
    overall = overall / overall.std() + unit_shift[r_unit] + rng.normal(0, 0.45, size=rows)
    # service touchpoints: a ticket and its response time; slow answers hurt CSAT
    is_service = np.isin(r_tp, [TOUCHPOINTS.index(t) for t in SERVICE])
    channel_of_tp = np.array([SERVICE.get(t, "store") for t in TOUCHPOINTS], dtype=object)
    r_channel = channel_of_tp[r_tp]
    base_hours = np.array([CHANNEL_HOURS[c] for c in channel_of_tp])[r_tp]
    unit_speed = np.exp(rng.normal(0, 0.25, size=n_units))[r_unit]
    frt_hours = base_hours * unit_speed * np.exp(rng.normal(0, 1.0, size=rows))
    slow = np.where(is_service, np.log2(frt_hours / (base_hours * unit_speed)), 0.0)
    csat_latent = (0.8 * overall + 0.6 * rng.normal(size=rows)
                   + PLANTED["csat_latent_per_doubling_of_response_time"] * slow)
    nps = np.clip(np.round(7.9 + 2.1 * overall), 0, 10).astype(np.int8)
    csat = np.clip(np.round(3.9 + 0.95 * csat_latent), 1, 5).astype(np.int8)
    ces = np.clip(np.round(3.7 + 0.7 * overall + 0.8 * rng.normal(size=rows)), 1, 5).astype(np.int8)
    ratings = {a: np.clip(np.round(7.2 + 1.6 * attr_latent[a]), 0, 10).astype(np.int8) for a in ATTRIBUTES}

    responses = pd.DataFrame({
        "response_id": _ids("R", np.arange(1, rows + 1)),
        "customer_id": _ids("C", (r_cust + 1)),
        "unit": pd.Categorical.from_codes(r_unit, categories=unit_names),
        "date": _days(r_date),
        "touchpoint": pd.Categorical.from_codes(r_tp, categories=TOUCHPOINTS),
        "nps": pd.array(nps, dtype="Int8"),
        "csat": pd.array(csat, dtype="Int8"),
        "ces": pd.array(ces, dtype="Int8"),
    })
    for col, p in (("csat", 0.12), ("ces", 0.35), ("nps", 0.03)):
        responses.loc[rng.random(rows) < p, col] = pd.NA
    responses.loc[responses[["nps", "csat", "ces"]].isna().all(axis=1), "nps"] = nps[
        responses[["nps", "csat", "ces"]].isna().all(axis=1).to_numpy()]
    for a, v in ratings.items():
        col = pd.array(v, dtype="Int8")
        col[rng.random(rows) < 0.08] = pd.NA  # not every attribute is rated
        responses[a] = col
    comment, language = _comments(rng, rows, unit_lang[r_unit], nps, ratings)
    responses["comment"] = comment
    responses["language"] = pd.Categorical(language, categories=["lt", "lv", "pl", "en"])
    ready = _ready or (lambda name, frame: None)
    ready("responses", responses)

    # tickets: one for every service response, plus others --------------------------
    svc = np.flatnonzero(is_service)
    n_extra = rows // 4
    t_cust = np.concatenate([r_cust[svc], rng.integers(0, n_cust, size=n_extra)])
    t_unit = c_unit[t_cust]
    t_unit[: len(svc)] = r_unit[svc]
    extra_ch = rng.choice(["phone", "email", "chat", "social", "store"], size=n_extra, p=[0.3, 0.3, 0.2, 0.1, 0.1])
    t_channel = np.concatenate([r_channel[svc], extra_ch]).astype(object)
    t_hours = np.concatenate([frt_hours[svc], np.array([CHANNEL_HOURS[c] for c in extra_ch]) *
                              np.exp(rng.normal(0, 1.0, size=n_extra))])
    resp_day = r_date[svc]
    t_created_day = np.concatenate([resp_day - rng.integers(1, 4, size=len(svc)).astype("timedelta64[D]"),
                                    np.maximum(c_acquired[t_cust[len(svc):]], START) +
                                    (rng.random(n_extra) * (END - np.maximum(c_acquired[t_cust[len(svc):]], START))
                                     .astype(int)).astype(int).astype("timedelta64[D]")])
    t_created = (t_created_day.astype("datetime64[s]")
                 + rng.integers(8 * 3600, 18 * 3600, size=len(t_cust)).astype("timedelta64[s]"))
    t_first = t_created + (t_hours * 3600).astype(np.int64).astype("timedelta64[s]")
    resolve_seconds = np.exp(rng.normal(np.log(20), 1.0, size=len(t_cust))) * 3600
    t_resolved = t_first + resolve_seconds.astype(np.int64).astype("timedelta64[s]")
    unanswered = rng.random(len(t_cust)) < 0.02
    unanswered[: len(svc)] = False
    t_first = np.where(unanswered, np.datetime64("NaT"), t_first)
    t_resolved = np.where(unanswered | (rng.random(len(t_cust)) < 0.05), np.datetime64("NaT"), t_resolved)
    order = np.argsort(t_created, kind="stable")
    tickets = pd.DataFrame({
        "ticket_id": _ids("T", np.arange(1, len(t_cust) + 1)),
        "customer_id": _ids("C", (t_cust[order] + 1)),
        "unit": pd.Categorical.from_codes(t_unit[order], categories=unit_names),
        "channel": pd.Categorical(t_channel[order], categories=["phone", "email", "chat", "social", "store"]),
        "created_at": t_created[order].astype("datetime64[ns]"),
        "first_response_at": t_first[order].astype("datetime64[ns]"),
        "resolved_at": t_resolved[order].astype("datetime64[ns]"),
    })
    ready("tickets", tickets)

    # churn: hazard by the NPS group of the customer's latest response ----------------
    latest = pd.DataFrame({"c": r_cust, "d": r_date,
                           "nps": responses["nps"].to_numpy(dtype="float64", na_value=np.nan)})
    latest = latest.dropna().sort_values(["c", "d"]).drop_duplicates("c", keep="last")
    group = np.full(n_cust, -1)  # -1 no response, 0 detractor, 1 passive, 2 promoter
    g = np.where(latest["nps"] <= 6, 0, np.where(latest["nps"] <= 8, 1, 2))
    group[latest["c"].to_numpy()] = g
    origin = c_acquired.copy()
    origin[latest["c"].to_numpy()] = latest["d"].to_numpy().astype("datetime64[D]")
    h0 = PLANTED["monthly_hazard_promoter"]
    hazard = np.select([group == 0, group == 1, group == 2],
                       [h0 * PLANTED["hazard_ratio_detractor_vs_promoter"],
                        h0 * PLANTED["hazard_ratio_passive_vs_promoter"], h0],
                       default=h0 * 1.6)
    months_to_churn = rng.exponential(1 / hazard)
    churn_day = (origin + np.round(months_to_churn * 30.4375).astype(int).astype("timedelta64[D]")
                 + np.timedelta64(1, "D"))
    churned_at = np.where(churn_day <= END, churn_day, np.datetime64("NaT"))
    customers = pd.DataFrame({
        "customer_id": _ids("C", np.arange(1, n_cust + 1)),
        "unit": pd.Categorical.from_codes(c_unit, categories=unit_names),
        "segment": pd.Categorical.from_codes(c_segment, categories=SEGMENTS),
        "region": pd.Categorical.from_codes(np.array([["Lithuania", "Latvia", "Poland"].index(u[1])
                                                      for u in unit_list])[c_unit],
                                            categories=["Lithuania", "Latvia", "Poland"]),
        "acquired_at": _days(c_acquired).astype("datetime64[ns]"),
        "churned_at": churned_at.astype("datetime64[D]").astype("datetime64[ns]"),
        "acquisition_cost": c_cac,
        "cost_to_serve": c_cts,
    })
    ready("customers", customers)

    # revenue: quarterly invoices while active; promoters spend a bit more -----------
    uplift = np.select([group == 2, group == 1], [1 + PLANTED["revenue_uplift_promoter_vs_detractor"], 1.07], 1.0)
    monthly = SEGMENT_ARPU[c_segment] * np.exp(rng.normal(0, 0.35, size=n_cust)) * uplift
    q_starts = np.array([np.datetime64(f"{y}-{m:02d}-01") for y in (2024, 2025) for m in (1, 4, 7, 10)])
    q_ends = np.append(q_starts[1:], np.datetime64("2026-01-01"))
    cust_idx = np.repeat(np.arange(n_cust), len(q_starts))
    qs = np.tile(q_starts, n_cust)
    qe = np.tile(q_ends, n_cust)
    active_from = np.maximum(c_acquired[cust_idx], qs)
    ch = churned_at[cust_idx]
    active_to = np.where(np.isnat(ch), qe, np.minimum(ch, qe))
    days_active = (active_to - active_from).astype(int)
    keep = days_active > 0
    amount = np.round(monthly[cust_idx[keep]] * days_active[keep] / 30.4375 * np.exp(rng.normal(0, 0.1, keep.sum())), 2)
    revenue = pd.DataFrame({
        "customer_id": _ids("C", (cust_idx[keep] + 1)),
        "date": (qe[keep] - np.timedelta64(1, "D")).astype("datetime64[ns]"),
        "amount": amount,
    })
    ready("revenue", revenue)

    named_targets = [35.0, 35.0, 35.0, 30.0, 30.0, 30.0, 30.0, 35.0, 30.0, 30.0]
    units_table = pd.DataFrame({
        "unit": unit_names,
        "region": [u[1] for u in unit_list],
        "parent": [u[1] for u in unit_list],
        "target_nps": (named_targets + [30.0] * n_units)[:n_units],
        "target_csat": [80.0] * n_units,
        "target_ces": [65.0] * n_units,
        "target_first_response_time": [4.0] * n_units,
    })
    ready("units", units_table)
    return {"responses": responses, "tickets": tickets, "customers": customers, "revenue": revenue,
            "units": units_table}


_LANGS = ["lt", "lv", "pl", "en"]
_MAXK = max(len(v) for lang in PHRASES.values() for pair in lang.values() for v in pair)
# phrases flattened: index ((lang * themes + theme) * 2 + polarity) * _MAXK + k; polarity 0 negative, 1 positive
_FLAT = np.array([(PHRASES[lg][th][pol] + [""] * _MAXK)[k] for lg in _LANGS for th in THEMES for pol in (0, 1)
                  for k in range(_MAXK)], dtype=object)
_COUNT = np.array([len(PHRASES[lg][th][pol]) for lg in _LANGS for th in THEMES for pol in (0, 1)])


def _comments(rng, rows, lang_of_unit, nps, ratings):
    """Comments for ~35% of responses; language mostly the unit's country's, some English (vectorised)."""
    has = rng.random(rows) < 0.35
    lang = np.where(rng.random(rows) < 0.15, "en", lang_of_unit).astype(object)
    names = list(ratings)
    stack = np.vstack([ratings[a] for a in names]).astype(float)
    weakest = np.argmin(stack + rng.random(stack.shape) * 0.5, axis=0)
    theme_from_attr = np.array([THEMES.index(ATTRIBUTE_THEME[a]) for a in names])[weakest]
    random_theme = rng.integers(0, len(THEMES), size=rows)
    negative = nps <= 6
    positive = nps >= 9
    theme = np.where(negative & (rng.random(rows) < 0.7), theme_from_attr, random_theme)
    idx = np.flatnonzero(has)
    pick = rng.random(len(idx))
    pii_pick = rng.random(len(idx))
    second = rng.integers(0, len(THEMES), size=len(idx))
    lang_code = pd.Series(lang[idx]).map({lg: i for i, lg in enumerate(_LANGS)}).to_numpy()
    th = theme[idx]
    neg, pos = negative[idx], positive[idx]
    group = (lang_code * len(THEMES) + th) * 2
    polarity = np.where(neg, 0, np.where(pos, 1, (pick >= 0.5).astype(int)))
    k = np.where(neg | pos, (pick * _COUNT[group + polarity]).astype(int), 0)
    text = pd.Series(_FLAT[(group + polarity) * _MAXK + k], dtype=object)
    passive = ~neg & ~pos
    tail = _FLAT[((lang_code * len(THEMES) + second) * 2 + 1) * _MAXK]
    text[passive] = text[passive] + " " + pd.Series(tail, dtype=object)[passive]
    with_pii = pii_pick < 0.02
    if with_pii.any():
        pii = [PII[_LANGS[lc]][int(pp * 150) % len(PII[_LANGS[lc]])]
               for lc, pp in zip(lang_code[with_pii], pii_pick[with_pii])]
        text[with_pii] = text[with_pii] + " " + pd.Series(pii, index=text.index[with_pii], dtype=object)
    out = np.full(rows, None, dtype=object)
    out[idx] = text.to_numpy()
    language = np.where(has, lang, None)
    return out, language


_DATE_COLUMNS = ("date", "acquired_at", "churned_at")


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Typed Arrow table: dates as date32, date-times to the second, categories as text."""
    cols = {}
    for c in frame.columns:
        s = frame[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cols[c] = pa.array(s, from_pandas=True).cast(pa.string())
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            arr = pa.array(s, from_pandas=True)
            cols[c] = arr.cast(pa.date32()) if c in _DATE_COLUMNS else arr.cast(pa.timestamp("s"))
        else:
            cols[c] = pa.array(s, from_pandas=True)
    return pa.table(cols)


def write_sample(out: str | Path, *, rows: int = 20_000, seed: int = 42, fmt: str = "csv",
                 units: int | None = None) -> dict[str, Path]:
    """Generate the sample tables and write them to ``out`` as CSV (UTF-8) or Parquet.

    Each table is written while the next one is generated. Files are written
    under a temporary ``.part`` name and get their real names only when every
    table is written; on an error the partial files are removed. Dates are
    written as dates, date-times to the second.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to write to; created if missing. Files of an earlier sample with
        the same names are replaced.
    rows : int, default 20000
        Number of survey responses (see :func:`generate`).
    seed : int, default 42
        Seed of the random numbers (see :func:`generate`).
    fmt : {"csv", "parquet"}, default "csv"
        File format: CSV in UTF-8 (quoted only where needed) or Parquet.
    units : int, optional
        How many business units (see :func:`generate`; default the 10 named ones).

    Returns
    -------
    dict of str to pathlib.Path
        The file written for each table, keyed ``responses``, ``tickets``,
        ``customers``, ``revenue``, ``units`` (e.g. ``out/responses.csv``).

    Raises
    ------
    ConfigError
        If ``fmt`` is not ``"csv"`` or ``"parquet"``, or ``rows`` / ``units`` are
        too small (see :func:`generate`).

    Examples
    --------
    >>> import tempfile, cxkit as cx
    >>> paths = write_sample(tempfile.mkdtemp(), rows=500, seed=3)
    >>> sorted(p.name for p in paths.values())
    ['customers.csv', 'responses.csv', 'revenue.csv', 'tickets.csv', 'units.csv']
    """
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"fmt={fmt!r} - expected 'csv' or 'parquet'")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def write(name: str, frame: pd.DataFrame) -> Path:
        tmp = out / f"{name}.{fmt}.part"
        table = _to_arrow(frame)
        if fmt == "csv":
            pacsv.write_csv(table, tmp, write_options=pacsv.WriteOptions(quoting_style="needed"))
        else:
            pq.write_table(table, tmp)
        return tmp

    # each table is written by a thread as soon as it is complete, while the next is generated (Arrow
    # writes without the GIL); the files get their names only once every table is written
    parts = {}
    with cf.ThreadPoolExecutor(max_workers=1) as writer:
        try:
            generate(rows=rows, seed=seed, units=units,
                     _ready=lambda name, frame: parts.__setitem__(name, writer.submit(write, name, frame)))
            done = {name: future.result() for name, future in parts.items()}
        except BaseException:
            for future in parts.values():
                future.cancel()
            cf.wait(list(parts.values()))
            for name in parts:
                (out / f"{name}.{fmt}.part").unlink(missing_ok=True)
            raise
    paths = {}
    for name, tmp in done.items():
        paths[name] = tmp.replace(out / f"{name}.{fmt}")
    return paths


def sample_data_path() -> Path:
    """Folder of the bundled sample data (``data/sample`` of the project).

    When cxkit is installed without the project folder, the sample is
    generated once (seed 42, 20,000 responses) into a cache folder.

    Returns
    -------
    pathlib.Path
        ``data/sample`` of the project when it holds ``responses.csv``;
        otherwise ``~/.cache/cxkit/sample-42-20000``, written by
        :func:`write_sample` the first time it is needed.

    Examples
    --------
    >>> sorted(p.name for p in sample_data_path().glob("*.csv"))[:2]
    ['customers.csv', 'responses.csv']
    """
    # in a checkout: cxkit/data/sample.py -> the repository root
    bundled = Path(__file__).resolve().parents[2] / "data" / "sample"
    if (bundled / "responses.csv").exists():
        return bundled
    cache = Path.home() / ".cache" / "cxkit" / "sample-42-20000"
    if not (cache / "responses.csv").exists():
        write_sample(cache, rows=20_000, seed=42)
    return cache
