"""Yes/no columns, in the languages cxkit's users export in."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import Column
from .context import _as_text

__all__: list[str] = []


_TRUE = {"true", "yes", "y", "1", "t", "taip", "tak", "jā", "ja", "x"}
_FALSE = {"false", "no", "n", "0", "f", "ne", "nie", "nē", ""}


def _convert_bool(s: pd.Series, col: Column):
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean"), np.zeros(len(s), dtype=bool), ""
    t = _as_text(s).fillna("").str.strip().str.casefold()
    is_true = t.isin(list(_TRUE)).to_numpy(dtype=bool)
    is_false = t.isin(list(_FALSE)).to_numpy(dtype=bool)
    empty = (t == "").to_numpy(dtype=bool)
    bad = ~is_true & ~is_false
    values = pd.Series(pd.array(np.where(is_true, True, False), dtype="boolean"), index=s.index)
    values[empty | bad] = pd.NA
    return values, bad, "yes/no (true/false, 1/0, taip/ne, tak/nie, jā/nē)"
