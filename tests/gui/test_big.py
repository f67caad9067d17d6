"""Big pictures: after a slider move the part on screen is shown first, then the whole with its figures."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

import nicgui.app.view_work as view_work
from nicgui.app.results import WorkProgress
from nicgui.gui.views import RECONSTRUCTION
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def test_the_part_in_view_is_shown_first_then_replaced_by_the_whole(qtbot, window, photo_file, codec, monkeypatch):
    monkeypatch.setattr(view_work, "VIEW_FIRST_PIXELS", 0)  # the test picture counts as big
    monkeypatch.setattr(type(codec.model), "decoder_tile", 8)
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    window.views.boxes[0].setRange(QRectF(100, 20, 60, 40), padding=0)  # zoomed in on a part
    x0, y0, x1, y1 = window.views.visible_region()
    assert (x1 - x0) * (y1 - y0) < 0.5 * 192 * 128
    with qtbot.waitSignal(window.preview_shown, timeout=RESULT_TIMEOUT_MS) as got:
        window.slider.setValue(40)
    p = got.args[0]
    assert p.quality == 40 and window.views.patch_rect == p.rect
    px0, py0, px1, py1 = p.rect
    assert px0 <= x0 and py0 <= y0 and px1 >= x1 and py1 >= y1  # all of the view, in whole latents
    assert np.array_equal(window.views.patch.image, p.rgb)
    assert window.views.titles_text[RECONSTRUCTION].startswith("nicgui q40 · in view")
    assert window.outcome.quality == 75  # the figures still belong to the old result, and say so
    window.client.progress.emit(WorkProgress(p.generation, "decoding", 3, 24, 12.0))  # as the rest decodes
    assert (
        window.views.titles_text[RECONSTRUCTION]
        == "nicgui q40 · in view · decoding the rest, tile 3 of 24 · about 12 s left"
    )
    o = wait_result(qtbot, window, quality=40)
    assert window.views.patch_rect is None and window.views.titles_text[RECONSTRUCTION].startswith("nicgui q40 ·")
    assert np.abs(o.reconstruction.rgb[py0:py1, px0:px1].astype(int) - p.rgb.astype(int)).max() <= 1


def test_a_fitted_big_picture_shows_the_whole_before_its_figures(qtbot, window, photo_file, monkeypatch):
    monkeypatch.setattr(view_work, "VIEW_FIRST_PIXELS", 0)
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    shown: list[tuple[object, str, int]] = []
    window.preview_shown.connect(
        lambda p: shown.append((p.rect, window.views.titles_text[RECONSTRUCTION], window.outcome.quality))
    )
    window.slider.setValue(45)
    o = wait_result(qtbot, window, quality=45)
    # all of it in view: no part first, but the whole picture before the metrics are done
    assert shown == [((0, 0, 192, 128), "nicgui q45 · figures computing…", 75)]
    assert window.views.patch_rect is None and np.array_equal(window.views.items[RECONSTRUCTION].image, o.pixels)


def test_a_small_picture_is_shown_with_its_figures_in_one_go(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    shown: list[object] = []
    window.preview_shown.connect(shown.append)
    window.views.boxes[0].setRange(QRectF(100, 20, 60, 40), padding=0)
    window.slider.setValue(45)
    wait_result(qtbot, window, quality=45)
    assert shown == []


def test_a_big_picture_shows_its_first_reconstruction_before_its_figures(qtbot, window, photo_file, monkeypatch):
    monkeypatch.setattr(view_work, "VIEW_FIRST_PIXELS", 0)
    seen: list[tuple[object, object, str]] = []
    window.preview_shown.connect(
        lambda p: seen.append((p.rect, window.outcome, window.views.titles_text[RECONSTRUCTION]))
    )
    drop(window, [photo_file])
    o = wait_result(qtbot, window, quality=75)
    assert seen == [((0, 0, 192, 128), None, "nicgui q75 · figures computing…")]  # before any figures
    assert np.array_equal(window.views.items[RECONSTRUCTION].image, o.pixels)


def test_after_the_whole_came_early_the_labels_and_a_cancel_stay_true(qtbot, window, photo_file, monkeypatch):
    monkeypatch.setattr(view_work, "VIEW_FIRST_PIXELS", 0)
    drop(window, [photo_file])
    first = wait_result(qtbot, window, quality=75)
    titles: list[str] = []

    def on_preview(p) -> None:  # the whole q45 is on screen, its figures are not
        window.preview_shown.disconnect(on_preview)
        window.slider.setValue(50)  # another move: the picture shown is q45, the figures q75
        titles.append(window.views.titles_text[RECONSTRUCTION])
        window.client.cancel()

    window.preview_shown.connect(on_preview)
    with qtbot.waitSignal(window.client.cancelled, timeout=RESULT_TIMEOUT_MS):
        window.slider.setValue(45)
    assert titles == ["nicgui q45 · computing q50…"]
    # cancelled: back to the result whose figures are on screen, picture and label alike
    assert np.array_equal(window.views.items[RECONSTRUCTION].image, first.pixels)
    assert window.views.titles_text[RECONSTRUCTION].startswith("nicgui q75 ·") and window.outcome is first
