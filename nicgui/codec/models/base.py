"""What every model family provides: transforms, a training forward pass and a coding path.

A family is a ``CodecModel`` subclass. The codec (``api.Codec``) runs its transforms in tiles and
asks it to quantise, entropy-code and decode; the trainer calls its ``forward``; export asks it
for the integer tables its coding path reads. Nothing outside the family knows its internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, NamedTuple, Self

import numpy as np
import torch
from torch import nn

from nicgui.codec.latents import Quantised


@dataclass(frozen=True)
class ConfigBase:
    """Architecture and hyper-parameters of one registered size; stored in every weights file."""

    name: str = ""
    anchors: tuple[float, ...] = ()  # lambda at each anchor rate, increasing

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["anchors"] = list(self.anchors)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Self:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        d = dict(d)
        if "anchors" in d:
            d["anchors"] = tuple(float(a) for a in d["anchors"])
        return cls(**d)


class SearchPass(NamedTuple):
    """One relaxed pass of a per-picture search: reconstruction (1, 3, H, W, 0..255, unclipped)
    and the estimated bits of the whole window (a scalar)."""

    x_hat: torch.Tensor
    bits: torch.Tensor


class RateDistortionOutput(NamedTuple):
    """A training pass: the reconstruction (unclipped, 0..255 scale) and bits per pixel per sample."""

    x_hat: torch.Tensor
    bpp: torch.Tensor


@dataclass(frozen=True)
class TileRange:
    """One coding tile, in latent positions: rows y0..y1, columns x0..x1."""

    y0: int
    y1: int
    x0: int
    x1: int


class CodecModel(nn.Module):
    """Base class of a model family."""

    family: ClassVar[str]
    stride: ClassVar[int]  # pixels per latent position, per side
    streams: ClassVar[int]  # entropy-coded streams per coding tile
    encoder_margin: ClassVar[int]  # pixels around an encoder tile; > the encoder's reach
    decoder_margin: ClassVar[int]  # latents around a decoder tile; > the decoder's reach
    decoder_tile: ClassVar[int]  # latents per side of a decoder tile
    coding_tile: ClassVar[int]  # latents per side of one independently coded tile
    config_class: ClassVar[type[ConfigBase]]

    cfg: Any

    @property
    def latent_channels(self) -> int:
        raise NotImplementedError

    # -- transforms ------------------------------------------------------------------------
    def analysis(self, x: torch.Tensor, bf16: bool = False) -> torch.Tensor:
        """RGB in [0, 255] (B, 3, H, W), H and W multiples of ``stride`` -> latents y (float32).

        With ``bf16`` all layers but the last run under bfloat16 autocast (``codec/precision.py``)."""
        raise NotImplementedError

    def synthesis(self, y_hat: torch.Tensor, bf16: bool = False) -> torch.Tensor:
        """Dequantised latents -> RGB clipped to [0, 255] (float32); ``bf16`` as for ``analysis``."""
        raise NotImplementedError

    # -- training --------------------------------------------------------------------------
    def forward(
        self, x: torch.Tensor, position: torch.Tensor, noise: bool = True, bf16: bool = False
    ) -> RateDistortionOutput:
        """One pass at per-sample anchor positions (continuous qualities)."""
        raise NotImplementedError

    def learning_rate_scales(self) -> dict[str, float]:
        """Parameter-name prefix -> multiplier of the training learning rate.

        Adam moves every parameter by about the learning rate per step, whatever its units; a
        model lists here the parameters whose units need larger (or smaller) steps. None by default."""
        return {}

    # -- tables ----------------------------------------------------------------------------
    def build_tables(self) -> dict[str, np.ndarray]:
        """The integer tables (and anything else the coding path reads), computed at export."""
        raise NotImplementedError

    def load_tables(self, arrays: dict[str, np.ndarray]) -> None:
        """Adopt stored tables; raises ValueError if they do not fit this model."""
        raise NotImplementedError

    @staticmethod
    def table_keys(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: v for k, v in arrays.items() if k.startswith("tables.")}

    # -- coding path (numpy in and out; the model holds its tables) ------------------------
    def quantise(self, y: np.ndarray, quality: int) -> Quantised:
        raise NotImplementedError

    def dequantise(self, q: Quantised) -> np.ndarray:
        """(M, h, w) float32: what the synthesis transform gets."""
        raise NotImplementedError

    def encode_tile(self, q: Quantised, tile: TileRange, marker: bool) -> list[bytes]:
        """The ``streams`` payloads of one coding tile."""
        raise NotImplementedError

    def decode_tiles(
        self, quality: int, shape: tuple[int, int], tiles: list[TileRange], payloads: list[list[bytes]], marker: bool
    ) -> Quantised:
        """Inverse of ``encode_tile`` over all tiles; raises CodingError on any defect."""
        raise NotImplementedError

    def distributions(self, q: Quantised) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per channel: (values, the model's probability of each) of the coded symbols."""
        raise NotImplementedError

    # -- per-picture search (``codec/refine.py``): the same decoder, better integers ----------
    refinable: ClassVar[bool] = False  # the family implements the three methods below

    def search_start(self, y: torch.Tensor, quality: int) -> list[torch.Tensor]:
        """The free variables of a search, starting where the one-pass encoder is: continuous
        tensors (batch 1) whose rounding gives exactly what ``quantise`` codes for ``y`` (1, M, h, w)."""
        raise NotImplementedError

    def search_pass(
        self,
        variables: list[torch.Tensor],
        quality: int,
        soft_round: Callable[[torch.Tensor], torch.Tensor],
        bf16: bool,
    ) -> SearchPass:
        """Reconstruction (unclipped, 0..255) and estimated bits of the variables, every rounding
        replaced by ``soft_round`` so that both are differentiable in them."""
        raise NotImplementedError

    def search_quantise(self, variables: list[torch.Tensor], quality: int) -> Quantised:
        """The hard-rounded variables as the coding path codes them."""
        raise NotImplementedError

    # latent positions per position of each search variable, per side (the hyperprior: y on the
    # latent grid, z on a grid 4 times coarser); a tiled search cuts the variables by it
    search_grids: ClassVar[tuple[int, ...]] = (1,)
