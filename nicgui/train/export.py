"""Turn a training checkpoint into the shipped inference weights (with probability tables)."""

from __future__ import annotations

from pathlib import Path

import torch

from nicgui.codec.models import CodecModel, from_config
from nicgui.codec.weights import ModelIdentity, save_weights


def load_checkpoint(path: Path) -> tuple[CodecModel, int, dict]:
    """(model, step, raw checkpoint) of a trainer checkpoint, loaded without running pickle code."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        ck = torch.load(path, map_location="cpu", weights_only=True)
        model = from_config(ck.get("family", "theis-cae"), ck["config"])
        model.load_state_dict(ck["model"])
    except Exception as e:
        raise ValueError(f"{path} is not a nicgui training checkpoint: {e}") from e
    return model.eval(), int(ck.get("step", 0)), ck


def export_checkpoint(checkpoint: Path, output: Path, note: str = "", float16: bool = False) -> ModelIdentity:
    model, step, _ = load_checkpoint(checkpoint)
    return save_weights(model, output, info={"steps": step, "note": note}, float16=float16)
