"""Where the shipped resources (icons, desktop files) are, in a checkout, a wheel or the frozen app.

Lookups go relative to the code, never the working directory, so ``nicgui`` finds its icon
whatever folder it is started from. The search order mirrors ``nicgui.codec.weights.weights_dirs``.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_ICON_PNG = "nicgui.png"
APP_ICON_SVG = "nicgui.svg"


def resources_dirs() -> list[Path]:
    """Folders searched for resources: the frozen app, the installed package, the source checkout."""
    dirs: list[Path] = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "resources")
    package = Path(__file__).resolve().parent
    dirs.append(package / "resources")  # wheels map the top-level resources/ into the package
    dirs.append(package.parent / "resources")  # a source checkout
    return dirs


def resource_path(name: str) -> Path:
    """Path of a shipped resource file; FileNotFoundError names every folder searched."""
    for d in resources_dirs():
        candidate = d / name
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in resources_dirs())
    raise FileNotFoundError(f"resource {name!r} not found (searched: {searched})")
