"""Saving: .nic, the reconstruction as PNG, the heatmap; atomic, never overwriting without asking."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nicgui.codec.bitstream import MAGIC
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def test_saved_nic_reopens_to_the_same_pixels(qtbot, window, photo_file, tmp_path):
    drop(window, [photo_file])
    window.slider.setValue(60)
    shown = wait_result(qtbot, window, quality=60)
    out = tmp_path / "saved.nic"
    with qtbot.waitSignal(window.client.saved, timeout=RESULT_TIMEOUT_MS) as saved:
        window.save_nic(out)
    assert saved.args[0].path == out
    data = out.read_bytes()
    assert data.startswith(MAGIC) and data == shown.data
    assert "saved.nic" in window.statusBar().currentMessage()
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place

    with qtbot.waitSignal(window.loaded_shown, timeout=RESULT_TIMEOUT_MS) as loaded:
        window.open_paths([out])
    assert loaded.args[0].nic is not None
    assert np.array_equal(window.views.items[1].image, shown.reconstruction.rgb)
    assert window.readouts.value("size").startswith(f"{len(data):,} B")


def test_reconstruction_exports_as_png(qtbot, window, photo_file, tmp_path):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    out = tmp_path / "recon.png"
    with qtbot.waitSignal(window.client.saved, timeout=RESULT_TIMEOUT_MS):
        window.export_png(out)
    assert np.array_equal(np.asarray(Image.open(out).convert("RGB")), o.reconstruction.rgb)


def test_error_heatmap_exports_as_shown(qtbot, window, photo_file, tmp_path):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    out = tmp_path / "heat.png"
    with qtbot.waitSignal(window.client.saved, timeout=RESULT_TIMEOUT_MS):
        window.export_heatmap(out)
    saved = np.asarray(Image.open(out).convert("RGB"))
    assert np.array_equal(saved, o.heatmap.rgb)
    assert np.array_equal(saved, window.views.items[2].image)


def test_saving_never_overwrites_without_asking(qtbot, window, photo_file, tmp_path, monkeypatch):
    drop(window, [photo_file])
    o = wait_result(qtbot, window)
    out = tmp_path / "exists.nic"
    out.write_bytes(b"keep me")
    asked: list[str] = []
    monkeypatch.setattr(window, "confirm_overwrite", lambda p: asked.append(p.name) or False)
    assert window.save_nic(out) is None
    assert asked == ["exists.nic"] and out.read_bytes() == b"keep me"

    monkeypatch.setattr(window, "confirm_overwrite", lambda p: asked.append(p.name) or True)
    with qtbot.waitSignal(window.client.saved, timeout=RESULT_TIMEOUT_MS):
        assert window.save_nic(out) is not None
    assert out.read_bytes() == o.data


def test_a_failed_save_is_reported_in_the_window(qtbot, window, photo_file, tmp_path):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    out = tmp_path / "no" / "such" / "folder" / "x.nic"
    with qtbot.waitSignal(window.client.failed, timeout=RESULT_TIMEOUT_MS):
        window.save_nic(out)
    assert "Cannot save x.nic" in window.message.text()
    assert not out.exists()
    window.slider.setValue(20)  # and the window goes on working
    wait_result(qtbot, window, quality=20)


def test_nothing_to_save_says_so(window):
    assert window.save_nic() is None
    assert "open an image first" in window.message.text()
