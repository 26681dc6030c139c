"""The temporaries each writer names are the ones the clean-ups find: a dead worker's unit
(``executors._remove_partial``) and a batch started after a killed one (``batch._remove_temporaries``)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cxkit.data.export import _temporary, temporary_patterns
from cxkit.report.batch import _remove_temporaries
from cxkit.report.executors import _remove_partial
from cxkit.report.tasks import notebook_temporary_pattern


def _papermill_temporary(output: Path) -> Path:
    """As tasks._run_task names the notebook papermill writes."""
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb", dir=output.parent)
    os.close(fd)
    return Path(tmp)


def _writes(out: Path, name: str) -> tuple[dict, list[Path], list[Path]]:
    """A task whose unit is ``name``, the temporaries its writers make, and a neighbour's."""
    for d in ("notebooks", "units"):
        (out / d).mkdir(parents=True, exist_ok=True)
    task = {"output": str(out / "notebooks" / f"{name}.ipynb"), "html": str(out / "units" / f"{name}.html"),
            "pdf": None}
    mine = [_papermill_temporary(Path(task["output"]))]
    fd, tmp = _temporary(Path(task["html"]), ".part")  # atomic_write_bytes
    os.close(fd)
    mine.append(Path(tmp))
    neighbour = [_papermill_temporary(out / "notebooks" / "other.ipynb")]
    fd, tmp = _temporary(out / "units" / "other.html", ".part")
    os.close(fd)
    neighbour.append(Path(tmp))
    return task, mine, neighbour


def test_a_dead_workers_unit_loses_its_own_temporaries_only(tmp_path):
    task, mine, neighbour = _writes(tmp_path, "Gdańsk [Oliwa] *1")  # glob characters in a unit's name
    assert all(p.exists() for p in mine + neighbour)
    _remove_partial(task)
    assert not any(p.exists() for p in mine)
    assert all(p.exists() for p in neighbour)


def test_a_new_batch_removes_every_temporary_and_nothing_else(tmp_path):
    task, mine, neighbour = _writes(tmp_path, "Rīga")
    (tmp_path / "data-notes").mkdir()
    fd, tmp = _temporary(tmp_path / "data-notes" / "rejected.xlsx", ".xlsx")  # write_xlsx
    os.close(fd)
    mine.append(Path(tmp))
    finished = [Path(task["output"]), Path(task["html"]), tmp_path / "units" / ".hidden-but-final.html"]
    for p in finished:
        p.write_text("done")
    _remove_temporaries(tmp_path)
    assert not any(p.exists() for p in mine + neighbour)
    assert all(p.exists() for p in finished)


def test_patterns_name_the_writers_files():
    assert temporary_patterns("a.html") == (".a.html.*.part", ".a.html.*.xlsx")
    assert notebook_temporary_pattern("x/Rīga.ipynb") == ".Rīga.*.ipynb"
    assert notebook_temporary_pattern("x/[a].ipynb") == ".[[]a].*.ipynb"
