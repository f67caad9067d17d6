"""What the window says, word for word: counts, model names, titles, error lines and status tips."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QEvent
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def test_the_batch_dialog_counts_one_image_as_one(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    window.open_batch()
    assert window.batch_dialog.from_list.text() == "The open file list (1 image)"
    window.batch_dialog.close()


def test_the_model_menu_names_each_model_once(window):
    assert window.model_actions["default"].text() == "default  (mean-scale)"
    assert window.model_actions["theis-cae-s"].text() == "theis-cae-s  (theis-cae)"


def test_a_nic_file_names_its_model_once(qtbot, window, codec, photo, tmp_path):
    nic = tmp_path / "photo.nic"
    nic.write_bytes(codec.encode(photo, 50))
    with qtbot.waitSignal(window.loaded_shown, timeout=RESULT_TIMEOUT_MS):
        drop(window, [nic])
    info = window.info.text()
    assert info.count("theis-cae-s") == 1 and "quality 50, made with model theis-cae-s (" in info


def test_a_truncated_image_is_reported_without_a_byte_count(qtbot, window, photo, tmp_path):
    data = io.BytesIO()
    Image.fromarray(photo).save(data, "JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    drop(window, [cut])
    qtbot.waitUntil(lambda: "cut.jpg" in window.message.text(), timeout=RESULT_TIMEOUT_MS)
    assert window.message.text() == "cut.jpg: cannot read image: image file is truncated"


def test_a_status_tip_goes_when_the_pointer_leaves(window):
    tip = window.open_action.statusTip()
    QApplication.sendEvent(window, QStatusTipEvent(tip))  # as the hovered Open button does
    assert window.statusBar().currentMessage() == tip
    QApplication.sendEvent(window, QEvent(QEvent.Type.Leave))  # the pointer left the window
    assert window.statusBar().currentMessage() == ""
    QApplication.sendEvent(window, QStatusTipEvent(tip))
    window.menuBar().actions()[0].menu().aboutToHide.emit()  # a menu closed under its hovered entry
    assert window.statusBar().currentMessage() == ""
    window.statusBar().showMessage("Saved x.nic", 8000)  # other messages stay
    QApplication.sendEvent(window, QEvent(QEvent.Type.Leave))
    assert window.statusBar().currentMessage() == "Saved x.nic"
