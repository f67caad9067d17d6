"""Do a hyperprior's predicted scales fit the residuals they code? (``codec/entropy/calibration.py``)

    python benchmarks/hyperprior_calibration.py IMAGES --weights W.safetensors [--qualities 1,50,100] [--rungs]

For each quality, over all pictures: the latents' bits as coded, the per-rung entropy of the
residuals (what the same rungs could cost), the overhead between the two, and the bits if every
scale index were moved by k rungs. A calibrated model has its best shift at 0 and an overhead of a
few per cent; a model whose scales are too small has its best shift above 0 (measured on the
CPU-trained model before the scale network's training was mended, first 4 Kodak pictures: best
shift +4 rungs at q1 and q50, overhead +63 % and +24 %). ``--rungs`` adds a table per rung: its
scale, the residuals' RMS, bits spent and their entropy. Exits 1 if the weights are not a
hyperprior's or there are no pictures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from nicgui.codec.api import load_model
    from nicgui.codec.entropy.calibration import combine
    from nicgui.codec.models.hyperprior import MeanScaleHyperprior
    from nicgui.train.data import list_images

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("images", type=Path, help="folder of pictures")
    ap.add_argument("--weights", required=True, help="a hyperprior's weights file or installed name")
    ap.add_argument("--qualities", default="1,50,100")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N pictures")
    ap.add_argument("--rungs", action="store_true", help="print the table per rung")
    args = ap.parse_args(argv)
    codec = load_model(args.weights, "cpu", "float32")
    model = codec.model
    if not isinstance(model, MeanScaleHyperprior):
        print(f"{args.weights} is a {model.family} model, not a hyperprior", file=sys.stderr)
        return 1
    paths = list_images(args.images)[: args.limit or None] if args.images.is_dir() else []
    if not paths:
        print(f"no pictures in {args.images} (a folder of pictures is needed)", file=sys.stderr)
        return 1
    analyses = [codec.analyse(p) for p in paths]
    pixels = sum(a.picture.width * a.picture.height for a in analyses)
    for quality in (int(q) for q in args.qualities.split(",")):
        quantised = [codec.quantise(a, quality) for a in analyses]
        cal = combine([model.calibration(q) for q in quantised])
        side = sum(q.side_bits for q in quantised)
        overhead = f"{100 * cal.overhead:+.1f} %" if cal.entropy > 0 else "n/a (every residual alike)"
        print(
            f"q{quality}: latents {cal.bits / pixels:.4f} bpp (side {side / pixels:.4f}), per-rung entropy "
            f"{cal.entropy / pixels:.4f} bpp, overhead {overhead}, best shift {cal.best_shift:+d} rungs "
            f"({cal.bits_by_shift[cal.best_shift] / pixels:.4f} bpp)"
        )
        print("   shift: " + "  ".join(f"{k:+d} {v / pixels:.4f}" for k, v in sorted(cal.bits_by_shift.items())))
        if args.rungs:
            print("   rung   scale      count    rms/scale  bits/el  entropy/el")
            for f in cal.rungs:
                row = f"{f.rung:4d} {f.scale:7.3f} {f.count:10d} {f.rms / f.scale:10.2f}"
                print(f"   {row} {f.bits:8.3f} {f.entropy:10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
