"""Classical codecs through Pillow (JPEG 4:2:0, WebP, AVIF, JPEG XL), for comparison with nicgui.

JPEG XL comes from the ``pillow-jxl-plugin`` package (registered when first used).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, features

from nicgui.codec.progress import COMPARING, Progress

FORMATS = {"jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF", "jxl": "JXL"}
NAMES = {"jpeg": "JPEG", "webp": "WebP", "avif": "AVIF", "jxl": "JPEG XL"}  # as people write them


def _jxl_plugin() -> bool:
    try:
        import pillow_jxl  # noqa: F401  (registers the JXL format with Pillow)
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class ClassicResult:
    codec: str
    quality: int
    data: bytes
    rgb: np.ndarray  # decoded (H, W, 3) uint8

    @property
    def size(self) -> int:
        return len(self.data)


def available(codec: str) -> bool:
    if codec not in FORMATS:
        return False
    if codec == "jxl":
        return _jxl_plugin()
    return codec == "jpeg" or bool(features.check(codec))


def compress(rgb: np.ndarray, codec: str, quality: int) -> ClassicResult:
    """Encode RGB uint8 with Pillow at ``quality`` (0..100) and decode it again."""
    if codec not in FORMATS:
        raise ValueError(f"unknown codec {codec!r}; choose from {', '.join(FORMATS)}")
    if not available(codec):
        raise ValueError(f"this Pillow build cannot write {codec.upper()}")
    buf = io.BytesIO()
    opts: dict[str, object] = {"quality": int(quality)}
    if codec == "jpeg":
        opts["subsampling"] = 2  # 4:2:0, the common setting and the published JPEG curves
    elif codec == "webp":
        opts["method"] = 6
    elif codec == "avif":
        opts["speed"] = 6
    elif codec == "jxl":
        opts["effort"] = 7  # libjxl's default
    Image.fromarray(rgb, "RGB").save(buf, format=FORMATS[codec], **opts)
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as im:
        out = np.asarray(im.convert("RGB"), dtype=np.uint8)
    return ClassicResult(codec, int(quality), data, out)


SEARCH_TRIALS = 7  # binary search over qualities 0..100


def compress_to_size(rgb: np.ndarray, codec: str, target_bytes: int, progress: Progress | None = None) -> ClassicResult:
    """The highest quality whose file is no larger than ``target_bytes`` (or the smallest file).

    Binary search over the quality; file size grows with quality for these encoders. ``progress``
    hears about every trial encode (stage ``comparing``; at most 7) and may cancel between them.
    """
    lo, hi = 0, 100
    best: ClassicResult | None = None
    smallest: ClassicResult | None = None
    trials = 0
    while lo <= hi:
        mid = (lo + hi) // 2
        r = compress(rgb, codec, mid)
        trials += 1
        if progress is not None:
            progress(COMPARING, trials, max(trials, SEARCH_TRIALS))
        if smallest is None or r.size < smallest.size:
            smallest = r
        if r.size <= target_bytes:
            best = r
            lo = mid + 1
        else:
            hi = mid - 1
    return best if best is not None else smallest  # type: ignore[return-value]
