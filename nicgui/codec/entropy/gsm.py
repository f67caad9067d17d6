"""The CAE's entropy model: a Gaussian scale mixture (GSM) per latent channel, and quality -> scale vectors.

The prior is a zero-mean GSM over the *unscaled* latents y of each channel, shared over positions.
At a quality q the codec quantises z = round(y * s_q) with a per-channel scale vector s_q, so the
probability of the integer k is the GSM mass of y in [(k - 1/2) / s_q, (k + 1/2) / s_q): one prior
serves every rate. Scale vectors are learned at a few anchor rates and interpolated (in log space)
between them; each channel's scale grows monotonically with quality by construction.

For coding, the floating-point probabilities are turned once (at export) into integer frequency
tables (``tables.py``), stored in the weights file; encoder and decoder only ever read those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nicgui.codec.entropy.normal import normal_cdf
from nicgui.codec.entropy.tables import MassFn, TableSet, discretise, pack
from nicgui.codec.quality import QUALITIES, interpolate_anchors, monotone_anchor_logs, quality_position

_MIN_PROB = 1e-9


class EntropyModel(nn.Module):
    """Per-channel GSM prior plus monotone per-channel scale vectors at the anchor rates."""

    def __init__(self, channels: int, gsm_scales: int, anchors: int) -> None:
        super().__init__()
        self.channels = channels
        self.n_anchors = anchors
        self.logits = nn.Parameter(torch.zeros(channels, gsm_scales))
        init_sigma = torch.logspace(math.log10(0.05), math.log10(8.0), gsm_scales)
        self.log_sigma = nn.Parameter(init_sigma.log().repeat(channels, 1))
        # log s at anchor 0, then positive log-increments between consecutive anchors.
        start = -0.5 * (anchors - 1) * math.log(1.6)
        self.log_scale0 = nn.Parameter(torch.full((channels,), start))
        inv_softplus = math.log(math.expm1(math.log(1.6)))
        self.scale_steps = nn.Parameter(torch.full((max(anchors - 1, 1), channels), inv_softplus))

    def anchor_log_scales(self) -> torch.Tensor:
        """(anchors, M) log scale per anchor; non-decreasing along the anchor axis."""
        return monotone_anchor_logs(self.log_scale0, self.scale_steps, self.n_anchors)

    def log_scales(self, position: torch.Tensor) -> torch.Tensor:
        """Linear interpolation of anchor log-scales at positions (B,) -> (B, M)."""
        return interpolate_anchors(self.anchor_log_scales(), position)

    def scales_for_quality(self, quality: int) -> torch.Tensor:
        """(M,) scale vector for an integer quality 1..100."""
        pos = quality_position(float(quality), self.n_anchors).reshape(1)
        return self.log_scales(pos)[0].exp()

    def bin_probability(self, z: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
        """GSM mass of the unit bin centred on z (N,M,h,w), for the latent scaled by scales (N,M)."""
        weights = torch.softmax(self.logits, -1)  # (M, K)
        sigma = self.log_sigma.exp()[None] * scales[:, :, None]  # (N, M, K)
        a = -z.abs()[..., None]  # mirror to the left tail, where the CDF difference is accurate
        s = sigma[:, :, None, None, :]
        mass = normal_cdf((a + 0.5) / s) - normal_cdf((a - 0.5) / s)
        p = (mass * weights[None, :, None, None, :]).sum(-1)
        return p.clamp_min(_MIN_PROB)

    def bits(self, z: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
        """Bits for each element of z under the prior (training: z carries uniform noise)."""
        return -torch.log2(self.bin_probability(z, scales))


@dataclass(frozen=True, eq=False)  # hashed by identity, for caches
class Tables:
    """The CAE's integer tables: one per (quality, channel), as stored in a weights file.

    For quality q (1-based) and channel c the table is number ``(q - 1) * M + c`` of ``tables``.
    """

    scales: np.ndarray  # (100, M) float32, the scale vector for each quality
    tables: TableSet

    def __post_init__(self) -> None:
        if self.scales.ndim != 2 or self.scales.shape[0] != QUALITIES or len(self.tables) != self.scales.size:
            raise ValueError("scale vectors and tables do not fit together")
        if not np.all(np.isfinite(self.scales)) or self.scales.min() <= 0:
            raise ValueError("scale vectors must be finite and positive")

    @property
    def channels(self) -> int:
        return int(self.scales.shape[1])

    def index(self, quality: int, channel: int) -> int:
        if not 1 <= quality <= QUALITIES or not 0 <= channel < self.channels:
            raise IndexError(f"no table for quality {quality}, channel {channel}")
        return (quality - 1) * self.channels + channel

    def table(self, quality: int, channel: int) -> tuple[int, np.ndarray]:
        return self.tables.table(self.index(quality, channel))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"tables.scales": self.scales.astype(np.float32), **self.tables.arrays("tables")}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Tables:
        return cls(np.asarray(arrays["tables.scales"], np.float32), TableSet.from_arrays(arrays, "tables"))


@torch.no_grad()
def build_tables(entropy: EntropyModel) -> Tables:
    """Compute the integer tables for all qualities (run once, at export, in float64)."""
    m = entropy.channels
    weights = torch.softmax(entropy.logits.double(), -1)  # (M, K)
    sigma0 = entropy.log_sigma.double().exp()
    pos = quality_position(torch.arange(1, QUALITIES + 1, dtype=torch.float32), entropy.n_anchors)
    scales = entropy.log_scales(pos).double().exp()  # (100, M)
    chunks: list[tuple[int, np.ndarray]] = []
    for q in range(QUALITIES):
        for c in range(m):
            sig = sigma0[c] * scales[q, c]
            w = weights[c]

            def upper(ks: torch.Tensor, sig: torch.Tensor = sig, w: torch.Tensor = w) -> torch.Tensor:
                return (w * normal_cdf((ks[:, None] + 0.5) / sig)).sum(-1)

            def mass(k: torch.Tensor, sig: torch.Tensor = sig, w: torch.Tensor = w) -> torch.Tensor:
                a = -k.abs()[:, None]
                return (w * (normal_cdf((a + 0.5) / sig) - normal_cdf((a - 0.5) / sig))).sum(-1)

            def outside(hs: torch.Tensor, upper: MassFn = upper) -> torch.Tensor:
                return 2.0 * (1.0 - upper(hs))

            chunks.append(discretise(mass, outside, float(sig.max() * 6.0)))
    return Tables(scales=scales.float().numpy(), tables=pack(chunks))
