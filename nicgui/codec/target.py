"""A file size or a PSNR to reach instead of a quality: the quality is searched for.

``--size`` asks for the largest file not over a number of bytes, ``--psnr`` for the smallest file
at least that good. Rate and PSNR grow with quality (``codec/quality.py``: the gain vectors are
monotone), so a bisection over the one-pass encoder's qualities finds the candidate in about
seven cheap trials (entropy coding only for a size; the decoder too for a PSNR). With a search
effort above 0 the searched file at that quality is usually smaller: for a size, its share of the
one-pass file predicts the higher quality whose searched file fits, and that one is searched (the
one below while it misses); for a PSNR, lower qualities are searched while they still reach it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nicgui.codec.api import Analysis, Codec, Compressed
from nicgui.codec.effort import SearchOptions, StepCallback
from nicgui.codec.latents import Quantised
from nicgui.codec.metrics import psnr
from nicgui.codec.quality import QUALITIES
from nicgui.errors import NicguiError

log = logging.getLogger(__name__)

SEARCHED_TRIALS = 4  # qualities tried with the search on top of the one-pass bisection's


@dataclass(frozen=True)
class Target:
    """Exactly one of: the most bytes the file may have, or the least PSNR (dB) it must reach."""

    max_bytes: int | None = None
    min_psnr: float | None = None

    def __post_init__(self) -> None:
        if (self.max_bytes is None) == (self.min_psnr is None):
            raise NicguiError("give one target: a file size or a PSNR")
        if self.max_bytes is not None and self.max_bytes <= 0:
            raise NicguiError(f"a target size must be a positive number of bytes, got {self.max_bytes}")
        if self.min_psnr is not None and not 0 < self.min_psnr < 100:
            raise NicguiError(f"a target PSNR must be between 0 and 100 dB, got {self.min_psnr}")

    def describe(self) -> str:
        return f"{self.max_bytes:,} bytes" if self.max_bytes is not None else f"{self.min_psnr:.2f} dB"


@dataclass
class Reached:
    """The file that meets a target, at which quality, and how many trials it took."""

    compressed: Compressed
    quality: int
    trials: int


def _meets(target: Target, c: Compressed, original_rgb: np.ndarray) -> bool:
    if target.max_bytes is not None:
        return len(c.data) <= target.max_bytes
    assert target.min_psnr is not None
    return psnr(original_rgb, c.picture.rgb) >= target.min_psnr


def reach(
    codec: Codec,
    analysis: Analysis,
    target: Target,
    options: SearchOptions | None = None,
    on_step: StepCallback | None = None,
    on_trial: Callable[[int, Compressed], None] | None = None,
) -> Reached:
    """The file of ``analysis`` that meets ``target`` best: the largest under a size, the smallest
    at a PSNR. Raises NicguiError naming the closest result when no quality meets it."""
    rgb = analysis.picture.rgb
    trials = 0

    sizes: dict[int, int] = {}  # one-pass file size at each quality tried

    def one_pass(quality: int) -> Compressed:
        nonlocal trials
        trials += 1
        q = codec.quantise(analysis, quality)
        if target.max_bytes is not None:  # the size needs no decoder
            c = Compressed(codec.write(analysis.picture, q), q, analysis.picture, 0.0, 0.0)
        else:
            c = codec.complete(analysis, q)
        sizes[quality] = len(c.data)
        if on_trial is not None:
            on_trial(quality, c)
        return c

    def size_of(quality: int) -> int:
        return sizes[quality] if quality in sizes else len(one_pass(quality).data)

    # bisection for the boundary: lo meets the target, hi does not (for a size: small qualities
    # meet it; for a PSNR: large ones)
    by_size = target.max_bytes is not None
    first, last = (1, QUALITIES) if by_size else (QUALITIES, 1)
    c_first = one_pass(first)
    if not _meets(target, c_first, rgb):
        raise NicguiError(_unreachable(target, first, c_first, rgb))
    c_last = one_pass(last)
    if _meets(target, c_last, rgb):
        best, best_c = last, c_last
    else:
        lo, hi, lo_c = first, last, c_first
        while abs(hi - lo) > 1:
            mid = (lo + hi) // 2
            c = one_pass(mid)
            if _meets(target, c, rgb):
                lo, lo_c = mid, c
            else:
                hi = mid
        best, best_c = lo, lo_c
    if options is None or not options.active:
        if by_size:  # decode the chosen one only
            best_c = codec.complete(analysis, best_c.quantised)
        return Reached(best_c, best, trials)
    if by_size:
        assert target.max_bytes is not None
        found = _searched_size(codec, analysis, target.max_bytes, options, on_step, best, size_of)
        if found is None:  # rare: no searched file fits where the one-pass file does
            log.info("no searched file fits in %s: the one-pass file is kept", target.describe())
            return Reached(codec.complete(analysis, best_c.quantised), best, trials)
        return Reached(found[1], found[0], trials + found[2])
    return _searched(codec, analysis, target, options, on_step, best, best_c, trials, rgb)


def _searched_size(
    codec: Codec,
    analysis: Analysis,
    limit: int,
    options: SearchOptions,
    on_step: StepCallback | None,
    quality: int,
    size_of: Callable[[int], int],
) -> tuple[int, Compressed, int] | None:
    """The largest searched file not over ``limit``: the search shrinks a file by a share that
    changes slowly with quality, so after one searched trial at ``quality`` (the one-pass answer)
    the one-pass sizes predict which higher quality the searched file fits at; that one is
    searched, and the quality below it while it misses. (quality, file, searched trials) or None."""
    trials = 0

    def searched(q: int) -> Compressed:
        """A searched trial's file; the size needs no decoder, so only the chosen one is decoded."""
        nonlocal trials
        trials += 1
        found = codec.search(analysis, q, options, on_step).quantised
        return Compressed(codec.write(analysis.picture, found), found, analysis.picture, 0.0, 0.0)

    first = searched(quality)
    best = (quality, first) if len(first.data) <= limit else None
    ratio = len(first.data) / size_of(quality)
    lo, hi = quality, QUALITIES + 1  # the prediction: lo fits, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if size_of(mid) * ratio <= limit:
            lo = mid
        else:
            hi = mid
    q = lo
    while q > quality and trials < SEARCHED_TRIALS:
        c = searched(q)
        if len(c.data) <= limit:
            best = (q, c) if best is None or q > best[0] else best
            break
        q -= 1
    return None if best is None else (best[0], codec.complete(analysis, best[1].quantised), trials)


def _searched(
    codec: Codec,
    analysis: Analysis,
    target: Target,
    options: SearchOptions,
    on_step: StepCallback | None,
    quality: int,
    fallback: Compressed,
    trials: int,
    rgb: np.ndarray,
) -> Reached:
    """Searched files at ``quality`` and the next ones towards a better result while they meet the
    target (a searched file is smaller, and often still as good)."""
    step = 1 if target.max_bytes is not None else -1
    best: tuple[int, Compressed] | None = None
    q = quality
    for _ in range(SEARCHED_TRIALS):
        if not 1 <= q <= QUALITIES:
            break
        found: Quantised = codec.search(analysis, q, options, on_step).quantised
        trials += 1
        c = codec.complete(analysis, found)
        if not _meets(target, c, rgb):
            break
        best = (q, c)
        q += step
    if best is None:  # rare: the searched file at the one-pass quality missed; the one-pass file meets it
        log.info("the searched file at quality %d misses %s: the one-pass file is kept", quality, target.describe())
        c = fallback if target.min_psnr is not None else codec.complete(analysis, fallback.quantised)
        return Reached(c, quality, trials)
    return Reached(best[1], best[0], trials)


def _unreachable(target: Target, quality: int, c: Compressed, rgb: np.ndarray) -> str:
    if target.max_bytes is not None:
        return f"cannot fit in {target.describe()}: the smallest file (quality {quality}) has {len(c.data):,} bytes"
    return (
        f"cannot reach {target.describe()}: the best file (quality {quality}) reaches {psnr(rgb, c.picture.rgb):.2f} dB"
    )
