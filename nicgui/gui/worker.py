"""The one worker: a QObject on its own QThread that owns the model and does all the heavy work.

Requests arrive as queued signals, one at a time, in order. View requests whose generation was
overtaken before they started are skipped. The encoder's output is cached per picture, so a
quality change only re-quantises, entropy-codes, decodes and measures; recent results are cached
too. A batch runs one file per turn of the worker's event loop, so view requests (and the cancel
flag) are served between files.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from nicgui.app.batch import BatchTotals, compress_file, output_paths
from nicgui.app.text import describe_error as describe
from nicgui.codec import classic
from nicgui.codec.api import Codec
from nicgui.codec.progress import Cancelled, Progress
from nicgui.errors import NicFormatError, NicguiError, PictureError, WeightsError
from nicgui.gui import pipeline
from nicgui.gui.cache import LruCache
from nicgui.gui.messages import (
    BatchProgress,
    BatchRequest,
    BatchSummary,
    ClassicOutcome,
    DeviceRequest,
    Failure,
    Loaded,
    ModelReady,
    ModelRequest,
    NicStats,
    Outcome,
    Saved,
    SaveRequest,
    SourceStats,
    ViewRequest,
    WorkProgress,
)

log = logging.getLogger(__name__)

SOURCES_KEPT = 3  # pictures whose encoder output stays cached
RESULTS_KEPT = 24  # (picture, quality) results kept
RESULTS_BYTES = 1 << 30  # at most this much memory in cached results
WORKER_NICE = 5  # how much lower the worker (and the compute threads it starts) runs than the GUI

# Errors a user can cause (bad files, wrong model, full disk): shown as one line, never a traceback.
EXPECTED_ERRORS = (NicguiError, PictureError, NicFormatError, WeightsError, OSError, ValueError, MemoryError)


class LatestGeneration:
    """The newest view generation, written by the GUI thread and read by the worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def advance(self) -> int:
        with self._lock:
            self._value += 1
            return self._value

    @property
    def value(self) -> int:
        with self._lock:
            return self._value


@dataclass
class _Batch:
    request: BatchRequest
    outputs: list[Path]
    totals: BatchTotals
    index: int = 0


class Worker(QObject):
    """Lives on the worker thread; every slot runs there."""

    ready = Signal(object)  # ModelReady
    loaded = Signal(object)  # Loaded
    outcome = Signal(object)  # Outcome
    classic = Signal(object)  # ClassicOutcome
    stats = Signal(object)  # SourceStats
    saved = Signal(object)  # Saved
    failed = Signal(object)  # Failure
    batch_progress = Signal(object)  # BatchProgress
    batch_done = Signal(object)  # BatchSummary
    progress = Signal(object)  # WorkProgress
    finished = Signal(int)  # a view generation is complete (or was skipped)
    skipped = Signal(int)  # a view request was overtaken before it started

    def __init__(
        self,
        codec_factory: Callable[[str | None], Codec],
        device: str | None,
        latest: LatestGeneration,
        threads: int | None = None,
    ) -> None:
        super().__init__()
        self._factory = codec_factory
        self._device = device
        self._latest = latest
        self._threads = threads
        self.codec: Codec | None = None
        self._readers: dict[tuple[str, bytes], Codec] = {}  # models of opened .nic files, by identity
        self._sources: LruCache[pipeline.LoadedSource] = LruCache(SOURCES_KEPT, 1 << 62)
        self._results: LruCache[pipeline.Evaluation] = LruCache(RESULTS_KEPT, RESULTS_BYTES)
        self._batch: _Batch | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        """Load the model (runs first on the worker thread)."""
        lower_thread_priority()
        if self._threads:
            from nicgui.codec.api import set_threads

            set_threads(self._threads)
        try:
            self.codec = self._factory(self._device)
        except (WeightsError, *EXPECTED_ERRORS, RuntimeError) as e:
            log.error("cannot load the model: %s", e)
            self.failed.emit(Failure("model", f"Cannot load the model: {describe(e)}"))
            return
        self._announce()

    def _announce(self) -> None:
        assert self.codec is not None
        c = self.codec
        name = c.weights.path.stem if c.weights.path is not None else c.identity.name
        self.ready.emit(ModelReady(str(c.identity), str(c.device), c.channels, c.family, name))

    @Slot(object)
    def handle(self, request: object) -> None:
        """Entry point for every request (queued from the GUI thread)."""
        if isinstance(request, ViewRequest):
            self._view(request)
        elif isinstance(request, SaveRequest):
            self._save(request)
        elif isinstance(request, BatchRequest):
            self._start_batch(request)
        elif isinstance(request, DeviceRequest):
            self._set_device(request)
        elif isinstance(request, ModelRequest):
            self._set_model(request)
        else:
            log.error("unknown request %r", request)

    # -- the view: load, compress, measure, compare ------------------------------------------------
    def _stale(self, request: ViewRequest) -> bool:
        return request.generation != self._latest.value

    def _progress_for(self, req: ViewRequest) -> Progress:
        """A progress callback for one request: reports a few times a second, and stops the work
        between tiles once a newer request (or the end of the app) has made it pointless."""
        first_tile_done: dict[str, float] = {}  # per stage: when its first tile ended
        last = [0.0]

        def report(stage: str, done: int, total: int) -> None:
            if self._stale(req):
                raise Cancelled("overtaken by a newer request")
            now = time.perf_counter()
            t1 = first_tile_done.setdefault(stage, now)
            if total > 1 and (now - last[0] > 0.1 or done == total):
                last[0] = now
                left = (now - t1) / (done - 1) * (total - done) if done > 1 else None
                self.progress.emit(WorkProgress(req.generation, stage, done, total, left))

        return report

    def _view(self, req: ViewRequest) -> None:
        try:
            self._view_steps(req)
        except Cancelled:
            log.debug("view of generation %d cancelled between tiles", req.generation)
            self.skipped.emit(req.generation)
        except EXPECTED_ERRORS as e:
            stage = "load" if req.source.key not in self._sources else "compress"
            log.warning("%s of %s failed: %s", stage, req.source.name, e)
            self.failed.emit(Failure(stage, f"{req.source.name}: {describe(e)}", req.generation))
        except Exception as e:  # a bug must not take the worker down: report it and go on
            log.exception("request for %s failed", req.source.name)
            self.failed.emit(Failure("compress", f"{req.source.name}: internal error: {e}", req.generation))
        finally:
            self.finished.emit(req.generation)

    def _view_steps(self, req: ViewRequest) -> None:
        if self._stale(req):
            self.skipped.emit(req.generation)
            return
        if self.codec is None:
            raise ValueError("the model is not loaded")
        codec = self.codec
        src = self._sources.get(req.source.key)
        if src is None:
            src = pipeline.load_source(codec, req.source, self._reader)
            self._sources.put(req.source.key, src)
        if req.load:
            self.loaded.emit(self._loaded(req, src))
        if src.decoded is not None or self._stale(req):
            return
        progress = self._progress_for(req)
        encoder_reused = src.analysis is not None
        if src.analysis is None:
            src.analysis = codec.analyse(src.picture, progress)
            if self._stale(req):
                return
        key = (req.source.key, req.quality)
        ev = self._results.get(key)
        if ev is None:
            ev = pipeline.evaluate(codec, src.analysis, req.quality, src.reference, progress)
            self._results.put(key, ev)
        t0 = time.perf_counter()
        heat = pipeline.heatmap_for(ev, src.picture.rgb, req.heatmap)
        self.outcome.emit(
            Outcome(
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
            )
        )
        if req.compare and not self._stale(req):
            self._compare(req, src, ev)
        if src.png_bytes is None:  # once per picture, after its first result is out
            src.png_bytes = pipeline.png_bytes(src.picture)
            self.stats.emit(SourceStats(req.source.key, src.png_bytes))

    def _compare(self, req: ViewRequest, src: pipeline.LoadedSource, ev: pipeline.Evaluation) -> None:
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
                    req.generation,
                    req.source.key,
                    req.quality,
                )
            self.classic.emit(_retag(ev.classic[memo], req.generation))
        except EXPECTED_ERRORS as e:
            name = classic.NAMES.get(req.compare, req.compare.upper())
            self.failed.emit(Failure("compare", f"{name}: {describe(e)}", req.generation))

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
        )

    # -- saving ----------------------------------------------------------------------------------
    def _save(self, req: SaveRequest) -> None:
        try:
            size = pipeline.save(req.path, req.payload, req.overwrite)
        except EXPECTED_ERRORS as e:
            self.failed.emit(Failure("save", f"Cannot save {req.path.name}: {describe(e)}", job=req.job))
            return
        log.info("saved %s (%d bytes)", req.path, size)
        self.saved.emit(Saved(req.job, req.path, size))

    # -- batch -----------------------------------------------------------------------------------
    def _start_batch(self, req: BatchRequest) -> None:
        if self._batch is not None:
            self.failed.emit(Failure("batch", "A batch is already running", job=req.job))
            return
        self._batch = _Batch(req, output_paths(req.files, req.out_dir), BatchTotals(len(req.files)))
        QTimer.singleShot(0, self._batch_step)

    def _batch_step(self) -> None:
        b = self._batch
        if b is None:
            return
        req, t = b.request, b.totals
        if req.cancel.is_set() or b.index >= len(req.files) or self.codec is None:
            self._batch = None
            t.cancelled = req.cancel.is_set() and b.index < len(req.files)
            summary = BatchSummary(
                req.job, t.total, t.compressed, t.skipped, t.failed, t.bytes_before, t.bytes_after, t.cancelled,
                tuple(t.errors),
            )  # fmt: skip
            self.batch_done.emit(summary)
            return
        path = req.files[b.index]
        t.add(compress_file(self.codec, path, b.outputs[b.index], req.quality, req.overwrite))
        b.index += 1
        self.batch_progress.emit(BatchProgress(req.job, b.index, len(req.files), path.name))
        QTimer.singleShot(0, self._batch_step)

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
            self._readers[key] = load_model_for(data, str(self.codec.device))
        return self._readers[key]

    def _set_model(self, req: ModelRequest) -> None:
        from nicgui.codec.api import load_model

        device = str(self.codec.device) if self.codec is not None else self._device
        try:
            t0 = time.perf_counter()
            codec = load_model(req.model, device)
            log.info("model %s loaded in %.2f s", codec.identity, time.perf_counter() - t0)
        except (RuntimeError, *EXPECTED_ERRORS) as e:
            self.failed.emit(Failure("model", f"Cannot load model {req.model}: {describe(e)}"))
            return
        self.codec = codec
        for src in self._sources.values():  # pictures are analysed again by the new model
            src.analysis = None
        self._results.clear()
        self._announce()

    # -- device ----------------------------------------------------------------------------------
    def _set_device(self, req: DeviceRequest) -> None:
        if self.codec is None:
            return
        try:
            t0 = time.perf_counter()
            self.codec = self.codec.to(req.device)
            log.info("model moved to %s in %.2f s", req.device, time.perf_counter() - t0)
        except (RuntimeError, *EXPECTED_ERRORS) as e:
            self.failed.emit(Failure("device", f"Cannot use {req.device}: {describe(e)}"))
            return
        for src in self._sources.values():  # the encoder's output differs (slightly) per device
            src.analysis = None
        self._results.clear()
        self._readers.clear()
        self._announce()


def lower_thread_priority(step: int = WORKER_NICE) -> None:
    """Give the calling thread a higher nice value, so the GUI thread wins a busy CPU at once.

    On Linux nice values are per thread and inherited by the threads it creates, so torch's
    compute threads (started by the worker's first parallel operation) run lower too. Elsewhere
    ``QThread.Priority.LowPriority`` (set by the client) does this job.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + step))
    except OSError as e:  # not allowed here: keep going at normal priority
        log.debug("cannot lower the worker's priority: %s", e)


def _retag(c: ClassicOutcome, generation: int) -> ClassicOutcome:
    """A cached classic result, labelled with the generation that asked for it again."""
    return c if c.generation == generation else replace(c, generation=generation)
