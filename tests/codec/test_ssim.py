"""The one SSIM kernel: equal to pytorch-msssim (the oracle), striped or whole, with or without a
kept original, for standard and small pictures."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from pytorch_msssim import ms_ssim as oracle_ms_ssim
from pytorch_msssim import ssim as oracle_ssim

import nicgui.codec.ssim as kernel
from nicgui.codec.metrics import OriginalMoments, measure, ssim_map
from nicgui.codec.progress import Cancelled
from tests.conftest import synthetic_photo


def _noisy(a: np.ndarray, sigma: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(a + rng.normal(0, sigma, a.shape), 0, 255).astype(np.uint8)


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a.astype(np.float64)).permute(2, 0, 1)[None]


@pytest.mark.parametrize("shape,noise", [((176, 240), 6.0), ((161, 203), 20.0), ((300, 171), 2.0)])
def test_figures_equal_the_oracles(shape, noise):
    a = synthetic_photo(*shape, seed=3)
    b = _noisy(a, noise)
    m = measure(a, b)
    assert m.mse == pytest.approx(float(np.mean((a.astype(float) - b) ** 2)), rel=1e-12)
    assert m.ssim == pytest.approx(float(oracle_ssim(_t(a), _t(b), data_range=255.0)), abs=1e-5)
    assert m.ms_ssim == pytest.approx(float(oracle_ms_ssim(_t(a), _t(b), data_range=255.0)), abs=1e-5)


@pytest.mark.parametrize("shape", [(40, 60), (9, 30), (5, 5)])
def test_small_pictures_use_a_smaller_window(shape):
    a = synthetic_photo(*shape, seed=2)
    b = _noisy(a, 10.0)
    win = kernel.window_for(*shape)
    assert win == min(11, min(shape) if min(shape) % 2 else min(shape) - 1)
    expected = float(oracle_ssim(_t(a), _t(b), data_range=255.0, win_size=win))
    assert measure(a, b).ssim == pytest.approx(expected, abs=1e-5)
    assert 0 < measure(a, b).ms_ssim < 1


def test_identical_and_tiny_pictures():
    a = synthetic_photo(200, 200)
    m = measure(a, a)
    assert m.mse == 0 and math.isinf(m.psnr) and m.ssim == pytest.approx(1.0) and m.ms_ssim == pytest.approx(1.0)
    tiny = synthetic_photo(2, 9)
    assert math.isnan(measure(tiny, tiny).ssim) and math.isnan(measure(tiny, tiny).ms_ssim)


def test_strips_do_not_change_the_result(monkeypatch):
    a = synthetic_photo(200, 240, seed=5)
    b = np.clip(a.astype(np.int16) + 9, 0, 255).astype(np.uint8)
    whole = measure(a, b)
    monkeypatch.setattr(kernel, "_STRIP_VALUES", 3 * 240 * 7)  # 7 rows at a time
    striped = measure(a, b)
    assert striped.mse == whole.mse
    assert striped.ssim == pytest.approx(whole.ssim, abs=1e-6)
    assert striped.ms_ssim == pytest.approx(whole.ms_ssim, abs=1e-6)


def test_measuring_reports_every_strip_and_stops_when_told(monkeypatch):
    a = synthetic_photo(200, 240, seed=5)
    b = np.clip(a.astype(np.int16) + 9, 0, 255).astype(np.uint8)
    monkeypatch.setattr(kernel, "_STRIP_VALUES", 3 * 240 * 7)
    calls: list[tuple[str, int, int]] = []
    assert measure(a, b, lambda *c: calls.append(c)) == measure(a, b)
    assert {c[0] for c in calls} == {"measuring"}
    assert [c[1] for c in calls] == list(range(1, len(calls) + 1)) and calls[-1][1] == calls[-1][2] > 20

    def stop(stage, done, total):
        if done == 3:
            raise Cancelled("enough")

    with pytest.raises(Cancelled):
        measure(a, b, stop)


@pytest.mark.parametrize("keep", [True, False])
def test_a_kept_original_over_many_reconstructions_gives_the_same_figures(monkeypatch, keep):
    if not keep:  # a picture too big to keep its planes: recomputed per call, in strips
        monkeypatch.setattr(kernel, "KEEP_PIXELS", 0)
        monkeypatch.setattr(kernel, "_STRIP_VALUES", 3 * 240 * 9)
    a = synthetic_photo(200, 240, seed=6)
    original = OriginalMoments(a)
    for shift in (3, 11, 40):
        b = np.clip(a.astype(np.int16) + np.roll(a, shift, 1) // 8 - 16, 0, 255).astype(np.uint8)
        assert measure(original, b) == measure(a, b)


def test_the_map_agrees_with_the_scalar_and_finds_the_damage(photo):
    damaged = photo.copy()
    damaged[:10, :10] = 0
    smap = ssim_map(photo, damaged)
    assert smap.shape == photo.shape[:2]
    assert smap[:8, :8].mean() < 0.5 and smap[60:, 60:].min() > 0.99
    noisy = _noisy(photo, 8.0)
    interior = ssim_map(photo, noisy)[5:-5, 5:-5]  # the valid windows the scalar averages
    assert float(interior.mean()) == pytest.approx(measure(photo, noisy).ssim, abs=1e-4)


def test_sizes_must_match():
    with pytest.raises(ValueError, match="differ"):
        measure(np.zeros((200, 200, 3), np.uint8), np.zeros((200, 201, 3), np.uint8))
    with pytest.raises(ValueError, match="differ"):
        measure(OriginalMoments(np.zeros((200, 200, 3), np.uint8)), np.zeros((200, 201, 3), np.uint8))


@pytest.mark.parametrize("shape", [(128, 192), (48, 64), (8, 9)])
def test_the_differentiable_ms_ssim_is_the_measured_one_with_a_gradient(shape):
    from nicgui.codec.metrics import ms_ssim
    from nicgui.codec.ssim import ms_ssim_differentiable
    from tests.conftest import synthetic_photo

    a = synthetic_photo(*shape, seed=1)
    b = np.clip(a.astype(int) + np.random.default_rng(0).integers(-20, 20, a.shape), 0, 255).astype(np.uint8)
    x = torch.from_numpy(a).permute(2, 0, 1)[None].float()
    y = torch.from_numpy(b).permute(2, 0, 1)[None].float().requires_grad_()
    value = ms_ssim_differentiable(x, y)
    assert abs(float(value) - ms_ssim(a, b)) < 1e-5
    value.backward()
    assert y.grad is not None and float(y.grad.abs().sum()) > 0
