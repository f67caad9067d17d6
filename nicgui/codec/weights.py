"""Weights files: safetensors (no pickle) holding parameters, family, config and tables.

A weights file stores the model's tensors, its family and configuration (JSON metadata) and
the integer tables its coding path reads, computed once at export. The model's identity,
written into every ``.nic`` header, is its name plus a hash over all stored tensors.
Format version 1 (CAE only, no family recorded) still loads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

from nicgui.atomic import atomic_path
from nicgui.codec.models import CodecModel, from_config
from nicgui.errors import WeightsError  # noqa: F401  (re-exported: its historical home)
from nicgui.paths import shipped_dirs

log = logging.getLogger(__name__)

FORMAT = "nicgui-weights"
FORMAT_VERSION = "2"
READABLE_FORMAT_VERSIONS = ("1", "2")
DEFAULT_WEIGHTS = "default.safetensors"
MAX_TENSOR_ELEMENTS = 2**28  # a config asking for more parameters than this in one tensor is refused
MAX_WIDTH = 2048  # no size in a model's config may be larger (nor 0 or less)


@dataclass(frozen=True)
class ModelIdentity:
    """What a .nic file records about the model that made it."""

    name: str
    digest: bytes  # 16 bytes

    def __str__(self) -> str:
        return f"{self.name} ({self.digest.hex()[:12]})"


@dataclass
class LoadedWeights:
    model: CodecModel  # with its tables loaded
    identity: ModelIdentity
    path: Path | None
    info: dict[str, Any]  # free-form metadata (training recipe, figures)


def _digest(arrays: dict[str, np.ndarray]) -> bytes:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(key.encode())
        h.update(str(a.dtype).encode())
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.digest()[:16]


def save_weights(
    model: CodecModel, path: Path, info: dict[str, Any] | None = None, float16: bool = False
) -> ModelIdentity:
    """Export a model for inference: parameters plus its tables, written atomically.

    ``float16`` stores the floating-point parameters at half precision (half the file; they are
    widened to float32 on load). The integer tables are exact either way.
    """
    dtype = np.float16 if float16 else np.float32
    arrays = {k: v.detach().cpu().float().numpy().astype(dtype) for k, v in model.state_dict().items()}
    arrays.update(model.build_tables())
    # safetensors writes an array's memory as it lies: a channels-last model would be scrambled
    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    digest = _digest(arrays)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "family": model.family,
        "config": json.dumps(model.cfg.to_dict()),
        "digest": digest.hex(),
        "info": json.dumps(info or {}),
    }
    with atomic_path(Path(path), overwrite=True) as tmp:
        save_file(arrays, str(tmp), metadata=meta)
    return ModelIdentity(model.cfg.name, digest)


def _metadata(path: Path) -> dict[str, str]:
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as f:
        return f.metadata() or {}


def _build(path: Path, meta: dict[str, str], arrays: dict[str, np.ndarray]) -> CodecModel:
    """The model a weights file describes, before any tensor is copied into it."""
    family = meta.get("family", "theis-cae")
    try:
        config = json.loads(meta["config"])
        if not isinstance(config, dict):
            raise ValueError("the config is not a JSON object")
        # sizes are checked before anything is allocated: no width above MAX_WIDTH keeps every
        # tensor (at most width^2 x 25) under MAX_TENSOR_ELEMENTS. (A probe on the meta device
        # did this before; its first use imports torch._meta_registrations, 0.65 s of every start.)
        widths = {k: v for k, v in config.items() if isinstance(v, int) and not isinstance(v, bool)}
        if any(not 0 < v <= MAX_WIDTH for v in widths.values()):
            raise WeightsError(f"{path} records a model too large to be real")
        model = from_config(family, config)
        shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    except WeightsError:
        raise
    except Exception as e:
        raise WeightsError(f"{path} records an unusable model ({family}): {e}") from e
    if any(math.prod(s) > MAX_TENSOR_ELEMENTS for s in shapes.values()):
        raise WeightsError(f"{path} records a model too large to be real")
    stored = {k: tuple(v.shape) for k, v in arrays.items() if not k.startswith("tables.")}
    if stored != shapes:
        diff = sorted(set(stored.items()) ^ set(shapes.items()))[:3]
        raise WeightsError(f"{path} does not match its recorded architecture (e.g. {diff})")
    return model


def load_weights(path: Path, device: str | torch.device = "cpu") -> LoadedWeights:
    """Load an exported weights file; raises WeightsError with a readable reason."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    try:
        meta = _metadata(path)
        arrays = load_file(str(path))
    except Exception as e:  # safetensors raises several types for damaged files
        raise WeightsError(f"cannot read weights file {path}: {e}") from e
    if meta.get("format") != FORMAT:
        raise WeightsError(f"{path} is not a nicgui weights file")
    if meta.get("format_version") not in READABLE_FORMAT_VERSIONS:
        raise WeightsError(
            f"{path} has weights format {meta.get('format_version')}, expected one of "
            f"{', '.join(READABLE_FORMAT_VERSIONS)}"
        )
    model = _build(path, meta, arrays)
    try:
        state = {k: torch.from_numpy(v).float() for k, v in arrays.items() if not k.startswith("tables.")}
        model.load_state_dict(state)
    except Exception as e:
        raise WeightsError(f"{path} does not match its recorded architecture: {e}") from e
    try:
        model.load_tables(model.table_keys(arrays))
    except (KeyError, ValueError, IndexError) as e:
        raise WeightsError(
            f"{path}: its probability tables are missing or do not fit the model ({e}); re-export it"
        ) from e
    model.eval().to(device)
    try:
        info = json.loads(meta.get("info", "{}"))
    except json.JSONDecodeError:
        info = {}
    return LoadedWeights(model, ModelIdentity(model.cfg.name, _digest(arrays)), path, info)


def weights_dirs() -> list[Path]:
    """Folders searched for weights: $NICGUI_WEIGHTS_DIR, the frozen app, the package, the checkout."""
    return shipped_dirs("weights")


def identity_of(path: Path) -> ModelIdentity:
    """The identity of a weights file (from its metadata when recorded, else by hashing it)."""
    meta = _metadata(path)
    config = json.loads(meta.get("config", "{}"))
    if "digest" in meta:
        return ModelIdentity(str(config.get("name", "")), bytes.fromhex(meta["digest"]))
    return ModelIdentity(str(config.get("name", "")), _digest(load_file(str(path))))


def installed_weights() -> list[Path]:
    """Every weights file in the searched folders (first folder wins for a file name)."""
    seen: dict[str, Path] = {}
    for d in weights_dirs():
        if d.is_dir():
            for p in sorted(d.glob("*.safetensors")):
                seen.setdefault(p.name, p)
    return list(seen.values())


@dataclass(frozen=True)
class InstalledModel:
    """An installed weights file, as a menu lists it."""

    name: str  # what load_model / --model take: the file name without .safetensors
    model: str  # the architecture's name, e.g. theis-cae-s
    family: str
    path: Path


def installed_models() -> list[InstalledModel]:
    """Every usable installed model, by name (reads metadata only)."""
    out = []
    for path in installed_weights():
        try:
            meta = _metadata(path)
            config = json.loads(meta.get("config", "{}"))
        except Exception as e:  # a damaged file is left out of the list, not fatal
            log.warning("skipping unreadable weights %s: %s", path, e)
            continue
        out.append(InstalledModel(path.stem, str(config.get("name", "?")), meta.get("family", "theis-cae"), path))
    return out


def find_weights_for(identity: ModelIdentity) -> Path:
    """The installed weights file with this identity; WeightsError naming it if there is none."""
    for path in installed_weights():
        try:
            if identity_of(path) == identity:
                return path
        except Exception as e:  # a damaged file among the installed ones is skipped, not fatal
            log.warning("skipping unreadable weights %s: %s", path, e)
    raise WeightsError(f"this file was made with model {identity}, whose weights are not installed")


def find_weights(name: str = DEFAULT_WEIGHTS) -> Path:
    """Path of a weights file by file name (default: the shipped default model)."""
    if not name.endswith(".safetensors"):
        name += ".safetensors"
    for d in weights_dirs():
        if (d / name).is_file():
            return d / name
    installed = ", ".join(sorted(p.stem for p in installed_weights()))
    if installed:
        wanted = name.removesuffix(".safetensors")
        raise WeightsError(f"no installed model is called {wanted!r}; installed: {installed}")
    searched = ", ".join(str(d) for d in weights_dirs())
    raise WeightsError(f"weights {name!r} not found (searched: {searched})")
