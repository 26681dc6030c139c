"""How every result reads on screen: p-values as 0.003 / < 0.001 (never 1.1e-24), a confidence level as 95%
(never 0.9), numbers rounded, data text escaped - in result tables and in :func:`cxkit.format_frame`."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import cxkit as cx


@pytest.mark.parametrize("p,text", [
    (0.04321, "0.043"), (0.0031, "0.003"), (0.001, "0.001"), (0.000999, "< 0.001"), (1.1e-24, "< 0.001"),
    (0.0, "< 0.001"), (0.5, "0.500"), (1.0, "1.000"), (np.float64(0.2499), "0.250"), (None, "–"), (np.nan, "–"),
])
def test_p_values_read_as_a_reader_expects(p, text):
    assert cx.format_p_value(p) == text


def test_p_value_digits():
    assert cx.format_p_value(0.004, digits=2) == "< 0.01"
    assert cx.format_p_value(0.0461, digits=2) == "0.05"
    assert cx.format_p_value(0.00012, digits=4) == "0.0001"


def test_format_frame_rounds_and_keeps_rows():
    t = pd.DataFrame({"unit": ["Kaunas", "Rīga"], "value": [-29.533679, 17.51663], "n": [386, 12345],
                      "p_adjusted": [1.143757e-23, 0.1155458], "ph_p_value": [0.49223, np.nan],
                      "significant": [True, False], "confidence": [0.95, 0.9]}, index=[3, 7])
    out = cx.format_frame(t)
    assert list(out.index) == [3, 7] and list(out.columns) == list(t.columns)
    assert out.loc[3].tolist() == ["Kaunas", "-29.5", "386", "< 0.001", "0.492", "yes", "95%"]
    assert out.loc[7].tolist() == ["Rīga", "17.5", "12 345", "0.116", "–", "no", "90%"]
    # the numbers themselves are left alone for further analysis
    assert t.loc[3, "value"] == -29.533679


def test_format_frame_picks_columns_and_digits():
    t = pd.DataFrame({"group": ["detractor"], "ratio": [2.316404], "p_value": [8.3e-25], "extra": [1]})
    out = cx.format_frame(t, digits=2, columns=["group", "ratio", "p_value"])
    assert out.to_dict(orient="records") == [{"group": "detractor", "ratio": "2.32", "p_value": "< 0.001"}]


def test_format_frame_is_escaped_when_shown():
    out = cx.format_frame(pd.DataFrame({"unit": ["<script>alert(1)</script>"], "p_value": [0.2]}))
    html = out._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "0.200" in html


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html)


def test_a_comparison_table_shows_its_tiny_p_value_without_scientific_notation():
    c = cx.compare_shares(10, 400, 200, 400)
    assert c.p_value < 1e-20  # 2.5% against 50%
    table = c._repr_html_().split("</p>", 1)[1]  # the table after the title
    header = re.findall(r"<th>(.*?)</th>", table)
    cells = dict(zip(header, _cells(table)))
    assert cells["p_value"] == "&lt; 0.001" and cells["diff"] == "-47.5"
    assert not re.search(r"\de[-+]\d", table)


def test_p_values_in_sentences_never_in_scientific_notation():
    from cxkit._printer import p_equals

    assert p_equals(0.0431) == "p = 0.043" and p_equals(3e-52) == "p < 0.001"
    # 500 answers each: 10% against 80% promoters, no passives; p is far below 1e-10
    res = cx.nps_test((450, 0, 50), (100, 0, 400))
    assert res.p_value < 1e-10
    assert "p < 0.001" in res.title and "e-" not in res.title
