"""Shared fixtures: the bundled sample data, seeded generators, and figure clean-up."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample(sample_dir):
    """The bundled sample data, loaded and validated once per test session."""
    import cxkit as cx

    return cx.load(sample_dir)


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def _unfreeze():
    """``open_report`` on prepared data freezes the garbage collector's view of a report kernel; the test
    process is not one, so what a test froze is handed back to the collector."""
    yield
    import gc

    gc.unfreeze()


# Fixture notebooks are run by the tests that need them, not collected by nbval.
collect_ignore_glob = ["fixtures/*"]
