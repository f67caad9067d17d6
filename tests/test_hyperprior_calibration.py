"""benchmarks/hyperprior_calibration.py: the report a training run is checked with."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import synthetic_photo

ROOT = Path(__file__).resolve().parent.parent
TINY_HYPERPRIOR = ROOT / "tests" / "data" / "golden" / "weights" / "mean-scale-tiny.safetensors"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location(
        "hyperprior_calibration", ROOT / "benchmarks" / "hyperprior_calibration.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_reports_each_quality_and_rung_of_a_hyperprior_and_refuses_a_cae(script, tmp_path, capsys):
    for i in range(2):
        Image.fromarray(synthetic_photo(64, 80, seed=i)).save(tmp_path / f"p{i}.png")
    assert script.main([str(tmp_path), "--weights", str(TINY_HYPERPRIOR), "--qualities", "10,90", "--rungs"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("q")]
    assert [line.split(":")[0] for line in lines] == ["q10", "q90"]
    assert "best shift" in lines[0] and "rms/scale" in out
    bpp = [float(line.split("latents ")[1].split(" bpp")[0]) for line in lines]
    assert 0 < bpp[0] < bpp[1]
    assert script.main([str(tmp_path), "--weights", "theis-cae-s"]) == 1
    assert "not a hyperprior" in capsys.readouterr().err
    assert script.main([str(tmp_path / "p0.png"), "--weights", str(TINY_HYPERPRIOR)]) == 1
    assert "no pictures" in capsys.readouterr().err
