"""Run a fully convolutional network over a large array in overlapping tiles.

Each tile is extended by a margin wider than the network's receptive-field radius, run, and
only its interior is kept. Tiles on the image border are not extended past it, so they see the
same edge padding as a whole-image pass: the result equals whole-image processing up to
floating-point summation order, while memory stays bounded by the tile size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction

import torch

Region = tuple[int, int, int, int]  # (y0, y1, x0, x1), stops exclusive


def tile_ranges(size: int, tile: int) -> Iterator[tuple[int, int]]:
    """[start, stop) ranges of length ``tile`` (the last may be shorter) covering 0..size."""
    for start in range(0, size, tile):
        yield start, min(start + tile, size)


def run_tiled(
    fn: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    tile: int,
    margin: int,
    scale: Fraction,
    out_channels: int,
    device: torch.device | str = "cpu",
    out_device: torch.device | str = "cpu",
    progress: Callable[[int, int], None] | None = None,
    first: Region | None = None,
    on_first: Callable[[torch.Tensor], None] | None = None,
) -> torch.Tensor:
    """Apply ``fn`` to (1, C, H, W) ``x`` tile by tile.

    ``scale`` is output size / input size (1/8 for the encoder, 8 for the decoder); ``tile`` and
    ``margin`` are in input units and must map to whole output units. Tiles are moved to
    ``device`` to run and gathered on ``out_device``. ``progress(done, total)`` is called after
    each tile (it may raise to stop the work between tiles).

    ``first`` (input units) is computed before anything else, as one tile of its own, and handed
    to ``on_first`` (the output so far, that region filled): what is on screen can be shown long
    before the whole is done. The regular tiles then overwrite it, so the result does not depend
    on ``first``. Its progress report is ``(0, total)``.
    """
    _, _, h, w = x.shape
    if (tile * scale).denominator != 1 or (margin * scale).denominator != 1:
        raise ValueError("tile and margin must map to whole output pixels")
    out = torch.empty((1, out_channels, int(h * scale), int(w * scale)), dtype=torch.float32, device=out_device)
    total = len(range(0, h, tile)) * len(range(0, w, tile))

    def run(y0: int, y1: int, x0: int, x1: int) -> None:
        ey0, ey1 = max(0, y0 - margin), min(h, y1 + margin)
        ex0, ex1 = max(0, x0 - margin), min(w, x1 + margin)
        res = fn(x[:, :, ey0:ey1, ex0:ex1].to(device))
        oy, ox = int((y0 - ey0) * scale), int((x0 - ex0) * scale)
        th, tw = int((y1 - y0) * scale), int((x1 - x0) * scale)
        out[:, :, int(y0 * scale) : int(y1 * scale), int(x0 * scale) : int(x1 * scale)] = res[
            :, :, oy : oy + th, ox : ox + tw
        ].to(out_device)

    if first is not None:
        fy0, fy1, fx0, fx1 = max(0, first[0]), min(h, first[1]), max(0, first[2]), min(w, first[3])
        if fy0 < fy1 and fx0 < fx1:
            run(fy0, fy1, fx0, fx1)
            if on_first is not None:
                on_first(out)
            if progress is not None:
                progress(0, total)
    done = 0
    for y0, y1 in tile_ranges(h, tile):
        for x0, x1 in tile_ranges(w, tile):
            run(y0, y1, x0, x1)
            done += 1
            if progress is not None:
                progress(done, total)
    return out
