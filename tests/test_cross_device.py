"""benchmarks/cross_device.py: the check a GPU session runs to show files decode identically
on another device (here both sides are the CPU, in two precisions)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import synthetic_photo

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "cross_device.py"
TINY_HYPERPRIOR = Path(__file__).resolve().parent / "data" / "golden" / "weights" / "mean-scale-tiny.safetensors"


@pytest.fixture(scope="module")
def cross_device():
    spec = importlib.util.spec_from_file_location("cross_device", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("weights", [[], ["--weights", str(TINY_HYPERPRIOR)]], ids=["cae", "hyperprior"])
def test_files_written_in_one_precision_decode_to_the_same_symbols_in_the_other(
    cross_device, tmp_path, capsys, weights
):
    images = tmp_path / "images"
    images.mkdir()
    for i in range(2):
        Image.fromarray(synthetic_photo(64, 96, seed=i)).save(images / f"p{i}.png")
    out = tmp_path / "files"
    assert (
        cross_device.main(
            ["encode", str(images), str(out), "--qualities", "10,90", "--precision", "bfloat16", *weights]
        )
        == 0
    )
    assert len(list(out.glob("*.nic"))) == 4
    assert cross_device.main(["check", str(out), "--precision", "float32", "--also", "cpu", *weights]) == 0
    said = capsys.readouterr().out
    assert "4 files written on cpu, decoded on cpu: every symbol, hyper-latent and scale index identical" in said

    hashes = json.loads((out / "hashes.json").read_text())
    hashes["p1-q90.nic"]["latents_sha256"] = "0" * 64  # as if the encoder had coded other symbols
    (out / "hashes.json").write_text(json.dumps(hashes))
    assert cross_device.main(["check", str(out), *weights]) == 1
    assert "MISMATCH p1-q90.nic: latents_sha256" in capsys.readouterr().out
