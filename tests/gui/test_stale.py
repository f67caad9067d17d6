"""No panel shows figures of another picture or quality than the one it names."""

from __future__ import annotations

from PIL import Image

from nicgui.gui.views import CLASSIC, NO_CLASSIC, RECONSTRUCTION
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


def test_a_new_picture_leaves_no_comparison_of_the_last_one(qtbot, window, photo_file, photo, codec, tmp_path):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    window.compare_box.setCurrentIndex(window.compare_box.findData("jpeg"))
    qtbot.waitUntil(lambda: window.classic_outcome is not None, timeout=RESULT_TIMEOUT_MS)
    views = window.views
    assert views.boxes[CLASSIC].isVisible() and views.titles_text[CLASSIC].startswith("JPEG q")
    nic = tmp_path / "photo.nic"
    nic.write_bytes(codec.encode(photo, 50))
    drop(window, [nic])  # nothing has come back yet: the comparison of photo.png is gone already
    assert not views.boxes[CLASSIC].isVisible() and views.items[CLASSIC].image is None
    assert views.titles_text[CLASSIC] == NO_CLASSIC and window.readouts.header(1) == ""
    with qtbot.waitSignal(window.loaded_shown, timeout=RESULT_TIMEOUT_MS):
        pass
    assert not views.boxes[CLASSIC].isVisible() and views.titles_text[CLASSIC] == NO_CLASSIC
    assert views.titles_text[RECONSTRUCTION].startswith("Decoded .nic · quality 50")
    assert views.arrangement.rows * views.arrangement.cols <= 4 and window.readouts.header(1) == ""


def test_while_a_picture_opens_the_inspector_shows_nothing_of_the_last_one(qtbot, window, photo, tmp_path):
    a, b = tmp_path / "first.png", tmp_path / "second.png"
    Image.fromarray(photo).save(a)
    Image.fromarray(photo[::-1]).save(b)
    drop(window, [a, b])
    wait_result(qtbot, window, source="first.png")
    insp = window.inspector
    qtbot.waitUntil(lambda: insp.latents is not None, timeout=RESULT_TIMEOUT_MS)
    hist_range = insp.hist_plot.getPlotItem().getViewBox().viewRange()
    assert insp.map_label.text.startswith("Channel ")
    window.select(1)
    assert insp.summary.text() == "Opening second.png…"  # not "Open an image", under the last one's titles
    assert insp.hist_plot.getPlotItem().titleLabel.text == "Histogram of the channel's integer values"
    assert insp.map_label.text == "Channel values over the picture" and insp.where_label.text == "Where the bits go"
    assert len(insp.hist_bars.opts["height"]) == 0 and len(insp.bits_bars.opts["height"]) == 0
    assert insp.hist_plot.getPlotItem().getViewBox().viewRange() != hist_range
    assert "second.png" in window.info.text() and "first.png" not in window.info.text()
    with qtbot.waitSignal(window.loaded_shown, timeout=RESULT_TIMEOUT_MS):
        pass
    assert insp.summary.text() == "Computing the latents of second.png at quality 75…"
    wait_result(qtbot, window, source="second.png")
    assert insp.summary.text().startswith("Channel ")


def test_the_window_title_names_the_quality_shown(qtbot, window, photo_file, photo, codec, tmp_path):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    assert window.windowTitle() == "nicgui — photo.png · q75"
    window.slider.setValue(40)
    wait_result(qtbot, window, quality=40)
    assert window.windowTitle() == "nicgui — photo.png · q40"
    nic = tmp_path / "photo.nic"
    nic.write_bytes(codec.encode(photo, 50))
    with qtbot.waitSignal(window.loaded_shown, timeout=RESULT_TIMEOUT_MS):
        drop(window, [nic])
    assert window.windowTitle() == "nicgui — photo.nic · q50"
