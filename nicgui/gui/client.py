"""The GUI thread's handle on the worker: thread lifecycle, debouncing, generations, recent results.

The window says what the user wants (this source, this quality, this error map, this comparison);
the client turns that into immutable requests with a new generation number each, waits ~100 ms
for the slider to settle, answers from its recent-results cache at once when it can, and passes
on only results of the newest generation.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from nicgui.codec.api import Codec
from nicgui.codec.pictures import Picture
from nicgui.gui.cache import LruCache
from nicgui.gui.messages import (
    BatchRequest,
    BatchSummary,
    ClassicOutcome,
    DeviceRequest,
    Failure,
    HeatmapKind,
    Loaded,
    ModelReady,
    ModelRequest,
    Outcome,
    SaveRequest,
    Source,
    ViewRequest,
    WorkProgress,
)
from nicgui.gui.worker import LatestGeneration, Worker

log = logging.getLogger(__name__)

DEBOUNCE_MS = 100
RECENT_KEPT = 16
RECENT_BYTES = 768 << 20
GIL_SWITCH_S = 0.001


def default_codec_factory(weights: str | None = None) -> Callable[[str | None], Codec]:
    """Loads the shipped (or named) weights on the device asked for, on the worker thread."""

    def factory(device: str | None) -> Codec:
        from nicgui.codec.api import load_model

        return load_model(weights, device)

    return factory


@dataclass(frozen=True)
class ViewState:
    """What the user asked to see."""

    source: Source | None = None
    quality: int = 75
    heatmap: HeatmapKind = HeatmapKind.ABS
    compare: str | None = None


class CodecClient(QObject):
    """Owns the worker thread; every signal here is emitted on the GUI thread."""

    ready = Signal(object)  # ModelReady
    loaded = Signal(object)  # Loaded
    outcome = Signal(object)  # Outcome (current generation only)
    classic = Signal(object)  # ClassicOutcome (current generation only)
    source_stats = Signal(object)  # SourceStats
    failed = Signal(object)  # Failure
    saved = Signal(object)  # Saved
    batch_progress = Signal(object)  # BatchProgress
    batch_done = Signal(object)  # BatchSummary
    busy_changed = Signal(bool)
    progress = Signal(object)  # WorkProgress of the current generation
    cancelled = Signal()  # the work in flight was cancelled (the Cancel button)
    stale_dropped = Signal(int)  # generation of a result that arrived too late
    _submit = Signal(object)

    def __init__(
        self,
        codec_factory: Callable[[str | None], Codec] | None = None,
        device: str | None = None,
        threads: int | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = ViewState()
        self.model: ModelReady | None = None
        self._latest = LatestGeneration()
        self._generation = 0
        self._finished = 0
        self._answered = 0  # newest generation whose outcome (or failure) has arrived
        self._shown_source: Source | None = None  # the source the window displays
        self._jobs = 0
        self._recent: LruCache[Outcome] = LruCache(RECENT_KEPT, RECENT_BYTES)
        self._recent_classic: LruCache[ClassicOutcome] = LruCache(RECENT_KEPT, RECENT_BYTES // 4)
        self._cancel: threading.Event | None = None

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._on_settled)
        self._pending = False  # a slider value arrived during the debounce interval

        # The worker runs Python between its numeric calls; the GUI thread should not wait the
        # default 5 ms for the interpreter lock each time it paints.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        self.worker_thread = QThread()
        self.worker_thread.setObjectName("nicgui-worker")
        self.worker = Worker(codec_factory or default_codec_factory(), device, self._latest, threads)
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.start)
        self._submit.connect(self.worker.handle)
        w = self.worker
        w.ready.connect(self._on_ready)
        w.loaded.connect(self._on_loaded)
        w.outcome.connect(self._on_outcome)
        w.classic.connect(self._on_classic)
        w.stats.connect(self.source_stats)
        w.failed.connect(self._on_failed)
        w.saved.connect(self.saved)
        w.batch_progress.connect(self.batch_progress)
        w.batch_done.connect(self._on_batch_done)
        w.finished.connect(self._on_finished)
        w.progress.connect(self._on_progress)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self.worker_thread.start(QThread.Priority.LowPriority)  # the GUI thread first, when CPUs are busy

    def shutdown(self) -> None:
        """Stop the worker thread and wait for it: work in flight stops at its next tile."""
        self._debounce.stop()
        self._latest.advance()  # whatever runs is now stale, so it stops between tiles
        if self._cancel is not None:
            self._cancel.set()
        if self.worker_thread.isRunning():
            self.worker_thread.quit()
            self.worker_thread.wait()

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def settling(self) -> bool:
        """Whether the debounce interval of a slider move is running."""
        return self._debounce.isActive()

    @property
    def busy(self) -> bool:
        return self._finished < self._generation

    # -- what the user wants to see ---------------------------------------------------------------
    def open(self, source: Source) -> None:
        """Show a new source (its original first, then the result at the current quality)."""
        self.state = replace(self.state, source=source)
        self._send_view()

    def set_quality(self, quality: int, debounce: bool = True) -> None:
        """Move to ``quality``: instantly from the recent results, else debounced.

        A move while nothing is pending and the last request has been answered goes out at once
        (a single step answers fast); further moves within the debounce interval restart it and
        are sent as one request when the slider settles, so a drag costs two requests, not one
        per value.
        """
        if quality == self.state.quality and not self._debounce.isActive():
            return
        self.state = replace(self.state, quality=int(quality))
        if self._answer_from_cache():
            return
        if not debounce or self.state.source is None:
            self._send_view()
        elif self._debounce.isActive() or self._answered < self._generation:
            self._pending = True
            self._debounce.start()
        else:
            self._send_view()
            self._pending = False
            self._debounce.start()

    def _on_settled(self) -> None:
        if self._pending:
            self._pending = False
            self._send_view()

    def set_heatmap(self, kind: HeatmapKind) -> None:
        self.state = replace(self.state, heatmap=HeatmapKind(kind))
        if not self._answer_from_cache():
            self._send_view()

    def set_compare(self, codec: str | None) -> None:
        self.state = replace(self.state, compare=codec or None)
        if not self._answer_from_cache():
            self._send_view()

    def refresh(self) -> None:
        """Ask again for the current view (after a device change, for example)."""
        self._send_view()

    def _send_view(self) -> None:
        self._debounce.stop()
        s = self.state
        if s.source is None:
            return
        self._generation = self._latest.advance()
        load = s.source != self._shown_source
        self._submit.emit(ViewRequest(self._generation, s.source, s.quality, s.heatmap, s.compare, load))
        self.busy_changed.emit(True)

    def _answer_from_cache(self) -> bool:
        """Deliver the current view from recent results, if every part of it is there."""
        s = self.state
        if s.source is None or s.source != self._shown_source:
            return False
        hit = self._recent.get((s.source.key, s.quality, s.heatmap))
        hit_classic = self._recent_classic.get((s.source.key, s.quality, s.heatmap, s.compare)) if s.compare else None
        if hit is None or (s.compare and hit_classic is None):
            return False
        self._debounce.stop()
        self._generation = self._latest.advance()  # whatever is in flight is now stale
        self._finished = self._answered = self._generation
        self.outcome.emit(replace(hit, generation=self._generation))
        if hit_classic is not None:
            self.classic.emit(replace(hit_classic, generation=self._generation))
        self.busy_changed.emit(False)
        return True

    # -- other requests --------------------------------------------------------------------------
    def save(self, path: Path, payload: bytes | Picture | np.ndarray, overwrite: bool = False) -> int:
        """Write .nic bytes or pixels (as PNG) atomically on the worker; returns the job number."""
        self._jobs += 1
        self._submit.emit(SaveRequest(self._jobs, Path(path), payload, overwrite))
        return self._jobs

    def batch(self, files: list[Path], out_dir: Path | None, quality: int, overwrite: bool) -> int:
        """Start compressing ``files``; ``cancel_batch`` stops it between files."""
        self._jobs += 1
        self._cancel = threading.Event()
        self._submit.emit(BatchRequest(self._jobs, tuple(files), out_dir, quality, overwrite, self._cancel))
        return self._jobs

    def cancel_batch(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def set_device(self, device: str) -> None:
        self._recent.clear()
        self._recent_classic.clear()
        self._submit.emit(DeviceRequest(device))

    def set_model(self, model: str) -> None:
        """Switch to another installed model; the current picture is compressed again with it."""
        self._recent.clear()
        self._recent_classic.clear()
        self._submit.emit(ModelRequest(model))

    # -- results from the worker -----------------------------------------------------------------
    def _current(self, generation: int, what: object) -> bool:
        if generation == self._generation:
            return True
        log.debug("dropped a stale %s of generation %d (now %d)", type(what).__name__, generation, self._generation)
        self.stale_dropped.emit(generation)
        return False

    @Slot(object)
    def _on_ready(self, m: ModelReady) -> None:
        self.model = m
        self.ready.emit(m)

    @Slot(object)
    def _on_loaded(self, r: Loaded) -> None:
        if self._current(r.generation, r):
            self._shown_source = r.source
            self.loaded.emit(r)

    @Slot(object)
    def _on_outcome(self, r: Outcome) -> None:
        if self.state.source is not None and r.source_key == self.state.source.key:
            self._recent.put((r.source_key, r.quality, r.heatmap.kind), r)
        if self._current(r.generation, r):
            # the worker may still be comparing or measuring, but the next move can go out now
            self._answered = r.generation
            self.outcome.emit(r)

    @Slot(object)
    def _on_classic(self, r: ClassicOutcome) -> None:
        if self.state.source is not None and r.source_key == self.state.source.key:
            self._recent_classic.put((r.source_key, r.quality, r.heatmap.kind, r.codec), r)
        if self._current(r.generation, r):
            self.classic.emit(r)

    @Slot(object)
    def _on_failed(self, f: Failure) -> None:
        if f.generation is not None and not self._current(f.generation, f):
            return
        if f.generation is not None:
            self._answered = f.generation
        if f.stage == "load":  # go back to the picture on screen, so the slider keeps working
            self.state = replace(self.state, source=self._shown_source)
        self.failed.emit(f)

    @Slot(object)
    def _on_batch_done(self, s: BatchSummary) -> None:
        self._cancel = None
        self.batch_done.emit(s)

    @Slot(int)
    def cancel(self) -> None:
        """Stop the work in flight (at its next tile); the view keeps what it last showed."""
        if not self.busy:
            return
        self._debounce.stop()
        self._generation = self._latest.advance()
        self._finished = self._answered = self._generation
        self.busy_changed.emit(False)
        self.cancelled.emit()

    @Slot(object)
    def _on_progress(self, p: WorkProgress) -> None:
        if p.generation == self._generation:
            self.progress.emit(p)

    def _on_finished(self, generation: int) -> None:
        self._finished = max(self._finished, generation)
        self._answered = max(self._answered, generation)
        if generation == self._generation:
            self.busy_changed.emit(False)
