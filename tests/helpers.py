"""Small helpers the tests share (conftest.py holds the fixtures)."""
from __future__ import annotations

from pathlib import Path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- the charts of the report notebooks, built in the test's process ------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "cxkit" / "report" / "notebooks"


def _code_cells(name: str) -> list[str]:
    import json

    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return ["\n".join(line for line in src.splitlines() if not line.lstrip().startswith("%")) for src in cells]


def _parts(cells: list[str]) -> list:
    """The body of every ``cx.show_part(lambda: BODY, ...)`` call, in notebook order."""
    import ast

    out = []
    for src in cells:
        for node in ast.walk(ast.parse(src)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "show_part"
                    and node.args and isinstance(node.args[0], ast.Lambda)):
                out.append(ast.Expression(node.args[0].body))
    return out


def figures_of(result) -> list:
    """The figures in whatever a part returns: a Section, an Axes, a Figure, a tuple or list of them."""
    import cxkit as cx
    from matplotlib.figure import Figure

    if isinstance(result, (list, tuple)):
        return [f for r in result for f in figures_of(r)]
    if isinstance(result, cx.report.Section):
        return [payload for kind, payload in result.items if kind == "figure"]
    if isinstance(result, Figure):
        return [result]
    if hasattr(result, "figure") and isinstance(result.figure, Figure):
        return [result.figure]
    return []


def notebook_charts(notebook: str, prep, unit: str, lang: str = "en"):
    """(call text, figures) for every ``cx.show_part`` call of a report notebook (parsed from the notebook,
    so a new section is covered without editing the test), run here on prepared data; a part that says in a
    sentence that it has too little data gives no figures."""
    import ast

    import cxkit as cx

    cells = _code_cells(notebook)
    ns: dict = {}
    exec(cells[0], ns)  # the parameters cell: the batch's defaults
    ns.update(cx=cx, data_dir="", prepared_dir=str(prep.data_dir), unit=unit, lang=lang)
    exec(cells[1], ns)  # settings and rep = cx.open_report(...)
    for expr in _parts(cells[2:]):
        try:
            result = eval(compile(expr, notebook, "eval"), ns)
        except cx.errors.CxkitError:
            continue
        yield ast.unparse(expr), figures_of(result)


def capture_run_batch(monkeypatch) -> dict:
    """Replace the ``run_batch`` that ``cxkit report`` calls with one that only records its keyword
    arguments (returned, filled at each call) and reports success."""
    from cxkit import cli

    class Done:
        exit_code = 0

        def summary_text(self):
            return ""

    seen: dict = {}
    monkeypatch.setattr(cli, "run_batch", lambda *a, **kw: seen.update(kw) or Done())
    return seen
