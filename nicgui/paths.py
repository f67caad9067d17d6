"""Where shipped files are: in the frozen app, an installed wheel or a source checkout.

Lookups go relative to the code, never the working directory, so ``nicgui`` finds its weights
and icons whatever folder it is started from. Wheels map the top-level ``weights/`` and
``resources/`` folders into the package (``nicgui/weights``, ``nicgui/resources``); PyInstaller
puts them beside the code (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

WEIGHTS_DIR_ENV = "NICGUI_WEIGHTS_DIR"  # an extra folder of weights, searched first


def shipped_dirs(kind: Literal["weights", "resources"]) -> list[Path]:
    """Folders searched for shipped files of ``kind``, first match wins."""
    dirs: list[Path] = []
    env = os.environ.get(WEIGHTS_DIR_ENV) if kind == "weights" else None
    if env:
        dirs.append(Path(env))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / kind)
    package = Path(__file__).resolve().parent
    dirs.append(package / kind)  # an installed wheel
    dirs.append(package.parent / kind)  # a source checkout
    return dirs
