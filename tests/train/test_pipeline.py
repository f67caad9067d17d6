"""Training, export and evaluation on tiny data: a few steps, a few images."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from nicgui.cli import main
from nicgui.codec.api import Codec
from nicgui.codec.models import create
from nicgui.codec.weights import load_weights, save_weights
from nicgui.train.rd import bd_rate
from nicgui.train.trainer import TrainConfig, learning_rate, load_start, parameter_groups, train
from tests.conftest import synthetic_photo


@pytest.fixture()
def folder(tmp_path):
    d = tmp_path / "imgs"
    d.mkdir()
    for i in range(3):
        Image.fromarray(synthetic_photo(64, 72, seed=i)).save(d / f"img{i}.png")
    (d / "notes.txt").write_text("not an image")
    return d


def test_train_resume_export_and_eval(folder, tmp_path, capsys):
    out = tmp_path / "run"
    args = [
        "train",
        str(folder),
        "--out",
        str(out),
        "--model",
        "theis-cae-s",
        "--steps",
        "3",
        "--batch",
        "2",
        "--crop",
        "32",
        "--save-every",
        "2",
        "--val",
        str(folder),
        "--val-every",
        "3",
        "--no-progress",
    ]
    assert main(args) == 0
    ck = torch.load(out / "last.pt", weights_only=True)
    assert ck["step"] == 3
    rows = list(csv.DictReader((out / "log.csv").open()))
    assert any(r["kind"] == "val" and "val_psnr_q50" in r["extra"] for r in rows)
    assert main(args + ["--resume", str(out / "last.pt")]) == 0
    assert torch.load(out / "last.pt", weights_only=True)["step"] == 6

    weights = tmp_path / "w.safetensors"
    assert main(["export", str(out / "last.pt"), "-o", str(weights)]) == 0
    codec = Codec(load_weights(weights))
    img = synthetic_photo(40, 48)
    assert codec.decode(codec.encode(img, 50)).rgb.shape == img.shape

    ev = tmp_path / "eval"
    eval_args = ["eval", str(folder), "--out", str(ev), "--weights", str(weights), "--qualities", "1,30,60,100"]
    eval_args += ["--codecs", "jpeg", "--limit", "2"]
    assert main(eval_args) == 0
    summary = json.loads((ev / "summary.json").read_text())
    assert summary["images"] == 2 and set(summary["curves"]) == {"nicgui", "jpeg"}
    assert len(summary["curves"]["nicgui"]) == 4
    assert "jpeg" in summary["bd_rate_vs"]
    assert summary["precision"] == "float32"  # figures that do not depend on the machine's arithmetic
    table = (ev / "rd_table.md").read_text().splitlines()
    assert len(table) == 2 + 4 and table[2].startswith("| 1 | ")  # nicgui's mean curve, one row per quality
    for name in ("points.csv", "bd_rate.md", "rd_psnr.png", "rd_msssim.png"):
        assert (ev / name).stat().st_size > 0
    points = list(csv.DictReader((ev / "points.csv").open()))
    ours = [p for p in points if p["codec"] == "nicgui"]
    assert len(ours) == 8 and all(int(p["bytes"]) > 0 for p in ours)

    # a second run (say, with new weights) reuses the classical codecs' points
    marked = [dict(p, bytes="999999") if p["codec"] == "jpeg" and p["quality"] == "2" else p for p in points]
    with (ev / "points.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(points[0]))
        w.writeheader()
        w.writerows(marked)
    first = tmp_path / "first"  # and measures the model against an earlier evaluation's (here: itself)
    first.mkdir()
    (first / "summary.json").write_text((ev / "summary.json").read_text())
    assert main(eval_args + ["--compare-with", str(first)]) == 0
    again = [p for p in csv.DictReader((ev / "points.csv").open()) if p["codec"] == "jpeg" and p["quality"] == "2"]
    assert len(again) == 2 and all(p["bytes"] == "999999" for p in again)
    compared = json.loads((ev / "summary.json").read_text())["compared_with"]
    (name,) = compared
    assert name == f"nicgui {summary['model']}" and name in (ev / "bd_rate.md").read_text()
    assert [g["gap"] for g in compared[name]["gaps"]] == [0.0] * 4  # the same weights decode the same files
    assert "| 30 | " in (ev / "compare.md").read_text()

    # a folder that is no evaluation is refused before anything is measured, and the results stay
    before = (ev / "points.csv").read_bytes()
    assert main(eval_args + ["--compare-with", str(folder)]) == 1
    assert "no summary.json" in capsys.readouterr().err
    assert (ev / "points.csv").read_bytes() == before and (ev / "compare.md").is_file()


def test_train_rejects_bad_data(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", str(empty), "--out", str(tmp_path / "r"), "--steps", "1"]) == 1
    assert "no images" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "missing"), "--out", str(tmp_path / "r"), "--steps", "1"]) == 1


@pytest.mark.parametrize(
    "model, batch, crop, lr, bf16",
    [("theis-cae-s", 4, 32, 2e-3, False), ("theis-cae-s", 4, 32, 2e-3, True), ("mean-scale", 2, 64, 1e-3, False)],
)
def test_training_lowers_the_loss(folder, tmp_path, model, batch, crop, lr, bf16):
    cfg = TrainConfig(data=folder, out=tmp_path / "r", model=model, steps=60, batch=batch, crop=crop, lr=lr)
    cfg.warmup, cfg.save_every, cfg.log_every, cfg.bf16 = 5, 1000, 20, bf16
    ckpt = train(cfg, progress=False)
    rows = [r for r in csv.DictReader((tmp_path / "r" / "log.csv").open()) if r["kind"] == "train"]
    assert [int(r["step"]) for r in rows] == [20, 40, 60]
    assert float(rows[-1]["loss"]) < 0.7 * float(rows[0]["loss"])
    assert float(rows[-1]["psnr"]) > float(rows[0]["psnr"])
    weights = tmp_path / "w.safetensors"  # channels-last training still exports a loadable file
    assert main(["export", str(ckpt), "-o", str(weights)]) == 0
    img = synthetic_photo(40, 48)
    codec = Codec(load_weights(weights))
    assert codec.decode(codec.encode(img, 50)).rgb.shape == img.shape


def test_bf16_forward_keeps_the_rate_and_the_picture():
    from nicgui.codec.models import CompressiveAutoencoder
    from nicgui.codec.models.theis import SIZES as REGISTRY

    torch.manual_seed(0)
    model = CompressiveAutoencoder(REGISTRY["theis-cae-s"])
    x = torch.tensor(synthetic_photo(64, 64)).permute(2, 0, 1)[None].float()
    pos = torch.tensor([2.5])
    with torch.no_grad():
        ref_x, ref_bpp = model(x, pos, noise=False)
        x_hat, bpp = model(x, pos, noise=False, bf16=True)
    assert x_hat.dtype == torch.float32 and bpp.dtype == torch.float32
    assert bpp.item() == pytest.approx(ref_bpp.item(), rel=0.05)
    assert (x_hat - ref_x).abs().mean().item() < 1.0  # within a grey level on average


def test_parameter_groups_cover_every_parameter_once_with_the_models_scales():
    ms = create("mean-scale")
    groups = parameter_groups(ms)
    assert sum(len(g["params"]) for g in groups) == len(list(ms.parameters()))
    fast = next(g for g in groups if g["lr_scale"] != 1.0)
    assert fast["lr_scale"] == pytest.approx(1 / ms.ladder.step)
    assert {id(p) for p in fast["params"]} == {id(p) for p in ms.scale_net.out.parameters()}
    assert [g["lr_scale"] for g in parameter_groups(create("theis-cae-s"))] == [1.0]


def test_learning_rate_schedule():
    cfg = TrainConfig(data=None, out=None, lr=1e-3, lr_final=1e-5, warmup=10)
    assert learning_rate(cfg, 0, 0.0) == pytest.approx(1e-4)
    assert learning_rate(cfg, 100, 0.0) == pytest.approx(1e-3)
    assert learning_rate(cfg, 100, 1.0) == pytest.approx(1e-5)
    assert 1e-5 < learning_rate(cfg, 100, 0.5) < 1e-3


def test_bd_rate_of_known_curves():
    psnr = np.array([28.0, 30.0, 32.0, 34.0, 36.0])
    rate = np.exp((psnr - 20) / 6)
    assert bd_rate(rate, psnr, rate, psnr) == pytest.approx(0.0, abs=1e-9)
    assert bd_rate(rate, psnr, rate / 2, psnr) == pytest.approx(-50.0, abs=1e-6)
    assert math.isnan(bd_rate(rate, psnr, rate, psnr + 20))
    with pytest.raises(ValueError, match="at least 4 points"):
        bd_rate(rate[:3], psnr[:3], rate, psnr)
    flat = np.array([13.917, 13.917, 13.917, 13.918, 13.9181])  # an untrained model: one quality at any rate
    with pytest.raises(ValueError, match="distinct quality"):
        bd_rate(rate, psnr, rate, flat)


def test_sigterm_stops_training_with_a_checkpoint(folder, tmp_path, monkeypatch):
    import os
    import signal

    from nicgui.train import trainer

    calls = {"n": 0}
    original = trainer.train_step

    def train_step(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return original(*args)

    monkeypatch.setattr(trainer, "train_step", train_step)
    before = signal.getsignal(signal.SIGTERM)
    cfg = TrainConfig(data=folder, out=tmp_path / "r", model="theis-cae-s", steps=50, batch=2, crop=32)
    train(cfg, progress=False)
    assert torch.load(tmp_path / "r" / "last.pt", weights_only=True)["step"] == 3  # finishes the step it is on
    assert signal.getsignal(signal.SIGTERM) is before


def test_torchrun_trains_data_parallel_on_two_processes(folder, tmp_path):
    """Two CPU processes under torchrun (Gloo): one log, one checkpoint, parameters kept in sync."""
    import os
    import subprocess
    import sys

    out = tmp_path / "ddp"
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = "1"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        "-m",
        "nicgui.cli",
        "-v",
        "train",
        str(folder),
        "--out",
        str(out),
        "--model",
        "theis-cae-s",
        "--steps",
        "4",
        "--batch",
        "2",
        "--crop",
        "32",
        "--log-every",
        "2",
        "--threads",
        "1",
        "--no-progress",
    ]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "data-parallel over 2 processes (gloo), 4 crops per step" in r.stderr
    assert torch.load(out / "last.pt", weights_only=True)["step"] == 4
    rows = list(csv.DictReader((out / "log.csv").open()))
    assert [int(row["step"]) for row in rows] == [2, 4]  # written once, by rank 0


def test_hyperprior_trains_on_several_folders_resumes_exports_and_evaluates(folder, tmp_path, capsys):
    second = tmp_path / "more"
    second.mkdir()
    Image.fromarray(synthetic_photo(80, 80, seed=9)).save(second / "x.png")
    out = tmp_path / "ms"
    args = ["train", str(folder), str(second), "--out", str(out), "--model", "mean-scale"]
    args += ["--steps", "2", "--batch", "2", "--crop", "64", "--no-progress", "--bf16"]
    assert main(args) == 0
    ck = torch.load(out / "last.pt", weights_only=True)
    assert ck["step"] == 2 and ck["family"] == "mean-scale"
    base, scaled = ck["opt"]["param_groups"]  # the scale network's output layer learns faster
    assert scaled["lr"] == pytest.approx(base["lr"] * scaled["lr_scale"]) and scaled["lr_scale"] > 5
    assert main(args + ["--resume", str(out / "last.pt")]) == 0
    from nicgui.train.export import load_checkpoint

    model = load_checkpoint(out / "last.pt")[0]  # a checkpoint from before the groups still resumes
    torch.save(dict(ck, opt=torch.optim.Adam(model.parameters()).state_dict()), tmp_path / "old.pt")
    assert main(args + ["--resume", str(tmp_path / "old.pt")]) == 0
    weights = tmp_path / "ms.safetensors"
    assert main(["export", str(out / "last.pt"), "-o", str(weights), "--float16"]) == 0
    codec = Codec(load_weights(weights))
    assert codec.family == "mean-scale" and codec.model.g_a[0].weight.dtype == torch.float32
    # exported weights resume too (checkpoints/ holds them): from their parameters, the step count going on
    again = tmp_path / "from-weights"
    resume_args = ["train", str(folder), "--out", str(again), "--model", "mean-scale", "--steps", "1", "--batch", "1"]
    assert main(resume_args + ["--crop", "64", "--lr", "1e-12", "--no-progress", "--resume", str(weights)]) == 0
    ck2 = torch.load(again / "last.pt", weights_only=True)
    assert ck2["step"] == load_weights(weights).info["steps"] + 1 == 5
    start = codec.model.state_dict()
    assert torch.allclose(ck2["model"]["g_a.0.weight"], start["g_a.0.weight"], atol=1e-9)
    assert torch.allclose(ck2["model"]["h_mean.0.weight"], start["h_mean.0.weight"], atol=1e-9)
    fitted = tmp_path / "fitted.safetensors"
    assert main(["export", str(out / "last.pt"), "-o", str(fitted), "--calibrate", str(folder), str(second)]) == 0
    assert "scale tables fitted on 4 pictures x 12 qualities" in capsys.readouterr().out
    assert "fitted on 4 pictures" in load_weights(fitted).info["scale_tables"]
    img = synthetic_photo(40, 48)
    assert codec.decode(codec.encode(img, 50)).rgb.shape == img.shape
    ev = tmp_path / "eval"
    eval_args = ["eval", str(folder), "--out", str(ev), "--weights", str(weights), "--qualities", "10,90"]
    assert main(eval_args + ["--codecs", "jpeg", "--limit", "1"]) == 0
    assert len(json.loads((ev / "summary.json").read_text())["curves"]["nicgui"]) == 2


def test_resuming_from_weights_without_a_step_count_counts_from_zero(tmp_path, caplog):
    path = tmp_path / "w.safetensors"
    save_weights(create("theis-cae-s"), path, info={"steps": "many"})
    model, opt_state, step = load_start(TrainConfig(data=tmp_path, resume=path))
    assert (model.family, opt_state, step) == ("theis-cae", None, 0)
    assert "records no usable step count ('many')" in caplog.text


def test_the_committed_training_checkpoint_loads_and_resumes_where_it_stopped(tmp_path):
    """checkpoints/mean-scale.safetensors is where the next session's training starts (CPU or GPU);
    while the latest state is the shipped default, that file is (checkpoints/README.md)."""
    root = Path(__file__).resolve().parents[2]
    path = root / "checkpoints" / "mean-scale.safetensors"
    if not path.exists():
        path = root / "weights" / "default.safetensors"
    weights = load_weights(path)
    assert weights.model.family == "mean-scale" and weights.info["steps"] > 1000 and "lr" in weights.info["note"]
    model, opt_state, step = load_start(TrainConfig(data=tmp_path, resume=path))
    assert step == weights.info["steps"] and opt_state is None
    assert torch.equal(model.state_dict()["g_s.6.weight"], weights.model.state_dict()["g_s.6.weight"])
