"""Error maps: what kinds the error view shows, how one is computed and how it is coloured.

Computed on the model thread; colours come in as a table (the GUI's colour map), so this layer
needs no plotting library.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from nicgui.codec.metrics import abs_error_map, ssim_map

ABS_ERROR_LEVELS = (0.0, 32.0)  # fixed, so maps at different qualities compare at a glance
SSIM_LEVELS = (0.0, 1.0)


class HeatmapKind(StrEnum):
    """What the error view shows."""

    ABS = "abs"  # mean absolute error over the channels, on a fixed 0..32 scale (compares across qualities)
    SSIM = "ssim"  # local SSIM, 1 = identical
    ABS_AUTO = "abs-auto"  # absolute error scaled to this picture's errors (small errors stay visible)

    @property
    def label(self) -> str:
        return {"abs": "Absolute error", "abs-auto": "Absolute error (auto range)", "ssim": "SSIM map"}[self.value]

    @property
    def is_absolute(self) -> bool:
        return self in (HeatmapKind.ABS, HeatmapKind.ABS_AUTO)


@dataclass(frozen=True)
class Heatmap:
    """A per-pixel error map and its colour rendering (computed on the worker)."""

    kind: HeatmapKind
    values: np.ndarray  # (H, W) float32
    rgb: np.ndarray  # (H, W, 3) uint8, values through the colour map
    levels: tuple[float, float]  # the values at the two ends of the colour map


def colour_table(kind: HeatmapKind, lut: np.ndarray) -> np.ndarray:
    """(256, 3) uint8 colours for a heatmap kind from a dark-to-bright ``lut``: bright means worse."""
    return lut if kind.is_absolute else lut[::-1].copy()


def colourise(values: np.ndarray, levels: tuple[float, float], lut: np.ndarray) -> np.ndarray:
    lo, hi = levels
    idx = np.clip((values - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    return lut[idx]


def heatmap(kind: HeatmapKind, original: np.ndarray, reconstruction: np.ndarray, lut: np.ndarray) -> Heatmap:
    """The error map of a reconstruction and its colour rendering with ``lut`` (dark to bright)."""
    if kind is HeatmapKind.ABS:
        values, levels = abs_error_map(original, reconstruction), ABS_ERROR_LEVELS
    elif kind is HeatmapKind.ABS_AUTO:
        values = abs_error_map(original, reconstruction)
        top = float(np.percentile(values, 99.5)) if values.size else 1.0
        levels = (0.0, max(1.0, round(top, 1)))
    else:
        values, levels = ssim_map(original, reconstruction), SSIM_LEVELS
    values = np.ascontiguousarray(values, dtype=np.float32)
    return Heatmap(kind, values, colourise(values, levels, colour_table(kind, lut)), levels)
