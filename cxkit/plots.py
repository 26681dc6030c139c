"""Plots for leadership: matplotlib helpers that draw on ``ax`` (created if None) and return it.

pyplot is imported inside the functions, so ``import cxkit`` stays cheap.
"""
from __future__ import annotations

__all__: list[str] = []
