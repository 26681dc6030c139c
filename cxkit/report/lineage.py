"""Whether this pool worker's parent (the batch) is still alive (placeholder interface; filled in by the
failure-isolation work)."""
from __future__ import annotations

__all__ = []


def orphaned() -> bool:
    """True when the batch process that started this worker has died (always False for now)."""
    return False
