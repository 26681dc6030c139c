"""The shape of the package: layers without import cycles, small functions and classes, numpydoc on the
public API, a curated top-level namespace, and lint-clean code (docs/architecture.md)."""
from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cxkit"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Every cxkit module and the cxkit modules it imports, at the top or inside functions."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [f"{stem}.{a.name}" for a in node.names] + [stem]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                while t and t not in modules:  # 'cxkit.stats.nps' -> the module 'cxkit.stats'
                    t = t.rpartition(".")[0]
                # importing a module runs its parent packages first; that is no dependency of the module's own
                if t and t != mod and not mod.startswith(t + "."):
                    graph[mod].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_cxkit():
    graph = _imports()
    assert len(graph) > 40 and any(graph.values())  # the graph was really read
    assert _cycles(graph) == []


# lower layers never import upper ones (docs/architecture.md)
LAYERS = [
    {"cxkit._version", "cxkit.errors", "cxkit._printer", "cxkit._lazy", "cxkit._folding", "cxkit.periods", "cxkit.i18n",
     "cxkit._catalogue", "cxkit.i18n_catalogue"},
    {"cxkit.data"},
    {"cxkit.stats"},
    {"cxkit.outcomes", "cxkit.drivers", "cxkit.text"},
    {"cxkit.plots"},
    {"cxkit.report"},
    {"cxkit.cli", "cxkit"},
]


def _layer(module: str) -> int:
    for i, layer in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in layer if m != "cxkit") or module == "cxkit":
            return i if module != "cxkit" else len(LAYERS) - 1
    raise AssertionError(f"{module} belongs to no layer; add it to LAYERS and docs/architecture.md")


def test_lower_layers_never_import_upper_ones():
    upward = [(m, t) for m, ts in _imports().items() for t in ts if _layer(t) > _layer(m)]
    assert upward == []


def _radon(args):
    proc = subprocess.run([sys.executable, "-m", "radon", *args, str(PACKAGE)], capture_output=True, text=True,
                          check=True)
    return proc.stdout


def test_no_function_is_ranked_f_by_radon():
    out = _radon(["cc", "-s", "-n", "F"])
    assert not out.strip(), out
    assert "run_batch" in _radon(["cc", "-s"])  # radon really read the package


def test_no_class_is_over_300_lines():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 300:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})")
    assert long == []


def test_the_top_level_namespace_is_curated():
    import cxkit

    assert len(cxkit.__all__) == len(set(cxkit.__all__))
    assert all(hasattr(cxkit, n) for n in cxkit.__all__)
    plumbing = {"PROJECT_ROOT", "RECORD_MIME", "prepare", "slugify", "unique_slugs", "write_index", "render_html",
                "reuse_prepared", "bootstrap_counts", "fast_hash", "contract_markdown"}
    assert plumbing.isdisjoint(cxkit.__all__) and not any(hasattr(cxkit, n) for n in plumbing)
    # sub-packages are reachable as modules, not hidden by a function of the same name
    for name in ("data", "stats", "outcomes", "text", "report", "periods", "plots", "drivers", "i18n"):
        assert inspect.ismodule(importlib.import_module(f"cxkit.{name}"))
    assert inspect.ismodule(sys.modules["cxkit.stats.comparisons"]) and callable(cxkit.compare)


def _public_callables():
    import cxkit

    for name in cxkit.__all__:
        obj = getattr(cxkit, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield name, obj


def _sections(doc: str) -> set[str]:
    lines = inspect.cleandoc(doc or "").splitlines()
    return {lines[i].strip() for i in range(len(lines) - 1)
            if lines[i].strip() and re.fullmatch(r"-{3,}", lines[i + 1].strip())}


@pytest.mark.parametrize("name", [n for n, _ in _public_callables()])
def test_every_public_function_has_numpydoc_parameters_and_returns(name):
    import cxkit

    obj = getattr(cxkit, name)
    sections = _sections(obj.__doc__)
    if inspect.isclass(obj):
        assert sections & {"Parameters", "Attributes"}, f"cx.{name}: no Parameters or Attributes section"
    else:
        has_params = bool(inspect.signature(obj).parameters)
        assert "Parameters" in sections or not has_params, f"cx.{name}: no Parameters section"
        assert "Returns" in sections or "Yields" in sections, f"cx.{name}: no Returns section"


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "cxkit", "tests", "bench", "docs"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
