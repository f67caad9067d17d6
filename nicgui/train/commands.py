"""The ``train``, ``export`` and ``eval`` subcommands of the CLI."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def cmd_train(args: argparse.Namespace) -> int:
    from nicgui.train.anchors import parse_lambdas
    from nicgui.train.trainer import TrainConfig, train

    cfg = TrainConfig(
        data=[Path(d) for d in args.data],
        out=Path(args.out),
        model=args.model,
        steps=args.steps,
        minutes=args.minutes,
        batch=args.batch,
        crop=args.crop,
        lr=args.lr,
        lr_final=args.lr_final,
        clip=args.clip,
        distortion=args.distortion,
        seed=args.seed,
        device=args.device,
        val_data=Path(args.val) if args.val else None,
        val_every=args.val_every,
        save_every=args.save_every,
        log_every=args.log_every,
        resume=Path(args.resume) if args.resume else None,
        threads=args.threads,
        anchors=parse_lambdas(args.anchors) if args.anchors else None,
        warmup=args.warmup,
        bf16=args.bf16,
    )
    ckpt = train(cfg, progress=not args.no_progress)
    print(f"checkpoint: {ckpt}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from nicgui.train.export import export_checkpoint

    identity = export_checkpoint(Path(args.checkpoint), Path(args.output), note=args.note, float16=args.float16)
    print(f"{args.output}: model {identity}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from nicgui.train.evaluate import EvalConfig, run_evaluation

    cfg = EvalConfig(
        data=Path(args.data),
        out=Path(args.out),
        weights=args.weights,
        device=args.device,
        qualities=[int(q) for q in args.qualities.split(",")] if args.qualities else None,
        codecs=args.codecs.split(","),
        reference=Path(args.reference) if args.reference else None,
        limit=args.limit,
    )
    summary = run_evaluation(cfg)
    print(summary)
    return 0


def add_training_commands(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("train", help="train a model on a folder of images")
    t.add_argument("data", nargs="+", help="folder(s) of training images (PNG, JPEG, ...)")
    t.add_argument("--out", default="runs/train", help="folder for checkpoints and log.csv")
    t.add_argument(
        "--model", default="mean-scale", help="registered model size: mean-scale, mean-scale-l, theis-cae, theis-cae-s"
    )
    t.add_argument("--steps", type=int, default=100_000)
    t.add_argument("--minutes", type=float, default=0.0, help="stop after this wall-clock time (0: no limit)")
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--crop", type=int, default=128)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--lr-final", type=float, default=1e-5)
    t.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping")
    t.add_argument("--distortion", choices=["mse", "ms-ssim"], default="mse")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default="cpu")
    t.add_argument("--val", help="folder of validation images (never Kodak if Kodak is the test set)")
    t.add_argument("--val-every", type=int, default=1000)
    t.add_argument("--save-every", type=int, default=500)
    t.add_argument("--log-every", type=int, default=50, help="steps per row of log.csv")
    t.add_argument("--resume", help="checkpoint (.pt) or exported weights (.safetensors) to continue from")
    t.add_argument(
        "--anchors",
        help="comma-separated lambdas of the anchor rates; with --resume, re-targets "
        "a trained model's quality range (default: the architecture's)",
    )
    t.add_argument("--warmup", type=int, default=200, help="steps of linear learning-rate warm-up")
    t.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    t.add_argument(
        "--bf16",
        action="store_true",
        help="bfloat16 autocast for the convolutions (faster on "
        "CPUs with AVX512-BF16/AMX and on GPUs; latents, rate and output layer stay float32)",
    )
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    x = sub.add_parser("export", help="turn a training checkpoint into an inference weights file")
    x.add_argument("checkpoint")
    x.add_argument("-o", "--output", required=True, help="output .safetensors")
    x.add_argument("--note", default="", help="free text stored in the file (recipe, figures)")
    x.add_argument(
        "--float16",
        action="store_true",
        help="store the float parameters at half precision (half the file size; the integer tables stay exact)",
    )
    x.set_defaults(func=cmd_export)

    e = sub.add_parser("eval", help="rate-distortion evaluation against JPEG, WebP and AVIF")
    e.add_argument("data", help="folder of test images (e.g. Kodak)")
    e.add_argument("--out", default="benchmarks/eval", help="folder for results")
    e.add_argument("--weights", help="weights file (default: the shipped model)")
    e.add_argument("--device", help="cpu or cuda")
    e.add_argument("--qualities", help="comma-separated nicgui qualities (default: a sweep over 1..100)")
    e.add_argument("--codecs", default="jpeg,webp,avif", help="classical codecs to compare")
    e.add_argument("--reference", help="folder with published RD figures (kodak_published_rd*.csv)")
    e.add_argument("--limit", type=int, default=0, help="use only the first N images")
    e.set_defaults(func=cmd_eval)
