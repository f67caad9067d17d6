"""What the model thread sends back: immutable dataclasses, no Qt.

Results of a view carry the generation of the request they answer; the session passes on only
those of the newest generation. Failures and progress name their stage with an enum, so the window
tells them apart without comparing strings of its own. A batch's summary is ``batch.BatchSummary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from nicgui.app.heatmaps import Heatmap
from nicgui.app.source import Source
from nicgui.codec import classic, progress
from nicgui.codec.bitstream import NicHeader
from nicgui.codec.metrics import Metrics
from nicgui.codec.pictures import Picture
from nicgui.codec.rate import bits_per_pixel


class Stage(StrEnum):
    """What was being done when something failed."""

    MODEL = "model"  # loading a model
    LOAD = "load"  # reading a picture or .nic file
    COMPRESS = "compress"  # compressing, decoding or measuring it
    COMPARE = "compare"  # the classical codec beside it
    SAVE = "save"
    BATCH = "batch"
    DEVICE = "device"  # moving the model to another device or arithmetic


class WorkStage(StrEnum):
    """Which part of a view's work is in progress (the codec's stages, ``nicgui.codec.progress``)."""

    ENCODING = progress.ENCODING
    DECODING = progress.DECODING
    MEASURING = progress.MEASURING
    COMPARING = progress.COMPARING


def classic_name(codec: str) -> str:
    """A classical codec as people write it ('JPEG XL'); an unknown one in capitals."""
    return classic.NAMES.get(codec, codec.upper())


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
class NicStats:
    """What a decoded .nic file shows: its header, size, timing and latents."""

    header: NicHeader
    size: int
    decode_seconds: float
    latents: LatentData

    @property
    def bpp(self) -> float:
        return bits_per_pixel(self.size, self.header.width, self.header.height)


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
    """One quality's result for the current source, with everything the readouts show
    (built by ``Evaluation.outcome``)."""

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
    # bytes of nicgui's file that hold the picture's alpha plane: the classical codec encodes RGB
    # only, so its budget is nicgui's size without them (like with like)
    alpha_bytes: int = 0
    # what the view shows: its RGB over the checkerboard where the original is transparent, as
    # nicgui's view is (None: the rgb); an array of its own, counted in the cache's bytes
    shown: np.ndarray | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{classic_name(self.codec)} q{self.codec_quality}"

    @property
    def pixels(self) -> np.ndarray:
        """The pixels a view shows of the classical codec's picture."""
        return self.rgb if self.shown is None else self.shown

    @property
    def budget_text(self) -> str:
        """What the classical codec's size was held to, as the view's title says it."""
        return "nicgui's size without its alpha, or less" if self.alpha_bytes else "nicgui's size or less"

    @property
    def bpp(self) -> float:
        return bits_per_pixel(self.size, self.rgb.shape[1], self.rgb.shape[0])


@dataclass(frozen=True)
class WorkProgress:
    """How far the work for a view has got (sent a few times a second during long work)."""

    generation: int
    stage: WorkStage
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

    stage: Stage
    message: str
    generation: int | None = None
    job: int | None = None


@dataclass(frozen=True)
class BatchProgress:
    job: int
    done: int
    total: int
    name: str
