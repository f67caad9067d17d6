"""Weights files: families recorded, hostile files refused with a reason before big allocations."""

from __future__ import annotations

import json
import time

import pytest
from safetensors.numpy import load_file, save_file

from nicgui.codec.models import create
from nicgui.codec.weights import WeightsError, identity_of, installed_models, load_weights, save_weights


def _rewrite(src, dst, arrays=None, **meta_changes):
    from safetensors import safe_open

    with safe_open(str(src), framework="numpy") as f:
        meta = dict(f.metadata())
    meta.update(meta_changes)
    save_file(arrays if arrays is not None else load_file(str(src)), str(dst), metadata=meta)


@pytest.fixture(scope="module")
def cae_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("w") / "cae.safetensors"
    save_weights(create("theis-cae-s"), path)
    return path


def test_identity_is_recorded_and_checked(cae_file):
    w = load_weights(cae_file)
    assert identity_of(cae_file) == w.identity and w.model.family == "theis-cae"


def test_oversized_config_is_refused_before_allocating(cae_file, tmp_path):
    cfg = load_weights(cae_file).model.cfg.to_dict()
    cfg["hidden"] = 200_000
    cfg["dec_in"] = 800_000
    bad = tmp_path / "huge.safetensors"
    _rewrite(cae_file, bad, config=json.dumps(cfg))
    t0 = time.perf_counter()
    with pytest.raises(WeightsError, match="too large|does not match"):
        load_weights(bad)
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("damage", ["freqs", "offsets", "half", "missing"])
def test_damaged_tables_are_a_weights_error(cae_file, tmp_path, damage):
    arrays = load_file(str(cae_file))
    if damage == "freqs":
        arrays["tables.freqs"] = arrays["tables.freqs"][:-5]
    elif damage == "offsets":
        arrays["tables.offsets"] = arrays["tables.offsets"] + 7
    elif damage == "half":
        arrays["tables.half"] = arrays["tables.half"] * 0 + 5000
    else:
        del arrays["tables.scales"]
    bad = tmp_path / f"{damage}.safetensors"
    _rewrite(cae_file, bad, arrays=arrays)
    with pytest.raises(WeightsError, match="tables"):
        load_weights(bad)


def test_unknown_family_is_named(cae_file, tmp_path):
    bad = tmp_path / "fam.safetensors"
    _rewrite(cae_file, bad, family="vq-vae")
    with pytest.raises(WeightsError, match="vq-vae"):
        load_weights(bad)


def test_installed_models_lists_names_and_families(cae_file, monkeypatch):
    monkeypatch.setenv("NICGUI_WEIGHTS_DIR", str(cae_file.parent))
    found = {m.name: m for m in installed_models()}
    assert found["cae"].family == "theis-cae" and found["cae"].path == cae_file


def test_the_default_is_the_hyperprior_and_the_cae_stays_installed_by_name():
    found = {m.name: m for m in installed_models()}
    assert found["default"].family == "mean-scale" and found["default"].model == "mean-scale"
    # files written by every earlier release name these weights: they must stay installed
    assert str(identity_of(found["theis-cae-s"].path)) == "theis-cae-s (a89886f72e41)"
