"""The latent inspector shows the chosen channel's values, the model's probabilities and bits."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image
from PySide6.QtCore import QPointF

from nicgui.app.results import LatentData
from nicgui.gui.inspector import BAR, SELECTED, LatentInspector
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


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


def test_an_opened_nic_file_shows_its_latents(qtbot, window, photo_file, photo, codec, tmp_path):
    drop(window, [photo_file])
    wait_result(qtbot, window, quality=75)
    nic = tmp_path / "photo.nic"
    nic.write_bytes(codec.encode(photo, 50))
    drop(window, [nic])
    qtbot.waitUntil(lambda: window.loaded is not None and window.loaded.nic is not None, timeout=RESULT_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.inspector_pending, timeout=RESULT_TIMEOUT_MS)
    lat, insp = window.loaded.nic.latents, window.inspector
    assert insp.latents is lat and lat.quality == 50
    c = insp.channel
    assert np.allclose(insp.bits_bars.opts["height"], lat.channel_bits)  # bits per channel
    assert np.isclose(insp.histogram.frequencies.sum() + insp.histogram.escaped / lat.z[c].size, 1.0)
    assert len(insp.hist_bars.opts["height"]) > 0 and "quality 50" in insp.hist_plot.getPlotItem().titleLabel.text
    assert np.array_equal(insp.map_item.image, lat.z[c].astype(np.float32))  # the channel map
    assert insp.where_overlay.image.shape == lat.position_bits.shape  # where the bits go, over the decoded picture
    assert insp.where_base.image.shape[:2] == window.loaded.thumbnail.shape[:2]
    assert insp.summary.text().startswith(f"Channel {c} of {lat.channels}:")


def _latents(channels: int) -> LatentData:
    rng = np.random.default_rng(1)
    z = rng.integers(-3, 4, (channels, 8, 12)).astype(np.int32)
    bits = rng.uniform(0, 3, z.shape).astype(np.float32)
    channel_bits = bits.sum(axis=(1, 2))
    channel_bits[7] = 0.02 * channel_bits.max()  # a cheap channel: its bar is barely there
    values = np.arange(-8, 9)
    probs = np.exp(-np.abs(values)) / np.exp(-np.abs(values)).sum()
    return LatentData(50, z, bits, channel_bits, bits.sum(axis=0), tuple((values, probs) for _ in range(channels)))


def test_the_chosen_channels_bar_stands_out_among_192(qtbot):
    insp = LatentInspector()
    qtbot.addWidget(insp)
    insp.resize(1000, 260)  # each plot about 240 px wide: 192 bars of about one pixel
    insp.show()
    qtbot.waitExposed(insp)
    lat = _latents(192)
    insp.set_latents(lat, None, (192, 128))
    insp.set_channel(7)
    vb = insp.bits_plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: vb.width() > 100)
    insp._size_selected()
    for item in (insp.selected_bar, insp.selected_band):
        x, w = item.opts["x"][0], item.opts["width"]
        left, right = vb.mapViewToScene(QPointF(x - w / 2, 0)), vb.mapViewToScene(QPointF(x + w / 2, 0))
        assert x == 7 and right.x() - left.x() >= 4  # wide enough to see, whatever the number of bars
    assert insp.selected_bar.opts["height"][0] == pytest.approx(lat.channel_bits[7])
    assert insp.selected_band.opts["height"][0] == pytest.approx(lat.channel_bits.max())  # seen even when cheap
    colour = pg.mkBrush(insp.selected_bar.opts["brush"]).color().name()
    assert colour == SELECTED and colour != pg.mkBrush(BAR).color().name()  # a colour of its own
    insp.set_channel(150)
    assert insp.selected_bar.opts["x"][0] == 150 and insp.selected_band.opts["x"][0] == 150
