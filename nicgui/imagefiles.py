"""Which files are images nicgui reads, and the ones in a folder: the one home of both.

The desktop app (opening and batch), ``nicgui batch`` and training all list a folder this way:
the files directly inside it, sorted by name, picked by suffix (case-insensitive).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

IMAGE_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".jpe", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".ppm", ".pgm", ".pbm",
    ".pnm", ".tga", ".avif", ".jp2", ".ico",
)  # fmt: skip
"""File endings of the images nicgui reads (anything Pillow opens also works when named directly)."""


def is_image(path: Path) -> bool:
    """Whether a file's suffix is one of ``IMAGE_SUFFIXES``."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def files_in(folder: Path, suffixes: Iterable[str] = IMAGE_SUFFIXES) -> list[Path]:
    """The files directly inside ``folder`` whose suffix is one of ``suffixes`` (lower case), sorted."""
    wanted = tuple(suffixes)
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in wanted)


def images_in(folder: Path) -> list[Path]:
    """Image files (not .nic) directly inside ``folder``, sorted by name."""
    return files_in(folder, IMAGE_SUFFIXES)
