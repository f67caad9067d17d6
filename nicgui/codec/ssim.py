"""SSIM, MS-SSIM and the SSIM map from one kernel: Gaussian-weighted local moments.

The definitions are Wang et al.'s (SSIM 2004, MS-SSIM 2003) with the published settings: an
11-tap Gaussian window of sigma 1.5 over valid positions, K1 = 0.01, K2 = 0.03, data range 255,
five scales with weights (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), 2x2 average pooling between
scales; pytorch-msssim computes the same figures and serves as the tests' oracle. Pictures too
small for the window or for five scales use the largest odd window that fits and as many scales
as fit (weights renormalised); under 3 pixels on a side there is no SSIM (NaN).

Speed (measured on 2 CPU cores, 768x512): float32, separable depthwise convolutions on
channels-last tensors, in row strips so memory stays bounded, about a fifteenth of the time
pytorch-msssim takes (float64, grouped 1-D convolutions), equal to about 1e-5. The original's
share of the work (its pyramid and local moments) is computed once per picture in
``OriginalMoments`` and reused for every reconstruction compared with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

WIN = 11  # taps of the Gaussian window
SIGMA = 1.5
MS_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)  # the five MS-SSIM scales (Wang et al. 2003)
C1 = (0.01 * 255.0) ** 2
C2 = (0.03 * 255.0) ** 2
_STRIP_VALUES = 1 << 22  # input values per strip and plane group: bounds memory on huge pictures
KEEP_PIXELS = 2_000_000  # OriginalMoments keeps its planes up to this size (about 95 MB at the limit)


def gaussian_window(win: int = WIN, sigma: float = SIGMA) -> torch.Tensor:
    """The 1-D Gaussian window, shape (win,), float32, summing to 1."""
    x = torch.arange(win, dtype=torch.float64) - (win - 1) / 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    return (g / g.sum()).float()


def window_for(height: int, width: int) -> int:
    """The window used for a picture: 11 taps, or the largest odd size that fits (0: none fits)."""
    side = min(height, width)
    win = min(WIN, side if side % 2 else side - 1)
    return win if win >= 3 else 0


def levels_for(height: int, width: int, win: int) -> int:
    """MS-SSIM scales a picture allows with that window (at most five)."""
    levels = len(MS_WEIGHTS)
    while levels > 1 and min(height, width) <= (win - 1) * 2 ** (levels - 1):
        levels -= 1
    return levels


@dataclass(frozen=True)
class _Strip:
    """One row strip of one scale of the original: its centred pixels and their local moments."""

    r0: int  # first output row of the strip
    x: torch.Tensor  # centred pixels, the strip's rows plus the window's overlap
    mx: torch.Tensor  # Gaussian-weighted local mean of x
    xx: torch.Tensor  # Gaussian-weighted local mean of x * x


def _kernels(c: int, planes: int, win: int) -> tuple[torch.Tensor, torch.Tensor]:
    k = gaussian_window(win)
    across = k.view(1, 1, 1, win).expand(planes * c, 1, 1, win).contiguous()
    down = k.view(1, 1, win, 1).expand(planes * c, 1, win, 1).contiguous()
    return across, down


def _blur(planes: torch.Tensor, kernels: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Valid Gaussian blur of each plane (channels-last: several times faster on the CPU)."""
    planes = planes.contiguous(memory_format=torch.channels_last)
    across, down = kernels
    return F.conv2d(F.conv2d(planes, across, groups=across.shape[0]), down, groups=down.shape[0])


def _tensor(a: np.ndarray) -> torch.Tensor:
    a = a[:, :, None] if a.ndim == 2 else a
    return torch.tensor(a).permute(2, 0, 1)[None].float()  # a copy: the input may be read-only


def _downsample(x: torch.Tensor) -> torch.Tensor:
    pad = [n % 2 for n in x.shape[2:]]
    return F.avg_pool2d(x, 2, padding=pad)


def _pyramid(a: np.ndarray, levels: int) -> Iterator[torch.Tensor]:
    """The picture and its MS-SSIM pyramid, one (1, C, H, W) float tensor per scale."""
    x = _tensor(a)
    for i in range(levels):
        yield x
        if i < levels - 1:
            x = _downsample(x)


def _strips(x: torch.Tensor, win: int) -> list[_Strip]:
    """Cut one scale (1, C, H, W) of the original into strips and blur its moments."""
    _, c, h, w = x.shape
    rows = max(1, _STRIP_VALUES // (c * w))
    kernels = _kernels(c, 2, win)
    out = []
    for r0 in range(0, h - win + 1, rows):
        xs = x[:, :, r0 : min(h, r0 + rows + win - 1)] - 128.0  # centred: moments lose less precision
        blurred = _blur(torch.cat([xs, xs * xs], 1), kernels)
        out.append(_Strip(r0, xs, blurred[:, :c], blurred[:, c:]))
    return out


class OriginalMoments:
    """An original picture's share of SSIM and MS-SSIM, computed once and reused.

    Comparing many reconstructions (a slider, a classical codec) with one original, its pyramid
    and local moments need computing only once; each comparison then blurs three planes instead
    of five. Pictures over ``KEEP_PIXELS`` keep nothing and are recomputed per comparison, in
    strips, so memory stays bounded.
    """

    def __init__(self, a: np.ndarray) -> None:
        self.pixels = a
        h, w = a.shape[:2]
        self.win = window_for(h, w)
        self.levels = levels_for(h, w, self.win) if self.win else 0
        keep = self.win and h * w <= KEEP_PIXELS
        self._kept = [_strips(x, self.win) for x in _pyramid(a, self.levels)] if keep else None

    def scales(self) -> Iterator[list[_Strip]]:
        """Per scale, the original's strips (computed now when they are not kept)."""
        if self._kept is not None:
            yield from self._kept
        else:
            for x in _pyramid(self.pixels, self.levels):
                yield _strips(x, self.win)


def _strip_count(h: int, w: int, c: int, win: int, levels: int) -> int:
    """How many strips ``ssim_and_ms_ssim`` works through (for progress reports)."""
    n = 0
    for i in range(levels):
        hi, wi = h >> i, w >> i
        n += len(range(0, hi - win + 1, max(1, _STRIP_VALUES // (c * wi))))
    return n


def _ssim_cs(
    original: list[_Strip], y: torch.Tensor, win: int, step: Callable[[], None] | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean SSIM and contrast-structure term over all valid windows of one scale;
    ``step`` is called after each strip (it may raise to stop)."""
    _, c, h, w = y.shape
    kernels = _kernels(c, 3, win)
    s_sum = torch.zeros(c, dtype=torch.float64)
    cs_sum = torch.zeros(c, dtype=torch.float64)
    for strip in original:
        xs = strip.x
        ys = y[:, :, strip.r0 : strip.r0 + xs.shape[2]] - 128.0
        blurred = _blur(torch.cat([ys, ys * ys, xs * ys], 1), kernels)
        my, yy, xy = blurred[:, :c], blurred[:, c : 2 * c], blurred[:, 2 * c :]
        mx = strip.mx
        sxx, syy, sxy = strip.xx - mx * mx, yy - my * my, xy - mx * my
        mx, my = mx + 128.0, my + 128.0
        cs = (2 * sxy + C2) / (sxx + syy + C2)
        s = (2 * mx * my + C1) / (mx * mx + my * my + C1) * cs
        s_sum += s.sum((0, 2, 3), dtype=torch.float64)
        cs_sum += cs.sum((0, 2, 3), dtype=torch.float64)
        if step is not None:
            step()
    n = (h - win + 1) * (w - win + 1)
    return s_sum / n, cs_sum / n


def ssim_and_ms_ssim(
    original: OriginalMoments | np.ndarray, b: np.ndarray, progress: Callable[[int, int], None] | None = None
) -> tuple[float, float]:
    """(SSIM, MS-SSIM) of a reconstruction ``b`` against an original (NaN when it is too small).

    ``progress(done, total)`` hears about every strip and may raise to stop between them.
    """
    orig = original if isinstance(original, OriginalMoments) else OriginalMoments(original)
    if orig.pixels.shape != b.shape:
        raise ValueError(f"images differ in size: {orig.pixels.shape} vs {b.shape}")
    if not orig.win:
        return math.nan, math.nan
    step = None
    if progress is not None:
        total = _strip_count(b.shape[0], b.shape[1], b.shape[2] if b.ndim == 3 else 1, orig.win, orig.levels)
        done = [0]

        def step() -> None:
            done[0] += 1
            progress(done[0], max(total, done[0]))

    with torch.inference_mode():
        values = []
        ssim = math.nan
        for i, (strips, y) in enumerate(zip(orig.scales(), _pyramid(b, orig.levels), strict=True)):
            s, cs = _ssim_cs(strips, y, orig.win, step)
            if i == 0:
                ssim = float(s.mean())
            values.append(torch.relu(cs if i < orig.levels - 1 else s))
        weights = torch.tensor(MS_WEIGHTS[: orig.levels], dtype=torch.float64)
        if orig.levels < len(MS_WEIGHTS):
            weights = weights / weights.sum()
        ms = float(torch.prod(torch.stack(values) ** weights[:, None], 0).mean())
    return ssim, ms


def ms_ssim_differentiable(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """MS-SSIM of ``y`` against ``x``, both (1, C, H, W) floats on 0..255, as a differentiable
    tensor (the encoder's search minimises it): the same window, scales, weights and clipping
    as ``ssim_and_ms_ssim``, on the whole picture at once (no strips, no float64 sums)."""
    h, w = x.shape[2:]
    win = window_for(h, w)
    if not win:
        raise ValueError(f"a {w}x{h} picture is too small for MS-SSIM")
    levels = levels_for(h, w, win)
    kernels = tuple(k.to(x.device) for k in _kernels(x.shape[1], 5, win))
    c = x.shape[1]
    values = []
    for i in range(levels):
        xc, yc = x - 128.0, y - 128.0
        blurred = _blur(torch.cat([xc, yc, xc * xc, yc * yc, xc * yc], 1), kernels)  # type: ignore[arg-type]
        mx, my, xx, yy, xy = (blurred[:, k * c : (k + 1) * c] for k in range(5))
        sxx, syy, sxy = xx - mx * mx, yy - my * my, xy - mx * my
        cs = (2 * sxy + C2) / (sxx + syy + C2)
        if i < levels - 1:
            values.append(torch.relu(cs.mean((0, 2, 3))))
            x, y = _downsample(x), _downsample(y)
        else:
            mx, my = mx + 128.0, my + 128.0
            values.append(torch.relu(((2 * mx * my + C1) / (mx * mx + my * my + C1) * cs).mean((0, 2, 3))))
    weights = torch.tensor(MS_WEIGHTS[:levels], device=x.device)
    weights = weights / weights.sum() if levels < len(MS_WEIGHTS) else weights
    # a relu'd term of exactly 0 would have no gradient under the power: a floor keeps one
    return torch.prod(torch.stack(values).clamp_min(1e-6) ** weights[:, None], 0).mean()


def ssim_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W) float32 local SSIM (mean over channels), the same window, edges replicated."""
    if a.shape != b.shape:
        raise ValueError(f"images differ in size: {a.shape} vs {b.shape}")
    win = window_for(*a.shape[:2]) or 1
    p = win // 2
    x, y = (F.pad(_tensor(v) - 128.0, (p, p, p, p), mode="replicate") for v in (a, b))
    c = x.shape[1]
    with torch.inference_mode():
        blurred = _blur(torch.cat([x, y, x * x, y * y, x * y], 1), _kernels(c, 5, win))
        mx, my, xx, yy, xy = (blurred[:, i * c : (i + 1) * c] for i in range(5))
        sxx, syy, sxy = xx - mx * mx, yy - my * my, xy - mx * my
        mx, my = mx + 128.0, my + 128.0
        s = ((2 * mx * my + C1) * (2 * sxy + C2)) / ((mx * mx + my * my + C1) * (sxx + syy + C2))
    return s[0].mean(0).numpy()
