"""Command line: ``nicgui encode|decode|info|train|export|eval``; no subcommand opens the app.

Conventions as cwebp's: exit code 0 on success; on bad input a one-line ``nicgui: error: ...``
on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

EXIT_ERROR = 1
EXIT_USAGE = 2
_SUBCOMMANDS = {"encode", "decode", "info", "train", "export", "eval"}


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 1."""


def _atomic_write(path: Path, data: bytes, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise CliError(f"{path} exists (use --force to overwrite)")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise CliError(f"cannot write {path}: {e.strerror or e}") from e


def _codec(args: argparse.Namespace):
    from nicgui.codec.api import load_model

    return load_model(args.weights, args.device)


def cmd_encode(args: argparse.Namespace) -> int:
    from nicgui.codec.pictures import load_picture

    src = Path(args.input)
    out = Path(args.output) if args.output else src.with_suffix(".nic")
    picture = load_picture(src)
    data = _codec(args).encode(picture, args.quality)
    _atomic_write(out, data, args.force)
    bpp = 8 * len(data) / (picture.width * picture.height)
    print(f"{src} -> {out}: {picture.width}x{picture.height} {picture.mode}, quality {args.quality}, "
          f"{len(data)} bytes, {bpp:.3f} bpp")
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    import io

    src = Path(args.input)
    out = Path(args.output) if args.output else src.with_suffix(".png")
    picture = _codec(args).decode(_read(src))
    buf = io.BytesIO()
    picture.to_pil().save(buf, format="PNG", icc_profile=picture.icc)
    _atomic_write(out, buf.getvalue(), args.force)
    print(f"{src} -> {out}: {picture.width}x{picture.height} {picture.mode}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from nicgui.codec.bitstream import read_nic

    src = Path(args.input)
    nic = read_nic(_read(src))
    h = nic.header
    info = {
        "file": str(src),
        "bytes": nic.size,
        "width": h.width,
        "height": h.height,
        "mode": h.mode,
        "quality": h.quality,
        "bpp": round(8 * nic.size / (h.width * h.height), 4),
        "model": h.model_name,
        "model_digest": h.model_digest.hex(),
        "latent_channels": h.channels,
        "tiles": h.n_tiles,
        "icc_profile_bytes": len(nic.icc or b""),
    }
    if args.json:
        print(json.dumps(info))
    else:
        for k, v in info.items():
            print(f"{k:18} {v}")
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise CliError(f"file not found: {path}") from e
    except IsADirectoryError as e:
        raise CliError(f"is a folder: {path}") from e
    except OSError as e:
        raise CliError(f"cannot read {path}: {e.strerror or e}") from e


def _quality(text: str) -> int:
    try:
        q = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"quality must be an integer 1..100, got {text!r}") from None
    if not 1 <= q <= 100:
        raise argparse.ArgumentTypeError(f"quality must be 1..100, got {q}")
    return q


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nicgui", description="Neural image codec (Theis et al. 2017 CAE).")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--weights", help="weights file or name under weights/ (default: the shipped model)")
        sp.add_argument("--device", help="cpu or cuda (default: cuda when available)")
        sp.add_argument("-f", "--force", action="store_true", help="overwrite the output file")

    e = sub.add_parser("encode", help="compress an image to .nic")
    e.add_argument("input")
    e.add_argument("-o", "--output", help="output .nic (default: input name with .nic)")
    e.add_argument("-q", "--quality", type=_quality, default=75, help="1..100, higher is better (default 75)")
    common(e)
    e.set_defaults(func=cmd_encode)

    d = sub.add_parser("decode", help="decode a .nic file to PNG")
    d.add_argument("input")
    d.add_argument("-o", "--output", help="output PNG (default: input name with .png)")
    common(d)
    d.set_defaults(func=cmd_decode)

    i = sub.add_parser("info", help="show a .nic file's header")
    i.add_argument("input")
    i.add_argument("--json", action="store_true", help="print one JSON object")
    i.set_defaults(func=cmd_info)

    from nicgui.train.commands import add_training_commands

    add_training_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--selftest"]:
        from nicgui.selftest import run_selftest

        return run_selftest(argv[1:])
    if not argv or argv[0] not in _SUBCOMMANDS | {"-h", "--help", "-v", "--verbose"}:
        from nicgui.gui.app import run_app

        return run_app(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from nicgui.codec.bitstream import NicFormatError
    from nicgui.codec.pictures import PictureError
    from nicgui.codec.weights import WeightsError

    try:
        return args.func(args)
    except (CliError, NicFormatError, PictureError, WeightsError, FileNotFoundError, ValueError) as e:
        print(f"nicgui: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("nicgui: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
