"""Rate-distortion training of one model over its whole quality range.

Works for every model family: the model owns its training forward pass (``model(x, position)``
-> reconstruction and bits per pixel). Each sample of a batch gets a random position on the
anchor axis (a continuous quality); the model's quality vectors and the lambda are interpolated
there, so one weights file serves quality 1..100. Loss per sample: lambda * distortion + bits
per pixel, where distortion is MSE on the 0..255 scale (or a scaled 1 - MS-SSIM).
"""

from __future__ import annotations

import csv
import logging
import math
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nicgui.atomic import atomic_path
from nicgui.codec.models import CodecModel, create
from nicgui.codec.quality import anchor_lambdas, quality_position
from nicgui.train.data import CropSampler, Prefetcher, list_images, load_rgb
from nicgui.train.distributed import Distributed
from nicgui.train.export import load_checkpoint
from nicgui.train.loss import StepLoss, rate_distortion_loss

log = logging.getLogger(__name__)


def _opt(default: Any, help: str, **cli: Any) -> Any:
    """A training option: its default and its help, written once (the CLI is built from them)."""
    return field(default=default, metadata={"help": help, **cli})


@dataclass
class TrainConfig:
    """Every training option; ``nicgui train`` offers each as ``--name`` with this help."""

    data: Path | list[Path] = field(metadata={"help": "folder(s) of training images (PNG, JPEG, ...)"})
    out: Path = _opt(Path("runs/train"), "folder for checkpoints and log.csv")
    model: str = _opt("mean-scale", "registered model size: mean-scale, mean-scale-l, theis-cae, theis-cae-s")
    steps: int = _opt(100_000, "training steps")
    minutes: float = _opt(0.0, "stop after this wall-clock time (0: no limit)")
    batch: int = _opt(8, "crops per step (per process under torchrun)")
    crop: int = _opt(128, "crop size in pixels")
    lr: float = _opt(1e-3, "peak learning rate")
    lr_final: float = _opt(1e-5, "learning rate at the end of the cosine decay")
    warmup: int = _opt(200, "steps of linear learning-rate warm-up")
    clip: float = _opt(1.0, "gradient norm clipping")
    distortion: str = _opt("mse", "distortion term", choices=["mse", "ms-ssim"])
    seed: int = _opt(0, "random seed")
    device: str = _opt("cpu", "cpu or cuda")
    val_data: Path | None = _opt(
        None, "folder of validation images (never Kodak if Kodak is the test set)", flag="--val"
    )
    val_every: int = _opt(1000, "steps between validations")
    val_images: int = _opt(8, "validation images used")
    save_every: int = _opt(500, "steps between checkpoints")
    log_every: int = _opt(50, "steps per row of log.csv")
    resume: Path | None = _opt(None, "checkpoint (.pt) or exported weights (.safetensors) to continue from")
    anchors: list[float] | None = _opt(
        None, "comma-separated lambdas of the anchor rates; with --resume, re-targets a trained CAE's quality range",
        parse="lambdas",
    )  # fmt: skip
    threads: int = _opt(0, "CPU threads (0: torch's default)")
    bf16: bool = _opt(
        False, "bfloat16 autocast for the big convolutions (faster on CPUs with AVX512-BF16/AMX and on GPUs; "
        "latents, rates and the output layer stay float32)",
    )  # fmt: skip
    extra: dict[str, Any] = field(default_factory=dict, metadata={"cli": False})


class RateDistortion(nn.Module):
    """The model's training pass as the module DistributedDataParallel wraps (one forward per step)."""

    def __init__(self, model: CodecModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, position: torch.Tensor, bf16: bool = False):
        return self.model(x, position, bf16=bf16)


def learning_rate(cfg: TrainConfig, done: int, fraction: float) -> float:
    """Linear warm-up over the first steps of a run, then cosine decay from lr to lr_final.

    ``fraction`` is how much of the run's budget (steps or minutes, whichever runs out first)
    is spent, so a time-limited run still ends at the low learning rate.
    """
    if done < cfg.warmup:
        return cfg.lr * (done + 1) / cfg.warmup
    t = min(1.0, max(0.0, fraction))
    return cfg.lr_final + 0.5 * (cfg.lr - cfg.lr_final) * (1 + math.cos(math.pi * t))


def parameter_groups(model: CodecModel) -> list[dict]:
    """Adam's parameter groups: each with its ``lr_scale`` (``CodecModel.learning_rate_scales``),
    the rest at scale 1; empty groups are left out."""
    scales = model.learning_rate_scales()
    groups: dict[float, list[nn.Parameter]] = {1.0: []}
    for name, p in model.named_parameters():
        scale = next((v for prefix, v in scales.items() if name.startswith(prefix)), 1.0)
        groups.setdefault(scale, []).append(p)
    return [{"params": ps, "lr_scale": scale} for scale, ps in groups.items() if ps]


def save_checkpoint(path: Path, model: CodecModel, opt, step: int) -> None:
    with atomic_path(path, overwrite=True) as tmp:
        torch.save(
            {
                "model": model.state_dict(),
                "opt": opt.state_dict(),
                "step": step,
                "family": model.family,
                "config": model.cfg.to_dict(),
            },
            tmp,
        )


def load_start(cfg: TrainConfig) -> tuple[CodecModel, dict | None, int]:
    """A model to train: fresh, from a checkpoint (with optimizer state), or from exported weights.

    Exported weights carry no optimizer state but record the steps that trained them; the count
    goes on from there, so that log.csv and the next export say how much training the weights hold.
    """
    if cfg.resume is None:
        return create(cfg.model), None, 0
    path = Path(cfg.resume)
    if path.suffix == ".safetensors":
        from nicgui.codec.weights import load_weights

        loaded = load_weights(path)
        steps = loaded.info.get("steps", 0)
        if not isinstance(steps, int) or steps < 0:
            log.warning("%s records no usable step count (%r): counting from 0", path, steps)
            steps = 0
        return loaded.model, None, steps
    model, step, ck = load_checkpoint(path)
    return model, ck.get("opt"), step


@torch.no_grad()
def validate(model: CodecModel, images: list[np.ndarray], device: torch.device | str) -> dict[str, float]:
    """Mean bpp (prior estimate with rounding) and PSNR at three qualities over whole images."""
    model.eval()
    out: dict[str, float] = {}
    s = model.stride
    for q in (10, 50, 90):
        bpps, psnrs = [], []
        for a in images:
            h, w = (a.shape[0] // s) * s, (a.shape[1] // s) * s
            x = torch.tensor(a[:h, :w]).permute(2, 0, 1)[None].float().to(device)
            pos = quality_position(q, len(model.cfg.anchors)).reshape(1).to(device)
            x_hat, bpp = model(x, pos, noise=False)
            mse = (x_hat.clamp(0, 255).round() - x).pow(2).mean().item()
            bpps.append(bpp.item())
            psnrs.append(10 * math.log10(255**2 / max(mse, 1e-10)))
        out[f"val_bpp_q{q}"] = float(np.mean(bpps))
        out[f"val_psnr_q{q}"] = float(np.mean(psnrs))
    model.train()
    return out


def train_step(net: nn.Module, model: CodecModel, opt: torch.optim.Optimizer, x: torch.Tensor,
               cfg: TrainConfig) -> StepLoss:  # fmt: skip
    """One optimisation step on a batch, each sample at a random quality; returns its figures."""
    if cfg.bf16:
        x = x.contiguous(memory_format=torch.channels_last)
    pos = torch.rand(x.shape[0], device=x.device) * (len(model.cfg.anchors) - 1)
    x_hat, bpp = net(x, pos, cfg.bf16)
    result = rate_distortion_loss(cfg.distortion, x_hat, x, bpp, anchor_lambdas(model.cfg.anchors, pos))
    opt.zero_grad(set_to_none=True)
    result.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
    opt.step()
    return StepLoss(result.loss.detach(), result.bpp, result.mse)


def train(cfg: TrainConfig, progress: bool = True) -> Path:
    """Run training; writes ``out/last.pt`` and ``out/log.csv``; returns the checkpoint path.

    Started by ``torchrun`` (WORLD_SIZE > 1) it trains data-parallel: every process draws its own
    crops (``batch`` each), DistributedDataParallel averages the gradients, and only rank 0 logs,
    validates and saves.
    """
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    dist = Distributed.from_environment(cfg.device)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out)
    if dist.main:
        out.mkdir(parents=True, exist_ok=True)
    sampler = CropSampler(cfg.data, cfg.crop, seed=cfg.seed + dist.rank)
    val_imgs = [load_rgb(p) for p in list_images(cfg.val_data)[: cfg.val_images]] if cfg.val_data and dist.main else []
    model, opt_state, start = load_start(cfg)
    if cfg.anchors and list(cfg.anchors) != list(model.cfg.anchors):
        from nicgui.train.anchors import retarget_anchors

        model = retarget_anchors(model, cfg.anchors)
        opt_state = None  # parameter shapes changed
        log.info("anchors re-targeted to %s", cfg.anchors)
    if model.family == "mean-scale" and cfg.crop < 256:
        log.warning(
            "crops of %d px give the hyper networks %dx%d hyper-latent grids, all border: a model trained so "
            "codes whole pictures badly (measured); use --crop 256 or more",
            cfg.crop, cfg.crop // 64, cfg.crop // 64,
        )  # fmt: skip
    device = dist.device
    model.to(device).train()
    if cfg.bf16:
        model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # faster oneDNN convolutions; exports stay contiguous
    net = dist.wrap(RateDistortion(model))
    opt = torch.optim.Adam(parameter_groups(model), lr=cfg.lr)
    if opt_state is not None:
        try:
            opt.load_state_dict(opt_state)
        except ValueError:
            log.warning("the checkpoint's optimizer state has other parameter groups: Adam starts afresh")
    total = start + cfg.steps
    ckpt = out / "last.pt"
    writer = _Log(out / "log.csv") if dist.main else None
    if dist.world > 1:
        log.info(
            "data-parallel over %d processes (%s), %d crops per step in all",
            dist.world,
            dist.backend,
            dist.world * cfg.batch,
        )
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # every step has the same shapes: pick the fastest kernels once
    feed = Prefetcher(sampler, cfg.batch, pin=device.type == "cuda")
    t0 = time.monotonic()
    bar = None
    if progress and dist.main:
        from tqdm import tqdm

        bar = tqdm(total=total, initial=start, unit="step", dynamic_ncols=True)
    interval = _Interval(device)
    stop = _StopOnSignal()
    step = start
    try:
        for step in range(start, total):
            # one agreed clock and stop flag, so every process takes the same steps at the same rate
            elapsed, stopping = dist.agree(time.monotonic() - t0, stop.requested)
            if stopping:
                log.info("stopping on request at step %d", step)
                step -= 1  # this step did not run
                break
            fraction = (step - start) / max(1, total - start)
            if cfg.minutes:
                fraction = max(fraction, elapsed / (cfg.minutes * 60))
            lr = learning_rate(cfg, step - start, fraction)
            for g in opt.param_groups:
                g["lr"] = lr * g["lr_scale"]
            x = feed.next().to(device, non_blocking=True).float()
            interval.add(train_step(net, model, opt, x, cfg))
            if bar is not None:
                bar.update(1)
            if (step + 1) % cfg.log_every == 0:
                means = interval.means()
                if bar is not None:
                    bar.set_postfix(loss=f"{means['loss']:.3f}", bpp=f"{means['bpp']:.3f}", psnr=f"{means['psnr']:.2f}")
                if writer is not None:
                    writer.row(step + 1, elapsed, lr, means, "train")
            if dist.main and (step + 1) % cfg.save_every == 0:
                save_checkpoint(ckpt, model, opt, step + 1)
            if writer is not None and val_imgs and (step + 1) % cfg.val_every == 0:
                figures = validate(model, val_imgs, device)
                extra = " ".join(f"{k}={val:.4f}" for k, val in figures.items())
                writer.row(step + 1, elapsed, lr, {}, "val", extra)
                log.info("step %d validation: %s", step + 1, figures)
            if cfg.minutes and elapsed > cfg.minutes * 60:
                log.info("time budget of %.1f min reached at step %d", cfg.minutes, step + 1)
                break
    finally:
        feed.close()
    dist.check_in_sync(model)
    if dist.main:
        save_checkpoint(ckpt, model, opt, step + 1)
    stop.restore()
    if bar is not None:
        bar.close()
    if writer is not None:
        writer.close()
    dist.close()
    return ckpt


class _Interval:
    """Sums of one log interval's per-step figures, kept on the training device: reading them
    waits for the device, so that happens once per interval instead of after every step."""

    def __init__(self, device: torch.device) -> None:
        self._sum = torch.zeros(3, dtype=torch.float64, device=device)
        self._steps = 0

    def add(self, r: StepLoss) -> None:
        psnr = 10 * torch.log10(255.0**2 / r.mse.clamp_min(1e-10))
        self._sum += torch.stack([r.loss, r.bpp, psnr]).double()
        self._steps += 1

    def means(self) -> dict[str, float]:
        """Mean loss, bpp and PSNR per step since the last call."""
        loss, bpp, psnr = (self._sum / max(1, self._steps)).tolist()
        self._sum.zero_()
        self._steps = 0
        return {"loss": loss, "bpp": bpp, "psnr": psnr}


class _Log:
    """The CSV log of a run (appended to when a run continues)."""

    def __init__(self, path: Path) -> None:
        new = not path.exists()
        self._f = path.open("a", newline="")
        self._w = csv.writer(self._f)
        if new:
            self._w.writerow(["step", "time_s", "lr", "loss", "bpp", "psnr", "kind", "extra"])

    def row(self, step: int, elapsed: float, lr: float, means: dict[str, float], kind: str, extra: str = "") -> None:
        figures = [f"{means[k]:.4f}" if k in means else "" for k in ("loss", "bpp")]
        psnr = f"{means['psnr']:.3f}" if "psnr" in means else ""
        self._w.writerow([step, f"{elapsed:.1f}", f"{lr:.3g}", *figures, psnr, kind, extra])
        self._f.flush()

    def close(self) -> None:
        self._f.close()


class _StopOnSignal:
    """SIGTERM / SIGINT end training after the current step, with a checkpoint (main thread only)."""

    def __init__(self) -> None:
        self.requested = False
        self._old: dict = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._handle)

    def _handle(self, signum, frame) -> None:
        self.requested = True

    def restore(self) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
