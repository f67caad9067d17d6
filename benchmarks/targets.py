"""Targets, tuning and regions on Kodak: how close ``--size`` comes, what ``--tune ms-ssim`` and
``--roi`` buy at the same file size.

    python benchmarks/targets.py KODAK_DIR [--sizes 0.5,0.75,1.0] [--images 3] [--effort 4]

1. ``--size``: for every picture and every target (given in bpp, turned into bytes), the file that
   ``codec/target.py`` picks at effort 0: how far under the target it is (%), never over.
2. ``--tune ms-ssim`` against ``--tune psnr``, both at the same ``--size`` (the first of
   ``--sizes``) and effort, on the first ``--images`` pictures: MS-SSIM and PSNR of each.
3. ``--roi``: a mask weighting the centre third of the picture (255) over the rest (16), at the
   same size as a plain search: PSNR inside and outside the region, and the sizes.

All files are real and decoded; the figures are printed as Markdown tables.
"""

from __future__ import annotations

import argparse
import logging

import numpy as np

from nicgui.codec.api import load_model
from nicgui.codec.effort import SearchOptions, Tune
from nicgui.codec.metrics import ms_ssim, psnr
from nicgui.codec.target import Target, reach
from nicgui.errors import NicguiError
from nicgui.train.data import list_images, load_rgb


def centre_mask(height: int, width: int) -> np.ndarray:
    """Weight 1 in the centre third of each side, 1/16 elsewhere."""
    mask = np.full((height, width), 16 / 255, np.float32)
    mask[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3] = 1.0
    return mask


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--sizes", default="0.5,0.75,1.0", help="targets in bpp (turned into bytes per picture)")
    ap.add_argument("--images", type=int, default=3, help="pictures for the tuning and region parts")
    ap.add_argument("--effort", type=int, default=4)
    ap.add_argument("--skip-sizes", action="store_true")
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    codec = load_model(None, "cpu")
    files = list_images(a.data)
    sizes = [float(s) for s in a.sizes.split(",")]
    if not a.skip_sizes:
        print("| target bpp | pictures | under the target: mean | worst | over | out of reach |")
        print("|---|---|---|---|---|---|")
        for bpp in sizes:
            under, missed = [], 0
            for path in files:
                rgb = load_rgb(path)
                limit = int(bpp * rgb.shape[0] * rgb.shape[1] / 8)
                try:
                    got = reach(codec, codec.analyse(rgb), Target(max_bytes=limit))
                except NicguiError:  # smaller than the model's smallest file of this picture
                    missed += 1
                    continue
                under.append(100 * (1 - len(got.compressed.data) / limit))
            over = sum(u < 0 for u in under)
            row = f"| {bpp} | {len(under)} | {np.mean(under):.2f} % | {max(under):.2f} % | {over} | {missed} |"
            print(row, flush=True)
    print(
        "\n| picture | size | PSNR-tuned: bytes, PSNR, MS-SSIM | MS-SSIM-tuned: bytes, PSNR, MS-SSIM "
        "| plain: PSNR in / out of the region | ROI: PSNR in / out, bytes |\n|---|---|---|---|---|---|"
    )
    for path in files[: a.images]:
        rgb = load_rgb(path)
        h, w = rgb.shape[:2]
        limit = int(sizes[0] * h * w / 8)
        analysis = codec.analyse(rgb)
        target = Target(max_bytes=limit)
        by_psnr = reach(codec, analysis, target, SearchOptions(a.effort, Tune.PSNR)).compressed
        by_ms = reach(codec, analysis, target, SearchOptions(a.effort, Tune.MS_SSIM)).compressed
        mask = centre_mask(h, w)
        by_roi = reach(codec, analysis, target, SearchOptions(a.effort, roi=mask)).compressed
        inside = mask == 1.0

        def region(c, where, rgb=rgb):
            return psnr(rgb[where][None], c.picture.rgb[where][None])

        cells = [
            f"{len(c.data)}, {psnr(rgb, c.picture.rgb):.2f}, {ms_ssim(rgb, c.picture.rgb):.4f}"
            for c in (by_psnr, by_ms)
        ]
        print(
            f"| {path.name} | {limit} | {cells[0]} | {cells[1]} | {region(by_psnr, inside):.2f} / "
            f"{region(by_psnr, ~inside):.2f} | {region(by_roi, inside):.2f} / {region(by_roi, ~inside):.2f}, "
            f"{len(by_roi.data)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
