"""Choosing the model: the Model menu, .nic files that pick their own model, and the inspector's
views of what a hyperprior predicts."""

from __future__ import annotations

import numpy as np
import pytest

from nicgui.codec.api import Codec, load_model
from nicgui.codec.weights import find_weights, load_weights, save_weights
from tests.codec.test_hyperprior import _trained_a_little
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


@pytest.fixture(scope="module")
def extra_weights(tmp_path_factory):
    d = tmp_path_factory.mktemp("weights")
    save_weights(_trained_a_little(), d / "ms-tiny.safetensors")
    return d


@pytest.fixture
def hp_window(qtbot, make_window, extra_weights, monkeypatch):
    """A window that starts on the real default model (the other GUI tests share the CAE fixture)."""
    monkeypatch.setenv("NICGUI_WEIGHTS_DIR", str(extra_weights))
    w = make_window(lambda device: load_model(None, device))
    qtbot.waitUntil(lambda: w.client.model is not None, timeout=RESULT_TIMEOUT_MS)
    return w


def test_model_menu_switches_between_the_default_hyperprior_and_the_cae(qtbot, hp_window, photo_file):
    w = hp_window
    assert {"default", "theis-cae-s", "ms-tiny"} <= set(w.model_actions)
    drop(w, [photo_file])
    first = wait_result(qtbot, w, quality=75)
    assert w.client.model.family == "mean-scale" and first.latents.mean is not None  # the default
    assert w.model_actions["default"].isChecked()

    w.model_actions["theis-cae-s"].trigger()  # the CAE, by name
    qtbot.waitUntil(lambda: w.client.model.family == "theis-cae", timeout=RESULT_TIMEOUT_MS)
    qtbot.waitUntil(lambda: w.outcome.latents.mean is None, timeout=RESULT_TIMEOUT_MS)
    wait_result(qtbot, w, quality=75)
    insp = w.inspector
    qtbot.waitUntil(lambda: insp.latents is w.outcome.latents, timeout=RESULT_TIMEOUT_MS)
    assert w.settings.model == "theis-cae-s" and "theis-cae-s" in w.device_label.text()
    assert insp.map_kind.currentData() == "values"  # the hyperprior views are not offered for the CAE
    assert not insp.map_kind.model().item(insp.map_kind.findData("scale")).isEnabled()

    w.model_actions["ms-tiny"].trigger()
    qtbot.waitUntil(lambda: w.client.model.family == "mean-scale", timeout=RESULT_TIMEOUT_MS)
    qtbot.waitUntil(lambda: w.outcome.latents.mean is not None, timeout=RESULT_TIMEOUT_MS)
    wait_result(qtbot, w, quality=75)
    qtbot.waitUntil(lambda: insp.latents is w.outcome.latents, timeout=RESULT_TIMEOUT_MS)
    assert w.model_actions["ms-tiny"].isChecked() and w.settings.model == "ms-tiny"
    assert "mean-scale-tiny" in w.device_label.text()
    lat = w.outcome.latents
    assert lat.stride == 16 and lat.hyper is not None and lat.side_bits > 0
    for kind, expected in (("scale", lat.scale), ("mean", lat.mean), ("bits", lat.bits)):
        insp.map_kind.setCurrentIndex(insp.map_kind.findData(kind))
        assert np.allclose(insp.map_item.image, expected[insp.channel])
    insp.map_kind.setCurrentIndex(insp.map_kind.findData("hyper"))
    assert np.array_equal(insp.map_item.image, lat.hyper[insp.channel % lat.hyper.shape[0]].astype(np.float32))
    assert "side information" in insp.summary.text()


def test_a_nic_file_of_another_installed_model_opens_with_that_model(qtbot, hp_window, photo, tmp_path):
    other = Codec(load_weights(find_weights("theis-cae-s")))
    path = tmp_path / "made-by-the-cae.nic"
    path.write_bytes(other.encode(photo, 60))
    assert hp_window.client.model.family == "mean-scale"  # the default
    drop(hp_window, [path])
    qtbot.waitUntil(
        lambda: hp_window.loaded is not None and hp_window.loaded.nic is not None, timeout=RESULT_TIMEOUT_MS
    )
    nic = hp_window.loaded.nic
    assert nic.header.family == "theis-cae" and nic.latents.mean is None
    assert not hp_window.message.text()


def test_device_menu_switches_the_arithmetic_and_remembers_it(qtbot, window, photo_file):
    w = window
    if not w.fast_native:
        assert not w.fast_action.isEnabled()  # nothing to switch to on this CPU
        pytest.skip("this CPU has no bfloat16 instructions")
    assert w.fast_action.isEnabled() and w.fast_action.isChecked() and w.model.precision == "bfloat16"
    drop(w, [photo_file])
    first = wait_result(qtbot, w, quality=75)
    w.fast_action.trigger()
    qtbot.waitUntil(lambda: w.client.model.precision == "float32", timeout=RESULT_TIMEOUT_MS)
    qtbot.waitUntil(lambda: w.outcome is not first, timeout=RESULT_TIMEOUT_MS)
    again = wait_result(qtbot, w, quality=75)
    assert not w.fast_action.isChecked() and w.settings.precision == "float32"
    assert "float32" in w.device_label.text()
    assert not again.encoder_reused  # compressed again in the new arithmetic
    w.fast_action.trigger()
    qtbot.waitUntil(lambda: w.client.model.precision == "bfloat16", timeout=RESULT_TIMEOUT_MS)
    assert w.settings.precision == "auto" and w.fast_action.isChecked()
