"""Opening: drops, the file list, pasting, .nic files, and errors that leave the window usable."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from nicgui.codec.metrics import psnr
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result


def test_empty_window_says_what_to_do(window):
    assert window.pages.currentWidget() is window.empty
    assert "Drop images or .nic files here" in window.empty.text()
    assert "Ctrl+O" in window.empty.text()
    assert not window.save_action.isEnabled()


def test_dropping_a_file_shows_original_reconstruction_and_readouts(qtbot, window, photo_file, photo):
    assert drop(window, [photo_file])
    o = wait_result(qtbot, window, quality=window.slider.value())
    assert window.pages.currentWidget() is window.views
    assert np.array_equal(window.views.items[0].image, photo)
    recon = window.views.items[1].image
    assert recon.shape == photo.shape and not np.array_equal(recon, photo)
    assert window.readouts.value("size").startswith(f"{len(o.data):,} B")
    assert window.readouts.value("psnr") == f"{psnr(photo, recon):.2f} dB"
    assert window.readouts.value("bpp") == f"{8 * len(o.data) / (photo.shape[0] * photo.shape[1]):.3f}"
    assert window.readouts.value("device") == "cpu"
    assert window.views.items[2].image.shape == photo.shape  # the error heatmap
    assert window.save_action.isEnabled()
    assert "photo.png" in window.windowTitle()


def test_a_drop_without_files_or_image_is_refused(window):
    mime_text_only = QMimeData()
    mime_text_only.setText("hello")
    pos = QPoint(10, 10)
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime_text_only, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_several_files_make_a_list_to_step_through(qtbot, window, tmp_path, photo):
    paths = []
    for i in range(3):
        p = tmp_path / f"img{i}.png"
        Image.fromarray(np.roll(photo, 20 * i, axis=1)).save(p)
        paths.append(p)
    assert drop(window, paths)
    wait_result(qtbot, window, source="img0.png")
    assert window.files_dock.isVisible()
    assert [window.file_list.item(i).text() for i in range(window.file_list.count())] == [p.name for p in paths]
    window.next_action.trigger()
    wait_result(qtbot, window, source="img1.png")
    assert window.file_list.currentRow() == 1
    assert np.array_equal(window.views.items[0].image, np.roll(photo, 20, axis=1))
    window.prev_action.trigger()
    wait_result(qtbot, window, source="img0.png")


def test_dropping_a_folder_opens_its_images(qtbot, window, tmp_path, photo):
    folder = tmp_path / "pics"
    folder.mkdir()
    for name in ("b.png", "a.jpg"):
        Image.fromarray(photo).save(folder / name)
    (folder / "notes.txt").write_text("not an image")
    assert drop(window, [folder])
    wait_result(qtbot, window, source="a.jpg")
    assert window.file_list.count() == 2


def test_pasting_an_image_opens_it(qtbot, window, photo):
    h, w, _ = photo.shape
    image = QImage(photo.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    QGuiApplication.clipboard().setImage(image)
    window.paste_action.trigger()
    wait_result(qtbot, window)
    assert window.loaded.source.name == "Pasted image"
    assert np.array_equal(window.views.items[0].image, photo)


def test_a_corrupt_file_shows_an_error_and_the_window_keeps_working(qtbot, window, photo_file, tmp_path):
    assert drop(window, [photo_file])
    before = wait_result(qtbot, window)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert drop(window, [bad])
    qtbot.waitUntil(lambda: window.message.text() != "", timeout=RESULT_TIMEOUT_MS)
    assert "broken.png" in window.message.text()
    assert window.message.isVisible()
    # the picture on screen stays, and the slider still works on it
    assert np.array_equal(window.views.items[0].image, window.loaded.picture.rgb)
    target = 20 if before.quality != 20 else 30
    window.set_quality(target)
    o = wait_result(qtbot, window, quality=target)
    assert o.source_key == before.source_key
    # and another good file opens fine afterwards
    assert drop(window, [photo_file])
    wait_result(qtbot, window, quality=target)


def test_an_unreadable_drop_in_a_list_is_marked(qtbot, window, photo_file, tmp_path):
    bad = tmp_path / "empty.jpg"
    bad.write_bytes(b"")
    assert drop(window, [bad, photo_file])
    qtbot.waitUntil(lambda: "empty.jpg" in window.message.text(), timeout=RESULT_TIMEOUT_MS)
    assert window.file_list.item(0).toolTip() == window.message.text()
    window.next_action.trigger()
    wait_result(qtbot, window, source="photo.png")


def test_a_nic_file_opens_decoded_with_its_stats(qtbot, window, codec, photo, tmp_path):
    data = codec.encode(photo, 50)
    path = tmp_path / "photo.nic"
    path.write_bytes(data)
    with qtbot.waitSignal(window.loaded_shown, timeout=RESULT_TIMEOUT_MS) as blocker:
        assert drop(window, [path])
    loaded = blocker.args[0]
    assert loaded.nic is not None
    expected = codec.decode(data).rgb
    assert np.array_equal(window.views.items[1].image, expected)
    assert window.views.items[0].image is None  # a .nic has no original
    r = window.readouts
    assert r.header(0) == ".nic q50"
    assert r.value("size").startswith(f"{len(data):,} B")
    assert r.value("bpp") == f"{8 * len(data) / (photo.shape[0] * photo.shape[1]):.3f}"
    assert r.value("ratio_raw") == f"{photo.size / len(data):.1f} : 1"
    assert r.value("psnr") == "—" and r.value("decode").endswith(("ms", " s"))
    assert window.slider.value() == 50 and not window.slider.isEnabled()
    qtbot.waitUntil(lambda: not window.inspector_pending, timeout=RESULT_TIMEOUT_MS)
    assert window.inspector.latents is not None and window.inspector.latents.quality == 50
    assert "quality 50" in window.info.text()


def test_a_damaged_nic_file_shows_why(qtbot, window, codec, photo, tmp_path):
    data = bytearray(codec.encode(photo, 50))
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "damaged.nic"
    path.write_bytes(bytes(data))
    assert drop(window, [path])
    qtbot.waitUntil(lambda: window.message.text() != "", timeout=RESULT_TIMEOUT_MS)
    assert "damaged.nic" in window.message.text() and "damaged" in window.message.text().split(":", 1)[1]
    assert window.pages.currentWidget() is window.empty  # nothing was shown before


def test_a_nic_file_from_other_weights_is_refused_with_the_reason(qtbot, window, codec, photo, tmp_path):
    from dataclasses import replace

    from nicgui.codec.bitstream import read_nic, write_nic

    nic = read_nic(codec.encode(photo, 50))
    other = replace(nic, header=replace(nic.header, model_digest=bytes(16)))
    path = tmp_path / "other-model.nic"
    path.write_bytes(write_nic(other))
    assert drop(window, [path])
    qtbot.waitUntil(lambda: window.message.text() != "", timeout=RESULT_TIMEOUT_MS)
    assert "other-model.nic" in window.message.text()
    # the file names its model; no installed weights have that identity
    assert "made with model theis-cae-s (000000000000)" in window.message.text()
    assert "not installed" in window.message.text()


def test_a_file_that_fails_to_open_leaves_the_recent_list(qtbot, window, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot an image")
    assert drop(window, [bad])
    qtbot.waitUntil(lambda: "broken.png" in window.message.text(), timeout=RESULT_TIMEOUT_MS)
    assert bad.resolve() not in window.settings.recent


def test_about_names_the_version(window):
    import nicgui

    assert nicgui.__version__ in window.about_text() and "hyperprior" in window.about_text()
