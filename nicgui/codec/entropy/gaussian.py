"""Gaussian conditional: each latent element coded under N(mean, scale) with its own scale.

The scale is not coded as a float: it is one rung of a fixed, log-spaced ladder of ``levels``
scales, picked by an integer *scale index* that the hyperprior computes in exact integer
arithmetic (``models/integer_net.py``). Each rung has one integer table, so encoder and decoder
pick the same table for every element on any machine. The element itself is coded as the
integer residual ``round(y - mean)``; the mean only shifts the reconstruction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from nicgui.codec.entropy.normal import centred_bin_mass, normal_cdf
from nicgui.codec.entropy.tables import MAX_HALF_WIDTH, TableSet, discretise, pack

_MIN_PROB = 1e-9
LADDER_MIN_HALF = 32  # every rung's table spans at least -32..32 (see tables.discretise)


@dataclass(frozen=True)
class ScaleLadder:
    """``levels`` scales from ``smallest`` to ``largest``, equally spaced in log."""

    levels: int = 64
    smallest: float = 0.11
    largest: float = 256.0

    def __post_init__(self) -> None:
        if not (2 <= self.levels <= 255 and 0 < self.smallest < self.largest):
            raise ValueError("scale ladder needs 2..255 levels and 0 < smallest < largest")

    @property
    def step(self) -> float:
        """Log-scale step between rungs."""
        return math.log(self.largest / self.smallest) / (self.levels - 1)

    def scales(self, index: torch.Tensor | np.ndarray) -> torch.Tensor:
        """Scale of each (possibly fractional, during training) index."""
        idx = torch.as_tensor(index, dtype=torch.float32)
        return self.smallest * torch.exp(idx * self.step)

    def all_scales(self) -> np.ndarray:
        return (self.smallest * np.exp(np.arange(self.levels) * self.step)).astype(np.float32)


def gaussian_bits(residual: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Bits of each residual (noisy or rounded) under N(0, sigma) discretised to unit bins."""
    return -torch.log2(centred_bin_mass(residual, sigma).clamp_min(_MIN_PROB))


def training_bits(residual: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Bits of each residual for training: the value and the gradient of everything before the
    residual come from the noisy stand-in for rounding (smooth, unbiased), the gradient of the
    scale from the rounded residual that is actually coded, so the scales fit what is coded.

    Measured from one checkpoint of the CPU-trained hyperprior, 400 steps each way: the bits its
    own Gaussian tables spend over the residuals' entropy per rung (6 Kodak images) went from
    +45.8 % to +34.9 % at quality 1 and from +9.3 % to +5.7 % at quality 100 against the noisy
    residual alone, with equal rate-distortion once export fits the tables (``train/calibrate.py``).
    """
    noisy = gaussian_bits(residual + (torch.rand_like(residual) - 0.5), sigma.detach())
    coded = gaussian_bits(torch.round(residual).detach(), sigma)
    return noisy + (coded - coded.detach())


PRIOR_WEIGHT = 1000.0  # a fitted rung's Gaussian counts as this many observed residuals


def _gauss_outside(hs: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    return 2.0 * normal_cdf(-(hs + 0.5) / sigma)


def _fitted_mass(v: torch.Tensor, sigma: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
    observed = seen[(v.long() + MAX_HALF_WIDTH).clamp(0, 2 * MAX_HALF_WIDTH)]
    return (observed + PRIOR_WEIGHT * centred_bin_mass(v, sigma)) / (seen.sum() + PRIOR_WEIGHT)


def _fitted_outside(hs: torch.Tensor, sigma: torch.Tensor, seen: torch.Tensor, beyond: torch.Tensor) -> torch.Tensor:
    observed = beyond[hs.long().clamp(0, MAX_HALF_WIDTH)]
    return (observed + PRIOR_WEIGHT * _gauss_outside(hs, sigma)) / (seen.sum() + PRIOR_WEIGHT)


@torch.no_grad()
def build_ladder_tables(ladder: ScaleLadder, counts: np.ndarray | None = None) -> TableSet:
    """One integer table per rung (float64, at export).

    Without ``counts`` rung k codes with the discretised Gaussian of its scale, as training
    assumed. ``counts`` (levels, 2 * MAX_HALF_WIDTH + 1) are residuals observed per rung, values
    -MAX_HALF_WIDTH..MAX_HALF_WIDTH, on calibration pictures (``train/calibrate.py``): each rung
    then codes with what was observed, smoothed by its Gaussian worth PRIOR_WEIGHT residuals, so a
    rung seen rarely keeps its Gaussian and no value becomes impossible.
    """
    if counts is not None and counts.shape != (ladder.levels, 2 * MAX_HALF_WIDTH + 1):
        raise ValueError(f"residual counts must be ({ladder.levels}, {2 * MAX_HALF_WIDTH + 1})")
    chunks = []
    for k, scale in enumerate(ladder.all_scales().astype(np.float64)):
        sigma = torch.tensor(scale, dtype=torch.float64)
        seen = None if counts is None else torch.from_numpy(counts[k].astype(np.float64))
        if seen is None or seen.sum() == 0:
            mass, outside = partial(centred_bin_mass, sigma=sigma), partial(_gauss_outside, sigma=sigma)
            chunks.append(discretise(mass, outside, 6.0 * scale, LADDER_MIN_HALF))
            continue
        magnitude = seen[MAX_HALF_WIDTH:].clone()  # residuals of each magnitude |v| = 0, 1, ...
        magnitude[1:] += seen[:MAX_HALF_WIDTH].flip(0)
        at_least = magnitude.flip(0).cumsum(0).flip(0)
        beyond = torch.cat([at_least[1:], torch.zeros(1, dtype=torch.float64)])  # beyond[h]: count of |v| > h
        widest = int(torch.nonzero(magnitude).max())
        chunks.append(
            discretise(
                partial(_fitted_mass, sigma=sigma, seen=seen),
                partial(_fitted_outside, sigma=sigma, seen=seen, beyond=beyond),
                max(6.0 * scale, widest),
                LADDER_MIN_HALF,
            )
        )
    return pack(chunks)
