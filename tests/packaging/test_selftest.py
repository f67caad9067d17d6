"""``nicgui --selftest`` from the source tree: one line of JSON, exit 0 on success and 1 on any failure."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import nicgui.assets
from nicgui import selftest
from nicgui.cli import main
from tests.packaging._helpers import ROOT, clean_env, is_inside, run_selftest


def _summary(capsys) -> dict:
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_console_selftest_passes_from_any_folder(tmp_path):
    code, report = run_selftest([sys.executable, "-m", "nicgui.cli", "--selftest"], cwd=tmp_path)
    assert code == 0, report
    assert report["ok"] is True and report["frozen"] is False
    assert report["psnr"] >= selftest.DEFAULT_MIN_PSNR
    assert report["psnr"] >= report["psnr_flat"] + selftest.MIN_GAIN_OVER_FLAT
    assert report["pillow"] is True and report["qt"] and report["qt_platform"] == "offscreen"
    assert report["gui_modules"] >= 1
    assert is_inside(report["weights"], ROOT / "weights")  # found relative to the code, not the cwd
    assert is_inside(report["icon"], ROOT / "resources")


def test_broken_weights_fail_with_exit_1(tmp_path):
    (tmp_path / "default.safetensors").write_bytes(b"not safetensors")
    code, report = run_selftest(
        [sys.executable, "-m", "nicgui.cli", "--selftest", "--no-gui"],
        cwd=tmp_path,
        env=clean_env(NICGUI_WEIGHTS_DIR=str(tmp_path)),
    )
    assert code == 1
    assert report["ok"] is False and "WeightsError" in report["errors"]["codec"]


def test_psnr_below_the_minimum_fails(capsys):
    assert main(["--selftest", "--no-gui", "--min-psnr", "99"]) == 1
    report = _summary(capsys)
    assert report["ok"] is False and "PSNR" in report["errors"]["codec"]
    assert report["psnr"] < 99  # the measured value is still reported


def test_a_codec_that_returns_noise_fails(capsys, monkeypatch):
    from nicgui.codec.api import Codec

    real_decode = Codec.decode

    def noisy_decode(self, data):
        picture = real_decode(self, data)
        picture.rgb = np.random.default_rng(0).integers(0, 256, picture.rgb.shape, dtype=np.uint8)
        return picture

    monkeypatch.setattr(Codec, "decode", noisy_decode)
    assert selftest.run_selftest(["--no-gui"]) == 1
    assert "PSNR" in _summary(capsys)["errors"]["codec"]


def test_missing_icon_fails_the_gui_check_but_the_codec_still_runs(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(nicgui.assets, "resources_dirs", lambda: [tmp_path])
    assert selftest.run_selftest([]) == 1
    report = _summary(capsys)
    assert set(report["errors"]) == {"gui"} and "nicgui.png" in report["errors"]["gui"]
    assert report["psnr"] > 0


def test_builtin_picture_is_deterministic_and_photo_like():
    a, b = selftest.builtin_picture(), selftest.builtin_picture()
    np.testing.assert_array_equal(a, b)
    assert a.shape == (*selftest.TEST_SIZE, 3) and a.dtype == np.uint8
    assert a.shape[0] % 8 and a.shape[1] % 8  # exercises the codec's padding
    assert a.std() > 30 and len(np.unique(a.reshape(-1, 3), axis=0)) > 1000


def test_unknown_option_is_a_usage_error():
    with pytest.raises(SystemExit) as e:
        main(["--selftest", "--bogus"])
    assert e.value.code == 2
