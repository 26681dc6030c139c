"""Personal data in comments: removed from realistic LT / LV / PL / EN comments, ordinary numbers kept,
the sample's planted personal data removed, and the redact options."""
from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.sample import PII


# --------------------------------------------------------------------------------------
# PII redaction

# (comment, expected) on realistic LT / LV / PL / EN comments: personal data removed ...
REDACTED = [
    ("Kurjeris neatvežė. Skambinkite 861234567 arba +370 612 34567.",
     "Kurjeris neatvežė. Skambinkite [phone] arba [phone]."),
    ("Mano tel. 8 612 34567, el. paštas jonas.petraitis@gmail.com", "Mano tel. [phone], el. paštas [email]"),
    ("Vilniaus skyrius: tel. 8 (5) 212 3456", "Vilniaus skyrius: tel. [phone]"),
    ("Mano asmens kodas 38501010000, prašau grąžinti pinigus",
     "Mano asmens kodas [personal_code], prašau grąžinti pinigus"),
    # a valid asmens kodas needs no keyword. 33309240064 is the example code of the LT personal-code rules
    # (EErikas/personal_id_tool README); by hand: weights 1..9,1 give 109 mod 11 = 10, so the second round,
    # weights 3..9,1,2,3, gives 169 mod 11 = 4 = the last digit
    ("Sutartyje klaida: 33309240064", "Sutartyje klaida: [personal_code]"),
    ("Mans tālr. +371 2612 3456, e-pasts anna.berzina@inbox.lv", "Mans tālr. [phone], e-pasts [email]"),
    ("Zvaniet 26123456 pēc 18:00", "Zvaniet [phone] pēc 18:00"),
    ("personas kods 010185-12345, rēķins nepareizs", "personas kods [personal_code], rēķins nepareizs"),
    # 111111-11111 is the valid example of krauzand/id-lv README (weights 1,6,3,7,9,10,5,8,4,2 sum to 55;
    # (1101 - 55) mod 11 = 1 = the last digit); 32xxxx-xxxxx is the post-2017 form without a birth date
    ("Kods 111111-11111 un 321234-56789", "Kods [personal_code] un [personal_code]"),
    ("Proszę o kontakt: 601 234 567 lub jan.kowalski@wp.pl", "Proszę o kontakt: [phone] lub [email]"),
    ("Mój tel. +48 601-234-567, biuro +48 22 123 45 67", "Mój tel. [phone], biuro [phone]"),
    # PESEL 44051401359: the example number of the Polish Wikipedia article "PESEL" (born 1944-05-14); by hand:
    # weights 1,3,7,9,1,3,7,9,1,3 sum to 101, (10 - 101 mod 10) mod 10 = 9 = the last digit
    ("PESEL 44051401359, faktura błędna", "PESEL [personal_code], faktura błędna"),
    ("Numer 44051401359 podałem w formularzu", "Numer [personal_code] podałem w formularzu"),
    ("Call 07700 900123 or +44 (0)20 7946 0958", "Call [phone] or [phone]"),
    ("Charged twice on card 4111 1111 1111 1111!", "Charged twice on card [card]!"),
    # standard test card numbers (Visa, Mastercard, Amex) pass the Luhn check
    ("Cards 4111-1111-1111-1111, 5500 0000 0000 0004 and 378282246310005", "Cards [card], [card] and [card]"),
    ("Reach me at +1 (555) 123-4567 or me+cx@example.co.uk", "Reach me at [phone] or [email]"),
]
# ... and ordinary numbers kept
KEPT = [
    "Kaina 129,99 EUR, o pristatymas 3,50 EUR",
    "Užsakymo nr. 123456, pristatymas 2024-03-15, laukiau 8-10 dienų",
    "Užsakymas 1234567890 vėlavo 3 dienas",
    "Prekė kainavo 25 000 000 eurų?",
    "Piegāde 15.03.2024, rēķins Nr. 2024-000123, summa 26,99 €",
    "Pasūtījums 12345 piegādāts 12:30",
    "Zamówienie 2024/12345 kosztowało 1 299,99 zł, dostawa 3-5 dni",
    "Zapłaciłem 2 500 000 zł za 20240315",
    "Numer zamówienia 123456789",
    "Order #A-12345 cost £1,250.00, delivered 2024-03-15 at 10:30",
    "Order number 12345678901 is not my ID",
    "Ticket 4111 1111 1111 1112 (not a valid card)",
    "Version 2.1.3, 3 times in 2 weeks, 50% off",
    "tel. darbo laikas 8-17",
    # 38501010000 (the sample's planted code) fails the LT check digit (46 mod 11 = 2, not 0); as a PESEL it
    # would be born in 2138 (month 50 = October, 22nd century): not a code without a keyword before it
    "Kodas 38501010000",
]


@pytest.mark.parametrize("comment, expected", REDACTED)
def test_redacts_personal_data(comment, expected):
    assert cx.redact(comment) == expected


@pytest.mark.parametrize("comment", KEPT)
def test_keeps_ordinary_numbers(comment):
    assert cx.redact(comment) == comment


def test_sample_pii_is_removed(sample):
    for lang, snippets in PII.items():
        for s in snippets:
            out = cx.redact(s)
            assert "@" not in out and not any(ch.isdigit() for ch in out), (lang, out)
    comments = sample.responses["comment"].dropna()
    planted = comments[comments.str.contains("@|\\d", regex=True)]
    assert len(planted) > 0
    cleaned = cx.redact(planted)
    assert not cleaned.str.contains("@|\\d", regex=True).any()
    found = cx.find_pii(planted)
    assert set(found["kind"]) == {"email", "phone", "personal_code", "card"}
    assert found["row"].nunique() == len(planted)


def test_redact_options():
    text = "Call +44 20 7946 0958, mail a.b@example.com, order ORD-123456"
    assert cx.redact(text, kinds=["email"]) == "Call +44 20 7946 0958, mail [email], order ORD-123456"
    assert cx.redact(text, placeholder="***", extra={"order": r"ORD-\d{6}"}) == "Call ***, mail ***, order ***"
    assert cx.redact(text, extra={"order": r"ORD-\d{6}"}).endswith("order [order]")
    s = pd.Series(["tel. 861234567", None, "nothing"], index=[10, 11, 12])
    out = cx.redact(s)
    assert out.tolist()[0] == "tel. [phone]" and out.isna().tolist() == [False, True, False]
    assert list(out.index) == [10, 11, 12]
    assert cx.redact(None) is None
    f = cx.find_pii(s)
    assert f.to_dict("records") == [{"row": 10, "kind": "phone", "start": 5, "end": 14, "match": "861234567"}]
    for kwargs, text_ in [({"kinds": ["iban"]}, "kinds"), ({"extra": {"x": "("}}, "extra"),
                          ({"placeholder": "[{name}]"}, "placeholder")]:
        with pytest.raises(cx.ConfigError, match=text_):
            cx.redact("x", **kwargs)
