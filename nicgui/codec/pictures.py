"""Pictures: pixels plus what a codec must keep besides them (mode, alpha, ICC profile).

Loading applies the EXIF orientation and brings every Pillow mode to one of L, LA, RGB, RGBA
(8 bits per channel) by the image's declared depth; the codec always works on the RGB planes (grey
replicated), and the mode decides what comes back out. An ICC profile is kept only where it
describes the colour space of the result (a CMYK image is converted through its profile).

The size is checked from the file's header, before any pixel is decoded, against a pixel budget
the caller may raise; Pillow's process-wide settings are never changed.
"""

from __future__ import annotations

import io
import logging
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from nicgui.codec.bitstream import DEFAULT_PIXEL_BUDGET, MAX_PIXELS, MAX_SIDE
from nicgui.errors import PictureError  # noqa: F401  (re-exported: its historical home)

log = logging.getLogger(__name__)

MODES = ("L", "LA", "RGB", "RGBA")
# what Pillow raises on malformed files besides OSError (seen in fuzzing: struct.error in EXIF and
# TIFF tags, TypeError, IndexError, ...): all of them are bad input, not bugs
_PILLOW_FAILURES = (
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    TypeError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    EOFError,
    AttributeError,
)
_DEPTH = {"I;16": 65535.0, "I;16B": 65535.0, "I;16L": 65535.0, "I;16N": 65535.0}


def _colour_space(icc: bytes) -> str | None:
    """'RGB', 'GRAY', 'CMYK', 'LAB', ... of an ICC profile, or None if it cannot be read."""
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.xcolor_space.strip().upper()
    except Exception:  # any damage in a profile only means the profile is dropped
        return None


def _cmyk_to_rgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """A CMYK image in sRGB, through its own profile when it has a usable one."""
    if icc and _colour_space(icc) == "CMYK":
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if out is not None:
                return out
        except Exception as e:  # fall back to Pillow's naive conversion
            log.warning("cannot convert through the image's CMYK profile (%s); converting naively", e)
    return im.convert("RGB")


def _to_8bit_grey(im: Image.Image) -> Image.Image:
    """A 16-bit, 32-bit or float grey image as 8-bit grey, scaled by its declared depth.

    16-bit modes span 0..65535 whatever values occur; 32-bit integers likewise unless they go
    beyond 16 bits; floats are taken as 0..1 (the usual convention), or 0..255 if they exceed 1.
    """
    arr = np.asarray(im, dtype=np.float64)
    if im.mode in _DEPTH or (im.mode == "I" and im.format == "PNG"):
        top = 65535.0
    elif im.mode == "I":
        top = 65535.0 if arr.max(initial=0) <= 65535 else 4294967295.0
    else:  # F
        top = 1.0 if arr.max(initial=0) <= 1.0 else 255.0
    return Image.fromarray(np.clip(np.nan_to_num(arr) / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")


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
    def from_array(cls, a: np.ndarray) -> Picture:
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
    def from_pil(cls, im: Image.Image) -> Picture:
        """From a Pillow image of any mode; applies its EXIF orientation."""
        icc = im.info.get("icc_profile") or None
        fmt = im.format
        im = ImageOps.exif_transpose(im)
        im.format = fmt
        has_alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
            im.mode in ("P", "L", "RGB") and "transparency" in im.info
        )
        grey = im.mode in ("1", "L", "LA", "La", "I", "F", *_DEPTH)
        if im.mode in ("I", "F", *_DEPTH):
            im = _to_8bit_grey(im)
        if im.mode == "CMYK":
            im = _cmyk_to_rgb(im, icc)
            icc = None  # now sRGB
        if im.mode == "P" and has_alpha:
            im = im.convert("RGBA")
        target = ("LA" if has_alpha else "L") if grey else ("RGBA" if has_alpha else "RGB")
        im = im.convert(target)
        if icc is not None and _colour_space(icc) != ("GRAY" if grey else "RGB"):
            log.info("dropping an ICC profile that does not describe %s pixels", "grey" if grey else "RGB")
            icc = None
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

    def png_bytes(self) -> bytes:
        """The picture as a PNG file (Pillow's default compression, ICC profile kept)."""
        buf = io.BytesIO()
        self.save_png(buf)
        return buf.getvalue()


ImageSource = str | Path | bytes | bytearray | Image.Image | np.ndarray | Picture
"""Anything ``load_picture`` reads: a path, file bytes, a Pillow image, a uint8 array, a Picture."""


def check_size(width: int, height: int, max_pixels: int | None = DEFAULT_PIXEL_BUDGET) -> None:
    """Raise PictureError if a picture is too large to encode (``max_pixels``: the caller's budget,
    None for the format's own limit of 2**27 pixels)."""
    limit = MAX_PIXELS if max_pixels is None else min(max_pixels, MAX_PIXELS)
    if width > MAX_SIDE or height > MAX_SIDE or width * height > limit:
        raise PictureError(
            f"image of {width}x{height} = {width * height} pixels is over the limit of {limit} pixels "
            f"and {MAX_SIDE} per side"
        )


def load_picture(source: ImageSource, max_pixels: int | None = DEFAULT_PIXEL_BUDGET) -> Picture:
    """A picture from a path, file bytes, a Pillow image or a uint8 array.

    Files are checked against ``max_pixels`` from their header, before any pixel is decoded.
    """
    if isinstance(source, Picture):
        check_size(source.width, source.height, max_pixels)
        return source
    if isinstance(source, np.ndarray):
        if source.ndim in (2, 3):
            check_size(source.shape[1], source.shape[0], max_pixels)
        return Picture.from_array(source)
    if isinstance(source, Image.Image):
        check_size(*source.size, max_pixels)
        return _from_pil(source)
    if not isinstance(source, (bytes, bytearray, str, Path)):
        raise PictureError(f"cannot read a picture from {type(source).__name__}")
    try:
        fp = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else Path(source)
        with warnings.catch_warnings():  # our own budget decides, below, not Pillow's warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(fp)
        with im:
            check_size(*im.size, max_pixels)
            frames = getattr(im, "n_frames", 1)
            if frames > 1:
                log.warning("%s has %d frames; only the first is encoded", _name(source), frames)
            im.load()
            return _from_pil(im)
    except FileNotFoundError as e:
        raise PictureError(f"file not found: {_path_text(source)}") from e
    except IsADirectoryError as e:
        raise PictureError(f"is a folder, not an image: {_path_text(source)}") from e
    except PermissionError as e:
        raise PictureError(f"cannot read {_path_text(source)}: permission denied") from e
    except Image.DecompressionBombError as e:  # Pillow refuses even to open (over twice its limit)
        raise PictureError(f"image is over the size limit: {e}") from e
    except UnidentifiedImageError as e:
        raise PictureError(f"not a readable image: {e}") from e
    except _PILLOW_FAILURES as e:
        raise PictureError(f"cannot read image: {e or type(e).__name__}") from e


def _path_text(source: object) -> str:
    return str(source) if isinstance(source, (str, Path)) else "the image data"


def _name(source: object) -> str:
    return Path(source).name if isinstance(source, (str, Path)) else "the image"


def _from_pil(im: Image.Image) -> Picture:
    try:
        return Picture.from_pil(im)
    except PictureError:
        raise
    except _PILLOW_FAILURES as e:  # damaged EXIF or pixel data surfaces only now
        raise PictureError(f"cannot read image: {e or type(e).__name__}") from e
