"""Image quality metrics on RGB 0..255: MSE, PSNR, SSIM, MS-SSIM, error maps, bits per pixel.

``measure`` is the one entry point for a comparison; SSIM and MS-SSIM come from the kernel in
``ssim.py`` (the published settings, so figures compare with published ones). Pass an
``OriginalMoments`` instead of the original's pixels to reuse its share of the work over many
reconstructions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nicgui.codec.progress import MEASURING, Progress
from nicgui.codec.rate import bits_per_pixel
from nicgui.codec.ssim import OriginalMoments, ssim_and_ms_ssim, ssim_map

__all__ = [
    "Metrics",
    "OriginalMoments",
    "abs_error_map",
    "all_metrics",
    "bits_per_pixel",
    "measure",
    "ms_ssim",
    "mse",
    "psnr",
    "ssim",
    "ssim_map",
]

_STRIP_VALUES = 1 << 22  # values per strip of the exact MSE sum: bounds memory on huge pictures


@dataclass(frozen=True)
class Metrics:
    mse: float
    psnr: float
    ssim: float
    ms_ssim: float


def _check(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"images differ in size: {a.shape} vs {b.shape}")


def mse(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared error, summed exactly in integers, strip by strip."""
    _check(a, b)
    if a.size == 0:
        return 0.0
    rows = max(1, _STRIP_VALUES // max(1, a[0].size))
    total = 0
    for r0 in range(0, a.shape[0], rows):
        d = a[r0 : r0 + rows].astype(np.int32) - b[r0 : r0 + rows].astype(np.int32)
        total += int((d * d).sum(dtype=np.int64))
    return total / a.size


def _psnr(m: float) -> float:
    return math.inf if m == 0 else 10.0 * math.log10(255.0**2 / m)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB over all channels (inf for identical images)."""
    return _psnr(mse(a, b))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return ssim_and_ms_ssim(a, b)[0]


def ms_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """MS-SSIM with as many of the five standard scales as the image size allows."""
    return ssim_and_ms_ssim(a, b)[1]


def measure(
    original: np.ndarray | OriginalMoments, reconstruction: np.ndarray, progress: Progress | None = None
) -> Metrics:
    """MSE, PSNR, SSIM and MS-SSIM of a reconstruction against its original (same-size uint8).

    ``progress`` hears about every strip of the SSIM work (stage ``measuring``) and may raise
    ``Cancelled`` between them: at 24 MP the metrics take several seconds.
    """
    pixels = original.pixels if isinstance(original, OriginalMoments) else original
    m = mse(pixels, reconstruction)
    report = None if progress is None else lambda done, total: progress(MEASURING, done, total)
    s, ms = ssim_and_ms_ssim(original, reconstruction, report)
    return Metrics(m, _psnr(m), s, ms)


all_metrics = measure  # the name earlier releases documented


def abs_error_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W) float32 mean absolute error over the channels."""
    _check(a, b)
    d = np.abs(a.astype(np.float32) - b.astype(np.float32))
    return d.mean(axis=2) if d.ndim == 3 else d
