"""Training crops: random, flipped, from every folder; made ahead on a thread of their own."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from PIL import Image

from nicgui.train.data import CropSampler, Prefetcher
from tests.conftest import synthetic_photo


@pytest.fixture()
def folder(tmp_path):
    for i in range(3):
        Image.fromarray(synthetic_photo(48, 64, seed=i)).save(tmp_path / f"{i}.png")
    return tmp_path


def test_crops_come_from_the_images(folder):
    s = CropSampler(folder, 32, seed=1)
    b = s.batch(4)
    assert b.shape == (4, 3, 32, 32) and b.dtype == torch.float32
    crop = b[0].permute(1, 2, 0).numpy().astype(np.uint8)
    # every crop is a (possibly flipped) window of one of the images
    found = False
    for img in s.images:
        for view in (img, img[:, ::-1], img[::-1], img[::-1, ::-1]):
            for y in range(view.shape[0] - 31):
                for x in range(view.shape[1] - 31):
                    found |= np.array_equal(view[y : y + 32, x : x + 32], crop)
    assert found


def test_prefetched_batches_are_the_sampler_sequence(folder):
    direct = CropSampler(folder, 32, seed=7)
    expected = [direct.crops(2) for _ in range(5)]
    feed = Prefetcher(CropSampler(folder, 32, seed=7), 2, pin=False, depth=2)
    try:
        got = [feed.next() for _ in range(5)]
    finally:
        feed.close()
    assert all(torch.equal(a, b) and b.dtype == torch.uint8 for a, b in zip(expected, got, strict=True))


def test_closing_a_full_prefetcher_ends_its_thread(folder):
    feed = Prefetcher(CropSampler(folder, 32), 2, pin=False, depth=1)
    feed.next()
    feed.close()  # its thread was waiting to hand over a batch nobody takes
    assert not any(t.name == "crop-prefetch" and t.is_alive() for t in threading.enumerate())


def test_a_sampler_error_reaches_the_training_loop(folder, monkeypatch):
    sampler = CropSampler(folder, 32)

    def broken(size, pin=False):
        raise MemoryError("no room for a batch")

    monkeypatch.setattr(sampler, "crops", broken)
    feed = Prefetcher(sampler, 2, pin=False)
    with pytest.raises(MemoryError, match="no room"):
        feed.next()
    feed.close()
