"""What a model's coding path produces: integer symbols, their cost, and any side information."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np


@dataclass
class HyperSide:
    """A hyperprior's side information and what it predicts for every latent element."""

    hyper: np.ndarray  # (N, hz, wz) int32, the coded hyper-latent
    hyper_bits: np.ndarray  # (N, hz, wz) float32
    mean: np.ndarray  # (M, h, w) float32, the predicted mean of each latent element
    scale_index: np.ndarray  # (M, h, w) uint8, the rung of the scale ladder (computed in integers)
    scale: np.ndarray  # (M, h, w) float32, the scale that rung stands for


@dataclass
class Quantised:
    """Integer latents at one quality with the bits the coder spends on each element.

    ``z`` holds the coded symbols: the CAE's rounded latents, or the hyperprior's residuals
    ``round(y - mean)``. ``stride`` is how many pixels one latent position covers per side.
    The bits are given as an array or as a function computed on first use: counting them costs
    ~0.6 s at 24 MP, and the decoder should not wait for it.
    """

    quality: int
    z: np.ndarray  # (M, h, w) int32
    bits_of: np.ndarray | Callable[[], np.ndarray] = field(repr=False)  # (M, h, w) float32, or how to count them
    stride: int = 8
    side: HyperSide | None = None

    @cached_property
    def bits(self) -> np.ndarray:
        """(M, h, w) float32: the bits the coder spends on each element."""
        return self.bits_of if isinstance(self.bits_of, np.ndarray) else self.bits_of()

    @cached_property
    def channel_bits(self) -> np.ndarray:
        return self.bits.reshape(self.bits.shape[0], -1).sum(1)

    @cached_property
    def position_bits(self) -> np.ndarray:
        """(h, w): bits spent at each latent position (one per stride x stride pixel block)."""
        return self.bits.sum(0)

    @property
    def side_bits(self) -> float:
        return float(self.side.hyper_bits.sum()) if self.side is not None else 0.0

    @property
    def total_bits(self) -> float:
        return float(self.channel_bits.sum()) + self.side_bits

    def symbol_hashes(self) -> dict[str, str]:
        """sha256 of every integer array a decoder derives from the file (symbols, and a
        hyperprior's hyper-latent and scale indices): equal on every machine, or the file would
        not decode the same there (golden files and the cross-device check compare them)."""

        def h(a: np.ndarray) -> str:
            return hashlib.sha256(np.ascontiguousarray(a).astype("<i4").tobytes()).hexdigest()

        out = {"latents_sha256": h(self.z)}
        if self.side is not None:
            out["hyper_sha256"] = h(self.side.hyper)
            out["scale_index_sha256"] = h(self.side.scale_index)
        return out
