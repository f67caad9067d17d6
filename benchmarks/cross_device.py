"""Do files encoded on one machine or device decode to the same symbols on another?

A hyperprior file decodes only if the decoder derives, for every latent element, the very scale
index the encoder used (``nicgui/codec/models/integer_net.py``). This script checks it on real
pictures, in two steps that may run on different machines:

    python benchmarks/cross_device.py encode IMAGES OUT --weights W.safetensors --device cuda
    python benchmarks/cross_device.py check OUT --weights W.safetensors --device cpu [--also cuda]

``encode`` writes OUT/<image>-q<quality>.nic for each picture and quality (default 10, 50, 90)
and OUT/hashes.json: the sha256 of every integer array the *encoder* coded (symbols, hyper-latent,
scale indices). ``check`` decodes every file and compares the hashes the *decoder* derives; with
``--also DEVICE`` it decodes on that device too and reports how far apart the two pictures are
(the predicted mean and the transforms run in floating point, so pixels may differ a little;
symbols may not). It prints one line per mismatch and a summary, and exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HASHES = "hashes.json"


def encode(images: Path, out: Path, weights: str | None, device: str, qualities: list[int], precision: str) -> int:
    from nicgui.codec.api import load_model
    from nicgui.train.data import list_images

    codec = load_model(weights, device, precision)
    out.mkdir(parents=True, exist_ok=True)
    record: dict[str, dict] = {}
    t0 = time.perf_counter()
    for path in list_images(images):
        analysis = codec.analyse(path)
        for q in qualities:
            quantised = codec.quantise(analysis, q)
            name = f"{path.stem}-q{q}.nic"
            (out / name).write_bytes(codec.write(analysis.picture, quantised))
            record[name] = {**quantised.symbol_hashes(), "model": str(codec.identity), "device": str(codec.device)}
    (out / HASHES).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(
        f"encoded {len(record)} files on {codec.device} ({codec.precision}) with {codec.identity} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return 0


def check(folder: Path, weights: str | None, device: str, also: str | None, precision: str) -> int:
    from nicgui.codec.api import load_model
    from nicgui.codec.metrics import psnr

    record = json.loads((folder / HASHES).read_text())
    codec = load_model(weights, device, precision)
    other = codec.to(also) if also else None
    bad, closest = 0, math.inf
    for name, expected in sorted(record.items()):
        data = (folder / name).read_bytes()
        decoded = codec.decode_full(data)
        if str(codec.identity) != expected["model"]:
            print(f"{name}: written by {expected['model']}, checked with {codec.identity}")
            return 1
        for key, value in decoded.quantised.symbol_hashes().items():
            if expected.get(key) != value:
                bad += 1
                print(f"MISMATCH {name}: {key} differs between {expected['device']} and {codec.device}")
        if other is not None:
            closest = min(closest, psnr(decoded.picture.rgb, other.decode(data).rgb))
    written_on = sorted({e["device"] for e in record.values()})
    summary = f"{len(record)} files written on {', '.join(written_on)}, decoded on {codec.device}: "
    summary += f"{bad} mismatches" if bad else "every symbol, hyper-latent and scale index identical"
    if other is not None:
        apart = "identical" if math.isinf(closest) else f"at least {closest:.1f} dB apart (PSNR)"
        summary += f"; pictures decoded on {codec.device} and {other.device}: {apart}"
    print(summary)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    e = sub.add_parser("encode")
    e.add_argument("images", type=Path)
    e.add_argument("out", type=Path)
    e.add_argument("--qualities", default="10,50,90")
    c = sub.add_parser("check")
    c.add_argument("folder", type=Path)
    c.add_argument("--also", help="a second device to decode on, to compare pictures")
    for sp in (e, c):
        sp.add_argument("--weights", help="weights file or installed name (default: the default model)")
        sp.add_argument("--device", default="cpu")
        sp.add_argument("--precision", default="auto")
    a = p.parse_args(argv)
    if a.step == "encode":
        qualities = [int(q) for q in a.qualities.split(",")]
        return encode(a.images, a.out, a.weights, a.device, qualities, a.precision)
    return check(a.folder, a.weights, a.device, a.also, a.precision)


if __name__ == "__main__":
    sys.exit(main())
