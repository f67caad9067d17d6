"""The GUI's small parts: atomic saves, file lists, histograms, readout formatting."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nicgui.app.batch import BatchSummary
from nicgui.app.heatmaps import Heatmap, HeatmapKind
from nicgui.app.results import LatentData, Outcome
from nicgui.app.source import Source
from nicgui.app.text import format_bytes
from nicgui.codec.metrics import Metrics
from nicgui.codec.pictures import Picture
from nicgui.gui.files import expand
from nicgui.gui.inspector import channel_histogram
from nicgui.gui.readouts import neural_column
from nicgui.imagefiles import images_in


def test_folders_expand_to_openable_files(tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    for name in ("b.PNG", "a.nic", "c.txt", "d.tiff"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    assert [p.name for p in expand([tmp_path])] == ["a.nic", "b.PNG", "d.tiff"]
    assert [p.name for p in images_in(tmp_path)] == ["b.PNG", "d.tiff"]
    assert expand([tmp_path / "c.txt"]) == [tmp_path / "c.txt"]  # an explicit file is kept


def test_source_key_changes_when_the_file_changes(tmp_path):
    p = tmp_path / "x.png"
    p.write_bytes(b"1")
    a = Source.from_path(p)
    p.write_bytes(b"22")
    assert Source.from_path(p).key != a.key
    assert Source.from_path(tmp_path / "x.NIC").is_nic


def test_channel_histogram_counts_values_and_escapes():
    z = np.zeros((2, 4, 4), np.int32)
    z[1] = [[0, 1, 1, -1], [2, 2, 2, 0], [0, 0, 9, 0], [0, 0, 0, -30]]
    values = np.arange(-5, 6)
    probs = np.exp(-np.abs(values)) / np.exp(-np.abs(values)).sum()
    lat = LatentData(
        50, z, np.ones(z.shape, np.float32), np.array([16.0, 16.0]), np.ones((4, 4)), ((values, probs), (values, probs))
    )
    h = channel_histogram(lat, 1)
    assert h.escaped == 2  # 9 and -30 lie outside -5..5
    assert h.values[0] >= -5 and h.values[-1] <= 5
    freq = dict(zip(h.values.tolist(), h.frequencies.tolist(), strict=False))
    assert freq[0] == pytest.approx(8 / 16) and freq[2] == pytest.approx(3 / 16) and freq[-1] == pytest.approx(1 / 16)
    assert np.allclose(h.probabilities, probs[h.values + 5])


def test_readout_formatting():
    pic = Picture(np.zeros((100, 200, 3), np.uint8))
    heat = Heatmap(HeatmapKind.ABS, np.zeros((100, 200), np.float32), np.zeros((100, 200, 3), np.uint8), (0, 32))
    lat = LatentData(
        75,
        np.zeros((1, 13, 25), np.int32),
        np.zeros((1, 13, 25), np.float32),
        np.zeros(1),
        np.zeros((13, 25)),
        ((np.arange(1), np.ones(1)),),
    )
    o = Outcome(
        1,
        "k",
        75,
        b"x" * 2500,
        pic,
        Metrics(12.5, 37.16, 0.95123, float("nan")),
        heat,
        lat,
        0.8,
        0.012,
        0.4,
        "cpu",
        60000,
    )
    col = neural_column(o, png_bytes=30000)
    assert col["size"] == "2,500 B (2.5 kB)"
    assert col["bpp"] == "1.000"
    assert col["ratio_raw"] == "24.0 : 1" and col["ratio_png"] == "12.0 : 1"
    assert col["psnr"] == "37.16 dB" and col["mse"] == "12.50"
    assert col["ssim"] == "0.9512" and col["ms_ssim"] == "—"
    assert col["encode"] == "812 ms" and col["decode"] == "400 ms"
    assert neural_column(o, None)["ratio_png"] == "…"
    reused = neural_column(replace(o, encoder_reused=True), None)["encode"]
    # the encoder's 800 ms were not spent on this step, and the row says what the 12 ms are
    assert reused == "12 ms (+ 800 ms encoder, once)"


def test_sizes_and_summaries_read_well():
    assert [format_bytes(n) for n in (999, 12_345, 4_560_000)] == ["999 B", "12.3 kB", "4.56 MB"]
    s = BatchSummary(1, 4, 2, 1, 1, 2_000_000, 100_000, False, ("x.png: broken",))
    assert s.describe() == "2 of 4 files compressed, 1 skipped (the .nic exists), 1 failed: 2.00 MB → 100.0 kB (20.0:1)"
    assert BatchSummary(1, 4, 0, 0, 0, 0, 0, True).describe().startswith("Cancelled. 0 of 4")


def test_long_tooltips_wrap_and_short_ones_stay(window):
    from nicgui.gui.tooltips import wrapped

    long_tip = "A tooltip that explains a great deal about what this control does & why, at length."
    assert wrapped(long_tip).startswith("<p") and "&amp;" in wrapped(long_tip)
    assert wrapped("Short one") == "Short one" and wrapped(wrapped(long_tip)) == wrapped(long_tip)
    assert window.slider.toolTip().startswith("<p")  # the window's own long tooltips wrap
    assert window.save_action.toolTip().startswith("<p") or len(window.save_action.toolTip()) < 70
