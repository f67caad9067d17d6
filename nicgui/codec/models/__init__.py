"""Model families and the registry of named sizes.

A *family* is a ``CodecModel`` subclass (its transforms, training pass and coding path); a
*size* is a named configuration of one family. Weights files record both, so a file is always
rebuilt as the model that wrote it.
"""

from __future__ import annotations

from typing import Any

from nicgui.codec.models.base import CodecModel, ConfigBase, RateDistortionOutput, TileRange
from nicgui.codec.models.hyperprior import MeanScaleConfig, MeanScaleHyperprior
from nicgui.codec.models.theis import CompressiveAutoencoder, ModelConfig

FAMILIES: dict[str, type[CodecModel]] = {
    CompressiveAutoencoder.family: CompressiveAutoencoder,
    MeanScaleHyperprior.family: MeanScaleHyperprior,
}


def _sizes() -> dict[str, tuple[str, ConfigBase]]:
    from nicgui.codec.models import hyperprior, theis

    out: dict[str, tuple[str, ConfigBase]] = {}
    for cls, sizes in ((CompressiveAutoencoder, theis.SIZES), (MeanScaleHyperprior, hyperprior.SIZES)):
        for name, cfg in sizes.items():
            out[name] = (cls.family, cfg)
    return out


REGISTRY: dict[str, tuple[str, ConfigBase]] = _sizes()  # size name -> (family, config)


def family_class(family: str) -> type[CodecModel]:
    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; known: {', '.join(FAMILIES)}")
    return FAMILIES[family]


def create(name: str) -> CodecModel:
    """A freshly initialised model of a registered size."""
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(REGISTRY)}")
    family, cfg = REGISTRY[name]
    return FAMILIES[family](cfg)


def from_config(family: str, config: dict[str, Any]) -> CodecModel:
    """Rebuild a model from the family and configuration recorded in a weights file."""
    cls = family_class(family)
    return cls(cls.config_class.from_dict(config))


__all__ = [
    "FAMILIES",
    "REGISTRY",
    "CodecModel",
    "CompressiveAutoencoder",
    "ConfigBase",
    "MeanScaleConfig",
    "MeanScaleHyperprior",
    "ModelConfig",
    "RateDistortionOutput",
    "TileRange",
    "create",
    "family_class",
    "from_config",
]
