"""The work behind each request, run on the one model thread: it owns the model and the encoder cache.

Qt-free: results go out through one ``emit`` callback (the scheduler's delivery), in the order
they are made. The encoder's output is cached per picture, so a quality change only re-quantises,
entropy-codes, decodes and measures; results go into the shared byte-bounded ``ResultCache``. Long
work checks ``is_current`` between tiles and stops (``Cancelled``) once its generation is overtaken.
A batch is a generator that compresses one file per step, so the scheduler can serve view requests
between files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from nicgui.app import pipeline
from nicgui.app.batch import BatchTotals, compress_file, output_paths
from nicgui.app.cache import ResultCache
from nicgui.app.messages import (
    BatchProgress,
    BatchRequest,
    BatchSummary,
    ClassicOutcome,
    DeviceRequest,
    Failure,
    Finished,
    Loaded,
    ModelReady,
    ModelRequest,
    NicStats,
    Outcome,
    PrecisionRequest,
    Preview,
    Saved,
    SaveRequest,
    SourceStats,
    ViewRequest,
    WorkProgress,
)
from nicgui.app.scheduler import Steps
from nicgui.app.text import describe_error as describe
from nicgui.codec import classic
from nicgui.codec.api import Codec, Compressed
from nicgui.codec.progress import Cancelled, Progress
from nicgui.errors import NicFormatError, NicguiError, PictureError, WeightsError

log = logging.getLogger(__name__)

SOURCES_KEPT = 3  # pictures whose encoder output stays cached (torch tensors: bounded by count)
RESULTS_BYTES = 1 << 30  # at most this much memory in cached results
# The part on screen is decoded first (and shown at once) when the picture has at least this many
# pixels and the view shows at most this share of it; smaller work is fast enough as a whole.
VIEW_FIRST_PIXELS = 4_000_000
VIEW_FIRST_SHARE = 0.6

# Errors a user can cause (bad files, wrong model, full disk): shown as one line, never a traceback.
EXPECTED_ERRORS = (NicguiError, PictureError, NicFormatError, WeightsError, OSError, ValueError, MemoryError)

CodecFactory = Callable[[str | None], Codec]
Emit = Callable[[object], None]


def default_codec_factory(weights: str | None = None, precision: str | None = None) -> CodecFactory:
    """Loads the shipped (or named) weights on the device asked for, on the model thread
    (``precision``: the networks' arithmetic, None for $NICGUI_PRECISION or auto)."""

    def factory(device: str | None) -> Codec:
        from nicgui.codec.api import load_model

        return load_model(weights, device, precision)

    return factory


def result_key(source_key: str, quality: int) -> tuple[str, int]:
    """The key of a (picture, quality) result in the shared cache."""
    return (source_key, quality)


class Jobs:
    """Runs requests on the model thread; every method here runs there (``start`` first)."""

    def __init__(
        self,
        codec_factory: CodecFactory,
        device: str | None,
        results: ResultCache[pipeline.Evaluation],
        emit: Emit,
        is_current: Callable[[int], bool],
        colours: np.ndarray,
        threads: int | None = None,
    ) -> None:
        self._factory = codec_factory
        self._device = device
        self._results = results
        self._emit = emit
        self._is_current = is_current
        self._colours = colours
        self._threads = threads
        self.codec: Codec | None = None
        self._readers: dict[tuple[str, bytes], Codec] = {}  # models of opened .nic files, by identity
        self._sources: dict[str, pipeline.LoadedSource] = {}  # oldest first
        self._batch_running = False

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model (the first thing the model thread does)."""
        if self._threads:
            from nicgui.codec.api import set_threads

            set_threads(self._threads)
        try:
            self.codec = self._factory(self._device)
        except (WeightsError, *EXPECTED_ERRORS, RuntimeError) as e:
            log.error("cannot load the model: %s", e)
            self._emit(Failure("model", f"Cannot load the model: {describe(e)}"))
            return
        self._announce()

    def _announce(self) -> None:
        assert self.codec is not None
        c = self.codec
        name = c.weights.path.stem if c.weights.path is not None else c.identity.name
        self._emit(ModelReady(str(c.identity), str(c.device), c.channels, c.family, name, str(c.precision)))

    def run(self, request: object) -> Steps | None:
        """Do what ``request`` asks; a batch returns the generator of its steps (one file each)."""
        if isinstance(request, ViewRequest):
            self._view(request)
        elif isinstance(request, SaveRequest):
            self._save(request)
        elif isinstance(request, BatchRequest):
            return self._batch(request)
        elif isinstance(request, DeviceRequest):
            self._set_device(request)
        elif isinstance(request, ModelRequest):
            self._set_model(request)
        elif isinstance(request, PrecisionRequest):
            self._set_precision(request)
        else:
            log.error("unknown request %r", request)
        return None

    # -- the view: load, compress, measure, compare ------------------------------------------------
    def _stale(self, request: ViewRequest) -> bool:
        return not self._is_current(request.generation)

    def _progress_for(self, req: ViewRequest) -> Progress:
        """A progress callback for one request: reports a few times a second, and stops the work
        between tiles once a newer request (or the end of the app) has made it pointless."""
        first_tile_done: dict[str, float] = {}  # per stage: when its first tile ended
        last = [0.0]

        def report(stage: str, done: int, total: int) -> None:
            if self._stale(req):
                raise Cancelled("overtaken by a newer request")
            if done == 0:  # the part on screen, decoded ahead of the tiles
                return
            now = time.perf_counter()
            t1 = first_tile_done.setdefault(stage, now)
            if total > 1 and (now - last[0] > 0.1 or done == total):
                last[0] = now
                left = (now - t1) / (done - 1) * (total - done) if done > 1 else None
                self._emit(WorkProgress(req.generation, stage, done, total, left))

        return report

    def _view(self, req: ViewRequest) -> None:
        try:
            self._view_steps(req)
        except Cancelled:
            log.debug("view of generation %d cancelled between tiles", req.generation)
        except EXPECTED_ERRORS as e:
            stage = "load" if req.source.key not in self._sources else "compress"
            log.warning("%s of %s failed: %s", stage, req.source.name, e)
            self._emit(Failure(stage, f"{req.source.name}: {describe(e)}", req.generation))
        except Exception as e:  # a bug must not take the model thread down: report it and go on
            log.exception("request for %s failed", req.source.name)
            self._emit(Failure("compress", f"{req.source.name}: internal error: {e}", req.generation))
        finally:
            self._emit(Finished(req.generation))

    def _source(self, req: ViewRequest, codec: Codec) -> pipeline.LoadedSource:
        src = self._sources.pop(req.source.key, None)
        if src is None:
            src = pipeline.load_source(codec, req.source, self._reader)
        self._sources[req.source.key] = src  # newest last
        while len(self._sources) > SOURCES_KEPT:
            del self._sources[next(iter(self._sources))]
        return src

    def _view_steps(self, req: ViewRequest) -> None:
        if self._stale(req):
            return
        if self.codec is None:
            raise ValueError("the model is not loaded")
        codec = self.codec
        src = self._source(req, codec)
        if req.load:
            self._emit(self._loaded(req, src))
        if src.decoded is not None or self._stale(req):
            return
        progress = self._progress_for(req)
        encoder_reused = src.analysis is not None
        if src.analysis is None:
            src.analysis = codec.analyse(src.picture, progress)
            if self._stale(req):
                return
        key = result_key(req.source.key, req.quality)
        ev = self._results.get(key)
        if ev is None:
            ev = self._evaluate(req, src, codec, progress)
        t0 = time.perf_counter()
        heat = pipeline.heatmap_for(ev, src.picture.rgb, req.heatmap, self._colours)
        outcome = Outcome(
            req.generation,
            req.source.key,
            req.quality,
            ev.data,
            ev.reconstruction,
            ev.metrics,
            heat,
            ev.latents,
            src.analysis.seconds,
            ev.encode_seconds,
            ev.decode_seconds,
            str(codec.device),
            pipeline.raw_bytes(src.picture),
            ev.metrics_seconds + time.perf_counter() - t0,
            encoder_reused,
            pipeline.shown_for(ev),
        )
        ev.outcomes[req.heatmap] = replace(outcome, encoder_reused=True)  # a later answer reuses everything
        self._results.put(key, ev)
        self._emit(outcome)
        if req.compare and not self._stale(req):
            self._compare(req, src, ev, progress)
            self._results.put(key, ev)  # re-measured with the comparison in it
        if src.png_bytes is None:  # once per picture, after its first result is out
            src.png_bytes = pipeline.png_bytes(src.picture)
            self._emit(SourceStats(req.source.key, src.png_bytes))

    def _evaluate(
        self, req: ViewRequest, src: pipeline.LoadedSource, codec: Codec, progress: Progress
    ) -> pipeline.Evaluation:
        """Compress, decode and measure at the request's quality. On a big picture the part in
        view goes out first, then the whole picture before its metrics (``Preview`` each)."""
        assert src.analysis is not None
        pic = src.picture
        t_start = time.perf_counter()

        def on_view(rgb: np.ndarray, rect: tuple[int, int, int, int]) -> None:
            if pic.alpha is not None:
                rgb = pipeline.on_checkerboard(rgb, pic.alpha[rect[1] : rect[3], rect[0] : rect[2]], rect[:2])
            seconds = time.perf_counter() - t_start
            self._emit(Preview(req.generation, req.source.key, req.quality, rect, rgb, seconds))

        early: list[np.ndarray] = []  # the whole reconstruction as a view shows it, kept for the result

        def on_decoded(r: Compressed) -> None:
            early.append(pipeline.shown_pixels(r.picture))
            seconds = time.perf_counter() - t_start
            self._emit(Preview(req.generation, req.source.key, req.quality, (0, 0, pic.width, pic.height),
                               early[0], seconds))  # fmt: skip

        big = pic.width * pic.height >= VIEW_FIRST_PIXELS
        view = view_first(req.view, pic.width, pic.height)
        ev = pipeline.evaluate(
            codec, src.analysis, req.quality, src.reference, progress, view, on_view, on_decoded if big else None
        )
        if early:
            ev.shown = early[0]
        return ev

    def _compare(
        self, req: ViewRequest, src: pipeline.LoadedSource, ev: pipeline.Evaluation, progress: Progress
    ) -> None:
        assert req.compare is not None
        memo = (req.compare, req.heatmap)
        try:
            if memo not in ev.classic:
                ev.classic[memo] = pipeline.compare_classic(
                    src.picture.rgb,
                    src.reference,
                    req.compare,
                    len(ev.data),
                    req.heatmap,
                    self._colours,
                    req.generation,
                    req.source.key,
                    req.quality,
                    progress,
                )
            self._emit(retag(ev.classic[memo], req.generation))
        except EXPECTED_ERRORS as e:
            name = classic.NAMES.get(req.compare, req.compare.upper())
            self._emit(Failure("compare", f"{name}: {describe(e)}", req.generation))

    def _loaded(self, req: ViewRequest, src: pipeline.LoadedSource) -> Loaded:
        assert self.codec is not None
        nic = None
        if src.decoded is not None:
            d = src.decoded
            nic = NicStats(d.header, d.size, d.seconds, pipeline.latent_data(src.decoder or self.codec, d.quantised))
        return Loaded(
            req.generation,
            req.source,
            src.picture,
            src.thumbnail,
            src.file_bytes,
            pipeline.raw_bytes(src.picture),
            nic,
            str(self.codec.device),
            src.shown,
        )

    # -- saving ----------------------------------------------------------------------------------
    def _save(self, req: SaveRequest) -> None:
        try:
            size = pipeline.save(req.path, req.payload, req.overwrite)
        except EXPECTED_ERRORS as e:
            self._emit(Failure("save", f"Cannot save {req.path.name}: {describe(e)}", job=req.job))
            return
        log.info("saved %s (%d bytes)", req.path, size)
        self._emit(Saved(req.job, req.path, size))

    # -- batch -----------------------------------------------------------------------------------
    def _batch(self, req: BatchRequest) -> Steps | None:
        if self._batch_running:
            self._emit(Failure("batch", "A batch is already running", job=req.job))
            return None
        self._batch_running = True
        return self._batch_steps(req)

    def _batch_steps(self, req: BatchRequest) -> Steps:
        """Compress one file per step; the summary comes at the end, also when cancelled."""
        outputs = output_paths(req.files, req.out_dir)
        t = BatchTotals(len(req.files))
        done = 0
        try:
            for path, out in zip(req.files, outputs, strict=True):
                if req.cancel.is_set() or self.codec is None:
                    break
                t.add(compress_file(self.codec, path, out, req.quality, req.overwrite))
                done += 1
                self._emit(BatchProgress(req.job, done, len(req.files), path.name))
                yield
        finally:
            self._batch_running = False
            t.cancelled = req.cancel.is_set() and done < len(req.files)
            summary = BatchSummary(
                req.job, t.total, t.compressed, t.skipped, t.failed, t.bytes_before, t.bytes_after, t.cancelled,
                tuple(t.errors),
            )  # fmt: skip
            self._emit(summary)

    # -- models ----------------------------------------------------------------------------------
    def _reader(self, data: bytes) -> Codec:
        """The codec for a .nic file: the loaded model if it wrote it, else the installed one that did."""
        from nicgui.codec.api import load_model_for
        from nicgui.codec.bitstream import read_header

        assert self.codec is not None
        h = read_header(data)[0]
        key = (h.model_name, h.model_digest)
        if key == (self.codec.identity.name, self.codec.identity.digest):
            return self.codec
        if key not in self._readers:
            self._readers[key] = load_model_for(data, str(self.codec.device), precision=self.codec.requested_precision)
        return self._readers[key]

    def _forget_results(self) -> None:
        """After a change of model or device: pictures are analysed again, results computed again."""
        for src in self._sources.values():
            src.analysis = None
        self._results.clear()

    def _set_model(self, req: ModelRequest) -> None:
        from nicgui.codec.api import load_model

        device = str(self.codec.device) if self.codec is not None else self._device
        precision = self.codec.requested_precision if self.codec is not None else None
        try:
            t0 = time.perf_counter()
            codec = load_model(req.model, device, precision)
            log.info("model %s loaded in %.2f s", codec.identity, time.perf_counter() - t0)
        except (RuntimeError, *EXPECTED_ERRORS) as e:
            self._emit(Failure("model", f"Cannot load model {req.model}: {describe(e)}"))
            return
        self.codec = codec
        self._forget_results()
        self._announce()

    # -- device and arithmetic ------------------------------------------------------------------
    def _set_device(self, req: DeviceRequest) -> None:
        self._move(req.device, None, req.device)

    def _set_precision(self, req: PrecisionRequest) -> None:
        if self.codec is not None:
            self._move(str(self.codec.device), req.precision, f"precision {req.precision}")

    def _move(self, device: str, precision: str | None, what: str) -> None:
        """The model on ``device`` in ``precision`` (None: the one asked for so far); the encoder's
        output differs (slightly) per device and arithmetic, so every result is computed again."""
        if self.codec is None:
            return
        try:
            t0 = time.perf_counter()
            self.codec = self.codec.to(device, precision)
            log.info("model on %s in %s (%.2f s)", device, self.codec.precision, time.perf_counter() - t0)
        except (RuntimeError, *EXPECTED_ERRORS) as e:
            self._emit(Failure("device", f"Cannot use {what}: {describe(e)}"))
            return
        self._forget_results()
        self._readers.clear()
        self._announce()


def view_first(view: tuple[int, int, int, int] | None, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The part of the picture to decode first: the view, when the picture is big and the view
    a small enough part of it; else None (the whole is decoded in one go)."""
    if view is None or width * height < VIEW_FIRST_PIXELS:
        return None
    x0, y0, x1, y1 = max(0, view[0]), max(0, view[1]), min(width, view[2]), min(height, view[3])
    if x0 >= x1 or y0 >= y1 or (x1 - x0) * (y1 - y0) > VIEW_FIRST_SHARE * width * height:
        return None
    return (x0, y0, x1, y1)


def retag(c: ClassicOutcome, generation: int) -> ClassicOutcome:
    """A cached classic result, labelled with the generation that asked for it again."""
    return c if c.generation == generation else replace(c, generation=generation)
