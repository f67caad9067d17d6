"""Dropped and pasted data (QMimeData) as sources the app can open: local files or image pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QImage

from nicgui.app.source import Source
from nicgui.gui.files import expand


def local_paths(mime: QMimeData) -> list[Path]:
    """Local files and folders named by the data's URLs (remote URLs are ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def can_open(mime: QMimeData) -> bool:
    return bool(local_paths(mime)) or mime.hasImage()


def qimage_to_array(image: QImage) -> np.ndarray:
    """(H, W, 3) or, when the image has alpha, (H, W, 4) uint8 pixels copied out of a QImage."""
    alpha = image.hasAlphaChannel()
    fmt = QImage.Format.Format_RGBA8888 if alpha else QImage.Format.Format_RGB888
    img = image.convertToFormat(fmt)
    channels = 4 if alpha else 3
    h, w, stride = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return buf[:, : w * channels].reshape(h, w, channels).copy()


def sources_from_mime(mime: QMimeData, serial: int, name: str = "Pasted image") -> list[Source]:
    """What a drop or paste opens: its local files (folders expanded), else its image pixels."""
    paths = local_paths(mime)
    if paths:
        return [Source.from_path(p) for p in expand(paths)]
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return [Source.from_pixels(name, qimage_to_array(image), serial)]
    return []
