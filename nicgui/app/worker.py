"""The model-thread worker: it owns the model, takes each request and sends the results back.

Qt-free: results go out through one ``emit`` callback (the scheduler's delivery), in the order
they are made. A view request is the work of ``view_work.ViewWork``; here are the rest: the model
and its device and arithmetic, the models that read opened .nic files, saving, and a batch, which
is a generator that compresses one file per step, so the scheduler can serve view requests between
files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nicgui.app.batch import BatchTotals, compress_file, output_paths
from nicgui.app.cache import ResultCache
from nicgui.app.evaluation import Evaluation
from nicgui.app.requests import BatchRequest, DeviceRequest, ModelRequest, PrecisionRequest, SaveRequest, ViewRequest
from nicgui.app.results import BatchProgress, Failure, ModelReady, Saved, Stage
from nicgui.app.scheduler import Steps
from nicgui.app.text import describe_error
from nicgui.app.view_work import Emit, ViewWork
from nicgui.atomic import atomic_write
from nicgui.codec.api import Codec
from nicgui.codec.pictures import Picture
from nicgui.errors import USER_ERRORS

log = logging.getLogger(__name__)

RESULTS_BYTES = 1 << 30  # at most this much memory in cached results

CodecFactory = Callable[[str | None], Codec]


def default_codec_factory(weights: str | None = None, precision: str | None = None) -> CodecFactory:
    """Loads the shipped (or named) weights on the device asked for, on the model thread
    (``precision``: the networks' arithmetic, None for $NICGUI_PRECISION or auto)."""

    def factory(device: str | None) -> Codec:
        from nicgui.codec.api import load_model

        return load_model(weights, device, precision)

    return factory


class Worker:
    """Runs requests on the model thread; every method here runs there (``start`` first)."""

    def __init__(
        self,
        codec_factory: CodecFactory,
        device: str | None,
        results: ResultCache[Evaluation],
        emit: Emit,
        is_current: Callable[[int], bool],
        colours: np.ndarray,
        threads: int | None = None,
    ) -> None:
        self._factory = codec_factory
        self._device = device
        self._emit = emit
        self._threads = threads
        self.codec: Codec | None = None
        self._readers: dict[tuple[str, bytes], Codec] = {}  # models of opened .nic files, by identity
        self._view = ViewWork(results, emit, is_current, colours, self._reader)
        self._batch_running = False

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model (the first thing the model thread does)."""
        if self._threads:
            from nicgui.codec.api import set_threads

            set_threads(self._threads)
        try:
            self.codec = self._factory(self._device)
        except (*USER_ERRORS, RuntimeError) as e:
            log.error("cannot load the model: %s", e)
            self._emit(Failure(Stage.MODEL, f"Cannot load the model: {describe_error(e)}"))
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
            self._view.run(request, self.codec)
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

    # -- saving ----------------------------------------------------------------------------------
    def _save(self, req: SaveRequest) -> None:
        try:
            size = save(req.path, req.payload, req.overwrite)
        except USER_ERRORS as e:
            self._emit(Failure(Stage.SAVE, f"Cannot save {req.path.name}: {describe_error(e)}", job=req.job))
            return
        log.info("saved %s (%d bytes)", req.path, size)
        self._emit(Saved(req.job, req.path, size))

    # -- batch -----------------------------------------------------------------------------------
    def _batch(self, req: BatchRequest) -> Steps | None:
        if self._batch_running:
            self._emit(Failure(Stage.BATCH, "A batch is already running", job=req.job))
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
            self._emit(t.summary(req.job))

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

    def _set_model(self, req: ModelRequest) -> None:
        from nicgui.codec.api import load_model

        device = str(self.codec.device) if self.codec is not None else self._device
        precision = self.codec.requested_precision if self.codec is not None else None
        try:
            t0 = time.perf_counter()
            codec = load_model(req.model, device, precision)
            log.info("model %s loaded in %.2f s", codec.identity, time.perf_counter() - t0)
        except (RuntimeError, *USER_ERRORS) as e:
            self._emit(Failure(Stage.MODEL, f"Cannot load model {req.model}: {describe_error(e)}"))
            return
        self.codec = codec
        self._view.forget()
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
        except (RuntimeError, *USER_ERRORS) as e:
            self._emit(Failure(Stage.DEVICE, f"Cannot use {what}: {describe_error(e)}"))
            return
        self._view.forget()
        self._readers.clear()
        self._announce()


def save(path: Path, payload: bytes | Picture | np.ndarray, overwrite: bool) -> int:
    """Write .nic bytes as they are, or pixels as PNG, atomically; returns the bytes written."""
    if isinstance(payload, bytes):
        data = payload
    else:
        data = (payload if isinstance(payload, Picture) else Picture.from_array(payload)).png_bytes()
    return atomic_write(path, data, overwrite)
