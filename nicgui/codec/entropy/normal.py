"""The standard normal distribution's CDF and the mass of a unit bin, shared by every prior."""

from __future__ import annotations

import math

import torch


def normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.erfc(-x / math.sqrt(2.0))


def centred_bin_mass(r: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Mass of N(0, sigma) on [r - 1/2, r + 1/2), computed on the left tail where it is accurate."""
    a = -r.abs()
    return normal_cdf((a + 0.5) / sigma) - normal_cdf((a - 0.5) / sigma)
