"""The codec: model families, entropy coding, the .nic container, pictures and metrics. No Qt.

The names below are its public surface (loaded on first use, so that light modules such as
``nicgui.codec.bitstream`` import without torch).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_LAZY = {
    "Analysis": "nicgui.codec.api",
    "Codec": "nicgui.codec.api",
    "Compressed": "nicgui.codec.api",
    "Decoded": "nicgui.codec.api",
    "cuda_available": "nicgui.codec.api",
    "load_model": "nicgui.codec.api",
    "load_model_for": "nicgui.codec.api",
    "Quantised": "nicgui.codec.latents",
    "HyperSide": "nicgui.codec.latents",
    "Picture": "nicgui.codec.pictures",
    "load_picture": "nicgui.codec.pictures",
    "Metrics": "nicgui.codec.metrics",
    "all_metrics": "nicgui.codec.metrics",
    "bits_per_pixel": "nicgui.codec.rate",
    "NicHeader": "nicgui.codec.bitstream",
    "read_header": "nicgui.codec.bitstream",
    "ModelIdentity": "nicgui.codec.weights",
    "SearchOptions": "nicgui.codec.effort",
    "Tune": "nicgui.codec.effort",
    "EFFORT_ITERATIONS": "nicgui.codec.effort",
    "Target": "nicgui.codec.target",
    "reach": "nicgui.codec.target",
    "installed_models": "nicgui.codec.weights",
}

__all__ = [
    "EFFORT_ITERATIONS",
    "Analysis",
    "Codec",
    "Compressed",
    "Decoded",
    "HyperSide",
    "Metrics",
    "ModelIdentity",
    "NicHeader",
    "Picture",
    "Quantised",
    "SearchOptions",
    "Target",
    "Tune",
    "all_metrics",
    "bits_per_pixel",
    "cuda_available",
    "installed_models",
    "load_model",
    "load_model_for",
    "load_picture",
    "reach",
    "read_header",
]

if TYPE_CHECKING:
    from nicgui.codec.api import (
        Analysis,
        Codec,
        Compressed,
        Decoded,
        cuda_available,
        load_model,
        load_model_for,
    )
    from nicgui.codec.bitstream import NicHeader, read_header
    from nicgui.codec.effort import EFFORT_ITERATIONS, SearchOptions, Tune
    from nicgui.codec.latents import HyperSide, Quantised
    from nicgui.codec.metrics import Metrics, all_metrics
    from nicgui.codec.pictures import Picture, load_picture
    from nicgui.codec.rate import bits_per_pixel
    from nicgui.codec.target import Target, reach
    from nicgui.codec.weights import ModelIdentity, installed_models


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nicgui.codec' has no attribute {name!r}")
