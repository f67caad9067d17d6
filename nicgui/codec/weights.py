"""Weights files: safetensors (no pickle) holding parameters, config and probability tables.

A weights file stores the model's tensors, its ``ModelConfig`` (JSON metadata) and the integer
frequency tables for every quality, computed once at export. The model's identity, written into
every ``.nic`` header, is its name plus a hash over all stored tensors.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

from nicgui.codec.entropy import QUALITIES, Tables, build_tables
from nicgui.codec.model import CompressiveAutoencoder, ModelConfig

log = logging.getLogger(__name__)

FORMAT = "nicgui-weights"
FORMAT_VERSION = "1"
DEFAULT_WEIGHTS = "default.safetensors"
_TABLE_KEYS = ("tables.scales", "tables.half", "tables.offsets", "tables.freqs")


class WeightsError(RuntimeError):
    """A weights file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class ModelIdentity:
    """What a .nic file records about the model that made it."""

    name: str
    digest: bytes  # 16 bytes

    def __str__(self) -> str:
        return f"{self.name} ({self.digest.hex()[:12]})"


@dataclass
class LoadedWeights:
    model: CompressiveAutoencoder
    tables: Tables
    identity: ModelIdentity
    path: Path | None
    info: dict  # free-form metadata (training recipe, figures)


def _digest(arrays: dict[str, np.ndarray]) -> bytes:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(key.encode())
        h.update(str(a.dtype).encode())
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.digest()[:16]


def save_weights(model: CompressiveAutoencoder, path: Path, info: dict | None = None) -> ModelIdentity:
    """Export a model for inference: float32 parameters plus its tables, written atomically."""
    tables = build_tables(model.entropy)
    arrays = {k: v.detach().cpu().float().numpy() for k, v in model.state_dict().items()}
    arrays.update(
        {
            "tables.scales": tables.scales.astype(np.float32),
            "tables.half": tables.half.astype(np.int32),
            "tables.offsets": tables.offsets.astype(np.int64),
            "tables.freqs": tables.freqs.astype(np.uint32),
        }
    )
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": json.dumps(model.cfg.to_dict()),
        "info": json.dumps(info or {}),
    }
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    save_file(arrays, str(tmp), metadata=meta)
    os.replace(tmp, path)
    return ModelIdentity(model.cfg.name, _digest(arrays))


def load_weights(path: Path, device: str | torch.device = "cpu") -> LoadedWeights:
    """Load an exported weights file; raises WeightsError with a readable reason."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
        arrays = load_file(str(path))
    except Exception as e:  # safetensors raises several types for damaged files
        raise WeightsError(f"cannot read weights file {path}: {e}") from e
    if meta.get("format") != FORMAT:
        raise WeightsError(f"{path} is not a nicgui weights file")
    if meta.get("format_version") != FORMAT_VERSION:
        raise WeightsError(f"{path} has weights format {meta.get('format_version')}, expected {FORMAT_VERSION}")
    missing = [k for k in _TABLE_KEYS if k not in arrays]
    if missing:
        raise WeightsError(f"{path} has no probability tables ({', '.join(missing)}); re-export it")
    try:
        cfg = ModelConfig.from_dict(json.loads(meta["config"]))
        model = CompressiveAutoencoder(cfg)
        state = {k: torch.from_numpy(v) for k, v in arrays.items() if not k.startswith("tables.")}
        model.load_state_dict(state)
    except Exception as e:
        raise WeightsError(f"{path} does not match its recorded architecture: {e}") from e
    tables = Tables(
        scales=arrays["tables.scales"],
        half=arrays["tables.half"],
        offsets=arrays["tables.offsets"],
        freqs=arrays["tables.freqs"],
    )
    if tables.scales.shape != (QUALITIES, cfg.latent) or tables.half.shape != (QUALITIES * cfg.latent,):
        raise WeightsError(f"{path}: probability tables do not fit the model")
    model.eval().to(device)
    info = json.loads(meta.get("info", "{}"))
    return LoadedWeights(model, tables, ModelIdentity(cfg.name, _digest(arrays)), path, info)


def weights_dirs() -> list[Path]:
    """Folders searched for weights: $NICGUI_WEIGHTS_DIR, the frozen app, the package, the checkout."""
    dirs: list[Path] = []
    env = os.environ.get("NICGUI_WEIGHTS_DIR")
    if env:
        dirs.append(Path(env))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "weights")
    here = Path(__file__).resolve().parent.parent  # the nicgui package
    dirs.append(here / "weights")  # installed wheels carry weights inside the package
    dirs.append(here.parent / "weights")  # a source checkout
    return dirs


def find_weights(name: str = DEFAULT_WEIGHTS) -> Path:
    """Path of a weights file by file name (default: the shipped default model)."""
    if not name.endswith(".safetensors"):
        name += ".safetensors"
    for d in weights_dirs():
        if (d / name).is_file():
            return d / name
    searched = ", ".join(str(d) for d in weights_dirs())
    raise WeightsError(f"weights {name!r} not found (searched: {searched})")
