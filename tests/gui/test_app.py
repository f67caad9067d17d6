"""The app as a whole: screenshot command line, settings, the worker thread's life, model errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nicgui.app.heatmaps import HeatmapKind
from nicgui.codec.weights import WeightsError
from nicgui.gui.settings import Settings, file_qsettings
from tests.gui.conftest import RESULT_TIMEOUT_MS, drop, wait_result

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "sample.png"


def run_nicgui(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NICGUI_SETTINGS=str(tmp_path / "cli.ini"))
    return subprocess.run(
        [sys.executable, "-m", "nicgui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )


def test_screenshot_writes_a_png_of_the_window_with_the_result(tmp_path):
    out = tmp_path / "shot.png"
    r = run_nicgui(str(SAMPLE), "--screenshot", str(out), "--quality", "40", "--size", "900x600", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == (900, 600)
        pixels = np.asarray(im.convert("RGB"))
    assert pixels.std() > 10  # a window with pictures, not a blank grab
    assert not (tmp_path / "cli.ini").exists()  # the screenshot used throw-away settings


def test_screenshot_of_an_unreadable_file_fails_with_one_line(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png at all")
    out = tmp_path / "shot.png"
    r = run_nicgui(str(bad), "--screenshot", str(out), "--size", "640x480", tmp_path=tmp_path)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("nicgui: error:")]
    assert len(errors) == 1 and "bad.png" in errors[0]
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_screenshot_into_a_missing_folder_fails_before_any_work(tmp_path):
    out = tmp_path / "nowhere" / "shot.png"
    r = run_nicgui(str(SAMPLE), "--screenshot", str(out), tmp_path=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip() == f"nicgui: error: cannot write {out}: folder {out.parent} does not exist"


def test_screenshot_of_a_missing_file_fails(tmp_path):
    r = run_nicgui(str(tmp_path / "nope.png"), "--screenshot", str(tmp_path / "o.png"), tmp_path=tmp_path)
    assert r.returncode == 1 and r.stderr.strip() == f"nicgui: error: file not found: {tmp_path / 'nope.png'}"


def test_closing_the_window_stops_the_model_thread(make_window):
    w = make_window()
    assert w.client.running
    w.close()
    assert not w.client.running


def test_closing_during_work_waits_for_the_worker(qtbot, make_window, photo_file):
    w = make_window()
    drop(w, [photo_file])
    assert w.client.busy
    w.close()  # while the picture is still being analysed
    assert not w.client.running


def test_settings_persist_across_windows(qtbot, make_window, settings_path, photo_file):
    w = make_window()
    drop(w, [photo_file])
    wait_result(qtbot, w)
    w.slider.setValue(33)
    w.heatmap_box.setCurrentIndex(1)
    w.split_both.trigger()
    w.resize(700, 500)  # within the offscreen screen, which restoring clamps to
    w.close()

    again = Settings(file_qsettings(settings_path))
    assert again.quality == 33 and again.view_mode == "split" and again.heatmap is HeatmapKind.SSIM
    assert again.recent[0] == photo_file.resolve()
    assert again.open_dir == photo_file.parent
    assert again.geometry is not None

    w2 = make_window(settings_=again)
    assert w2.slider.value() == 33 and w2.views.mode == "split"
    assert HeatmapKind(w2.heatmap_box.currentData()) is HeatmapKind.SSIM
    assert (w2.width(), w2.height()) == (700, 500)


def test_a_model_that_cannot_load_is_reported(qtbot, make_window, photo_file):
    def broken(device):
        raise WeightsError("weights file is damaged")

    w = make_window(factory=broken)
    qtbot.waitUntil(lambda: "Cannot load the model" in w.message.text(), timeout=RESULT_TIMEOUT_MS)
    assert "weights file is damaged" in w.message.text()
    drop(w, [photo_file])  # the window still answers, with a message instead of a result
    qtbot.waitUntil(lambda: "model is not loaded" in w.message.text(), timeout=RESULT_TIMEOUT_MS)


def test_about_box_names_the_model(window, codec):
    text = window.about_text()
    assert str(codec.identity) in text and "Theis" in text


@pytest.mark.parametrize("argv", [["--quality", "0", "x.png"], ["--size", "big", "--screenshot", "o.png"]])
def test_bad_arguments_fail_cleanly(tmp_path, argv):
    r = run_nicgui(*argv, tmp_path=tmp_path)
    assert r.returncode == 1 and r.stderr.startswith("nicgui: error:")


def test_switching_device_reloads_the_model_and_recomputes(qtbot, window, photo_file):
    drop(window, [photo_file])
    first = wait_result(qtbot, window)
    with qtbot.waitSignal(window.client.ready, timeout=RESULT_TIMEOUT_MS):
        window.device_actions["cpu"].trigger()
    qtbot.waitUntil(lambda: window.outcome is not first and not window.client.busy, timeout=RESULT_TIMEOUT_MS)
    assert window.outcome.device == "cpu" and window.settings.device == "cpu"
    assert window.outcome.data == first.data  # same model, same device: same file


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_the_model_runs_on_cuda_when_chosen(qtbot, window, photo_file):
    drop(window, [photo_file])
    wait_result(qtbot, window)
    with qtbot.waitSignal(window.client.ready, timeout=RESULT_TIMEOUT_MS):
        window.device_actions["cuda"].trigger()
    qtbot.waitUntil(
        lambda: window.outcome.device.startswith("cuda") and not window.client.busy, timeout=RESULT_TIMEOUT_MS
    )
    assert "cuda" in window.readouts.value("device")


@pytest.mark.parametrize(
    ("argv", "env", "remembered", "expected"),
    [
        ([], None, "float32", "float32"),  # the Device menu's last choice
        (["--precision", "bfloat16"], "float32", "float32", "bfloat16"),  # the command line wins
        ([], "bfloat16", "float32", "bfloat16"),  # then the environment
    ],
)
def test_the_arithmetic_comes_from_the_command_line_the_environment_or_the_settings(
    qtbot, settings_path, monkeypatch, argv, env, remembered, expected
):
    from nicgui.gui import app

    if env is None:
        monkeypatch.delenv("NICGUI_PRECISION", raising=False)
    else:
        monkeypatch.setenv("NICGUI_PRECISION", env)
    Settings(file_qsettings(settings_path)).precision = remembered
    window, client = app._make_window(app._parser().parse_args([*argv, "--device", "cpu"]), settings_path)
    try:
        qtbot.waitUntil(lambda: client.model is not None, timeout=RESULT_TIMEOUT_MS)
        assert client.model.precision == expected
    finally:
        window.close()
