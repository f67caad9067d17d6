"""Files the app reads: which ones it opens and folder expansion (saves: ``nicgui.atomic``). No Qt."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nicgui.codec.bitstream import NIC_SUFFIX
from nicgui.paths import IMAGE_SUFFIXES

OPEN_FILTER = (
    "Images and .nic files (" + " ".join(f"*{s}" for s in (*IMAGE_SUFFIXES, NIC_SUFFIX)) + ");;"
    f"Compressed images (*{NIC_SUFFIX});;All files (*)"
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
