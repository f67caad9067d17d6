"""Files the app reads and writes: which ones it opens, folder expansion, atomic saves. No Qt."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from nicgui.gui.messages import NIC_SUFFIX

IMAGE_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".jpe", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".ppm", ".pgm", ".pbm",
    ".pnm", ".tga", ".avif", ".jp2", ".ico",
)
OPEN_FILTER = (
    "Images and .nic files (" + " ".join(f"*{s}" for s in (*IMAGE_SUFFIXES, NIC_SUFFIX)) + ");;"
    "Compressed images (*.nic);;All files (*)"
)


def is_openable(path: Path) -> bool:
    """Whether a file looks like something the app opens (by its suffix)."""
    return path.suffix.lower() in (*IMAGE_SUFFIXES, NIC_SUFFIX)


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files to open from dropped or chosen paths: files as given, folders by their openable files.

    Files are kept even with unknown suffixes, so the user sees why they cannot be read.
    """
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(c for c in p.iterdir() if c.is_file() and is_openable(c)))
        else:
            out.append(p)
    return out


def images_in(folder: Path) -> list[Path]:
    """Image files (not .nic) directly inside ``folder``, sorted by name."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and is_image(p))


def atomic_write(path: Path, data: bytes, overwrite: bool = False) -> int:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    A reader never sees a half-written file, and a failure leaves any old file untouched. Raises
    FileExistsError when ``path`` exists and ``overwrite`` is false, OSError when writing fails.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # mode as any new file (umask)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # creates the name only if it is still free
            except FileExistsError:
                raise FileExistsError(f"{path} already exists") from None
            except OSError:  # a file system without hard links
                if path.exists():
                    raise FileExistsError(f"{path} already exists") from None
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return len(data)
