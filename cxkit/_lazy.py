"""Heavy libraries imported where they are used, not when cxkit is imported.

``scipy.stats`` costs about 0.6 s to import and ``statsmodels`` more; a session that
only loads a file and links answers to customers (:func:`cxkit.load`,
:func:`cxkit.join_outcomes`) needs neither. A module that uses one writes::

    stats = lazy_module("scipy.stats")

at its top and ``stats.norm.ppf(...)`` in its functions, as with a plain import; the
library is imported by the first attribute read, once, by Python's own import system.

>>> special = lazy_module("scipy.special")
>>> round(float(special.ndtri(0.975)), 6)
1.959964
"""
from __future__ import annotations

import importlib
import types

__all__ = ["lazy_module"]


class _LazyModule(types.ModuleType):
    """A module that imports ``name`` at its first attribute read and then forwards to it."""

    def __init__(self, name: str):
        super().__init__(name)
        self.__dict__["_lazy_target"] = None

    def _load(self) -> types.ModuleType:
        target = self.__dict__["_lazy_target"]
        if target is None:
            target = importlib.import_module(self.__name__)
            self.__dict__["_lazy_target"] = target
        return target

    def __getattr__(self, attr: str):  # only called for attributes not found on the proxy itself
        return getattr(self._load(), attr)

    def __dir__(self):
        return dir(self._load())

    def __repr__(self) -> str:
        state = "imported" if self.__dict__["_lazy_target"] is not None else "not imported yet"
        return f"<lazy module {self.__name__!r} ({state})>"


def lazy_module(name: str) -> types.ModuleType:
    """A stand-in for ``import name`` that imports the module at its first use.

    Parameters
    ----------
    name : str
        Dotted module name, e.g. ``"scipy.stats"``.

    Returns
    -------
    module
        A proxy whose attributes are the module's; the import (and any ImportError) happens at
        the first attribute read.
    """
    return _LazyModule(name)
