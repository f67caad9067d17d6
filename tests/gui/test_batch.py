"""Batch compression of a folder: progress, summary, skipping existing files, cancel."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from nicgui.app.results import BatchProgress
from nicgui.gui.batch import BatchDialog
from tests.gui.conftest import RESULT_TIMEOUT_MS


def make_folder(tmp_path, photo, n: int):
    folder = tmp_path / "batch"
    folder.mkdir()
    paths = []
    for i in range(n):
        p = folder / f"img{i}.png"
        Image.fromarray(np.roll(photo, 11 * i, axis=0)[: 64 + 8 * i]).save(p)
        paths.append(p)
    (folder / "readme.txt").write_text("not an image")
    return folder, paths


def test_batch_compresses_a_folder_and_sums_up(qtbot, window, photo, tmp_path, codec):
    folder, paths = make_folder(tmp_path, photo, 3)
    (folder / "img2.nic").write_bytes(b"already here")  # must be skipped, not overwritten
    dialog = BatchDialog(window.client, 33, [], folder, window)
    qtbot.addWidget(dialog)
    progress: list[int] = []
    window.client.batch_progress.connect(lambda p: progress.append(p.done))
    with qtbot.waitSignal(window.client.batch_done, timeout=RESULT_TIMEOUT_MS) as done:
        dialog.start()
        assert dialog.progress.maximum() == 3
    s = done.args[0]
    assert (s.total, s.compressed, s.skipped, s.failed, s.cancelled) == (3, 2, 1, 0, False)
    assert progress == [1, 2, 3]
    assert dialog.progress.value() == 3
    assert s.bytes_before == sum(p.stat().st_size for p in paths[:2])
    assert s.bytes_after == sum((folder / f"img{i}.nic").stat().st_size for i in range(2))
    assert (folder / "img2.nic").read_bytes() == b"already here"
    assert "2 of 3 files compressed" in dialog.status.text() and "1 skipped" in dialog.status.text()
    for i in range(2):
        pic = codec.decode((folder / f"img{i}.nic").read_bytes())
        assert pic.rgb.shape == np.asarray(Image.open(paths[i])).shape
    assert not list(folder.glob(".*.tmp"))


def test_batch_cancel_stops_between_files(qtbot, window, photo, tmp_path):
    folder, paths = make_folder(tmp_path, photo, 5)
    dialog = BatchDialog(window.client, 50, [], folder, window)
    qtbot.addWidget(dialog)
    # Cancel as soon as the first file is done, on the worker thread itself, so the test does not
    # race the worker: it checks the flag before each next file.
    window.client.delivered.connect(
        lambda m: isinstance(m, BatchProgress) and dialog.cancel_button.isEnabled() and window.client.cancel_batch(),
        Qt.ConnectionType.DirectConnection,
    )
    with qtbot.waitSignal(window.client.batch_done, timeout=RESULT_TIMEOUT_MS) as done:
        dialog.start()
    s = done.args[0]
    assert s.cancelled and s.compressed == 1 and s.total == 5
    assert sorted(p.name for p in folder.glob("*.nic")) == ["img0.nic"]
    assert dialog.status.text().startswith("Cancelled. 1 of 5 files compressed")
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_cancel_button_asks_the_worker_to_stop(qtbot, window, photo, tmp_path):
    folder, _ = make_folder(tmp_path, photo, 4)
    dialog = BatchDialog(window.client, 50, [], folder, window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(window.client.batch_done, timeout=RESULT_TIMEOUT_MS) as done:
        dialog.start()
        dialog.cancel_button.click()  # while the worker is on the first file at the latest
        assert "Cancelling" in dialog.status.text()
    s = done.args[0]
    assert s.cancelled and s.compressed <= 1 and s.total == 4
    assert len(list(folder.glob("*.nic"))) == s.compressed


def test_batch_of_the_file_list_and_a_bad_folder(qtbot, window, photo, tmp_path):
    _, paths = make_folder(tmp_path, photo, 2)
    dialog = BatchDialog(window.client, 50, paths, None, window)
    qtbot.addWidget(dialog)
    assert dialog.from_list.isChecked()
    out = tmp_path / "out"
    out.mkdir()
    dialog.output.setText(str(out))
    with qtbot.waitSignal(window.client.batch_done, timeout=RESULT_TIMEOUT_MS) as done:
        dialog.start()
    assert done.args[0].compressed == 2
    assert sorted(p.name for p in out.iterdir()) == ["img0.nic", "img1.nic"]
    dialog.from_folder.setChecked(True)
    dialog.folder.setText(str(tmp_path / "missing"))
    dialog.start()
    assert "not a folder" in dialog.status.text()


def test_the_window_stays_usable_during_a_batch(qtbot, window, photo, photo_file, tmp_path):
    from tests.gui.conftest import drop, wait_result

    folder, _ = make_folder(tmp_path, photo, 4)
    dialog = BatchDialog(window.client, 50, [], folder, window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(window.client.batch_done, timeout=RESULT_TIMEOUT_MS):
        dialog.start()
        drop(window, [photo_file])  # served between two batch files
        wait_result(qtbot, window)


def test_a_file_that_breaks_the_reader_does_not_stall_the_batch(qtbot, window, photo, tmp_path, monkeypatch):
    import struct

    import nicgui.codec.pictures as pictures_module

    folder, paths = make_folder(tmp_path, photo, 3)
    real = pictures_module.load_picture

    def flaky(path, *a, **k):
        if path.name == "img1.png":
            raise struct.error("unpack requires a buffer of 4 bytes")  # as Pillow does on some EXIF
        return real(path, *a, **k)

    monkeypatch.setattr(pictures_module, "load_picture", flaky)
    for _ in range(2):  # and a second batch is accepted afterwards
        with qtbot.waitSignal(window.client.batch_done, timeout=RESULT_TIMEOUT_MS) as done:
            window.client.batch(paths, None, 40, True)
        s = done.args[0]
        assert (s.compressed, s.failed) == (2, 1) and "img1.png" in s.errors[0]


def test_same_stem_inputs_get_distinct_outputs(qtbot, window, photo, tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    Image.fromarray(photo).save(folder / "a.png")
    Image.fromarray(photo[:64]).save(folder / "a.jpg", quality=90)
    with qtbot.waitSignal(window.client.batch_done, timeout=RESULT_TIMEOUT_MS) as done:
        window.client.batch([folder / "a.png", folder / "a.jpg"], None, 40, False)
    assert done.args[0].compressed == 2
    assert sorted(p.name for p in folder.glob("*.nic")) == ["a.jpg.nic", "a.png.nic"]
