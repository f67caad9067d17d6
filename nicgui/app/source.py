"""The pictures the app shows: where one comes from (``Source``), and what reading it gives (``LoadedSource``).

A source is an image or .nic file, or pixels pasted from the clipboard. Reading it (on the model
thread) gives its picture, a thumbnail and, for a .nic file, the decoded result; what a view shows
of a transparent picture is composed over a checkerboard here too, once per picture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image

from nicgui.codec.api import Analysis, Codec, Decoded
from nicgui.codec.bitstream import NIC_SUFFIX
from nicgui.codec.metrics import OriginalMoments
from nicgui.codec.pictures import Picture, load_picture

THUMBNAIL_SIDE = 384
CHECKER = 8  # pixels per square of the transparency checkerboard
_BYTES_PER_PIXEL = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}


@dataclass(frozen=True)
class Source:
    """An image to show: an image or .nic file, or pixels pasted from the clipboard."""

    key: str  # identifies the content for caches; changes when the file changes
    name: str
    path: Path | None = None
    pixels: np.ndarray | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_path(cls, path: Path) -> Source:
        path = Path(path)
        try:
            st = path.stat()
            key = f"{path.resolve()}|{st.st_mtime_ns}|{st.st_size}"
        except OSError:
            key = str(path)
        return cls(key, path.name, path)

    @classmethod
    def from_pixels(cls, name: str, pixels: np.ndarray, serial: int) -> Source:
        return cls(f"pixels:{serial}", name, None, pixels)

    @property
    def is_nic(self) -> bool:
        return self.path is not None and self.path.suffix.lower() == NIC_SUFFIX


@dataclass
class LoadedSource:
    """A source read from disk or memory; ``decoded`` is set for .nic files."""

    picture: Picture
    file_bytes: int | None
    thumbnail: np.ndarray
    decoded: Decoded | None = None
    analysis: Analysis | None = None  # the encoder's output, filled on first use
    png_bytes: int | None = None
    decoder: Codec | None = None  # the codec that decoded a .nic file

    @cached_property
    def reference(self) -> OriginalMoments:
        """The original's share of SSIM / MS-SSIM, computed on first use and kept for every quality."""
        return OriginalMoments(self.picture.rgb)

    @cached_property
    def shown(self) -> np.ndarray:
        """What a view shows of the picture (over the checkerboard where transparent), made once."""
        return shown_pixels(self.picture)


def load_source(codec: Codec, source: Source, reader: Callable[[bytes], Codec] | None = None) -> LoadedSource:
    """Read an image or decode a .nic file (raises PictureError, NicFormatError, OSError).

    ``reader`` picks the codec for a .nic file (the model that wrote it); default: ``codec``.
    """
    if source.pixels is not None:
        picture = load_picture(source.pixels)
        return LoadedSource(picture, None, thumbnail(picture.rgb))
    assert source.path is not None
    if source.is_nic:
        data = source.path.read_bytes()
        decoder = reader(data) if reader is not None else codec
        decoded = decoder.decode_full(data)
        return LoadedSource(decoded.picture, len(data), thumbnail(decoded.picture.rgb), decoded, decoder=decoder)
    picture = load_picture(source.path)
    return LoadedSource(picture, source.path.stat().st_size, thumbnail(picture.rgb))


def thumbnail(rgb: np.ndarray, side: int = THUMBNAIL_SIDE) -> np.ndarray:
    """A small copy (longest side at most ``side``) for overlays that need no full resolution."""
    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    if scale >= 1:
        return rgb
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))


def on_checkerboard(rgb: np.ndarray, alpha: np.ndarray | None, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """What a view shows: ``rgb`` over a grey checkerboard where ``alpha`` makes it transparent
    (``rgb`` itself when there is no alpha). ``origin`` (x, y): where ``rgb`` lies in the picture,
    so that parts line up with the whole. Done on the model thread: it costs ~1 s at 24 MP."""
    if alpha is None:
        return rgb
    h, w = alpha.shape
    yy, xx = np.ogrid[origin[1] : origin[1] + h, origin[0] : origin[0] + w]
    board = np.where(((yy // CHECKER) + (xx // CHECKER)) % 2 == 0, 204, 153).astype(np.float32)
    a = alpha.astype(np.float32)[:, :, None] / 255.0
    out = rgb.astype(np.float32) * a + board[:, :, None] * (1.0 - a)
    return np.round(out).astype(np.uint8)


def shown_pixels(picture: Picture) -> np.ndarray:
    """What a view shows of a picture: its RGB, over the checkerboard where it is transparent."""
    return on_checkerboard(picture.rgb, picture.alpha)


def raw_bytes(picture: Picture) -> int:
    """Size of the uncompressed pixels: width x height x channels of the picture's mode."""
    return picture.width * picture.height * _BYTES_PER_PIXEL[picture.mode]


def png_bytes(picture: Picture) -> int:
    """Size of the picture as a PNG (Pillow's default compression), for the ratio readout."""
    return len(picture.png_bytes())
