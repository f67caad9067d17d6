"""The quality slider: live updates, debouncing, generations, stale results, caches."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from nicgui.app.results import Finished, Outcome
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, model_thread_held, wait_result


def test_moving_the_slider_updates_the_result_and_readouts(qtbot, window, photo_file, codec):
    drop(window, [photo_file])
    first = wait_result(qtbot, window, quality=75)
    window.slider.setValue(30)
    o = wait_result(qtbot, window, quality=30)
    assert window.spin.value() == 30
    assert window.readouts.header(0) == "nicgui q30"
    assert o.size < first.size  # a lower quality makes a smaller file
    assert window.readouts.value("size").startswith(f"{o.size:,} B")
    assert window.views.titles_text[1].startswith("nicgui q30")
    # what is on screen is what the .nic at that quality decodes to
    assert np.array_equal(codec.decode(o.data).rgb, window.views.items[1].image)


def test_the_spin_box_moves_the_slider(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    window.spin.setValue(64)
    assert window.slider.value() == 64
    wait_result(qtbot, window, quality=64)


def test_slider_moves_are_debounced_and_only_the_last_one_is_shown(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    shown: list[int] = []
    window.result_shown.connect(lambda o: shown.append(o.quality))
    before = window.client.generation
    for q in range(10, 60, 5):  # a drag: many values within the debounce interval
        window.slider.setValue(q)
    assert window.client.generation == before + 1  # the first value went out at once, the rest wait
    wait_result(qtbot, window, quality=55)
    assert shown[-1] == 55 and set(shown) <= {10, 55}
    assert window.client.generation == before + 2  # one more request for the rest of the drag


def test_a_step_goes_out_at_once_when_the_result_is_shown_but_the_worker_not_done(qtbot, window, photo_file):
    """The worker reports 'finished' after the outcome; a move in between must not wait for the debounce."""
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    with model_thread_held(window.client, lambda m: isinstance(m, Outcome)):  # after the outcome is queued
        window.slider.setValue(40)
        qtbot.waitUntil(lambda: window.outcome.quality == 40, timeout=RESULT_TIMEOUT_MS)
        qtbot.waitUntil(lambda: not window.client.settling, timeout=RESULT_TIMEOUT_MS)  # no drag in progress
        assert window.client.busy  # the worker has not said it is finished
        before = window.client.generation
        window.slider.setValue(45)
        assert window.client.generation == before + 1  # sent at once, not after the debounce
    wait_result(qtbot, window, quality=45)


def test_a_stale_result_is_dropped(qtbot, window, photo_file):
    drop(window, [photo_file])
    old = wait_result(qtbot, window, quality=75)
    window.slider.setValue(40)
    new = wait_result(qtbot, window, quality=40)
    assert new.generation > old.generation
    dropped: list[int] = []
    window.client.stale_dropped.connect(dropped.append)
    window.client.delivered.emit(old)  # the model thread delivers a result of an older generation late
    assert dropped == [old.generation]
    assert window.outcome is new
    assert window.readouts.header(0) == "nicgui q40"
    assert np.array_equal(window.views.items[1].image, new.reconstruction.rgb)


def test_requests_overtaken_before_they_start_are_skipped(qtbot, window, photo_file):
    """While the model thread works on one request, of two newer ones only the newest ever starts."""
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    finished: list[int] = []
    window.client.delivered.connect(
        lambda m: isinstance(m, Finished) and finished.append(m.generation), Qt.ConnectionType.DirectConnection
    )
    shown: list[int] = []
    window.result_shown.connect(lambda o: shown.append(o.quality))
    before = window.client.generation
    gens = []
    with model_thread_held(window.client, lambda m: getattr(m, "generation", 0) > before) as held:
        window.client.set_quality(11, debounce=False)
        gens.append(window.client.generation)
        assert held.wait(RESULT_TIMEOUT_MS / 1000)  # the model thread has started on q11
        for q in (22, 33):  # no debounce: both queue up behind it
            window.client.set_quality(q, debounce=False)
            gens.append(window.client.generation)
    window.slider.blockSignals(True)
    window.slider.setValue(33)
    window.slider.blockSignals(False)
    wait_result(qtbot, window, quality=33)
    qtbot.waitUntil(lambda: gens[2] in finished, timeout=RESULT_TIMEOUT_MS)
    assert gens[0] in finished  # started, then overtaken
    assert gens[1] not in finished  # replaced in the queue by the newer request: never started
    assert shown == [33]


def test_moving_back_is_instant_from_recent_results(qtbot, window, photo_file):
    drop(window, [photo_file])
    at75 = wait_result(qtbot, window, quality=75)
    window.slider.setValue(40)
    wait_result(qtbot, window, quality=40)
    window.slider.setValue(75)  # no event loop runs: the answer must come from the cache
    assert window.outcome is not None and window.outcome.quality == 75
    assert window.outcome.data == at75.data
    assert not window.client.busy
    assert window.readouts.header(0) == "nicgui q75"


def test_the_encoder_runs_once_per_picture(qtbot, window, photo_file, codec, monkeypatch):
    calls: list[int] = []
    real = codec.analyse

    def counting(image, progress=None):
        calls.append(1)
        return real(image, progress)

    monkeypatch.setattr(codec, "analyse", counting)
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    for q in (30, 90, 55):
        window.slider.setValue(q)
        wait_result(qtbot, window, quality=q)
    assert len(calls) == 1


def test_ratio_against_png_arrives(qtbot, window, photo_file, photo):
    import io

    from PIL import Image

    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="PNG")
    expected = f"{len(buf.getvalue()) / o.size:.1f} : 1"
    qtbot.waitUntil(lambda: window.readouts.value("ratio_png") == expected, timeout=RESULT_TIMEOUT_MS)
    assert window.readouts.value("ratio_raw") == f"{photo.size / o.size:.1f} : 1"
