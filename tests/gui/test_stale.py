"""No panel shows figures of another picture or quality than the one it names."""

from __future__ import annotations

from PIL import Image

from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def test_opening_another_file_clears_every_panel_at_once(qtbot, window, photo, tmp_path):
    a, b = tmp_path / "first.png", tmp_path / "second.png"
    Image.fromarray(photo).save(a)
    Image.fromarray(photo[::-1]).save(b)
    drop(window, [a, b])
    wait_result(qtbot, window, source="first.png")
    qtbot.waitUntil(lambda: window.inspector.latents is not None, timeout=RESULT_TIMEOUT_MS)
    window.cursor_label.setText("x 10 y 10")
    psnr_first = window.readouts.value("psnr")
    assert psnr_first.endswith("dB")
    window.select(1)  # nothing has come back from the worker yet: every panel must say so
    assert "second.png" in window.readouts.header(0) and "working" in window.readouts.header(0)
    assert window.readouts.value("psnr") != psnr_first
    assert window.inspector.latents is None
    assert window.cursor_label.text() == ""
    assert "second.png" in window.windowTitle()
    assert not window.save_action.isEnabled()
    wait_result(qtbot, window, source="second.png")
    assert window.readouts.header(0).startswith("nicgui q")


def test_a_slider_move_labels_the_old_picture_until_the_new_one_arrives(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    window.slider.setValue(30)
    assert "computing q30" in window.readouts.header(0) and "q75" in window.readouts.header(0)
    assert "computing q30" in window.views._titles[1]
    wait_result(qtbot, window, quality=30)
    assert window.readouts.header(0) == "nicgui q30"
