"""Files the app reads: which ones it opens and folder expansion (saves: ``nicgui.atomic``). No Qt."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nicgui.codec.bitstream import NIC_SUFFIX
from nicgui.imagefiles import IMAGE_SUFFIXES, files_in

OPENABLE_SUFFIXES = (*IMAGE_SUFFIXES, NIC_SUFFIX)
OPEN_FILTER = (
    "Images and .nic files (" + " ".join(f"*{s}" for s in OPENABLE_SUFFIXES) + ");;"
    f"Compressed images (*{NIC_SUFFIX});;All files (*)"
)


def is_openable(path: Path) -> bool:
    """Whether a file looks like something the app opens (by its suffix)."""
    return path.suffix.lower() in OPENABLE_SUFFIXES


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files to open from dropped or chosen paths: files as given, folders by their openable files.

    Files are kept even with unknown suffixes, so the user sees why they cannot be read.
    """
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(files_in(p, OPENABLE_SUFFIXES))
        else:
            out.append(p)
    return out
