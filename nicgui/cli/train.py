"""The training subcommands: ``train``, ``export`` and ``eval``."""

from __future__ import annotations

import argparse
import logging
from dataclasses import fields
from pathlib import Path
from typing import Any

from nicgui.cli.common import effort_arg, precision_option

log = logging.getLogger(__name__)


def _train_options(parser: argparse.ArgumentParser) -> None:
    """One argument per TrainConfig field, with the field's default and help."""
    from nicgui.train.anchors import parse_lambdas
    from nicgui.train.trainer import TrainConfig

    for f in fields(TrainConfig):
        meta = dict(f.metadata)
        if meta.get("cli") is False:
            continue
        if f.name == "data":
            parser.add_argument("data", nargs="+", type=Path, help=meta["help"])
            continue
        flag = meta.get("flag", "--" + f.name.replace("_", "-"))
        kwargs: dict[str, Any] = {"dest": f.name, "default": f.default, "help": meta["help"]}
        if isinstance(f.default, bool):
            kwargs["action"] = "store_true"
        elif meta.get("parse") == "lambdas":
            kwargs["type"] = parse_lambdas
        elif isinstance(f.default, (int, float, str)):
            kwargs["type"] = type(f.default)
        else:  # paths, given or not
            kwargs["type"] = Path
        if "choices" in meta:
            kwargs["choices"] = meta["choices"]
        if not isinstance(f.default, bool):
            kwargs["help"] += " (default: %(default)s)"
        parser.add_argument(flag, **kwargs)


def cmd_train(args: argparse.Namespace) -> int:
    from nicgui.train.trainer import TrainConfig, train

    cfg = TrainConfig(
        **{f.name: getattr(args, f.name) for f in fields(TrainConfig) if f.metadata.get("cli") is not False}
    )
    ckpt = train(cfg, progress=not args.no_progress)
    print(f"checkpoint: {ckpt}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from nicgui.train.export import export_checkpoint

    identity, calibration = export_checkpoint(
        Path(args.checkpoint),
        Path(args.output),
        note=args.note,
        float16=args.float16,
        calibrate=[Path(f) for f in args.calibrate or []],
        calibration_pictures=args.calibration_pictures,
    )
    print(f"{args.output}: model {identity}")
    if calibration is not None:
        print(
            f"scale tables fitted on {calibration.pictures} pictures x {calibration.qualities} qualities "
            f"({calibration.residuals} residuals): {100 * calibration.saving:.1f} % fewer latent bits on them"
        )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from nicgui.train.evaluate import EvalConfig, run_evaluation

    cfg = EvalConfig(
        data=Path(args.data),
        out=Path(args.out),
        weights=args.weights,
        device=args.device,
        precision=args.precision,
        qualities=[int(q) for q in args.qualities.split(",")] if args.qualities else None,
        codecs=args.codecs.split(","),
        reference=Path(args.reference) if args.reference else None,
        limit=args.limit,
        compare_with=[Path(d) for d in args.compare_with] if args.compare_with else None,
        effort=args.effort,
        tune=args.tune,
    )
    summary = run_evaluation(cfg)
    print(summary)
    return 0


def add_training_commands(sub: argparse._SubParsersAction, full: bool = True) -> None:
    """``train`` (its options only when ``full``: they come from the trainer, which loads torch),
    ``export`` and ``eval``."""
    t = sub.add_parser("train", help="train a model on folders of images")
    if full:
        _train_options(t)
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
    x.add_argument(
        "--calibrate",
        nargs="+",
        metavar="DIR",
        help="hyperprior: fit its scale tables to the residuals it codes on these training pictures "
        "(never the test set)",
    )
    x.add_argument(
        "--calibration-pictures", type=int, default=64, help="pictures used by --calibrate (spread over the folders)"
    )
    x.set_defaults(func=cmd_export)

    e = sub.add_parser("eval", help="rate-distortion evaluation against JPEG, WebP and AVIF")
    e.add_argument("data", help="folder of test images (e.g. Kodak)")
    e.add_argument("--out", default="benchmarks/eval", help="folder for results")
    e.add_argument("--weights", help="weights file (default: the shipped model)")
    e.add_argument("--device", help="cpu or cuda")
    precision_option(e, default="float32")  # figures that do not depend on the machine
    e.add_argument("--qualities", help="comma-separated nicgui qualities (default: a sweep over 1..100)")
    e.add_argument("--codecs", default="jpeg,webp,avif,jxl", help="classical codecs to compare")
    e.add_argument("--reference", help="folder with published RD figures (kodak_published_rd*.csv)")
    e.add_argument("--limit", type=int, default=0, help="use only the first N images")
    e.add_argument(
        "--compare-with",
        nargs="+",
        metavar="DIR",
        help="earlier eval folders of other nicgui models: their curves are drawn too and measured against "
        "(BD-rate in bd_rate.md, the PSNR gap at each quality in compare.md)",
    )
    e.add_argument(
        "-e", "--effort", type=effort_arg, default=0, metavar="N",
        help="the encoder's search effort 0..9 for nicgui's files (default 0: one pass; benchmarks/effort.py "
        "compares levels)",
    )  # fmt: skip
    e.add_argument("--tune", choices=["psnr", "ms-ssim"], default="psnr", help="what the search minimises")
    e.set_defaults(func=cmd_eval)
