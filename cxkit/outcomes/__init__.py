"""Outcomes: satisfaction joined to churn and revenue, survival, revenue at risk, unit outcomes."""
from .core import *  # noqa: F401,F403
from . import core as _core

__all__ = [*_core.__all__]
