"""Image quality metrics on RGB 0..255: MSE, PSNR, SSIM, MS-SSIM, error maps, bits per pixel.

SSIM and MS-SSIM come from pytorch-msssim (Gaussian window 11, sigma 1.5, the published
settings), so our figures compare with published ones. Images too small for the standard window
or for five MS-SSIM scales use a smaller window or fewer scales; images under 3 pixels on a side
have no SSIM (NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from pytorch_msssim import ms_ssim as _ms_ssim
from pytorch_msssim import ssim as _lib_ssim
from pytorch_msssim.ssim import _fspecial_gauss_1d
from pytorch_msssim.ssim import _ssim as _ssim_parts

MS_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)  # the five MS-SSIM scales (Wang et al. 2003)
WIN = 11  # Gaussian window of SSIM: 11 taps, sigma 1.5
SIGMA = 1.5


def gaussian_window() -> torch.Tensor:
    """The 1-D Gaussian SSIM window of pytorch-msssim, shape (WIN,), float32, summing to 1."""
    return _fspecial_gauss_1d(WIN, SIGMA).reshape(WIN)


@dataclass(frozen=True)
class Metrics:
    mse: float
    psnr: float
    ssim: float
    ms_ssim: float


def _tensor(a: np.ndarray) -> torch.Tensor:
    a = np.asarray(a)
    if a.ndim == 2:
        a = a[:, :, None]
    # float32: five times faster than float64 and equal to about 1e-7 on SSIM / MS-SSIM
    return torch.from_numpy(np.array(a, dtype=np.float32)).permute(2, 0, 1)[None]


def _check(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"images differ in size: {a.shape} vs {b.shape}")


def mse(a: np.ndarray, b: np.ndarray) -> float:
    _check(a, b)
    return float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB over all channels (inf for identical images)."""
    m = mse(a, b)
    return math.inf if m == 0 else 10.0 * math.log10(255.0**2 / m)


def _window(a: np.ndarray) -> int:
    side = min(a.shape[0], a.shape[1])
    return min(WIN, side if side % 2 else side - 1)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    _check(a, b)
    win = _window(a)
    if win < 3:
        return math.nan
    return float(_lib_ssim(_tensor(a), _tensor(b), data_range=255.0, win_size=win))


def ms_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """MS-SSIM with as many of the five standard scales as the image size allows."""
    _check(a, b)
    win = _window(a)
    if win < 3:
        return math.nan
    side = min(a.shape[0], a.shape[1])
    levels = 5
    while levels > 1 and side <= (win - 1) * 2 ** (levels - 1):
        levels -= 1
    if levels == 1:
        return ssim(a, b)
    if levels == 5:
        return float(_ms_ssim(_tensor(a), _tensor(b), data_range=255.0, win_size=win))
    return _ms_ssim_levels(_tensor(a), _tensor(b), win, list(MS_WEIGHTS[:levels]))


def _ms_ssim_levels(x: torch.Tensor, y: torch.Tensor, win_size: int, weights: list[float]) -> float:
    """MS-SSIM over fewer scales (pytorch-msssim insists on five); weights renormalised to sum 1."""
    w = torch.tensor(weights, dtype=x.dtype)
    w = w / w.sum()
    win = _fspecial_gauss_1d(win_size, SIGMA).to(x.dtype).repeat(x.shape[1], 1, 1, 1)
    cs_levels = []
    for i in range(len(weights)):
        s, cs = _ssim_parts(x, y, 255.0, win)
        if i < len(weights) - 1:
            cs_levels.append(torch.relu(cs))
            pad = [n % 2 for n in x.shape[2:]]
            x, y = F.avg_pool2d(x, 2, padding=pad), F.avg_pool2d(y, 2, padding=pad)
    vals = torch.stack(cs_levels + [torch.relu(s)], 0)  # (levels, N, C)
    return float(torch.prod(vals ** w[:, None, None], 0).mean())


def all_metrics(a: np.ndarray, b: np.ndarray) -> Metrics:
    return Metrics(mse(a, b), psnr(a, b), ssim(a, b), ms_ssim(a, b))


def bits_per_pixel(n_bytes: int, width: int, height: int) -> float:
    """Bits per pixel of a file of ``n_bytes`` holding a width x height image."""
    return 8.0 * n_bytes / (width * height)


def abs_error_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W) float32 mean absolute error over the channels."""
    _check(a, b)
    d = np.abs(a.astype(np.float32) - b.astype(np.float32))
    return d.mean(axis=2) if d.ndim == 3 else d


def ssim_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W) float32 local SSIM (mean over channels), Gaussian window 11, sigma 1.5, same size."""
    _check(a, b)
    x, y = _tensor(a), _tensor(b)
    c = x.shape[1]
    g = gaussian_window()
    w = (g[:, None] * g[None, :]).expand(c, 1, WIN, WIN).contiguous()

    def blur(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(F.pad(t, (5, 5, 5, 5), mode="replicate"), w, groups=c)

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx**2 + my**2 + c1) * (sxx + syy + c2))
    return s[0].mean(0).numpy()
