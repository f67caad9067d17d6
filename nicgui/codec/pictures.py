"""Pictures: pixels plus what a codec must keep besides them (mode, alpha, ICC profile).

Loading applies the EXIF orientation and brings every Pillow mode to one of L, LA, RGB, RGBA
(8 bits per channel); the codec always works on the RGB planes (grey replicated), and the mode
decides what comes back out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from nicgui.errors import PictureError  # noqa: F401  (re-exported: its historical home)

MODES = ("L", "LA", "RGB", "RGBA")
Image.MAX_IMAGE_PIXELS = 2**28  # Pillow's bomb check, raised to the codec's own limit




@dataclass
class Picture:
    rgb: np.ndarray  # (H, W, 3) uint8; for grey pictures the three planes are equal
    mode: str = "RGB"  # one of MODES: what decoding gives back
    alpha: np.ndarray | None = None  # (H, W) uint8 for LA / RGBA
    icc: bytes | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise PictureError(f"unsupported mode {self.mode!r}")
        if self.rgb.dtype != np.uint8 or self.rgb.ndim != 3 or self.rgb.shape[2] != 3:
            raise PictureError("rgb must be a uint8 array of shape (H, W, 3)")
        if (self.alpha is not None) != (self.mode in ("LA", "RGBA")):
            raise PictureError(f"mode {self.mode} and alpha plane disagree")
        if self.alpha is not None and self.alpha.shape != self.rgb.shape[:2]:
            raise PictureError("alpha plane size differs from the image")

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def is_grey(self) -> bool:
        return self.mode in ("L", "LA")

    @classmethod
    def from_array(cls, a: np.ndarray) -> "Picture":
        """From a uint8 array: (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA."""
        a = np.asarray(a)
        if a.dtype != np.uint8:
            raise PictureError(f"expected uint8 pixels, got {a.dtype}")
        if a.ndim == 2:
            return cls(np.repeat(a[:, :, None], 3, 2), "L")
        if a.ndim == 3 and a.shape[2] == 3:
            return cls(np.ascontiguousarray(a), "RGB")
        if a.ndim == 3 and a.shape[2] == 4:
            return cls(np.ascontiguousarray(a[:, :, :3]), "RGBA", np.ascontiguousarray(a[:, :, 3]))
        raise PictureError(f"expected an (H, W), (H, W, 3) or (H, W, 4) array, got shape {a.shape}")

    @classmethod
    def from_pil(cls, im: Image.Image) -> "Picture":
        """From a Pillow image of any mode; applies its EXIF orientation."""
        icc = im.info.get("icc_profile") or None
        im = ImageOps.exif_transpose(im)
        has_alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
            im.mode in ("P", "L", "RGB") and "transparency" in im.info
        )
        grey = im.mode in ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "F")
        if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
            arr = np.asarray(im, dtype=np.float64)
            hi = 65535.0 if arr.max(initial=0) > 255 else 255.0
            im = Image.fromarray(np.clip(arr / hi * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
        if im.mode == "P" and has_alpha:
            im = im.convert("RGBA")
        target = ("LA" if has_alpha else "L") if grey else ("RGBA" if has_alpha else "RGB")
        im = im.convert(target)
        a = np.asarray(im, dtype=np.uint8)
        if target == "L":
            rgb, alpha = np.repeat(a[:, :, None], 3, 2), None
        elif target == "LA":
            rgb, alpha = np.repeat(a[:, :, :1], 3, 2), a[:, :, 1]
        else:
            rgb, alpha = a[:, :, :3], (a[:, :, 3] if target == "RGBA" else None)
        return cls(np.ascontiguousarray(rgb), target, None if alpha is None else np.ascontiguousarray(alpha), icc)

    def to_pil(self) -> Image.Image:
        """A Pillow image in this picture's mode, with its ICC profile attached."""
        if self.is_grey:
            grey = self.rgb.mean(axis=2).round().astype(np.uint8)  # decoded planes differ slightly
            im = Image.fromarray(grey if self.alpha is None else np.dstack([grey, self.alpha]), self.mode)
        elif self.alpha is not None:
            im = Image.fromarray(np.dstack([self.rgb, self.alpha]), "RGBA")
        else:
            im = Image.fromarray(self.rgb, "RGB")
        if self.icc:
            im.info["icc_profile"] = self.icc
        return im

    def save_png(self, target: str | Path | BinaryIO) -> None:
        """Write as PNG (with the ICC profile) to a path or a binary file object."""
        self.to_pil().save(target if hasattr(target, "write") else Path(target), format="PNG", icc_profile=self.icc)


def load_picture(source: str | Path | bytes | Image.Image | np.ndarray) -> Picture:
    """A picture from a path, file bytes, a Pillow image or a uint8 array."""
    if isinstance(source, Picture):
        return source
    if isinstance(source, np.ndarray):
        return Picture.from_array(source)
    if isinstance(source, Image.Image):
        return Picture.from_pil(source)
    try:
        fp = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else Path(source)
        with Image.open(fp) as im:
            im.load()
            return Picture.from_pil(im)
    except FileNotFoundError as e:
        raise PictureError(f"file not found: {source}") from e
    except IsADirectoryError as e:
        raise PictureError(f"is a folder, not an image: {source}") from e
    except (UnidentifiedImageError, Image.DecompressionBombError) as e:
        raise PictureError(f"not a readable image: {e}") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise PictureError(f"cannot read image: {e}") from e
