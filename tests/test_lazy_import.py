"""``import cxkit`` is cheap: no heavy library is imported until a name is used (PEP 562 ``__getattr__``).

How long the import takes is measured by ``make bench`` (target <= 0.7 s); here only what it imports.
"""
import ast
import json
import subprocess
import sys
from pathlib import Path

import cxkit

HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "pyarrow", "statsmodels", "lifelines", "babel", "papermill")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, cwd=Path(cxkit.__file__).parents[1])
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_cxkit_imports_no_heavy_library():
    loaded = _modules_after("import cxkit")
    assert not [m for m in HEAVY if m in loaded]
    assert not [m for m in loaded if m.startswith("cxkit.") and m != "cxkit._version"]


def test_a_name_imports_its_module_and_what_it_needs_only_then():
    loaded = _modules_after("import cxkit\ncxkit.parse_period")
    assert "cxkit.periods" in loaded and "cxkit.report" not in loaded and "matplotlib" not in loaded


def test_the_lazy_names_are_the_public_names():
    """The ``TYPE_CHECKING`` imports (what static tools and readers see) name exactly ``__all__``."""
    tree = ast.parse(Path(cxkit.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", None) == "TYPE_CHECKING")
    imported = {a.asname or a.name for imp in block.body for a in imp.names}
    assert imported == set(cxkit.__all__) - {"__version__"}


def test_names_resolve_to_their_objects_and_are_listed():
    from cxkit.stats import comparisons

    assert cxkit.compare is comparisons.compare
    assert set(cxkit.__all__) <= set(dir(cxkit))
    assert cxkit.report.__name__ == "cxkit.report"  # a sub-package is reachable as an attribute


def test_an_unknown_name_is_an_attribute_error():
    try:
        cxkit.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("no AttributeError")
    assert not hasattr(cxkit, "prepare")  # plumbing stays in its sub-package


def test_loading_and_linking_import_no_statistics_library():
    """``load`` and ``join_outcomes`` (the first calls of a session) do not pay for scipy or statsmodels."""
    loaded = _modules_after("import cxkit\ncxkit.load\ncxkit.join_outcomes\ncxkit.nps\ncxkit.compare")
    assert "cxkit.outcomes.join" in loaded and "cxkit.stats.twosample" in loaded
    assert not [m for m in ("scipy", "statsmodels", "lifelines") if m in loaded]


def test_a_statistic_imports_scipy_when_it_is_computed():
    loaded = _modules_after("import cxkit\ncxkit.csat([1, 2, 4, 5, 5], scale=(1, 5))")
    assert "scipy.stats" in loaded and "statsmodels.stats.proportion" in loaded


def test_lazy_module_imports_at_the_first_attribute_only():
    loaded = _modules_after("from cxkit._lazy import lazy_module\nspecial = lazy_module('scipy.special')")
    assert "scipy" not in loaded
    code = ("from cxkit._lazy import lazy_module\nspecial = lazy_module('scipy.special')\n"
            "import sys; print(repr(special)); print(repr(float(special.ndtri(0.975)))); print(repr(special))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    # the 97.5% normal quantile, 1.959963984540054 (Abramowitz and Stegun, table 26.5; scipy.stats.norm.ppf)
    assert out == ["<lazy module 'scipy.special' (not imported yet)>", "1.959963984540054",
                   "<lazy module 'scipy.special' (imported)>"]


def test_a_missing_library_fails_at_first_use_with_its_own_error():
    from cxkit._lazy import lazy_module

    missing = lazy_module("cxkit_no_such_library")
    try:
        missing.anything  # noqa: B018
    except ModuleNotFoundError as exc:
        assert exc.name == "cxkit_no_such_library"
    else:
        raise AssertionError("no ModuleNotFoundError")
