"""The mean-scale hyperprior (Ballé et al. 2018; Minnen et al. 2018 without the context model).

- analysis ``g_a``: four 5x5 convolutions of stride 2 with GDN between them -> latents y,
  M channels at 1/16 resolution; synthesis ``g_s``: the mirror image with inverse GDN;
- hyper-analysis ``h_a``: y -> hyper-latent z (N channels, 1/64 resolution), coded with a
  learned per-channel prior (``entropy/factorized.py``);
- from the decoded hyper-latent, ``h_mean`` predicts each latent element's mean (floating
  point: it only shifts the reconstruction) and ``scale_net`` its scale index on a fixed ladder,
  in exact integer arithmetic (``integer_net.py``), so both sides code with the same table;
- the latent is coded as ``round(y - mean)`` under a Gaussian of that scale
  (``entropy/gaussian.py``).

Quality 1..100 from one model (Cui et al. 2021, "Asymmetric gained deep image compression with
continuous rate adaptation"): the latents are multiplied by a per-channel gain vector before
quantisation and divided by it after; gain vectors are learned at anchor rates and
interpolated between them, monotone in quality. The hyper networks see the gained latents.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nicgui.codec.coder import SegmentCoder
from nicgui.codec.entropy.calibration import ScaleCalibration, scale_calibration
from nicgui.codec.entropy.factorized import FactorizedPrior, table_bits
from nicgui.codec.entropy.gaussian import ScaleLadder, build_ladder_tables, gaussian_bits, training_bits
from nicgui.codec.entropy.tables import TableSet
from nicgui.codec.latents import HyperSide, Quantised
from nicgui.codec.models.base import CodecModel, ConfigBase, RateDistortionOutput, SearchPass, TileRange
from nicgui.codec.models.integer_net import ScaleIndexNet, check_exact, scale_indices
from nicgui.codec.models.layers import GDN, conv, deconv, round_ste, run_mixed
from nicgui.codec.quality import QUALITIES, MonotoneVectors

HYPER_STRIDE = 4  # latent positions per hyper-latent position, per side


@dataclass(frozen=True)
class MeanScaleConfig(ConfigBase):
    """Sizes of a mean-scale hyperprior; stored in every weights file."""

    name: str = "mean-scale"
    hidden: int = 128  # N: transform width and hyper-latent channels
    latent: int = 192  # M: latent channels
    scale_hidden: int = 96  # width of the integer scale network
    scale_levels: int = 64  # rungs of the scale ladder
    scale_min: float = 0.11
    scale_max: float = 256.0
    hyper_components: int = 3  # Gaussians per channel in the hyper-latent's prior
    # lambda per anchor rate (loss: lambda * MSE on 0..255 + bpp), 0.1 .. 2 bpp
    anchors: tuple[float, ...] = (0.0018, 0.0035, 0.0067, 0.013, 0.025, 0.0483, 0.0932, 0.18)


SIZES: dict[str, MeanScaleConfig] = {
    "mean-scale": MeanScaleConfig(),
    "mean-scale-l": MeanScaleConfig(name="mean-scale-l", hidden=192, latent=320, scale_hidden=128),
}


def _pad_to(x: torch.Tensor, multiple: int) -> torch.Tensor:
    ph, pw = -x.shape[-2] % multiple, -x.shape[-1] % multiple
    return F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x


class MeanScaleHyperprior(CodecModel):
    family = "mean-scale"
    stride = 16
    streams = 2  # per coding tile: the hyper-latent, then the latent residuals
    encoder_margin = 48  # the analysis transform reaches 30 pixels
    decoder_margin = 4  # the synthesis transform reaches under 2 latents (measured: with 1 pixels move by
    # up to 34 grey levels, with 2 or more only by float rounding); 4 costs 27 % extra work per tile, 8 cost 56 %
    decoder_tile = 64
    coding_tile = 64
    config_class = MeanScaleConfig

    def __init__(self, cfg: MeanScaleConfig) -> None:
        super().__init__()
        self.cfg = cfg
        n, m = cfg.hidden, cfg.latent
        self.g_a = nn.Sequential(
            conv(3, n, 5, 2), GDN(n), conv(n, n, 5, 2), GDN(n), conv(n, n, 5, 2), GDN(n), conv(n, m, 5, 2)
        )
        self.g_s = nn.Sequential(
            deconv(m, n),
            GDN(n, inverse=True),
            deconv(n, n),
            GDN(n, inverse=True),
            deconv(n, n),
            GDN(n, inverse=True),
            deconv(n, 3),
        )
        self.h_a = nn.Sequential(
            conv(m, n, 3), nn.LeakyReLU(0.2), conv(n, n, 5, 2), nn.LeakyReLU(0.2), conv(n, n, 5, 2)
        )
        self.h_mean = nn.Sequential(deconv(n, m), nn.LeakyReLU(0.2), deconv(m, m), nn.LeakyReLU(0.2), conv(m, m, 3))
        self.ladder = ScaleLadder(cfg.scale_levels, cfg.scale_min, cfg.scale_max)
        self.scale_net = ScaleIndexNet(n, cfg.scale_hidden, m, cfg.scale_levels)
        self.hyper_prior = FactorizedPrior(n, cfg.hyper_components)
        self.gains = MonotoneVectors(m, len(cfg.anchors), 0.3, 3.0)
        self.fitted_ladder: TableSet | None = None  # tables fitted to calibration residuals (export only)
        self._gains: np.ndarray | None = None
        self._ladder_tables: TableSet | None = None
        self._hyper_tables: TableSet | None = None
        self._scale_arrays: dict[str, np.ndarray] | None = None

    @property
    def latent_channels(self) -> int:
        return self.cfg.latent

    # -- transforms ------------------------------------------------------------------------
    def analysis(self, x: torch.Tensor, bf16: bool = False) -> torch.Tensor:
        return run_mixed(self.g_a[:-1], self.g_a[-1], x / 255.0, bf16)

    def _pixels(self, y_hat: torch.Tensor, bf16: bool) -> torch.Tensor:
        """The synthesis transform on the 0..255 scale, not clipped (training needs the slope)."""
        return run_mixed(self.g_s[:-1], self.g_s[-1], y_hat, bf16) * 255.0

    def synthesis(self, y_hat: torch.Tensor, bf16: bool = False) -> torch.Tensor:
        return self._pixels(y_hat, bf16).clamp(0.0, 255.0)

    def forward(
        self, x: torch.Tensor, position: torch.Tensor, noise: bool = True, bf16: bool = False
    ) -> RateDistortionOutput:
        """Training pass. Rates see uniform noise in place of rounding (a smooth, unbiased
        stand-in), but the latents' scales learn from the rounded residuals that are coded
        (``training_bits``); the networks after quantisation see the rounded values, with the
        identity as the gradient of rounding. With ``bf16`` the two big transforms run in
        bfloat16 autocast but for their output layers; the hyper networks and the rates stay
        float32."""
        y = self.analysis(x, bf16)
        h, w = y.shape[-2:]
        gain = self.gains.at(position)[:, :, None, None]
        yg = y * gain
        z = self.h_a(_pad_to(yg, HYPER_STRIDE))
        z_rate = z + (torch.rand_like(z) - 0.5) if noise else torch.round(z)
        bits_z = self.hyper_prior.bits(z_rate).flatten(1).sum(1)
        z_hat = round_ste(z)
        mean = self.h_mean(z_hat)[..., :h, :w]
        sigma = self.ladder.scales(self.scale_net(z_hat)[..., :h, :w]).to(y.device)
        r = yg - mean
        bits_y = (training_bits(r, sigma) if noise else gaussian_bits(torch.round(r), sigma)).flatten(1).sum(1)
        y_hat = (round_ste(r) + mean) / gain
        x_hat = self._pixels(y_hat, bf16)
        return RateDistortionOutput(x_hat, (bits_y + bits_z) / (x.shape[2] * x.shape[3]))

    def learning_rate_scales(self) -> dict[str, float]:
        """The scale network's output layer works in ladder rungs, 1/step of them (about 8) per
        e-fold of scale: it gets 1/step times the learning rate, so its outputs move as fast as a
        float network's log-scale would. At the plain rate its biases moved 0.6 rungs in 26,000
        steps (measured) and the network reached small scales only through huge weights."""
        return {"scale_net.out.": 1.0 / self.ladder.step}

    # -- tables ----------------------------------------------------------------------------
    def build_tables(self) -> dict[str, np.ndarray]:
        with torch.no_grad():
            gains = self.gains.for_qualities().float().cpu().numpy()
        arrays = {"tables.gains": gains}
        ladder = self.fitted_ladder or build_ladder_tables(self.ladder)
        arrays.update(ladder.arrays("tables.ladder"))
        arrays.update(self.hyper_prior.build_tables().arrays("tables.hyper"))
        arrays.update({f"tables.scale_net.{k}": v for k, v in self.scale_net.integer_arrays().items()})
        return arrays

    def load_tables(self, arrays: dict[str, np.ndarray]) -> None:
        cfg = self.cfg
        gains = np.asarray(arrays["tables.gains"], np.float32)
        if gains.shape != (QUALITIES, cfg.latent) or not np.all(np.isfinite(gains)) or gains.min() <= 0:
            raise ValueError("gain vectors do not fit the model")
        ladder = TableSet.from_arrays(arrays, "tables.ladder")
        hyper = TableSet.from_arrays(arrays, "tables.hyper")
        if len(ladder) != cfg.scale_levels or len(hyper) != cfg.hidden:
            raise ValueError("probability tables do not fit the model")
        prefix = "tables.scale_net."
        scale = {k[len(prefix) :]: np.asarray(v) for k, v in arrays.items() if k.startswith(prefix)}
        for name, layer in (("up1", self.scale_net.up1), ("up2", self.scale_net.up2), ("out", self.scale_net.out)):
            if scale.get(f"{name}.weight", np.empty(0)).shape != tuple(layer.weight.shape):
                raise ValueError(f"integer scale network layer {name} does not fit the model")
        check_exact(scale)
        self._gains, self._ladder_tables, self._hyper_tables, self._scale_arrays = gains, ladder, hyper, scale

    def _coding(self) -> tuple[np.ndarray, TableSet, TableSet, dict[str, np.ndarray]]:
        if (
            self._gains is None
            or self._ladder_tables is None
            or self._hyper_tables is None
            or self._scale_arrays is None
        ):
            raise RuntimeError("this model has no tables: load it from a weights file")
        return self._gains, self._ladder_tables, self._hyper_tables, self._scale_arrays

    # -- coding path -----------------------------------------------------------------------
    def _device(self) -> torch.device:
        return next(self.parameters()).device

    @torch.inference_mode()
    def _side(self, hyper: np.ndarray, shape: tuple[int, int]) -> HyperSide:
        """What the decoded hyper-latent predicts for every latent element."""
        _, ladder_tables, hyper_tables, scale_arrays = self._coding()
        h, w = shape
        zt = torch.from_numpy(hyper.astype(np.float32))[None].to(self._device())
        mean = self.h_mean(zt)[0, :, :h, :w].float().cpu().numpy()
        idx = scale_indices(scale_arrays, hyper, self.cfg.scale_levels)[:, :h, :w]
        scale = self.ladder.all_scales()[idx]
        return HyperSide(
            hyper, table_bits(hyper_tables, hyper), np.ascontiguousarray(mean), np.ascontiguousarray(idx), scale
        )

    def hyper_shape(self, shape: tuple[int, int]) -> tuple[int, int]:
        return math.ceil(shape[0] / HYPER_STRIDE), math.ceil(shape[1] / HYPER_STRIDE)

    def quantise(self, y: np.ndarray, quality: int) -> Quantised:
        gains = self._coding()[0]
        yg = y * gains[quality - 1][:, None, None]
        with torch.inference_mode():
            t = torch.from_numpy(np.ascontiguousarray(yg))[None].to(self._device())
            z = self.h_a(_pad_to(t, HYPER_STRIDE))[0].cpu().numpy()
        return self._quantised(yg, z, quality)

    def _quantised(self, yg: np.ndarray, z: np.ndarray, quality: int) -> Quantised:
        """The coded symbols of gained latents ``yg`` (M, h, w) under the hyper-latent ``round(z)``."""
        ladder_tables = self._coding()[1]
        hyper = np.clip(np.round(z), -(2**15), 2**15).astype(np.int32)
        side = self._side(hyper, yg.shape[1:])
        r = np.clip(np.round(yg - side.mean), -(2**30), 2**30).astype(np.int32)
        return Quantised(quality, r, lambda: ladder_tables.bits(r, side.scale_index), self.stride, side)

    # -- per-picture search ------------------------------------------------------------------
    refinable = True
    search_grids = (1, HYPER_STRIDE)

    def _gain(self, quality: int) -> torch.Tensor:
        return torch.from_numpy(self._coding()[0][quality - 1]).to(self._device())[None, :, None, None]

    def search_start(self, y: torch.Tensor, quality: int) -> list[torch.Tensor]:
        """The gained latents and the hyper-latent before rounding, both free (Yang et al. 2020:
        optimising z as well, instead of recomputing it from y, is worth about a third of the gain)."""
        with torch.no_grad():
            yg = y.to(self._device()) * self._gain(quality)
            z = self.h_a(_pad_to(yg, HYPER_STRIDE))
        return [yg, z]

    def search_pass(
        self,
        variables: list[torch.Tensor],
        quality: int,
        soft_round: Callable[[torch.Tensor], torch.Tensor],
        bf16: bool,
    ) -> SearchPass:
        """The coding path relaxed: the hyper-latent and the residuals ``y - mean`` soft-rounded,
        the scale network's rounding straight-through (as in training), rates from the
        Gaussians of the ladder and the hyper-latent's prior."""
        yg, z = variables
        h, w = yg.shape[-2:]
        z_soft = soft_round(z)
        bits_z = self.hyper_prior.bits(z_soft).sum()
        mean = self.h_mean(z_soft)[..., :h, :w]
        sigma = self.ladder.scales(self.scale_net(z_soft)[..., :h, :w]).to(yg.device)
        r_soft = soft_round(yg - mean)
        bits_y = gaussian_bits(r_soft, sigma).sum()
        y_hat = (r_soft + mean) / self._gain(quality)
        x_hat = self._pixels(y_hat.contiguous(memory_format=torch.channels_last), bf16)
        return SearchPass(x_hat, bits_y + bits_z)

    def search_quantise(self, variables: list[torch.Tensor], quality: int) -> Quantised:
        yg, z = (v.detach()[0].float().cpu().numpy() for v in variables)
        return self._quantised(yg, z, quality)

    def dequantise(self, q: Quantised) -> np.ndarray:
        gains = self._coding()[0]
        assert q.side is not None
        return ((q.z + q.side.mean) / gains[q.quality - 1][:, None, None]).astype(np.float32)

    def _hyper_range(self, tile: TileRange, hz: int, wz: int) -> tuple[slice, slice]:
        s = HYPER_STRIDE
        return slice(tile.y0 // s, min(-(-tile.y1 // s), hz)), slice(tile.x0 // s, min(-(-tile.x1 // s), wz))

    def _levels(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(order of the elements grouped by scale index, count per index)."""
        flat = idx.reshape(-1)
        return np.argsort(flat, kind="stable"), np.bincount(flat, minlength=self.cfg.scale_levels)

    def encode_tile(self, q: Quantised, tile: TileRange, marker: bool) -> list[bytes]:
        _, ladder_tables, hyper_tables, _ = self._coding()
        assert q.side is not None
        if tile.y0 % HYPER_STRIDE or tile.x0 % HYPER_STRIDE:
            raise ValueError("coding tiles must start on the hyper-latent grid")
        hyper = q.side.hyper
        ys, xs = self._hyper_range(tile, *hyper.shape[1:])
        hyper_stream = SegmentCoder(hyper_tables, marker).encode([(hyper[c, ys, xs], c) for c in range(len(hyper))])
        idx = q.side.scale_index[:, tile.y0 : tile.y1, tile.x0 : tile.x1]
        r = q.z[:, tile.y0 : tile.y1, tile.x0 : tile.x1].reshape(-1)
        order, counts = self._levels(idx)
        parts = np.split(r[order], np.cumsum(counts)[:-1])
        latent_stream = SegmentCoder(ladder_tables, marker).encode([(p, k) for k, p in enumerate(parts) if len(p)])
        return [hyper_stream, latent_stream]

    def decode_tiles(
        self, quality: int, shape: tuple[int, int], tiles: list[TileRange], payloads: list[list[bytes]], marker: bool
    ) -> Quantised:
        _, ladder_tables, hyper_tables, _ = self._coding()
        hz, wz = self.hyper_shape(shape)
        n = self.cfg.hidden
        hyper = np.empty((n, hz, wz), np.int32)
        hyper_coder = SegmentCoder(hyper_tables, marker)
        for tile, streams in zip(tiles, payloads, strict=True):
            ys, xs = self._hyper_range(tile, hz, wz)
            count = (ys.stop - ys.start) * (xs.stop - xs.start)
            planes = hyper_coder.decode(streams[0], [(count, c) for c in range(n)])
            hyper[:, ys, xs] = np.stack(planes).reshape(n, ys.stop - ys.start, xs.stop - xs.start)
        side = self._side(hyper, shape)
        r = np.empty((self.cfg.latent, *shape), np.int32)
        latent_coder = SegmentCoder(ladder_tables, marker)
        for tile, streams in zip(tiles, payloads, strict=True):
            idx = side.scale_index[:, tile.y0 : tile.y1, tile.x0 : tile.x1]
            order, counts = self._levels(idx)
            parts = latent_coder.decode(streams[1], [(int(c), k) for k, c in enumerate(counts) if c])
            flat = np.empty(idx.size, np.int32)
            flat[order] = np.concatenate(parts) if parts else np.empty(0, np.int32)
            r[:, tile.y0 : tile.y1, tile.x0 : tile.x1] = flat.reshape(idx.shape)
        return Quantised(quality, r, lambda: ladder_tables.bits(r, side.scale_index), self.stride, side)

    def calibration(self, q: Quantised) -> ScaleCalibration:
        """How well the predicted scales fit the residuals of ``q`` (``entropy/calibration.py``)."""
        assert q.side is not None
        return scale_calibration(q.z, q.side.scale_index, self.ladder.all_scales(), self._coding()[1])

    def distributions(self, q: Quantised) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per channel: the mixture of the per-element Gaussians actually used to code it."""
        ladder_tables = self._coding()[1]
        assert q.side is not None
        out = []
        for c in range(q.z.shape[0]):
            counts = np.bincount(q.side.scale_index[c].reshape(-1), minlength=self.cfg.scale_levels)
            used = np.nonzero(counts)[0]
            top = int(ladder_tables.half[used].max())
            p = np.zeros(2 * top + 1)
            for k in used:
                values, probs = ladder_tables.probabilities(int(k))
                p[values + top] += counts[k] * probs
            out.append((np.arange(-top, top + 1), p / counts.sum()))
        return out
