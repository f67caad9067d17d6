"""nicgui: a neural image codec with a desktop app to compress and inspect images.

The declared surface (everything README documents) is importable from here; it loads torch only
when first used, so ``import nicgui`` stays cheap::

    import nicgui
    codec = nicgui.load_model()                   # the default model, CUDA when present
    picture = codec.decode(codec.encode("photo.png", quality=60))
"""

from __future__ import annotations

from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any

from nicgui.errors import CodingError, NicFormatError, NicguiError, PictureError, WeightsError

try:
    __version__ = metadata.version("nicgui")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

_LAZY = {
    "Codec": "nicgui.codec.api",
    "load_model": "nicgui.codec.api",
    "load_model_for": "nicgui.codec.api",
    "Picture": "nicgui.codec.pictures",
    "load_picture": "nicgui.codec.pictures",
    "Metrics": "nicgui.codec.metrics",
    "all_metrics": "nicgui.codec.metrics",
    "SearchOptions": "nicgui.codec.effort",
    "Tune": "nicgui.codec.effort",
    "Target": "nicgui.codec.target",
    "reach": "nicgui.codec.target",
}

__all__ = [
    "Codec",
    "CodingError",
    "Metrics",
    "NicFormatError",
    "NicguiError",
    "Picture",
    "PictureError",
    "SearchOptions",
    "Target",
    "Tune",
    "WeightsError",
    "__version__",
    "all_metrics",
    "load_model",
    "load_model_for",
    "load_picture",
    "reach",
]

if TYPE_CHECKING:
    from nicgui.codec.api import Codec, load_model, load_model_for
    from nicgui.codec.effort import SearchOptions, Tune
    from nicgui.codec.metrics import Metrics, all_metrics
    from nicgui.codec.pictures import Picture, load_picture
    from nicgui.codec.target import Target, reach


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nicgui' has no attribute {name!r}")
