"""Shared fixtures: a synthetic natural-looking test image and the shipped CAE on the CPU."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def synthetic_photo(height: int = 128, width: int = 192, seed: int = 0) -> np.ndarray:
    """A deterministic RGB image with smooth shading, edges, texture and noise, like a photo."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.zeros((height, width, 3))
    sky = np.array([110.0, 160.0, 220.0])
    img += sky * (1 - yy[..., None] / height * 0.5)
    for _ in range(6):  # soft blobs ("objects") with their own colours
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        r = rng.uniform(0.1, 0.35) * min(height, width)
        mask = 1 / (1 + np.exp((np.hypot(yy - cy, xx - cx) - r) / 1.5))
        img = img * (1 - mask[..., None]) + rng.uniform(20, 240, 3) * mask[..., None]
    ground = yy > height * 0.7 + 6 * np.sin(xx / 9)
    img[ground] = img[ground] * 0.4 + np.array([70.0, 110.0, 50.0]) * 0.6
    img += 18 * np.sin(xx / 3.1 + yy / 5.3)[..., None] * ground[..., None]  # texture
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    return synthetic_photo()


@pytest.fixture(scope="session")
def codec():
    """The shipped CAE (``theis-cae-s``), which the tests of CAE-specific behaviour are written for;
    the default model is the hyperprior, tested through its own fixtures and the golden files."""
    from nicgui.codec.api import load_model

    return load_model("theis-cae-s", device="cpu")


@pytest.fixture(scope="session")
def hyper():
    """The shipped default model (the mean-scale hyperprior) in float32, for exact repeatability."""
    from nicgui.codec.api import load_model

    return load_model(None, "cpu", "float32")
