"""The metrics of ``metrics.all_metrics``, fast enough for live readouts on a small CPU.

``all_metrics`` runs pytorch-msssim in float64 with 1-D grouped convolutions: over a second for
SSIM plus MS-SSIM on a 768x512 picture on two cores. This computes the same figures (SSIM and
MS-SSIM to about 1e-5, MSE exactly) in float32 with separable depthwise Gaussian convolutions on
channels-last tensors, in row strips so memory stays bounded on large pictures: about a fifteenth of
the time. A ``Reference`` keeps the original's share of the work between calls. Pictures too small
for the standard 11-pixel window and five MS-SSIM scales go to ``all_metrics`` (they are cheap
there and keep its special cases).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch
import torch.nn.functional as F

from nicgui.codec.metrics import MS_WEIGHTS, WIN, Metrics, all_metrics, gaussian_window

_C1 = (0.01 * 255.0) ** 2
_C2 = (0.03 * 255.0) ** 2
_STRIP_VALUES = 1 << 22  # input values per strip and plane group: bounds memory on huge pictures
KEEP_PIXELS = 2_000_000  # a Reference keeps its planes up to this size (about 95 MB at the limit)


@dataclass(frozen=True)
class _Strip:
    """One row strip of one scale of the reference picture: its pixels and their local moments."""

    r0: int  # first output row of the strip
    x: torch.Tensor  # centred pixels, the strip's rows plus the window's overlap
    mx: torch.Tensor  # Gaussian-weighted local mean of x
    xx: torch.Tensor  # Gaussian-weighted local mean of x * x


def _kernels(c: int, planes: int) -> tuple[torch.Tensor, torch.Tensor]:
    k = gaussian_window()
    across = k.view(1, 1, 1, WIN).expand(planes * c, 1, 1, WIN).contiguous()
    down = k.view(1, 1, WIN, 1).expand(planes * c, 1, WIN, 1).contiguous()
    return across, down


def _blur(planes: torch.Tensor, kernels: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    # channels-last makes the depthwise convolutions several times faster on the CPU
    planes = planes.contiguous(memory_format=torch.channels_last)
    across, down = kernels
    return F.conv2d(F.conv2d(planes, across, groups=across.shape[0]), down, groups=down.shape[0])


def _strips(x: torch.Tensor) -> list[_Strip]:
    """Cut one scale (1, C, H, W) of the reference into strips and blur its moments."""
    _, c, h, w = x.shape
    rows = max(1, _STRIP_VALUES // (c * w))
    kernels = _kernels(c, 2)
    out = []
    for r0 in range(0, h - WIN + 1, rows):
        xs = x[:, :, r0 : min(h, r0 + rows + WIN - 1)] - 128.0  # centred: moments lose less precision
        blurred = _blur(torch.cat([xs, xs * xs], 1), kernels)
        mx, xx = blurred[:, :c], blurred[:, c:]
        out.append(_Strip(r0, xs, mx, xx))
    return out


def _downsample(x: torch.Tensor) -> torch.Tensor:
    pad = [n % 2 for n in x.shape[2:]]
    return F.avg_pool2d(x, 2, padding=pad)


def _scales(a: np.ndarray) -> Iterator[torch.Tensor]:
    """The picture and its MS-SSIM pyramid, one (1, C, H, W) float tensor per scale."""
    x = torch.tensor(a).permute(2, 0, 1)[None].float()  # a copy: the input may be read-only
    for i in range(len(MS_WEIGHTS)):
        yield x
        if i < len(MS_WEIGHTS) - 1:
            x = _downsample(x)


def _fits(a: np.ndarray) -> bool:
    """Big enough for five MS-SSIM scales with the 11-pixel window (else ``all_metrics`` handles it)."""
    return a.ndim == 3 and min(a.shape[:2]) > (WIN - 1) * 2 ** (len(MS_WEIGHTS) - 1)


class Reference:
    """The original picture's share of SSIM and MS-SSIM, computed once and reused.

    Comparing many reconstructions (a slider, a classical codec) with one original, the original's
    pyramid and local moments need computing only once; each comparison then blurs three planes
    instead of five. Pictures over ``KEEP_PIXELS`` keep nothing and are recomputed per comparison,
    in strips, so memory stays bounded.
    """

    def __init__(self, a: np.ndarray) -> None:
        self.pixels = a
        self._kept = [_strips(x) for x in _scales(a)] if _fits(a) and a.shape[0] * a.shape[1] <= KEEP_PIXELS else None

    def scales(self) -> Iterator[list[_Strip]]:
        """Per scale, the reference's strips (computed now when they are not kept)."""
        if self._kept is not None:
            yield from self._kept
        else:
            for x in _scales(self.pixels):
                yield _strips(x)


def _ssim_cs(ref: list[_Strip], y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean SSIM and contrast-structure term over all valid windows of one scale."""
    _, c, h, w = y.shape
    kernels = _kernels(c, 3)
    s_sum = torch.zeros(c, dtype=torch.float64)
    cs_sum = torch.zeros(c, dtype=torch.float64)
    for strip in ref:
        xs = strip.x
        ys = y[:, :, strip.r0 : strip.r0 + xs.shape[2]] - 128.0
        blurred = _blur(torch.cat([ys, ys * ys, xs * ys], 1), kernels)
        my, yy, xy = blurred[:, :c], blurred[:, c : 2 * c], blurred[:, 2 * c :]
        mx = strip.mx
        sxx, syy, sxy = strip.xx - mx * mx, yy - my * my, xy - mx * my
        mx, my = mx + 128.0, my + 128.0
        cs = (2 * sxy + _C2) / (sxx + syy + _C2)
        s = (2 * mx * my + _C1) / (mx * mx + my * my + _C1) * cs
        s_sum += s.sum((0, 2, 3), dtype=torch.float64)
        cs_sum += cs.sum((0, 2, 3), dtype=torch.float64)
    n = (h - WIN + 1) * (w - WIN + 1)
    return s_sum / n, cs_sum / n


def _mse(a: np.ndarray, b: np.ndarray) -> float:
    """Exact mean squared error, summed in integers strip by strip."""
    rows = max(1, _STRIP_VALUES // max(1, a[0].size))
    total = 0
    for r0 in range(0, a.shape[0], rows):
        d = a[r0 : r0 + rows].astype(np.int32) - b[r0 : r0 + rows].astype(np.int32)
        total += int((d * d).sum(dtype=np.int64))
    return total / a.size


def quick_metrics(a: np.ndarray | Reference, b: np.ndarray) -> Metrics:
    """MSE, PSNR, SSIM and MS-SSIM of two same-size uint8 RGB pictures (as ``all_metrics``).

    ``a`` may be a ``Reference`` built once for the original, which makes repeated calls cheaper.
    """
    ref = a if isinstance(a, Reference) else None
    a = ref.pixels if ref is not None else cast(np.ndarray, a)
    if a.shape != b.shape:
        raise ValueError(f"images differ in size: {a.shape} vs {b.shape}")
    if not _fits(a):
        return all_metrics(a, b)
    m = _mse(a, b)
    p = math.inf if m == 0 else 10.0 * math.log10(255.0**2 / m)
    with torch.inference_mode():
        levels = []
        for i, (strips, y) in enumerate(zip((ref or Reference(a)).scales(), _scales(b), strict=True)):
            s, cs = _ssim_cs(strips, y)
            if i == 0:
                ssim = float(s.mean())
            levels.append(torch.relu(cs if i < len(MS_WEIGHTS) - 1 else s))
        weights = torch.tensor(MS_WEIGHTS, dtype=torch.float64)[:, None]
        ms = float(torch.prod(torch.stack(levels) ** weights, 0).mean())
    return Metrics(m, p, ssim, ms)
