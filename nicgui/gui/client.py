"""The Qt bridge to the Qt-free application layer: the session's events as Qt signals on the GUI thread.

The session (``nicgui.app.session``) holds the state and the scheduler (``nicgui.app.scheduler``)
runs the work on its one model thread; this bridge only carries results from that thread to the GUI
thread (a queued Qt signal), gives the session a Qt timer for debouncing, and re-emits the session's
events as Qt signals for the widgets and for ``qtbot.waitSignal``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance, Slot

from nicgui.app.cache import ResultCache
from nicgui.app.evaluation import Evaluation
from nicgui.app.heatmaps import HeatmapKind
from nicgui.app.results import ModelReady
from nicgui.app.scheduler import Scheduler
from nicgui.app.session import Activity, Session, ViewState
from nicgui.app.source import Source
from nicgui.app.worker import RESULTS_BYTES, CodecFactory, Worker, default_codec_factory
from nicgui.codec.pictures import Picture
from nicgui.gui.colours import lookup_table

log = logging.getLogger(__name__)

DEBOUNCE_MS = 100
GIL_SWITCH_S = 0.001
SHUTDOWN_WAIT_S = 30.0  # work in flight stops at its next tile; a tile takes well under a second


class QtTimer:
    """The session's debounce timer as a single-shot QTimer (calls back on the GUI thread)."""

    def __init__(self, callback: Callable[[], None], interval_ms: int, parent: QObject) -> None:
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(callback)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_active(self) -> bool:
        return self._timer.isActive()


def _forwarder(qt_signal: SignalInstance) -> Callable[..., None]:
    """A strongly held callable that re-emits a session event as ``qt_signal`` (psygnal keeps only
    weak references to bound methods, and a PySide signal's ``emit`` is bound to a temporary)."""

    def forward(*args: object) -> None:
        qt_signal.emit(*args)

    return forward


class CodecClient(QObject):
    """Owns the session and its model thread; every signal here is emitted on the GUI thread."""

    ready = Signal(object)  # ModelReady
    loaded = Signal(object)  # Loaded
    outcome = Signal(object)  # Outcome (current generation only)
    classic = Signal(object)  # ClassicOutcome (current generation only)
    preview = Signal(object)  # Preview: the part on screen, ahead of the Outcome
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
    # Every message of the model thread, emitted there; the bridge's own slot receives it on the GUI
    # thread (a queued connection, as the bridge lives there). Other observers connect with
    # DirectConnection (they run on the model thread): a plain callable connected otherwise would be
    # called through Qt's queue after it was disconnected (PySide6 6.11, seen crashing under pytest-qt).
    delivered = Signal(object)

    def __init__(
        self,
        codec_factory: CodecFactory | None = None,
        device: str | None = None,
        threads: int | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scheduler = Scheduler()
        results: ResultCache[Evaluation] = ResultCache(RESULTS_BYTES)
        self.session = Session(self.scheduler, results, lambda cb: QtTimer(cb, debounce_ms, self))
        self._worker = Worker(
            codec_factory or default_codec_factory(),
            device,
            results,
            self.delivered.emit,
            self.scheduler.is_current,
            lookup_table("inferno"),
            threads,
        )
        self.delivered.connect(self._receive)
        s = self.session
        for name in (
            "ready", "loaded", "outcome", "classic", "preview", "source_stats", "failed", "saved", "batch_progress",
            "batch_done", "busy_changed", "progress", "cancelled", "stale_dropped", "finished",
        ):  # fmt: skip
            getattr(s, name).connect(_forwarder(getattr(self, name)))
        # The model thread runs Python between its numeric calls; the GUI thread should not wait the
        # default 5 ms for the interpreter lock each time it paints.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))

    @Slot(object)
    def _receive(self, message: object) -> None:
        self.session.receive(message)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start(self._worker)

    @property
    def running(self) -> bool:
        return self.scheduler.running

    def shutdown(self) -> bool:
        """Stop the model thread and wait for it: work in flight stops at its next tile."""
        ended = self.session.shutdown(SHUTDOWN_WAIT_S)
        if not ended:
            log.warning("the model thread did not stop within %.0f s", SHUTDOWN_WAIT_S)
        return ended

    # -- the session's state and wishes, for the widgets ------------------------------------------
    @property
    def state(self) -> ViewState:
        return self.session.state

    @state.setter
    def state(self, state: ViewState) -> None:
        """Set what to show without asking for it (restoring settings before a picture is open)."""
        self.session.state = state

    @property
    def model(self) -> ModelReady | None:
        return self.session.model

    @property
    def generation(self) -> int:
        return self.session.generation

    @property
    def settling(self) -> bool:
        return self.session.settling

    @property
    def busy(self) -> bool:
        return self.session.busy

    @property
    def activity(self) -> Activity:
        return self.session.activity

    def open(self, source: Source) -> None:
        self.session.open(source)

    def set_quality(self, quality: int, debounce: bool = True) -> None:
        self.session.set_quality(quality, debounce)

    def set_heatmap(self, kind: HeatmapKind) -> None:
        self.session.set_heatmap(kind)

    def set_compare(self, codec: str | None) -> None:
        self.session.set_compare(codec)

    def set_view(self, view: tuple[int, int, int, int] | None) -> None:
        self.session.set_view(view)

    def refresh(self) -> None:
        self.session.refresh()

    def cancel(self) -> None:
        self.session.cancel()

    def save(self, path: Path, payload: bytes | Picture | np.ndarray, overwrite: bool = False) -> int:
        return self.session.save(path, payload, overwrite)

    def batch(self, files: list[Path], out_dir: Path | None, quality: int, overwrite: bool) -> int:
        return self.session.batch(files, out_dir, quality, overwrite)

    def cancel_batch(self) -> None:
        self.session.cancel_batch()

    def set_device(self, device: str) -> None:
        self.session.set_device(device)

    def set_precision(self, precision: str) -> None:
        self.session.set_precision(precision)

    def set_model(self, model: str) -> None:
        self.session.set_model(model)
