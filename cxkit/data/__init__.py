"""Data in: the data contract, reading and validating files, mapping suggestions, export, sample data."""
from .contract import *  # noqa: F401,F403
from .loading import *  # noqa: F401,F403
from .suggest import *  # noqa: F401,F403
from .export import *  # noqa: F401,F403
from .sample import *  # noqa: F401,F403
from . import contract as _contract, export as _export, loading as _load, sample as _sample, suggest as _suggest

__all__ = [*_contract.__all__, *_load.__all__, *_suggest.__all__, *_export.__all__, *_sample.__all__]
