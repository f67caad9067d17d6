"""A transparent picture is compared like with like: the classical codec, which encodes RGB only,
gets nicgui's size without nicgui's alpha plane, and its view shows the original's transparency
over the same checkerboard as nicgui's view."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nicgui.app.evaluation import alpha_bytes
from nicgui.app.source import on_checkerboard
from nicgui.gui.views import CLASSIC, RECONSTRUCTION
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def test_a_transparent_picture_is_compared_without_nicguis_alpha_bytes(qtbot, window, photo, tmp_path):
    h, w = photo.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    alpha = np.clip((xx * 3 + yy * 2) % 256, 0, 255).astype(np.uint8)  # a ramp: some hundreds of bytes
    alpha[:, : w // 4] = 0  # a transparent band
    path = tmp_path / "transparent.png"
    Image.fromarray(np.dstack([photo, alpha]), "RGBA").save(path)
    drop(window, [path])
    o = wait_result(qtbot, window, source="transparent.png")
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as shown:
        window.compare_box.setCurrentIndex(window.compare_box.findData("webp"))
    c = shown.args[0]
    freed = alpha_bytes(o.data)
    assert freed > 0.04 * o.size  # the alpha plane is a real share of nicgui's file
    assert c.alpha_bytes == freed and c.size <= o.size - freed  # its budget: nicgui's size without its alpha
    views = window.views
    assert np.array_equal(views.items[CLASSIC].image, on_checkerboard(c.rgb, alpha))  # composited as nicgui's is
    assert np.array_equal(views.items[RECONSTRUCTION].image, on_checkerboard(o.reconstruction.rgb, alpha))
    assert views.items[CLASSIC].image[0, 0].tolist() in ([204] * 3, [153] * 3)  # the band shows the checkerboard
    assert "nicgui's size without its alpha" in views.titles_text[CLASSIC]
    assert window.readouts.value("size", 1).endswith("· RGB only")


def test_an_opaque_picture_is_compared_at_nicguis_whole_size(qtbot, window, photo_file):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    with qtbot.waitSignal(window.classic_shown, timeout=RESULT_TIMEOUT_MS) as shown:
        window.compare_box.setCurrentIndex(window.compare_box.findData("webp"))
    c = shown.args[0]
    assert c.alpha_bytes == 0 and c.size <= o.size
    assert np.array_equal(window.views.items[CLASSIC].image, c.rgb)
    assert window.views.titles_text[CLASSIC].endswith("(nicgui's size or less)")
    assert "RGB only" not in window.readouts.value("size", 1)
