"""The state of a viewing session, Qt-free: what the user asked to see, what is on screen, what is computing.

The widgets call the methods (open, set_quality, ...) and render the events; the session turns wishes
into immutable requests for the scheduler, each view request with a new generation, and passes on
only results of the newest generation (late ones are dropped and counted in ``stale_dropped``).
A slider step whose result is in the shared cache is answered at once, without the model thread.

Slider moves are debounced: a move while nothing is pending goes out at once (a single step answers
fast); further moves within the interval restart a timer and go out as one request when the slider
settles, so a drag costs two requests, not one per value. The timer is injected (``TimerFactory``),
so the GUI gives a Qt timer and tests a manual one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np
from psygnal import Signal

from nicgui.app.batch import BatchSummary
from nicgui.app.cache import ResultCache, result_key
from nicgui.app.evaluation import Evaluation
from nicgui.app.heatmaps import HeatmapKind
from nicgui.app.requests import BatchRequest, DeviceRequest, ModelRequest, PrecisionRequest, SaveRequest, ViewRequest
from nicgui.app.results import (
    BatchProgress,
    ClassicOutcome,
    Failure,
    Finished,
    Loaded,
    ModelReady,
    Outcome,
    Preview,
    Saved,
    SourceStats,
    Stage,
    WorkProgress,
)
from nicgui.app.scheduler import Scheduler
from nicgui.app.source import Source
from nicgui.codec.pictures import Picture

log = logging.getLogger(__name__)


class Timer(Protocol):
    """A single-shot timer that calls back on the session's thread."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def is_active(self) -> bool: ...


TimerFactory = Callable[[Callable[[], None]], Timer]


class Activity(StrEnum):
    """What is happening to the current wish (what the labels of a view in wait say)."""

    IDLE = "idle"  # answered, or nothing asked
    WORKING = "working"  # the model thread is on it
    CANCELLED = "cancelled"  # the user cancelled it and has asked for nothing since


@dataclass(frozen=True)
class ViewState:
    """What the user asked to see."""

    source: Source | None = None
    quality: int = 75
    heatmap: HeatmapKind = HeatmapKind.ABS
    compare: str | None = None
    view: tuple[int, int, int, int] | None = None  # (x0, y0, x1, y1): the part of the picture on screen


class Session:
    """Evented session state; every method and event runs on one thread (the GUI's)."""

    ready = Signal(object)  # ModelReady
    loaded = Signal(object)  # Loaded: a new picture is on screen
    outcome = Signal(object)  # Outcome of the current generation
    classic = Signal(object)  # ClassicOutcome of the current generation
    preview = Signal(object)  # Preview: the part on screen, ahead of the Outcome (big pictures)
    source_stats = Signal(object)  # SourceStats
    failed = Signal(object)  # Failure
    saved = Signal(object)  # Saved
    batch_progress = Signal(object)  # BatchProgress
    batch_done = Signal(object)  # BatchSummary
    busy_changed = Signal(bool)
    progress = Signal(object)  # WorkProgress of the current generation
    cancelled = Signal()  # the work in flight was cancelled (the Cancel button)
    stale_dropped = Signal(int)  # generation of a result that arrived too late
    finished = Signal(int)  # the model thread is done with this generation (current or not)

    def __init__(self, scheduler: Scheduler, results: ResultCache[Evaluation], timer: TimerFactory) -> None:
        self.scheduler = scheduler
        self.results = results
        self.state = ViewState()
        self.model: ModelReady | None = None
        self._generation = 0
        self._finished = 0
        self._answered = 0  # newest generation whose outcome (or failure) has arrived
        self._shown_source: Source | None = None  # the source on screen
        self._jobs = 0
        self._cancel: threading.Event | None = None
        self._pending = False  # a slider value arrived during the debounce interval
        self._cancelled: int | None = None  # the generation a cancel ended, while nothing newer was asked
        self._debounce = timer(self._on_settled)

    # -- what is going on --------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._generation

    @property
    def settling(self) -> bool:
        """Whether the debounce interval of a slider move is running."""
        return self._debounce.is_active()

    @property
    def busy(self) -> bool:
        return self._finished < self._generation

    @property
    def activity(self) -> Activity:
        """Working on the current wish, cancelled by the user (nothing asked since), or idle. A slider
        move waiting out its debounce interval counts as working: its request is coming."""
        if self.busy or self._pending:
            return Activity.WORKING
        if self._cancelled == self._generation:
            return Activity.CANCELLED
        return Activity.IDLE

    @property
    def shown_source(self) -> Source | None:
        return self._shown_source

    # -- what the user wants to see ---------------------------------------------------------------
    def open(self, source: Source) -> None:
        """Show a new source (its original first, then the result at the current quality); where
        the user looked in the last picture means nothing in this one."""
        self.state = replace(self.state, source=source, view=None)
        self._send_view()

    def set_quality(self, quality: int, debounce: bool = True) -> None:
        """Move to ``quality``: instantly from the cache, else debounced (see the module's docstring)."""
        if quality == self.state.quality and not self._debounce.is_active():
            return
        self.state = replace(self.state, quality=int(quality))
        if self._answer_from_cache():
            return
        if not debounce or self.state.source is None:
            self._send_view()
        elif self._debounce.is_active() or self._answered < self._generation:
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

    def set_view(self, view: tuple[int, int, int, int] | None) -> None:
        """Where the user is looking (pan and zoom): decoded first on the next quality change."""
        self.state = replace(self.state, view=view)

    def refresh(self) -> None:
        """Ask again for the current view."""
        self._send_view()

    def cancel(self) -> None:
        """Stop the work in flight (at its next tile); the view keeps what it last showed."""
        if not self.busy:
            return
        self._debounce.stop()
        self._pending = False
        self._generation = self.scheduler.advance()
        self._finished = self._answered = self._generation
        self._cancelled = self._generation
        self.busy_changed.emit(False)
        self.cancelled.emit()

    def _send_view(self) -> None:
        self._debounce.stop()
        s = self.state
        if s.source is None:
            return
        self._generation = self.scheduler.advance()
        load = s.source != self._shown_source
        self.scheduler.submit(ViewRequest(self._generation, s.source, s.quality, s.heatmap, s.compare, load, s.view))
        self.busy_changed.emit(True)

    def _answer_from_cache(self) -> bool:
        """Deliver the current view from the cache, if every part of it is there."""
        s = self.state
        if s.source is None or s.source != self._shown_source:
            return False
        ev = self.results.get(result_key(s.source.key, s.quality))
        if ev is None:
            return False
        hit = ev.outcomes.get(s.heatmap)
        hit_classic = ev.classic.get((s.compare, s.heatmap)) if s.compare else None
        if hit is None or (s.compare and hit_classic is None):
            return False
        self._debounce.stop()
        self._pending = False
        self._generation = self.scheduler.advance()  # whatever is in flight is now stale
        self._finished = self._answered = self._generation
        self.outcome.emit(replace(hit, generation=self._generation))
        if hit_classic is not None:
            self.classic.emit(replace(hit_classic, generation=self._generation))
        self.busy_changed.emit(False)
        return True

    # -- other requests --------------------------------------------------------------------------
    def save(self, path: Path, payload: bytes | Picture | np.ndarray, overwrite: bool = False) -> int:
        """Write .nic bytes or pixels (as PNG) atomically on the model thread; returns the job number."""
        self._jobs += 1
        self.scheduler.submit(SaveRequest(self._jobs, Path(path), payload, overwrite))
        return self._jobs

    def batch(self, files: list[Path], out_dir: Path | None, quality: int, overwrite: bool) -> int:
        """Start compressing ``files``; ``cancel_batch`` stops it between files."""
        self._jobs += 1
        self._cancel = threading.Event()
        self.scheduler.submit(BatchRequest(self._jobs, tuple(files), out_dir, quality, overwrite, self._cancel))
        return self._jobs

    def cancel_batch(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def set_device(self, device: str) -> None:
        self.results.clear()
        self.scheduler.submit(DeviceRequest(device))

    def set_precision(self, precision: str) -> None:
        """Run the networks in another arithmetic (auto, float32, bfloat16); the picture is
        compressed again."""
        self.results.clear()
        self.scheduler.submit(PrecisionRequest(precision))

    def set_model(self, model: str) -> None:
        """Switch to another installed model; the current picture is compressed again with it."""
        self.results.clear()
        self.scheduler.submit(ModelRequest(model))

    def shutdown(self, timeout: float | None = None) -> bool:
        """Stop the model thread: work in flight stops at its next tile. Whether it ended in time."""
        self._debounce.stop()
        if self._cancel is not None:
            self._cancel.set()
        return self.scheduler.shutdown(timeout)

    # -- results from the model thread -------------------------------------------------------------
    def receive(self, message: object) -> None:
        """Take one result from the model thread (delivered to this thread by the bridge)."""
        if isinstance(message, Outcome):
            self._on_outcome(message)
        elif isinstance(message, ClassicOutcome):
            if self._current(message.generation, message):
                self.classic.emit(message)
        elif isinstance(message, Preview):
            if self._current(message.generation, message):
                self.preview.emit(message)
        elif isinstance(message, WorkProgress):
            if message.generation == self._generation:
                self.progress.emit(message)
        elif isinstance(message, Loaded):
            if self._current(message.generation, message):
                self._shown_source = message.source
                self.loaded.emit(message)
        elif isinstance(message, Finished):
            self._on_finished(message.generation)
        elif isinstance(message, Failure):
            self._on_failed(message)
        elif isinstance(message, ModelReady):
            self.model = message
            self.ready.emit(message)
        elif isinstance(message, SourceStats):
            self.source_stats.emit(message)
        elif isinstance(message, Saved):
            self.saved.emit(message)
        elif isinstance(message, BatchProgress):
            self.batch_progress.emit(message)
        elif isinstance(message, BatchSummary):
            self._cancel = None
            self.batch_done.emit(message)
        else:
            log.error("unknown message %r", message)

    def _current(self, generation: int, what: object) -> bool:
        if generation == self._generation:
            return True
        log.debug("dropped a stale %s of generation %d (now %d)", type(what).__name__, generation, self._generation)
        self.stale_dropped.emit(generation)
        return False

    def _on_outcome(self, r: Outcome) -> None:
        if self._current(r.generation, r):
            # the model thread may still be comparing or measuring, but the next move can go out now
            self._answered = r.generation
            self.outcome.emit(r)

    def _on_failed(self, f: Failure) -> None:
        if f.generation is not None and not self._current(f.generation, f):
            return
        if f.generation is not None:
            self._answered = f.generation
        if f.stage == Stage.LOAD:  # go back to the picture on screen, so the slider keeps working
            self.state = replace(self.state, source=self._shown_source)
        self.failed.emit(f)

    def _on_finished(self, generation: int) -> None:
        self._finished = max(self._finished, generation)
        self._answered = max(self._answered, generation)
        if generation == self._generation:
            self.busy_changed.emit(False)
        self.finished.emit(generation)
