"""Comment themes: inflection-robust dictionaries per language, matching inside sentences, the shipped
dictionaries against the sample phrases, and the dictionary configuration."""
from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.sample import PHRASES


# --------------------------------------------------------------------------------------
# theme dictionaries: inflected forms (and typed without diacritics) must match; look-alikes must not.
# (positive words, negative words) per language and theme.
INFLECTIONS = {
    "lt": {
        "delivery": (["pristatymas", "pristatymo", "pristatymą", "pristatymu", "pristatyme", "pristatymai",
                      "pristatyti", "pristatė", "pristatyma", "kurjeris", "kurjerio", "kurjeriui", "siunta", "siuntos",
                      "siuntą", "siuntinys", "siuntinio", "atvežė", "neatvežė", "neatveze", "paštomatas", "pastomate"],
                     ["atvejis", "siuvimas", "sienos", "kurti"]),
        "price": (["kaina", "kainos", "kainą", "kainų", "kainas", "kainomis", "kainuoja", "kainavo", "brangu",
                   "brangus", "brangiai", "brangesnis", "pigu", "pigiau", "pigūs", "nuolaida", "nuolaidos"],
                  ["kaimas", "kaip", "pigmentas", "brandus"]),
        "staff": (["darbuotojas", "darbuotoja", "darbuotojai", "darbuotojų", "darbuotoju", "personalas", "personalo",
                   "personalą", "konsultantas", "konsultantė", "pardavėja", "pardavejas", "aptarnavimas", "aptarnavimo",
                   "kasininkė", "nemandagūs", "mandagi"],
                  ["personalinis", "darbas", "darbo", "konsulatas"]),
        "waiting": (["laukiau", "laukėme", "laukti", "laukimas", "laukimo", "laukta", "palaukti", "palaukite",
                     "nelaukiau", "eilė", "eilėje", "eilės", "eilę", "eilių", "eileje", "eile"],
                    ["lauke", "laukas", "laukų", "laukinis", "laukiniai", "eilutė", "eilinis", "eilėraštis"]),
        "website": (["svetainė", "svetainės", "svetainėje", "svetainę", "svetaine", "puslapis", "puslapio", "puslapyje",
                     "internetu", "internetinė", "e-parduotuvė", "programėlė", "programėlėje", "paieška", "paieškos",
                     "prisijungti", "krepšelis"],
                    ["svečias", "internatas", "pusė"]),
        "billing": (["sąskaita", "sąskaitos", "sąskaitą", "sąskaitoje", "sąskaitų", "saskaita", "faktūra", "faktūros",
                     "mokėjimas", "mokėjimo", "apmokėjimas", "nuskaičiavo", "nurašė", "permokėjau", "mokestis",
                     "mokesčiai"],
                    ["mokykla", "mokinys", "sąrašas"]),
        "quality": (["kokybė", "kokybės", "kokybę", "kokybe", "kokybiškas", "kokybiška", "nekokybiška", "sugedo",
                     "sugedęs", "gedimas", "brokas", "broko", "brokuota", "defektas", "defektu", "sulūžo", "lūžo",
                     "sugadinta"],
                    ["brokeris", "koks", "gedulas"]),
    },
    "lv": {
        "delivery": (["piegāde", "piegādes", "piegādi", "piegādē", "piegādei", "piegādāja", "piegade", "kurjers",
                      "kurjeram", "sūtījums", "sūtījumu", "sutijums", "paka", "pakas", "pakomātā", "atveda", "neatveda",
                      "nogādāja"],
                     ["pieredze", "pakalpojums", "pakāpe", "atvērts"]),
        "price": (["cena", "cenas", "cenu", "cenā", "cenām", "cenai", "dārgi", "dārgs", "dārgāk", "dargi", "lēti",
                   "lēts", "lētāk", "lētāka", "atlaide", "atlaides"],
                  ["centrs", "centrā", "cenšos", "lēni", "dārzs", "lēmums"]),
        "staff": (["darbinieki", "darbinieks", "darbiniece", "darbinieku", "personāls", "personāla", "personals",
                   "konsultants", "konsultante", "pārdevēja", "pārdevējs", "apkalpošana", "apkalpošanas", "kasiere",
                   "nepieklājīgi", "pieklājīga"],
                  ["darbs", "darba", "personīgi"]),
        "waiting": (["gaidīju", "gaidīt", "gaidīšana", "gaidīšanas", "gaidām", "jāgaida", "nogaidīju", "gaidiju",
                     "rinda", "rindā", "rindas", "rindu", "rindās"],
                    ["pagaidām", "rindkopa", "rindiņa", "gaisma"]),
        "website": (["mājaslapa", "mājaslapā", "mājaslapas", "majaslapa", "mājas lapa", "mājas lapā", "vietne",
                     "vietnes", "vietnē", "internetā", "interneta", "lietotne", "lietotnē", "tīmekļa vietne"],
                    ["vietnieks", "vietnieka", "mājas", "vieta"]),
        "billing": (["rēķins", "rēķina", "rēķinu", "rēķinā", "rēķini", "rekins", "maksājums", "maksājumu", "apmaksa",
                     "apmaksāt", "pārmaksāju", "norēķini", "faktūra"],
                    ["aprēķins", "maks"]),
        "quality": (["kvalitāte", "kvalitātes", "kvalitāti", "kvalitātei", "kvalitate", "kvalitatīvs", "kvalitatīvas",
                     "nekvalitatīva", "brāķis", "brāķa", "defekts", "defektu", "salūza", "salūzis", "bojāts", "bojāta",
                     "saplīsa"],
                    ["kvantitāte", "brālis"]),
    },
    "pl": {
        "delivery": (["dostawa", "dostawy", "dostawę", "dostawą", "dostawie", "dostaw", "dostawami", "dostawe",
                      "dostarczył", "dostarczenie", "dostarczona", "kurier", "kuriera", "kurierem", "kurierzy",
                      "przesyłka", "przesyłki", "przesyłkę", "przesylke", "przesyłek", "paczka", "paczki", "paczkę",
                      "paczek", "paczkomat", "wysyłka", "wysyłki", "doręczenie", "dowóz", "dowozu"],
                     ["dostawka", "dostęp", "kurtka", "wysoki"]),
        "price": (["cena", "ceny", "cenę", "ceną", "cenie", "cen", "cenami", "cenach", "cenowy", "drogo", "drogie",
                   "droższy", "drożej", "tani", "tania", "tanio", "taniej", "przecena", "rabat", "rabatu", "zniżka",
                   "koszt", "koszty", "kosztuje", "za drogi", "za drogie"],
                  ["centrum", "cenić", "cenny", "cenzura", "taniec", "droga", "drogi", "drogą"]),
        "staff": (["pracownik", "pracownika", "pracownicy", "pracownica", "pracowników", "personel", "personelu",
                   "konsultant", "konsultantka", "sprzedawca", "sprzedawczyni", "obsługa", "obsługi", "obsluga",
                   "kasjerka", "doradca", "niegrzeczny", "uprzejma", "nieuprzejmy", "kierownik"],
                  ["pracownia", "praca", "pracy", "obsłużono"]),
        "waiting": (["czekałem", "czekałam", "czekać", "czekanie", "czeka", "poczekać", "odczekać", "czekalem",
                     "kolejka", "kolejce", "kolejki", "kolejkę", "kolejek"],
                    ["kolejny", "kolejne", "kolej", "kolejowy", "czek", "czekolada"]),
        "website": (["strona", "strony", "stronie", "stronę", "stroną", "witryna", "internet", "internetowy",
                     "aplikacja", "aplikacji", "wyszukiwarka", "e-sklep", "logowanie", "zalogować", "koszyk"],
                    ["stronniczy", "stronnictwo", "strój", "stroik"]),
        "billing": (["faktura", "faktury", "fakturę", "fakturze", "rachunek", "rachunku", "rachunki", "obciążono",
                     "obciążenie", "pobrano", "nadpłata", "płatność", "płatności", "platnosc"],
                    ["fakt", "faktycznie", "pobrać"]),
        "quality": (["jakość", "jakości", "jakością", "jakosc", "jakościowy", "zepsuł", "zepsuty", "popsuł",
                     "wada", "wady", "wadą", "wadliwy", "usterka", "defekt", "uszkodzony", "uszkodzenie"],
                    ["jakoś", "jaki", "wadze", "waga"]),
    },
    "en": {
        "delivery": (["delivery", "deliveries", "delivered", "deliver", "courier", "couriers", "shipping", "shipped",
                      "shipment", "parcel", "parcels", "dispatched", "tracking"],
                     ["deli", "liver", "courtesy", "shipwreck"]),
        "price": (["price", "prices", "pricing", "priced", "overpriced", "expensive", "inexpensive", "cheap", "cheaper",
                   "costly", "cost", "costs", "affordable", "discount", "value for money"],
                  ["priceless", "precise", "costume"]),
        "staff": (["staff", "employee", "employees", "consultant", "assistant", "cashier", "agent", "agents",
                   "representative", "manager", "rude", "polite", "impolite", "personnel", "advisor", "adviser",
                   "advice"],
                  ["stuff", "advisable", "rudder", "agenda"]),
        "waiting": (["wait", "waited", "waiting", "waits", "queue", "queues", "queued", "queuing", "on hold"],
                    ["waiter", "waitress", "hold", "await"]),
        "website": (["website", "websites", "web site", "webpage", "site", "online", "app", "checkout", "login",
                     "log in", "internet"],
                    ["opposite", "appetite", "apple", "application", "logging"]),
        "billing": (["invoice", "invoices", "invoiced", "bill", "bills", "billing", "billed", "charge", "charged",
                     "overcharged", "refund", "refunded", "payment", "payments", "direct debit"],
                    ["billion", "billboard", "charger"]),
        "quality": (["quality", "faulty", "defect", "defective", "broke", "broken", "damaged", "low-quality",
                     "malfunction"],
                    ["qualify", "qualification", "broker", "brokerage"]),
    },
}


def _flagged(words, language):
    df = pd.DataFrame({"comment": [f"{w}." for w in words], "language": language})
    return cx.themes(df)


@pytest.mark.parametrize("language", list(INFLECTIONS))
def test_inflected_forms_match_and_look_alikes_do_not(language):
    assert set(INFLECTIONS[language]) == set(cx.THEMES[language]) == {
        "delivery", "price", "staff", "waiting", "website", "billing", "quality"}
    for theme, (positive, negative) in INFLECTIONS[language].items():
        hit = _flagged(positive + negative, language)[theme].to_numpy()
        missed = [w for w, h in zip(positive, hit[:len(positive)]) if not h]
        wrong = [w for w, h in zip(negative, hit[len(positive):]) if h]
        assert not missed, f"{language}/{theme}: should match {missed}"
        assert not wrong, f"{language}/{theme}: should not match {wrong}"


def test_matching_inside_sentences_is_case_and_accent_insensitive():
    df = pd.DataFrame({"comment": ["PRISTATYMĄ vėlavo!", "Na DOSTAWE czekalem.", "(piegādi) ok", "Mano svetaine?"],
                       "language": ["lt", "pl", "lv", "lt"]})
    f = cx.themes(df)
    assert f["delivery"].tolist() == [True, True, True, False]
    assert f["waiting"].tolist() == [False, True, False, False]
    assert f["website"].tolist() == [False, False, False, True]


def test_shipped_dictionaries_cover_the_sample_phrases():
    rows = [(lang, theme, phrase) for lang, block in PHRASES.items() for theme, (neg, pos) in block.items()
            for phrase in neg + pos]
    df = pd.DataFrame(rows, columns=["language", "theme", "comment"])
    f = cx.themes(df)
    missed = [r for r, ok in zip(rows, [f.loc[i, t] for i, t in zip(df.index, df["theme"])]) if not ok]
    assert not missed


# --------------------------------------------------------------------------------------
# configuration


def test_load_themes_extend_replace_only(tmp_path):
    d = cx.load_themes({"lt": {"delivery": ["dpd"], "parking": ["parking*", "automobil*"]}, "en": {"price": None}})
    assert d["lt"]["delivery"][-1] == "dpd" and "pristat*" in d["lt"]["delivery"]
    assert "price" not in d["en"] and "price" in d["lt"]
    r = cx.load_themes({"lt": {"delivery": ["dpd"]}}, mode="replace")
    assert r["lt"]["delivery"] == ["dpd"] and "kain*" in r["lt"]["price"]
    o = cx.load_themes({"xx": {"noise": ["triukšm*"]}}, mode="only")
    assert dict(o) == {"xx": {"noise": ["triukšm*"]}}
    assert cx.THEMES["lt"]["delivery"][-1] != "dpd"  # defaults untouched

    path = tmp_path / "themes.yml"
    path.write_text("lt:\n  parking:\n    - parking*\n    - stovėjim*\n", encoding="utf-8")
    df = pd.DataFrame({"comment": ["Nėra kur pastatyti, stovėjimo aikštelė pilna", "Greitas pristatymas"],
                       "language": "lt"})
    f = cx.themes(df, dictionary=path)
    assert f["parking"].tolist() == [True, False] and f["delivery"].tolist() == [False, True]
    only = cx.themes(df, dictionary=cx.load_themes(path, mode="only"))
    assert list(only.columns) == ["parking"]


@pytest.mark.parametrize("source, text", [
    ({"lt": {"delivery": ["pristat**"]}}, "not a word"),
    ({"lt": {"delivery": ["(pristat)"]}}, "not a word"),
    ({"lt": {"delivery": [""]}}, "not a word"),
    ({"lt": {"delivery": 5}}, "list of words"),
    ({"lt": ["pristat*"]}, "must map theme names"),
    (["pristat*"], "expected {language"),
])
def test_bad_theme_config_is_reported(source, text):
    with pytest.raises(cx.ConfigError, match=text):
        cx.load_themes(source)


def test_theme_file_errors(tmp_path):
    with pytest.raises(cx.ConfigError, match="cannot read"):
        cx.load_themes(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("lt: [unclosed", encoding="utf-8")
    with pytest.raises(cx.ConfigError, match="not valid YAML"):
        cx.load_themes(bad)
    with pytest.raises(cx.ConfigError, match="mode"):
        cx.load_themes(None, mode="merge")
