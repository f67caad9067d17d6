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


def _symbol_hashes(q):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.symbol_hashes(q)


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
    codec = load_model_for(data, device="cpu")  # the file picks its own model
    assert str(codec.identity) == entry["model"]
    decoded = codec.decode_full(data)
    for key, value in _symbol_hashes(decoded.quantised).items():
        assert entry[key] == value, f"{name}: {key} changed"
    expected = np.asarray(Image.open(GOLDEN / f"{name}.png"))
    assert np.abs(decoded.picture.rgb.astype(int) - expected.astype(int)).max() <= 1
