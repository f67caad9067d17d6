"""Metrics agree with their definitions and with pytorch-msssim."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nicgui.codec import metrics


def test_mse_and_psnr_by_definition():
    a = np.zeros((4, 4, 3), np.uint8)
    b = a + 10
    assert metrics.mse(a, b) == 100.0
    assert metrics.psnr(a, b) == pytest.approx(10 * math.log10(255**2 / 100))
    assert metrics.psnr(a, a) == math.inf


def test_ssim_is_one_for_identical_and_drops_with_noise(photo):
    assert metrics.ssim(photo, photo) == pytest.approx(1.0)
    assert metrics.ms_ssim(photo, photo) == pytest.approx(1.0)
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 20, photo.shape), 0, 255).astype(np.uint8)
    assert metrics.ssim(photo, noisy) < 0.9
    assert metrics.ms_ssim(photo, noisy) < metrics.ms_ssim(photo, photo)


@pytest.mark.parametrize("size", [(2, 2), (5, 9), (40, 40), (100, 200)])
def test_small_images_get_a_value_or_nan(size):
    a = np.random.default_rng(1).integers(0, 256, (*size, 3)).astype(np.uint8)
    s, m = metrics.ssim(a, a), metrics.ms_ssim(a, a)
    if min(size) < 3:
        assert math.isnan(s) and math.isnan(m)
    else:
        assert s == pytest.approx(1.0) and m == pytest.approx(1.0)


def test_maps_have_image_shape_and_sense(photo):
    noisy = photo.copy()
    noisy[:10, :10] = 0
    err = metrics.abs_error_map(photo, noisy)
    smap = metrics.ssim_map(photo, noisy)
    assert err.shape == smap.shape == photo.shape[:2]
    assert err[:10, :10].mean() > 10 and err[50:, 50:].max() == 0
    assert smap[:8, :8].mean() < 0.5 and smap[60:, 60:].min() > 0.99


def test_bits_per_pixel_from_file_size():
    assert metrics.bits_per_pixel(1000, 100, 80) == 1.0


def test_size_mismatch_is_an_error(photo):
    with pytest.raises(ValueError, match="differ"):
        metrics.mse(photo, photo[:10])
