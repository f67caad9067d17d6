"""Golden files: .nic files written by earlier releases and by every shipped model keep decoding
to the same integer symbols (exactly) and the same pixels (within one grey level)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nicgui.codec.api import load_model_for
from nicgui.codec.bitstream import read_nic

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden"
MANIFEST = json.loads((GOLDEN / "MANIFEST.json").read_text())


def test_every_family_and_both_versions_are_covered():
    files = [read_nic((GOLDEN / f"{k}.nic").read_bytes()).header for k in MANIFEST]
    assert {h.version for h in files} == {1, 2}
    assert {h.family for h in files} == {"theis-cae", "mean-scale"}


@pytest.fixture(autouse=True)
def _golden_weights(monkeypatch):
    """Weights that wrote golden files but are not shipped are found here."""
    monkeypatch.setenv("NICGUI_WEIGHTS_DIR", str(GOLDEN / "weights"))


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_golden_file_decodes_as_it_always_did(name):
    entry = MANIFEST[name]
    data = (GOLDEN / f"{name}.nic").read_bytes()
    codec = load_model_for(data, device="cpu", precision="float32")  # the file picks its own model
    assert str(codec.identity) == entry["model"]
    decoded = codec.decode_full(data)
    for key, value in decoded.quantised.symbol_hashes().items():
        assert entry[key] == value, f"{name}: {key} changed"
    expected = np.asarray(Image.open(GOLDEN / f"{name}.png"))
    assert np.abs(decoded.picture.rgb.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_golden_file_decodes_in_bfloat16_to_the_same_symbols_and_nearly_the_same_pixels(name):
    entry = MANIFEST[name]
    data = (GOLDEN / f"{name}.nic").read_bytes()
    decoded = load_model_for(data, device="cpu", precision="bfloat16").decode_full(data)
    for key, value in decoded.quantised.symbol_hashes().items():
        assert entry[key] == value, f"{name}: {key} changed"
    expected = np.asarray(Image.open(GOLDEN / f"{name}.png")).astype(float)
    mse = np.mean((decoded.picture.rgb.astype(float) - expected) ** 2)
    assert mse < 0.5, f"{name}: bfloat16 decoding is {10 * np.log10(255**2 / mse):.1f} dB from float32"
