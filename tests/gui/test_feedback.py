"""What the window tells a user while they work: the keyboard shortcuts (F1), the zoom level, a
highlight while files are dragged over it, and a progress bar for waits of more than a second."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nicgui.app.results import Loaded, WorkProgress, WorkStage
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, model_thread_held, wait_result


def native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def test_f1_lists_every_shortcut_the_window_has(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.shortcuts_dialog is not None and window.shortcuts_dialog.isVisible())
    text = window.shortcuts_label.text()
    for keys, what in (("Ctrl+O", "Open"), ("Ctrl+0", "Fit to window"), ("Ctrl+1", "Actual pixels (1:1)"),
                       ("4", "Split: nicgui vs classical codec"), ("PgDown", "Next file"), ("F1", "Keyboard shortcuts"),
                       ("C", "Error map of the classical codec")):  # fmt: skip
        assert f"<b>{native(keys)}</b></td><td>{what}</td>" in text
    with_keys = [a for a in window.actions() if not a.shortcut().isEmpty()]
    assert len(with_keys) > 15 and all(f"<b>{native(a.shortcut().toString())}</b>" in text for a in with_keys)
    assert window.shortcuts_action in window.menuBar().actions()[-1].menu().actions()  # Help ▸ Keyboard shortcuts


def test_the_zoom_level_is_shown_and_follows_the_zoom(qtbot, window, photo_file):
    assert window.zoom_label.text() == ""  # no picture, no zoom
    drop(window, [photo_file])
    wait_result(qtbot, window)
    assert window.zoom_label.text().startswith("fit · ") and window.zoom_label.text().endswith(" %")
    window.actual_action.trigger()
    assert window.zoom_label.text() == "100 %"
    window.views.boxes[0].scaleBy((0.5, 0.5))  # as the wheel zooms in
    window.views._zoomed_by_hand()
    assert window.zoom_label.text() == "200 %"
    window.fit_action.trigger()
    assert window.zoom_label.text().startswith("fit · ")
    window.split_both.trigger()  # the split view's own zoom
    qtbot.waitUntil(lambda: window.zoom_label.text() == window.views.zoom_text())
    assert window.zoom_label.isVisible()


def _drag_enter(window, mime: QMimeData) -> QDragEnterEvent:
    enter = QDragEnterEvent(
        QPoint(window.width() // 2, window.height() // 2),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    return enter


def test_files_dragged_over_the_window_light_it_up_until_they_leave_or_drop(qtbot, window, photo_file):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo_file))])
    assert not window.drop_highlight.isVisible()
    assert _drag_enter(window, mime).isAccepted()
    assert window.drop_highlight.isVisible() and "Drop" in window.drop_highlight.text()
    area = window.centralWidget().rect()
    assert window.drop_highlight.width() > area.width() * 0.9 and window.drop_highlight.height() > area.height() * 0.9
    QApplication.sendEvent(window, QDragLeaveEvent())
    assert not window.drop_highlight.isVisible()

    text = QMimeData()
    text.setText("hello")
    assert not _drag_enter(window, text).isAccepted()
    assert not window.drop_highlight.isVisible()  # nothing to open: no promise of it

    assert drop(window, [photo_file])
    assert not window.drop_highlight.isVisible()
    wait_result(qtbot, window)


def test_a_wait_of_more_than_a_second_gets_a_progress_bar(qtbot, window, photo_file):
    with model_thread_held(window.client, lambda m: isinstance(m, Loaded)) as held:
        drop(window, [photo_file])
        qtbot.waitUntil(held.is_set, timeout=RESULT_TIMEOUT_MS)
        qtbot.waitUntil(lambda: window.client.busy)
        assert not window.progress_bar.isVisible()  # a short wait does not flash a bar
        qtbot.waitUntil(window.progress_bar.isVisible, timeout=5000)  # once it has lasted a second
        assert window.progress_bar.maximum() == 0  # busy: nothing said yet of how far it got
        gen = window.client.generation
        window.client.progress.emit(WorkProgress(gen, WorkStage.DECODING, 3, 12, 4.0))
        assert (window.progress_bar.value(), window.progress_bar.maximum()) == (3, 12)
        assert window.progress_bar.text() == "25%"
        assert window.progress_bar.toolTip() == "Decoding: tile 3 of 12 · about 4 s left"
    wait_result(qtbot, window)
    assert not window.progress_bar.isVisible()
