"""Optional fields: a bad value in a column the contract does not require is blanked, the row kept, and the
repair names the file, the rows, the column and the value. Required fields, duplicate ids, unknown units and
copies of the header still reject the row, and a responses row left with no score is rejected saying which
values were blanked."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.contract import table_spec

from helpers import write

TODAY = dt.date(2026, 1, 15)


def _repairs(lr, column):
    return lr.repairs[(lr.repairs["column"] == column) & lr.repairs["repair"].str.startswith("blanked values")]


def test_the_issue_not_rated_sub_rating_no_longer_rejects_the_row(tmp_path):
    """0 ("not rated") in an attribute rating on a 1-5 scale, beside a valid NPS."""
    text = ("response_id,unit,date,nps,attr_staff,attr_price\n"
            "r1,Vilnius Ozas,2025-03-01,9,5,4\n"
            "r2,Vilnius Ozas,2025-03-01,3,0,2\n"      # row 3: attr_staff not rated
            "r3,Vilnius Ozas,2025-03-02,10,4,0\n")    # row 4: attr_price not rated
    lr = cx.read_table(write(tmp_path / "responses.csv", text), "responses", mapping={"scales": {"attr": [1, 5]}},
                       errors="quarantine", today=TODAY)
    assert lr.rows_loaded == 3 and lr.rows_rejected == 0 and len(lr.problems) == 0
    assert lr.data["nps"].tolist() == [9, 3, 10]
    assert lr.data["attr_staff"].tolist() == [5, pd.NA, 4] and lr.data["attr_price"].tolist() == [4, 2, pd.NA]
    staff = _repairs(lr, "attr_staff").iloc[0]
    assert (staff["file"], staff["repair"], staff["rows"], staff["lines"], staff["example"]) == (
        "responses.csv", "blanked values (optional column) - expected a whole number from 1 to 5", 1, "3", "'0'")
    assert _repairs(lr, "attr_price").iloc[0]["lines"] == "4"
    # in strict mode too: a blanked optional value is a repair, not a problem
    strict = cx.read_table(tmp_path / "responses.csv", "responses", mapping={"scales": {"attr": [1, 5]}}, today=TODAY)
    assert strict.rows_loaded == 3


def test_which_columns_are_optional_comes_from_the_contract():
    responses = table_spec("responses")
    assert responses.required == ["response_id", "unit", "date"]  # nps, csat, ces each optional
    assert table_spec("tickets").required == ["ticket_id", "unit", "created_at"]


def test_required_fields_still_reject_and_a_row_with_no_score_says_what_was_blanked(tmp_path):
    text = ("response_id;unit;date;nps;csat;ces;comment\n"
            "r1;Kaunas Mega;2025-03-01;11;6;0;\n"              # row 2: every score bad: no score left
            "r2;Kaunas Mega;31.02.2025;9;4;4;\n"               # row 3: impossible date (required)
            "r3;;2025-03-01;9;4;4;\n"                          # row 4: no unit (required)
            "r4;Kaunas Mega;2025-03-01;12;4;;\n"               # row 5: nps blanked, CSAT kept
            "r5;Kaunas Mega;2025-03-01;8;5;5;Puiku\n")         # row 6: clean
    lr = cx.read_table(write(tmp_path / "responses.csv", text), "responses", errors="quarantine", today=TODAY)
    assert lr.rows_in == 5 and lr.data["_row"].tolist() == [5, 6] and lr.rows_rejected == 3
    probs = {(r.row, r.column): r for r in lr.problems.itertuples()}
    assert set(probs) == {(2, "nps"), (3, "date"), (4, "unit")}
    assert probs[(2, "nps")].value == ""
    assert probs[(2, "nps")].expected == (
        "at least one score (nps, csat, ces); blanked as not valid: nps '11' (expected a whole number from 0 to 10), "
        "csat '6' (expected a whole number from 1 to 5), ces '0' (expected a whole number from 1 to 5)")
    assert "column 'nps'" in lr.rejected.set_index("row").loc[2, "reason"]
    # only the blanked value of the loaded row is a repair (row 2 was rejected)
    nps = _repairs(lr, "nps")
    assert nps[["rows", "lines", "example"]].values.tolist() == [[1, "5", "'12'"]]
    assert _repairs(lr, "csat").empty and _repairs(lr, "ces").empty
    assert lr.data["nps"].tolist() == [pd.NA, 8] and lr.data["csat"].tolist() == [4, 5]


def test_tickets_optional_columns(tmp_path):
    long_channel = "chat " * 50  # 250 characters: more than an id or name may hold
    text = ("ticket_id,unit,channel,created_at,first_response_at,resolved_at\n"
            "t1,Vilnius Ozas,phone,2025-03-01 10:00,2025-03-01 10:30,2025-03-02 09:00\n"
            f"t2,Vilnius Ozas,{long_channel},2025-03-01 11:00,2025-03-01 11:20,\n"      # row 3: channel too long
            "t3,Vilnius Ozas,email,2025-03-01 12:00,2030-01-01 09:00,\n"                # row 4: answer in the future
            "t4,Vilnius Ozas,email,2030-03-01 12:00,,\n"                                # row 5: created in the future
            "t5,Vilnius Ozas,email,2025-03-01 12:00,#N/A,2025-03-03 08:00\n")           # row 6: Excel error
    lr = cx.read_table(write(tmp_path / "tickets.csv", text), "tickets", errors="quarantine", today=TODAY)
    assert lr.data["_row"].tolist() == [2, 3, 4, 6]
    assert lr.problems[["row", "column"]].values.tolist() == [[5, "created_at"]]  # required: rejected
    assert lr.data["channel"].astype(object).where(lr.data["channel"].notna(), None).tolist() == \
        ["phone", None, "email", "email"]
    assert lr.data["first_response_at"].isna().tolist() == [False, False, True, True]
    assert _repairs(lr, "channel").iloc[0]["repair"].endswith("expected at most 200 characters (found a longer value)")
    assert _repairs(lr, "channel").iloc[0]["lines"] == "3"
    fra = _repairs(lr, "first_response_at").set_index("lines")
    assert fra.loc["4", "example"] == "'2030-01-01 09:00'" and "not in the future" in fra.loc["4", "repair"]
    assert fra.loc["6", "example"] == "'#N/A'" and "not an Excel error value" in fra.loc["6", "repair"]


def test_duplicates_unknown_units_and_header_copies_still_reject(tmp_path):
    write(tmp_path / "units.csv", "unit,region\nVilnius Ozas,Vilnius\n")
    write(tmp_path / "responses.csv",
          "response_id,unit,date,nps,csat\n"
          "r1,Vilnius Ozas,2025-03-01,9,4\n"
          "r1,Vilnius Ozas,2025-03-01,11,4\n"       # row 3: duplicate id (its bad nps is no repair)
          "r3,Riga Centrs,2025-03-01,9,4\n"         # row 4: unit not in units.csv
          "response_id,unit,date,nps,csat\n"        # row 5: the header again (two exports joined)
          "r5,Vilnius Ozas,2025-03-01,10,9\n")      # row 6: csat blanked
    write(tmp_path / "customers.csv", "customer_id,unit,tenure_months\nc1,Vilnius Ozas,5\nc2,Kaunas Mega,-3\n")
    ds = cx.load(tmp_path, errors="quarantine", today=TODAY)
    r = ds.tables["responses"]
    assert r.data["_row"].tolist() == [2, 6]
    assert sorted(r.problems[["row", "column"]].values.tolist()) == [[3, "response_id"], [4, "unit"],
                                                                      [5, "(whole row)"]]
    assert _repairs(r, "nps").empty  # the header copy's 'nps' and the duplicate's '11' are not repairs
    assert _repairs(r, "csat")[["rows", "lines", "example"]].values.tolist() == [[1, "6", "'9'"]]
    # customers: unit is optional there, but a unit missing from the units table still rejects the row;
    # the negative tenure is blanked (reported in the rejected row only as its raw value)
    c = ds.tables["customers"]
    assert c.data["customer_id"].tolist() == ["c1"] and c.problems["column"].tolist() == ["unit"]
    assert c.rejected["tenure_months"].tolist() == ["-3"]


def test_a_swallowed_quote_in_an_optional_comment_still_rejects(tmp_path):
    """A comment whose quote is never closed would hold whole rows: the line is broken, not only the value; it
    is rejected on its own and the rows after it are read (the closing quote of line 5 is kept as written)."""
    text = ('response_id,unit,date,nps,comment\n'
            'r1,Vilnius Ozas,2025-03-01,9,ok\n'
            'r2,Vilnius Ozas,2025-03-01,8,"Eilė buvo ilga\n'
            'r3,Vilnius Ozas,2025-03-02,7,ok\n'
            'r4,Vilnius Ozas,2025-03-02,6,ok"\n'
            'r5,Vilnius Ozas,2025-03-03,5,ok\n')
    lr = cx.read_table(write(tmp_path / "responses.csv", text), "responses", errors="quarantine", today=TODAY)
    assert lr.data["_row"].tolist() == [2, 4, 5, 6]
    assert lr.problems[["row", "column"]].values.tolist() == [[3, "(whole row)"]]
    assert lr.data.set_index("response_id").loc["r4", "comment"] == 'ok"'
    assert _repairs(lr, "comment").empty


def test_a_large_optional_category_converted_through_its_distinct_values(tmp_path):
    """Over 1,000 rows a category column is converted once per distinct value; the blanked rows are named."""
    long_touchpoint = "x" * 201
    rows = []
    for i in range(1, 1501):
        tp = long_touchpoint if i in (40, 700, 1499) else ("store" if i % 2 else "website")
        rows.append(f"r{i},Vilnius Ozas,2025-03-01,9,{tp}")
    lr = cx.read_table(write(tmp_path / "responses.csv", "response_id,unit,date,nps,touchpoint\n" + "\n".join(rows)
                             + "\n"), "responses", errors="quarantine", today=TODAY)
    assert lr.rows_loaded == 1500
    blank = _repairs(lr, "touchpoint").iloc[0]
    assert (blank["rows"], blank["lines"], blank["example"]) == (3, "41, 701, 1500", repr(long_touchpoint))
    assert lr.data["touchpoint"].isna().sum() == 3 and lr.data["touchpoint"].iloc[38] == "store"


@pytest.mark.parametrize("value, fragment", [("9.5", "(no fractions)"), ("10/10", "not a fraction like '10/10'"),
                                             ("#DIV/0!", "not an Excel error value"), ("ten", "not text")])
def test_each_kind_of_bad_score_is_blanked_with_its_reason(tmp_path, value, fragment):
    text = f"response_id,unit,date,nps,csat\nr1,A,2025-03-01,{value},4\nr2,A,2025-03-01,7,4\n"
    lr = cx.read_table(write(tmp_path / "r.csv", text), "responses", errors="quarantine", today=TODAY)
    rep = _repairs(lr, "nps").iloc[0]
    assert fragment in rep["repair"] and rep["lines"] == "2" and rep["example"] == repr(value)
    assert lr.data["nps"].tolist() == [pd.NA, 7]
