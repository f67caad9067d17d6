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

import numpy as np
import torch

from nicgui.codec.entropy.normal import centred_bin_mass, normal_cdf
from nicgui.codec.entropy.tables import TableSet, discretise, pack

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
    """Bits of each (noisy during training) residual under N(0, sigma) discretised to unit bins."""
    return -torch.log2(centred_bin_mass(residual, sigma).clamp_min(_MIN_PROB))


@torch.no_grad()
def build_ladder_tables(ladder: ScaleLadder) -> TableSet:
    """One integer table per rung (float64, at export)."""
    chunks = []
    for sigma in ladder.all_scales().astype(np.float64):
        s = torch.tensor(sigma, dtype=torch.float64)

        def mass(k: torch.Tensor, s: torch.Tensor = s) -> torch.Tensor:
            return centred_bin_mass(k, s)

        def outside(hs: torch.Tensor, s: torch.Tensor = s) -> torch.Tensor:
            return 2.0 * normal_cdf(-(hs + 0.5) / s)

        chunks.append(
            discretise(
                mass,
                outside,
                6.0 * float(sigma),
                LADDER_MIN_HALF,
            )
        )
    return pack(chunks)
