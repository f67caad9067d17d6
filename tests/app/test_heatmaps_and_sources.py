"""What the model thread computes for the window: error maps and colours, thumbnails, sizes, the
checkerboard under transparent pixels."""

from __future__ import annotations

import numpy as np
import pytest

from nicgui.app.heatmaps import HeatmapKind, colour_table, colourise, heatmap
from nicgui.app.source import on_checkerboard, raw_bytes, shown_pixels, thumbnail
from nicgui.codec.pictures import Picture


def test_heatmaps_and_colours():
    a = np.zeros((20, 30, 3), np.uint8)
    b = a.copy()
    b[5, 7] = [30, 60, 90]
    inferno = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)  # any dark-to-bright table
    h = heatmap(HeatmapKind.ABS, a, b, inferno)
    assert h.values[5, 7] == pytest.approx(60.0) and h.values[0, 0] == 0
    lut = colour_table(HeatmapKind.ABS, inferno)
    assert np.array_equal(h.rgb[0, 0], lut[0]) and np.array_equal(h.rgb[5, 7], lut[255])  # 60 > top level 32
    assert np.array_equal(colour_table(HeatmapKind.SSIM, inferno), lut[::-1])  # bright means worse for both
    assert np.array_equal(colourise(np.array([[0.5]]), (0.0, 1.0), lut)[0, 0], lut[127])


def test_thumbnail_and_raw_size():
    rgb = np.zeros((1000, 2000, 3), np.uint8)
    assert thumbnail(rgb, 384).shape == (192, 384, 3)
    small = np.zeros((10, 10, 3), np.uint8)
    assert thumbnail(small) is small
    assert raw_bytes(Picture(small, "RGB")) == 300
    assert raw_bytes(Picture(small, "RGBA", np.zeros((10, 10), np.uint8))) == 400


def test_transparent_pixels_lie_on_a_checkerboard_that_parts_share_with_the_whole():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    alpha = np.zeros((40, 50), np.uint8)
    alpha[:, :25] = 255
    whole = shown_pixels(Picture(rgb, "RGBA", alpha))
    assert np.array_equal(whole[:, :25], rgb[:, :25])  # opaque: as it is
    assert set(np.unique(whole[:, 25:])) == {153, 204}  # transparent: the two greys
    assert not np.array_equal(whole[0, 25], whole[0, 33])  # squares of 8 pixels
    part = on_checkerboard(rgb[10:30, 20:45], alpha[10:30, 20:45], (20, 10))
    assert np.array_equal(part, whole[10:30, 20:45])  # a part decoded first lines up with the whole
    assert on_checkerboard(rgb, None) is rgb  # no alpha: no copy
