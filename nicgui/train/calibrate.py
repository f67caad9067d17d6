"""Fit the hyperprior's scale tables to the residuals it actually codes (at export).

Training rates every latent element with the Gaussian of its rung; the rungs a model ends up
predicting do not fit the rounded residuals exactly (measured on the CPU-trained model: the bits
spent were 10-25 % over the residuals' entropy per rung, and more where training had gone
wrong). The tables are built at export, not learned, so they can be built from what the model
does instead: code calibration pictures (training pictures, never the test set) at qualities
across the axis, count the residuals per rung, and give each rung the observed distribution,
smoothed by its Gaussian (``entropy/gaussian.build_ladder_tables``). Decoding is unchanged: the
tables are stored as integers like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from nicgui.codec.entropy.gaussian import build_ladder_tables
from nicgui.codec.entropy.tables import MAX_HALF_WIDTH, TableSet
from nicgui.codec.models import CodecModel
from nicgui.codec.models.hyperprior import MeanScaleHyperprior
from nicgui.train.data import list_images, load_rgb

log = logging.getLogger(__name__)

QUALITIES = tuple(range(1, 101, 9))  # 1, 10, ..., 100: the whole axis, as training samples it
CROP = 512  # pictures are centre-cropped to at most this many pixels per side


@dataclass(frozen=True)
class Calibration:
    """What fitting the tables did, on the calibration pictures themselves."""

    pictures: int
    qualities: int
    residuals: int
    bits_gaussian: float  # latent bits with the Gaussian tables training assumed
    bits_fitted: float  # with the fitted tables

    @property
    def saving(self) -> float:
        """Fraction of the latent bits the fitted tables save (0.1: 10 %)."""
        return 1.0 - self.bits_fitted / self.bits_gaussian


def _centre_crop(rgb: np.ndarray, stride: int) -> np.ndarray:
    h = min(rgb.shape[0], CROP) // stride * stride
    w = min(rgb.shape[1], CROP) // stride * stride
    if h == 0 or w == 0:
        raise ValueError(f"a calibration picture of {rgb.shape[1]}x{rgb.shape[0]} is too small")
    y0, x0 = (rgb.shape[0] - h) // 2, (rgb.shape[1] - w) // 2
    return rgb[y0 : y0 + h, x0 : x0 + w]


def pick_pictures(folders: Sequence[Path], count: int) -> list[Path]:
    """``count`` pictures spread evenly over the folders' sorted files (all if fewer)."""
    files = [p for folder in folders for p in list_images(folder)]
    if count >= len(files):
        return files
    return [files[i] for i in np.linspace(0, len(files) - 1, count).round().astype(int)]


@torch.no_grad()
def calibrate_ladder(model: CodecModel, pictures: Sequence[Path], qualities: Sequence[int] = QUALITIES) -> Calibration:
    """Count the residuals ``model`` codes per rung on ``pictures`` and give the model ladder
    tables fitted to them, which its next ``build_tables`` (export) writes."""
    if not isinstance(model, MeanScaleHyperprior):
        raise ValueError(f"fitting scale tables is for the mean-scale hyperprior, not the {model.family} family")
    if not pictures:
        raise ValueError("no calibration pictures")
    model.fitted_ladder = None
    tables = model.build_tables()
    model.load_tables(tables)  # code with the Gaussian tables training assumed
    counts = np.zeros((model.cfg.scale_levels, 2 * MAX_HALF_WIDTH + 1))
    for path in pictures:
        rgb = _centre_crop(load_rgb(path), model.stride)
        x = torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None].float()
        y = model.analysis(x)[0].numpy()
        for quality in qualities:
            q = model.quantise(y, quality)
            assert q.side is not None
            r = np.clip(q.z, -MAX_HALF_WIDTH, MAX_HALF_WIDTH) + MAX_HALF_WIDTH
            np.add.at(counts, (q.side.scale_index.reshape(-1), r.reshape(-1)), 1)
    gaussian = TableSet.from_arrays(tables, "tables.ladder")
    fitted = build_ladder_tables(model.ladder, counts)
    model.fitted_ladder = fitted
    result = Calibration(
        len(pictures), len(qualities), int(counts.sum()), _bits(gaussian, counts), _bits(fitted, counts)
    )
    log.info(
        "scale tables fitted on %d pictures x %d qualities: latent bits %.1f %% fewer on them",
        result.pictures,
        result.qualities,
        100 * result.saving,
    )
    return result


def _bits(tables: TableSet, counts: np.ndarray) -> float:
    """Bits of every counted residual coded with ``tables``."""
    rungs, values = np.nonzero(counts)
    return float((tables.bits(values - MAX_HALF_WIDTH, rungs) * counts[rungs, values]).sum())
