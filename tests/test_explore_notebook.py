"""notebooks/explore.ipynb, the analyst's tutorial: committed clean, calls every function the README promises,
and shows the same headline as the unit report for the same period.

nbval runs the notebook top to bottom as part of the suite (``testpaths`` includes ``notebooks``); here it is
run once more to read what the reader sees in its outputs.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
README = ROOT / "README.md"
SAMPLE = ROOT / "data" / "sample"
UNIT = "Kaunas Mega"  # the notebook's default unit


def _read():
    import nbformat

    return nbformat.read(str(NOTEBOOK), as_version=4)


def _code(nb) -> str:
    """The notebook's Python, without IPython magics."""
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return "\n".join(line for cell in cells for line in cell.splitlines() if not line.lstrip().startswith("%"))


def _cx_calls(source: str) -> set[str]:
    """Names ``f`` of every call ``cx.f(...)`` (also ``cx.periods.f(...)`` as ``periods.f``)."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            parts, obj = [node.func.attr], node.func.value
            while isinstance(obj, ast.Attribute):
                parts.insert(0, obj.attr)
                obj = obj.value
            if isinstance(obj, ast.Name) and obj.id == "cx":
                out.add(".".join(parts))
    return out


def _readme_promises() -> set[str]:
    """The cxkit calls of the README's "Using cxkit in a notebook" example."""
    text = README.read_text(encoding="utf-8")
    part = text.split("## Using cxkit in a notebook", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", part, flags=re.S)
    assert len(blocks) == 1, "the README's notebook section should have one python example"
    return _cx_calls(blocks[0])


# ---------------------------------------------------------------------------------------
# the committed file


def test_notebook_is_committed_without_outputs_and_with_cell_ids():
    nb = _read()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    ids = [c.get("id") for c in nb.cells]
    assert all(ids) and len(ids) == len(set(ids))
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and 'period: str | None = None' in params[0].source


def test_notebook_calls_every_function_the_readme_promises():
    promised = _readme_promises()
    # the parser really read the README's list
    assert {"load", "nps", "metric_table", "compare", "plot_groups", "cox_model", "redact"} <= promised
    assert len(promised) >= 20
    called = _cx_calls(_code(_read()))
    assert promised - called == set(), f"README calls missing from explore.ipynb: {sorted(promised - called)}"


def test_every_call_is_explained_in_words():
    nb = _read()
    kinds = [c.cell_type for c in nb.cells]
    # no two code cells in a row without words, except a chart followed by its table
    runs = "".join("c" if k == "code" else "m" for k in kinds)
    assert "ccc" not in runs
    words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    assert words > 1200


def test_the_notebook_uses_the_reports_period_choice():
    src = _code(_read())
    assert 'cx.parse_period(period, ds.responses["date"])' in src
    assert "period=(start, end)" in src


# ---------------------------------------------------------------------------------------
# the executed notebook: what the reader sees


@pytest.fixture(scope="module")
def executed():
    from nbclient import NotebookClient

    nb = _read()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


def _latest_complete_quarter(dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The reports' default period, worked out here from the calendar: the last quarter that ends on or
    before the latest date."""
    last = dates.max().normalize()
    year, quarter = last.year, (last.month - 1) // 3 + 1
    q_end = pd.Timestamp(year, 3 * quarter, 1) + pd.offsets.MonthEnd(0)
    if last < q_end:
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    start = pd.Timestamp(year, 3 * quarter - 2, 1)
    return start, pd.Timestamp(year, 3 * quarter, 1) + pd.offsets.MonthEnd(0)


@pytest.fixture(scope="module")
def raw_headline():
    """Kaunas Mega's NPS in the reporting period, from the raw rows of responses.csv."""
    raw = pd.read_csv(SAMPLE / "responses.csv", usecols=["unit", "date", "nps"], parse_dates=["date"])
    start, end = _latest_complete_quarter(raw["date"])
    rows = raw[(raw["unit"] == UNIT) & raw["date"].between(start, end) & raw["nps"].notna()]
    n = len(rows)
    promoters, detractors = int((rows["nps"] >= 9).sum()), int((rows["nps"] <= 6).sum())
    nps = 100 * promoters / n - 100 * detractors / n
    # adjusted-Wald interval (Rocks 2016): 3 pseudo-answers, 0.75 promoter, 1.5 passive, 0.75 detractor
    p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    half = stats.norm.ppf(0.975) * np.sqrt((p + d - (p - d) ** 2) / (n + 3))
    return {"start": start, "end": end, "n": n, "nps": nps, "ci": (100 * (p - d - half), 100 * (p - d + half))}


def _cell(nb, cell_id: str):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _texts(cell) -> list[str]:
    out = []
    for o in cell.outputs:
        if o.output_type == "stream":
            out.append(o.text)
        elif "data" in o:
            out.extend(str(v) for k, v in o.data.items() if k.startswith("text/"))
    return out


def test_headline_nps_equals_the_raw_rows_over_the_reports_period(executed, raw_headline):
    assert raw_headline["start"] == pd.Timestamp("2025-10-01")  # the sample ends with a complete 2025Q4
    period = "\n".join(_texts(_cell(executed, "5c1e0a03")))
    assert f"Reporting period: {raw_headline['start']:%Y-%m-%d} to {raw_headline['end']:%Y-%m-%d}" in period
    cells = [c for c in executed.cells if "headline" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    text = cells[0].outputs[-1].data["text/plain"]
    m = re.fullmatch(r"nps: (-?\d+\.\d) points \(95% CI (-?\d+\.\d) to (-?\d+\.\d), n = (\d+)\) \[adjusted-wald\]",
                     text)
    assert m, text
    value, low, high, n = float(m[1]), float(m[2]), float(m[3]), int(m[4])
    assert value == round(raw_headline["nps"], 1) == -29.5
    assert (low, high) == tuple(round(x, 1) for x in raw_headline["ci"])
    assert n == raw_headline["n"]
    html = cells[0].outputs[-1].data["text/html"]
    assert f'<td class="num">{value:.1f}</td>' in html and '<td class="num">95%</td>' in html


def test_headline_nps_equals_the_unit_reports(raw_headline):
    import cxkit as cx

    rep = cx.open_report(data_dir=SAMPLE, unit=UNIT)
    assert rep.period == (raw_headline["start"], raw_headline["end"])
    head = cx.headline_record(rep)["nps"]
    assert head["value"] == pytest.approx(raw_headline["nps"], abs=1e-9)
    assert head["n"] == raw_headline["n"]


def test_the_unit_stands_out_in_the_table_against_the_rest(executed, raw_headline):
    html = "".join(o.data["text/html"] for o in _cell(executed, "5c1e0a0d").outputs if "data" in o)
    row = re.search(r"<th>1</th>\s*<td>Kaunas Mega</td>(.*?)</tr>", html, flags=re.S)
    assert row, html[:500]
    cells = re.findall(r"<td>(.*?)</td>", row[1])
    assert cells[0] == f"{raw_headline['nps']:.1f}" and cells[3] == str(raw_headline["n"])
    assert cells[-3:] == ["&lt; 0.001", "yes", "lower"]


def test_outputs_have_no_scientific_notation_bare_tuples_or_errors(executed):
    levels = 0
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        for o in cell.outputs:
            data = o.get("data", {})
            for kind in ("text/html",):
                if kind in data:
                    assert not re.search(r"\d\.?\d*e[-+]\d{2}", data[kind]), (cell.source, data[kind][:300])
            plain = data.get("text/plain", "")
            assert not plain.startswith("("), f"a bare tuple: {cell.source}"
            html = data.get("text/html", "")
            if "<th>confidence</th>" in html:  # a result's table: the level reads 95%, not 0.9
                header = re.findall(r"<th>(.*?)</th>", html)
                cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
                assert dict(zip(header, cells))["confidence"] == "95%", cell.source
                levels += 1
    assert levels >= 5  # nps, nps of the unit, csat, first response, churn


def test_p_values_are_shown_as_readers_expect(executed):
    html = "".join(o.data.get("text/html", "") for o in _cell(executed, "5c1e0a0f").outputs if "data" in o)
    p_cells = re.findall(r"<td>(&lt; 0\.001|0\.\d{3})</td>\s*<td>(?:lower|higher|no difference)</td>", html)
    assert len(p_cells) == 10  # one per unit, each 0.003-style or < 0.001
