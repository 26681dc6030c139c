"""Warm Jupyter kernels for the report batch (placeholder interface; filled in by the warm-kernels work)."""
from __future__ import annotations

__all__ = []


def warm_up() -> None:
    """Start this process's kernel ahead of its first unit (no-op for now)."""


def shutdown_all() -> None:
    """Shut down every kernel this process started (no-op for now)."""
