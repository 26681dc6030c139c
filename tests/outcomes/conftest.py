"""Fixtures of the outcome tests: the sample data joined once per test module."""
from __future__ import annotations

import pytest

import cxkit as cx


@pytest.fixture(scope="module")
def joined(sample):
    return cx.join_outcomes(sample)
