"""Long work reports progress, and stops between tiles when overtaken, cancelled or the window closes."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image

import nicgui.codec.api as api
from nicgui.app.results import Loaded, WorkProgress
from nicgui.codec.progress import Cancelled
from nicgui.gui.views import RECONSTRUCTION
from tests.conftest import synthetic_photo
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, model_thread_held, wait_result


@pytest.fixture
def many_tiles(monkeypatch, codec):
    """Small tiles, so a modest picture takes many of them (as a 24 MP one does at full size), in the
    encoder and in the decoder: whenever a test acts, tiles of work are still to come."""
    monkeypatch.setattr(api, "ENCODER_TILE", 64)
    monkeypatch.setattr(type(codec.model), "decoder_tile", 8)


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "big.png"
    Image.fromarray(np.tile(synthetic_photo(128, 192), (6, 6, 1))).save(path)  # 768 x 1152
    return path


def test_the_codec_reports_every_tile_and_stops_when_told(codec, many_tiles):
    calls = []

    def progress(stage, done, total):
        calls.append((stage, done, total))
        if done == 3:
            raise Cancelled("enough")

    with pytest.raises(Cancelled):
        codec.analyse(synthetic_photo(256, 256), progress)
    assert calls == [("encoding", 1, 16), ("encoding", 2, 16), ("encoding", 3, 16)]


def test_opening_another_file_cancels_long_work_within_half_a_second(qtbot, window, big_file, photo_file, many_tiles):
    with qtbot.waitSignal(window.client.progress, timeout=RESULT_TIMEOUT_MS) as first:
        drop(window, [big_file])
    assert first.args[0].stage == "encoding" and first.args[0].total > 100
    assert "tile" in window.busy_label.text() and window.cancel_button.isVisible()
    overtaken = window.client.generation
    t0 = time.perf_counter()
    with qtbot.waitSignal(window.client.finished, timeout=RESULT_TIMEOUT_MS,
                          check_params_cb=lambda g: g == overtaken):  # fmt: skip
        drop(window, [photo_file])
    assert time.perf_counter() - t0 < 0.5
    wait_result(qtbot, window, source=photo_file.name)


def test_the_cancel_button_stops_the_work(qtbot, window, big_file, many_tiles):
    with qtbot.waitSignal(window.client.progress, timeout=RESULT_TIMEOUT_MS):
        drop(window, [big_file])
    generation = window.client.generation
    with qtbot.waitSignal(window.client.finished, timeout=RESULT_TIMEOUT_MS,
                          check_params_cb=lambda g: g == generation):  # fmt: skip
        window.cancel_button.click()
    assert not window.client.busy and not window.busy_label.isVisible()
    assert "Cancelled" in window.message.text()


def test_closing_the_window_stops_long_work_at_the_next_tile(qtbot, make_window, big_file, many_tiles):
    w = make_window()
    with qtbot.waitSignal(w.client.progress, timeout=RESULT_TIMEOUT_MS):
        drop(w, [big_file])
    t0 = time.perf_counter()
    w.close()
    assert not w.client.running  # closing waited for the model thread
    assert time.perf_counter() - t0 < 1.0


def test_after_a_cancel_every_label_says_what_is_going_on(qtbot, window, photo_file):
    with model_thread_held(window.client, lambda m: isinstance(m, Loaded)) as held:
        drop(window, [photo_file])
        qtbot.waitUntil(lambda: held.is_set() and window.loaded is not None, timeout=RESULT_TIMEOUT_MS)
        assert window.views.titles_text[RECONSTRUCTION] == "Reconstruction q75 · working…"
        with qtbot.waitSignal(window.client.cancelled, timeout=RESULT_TIMEOUT_MS):
            window.client.cancel()  # the Cancel button's slot
        assert window.message.text().startswith("Cancelled")
        assert window.views.titles_text[RECONSTRUCTION] == "Reconstruction q75 · cancelled"
        assert window.readouts.header(0) == "nicgui q75 · cancelled"  # nothing runs: not "working…"
        assert not window.busy_label.isVisible()
    window.slider.setValue(40)  # the restart, at another quality
    assert window.message.text() == ""  # the banner went with the cancelled state
    assert window.views.titles_text[RECONSTRUCTION] == "Reconstruction q40 · working…"
    assert window.readouts.header(0) == "nicgui q40 · working…"
    wait_result(qtbot, window, quality=40)
    assert window.message.text() == "" and window.readouts.header(0) == "nicgui q40"
    assert window.views.titles_text[RECONSTRUCTION].startswith("nicgui q40 ·")


def test_a_cancelled_quality_change_goes_back_to_the_labels_of_the_result_shown(qtbot, window, photo_file, many_tiles):
    drop(window, [photo_file])
    first = wait_result(qtbot, window, quality=75)
    with model_thread_held(window.client, lambda m: isinstance(m, WorkProgress)) as held:
        window.slider.setValue(30)
        assert window.readouts.header(0) == "nicgui q75 · computing q30…"
        qtbot.waitUntil(held.is_set, timeout=RESULT_TIMEOUT_MS)
        with qtbot.waitSignal(window.client.cancelled, timeout=RESULT_TIMEOUT_MS):
            window.client.cancel()
        assert window.readouts.header(0) == "nicgui q75"  # the figures on screen are q75's, nothing computes
        assert window.views.titles_text[RECONSTRUCTION].startswith("nicgui q75 ·") and window.outcome is first
    window.slider.setValue(35)
    assert window.message.text() == ""
    wait_result(qtbot, window, quality=35)
    assert window.message.text() == ""
