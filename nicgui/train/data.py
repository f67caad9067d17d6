"""Training data: every image of one or more folders, held in memory, served as random flipped crops."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from nicgui.imagefiles import IMAGE_SUFFIXES, images_in

log = logging.getLogger(__name__)


def list_images(folder: Path) -> list[Path]:
    """Image files directly in ``folder``, sorted; raises if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"not a folder: {folder}")
    files = images_in(folder)
    if not files:
        raise FileNotFoundError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) in {folder}")
    return files


def load_rgb(path: Path) -> np.ndarray:
    """An image file as uint8 RGB (H, W, 3), EXIF orientation applied."""
    with Image.open(path) as im:
        upright = ImageOps.exif_transpose(im)
        return np.asarray(upright.convert("RGB"), dtype=np.uint8)


class CropSampler:
    """Random crops (with random horizontal/vertical flips) from images kept in memory."""

    def __init__(self, folders: Path | Sequence[Path], crop: int, seed: int = 0) -> None:
        self.crop = crop
        self.images = []
        folder_list = [Path(folders)] if isinstance(folders, (str, Path)) else [Path(f) for f in folders]
        folder = ", ".join(str(f) for f in folder_list)
        for p in [p for f in folder_list for p in list_images(f)]:
            a = load_rgb(p)
            if min(a.shape[:2]) < crop:
                log.warning("skipping %s: smaller than the %d px crop", p.name, crop)
                continue
            self.images.append(a)
        if not self.images:
            raise ValueError(f"no image in {folder} is at least {crop} px on its short side")
        self.rng = np.random.default_rng(seed)
        log.info("loaded %d training images from %s", len(self.images), folder)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, size: int) -> torch.Tensor:
        """(size, 3, crop, crop) float32 in [0, 255]."""
        return self.crops(size).float()

    def crops(self, size: int, pin: bool = False) -> torch.Tensor:
        """(size, 3, crop, crop) uint8 (a channels-last view), in page-locked memory with ``pin``
        (so that copying to a GPU needs no wait for the GPU's queued work)."""
        out = np.empty((size, self.crop, self.crop, 3), np.uint8)
        for i in range(size):
            a = self.images[self.rng.integers(len(self.images))]
            y = self.rng.integers(a.shape[0] - self.crop + 1)
            x = self.rng.integers(a.shape[1] - self.crop + 1)
            c = a[y : y + self.crop, x : x + self.crop]
            if self.rng.random() < 0.5:
                c = c[:, ::-1]
            if self.rng.random() < 0.5:
                c = c[::-1]
            out[i] = c
        t = torch.from_numpy(out)
        return (t.pin_memory() if pin else t).permute(0, 3, 1, 2)


class Prefetcher:
    """Batches of crops made on a thread of their own, ``depth`` ahead of the training loop, so a
    GPU does not wait while the CPU cuts the next batch. The sampler's random sequence is the
    same as when called directly (only this thread draws from it)."""

    def __init__(self, sampler: CropSampler, size: int, pin: bool, depth: int = 3) -> None:
        self._sampler, self._size, self._pin = sampler, size, pin
        self._queue: queue.Queue[torch.Tensor | BaseException] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crop-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._put(self._sampler.crops(self._size, self._pin))
        except BaseException as e:  # handed to the training loop, which raises it
            self._put(e)

    def _put(self, item: torch.Tensor | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def next(self) -> torch.Tensor:
        """The next (size, 3, crop, crop) uint8 batch."""
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
