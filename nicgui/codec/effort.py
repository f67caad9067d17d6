"""What a per-picture search is asked to do and what it reports (``codec/refine.py`` does it).

Light on purpose (numpy, no torch): the command line's parser and the app's state name effort
levels and options without loading the networks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from nicgui.errors import NicguiError

if TYPE_CHECKING:
    import numpy as np

# iterations per effort level: 0 is the one-pass encoder; each level about 1.6x the one before
EFFORT_ITERATIONS = (0, 10, 16, 25, 40, 64, 100, 160, 250, 400)
MAX_EFFORT = len(EFFORT_ITERATIONS) - 1
DEFAULT_TUNED_EFFORT = 4  # a tuning or a region without an effort named: a search of 40 iterations


class Tune(StrEnum):
    """The distortion a search minimises."""

    PSNR = "psnr"
    MS_SSIM = "ms-ssim"


@dataclass(frozen=True)
class SearchOptions:
    """What a search minimises and for how long.

    ``roi``: (height, width) weights >= 0 of each pixel's squared error (a mask's grey levels),
    normalised here to mean 1; None weighs all pixels alike. ``iterations`` overrides ``effort``.
    """

    effort: int = 0
    tune: Tune = Tune.PSNR
    roi: np.ndarray | None = field(default=None, repr=False)
    seed: int = 0
    iterations: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.effort, bool) or not isinstance(self.effort, int) or not 0 <= self.effort <= MAX_EFFORT:
            raise NicguiError(f"effort must be an integer from 0 to {MAX_EFFORT}, got {self.effort!r}")
        if self.iterations is not None and self.iterations < 0:
            raise NicguiError(f"iterations must be 0 or more, got {self.iterations}")
        if self.roi is not None:
            import numpy as np  # only here: the command line's parser imports this module

            if self.roi.ndim != 2 or not np.all(np.isfinite(self.roi)) or self.roi.min() < 0:
                raise NicguiError("a region-of-interest mask must be a grey picture of weights >= 0")
            if float(self.roi.max()) <= 0:
                raise NicguiError("the region-of-interest mask is black everywhere: no pixel would count")
            if self.tune is not Tune.PSNR:
                raise NicguiError("a region of interest weighs squared errors: use it with --tune psnr")

    @property
    def steps(self) -> int:
        return EFFORT_ITERATIONS[self.effort] if self.iterations is None else self.iterations

    @property
    def active(self) -> bool:
        """Whether anything differs from the one-pass encoder."""
        return self.steps > 0


@dataclass(frozen=True)
class SearchStep:
    """Where a search stands after one iteration (estimated figures of the relaxed latents)."""

    iteration: int
    iterations: int
    window: int
    windows: int
    bpp: float
    psnr: float
    seconds: float

    @property
    def fraction(self) -> float:
        return ((self.window - 1) * self.iterations + self.iteration) / max(1, self.windows * self.iterations)

    @property
    def seconds_left(self) -> float:
        f = self.fraction
        return self.seconds * (1.0 - f) / f if f > 0 else math.nan


StepCallback = Callable[[SearchStep], None]  # may raise Cancelled between iterations
