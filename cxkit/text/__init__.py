"""Comments: themes, language detection, personal-data redaction."""
from .core import *  # noqa: F401,F403
from . import core as _core

__all__ = [*_core.__all__]
