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
