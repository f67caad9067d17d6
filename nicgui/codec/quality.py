"""The quality axis: quality 1..100 <-> a position between a model's anchor rates.

Every family learns one vector per channel at a few anchor rates (the CAE's scale vectors, the
hyperprior's gain vectors), non-decreasing from anchor to anchor, and interpolates between them
in log space, so one model serves every quality and rate grows monotonically with quality.
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F
from torch import nn

QUALITIES = 100  # quality is an integer 1..QUALITIES


def quality_position(quality: float | torch.Tensor, anchors: int) -> torch.Tensor:
    """Map quality 1..100 (continuous allowed) to a position 0..anchors-1 on the anchor axis."""
    q = torch.as_tensor(quality, dtype=torch.float32)
    return (q - 1.0) / (QUALITIES - 1) * (anchors - 1)


def interpolate_anchors(anchors: torch.Tensor, position: torch.Tensor) -> torch.Tensor:
    """Linear interpolation of (A, M) anchor rows at positions (B,) -> (B, M)."""
    n = anchors.shape[0]
    pos = position.clamp(0, n - 1)
    lo = pos.floor().long().clamp(max=max(n - 2, 0))
    frac = (pos - lo.float())[:, None]
    hi = (lo + 1).clamp(max=n - 1)
    return anchors[lo] * (1 - frac) + anchors[hi] * frac


def anchor_lambdas(anchors: tuple[float, ...], position: torch.Tensor) -> torch.Tensor:
    """Lambda at continuous anchor positions, interpolated in log space."""
    return torch.exp(interpolate_anchors(_log_lambdas(tuple(anchors), position.device)[:, None], position)[:, 0])


@functools.cache
def _log_lambdas(anchors: tuple[float, ...], device: torch.device) -> torch.Tensor:
    """Made once per device: copying a new tensor to a GPU every step would wait for its queue."""
    return torch.tensor([math.log(a) for a in anchors], device=device)


def monotone_anchor_logs(start: torch.Tensor, raw_steps: torch.Tensor, anchors: int) -> torch.Tensor:
    """(anchors, M) log-values: ``start`` at anchor 0, then softplus'd (positive) increments."""
    inc = F.softplus(raw_steps[: anchors - 1])
    return torch.cat([start[None], start[None] + inc.cumsum(0)], 0)


class MonotoneVectors(nn.Module):
    """Per-channel log-values at anchor rates, non-decreasing along the anchors by construction.

    Stored as the value at anchor 0 plus softplus'd increments; ``first``..``last`` sets the
    initial log-spaced range.
    """

    def __init__(self, channels: int, anchors: int, first: float, last: float) -> None:
        super().__init__()
        self.n_anchors = anchors
        self.start = nn.Parameter(torch.full((channels,), math.log(first)))
        step = max(math.log(last / first) / max(anchors - 1, 1), 1e-3)
        self.steps = nn.Parameter(torch.full((max(anchors - 1, 1), channels), math.log(math.expm1(step))))

    def anchor_logs(self) -> torch.Tensor:
        """(anchors, M) log-values, non-decreasing along the anchor axis."""
        return monotone_anchor_logs(self.start, self.steps, self.n_anchors)

    def at(self, position: torch.Tensor) -> torch.Tensor:
        """(B, M) values at anchor positions (B,)."""
        return interpolate_anchors(self.anchor_logs(), position).exp()

    def for_qualities(self) -> torch.Tensor:
        """(100, M) values for the integer qualities 1..100."""
        pos = quality_position(torch.arange(1, QUALITIES + 1, dtype=torch.float32), self.n_anchors)
        return self.at(pos.to(self.start.device))
