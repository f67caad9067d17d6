"""quick_metrics gives the figures of all_metrics, only faster."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nicgui.codec.metrics import all_metrics
from nicgui.codec.quick_metrics import quick_metrics
from tests.conftest import synthetic_photo


@pytest.mark.parametrize("shape,noise", [((176, 240), 6.0), ((161, 203), 20.0), ((300, 171), 2.0)])
def test_quick_metrics_match_all_metrics(shape, noise):
    a = synthetic_photo(*shape, seed=3)
    rng = np.random.default_rng(1)
    b = np.clip(a + rng.normal(0, noise, a.shape), 0, 255).astype(np.uint8)
    ref, fast = all_metrics(a, b), quick_metrics(a, b)
    assert fast.mse == pytest.approx(ref.mse, rel=1e-12)
    assert fast.psnr == pytest.approx(ref.psnr, rel=1e-12)
    assert fast.ssim == pytest.approx(ref.ssim, abs=2e-5)
    assert fast.ms_ssim == pytest.approx(ref.ms_ssim, abs=2e-5)


def test_identical_pictures_and_small_pictures():
    a = synthetic_photo(200, 200)
    m = quick_metrics(a, a)
    assert m.mse == 0 and math.isinf(m.psnr) and m.ssim == pytest.approx(1.0) and m.ms_ssim == pytest.approx(1.0)
    small = synthetic_photo(40, 60)
    assert quick_metrics(small, small // 2) == all_metrics(small, small // 2)  # handed to all_metrics


def test_strips_do_not_change_the_result(monkeypatch):
    import nicgui.codec.quick_metrics as qm

    a = synthetic_photo(200, 240, seed=5)
    b = np.clip(a.astype(np.int16) + 9, 0, 255).astype(np.uint8)
    whole = quick_metrics(a, b)
    monkeypatch.setattr(qm, "_STRIP_VALUES", 3 * 240 * 7)  # 7 rows at a time
    striped = quick_metrics(a, b)
    assert striped.mse == whole.mse
    assert striped.ssim == pytest.approx(whole.ssim, abs=1e-6)
    assert striped.ms_ssim == pytest.approx(whole.ms_ssim, abs=1e-6)


@pytest.mark.parametrize("keep", [True, False])
def test_a_reference_reused_over_many_reconstructions_gives_the_same_figures(monkeypatch, keep):
    import nicgui.codec.quick_metrics as qm

    if not keep:  # a picture too big to keep its planes: recomputed per call, in strips
        monkeypatch.setattr(qm, "KEEP_PIXELS", 0)
        monkeypatch.setattr(qm, "_STRIP_VALUES", 3 * 240 * 9)
    a = synthetic_photo(200, 240, seed=6)
    ref = qm.Reference(a)
    for shift in (3, 11, 40):
        b = np.clip(a.astype(np.int16) + np.roll(a, shift, 1) // 8 - 16, 0, 255).astype(np.uint8)
        assert quick_metrics(ref, b) == quick_metrics(a, b)
        assert quick_metrics(ref, b).ms_ssim == pytest.approx(all_metrics(a, b).ms_ssim, abs=2e-5)


def test_a_reference_checks_the_size_too():
    from nicgui.codec.quick_metrics import Reference

    with pytest.raises(ValueError):
        quick_metrics(Reference(np.zeros((200, 200, 3), np.uint8)), np.zeros((200, 201, 3), np.uint8))


def test_sizes_must_match():
    with pytest.raises(ValueError):
        quick_metrics(np.zeros((200, 200, 3), np.uint8), np.zeros((200, 201, 3), np.uint8))
