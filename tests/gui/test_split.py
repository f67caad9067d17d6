"""The split view: the divider stays in view when the picture is zoomed or panned, and the cursor
readout of the nicgui | classical wipe names both codecs' values."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF

from nicgui.codec import classic
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def _on_screen(views) -> bool:
    """Whether the divider is drawn inside the split view's area, away from its edges."""
    box = views.split_box
    x = box.mapViewToScene(QPointF(views.divider.value(), 0)).x()
    rect = box.sceneBoundingRect()
    return rect.left() + 0.02 * rect.width() < x < rect.right() - 0.02 * rect.width()


def test_the_divider_stays_in_view_after_zoom_and_pan(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    views = window.views
    window.split_both.trigger()
    qtbot.waitUntil(lambda: views.split_box.width() > 100)
    w, h = views._size
    assert _on_screen(views)
    views.split_box.setRange(QRectF(0, 0, w * 0.2, h * 0.2), padding=0)  # zoomed in at the left: the middle is off
    assert _on_screen(views)
    assert 0 < views.split_position < 0.4 and views._clip.rect().left() == pytest.approx(views.divider.value())
    views.split_box.setRange(QRectF(w * 0.7, h * 0.5, w * 0.25, h * 0.25), padding=0)  # panned to the right
    assert _on_screen(views) and views.split_position > 0.6
    window.split_both.trigger()  # key 3 again: the middle is off screen, the divider comes into view
    assert _on_screen(views)


def test_keys_1_and_2_keep_one_picture_whole_when_zoomed(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    views = window.views
    w, h = views._size
    for action, at in ((window.split_original, 1.0), (window.split_reconstruction, 0.0)):
        action.trigger()
        views.split_box.setRange(QRectF(w * 0.3, h * 0.3, w * 0.2, h * 0.2), padding=0)
        assert views.split_position == at and views.divider.value() == at * w


@pytest.mark.skipif(not classic.available("jpeg"), reason="Pillow without JPEG")
def test_the_wipe_readout_names_the_classical_codecs_values(qtbot, window, photo_file, photo):
    drop(window, [photo_file])
    o = wait_result(qtbot, window, quality=75)
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as shown:
        window.compare_box.setCurrentIndex(window.compare_box.findData("jpeg"))
    c = shown.args[0]
    window.split_classic.trigger()  # key 4: nicgui | JPEG
    views = window.views
    qtbot.waitUntil(lambda: views.split_box.width() > 100)
    views.split.scene().sigMouseMoved.emit(views.split_box.mapViewToScene(QPointF(5.5, 7.5)))
    text = window.cursor_label.text()
    assert text.startswith("x 5, y 7")
    assert "nicgui q75 " + " ".join(str(v) for v in o.reconstruction.rgb[7, 5]) in text
    assert f"JPEG q{c.codec_quality} " + " ".join(str(v) for v in c.rgb[7, 5]) in text
