"""train/calibrate.py: scale tables fitted at export change the bits, never the picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nicgui.codec.api import Codec
from nicgui.codec.models import create
from nicgui.codec.weights import load_weights, save_weights
from nicgui.train.calibrate import calibrate_ladder, pick_pictures
from tests.conftest import synthetic_photo

TINY = Path(__file__).resolve().parent.parent / "data" / "golden" / "weights" / "mean-scale-tiny.safetensors"


@pytest.fixture(scope="module")
def pictures(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("calibration")
    for i in range(3):
        Image.fromarray(synthetic_photo(200, 232, seed=20 + i)).save(d / f"c{i}.png")
    return sorted(d.iterdir())


def test_fitted_tables_code_the_same_picture_in_no_more_bits(pictures, tmp_path):
    model = load_weights(TINY).model
    plain, fitted = tmp_path / "plain.safetensors", tmp_path / "fitted.safetensors"
    save_weights(model, plain)
    result = calibrate_ladder(model, pictures, qualities=(5, 30, 60, 95))
    assert result.pictures == 3 and result.qualities == 4 and result.residuals > 0
    assert result.saving >= 0 and result.bits_fitted <= result.bits_gaussian
    save_weights(model, fitted)
    before, after = Codec(load_weights(plain)), Codec(load_weights(fitted))
    assert before.identity != after.identity  # other tables: another model as far as files go
    img = synthetic_photo(96, 128, seed=3)  # not a calibration picture
    for quality in (10, 70):
        old, new = before.encode(img, quality), after.encode(img, quality)
        assert np.array_equal(after.decode(new).rgb, before.decode(old).rgb)
        assert len(new) <= len(old) * 1.02 + 16


def test_only_a_hyperprior_with_pictures_can_be_calibrated(pictures, tmp_path):
    with pytest.raises(ValueError, match="hyperprior"):
        calibrate_ladder(create("theis-cae-s"), pictures)
    with pytest.raises(ValueError, match="no calibration pictures"):
        calibrate_ladder(load_weights(TINY).model, [])
    tiny = tmp_path / "tiny.png"
    Image.fromarray(synthetic_photo(8, 8)).save(tiny)
    with pytest.raises(ValueError, match="too small"):
        calibrate_ladder(load_weights(TINY).model, [tiny])


def test_pictures_are_picked_evenly_over_the_folders(tmp_path):
    folders = [tmp_path / "a", tmp_path / "b"]
    for f, n in zip(folders, (6, 4), strict=True):
        f.mkdir()
        for i in range(n):
            Image.fromarray(synthetic_photo(16, 16, seed=i)).save(f / f"{i}.png")
    picked = pick_pictures(folders, 4)
    assert len(picked) == 4 and picked[0].parent.name == "a" and picked[-1].parent.name == "b"
    assert len(pick_pictures(folders, 50)) == 10
