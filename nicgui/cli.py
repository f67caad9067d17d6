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


def _write(path: Path, data: bytes, overwrite: bool) -> None:
    from nicgui.atomic import atomic_write

    try:
        atomic_write(path, data, overwrite)
    except FileExistsError as e:
        raise CliError(f"{path} exists (use --force to overwrite)") from e
    except OSError as e:
        raise CliError(f"cannot write {path}: {e.strerror or e}") from e


def _check_output(path: Path, overwrite: bool) -> None:
    """Refuse an existing output before any work is done (the write checks again, atomically)."""
    if path.exists() and not overwrite:
        raise CliError(f"{path} exists (use --force to overwrite)")
    if not path.parent.is_dir():
        raise CliError(f"cannot write {path}: folder {path.parent} does not exist")


def _codec(args: argparse.Namespace):
    from nicgui.codec.api import load_model

    return load_model(args.weights or args.model, args.device)


def cmd_encode(args: argparse.Namespace) -> int:
    from nicgui.codec.metrics import bits_per_pixel
    from nicgui.codec.pictures import load_picture

    src = Path(args.input)
    out = Path(args.output) if args.output else src.with_suffix(".nic")
    _check_output(out, args.force)
    picture = load_picture(src)
    data = _codec(args).encode(picture, args.quality)
    _write(out, data, args.force)
    bpp = bits_per_pixel(len(data), picture.width, picture.height)
    print(
        f"{src} -> {out}: {picture.width}x{picture.height} {picture.mode}, quality {args.quality}, "
        f"{len(data)} bytes, {bpp:.3f} bpp"
    )
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    from nicgui.codec.api import load_model_for

    src = Path(args.input)
    out = Path(args.output) if args.output else src.with_suffix(".png")
    _check_output(out, args.force)
    data = _read(src)
    # a file picks its own model unless one is named
    codec = _codec(args) if (args.weights or args.model) else load_model_for(data, args.device)
    picture = codec.decode(data)
    _write(out, picture.png_bytes(), args.force)
    print(f"{src} -> {out}: {picture.width}x{picture.height} {picture.mode}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from nicgui.codec.bitstream import read_nic
    from nicgui.codec.metrics import bits_per_pixel

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
        "bpp": round(bits_per_pixel(nic.size, h.width, h.height), 4),
        "model": h.model_name,
        "model_family": h.family,
        "model_digest": h.model_digest.hex(),
        "format_version": h.version,
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


def _not_an_app_start(argv: list[str]) -> str | None:
    """Why ``argv`` cannot open the window (a mistyped command, no display), or None."""
    first = argv[0] if argv and not argv[0].startswith("-") else None
    if first is not None and not Path(first).exists() and not Path(first).suffix:
        import difflib

        close = difflib.get_close_matches(first, sorted(_SUBCOMMANDS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (commands: {', '.join(sorted(_SUBCOMMANDS))})"
        return f"unknown command or file '{first}'{hint}"
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    )
    if "--screenshot" in argv:
        return None
    if headless:
        return (
            "no display to open the window on (set DISPLAY, or QT_QPA_PLATFORM=offscreen); "
            "'nicgui --help' lists the commands that need none"
        )
    if sys.platform.startswith("linux") and os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        import ctypes.util

        if ctypes.util.find_library("xcb-cursor") is None:  # Qt would abort loading its xcb plugin
            return "Qt's X11 plugin needs the library libxcb-cursor0 (Debian/Ubuntu: sudo apt install libxcb-cursor0)"
    return None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nicgui", description="Neural image codec (Theis et al. 2017 CAE).")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--model", help="installed model by name: default, mean-scale, ... (decode: the file's own)")
        sp.add_argument("--weights", help="weights file (.safetensors) to use instead of an installed model")
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
        problem = _not_an_app_start(argv)
        if problem:
            print(f"nicgui: error: {problem}", file=sys.stderr)
            return EXIT_USAGE
        from nicgui.gui.app import run_app

        return run_app(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from nicgui.errors import NicguiError

    try:
        return args.func(args)
    except (CliError, NicguiError, FileNotFoundError, ValueError) as e:
        print(f"nicgui: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("nicgui: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
