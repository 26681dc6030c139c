"""Personal data never reaches a reader: planted in comments (four languages) and in a rejected row, it is
absent from the pages, the saved notebooks and the folder for readers; the output folder says what each
part holds (issue 20)."""
from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

import cxkit as cx
from cxkit.report.share import check_share

UNIT = "Kaunas Mega"
# published or test-range values of every kind, written as people write them
PLANTED = {
    "email": "ona.petraitiene@example.lt",
    "phone_lt": "+370 612 34567",
    "phone_pl": "+48 601 234 567",
    "phone_lv": "+371 2612 3456",
    "personal_code_lt": "33309240064",  # Lithuanian asmens kodas from the registry's published example
    "pesel": "44051401359",  # PESEL example of the Polish ministry
    "card": "4111 1111 1111 1111",  # Visa test number (passes Luhn)
    "iban_lt": "LT12 1000 0111 0100 1000",  # the SWIFT IBAN registry's example for Lithuania
    "iban_pl": "PL61 1090 1014 0000 0712 1981 2874",  # the registry's example for Poland
    "iban_lv": "LV80BANK0000435195001",  # the registry's example for Latvia, unspaced
}
# each names a theme (delivery), so the unit's report shows some of them as example comments
SENTENCES = [
    "Pristatymas vėlavo. Skambinkite man {phone_lt} arba rašykite {email}, mano asmens kodas {personal_code_lt}.",
    "Dostawa spóźniona. Proszę o kontakt: {phone_pl}, PESEL {pesel}, zwrot na konto {iban_pl}.",
    "Piegāde kavējās. Lūdzu zvaniet {phone_lv}, naudu atpakaļ uz {iban_lv}, paldies.",
    "The delivery was late and I was charged twice on card {card}, refund to {iban_lt} or write to {email}.",
]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    data = tmp_path_factory.mktemp("planted")
    cx.write_sample(data, rows=1500, seed=7)
    r = pd.read_csv(data / "responses.csv", dtype=str, keep_default_na=False)
    mine = (r["unit"] == UNIT).to_numpy().nonzero()[0]
    for i, row in enumerate(mine):  # every comment of the unit carries personal data
        r.loc[row, "comment"] = (r.loc[row, "comment"] + " " + SENTENCES[i % len(SENTENCES)].format(**PLANTED)).strip()
    payload = f"\r=HYPERLINK(\"x\") Rašykite {PLANTED['email']}, tel. {PLANTED['phone_lt']}"
    # rejected: its only score is not valid (blanked), so the row has no score left
    bad = r.iloc[[mine[0]]].assign(response_id="R-bad", nps="abc", csat="", ces="", touchpoint=" =1+1",
                                   comment=payload)
    pd.concat([r, bad]).to_csv(data / "responses.csv", index=False, quoting=csv.QUOTE_ALL)
    out, share = tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("shared") / "for-readers"
    res = cx.run_batch(data, out, units=[UNIT], share=share, progress=False)
    assert res.exit_code == 0, res.summary_text()
    return out, share


def _raw(text: str) -> list[str]:
    return [k for k, v in PLANTED.items() if v in text]


def test_pages_and_saved_notebooks_hold_no_personal_data(planted):
    out, _ = planted
    page = (out / "units" / "kaunas-mega.html").read_text(encoding="utf-8")
    assert "[email]" in page or "[phone]" in page or "[iban]" in page  # comments were shown, data removed
    for path in [out / "index.html", out / "summary.html", *out.glob("units/*.html"), *out.glob("notebooks/*.ipynb")]:
        assert _raw(path.read_text(encoding="utf-8")) == [], path


def test_rejected_rows_keep_their_values_but_not_personal_data(planted):
    out, _ = planted
    rejected = pd.read_csv(out / "data-notes" / "rejected.csv", dtype=str, encoding="utf-8-sig")
    row = rejected[rejected["response_id"] == "R-bad"]
    assert len(row) == 1 and row["nps"].iloc[0] == "abc"  # what has to be fixed stays visible
    assert "[email]" in row["comment"].iloc[0] and _raw(rejected.to_csv()) == []


def test_rejected_rows_cannot_run_as_formulas_in_a_spreadsheet(planted):
    """The planted row carries formula payloads after a space and after a carriage return: read back with
    Python's csv module, the file has one record per row and no field a spreadsheet would evaluate."""
    out, _ = planted
    with open(out / "data-notes" / "rejected.csv", encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    assert len(records) == 2  # the header and the one rejected row: the CR started no record
    fields = dict(zip(records[0], records[1]))
    assert fields["touchpoint"] == "' =1+1" and fields["comment"].startswith("'\r=HYPERLINK")
    for value in records[1]:
        assert not value.lstrip(" \t\r\n").startswith(("=", "+", "-", "@")), value


def test_the_folder_for_readers_holds_only_the_pages(planted):
    out, share = planted
    files = sorted(str(p.relative_to(share)) for p in share.rglob("*") if p.is_file())
    assert files == ["index.html", "summary.html", "units/kaunas-mega.html"]
    index = (share / "index.html").read_text(encoding="utf-8")
    assert "units/kaunas-mega.html" in index and "summary.html" in index
    assert "rejected.csv" not in index and "manifest.json" not in index  # no links to the working data
    assert "rejected.csv" in (out / "index.html").read_text(encoding="utf-8")  # the analyst's index keeps them
    for path in share.rglob("*.html"):
        assert _raw(path.read_text(encoding="utf-8")) == [], path


def test_the_output_folder_says_what_each_part_holds(planted):
    out, _ = planted
    readme = (out / "README.txt").read_text(encoding="utf-8")
    for part in ("index.html", "units/", "_data/", "notebooks/", "data-notes/rejected.csv", "--share"):
        assert part in readme
    assert "PERSONAL DATA" in readme
    # which is true: the partitions keep the comments as written (for the analysis), and the readme says so
    partition = pd.read_parquet(next((out / "_data" / "partitions" / "responses").glob("*.parquet")))
    assert partition["comment"].astype(str).str.contains(PLANTED["email"], regex=False).any()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert _raw(json.dumps(manifest, ensure_ascii=False)) == []


def test_a_share_folder_inside_the_working_data_is_refused(tmp_path):
    from cxkit.errors import ConfigError

    for bad in (tmp_path, tmp_path.parent, tmp_path / "_data" / "x", tmp_path / "units"):
        with pytest.raises(ConfigError, match="--share"):
            check_share(tmp_path, bad)
    assert check_share(tmp_path, tmp_path / "share")[1] == (tmp_path / "share").resolve()
