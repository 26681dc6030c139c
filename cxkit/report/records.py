"""Values a notebook reports back to the batch: a display output with cxkit's JSON MIME type,
read back from the executed notebook with nbformat (scrapbook's job, without scrapbook).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ['record', 'read_records']


RECORD_MIME = "application/vnd.cxkit.record+json"


def record(name: str, value: Any) -> None:
    """Record a JSON value in a notebook's output, to be read back with :func:`read_records`.

    Emits a display output with the MIME type ``application/vnd.cxkit.record+json`` and a
    plain-text fallback; the report template never shows it.

    Parameters
    ----------
    name : str
        The record's name (a later record of the same name wins).
    value : object
        A JSON value; numpy numbers, timestamps and NaN are converted (NaN becomes null).

    Returns
    -------
    None
    """
    from IPython.display import display

    payload = {"name": str(name), "value": _jsonable(value)}
    display({RECORD_MIME: payload, "text/plain": f"recorded {name}"}, raw=True)


def read_records(nb: str | Path | Any) -> dict[str, Any]:
    """Values recorded with :func:`record` in an executed notebook (later records win).

    Parameters
    ----------
    nb : str, pathlib.Path or nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    dict
        Record name -> value.
    """
    import nbformat

    if not hasattr(nb, "cells"):
        nb = nbformat.read(str(nb), as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RECORD_MIME in data:
                payload = data[RECORD_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                out[payload["name"]] = payload["value"]
    return out


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else round(float(value), 6)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    if value is pd.NA or value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    return value
