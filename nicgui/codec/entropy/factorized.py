"""A learned prior per channel, shared over positions: for side information (the hyper-latent).

Each channel's density is a mixture of ``K`` Gaussians with learned weights, means and scales,
which can be skewed and off-centre (the hyper-latent's channels often are). Values are coded as
integers; their probability is the mixture's mass on the unit bin around them.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from nicgui.codec.entropy.normal import normal_cdf
from nicgui.codec.entropy.tables import TableSet, discretise, pack

_MIN_PROB = 1e-9
HYPER_MIN_HALF = 16  # every channel's table spans at least -16..16 (see tables.discretise)


class FactorizedPrior(nn.Module):
    """Per-channel Gaussian mixture over integers."""

    def __init__(self, channels: int, components: int = 3) -> None:
        super().__init__()
        self.channels = channels
        self.logits = nn.Parameter(torch.zeros(channels, components))
        spread = torch.linspace(-1.0, 1.0, components) if components > 1 else torch.zeros(1)
        self.means = nn.Parameter(spread.repeat(channels, 1))
        self.log_sigma = nn.Parameter(torch.full((channels, components), math.log(2.0)))

    def _mass(self, v: torch.Tensor, weights: torch.Tensor, means: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        x = v[..., None] - means
        return ((normal_cdf((x + 0.5) / sigma) - normal_cdf((x - 0.5) / sigma)) * weights).sum(-1)

    def bits(self, z: torch.Tensor) -> torch.Tensor:
        """Bits of each element of z (B, C, h, w) (training: z carries uniform noise)."""
        w = torch.softmax(self.logits, -1)[:, None, None, :]
        m = self.means[:, None, None, :]
        s = self.log_sigma.exp()[:, None, None, :]
        return -torch.log2(self._mass(z, w, m, s).clamp_min(_MIN_PROB))

    @torch.no_grad()
    def build_tables(self) -> TableSet:
        """One integer table per channel (float64, at export)."""
        w = torch.softmax(self.logits.double(), -1)
        m = self.means.double()
        s = self.log_sigma.double().exp()
        chunks = []
        for c in range(self.channels):
            wc, mc, sc = w[c], m[c], s[c]

            def mass(
                k: torch.Tensor, wc: torch.Tensor = wc, mc: torch.Tensor = mc, sc: torch.Tensor = sc
            ) -> torch.Tensor:
                return self._mass(k, wc, mc, sc)

            def outside(
                hs: torch.Tensor, wc: torch.Tensor = wc, mc: torch.Tensor = mc, sc: torch.Tensor = sc
            ) -> torch.Tensor:
                x = hs[:, None]
                lower = normal_cdf((-x - 0.5 - mc) / sc)  # below -h
                upper = normal_cdf((mc - x - 0.5) / sc)  # above h, by symmetry of the normal
                return ((lower + upper) * wc).sum(-1)

            reach = float((mc.abs() + 6.0 * sc).max())
            chunks.append(discretise(mass, outside, reach, HYPER_MIN_HALF))
        return pack(chunks)


def table_bits(tables: TableSet, z: np.ndarray) -> np.ndarray:
    """Bits of each element of z (C, h, w) coded with its channel's table."""
    return tables.bits(z, np.arange(z.shape[0])[:, None, None])
