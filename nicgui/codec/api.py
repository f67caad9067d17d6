"""The codec's public surface: load a model, analyse, quantise, encode, decode.

Everything else (CLI, GUI, training evaluation, Pillow plugin) goes through ``Codec``. The
expensive step, running the encoder network, happens once per picture in ``analyse``; a quality
change only re-quantises, entropy-codes and runs the decoder (``compress``).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

from nicgui.codec.bitstream import (
    DEFAULT_PIXEL_BUDGET,
    VERSION,
    NicFile,
    NicHeader,
    read_header,
    read_nic,
    write_nic,
)
from nicgui.codec.effort import SearchOptions, StepCallback
from nicgui.codec.latents import Quantised
from nicgui.codec.metrics import bits_per_pixel
from nicgui.codec.models import CodecModel, TileRange
from nicgui.codec.pictures import ImageSource, Picture, load_picture
from nicgui.codec.precision import Precision, use_bfloat16
from nicgui.codec.progress import DECODING, ENCODING, Progress
from nicgui.codec.refine import SearchResult, search
from nicgui.codec.tiling import run_tiled, tile_ranges
from nicgui.codec.weights import LoadedWeights, ModelIdentity, find_weights, find_weights_for, load_weights
from nicgui.errors import CodingError, NicFormatError, NicguiError, WeightsError

log = logging.getLogger(__name__)

ENCODER_TILE = 1024  # pixels
# Work that may be cancelled (a progress callback is given) runs in smaller encoder tiles: a tile
# is what must finish before work stops (0.6 s -> 0.35 s at 1024 -> 768 on 2 cores), for ~6 % more
# encoder time in the overlapping margins.
CANCELLABLE_ENCODER_TILE = 768

PixelRect = tuple[int, int, int, int]  # (x0, y0, x1, y1) in picture pixels, stops exclusive
ViewCallback = Callable[[np.ndarray, PixelRect], None]  # the pixels on screen, decoded first, and where


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress(stage, done, total)

    return report


def check_quality(quality: int) -> int:
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or not 1 <= quality <= 100:
        raise ValueError(f"quality must be an integer from 1 to 100, got {quality!r}")
    return int(quality)


@dataclass
class Analysis:
    """A picture and its unquantised latents y, (M, h, w) float32 on the CPU."""

    picture: Picture
    y: np.ndarray
    seconds: float


@dataclass
class Compressed:
    """One quality's result: the .nic bytes, its latents and the decoded picture."""

    data: bytes
    quantised: Quantised
    picture: Picture
    encode_seconds: float  # entropy coding + container (the network ran in analyse)
    decode_seconds: float  # decoder network

    @property
    def bpp(self) -> float:
        return bits_per_pixel(len(self.data), self.picture.width, self.picture.height)


@dataclass
class Decoded:
    """A decoded .nic file: header, integer latents and the picture."""

    header: NicHeader
    quantised: Quantised
    picture: Picture
    size: int
    seconds: float = field(default=0.0)


class Codec:
    """One loaded model (of any family) on one device."""

    def __init__(
        self, weights: LoadedWeights, device: str | torch.device = "cpu", precision: Precision | str | None = None
    ) -> None:
        self.weights = weights
        self.device = resolve_device(device)
        # the transforms' arithmetic (None: $NICGUI_PRECISION, else bfloat16 where the CPU has it)
        self.requested_precision = precision
        self.precision = Precision.BFLOAT16 if use_bfloat16(precision, self.device) else Precision.FLOAT32
        self.model: CodecModel = weights.model.to(self.device).eval()
        if self.device.type == "cpu":
            # oneDNN's convolutions run 10-15 % faster on channels-last weights (same results to 1e-5)
            self.model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def _on_device_layout(
        self, fn: Callable[[torch.Tensor, bool], torch.Tensor]
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """A transform ``fn`` in this codec's precision, on tiles in the memory layout the weights
        use (channels last on the CPU: the hyperprior's analysis 0.45 -> 0.35 s on Kodak, its GDN
        layers take a faster path)."""
        bf16 = self.precision is Precision.BFLOAT16
        if self.device.type != "cpu":
            return lambda t: fn(t, bf16)
        return lambda t: fn(t.contiguous(memory_format=torch.channels_last), bf16)

    @property
    def identity(self) -> ModelIdentity:
        return self.weights.identity

    @property
    def family(self) -> str:
        return self.model.family

    @property
    def stride(self) -> int:
        """Pixels per latent position, per side."""
        return self.model.stride

    @property
    def channels(self) -> int:
        return self.model.latent_channels

    def to(self, device: str | torch.device, precision: Precision | str | None = None) -> Codec:
        """The same model on another device; the precision asked for this one unless one is named.

        On another device the new codec has a copy of the networks: moving the one module would
        move this codec's too (``benchmarks/cross_device.py check --also cpu`` on a GPU failed so)."""
        weights = self.weights
        if resolve_device(device) != self.device:
            weights = dataclasses.replace(weights, model=copy.deepcopy(weights.model))
        return Codec(weights, device, self.requested_precision if precision is None else precision)

    # -- the pipeline, step by step -------------------------------------------------------
    @torch.inference_mode()
    def analyse(self, image: ImageSource, progress: Progress | None = None) -> Analysis:
        """Run the encoder network (in tiles) on a picture, path, array or Pillow image.

        ``progress`` hears about every tile and may raise ``Cancelled`` between tiles."""
        t0 = time.perf_counter()
        pic = load_picture(image)
        h, w, s = pic.height, pic.width, self.stride
        ph, pw = -h % s, -w % s
        a = np.pad(pic.rgb, ((0, ph), (0, pw), (0, 0)), mode="edge") if ph or pw else pic.rgb
        x = torch.from_numpy(np.require(a, requirements=("C", "W"))).permute(2, 0, 1)[None].float()
        y = run_tiled(
            self._on_device_layout(self.model.analysis),
            x,
            ENCODER_TILE if progress is None else min(ENCODER_TILE, CANCELLABLE_ENCODER_TILE),
            self.model.encoder_margin,
            Fraction(1, s),
            self.channels,
            self.device,
            progress=_stage(progress, ENCODING),
        )
        return Analysis(pic, y[0].numpy(), time.perf_counter() - t0)

    def quantise(self, analysis: Analysis, quality: int) -> Quantised:
        """The integer symbols for ``quality`` and their cost (the CAE: no network; the
        hyperprior: its small hyper networks)."""
        return self.model.quantise(analysis.y, check_quality(quality))

    @torch.inference_mode()
    def synthesise(
        self,
        q: Quantised,
        width: int,
        height: int,
        progress: Progress | None = None,
        view: PixelRect | None = None,
        on_view: ViewCallback | None = None,
    ) -> np.ndarray:
        """Decoder network (in tiles) on quantised latents -> (height, width, 3) uint8.

        With ``view`` (x0, y0, x1, y1 in pixels) the part of the picture on screen is decoded
        first and handed to ``on_view(pixels, rect)`` (rect: the view widened to whole latents,
        within the picture); the result is the same with or without it.
        """
        y = torch.from_numpy(self.model.dequantise(q))[None]
        m = self.model
        s = m.stride
        first = None
        report_view = None
        if view is not None and on_view is not None:
            x0, y0, x1, y1 = view
            first = (max(0, y0) // s, -(-min(height, y1) // s), max(0, x0) // s, -(-min(width, x1) // s))
            rect = (first[2] * s, first[0] * s, min(width, first[3] * s), min(height, first[1] * s))

            def report_view(out: torch.Tensor) -> None:  # run_tiled calls it only for a non-empty region
                part = out[0, :, rect[1] : rect[3], rect[0] : rect[2]]
                on_view(part.round().clamp(0, 255).byte().permute(1, 2, 0).numpy().copy(), rect)

        x = run_tiled(
            self._on_device_layout(m.synthesis), y, m.decoder_tile, m.decoder_margin, Fraction(s), 3, self.device,
            progress=_stage(progress, DECODING), first=first, on_first=report_view,
        )  # fmt: skip
        return x[0, :, :height, :width].round().byte().permute(1, 2, 0).numpy().copy()

    def _tiles(self, header: NicHeader) -> list[TileRange]:
        lh, lw = header.latent_shape
        return [
            TileRange(y0, y1, x0, x1)
            for y0, y1 in tile_ranges(lh, header.tile)
            for x0, x1 in tile_ranges(lw, header.tile)
        ]

    def write(self, picture: Picture, q: Quantised) -> bytes:
        """Entropy-code latents tile by tile and wrap them in the .nic container."""
        header = NicHeader(
            picture.width,
            picture.height,
            picture.mode,
            q.quality,
            self.identity.name,
            self.identity.digest,
            self.channels,
            self.model.coding_tile,
            self.family,
            VERSION,
        )
        payloads = [self.model.encode_tile(q, tile, marker=True) for tile in self._tiles(header)]
        alpha = picture.alpha.tobytes() if picture.alpha is not None else None
        return write_nic(NicFile(header, payloads, picture.icc, alpha))

    def check_header(self, header: NicHeader) -> None:
        """Raise NicFormatError unless this model wrote the file."""
        if header.model_name != self.identity.name or header.model_digest != self.identity.digest:
            raise NicFormatError(
                f"this file was made with model {header.model_name} ({header.model_digest.hex()[:12]}), "
                f"but the loaded model is {self.identity}; open it with the weights that made it"
            )
        if header.family != self.family or header.channels != self.channels:
            raise NicFormatError(
                f"file is a {header.family} file with {header.channels} latent channels, "
                f"the model a {self.family} with {self.channels}"
            )

    def read(self, data: bytes, max_pixels: int | None = DEFAULT_PIXEL_BUDGET) -> tuple[NicFile, Quantised]:
        """Validate a .nic file and decode its integer latents (no big network).

        ``max_pixels``: larger images are refused before any work (None: the format's limit).
        """
        nic = read_nic(data, max_pixels)
        h = nic.header
        self.check_header(h)
        try:
            q = self.model.decode_tiles(h.quality, h.latent_shape, self._tiles(h), nic.payloads, h.version >= 2)
        except CodingError as e:
            raise NicFormatError(str(e)) from e
        return nic, q

    def _picture(self, rgb: np.ndarray, mode: str, alpha: np.ndarray | None, icc: bytes | None) -> Picture:
        if mode in ("L", "LA"):
            rgb = np.repeat(rgb.mean(axis=2).round().astype(np.uint8)[:, :, None], 3, 2)
        return Picture(rgb, mode, alpha, icc)

    # -- one-call operations -----------------------------------------------------------------
    def compress(
        self,
        analysis: Analysis,
        quality: int,
        progress: Progress | None = None,
        view: PixelRect | None = None,
        on_view: ViewCallback | None = None,
        options: SearchOptions | None = None,
        on_step: StepCallback | None = None,
    ) -> Compressed:
        """Quantise (or, with ``options`` above effort 0, search: ``search``), decode and write at
        one quality, reusing the analysed latents.

        The decoder runs before the entropy coder so that ``on_view`` (see ``synthesise``) hears
        about the part on screen as early as possible.
        """
        t0 = time.perf_counter()
        if options is not None and options.active:
            q = self.search(analysis, quality, options, on_step).quantised
        else:
            q = self.quantise(analysis, quality)
        return self.complete(analysis, q, progress, view, on_view, time.perf_counter() - t0)

    def complete(
        self,
        analysis: Analysis,
        q: Quantised,
        progress: Progress | None = None,
        view: PixelRect | None = None,
        on_view: ViewCallback | None = None,
        quantise_seconds: float = 0.0,
    ) -> Compressed:
        """Decode and write latents already quantised (or searched) for this picture."""
        t1 = time.perf_counter()
        pic = analysis.picture
        rgb = self.synthesise(q, pic.width, pic.height, progress, view, on_view)
        t2 = time.perf_counter()
        data = self.write(analysis.picture, q)
        out = self._picture(rgb, pic.mode, pic.alpha, pic.icc)
        return Compressed(data, q, out, quantise_seconds + (time.perf_counter() - t2), t2 - t1)

    def search(
        self, analysis: Analysis, quality: int, options: SearchOptions, on_step: StepCallback | None = None
    ) -> SearchResult:
        """Better integers for this picture than the one-pass encoder's (``codec/refine.py``):
        the same decoder reads them. ``on_step`` hears about every iteration and may raise
        ``Cancelled`` there; nothing half-done is kept."""
        pic = analysis.picture
        return search(
            self.model, analysis.y, pic.rgb, check_quality(quality), options,
            bf16=self.precision is Precision.BFLOAT16,
            synthesise=lambda q: self.synthesise(q, pic.width, pic.height),
            on_step=on_step,
        )  # fmt: skip

    def encode(
        self,
        image: ImageSource,
        quality: int = 75,
        effort: int = 0,
        options: SearchOptions | None = None,
        on_step: StepCallback | None = None,
    ) -> bytes:
        """Image (path, bytes, array, Pillow image or Picture) -> .nic bytes.

        ``effort`` 0 is the one-pass encoder; 1..9 search each picture's integers for longer
        (``codec/refine.py``: ``EFFORT_ITERATIONS``); ``options`` say more (tuning, a region of
        interest) and override ``effort``."""
        quality = check_quality(quality)
        options = SearchOptions(effort) if options is None else options
        analysis = self.analyse(image)
        if options.active:
            q = self.search(analysis, quality, options, on_step).quantised
        else:
            q = self.quantise(analysis, quality)
        return self.write(analysis.picture, q)

    def decode_full(self, data: bytes, max_pixels: int | None = DEFAULT_PIXEL_BUDGET) -> Decoded:
        """.nic bytes -> header, latents and picture."""
        t0 = time.perf_counter()
        nic, q = self.read(data, max_pixels)
        h = nic.header
        rgb = self.synthesise(q, h.width, h.height)
        alpha = None if nic.alpha is None else np.frombuffer(nic.alpha, np.uint8).reshape(h.height, h.width).copy()
        pic = self._picture(rgb, h.mode, alpha, nic.icc)
        return Decoded(h, q, pic, nic.size, time.perf_counter() - t0)

    def decode(self, data: bytes, max_pixels: int | None = DEFAULT_PIXEL_BUDGET) -> Picture:
        """.nic bytes -> picture (raises NicFormatError on any defect)."""
        return self.decode_full(data, max_pixels).picture

    def distributions(self, q: Quantised) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per latent channel: (integer values, the model's probability of each) of the coded symbols."""
        return self.model.distributions(q)


def cuda_available() -> bool:
    """Whether a CUDA GPU can run the codec here (callers need not import torch themselves)."""
    return bool(torch.cuda.is_available())


def default_device() -> str:
    return "cuda" if cuda_available() else "cpu"


def set_threads(threads: int) -> None:
    """CPU threads the codec's networks use in this process."""
    torch.set_num_threads(threads)


def resolve_device(device: str | torch.device | None) -> torch.device:
    """A usable torch device from a user's choice (None: CUDA when present); NicguiError otherwise."""
    if device is None:
        return torch.device(default_device())
    try:
        d = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as e:
        raise NicguiError(f"unknown device {device!r} (use cpu or cuda)") from e
    if d.type == "cpu":
        return d
    if d.type == "cuda":
        if not torch.cuda.is_available():
            raise NicguiError("device cuda was asked for, but no CUDA GPU is available here (use cpu)")
        if d.index is not None and d.index >= torch.cuda.device_count():
            raise NicguiError(f"device {device} does not exist: {torch.cuda.device_count()} CUDA GPU(s) here")
        return d
    raise NicguiError(f"device {device!r} is not supported (use cpu or cuda)")


def load_model(
    weights: str | Path | None = None, device: str | None = None, precision: Precision | str | None = None
) -> Codec:
    """The default model (or a weights file, or a model name under weights/) on CUDA when present,
    in bfloat16 where the CPU computes it natively (``precision``: see ``codec/precision.py``)."""
    if weights is None:
        path = find_weights()
    else:
        p = Path(weights)
        is_file = p.suffix == ".safetensors" and (p.is_file() or p.parent != Path("."))
        if not is_file and p.is_file():
            raise WeightsError(f"{p} is not a weights file (those end in .safetensors)")
        path = p if is_file else find_weights(str(weights))
    return Codec(load_weights(path), resolve_device(device), precision)


def load_model_for(
    data: bytes,
    device: str | None = None,
    max_pixels: int | None = DEFAULT_PIXEL_BUDGET,
    precision: Precision | str | None = None,
) -> Codec:
    """The installed model that wrote a .nic file (found by its name and digest)."""
    header = read_header(data, max_pixels)[0]
    path = find_weights_for(ModelIdentity(header.model_name, header.model_digest))
    return Codec(load_weights(path), resolve_device(device), precision)
