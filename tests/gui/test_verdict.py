"""The comparison's verdict in the readouts: the better value of each row is marked, nicgui's
difference stands in a third column and a line above the table sums it up."""

from __future__ import annotations

import pytest

from nicgui.app.verdict import classic_figures, outcome_figures, verdict
from nicgui.codec import classic
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result

ROWS = ("size", "bpp", "psnr", "mse", "ssim", "ms_ssim", "encode", "decode")


@pytest.mark.skipif(not classic.available("webp"), reason="Pillow without WebP")
def test_comparing_marks_the_better_values_and_sums_up(qtbot, window, photo_file):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    r = window.readouts
    assert r.summary() == "" and not any(r.marked(k, 0) for k in ROWS)
    width = r.minimumSizeHint().width()
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as shown:
        window.compare_box.setCurrentIndex(window.compare_box.findData("webp"))
    c = shown.args[0]
    expected = verdict(outcome_figures(o), classic_figures(c), "WebP")
    assert r.summary() == expected.summary and r.summary_label.isVisible()
    assert r.summary().startswith(("nicgui:", "WebP wins"))
    # the classical codec gets nicgui's size or less: its file is the smaller one, marked so
    assert c.size < o.size and r.marked("size", 1) and not r.marked("size", 0)
    assert r.value("size", 2).startswith("+") and r.value("size", 2).endswith(" %")
    assert r.value("psnr", 2).endswith(" dB")
    for key in ROWS:
        better = expected.rows[key].better
        assert r.marked(key, 0) == (better == "nicgui") and r.marked(key, 1) == (better == "classic"), key
        assert r.value(key, 2) == expected.rows[key].difference
    assert r.header(2) == "Δ nicgui"
    assert r.value("psnr", 1).endswith(" dB") and not r.value("psnr", 1).startswith("✓")  # the value as it was
    assert r.minimumSizeHint().width() <= width + 2  # the dock does not widen for the comparison
    # no comparison, no verdict
    window.compare_box.setCurrentIndex(0)  # none
    qtbot.waitUntil(lambda: r.header(1) == "", timeout=RESULT_TIMEOUT_MS)
    assert r.summary() == "" and r.header(2) == "" and not any(r.marked(k, c) for k in ROWS for c in (0, 1))
