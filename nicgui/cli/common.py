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


def check_output(path: Path, overwrite: bool) -> None:
    """Refuse an existing output before any work is done (the write checks again, atomically)."""
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


def quality_arg(text: str) -> int:
    try:
        q = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"quality must be an integer 1..100, got {text!r}") from None
    if not 1 <= q <= 100:
        raise argparse.ArgumentTypeError(f"quality must be 1..100, got {q}")
    return q


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
