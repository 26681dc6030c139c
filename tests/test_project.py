"""Project hygiene: dependency lists agree, docs match the code, notebooks are committed clean."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

from cxkit.data.contract import contract_markdown

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> tuple[str, str]:
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)", req)
    return m.group(1).lower().replace("_", "-"), m.group(3).replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    pip_side = dict(_name(r) for r in reqs)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side, pip_section = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section += dep.get("pip", [])
            continue
        name, spec = _name(dep)
        if name in ("python", "pip"):
            continue
        conda_side[name] = spec
    assert conda_side == pip_side, (
        f"only in pyproject: {sorted(set(pip_side) - set(conda_side))}; "
        f"only in environment.yml: {sorted(set(conda_side) - set(pip_side))}; "
        f"different versions: {sorted(k for k in pip_side if k in conda_side and pip_side[k] != conda_side[k])}")
    assert any(p.startswith("-e .") for p in pip_section), "environment.yml must pip-install cxkit itself"
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert python == ["python=3.11"]


def test_data_readme_documents_the_contract():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- contract:start")[1].split("-->", 1)[1].split("<!-- contract:end -->")[0]
    assert block.strip() == contract_markdown().strip(), "data/README.md is out of date; paste contract_markdown()"


def test_readme_gives_the_two_setup_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in text and "make test" in text


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "set -e" in ci


def test_notebooks_are_committed_without_outputs_and_with_parameters():
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        clean = all(not c.get("outputs") and c.get("execution_count") is None for c in code)
        assert clean, f"{nb_path.name} has outputs"
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{nb_path.name}: exactly one cell tagged 'parameters'"


def test_every_module_declares_all_and_the_top_level_names_are_public_there():
    """Each module says what is public (``__all__``); ``cxkit.__all__`` is a curated subset of those names
    (tests/test_architecture.py checks that plumbing stays out of it)."""
    import importlib

    import cxkit

    public = set()
    for path in sorted((ROOT / "cxkit").rglob("*.py")):
        if path.name == "__main__.py" or any(part.startswith("_") and part != "__init__.py"
                                             for part in path.relative_to(ROOT / "cxkit").parts):
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mod = importlib.import_module(name)
        assert hasattr(mod, "__all__"), f"{path.relative_to(ROOT)} has no __all__"
        missing = [n for n in mod.__all__ if not hasattr(mod, n)]
        assert not missing, f"{name}.__all__ names what it does not define: {missing}"
        public |= set(mod.__all__)
    assert len(public) > 150
    assert set(cxkit.__all__) - {"__version__"} <= public
