"""What the model thread computes for the window, as plain functions over the codec API (no Qt).

Everything slow lives here so it runs on the model thread: reading files, the codec, metrics,
error maps and their colouring, PNG encoding. The window only puts finished arrays on screen.
Colours come in as a table (the GUI's colour map), so this layer needs no plotting library.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image

from nicgui.app.messages import ClassicOutcome, Heatmap, HeatmapKind, LatentData, Outcome, Source
from nicgui.atomic import atomic_write
from nicgui.codec import classic
from nicgui.codec.api import Analysis, Codec, Compressed, Decoded, PixelRect, ViewCallback
from nicgui.codec.latents import Quantised
from nicgui.codec.metrics import Metrics, OriginalMoments, abs_error_map, measure, ssim_map
from nicgui.codec.pictures import Picture, load_picture
from nicgui.codec.progress import Progress

log = logging.getLogger(__name__)

THUMBNAIL_SIDE = 384
CHECKER = 8  # pixels per square of the transparency checkerboard
ABS_ERROR_LEVELS = (0.0, 32.0)  # fixed, so maps at different qualities compare at a glance
SSIM_LEVELS = (0.0, 1.0)
_BYTES_PER_PIXEL = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}


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


@dataclass
class Evaluation:
    """One quality's codec result and its metrics; error maps are added per kind on demand."""

    quality: int
    data: bytes
    reconstruction: Picture
    quantised: Quantised
    metrics: Metrics
    encode_seconds: float
    decode_seconds: float
    metrics_seconds: float
    latents: LatentData
    heatmaps: dict[HeatmapKind, Heatmap] = field(default_factory=dict)
    shown: np.ndarray | None = None  # what a view shows of the reconstruction (see ``shown_for``)
    classic: dict[tuple[str, HeatmapKind], ClassicOutcome] = field(default_factory=dict)
    # what the window was sent per error-map kind: the same arrays as above, so not counted twice
    outcomes: dict[HeatmapKind, Outcome] = field(default_factory=dict, metadata={"shared": True})


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


def latent_data(codec: Codec, q: Quantised) -> LatentData:
    probs = tuple(codec.distributions(q))
    side = q.side
    return LatentData(
        q.quality,
        q.z,
        q.bits,
        q.channel_bits,
        q.position_bits,
        probs,
        q.stride,
        side.mean if side else None,
        side.scale if side else None,
        side.hyper if side else None,
        q.side_bits,
    )


def colour_table(kind: HeatmapKind, lut: np.ndarray) -> np.ndarray:
    """(256, 3) uint8 colours for a heatmap kind from a dark-to-bright ``lut``: bright means worse."""
    return lut if kind.is_absolute else lut[::-1].copy()


def colourise(values: np.ndarray, levels: tuple[float, float], lut: np.ndarray) -> np.ndarray:
    lo, hi = levels
    idx = np.clip((values - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    return lut[idx]


def heatmap(kind: HeatmapKind, original: np.ndarray, reconstruction: np.ndarray, lut: np.ndarray) -> Heatmap:
    """The error map of a reconstruction and its colour rendering with ``lut`` (dark to bright)."""
    if kind is HeatmapKind.ABS:
        values, levels = abs_error_map(original, reconstruction), ABS_ERROR_LEVELS
    elif kind is HeatmapKind.ABS_AUTO:
        values = abs_error_map(original, reconstruction)
        top = float(np.percentile(values, 99.5)) if values.size else 1.0
        levels = (0.0, max(1.0, round(top, 1)))
    else:
        values, levels = ssim_map(original, reconstruction), SSIM_LEVELS
    values = np.ascontiguousarray(values, dtype=np.float32)
    return Heatmap(kind, values, colourise(values, levels, colour_table(kind, lut)), levels)


def evaluate(
    codec: Codec,
    analysis: Analysis,
    quality: int,
    reference: OriginalMoments | None = None,
    progress: Progress | None = None,
    view: PixelRect | None = None,
    on_view: ViewCallback | None = None,
    on_decoded: Callable[[Compressed], None] | None = None,
) -> Evaluation:
    """Compress at ``quality`` from the cached encoder output, decode, and measure.

    ``reference`` (the original's, see ``LoadedSource.reference``) makes the metrics cheaper;
    ``progress`` hears about every decoder tile and may cancel between them; ``view`` is decoded
    first and handed to ``on_view`` (see ``Codec.synthesise``); ``on_decoded`` gets the whole
    result before the metrics are computed (seconds at 24 MP).
    """
    r = codec.compress(analysis, quality, progress, view, on_view)
    if on_decoded is not None:
        on_decoded(r)
    t0 = time.perf_counter()
    m = measure(reference or analysis.picture.rgb, r.picture.rgb, progress)
    return Evaluation(
        quality,
        r.data,
        r.picture,
        r.quantised,
        m,
        r.encode_seconds,
        r.decode_seconds,
        time.perf_counter() - t0,
        latent_data(codec, r.quantised),
    )


def shown_for(ev: Evaluation) -> np.ndarray:
    """What a view shows of the evaluation's reconstruction, composed once (it may already be
    there: a big picture's whole reconstruction goes on screen before its metrics)."""
    if ev.shown is None:
        ev.shown = shown_pixels(ev.reconstruction)
    return ev.shown


def heatmap_for(ev: Evaluation, original: np.ndarray, kind: HeatmapKind, lut: np.ndarray) -> Heatmap:
    """The evaluation's error map of ``kind``, computed once."""
    if kind not in ev.heatmaps:
        ev.heatmaps[kind] = heatmap(kind, original, ev.reconstruction.rgb, lut)
    return ev.heatmaps[kind]


def compare_classic(
    original: np.ndarray,
    reference: OriginalMoments,
    codec_name: str,
    target_bytes: int,
    kind: HeatmapKind,
    lut: np.ndarray,
    generation: int,
    source_key: str,
    quality: int,
    progress: Progress | None = None,
) -> ClassicOutcome:
    """The classical codec's best picture within ``target_bytes``, with the same metrics and timings.

    ``progress`` hears about every trial encode and every metrics strip, and may cancel between them.
    """
    r = classic.compress_to_size(original, codec_name, target_bytes, progress)
    t0 = time.perf_counter()
    classic.compress(original, codec_name, r.quality)  # one encode + decode at the chosen quality
    t1 = time.perf_counter()
    with Image.open(io.BytesIO(r.data)) as im:  # the decode alone
        im.load()
    t2 = time.perf_counter()
    decode = t2 - t1
    return ClassicOutcome(
        generation,
        source_key,
        quality,
        codec_name,
        r.quality,
        r.size,
        r.rgb,
        measure(reference, r.rgb, progress),
        heatmap(kind, original, r.rgb, lut),
        max(0.0, t1 - t0 - decode),
        decode,
    )


def save(path: Path, payload: bytes | Picture | np.ndarray, overwrite: bool) -> int:
    """Write .nic bytes as they are, or pixels as PNG, atomically; returns the bytes written."""
    if isinstance(payload, bytes):
        data = payload
    else:
        data = (payload if isinstance(payload, Picture) else Picture.from_array(payload)).png_bytes()
    return atomic_write(path, data, overwrite)
