"""What the session asks the model thread for: immutable dataclasses, no Qt.

View requests carry a generation number. The session advances the generation with every new view
request, so the model thread can skip (or stop between tiles) requests that were overtaken and the
session can drop results that arrive for an old generation (``results.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nicgui.app.heatmaps import HeatmapKind
from nicgui.app.source import Source
from nicgui.codec.pictures import Picture


@dataclass(frozen=True)
class ViewRequest:
    """Show ``source`` at ``quality``: load it if ``load``, then compress, measure and compare."""

    generation: int
    source: Source
    quality: int
    heatmap: HeatmapKind
    compare: str | None = None  # a classical codec, one of ``nicgui.codec.classic.NAMES``
    load: bool = False  # the window does not show this source yet: send it a Loaded first
    view: tuple[int, int, int, int] | None = None  # (x0, y0, x1, y1): the part on screen, decoded first


@dataclass(frozen=True)
class SaveRequest:
    """Write ``payload`` (.nic bytes, or pixels to store as PNG) atomically to ``path``."""

    job: int
    path: Path
    payload: bytes | Picture | np.ndarray
    overwrite: bool = False


@dataclass(frozen=True)
class BatchRequest:
    """Compress ``files`` to .nic at ``quality`` into ``out_dir`` (None: next to each file)."""

    job: int
    files: tuple[Path, ...]
    out_dir: Path | None
    quality: int
    overwrite: bool
    cancel: threading.Event = field(compare=False)


@dataclass(frozen=True)
class DeviceRequest:
    device: str


@dataclass(frozen=True)
class PrecisionRequest:
    """Run the networks in another arithmetic: auto, float32 or bfloat16 (``codec/precision.py``)."""

    precision: str


@dataclass(frozen=True)
class ModelRequest:
    """Switch to another installed model (by name, e.g. ``default`` or ``theis-cae-s``)."""

    model: str
