"""The compressive autoencoder of Theis et al. 2017 (Fig. 2), with configurable widths.

Encoder: conv 5x5/2, conv 5x5/2, three residual blocks, conv 5x5/2 -> M latent channels at 1/8
resolution. Decoder: the mirror image built from sub-pixel convolutions (conv + PixelShuffle).
Convolutions pad by replicating edge pixels, which works for any input size (even 1x1 latents)
and gives tiles cut from a larger image the same borders as the whole image.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

# How far (in input pixels) one latent / one output pixel can see; tiling overlaps by more.
ENCODER_RADIUS = 38
DECODER_RADIUS_LATENTS = 5


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and hyper-parameters; stored in every weights file."""

    name: str = "theis-cae"
    enc1: int = 64  # first encoder conv
    hidden: int = 128  # residual-block width (encoder and decoder)
    latent: int = 96  # M, latent channels
    dec_in: int = 512  # first decoder conv, before the first shuffle
    dec_mid: int = 256  # decoder conv before the second shuffle
    gsm_scales: int = 6  # Gaussian scale mixture components per channel
    anchors: tuple[float, ...] = (0.002, 0.005, 0.0125, 0.03, 0.075, 0.18)  # lambda per anchor rate

    def to_dict(self) -> dict:
        d = asdict(self)
        d["anchors"] = list(self.anchors)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        d = dict(d)
        if "anchors" in d:
            d["anchors"] = tuple(float(a) for a in d["anchors"])
        return cls(**d)


# Registered architectures; a weights file may also carry its own config.
REGISTRY: dict[str, ModelConfig] = {
    "theis-cae": ModelConfig(),
    "theis-cae-s": ModelConfig(
        name="theis-cae-s", enc1=48, hidden=96, latent=64, dec_in=384, dec_mid=192
    ),
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x / 127.5 - 1.0)


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

    def forward(self, y: torch.Tensor, clip: bool = True) -> torch.Tensor:
        return self.to_rgb(self.features(y), clip)


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """Round to integers; the backward pass treats rounding as the identity (Theis et al.)."""
    return x + (torch.round(x) - x).detach()


class CompressiveAutoencoder(nn.Module):
    """Encoder, decoder and entropy model of one codec; sizes come from a ModelConfig."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        from nicgui.codec.entropy import EntropyModel

        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.entropy = EntropyModel(cfg.latent, cfg.gsm_scales, len(cfg.anchors))
