"""Add golden .nic files for one model: ``python tests/data/golden/make_golden.py NAME_OR_WEIGHTS_FILE``.

Models that are not shipped (like the tiny hyperprior that pins the mean-scale family's format)
keep their weights in ``tests/data/golden/weights/``, which the golden test adds to the search path.

Golden files are never regenerated: an entry that exists is kept, so any later change of the
format, the tables or the weights that alters how an old file decodes fails tests/codec/test_golden.py.
Each entry records hashes of the decoded integer symbols (exact on every machine) and a PNG of
the decoded picture in float32 (compared within one grey level: the networks run in floating point).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from nicgui.codec.api import load_model

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "MANIFEST.json"


def inputs() -> dict[str, tuple[np.ndarray, int]]:
    src = np.asarray(Image.open(HERE.parent / "sample.png").convert("RGB"))
    alpha = (np.arange(24 * 40).reshape(24, 40, 1) % 256).astype(np.uint8)
    rgba = np.concatenate([src[:24, :40], alpha], 2)
    return {"q10": (src, 10), "q90": (src, 90), "rgba-q50": (rgba, 50)}


def main(name: str) -> None:
    codec = load_model(name, device="cpu", precision="float32")  # an installed name, or a weights file
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    for case, (img, quality) in inputs().items():
        key = f"{codec.identity.name}-v2-{case}"
        if key in manifest and manifest[key]["model"] != str(codec.identity):  # a later model of that name
            key = f"{codec.identity.name}-{codec.identity.digest.hex()[:12]}-v2-{case}"
        if key in manifest:
            print(f"{key}: kept")
            continue
        data = codec.encode(img, quality)
        (HERE / f"{key}.nic").write_bytes(data)
        decoded = codec.decode_full(data)
        Image.fromarray(decoded.picture.rgb).save(HERE / f"{key}.png")
        manifest[key] = {**decoded.quantised.symbol_hashes(), "model": str(codec.identity)}
        print(f"{key}: written ({len(data)} bytes)")
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "default")
