"""The codec's subcommands: ``encode``, ``decode``, ``info`` and ``batch``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nicgui.cli.common import (
    CliError,
    check_output,
    effort_arg,
    precision_option,
    quality_arg,
    read_input,
    read_mask,
    size_arg,
    write_output,
)


def _codec(args: argparse.Namespace):
    from nicgui.codec.api import load_model

    return load_model(args.weights or args.model, args.device, args.precision)


def _search_options(args: argparse.Namespace, height: int, width: int):
    """The search the flags ask for (effort, tuning, region of interest), or None for one pass."""
    from nicgui.codec.effort import DEFAULT_TUNED_EFFORT, SearchOptions, Tune

    mask = getattr(args, "roi", None)
    tuned = mask is not None or args.tune != Tune.PSNR.value
    effort = args.effort if args.effort is not None else (DEFAULT_TUNED_EFFORT if tuned else 0)
    if tuned and effort == 0:
        raise CliError("--roi and --tune ms-ssim need a search: use --effort 1 or more (or leave --effort out)")
    roi = None if mask is None else read_mask(Path(mask), width, height)
    return SearchOptions(effort, Tune(args.tune), roi, args.seed)


def _search_bar(args: argparse.Namespace, label: str):
    """A progress bar for a search (iteration, estimated bpp and PSNR, time left), or None."""
    from tqdm import tqdm

    from nicgui.codec.effort import SearchStep

    state: dict[str, object] = {}

    def on_step(step: SearchStep) -> None:
        bar = state.get("bar")
        total = step.iterations * step.windows
        if bar is None or getattr(bar, "total", None) != total or step.fraction <= 1 / total:
            if bar is not None:
                bar.close()  # type: ignore[attr-defined]
            bar = tqdm(total=total, unit="it", desc=label, disable=True if args.no_progress else None, leave=False)
            state["bar"] = bar
            if step.iteration == 1 and step.window == 1 and not args.no_progress:
                estimate = step.seconds * total
                print(f"searching: {total} iterations, about {estimate:.0f} s", file=sys.stderr)
        bar.update(1)  # type: ignore[attr-defined]
        bar.set_postfix_str(f"{step.bpp:.3f} bpp {step.psnr:.2f} dB", refresh=False)  # type: ignore[attr-defined]

    def close() -> None:
        bar = state.pop("bar", None)
        if bar is not None:
            bar.close()  # type: ignore[attr-defined]

    return on_step, close


def cmd_encode(args: argparse.Namespace) -> int:
    from nicgui.codec.bitstream import NIC_SUFFIX
    from nicgui.codec.pictures import load_picture
    from nicgui.codec.rate import bits_per_pixel
    from nicgui.codec.target import Target, reach

    src = Path(args.input)
    out = Path(args.output) if args.output else src.with_suffix(NIC_SUFFIX)
    check_output(out, args.force, NIC_SUFFIX)
    picture = load_picture(src)
    options = _search_options(args, picture.height, picture.width)
    target = None
    if args.size is not None:
        target = Target(max_bytes=args.size)
    elif args.bpp is not None:
        target = Target(max_bytes=max(1, int(args.bpp * picture.width * picture.height / 8)))
    elif args.psnr is not None:
        target = Target(min_psnr=args.psnr)
    codec = _codec(args)
    on_step, close_bar = _search_bar(args, src.name)
    try:
        analysis = codec.analyse(picture)
        if target is not None:
            reached = reach(codec, analysis, target, options, on_step)
            data, quality = reached.compressed.data, reached.quality
        else:  # no decoder: the file is all that is asked for
            quality = args.quality
            found = codec.search(analysis, quality, options, on_step) if options.active else None
            data = codec.write(picture, found.quantised if found else codec.quantise(analysis, quality))
    finally:
        close_bar()
    write_output(out, data, args.force)
    searched = f", effort {options.effort}" + (f" ({options.tune.value})" if options.tune.value != "psnr" else "")
    print(
        f"{src} -> {out}: {picture.width}x{picture.height} {picture.mode}, quality {quality}"
        f"{searched if options.active else ''}, {len(data)} bytes, "
        f"{bits_per_pixel(len(data), picture.width, picture.height):.3f} bpp"
        + (f" (target {target.describe()})" if target is not None else "")
    )
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    from nicgui.codec.api import load_model_for

    src = Path(args.input)
    # not X.png: that is usually the original, and the round trip would always be refused
    out = Path(args.output) if args.output else src.with_suffix(".decoded.png")
    check_output(out, args.force, ".png")
    data = read_input(src)
    # a file picks its own model unless one is named
    named = args.weights or args.model
    codec = _codec(args) if named else load_model_for(data, args.device, precision=args.precision)
    picture = codec.decode(data)
    write_output(out, picture.png_bytes(), args.force)
    print(f"{src} -> {out}: {picture.width}x{picture.height} {picture.mode}")
    return 0


def _weights_info(src: Path) -> dict[str, object]:
    """What a weights file is: its model, identity and the training record export wrote into it."""
    from nicgui.codec.weights import load_weights

    w = load_weights(src)
    info: dict[str, object] = {
        "file": str(src),
        "bytes": src.stat().st_size,
        "model": w.identity.name,
        "model_family": w.model.family,
        "model_digest": w.identity.digest.hex(),
        "parameters": sum(p.numel() for p in w.model.parameters()),
        "latent_channels": w.model.latent_channels,
    }
    info.update({k: v for k, v in w.info.items() if k not in info})  # the record never hides the identity
    return info


def cmd_info(args: argparse.Namespace) -> int:
    from nicgui.codec.bitstream import read_nic
    from nicgui.codec.rate import bits_per_pixel

    src = Path(args.input)
    if src.suffix.lower() == ".safetensors":
        return _print_info(_weights_info(src), args.json)
    nic = read_nic(read_input(src))
    h = nic.header
    info = {
        "file": str(src),
        "bytes": nic.size,
        "width": h.width,
        "height": h.height,
        "mode": h.mode,
        "quality": h.quality,
        "bpp": round(bits_per_pixel(nic.size, h.width, h.height), 4),
        "model": h.model_name,
        "model_family": h.family,
        "model_digest": h.model_digest.hex(),
        "format_version": h.version,
        "latent_channels": h.channels,
        "tiles": h.n_tiles,
        "icc_profile_bytes": len(nic.icc or b""),
    }
    return _print_info(info, args.json)


def _print_info(info: dict[str, object], as_json: bool) -> int:
    if as_json:
        print(json.dumps(info))
    else:
        for k, v in info.items():
            print(f"{k:18} {v}")
    return 0


def _batch_inputs(paths: list[str]) -> list[Path]:
    """Files as given; folders by the images directly inside them."""
    from nicgui.imagefiles import IMAGE_SUFFIXES

    files: list[Path] = []
    for text in paths:
        p = Path(text)
        if p.is_dir():
            files.extend(sorted(c for c in p.iterdir() if c.is_file() and c.suffix.lower() in IMAGE_SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            raise CliError(f"file not found: {p}")
    if not files:
        raise CliError("no images to compress")
    return files


def cmd_batch(args: argparse.Namespace) -> int:
    """Compress many files; the same per-file code and totals as the app's batch dialog."""
    from tqdm import tqdm

    from nicgui.app.batch import BatchTotals, compress_file, output_paths
    from nicgui.codec.api import set_threads
    from nicgui.codec.target import Target

    files = _batch_inputs(args.inputs)
    out_dir = Path(args.output) if args.output else None
    made_dir = out_dir is not None and not out_dir.exists()
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise CliError(f"{out_dir} is a file, not a folder for the outputs")
        out_dir.mkdir(parents=True, exist_ok=True)
    outputs = output_paths(files, out_dir)
    jobs = max(1, args.jobs)
    set_threads(max(1, (os.cpu_count() or 1) // jobs))
    options = _search_options(args, 0, 0)
    target = None
    if args.size is not None:
        target = Target(max_bytes=args.size)
    elif args.psnr is not None:
        target = Target(min_psnr=args.psnr)
    codec = _codec(args)
    totals = BatchTotals(len(files))
    bar = tqdm(total=len(files), unit="file", disable=args.no_progress, dynamic_ncols=True)
    try:
        with ThreadPoolExecutor(jobs) as pool:  # torch releases the GIL inside the networks
            results = pool.map(
                lambda io: compress_file(codec, io[0], io[1], args.quality, args.force, options, target),
                zip(files, outputs, strict=True),
            )
            for r in results:
                totals.add(r)
                bar.update(1)
                if r.status == "failed":
                    bar.write(f"nicgui: error: {r.source}: {r.error}", file=sys.stderr)
    except KeyboardInterrupt:
        totals.cancelled = True
        raise
    finally:
        bar.close()
        if made_dir and out_dir is not None and not any(out_dir.iterdir()):
            out_dir.rmdir()  # nothing was written: leave no empty folder behind
    print(totals.describe())
    return 1 if totals.failed else 0


def search_flags(sp: argparse.ArgumentParser, roi: bool = True) -> None:
    """``--effort``, ``--tune``, ``--roi``, ``--seed``: how hard the encoder searches each picture."""
    from nicgui.codec.effort import EFFORT_ITERATIONS, MAX_EFFORT

    levels = ", ".join(f"{e}: {n}" for e, n in enumerate(EFFORT_ITERATIONS) if e)
    sp.add_argument(
        "-e", "--effort", type=effort_arg, metavar="N",
        help=f"0..{MAX_EFFORT}: 0 is the one-pass encoder (default); higher levels search each picture's "
        f"latents for a smaller file at the same quality, iterations per level: {levels} "
        "(docs/EFFORT.md: time and gain)",
    )  # fmt: skip
    sp.add_argument(
        "--tune", choices=["psnr", "ms-ssim"], default="psnr", help="the distortion the search minimises (default psnr)"
    )
    if roi:
        sp.add_argument(
            "--roi", metavar="MASK.png",
            help="grey mask of the picture's size: brighter pixels get more quality (weights of their error)",
        )  # fmt: skip
    sp.add_argument("--seed", type=int, default=0, help="seed of the search's random rounding (default 0)")
    sp.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_codec_commands(sub: argparse._SubParsersAction) -> None:
    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--model",
            help="installed model: default (the hyperprior), theis-cae-s (the CAE), ... (decode: the file's own)",
        )
        sp.add_argument("--weights", help="weights file (.safetensors) to use instead of an installed model")
        sp.add_argument("--device", help="cpu or cuda (default: cuda when available)")
        precision_option(sp)
        sp.add_argument("-f", "--force", action="store_true", help="overwrite output files")

    e = sub.add_parser("encode", help="compress an image to .nic")
    e.add_argument("input")
    e.add_argument("-o", "--output", help="output .nic (default: input name with .nic)")
    goal = e.add_mutually_exclusive_group()
    goal.add_argument("-q", "--quality", type=quality_arg, default=75, help="1..100, higher is better (default 75)")
    goal.add_argument("--size", type=size_arg, help="the largest file not over this size: bytes, or 120k (x1000), 1.5M")
    goal.add_argument("--bpp", type=float, help="the largest file not over this many bits per pixel")
    goal.add_argument("--psnr", type=float, help="the smallest file of at least this PSNR (dB)")
    search_flags(e)
    common(e)
    e.set_defaults(func=cmd_encode)

    d = sub.add_parser("decode", help="decode a .nic file to PNG")
    d.add_argument("input")
    d.add_argument("-o", "--output", help="output PNG (default: X.decoded.png for X.nic)")
    common(d)
    d.set_defaults(func=cmd_decode)

    i = sub.add_parser("info", help="show a .nic file's header, or what a weights file holds")
    i.add_argument("input", help="a .nic file, or a weights file (.safetensors: its model and training record)")
    i.add_argument("--json", action="store_true", help="print one JSON object")
    i.set_defaults(func=cmd_info)

    b = sub.add_parser("batch", help="compress many images (files or folders) to .nic")
    b.add_argument("inputs", nargs="+", metavar="IN", help="images, or folders of images")
    b.add_argument("-o", "--output", metavar="DIR", help="folder for the .nic files (default: beside each image)")
    goal = b.add_mutually_exclusive_group()
    goal.add_argument("-q", "--quality", type=quality_arg, default=75, help="1..100, higher is better (default 75)")
    goal.add_argument("--size", type=size_arg, help="each file not over this size: bytes, or 120k (x1000), 1.5M")
    goal.add_argument("--psnr", type=float, help="each file the smallest of at least this PSNR (dB)")
    b.add_argument("-j", "--jobs", type=int, default=1, help="files compressed at once (default 1)")
    search_flags(b, roi=False)
    common(b)
    b.set_defaults(func=cmd_batch)
