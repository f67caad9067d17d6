"""The training objective: lambda * distortion + bits per pixel, per sample, averaged."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from pytorch_msssim import ms_ssim


def distortion_loss(kind: str, x_hat: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(per-sample distortion term, per-sample MSE) on the 0..255 scale."""
    mse = (x_hat - x).pow(2).flatten(1).mean(1)
    if kind == "mse":
        return mse, mse
    if kind == "ms-ssim":
        xc = x_hat.clamp(0, 255)
        d = 1.0 - ms_ssim(xc, x, data_range=255.0, size_average=False, win_size=7 if min(x.shape[2:]) < 161 else 11)
        # scaled so a lambda tuned for MSE gives a comparable rate (CompressAI's usual factor)
        return d * (255.0**2) / 2500.0 * 32.0, mse
    raise ValueError(f"unknown distortion {kind!r} (use 'mse' or 'ms-ssim')")


@dataclass(frozen=True)
class StepLoss:
    """One step's objective (to back-propagate) and the figures it is made of (batch means).

    All three stay tensors on the training device: reading one as a number waits for the device,
    so the trainer reads them once per log interval, not every step."""

    loss: torch.Tensor
    bpp: torch.Tensor
    mse: torch.Tensor


def rate_distortion_loss(
    kind: str, x_hat: torch.Tensor, x: torch.Tensor, bpp: torch.Tensor, lambdas: torch.Tensor
) -> StepLoss:
    """mean over the batch of lambda * distortion + bpp, each sample at its own lambda."""
    dist_term, mse = distortion_loss(kind, x_hat, x)
    loss = (lambdas * dist_term + bpp).mean()
    return StepLoss(loss, bpp.detach().mean(), mse.detach().mean())
