"""One quality's result on one picture: compress, decode, measure, and compare with a classical codec.

Plain functions over the codec API, run on the model thread. An ``Evaluation`` is what the shared
cache keeps per (picture, quality); error maps, the classical comparison and the outcomes sent to
the window are added to it as they are asked for, and ``Evaluation.outcome`` is the one builder of
an ``Outcome``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from nicgui.app.heatmaps import Heatmap, HeatmapKind, heatmap
from nicgui.app.results import ClassicOutcome, LatentData, Outcome
from nicgui.app.source import on_checkerboard, shown_pixels
from nicgui.codec import classic
from nicgui.codec.api import Analysis, Codec, Compressed, PixelRect, ViewCallback
from nicgui.codec.bitstream import read_header
from nicgui.codec.latents import Quantised
from nicgui.codec.metrics import Metrics, OriginalMoments, measure
from nicgui.codec.pictures import Picture
from nicgui.codec.progress import Progress


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

    def outcome(
        self,
        *,
        generation: int,
        source_key: str,
        heatmap: Heatmap,
        analyse_seconds: float,
        device: str,
        raw_bytes: int,
        metrics_seconds: float,
        encoder_reused: bool,
    ) -> Outcome:
        """What the window is sent of this evaluation, with ``heatmap`` as its error map."""
        return Outcome(
            generation=generation,
            source_key=source_key,
            quality=self.quality,
            data=self.data,
            reconstruction=self.reconstruction,
            metrics=self.metrics,
            heatmap=heatmap,
            latents=self.latents,
            analyse_seconds=analyse_seconds,
            encode_seconds=self.encode_seconds,
            decode_seconds=self.decode_seconds,
            device=device,
            raw_bytes=raw_bytes,
            metrics_seconds=metrics_seconds,
            encoder_reused=encoder_reused,
            shown=shown_for(self),
        )


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


def alpha_bytes(nic: bytes) -> int:
    """How many bytes of a .nic file hold the picture's alpha plane (a part of its own; 0 without)."""
    return read_header(nic, None)[2]


def compare_classic(
    original: np.ndarray,
    reference: OriginalMoments,
    codec_name: str,
    nic: bytes,
    kind: HeatmapKind,
    lut: np.ndarray,
    generation: int,
    source_key: str,
    quality: int,
    progress: Progress | None = None,
    alpha: np.ndarray | None = None,
) -> ClassicOutcome:
    """The classical codec's best picture within the size of nicgui's file ``nic``, with the same
    metrics and timings. The codec encodes the RGB ``original`` only, so its budget leaves out the
    bytes of nicgui's alpha plane; its picture is shown over the checkerboard where ``alpha`` (the
    original's) is transparent, as nicgui's is.

    ``progress`` hears about every trial encode and every metrics strip, and may cancel between them.
    """
    alpha_len = alpha_bytes(nic)
    r = classic.compress_to_size(original, codec_name, len(nic) - alpha_len, progress)
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
        alpha_len,
        on_checkerboard(r.rgb, alpha) if alpha is not None else None,
    )
