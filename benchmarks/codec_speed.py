"""Encode/decode time and peak memory for one image and for a 24-megapixel image.

Each measurement runs in a fresh process so that peak resident memory (ru_maxrss) belongs to
that case alone. Usage:

    python benchmarks/codec_speed.py KODAK_IMAGE [--model NAME] [--device cpu|cuda] [--megapixels 24]
                                                [--precision auto|float32|bfloat16]

The large image is the given image resized (Lanczos) to 6000 x 4000 (24 MP).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def measure(
    image_path: str, device: str, size: tuple[int, int] | None, threads: int, model: str | None, precision: str
) -> dict:
    import resource

    import numpy as np
    import torch
    from PIL import Image

    from nicgui.codec.api import load_model

    if threads:
        torch.set_num_threads(threads)
    codec = load_model(model, device=device, precision=precision)
    im = Image.open(image_path).convert("RGB")
    if size:
        im = im.resize(size, Image.Resampling.LANCZOS)
    rgb = np.asarray(im)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    codec.encode(rgb[:64, :64], 75)  # warm-up (lazy init, kernels)
    encodes, decodes = [], []
    for _ in range(3 if size is None else 1):  # small pictures: the best of three (the first also
        t0 = time.perf_counter()  # builds the convolution kernels for this shape)
        data = codec.encode(rgb, 75)
        t1 = time.perf_counter()
        pic = codec.decode(data)
        t2 = time.perf_counter()
        encodes.append(t1 - t0)
        decodes.append(t2 - t1)
    assert pic.rgb.shape == rgb.shape
    out = {
        "model": str(codec.identity),
        "device": device,
        "precision": str(codec.precision),
        "width": rgb.shape[1],
        "height": rgb.shape[0],
        "bytes": len(data),
        "bpp": round(8 * len(data) / (rgb.shape[0] * rgb.shape[1]), 4),
        "encode_s": round(min(encodes), 3),
        "decode_s": round(min(decodes), 3),
        "first_encode_s": round(encodes[0], 3),
        "first_decode_s": round(decodes[0], 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_after_load_mb": round(base),
    }
    if device.startswith("cuda"):
        out["peak_cuda_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("image")
    p.add_argument("--device", default="cpu")
    p.add_argument("--model", help="installed model name (default: the default model)")
    p.add_argument("--megapixels", type=float, default=24.0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--precision", default="auto", help="auto, float32 or bfloat16 (see nicgui/codec/precision.py)")
    p.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case in this process
    a = p.parse_args()
    if a.case:
        size = None if a.case == "native" else tuple(int(v) for v in a.case.split("x"))
        print(json.dumps(measure(a.image, a.device, size, a.threads, a.model, a.precision)))
        return
    w = int(round((a.megapixels * 1e6 * 1.5) ** 0.5))
    cases = ["native", f"{w}x{int(round(w / 1.5))}"]
    for case in cases:
        cmd = [sys.executable, __file__, a.image, "--device", a.device, "--case", case, "--threads", str(a.threads),
               "--precision", a.precision]  # fmt: skip
        if a.model:
            cmd += ["--model", a.model]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            print(json.dumps({"case": case, "error": r.stderr.strip().splitlines()[-1:]}))
        else:
            print(r.stdout.strip())


if __name__ == "__main__":
    main()
