"""Entropy model: a Gaussian scale mixture (GSM) per latent channel, and quality -> scale vectors.

The prior is a zero-mean GSM over the *unscaled* latents y of each channel, shared over positions.
At a quality q the codec quantises z = round(y * s_q) with a per-channel scale vector s_q, so the
probability of the integer k is the GSM mass of y in [(k - 1/2) / s_q, (k + 1/2) / s_q): one prior
serves every rate. Scale vectors are learned at a few anchor rates and interpolated (in log space)
between them; each channel's scale grows monotonically with quality by construction.

For coding, the floating-point probabilities are turned once (at export) into integer frequency
tables, which are stored in the weights file; encoder and decoder only ever read those integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

QUALITIES = 100  # quality is an integer 1..QUALITIES
FREQ_BITS = 24  # integer tables sum to 2**FREQ_BITS
TAIL_MASS = 1e-7  # mass beyond the table's range goes to the escape symbol
MAX_HALF_WIDTH = 2047  # largest table range, |k| <= this; larger values are escaped
_MIN_PROB = 1e-9


def quality_position(quality: float | torch.Tensor, anchors: int) -> torch.Tensor:
    """Map quality 1..100 (continuous allowed) to a position 0..anchors-1 on the anchor axis."""
    q = torch.as_tensor(quality, dtype=torch.float32)
    return (q - 1.0) / (QUALITIES - 1) * (anchors - 1)


def _normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.erfc(-x / math.sqrt(2.0))


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
        steps = F.softplus(self.scale_steps[: self.n_anchors - 1])
        return torch.cat([self.log_scale0[None], self.log_scale0[None] + steps.cumsum(0)], 0)

    def log_scales(self, position: torch.Tensor) -> torch.Tensor:
        """Linear interpolation of anchor log-scales at positions (B,) -> (B, M)."""
        anchors = self.anchor_log_scales()
        pos = position.clamp(0, self.n_anchors - 1)
        lo = pos.floor().long().clamp(max=max(self.n_anchors - 2, 0))
        frac = (pos - lo.float())[:, None]
        hi = (lo + 1).clamp(max=self.n_anchors - 1)
        return anchors[lo] * (1 - frac) + anchors[hi] * frac

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
        mass = _normal_cdf((a + 0.5) / s) - _normal_cdf((a - 0.5) / s)
        p = (mass * weights[None, :, None, None, :]).sum(-1)
        return p.clamp_min(_MIN_PROB)

    def bits(self, z: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
        """Bits for each element of z under the prior (training: z carries uniform noise)."""
        return -torch.log2(self.bin_probability(z, scales))


@dataclass(frozen=True, eq=False)  # hashed by identity, for caches
class Tables:
    """Integer frequency tables for every (quality, channel), as stored in a weights file.

    For quality q (1-based) and channel c, ``i = (q - 1) * M + c``: the table covers the integers
    ``-half[i] .. half[i]`` followed by one escape symbol, and lives at
    ``freqs[offsets[i] : offsets[i] + 2 * half[i] + 2]``.
    """

    scales: np.ndarray  # (100, M) float32, the scale vector for each quality
    half: np.ndarray  # (100 * M,) int32
    offsets: np.ndarray  # (100 * M,) int64
    freqs: np.ndarray  # (total,) uint32

    @property
    def channels(self) -> int:
        return int(self.scales.shape[1])

    def table(self, quality: int, channel: int) -> tuple[int, np.ndarray]:
        i = (quality - 1) * self.channels + channel
        h = int(self.half[i])
        o = int(self.offsets[i])
        return h, self.freqs[o : o + 2 * h + 2]

    def bits_table(self, quality: int, channel: int) -> tuple[int, np.ndarray]:
        """(half, -log2 probability of each symbol), escape last."""
        h, f = self.table(quality, channel)
        return h, (FREQ_BITS - np.log2(f.astype(np.float64))).astype(np.float32)


def _to_frequencies(p: np.ndarray, tail: float) -> np.ndarray:
    """Probabilities (float64) plus escape mass -> uint32 frequencies summing to 2**FREQ_BITS."""
    total = 1 << FREQ_BITS
    probs = np.append(p, max(tail, 1e-6))
    f = np.maximum(np.floor(probs / probs.sum() * total), 1).astype(np.int64)
    f[np.argmax(f)] += total - f.sum()
    return f.astype(np.uint32)


@torch.no_grad()
def build_tables(entropy: EntropyModel) -> Tables:
    """Compute the integer tables for all qualities (run once, at export, in float64)."""
    m = entropy.channels
    weights = torch.softmax(entropy.logits.double(), -1)  # (M, K)
    sigma0 = entropy.log_sigma.double().exp()
    pos = quality_position(torch.arange(1, QUALITIES + 1, dtype=torch.float32), entropy.n_anchors)
    scales = entropy.log_scales(pos).double().exp()  # (100, M)
    half = np.zeros(QUALITIES * m, np.int32)
    chunks: list[np.ndarray] = []
    for q in range(QUALITIES):
        for c in range(m):
            sig = sigma0[c] * scales[q, c]
            # smallest range whose two tails together hold less than TAIL_MASS
            hi = float((sig.max() * 6.0).ceil()) + 1
            ks = torch.arange(0, min(hi, MAX_HALF_WIDTH) + 1, dtype=torch.float64)
            upper = (weights[c] * _normal_cdf((ks[:, None] + 0.5) / sig)).sum(-1)
            tail2 = 2.0 * (1.0 - upper).clamp_min(0)
            ok = torch.nonzero(tail2 < TAIL_MASS)
            h = int(ok[0]) if len(ok) else len(ks) - 1
            k = torch.arange(-h, h + 1, dtype=torch.float64)
            a = -k.abs()
            mass = (weights[c] * (_normal_cdf((a[:, None] + 0.5) / sig) - _normal_cdf((a[:, None] - 0.5) / sig))).sum(-1)
            half[q * m + c] = h
            chunks.append(_to_frequencies(mass.numpy(), float(tail2[h])))
    lengths = np.array([len(c) for c in chunks], np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return Tables(
        scales=scales.float().numpy(),
        half=half,
        offsets=offsets,
        freqs=np.concatenate(chunks).astype(np.uint32),
    )
