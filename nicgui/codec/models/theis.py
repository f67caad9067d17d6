"""The compressive autoencoder of Theis et al. 2017 (Fig. 2), with configurable widths.

Encoder: conv 5x5/2, conv 5x5/2, three residual blocks, conv 5x5/2 -> M latent channels at 1/8
resolution. Decoder: the mirror image built from sub-pixel convolutions (conv + PixelShuffle).
Convolutions pad by replicating edge pixels, which works for any input size (even 1x1 latents)
and gives tiles cut from a larger image the same borders as the whole image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nicgui.codec.coder import LatentCoder, channel_probabilities, estimate_bits
from nicgui.codec.entropy import EntropyModel, Tables
from nicgui.codec.entropy.gsm import build_tables
from nicgui.codec.latents import Quantised
from nicgui.codec.models.base import CodecModel, ConfigBase, RateDistortionOutput, SearchPass, TileRange
from nicgui.codec.models.layers import round_ste, run_mixed
from nicgui.errors import CodingError

# How far (in input pixels) one latent / one output pixel can see; tiling overlaps by more.
ENCODER_RADIUS = 38
DECODER_RADIUS_LATENTS = 5


@dataclass(frozen=True)
class ModelConfig(ConfigBase):
    """Architecture and hyper-parameters of a CAE; stored in every weights file."""

    name: str = "theis-cae"
    enc1: int = 64  # first encoder conv
    hidden: int = 128  # residual-block width (encoder and decoder)
    latent: int = 96  # M, latent channels
    dec_in: int = 512  # first decoder conv, before the first shuffle
    dec_mid: int = 256  # decoder conv before the second shuffle
    gsm_scales: int = 6  # Gaussian scale mixture components per channel
    anchors: tuple[float, ...] = (0.002, 0.005, 0.0125, 0.03, 0.075, 0.18)  # lambda per anchor rate


# Registered sizes; a weights file may also carry its own config.
SIZES: dict[str, ModelConfig] = {
    "theis-cae": ModelConfig(),
    "theis-cae-s": ModelConfig(name="theis-cae-s", enc1=48, hidden=96, latent=64, dec_in=384, dec_mid=192),
}


def _conv(cin: int, cout: int, k: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, padding_mode="replicate")


class ResidualBlock(nn.Module):
    """conv 3x3, leaky ReLU, conv 3x3, plus the input."""

    def __init__(self, ch: int) -> None:
        super().__init__()
        self.conv1 = _conv(ch, ch, 3)
        self.conv2 = _conv(ch, ch, 3)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(self.act(self.conv1(x)))


class Encoder(nn.Module):
    """RGB in [0, 255] (N,3,H,W), H and W multiples of 8 -> latents (N,M,H/8,W/8)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.net = nn.Sequential(
            _conv(3, cfg.enc1, 5, 2),
            nn.LeakyReLU(0.2),
            _conv(cfg.enc1, cfg.hidden, 5, 2),
            nn.LeakyReLU(0.2),
            ResidualBlock(cfg.hidden),
            ResidualBlock(cfg.hidden),
            ResidualBlock(cfg.hidden),
            _conv(cfg.hidden, cfg.latent, 5, 2),
        )

    def forward(self, x: torch.Tensor, bf16: bool = False) -> torch.Tensor:
        return run_mixed(self.net[:-1], self.net[-1], x / 127.5 - 1.0, bf16)


class Decoder(nn.Module):
    """Latents (N,M,h,w) -> RGB in [0, 255] (N,3,8h,8w)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        if cfg.dec_in % 4 or cfg.dec_in // 4 != cfg.hidden:
            raise ValueError("dec_in must be 4 * hidden (sub-pixel shuffle by 2)")
        self.net = nn.Sequential(
            _conv(cfg.latent, cfg.dec_in, 3),
            nn.PixelShuffle(2),
            ResidualBlock(cfg.hidden),
            ResidualBlock(cfg.hidden),
            ResidualBlock(cfg.hidden),
            _conv(cfg.hidden, cfg.dec_mid, 3),
            nn.LeakyReLU(0.2),
            nn.PixelShuffle(2),
            _conv(cfg.dec_mid // 4, 12, 3),
            nn.PixelShuffle(2),
        )

    def features(self, y: torch.Tensor) -> torch.Tensor:
        """Everything before the last convolution (training may run this part in bfloat16)."""
        return self.net[:-2](y)

    def to_rgb(self, h: torch.Tensor, clip: bool = True) -> torch.Tensor:
        """The last convolution and shuffle, mapped to [0, 255]."""
        x = (self.net[-2:](h) + 1.0) * 127.5
        return x.clamp(0.0, 255.0) if clip else x

    def forward(self, y: torch.Tensor, clip: bool = True, bf16: bool = False) -> torch.Tensor:
        return run_mixed(self.features, lambda h: self.to_rgb(h, clip), y, bf16)


class CompressiveAutoencoder(CodecModel):
    """Encoder, decoder and GSM entropy model of one CAE; sizes come from a ModelConfig."""

    family = "theis-cae"
    stride = 8
    streams = 1
    encoder_margin = 48
    decoder_margin = 8
    decoder_tile = 128
    coding_tile = 64
    config_class = ModelConfig

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.entropy = EntropyModel(cfg.latent, cfg.gsm_scales, len(cfg.anchors))
        self.tables: Tables | None = None

    @property
    def latent_channels(self) -> int:
        return self.cfg.latent

    def analysis(self, x: torch.Tensor, bf16: bool = False) -> torch.Tensor:
        return self.encoder(x, bf16)

    def synthesis(self, y_hat: torch.Tensor, bf16: bool = False) -> torch.Tensor:
        return self.decoder(y_hat, bf16=bf16)

    def forward(
        self, x: torch.Tensor, position: torch.Tensor, noise: bool = True, bf16: bool = False
    ) -> RateDistortionOutput:
        """Training pass: the decoder sees round(y * s) / s with the identity as the gradient of
        rounding (Theis et al.); the rate sees y * s plus uniform noise, whose bin mass is a smooth,
        unbiased stand-in for the entropy of the rounded value.

        With ``bf16`` the encoder and the decoder run under bfloat16 autocast but for their last
        convolutions; the latents, the rate and the pixels stay in float32, where 8 bits of
        mantissa would show (a pixel step near white, a coarse CDF difference).
        """
        y = self.encoder(x, bf16)
        scales = self.entropy.log_scales(position).exp()  # (B, M)
        s = scales[:, :, None, None]
        z = y * s
        z_rate = z + (torch.rand_like(z) - 0.5) if noise else torch.round(z)
        bits = self.entropy.bits(z_rate, scales).flatten(1).sum(1)
        x_hat = self.decoder(round_ste(z) / s, clip=False, bf16=bf16)
        return RateDistortionOutput(x_hat, bits / (x.shape[2] * x.shape[3]))

    # -- tables ----------------------------------------------------------------------------
    def build_tables(self) -> dict[str, np.ndarray]:
        return build_tables(self.entropy).arrays()

    def load_tables(self, arrays: dict[str, np.ndarray]) -> None:
        tables = Tables.from_arrays(arrays)
        if tables.channels != self.cfg.latent:
            raise ValueError(f"tables are for {tables.channels} channels, the model has {self.cfg.latent}")
        self.tables = tables

    def _tables(self) -> Tables:
        if self.tables is None:
            raise RuntimeError("this model has no tables: load it from a weights file")
        return self.tables

    # -- coding path -----------------------------------------------------------------------
    def quantise(self, y: np.ndarray, quality: int) -> Quantised:
        t = self._tables()
        z = np.round(y * t.scales[quality - 1][:, None, None])
        z = np.clip(z, -(2**30), 2**30).astype(np.int32)
        return Quantised(quality, z, lambda: estimate_bits(z, t, quality), self.stride)

    def dequantise(self, q: Quantised) -> np.ndarray:
        return q.z.astype(np.float32) / self._tables().scales[q.quality - 1][:, None, None]

    # -- per-picture search ------------------------------------------------------------------
    refinable = True

    def _scale(self, quality: int) -> torch.Tensor:
        device = next(self.parameters()).device
        return torch.from_numpy(self._tables().scales[quality - 1]).to(device)[None]  # (1, M)

    def search_start(self, y: torch.Tensor, quality: int) -> list[torch.Tensor]:
        """The scaled latents y * s before rounding (the CAE has no side information)."""
        with torch.no_grad():
            return [y.to(self._scale(quality).device) * self._scale(quality)[:, :, None, None]]

    def search_pass(
        self,
        variables: list[torch.Tensor],
        quality: int,
        soft_round: Callable[[torch.Tensor], torch.Tensor],
        bf16: bool,
    ) -> SearchPass:
        """The coding path relaxed: soft-rounded symbols, their bits under the channel's GSM at
        this quality's scale, and the decoder on them."""
        (z,) = variables
        scale = self._scale(quality)
        z_soft = soft_round(z)
        bits = self.entropy.bits(z_soft, scale).sum()
        x_hat = self.decoder(z_soft / scale[:, :, None, None], clip=False, bf16=bf16)
        return SearchPass(x_hat, bits)

    def search_quantise(self, variables: list[torch.Tensor], quality: int) -> Quantised:
        t = self._tables()
        z = np.clip(np.round(variables[0].detach()[0].float().cpu().numpy()), -(2**30), 2**30).astype(np.int32)
        return Quantised(quality, z, lambda: estimate_bits(z, t, quality), self.stride)

    def encode_tile(self, q: Quantised, tile: TileRange, marker: bool) -> list[bytes]:
        coder = LatentCoder(self._tables(), q.quality, marker)
        return [coder.encode(np.ascontiguousarray(q.z[:, tile.y0 : tile.y1, tile.x0 : tile.x1]))]

    def decode_tiles(
        self, quality: int, shape: tuple[int, int], tiles: list[TileRange], payloads: list[list[bytes]], marker: bool
    ) -> Quantised:
        t = self._tables()
        coder = LatentCoder(t, quality, marker)
        for tile, (payload,) in zip(tiles, payloads, strict=True):  # every stream plausible before any allocation
            n = (tile.y1 - tile.y0) * (tile.x1 - tile.x0)
            if 8 * len(payload) < 0.9 * coder.coder.lower_bound_bits([(n, i) for i in coder.indices]) - 64:
                raise CodingError("a latent payload is too short for the number of values it claims to hold")
        z = np.empty((self.cfg.latent, *shape), np.int32)
        for tile, (payload,) in zip(tiles, payloads, strict=True):
            z[:, tile.y0 : tile.y1, tile.x0 : tile.x1] = coder.decode(payload, (tile.y1 - tile.y0, tile.x1 - tile.x0))
        return Quantised(quality, z, lambda: estimate_bits(z, t, quality), self.stride)

    def distributions(self, q: Quantised) -> list[tuple[np.ndarray, np.ndarray]]:
        t = self._tables()
        return [channel_probabilities(t, q.quality, c) for c in range(t.channels)]
