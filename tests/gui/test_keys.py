"""Keys: page keys move a focused slider, digits typed into the quality box are text, and 1:1
means one picture pixel per physical pixel on a high-DPI screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.conftest import drop, wait_result


@pytest.fixture
def two_files(tmp_path, photo):
    from PIL import Image

    paths = []
    for i in range(2):
        p = tmp_path / f"p{i}.png"
        Image.fromarray(photo[:, ::-1] if i else photo).save(p)
        paths.append(p)
    return paths


def test_page_keys_move_a_focused_slider_and_switch_files_elsewhere(qtbot, window, two_files):
    drop(window, two_files)
    wait_result(qtbot, window)
    window.slider.setValue(50)
    window.slider.setFocus()
    qtbot.waitUntil(lambda: window.slider.hasFocus())
    index = window.index
    window.next_action.trigger()  # what the PgDown shortcut does
    assert window.index == index and window.slider.value() != 50
    window.views.setFocus()
    qtbot.waitUntil(lambda: not window.slider.hasFocus())
    window.next_action.trigger()
    assert window.index != index


def test_digits_typed_into_the_quality_box_set_the_quality(qtbot, window, two_files):
    drop(window, two_files)
    wait_result(qtbot, window)
    mode = window.views.mode
    window.spin.setFocus()
    qtbot.waitUntil(lambda: window.spin.hasFocus())
    window.spin.lineEdit().selectAll()
    window.split_original.trigger()  # the "1" shortcut, while typing
    window.split_reconstruction.trigger()  # "2"
    QTest.keyClick(window.spin, Qt.Key.Key_Enter)
    assert window.spin.value() == 12 and window.views.mode == mode


def test_actual_pixels_on_a_2x_screen(qtbot, window, photo_file, monkeypatch):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    monkeypatch.setattr(type(window.views), "devicePixelRatioF", lambda self: 2.0)
    window.actual_action.trigger()
    vb = window.views._active_boxes()[0]
    assert vb.viewRect().width() == pytest.approx(vb.width() * 2, rel=1e-3)  # twice the logical width
    assert window.views.zoom_factor() == pytest.approx(1.0, rel=1e-3)
