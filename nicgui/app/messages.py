"""What the session asks the model thread for, and what comes back: immutable dataclasses, no Qt.

View requests carry a generation number. The session advances the generation with every new view
request, so the model thread can skip (or stop between tiles) requests that were overtaken and the
session can drop results that arrive for an old generation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from nicgui.app.batch import BatchTotals
from nicgui.codec import classic
from nicgui.codec.bitstream import NicHeader
from nicgui.codec.metrics import Metrics, bits_per_pixel
from nicgui.codec.pictures import Picture

NIC_SUFFIX = ".nic"
CLASSIC_CODECS = ("jpeg", "webp", "avif", "jxl")


class HeatmapKind(StrEnum):
    """What the error view shows."""

    ABS = "abs"  # mean absolute error over the channels, on a fixed 0..32 scale (compares across qualities)
    SSIM = "ssim"  # local SSIM, 1 = identical
    ABS_AUTO = "abs-auto"  # absolute error scaled to this picture's errors (small errors stay visible)

    @property
    def label(self) -> str:
        return {"abs": "Absolute error", "abs-auto": "Absolute error (auto range)", "ssim": "SSIM map"}[self.value]

    @property
    def is_absolute(self) -> bool:
        return self in (HeatmapKind.ABS, HeatmapKind.ABS_AUTO)


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


# -- requests ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ViewRequest:
    """Show ``source`` at ``quality``: load it if ``load``, then compress, measure and compare."""

    generation: int
    source: Source
    quality: int
    heatmap: HeatmapKind
    compare: str | None = None  # one of CLASSIC_CODECS
    load: bool = False  # the window does not show this source yet: send it a Loaded first
    view: tuple[int, int, int, int] | None = None  # (x0, y0, x1, y1): the part on screen, decoded first


@dataclass(frozen=True)
class SaveRequest:
    """Write ``payload`` (.nic bytes, or pixels to store as PNG) atomically to ``path``."""

    job: int
    path: Path
    payload: bytes | Picture | np.ndarray
    overwrite: bool = False


@dataclass(frozen=True)
class BatchRequest:
    """Compress ``files`` to .nic at ``quality`` into ``out_dir`` (None: next to each file)."""

    job: int
    files: tuple[Path, ...]
    out_dir: Path | None
    quality: int
    overwrite: bool
    cancel: threading.Event = field(compare=False)


@dataclass(frozen=True)
class WorkProgress:
    """How far the work for a view has got (sent a few times a second during long work)."""

    generation: int
    stage: str  # encoding, decoding, measuring, comparing (nicgui.codec.progress)
    done: int
    total: int
    seconds_left: float | None  # estimate for this stage, once a tile has been timed

    def describe(self) -> str:
        unit = {"measuring": "strip", "comparing": "try"}.get(self.stage, "tile")
        text = f"{self.stage.capitalize()}: {unit} {self.done} of {self.total}"
        if self.seconds_left is not None and self.seconds_left >= 1:
            text += f" · about {self.seconds_left:.0f} s left"
        return text


@dataclass(frozen=True)
class DeviceRequest:
    device: str


@dataclass(frozen=True)
class PrecisionRequest:
    """Run the networks in another arithmetic: auto, float32 or bfloat16 (``codec/precision.py``)."""

    precision: str


@dataclass(frozen=True)
class ModelRequest:
    """Switch to another installed model (by name, e.g. ``default`` or ``theis-cae-s``)."""

    model: str


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelReady:
    identity: str  # e.g. "theis-cae-s (4b2af98ba60f)"
    device: str
    channels: int
    family: str = "theis-cae"
    model: str = "default"  # the installed name it was loaded by
    precision: str = "float32"  # the networks' arithmetic (codec/precision.py)


@dataclass(frozen=True)
class LatentData:
    """Integer latents at one quality and where their bits go, for the latent inspector."""

    quality: int
    z: np.ndarray  # (M, h, w) int32
    bits: np.ndarray  # (M, h, w) float32
    channel_bits: np.ndarray  # (M,)
    position_bits: np.ndarray  # (h, w): one value per stride x stride pixel block
    probabilities: tuple[tuple[np.ndarray, np.ndarray], ...]  # per channel: (values, model probability)
    stride: int = 8  # pixels per latent position, per side
    # a hyperprior's side information: what it predicted for each element, and the hyper-latent
    mean: np.ndarray | None = None  # (M, h, w)
    scale: np.ndarray | None = None  # (M, h, w)
    hyper: np.ndarray | None = None  # (N, hz, wz)
    side_bits: float = 0.0

    @property
    def channels(self) -> int:
        return int(self.z.shape[0])


@dataclass(frozen=True)
class Heatmap:
    """A per-pixel error map and its colour rendering (computed on the worker)."""

    kind: HeatmapKind
    values: np.ndarray  # (H, W) float32
    rgb: np.ndarray  # (H, W, 3) uint8, values through the colour map
    levels: tuple[float, float]  # the values at the two ends of the colour map


@dataclass(frozen=True)
class NicStats:
    """What a decoded .nic file shows: its header, size, timing and latents."""

    header: NicHeader
    size: int
    decode_seconds: float
    latents: LatentData


@dataclass(frozen=True)
class Loaded:
    """A source was read: its pixels for the original view (or the decoded .nic)."""

    generation: int
    source: Source
    picture: Picture
    thumbnail: np.ndarray  # (h, w, 3) uint8, at most a few hundred pixels a side
    file_bytes: int | None
    raw_bytes: int
    nic: NicStats | None = None
    device: str = "cpu"
    # what the view shows (over a checkerboard where transparent), made on the model thread; None: picture.rgb
    shown: np.ndarray | None = field(default=None, repr=False, metadata={"shared": True})

    @property
    def pixels(self) -> np.ndarray:
        """The pixels a view shows of the picture."""
        return self.picture.rgb if self.shown is None else self.shown


@dataclass(frozen=True)
class Outcome:
    """One quality's result for the current source, with everything the readouts show."""

    generation: int
    source_key: str
    quality: int
    data: bytes  # the .nic file
    reconstruction: Picture
    metrics: Metrics
    heatmap: Heatmap
    latents: LatentData
    analyse_seconds: float  # encoder network (once per picture)
    encode_seconds: float  # quantise + entropy coding + container
    decode_seconds: float  # decoder network
    device: str
    raw_bytes: int
    metrics_seconds: float = 0.0  # metrics and error map, for the latency breakdown
    encoder_reused: bool = False  # the encoder network did not run for this result (its output was kept)
    # what the view shows (over a checkerboard where transparent), made on the model thread; None: the rgb
    shown: np.ndarray | None = field(default=None, repr=False, metadata={"shared": True})

    @property
    def pixels(self) -> np.ndarray:
        """The pixels a view shows of the reconstruction."""
        return self.reconstruction.rgb if self.shown is None else self.shown

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def bpp(self) -> float:
        return bits_per_pixel(len(self.data), self.reconstruction.width, self.reconstruction.height)


@dataclass(frozen=True)
class Preview:
    """The part of the reconstruction on screen, decoded ahead of the rest (big pictures)."""

    generation: int
    source_key: str
    quality: int
    rect: tuple[int, int, int, int]  # (x0, y0, x1, y1) in picture pixels
    rgb: np.ndarray  # (y1 - y0, x1 - x0, 3) uint8
    seconds: float  # from the start of this quality's work to these pixels


@dataclass(frozen=True)
class ClassicOutcome:
    """A classical codec at (at most) the size of the current .nic, measured the same way."""

    generation: int
    source_key: str
    quality: int  # the nicgui quality it is compared with
    codec: str
    codec_quality: int
    size: int
    rgb: np.ndarray
    metrics: Metrics
    heatmap: Heatmap
    encode_seconds: float
    decode_seconds: float

    @property
    def label(self) -> str:
        return f"{classic.NAMES.get(self.codec, self.codec.upper())} q{self.codec_quality}"

    @property
    def bpp(self) -> float:
        return 8.0 * self.size / float(self.rgb.shape[0] * self.rgb.shape[1])


@dataclass(frozen=True)
class SourceStats:
    """Figures about a source that come after its first result (a PNG encode takes a while)."""

    source_key: str
    png_bytes: int


@dataclass(frozen=True)
class Finished:
    """The model thread is done with a view generation: answered, failed, overtaken or cancelled."""

    generation: int


@dataclass(frozen=True)
class Saved:
    job: int
    path: Path
    size: int


@dataclass(frozen=True)
class Failure:
    """Something the user asked for failed; ``message`` is one readable line."""

    stage: str  # model, load, compress, compare, save, batch, device
    message: str
    generation: int | None = None
    job: int | None = None


@dataclass(frozen=True)
class BatchProgress:
    job: int
    done: int
    total: int
    name: str


@dataclass(frozen=True)
class BatchSummary:
    job: int
    total: int
    compressed: int
    skipped: int  # the .nic existed and overwriting was not allowed
    failed: int
    bytes_before: int
    bytes_after: int
    cancelled: bool
    errors: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for the dialog, e.g. '3 of 4 files compressed, 1 skipped: 1.20 MB → 95.0 kB'."""
        totals = BatchTotals(
            self.total, self.compressed, self.skipped, self.failed, self.bytes_before, self.bytes_after,
            list(self.errors), self.cancelled,
        )  # fmt: skip
        return totals.describe()
