"""The views: linked pan and zoom, fit and 1:1, split view keys, pixel readout, error maps,
comparison with a classical codec."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QApplication

from nicgui.app.heatmaps import HeatmapKind
from nicgui.codec import classic
from nicgui.codec.metrics import psnr, ssim_map
from nicgui.gui.views import CLASSIC
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def test_pan_and_zoom_are_linked_across_the_three_views(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    boxes = [b for b in window.views.boxes if b.isVisible()]  # the classical codec's shows when comparing
    assert len(boxes) == 3
    boxes[0].setRange(QRectF(10, 20, 60, 40), padding=0)
    rects = [b.viewRect() for b in boxes]
    assert all(abs(r.width() - rects[0].width()) < 1e-6 for r in rects)
    assert all(abs(r.center().x() - rects[0].center().x()) < 1e-6 for r in rects)
    boxes[2].translateBy(x=7, y=3)  # panning the heatmap moves the others
    assert abs(boxes[0].viewRect().left() - boxes[2].viewRect().left()) < 1e-6
    assert abs(boxes[1].viewRect().top() - boxes[2].viewRect().top()) < 1e-6


def test_fit_and_actual_pixels(qtbot, window, photo_file, photo):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    h, w, _ = photo.shape
    window.actual_action.trigger()
    assert window.views.zoom_factor() == pytest.approx(1.0, rel=1e-3)
    window.fit_action.trigger()
    r = window.views.boxes[0].viewRect()
    assert r.contains(QRectF(0, 0, w, h))
    assert r.width() < 1.5 * w or r.height() < 1.5 * h  # and it is not zoomed far out


def test_split_view_with_keys_1_2_3_and_0(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    window.activateWindow()
    v = window.views
    expected = {Qt.Key.Key_1: 1.0, Qt.Key.Key_2: 0.0, Qt.Key.Key_3: 0.5}
    for key, split in expected.items():
        qtbot.keyClick(window, key)
        assert v.mode == "split" and v.split_position == split
        assert window.mode_box.currentData() == "split"
    width = window.loaded.picture.width
    v.divider.setValue(0.25 * width)  # dragging the divider moves the clip
    assert v._clip.rect().left() == pytest.approx(0.25 * width)
    assert v.split_position == pytest.approx(0.25)
    qtbot.keyClick(window, Qt.Key.Key_0)
    assert v.mode == "side" and v.stack.currentIndex() == 0
    assert window.settings.view_mode == "side"


def test_pixel_values_under_the_cursor(qtbot, window, photo_file, photo):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    vb = window.views.boxes[1]
    scene_pos = vb.mapViewToScene(QPointF(5.5, 7.5))
    window.views.side.scene().sigMouseMoved.emit(scene_pos)
    text = window.cursor_label.text()
    assert text.startswith("x 5, y 7")
    assert "original " + " ".join(str(v) for v in photo[7, 5]) in text
    assert " ".join(str(v) for v in o.reconstruction.rgb[7, 5]) in text
    assert f"|error| {o.heatmap.values[7, 5]:.1f}" in text
    window.views.side.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(-50, -50)))
    assert window.cursor_label.text() == ""


def test_error_map_switches_between_absolute_error_and_ssim(qtbot, window, photo_file, photo):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    assert o.heatmap.kind is HeatmapKind.ABS
    expected_abs = np.abs(photo.astype(np.float32) - o.reconstruction.rgb.astype(np.float32)).mean(2)
    assert np.allclose(o.heatmap.values, expected_abs)
    window.heatmap_box.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: window.outcome.heatmap.kind is HeatmapKind.SSIM and not window.client.busy, timeout=RESULT_TIMEOUT_MS
    )
    heat = window.outcome.heatmap
    assert np.allclose(heat.values, ssim_map(photo, o.reconstruction.rgb), atol=1e-5)
    assert np.array_equal(window.views.items[2].image, heat.rgb)
    assert tuple(window.views.colour_bar.levels()) == (0.0, 1.0)
    assert window.settings.heatmap is HeatmapKind.SSIM
    assert "SSIM" in window.views.titles_text[2]


@pytest.mark.skipif(not classic.available("jpeg"), reason="Pillow without JPEG")
def test_compare_with_jpeg_at_the_same_size(qtbot, window, photo_file, photo):
    drop(window, [photo_file])
    o = wait_result(qtbot, window, quality=75)
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as shown:
        window.compare_box.setCurrentIndex(window.compare_box.findData("jpeg"))
    c = shown.args[0]
    assert c.codec == "jpeg" and c.quality == 75 and c.size <= o.size
    assert window.readouts.header(1) == f"JPEG q{c.codec_quality}"
    assert window.readouts.value("psnr", 1) == f"{psnr(photo, c.rgb):.2f} dB"
    assert window.readouts.value("size", 1).startswith(f"{c.size:,} B")
    assert window.readouts.header(0) == "nicgui q75"  # nicgui's column stays
    # the classical picture stands beside nicgui's, in a view of its own
    assert np.array_equal(window.views.items[CLASSIC].image, c.rgb)
    assert np.array_equal(window.views.items[1].image, o.reconstruction.rgb)
    assert window.views.titles_text[CLASSIC].startswith("JPEG") and window.views.boxes[CLASSIC].isVisible()
    window.show_classic.trigger()  # the error view shows the classical codec's map instead
    assert window.views.heatmap is c.heatmap and "JPEG" in window.views.titles_text[2]
    window.show_classic.trigger()
    assert window.views.heatmap is window.outcome.heatmap
    window.slider.setValue(30)  # a new size: a new comparison
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as again:
        pass
    assert again.args[0].quality == 30 and again.args[0].size <= window.outcome.size
    window.compare_box.setCurrentIndex(0)
    assert window.readouts.header(1) == ""
    assert np.array_equal(window.views.items[1].image, window.outcome.reconstruction.rgb)
    assert not window.views.boxes[CLASSIC].isVisible()


def test_compare_with_jpeg_xl(qtbot, window, photo_file):
    drop(window, [photo_file])
    o = wait_result(qtbot, window, quality=75)
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as shown:
        window.compare_box.setCurrentIndex(window.compare_box.findData("jxl"))
    c = shown.args[0]
    assert c.codec == "jxl" and c.size <= o.size
    assert window.readouts.header(1).startswith("JPEG XL q")


def test_device_menu_offers_only_what_exists(window):
    import torch

    assert window.device_actions["cpu"].isChecked()
    assert window.device_actions["cuda"].isEnabled() == torch.cuda.is_available()
    assert "on cpu" in window.device_label.text()
    assert window.model.precision in window.device_label.text()  # the arithmetic is named too
    assert window.model.precision in ("float32", "bfloat16")


def test_readout_rows_explain_themselves(window):
    from nicgui.gui.readouts import ROWS

    tips = {key: tip for key, _, tip in ROWS}
    assert "bits" in tips["bpp"].lower() and "pixel" in tips["bpp"].lower()
    assert "dB" in tips["psnr"] and "structural similarity" in tips["ssim"].lower()
    assert "1 means identical" in tips["ssim"]


def test_number_keys_reach_the_views_from_the_start(qtbot, window, photo_file):
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is window.empty  # not a spin box that would swallow digits
    drop(window, [photo_file])
    wait_result(qtbot, window)
    target = QApplication.focusWidget()
    assert target is window.views.side
    qtbot.keyClick(target, Qt.Key.Key_2)  # typed where the focus is, as a user would
    assert window.views.mode == "split" and window.views.split_position == 0.0


def test_auto_range_keeps_small_errors_visible_and_the_bar_follows(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    window.slider.setValue(100)
    wait_result(qtbot, window, quality=100)
    fixed = window.outcome.heatmap
    window.heatmap_box.setCurrentIndex(window.heatmap_box.findData(HeatmapKind.ABS_AUTO.value))
    qtbot.waitUntil(lambda: window.outcome.heatmap.kind is HeatmapKind.ABS_AUTO, timeout=RESULT_TIMEOUT_MS)
    auto = window.outcome.heatmap
    assert auto.levels[1] < fixed.levels[1]  # at quality 100 errors are small: the scale shrinks to them
    assert auto.rgb.astype(int).mean() > fixed.rgb.astype(int).mean()  # so the map is brighter
    assert tuple(window.views.colour_bar.levels()) == pytest.approx(auto.levels)


def test_no_colour_bar_without_an_error_map(qtbot, window):
    window.views.set_heatmap(None)
    assert not window.views.colour_bar.isVisible()


def test_transparent_pixels_show_a_checkerboard(qtbot, window, tmp_path, photo):
    from PIL import Image

    rgba = np.concatenate([photo, np.zeros((*photo.shape[:2], 1), np.uint8)], 2)
    rgba[:, : photo.shape[1] // 2, 3] = 255  # left half opaque, right half transparent
    path = tmp_path / "half.png"
    Image.fromarray(rgba).save(path)
    drop(window, [path])
    wait_result(qtbot, window)
    shown = window.views.items[0].image
    w = photo.shape[1]
    assert np.array_equal(shown[:, : w // 2], photo[:, : w // 2])  # opaque: the picture itself
    right = shown[:, w // 2 :].astype(int)
    assert set(np.unique(right)) <= {153, 204} and len(np.unique(right)) == 2  # the checkerboard


def test_switching_layouts_refits_instead_of_shrinking(qtbot, window, photo_file, photo):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    h, w, _ = photo.shape
    window.fit_action.trigger()
    QApplication.processEvents()  # the deferred refit of the new layout

    def shown_area() -> float:
        vb = window.views._active_boxes()[0]
        r = vb.viewRect()
        return min(r.width(), w) * min(r.height(), h) / (r.width() * r.height())  # picture's share of the view

    first = shown_area()
    for _ in range(3):
        window.split_both.trigger()
        QApplication.processEvents()
        window.side_action.trigger()
        QApplication.processEvents()
    assert shown_area() == pytest.approx(first, rel=0.02)


def test_a_zoomed_view_keeps_its_magnification_across_layouts(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    window.actual_action.trigger()
    before = window.views.zoom_factor()
    window.split_both.trigger()
    window.side_action.trigger()
    assert window.views.zoom_factor() == pytest.approx(before, rel=0.02)


def test_landscape_pictures_fill_a_2x2_grid_and_portrait_ones_a_row(qtbot, window, photo_file, photo, tmp_path):
    from PIL import Image

    drop(window, [photo_file])  # 192 x 128: landscape
    wait_result(qtbot, window)
    assert window.views.grid
    portrait = tmp_path / "portrait.png"
    Image.fromarray(np.ascontiguousarray(photo.transpose(1, 0, 2))).save(portrait)
    drop(window, [portrait])
    wait_result(qtbot, window, source="portrait.png")
    assert not window.views.grid


@pytest.mark.skipif(not classic.available("webp"), reason="Pillow without WebP")
def test_split_wipe_between_nicgui_and_the_classical_codec(qtbot, window, photo_file):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as shown:
        window.compare_box.setCurrentIndex(window.compare_box.findData("webp"))
    window.split_classic.trigger()
    assert window.views.mode == "split"
    assert np.array_equal(window.views.split_original.image, o.reconstruction.rgb)
    assert np.array_equal(window.views.split_reconstruction.image, shown.args[0].rgb)
    assert "nicgui" in window.views.split_title.text() and "WebP" in window.views.split_title.text()
    window.split_both.trigger()  # back to original | nicgui
    assert window.views.split_reconstruction.image is not None
    assert np.array_equal(window.views.split_reconstruction.image, o.reconstruction.rgb)


def test_exports_say_which_codec_and_quality_they_are(qtbot, window, photo_file, monkeypatch):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    asked = []
    monkeypatch.setattr(window, "_ask_path", lambda title, suggested, f, s: asked.append(suggested))
    window.export_png()
    window.export_heatmap()
    assert asked == ["photo.nicgui-q75.png", "photo.error-abs-nicgui-q75.png"]


def test_frame_views_and_plots_share_one_dark_theme(window):
    from PySide6.QtGui import QColor, QPalette

    from nicgui.gui import theme

    palette = QApplication.instance().palette()
    assert palette.color(QPalette.ColorRole.Window).name() == theme.PANEL
    backgrounds = {
        window.views.side.backgroundBrush().color().name(),
        window.inspector.hist_plot.backgroundBrush().color().name(),
        window.inspector.bits_plot.backgroundBrush().color().name(),
    }
    assert backgrounds == {theme.BACKGROUND}  # no pure-black plots beside the grey views
    text = palette.color(QPalette.ColorRole.WindowText)
    assert text.lightness() - QColor(theme.PANEL).lightness() > 150  # light text on the dark frame
