"""Colour tables of the pictures and plots, from pyqtgraph's own colour maps (no matplotlib)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg


@cache
def lookup_table(name: str, alpha_ramp: int | None = None) -> np.ndarray:
    """(256, 3) uint8 colours of a pyqtgraph colour map ('inferno', 'magma', 'CET-D1', ...).

    With ``alpha_ramp`` the table gets a fourth channel rising from transparent to that opacity.
    """
    lut = np.asarray(pg.colormap.get(name).getLookupTable(0.0, 1.0, 256), dtype=np.uint8)[:, :3]
    if alpha_ramp is None:
        return lut
    alpha = np.linspace(0, alpha_ramp, 256).astype(np.uint8)[:, None]
    return np.concatenate([lut, alpha], axis=1)
