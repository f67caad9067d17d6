"""The latent inspector shows the chosen channel's values, the model's probabilities and bits."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.gui.conftest import drop, wait_result


def test_inspector_shows_the_chosen_channels_histogram(qtbot, window, photo_file, codec):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    window.slider.setValue(40)
    wait_result(qtbot, window, quality=40)
    photo = np.asarray(Image.open(photo_file).convert("RGB"))
    q = codec.quantise(codec.analyse(photo), 40)  # computed here, independently of the window
    insp = window.inspector

    for channel in (5, 0, q.z.shape[0] - 1):
        insp.spin.setValue(channel)
        z = q.z[channel].ravel()
        values = insp.hist_bars.opts["x"]
        heights = insp.hist_bars.opts["height"]
        expected = np.array([(z == v).sum() for v in values]) / z.size
        assert np.allclose(heights, expected)
        assert np.isclose(heights.sum() + insp.histogram.escaped / z.size, 1.0) or z.min() < values[0]
        model_values, model_probs = codec.distributions(q)[channel]
        xs, ys = insp.model_curve.getData()
        assert np.array_equal(xs, values)
        assert np.allclose(ys, model_probs[np.searchsorted(model_values, values)])
        assert f"Channel {channel}:" in insp.hist_plot.getPlotItem().titleLabel.text
        assert f"Channel {channel} of {q.z.shape[0]}" in insp.summary.text()
        assert np.array_equal(insp.map_item.image, q.z[channel].astype(np.float32))

    bits = insp.bits_bars.opts["height"]
    assert np.allclose(bits, q.channel_bits)
    assert insp.where_overlay.image.shape == q.position_bits.shape


def test_most_bits_button_picks_the_costliest_channel(qtbot, window, photo_file):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    window.inspector._pick_busiest()
    assert window.inspector.channel == int(np.argmax(o.latents.channel_bits))


def test_inspector_follows_the_quality(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    window.inspector.spin.setValue(3)
    window.slider.setValue(10)
    o = wait_result(qtbot, window, quality=10)
    assert window.inspector.channel == 3  # the chosen channel stays
    assert window.inspector.latents is o.latents
    assert "quality 10" in window.inspector.hist_plot.getPlotItem().titleLabel.text
