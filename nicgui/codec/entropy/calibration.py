"""How well a hyperprior's predicted scales fit the residuals they code.

A hyperprior spends, on each latent element, the bits of its residual under the Gaussian of the
rung its scale index picked. If the rungs are right, the residuals coded at one rung look like
that rung's Gaussian, and the bits spent come close to the residuals' own entropy per rung. A
model whose scales are systematically too small (or too large) spends much more, and shifting
every index by a few rungs would save bits: this measures both, on real pictures, so a training
run that has gone wrong shows before its BD-rate does (``benchmarks/hyperprior_calibration.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nicgui.codec.entropy.tables import TableSet


@dataclass(frozen=True)
class RungFit:
    """The residuals coded at one rung of the scale ladder."""

    rung: int
    scale: float  # the rung's scale
    count: int  # elements coded at this rung
    rms: float  # root mean square of their (integer) residuals
    bits: float  # bits spent per element
    entropy: float  # the residuals' empirical entropy per element: what this rung could cost


@dataclass(frozen=True)
class ScaleCalibration:
    """All rungs used, with the latents' bits as coded and as they would be with shifted indices."""

    rungs: list[RungFit]
    bits: float  # bits spent on the latents in all
    entropy: float  # sum over rungs of the residuals' empirical entropy (a bound for these rungs)
    bits_by_shift: dict[int, float]  # every index moved by k rungs (clipped to the ladder) -> bits

    @property
    def overhead(self) -> float:
        """Bits spent over the per-rung entropy, as a fraction (0.05: 5 % more)."""
        return self.bits / self.entropy - 1.0 if self.entropy > 0 else 0.0

    @property
    def best_shift(self) -> int:
        """The index shift that would spend the fewest bits (0 for a calibrated model)."""
        return min(self.bits_by_shift, key=lambda k: (self.bits_by_shift[k], abs(k)))


def _entropy_bits(values: np.ndarray) -> float:
    _, counts = np.unique(values, return_counts=True)
    return float(-(counts * np.log2(counts / counts.sum())).sum())


def scale_calibration(
    residuals: np.ndarray,
    scale_index: np.ndarray,
    scales: np.ndarray,
    tables: TableSet,
    shifts: range = range(-3, 7),
) -> ScaleCalibration:
    """Calibration of integer ``residuals`` coded with the ladder ``tables`` at ``scale_index``
    (same shape; ``scales[k]`` is rung k's scale, ``len(scales) == len(tables)``)."""
    if residuals.shape != scale_index.shape:
        raise ValueError("residuals and scale indices differ in shape")
    if len(scales) != len(tables):
        raise ValueError("the ladder's scales and tables differ in number")
    if 0 not in shifts:
        raise ValueError("the shifts must include 0 (the model as it is)")
    r = residuals.reshape(-1)
    idx = scale_index.reshape(-1).astype(np.int64)
    spent = tables.bits(r, idx)
    rungs = []
    for k in np.unique(idx):
        sel = idx == k
        v = r[sel]
        rungs.append(
            RungFit(
                int(k),
                float(scales[k]),
                int(sel.sum()),
                float(np.sqrt(np.mean(v.astype(np.float64) ** 2))),
                float(spent[sel].mean()),
                _entropy_bits(v) / len(v),
            )
        )
    top = len(tables) - 1
    by_shift = {s: float(tables.bits(r, np.clip(idx + s, 0, top)).sum()) for s in shifts}
    return ScaleCalibration(rungs, float(spent.sum()), sum(f.entropy * f.count for f in rungs), by_shift)


def combine(parts: Sequence[ScaleCalibration]) -> ScaleCalibration:
    """Several pictures' calibrations as one: bits, entropies and shifted bits add up; each rung's
    figures are pooled, weighted by its element counts (the entropy stays a sum per picture)."""
    if not parts:
        raise ValueError("nothing to combine")
    pooled: dict[int, list[RungFit]] = {}
    for part in parts:
        for f in part.rungs:
            pooled.setdefault(f.rung, []).append(f)
    rungs = []
    for k in sorted(pooled):
        fits = pooled[k]
        n = sum(f.count for f in fits)
        rungs.append(
            RungFit(
                k,
                fits[0].scale,
                n,
                float(np.sqrt(sum(f.rms**2 * f.count for f in fits) / n)),
                sum(f.bits * f.count for f in fits) / n,
                sum(f.entropy * f.count for f in fits) / n,
            )
        )
    shifts = parts[0].bits_by_shift
    return ScaleCalibration(
        rungs,
        sum(p.bits for p in parts),
        sum(p.entropy for p in parts),
        {k: sum(p.bits_by_shift[k] for p in parts) for k in shifts},
    )
