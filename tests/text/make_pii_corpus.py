"""Write ``pii_corpus.yml``: a labelled corpus of realistic lt / pl / lv / en comments for the redaction test.

Run from the repository root: ``python tests/text/make_pii_corpus.py`` (seeded: the same file every time).

Each comment is a hand-written template whose slots are filled with generated values. The labels come from
the slots, never from cxkit: a slot is either personal data of a kind (``iban``, ``email``, ``card``,
``personal_code``, ``phone``, or ``address``, which redaction does not cover) that must be removed, or an
ordinary value that must be kept (``price``, ``date``, ``time``, ``percent``, ``order``, ``tracking``,
``postal``, ``quantity``, ``shop_address``, ``company``). Check digits are computed here from the published
algorithms (ISO 7064 MOD 97-10 for IBANs, Luhn, asmens kodas, PESEL, personas kods), independently of
``cxkit.text.pii``; the SWIFT IBAN Registry's example IBANs are used as they are published.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

OUT = Path(__file__).with_name("pii_corpus.yml")
rng = random.Random(20)


def digits(n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def pick(*options):
    return rng.choice(options)


# ---------------------------------------------------------------------------------------------- IBANs
REGISTRY = {"LT": "LT121000011101001000", "LV": "LV80BANK0000435195001", "PL": "PL61109010140000071219812874",
            "DE": "DE89370400440532013000", "GB": "GB29NWBK60161331926819", "EE": "EE382200221020145685",
            "FR": "FR1420041010050500013M02606", "NL": "NL91ABNA0417164300"}


def iban_check(cc: str, bban: str) -> str:
    number = "".join(str(int(c, 36)) for c in bban + cc + "00")
    return f"{98 - int(number) % 97:02d}"


def new_iban(cc: str) -> str:
    bban = {"LT": lambda: pick("73000", "70440", "40100", "21400") + digits(11),
            "LV": lambda: pick("HABA", "UNLA", "PARX", "RIKO") + digits(13),
            "PL": lambda: pick("10901014", "10202892", "11402004", "24901044") + digits(16),
            "GB": lambda: pick("NWBK", "BARC", "HBUK") + digits(14)}[cc]()
    return cc + iban_check(cc, bban) + bban


def spaced(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def iban_form(iban: str) -> str:
    form = pick("compact", "spaced", "spaced", "lower", "cc_apart")
    if form == "compact":
        return iban
    if form == "lower":
        return spaced(iban).lower()
    if form == "cc_apart":
        return iban[:2] + " " + iban[2:4] + " " + spaced(iban[4:])
    return spaced(iban)


def iban(cc: str | None = None) -> str:
    cc = cc or pick("LT", "LV", "PL", "GB")
    return iban_form(REGISTRY[cc] if rng.random() < 0.3 else new_iban(cc))


def foreign_iban() -> str:
    return iban_form(REGISTRY[pick("DE", "EE", "FR", "NL")])


def nrb() -> str:
    body = new_iban("PL")[2:]
    return pick(body, body[:2] + " " + spaced(body[2:]))


def mistyped(cc: str) -> str:
    """A valid IBAN with one digit changed: the check fails (MOD 97-10 catches every single substitution)."""
    good = new_iban(cc)
    i = rng.randrange(len(good) - 6, len(good))
    bad = good[:i] + str((int(good[i]) + rng.randint(1, 9)) % 10) + good[i + 1:]
    assert iban_check(bad[:2], bad[4:]) != bad[2:4]
    return pick(bad, spaced(bad))


# ---------------------------------------------------------------------------------------------- cards
def luhn_complete(partial: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(partial + "0")):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return partial + str((10 - total % 10) % 10)


def card() -> str:
    kind = pick("visa", "visa", "mc", "amex")
    if kind == "amex":
        n = luhn_complete(pick("34", "37") + digits(12))
        return pick(n, f"{n[:4]} {n[4:10]} {n[10:]}")
    n = luhn_complete(("4" if kind == "visa" else pick("51", "52", "53", "55")) + digits(15 - (kind != "visa")))
    return pick(n, spaced(n), "-".join(spaced(n).split()))


# ---------------------------------------------------------------------------------------------- codes
def birth() -> tuple[int, int, int]:
    return rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)


def lt_code() -> str:
    while True:
        y, m, d = birth()
        g = (3 if y < 2000 else 5) + rng.randint(0, 1)
        base = [int(c) for c in f"{g}{y % 100:02d}{m:02d}{d:02d}{digits(3)}"]
        r = sum(x * w for x, w in zip(base, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1))) % 11
        if r == 10:
            r = sum(x * w for x, w in zip(base, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3))) % 11
            r = 0 if r == 10 else r
        return "".join(map(str, base)) + str(r)


def pesel() -> str:
    y, m, d = birth()
    base = f"{y % 100:02d}{m + (20 if y >= 2000 else 0):02d}{d:02d}{digits(4)}"
    s = sum(int(c) * w for c, w in zip(base, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)))
    return base + str((10 - s % 10) % 10)


def lv_code(dash: bool = True) -> str:
    while True:
        y, m, d = birth()
        base = f"{d:02d}{m:02d}{y % 100:02d}{1 if y < 2000 else 2}{digits(3)}"
        k = (1101 - sum(int(c) * w for c, w in zip(base, (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)))) % 11
        if k < 10:
            full = base + str(k)
            return full[:6] + "-" + full[6:] if dash else full


# ---------------------------------------------------------------------------------------------- contacts
FIRST = {"lt": ["jonas", "ruta", "tomas", "egle"], "pl": ["jan", "anna", "piotr", "kasia"],
         "lv": ["janis", "ilze", "andris", "liga"], "en": ["john", "sarah", "tom", "emma"]}
LAST = {"lt": ["petraitis", "kazlauskiene", "jankauskas"], "pl": ["kowalski", "nowak", "wisniewska"],
        "lv": ["berzins", "kalnina", "ozols"], "en": ["smith", "jones", "taylor"]}
DOMAINS = {"lt": ["gmail.com", "one.lt", "inbox.lt"], "pl": ["wp.pl", "o2.pl", "gmail.com"],
           "lv": ["inbox.lv", "apollo.lv", "gmail.com"], "en": ["gmail.com", "yahoo.co.uk", "outlook.com"]}


def email(lang: str) -> str:
    name = pick(f"{pick(*FIRST[lang])}.{pick(*LAST[lang])}", f"{pick(*FIRST[lang])}{rng.randint(70, 99)}",
                f"{pick(*FIRST[lang])}_{pick(*LAST[lang])}")
    return f"{name}@{pick(*DOMAINS[lang])}"


def phone(lang: str) -> str:
    if lang == "lt":
        return pick(f"+370 6{digits(2)} {digits(5)}", f"86{digits(7)}", f"8 6{digits(2)} {digits(5)}",
                    f"+3706{digits(7)}")
    if lang == "lv":
        return pick(f"+371 2{digits(3)} {digits(4)}", f"2{digits(7)}", f"+371 2{digits(7)}")
    if lang == "pl":
        return pick(f"+48 {pick('5', '6', '7')}{digits(2)} {digits(3)} {digits(3)}",
                    f"{pick('5', '6', '7')}{digits(2)}-{digits(3)}-{digits(3)}",
                    f"{pick('5', '6', '7')}{digits(2)} {digits(3)} {digits(3)}")
    return pick(f"07700 900{digits(3)}", f"+44 20 7946 0{digits(3)}", f"+44 7700 900{digits(3)}")


# ---------------------------------------------------------------------------------------------- kept values
def price(lang: str) -> str:
    amount = f"{rng.randint(1, 1500)},{rng.randint(0, 99):02d}"
    if lang == "pl":
        big = f"{rng.randint(1, 9)} {rng.randint(0, 999):03d},{rng.randint(0, 99):02d}"
        return pick(f"{amount} zł", f"{big} zł", f"{rng.randint(10, 999)} zł", f"{amount} PLN")
    if lang == "en":
        return pick(f"£{rng.randint(1, 999)}.{rng.randint(0, 99):02d}", f"£{rng.randint(1, 9)},{digits(3)}.00",
                    f"€{rng.randint(1, 999)}.{rng.randint(0, 99):02d}")
    return pick(f"{amount} EUR", f"{amount} €", f"{rng.randint(1, 9)} {rng.randint(0, 999):03d} eur",
                f"{amount} eiro" if lang == "lv" else f"{amount} eurų")


def date(lang: str) -> str:
    y, m, d = rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return {"lt": pick(f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}"),
            "pl": pick(f"{d:02d}.{m:02d}.{y}", f"{d}.{m:02d}.{y} r."),
            "lv": pick(f"{d:02d}.{m:02d}.{y}.", f"{y}. gada {d}. {pick('martā', 'maijā', 'jūlijā')}"),
            "en": pick(f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}")}[lang]


def time() -> str:
    return pick(f"{rng.randint(7, 21)}:{pick('00', '15', '30', '45')}", f"{rng.randint(8, 20)}.00")


def percent() -> str:
    return pick(f"{rng.randint(5, 70)}%", f"{rng.randint(5, 70)} %", f"{rng.randint(1, 30)},5%")


def order(lang: str) -> str:
    n6, n10 = f"{rng.randint(100000, 999999)}", f"{rng.randint(1, 3)}{digits(9)}"
    return {"lt": pick(n6, n10, f"LT-{n6}"), "pl": pick(f"{rng.randint(2022, 2025)}/{digits(5)}", n6),
            "lv": pick(f"{rng.randint(2022, 2025)}-{digits(6)}", n6), "en": pick(f"#A-{digits(5)}", n10)}[lang]


def tracking() -> str:
    return pick(f"RR{digits(9)}LT", f"CC{digits(9)}EE", f"LP{digits(9)}PL", f"1Z{digits(6)}{digits(10)}",
                f"JJD{digits(18)}")


def postal(lang: str) -> str:
    return {"lt": pick(f"LT-{digits(5)}", f"LT {digits(5)}"), "pl": f"{digits(2)}-{digits(3)}",
            "lv": f"LV-{rng.randint(1001, 5799)}", "en": pick("SW1A 1AA", "EC1A 1BB", "M1 1AE")}[lang]


def quantity(lang: str) -> str:
    unit = {"lt": pick("vnt.", "kg", "km"), "pl": pick("szt.", "kg", "km"), "lv": pick("gab.", "kg", "km"),
            "en": pick("items", "kg", "miles")}[lang]
    return f"{rng.randint(2, 40)} {unit}"


def company(lang: str) -> str:
    return {"lt": pick(f"30{digits(7)}", f"LT1000{digits(5)}"), "pl": f"KRS 0000{digits(6)}",
            "lv": pick(f"40003{digits(6)}", f"LV40003{digits(6)}"), "en": f"company no. {digits(8)}"}[lang]


SHOP = {"lt": ["Gedimino pr. 9", "Ukmergės g. 369", "Savanorių pr. 16"],
        "pl": ["ul. Marszałkowska 104/122", "al. Jerozolimskie 148", "ul. Piotrkowska 100"],
        "lv": ["Brīvības iela 68", "Krasta iela 46", "Dzirnavu iela 67"],
        "en": ["the Oxford Street branch", "Unit 4, Retail Park", "the store on High Street"]}
HOME = {"lt": ["Žirmūnų g. 12-34", "Antakalnio g. 5-12"], "pl": ["ul. Lipowa 7 m. 12", "ul. Kwiatowa 3/5"],
        "lv": ["Lāčplēša iela 21-4", "Ganību dambis 3-17"], "en": ["14 Elm Road", "7 Church Lane"]}

PII_SLOTS = {"iban": lambda lang: iban({"lt": "LT", "lv": "LV", "pl": "PL", "en": "GB"}[lang]),
             "iban_any": lambda lang: iban(), "iban_foreign": lambda lang: foreign_iban(),
             "nrb": lambda lang: nrb(),
             "bad_iban": lambda lang: mistyped({"lt": "LT", "lv": "LV", "pl": "PL", "en": "GB"}[lang]),
             "email": email, "phone": phone, "card": lambda lang: card(),
             "lt_code": lambda lang: lt_code(), "pesel": lambda lang: pesel(),
             "lv_code": lambda lang: lv_code(), "lv_vat": lambda lang: "LV" + lv_code(dash=False),
             "home": lambda lang: pick(*HOME[lang])}
PII_KIND = {"iban_any": "iban", "iban_foreign": "iban", "nrb": "iban", "bad_iban": "iban", "lt_code": "personal_code",
            "pesel": "personal_code", "lv_code": "personal_code", "lv_vat": "personal_code", "home": "address"}
KEEP_SLOTS = {"price": price, "date": date, "time": lambda lang: time(), "percent": lambda lang: percent(),
              "order": order, "tracking": lambda lang: tracking(), "postal": postal, "quantity": quantity,
              "company": company, "shop_address": lambda lang: pick(*SHOP[lang])}

# ---------------------------------------------------------------------------------------------- templates
TEMPLATES = {
    "lt": [
        "Prašau grąžinti {price} į sąskaitą {iban}, užsakymo nr. {order}.",
        "Pinigus pervesti į {iban}. Prekė grąžinta {date}.",
        "Mano sąskaitos nr. {bad_iban}, grąžinkite {price}",
        "IBAN {iban}, gavėjas - aš pats",
        "Užsakiau {quantity}, kurjeris atvažiavo tik {time}, skambinkite {phone}",
        "Mano el. paštas {email}, atsakykite iki {date}",
        "Nuskaičiavo du kartus nuo kortelės {card}, suma {price}",
        "Asmens kodas {lt_code}, sutartis nuo {date}",
        "Sutartyje klaida, mano kodas {lt_code}",
        "Siunta {tracking} ({quantity}) užstrigo, pašto kodas {postal}",
        "Nuolaida {percent} nepritaikyta, užsakymas {order}",
        "Parduotuvėje {shop_address} aptarnavo puikiai, kaina {price}",
        "Sąskaitoje faktūroje nr. {order} neteisingas įmonės kodas {company}",
        "Atvežkite į {home}, {postal}, tel. {phone}",
        "Grąžinkite į šią sąskaitą: {iban_any}. Ačiū!",
        "Laukiau {time}–{time}, o kurjerio nebuvo, rašykite {email}",
        "Pervedžiau {price} iš sąskaitos {iban_foreign}, bet užsakymas {order} neapmokėtas",
    ],
    "pl": [
        "Proszę o zwrot {price} na konto {nrb}, zamówienie {order}",
        "Nr konta: {iban}, zwrot do {date}",
        "Numer rachunku {bad_iban} - proszę o przelew",
        "Zwrot na {iban}. Zamówienie {order} z {date}",
        "Mój PESEL {pesel}, umowa z {date}",
        "Obciążono kartę {card} dwa razy po {price}",
        "Kurier dzwonił z {phone} o {time}, paczka {tracking}",
        "Kontakt: {email}, tel. {phone}",
        "Rabat {percent} nie został naliczony, zapłaciłem {price}",
        "Sklep {shop_address}, kod pocztowy {postal}, obsługa super",
        "Zamówiłem {quantity}, dostawa za późno, zamówienie {order}",
        "Faktura na firmę {company}, kwota {price}",
        "Proszę dostarczyć na {home}, {postal}",
        "Przelałem na {nrb} ale status zamówienia {order} bez zmian",
        "Dane do zwrotu: {iban_any}, dziękuję",
        "Proszę o kontakt mailowy {email} po {time}",
        "Numer PESEL podałem w formularzu: {pesel}",
    ],
    "lv": [
        "Lūdzu atmaksāt {price} uz kontu {iban}, pasūtījums {order}",
        "Mans konts {bad_iban}, lūdzu pārskaitīt",
        "Naudu uz {iban}, piegāde {date}",
        "Personas kods {lv_code}, līgums no {date}",
        "PVN maksātāja nr. {lv_vat}, rēķins {order}",
        "Kurjers zvanīja no {phone} {time}, sūtījums {tracking}",
        "Rakstiet uz {email}, atlaide {percent} netika piemērota",
        "Karte {card} tika apmaksāta divreiz, {price}",
        "Veikals {shop_address}, pasta indekss {postal}",
        "Pasūtīju {quantity}, piegāde kavējās, pasūtījums {order}",
        "Rēķins uzņēmumam {company}, summa {price}",
        "Piegādājiet uz {home}, {postal}, tālr. {phone}",
        "Atmaksu uz kontu: {iban_any}. Paldies!",
        "Mans personas kods: {lv_code}, zvaniet {phone}",
        "Pārskaitīju {price} no {iban_foreign}, bet pasūtījums {order} nav apmaksāts",
    ],
    "en": [
        "Please refund {price} to {iban}, order {order}",
        "My account number {bad_iban}, please send the refund",
        "IBAN: {iban} - refund by {date} please",
        "Charged twice on card {card}, {price} each",
        "Call me on {phone} after {time}",
        "Email me at {email} about order {order}",
        "Parcel {tracking} with {quantity} stuck, postcode {postal}",
        "The {percent} discount was not applied, paid {price}",
        "Staff at {shop_address} were great, delivered {date}",
        "Invoice for {company}, total {price}",
        "Deliver to {home}, {postal}, phone {phone}",
        "Refund to {iban_any} please, thanks",
        "I paid {price} from {iban_foreign} but order {order} shows unpaid",
        "Reach me at {email} or {phone}",
    ],
}
ROUNDS = 3   # each template filled three times with different values


def fill(template: str, lang: str) -> dict:
    text, pii, keep = "", [], []
    pos = 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        slot = m.group(1)
        if slot in PII_SLOTS:
            value = PII_SLOTS[slot](lang)
            pii.append([PII_KIND.get(slot, slot), value])
        else:
            value = KEEP_SLOTS[slot](lang)
            keep.append([slot, value])
        text += value
        pos = m.end()
    text += template[pos:]
    return {"lang": lang, "text": text, "pii": pii, "keep": keep}


def main() -> None:
    corpus = [fill(t, lang) for _ in range(ROUNDS) for lang, templates in TEMPLATES.items() for t in templates]
    header = ("# Generated by tests/text/make_pii_corpus.py (seeded): do not edit by hand, edit the script.\n"
              "# pii: [kind, text] that redaction must remove; keep: [category, text] it must not touch.\n")
    OUT.write_text(header + yaml.safe_dump(corpus, allow_unicode=True, sort_keys=False, width=120,
                                                default_flow_style=None),
                   encoding="utf-8")
    print(f"{len(corpus)} comments written to {OUT}")


if __name__ == "__main__":
    main()
