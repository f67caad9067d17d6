"""What every subcommand shares: the one-line error, exit codes, reading and writing files."""

from __future__ import annotations

import argparse
from pathlib import Path

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 1."""


def write_output(path: Path, data: bytes, overwrite: bool) -> None:
    from nicgui.atomic import atomic_write

    try:
        atomic_write(path, data, overwrite)
    except FileExistsError as e:
        raise CliError(f"{path} exists (use --force to overwrite)") from e
    except OSError as e:
        raise CliError(f"cannot write {path}: {e.strerror or e}") from e


def check_output(path: Path, overwrite: bool, suffix: str | None = None) -> None:
    """Refuse an existing output before any work is done (the write checks again, atomically), a
    folder, and a name whose suffix says another format than ``suffix`` (e.g. ".nic")."""
    if path.is_dir():
        raise CliError(f"{path} is a folder: give the output a file name")
    if suffix is not None and path.suffix.lower() != suffix:
        raise CliError(f"the output is a {suffix} file: name it {path.with_suffix(suffix).name} (got {path.name})")
    if path.exists() and not overwrite:
        raise CliError(f"{path} exists (use --force to overwrite)")
    if not path.parent.is_dir():
        raise CliError(f"cannot write {path}: folder {path.parent} does not exist")


def read_input(path: Path) -> bytes:
    from nicgui.app.text import describe_error

    try:
        return path.read_bytes()
    except IsADirectoryError as e:
        raise CliError(f"is a folder: {path}") from e
    except OSError as e:
        raise CliError(describe_error(e)) from e


def _int_in(text: str, what: str, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be an integer {lo}..{hi}, got {text!r}") from None
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"{what} must be {lo}..{hi}, got {value}")
    return value


def quality_arg(text: str) -> int:
    return _int_in(text, "quality", 1, 100)


def precision_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """``--precision``: the arithmetic of the codec's networks (see ``codec/precision.py``)."""
    from nicgui.codec.precision import ENV, Precision

    fallback = f"default: {default}" if default else f"default: ${ENV}, else auto"
    parser.add_argument(
        "--precision",
        choices=[p.value for p in Precision],
        default=default,
        help=f"arithmetic of the networks: auto is bfloat16 on CPUs that compute it natively, "
        f"else float32 ({fallback})",
    )


def effort_arg(text: str) -> int:
    return _int_in(text, "effort", 0, 9)


_SIZE_UNITS = {"": 1, "k": 1000, "m": 1000**2}


def size_arg(text: str) -> int:
    """A file size: bytes, or with a suffix k (x1000) or M (x1000000), e.g. 120k, 1.5M."""
    t = text.strip().lower().removesuffix("b")
    unit = t[-1:] if t[-1:] in ("k", "m") else ""
    try:
        value = float(t[: len(t) - len(unit)])
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be bytes or a number with k or M, got {text!r}") from None
    size = int(value * _SIZE_UNITS[unit])
    if size <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return size


def read_mask(path: Path, width: int, height: int):
    """A region-of-interest mask: grey levels 0..255 -> weights 0..1, (height, width) float32."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            mask = np.asarray(im.convert("L"), np.float32) / 255.0
    except FileNotFoundError as e:
        raise CliError(f"mask not found: {path}") from e
    except (UnidentifiedImageError, OSError) as e:
        raise CliError(f"cannot read the mask {path}: not a picture") from e
    if mask.shape != (height, width):
        raise CliError(
            f"the mask {path} is {mask.shape[1]}x{mask.shape[0]}, the picture {width}x{height}: "
            "they must be the same size"
        )
    if float(mask.max()) <= 0:
        raise CliError(f"the mask {path} is black everywhere: no pixel would count")
    return mask
