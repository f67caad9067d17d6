"""Per-picture search for better latents: the same decoder and format, smaller files.

The one-pass encoder's latents are a guess. For one picture, the integers that minimise the
model's own objective (lambda * distortion + bits) lie elsewhere, and an encoder with time to
spare can look for them (Yang, Bamler & Mandt 2020, "Improving inference for neural image
compression", arXiv 2006.04240): the model's search variables (the hyperprior's latents *and*
hyper-latent) start at the encoder's output and move by Adam on the relaxed objective, every
rounding replaced by *stochastic Gumbel annealing* -- a random soft choice between floor and
ceiling whose temperature falls over the run, so that the values settle on integers. The file
holds the hard-rounded result, coded as always: every release decodes it.

Which distortion the search minimises is a choice (``Tune``): MSE (PSNR), MS-SSIM, or MSE
weighted per pixel by a region-of-interest mask. The final integers are measured once more
exactly (coded bits and decoded pixels); if they are not better than the one-pass result under
that measure, the one-pass result is kept, so a search never makes a file worse by its own
measure.

Effort levels 0..9 name iteration counts (``EFFORT_ITERATIONS``); 0 is the one-pass encoder,
bit for bit. Big pictures are searched in windows with margins (``WINDOW``, ``MARGIN``), so
memory stays bounded at any size.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from nicgui.codec.effort import SearchOptions, SearchStep, StepCallback, Tune
from nicgui.codec.latents import Quantised
from nicgui.codec.metrics import ms_ssim
from nicgui.codec.models import CodecModel
from nicgui.codec.quality import anchor_lambdas, quality_position
from nicgui.codec.ssim import ms_ssim_differentiable
from nicgui.errors import NicguiError

log = logging.getLogger(__name__)

# Adam's step on the gained latents (rounding at 1.0). Published: 5e-3 for 2000 iterations; for our
# 10..400, measured on a 384x256 crop of kodim05 (q15, q60), 100 iterations cut the RD cost by
# 6.1 / 5.7 % at 1e-2, 5.4 / 4.9 % at 5e-3 and 6.0 / 5.9 % at 2e-2; 40 iterations by 4.2 / 3.9 % at 1e-2.
LEARNING_RATE = 1e-2
TAU_START = 0.5  # temperature of the soft rounding, held for the first HOLD of the run ...
TAU_END = 0.1  # ... then lowered geometrically to this
HOLD = 0.35
FINE_TUNE = 0.9  # the learning rate falls tenfold for the last tenth of the run
WINDOW = 48  # latents per side of one searched window (768 pixels for the hyperprior)
MARGIN = 8  # latents of context around a window: the decoder reaches under 2, the hyper networks 2 hyper-latents


@dataclass
class SearchResult:
    """The integers to code, and what the search measured on the way."""

    quantised: Quantised
    options: SearchOptions
    start_cost: float  # lambda * distortion + bpp of the one-pass integers, measured exactly
    cost: float  # the same of the integers kept
    start_bits: float
    bits: float
    improved: bool  # False: the one-pass integers were kept
    seconds: float
    history: list[SearchStep]


def rate_lambda(model: CodecModel, quality: int) -> float:
    """The lambda the model was trained with at ``quality`` (loss: lambda * MSE on 0..255 + bpp)."""
    anchors = tuple(model.cfg.anchors)
    return float(anchor_lambdas(anchors, quality_position(float(quality), len(anchors))[None])[0])


def soft_round(v: torch.Tensor, tau: float, gen: torch.Generator) -> torch.Tensor:
    """Stochastic Gumbel annealing: floor or ceiling of each value, chosen by a relaxed
    (Gumbel-softmax) draw whose odds favour the nearer integer, the more so the lower ``tau``."""
    lo = torch.floor(v.detach())
    frac = (v - lo).clamp(1e-4, 1 - 1e-4)
    logits = torch.stack((-torch.atanh(frac), -torch.atanh(1.0 - frac)), -1) / tau
    u = torch.rand(logits.shape, generator=gen, dtype=torch.float32).to(v.device).clamp_(1e-10, 1.0)
    gumbel = -torch.log(-torch.log(u))
    weights = torch.softmax((logits + gumbel) / tau, -1)
    return lo + weights[..., 1]


def temperature(t: int, steps: int) -> float:
    hold = HOLD * steps
    if t < hold:
        return TAU_START
    return float(TAU_START * (TAU_END / TAU_START) ** ((t - hold) / max(1.0, steps - hold)))


def _windows(lh: int, lw: int, align: int) -> list[tuple[slice, slice, slice, slice]]:
    """Latent windows (rows, cols, with margins) and the part of each that is kept."""
    if lh <= WINDOW + MARGIN and lw <= WINDOW + MARGIN:
        return [(slice(0, lh), slice(0, lw), slice(0, lh), slice(0, lw))]
    out = []
    for y0 in range(0, lh, WINDOW):
        for x0 in range(0, lw, WINDOW):
            y1, x1 = min(lh, y0 + WINDOW), min(lw, x0 + WINDOW)
            wy0, wx0 = max(0, y0 - MARGIN) // align * align, max(0, x0 - MARGIN) // align * align
            wy1, wx1 = min(lh, y1 + MARGIN), min(lw, x1 + MARGIN)
            out.append((slice(wy0, wy1), slice(wx0, wx1), slice(y0 - wy0, y1 - wy0), slice(x0 - wx0, x1 - wx0)))
    return out


class _Target:
    """The tuned distortion of a reconstruction against a window of the original (tensors)."""

    def __init__(self, x: torch.Tensor, tune: Tune, weights: torch.Tensor | None) -> None:
        self.x = x  # (1, 3, h, w) float32 0..255
        self.tune = tune
        self.weights = weights  # (1, 1, h, w) or None

    def window(self, ys: slice, xs: slice) -> _Target:
        w = None if self.weights is None else self.weights[:, :, ys, xs]
        return _Target(self.x[:, :, ys, xs], self.tune, w)

    def __call__(self, x_hat: torch.Tensor) -> torch.Tensor:
        """lambda's unit: MSE on 0..255, or MS-SSIM's loss scaled as in training."""
        if self.tune is Tune.MS_SSIM:
            out: torch.Tensor = (1.0 - ms_ssim_differentiable(self.x, x_hat.clamp(0, 255))) * MS_SSIM_SCALE
            return out
        err = (x_hat - self.x).pow(2)
        if self.weights is not None:
            err = err * self.weights
        return err.mean()


class _Distortion:
    """The tuned distortion against the whole original, kept as uint8: windows become float
    tensors one at a time, and the exact measure of a whole reconstruction runs in row strips
    (a 24 MP picture as float32 is 288 MB, and the first version's whole-picture arithmetic took
    its peak memory to 3.2 GB in a search at that size, measured)."""

    STRIP = 256  # rows per strip of the exact measure

    def __init__(self, rgb: np.ndarray, options: SearchOptions, device: torch.device) -> None:
        self.rgb = rgb  # (H, W, 3) uint8
        self.tune = options.tune
        self.device = device
        self.weights: np.ndarray | None = None
        if options.roi is not None:
            w = np.asarray(options.roi, np.float32)
            self.weights = w / w.mean()

    def window(self, ys: slice, xs: slice) -> _Target:
        x = torch.from_numpy(np.ascontiguousarray(self.rgb[ys, xs])).permute(2, 0, 1)[None].float()
        w = None if self.weights is None else torch.from_numpy(np.ascontiguousarray(self.weights[ys, xs]))[None, None]
        return _Target(x.to(self.device), self.tune, None if w is None else w.to(self.device))

    def exact(self, out: np.ndarray) -> float:
        """The same measure of a whole decoded picture (uint8), computed exactly."""
        if self.tune is Tune.MS_SSIM:
            return float((1.0 - ms_ssim(self.rgb, out)) * MS_SSIM_SCALE)
        total = 0.0
        for r in range(0, self.rgb.shape[0], self.STRIP):
            err = (out[r : r + self.STRIP].astype(np.float32) - self.rgb[r : r + self.STRIP]) ** 2
            if self.weights is not None:
                err *= self.weights[r : r + self.STRIP, :, None]
            total += float(err.sum(dtype=np.float64))
        return total / self.rgb.size


MS_SSIM_SCALE = 255.0**2 / 2500.0 * 32.0  # 1 - MS-SSIM in MSE's units, as the trainer scales it (train/loss.py)


def search(
    model: CodecModel,
    y: np.ndarray,
    rgb: np.ndarray,
    quality: int,
    options: SearchOptions,
    *,
    bf16: bool = False,
    synthesise: Callable[[Quantised], np.ndarray],
    on_step: StepCallback | None = None,
) -> SearchResult:
    """Search the integers for one picture. ``y``: the one-pass latents (M, h, w); ``rgb``: the
    picture (H, W, 3) uint8; ``synthesise``: the codec's decoder (quantised -> uint8 picture),
    used to measure the start and the result exactly."""
    if not model.refinable:
        raise NicguiError(f"the {model.family} model has no per-picture search: use effort 0")
    t0 = time.perf_counter()
    device = next(model.parameters()).device
    lam = rate_lambda(model, quality)
    height, width = rgb.shape[:2]
    if options.roi is not None and options.roi.shape != (height, width):
        raise NicguiError(
            f"the region-of-interest mask is {options.roi.shape[1]}x{options.roi.shape[0]}, "
            f"the picture {width}x{height}: they must be the same size"
        )
    distortion = _Distortion(rgb, options, device)
    pixels = height * width

    start_q = model.quantise(y, quality)

    def exact_cost(q: Quantised) -> float:
        return float(lam * distortion.exact(synthesise(q)) + q.total_bits / pixels)

    start_cost = exact_cost(start_q)
    with _frozen(model):
        q, history = _run(model, y, quality, options, distortion, lam, bf16, on_step, t0)
    cost = exact_cost(q)
    improved = cost < start_cost
    if not improved:
        log.info(
            "search at quality %d found nothing better (%.5f >= %.5f): one-pass integers kept",
            quality,
            cost,
            start_cost,
        )
        q, cost = start_q, start_cost
    return SearchResult(
        q, options, start_cost, cost, start_q.total_bits, q.total_bits, improved, time.perf_counter() - t0, history
    )


@contextlib.contextmanager
def _frozen(model: CodecModel) -> Iterator[None]:
    """No gradients for the model's own parameters: only the latents move (a third of the
    backward pass saved)."""
    wanted = [p.requires_grad for p in model.parameters()]
    model.requires_grad_(False)
    try:
        yield
    finally:
        for p, w in zip(model.parameters(), wanted, strict=True):
            p.requires_grad_(w)


def _run(
    model: CodecModel,
    y: np.ndarray,
    quality: int,
    options: SearchOptions,
    distortion: _Distortion,
    lam: float,
    bf16: bool,
    on_step: StepCallback | None,
    t0: float,
) -> tuple[Quantised, list[SearchStep]]:
    """The search itself, window by window; the hard-rounded result."""
    s = model.stride
    height, width = distortion.rgb.shape[:2]
    gen = torch.Generator().manual_seed(options.seed)
    with torch.no_grad():
        variables = model.search_start(torch.from_numpy(y)[None], quality)
    history: list[SearchStep] = []
    grids = model.search_grids
    align = max(grids)
    windows = _windows(y.shape[1], y.shape[2], align)
    steps = options.steps
    for k, (rows, cols, keep_r, keep_c) in enumerate(windows, 1):
        part = [
            v[:, :, rows.start // g : -(-rows.stop // g), cols.start // g : -(-cols.stop // g)].clone().requires_grad_()
            for v, g in zip(variables, grids, strict=True)
        ]
        py = slice(rows.start * s, min(height, rows.stop * s))
        px = slice(cols.start * s, min(width, cols.stop * s))
        target = distortion.window(py, px)
        # the loss counts the kept part only: pixels and bits of the margins belong to other windows
        ky = slice(keep_r.start * s, min(py.stop - py.start, keep_r.stop * s))
        kx = slice(keep_c.start * s, min(px.stop - px.start, keep_c.stop * s))
        kept_target = target.window(ky, kx)
        kept_pixels = (ky.stop - ky.start) * (kx.stop - kx.start)
        share = kept_pixels / ((py.stop - py.start) * (px.stop - px.start))
        opt = torch.optim.Adam(part, lr=LEARNING_RATE)
        for t in range(steps):
            tau = temperature(t, steps)

            def rounding(v: torch.Tensor, tau: float = tau) -> torch.Tensor:
                return soft_round(v, tau, gen)

            for group in opt.param_groups:
                group["lr"] = LEARNING_RATE * (0.1 if t >= FINE_TUNE * steps else 1.0)
            out = model.search_pass(part, quality, rounding, bf16)
            x_hat = out.x_hat[:, :, : py.stop - py.start, : px.stop - px.start][:, :, ky, kx]
            d = kept_target(x_hat)
            bpp = out.bits * share / kept_pixels  # margins' bits: about their share of the window
            loss = lam * d + bpp
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                mse = float(F.mse_loss(x_hat.clamp(0, 255), kept_target.x))
            step = SearchStep(
                t + 1, steps, k, len(windows), float(bpp.detach()), 10 * math.log10(255.0**2 / max(mse, 1e-10)),
                time.perf_counter() - t0,
            )  # fmt: skip
            history.append(step)
            if on_step is not None:
                on_step(step)
        with torch.no_grad():
            for v, p, g in zip(variables, part, grids, strict=True):
                kr = slice(keep_r.start // g, -(-keep_r.stop // g))
                kc = slice(keep_c.start // g, -(-keep_c.stop // g))
                r0, c0 = rows.start // g, cols.start // g
                v[:, :, r0 + kr.start : r0 + kr.stop, c0 + kc.start : c0 + kc.stop] = p[:, :, kr, kc]
    return model.search_quantise(variables, quality), history
