"""GUI fixtures: a window on the shared CPU codec, with settings in a temporary file.

QSettings' default locations are pointed into the test's temporary folder as well, so nothing a
test does can reach the user's own settings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from nicgui.gui.client import CodecClient
from nicgui.gui.settings import ENV_FILE, Settings, file_qsettings
from nicgui.gui.window import MainWindow

RESULT_TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def _sandboxed_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = tmp_path / "qsettings"
    sandbox.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(sandbox))
    monkeypatch.setenv(ENV_FILE, str(sandbox / "env.ini"))


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def settings(settings_path: Path) -> Settings:
    return Settings(file_qsettings(settings_path))


@pytest.fixture
def make_window(qtbot, codec, settings):
    """Builds windows on the shared codec; each is closed and its worker thread checked at the end."""
    made: list[MainWindow] = []

    def make(factory=None, settings_: Settings | None = None) -> MainWindow:
        client = CodecClient(factory or (lambda device: codec))
        chosen = settings_ or settings
        restored = chosen.geometry is not None
        w = MainWindow(client, chosen)
        if not restored:
            w.resize(1200, 800)
        w.show()
        made.append(w)
        if factory is None:
            qtbot.waitUntil(lambda: client.model is not None, timeout=RESULT_TIMEOUT_MS)
        return w

    yield make
    for w in made:
        w.close()
        assert not w.client.running, "the model thread did not stop"


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()


@pytest.fixture
def photo_file(tmp_path: Path, photo: np.ndarray) -> Path:
    path = tmp_path / "photo.png"
    Image.fromarray(photo).save(path)
    return path


def wait_result(qtbot, window: MainWindow, quality: int | None = None, source: str | None = None):
    """Wait until a result (at ``quality``, for the file named ``source``) is on screen; returns it."""

    def ok() -> bool:
        o = window.outcome
        if o is None or window.client.busy or (window.inspector_pending and window.inspector.isVisible()):
            return False
        if quality is not None and o.quality != quality:
            return False
        return source is None or (window.loaded is not None and window.loaded.source.name == source)

    qtbot.waitUntil(ok, timeout=RESULT_TIMEOUT_MS)
    return window.outcome


def drop(window, paths: list[Path] | None = None, image: QImage | None = None) -> bool:
    """Deliver a drag-enter and a drop with these files (or this image) to the window, as Qt would."""
    mime = QMimeData()
    if paths:
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    if image is not None:
        mime.setImageData(image)
    pos = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(
        pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    ev = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, ev)
    return ev.isAccepted()


@contextmanager
def model_thread_held(client: CodecClient, when: Callable[[object], bool]) -> Iterator[threading.Event]:
    """Hold the model thread at the first message it delivers for which ``when`` is true, until the block ends.

    Yields an event that is set once the thread is held: what the test does meanwhile happens while the
    model thread is known to be mid-request, not whenever the scheduler happens to wake it.
    """
    held = threading.Event()
    release = threading.Event()

    def hold(m: object) -> None:  # runs on the model thread as it delivers ``m``
        if not held.is_set() and when(m):
            held.set()
            release.wait(RESULT_TIMEOUT_MS / 1000)

    client.delivered.connect(hold, Qt.ConnectionType.DirectConnection)
    try:
        yield held
    finally:
        release.set()
        client.delivered.disconnect(hold)
